//! Files in and out of `pec`: oversized inputs refused before they fill memory (`/dev/zero`,
//! sparse files over the caps), imports that never merge two messages, attachments saved
//! without replacing or following anything.

use pec_sandbox::{Options, Sandbox};
use std::path::Path;

use crate::common;
use common::*;
const ME: &str = "utente1@pec.sandbox.test";
const MB: u64 = 1024 * 1024;
/// What opening the encrypted store costs before any file is read: Argon2id stretches the
/// passphrase over 64 MiB (freed before the command runs, but counted in the peak).
const KEY_DERIVATION: u64 = 64 * MB;

/// Refused with a "too large" line, exit non-zero, peak RSS under `bound`.
fn assert_refused_small(dir: &Path, args: &[&str], bound: u64) {
    assert_refused_with(dir, args, bound, "too large");
}

/// Refused with a line containing `why`, exit non-zero, peak RSS under `bound`.
fn assert_refused_with(dir: &Path, args: &[&str], bound: u64, why: &str) {
    let (success, stderr, rss) = pec_peak_rss(dir, args);
    assert!(!success, "pec {args:?} succeeded");
    assert!(stderr.contains(why), "pec {args:?}: {stderr}");
    assert!(
        rss < bound,
        "pec {args:?} peaked at {} MB (bound {} MB)",
        rss / MB,
        bound / MB
    );
}

#[test]
fn inspect_and_invoice_refuse_endless_and_oversized_files() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let big = sparse_file(dir, "big.eml", 200 * MB);
    let big = big.to_str().expect("path");
    for cmd in ["inspect", "invoice"] {
        assert_refused_small(dir, &[cmd, "/dev/zero"], REFUSAL_RSS);
        // A regular file is refused from its size, before a byte is read.
        assert_refused_small(dir, &[cmd, big], 64 * MB);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_and_send_refuse_endless_and_oversized_files() {
    if pec_test_harness::dovecot_or_skip("import_and_send_refuse_endless_and_oversized_files")
        .is_none()
    {
        return;
    }
    let sb = Sandbox::start(Options::default()).await.expect("sandbox");
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    add_account(dir, &sb, ME, "password1");
    let big = sparse_file(dir, "big.bin", 200 * MB);
    let big = big.to_str().expect("path");
    assert_refused_small(dir, &["import", "/dev/zero"], REFUSAL_RSS);
    assert_refused_small(dir, &["import", big], 64 * MB + KEY_DERIVATION);
    let send = |file: &'static str| -> Vec<&'static str> {
        vec![
            "send",
            "--to",
            "utente2@pec.sandbox.test",
            "--subject",
            "x",
            "--body",
            "y",
            "--attach",
            file,
        ]
    };
    // An attachment is a file the core reads when it builds the message: a device is refused
    // as not being one, before anything is read.
    assert_refused_with(dir, &send("/dev/zero"), REFUSAL_RSS, "not a file");
    // 200 MB attachment: refused before being read (it used to take 418 MB).
    let big: &'static str = Box::leak(big.to_string().into_boxed_str());
    assert_refused_small(dir, &send(big), 64 * MB + KEY_DERIVATION);
    // Nothing was queued or stored.
    let listed = rows(dir, &["ls", "all", "--json"]);
    assert!(listed.is_empty(), "{listed:#?}");

    // An HTML body without a text body is refused (not sent with an empty text part).
    let html = dir.join("body.html");
    std::fs::write(&html, "<p>ciao</p>").expect("html");
    let out = pec(
        dir,
        &[
            "send",
            "--to",
            "utente2@pec.sandbox.test",
            "--subject",
            "x",
            "--html",
            html.to_str().expect("p"),
        ],
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("plain-text body"),
        "{out:?}"
    );

    // `ls --limit` above the facade's page cap (500) is honoured, not cut to 500.
    let files: Vec<String> = (0..520)
        .map(|i| {
            let p = dir.join(format!("m{i}.eml"));
            let raw = format!(
                "From: a@pec.other\r\nTo: {ME}\r\nSubject: n{i}\r\nMessage-ID: <m{i}@pec.other>\r\n\r\nx\r\n"
            );
            std::fs::write(&p, raw).expect("eml");
            p.to_string_lossy().into_owned()
        })
        .collect();
    let mut args = vec!["import"];
    args.extend(files.iter().map(String::as_str));
    ok(dir, &args);
    assert_eq!(rows(dir, &["ls", "--limit", "100000", "--json"]).len(), 520);
    assert_eq!(rows(dir, &["ls", "--limit", "510", "--json"]).len(), 510);
}

const PDF_B64: &str = "JVBERi0xLjQK"; // "%PDF-1.4\n"

/// A message whose sender controls every field: escape sequences and CR/LF in the display name,
/// the RFC 2047 subject, the body and an attachment name; two attachments whose names clean to
/// the same `a.pdf`; one name of 300 characters.
fn hostile_message(message_id: &str) -> Vec<u8> {
    let long = format!("{}.pdf", "n".repeat(300));
    let part = |name: &str| {
        format!(
            "--B\r\nContent-Type: application/pdf; name=\"{name}\"\r\n\
             Content-Disposition: attachment; filename=\"{name}\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{PDF_B64}\r\n"
        )
    };
    format!(
        "From: \"Evil\x1b[2J Name\" <evil@pec.other>\r\nTo: {ME}\r\n\
         Subject: =?UTF-8?Q?Ciao=0D=0AFrom:_banca@pec.it=1B]0;titolo=07?=\r\n\
         Message-ID: <{message_id}>\r\nDate: Thu, 14 Nov 2024 18:26:00 +0100\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n\
         --B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nriga\x1b[31m rossa\r\nfine\r\n\
         {}{}{}{}--B--\r\n",
        part("a.pdf"),
        part("../a.pdf"),
        part(&long),
        part("x\x1b[2J.pdf"),
    )
    .into_bytes()
}

fn assert_terminal_safe(what: &str, out: &str) {
    assert!(!out.contains(['\x1b', '\r', '\x07']), "{what}: {out:?}");
    assert!(
        !out.lines()
            .any(|l| l.trim_start().starts_with("From: banca")),
        "{what}: a fake From: line: {out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_saves_and_terminal_output() {
    if pec_test_harness::dovecot_or_skip("imports_saves_and_terminal_output").is_none() {
        return;
    }
    let sb = Sandbox::start(Options::default()).await.expect("sandbox");
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    add_account(dir, &sb, ME, "password1");
    let file = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).expect("write");
        p.to_string_lossy().into_owned()
    };

    // An empty file is not a message.
    let empty = file("empty.eml", b"");
    let out = pec(dir, &["import", &empty]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("empty"),
        "{out:?}"
    );

    // The hostile message: stored exactly, shown neutralised.
    let hostile = file("hostile.eml", &hostile_message("hostile@pec.other"));
    let imported = json(dir, &["import", "--json", &hostile]);
    let id = imported["id"].to_string();
    let listed = rows(dir, &["ls", "--json"]);
    let row = listed
        .iter()
        .find(|r| r["id"] == imported["id"])
        .expect("row");
    assert_eq!(
        row["subject"].as_str(),
        Some("Ciao\r\nFrom: banca@pec.it\x1b]0;titolo\x07"),
        "--json stays exact"
    );
    assert_terminal_safe("ls", &ok(dir, &["ls"]));
    let shown = ok(dir, &["show", &id]);
    assert_terminal_safe("show", &shown);
    assert!(shown.contains("riga␛[31m rossa\nfine"), "{shown}");
    assert_terminal_safe("search", &ok(dir, &["search", "rossa"]));

    // Its attachments are served from the stored body, each into a new file.
    let out_dir = dir.join("out");
    std::fs::create_dir_all(&out_dir).expect("out");
    std::fs::write(out_dir.join("a.pdf"), b"mine").expect("mine");
    let out_s = out_dir.to_string_lossy().into_owned();
    let saved = rows(dir, &["save", &id, "--all", "--out", &out_s, "--json"]);
    assert_eq!(saved.len(), 4, "{saved:#?}");
    let names: Vec<String> = saved
        .iter()
        .map(|s| {
            assert_eq!(s["fetched"], 0, "served from the stored body: {s}");
            let p = s["path"].as_str().expect("path");
            assert_eq!(std::fs::read(p).expect("saved"), b"%PDF-1.4\n");
            Path::new(p)
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(names[0], "a (1).pdf");
    assert_eq!(names[1], "a (2).pdf");
    assert!(
        names[2].len() <= 255 && names[2].ends_with(".pdf"),
        "{}",
        names[2]
    );
    assert_eq!(names[3], "x[2J.pdf");
    assert_eq!(std::fs::read(out_dir.join("a.pdf")).expect("mine"), b"mine");
    // Saved again: new names, nothing replaced; human output neutralised.
    let again = ok(dir, &["save", &id, "--all", "--out", &out_s]);
    assert_terminal_safe("save", &again);
    assert_eq!(std::fs::read_dir(&out_dir).expect("dir").count(), 9);

    // Same Message-ID, other bytes: a second message, the first's body untouched.
    let plain = |subject: &str, body: &str| {
        format!(
            "From: a@pec.other\r\nTo: {ME}\r\nSubject: {subject}\r\nMessage-ID: <same@pec.other>\r\n\
             Date: Thu, 14 Nov 2024 18:26:00 +0100\r\n\r\n{body}\r\n"
        )
        .into_bytes()
    };
    let a = file("a.eml", &plain("Primo", "mele arance"));
    let b = file("b.eml", &plain("Secondo", "pere banane kiwi"));
    let first = json(dir, &["import", "--json", &a]);
    let second = json(dir, &["import", "--json", &b]);
    assert_eq!(second["inserted"], true, "{second}");
    assert_ne!(first["id"], second["id"]);
    let first_id = first["id"].to_string();
    let shown = json(dir, &["show", &first_id, "--json"]);
    assert!(
        shown["text"].as_str().is_some_and(|t| t.contains("mele")),
        "{shown:#}"
    );
    let found = rows(dir, &["search", "--json", "mele"]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["id"], first["id"]);
    let found = rows(dir, &["search", "--json", "banane"]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["id"], second["id"]);
}
