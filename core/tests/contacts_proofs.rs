//! What the mail proves about addresses, against the PEC sandbox on a real Dovecot: a recipient
//! becomes certified with its delivery receipt, a sender whose mail arrived as an anomaly is not
//! PEC, and both appear among the correspondents (unsaved) until saved as contacts.

use crate::send_support as support;

use pec_core::compose::{Draft, Mailbox};
use pec_core::contacts::{Contact, PecState};
use pec_core::sync::{BodyPolicy, SyncOptions};
use pec_sandbox::Options;
use std::time::Duration;
use support::*;

const OUTSIDER: &str = "mario.bianchi@posta.example";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_receipt_certifies_an_address_and_an_anomaly_marks_its_sender_not_pec() {
    let Some(env) = setup("contacts_proofs", Options::default()).await else {
        return;
    };
    let states = |a: &str| env.store.address_states([a]).expect("states");
    assert_eq!(
        states(U2.0).get(U2.0),
        None,
        "nothing proved before any mail"
    );

    let draft = Draft {
        to: vec![Mailbox::new(U2.0)],
        subject: "Prova di consegna".into(),
        text: Some("testo".into()),
        ..Default::default()
    };
    let queued = env.outbox.queue(env.account, &draft).expect("queue");
    let st = wait_for(&env, queued.id, Duration::from_secs(60), |s| {
        s.recipients
            .iter()
            .all(|r| r.state == pec_core::outbox::SendState::Delivered)
    })
    .await;
    assert!(!st.recipients.is_empty());
    assert!(matches!(
        states(U2.0).get(U2.0),
        Some(PecState::Certified { .. })
    ));

    // Ordinary mail into the PEC box: the provider wraps it as an anomaly.
    let raw = format!(
        "From: Mario Bianchi <{OUTSIDER}>\r\nTo: {}\r\nSubject: Posta ordinaria\r\n\
         Date: Fri, 04 Dec 2026 10:00:00 +0100\r\nMessage-ID: <ordinaria-1@posta.example>\r\n\r\nCiao.\r\n",
        U1.0
    );
    let reply = env
        .sb
        .state
        .engine()
        .expect("engine")
        .inbound(OUTSIDER, &[U1.0.to_string()], raw.into_bytes())
        .await;
    assert_eq!(reply.code, 250, "{}", reply.text);
    let all = SyncOptions {
        bodies: BodyPolicy::All,
        ..SyncOptions::default()
    };
    env.engine.sync_once(env.account, &all).await.expect("sync");
    assert!(matches!(
        states(OUTSIDER).get(OUTSIDER),
        Some(PecState::NotPec { .. })
    ));

    // Both are correspondents, not saved; saving one keeps its proof.
    let people = env.store.people().expect("people");
    let find = |a: &str| {
        people
            .iter()
            .find(|p| p.addresses.iter().any(|x| x.address == a))
            .unwrap_or_else(|| panic!("{a} not among {people:#?}"))
    };
    assert!(!find(OUTSIDER).saved_contact());
    assert!(matches!(
        find(OUTSIDER).addresses[0].state,
        PecState::NotPec { .. }
    ));
    assert!(matches!(
        find(U2.0).addresses[0].state,
        PecState::Certified { .. }
    ));
    env.store
        .add_contact(&Contact {
            name: "Utente Due".into(),
            addresses: vec![U2.0.into()],
            ..Contact::default()
        })
        .expect("contact");
    let people = env.store.people().expect("people");
    let saved: Vec<_> = people
        .iter()
        .filter(|p| p.addresses.iter().any(|a| a.address == U2.0))
        .collect();
    assert_eq!(saved.len(), 1, "a saved correspondent is listed once");
    assert!(saved[0].saved_contact());
    assert!(matches!(
        saved[0].addresses[0].state,
        PecState::Certified { .. }
    ));
    let hints = env.store.suggest("utente d", 5).expect("suggest");
    assert!(hints.is_empty(), "words are matched one at a time");
    let hints = env.store.suggest("due", 5).expect("suggest");
    assert_eq!(hints[0].address, U2.0);
    assert!(matches!(hints[0].state, PecState::Certified { .. }));
}
