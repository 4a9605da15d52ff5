//! Shared set-up of the sending tests (included with `#[path]` by `send_e2e.rs` and
//! `send_crash.rs`): a sandbox PEC provider on a real Dovecot, a store, an outbox for utente1.

use pec_core::accounts::{AccountConfig, CredentialStore, MemoryCredentialStore};
use pec_core::outbox::{Outbox, OutboxConfig, OutboxId, SendStatus};
use pec_core::store::{AccountId, Store};
use pec_core::sync::{BodyPolicy, SyncEngine, SyncOptions};
use pec_sandbox::{Options, Sandbox};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const U1: (&str, &str) = ("utente1@pec.sandbox.test", "password1");
pub const U2: (&str, &str) = ("utente2@pec.sandbox.test", "password2");
pub const U3: (&str, &str) = ("utente3@pec.sandbox.test", "password3");
pub const EXT: &str = "esterno@posta.example";

pub struct Env {
    pub sb: Sandbox,
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub outbox: Outbox,
    pub creds: MemoryCredentialStore,
    pub account: AccountId,
    /// Picks up receipts as the apps do: a pass of the sync engine.
    pub engine: SyncEngine,
}

/// Start a sandbox (or skip: `None`, failing under CI=true when Dovecot is missing).
pub async fn setup(test: &str, opts: Options) -> Option<Env> {
    pec_test_harness::dovecot_or_skip(test)?;
    let sb = Sandbox::start(opts).await.expect("sandbox starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_in(dir.path()).expect("store");
    // The sandbox signs its receipts under its test CA: trusted for signatures explicitly here
    // (the account's ca_file is for TLS only).
    let receiver = pec_core::receive::Receiver::new(
        pec_core::signature::TrustStore::bundled()
            .with_anchor_pem(
                sb.ca_pem().as_bytes(),
                pec_core::signature::AnchorRole::PecProviders,
            )
            .expect("sandbox CA"),
    );
    let account = add_account(&store, &sb);
    let creds = MemoryCredentialStore::new();
    creds.set(U1.0, U1.1).expect("creds");
    let outbox = Outbox::new(store.clone(), fast_config(dir.path()));
    let engine_creds = MemoryCredentialStore::new();
    engine_creds.set(U1.0, U1.1).expect("creds");
    let engine = SyncEngine::with_receiver(store.clone(), receiver, Arc::new(engine_creds));
    Some(Env {
        engine,
        sb,
        dir,
        store,
        outbox,
        creds,
        account,
    })
}

pub fn fast_config(dir: &std::path::Path) -> OutboxConfig {
    let mut cfg = OutboxConfig::new(dir);
    cfg.unknown_grace = Duration::from_secs(2);
    cfg.base_backoff = Duration::from_secs(1);
    cfg.max_backoff = Duration::from_secs(2);
    cfg.smtp_timeout = Duration::from_secs(10);
    cfg.imap_timeout = Duration::from_secs(30);
    cfg
}

pub fn add_account(store: &Store, sb: &Sandbox) -> AccountId {
    store
        .add_account(&AccountConfig {
            display_name: Some("Utente Uno".into()),
            ..crate::store_util::sandbox_account(sb, U1.0)
        })
        .expect("account")
}

/// Process the outbox and sync receipts until `done(status)` or `limit` passes.
pub async fn wait_for(
    env: &Env,
    id: OutboxId,
    limit: Duration,
    done: impl Fn(&SendStatus) -> bool,
) -> SendStatus {
    let deadline = Instant::now() + limit;
    loop {
        env.outbox
            .process(env.account, &env.creds)
            .await
            .expect("process");
        let receipts = SyncOptions {
            bodies: BodyPolicy::ReceiptsOnly,
            ..SyncOptions::default()
        };
        env.engine
            .sync_once(env.account, &receipts)
            .await
            .expect("receipts pass");
        let st = env.outbox.status(id).expect("status");
        if done(&st) {
            return st;
        }
        assert!(
            Instant::now() < deadline,
            "message {id} did not settle within {limit:?}: {}",
            serde_json::to_string_pretty(&st).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Messages in `user`'s INBOX whose header `name` contains `value`.
pub async fn count_in_inbox(sb: &Sandbox, user: (&str, &str), name: &str, value: &str) -> usize {
    let mut s = sb.dovecot.imap_login(user.0, user.1).await.expect("login");
    s.select("INBOX").await.expect("select");
    let n = s
        .uid_search(format!("HEADER {name} \"{value}\""))
        .await
        .expect("search")
        .len();
    s.logout().await.ok();
    n
}
