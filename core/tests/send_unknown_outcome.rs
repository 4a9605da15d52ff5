//! An attempt whose outcome is unknown (the process died after handing the message over) is
//! settled by searching the server for the provider's receipt or the Sent copy. A search the
//! server refuses or cuts proves nothing: the attempt stays unknown and the message is never sent
//! a second time (a PEC sent twice is two legal deliveries). The sandbox provider on a real
//! Dovecot, its IMAP behind a TLS proxy that rewrites only the answers to `UID SEARCH`.
//! Without Dovecot the tests skip locally and fail under CI=true.

use crate::imap_proxy;
use crate::send_support as support;

use imap_proxy::{Answer, search_proxy};
use pec_core::compose::{Draft, Mailbox};
use pec_core::outbox::{Outbox, SendState};
use pec_sandbox::Options;
use rusqlite::params;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use support::*;

/// Sent once through the proxy (passing everything), then put back in `sending` as a process
/// killed right after the final dot would leave it, with its grace period over.
async fn sent_then_unknown(env: &Env, outbox: &Outbox, account: i64) -> (i64, String) {
    let draft = Draft {
        to: vec![Mailbox::new(U2.0)],
        subject: "esito incerto".into(),
        text: Some("Testo".into()),
        ..Default::default()
    };
    let q = outbox.queue(account, &draft).expect("queue");
    let report = outbox.process(account, &env.creds).await.expect("process");
    assert_eq!(report.submitted, [q.id], "{report:?}");
    // The provider's acceptance receipt reaches the sender's INBOX.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while count_in_inbox(&env.sb, U1, "X-Riferimento-Message-ID", &q.message_id).await == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "no acceptance receipt"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    env.store
        .write(|tx| {
            tx.execute(
                "UPDATE outbox SET state = 'sending', attempt_started_at = ?2 WHERE id = ?1",
                params![q.id, unix_now() - 3600],
            )?;
            Ok(())
        })
        .expect("rewind");
    (q.id, q.message_id)
}

fn unix_now() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    since.map(|d| d.as_secs() as i64).unwrap_or(0)
}

async fn check(answer: Answer, test: &str) {
    let Some(env) = setup(test, Options::default()).await else {
        return;
    };
    let armed = Arc::new(AtomicBool::new(false));
    let proxy = search_proxy(&env.sb.dovecot, answer, armed.clone()).await;
    // utente1 reaches its IMAP server through the proxy from now on.
    let account = env.account;
    env.store
        .write(|tx| {
            tx.execute(
                "UPDATE accounts SET imap_host = '127.0.0.1', imap_port = ?2 WHERE id = ?1",
                params![account, proxy.port()],
            )?;
            Ok(())
        })
        .expect("account through the proxy");
    let outbox = Outbox::new(env.store.clone(), fast_config(env.dir.path()));
    let (id, mid) = sent_then_unknown(&env, &outbox, account).await;

    armed.store(true, Ordering::SeqCst);
    let report = outbox.process(account, &env.creds).await.expect("process");
    assert_eq!(report.unknown, [id], "{report:?}");
    assert!(report.submitted.is_empty(), "sent again: {report:?}");
    assert!(
        report.errors.iter().any(|e| e.contains(&id.to_string())),
        "{report:?}"
    );

    // Once the server answers, the earlier submission is found, not repeated.
    armed.store(false, Ordering::SeqCst);
    let report = outbox.process(account, &env.creds).await.expect("process");
    assert_eq!(report.recovered, [id], "{report:?}");
    assert_eq!(
        outbox.status(id).expect("status").state,
        SendState::Submitted
    );
    assert_eq!(
        count_in_inbox(&env.sb, U2, "X-Riferimento-Message-ID", &mid).await,
        1,
        "one envelope reached the recipient"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_search_never_sends_again() {
    check(Answer::Refused, "send_search_refused").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_cut_short_never_sends_again() {
    check(Answer::Cut, "send_search_cut").await;
}
