//! A cancelled subscription is silent: once `cancel()` returns, its listener hears nothing more,
//! even when a delivery was already under way; and a listener may cancel its own subscription
//! from inside its callback without deadlocking.

use pec_ffi::{
    App, CredentialBackend, CustomServer, ErrorEvent, MenuEntry, MenuListener, NewAccount,
    Provider, Subscription,
};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// An account saved without a login (no server behind its ports).
fn offline(address: &str) -> NewAccount {
    NewAccount {
        provider: Provider::Custom,
        address: address.into(),
        password: "pw".into(),
        display_name: None,
        custom: Some(CustomServer {
            imap_host: "127.0.0.1".into(),
            imap_port: 9,
            smtp_host: "127.0.0.1".into(),
            smtp_port: 9,
            ca_file: None,
        }),
        delegation: None,
        offline: true,
    }
}

/// An app on `dir` with one offline account.
async fn app_with_account(dir: &std::path::Path) -> (Arc<App>, i64) {
    let app = App::new(dir.to_string_lossy().into(), CredentialBackend::Memory).unwrap();
    let account = app.add_account(offline("a@pec.example")).await.unwrap().id;
    (app, account)
}

/// Counts menus; from the second one on, says it has started, then takes a while to finish.
struct SlowMenus {
    done: AtomicUsize,
    started: Mutex<Sender<usize>>,
}

impl MenuListener for SlowMenus {
    fn on_menu(&self, _entries: Vec<MenuEntry>) {
        let n = self.done.load(Ordering::SeqCst) + 1;
        let _ = self.started.lock().unwrap().send(n);
        if n > 1 {
            // Long enough that a `cancel()` that does not wait returns before this one ends.
            std::thread::sleep(Duration::from_millis(300));
        }
        self.done.store(n, Ordering::SeqCst);
    }

    fn on_error(&self, error: ErrorEvent) {
        panic!("menu error: {error:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_waits_for_a_delivery_under_way() {
    let dir = tempfile::tempdir().unwrap();
    let (app, account) = app_with_account(dir.path()).await;
    let (tx, started) = channel();
    let listener = Arc::new(SlowMenus {
        done: AtomicUsize::new(0),
        started: Mutex::new(tx),
    });
    let sub = app.subscribe_folder_menu(account, listener.clone());
    assert_eq!(started.recv_timeout(Duration::from_secs(10)), Ok(1));

    app.add_account(offline("b@pec.example")).await.unwrap();
    assert_eq!(started.recv_timeout(Duration::from_secs(10)), Ok(2));
    sub.cancel();
    assert_eq!(
        listener.done.load(Ordering::SeqCst),
        2,
        "the delivery under way ended before cancel() returned"
    );
    assert!(!sub.is_active());
}

/// Cancels its own subscription from inside the first menu it gets once it holds it.
struct CancelsItself {
    sub: OnceLock<Arc<Subscription>>,
    menus: AtomicUsize,
    cancelled: Mutex<Sender<usize>>,
}

impl MenuListener for CancelsItself {
    fn on_menu(&self, _entries: Vec<MenuEntry>) {
        let n = self.menus.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(sub) = self.sub.get() {
            sub.cancel();
            let _ = self.cancelled.lock().unwrap().send(n);
        }
    }

    fn on_error(&self, error: ErrorEvent) {
        panic!("menu error: {error:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listener_cancels_its_own_subscription() {
    let dir = tempfile::tempdir().unwrap();
    let (app, account) = app_with_account(dir.path()).await;
    let (tx, cancelled) = channel();
    let listener = Arc::new(CancelsItself {
        sub: OnceLock::new(),
        menus: AtomicUsize::new(0),
        cancelled: Mutex::new(tx),
    });
    let sub = app.subscribe_folder_menu(account, listener.clone());
    let _ = listener.sub.set(sub.clone());
    app.add_account(offline("b@pec.example")).await.unwrap();
    let at_cancel = cancelled
        .recv_timeout(Duration::from_secs(10))
        .expect("cancelled");
    assert!(!sub.is_active());
    app.add_account(offline("c@pec.example")).await.unwrap();
    sub.cancel();
    assert_eq!(listener.menus.load(Ordering::SeqCst), at_cancel);
}
