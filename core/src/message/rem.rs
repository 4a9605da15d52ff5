//! REM ("PEC europea", ETSI EN 319 532-4): message headers and ERDS evidence XML
//! (ETSI EN 319 522, namespace `http://uri.etsi.org/19522/v1#`).

use super::xml::{self, Element, XmlError, non_empty};
use chrono::{DateTime, FixedOffset};
use serde::Serialize;

/// The evidence namespace.
pub const EVIDENCE_NS: &str = "http://uri.etsi.org/19522/v1#";

/// ERDS events (EN 319 522-2 §8) as they appear at the end of the event URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum RemEvent {
    SubmissionAcceptance,
    SubmissionRejection,
    RelayAcceptance,
    RelayRejection,
    RelayFailure,
    ContentConsignment,
    ContentConsignmentFailure,
    ContentHandover,
    ContentHandoverFailure,
    ContentRetrieval,
    ContentRetrievalFailure,
    AcceptanceByRecipient,
    RejectionByRecipient,
    ReceivedFromNonERDS,
    RelayToNonERDS,
    RelayToNonERDSFailure,
    NotificationForAcceptance,
    NotificationForAcceptanceFailure,
    ContentDownloaded,
}

impl RemEvent {
    pub const ALL: &'static [RemEvent] = &[
        RemEvent::SubmissionAcceptance,
        RemEvent::SubmissionRejection,
        RemEvent::RelayAcceptance,
        RemEvent::RelayRejection,
        RemEvent::RelayFailure,
        RemEvent::ContentConsignment,
        RemEvent::ContentConsignmentFailure,
        RemEvent::ContentHandover,
        RemEvent::ContentHandoverFailure,
        RemEvent::ContentRetrieval,
        RemEvent::ContentRetrievalFailure,
        RemEvent::AcceptanceByRecipient,
        RemEvent::RejectionByRecipient,
        RemEvent::ReceivedFromNonERDS,
        RemEvent::RelayToNonERDS,
        RemEvent::RelayToNonERDSFailure,
        RemEvent::NotificationForAcceptance,
        RemEvent::NotificationForAcceptanceFailure,
        RemEvent::ContentDownloaded,
    ];

    /// The event's name (the last segment of its URI).
    pub fn as_str(self) -> &'static str {
        match self {
            RemEvent::SubmissionAcceptance => "SubmissionAcceptance",
            RemEvent::SubmissionRejection => "SubmissionRejection",
            RemEvent::RelayAcceptance => "RelayAcceptance",
            RemEvent::RelayRejection => "RelayRejection",
            RemEvent::RelayFailure => "RelayFailure",
            RemEvent::ContentConsignment => "ContentConsignment",
            RemEvent::ContentConsignmentFailure => "ContentConsignmentFailure",
            RemEvent::ContentHandover => "ContentHandover",
            RemEvent::ContentHandoverFailure => "ContentHandoverFailure",
            RemEvent::ContentRetrieval => "ContentRetrieval",
            RemEvent::ContentRetrievalFailure => "ContentRetrievalFailure",
            RemEvent::AcceptanceByRecipient => "AcceptanceByRecipient",
            RemEvent::RejectionByRecipient => "RejectionByRecipient",
            RemEvent::ReceivedFromNonERDS => "ReceivedFromNonERDS",
            RemEvent::RelayToNonERDS => "RelayToNonERDS",
            RemEvent::RelayToNonERDSFailure => "RelayToNonERDSFailure",
            RemEvent::NotificationForAcceptance => "NotificationForAcceptance",
            RemEvent::NotificationForAcceptanceFailure => "NotificationForAcceptanceFailure",
            RemEvent::ContentDownloaded => "ContentDownloaded",
        }
    }

    /// Parse an event name or URI (`http://uri.etsi.org/19522/Event/RelayFailure`).
    pub fn parse(s: &str) -> Option<Self> {
        let name = last_segment(s);
        Self::ALL
            .iter()
            .copied()
            .find(|e| e.as_str().eq_ignore_ascii_case(name))
    }
}

/// `REM-MessageType`: `.../ERDMessageType/dispatch` or `.../receipt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RemMessageType {
    Dispatch,
    Receipt,
    Other,
}

impl RemMessageType {
    pub fn parse(s: &str) -> Self {
        let name = last_segment(s);
        if name.eq_ignore_ascii_case("dispatch") {
            RemMessageType::Dispatch
        } else if name.eq_ignore_ascii_case("receipt") {
            RemMessageType::Receipt
        } else {
            RemMessageType::Other
        }
    }
}

fn last_segment(s: &str) -> &str {
    s.trim().rsplit(['/', '#']).next().unwrap_or("").trim()
}

/// What an ERDS evidence says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RemEvidence {
    /// `ERDSEventId` URI as written.
    pub event_uri: String,
    /// The event, when it is a known one.
    pub event: Option<RemEvent>,
    /// `EventReason/Code` URIs.
    pub reason_uris: Vec<String>,
    /// The REM-Policy-IT reason code (`RA01`, `RB02`, `RD04`, ...) from `EventReason/Details`.
    pub reason_code: Option<String>,
    /// Other `Details` texts (plain-language reasons).
    pub reason_details: Vec<String>,
    pub evidence_identifier: Option<String>,
    pub event_time: Option<DateTime<FixedOffset>>,
    pub submission_time: Option<DateTime<FixedOffset>>,
    /// The REM message identifier (`MessageIdentifier`).
    pub message_identifier: Option<String>,
    /// The sender's own Message-ID (`UserContentInfo/AppLayerIdentifier`): the correlation key.
    pub ua_message_identifier: Option<String>,
    /// `SenderDetails/Identifier`.
    pub sender: Option<String>,
    /// `RecipientDetails/Identifier`, in order.
    pub recipients: Vec<String>,
    /// True when a `ds:Signature` element is present (XAdES; not verified here).
    pub xades_signed: bool,
}

/// Why an evidence document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceError {
    #[error("REM evidence: {0}")]
    Xml(#[from] XmlError),
    #[error("REM evidence: root element is <{0}>, expected <Evidence>")]
    NotEvidence(String),
}

/// True when the bytes look like an ERDS evidence (cheap sniff, no parsing).
pub fn looks_like_evidence(xml_bytes: &[u8]) -> bool {
    let head = xml_bytes
        .get(..xml_bytes.len().min(4096))
        .unwrap_or_default();
    super::daticert::find(head, EVIDENCE_NS.as_bytes()).is_some()
        && super::daticert::find(head, b"Evidence").is_some()
}

fn is_reason_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 4
        && b.first() == Some(&b'R')
        && b.get(1).is_some_and(u8::is_ascii_uppercase)
        && b.get(2..).is_some_and(|d| d.iter().all(u8::is_ascii_digit))
}

fn parse_time(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s.trim()).ok()
}

/// Parse a standalone ERDS evidence XML.
pub fn parse_evidence(xml_bytes: &[u8]) -> Result<RemEvidence, EvidenceError> {
    let root = xml::parse(xml_bytes)?;
    if root.name != "Evidence" {
        return Err(EvidenceError::NotEvidence(root.name));
    }
    Ok(from_tree(&root))
}

fn from_tree(root: &Element) -> RemEvidence {
    let event_uri = root.child_text("ERDSEventId").unwrap_or_default();
    let mut reason_uris = Vec::new();
    let mut reason_code = None;
    let mut reason_details = Vec::new();
    for reason in root.find_all("EventReason") {
        if let Some(code) = reason.child_text("Code") {
            reason_uris.push(code);
        }
        for d in reason.children_named("Details") {
            if let Some(t) = non_empty(&d.text) {
                if reason_code.is_none() && is_reason_code(&t) {
                    reason_code = Some(t);
                } else {
                    reason_details.push(t);
                }
            }
        }
    }
    let identifier_of = |e: &Element| e.child_text("Identifier");
    RemEvidence {
        event: RemEvent::parse(&event_uri),
        event_uri,
        reason_uris,
        reason_code,
        reason_details,
        evidence_identifier: root.child_text("EvidenceIdentifier"),
        event_time: root.child_text("EventTime").as_deref().and_then(parse_time),
        submission_time: root
            .child_text("SubmissionTime")
            .as_deref()
            .and_then(parse_time),
        message_identifier: root.child_text("MessageIdentifier"),
        ua_message_identifier: root
            .find("UserContentInfo")
            .and_then(|u| u.child_text("AppLayerIdentifier")),
        sender: root.child("SenderDetails").and_then(identifier_of),
        recipients: root
            .children_named("RecipientDetails")
            .filter_map(identifier_of)
            .collect(),
        xades_signed: root.child("Signature").is_some(),
    }
}

/// REM facts of a message: its headers and the evidence it carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemInfo {
    pub message_type: RemMessageType,
    /// The event of the carried evidence, else the `REM-EventIdentifier` header's.
    pub event: Option<RemEvent>,
    /// `REM-EventIdentifier` header as written.
    pub event_header: Option<String>,
    /// `REM-ReasonIdentifier` header as written.
    pub reason_header: Option<String>,
    /// `REM-UAMessageIdentifier`: the sender's Message-ID.
    pub ua_message_identifier: Option<String>,
    /// `REM-Evidence-ID` header.
    pub evidence_id: Option<String>,
    /// The evidence part (`REM-Section-Type: rem_message/xml_evidence`), parsed.
    pub evidence: Option<RemEvidence>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_and_types() {
        assert_eq!(
            RemEvent::parse("http://uri.etsi.org/19522/Event/RelayFailure"),
            Some(RemEvent::RelayFailure)
        );
        assert_eq!(RemEvent::parse("Nope"), None);
        assert_eq!(
            RemMessageType::parse("http://uri.etsi.org/19522/v1#/ERDMessageType/dispatch"),
            RemMessageType::Dispatch
        );
        assert!(is_reason_code("RB02"));
        assert!(!is_reason_code("RB2"));
        assert!(!is_reason_code("ERD message"));
    }

    #[test]
    fn minimal_evidence() {
        let xml = br#"<tns:Evidence xmlns:tns="http://uri.etsi.org/19522/v1#">
            <tns:EvidenceIdentifier>ev-1</tns:EvidenceIdentifier>
            <tns:ERDSEventId>http://uri.etsi.org/19522/Event/SubmissionRejection</tns:ERDSEventId>
            <tns:EventReasons><tns:EventReason><Code>http://uri.etsi.org/19522/EventReason/MalwareFound</Code>
            <Details>RA03</Details><Details>Malware</Details></tns:EventReason></tns:EventReasons>
            <EventTime>2022-08-03T14:22:13Z</EventTime>
            <tns:UserContentInfo><AppLayerIdentifier>&lt;a@b&gt;</AppLayerIdentifier></tns:UserContentInfo>
            </tns:Evidence>"#;
        assert!(looks_like_evidence(xml));
        let e = parse_evidence(xml).expect("parses");
        assert_eq!(e.event, Some(RemEvent::SubmissionRejection));
        assert_eq!(e.reason_code.as_deref(), Some("RA03"));
        assert_eq!(e.reason_details, vec!["Malware"]);
        assert_eq!(e.evidence_identifier.as_deref(), Some("ev-1"));
        assert_eq!(e.ua_message_identifier.as_deref(), Some("<a@b>"));
        assert_eq!(
            e.event_time.map(|t| t.to_rfc3339()).as_deref(),
            Some("2022-08-03T14:22:13+00:00")
        );
    }
}
