//! `pec mark`, `pec rm`, `pec mv` on several messages at once, against the sandbox (a real
//! Dovecot): applied here at once, on the server at the next sync (a second device sees them),
//! and all or none: one unknown message in the list changes nothing. `pec mark --read --all-in`
//! marks a whole list, `pec rm --all-in trash` empties the trash (and no other folder).

use pec_sandbox::seed::{Method, seed};
use pec_sandbox::{Options, Sandbox};
use serde_json::Value;

use crate::common::*;
const ME: &str = "utente1@pec.sandbox.test";

fn ids_of(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["id"].as_i64().expect("id").to_string())
        .collect()
}

/// Subjects of `folder` on the device at `dir` whose `seen` is as given.
fn subjects(dir: &std::path::Path, folder: &str) -> Vec<(String, bool)> {
    let mut found: Vec<(String, bool)> = rows(dir, &["ls", folder, "--json"])
        .iter()
        .map(|r| {
            let subject = r["subject"].as_str().unwrap_or_default().to_string();
            (subject, r["seen"] == true)
        })
        .collect();
    found.sort();
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marks_moves_and_deletes_go_to_the_server_all_or_none() {
    if pec_test_harness::dovecot_or_skip("marks_moves_and_deletes").is_none() {
        return;
    }
    let sb = Sandbox::start(Options::default()).await.expect("sandbox");
    seed(sb.engine.clone(), ME, 4, Method::Lmtp { sessions: 1 }, None)
        .await
        .expect("seed");
    let (a, b) = (
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
    );
    for dir in [a.path(), b.path()] {
        add_account(dir, &sb, ME, "password1");
        ok(dir, &["sync"]);
    }
    let inbox = rows(a.path(), &["ls", "--json"]);
    assert_eq!(inbox.len(), 4, "{inbox:#?}");
    let ids = ids_of(&inbox);

    let out = ok(a.path(), &["mark", &ids[0], &ids[1], "--read"]);
    assert_eq!(out.trim(), "2 messages");
    let refused = pec(a.path(), &["rm", &ids[2], "999999"]);
    assert!(!refused.status.success(), "{refused:?}");
    assert_eq!(
        rows(a.path(), &["ls", "--json"]).len(),
        4,
        "none of them moved"
    );
    ok(a.path(), &["rm", &ids[2]]);
    ok(a.path(), &["mv", &ids[3], "--to", "archive"]);
    let unknown = pec(a.path(), &["mv", &ids[0], "--to", "Nowhere"]);
    assert!(!unknown.status.success(), "{unknown:?}");

    let here = subjects(a.path(), "INBOX");
    assert_eq!(here.iter().filter(|(_, seen)| *seen).count(), 2, "{here:?}");
    assert_eq!(here.len(), 2);
    ok(a.path(), &["sync"]);
    ok(b.path(), &["sync"]);
    for dir in [a.path(), b.path()] {
        assert_eq!(subjects(dir, "INBOX"), here, "the server has the marks");
        assert_eq!(subjects(dir, "Trash").len(), 1);
        assert_eq!(subjects(dir, "Archive").len(), 1);
    }

    // Every unread message of a list at once, here and then on the server.
    let all = ["mark", "--read", "--all-in", "Trash"];
    assert_eq!(ok(b.path(), &all).trim(), "1 message");
    assert_eq!(ok(b.path(), &all).trim(), "0 messages");
    ok(b.path(), &["sync"]);
    ok(a.path(), &["sync"]);
    assert!(subjects(a.path(), "Trash")[0].1, "read on the server");

    // Only the trash (or the junk) is emptied at once, for good, on the server too.
    let inbox = pec(b.path(), &["rm", "--all-in", "INBOX"]);
    assert!(!inbox.status.success(), "{inbox:?}");
    assert_eq!(subjects(b.path(), "INBOX").len(), 2, "nothing went");
    assert_eq!(
        ok(b.path(), &["rm", "--all-in", "trash"]).trim(),
        "1 message"
    );
    ok(b.path(), &["sync"]);
    ok(a.path(), &["sync"]);
    assert!(
        subjects(a.path(), "Trash").is_empty(),
        "emptied on the server"
    );
    assert_eq!(subjects(a.path(), "INBOX").len(), 2);
}

/// A box near its quota says so after each sync (a warning on standard error, and in `account
/// list`; a background pass once), and emptying the trash makes the room that ends it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nearly_full_box_is_said_until_the_trash_is_emptied() {
    if pec_test_harness::dovecot_or_skip("a_nearly_full_box").is_none() {
        return;
    }
    let options = Options {
        accounts: 1,
        quotas: [(ME.to_string(), 1)].into_iter().collect(),
        ..Options::default()
    };
    let sb = Sandbox::start(options).await.expect("sandbox");
    let raw = format!(
        "From: a@pec.other\r\nTo: {ME}\r\nSubject: Allegati\r\nMessage-ID: <big@x>\r\n\
         Date: Fri, 15 Nov 2024 09:00:00 +0100\r\n\r\n{}\r\n",
        "x".repeat(940 * 1024)
    );
    let mut lmtp = sb.dovecot.lmtp().await.expect("lmtp");
    lmtp.deliver("a@pec.other", &[ME], raw.as_bytes())
        .await
        .expect("deliver");
    lmtp.quit().await.expect("quit");
    let dir = tempfile::tempdir().expect("tmp");
    add_account(dir.path(), &sb, ME, "password1");

    let synced = pec(dir.path(), &["sync"]);
    let said = String::from_utf8_lossy(&synced.stderr);
    assert!(said.contains("is nearly full"), "{said}");
    assert!(ok(dir.path(), &["account", "list"]).contains("nearly full"));
    // Away from the terminal, the background pass tells it once.
    let background = ["sync", "--background"];
    assert!(ok(dir.path(), &background).contains("became nearly full"));
    assert!(!ok(dir.path(), &background).contains("became"));

    let ids = ids_of(&rows(dir.path(), &["ls", "--json"]));
    ok(dir.path(), &["rm", &ids[0]]);
    ok(dir.path(), &["sync"]);
    ok(dir.path(), &["rm", "--all-in", "trash"]);
    ok(dir.path(), &["sync"]);
    let synced = pec(dir.path(), &["sync"]);
    let said = String::from_utf8_lossy(&synced.stderr);
    assert!(!said.contains("full"), "{said}");
    assert!(!ok(dir.path(), &["account", "list"]).contains("full"));
}

/// A PEC whose delivery failed (an address the provider does not know) is listed among the
/// undelivered; the one delivered is not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_delivery_is_listed_among_the_undelivered() {
    if pec_test_harness::dovecot_or_skip("a_failed_delivery_is_listed").is_none() {
        return;
    }
    let sb = Sandbox::start(Options::default()).await.expect("sandbox");
    let dir = tempfile::tempdir().expect("tmp");
    add_account(dir.path(), &sb, ME, "password1");
    let send = |to: &str, subject: &str| {
        let args = ["send", "--to", to, "--subject", subject, "--body", "Testo."];
        ok(dir.path(), &args).trim().to_string()
    };
    let bad = send("nessuno@pec.sandbox.test", "Atto non consegnato");
    let good = send("utente2@pec.sandbox.test", "Atto consegnato");
    wait_state(dir.path(), &bad, "failed");
    wait_state(dir.path(), &good, "delivered");
    ok(dir.path(), &["sync"]);
    let listed = subjects(dir.path(), "undelivered");
    assert_eq!(listed, vec![("Atto non consegnato".to_string(), true)]);
}
