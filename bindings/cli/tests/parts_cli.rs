//! `pec save` (one attachment downloaded on demand, without the message body) and `pec ls
//! invoices` (the invoices folder with number, seller and total): the real binary against the
//! sandbox provider (a real Dovecot). On a terminal `pec save` draws a progress bar.

use pec_sandbox::{Options, Sandbox};
use pec_test_harness::corpus::corpus_for_test;
use std::path::Path;
use std::process::Command;

use crate::common;
use common::*;
const ME: &str = "utente1@pec.sandbox.test";
const THEM: &str = "utente2@pec.sandbox.test";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn save_one_attachment_and_list_invoice_details() {
    if pec_test_harness::dovecot_or_skip("save_one_attachment_and_list_invoice_details").is_none() {
        return;
    }
    let Some(corpus) = corpus_for_test() else {
        return;
    };
    let sb = Sandbox::start(Options::default()).await.expect("sandbox");
    let a = tempfile::tempdir().expect("tmp");
    let b = tempfile::tempdir().expect("tmp");
    add_account(a.path(), &sb, ME, "password1");
    add_account(b.path(), &sb, THEM, "password2");

    // A PEC with a 300 KiB binary attachment (more than one 256 KiB chunk, base64 on the wire).
    let mut data = b"%PDF-1.4\n".to_vec();
    data.extend((0..300 * 1024u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    let att = b.path().join("perizia.pdf");
    std::fs::write(&att, &data).expect("write");
    let sent = ok(
        b.path(),
        &[
            "send",
            "--to",
            ME,
            "--subject",
            "Perizia tecnica",
            "--body",
            "In allegato la perizia.",
            "--attach",
            att.to_str().expect("utf-8"),
        ],
    );
    wait_delivered(b.path(), &sent);
    let invoice_name = "IT02182030391_31.xml.p7m";
    inject_corpus_invoice(&sb, &corpus, ME, invoice_name).await;

    // Headers only.
    ok(a.path(), &["sync"]);
    let inbox = json(a.path(), &["ls", "--json"]);
    let env = inbox
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["original_subject"] == "Perizia tecnica")
        .unwrap_or_else(|| panic!("{inbox:#}"))
        .clone();
    let id = env["id"].as_i64().expect("id").to_string();
    let d = json(a.path(), &["show", &id, "--json"]);
    assert_eq!(d["body_cached"], false);
    let pdf = d["attachments"]
        .as_array()
        .expect("attachments")
        .iter()
        .find(|x| x["filename"] == "perizia.pdf")
        .unwrap_or_else(|| panic!("no perizia.pdf with its section: {d:#}"))
        .clone();
    let section = pdf["section"].as_str().expect("section").to_string();
    assert!(section.contains('.'), "inside postacert.eml: {section}");
    assert!(ok(a.path(), &["show", &id]).contains(&format!("[pec save {id} {section}]")));

    // pec save ID SECTION: the exact bytes, the body still not downloaded.
    let out = a.path().join("salvati");
    let saved = json(
        a.path(),
        &[
            "save",
            &id,
            &section,
            "--out",
            out.to_str().expect("utf-8"),
            "--json",
        ],
    );
    assert_eq!(saved[0]["file_name"], "perizia.pdf");
    assert_eq!(saved[0]["size"], data.len() as u64);
    // The whole part came from the server: its encoded size.
    let encoded = saved[0]["fetched"].as_u64().expect("fetched");
    assert!(encoded > data.len() as u64);
    let written = std::fs::read(out.join("perizia.pdf")).expect("saved file");
    assert!(
        written == data,
        "saved bytes differ ({} vs {})",
        written.len(),
        data.len()
    );
    assert_eq!(
        json(a.path(), &["show", &id, "--json"])["body_cached"],
        false
    );
    // Again, without a section: the part comes from the store, not the server.
    std::fs::remove_file(out.join("perizia.pdf")).expect("rm");
    let piped = pec(
        a.path(),
        &["save", &id, "--all", "--out", out.to_str().expect("utf-8")],
    );
    assert!(piped.status.success(), "{piped:?}");
    assert!(
        piped.stderr.is_empty(),
        "a progress bar when piped: {piped:?}"
    );
    let human = String::from_utf8_lossy(&piped.stdout);
    assert!(human.contains("perizia.pdf"), "{human}");
    assert_eq!(std::fs::read(out.join("perizia.pdf")).expect("again"), data);
    let again = json(
        a.path(),
        &[
            "save",
            &id,
            &section,
            "--out",
            out.to_str().expect("utf-8"),
            "--json",
        ],
    );
    assert_eq!(again[0]["fetched"], 0, "{again:#}");
    // A section the message does not have: a clear refusal, nothing written.
    let bad = pec(
        a.path(),
        &["save", &id, "9.9", "--out", out.to_str().expect("utf-8")],
    );
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("no attachment at section 9.9"),
        "{bad:?}"
    );

    // The envelope's row id in another box of the same account.
    let perizia = |dir: &Path| {
        json(dir, &["ls", "--json"])
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["original_subject"] == "Perizia tecnica")
            .and_then(|r| r["id"].as_i64())
            .expect("the envelope in the other box")
            .to_string()
    };

    // A box synced in full: the part is cut out of the stored body, nothing fetched.
    let c = tempfile::tempdir().expect("tmp");
    add_account(c.path(), &sb, ME, "password1");
    ok(c.path(), &["sync", "--full"]);
    let c_id = perizia(c.path());
    assert_eq!(
        json(c.path(), &["show", &c_id, "--json"])["body_cached"],
        true
    );
    let local = json(
        c.path(),
        &[
            "save",
            &c_id,
            &section,
            "--out",
            out.to_str().expect("utf-8"),
            "--json",
        ],
    );
    assert_eq!(local[0]["fetched"], 0, "{local:#}");
    assert!(std::fs::read(out.join("perizia.pdf")).expect("local") == data);

    // On a terminal (a pty from script(1)), a fresh download draws a progress bar on standard
    // error: the file name, from 0 chunk by chunk to the encoded size. None when piped (above:
    // `--json` output parsed whole) and none with `--json` on a terminal.
    let t = tempfile::tempdir().expect("tmp");
    add_account(t.path(), &sb, ME, "password1");
    ok(t.path(), &["sync"]);
    let t_id = perizia(t.path());
    let t_out = t.path().join("out");
    let save_on_tty = |extra: &str| {
        let cmd = format!(
            "{PEC} --data-dir {} save {t_id} {section} --out {} {extra}",
            t.path().display(),
            t_out.display()
        );
        let tty = Command::new("script")
            .env("PEC_PASSPHRASE", common::PASSPHRASE)
            .args(["-qec", &cmd, "/dev/null"])
            .output()
            .expect("script(1) from util-linux");
        assert!(tty.status.success(), "{tty:?}");
        String::from_utf8_lossy(&tty.stdout).into_owned()
    };
    let screen = save_on_tty("");
    for want in [
        "\r\x1b[2Kperizia.pdf ".to_string(),
        format!("] 0/{encoded}"),
        format!("] 262144/{encoded}"),
        format!("] {encoded}/{encoded}"),
    ] {
        assert!(screen.contains(&want), "{want:?} not in {screen:?}");
    }
    assert!(
        screen.contains("perizia.pdf (") && screen.contains(" bytes)"),
        "{screen:?}"
    );
    assert!(std::fs::read(t_out.join("perizia.pdf")).expect("tty save") == data);
    let screen = save_on_tty("--json");
    assert!(!screen.contains("\x1b[2K"), "a bar with --json: {screen:?}");
    assert!(screen.contains("\"fetched\": 0"), "{screen:?}");

    // The invoices folder: details once the invoice message was analysed.
    let rows = json(a.path(), &["ls", "invoices", "--json"]);
    let inv_id = rows[0]["id"].as_i64().expect("invoice row").to_string();
    ok(a.path(), &["show", &inv_id, "--fetch"]);
    let rows = json(a.path(), &["ls", "invoices", "--json"]);
    let rows = rows.as_array().expect("rows");
    assert_eq!(rows.len(), 1, "{rows:#?}");
    let r = &rows[0];
    assert_eq!(r["is_invoice"], true);
    assert_eq!(r["number"], "2", "{r:#}");
    assert_eq!(r["seller"], "Azienda di esempio");
    assert_eq!(r["total"], "122.00");
    assert_eq!(r["currency"], "EUR");
    assert_eq!(r["document_type"], "TD01");
    assert_eq!(r["invoices"][0]["file_name"], invoice_name);
    assert_eq!(r["invoices"][0]["signed"], true);
    assert_eq!(r["invoices"][0]["date"], "2018-06-08");
    let human = ok(a.path(), &["ls", "invoices"]);
    assert_eq!(human.lines().count(), 1, "{human}");
    for want in [inv_id.as_str(), " 2 ", "Azienda di esempio", "122.00 EUR"] {
        assert!(human.contains(want), "{want:?} not in {human}");
    }
}
