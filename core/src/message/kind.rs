//! What a message is: plain mail, PEC envelope, anomaly, receipt or REM, and the PEC vocabularies
//! (receipt kinds, receipt types, error codes, recipient types), each with its wire spelling.

use serde::Serialize;

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        pub enum $name {
            $(#[serde(rename = $word)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word used on the wire, in JSON and in `expected.toml`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }

            /// Parse the wire word (ASCII case-insensitive, surrounding blanks ignored).
            pub fn parse(s: &str) -> Option<Self> {
                let s = s.trim();
                Self::ALL.iter().copied().find(|v| v.as_str().eq_ignore_ascii_case(s))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// The broad class of a message.
    Kind {
        Plain => "plain",
        Envelope => "envelope",
        Anomaly => "anomaly",
        Receipt => "receipt",
        Rem => "rem",
    }
}

vocabulary! {
    /// `X-Ricevuta` / daticert `postacert@tipo` for receipts.
    ReceiptKind {
        Accettazione => "accettazione",
        NonAccettazione => "non-accettazione",
        PresaInCarico => "presa-in-carico",
        AvvenutaConsegna => "avvenuta-consegna",
        ErroreConsegna => "errore-consegna",
        PreavvisoErroreConsegna => "preavviso-errore-consegna",
        RilevazioneVirus => "rilevazione-virus",
    }
}

vocabulary! {
    /// Delivery receipt flavour (`X-TipoRicevuta`, daticert `<ricevuta tipo>`).
    ReceiptType {
        Completa => "completa",
        Breve => "breve",
        Sintetica => "sintetica",
    }
}

vocabulary! {
    /// daticert `postacert@errore`.
    PecErrorCode {
        Nessuno => "nessuno",
        NoDest => "no-dest",
        NoDominio => "no-dominio",
        Virus => "virus",
        Altro => "altro",
    }
}

vocabulary! {
    /// daticert `destinatari@tipo`.
    RecipientType {
        Certificato => "certificato",
        Esterno => "esterno",
    }
}

impl ReceiptKind {
    /// True for receipts that report a failure.
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            ReceiptKind::NonAccettazione
                | ReceiptKind::ErroreConsegna
                | ReceiptKind::PreavvisoErroreConsegna
                | ReceiptKind::RilevazioneVirus
        )
    }
}

/// The transport header `X-Trasporto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transport {
    PostaCertificata,
    Errore,
}

impl Transport {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("posta-certificata") {
            Some(Transport::PostaCertificata)
        } else if s.eq_ignore_ascii_case("errore") {
            Some(Transport::Errore)
        } else {
            None
        }
    }
}

/// Decide the kind. The daticert `tipo` decides whenever there is one: it is what the provider
/// signed, while `X-Ricevuta` / `X-Trasporto` sit in the outer header, which the signature does not
/// cover and anyone relaying the message can rewrite. The headers decide only when there is no
/// daticert (header-only views, anomalies, receipts without one); a header that contradicts the
/// daticert is reported by [`super::header_check`], never followed.
pub(crate) fn classify(
    rem_message_type: bool,
    x_ricevuta: Option<&str>,
    x_trasporto: Option<&str>,
    daticert_tipo: Option<&str>,
) -> (Kind, Option<ReceiptKind>) {
    if rem_message_type {
        return (Kind::Rem, None);
    }
    if let Some(r) = daticert_tipo.and_then(ReceiptKind::parse) {
        return (Kind::Receipt, Some(r));
    }
    if daticert_tipo.is_some_and(is_posta_certificata) {
        return (Kind::Envelope, None);
    }
    if let Some(r) = x_ricevuta {
        return (Kind::Receipt, ReceiptKind::parse(r));
    }
    match x_trasporto.and_then(Transport::parse) {
        Some(Transport::PostaCertificata) => (Kind::Envelope, None),
        Some(Transport::Errore) => (Kind::Anomaly, None),
        None => (Kind::Plain, None),
    }
}

/// daticert `tipo="posta-certificata"`: the envelope's own certification data.
pub(crate) fn is_posta_certificata(tipo: &str) -> bool {
    tipo.trim().eq_ignore_ascii_case("posta-certificata")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_round_trip() {
        for k in ReceiptKind::ALL {
            assert_eq!(ReceiptKind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(
            ReceiptKind::parse(" Avvenuta-Consegna "),
            Some(ReceiptKind::AvvenutaConsegna)
        );
        assert_eq!(
            PecErrorCode::parse("no-dominio"),
            Some(PecErrorCode::NoDominio)
        );
        assert_eq!(ReceiptType::parse("bogus"), None);
    }

    #[test]
    fn classification_precedence() {
        assert_eq!(
            classify(true, Some("accettazione"), None, None).0,
            Kind::Rem
        );
        assert_eq!(
            classify(false, Some("accettazione"), Some("posta-certificata"), None),
            (Kind::Receipt, Some(ReceiptKind::Accettazione))
        );
        assert_eq!(classify(false, None, Some("errore"), None).0, Kind::Anomaly);
        assert_eq!(
            classify(false, None, Some("Posta-Certificata"), None).0,
            Kind::Envelope
        );
        assert_eq!(
            classify(false, None, None, Some("avvenuta-consegna")),
            (Kind::Receipt, Some(ReceiptKind::AvvenutaConsegna))
        );
        // The signed daticert wins over the unsigned headers.
        assert_eq!(
            classify(false, Some("avvenuta-consegna"), None, Some("accettazione")),
            (Kind::Receipt, Some(ReceiptKind::Accettazione))
        );
        assert_eq!(
            classify(
                false,
                Some("avvenuta-consegna"),
                None,
                Some("posta-certificata")
            )
            .0,
            Kind::Envelope
        );
        assert_eq!(
            classify(false, None, Some("posta-certificata"), Some("accettazione")),
            (Kind::Receipt, Some(ReceiptKind::Accettazione))
        );
        assert_eq!(classify(false, None, None, None).0, Kind::Plain);
    }
}
