//! Kill the sending process at many points and restart it: every message reaches the provider
//! exactly once (counted in the recipient's mailbox and in the sender's acceptance receipts).
//!
//! The test runs itself as the child: with `PEC_SEND_CHILD_DIR` set, this same test function
//! opens that data directory and sends what is queued, then exits.

use crate::send_support as support;

use pec_core::accounts::{CredentialStore, MemoryCredentialStore};
use pec_core::compose::{Attachment, Draft, Mailbox};
use pec_core::outbox::{Outbox, OutboxState, SendState};
use pec_core::store::Store;
use pec_sandbox::Options;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::*;

const TEST: &str = "killed_sender_sends_exactly_once";

/// The provider may still be processing a message whose sender died right after the final dot
/// (the kernel delivers what was in the socket buffer): wait long enough before checking.
fn crash_config(dir: &str) -> pec_core::outbox::OutboxConfig {
    let mut cfg = fast_config(std::path::Path::new(dir));
    cfg.unknown_grace = Duration::from_secs(10);
    cfg.smtp_timeout = Duration::from_secs(5);
    cfg
}

/// Child mode: send until nothing is left in queued/sending, then return.
async fn child(dir: &str, password: &str) {
    let store = Store::open_in(dir).expect("child store");
    let outbox = Outbox::new(store.clone(), crash_config(dir));
    let creds = MemoryCredentialStore::new();
    let account = store.accounts().expect("accounts")[0].id;
    let address = store.account(account).expect("account").config.address;
    creds.set(&address, password).expect("creds");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        outbox.process(account, &creds).await.expect("process");
        let pending = outbox.entries(account).expect("entries").iter().any(|e| {
            e.state == OutboxState::Queued
                || e.state == OutboxState::Sending
                || (e.state == OutboxState::Submitted && !e.sent_copy)
        });
        if !pending || Instant::now() > deadline {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_sender_sends_exactly_once() {
    if let (Ok(dir), Ok(pw)) = (
        std::env::var("PEC_SEND_CHILD_DIR"),
        std::env::var("PEC_SEND_CHILD_PASSWORD"),
    ) {
        child(&dir, &pw).await;
        return;
    }
    let Some(mut env) = setup(TEST, Options::default()).await else {
        return;
    };
    env.outbox = Outbox::new(
        env.store.clone(),
        crash_config(&env.dir.path().to_string_lossy()),
    );
    let exe = std::env::current_exe().expect("current exe");
    let spawn = || {
        Command::new(&exe)
            .args([
                "--exact",
                &crate::test_name(module_path!(), TEST),
                "--nocapture",
                "--test-threads=1",
            ])
            .env("PEC_SEND_CHILD_DIR", env.dir.path())
            .env("PEC_SEND_CHILD_PASSWORD", U1.1)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn child")
    };
    // Kill points from "before connecting" to "after the reply": the child needs ~0.1 s to
    // start and some hundred ms to submit 3 MB over TLS; jitter moves the points between runs.
    let jitter = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64 % 40)
        .unwrap_or(0);
    // Kill points: (None, ms) = ms after spawning; (Some(ms)) = ms after the child committed
    // `sending` (just before MAIL FROM), i.e. during MAIL/RCPT/DATA, while the 3 MB stream,
    // around the final dot and after the provider's reply.
    let points: [(bool, u64); 12] = [
        (false, 5),
        (false, 150),
        (true, 0),
        (true, 10),
        (true, 30),
        (true, 60),
        (true, 100),
        (true, 150),
        (true, 220),
        (true, 300),
        (true, 450),
        (true, 700),
    ];
    let mut queued = Vec::new();
    let mut seen_states = Vec::new();
    for (i, (after_sending, d)) in points.iter().enumerate() {
        let mut draft = Draft {
            to: vec![Mailbox::new(U2.0)],
            subject: format!("crash {i}"),
            text: Some("Atto".into()),
            ..Default::default()
        };
        let bytes: Vec<u8> = (0..3 * 1024 * 1024u32).map(|n| (n % 251) as u8).collect();
        draft
            .attachments
            .push(Attachment::from_bytes("atto.pdf", bytes));
        let q = env.outbox.queue(env.account, &draft).expect("queue");
        let mut c = spawn();
        if *after_sending {
            let limit = Instant::now() + Duration::from_secs(30);
            while env.outbox.entry(q.id).expect("entry").state == OutboxState::Queued
                && Instant::now() < limit
            {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        }
        tokio::time::sleep(Duration::from_millis(d + jitter)).await;
        c.kill().expect("SIGKILL"); // std sends SIGKILL on Unix
        let _ = c.wait();
        let state = env.outbox.entry(q.id).expect("entry").state;
        seen_states.push(state);
        // Two senders at once on the same queue (one is killed): only one may claim the attempt.
        if i % 3 == 0 {
            let mut c1 = spawn();
            let mut c2 = spawn();
            tokio::time::sleep(Duration::from_millis(d + 200)).await;
            c1.kill().expect("SIGKILL");
            let _ = c1.wait();
            let _ = c2.wait();
        }
        // Kill the restarted one as well, at a later point, for half the messages.
        if i % 2 == 1 {
            let mut c = spawn();
            tokio::time::sleep(Duration::from_millis(d / 2 + 300)).await;
            c.kill().expect("SIGKILL");
            let _ = c.wait();
        }
        queued.push(q);
    }
    // The points must have hit the unknown-outcome window at least once, or this test proves
    // nothing about it.
    assert!(
        seen_states.contains(&OutboxState::Sending),
        "no kill landed while sending: {seen_states:?}"
    );
    eprintln!("states right after the kills: {seen_states:?}");
    // Restart and let it finish.
    let status = spawn().wait().expect("child");
    assert!(status.success(), "final child failed");
    for q in &queued {
        let st = wait_for(&env, q.id, Duration::from_secs(60), |s| {
            s.state == SendState::Delivered
        })
        .await;
        assert_eq!(st.recipients[0].state, SendState::Delivered);
        eprintln!(
            "{}: {:?}",
            q.id,
            st.events
                .iter()
                .map(|e| e.kind.as_str())
                .collect::<Vec<_>>()
        );
        assert_eq!(
            count_in_inbox(&env.sb, U2, "X-Riferimento-Message-ID", &q.message_id).await,
            1,
            "{}: envelopes delivered to the recipient; timeline {}",
            q.message_id,
            serde_json::to_string(&st.events).unwrap_or_default()
        );
        assert_eq!(
            count_in_inbox(&env.sb, U1, "X-Riferimento-Message-ID", &q.message_id).await,
            2,
            "{}: one accettazione + one avvenuta-consegna",
            q.message_id
        );
    }
    env.store.check_integrity().expect("store intact");
}
