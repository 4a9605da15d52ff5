//! SDI stand-in: invoices sent to the SDI address get an RC (ricevuta di consegna) or NS (notifica di
//! scarto) back; `inject_invoice` delivers an incoming invoice as the SDI does (a busta di trasporto
//! from `sdi01@pec.fatturapa.it` via the SDI's provider, carrying the MT metadata file and the
//! invoice, as in corpus/pec/OCA_l10n-italy/16.0/POSTA CERTIFICATA_ Invio File 7339338.txt).

use mail_parser::MimeHeaders;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use sha2::Digest;

use crate::SandboxError;
use crate::engine::Engine;
use crate::pec::{
    Destinatario, Original, TipoRicevuta, italy_now, postacert_eml, received, rfc5322,
};
use crate::receipts;

const NS_B2B: &str = "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fattura/messaggi/v1.0";

static SDI_ID: AtomicU64 = AtomicU64::new(0);

fn next_sdi_id() -> u64 {
    let base = (chrono::Utc::now().timestamp() as u64 % 1_000_000) * 10;
    let n = SDI_ID.fetch_add(1, Ordering::SeqCst);
    7_000_000 + (base + n) % 2_000_000 + n
}

/// True for names like `IT01234567890_0A1b2.xml` or `.xml.p7m`.
pub fn valid_invoice_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let stem = if let Some(s) = lower.strip_suffix(".xml.p7m") {
        s
    } else if let Some(s) = lower.strip_suffix(".xml") {
        s
    } else {
        return false;
    };
    let Some((id, prog)) = stem.split_once('_') else {
        return false;
    };
    id.len() >= 3
        && id.len() <= 30
        && id[..2].chars().all(|c| c.is_ascii_alphabetic())
        && id[2..].chars().all(|c| c.is_ascii_alphanumeric())
        && !prog.is_empty()
        && prog.len() <= 5
        && prog.chars().all(|c| c.is_ascii_alphanumeric())
}

fn stem(name: &str) -> &str {
    name.strip_suffix(".p7m")
        .unwrap_or(name)
        .strip_suffix(".xml")
        .unwrap_or(name)
}

fn now_iso() -> String {
    italy_now().format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string()
}

/// Check an invoice file as the SDI would (name and format only): `Ok` or the NS error list.
pub fn check_invoice(name: &str, content: &[u8]) -> Result<(), Vec<(&'static str, String)>> {
    if !valid_invoice_name(name) {
        return Err(vec![("00001", format!("Nome file non valido ({name})"))]);
    }
    if name.to_ascii_lowercase().ends_with(".xml") {
        let text = String::from_utf8_lossy(content);
        if !text.contains("FatturaElettronica") {
            return Err(vec![(
                "00200",
                "File non conforme al formato (manca FatturaElettronica)".into(),
            )]);
        }
    } else if content.is_empty() {
        return Err(vec![("00102", "File firmato non valido".into())]);
    }
    Ok(())
}

/// The SDI received `orig` (already delivered and receipted): answer RC or NS for each invoice.
pub async fn receive(engine: &Engine, orig: &Original) -> Result<(), SandboxError> {
    let msg = mail_parser::MessageParser::default()
        .parse(&orig.raw)
        .ok_or_else(|| SandboxError::Message("unparsable".into()))?;
    let mut files: Vec<(String, Vec<u8>)> = msg
        .attachments()
        .filter_map(|a| {
            a.attachment_name()
                .map(|n| (n.to_string(), a.contents().to_vec()))
        })
        .collect();
    if files.is_empty() {
        files.push((String::new(), Vec::new()));
    }
    for (name, content) in files {
        let id = next_sdi_id();
        let hash: String = sha2::Sha256::digest(&content)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let (kind, subject, xml) = match check_invoice(&name, &content) {
            Ok(()) => (
                "RC",
                format!("Ricevuta di consegna {id}"),
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<ns3:RicevutaConsegna xmlns:ns2=\"http://www.w3.org/2000/09/xmldsig#\" xmlns:ns3=\"{NS_B2B}\" versione=\"1.0\">\n    <IdentificativoSdI>{id}</IdentificativoSdI>\n    <NomeFile>{}</NomeFile>\n    <Hash>{hash}</Hash>\n    <DataOraRicezione>{}</DataOraRicezione>\n    <DataOraConsegna>{}</DataOraConsegna>\n    <Destinatario>\n        <Codice>0000000</Codice>\n        <Descrizione>Destinatario sandbox</Descrizione>\n    </Destinatario>\n    <MessageId>{}</MessageId>\n</ns3:RicevutaConsegna>\n",
                    crate::pec::xml_escape(&name),
                    now_iso(),
                    now_iso(),
                    id + 1_000_000_000
                ),
            ),
            Err(errors) => {
                let list: String = errors
                    .iter()
                    .map(|(c, d)| {
                        format!(
                            "        <Errore>\n            <Codice>{c}</Codice>\n            <Descrizione>{}</Descrizione>\n        </Errore>\n",
                            crate::pec::xml_escape(d)
                        )
                    })
                    .collect();
                (
                    "NS",
                    format!("Notifica di scarto {id}"),
                    format!(
                        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<ns3:RicevutaScarto xmlns:ns2=\"http://www.w3.org/2000/09/xmldsig#\" xmlns:ns3=\"{NS_B2B}\" versione=\"1.0\">\n    <IdentificativoSdI>{id}</IdentificativoSdI>\n    <NomeFile>{}</NomeFile>\n    <Hash>{hash}</Hash>\n    <DataOraRicezione>{}</DataOraRicezione>\n    <ListaErrori>\n{list}    </ListaErrori>\n    <MessageId>{}</MessageId>\n</ns3:RicevutaScarto>\n",
                        crate::pec::xml_escape(&name),
                        now_iso(),
                        id + 1_000_000_000
                    ),
                )
            }
        };
        let base = if name.is_empty() {
            "IT00000000000_00000".to_string()
        } else {
            stem(&name).to_string()
        };
        let file = format!("{base}_{kind}_001.xml");
        let m = sdi_envelope(
            engine,
            &orig.mittente,
            &subject,
            &[(file, xml.into_bytes())],
        )?;
        engine
            .deliver(
                &engine.sdi_provider.address(),
                &[orig.mittente.as_str()],
                &m,
            )
            .await?;
    }
    Ok(())
}

/// A busta di trasporto from the SDI to `to` carrying `files`, signed by the SDI's provider.
pub fn sdi_envelope(
    engine: &Engine,
    to: &str,
    subject: &str,
    files: &[(String, Vec<u8>)],
) -> Result<Vec<u8>, SandboxError> {
    let sdi = engine.domains.sdi_address.clone();
    let at = italy_now();
    let n = next_sdi_id();
    let msgid = format!(
        "<{}{}.{}@pec.fatturapa.it>",
        n,
        std::process::id(),
        chrono::Utc::now().timestamp_millis()
    );
    let boundary = format!("----=_Part_{n}_{}", chrono::Utc::now().timestamp_millis());
    let mut raw = format!(
        "From: {sdi}\r\nTo: {to}\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed;\r\n\tboundary=\"{boundary}\"\r\nX-TipoRicevuta: breve\r\nDate: {}\r\nMessage-ID: {msgid}\r\n\r\n",
        rfc5322(&at)
    )
    .into_bytes();
    for (name, content) in files {
        raw.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Type: application/octet-stream; name={name}\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename={name}\r\n\r\n"
            )
            .as_bytes(),
        );
        let b64 = base64::engine::general_purpose::STANDARD.encode(content);
        for chunk in b64.as_bytes().chunks(76) {
            raw.extend_from_slice(chunk);
            raw.extend_from_slice(b"\r\n");
        }
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let orig = Original {
        mittente: sdi.clone(),
        destinatari: vec![Destinatario {
            address: to.to_string(),
            certificato: true,
        }],
        risposte: sdi.clone(),
        oggetto: subject.to_string(),
        msgid: msgid.clone(),
        raw,
        to_header: to.to_string(),
        cc_header: None,
    };
    let p = &engine.sdi_provider;
    let id = p.new_identificativo(&at);
    let recv = received("sdibe85p2.srv.sogei.it", "smtp.pec.sogei.it", to, &at);
    let postacert = postacert_eml(&orig, &id, &recv);
    receipts::busta_trasporto(
        p,
        &orig,
        &id,
        &at,
        TipoRicevuta::Breve,
        &postacert,
        &[("X-Fattura-PA".to_string(), "Yes".to_string())],
    )
}

/// An incoming invoice as the SDI delivers it: "Invio File N" with the MT metadata and the file.
pub fn invoice_envelope(
    engine: &Engine,
    to: &str,
    file_name: &str,
    content: &[u8],
) -> Result<Vec<u8>, SandboxError> {
    let id = next_sdi_id();
    let mt = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<ns3:FileMetadati xmlns:ns2=\"http://www.w3.org/2000/09/xmldsig#\" xmlns:ns3=\"{NS_B2B}\" versione=\"1.0\">\n    <IdentificativoSdI>{id}</IdentificativoSdI>\n    <NomeFile>{}</NomeFile>\n    <Formato>FPR12</Formato>\n    <TentativiInvio>1</TentativiInvio>\n    <MessageId>{}</MessageId>\n</ns3:FileMetadati>\n",
        crate::pec::xml_escape(file_name),
        id + 1_000_000_000
    );
    let mt_name = format!("{}_MT_001.xml", stem(file_name));
    sdi_envelope(
        engine,
        to,
        &format!("Invio File {id}"),
        &[
            (mt_name, mt.into_bytes()),
            (file_name.to_string(), content.to_vec()),
        ],
    )
}

/// Deliver an incoming invoice into `to`'s mailbox.
pub async fn inject_invoice(
    engine: &Engine,
    to: &str,
    file_name: &str,
    content: &[u8],
) -> Result<(), SandboxError> {
    let m = invoice_envelope(engine, to, file_name, content)?;
    let st = engine
        .deliver(&engine.sdi_provider.address(), &[to], &m)
        .await?;
    if !st[0].is_delivered() {
        return Err(SandboxError::Message(format!("delivery refused: {st:?}")));
    }
    Ok(())
}
