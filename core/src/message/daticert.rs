//! `daticert.xml`: the provider's certification data (technical rules §7.3.3), read leniently.
//!
//! Tolerates what providers really send: stray characters between elements, an unescaped
//! `<msgid><...></msgid>`, unknown attribute values (kept raw). No DTD, no entity expansion.

use super::kind::{PecErrorCode, ReceiptKind, ReceiptType, RecipientType};
use super::xml::{self, Element, XmlError, non_empty};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone};
use serde::Serialize;

/// One `<destinatari>` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DaticertRecipient {
    pub address: String,
    /// `tipo` attribute: certificato | esterno; `None` when missing or unknown.
    pub tipo: Option<RecipientType>,
}

/// Everything `daticert.xml` says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Daticert {
    /// `postacert@tipo` as written (posta-certificata, accettazione, avvenuta-consegna, ...).
    pub tipo: String,
    /// `postacert@tipo` when it names a receipt.
    pub receipt: Option<ReceiptKind>,
    /// `postacert@errore` as written.
    pub errore_raw: Option<String>,
    /// `postacert@errore` when known.
    pub errore: Option<PecErrorCode>,
    pub mittente: Option<String>,
    pub destinatari: Vec<DaticertRecipient>,
    pub risposte: Option<String>,
    pub oggetto: Option<String>,
    pub gestore_emittente: Option<String>,
    /// `<data zona>` + `<giorno>` + `<ora>` as a timezone-aware timestamp.
    pub data: Option<DateTime<FixedOffset>>,
    pub identificativo: Option<String>,
    /// The client's Message-ID, with its angle brackets as the provider wrote it.
    pub msgid: Option<String>,
    /// `<ricevuta tipo>`.
    pub ricevuta: Option<ReceiptType>,
    pub consegna: Option<String>,
    pub ricezione: Vec<String>,
    pub errore_esteso: Option<String>,
}

/// Why a daticert.xml could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DaticertError {
    #[error("daticert.xml: {0}")]
    Xml(#[from] XmlError),
    #[error("daticert.xml: root element is <{0}>, expected <postacert>")]
    NotDaticert(String),
}

/// Parse a bare `daticert.xml`.
pub fn parse_daticert(xml_bytes: &[u8]) -> Result<Daticert, DaticertError> {
    let fixed = escape_raw_msgid(xml_bytes);
    let root = xml::parse(fixed.as_deref().unwrap_or(xml_bytes))?;
    if root.name != "postacert" {
        return Err(DaticertError::NotDaticert(root.name));
    }
    Ok(from_tree(&root))
}

fn from_tree(root: &Element) -> Daticert {
    let tipo = root.attr("tipo").unwrap_or_default().trim().to_string();
    let errore_raw = root.attr("errore").and_then(non_empty);
    let empty = Element::default();
    let intestazione = root.child("intestazione").unwrap_or(&empty);
    let dati = root.child("dati").unwrap_or(&empty);
    let destinatari = intestazione
        .children_named("destinatari")
        .filter_map(|d| {
            non_empty(&d.text).map(|address| DaticertRecipient {
                address,
                tipo: d.attr("tipo").and_then(RecipientType::parse),
            })
        })
        .collect();
    Daticert {
        receipt: ReceiptKind::parse(&tipo),
        tipo,
        errore: errore_raw.as_deref().and_then(PecErrorCode::parse),
        errore_raw,
        mittente: intestazione.child_text("mittente"),
        destinatari,
        risposte: intestazione.child_text("risposte"),
        oggetto: intestazione.child_text("oggetto"),
        gestore_emittente: dati.child_text("gestore-emittente"),
        data: dati.child("data").and_then(parse_data),
        identificativo: dati.child_text("identificativo"),
        msgid: dati.child_text("msgid"),
        ricevuta: dati
            .child("ricevuta")
            .and_then(|r| r.attr("tipo"))
            .and_then(ReceiptType::parse),
        consegna: dati.child_text("consegna"),
        ricezione: dati
            .children_named("ricezione")
            .filter_map(|r| non_empty(&r.text))
            .collect(),
        errore_esteso: dati.child_text("errore-esteso"),
    }
}

/// `<data zona="+0100"><giorno>dd/mm/yyyy</giorno><ora>hh:mm:ss</ora></data>`.
fn parse_data(data: &Element) -> Option<DateTime<FixedOffset>> {
    let giorno = data.child_text("giorno")?;
    let ora = data.child_text("ora")?;
    let date = NaiveDate::parse_from_str(&giorno, "%d/%m/%Y").ok()?;
    let time = NaiveTime::parse_from_str(&ora, "%H:%M:%S").ok()?;
    let zone = data
        .attr("zona")
        .and_then(parse_zone)
        .unwrap_or(FixedOffset::east_opt(0)?);
    zone.from_local_datetime(&date.and_time(time)).single()
}

/// `+hhmm` / `-hhmm` (also `+hh:mm`).
pub(crate) fn parse_zone(z: &str) -> Option<FixedOffset> {
    let z = z.trim();
    let (sign, rest) = match z.as_bytes().first()? {
        b'+' => (1, z.get(1..)?),
        b'-' => (-1, z.get(1..)?),
        _ => (1, z),
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let h: i32 = digits.get(0..2)?.parse().ok()?;
    let m: i32 = digits.get(2..4)?.parse().ok()?;
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

/// Some providers write `<msgid><id@host></msgid>` without escaping; rewrite it escaped so the XML
/// reader does not take the id for a tag. Returns `None` when nothing needed fixing.
fn escape_raw_msgid(xml_bytes: &[u8]) -> Option<Vec<u8>> {
    const OPEN: &[u8] = b"<msgid>";
    const CLOSE: &[u8] = b"</msgid>";
    let start = find(xml_bytes, OPEN)? + OPEN.len();
    let len = find(xml_bytes.get(start..)?, CLOSE)?;
    let inner = xml_bytes.get(start..start + len)?;
    if !inner.contains(&b'<') {
        return None;
    }
    let mut out = Vec::with_capacity(xml_bytes.len() + 8);
    out.extend_from_slice(xml_bytes.get(..start)?);
    for &b in inner {
        match b {
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            b'&' => out.extend_from_slice(b"&amp;"),
            _ => out.push(b),
        }
    }
    out.extend_from_slice(xml_bytes.get(start + len..)?);
    Some(out)
}

/// Where `needle` (never empty: callers pass constants) first occurs in `hay`.
pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle).filter(|_| !needle.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<postacert tipo="errore-consegna" errore="no-dest">
    <intestazione>
        <mittente>sender@fakepec.it</mittente>
        <destinatari tipo="certificato">rec@pec.it</destinatari>
        <destinatari tipo="esterno">ext@example.com</destinatari>
        <risposte>sender@fakepec.it</risposte>a
        <oggetto>Test PEC</oggetto>
    </intestazione>
    <dati>
        <gestore-emittente>FAKE PEC S.p.A.</gestore-emittente>
        <data zona="+0100">
            <giorno>15/11/2024</giorno>
            <ora>18:21:03</ora>
        </data>
        <identificativo>opec.1@fakepec.it</identificativo>
        <msgid>&lt;SN05IE$951@fakepec.it&gt;</msgid>
        <consegna>rec@fakepec.it</consegna>
        <ricezione>a@x.it</ricezione>
        <ricezione>b@x.it</ricezione>
        <errore-esteso>5.1.1 - FAKE Pec S.p.A. - indirizzo non valido</errore-esteso>
    </dati>
</postacert>"#;

    #[test]
    fn reads_every_field() {
        let d = parse_daticert(SAMPLE.as_bytes()).expect("parses");
        assert_eq!(d.tipo, "errore-consegna");
        assert_eq!(d.receipt, Some(ReceiptKind::ErroreConsegna));
        assert_eq!(d.errore, Some(PecErrorCode::NoDest));
        assert_eq!(d.mittente.as_deref(), Some("sender@fakepec.it"));
        assert_eq!(d.destinatari.len(), 2);
        assert_eq!(d.destinatari[1].tipo, Some(RecipientType::Esterno));
        assert_eq!(d.risposte.as_deref(), Some("sender@fakepec.it"));
        assert_eq!(d.oggetto.as_deref(), Some("Test PEC"));
        assert_eq!(d.gestore_emittente.as_deref(), Some("FAKE PEC S.p.A."));
        assert_eq!(
            d.data.map(|d| d.to_rfc3339()).as_deref(),
            Some("2024-11-15T18:21:03+01:00")
        );
        assert_eq!(d.identificativo.as_deref(), Some("opec.1@fakepec.it"));
        assert_eq!(d.msgid.as_deref(), Some("<SN05IE$951@fakepec.it>"));
        assert_eq!(d.consegna.as_deref(), Some("rec@fakepec.it"));
        assert_eq!(d.ricezione, vec!["a@x.it", "b@x.it"]);
        assert_eq!(
            d.errore_esteso.as_deref(),
            Some("5.1.1 - FAKE Pec S.p.A. - indirizzo non valido")
        );
        assert_eq!(d.ricevuta, None);
    }

    #[test]
    fn unescaped_msgid_is_recovered() {
        let xml =
            b"<postacert tipo=\"accettazione\" errore=\"nessuno\"><dati><msgid><abc@host></msgid>\
                    <ricevuta tipo=\"breve\"/></dati></postacert>";
        let d = parse_daticert(xml).expect("parses");
        assert_eq!(d.msgid.as_deref(), Some("<abc@host>"));
        assert_eq!(d.ricevuta, Some(ReceiptType::Breve));
    }

    #[test]
    fn wrong_root_is_an_error() {
        assert!(matches!(
            parse_daticert(b"<html/>"),
            Err(DaticertError::NotDaticert(_))
        ));
    }

    #[test]
    fn entity_declarations_are_not_expanded() {
        let xml = b"<?xml version=\"1.0\"?><!DOCTYPE postacert [<!ENTITY x \"BOOM\">]>\
                    <postacert tipo=\"accettazione\"><intestazione><oggetto>&x;</oggetto></intestazione></postacert>";
        let d = parse_daticert(xml).expect("parses");
        assert_eq!(d.oggetto.as_deref(), Some("&x;"));
    }

    #[test]
    fn zones() {
        assert_eq!(parse_zone("+0100"), FixedOffset::east_opt(3600));
        assert_eq!(parse_zone("-02:30"), FixedOffset::east_opt(-9000));
        assert_eq!(parse_zone("x"), None);
    }
}
