//! Outer headers against the daticert: a tampering sign.
//!
//! A PEC provider signs the body of its message (text, `daticert.xml`, original), not the outer
//! header: `X-Ricevuta`, `X-Trasporto`, `Subject` and `X-Riferimento-Message-ID` can be rewritten
//! by anyone who relays the message, while the signature stays valid. The facts shown come from the
//! daticert; every header that says something else is listed here so a UI can warn that the
//! message was altered after the provider sent it.

use super::Daticert;
use super::headers::normalize_message_id;
use super::kind::{ReceiptKind, is_posta_certificata};
use serde::Serialize;

/// One outer header that contradicts the daticert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeaderMismatch {
    /// The header, as named on the wire (`X-Ricevuta`, `X-Trasporto`, `Subject`,
    /// `X-Riferimento-Message-ID`).
    pub header: String,
    /// What the header says.
    pub header_value: String,
    /// What the daticert says instead (its `tipo`, or its `<msgid>`).
    pub daticert_value: String,
}

/// The outer headers [`mismatches`] compares; absent headers contradict nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct OuterHeaders<'a> {
    pub x_ricevuta: Option<&'a str>,
    pub x_trasporto: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub x_riferimento_message_id: Option<&'a str>,
}

/// Every outer header of `h` that contradicts `d`.
pub fn mismatches(h: &OuterHeaders<'_>, d: &Daticert) -> Vec<HeaderMismatch> {
    let mut out = Vec::new();
    let tipo = d.tipo.trim();
    let mut push = |header: &str, value: &str, certified: &str| {
        out.push(HeaderMismatch {
            header: header.into(),
            header_value: value.trim().into(),
            daticert_value: certified.into(),
        })
    };
    if let Some(v) = h.x_ricevuta
        && ReceiptKind::parse(v) != d.receipt
    {
        push("X-Ricevuta", v, tipo);
    }
    if let Some(v) = h.x_trasporto {
        let agrees =
            v.trim().eq_ignore_ascii_case("posta-certificata") && is_posta_certificata(tipo);
        if !agrees {
            push("X-Trasporto", v, tipo);
        }
    }
    if let Some(v) = h.subject
        && let Some(family) = subject_family(v)
        && !family.contains(&tipo.to_ascii_lowercase().as_str())
    {
        push("Subject", v, tipo);
    }
    if let (Some(v), Some(msgid)) = (h.x_riferimento_message_id, d.msgid.as_deref())
        && normalize_message_id(v) != normalize_message_id(msgid)
    {
        push("X-Riferimento-Message-ID", v, msgid);
    }
    out
}

/// The daticert `tipo`s a provider's subject prefix stands for (technical rules §6: the first
/// prefix only, compared ASCII case-insensitively); `None` for subjects without a known prefix.
fn subject_family(subject: &str) -> Option<&'static [&'static str]> {
    const FAMILIES: &[(&str, &[&str])] = &[
        ("POSTA CERTIFICATA:", &["posta-certificata"]),
        ("ACCETTAZIONE:", &["accettazione"]),
        ("CONSEGNA:", &["avvenuta-consegna"]),
        ("PRESA IN CARICO:", &["presa-in-carico"]),
        ("AVVISO DI NON ACCETTAZIONE", &["non-accettazione"]),
        (
            "AVVISO DI MANCATA CONSEGNA",
            &["errore-consegna", "preavviso-errore-consegna"],
        ),
    ];
    let s = subject.trim_start().as_bytes();
    FAMILIES.iter().find_map(|(prefix, tipi)| {
        s.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
            .then_some(*tipi)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accettazione() -> Daticert {
        Daticert {
            tipo: "accettazione".into(),
            receipt: Some(ReceiptKind::Accettazione),
            msgid: Some("<m1@pc>".into()),
            ..Daticert::default()
        }
    }

    #[test]
    fn genuine_headers_agree() {
        let h = OuterHeaders {
            x_ricevuta: Some("accettazione"),
            x_trasporto: None,
            subject: Some("ACCETTAZIONE: prova"),
            x_riferimento_message_id: Some("<m1@pc>"),
        };
        assert_eq!(mismatches(&h, &accettazione()), vec![]);
    }

    #[test]
    fn rewritten_headers_are_each_reported() {
        let h = OuterHeaders {
            x_ricevuta: Some("avvenuta-consegna"),
            x_trasporto: Some("posta-certificata"),
            subject: Some("CONSEGNA: prova"),
            x_riferimento_message_id: Some("<other@pc>"),
        };
        let found: Vec<String> = mismatches(&h, &accettazione())
            .into_iter()
            .map(|m| m.header)
            .collect();
        assert_eq!(
            found,
            [
                "X-Ricevuta",
                "X-Trasporto",
                "Subject",
                "X-Riferimento-Message-ID"
            ]
        );
    }

    #[test]
    fn subject_families() {
        assert_eq!(
            subject_family("avviso di mancata consegna per sup. tempo massimo: x"),
            Some(&["errore-consegna", "preavviso-errore-consegna"][..])
        );
        assert_eq!(subject_family("Re: CONSEGNA: x"), None);
    }
}
