//! `pec account add/list/remove`, `pec sync [--full]`, `pec ls`, `pec show`, `pec search`: the real
//! binary against the sandbox provider (a real Dovecot), asserting what the user sees.

use pec_sandbox::{Options, Sandbox};
use pec_test_harness::corpus::corpus_for_test;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

use crate::common;
use common::*;
const ME: &str = "utente1@pec.sandbox.test";
const THEM: &str = "utente2@pec.sandbox.test";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_sync_ls_show_search() {
    if pec_test_harness::dovecot_or_skip("account_sync_ls_show_search").is_none() {
        return;
    }
    let Some(corpus) = corpus_for_test() else {
        return;
    };
    let sb = Sandbox::start(Options::default()).await.expect("sandbox");
    let imap = sb.imap_addr().to_string();
    let a = tempfile::tempdir().expect("tmp");
    let b = tempfile::tempdir().expect("tmp");

    // account add / list
    let out = account_add(a.path(), &sb, &imap, ME, "password1");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("account 1: {ME}")
    );
    let out = account_add(
        a.path(),
        &sb,
        "no-port-here",
        "utente3@pec.sandbox.test",
        "x",
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("HOST:PORT"),
        "{out:?}"
    );
    let out = account_add(a.path(), &sb, &imap, "not-an-address", "x");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an address"));
    assert!(
        account_add(b.path(), &sb, &imap, THEM, "password2")
            .status
            .success()
    );
    let list = ok(a.path(), &["account", "list"]);
    assert_eq!(list.lines().count(), 1, "{list}");
    assert!(
        list.starts_with(&format!("1  {ME}  imap {imap}  smtp {}", sb.smtp_addr)),
        "{list}"
    );
    let accounts = rows(a.path(), &["account", "list", "--json"]);
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0]["address"], ME);
    assert_eq!(accounts[0]["login"], ME);
    assert_eq!(accounts[0]["delegated"], false);
    assert_eq!(accounts[0]["imap_port"], sb.imap_addr().port());
    assert!(
        accounts[0]["ca_file"]
            .as_str()
            .is_some_and(|p| p.ends_with("ca.pem")),
        "{accounts:?}"
    );

    // Mail for utente1: a PEC with an attachment from utente2, and an SDI invoice.
    let att = b.path().join("verbale.pdf");
    std::fs::write(&att, b"%PDF-1.4 verbale").expect("write");
    let sent = ok(
        b.path(),
        &[
            "send",
            "--to",
            ME,
            "--subject",
            "Verbale assemblea",
            "--body",
            "Testo con la parola zebra.",
            "--attach",
            att.to_str().expect("utf-8"),
        ],
    );
    wait_delivered(b.path(), &sent);
    inject_corpus_invoice(&sb, &corpus, ME, "IT02182030391_31.xml.p7m").await;

    // sync: headers, and the bodies of receipts and invoice messages only (the invoice's file fills
    // the invoices folder); on a terminal (a pty from script(1)) with a progress
    // bar on standard error.
    let cmd = format!("{PEC} --data-dir {} sync", a.path().display());
    let tty = Command::new("script")
        .env("PEC_PASSPHRASE", common::PASSPHRASE)
        .args(["-qec", &cmd, "/dev/null"])
        .output()
        .expect("script(1) from util-linux");
    assert!(tty.status.success(), "{tty:?}");
    let screen = String::from_utf8_lossy(&tty.stdout);
    assert!(
        screen.contains("\r\x1b[2KINBOX") && screen.contains("] 2/2"),
        "no progress bar on a terminal: {screen:?}"
    );
    let line = screen
        .split(['\r', '\n'])
        .find_map(|l| l.find(&format!("{ME}: ")).map(|i| l[i..].to_string()))
        .unwrap_or_else(|| panic!("no summary in {screen:?}"));
    assert_eq!(count(&line, "new"), 2, "{line}");
    assert_eq!(count(&line, "bodies"), 1, "the invoice message's: {line}");
    let inbox = rows(a.path(), &["ls", "--json"]);
    assert_eq!(inbox.len(), 2, "{inbox:#?}");
    let env = find(&inbox, "original_subject", "Verbale assemblea");
    assert_eq!(env["kind"], "envelope");
    assert_eq!(env["sender_addr"], THEM);
    assert_eq!(env["subject"], "POSTA CERTIFICATA: Verbale assemblea");
    assert_eq!(env["folder"], "INBOX");
    assert_eq!(env["is_invoice"], false);
    assert_eq!(env["seen"], false);
    let env_id = env["id"].as_i64().expect("id").to_string();
    let inv = inbox
        .iter()
        .find(|r| r["is_invoice"] == true)
        .unwrap_or_else(|| panic!("no invoice in {inbox:#?}"));
    assert_eq!(inv["sender_addr"], "sdi01@pec.fatturapa.it");
    let invoices = rows(a.path(), &["ls", "invoices", "--json"]);
    assert_eq!(invoices.len(), 1);
    assert_eq!(invoices[0]["id"], inv["id"]);
    let human = ok(a.path(), &["ls", "INBOX"]);
    assert_eq!(human.lines().count(), 2, "{human}");
    let line = human
        .lines()
        .find(|l| l.contains("Verbale assemblea"))
        .unwrap_or_else(|| panic!("{human}"));
    assert!(line.starts_with(&format!("{env_id:>7} ")), "{line}");
    assert!(line.contains(THEM) && line.contains(" * "), "{line}");
    assert!(human.contains("[fattura]"), "{human}");

    // Not downloaded yet: show says so; --full downloads the envelope's body, a second pass nothing.
    let d = json(a.path(), &["show", &env_id, "--json"]);
    assert_eq!(d["body_cached"], false);
    assert_eq!(d["text"], Value::Null);
    assert!(ok(a.path(), &["show", &env_id]).contains("body not downloaded"));
    let piped = pec(a.path(), &["sync", "--full"]);
    assert!(piped.status.success());
    assert!(
        piped.stderr.is_empty(),
        "a progress bar when piped: {piped:?}"
    );
    let line = String::from_utf8_lossy(&piped.stdout).trim().to_string();
    assert_eq!(count(&line, "new"), 0, "{line}");
    assert_eq!(count(&line, "bodies"), 1, "the envelope's: {line}");
    let line = ok(a.path(), &["sync", "--full"]);
    assert_eq!(count(&line, "bodies"), 0, "{line}");

    let d = json(a.path(), &["show", &env_id, "--json"]);
    assert_eq!(d["body_cached"], true);
    assert_eq!(d["summary"]["kind"], "envelope");
    assert_eq!(d["signature"], "valid");
    assert_eq!(d["pec"]["original_sender"], THEM);
    assert!(
        d["identificativo"]
            .as_str()
            .is_some_and(|i| i.starts_with("opec")),
        "{d:#}"
    );
    assert!(
        d["text"].as_str().is_some_and(|t| t.contains("zebra")),
        "{d:#}"
    );
    let shown = ok(a.path(), &["show", &env_id]);
    for want in [
        "Kind:      envelope",
        "Subject:   POSTA CERTIFICATA: Verbale assemblea",
        &format!("Sender:    {THEM}"),
        "Signature: valid",
        "Testo con la parola zebra.",
    ] {
        assert!(shown.contains(want), "{want:?} missing in:\n{shown}");
    }
    let raw = pec(a.path(), &["show", &env_id, "--raw"]);
    assert!(raw.status.success());
    assert!(String::from_utf8_lossy(&raw.stdout).contains("X-Trasporto: posta-certificata"));
    let missing = pec(a.path(), &["show", "999999"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("not found"));

    // search: body words (indexed by the full sync), fields, nothing.
    let hits = rows(a.path(), &["search", "zebra", "--json"]);
    let ids: Vec<_> = hits.iter().map(|h| h["id"].to_string()).collect();
    assert_eq!(ids, vec![env_id.clone()]);
    let hits = rows(a.path(), &["search", "subject:verbale", "--json"]);
    assert_eq!(hits.len(), 1, "{hits:#?}");
    assert_eq!(hits[0]["original_subject"], "Verbale assemblea");
    assert!(rows(a.path(), &["search", "ippopotamo", "--json"]).is_empty());
    assert!(ok(a.path(), &["search", "zebra"]).contains("Verbale assemblea"));

    // import: into a named local folder, once (the second time it is already there).
    let eml = corpus.join("pec/biagioT_java-pec-parser/consegna.eml");
    let eml = eml.to_str().expect("utf-8");
    let first = json(a.path(), &["import", "--json", "--folder", "Archivio", eml]);
    assert_eq!(first["inserted"], true, "{first}");
    let again = json(a.path(), &["import", "--json", "--folder", "Archivio", eml]);
    assert_eq!(again["inserted"], false, "{again}");
    assert_eq!(again["id"], first["id"]);
    let archived = rows(a.path(), &["ls", "Archivio", "--json"]);
    assert_eq!(archived.len(), 1);
    assert_eq!(archived[0]["kind"], "receipt");
    assert_eq!(archived[0]["receipt_type"], "errore-consegna"); // as expected.toml says
    let bad = pec(a.path(), &["import", "--json", "/nonexistent/x.eml"]);
    assert!(!bad.status.success());
    let v: Value = serde_json::from_slice(&bad.stdout).expect("json");
    assert!(v["error"].is_string(), "{v}");

    // The sender's side: receipts, ticks, --hide-receipts.
    let s = json(b.path(), &["sync", "--json"]);
    assert_eq!(s["account"], THEM);
    assert_eq!(s["folders"], 6, "{s}");
    // `pec status` fetched the receipts with a pass of the same engine, which also brought the
    // Sent copy the outbox stored on the server: nothing is new now.
    assert_eq!(s["added"], 0, "{s}");
    assert_eq!(s["updated"], 0, "{s}");
    let receipts = rows(b.path(), &["ls", "receipts", "--json"]);
    let types: Vec<_> = receipts
        .iter()
        .map(|r| r["receipt_type"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        receipts.iter().all(|r| r["kind"] == "receipt"),
        "{receipts:#?}"
    );
    assert!(types.contains(&"accettazione".to_string()), "{types:?}");
    assert!(
        types.contains(&"avvenuta-consegna".to_string()),
        "{types:?}"
    );
    let all = rows(b.path(), &["ls", "all", "--json"]);
    let hidden = rows(b.path(), &["ls", "all", "--hide-receipts", "--json"]);
    assert!(hidden.iter().all(|r| r["kind"] != "receipt"), "{hidden:#?}");
    assert_eq!(hidden.len(), all.len() - receipts.len());
    let outbox = rows(b.path(), &["ls", "outbox", "--json"]);
    let mine = find(&outbox, "subject", "Verbale assemblea");
    assert_eq!(mine["delivery"], "delivered");
    assert_eq!(mine["ticks"], 2);
    assert!(ok(b.path(), &["ls", "outbox"]).contains("✓✓"));

    // account remove: the record, the mail and the password go.
    assert_eq!(
        ok(a.path(), &["account", "remove", ME]),
        format!("removed {ME}")
    );
    assert!(rows(a.path(), &["account", "list", "--json"]).is_empty());
    assert!(!a.path().join("credentials").join(ME).exists());
    let out = pec(a.path(), &["ls"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no account"));
    let out = pec(a.path(), &["account", "remove", ME]);
    assert!(!out.status.success());
    let v = json(b.path(), &["account", "remove", "--json", THEM]);
    assert_eq!(v, serde_json::json!({"removed": THEM, "id": 1}));
}

fn add_delegate(dir: &Path, sb: &Sandbox, login: &str, password: &str, perms: &str) -> Output {
    let imap = sb.imap_addr().to_string();
    account_add_with(
        dir,
        sb,
        &imap,
        ME,
        password,
        &["--login", login, "--permissions", perms],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delegate_login_from_the_terminal() {
    if pec_test_harness::dovecot_or_skip("delegate_login_from_the_terminal").is_none() {
        return;
    }
    let d = |user: &str, perms: &str| pec_test_harness::Delegate {
        owner: ME.into(),
        username: user.into(),
        password: format!("delega-{}", user.split('@').next().unwrap_or_default()),
        perms: pec_test_harness::DelegatePerms::parse(perms).expect("perms"),
    };
    let sb = Sandbox::start(Options {
        delegates: vec![
            d("segreteria@pec.sandbox.test", "read,send,programs"),
            d("lettore@pec.sandbox.test", "read,programs"),
        ],
        ..Options::default()
    })
    .await
    .expect("sandbox");

    // The secretary: its own username and password, the owner's box.
    let s = tempfile::tempdir().expect("tmp");
    let out = add_delegate(
        s.path(),
        &sb,
        "segreteria@pec.sandbox.test",
        "delega-segreteria",
        "read,send,programs",
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("account 1: {ME} (as segreteria@pec.sandbox.test)")
    );
    let acc = rows(s.path(), &["account", "list", "--json"]);
    assert_eq!(acc[0]["login"], "segreteria@pec.sandbox.test");
    assert_eq!(acc[0]["delegated"], true);
    assert_eq!(acc[0]["capabilities"]["can_send"], true);
    assert_eq!(acc[0]["capabilities"]["can_move_delete"], false);
    // The password is filed under the delegate's login, not the box's address, inside the
    // encrypted store (no password file).
    {
        use pec_core::accounts::{CredentialStore, StoreCredentialStore};
        let params = pec_core::vault::passphrase::KdfParams::read(&s.path().join("store.kdf"))
            .expect("params")
            .expect("store.kdf");
        let key = params.derive(PASSPHRASE).expect("key");
        let store = pec_core::store::Store::open_in_with(s.path(), key).expect("store");
        let creds = StoreCredentialStore::new(store);
        assert_eq!(
            creds.get("segreteria@pec.sandbox.test").expect("filed"),
            "delega-segreteria"
        );
        assert!(creds.get(ME).is_err());
        assert!(!s.path().join("credentials").exists());
    }
    let line = ok(s.path(), &["sync"]);
    assert!(line.starts_with(&format!("{ME}: ")), "{line}");
    let id = ok(
        s.path(),
        &[
            "send",
            "--to",
            THEM,
            "--subject",
            "Dalla segreteria",
            "--body",
            "x",
        ],
    );
    wait_delivered(s.path(), &id);

    // The reader: syncs, may not send (refused before any SMTP, in the facade's words).
    let r = tempfile::tempdir().expect("tmp");
    let out = add_delegate(
        r.path(),
        &sb,
        "lettore@pec.sandbox.test",
        "delega-lettore",
        "read,programs",
    );
    assert!(out.status.success(), "{out:?}");
    ok(r.path(), &["sync"]);
    let inbox = rows(r.path(), &["ls", "--json"]);
    assert!(
        inbox
            .iter()
            .any(|m| m["kind"] == "receipt" && m["receipt_type"] == "avvenuta-consegna"),
        "the owner's inbox holds the secretary's receipts: {inbox:#?}"
    );
    let out = pec(
        r.path(),
        &["send", "--to", THEM, "--subject", "No", "--body", "x"],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not permitted") && err.contains("lettore@pec.sandbox.test"),
        "{err}"
    );
    // A wrong password is the server's refusal, shown as such: when adding (nothing saved), and
    // at sync for an account saved --offline.
    let w = tempfile::tempdir().expect("tmp");
    let out = add_delegate(
        w.path(),
        &sb,
        "lettore@pec.sandbox.test",
        "password1",
        "read,programs",
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("[auth]") && err.contains("authentication failed"),
        "{err}"
    );
    assert!(rows(w.path(), &["account", "list", "--json"]).is_empty());
    let out = account_add_with(
        w.path(),
        &sb,
        &sb.imap_addr().to_string(),
        ME,
        "password1",
        &[
            "--login",
            "lettore@pec.sandbox.test",
            "--permissions",
            "read,programs",
            "--offline",
        ],
    );
    assert!(out.status.success(), "{out:?}");
    let out = pec(w.path(), &["sync"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("authentication failed"),
        "{out:?}"
    );
}

/// `pec sync --live`: the sync the apps run while on screen prints an invoice the SDI delivers
/// after it started, without another command.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_sync_prints_mail_as_it_arrives() {
    use std::io::BufRead;
    if pec_test_harness::dovecot_or_skip("live_sync_prints_mail_as_it_arrives").is_none() {
        return;
    }
    let Some(corpus) = corpus_for_test() else {
        return;
    };
    let sb = Sandbox::start(Options::default()).await.expect("sandbox");
    let a = tempfile::tempdir().expect("tmp");
    add_account(a.path(), &sb, ME, "password1");
    let mut child = pec_command(a.path())
        .args(["sync", "--live", "--for", "90"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("pec sync --live");
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let next = || rx.recv_timeout(std::time::Duration::from_secs(60));
    assert_eq!(next().expect("started"), "live: 1 accounts kept in sync");
    inject_corpus_invoice(&sb, &corpus, ME, "IT02182030391_31.xml.p7m").await;
    let arrived = next().expect("the invoice arrives unasked");
    assert!(arrived.starts_with(&format!("{ME}: ")), "{arrived}");
    let _ = child.kill();
    let _ = child.wait();
}
