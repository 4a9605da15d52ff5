//! Hostile mail through a real Dovecot (pec-test-harness): messages nested 10,000 multiparts or
//! forwards deep do not stop the sync; the multipart one is listed, and its body downloads and is
//! stored (the facade then says why it was not analysed: `bindings/cli/tests/evidence_cli.rs`)
//! instead of the message staying "not downloaded" for ever.
//! Without Dovecot the tests skip locally and fail under CI=true.

use crate::store_util;

use pec_core::accounts::{CredentialStore, MemoryCredentialStore};
use pec_core::store::{FolderRole, ListQuery, Store, View};
use pec_core::sync::{SyncEngine, SyncOptions};
use pec_test_harness::{Dovecot, DovecotConfig, FolderLayout, User};
use std::sync::Arc;
use store_util::{TempDir, loopback_account, plain};

const ME: &str = "titolare@pec.sandbox.test";
const PW: &str = "pw-owner";

fn nested_multipart(depth: usize) -> Vec<u8> {
    let headers = format!(
        "From: a@pec.example\r\nTo: {ME}\r\nSubject: profondo\r\n\
         Message-ID: <deep@pec.example>\r\nDate: Mon, 4 Nov 2024 10:00:00 +0100\r\n"
    );
    store_util::nested_multipart(&headers, depth)
}

/// `message/rfc822` inside `message/rfc822`, `depth` times: each level adds an envelope too.
fn nested_forwards(depth: usize) -> Vec<u8> {
    let mut m = String::new();
    for i in 0..depth {
        m.push_str(&format!(
            "From: \"Inoltro ({i})\" <a@pec.example>\r\nTo: \"(b)\" <{ME}>\r\nSubject: inoltro {i}\r\n\
             Message-ID: <fwd{i}@pec.example>\r\nMIME-Version: 1.0\r\nContent-Type: message/rfc822\r\n\r\n"
        ));
    }
    m.push_str("From: a@pec.example\r\nSubject: fondo\r\n\r\nfondo\r\n");
    m.into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ten_thousand_deep_multipart_is_listed_and_downloaded() {
    if pec_test_harness::dovecot_or_skip("sync_deep_multipart").is_none() {
        return;
    }
    let dc = Dovecot::start(DovecotConfig {
        users: vec![User::new(ME, PW)],
        layout: FolderLayout::Aruba,
        ..DovecotConfig::default()
    })
    .await
    .expect("dovecot");
    let dir = TempDir::new("sync_deep_multipart");
    let store = Store::open_in(dir.path()).expect("store");
    let account = store
        .add_account(&loopback_account(ME, dc.imap_addr(), dc.ca_file()))
        .expect("account");
    let creds = Arc::new(MemoryCredentialStore::new());
    creds.set(ME, PW).expect("creds");
    let engine = SyncEngine::new(store.clone(), creds);

    let mut other = dc.imap_login(ME, PW).await.expect("login");
    other
        .append("INBOX", None, None, nested_multipart(10_000))
        .await
        .expect("append deep");
    other
        .append("INBOX", None, None, nested_forwards(10_000))
        .await
        .expect("append forwards");
    let normal = plain(
        "b@pec.example",
        &[ME],
        "dopo",
        "after@pec.example",
        "Mon, 4 Nov 2024 10:01:00 +0100",
        "testo",
    );
    other
        .append("INBOX", None, None, normal)
        .await
        .expect("append normal");

    let deep_raw = nested_multipart(10_000);
    engine
        .sync_once(account, &SyncOptions::default())
        .await
        .expect("the sync goes on past the deep message");
    let rows = store
        .list(&ListQuery::new(View::Role(FolderRole::Inbox)))
        .expect("list");
    assert!(rows.iter().any(|r| r.subject.as_deref() == Some("dopo")));
    // Dovecot stops MIME nesting at 100 levels, so its BODYSTRUCTURE stays within the guard's
    // 128 parentheses (`core/src/sync/guard.rs`) even with an envelope at every level.
    assert!(
        rows.iter()
            .any(|r| r.subject.as_deref() == Some("inoltro 0"))
    );
    let deep = rows
        .iter()
        .find(|r| r.subject.as_deref() == Some("profondo"))
        .expect("the deep message is listed");
    let body = engine.fetch_body(deep.id).await.expect("download");
    assert_eq!(body.len(), deep_raw.len());
    let d = store.message(deep.id).expect("message");
    assert!(d.body_cached, "stored after download");
    assert_eq!(
        store.body(deep.id).expect("body").as_deref(),
        Some(&body[..])
    );
    engine
        .sync_once(account, &SyncOptions::default())
        .await
        .expect("a second pass");
}
