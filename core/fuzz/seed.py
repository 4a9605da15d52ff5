#!/usr/bin/env python3
"""Seed core/fuzz/seeds/<target>/ from the real samples in PEC_CORPUS (default ../shared/corpus).

The samples are read at run time and never committed: seeds/ is git-ignored, the fuzzer writes
its own finds to corpus/ (git-ignored too), and regressions/ keeps only a minimised set of those. Files are named by content hash, as
libFuzzer names its own, so seeding twice adds nothing.
"""
import email
import email.policy
import email.utils
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


def imap_string(value):
    """An IMAP string: NIL, quoted when plain ASCII, a literal otherwise."""
    if value is None:
        return "NIL"
    value = str(value)
    if value.isascii() and not any(c in value for c in "\r\n"):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    raw = value.encode("utf-8", "replace")
    return "{%d}\r\n" % len(raw) + raw.decode("utf-8")


def imap_params(pairs):
    if not pairs:
        return "NIL"
    return "(" + " ".join(imap_string(k) + " " + imap_string(v) for k, v in pairs) + ")"


def imap_addresses(value):
    if not value:
        return "NIL"
    out = []
    for name, addr in email.utils.getaddresses([str(value)]):
        mailbox, _, host = addr.partition("@")
        out.append("(%s NIL %s %s)" % (imap_string(name or None), imap_string(mailbox), imap_string(host)))
    return "(" + "".join(out) + ")" if out else "NIL"


def envelope(msg):
    fields = [imap_string(msg.get("Date")), imap_string(msg.get("Subject"))]
    fields += [imap_addresses(msg.get(h)) for h in ("From", "Sender", "Reply-To", "To", "Cc", "Bcc")]
    fields += [imap_string(msg.get("In-Reply-To")), imap_string(msg.get("Message-ID"))]
    return "(" + " ".join(fields) + ")"


def bodystructure(part, depth=0):
    """What an IMAP server answers for `part` to FETCH BODYSTRUCTURE (RFC 3501 section 7.4.2)."""
    maintype, subtype = part.get_content_maintype(), part.get_content_subtype()
    payload = part.get_payload()
    if part.is_multipart() and depth < 40:
        children = "".join(bodystructure(p, depth + 1) for p in payload)
        params = [(k, v) for k, v in part.get_params()[1:]] if part.get_params() else []
        return "(%s %s %s NIL NIL)" % (children, imap_string(subtype), imap_params(params))
    params = [(k, v) for k, v in (part.get_params() or [])[1:]]
    encoding = part.get("Content-Transfer-Encoding", "7bit")
    body = part.as_bytes() if isinstance(payload, list) else str(payload).encode("utf-8", "replace")
    head = "%s %s %s NIL NIL %s %d" % (
        imap_string(maintype), imap_string(subtype), imap_params(params), imap_string(encoding), len(body))
    disposition = part.get_content_disposition()
    filename = part.get_filename()
    ext = "NIL (%s %s) NIL NIL" % (
        imap_string(disposition), imap_params([("filename", filename)] if filename else [])
    ) if disposition else "NIL NIL NIL NIL"
    if maintype == "message" and subtype == "rfc822" and isinstance(payload, list) and payload and depth < 40:
        inner = payload[0]
        return "(%s %s %s %d %s)" % (head, envelope(inner), bodystructure(inner, depth + 1), body.count(b"\n"), ext)
    if maintype == "text":
        return "(%s %d %s)" % (head, body.count(b"\n"), ext)
    return "(%s %s)" % (head, ext)


def fetch_response(uid, data):
    """A server's answer to the sync's header FETCH for this message, as one IMAP response."""
    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    header = data.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
    return (
        "* %d FETCH (UID %d FLAGS (\\Seen) RFC822.SIZE %d INTERNALDATE \"04-Nov-2024 10:00:00 +0100\" "
        "BODYSTRUCTURE %s MODSEQ (%d) BODY[HEADER] {%d}\r\n"
        % (uid, uid, len(data), bodystructure(msg), uid + 1000, len(header))
    ).encode("utf-8") + header + b")\r\n"


# The address book targets have no real samples in the corpus: these describe the shapes phones,
# webmails and CardDAV servers write (vCard 3 and 4, Outlook's and Gmail's CSV, multistatus).
BOOK_SEEDS = {
    "contacts": [
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Anna Verdi\r\nN:Verdi;Anna;;;\r\nEMAIL;TYPE=INTERNET:anna@pec.example.it\r\n"
        "ORG:Studio Verdi;Legale\r\nNOTE:due righe\\nseconda\r\nCATEGORIES:Clienti,Fornitori\r\nX-TAX-CODE:VRDNNA80A41H501U\r\n"
        "X-VAT:IT01234567890\r\nUID:urn:uuid:1\r\nEND:VCARD\r\n",
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN;CHARSET=UTF-8:Luca N\u00e9ri\r\nEMAIL;PREF=1:luca@pec.example.it\r\nTEL;TYPE=cell:+39 333\r\n"
        "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ==\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n",
        "Name,E-mail Address,E-mail 2 Address,Company,Notes,Categories\r\n\"Rossi, Mario\",mario@pec.example.it,m@example.org,ACME,\"a\r\nb\",Clienti ::: Studio\r\n",
        "Given Name,Family Name,E-mail 1 - Value,Organization 1 - Name,Group Membership\r\nAnna,Verdi,anna@pec.example.it,Studio,* myContacts ::: Clienti\r\n",
    ],
    "dav_answers": [
        '<?xml version="1.0" encoding="utf-8"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav">'
        '<d:response><d:href>/anna/rubrica/a.vcf</d:href><d:propstat><d:prop><d:getetag>"e1"</d:getetag>'
        '<c:address-data>BEGIN:VCARD&#13;\nFN:A &amp; B&#13;\nEND:VCARD</c:address-data></d:prop>'
        '<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response><d:response><d:href>https://h/anna/rubrica/b.vcf</d:href>'
        '<d:status>HTTP/1.1 404 Not Found</d:status></d:response><d:sync-token>http://radicale.org/ns/sync/1</d:sync-token></d:multistatus>',
        '<?xml version="1.0"?><multistatus xmlns="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav" xmlns:CS="http://calendarserver.org/ns/">'
        '<response><href>/anna/</href><propstat><prop><current-user-principal><href>/anna/</href></current-user-principal>'
        '<CR:addressbook-home-set><href>/anna/</href></CR:addressbook-home-set><resourcetype><principal/><collection/></resourcetype>'
        '</prop><status>HTTP/1.1 200 OK</status></propstat></response><response><href>/anna/rubrica/</href><propstat><prop>'
        '<resourcetype><CR:addressbook/><collection/></resourcetype><displayname>Rubrica</displayname><CS:getctag>"c1"</CS:getctag>'
        '</prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>',
    ],
}


def is_message(path):
    return path.suffix.lower() in (".eml", ".txt", "") and path.name != "SOURCES.txt"


def main():
    root = corpus_root()
    counts = dict.fromkeys(
        ["analyze", "daticert", "rem_evidence", "invoice_xml", "p7m", "imap_responses", *BOOK_SEEDS], 0
    )
    for target, texts in BOOK_SEEDS.items():
        for text in texts:
            counts[target] += put(target, text.encode("utf-8"))
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
            try:
                response = fetch_response(int(hashlib.sha1(data).hexdigest()[:4], 16) + 1, data)
            except Exception:  # a sample Python's parser cannot walk: the other targets still get it
                response = None
            if response:
                counts["imap_responses"] += put("imap_responses", response)
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
