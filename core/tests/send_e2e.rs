//! End to end: compose → outbox → SMTP submission to the sandbox PEC provider → receipts in the
//! sender's INBOX (real Dovecot) → per-recipient states. No mocks.

use crate::send_support as support;

use pec_core::accounts::CredentialStore;
use pec_core::compose::{Attachment, ComposeError, Draft, Mailbox, ProviderPreset, ReceiptType};
use pec_core::outbox::{FailureKind, OutboxState, SendState, SendStatus};
use pec_sandbox::{Options, Policy};
use std::time::Duration;
use support::*;

fn draft(to: &[&str], cc: &[&str], subject: &str) -> Draft {
    Draft {
        to: to.iter().map(|a| Mailbox::new(*a)).collect(),
        cc: cc.iter().map(|a| Mailbox::new(*a)).collect(),
        subject: subject.into(),
        text: Some(format!("Testo di {subject}")),
        ..Default::default()
    }
}

fn rcpt<'a>(st: &'a SendStatus, addr: &str) -> &'a pec_core::outbox::RecipientView {
    st.recipients
        .iter()
        .find(|r| r.address == addr)
        .unwrap_or_else(|| panic!("{addr} not in {st:?}"))
}

fn kinds(r: &pec_core::outbox::RecipientView) -> Vec<&str> {
    r.events.iter().map(|e| e.kind.as_str()).collect()
}

const LONG: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_recipient_reaches_its_final_state() {
    let Some(env) = setup(
        "every_recipient_reaches_its_final_state",
        Options::default(),
    )
    .await
    else {
        return;
    };
    // Certified recipient, one per receipt type.
    let mut ids = Vec::new();
    for rt in [
        ReceiptType::Completa,
        ReceiptType::Breve,
        ReceiptType::Sintetica,
    ] {
        let mut d = draft(&[U2.0], &[], &format!("tipo {}", rt.as_str()));
        d.receipt = rt;
        d.attachments.push(Attachment::from_bytes(
            "atto.pdf",
            b"%PDF-1.4 atto".to_vec(),
        ));
        let q = env.outbox.queue(env.account, &d).expect("queue");
        assert!(q.warnings.is_empty(), "{:?}", q.warnings);
        ids.push((rt, q.id, q.message_id));
    }
    for (rt, id, _) in &ids {
        let st = wait_for(&env, *id, LONG, |s| s.state == SendState::Delivered).await;
        let r = rcpt(&st, U2.0);
        assert_eq!(r.state, SendState::Delivered, "{rt:?}");
        assert_eq!(r.certified, Some(true));
        assert_eq!(
            kinds(r),
            vec!["queued", "submitted", "accepted", "delivered"],
            "{rt:?}"
        );
    }
    // What the recipient got carries the chosen receipt type.
    for (rt, _, mid) in &ids {
        assert_eq!(
            count_in_inbox(&env.sb, U2, "X-Riferimento-Message-ID", mid).await,
            1,
            "{rt:?}: one envelope"
        );
    }
    // The sintetica delivery receipt has no original; the completa one does.
    let has_original = |mid: &str| {
        let store = env.store.clone();
        let mid = mid.to_string();
        move || -> bool {
            let id = env_receipt(&store, &mid, "avvenuta-consegna");
            let raw = store.body(id).expect("body").expect("cached");
            raw.windows(13).any(|w| w == b"postacert.eml")
        }
    };
    assert!(has_original(&ids[0].2)());
    assert!(!has_original(&ids[2].2)());

    // External (non-PEC) recipient: flagged before sending, accepted, no delivery receipt.
    let q = env
        .outbox
        .queue(env.account, &draft(&[EXT], &[], "esterno"))
        .expect("queue");
    assert_eq!(q.warnings.len(), 1, "external flagged");
    let st = wait_for(&env, q.id, LONG, |s| {
        s.recipients[0].certified.is_some() && s.state == SendState::Accepted
    })
    .await;
    let r = rcpt(&st, EXT);
    assert_eq!(r.state, SendState::Accepted);
    assert_eq!(r.certified, Some(false));

    // Mixed: certified To, external Cc: delivered as a whole once the certified one is.
    let q = env
        .outbox
        .queue(env.account, &draft(&[U3.0], &[EXT], "misto"))
        .expect("queue");
    let st = wait_for(&env, q.id, LONG, |s| s.state == SendState::Delivered).await;
    assert_eq!(rcpt(&st, U3.0).state, SendState::Delivered);
    assert_eq!(rcpt(&st, EXT).state, SendState::Accepted);

    // Unknown user and unknown (certified) domain: failed, with the reason in plain words.
    let q1 = env
        .outbox
        .queue(
            env.account,
            &draft(&["nessuno@pec.sandbox.test"], &[], "utente ignoto"),
        )
        .expect("queue");
    let q2 = env
        .outbox
        .queue(
            env.account,
            &draft(&["tizio@ignoto.sandbox.test"], &[], "dominio ignoto"),
        )
        .expect("queue");
    let st = wait_for(&env, q1.id, LONG, |s| s.state == SendState::Failed).await;
    let r = rcpt(&st, "nessuno@pec.sandbox.test");
    assert_eq!(r.state, SendState::Failed);
    let reason = r.reason.clone().unwrap_or_default();
    assert!(reason.contains("mailbox does not exist"), "{reason}");
    let st = wait_for(&env, q2.id, LONG, |s| s.state == SendState::Failed).await;
    let reason = rcpt(&st, "tizio@ignoto.sandbox.test")
        .reason
        .clone()
        .unwrap_or_default();
    assert!(reason.contains("domain"), "{reason}");

    // Slow domain: warning (preavviso) first, then failure.
    let slow = "lento@lento.sandbox.test";
    let q = env
        .outbox
        .queue(env.account, &draft(&[slow], &[], "lento"))
        .expect("queue");
    let st = wait_for(&env, q.id, LONG, |s| s.state == SendState::Warning).await;
    assert!(rcpt(&st, slow).reason.is_some());
    let st = wait_for(&env, q.id, LONG, |s| s.state == SendState::Failed).await;
    let r = rcpt(&st, slow);
    assert_eq!(r.state, SendState::Failed);
    let k = kinds(r);
    let w = k
        .iter()
        .position(|k| *k == "warning")
        .expect("warning event");
    let f = k.iter().position(|k| *k == "failed").expect("failed event");
    assert!(w < f, "{k:?}");

    // The Sent copy was stored once per message (the sandbox does not keep one).
    let mut s = env.sb.dovecot.imap_login(U1.0, U1.1).await.expect("login");
    s.select("Sent").await.expect("select Sent");
    let n = s
        .uid_search(format!("HEADER Message-ID \"{}\"", ids[0].2))
        .await
        .expect("search")
        .len();
    assert_eq!(n, 1);
}

fn env_receipt(store: &pec_core::store::Store, mid: &str, kind: &str) -> i64 {
    let list = store
        .list(&pec_core::store::ListQuery::new(pec_core::store::View::All))
        .expect("list");
    list.iter()
        .filter(|m| m.receipt_type.as_deref() == Some(kind))
        .map(|m| m.id)
        .find(|id| {
            store
                .message(*id)
                .ok()
                .and_then(|d| d.ref_message_id)
                .as_deref()
                == Some(mid)
        })
        .unwrap_or_else(|| panic!("no {kind} for {mid}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_shown_plainly() {
    let opts = Options {
        policy: Policy {
            max_total_bytes: 2 * 1024 * 1024,
            ..Policy::default()
        },
        ..Options::default()
    };
    let Some(env) = setup("refusals_are_shown_plainly", opts).await else {
        return;
    };
    // Blocked attachment: refused before anything leaves the device, by name and by content.
    let mut d = draft(&[U2.0], &[], "eseguibile");
    d.attachments
        .push(Attachment::from_bytes("setup.exe", b"MZ\x90\x00".to_vec()));
    assert!(matches!(
        env.outbox.queue(env.account, &d),
        Err(pec_core::outbox::SendError::Compose(
            ComposeError::BlockedAttachment { .. }
        ))
    ));
    let mut d = draft(&[U2.0], &[], "finto pdf");
    d.attachments.push(Attachment::from_bytes(
        "fattura.pdf",
        b"\x7fELF\x02\x01".to_vec(),
    ));
    assert!(matches!(
        env.outbox.queue(env.account, &d),
        Err(pec_core::outbox::SendError::Compose(
            ComposeError::BlockedAttachment { .. }
        ))
    ));
    // Bcc refused with a clear message.
    let mut d = draft(&[U2.0], &[], "bcc");
    d.bcc.push(Mailbox::new(U3.0));
    let e = env.outbox.queue(env.account, &d).unwrap_err();
    assert!(e.to_string().contains("Bcc"), "{e}");

    // Too big for the preset (30 MB rule): refused locally.
    let mut d = draft(&[U2.0, U3.0], &[], "grande");
    d.attachments.push(Attachment::from_bytes(
        "grande.pdf",
        vec![b'x'; 12 * 1024 * 1024],
    ));
    assert!(matches!(
        env.outbox.queue(env.account, &d),
        Err(pec_core::outbox::SendError::Compose(
            ComposeError::TooLarge { recipients: 2, .. }
        ))
    ));
    // Too big for the provider whose limit is lower than the preset says: rejected by it.
    let mut preset = ProviderPreset::sandbox();
    preset.max_total_bytes = 100 * 1024 * 1024;
    env.outbox.set_preset(env.account, &preset).expect("preset");
    let mut d = draft(&[U2.0, U3.0], &[], "troppo grande");
    d.attachments.push(Attachment::from_bytes(
        "grande.pdf",
        vec![b'y'; 1024 * 1024],
    ));
    let big = env.outbox.queue(env.account, &d).expect("queued");
    let st = wait_for(&env, big.id, LONG, |s| s.state == SendState::Rejected).await;
    for r in &st.recipients {
        assert_eq!(r.state, SendState::Rejected);
        assert!(r.reason.is_some(), "{r:?}");
    }

    // EICAR: the provider's non-accettazione for a virus.
    let mut d = draft(&[U2.0], &[], "eicar");
    d.attachments.push(Attachment::from_bytes(
        "eicar.txt",
        br"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*".to_vec(),
    ));
    let q = env.outbox.queue(env.account, &d).expect("queued");
    let st = wait_for(&env, q.id, LONG, |s| s.state == SendState::Rejected).await;
    let reason = st.recipients[0].reason.clone().unwrap_or_default();
    assert!(reason.contains("virus"), "{reason}");
    assert_eq!(
        count_in_inbox(&env.sb, U2, "X-Riferimento-Message-ID", &q.message_id).await,
        0
    );

    // Wrong password: rejected as an authentication problem, sent after the fix and a retry.
    env.creds.set(U1.0, "sbagliata").expect("creds");
    let q = env
        .outbox
        .queue(env.account, &draft(&[U2.0], &[], "password"))
        .expect("queued");
    env.outbox
        .process(env.account, &env.creds)
        .await
        .expect("process");
    let st = env.outbox.status(q.id).expect("status");
    assert_eq!(st.state, SendState::Rejected);
    let entry = env.outbox.entry(q.id).expect("entry");
    assert_eq!(entry.error_kind, Some(FailureKind::Auth));
    assert!(
        st.error.clone().unwrap_or_default().contains("password"),
        "{st:?}"
    );
    env.creds.set(U1.0, U1.1).expect("creds");
    env.outbox.retry(q.id).expect("retry");
    let st = wait_for(&env, q.id, LONG, |s| s.state == SendState::Delivered).await;
    assert_eq!(st.recipients[0].state, SendState::Delivered);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_down_then_up_sends_once_and_drafts_reach_the_server() {
    let Some(env) = setup(
        "network_down_then_up_sends_once_and_drafts_reach_the_server",
        Options::default(),
    )
    .await
    else {
        return;
    };
    // Point SMTP at a closed port: the message waits in the queue, not lost, not rejected.
    let real = env.store.account(env.account).expect("account").config;
    let mut broken = real.clone();
    broken.smtp_port = pec_test_harness::free_port().expect("port");
    env.store.add_account(&broken).expect("update");
    let q = env
        .outbox
        .queue(env.account, &draft(&[U2.0], &[], "rete"))
        .expect("queued");
    let r = env
        .outbox
        .process(env.account, &env.creds)
        .await
        .expect("process");
    assert_eq!(r.retrying, vec![q.id]);
    let e = env.outbox.entry(q.id).expect("entry");
    assert_eq!(e.state, OutboxState::Queued);
    assert_eq!(e.error_kind, Some(FailureKind::Network));
    assert!(e.next_attempt_at > e.created_at, "backoff applied");
    env.store.add_account(&real).expect("restore");
    let st = wait_for(&env, q.id, LONG, |s| s.state == SendState::Delivered).await;
    assert_eq!(st.recipients[0].state, SendState::Delivered);
    assert_eq!(
        count_in_inbox(&env.sb, U2, "X-Riferimento-Message-ID", &q.message_id).await,
        1
    );

    // A draft saved to the server's Drafts folder (recipients may still be missing).
    let folder = env
        .outbox
        .save_draft_to_server(env.account, &env.creds, &draft(&[], &[], "bozza server"))
        .await
        .expect("draft saved");
    assert_eq!(folder, "Drafts");
    let mut s = env.sb.dovecot.imap_login(U1.0, U1.1).await.expect("login");
    s.select("Drafts").await.expect("select Drafts");
    let n = s
        .uid_search("DRAFT SUBJECT \"bozza server\"")
        .await
        .expect("search")
        .len();
    assert_eq!(n, 1);
}

/// Delivery receipts for a real recipient, forged by an outsider who can put mail into the sender's
/// INBOX: one signed by a look-alike provider (same name and domain as the sandbox's, its own CA),
/// one unsigned. Both are stored and listed, and neither moves the recipient past "accepted".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_receipts_never_deliver_a_recipient() {
    use pec_sandbox::pec::{self, Errore, Provider, Tipo, TipoRicevuta};
    let Some(env) = setup(
        "forged_receipts_never_deliver_a_recipient",
        Options::default(),
    )
    .await
    else {
        return;
    };
    // An external recipient gets no genuine delivery receipt: it stays accepted.
    let q = env
        .outbox
        .queue(env.account, &draft(&[EXT], &[], "da falsificare"))
        .expect("queue");
    let st = wait_for(&env, q.id, LONG, |s| s.state == SendState::Accepted).await;
    assert_eq!(rcpt(&st, EXT).state, SendState::Accepted);

    let mid = format!("<{}>", q.message_id.trim_matches(['<', '>']));
    let raw = format!(
        "From: {}\r\nTo: {EXT}\r\nSubject: da falsificare\r\nMessage-ID: {mid}\r\n\r\ntesto\r\n",
        U1.0
    );
    let orig = env
        .sb
        .engine
        .original(U1.0, raw.as_bytes())
        .expect("original");
    let now = pec::italy_now();

    let pki = pec_test_harness::Pki::generate().expect("pki");
    let signer = pki
        .provider_signer(pec_sandbox::PROVIDER_NAME, &env.sb.state.domains.pec_domain)
        .expect("look-alike signer");
    let rogue = Provider::from_signer(&signer).expect("rogue provider");
    let id = rogue.new_identificativo(&now);
    let signed = pec_sandbox::receipts::avvenuta_consegna(
        &rogue,
        &orig,
        &id,
        &now,
        EXT,
        TipoRicevuta::Sintetica,
        None,
    )
    .expect("forged signed receipt");
    let daticert = pec::daticert(
        &rogue,
        Tipo::AvvenutaConsegna,
        Errore::Nessuno,
        &orig,
        &now,
        &id,
        Some(TipoRicevuta::Sintetica),
        Some(EXT),
        None,
    );
    let unsigned = format!(
        "From: posta-certificata@{dom}\r\nTo: {u1}\r\nSubject: CONSEGNA: da falsificare\r\n\
         Message-ID: <forged-{id}>\r\nX-Ricevuta: avvenuta-consegna\r\n\
         X-Riferimento-Message-ID: {mid}\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\
         Content-Type: text/plain\r\n\r\nConsegnato a {EXT}\r\n--b\r\n\
         Content-Type: application/xml; name=\"daticert.xml\"\r\n\
         Content-Disposition: attachment; filename=\"daticert.xml\"\r\n\r\n{daticert}\r\n--b--\r\n",
        dom = env.sb.state.domains.pec_domain,
        u1 = U1.0,
    );

    let mut imap = env.sb.dovecot.imap_login(U1.0, U1.1).await.expect("login");
    for forged in [signed, unsigned.into_bytes()] {
        imap.append("INBOX", None, None, &forged)
            .await
            .expect("append");
    }
    imap.logout().await.ok();

    // Both forgeries reach the store as delivery receipts of this message...
    let st = wait_for(&env, q.id, LONG, |_| {
        forged_receipts(&env.store, &q.message_id) == 2
    })
    .await;
    // ...and the recipient stays where the genuine receipts left it.
    let r = rcpt(&st, EXT);
    assert_eq!(r.state, SendState::Accepted, "{:?}", kinds(r));
    assert!(!kinds(r).contains(&"delivered"), "{:?}", kinds(r));
    assert_ne!(st.state, SendState::Delivered);
}

/// Delivery receipts in the store that refer to `mid` (stored without angle brackets).
fn forged_receipts(store: &pec_core::store::Store, mid: &str) -> usize {
    let list = store
        .list(&pec_core::store::ListQuery::new(pec_core::store::View::All))
        .expect("list");
    list.iter()
        .filter(|m| m.receipt_type.as_deref() == Some("avvenuta-consegna"))
        .filter(|m| {
            store
                .message(m.id)
                .ok()
                .and_then(|d| d.ref_message_id)
                .as_deref()
                == Some(mid)
        })
        .count()
}
