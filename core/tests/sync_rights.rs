//! ACL MYRIGHTS enforced locally: a read-only delegate (Dovecot global ACL `lrs`) may mark
//! messages read, but flagging, labelling, deleting, moving and emptying are refused up front
//! with `StoreError::Forbidden`, change nothing locally and queue nothing; what is allowed reaches
//! the server. Without Dovecot the test skips locally and fails under CI=true.

use crate::store_util;

use futures::TryStreamExt;
use pec_core::accounts::{AccountConfig, CredentialStore, MemoryCredentialStore};
use pec_core::store::{Action, FolderRole, ListQuery, Store, StoreError, View};
use pec_core::sync::{SyncEngine, SyncOptions};
use pec_test_harness::{Delegate, DelegatePerms, Dovecot, DovecotConfig, FolderLayout, User};
use std::sync::Arc;
use store_util::{TempDir, plain};

const OWNER: (&str, &str) = ("titolare@pec.sandbox.test", "pw-owner");
const READER: (&str, &str) = ("lettore@pec.sandbox.test", "pw-reader");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_delegate_actions_refused_up_front() {
    if pec_test_harness::dovecot_or_skip("sync_rights").is_none() {
        return;
    }
    let dc = Dovecot::start(DovecotConfig {
        users: vec![User::new(OWNER.0, OWNER.1)],
        delegates: vec![Delegate {
            owner: OWNER.0.into(),
            username: READER.0.into(),
            password: READER.1.into(),
            perms: DelegatePerms::parse("read,programs").expect("perms"),
        }],
        layout: FolderLayout::Standard,
        ..DovecotConfig::default()
    })
    .await
    .expect("dovecot");
    let mut lmtp = dc.lmtp().await.expect("lmtp");
    for i in 0..3 {
        let raw = plain(
            "mittente@pec.example",
            &[OWNER.0],
            &format!("Pratica {i}"),
            &format!("p{i}@test"),
            "Mon, 4 Nov 2024 10:00:00 +0100",
            "testo",
        );
        lmtp.deliver("mittente@pec.example", &[OWNER.0], &raw)
            .await
            .expect("deliver");
    }
    lmtp.quit().await.expect("quit");

    let dir = TempDir::new("sync_rights");
    let store = Store::open_in(dir.path()).expect("store");
    // The delegate logs in with its own username onto the owner's mailbox.
    let account = store
        .add_account(&AccountConfig {
            address: READER.0.into(),
            display_name: None,
            imap_host: "127.0.0.1".into(),
            imap_port: dc.imap_addr().port(),
            smtp_host: "127.0.0.1".into(),
            smtp_port: 465,
            ca_file: Some(dc.ca_file().to_path_buf()),
        })
        .expect("account");
    let creds = Arc::new(MemoryCredentialStore::new());
    creds.set(READER.0, READER.1).expect("creds");
    let engine = SyncEngine::new(store.clone(), creds);
    engine
        .sync_once(account, &SyncOptions::default())
        .await
        .expect("sync");
    let inbox = store
        .find_folder(account, "INBOX")
        .expect("f")
        .expect("inbox");
    let rights = inbox.myrights.clone().expect("MYRIGHTS read");
    assert!(rights.contains('r') && rights.contains('s'), "{rights}");
    for r in ['w', 't', 'e', 'i'] {
        assert!(!rights.contains(r), "{rights}");
    }
    let archive = store
        .find_folder(account, "Archive")
        .expect("f")
        .expect("archive");
    let trash = store
        .find_folder(account, "Trash")
        .expect("f")
        .expect("trash");
    let rows = store
        .list(&ListQuery::new(View::Role(FolderRole::Inbox)))
        .expect("list");
    assert_eq!(rows.len(), 3);
    let id = rows[0].id;

    let forbidden = |r: Result<_, StoreError>, want: char| match r {
        Err(StoreError::Forbidden { right, folder, .. }) => {
            assert_eq!(right, want);
            assert_eq!(folder, "INBOX");
        }
        other => panic!("expected Forbidden({want}), got {other:?}"),
    };
    forbidden(store.apply_action(id, Action::SetFlagged(true)), 'w');
    forbidden(
        store.apply_action(id, Action::AddLabel("$Lavorato".into())),
        'w',
    );
    forbidden(store.apply_action(id, Action::Delete), 't');
    forbidden(store.apply_action(id, Action::Move(archive.id)), 't');
    match store.empty_folder(trash.id) {
        Err(StoreError::Forbidden { right: 't', .. }) => {}
        other => panic!("expected Forbidden(t) on Trash, got {other:?}"),
    }
    // Nothing changed locally, nothing was queued.
    let d = store.message(id).expect("detail");
    assert!(!d.summary.flagged);
    assert_eq!(d.summary.folder_id, inbox.id);
    assert!(store.queued_actions(account).expect("q").is_empty());

    // What the rights allow goes through, locally and on the server.
    store
        .apply_action(id, Action::SetSeen(true))
        .expect("mark read");
    let uid = d.summary.uid.expect("uid");
    let r = engine
        .sync_once(account, &SyncOptions::default())
        .await
        .expect("sync");
    assert_eq!((r.actions_replayed, r.actions_dropped), (1, 0));
    let mut owner = dc.imap_login(OWNER.0, OWNER.1).await.expect("owner");
    owner.select("INBOX").await.expect("select");
    let fetched: Vec<_> = owner
        .uid_fetch(uid.to_string(), "(UID FLAGS)")
        .await
        .expect("fetch")
        .try_collect()
        .await
        .expect("fetch");
    let flags: Vec<String> = fetched[0].flags().map(|f| format!("{f:?}")).collect();
    assert!(flags.iter().any(|f| f == "Seen"), "{flags:?}");
    assert!(!flags.iter().any(|f| f == "Flagged"), "{flags:?}");
    store.check_integrity().expect("integrity");
}
