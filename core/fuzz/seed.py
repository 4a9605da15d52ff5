#!/usr/bin/env python3
"""Seed core/fuzz/seeds/<target>/ from the real samples in PEC_CORPUS (default ../shared/corpus).

The samples are read at run time and never committed: seeds/ is git-ignored, the fuzzer writes
its own finds to corpus/ (git-ignored too), and regressions/ keeps only a minimised set of those. Files are named by content hash, as
libFuzzer names its own, so seeding twice adds nothing.
"""
import email
import email.policy
import hashlib
import os
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
MAX_SEED = 1 << 20  # libFuzzer mutates small inputs well; a 1 MiB seed only slows it down.


def corpus_root():
    default = HERE.parent.parent.parent / "shared" / "corpus"
    root = pathlib.Path(os.environ.get("PEC_CORPUS", default))
    if not root.is_dir():
        sys.exit(f"seed.py: no corpus at {root} (set PEC_CORPUS)")
    return root


def put(target, data):
    if not data or len(data) > MAX_SEED:
        return 0
    folder = HERE / "seeds" / target
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / hashlib.sha1(data).hexdigest()
    if path.exists():
        return 0
    path.write_bytes(data)
    return 1


def parts(data):
    """Every leaf part of a message, nested messages included: (file name, decoded bytes)."""
    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    stack = [msg]
    while stack:
        part = stack.pop()
        payload = part.get_payload()
        if part.is_multipart() or isinstance(payload, list):
            stack.extend(payload if isinstance(payload, list) else [])
            continue
        decoded = part.get_payload(decode=True) or b""
        name = part.get_filename() or ""
        if part.get_content_type() == "message/rfc822" or name.endswith(".eml"):
            stack.append(email.message_from_bytes(decoded, policy=email.policy.compat32))
        yield name, decoded


def is_evidence(data):
    """An ERDS evidence root, with or without a namespace prefix (`<tns:Evidence`)."""
    head = data[:4096]
    return b"19522" in head and (b"<Evidence" in head or b":Evidence" in head)


def is_message(path):
    return path.suffix.lower() in (".eml", ".txt", "") and path.name != "SOURCES.txt"


def main():
    root = corpus_root()
    counts = dict.fromkeys(["analyze", "daticert", "rem_evidence", "invoice_xml", "p7m"], 0)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        suffix = path.suffix.lower()
        if path.name.lower().endswith(".p7m"):
            counts["p7m"] += put("p7m", data)
        elif suffix == ".xml" and is_evidence(data):
            counts["rem_evidence"] += put("rem_evidence", data)
        elif suffix == ".xml" and b"postacert" in data:
            counts["daticert"] += put("daticert", data)
        elif suffix == ".xml":
            counts["invoice_xml"] += put("invoice_xml", data)
            counts["p7m"] += put("p7m", data) if "fatturapa" in path.parts else 0
        elif is_message(path):
            counts["analyze"] += put("analyze", data)
            for name, body in parts(data):
                if name.lower() == "daticert.xml":
                    counts["daticert"] += put("daticert", body)
                elif is_evidence(body):
                    counts["rem_evidence"] += put("rem_evidence", body)
                elif name.lower().endswith(".p7m"):
                    counts["p7m"] += put("p7m", body)
                elif name.lower().endswith(".xml"):
                    counts["invoice_xml"] += put("invoice_xml", body)
    for target, n in counts.items():
        print(f"{target}: {n} new seeds")


if __name__ == "__main__":
    main()
