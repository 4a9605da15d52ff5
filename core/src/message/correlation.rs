//! Correlation keys: what lets a later layer attach each receipt (PEC or REM) to the message the
//! user sent and to the recipient it concerns.

use super::headers::normalize_message_id;
use serde::Serialize;

/// Every identifier a message carries that links it to others.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Correlation {
    /// This message's own `Message-ID` (providers replace the client's one).
    pub message_id: Option<String>,
    /// `X-Riferimento-Message-ID`: the client's original Message-ID (envelopes and receipts).
    pub riferimento_message_id: Option<String>,
    /// daticert `<identificativo>`: the PEC id shared by accettazione, consegna and envelope.
    pub identificativo: Option<String>,
    /// daticert `<msgid>`: the client's Message-ID as the provider recorded it.
    pub msgid: Option<String>,
    /// daticert `<consegna>`: the recipient a delivery receipt is about.
    pub consegna: Option<String>,
    /// REM `REM-UAMessageIdentifier` (or the evidence's AppLayerIdentifier).
    pub rem_ua_message_identifier: Option<String>,
    /// REM evidence identifiers (header `REM-Evidence-ID` and evidence `EvidenceIdentifier`).
    pub rem_evidence_ids: Vec<String>,
    /// REM message identifier from the evidence.
    pub rem_message_identifier: Option<String>,
}

impl Correlation {
    /// The client's own Message-ID (without angle brackets), from the first key that has it:
    /// `X-Riferimento-Message-ID`, daticert `msgid`, REM UA message identifier.
    pub fn client_message_id(&self) -> Option<String> {
        self.riferimento_message_id
            .as_deref()
            .or(self.msgid.as_deref())
            .or(self.rem_ua_message_identifier.as_deref())
            .map(normalize_message_id)
            .filter(|s| !s.is_empty())
    }

    /// True when `other` concerns the same sent message (same client Message-ID or identificativo).
    pub fn same_submission(&self, other: &Correlation) -> bool {
        let same_client = matches!(
            (self.client_message_id(), other.client_message_id()),
            (Some(a), Some(b)) if a == b
        );
        let same_id = matches!(
            (&self.identificativo, &other.identificativo),
            (Some(a), Some(b)) if a == b
        );
        same_client || same_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_id_prefers_header_then_daticert() {
        let c = Correlation {
            msgid: Some("<m@x>".into()),
            ..Correlation::default()
        };
        assert_eq!(c.client_message_id().as_deref(), Some("m@x"));
        let d = Correlation {
            riferimento_message_id: Some("<m@x>".into()),
            ..Correlation::default()
        };
        assert!(c.same_submission(&d));
        assert!(!c.same_submission(&Correlation::default()));
    }
}
