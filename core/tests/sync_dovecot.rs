//! Sync against a real Dovecot (pec-test-harness): initial and incremental sync, another client's
//! changes, UIDVALIDITY reset, conflicting flags, replay of local actions, receipts over IMAP, QUOTA,
//! MYRIGHTS, typed auth/TLS errors, a connection cut mid-FETCH, events.
//! Without Dovecot the tests skip locally and fail under CI=true.

use crate::store_util;

use futures::TryStreamExt;
use pec_core::accounts::{AccountConfig, CredentialStore, MemoryCredentialStore};
use pec_core::store::{Action, DeliverySummary, FolderRole, ListQuery, SearchQuery, Store, View};
use pec_core::sync::{BodyPolicy, SyncEngine, SyncError, SyncEvent, SyncOptions};
use pec_test_harness::{Dovecot, DovecotConfig, FaultProxy, FolderLayout, User};
use std::collections::HashSet;
use std::sync::Arc;
use store_util::{TempDir, plain, receipt};

const ME: &str = "titolare@pec.sandbox.test";
const PW: &str = "pw-owner";

struct Env {
    dc: Dovecot,
    _dir: TempDir,
    store: Store,
    engine: SyncEngine,
    account: i64,
}

async fn env(test: &str, layout: FolderLayout) -> Option<Env> {
    env_with(test, layout, None).await
}

/// Dovecot's capabilities minus CONDSTORE and QRESYNC.
const CAPS_PLAIN: &str = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE NAMESPACE UIDPLUS \
                          CHILDREN UNSELECT LIST-EXTENDED LITERAL+ MOVE SPECIAL-USE QUOTA ACL";
/// With CONDSTORE but without QRESYNC.
const CAPS_CONDSTORE: &str = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE NAMESPACE \
                              UIDPLUS CHILDREN UNSELECT LIST-EXTENDED LITERAL+ MOVE SPECIAL-USE \
                              CONDSTORE QUOTA ACL";

async fn env_with(test: &str, layout: FolderLayout, caps: Option<&str>) -> Option<Env> {
    pec_test_harness::dovecot_or_skip(test)?;
    let dc = Dovecot::start(DovecotConfig {
        users: vec![User::new(ME, PW)],
        layout,
        imap_capability: caps.map(str::to_string),
        ..DovecotConfig::default()
    })
    .await
    .expect("dovecot");
    let dir = TempDir::new(test);
    let store = Store::open_in(dir.path()).expect("store");
    let account = store
        .add_account(&AccountConfig {
            address: ME.into(),
            display_name: None,
            imap_host: "127.0.0.1".into(),
            imap_port: dc.imap_addr().port(),
            smtp_host: "127.0.0.1".into(),
            smtp_port: 465,
            ca_file: Some(dc.ca_file().to_path_buf()),
        })
        .expect("account");
    let creds = Arc::new(MemoryCredentialStore::new());
    creds.set(ME, PW).expect("creds");
    // Synthetic receipts are signed by the test provider, trusted explicitly.
    let engine = SyncEngine::with_receiver(store.clone(), store_util::trusted(), creds);
    Some(Env {
        dc,
        _dir: dir,
        store,
        engine,
        account,
    })
}

fn numbered(i: usize) -> Vec<u8> {
    plain(
        &format!("mittente{i}@pec.example"),
        &[ME],
        &format!("Messaggio numero {i}"),
        &format!("m{i}@test"),
        &format!(
            "Mon, 4 Nov 2024 {:02}:{:02}:00 +0100",
            (i / 60) % 24,
            i % 60
        ),
        &format!("Corpo del messaggio {i} parolachiave{i}"),
    )
}

async fn deliver(dc: &Dovecot, range: std::ops::Range<usize>) {
    let mut lmtp = dc.lmtp().await.expect("lmtp");
    for i in range {
        let st = lmtp
            .deliver("mittente@pec.example", &[ME], &numbered(i))
            .await
            .expect("deliver");
        assert!(st[0].is_delivered());
    }
    lmtp.quit().await.expect("quit");
}

/// Another client's `UID STORE`, its answer read to the end.
async fn other_store<T>(other: &mut async_imap::Session<T>, uids: &str, query: &str)
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let s = other.uid_store(uids, query).await.expect("store");
    let _: Vec<_> = s.try_collect().await.expect("store");
}

/// Another client's `EXPUNGE`, its answer read to the end.
async fn other_expunge<T>(other: &mut async_imap::Session<T>)
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let s = other.expunge().await.expect("expunge");
    let _: Vec<_> = s.try_collect().await.expect("expunge");
}

fn inbox_ids(store: &Store) -> Vec<(Option<u32>, String)> {
    let mut q = ListQuery::new(View::Role(FolderRole::Inbox));
    q.limit = 100_000;
    store
        .list(&q)
        .expect("list")
        .into_iter()
        .map(|m| (m.uid, m.subject.unwrap_or_default()))
        .collect()
}

fn no_duplicates(store: &Store) {
    let mut q = ListQuery::new(View::All);
    q.limit = 1_000_000;
    let rows = store.list(&q).expect("list");
    let mut seen = HashSet::new();
    for r in &rows {
        assert!(
            seen.insert((r.folder_id, r.subject.clone())),
            "duplicate {:?} in {}",
            r.subject,
            r.folder
        );
    }
    store.check_integrity().expect("integrity");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initial_then_incremental_and_other_client_changes() {
    let Some(e) = env("sync_initial", FolderLayout::Aruba).await else {
        return;
    };
    deliver(&e.dc, 0..120).await;
    let r = e
        .engine
        .sync_once(e.account, &SyncOptions::default())
        .await
        .expect("sync");
    assert_eq!(r.added, 120);
    assert!(r.first_rows_after.is_some());
    // Aruba layout: roles found (SPECIAL-USE + names).
    let folders = e.store.folders(e.account).expect("folders");
    let role = |n: &str| folders.iter().find(|f| f.name == n).and_then(|f| f.role);
    assert_eq!(role("INBOX"), Some(FolderRole::Inbox));
    assert_eq!(role("INBOX.Inviata"), Some(FolderRole::Sent));
    assert_eq!(role("INBOX.Cestino"), Some(FolderRole::Trash));
    let inbox = inbox_ids(&e.store);
    assert_eq!(inbox.len(), 120);
    // Newest first.
    assert_eq!(inbox[0].1, "Messaggio numero 119");
    // Headers are searchable at once; bodies are not downloaded by the default policy.
    assert_eq!(
        e.store
            .search(&SearchQuery::parse("subject:numero"))
            .expect("s")
            .len(),
        50
    );
    assert!(
        e.store
            .search(&SearchQuery::parse("parolachiave99"))
            .expect("s")
            .is_empty()
    );

    // A no-change resync adds nothing.
    let r = e
        .engine
        .sync_once(e.account, &SyncOptions::default())
        .await
        .expect("resync");
    assert_eq!((r.added, r.updated, r.removed), (0, 0, 0));

    // Another client: new mail, flags, an expunge.
    deliver(&e.dc, 120..125).await;
    let mut other = e.dc.imap_login(ME, PW).await.expect("login");
    other.select("INBOX").await.expect("select");
    other_store(&mut other, "1:3", "+FLAGS (\\Seen \\Flagged)").await;
    other_store(&mut other, "10", "+FLAGS (\\Deleted)").await;
    other_expunge(&mut other).await;
    let r = e
        .engine
        .sync_once(e.account, &SyncOptions::default())
        .await
        .expect("incremental");
    assert_eq!(r.added, 5);
    assert_eq!(r.removed, 1);
    // Dovecot offers QRESYNC: the expunge came as VANISHED, not from a UID list comparison.
    assert!(r.qresync_selects >= 1, "{r:?}");
    assert_eq!(r.uid_compares, 0, "{r:?}");
    let inbox = inbox_ids(&e.store);
    assert_eq!(inbox.len(), 124);
    assert!(!inbox.iter().any(|(uid, _)| *uid == Some(10)));
    let f = e
        .store
        .find_folder(e.account, "INBOX")
        .expect("f")
        .expect("inbox");
    assert_eq!(f.total - f.unread, 3);
    let first = e
        .store
        .list(&ListQuery::new(View::Role(FolderRole::Inbox)))
        .expect("list")
        .into_iter()
        .find(|m| m.uid == Some(1))
        .or_else(|| {
            let mut q = ListQuery::new(View::Role(FolderRole::Inbox));
            q.limit = 1000;
            e.store
                .list(&q)
                .ok()?
                .into_iter()
                .find(|m| m.uid == Some(1))
        })
        .expect("uid 1");
    assert!(first.seen && first.flagged);

    // --full downloads every body: content becomes searchable.
    let full = SyncOptions {
        bodies: BodyPolicy::All,
        ..SyncOptions::default()
    };
    let r = e.engine.sync_once(e.account, &full).await.expect("full");
    assert_eq!(r.bodies, 124);
    assert_eq!(
        e.store
            .search(&SearchQuery::parse("parolachiave99"))
            .expect("s")
            .len(),
        1
    );
    no_duplicates(&e.store);
    // Quota and rights were read.
    let acc = e.store.account(e.account).expect("account");
    assert!(acc.quota_limit_kb.is_some_and(|l| l > 0));
    assert!(acc.quota_used_kb.is_some_and(|u| u > 0));
    let f = e
        .store
        .find_folder(e.account, "INBOX")
        .expect("f")
        .expect("inbox");
    assert!(
        f.myrights
            .as_deref()
            .is_some_and(|r| r.contains('l') && r.contains('r')),
        "{:?}",
        f.myrights
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uidvalidity_reset_replaces_the_folder() {
    let Some(e) = env("sync_uidvalidity", FolderLayout::Standard).await else {
        return;
    };
    let mut other = e.dc.imap_login(ME, PW).await.expect("login");
    for i in 0..5 {
        other
            .append("Archive", None, None, numbered(i))
            .await
            .expect("append");
    }
    e.engine
        .sync_once(e.account, &SyncOptions::default())
        .await
        .expect("sync");
    let archive = e
        .store
        .find_folder(e.account, "Archive")
        .expect("f")
        .expect("archive");
    assert_eq!(archive.total, 5);
    let old_validity = archive.uidvalidity;
    // Recreate the folder: new UIDVALIDITY, different content.
    other.delete("Archive").await.expect("delete");
    other.create("Archive").await.expect("create");
    for i in 100..103 {
        other
            .append("Archive", None, None, numbered(i))
            .await
            .expect("append");
    }
    let r = e
        .engine
        .sync_once(e.account, &SyncOptions::default())
        .await
        .expect("sync");
    assert_eq!(r.uidvalidity_resets, 1);
    let archive = e
        .store
        .find_folder(e.account, "Archive")
        .expect("f")
        .expect("archive");
    assert_ne!(archive.uidvalidity, old_validity);
    assert_eq!(archive.total, 3);
    let q = ListQuery::new(View::Folder(archive.id));
    let subjects: HashSet<String> = e
        .store
        .list(&q)
        .expect("list")
        .into_iter()
        .filter_map(|m| m.subject)
        .collect();
    assert!(subjects.contains("Messaggio numero 100") && !subjects.contains("Messaggio numero 0"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_actions_replay_and_conflicting_flags() {
    let Some(e) = env("sync_actions", FolderLayout::Standard).await else {
        return;
    };
    deliver(&e.dc, 0..6).await;
    e.engine
        .sync_once(e.account, &SyncOptions::default())
        .await
        .expect("sync");
    let mut q = ListQuery::new(View::Role(FolderRole::Inbox));
    q.limit = 100;
    let rows = e.store.list(&q).expect("list");
    let by_uid = |u: u32| {
        rows.iter()
            .find(|m| m.uid == Some(u))
            .map(|m| m.id)
            .expect("uid")
    };
    // Locally: read 1, label 2, move 3 to Archive, delete 4 (→ Trash).
    e.store
        .apply_action(by_uid(1), Action::SetSeen(true))
        .expect("seen");
    e.store
        .apply_action(by_uid(2), Action::AddLabel("$Lavorato".into()))
        .expect("label");
    let archive = e
        .store
        .find_folder(e.account, "Archive")
        .expect("f")
        .expect("archive");
    e.store
        .apply_action(by_uid(3), Action::Move(archive.id))
        .expect("move");
    e.store
        .apply_action(by_uid(4), Action::Delete)
        .expect("delete");
    // Meanwhile another client flags message 1 (a different flag: both must survive).
    let mut other = e.dc.imap_login(ME, PW).await.expect("login");
    other.select("INBOX").await.expect("select");
    other_store(&mut other, "1", "+FLAGS (\\Flagged)").await;
    let r = e
        .engine
        .sync_once(e.account, &SyncOptions::default())
        .await
        .expect("sync");
    assert_eq!(r.actions_replayed, 4);
    assert!(e.store.queued_actions(e.account).expect("q").is_empty());
    // Server state.
    other.select("INBOX").await.expect("select");
    let fetches: Vec<_> = other
        .uid_fetch("1:*", "(UID FLAGS)")
        .await
        .expect("fetch")
        .try_collect()
        .await
        .expect("fetch");
    let uids: HashSet<u32> = fetches.iter().filter_map(|f| f.uid).collect();
    assert!(!uids.contains(&3) && !uids.contains(&4), "{uids:?}");
    let f1 = fetches.iter().find(|f| f.uid == Some(1)).expect("uid 1");
    let flags: Vec<String> = f1.flags().map(|f| format!("{f:?}")).collect();
    assert!(
        flags.iter().any(|f| f == "Seen") && flags.iter().any(|f| f == "Flagged"),
        "{flags:?}"
    );
    let f2 = fetches.iter().find(|f| f.uid == Some(2)).expect("uid 2");
    assert!(f2.flags().any(|f| format!("{f:?}").contains("$Lavorato")));
    let mb = other.select("Trash").await.expect("trash");
    assert_eq!(mb.exists, 1);
    let mb = other.select("Archive").await.expect("archive");
    assert_eq!(mb.exists, 1);
    // Locally: both flags on 1; the moved rows adopted their server copies (no duplicates).
    let d1 = e.store.message(by_uid(1)).expect("d1");
    assert!(d1.summary.seen && d1.summary.flagged);
    let archive = e
        .store
        .find_folder(e.account, "Archive")
        .expect("f")
        .expect("a");
    assert_eq!(archive.total, 1);
    let trash = e
        .store
        .find_folder(e.account, "Trash")
        .expect("f")
        .expect("t");
    assert_eq!(trash.total, 1);
    let moved = e
        .store
        .list(&ListQuery::new(View::Folder(trash.id)))
        .expect("l");
    assert!(moved[0].uid.is_some(), "the trash copy has its server UID");
    // Empty the trash.
    e.store.empty_folder(trash.id).expect("empty");
    e.engine
        .sync_once(e.account, &SyncOptions::default())
        .await
        .expect("sync");
    let mb = other.select("Trash").await.expect("trash");
    assert_eq!(mb.exists, 0);
    no_duplicates(&e.store);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receipts_over_imap_track_delivery() {
    let Some(e) = env("sync_receipts", FolderLayout::Aruba).await else {
        return;
    };
    let mut other = e.dc.imap_login(ME, PW).await.expect("login");
    let mid = "inviato-1@client";
    // Receipts first (before the sent copy is in the Sent folder): kept, attached later.
    let mut lmtp = e.dc.lmtp().await.expect("lmtp");
    for raw in [
        receipt(
            "accettazione",
            mid,
            "ident-1",
            None,
            "nessuno",
            "10:00:01",
            ME,
        ),
        receipt(
            "avvenuta-consegna",
            mid,
            "ident-1",
            Some("a@pec.other"),
            "nessuno",
            "10:00:05",
            ME,
        ),
    ] {
        lmtp.deliver("posta-certificata@pec.example", &[ME], &raw)
            .await
            .expect("deliver");
    }
    e.engine
        .sync_once(e.account, &SyncOptions::default())
        .await
        .expect("sync");
    assert_eq!(e.store.pending_receipts(e.account).expect("p").len(), 2);
    other
        .append(
            "INBOX.Inviata",
            Some("(\\Seen)"),
            None,
            plain(
                ME,
                &["a@pec.other", "b@pec.other"],
                "Prova",
                mid,
                "Mon, 4 Nov 2024 10:00:00 +0100",
                "x",
            ),
        )
        .await
        .expect("append");
    lmtp.deliver(
        "posta-certificata@pec.example",
        &[ME],
        &receipt(
            "avvenuta-consegna",
            mid,
            "ident-1",
            Some("b@pec.other"),
            "nessuno",
            "10:00:09",
            ME,
        ),
    )
    .await
    .expect("deliver");
    e.engine
        .sync_once(e.account, &SyncOptions::default())
        .await
        .expect("sync");
    assert!(e.store.pending_receipts(e.account).expect("p").is_empty());
    let sent = e
        .store
        .list(&ListQuery::new(View::Role(FolderRole::Sent)))
        .expect("sent");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].delivery, Some(DeliverySummary::Delivered));
    // The inbox without receipts is empty; the receipts view has 3.
    let mut q = ListQuery::new(View::Role(FolderRole::Inbox));
    q.hide_receipts = true;
    assert!(e.store.list(&q).expect("l").is_empty());
    assert_eq!(
        e.store
            .list(&ListQuery::new(View::Receipts))
            .expect("r")
            .len(),
        3
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_auth_and_tls_errors_and_events() {
    let Some(e) = env("sync_errors", FolderLayout::Standard).await else {
        return;
    };
    let events = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = events.clone();
    let sub = e
        .engine
        .subscribe(move |ev| sink.lock().expect("lock").push(ev));
    // Wrong password → Auth.
    let bad = Arc::new(MemoryCredentialStore::new());
    bad.set(ME, "wrong").expect("set");
    let engine_bad = SyncEngine::with_receiver(e.store.clone(), store_util::trusted(), bad);
    match engine_bad
        .sync_once(e.account, &SyncOptions::default())
        .await
    {
        Err(SyncError::Auth(_)) => {}
        other => panic!("expected Auth, got {other:?}"),
    }
    // No CA file: the platform verifier does not trust the sandbox root → Tls.
    let acc = e.store.account(e.account).expect("acc");
    let mut cfg = acc.config.clone();
    cfg.ca_file = None;
    e.store.add_account(&cfg).expect("update");
    match e.engine.sync_once(e.account, &SyncOptions::default()).await {
        Err(SyncError::Tls(_)) => {}
        other => panic!("expected Tls, got {other:?}"),
    }
    // Nothing listening → Network.
    cfg.ca_file = Some(e.dc.ca_file().to_path_buf());
    cfg.imap_port = pec_test_harness::free_port().expect("port");
    e.store.add_account(&cfg).expect("update");
    match e.engine.sync_once(e.account, &SyncOptions::default()).await {
        Err(SyncError::Network(_)) => {}
        other => panic!("expected Network, got {other:?}"),
    }
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    drop(sub);
    let evs = events.lock().expect("lock").clone();
    assert!(
        matches!(evs.first(), Some(SyncEvent::Status(_))),
        "status first: {evs:?}"
    );
    assert!(evs.iter().any(|ev| matches!(
        ev,
        SyncEvent::Error {
            kind: pec_core::sync::SyncErrorKind::Tls,
            ..
        }
    )));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_cut_mid_fetch_then_resume_without_duplicates() {
    let Some(e) = env("sync_fault", FolderLayout::Standard).await else {
        return;
    };
    deliver(&e.dc, 0..200).await;
    let proxy = FaultProxy::start(e.dc.imap_addr()).await.expect("proxy");
    let acc = e.store.account(e.account).expect("acc");
    let mut cfg = acc.config.clone();
    cfg.imap_port = proxy.addr().port();
    e.store.add_account(&cfg).expect("update");
    let full = SyncOptions {
        bodies: BodyPolicy::All,
        header_batch: 40,
        ..SyncOptions::default()
    };
    // Cut after ~60 KB from the server: in the middle of the header/body FETCHes.
    proxy.cut_after(Some(60_000));
    let r = e.engine.sync_once(e.account, &full).await;
    assert!(matches!(r, Err(SyncError::Network(_))), "{r:?}");
    let partial = inbox_ids(&e.store).len();
    assert!(partial > 0 && partial < 200, "partial {partial}");
    proxy.heal();
    let r = e.engine.sync_once(e.account, &full).await.expect("resume");
    assert_eq!(r.added as usize, 200 - partial);
    assert_eq!(inbox_ids(&e.store).len(), 200);
    assert_eq!(
        e.store
            .search(&SearchQuery::parse("parolachiave150"))
            .expect("s")
            .len(),
        1
    );
    no_duplicates(&e.store);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_loop_reconnects_and_idles_on_the_inbox() {
    let Some(e) = env("sync_idle", FolderLayout::Standard).await else {
        return;
    };
    deliver(&e.dc, 0..3).await;
    // Start behind a proxy that refuses connections: the loop must back off and retry.
    let proxy = FaultProxy::start(e.dc.imap_addr()).await.expect("proxy");
    proxy.refuse(true);
    let mut cfg = e.store.account(e.account).expect("acc").config.clone();
    cfg.imap_port = proxy.addr().port();
    e.store.add_account(&cfg).expect("update");
    let (_status, mut rx) = e.engine.events();
    let handle = e
        .engine
        .start(e.account, SyncOptions::default())
        .expect("start");
    // A network error is reported…
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let ev = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("an error event")
            .expect("recv");
        if matches!(
            ev,
            SyncEvent::Error {
                kind: pec_core::sync::SyncErrorKind::Network,
                ..
            }
        ) {
            break;
        }
    }
    // …then the network comes back and the loop syncs without being asked.
    proxy.heal();
    let wait_for = |want: usize| {
        let store = e.store.clone();
        async move {
            for _ in 0..300 {
                if inbox_ids(&store).len() >= want {
                    return true;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            false
        }
    };
    assert!(wait_for(3).await, "the loop did not recover");
    // New mail is picked up through IDLE (well before the 5-minute IDLE timeout).
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    deliver(&e.dc, 3..4).await;
    assert!(wait_for(4).await, "IDLE did not report the new message");
    assert!(!handle.is_finished());
    drop(handle);
    no_duplicates(&e.store);
}

/// Another client flags and expunges; the next pass must see both, whichever way the server
/// allows: QRESYNC (VANISHED in the SELECT), CONDSTORE (CHANGEDSINCE + UID comparison), neither
/// (all flags + UID comparison).
async fn other_client_changes(test: &str, caps: Option<&str>) -> pec_core::sync::SyncReport {
    let e = env_with(test, FolderLayout::Standard, caps)
        .await
        .expect("dovecot");
    let mut other = e.dc.imap_login(ME, PW).await.expect("login");
    let caps_seen = other.capabilities().await.expect("caps");
    assert_eq!(caps_seen.has_str("QRESYNC"), caps.is_none());
    assert!(caps_seen.has_str("ACL") && caps_seen.has_str("QUOTA"));
    deliver(&e.dc, 0..20).await;
    e.engine
        .sync_once(e.account, &SyncOptions::default())
        .await
        .expect("sync");
    other.select("INBOX").await.expect("select");
    for (set, flags) in [("1:3", "+FLAGS (\\Seen)"), ("5,7:8", "+FLAGS (\\Deleted)")] {
        other_store(&mut other, set, flags).await;
    }
    other_expunge(&mut other).await;
    // Seen removed from 1 again later in the modseq order: only the final state counts.
    other_store(&mut other, "1", "-FLAGS (\\Seen)").await;
    let r = e
        .engine
        .sync_once(e.account, &SyncOptions::default())
        .await
        .expect("resync");
    assert_eq!(r.removed, 3, "{r:?}");
    let uids: Vec<(Option<u32>, String)> = inbox_ids(&e.store);
    assert_eq!(uids.len(), 17);
    for gone in [5, 7, 8] {
        assert!(!uids.iter().any(|(u, _)| *u == Some(gone)), "{gone}");
    }
    let mut q = ListQuery::new(View::Role(FolderRole::Inbox));
    q.limit = 100;
    let seen: Vec<u32> = e
        .store
        .list(&q)
        .expect("list")
        .into_iter()
        .filter(|m| m.seen)
        .filter_map(|m| m.uid)
        .collect();
    let mut seen = seen;
    seen.sort_unstable();
    assert_eq!(seen, vec![2, 3]);
    // Nothing changed since: a no-change pass reports nothing.
    let again = e
        .engine
        .sync_once(e.account, &SyncOptions::default())
        .await
        .expect("again");
    assert_eq!((again.added, again.updated, again.removed), (0, 0, 0));
    if caps.is_none() {
        // LIST-STATUS: every folder seen unchanged in one LIST, none SELECTed.
        assert_eq!(again.unchanged_by_status, again.folders, "{again:?}");
        assert_eq!(again.qresync_selects, 0, "{again:?}");
    } else {
        assert_eq!(again.unchanged_by_status, 0, "{again:?}");
    }
    no_duplicates(&e.store);
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qresync_resync_sees_flags_and_expunges() {
    if pec_test_harness::dovecot_or_skip("sync_qresync").is_none() {
        return;
    }
    let r = other_client_changes("sync_qresync", None).await;
    assert!(r.qresync_selects >= 1, "{r:?}");
    assert_eq!(r.uid_compares, 0, "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_qresync_uid_comparison_finds_expunges() {
    if pec_test_harness::dovecot_or_skip("sync_no_qresync").is_none() {
        return;
    }
    for caps in [CAPS_CONDSTORE, CAPS_PLAIN] {
        let r = other_client_changes("sync_no_qresync", Some(caps)).await;
        assert_eq!(r.qresync_selects, 0, "{r:?}");
        assert!(r.uid_compares >= 1, "{r:?}");
    }
}

/// Mail delivered after a pass but before IDLE starts is reported at once: IDLE itself only tells
/// what changes after it began, so without the check it would wait for the timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_reports_mail_that_came_before_it_started() {
    let Some(e) = env("sync_idle_gap", FolderLayout::Standard).await else {
        return;
    };
    deliver(&e.dc, 0..2).await;
    e.engine
        .sync_once(e.account, &SyncOptions::default())
        .await
        .expect("sync");
    deliver(&e.dc, 2..3).await;
    let changed = e
        .engine
        .idle_inbox(e.account, std::time::Duration::from_secs(10))
        .await
        .expect("idle");
    assert!(changed, "the new message was not reported");
    // With nothing new, IDLE waits and reports no change at its timeout.
    e.engine
        .sync_once(e.account, &SyncOptions::default())
        .await
        .expect("sync");
    let changed = e
        .engine
        .idle_inbox(e.account, std::time::Duration::from_secs(1))
        .await
        .expect("idle");
    assert!(!changed);
}
