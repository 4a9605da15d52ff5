//! Error paths: 553, non accettazione (Bcc, virus, blocked type, size), errore-consegna (no-dest,
//! no-dominio), external recipients, slow domain (preavviso then errore), anomalia, SMTP size limit.

use crate::common;

use common::*;

fn raw(from: &str, to: &str, cc: Option<&str>, subject: &str, body: &str) -> Vec<u8> {
    let cc = cc.map(|c| format!("Cc: {c}\r\n")).unwrap_or_default();
    format!(
        "From: {from}\r\nTo: {to}\r\n{cc}Subject: {subject}\r\nMessage-ID: <{}@client.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n",
        subject.replace(' ', "-")
    )
    .into_bytes()
}

fn with_attachment(subject: &str, name: &str, content: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(content);
    format!(
        "From: {u1}\r\nTo: {u2}\r\nSubject: {subject}\r\nMessage-ID: <{id}@client.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nvedi allegato\r\n--b1\r\nContent-Type: application/octet-stream; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64}\r\n--b1--\r\n",
        u1 = U1.0,
        u2 = U2.0,
        id = subject.replace(' ', "-")
    )
    .into_bytes()
}

const EICAR: &[u8] = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sender_checks_553_and_smtp_size_limit() {
    let mut opts = fast_options();
    opts.policy.max_message_bytes = 100 * 1024;
    let Some(sb) = start("sender_checks_553", opts).await else {
        return;
    };
    // Envelope sender not owned by the login.
    let e = send_raw(
        &sb,
        Some(U1),
        U2.0,
        &[U3.0],
        &raw(U2.0, U3.0, None, "altrui", "x"),
    )
    .await
    .unwrap_err();
    assert!(e.contains("553") || e.contains("5.7.1"), "{e}");
    assert!(e.contains("not owned by user"), "{e}");
    // From header differs from the envelope sender.
    let e = send_raw(
        &sb,
        Some(U1),
        U1.0,
        &[U3.0],
        &raw(U2.0, U3.0, None, "from falso", "x"),
    )
    .await
    .unwrap_err();
    assert!(e.contains("5.7.1"), "{e}");
    // Wrong password.
    let e = send_raw(
        &sb,
        Some((U1.0, "sbagliata")),
        U1.0,
        &[U3.0],
        &raw(U1.0, U3.0, None, "pw", "x"),
    )
    .await
    .unwrap_err();
    assert!(
        e.contains("5.7.8") || e.contains("535") || e.to_lowercase().contains("auth"),
        "{e}"
    );
    // Over the SMTP SIZE limit.
    let big = "y".repeat(150 * 1024);
    let e = send_raw(
        &sb,
        Some(U1),
        U1.0,
        &[U3.0],
        &raw(U1.0, U3.0, None, "grande", &big),
    )
    .await
    .unwrap_err();
    assert!(e.contains("5.3.4") || e.contains("552"), "{e}");
    // Nothing was accepted, so nothing was delivered: a final good message is the only one.
    send_raw(
        &sb,
        Some(U1),
        U1.0,
        &[U3.0],
        &raw(U1.0, U3.0, None, "buono", "ok"),
    )
    .await
    .unwrap();
    let got = wait_inbox(&sb, U3, 1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(subject(&got[0]), "POSTA CERTIFICATA: buono");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_accettazione_bcc_virus_blocked_size() {
    let mut opts = fast_options();
    opts.policy.max_total_bytes = 40 * 1024;
    let Some(sb) = start("non_accettazione", opts).await else {
        return;
    };
    // Bcc: RCPT not in To/Cc.
    send_raw(
        &sb,
        Some(U1),
        U1.0,
        &[U2.0, U3.0],
        &raw(U1.0, U2.0, None, "con bcc", "x"),
    )
    .await
    .unwrap();
    // Virus.
    send_raw(
        &sb,
        Some(U1),
        U1.0,
        &[U2.0],
        &with_attachment("virus", "eicar.com.txt", EICAR),
    )
    .await
    .unwrap();
    // Blocked attachment type.
    send_raw(
        &sb,
        Some(U1),
        U1.0,
        &[U2.0],
        &with_attachment("eseguibile", "setup.exe", b"MZ\x90\x00"),
    )
    .await
    .unwrap();
    // Size x recipients over the limit (25 KiB x 2 > 40 KiB).
    let body = "z".repeat(25 * 1024);
    send_raw(
        &sb,
        Some(U1),
        U1.0,
        &[U2.0, U3.0],
        &raw(U1.0, U2.0, Some(U3.0), "pesante", &body),
    )
    .await
    .unwrap();
    let sent = wait_inbox(&sb, U1, 4).await;
    assert_eq!(sent.len(), 4);
    let mut seen = Vec::new();
    for m in &sent {
        assert_eq!(header(m, "X-Ricevuta").as_deref(), Some("non-accettazione"));
        assert_eq!(
            header(m, "From").unwrap(),
            "posta-certificata@pec.sandbox.test"
        );
        verify_signature(m).unwrap();
        let p = pec(m);
        assert!(p.postacert.is_none());
        let d = p.daticert.unwrap();
        assert_eq!(
            xml_attr(&d, "postacert", "tipo").unwrap(),
            "non-accettazione"
        );
        let errore = xml_attr(&d, "postacert", "errore").unwrap();
        let esteso = xml_text(&d, "errore-esteso").unwrap();
        let subj = subject(m);
        match xml_text(&d, "oggetto").unwrap().as_str() {
            "virus" => {
                assert_eq!(errore, "virus");
                assert_eq!(subj, "AVVISO DI NON ACCETTAZIONE PER VIRUS: virus");
            }
            "con bcc" => {
                assert_eq!(errore, "altro");
                assert!(esteso.contains("copia nascosta"), "{esteso}");
                assert_eq!(subj, "AVVISO DI NON ACCETTAZIONE: con bcc");
            }
            "eseguibile" => {
                assert_eq!(errore, "altro");
                assert!(esteso.contains("setup.exe"), "{esteso}");
            }
            "pesante" => {
                assert_eq!(errore, "altro");
                assert!(esteso.contains("dimensione massima"), "{esteso}");
            }
            other => panic!("unexpected {other}"),
        }
        seen.push(subj);
    }
    assert_eq!(seen.len(), 4);
    // Nothing reached the recipients: a later good message is the first in their box.
    send_raw(
        &sb,
        Some(U1),
        U1.0,
        &[U2.0],
        &raw(U1.0, U2.0, None, "dopo", "ok"),
    )
    .await
    .unwrap();
    let got = wait_inbox(&sb, U2, 1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(subject(&got[0]), "POSTA CERTIFICATA: dopo");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_dest_no_dominio_and_external() {
    let Some(sb) = start("no_dest_no_dominio_external", fast_options()).await else {
        return;
    };
    let to = "nessuno@pec.sandbox.test, qualcuno@ignoto.sandbox.test";
    let msg = raw(U1.0, to, Some(EXT.0), "misto", "ciao");
    send_raw(
        &sb,
        Some(U1),
        U1.0,
        &[
            "nessuno@pec.sandbox.test",
            "qualcuno@ignoto.sandbox.test",
            EXT.0,
        ],
        &msg,
    )
    .await
    .unwrap();
    // The external recipient is handled last: once it has the envelope all receipts exist.
    let ext = wait_inbox(&sb, EXT, 1).await;
    let env = &ext[0];
    assert_eq!(header(env, "X-Trasporto").unwrap(), "posta-certificata");
    let d = pec(env).daticert.unwrap();
    assert!(d.contains(&format!(
        "<destinatari tipo=\"esterno\">{}</destinatari>",
        EXT.0
    )));
    assert!(d.contains("<destinatari tipo=\"certificato\">nessuno@pec.sandbox.test</destinatari>"));

    let sent = wait_inbox(&sb, U1, 3).await;
    assert_eq!(
        sent.len(),
        3,
        "accettazione + 2 errori, no receipt for the external recipient"
    );
    assert_eq!(by_kind(&sent, "X-Ricevuta", "accettazione").len(), 1);
    assert!(by_kind(&sent, "X-Ricevuta", "avvenuta-consegna").is_empty());
    let errs = by_kind(&sent, "X-Ricevuta", "errore-consegna");
    assert_eq!(errs.len(), 2);
    for e in errs {
        assert_eq!(subject(e), "AVVISO DI MANCATA CONSEGNA: misto");
        verify_signature(e).unwrap();
        let d = pec(e).daticert.unwrap();
        let errore = xml_attr(&d, "postacert", "errore").unwrap();
        let esteso = xml_text(&d, "errore-esteso").unwrap();
        match xml_text(&d, "consegna").unwrap().as_str() {
            "nessuno@pec.sandbox.test" => {
                assert_eq!(errore, "no-dest");
                assert_eq!(esteso, "5.1.1 - SANDBOX PEC S.p.A. - indirizzo non valido");
            }
            "qualcuno@ignoto.sandbox.test" => {
                assert_eq!(errore, "no-dominio");
                assert!(esteso.starts_with("5.1.2"), "{esteso}");
            }
            other => panic!("unexpected consegna {other}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_domain_preavviso_then_errore() {
    let Some(sb) = start("slow_domain", fast_options()).await else {
        return;
    };
    send_raw(
        &sb,
        Some(U1),
        U1.0,
        &["lontano@lento.sandbox.test"],
        &raw(U1.0, "lontano@lento.sandbox.test", None, "lento", "x"),
    )
    .await
    .unwrap();
    let sent = wait_inbox(&sb, U1, 3).await;
    assert_eq!(sent.len(), 3);
    // In arrival order: accettazione, preavviso, errore.
    assert_eq!(header(&sent[0], "X-Ricevuta").unwrap(), "accettazione");
    assert_eq!(
        header(&sent[1], "X-Ricevuta").unwrap(),
        "preavviso-errore-consegna"
    );
    assert_eq!(header(&sent[2], "X-Ricevuta").unwrap(), "errore-consegna");
    for m in &sent[1..] {
        assert_eq!(
            subject(m),
            "AVVISO DI MANCATA CONSEGNA PER SUP. TEMPO MASSIMO: lento"
        );
        verify_signature(m).unwrap();
    }
    let d1 = pec(&sent[1]).daticert.unwrap();
    assert_eq!(
        xml_attr(&d1, "postacert", "tipo").unwrap(),
        "preavviso-errore-consegna"
    );
    assert_eq!(
        xml_text(&d1, "consegna").unwrap(),
        "lontano@lento.sandbox.test"
    );
    let d2 = pec(&sent[2]).daticert.unwrap();
    assert_eq!(
        xml_attr(&d2, "postacert", "tipo").unwrap(),
        "errore-consegna"
    );
    let id0 = xml_text(&pec(&sent[0]).daticert.unwrap(), "identificativo");
    assert_eq!(xml_text(&d1, "identificativo"), id0);
    assert_eq!(xml_text(&d2, "identificativo"), id0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inbound_plain_mail_becomes_anomalia() {
    let Some(sb) = start("anomalia", fast_options()).await else {
        return;
    };
    let from = "mario.rossi@posta.example";
    // No AUTH: the provider's MX role; non-local recipients are refused.
    let e = send_raw(
        &sb,
        None,
        from,
        &["x@altrove.example"],
        &raw(from, "x@altrove.example", None, "relay", "x"),
    )
    .await
    .unwrap_err();
    assert!(e.contains("5.7.1") || e.contains("550"), "{e}");
    let e = send_raw(
        &sb,
        None,
        U1.0,
        &[U2.0],
        &raw(U1.0, U2.0, None, "finto", "x"),
    )
    .await
    .unwrap_err();
    assert!(e.contains("530") || e.contains("5.7.0"), "{e}");
    send_raw(
        &sb,
        None,
        from,
        &[U2.0],
        &raw(from, U2.0, None, "Offerta speciale", "compra"),
    )
    .await
    .unwrap();
    let got = wait_inbox(&sb, U2, 1).await;
    let m = &got[0];
    assert_eq!(subject(m), "ANOMALIA MESSAGGIO: Offerta speciale");
    assert_eq!(header(m, "X-Trasporto").unwrap(), "errore");
    assert_eq!(
        header(m, "From").unwrap(),
        format!("\"Per conto di: {from}\" <posta-certificata@pec.sandbox.test>")
    );
    assert_eq!(header(m, "Reply-To").unwrap(), from);
    assert_eq!(
        header(m, "X-Riferimento-Message-ID").unwrap(),
        "<Offerta-speciale@client.test>"
    );
    let p = pec(m);
    assert!(p.has_signature);
    assert!(p.daticert.is_none());
    let orig = p.postacert.expect("original attached");
    assert!(String::from_utf8_lossy(&orig).contains("compra"));
    verify_signature(m).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_mailbox_gets_errore_consegna() {
    let mut opts = fast_options();
    opts.quotas.insert(U2.0.to_string(), 1);
    let Some(sb) = start("full_mailbox", opts).await else {
        return;
    };
    let body = "q".repeat(1536 * 1024);
    send_raw(
        &sb,
        Some(U1),
        U1.0,
        &[U2.0],
        &raw(U1.0, U2.0, None, "troppo", &body),
    )
    .await
    .unwrap();
    let sent = wait_inbox(&sb, U1, 2).await;
    let errs = by_kind(&sent, "X-Ricevuta", "errore-consegna");
    assert_eq!(errs.len(), 1);
    let d = pec(errs[0]).daticert.unwrap();
    assert_eq!(xml_attr(&d, "postacert", "errore").unwrap(), "altro");
    assert_eq!(
        xml_text(&d, "errore-esteso").unwrap(),
        "5.2.2 - SANDBOX PEC S.p.A. - casella piena"
    );
}

/// A data folder under a 0700 directory: Dovecot's unprivileged processes cannot reach it, so
/// the sandbox refuses to start and names the directory, instead of starting and then failing
/// every login with "Temporary authentication failure". (As root only: an ordinary user's
/// Dovecot runs as that user, who can enter its own 0700 directory.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_folder_dovecot_cannot_reach_is_refused_at_start() {
    use pec_sandbox::{Options, Sandbox};
    use std::os::unix::fs::PermissionsExt;
    if pec_test_harness::dovecot_or_skip("a_data_folder_dovecot_cannot_reach_is_refused_at_start")
        .is_none()
    {
        return;
    }
    let root = std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            l.strip_prefix("Uid:")
                .map(|r| r.split_whitespace().next() == Some("0"))
        })
        .unwrap_or(false);
    if !root {
        eprintln!("skipped: only root runs Dovecot as another user");
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let private = tmp.path().join("privata");
    std::fs::create_dir(&private).expect("mkdir");
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let opts = Options {
        dir: Some(private.join("pec")),
        ..fast_options()
    };
    let err = match Sandbox::start(opts).await {
        Ok(_) => panic!("a sandbox Dovecot cannot serve must not start"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("cannot enter"), "{err}");
    assert!(err.contains("privata"), "{err}");
    assert!(err.contains("Temporary authentication failure"), "{err}");

    // Once the directory can be entered, the same folder works and logins succeed.
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o711)).expect("chmod");
    let sb = Sandbox::start(Options {
        dir: Some(private.join("pec")),
        ..fast_options()
    })
    .await
    .expect("sandbox starts");
    sb.dovecot
        .imap_login(U1.0, U1.1)
        .await
        .expect("login once the folder is reachable");
}
