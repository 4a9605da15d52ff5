//! The app has one sync engine for its whole life: a second `App::sync` issued while a pass is
//! running waits for it instead of running beside it (and then finds nothing left to do), and
//! `App::sync_status` is the status of that one engine, kept between calls; its background loop
//! brings new mail without a call. Against the sandbox provider on a real Dovecot.

use pec_ffi::{
    App, BodyDownload, ChangeEvent, ChangeKind, ChangeListener, CredentialBackend, ErrorEvent,
    SyncListener, SyncProgress, ViewRef,
};
use pec_sandbox::{Options, Sandbox};
use std::sync::{Arc, Mutex};

use crate::common;
use common::sandbox_account;

const ME: &str = "utente1@pec.sandbox.test";
const MESSAGES: usize = 120;

/// Starts the second sync from inside the first one's first progress report, and notes what
/// `sync_status` said at that moment.
struct SecondSyncFromInside {
    app: Arc<App>,
    account: i64,
    running_seen: Mutex<Option<bool>>,
    second: Mutex<Option<tokio::task::JoinHandle<pec_ffi::SyncSummary>>>,
}

impl SyncListener for SecondSyncFromInside {
    fn on_progress(&self, _progress: SyncProgress) {
        let mut second = self.second.lock().unwrap();
        if second.is_some() {
            return;
        }
        *self.running_seen.lock().unwrap() = Some(self.app.sync_status().running);
        let (app, account) = (self.app.clone(), self.account);
        *second = Some(tokio::spawn(async move {
            app.sync(account, BodyDownload::ReceiptsOnly, None)
                .await
                .expect("second sync")
        }));
    }

    fn on_error(&self, error: ErrorEvent) {
        panic!("sync error: {error:?}");
    }
}

/// An app on `dir` with the sandbox's utente1 added (logged in before saving).
async fn app_with_account(sb: &Sandbox, dir: &std::path::Path) -> (Arc<App>, i64) {
    let app = App::new(
        dir.to_string_lossy().into_owned(),
        CredentialBackend::Memory,
    )
    .expect("app");
    let account = app
        .add_account(sandbox_account(sb, ME, "password1"))
        .await
        .expect("account")
        .id;
    (app, account)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_issued_during_a_pass_waits_for_it() {
    if pec_test_harness::dovecot_or_skip("a_sync_issued_during_a_pass_waits_for_it").is_none() {
        return;
    }
    let sb = Sandbox::start(Options::default()).await.expect("sandbox");
    let mut other = sb.dovecot.imap_login(ME, "password1").await.expect("login");
    for i in 0..MESSAGES {
        let raw = format!(
            "From: mittente{i}@pec.example\r\nTo: {ME}\r\nSubject: messaggio {i}\r\n\
             Message-ID: <m{i}@pec.example>\r\nDate: Mon, 4 Nov 2024 10:00:00 +0100\r\n\r\ntesto {i}\r\n"
        );
        other
            .append("INBOX", None, None, raw)
            .await
            .expect("append");
    }
    let dir = tempfile::tempdir().expect("tmp");
    let (app, account) = app_with_account(&sb, dir.path()).await;
    assert!(!app.sync_status().running);
    assert_eq!(app.sync_status().last_sync, None);

    let listener = Arc::new(SecondSyncFromInside {
        app: app.clone(),
        account,
        running_seen: Mutex::new(None),
        second: Mutex::new(None),
    });
    let first = app
        .sync(account, BodyDownload::ReceiptsOnly, Some(listener.clone()))
        .await
        .expect("first sync");
    let second = listener
        .second
        .lock()
        .unwrap()
        .take()
        .expect("second started");
    let second = second.await.expect("second sync task");

    assert_eq!(*listener.running_seen.lock().unwrap(), Some(true));
    assert_eq!(first.added, MESSAGES as u64);
    // The status seen from inside the first pass is the app's: the second call went to the same
    // engine, whose pass lock makes it wait; after the first, it finds nothing to do.
    assert_eq!((second.added, second.updated), (0, 0), "{second:?}");
    let status = app.sync_status();
    assert!(!status.running);
    assert!(status.last_sync.is_some());
    assert_eq!(status.last_error, None);
}

/// Sends every change event into a channel.
struct Changes(std::sync::mpsc::Sender<ChangeEvent>);

impl ChangeListener for Changes {
    fn on_change(&self, change: ChangeEvent) {
        let _ = self.0.send(change);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_loop_brings_new_mail_without_a_call() {
    if pec_test_harness::dovecot_or_skip("the_background_loop_brings_new_mail").is_none() {
        return;
    }
    let sb = Sandbox::start(Options::default()).await.expect("sandbox");
    let dir = tempfile::tempdir().expect("tmp");
    let (app, account) = app_with_account(&sb, dir.path()).await;
    let (tx, rx) = std::sync::mpsc::channel();
    let _changes = app.subscribe_changes(Arc::new(Changes(tx)));
    let background = app
        .start_background_sync(account, BodyDownload::ReceiptsOnly)
        .expect("start");
    let inbox_subjects = || {
        let app = app.clone();
        async move {
            let page = app
                .list_page(account, ViewRef::Inbox, None, 50)
                .await
                .expect("inbox");
            page.rows.into_iter().map(|r| r.subject).collect::<Vec<_>>()
        }
    };
    // The first pass ends (the mailbox may be empty: no change to report); then the loop idles.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while app.sync_status().last_sync.is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "{:?}",
            app.sync_status()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(background.is_running());
    assert!(
        !inbox_subjects()
            .await
            .contains(&"arrivato da solo".to_string())
    );

    let mut other = sb.dovecot.imap_login(ME, "password1").await.expect("login");
    let raw = format!(
        "From: a@pec.example\r\nTo: {ME}\r\nSubject: arrivato da solo\r\n\
         Message-ID: <solo@pec.example>\r\nDate: Mon, 4 Nov 2024 10:00:00 +0100\r\n\r\ntesto\r\n"
    );
    other
        .append("INBOX", None, None, raw)
        .await
        .expect("append");
    loop {
        wait_for_messages_change(&rx);
        if inbox_subjects()
            .await
            .contains(&"arrivato da solo".to_string())
        {
            break;
        }
    }
    background.stop();
    assert!(!background.is_running());
}

/// The next `Messages` change, within a minute (a bound for a hung loop, not a measurement).
fn wait_for_messages_change(rx: &std::sync::mpsc::Receiver<ChangeEvent>) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let change = rx.recv_timeout(left).expect("a change within a minute");
        if change.kind == ChangeKind::Messages {
            return;
        }
    }
}

/// The engine keeps the store's meaning: asking for a message that is not there is `not_found`,
/// not a storage failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_message_is_not_found_through_the_engine() {
    let dir = tempfile::tempdir().expect("tmp");
    let app = App::new(
        dir.path().to_string_lossy().into_owned(),
        CredentialBackend::Memory,
    )
    .expect("app");
    match app.download(424_242).await {
        Err(e) => assert_eq!(e.code(), "not_found", "{e:?}"),
        Ok(()) => panic!("downloaded a message that does not exist"),
    }
}
