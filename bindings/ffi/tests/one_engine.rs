//! The app has one sync engine for its whole life: a second `App::sync` issued while a pass is
//! running waits for it instead of running beside it (and then finds nothing left to do), and
//! `App::sync_status` is the status of that one engine, kept between calls. Against the sandbox
//! provider on a real Dovecot.

use pec_ffi::{
    App, BodyDownload, CredentialBackend, CustomServer, ErrorEvent, NewAccount, Provider,
    SyncListener, SyncProgress,
};
use pec_sandbox::{Options, Sandbox};
use std::sync::{Arc, Mutex};

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
    let app = App::new(
        dir.path().to_string_lossy().into_owned(),
        CredentialBackend::Memory,
    )
    .expect("app");
    let account = app
        .add_account(NewAccount {
            provider: Provider::Custom,
            address: ME.into(),
            password: "password1".into(),
            display_name: None,
            custom: Some(CustomServer {
                imap_host: "127.0.0.1".into(),
                imap_port: sb.imap_addr().port(),
                smtp_host: "127.0.0.1".into(),
                smtp_port: sb.smtp_addr.port(),
                ca_file: Some(sb.state.ca_file.to_string_lossy().into_owned()),
            }),
            delegation: None,
            offline: false,
        })
        .await
        .expect("account")
        .id;
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
