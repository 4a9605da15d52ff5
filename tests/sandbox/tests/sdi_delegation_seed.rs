//! SDI stand-in (RC, NS, inject-invoice), delegated access, seed.

use crate::common;

use common::*;
use pec_test_harness::{Delegate, DelegatePerms};

fn invoice_mail(name: &str, content: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(content);
    format!(
        "From: {u1}\r\nTo: sdi01@pec.fatturapa.it\r\nSubject: Invio fattura {name}\r\nMessage-ID: <{name}@client.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nfattura\r\n--b1\r\nContent-Type: application/octet-stream; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64}\r\n--b1--\r\n",
        u1 = U1.0
    )
    .into_bytes()
}

const FATTURA: &[u8] = b"<?xml version=\"1.0\"?><p:FatturaElettronica versione=\"FPR12\" xmlns:p=\"http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2\"></p:FatturaElettronica>";

fn attachments(raw: &[u8]) -> Vec<(String, Vec<u8>)> {
    use mail_parser::MimeHeaders;
    let m = mail_parser::MessageParser::default().parse(raw).unwrap();
    m.attachments()
        .filter_map(|a| {
            a.attachment_name()
                .map(|n| (n.to_string(), a.contents().to_vec()))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sdi_rc_and_ns() {
    let Some(sb) = start("sdi_rc_and_ns", fast_options()).await else {
        return;
    };
    let sdi = sb.state.sdi_address.clone();
    send_raw(
        &sb,
        Some(U1),
        U1.0,
        &[&sdi],
        &invoice_mail("IT01234567890_00042.xml", FATTURA),
    )
    .await
    .unwrap();
    send_raw(
        &sb,
        Some(U1),
        U1.0,
        &[&sdi],
        &invoice_mail("fattura.xml", FATTURA),
    )
    .await
    .unwrap();
    // Per message: accettazione, consegna (issued by the SDI's provider), SDI notification.
    let got = wait_inbox(&sb, U1, 6).await;
    assert_eq!(got.len(), 6);
    assert_eq!(by_kind(&got, "X-Ricevuta", "accettazione").len(), 2);
    let cons = by_kind(&got, "X-Ricevuta", "avvenuta-consegna");
    assert_eq!(cons.len(), 2);
    for c in cons {
        assert_eq!(
            header(c, "From").unwrap(),
            "posta-certificata@pcert.sogei.it"
        );
        let d = pec(c).daticert.unwrap();
        assert_eq!(xml_text(&d, "gestore-emittente").unwrap(), "Sogei SpA");
        assert_eq!(xml_text(&d, "consegna").unwrap(), sdi);
        verify_signature(c).unwrap();
    }
    let envs = by_kind(&got, "X-Trasporto", "posta-certificata");
    assert_eq!(envs.len(), 2);
    let mut kinds = Vec::new();
    for e in envs {
        assert_eq!(
            header(e, "From").unwrap(),
            "\"Per conto di: sdi01@pec.fatturapa.it\" <posta-certificata@pcert.sogei.it>"
        );
        assert_eq!(header(e, "Reply-To").unwrap(), sdi);
        verify_signature(e).unwrap();
        let orig = pec(e).postacert.unwrap();
        let files = attachments(&orig);
        assert_eq!(files.len(), 1);
        let (name, xml) = &files[0];
        let xml = String::from_utf8_lossy(xml).to_string();
        let s = subject(e);
        if name == "IT01234567890_00042_RC_001.xml" {
            assert!(
                s.starts_with("POSTA CERTIFICATA: Ricevuta di consegna "),
                "{s}"
            );
            assert!(xml.contains("RicevutaConsegna"));
            assert!(xml.contains("<NomeFile>IT01234567890_00042.xml</NomeFile>"));
            kinds.push("RC");
        } else {
            assert_eq!(name, "fattura_NS_001.xml");
            assert!(
                s.starts_with("POSTA CERTIFICATA: Notifica di scarto "),
                "{s}"
            );
            assert!(xml.contains("RicevutaScarto") && xml.contains("<Codice>00001</Codice>"));
            kinds.push("NS");
        }
    }
    kinds.sort();
    assert_eq!(kinds, ["NS", "RC"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inject_invoice_like_the_sdi() {
    let Some(sb) = start("inject_invoice", fast_options()).await else {
        return;
    };
    let corpus = std::env::var("PEC_CORPUS").unwrap_or_else(|_| "/work/shared/corpus".into());
    let path = std::path::Path::new(&corpus).join("fatturapa/dotnet/IT02182030391_31.xml.p7m");
    let (name, content) = match std::fs::read(&path) {
        Ok(c) => ("IT02182030391_31.xml.p7m".to_string(), c),
        Err(_) => ("IT01234567890_00001.xml".to_string(), FATTURA.to_vec()),
    };
    let engine = sb.state.engine().unwrap();
    pec_sandbox::sdi::inject_invoice(&engine, U2.0, &name, &content)
        .await
        .unwrap();
    let got = wait_inbox(&sb, U2, 1).await;
    let e = &got[0];
    assert!(subject(e).starts_with("POSTA CERTIFICATA: Invio File "));
    assert_eq!(header(e, "X-Trasporto").unwrap(), "posta-certificata");
    assert_eq!(header(e, "X-TipoRicevuta").unwrap(), "breve");
    assert_eq!(
        header(e, "From").unwrap(),
        "\"Per conto di: sdi01@pec.fatturapa.it\" <posta-certificata@pcert.sogei.it>"
    );
    verify_signature(e).unwrap();
    let p = pec(e);
    let d = p.daticert.unwrap();
    assert_eq!(xml_text(&d, "mittente").unwrap(), "sdi01@pec.fatturapa.it");
    assert_eq!(xml_text(&d, "gestore-emittente").unwrap(), "Sogei SpA");
    let files = attachments(&p.postacert.unwrap());
    assert_eq!(files.len(), 2);
    assert!(files[0].0.ends_with("_MT_001.xml"));
    assert!(String::from_utf8_lossy(&files[0].1).contains("FileMetadati"));
    assert_eq!(files[1].0, name);
    assert_eq!(files[1].1, content, "invoice bytes intact");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delegation_send_read_programs() {
    let mut opts = fast_options();
    let d = |user: &str, perms: &str| Delegate {
        owner: U1.0.into(),
        username: user.into(),
        password: format!("pw-{user}"),
        perms: DelegatePerms::parse(perms).unwrap(),
    };
    opts.delegates = vec![
        d("segretaria@pec.sandbox.test", "read,send,programs"),
        d("lettore@pec.sandbox.test", "read,programs"),
        d("bloccato@pec.sandbox.test", "read,write,send"),
    ];
    let Some(sb) = start("delegation", opts).await else {
        return;
    };
    let seg = (
        "segretaria@pec.sandbox.test",
        "pw-segretaria@pec.sandbox.test",
    );
    let let_ = ("lettore@pec.sandbox.test", "pw-lettore@pec.sandbox.test");
    let blo = ("bloccato@pec.sandbox.test", "pw-bloccato@pec.sandbox.test");
    let m = |subj: &str| {
        format!(
            "From: {}\r\nTo: {}\r\nSubject: {subj}\r\nMessage-ID: <{subj}@c>\r\n\r\nx\r\n",
            U1.0, U2.0
        )
        .into_bytes()
    };
    // send permission: submit as the owner.
    send_raw(&sb, Some(seg), U1.0, &[U2.0], &m("delegato"))
        .await
        .unwrap();
    // ...but not as itself (it has no mailbox) nor as anyone else.
    let e = send_raw(&sb, Some(seg), U3.0, &[U2.0], &m("altro"))
        .await
        .unwrap_err();
    assert!(e.contains("not owned by user"), "{e}");
    // No send permission.
    let e = send_raw(&sb, Some(let_), U1.0, &[U2.0], &m("lettore"))
        .await
        .unwrap_err();
    assert!(e.contains("not owned by user"), "{e}");
    // No "programs": neither SMTP nor IMAP.
    assert!(
        send_raw(&sb, Some(blo), U1.0, &[U2.0], &m("bloccato"))
            .await
            .is_err()
    );
    assert!(sb.dovecot.imap_login(blo.0, blo.1).await.is_err());

    // The receipts of the delegate's submission land in the owner's mailbox, which the delegate
    // reads with its own credentials (read permission, no write).
    let own = wait_inbox(&sb, U1, 2).await;
    assert_eq!(own.len(), 2);
    let via_delegate = wait_inbox(&sb, seg, 2).await;
    assert_eq!(via_delegate.len(), 2);
    let mut s = sb.dovecot.imap_login(seg.0, seg.1).await.unwrap();
    assert!(s.append("INBOX", None, None, m("scrittura")).await.is_err());
    s.logout().await.ok();
    let env = wait_inbox(&sb, U2, 1).await;
    assert_eq!(header(&env[0], "Reply-To").unwrap(), U1.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_fills_a_mailbox_with_a_mix() {
    let Some(sb) = start("seed", fast_options()).await else {
        return;
    };
    let engine = std::sync::Arc::new(sb.state.engine().unwrap());
    let corpus = std::env::var("PEC_CORPUS")
        .ok()
        .map(std::path::PathBuf::from);
    // 40 by LMTP, then 20 by doveadm import.
    let report = pec_sandbox::seed::seed(
        engine.clone(),
        U3.0,
        40,
        pec_sandbox::seed::Method::Lmtp { sessions: 3 },
        corpus.as_deref(),
    )
    .await
    .unwrap();
    assert_eq!(report.messages, 40);
    let report = pec_sandbox::seed::seed(
        engine,
        U3.0,
        20,
        pec_sandbox::seed::Method::Import {
            conf: sb.state.dovecot_conf.clone(),
        },
        corpus.as_deref(),
    )
    .await
    .unwrap();
    assert_eq!(report.messages, 20);
    let got = wait_inbox(&sb, U3, 60).await;
    assert_eq!(got.len(), 60);
    let count = |h: &str, v: &str| by_kind(&got, h, v).len();
    // Two rounds of the mix (40 = 2 × 20, then the first 20 again).
    assert!(count("X-Trasporto", "posta-certificata") >= 30);
    assert!(count("X-Ricevuta", "accettazione") >= 9);
    assert!(count("X-Ricevuta", "avvenuta-consegna") >= 9);
    assert!(count("X-Trasporto", "errore") >= 3);
    assert!(got.iter().any(|m| header(m, "X-Fattura-PA").is_some()));
    for m in got.iter().step_by(7) {
        verify_signature(m).unwrap();
    }
}
