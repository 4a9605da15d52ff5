//! The parts of a PEC/REM message: daticert.xml, the original (`postacert.eml` or REM
//! `AttachedMimeMessage`), the REM evidence, the signature, and the attachment list people see.

use super::headers::raw_value;
use crate::sdi::{self, SdiFile};
use mail_parser::{Message, MessagePart, MimeHeaders, PartType};
use serde::Serialize;

/// What a part is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PartRole {
    /// `daticert.xml`.
    Daticert,
    /// The original message (`postacert.eml`, REM `AttachedMimeMessage`).
    Original,
    /// `smime.p7s`.
    Signature,
    /// REM `xml_evidence`.
    RemEvidence,
    /// Anything else: a user attachment.
    Content,
}

/// One attachment as a list row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attachment {
    pub name: Option<String>,
    pub content_type: String,
    /// Decoded size in bytes.
    pub size: usize,
    pub role: PartRole,
    /// SDI naming, when the name follows the FatturaPA rules.
    pub sdi: Option<SdiFile>,
}

/// Indexes (into `msg.parts`) of the parts that matter.
#[derive(Debug, Default, Clone)]
pub struct Structure {
    pub daticert: Option<usize>,
    /// Every part named `daticert.xml`, in order: a re-wrapped or forged message may carry one
    /// outside the signed content besides the provider's own.
    pub daticerts: Vec<usize>,
    pub original: Option<usize>,
    pub evidence: Option<usize>,
    pub signature: Option<usize>,
    pub attachments: Vec<Attachment>,
}

fn mime_type(part: &MessagePart<'_>) -> String {
    match part.content_type() {
        Some(ct) => match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub).to_ascii_lowercase(),
            None => ct.ctype().to_ascii_lowercase(),
        },
        None => match part.body {
            PartType::Message(_) => "message/rfc822".into(),
            PartType::Text(_) => "text/plain".into(),
            PartType::Html(_) => "text/html".into(),
            _ => "application/octet-stream".into(),
        },
    }
}

fn size(msg: &Message<'_>, part: &MessagePart<'_>) -> usize {
    match &part.body {
        PartType::Message(m) => m.raw_message().len(),
        PartType::Multipart(_) => 0,
        _ => super::transfer::decoded_size(msg, part),
    }
}

fn name_is(name: Option<&str>, wanted: &str) -> bool {
    name.is_some_and(|n| n.trim().eq_ignore_ascii_case(wanted))
}

/// Classify the parts of `msg`.
pub fn structure(msg: &Message<'_>) -> Structure {
    // Offsets are relative to the `raw_message` field (`raw_message()` is a sub-slice of it).
    let raw: &[u8] = &msg.raw_message;
    let mut st = Structure::default();
    let mut first_rfc822 = None;
    for (idx, part) in msg.parts.iter().enumerate() {
        if idx == 0 || matches!(part.body, PartType::Multipart(_)) {
            continue;
        }
        let ctype = mime_type(part);
        let name = part.attachment_name();
        let section = raw_value(&part.headers, raw, "REM-Section-Type");
        let section = section.as_deref().unwrap_or_default();
        let is_rfc822 = ctype == "message/rfc822" || matches!(part.body, PartType::Message(_));
        let role = if section.eq_ignore_ascii_case("rem_message/xml_evidence") {
            PartRole::RemEvidence
        } else if section.eq_ignore_ascii_case("rem_message/original")
            || (is_rfc822
                && (name_is(name, "postacert.eml") || name_is(name, "AttachedMimeMessage")))
        {
            PartRole::Original
        } else if name_is(name, "daticert.xml") {
            PartRole::Daticert
        } else if ctype == "application/pkcs7-signature" || ctype == "application/x-pkcs7-signature"
        {
            PartRole::Signature
        } else {
            PartRole::Content
        };
        let slot = match role {
            PartRole::Daticert => Some(&mut st.daticert),
            PartRole::Original => Some(&mut st.original),
            PartRole::RemEvidence => Some(&mut st.evidence),
            PartRole::Signature => Some(&mut st.signature),
            PartRole::Content => None,
        };
        if let Some(slot) = slot
            && slot.is_none()
        {
            *slot = Some(idx);
        }
        if role == PartRole::Daticert {
            st.daticerts.push(idx);
        }
        if is_rfc822 && first_rfc822.is_none() {
            first_rfc822 = Some(idx);
        }
        let is_attachment = msg.attachments.contains(&(idx as u32));
        if is_attachment || role != PartRole::Content {
            st.attachments.push(Attachment {
                name: name.map(str::to_string),
                content_type: ctype,
                size: size(msg, part),
                role,
                sdi: name.and_then(sdi::classify_file_name),
            });
        }
    }
    if st.original.is_none() {
        st.original = first_rfc822;
    }
    st
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MessageParser;

    #[test]
    fn finds_roles() {
        let raw = b"Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nbody\r\n\
--B\r\nContent-Type: application/xml; name=\"daticert.xml\"\r\n\r\n<postacert/>\r\n\
--B\r\nContent-Type: message/rfc822; name=\"postacert.eml\"\r\n\r\nSubject: inner\r\n\r\nhi\r\n\
--B\r\nContent-Type: application/octet-stream; name=\"IT01234567890_11111_RC_001.xml\"\r\n\r\nx\r\n--B--\r\n";
        let msg = MessageParser::default().parse(&raw[..]).expect("parses");
        let st = structure(&msg);
        assert!(st.daticert.is_some());
        assert!(st.original.is_some());
        let roles: Vec<_> = st.attachments.iter().map(|a| a.role).collect();
        assert_eq!(
            roles,
            vec![PartRole::Daticert, PartRole::Original, PartRole::Content]
        );
        assert!(st.attachments.last().and_then(|a| a.sdi.as_ref()).is_some());
    }
}
