//! `pec-sandbox seed`: fill a mailbox with a realistic mix for benchmarks, delivered by LMTP over a
//! few long-lived sessions in parallel (Dovecot runs one lmtp process per session).
//!
//! Mix (per 20 messages): 8 buste di trasporto with a PDF-like attachment, 3 accettazioni,
//! 3 avvenute consegne (completa), 1 errore-consegna, 2 SDI invoices (MT + invoice, .p7m when the
//! corpus provides one), 1 anomalia, 1 non-accettazione, 1 preavviso; every 250th message is large
//! (2 MiB attachment).

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use base64::Engine as _;
use pec_test_harness::LmtpClient;

use crate::SandboxError;
use crate::engine::Engine;
use crate::pec::{Errore, TipoRicevuta, italy_now, postacert_eml, received, rfc5322};
use crate::receipts::{self, Failure};

/// Result of a seed run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SeedReport {
    pub messages: usize,
    pub seconds: f64,
    pub per_second: f64,
}

fn sample_invoice(corpus: Option<&Path>) -> (String, Vec<u8>) {
    if let Some(dir) = corpus {
        let mut stack = vec![dir.join("fatturapa")];
        while let Some(d) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(&d) else {
                continue;
            };
            let mut entries: Vec<_> = rd.flatten().collect();
            entries.sort_by_key(|e| e.file_name());
            for e in entries {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if let Some(n) = p.file_name().and_then(|n| n.to_str())
                    && n.ends_with(".xml.p7m")
                    && crate::sdi::valid_invoice_name(n)
                    && let Ok(data) = std::fs::read(&p)
                {
                    return (n.to_string(), data);
                }
            }
        }
    }
    let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<p:FatturaElettronica versione=\"FPR12\" xmlns:p=\"http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2\"><FatturaElettronicaHeader><DatiTrasmissione><IdTrasmittente><IdPaese>IT</IdPaese><IdCodice>01234567890</IdCodice></IdTrasmittente><ProgressivoInvio>00001</ProgressivoInvio><FormatoTrasmissione>FPR12</FormatoTrasmissione><CodiceDestinatario>0000000</CodiceDestinatario></DatiTrasmissione></FatturaElettronicaHeader><FatturaElettronicaBody><DatiGenerali><DatiGeneraliDocumento><TipoDocumento>TD01</TipoDocumento><Divisa>EUR</Divisa><Data>2026-01-15</Data><Numero>1</Numero></DatiGeneraliDocumento></DatiGenerali></FatturaElettronicaBody></p:FatturaElettronica>\n";
    ("IT01234567890_00001.xml".into(), xml.as_bytes().to_vec())
}

/// A plain client message from `from` to `to` with an optional attachment.
pub fn client_message(
    from: &str,
    to: &str,
    subject: &str,
    msgid: &str,
    attachment: Option<(&str, &[u8])>,
) -> Vec<u8> {
    let date = rfc5322(&italy_now());
    let mut m = format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: {msgid}\r\nMIME-Version: 1.0\r\nX-TipoRicevuta: completa\r\n"
    );
    match attachment {
        None => m.push_str(
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nBuongiorno,\r\nin allegato quanto richiesto.\r\n\r\nCordiali saluti\r\n",
        ),
        Some((name, data)) => {
            let b = format!("=_seed_{}", msgid.len() * 7919 + subject.len());
            m.push_str(&format!(
                "Content-Type: multipart/mixed; boundary=\"{b}\"\r\n\r\n--{b}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nBuongiorno,\r\nin allegato il documento {name}.\r\n\r\n--{b}\r\nContent-Type: application/pdf; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            ));
            let enc = base64::engine::general_purpose::STANDARD.encode(data);
            for c in enc.as_bytes().chunks(76) {
                m.push_str(std::str::from_utf8(c).expect("ascii"));
                m.push_str("\r\n");
            }
            m.push_str(&format!("--{b}--\r\n"));
        }
    }
    m.into_bytes()
}

fn pdf_like(size: usize, salt: usize) -> Vec<u8> {
    let mut v = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut x: u32 = 0x9e37_79b9 ^ salt as u32;
    while v.len() < size {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        v.push((x & 0xff) as u8);
    }
    v.extend_from_slice(b"\n%%EOF\n");
    v
}

/// Build message number `i` of the mix for `account`.
pub fn build(
    engine: &Engine,
    account: &str,
    i: usize,
    invoice: &(String, Vec<u8>),
) -> Result<Vec<u8>, SandboxError> {
    let d = &engine.domains;
    let peer = format!("corrispondente{}@{}", i % 37, d.pec_domain);
    let subject = format!("Pratica {} - documentazione", 10_000 + i);
    let msgid = format!("<seed.{i}.{}@client.sandbox.test>", std::process::id());
    let large = i % 250 == 249;
    let att_size = if large { 2 * 1024 * 1024 } else { 12 * 1024 };
    let p = &engine.provider;
    let at = italy_now();
    let kind = if large { 0 } else { i % 20 };
    Ok(match kind {
        0..=7 => {
            // Incoming busta di trasporto from another PEC user to the account.
            let pdf = pdf_like(att_size, i);
            let name = format!("documento_{i}.pdf");
            let raw = client_message(&peer, account, &subject, &msgid, Some((&name, &pdf)));
            let orig = engine.original(&peer, &raw)?;
            let id = p.new_identificativo(&at);
            let pc = postacert_eml(
                &orig,
                &id,
                &received("client.sandbox.test", "smtps.sandbox", account, &at),
            );
            receipts::busta_trasporto(p, &orig, &id, &at, TipoRicevuta::Completa, &pc, &[])?
        }
        8..=14 | 18 | 19 => {
            // Receipts for a message the account sent.
            let raw = client_message(account, &peer, &subject, &msgid, None);
            let orig = engine.original(account, &raw)?;
            let id = p.new_identificativo(&at);
            match kind {
                8..=10 => receipts::accettazione(p, &orig, &id, &at)?,
                11..=13 => {
                    let pc = postacert_eml(
                        &orig,
                        &id,
                        &received("client.sandbox.test", "smtps.sandbox", &peer, &at),
                    );
                    receipts::avvenuta_consegna(
                        p,
                        &orig,
                        &id,
                        &at,
                        &peer,
                        TipoRicevuta::Completa,
                        Some(&pc),
                    )?
                }
                14 => receipts::errore_consegna(
                    p,
                    &orig,
                    &id,
                    &at,
                    &peer,
                    Errore::NoDest,
                    &format!("5.1.1 - {} - indirizzo non valido", p.name),
                    Failure::Immediate,
                )?,
                18 => receipts::non_accettazione(
                    p,
                    &orig,
                    &id,
                    &at,
                    Errore::Altro,
                    &format!(
                        "5.7.1 - {} - destinatari in copia nascosta (Bcc) non ammessi",
                        p.name
                    ),
                )?,
                _ => receipts::errore_consegna(
                    p,
                    &orig,
                    &id,
                    &at,
                    &peer,
                    Errore::Altro,
                    &format!(
                        "4.4.7 - {} - messaggio non ancora consegnato entro il primo limite temporale",
                        p.name
                    ),
                    Failure::Preavviso,
                )?,
            }
        }
        15 | 16 => crate::sdi::invoice_envelope(engine, account, &invoice.0, &invoice.1)?,
        _ => {
            // 17: anomalia.
            let from = format!("newsletter{}@{}", i % 11, d.external_domain);
            let raw = client_message(&from, account, &subject, &msgid, None);
            let orig = engine.original(&from, &raw)?;
            receipts::anomalia(p, &orig, &at, account)?
        }
    })
}

/// Deliver `n` messages into `account` over `sessions` parallel LMTP sessions.
pub async fn seed(
    engine: Arc<Engine>,
    account: &str,
    n: usize,
    sessions: usize,
    corpus: Option<&Path>,
) -> Result<SeedReport, SandboxError> {
    let invoice = Arc::new(sample_invoice(corpus));
    let start = Instant::now();
    let sessions = sessions.max(1);
    let mut tasks = Vec::new();
    for s in 0..sessions {
        let engine = engine.clone();
        let account = account.to_string();
        let invoice = invoice.clone();
        tasks.push(tokio::spawn(async move {
            let mut lmtp = LmtpClient::connect(&engine.lmtp_socket).await?;
            let from = engine.provider.address();
            let mut i = s;
            while i < n {
                let m = build(&engine, &account, i, &invoice)?;
                let st = lmtp.deliver(&from, &[account.as_str()], &m).await?;
                if !st[0].is_delivered() {
                    return Err(SandboxError::Message(format!(
                        "seed message {i} refused: {st:?}"
                    )));
                }
                i += sessions;
            }
            lmtp.quit().await?;
            Ok::<(), SandboxError>(())
        }));
    }
    for t in tasks {
        t.await
            .map_err(|e| SandboxError::Message(e.to_string()))??;
    }
    let seconds = start.elapsed().as_secs_f64();
    Ok(SeedReport {
        messages: n,
        seconds,
        per_second: n as f64 / seconds.max(1e-9),
    })
}
