//! `pec_core::message::analyze` reads what the sandbox produces exactly like the real samples:
//! same kinds, receipt kinds, receipt types, errors, identificativo, original, valid signature.

use crate::common;

use common::*;
use pec_core::message::{Analyzer, Kind, PecErrorCode, ReceiptKind, ReceiptType};
use pec_core::signature::{AnchorRole, SignatureStatus, TrustStore};

const EICAR: &str = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

fn msg(to: &str, cc: Option<&str>, subject: &str, tipo: &str, body: &str) -> Vec<u8> {
    let cc = cc.map(|c| format!("Cc: {c}\r\n")).unwrap_or_default();
    format!(
        "From: {u1}\r\nTo: {to}\r\n{cc}Subject: {subject}\r\nMessage-ID: <{id}@client.test>\r\nX-TipoRicevuta: {tipo}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n{body}\r\n--b\r\nContent-Type: application/pdf; name=\"a.pdf\"\r\nContent-Disposition: attachment; filename=\"a.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n",
        u1 = U1.0,
        id = subject.replace(' ', "-")
    )
    .into_bytes()
}

#[derive(Debug)]
struct Want {
    kind: Kind,
    receipt: Option<ReceiptKind>,
    receipt_type: Option<ReceiptType>,
    error: Option<PecErrorCode>,
    has_original: bool,
}

fn want(
    kind: Kind,
    receipt: Option<ReceiptKind>,
    rt: Option<ReceiptType>,
    error: Option<PecErrorCode>,
    orig: bool,
) -> Want {
    Want {
        kind,
        receipt,
        receipt_type: rt,
        error,
        has_original: orig,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn core_reads_sandbox_messages_like_real_ones() {
    let Some(sb) = start("core_analyze", fast_options()).await else {
        return;
    };
    let to = format!("{}, nessuno@pec.sandbox.test, x@ignoto.sandbox.test", U2.0);
    send_raw(
        &sb,
        Some(U1),
        U1.0,
        &[
            U2.0,
            "nessuno@pec.sandbox.test",
            "x@ignoto.sandbox.test",
            U3.0,
        ],
        &msg(&to, Some(U3.0), "completa", "completa", "ciao"),
    )
    .await
    .unwrap();
    send_raw(
        &sb,
        Some(U1),
        U1.0,
        &[U2.0],
        &msg(U2.0, None, "breve", "breve", "ciao"),
    )
    .await
    .unwrap();
    send_raw(
        &sb,
        Some(U1),
        U1.0,
        &[U2.0],
        &msg(U2.0, None, "virus", "completa", EICAR),
    )
    .await
    .unwrap();
    send_raw(
        &sb,
        Some(U1),
        U1.0,
        &["a@lento.sandbox.test"],
        &msg("a@lento.sandbox.test", None, "lento", "completa", "x"),
    )
    .await
    .unwrap();
    let plain = "From: spam@posta.example\r\nTo: utente3@pec.sandbox.test\r\nSubject: anomala\r\nMessage-ID: <an@x>\r\n\r\nciao\r\n";
    send_raw(&sb, None, "spam@posta.example", &[U3.0], plain.as_bytes())
        .await
        .unwrap();
    let engine = sb.state.engine().unwrap();
    pec_sandbox::sdi::inject_invoice(
        &engine,
        U3.0,
        "IT01234567890_00009.xml",
        b"<?xml version=\"1.0\"?><p:FatturaElettronica versione=\"FPR12\" xmlns:p=\"http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2\"/>",
    )
    .await
    .unwrap();

    // U1: 1 accettazione + 2 consegne + 2 errori (completa); 1 + 1 (breve); 1 non-acc (virus);
    // 1 accettazione + preavviso + errore (lento).
    let sender = wait_inbox(&sb, U1, 11).await;
    let u2 = wait_inbox(&sb, U2, 2).await;
    let u3 = wait_inbox(&sb, U3, 3).await;

    let trust = TrustStore::bundled()
        .with_anchor_pem(sb.ca_pem().as_bytes(), AnchorRole::PecProviders)
        .unwrap();
    let analyzer = Analyzer::new(trust);
    use Kind::*;
    use ReceiptKind as R;
    use ReceiptType as T;
    let nessuno = Some(PecErrorCode::Nessuno);
    let mut checked = 0;
    let mut ids = std::collections::HashMap::new();
    for raw in sender.iter().chain(&u2).chain(&u3) {
        let m = analyzer.analyze(raw).expect("analyze");
        let subj = subject(raw);
        let w = match subj.as_str() {
            "ACCETTAZIONE: completa" | "ACCETTAZIONE: breve" | "ACCETTAZIONE: lento" => {
                want(Receipt, Some(R::Accettazione), None, nessuno, false)
            }
            "CONSEGNA: completa" => {
                if m.correlation.consegna.as_deref() == Some(U2.0) {
                    want(
                        Receipt,
                        Some(R::AvvenutaConsegna),
                        Some(T::Completa),
                        nessuno,
                        true,
                    )
                } else {
                    want(
                        Receipt,
                        Some(R::AvvenutaConsegna),
                        Some(T::Sintetica),
                        nessuno,
                        false,
                    )
                }
            }
            "CONSEGNA: breve" => want(
                Receipt,
                Some(R::AvvenutaConsegna),
                Some(T::Breve),
                nessuno,
                true,
            ),
            "AVVISO DI MANCATA CONSEGNA: completa" => {
                let e = if m.correlation.consegna.as_deref() == Some("nessuno@pec.sandbox.test") {
                    PecErrorCode::NoDest
                } else {
                    PecErrorCode::NoDominio
                };
                want(Receipt, Some(R::ErroreConsegna), None, Some(e), false)
            }
            "AVVISO DI NON ACCETTAZIONE PER VIRUS: virus" => want(
                Receipt,
                Some(R::NonAccettazione),
                None,
                Some(PecErrorCode::Virus),
                false,
            ),
            "AVVISO DI MANCATA CONSEGNA PER SUP. TEMPO MASSIMO: lento" => {
                let r = if header(raw, "X-Ricevuta").as_deref() == Some("preavviso-errore-consegna")
                {
                    R::PreavvisoErroreConsegna
                } else {
                    R::ErroreConsegna
                };
                want(Receipt, Some(r), None, Some(PecErrorCode::Altro), false)
            }
            "POSTA CERTIFICATA: completa" => want(Envelope, None, Some(T::Completa), nessuno, true),
            "POSTA CERTIFICATA: breve" => want(Envelope, None, Some(T::Breve), nessuno, true),
            "ANOMALIA MESSAGGIO: anomala" => want(Anomaly, None, None, None, true),
            s if s.starts_with("POSTA CERTIFICATA: Invio File ") => {
                let sdi = m.sdi.as_ref().expect("SDI info");
                assert!(sdi.from_sdi, "{sdi:?}");
                assert!(sdi.invoice_attached, "{sdi:?}");
                want(Envelope, None, Some(T::Breve), nessuno, true)
            }
            other => panic!("unexpected message {other}"),
        };
        assert_eq!(m.kind, w.kind, "{subj}: {:?}", m.warnings);
        assert_eq!(m.receipt, w.receipt, "{subj}");
        assert_eq!(m.receipt_type, w.receipt_type, "{subj}");
        if w.kind != Anomaly {
            assert_eq!(m.error, w.error, "{subj}");
        }
        assert_eq!(m.has_original, w.has_original, "{subj}");
        assert_eq!(
            m.signature.status,
            Some(SignatureStatus::Valid),
            "{subj}: {:?}",
            m.signature.detail
        );
        assert!(
            m.signature
                .signer_cn
                .as_deref()
                .unwrap_or("")
                .starts_with("Posta Certificata ")
        );
        if w.kind != Anomaly {
            let id = m
                .correlation
                .identificativo
                .clone()
                .expect("identificativo");
            let key = m.subject.clone();
            let prev = ids.entry(key).or_insert(id.clone());
            assert_eq!(*prev, id, "{subj}: one identificativo per submission");
        }
        checked += 1;
    }
    assert_eq!(checked, 16);
}
