//! Writing the message (RFC 5322 + MIME) with mail-builder, to any `impl Write`.

use super::{AttachmentSource, ComposeError, Draft, Priority};
use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address;
use mail_builder::headers::raw::Raw;
use std::borrow::Cow;
use std::io::Write;

/// A fresh, globally unique Message-ID (without angle brackets) on the sender's domain. Generated
/// once, when the message is queued, and never again for that message: it is the key that tells
/// whether an attempt whose outcome is unknown reached the provider.
pub fn new_message_id(sender: &str) -> String {
    use ring::rand::SecureRandom;
    let domain = sender
        .rsplit_once('@')
        .map(|(_, d)| d)
        .filter(|d| !d.is_empty())
        .unwrap_or("localhost");
    let mut bytes = [0u8; 16];
    if ring::rand::SystemRandom::new().fill(&mut bytes).is_err() {
        // Practically unreachable; fall back on time and process id, still unique per message.
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        bytes[..16].copy_from_slice(&(t ^ ((std::process::id() as u128) << 64)).to_be_bytes());
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format!("pec.{ts}.{hex}@{domain}")
}

/// What the outbox needs from a built message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltHeader {
    pub message_id: String,
    pub from: String,
    /// Envelope recipients (To then Cc, no duplicates).
    pub recipients: Vec<String>,
}

fn mailbox<'x>(m: &'x super::Mailbox) -> Address<'x> {
    match &m.name {
        Some(n) => Address::new_address(Some(n.as_str()), m.address.trim()),
        None => Address::new_address(None::<&str>, m.address.trim()),
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\n', "<br>\n")
}

/// Write `draft` as an RFC 5322 message to `out`. `message_id` comes from [`new_message_id`];
/// `date` is Unix seconds. Attachments given as files are read here, one copy in memory while
/// writing; the encoded output streams to `out` (a file for the outbox).
///
/// Call [`super::validate`] first: this function only refuses what it cannot write.
pub fn build(
    draft: &Draft,
    message_id: &str,
    date: i64,
    out: impl Write,
) -> Result<BuiltHeader, ComposeError> {
    build_inner(draft, message_id, date, out, true)
}

/// Like [`build`] for a draft saved to the server: recipients may still be missing.
pub fn build_draft(
    draft: &Draft,
    message_id: &str,
    date: i64,
    out: impl Write,
) -> Result<BuiltHeader, ComposeError> {
    build_inner(draft, message_id, date, out, false)
}

fn build_inner(
    draft: &Draft,
    message_id: &str,
    date: i64,
    out: impl Write,
    need_recipients: bool,
) -> Result<BuiltHeader, ComposeError> {
    let from = draft.from.as_ref().ok_or(ComposeError::NoSender)?;
    if !draft.bcc.is_empty() {
        return Err(ComposeError::BccNotAllowed {
            addresses: draft.bcc.iter().map(|m| m.address.clone()).collect(),
        });
    }
    let mut recipients: Vec<String> = Vec::new();
    for m in draft.to.iter().chain(draft.cc.iter()) {
        let a = m.address.trim().to_lowercase();
        if !recipients.contains(&a) {
            recipients.push(a);
        }
    }
    if need_recipients && recipients.is_empty() {
        return Err(ComposeError::NoRecipients);
    }
    let mut mb = MessageBuilder::new()
        .from(mailbox(from))
        .subject(draft.subject.as_str())
        .message_id(message_id)
        .date(date)
        .header("X-TipoRicevuta", Raw::new(draft.receipt.as_str()));
    if !draft.to.is_empty() {
        mb = mb.to(Address::new_list(draft.to.iter().map(mailbox).collect()));
    }
    if !draft.cc.is_empty() {
        mb = mb.cc(Address::new_list(draft.cc.iter().map(mailbox).collect()));
    }
    if let Some(r) = &draft.in_reply_to {
        mb = mb.in_reply_to(r.as_str());
    }
    if !draft.references.is_empty() {
        mb = mb.references(
            draft
                .references
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>(),
        );
    }
    match draft.priority {
        Priority::High => {
            mb = mb
                .header("X-Priority", Raw::new("1 (Highest)"))
                .header("Importance", Raw::new("high"));
        }
        Priority::Low => {
            mb = mb
                .header("X-Priority", Raw::new("5 (Lowest)"))
                .header("Importance", Raw::new("low"));
        }
        Priority::Normal => {}
    }
    let sig = draft.signature.as_deref().filter(|s| !s.trim().is_empty());
    let text = match (&draft.text, sig) {
        (Some(t), Some(s)) => Some(format!("{t}\r\n\r\n-- \r\n{s}")),
        (Some(t), None) => Some(t.clone()),
        (None, Some(s)) if draft.html.is_none() => Some(format!("-- \r\n{s}")),
        (None, _) => None,
    };
    let html = draft.html.as_ref().map(|h| match sig {
        Some(s) => format!("{h}<br>\r\n<br>\r\n-- <br>\r\n{}", html_escape(s)),
        None => h.clone(),
    });
    match (text, html) {
        (Some(t), h) => {
            mb = mb.text_body(t);
            if let Some(h) = h {
                mb = mb.html_body(h);
            }
        }
        (None, Some(h)) => mb = mb.html_body(h),
        (None, None) => mb = mb.text_body(""),
    }
    // Files are read now; bytes are borrowed.
    let mut contents: Vec<Cow<'_, [u8]>> = Vec::with_capacity(draft.attachments.len());
    for a in &draft.attachments {
        contents.push(match &a.source {
            AttachmentSource::Bytes(b) => Cow::Borrowed(b.as_slice()),
            AttachmentSource::File(p) => Cow::Owned(
                crate::files::read_capped(p, crate::limits::MAX_ATTACHMENT_BYTES).map_err(|e| {
                    ComposeError::AttachmentUnreadable {
                        filename: a.filename.clone(),
                        reason: e.to_string(),
                    }
                })?,
            ),
            AttachmentSource::Sealed(p, key) => Cow::Owned(
                crate::vault::sealed::read_file(p, Some(key), crate::limits::MAX_ATTACHMENT_BYTES)
                    .map_err(|e| ComposeError::AttachmentUnreadable {
                        filename: a.filename.clone(),
                        reason: e.to_string(),
                    })?,
            ),
        });
    }
    for (a, c) in draft.attachments.iter().zip(contents) {
        mb = mb.attachment(
            a.content_type(),
            a.filename.as_str(),
            mail_builder::mime::BodyPart::Binary(c),
        );
    }
    mb.write_to(out)
        .map_err(|e| ComposeError::Io(e.to_string()))?;
    Ok(BuiltHeader {
        message_id: message_id.to_string(),
        from: from.address.trim().to_lowercase(),
        recipients,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::{Attachment, Mailbox, ReceiptType};
    use mail_parser::MimeHeaders;

    #[test]
    fn writes_pec_headers_bodies_and_attachments() {
        let d = Draft {
            from: Some(Mailbox {
                address: "utente1@pec.sandbox.test".into(),
                name: Some("Mario Rossi".into()),
            }),
            to: vec![Mailbox::new("a@pec.it")],
            cc: vec![Mailbox::new("b@pec.it"), Mailbox::new("A@pec.it")],
            subject: "Diffida è urgente".into(),
            text: Some("Testo".into()),
            html: Some("<p>Testo</p>".into()),
            attachments: vec![Attachment::from_bytes(
                "atto.pdf",
                b"%PDF-1.4 data".to_vec(),
            )],
            receipt: ReceiptType::Breve,
            priority: Priority::High,
            signature: Some("Avv. Rossi".into()),
            in_reply_to: Some("orig@pec.it".into()),
            references: vec!["orig@pec.it".into()],
            ..Default::default()
        };
        let mut out = Vec::new();
        let h = build(&d, "id1@pec.sandbox.test", 1_700_000_000, &mut out).expect("build");
        assert_eq!(h.recipients, vec!["a@pec.it", "b@pec.it"]);
        let msg = mail_parser::MessageParser::default()
            .parse(&out)
            .expect("parses");
        assert_eq!(msg.message_id(), Some("id1@pec.sandbox.test"));
        assert_eq!(msg.subject(), Some("Diffida è urgente"));
        assert_eq!(
            msg.header_raw("X-TipoRicevuta").map(str::trim),
            Some("breve")
        );
        assert_eq!(msg.header_raw("Importance").map(str::trim), Some("high"));
        assert_eq!(msg.in_reply_to().as_text(), Some("orig@pec.it"));
        assert!(msg.header_raw("Bcc").is_none());
        assert!(
            msg.body_text(0)
                .is_some_and(|t| t.contains("Testo") && t.contains("Avv. Rossi"))
        );
        assert!(msg.body_html(0).is_some_and(|t| t.contains("Avv. Rossi")));
        let att = msg.attachment(0).expect("attachment");
        assert_eq!(att.attachment_name(), Some("atto.pdf"));
        assert_eq!(att.contents(), b"%PDF-1.4 data");
    }

    #[test]
    fn message_ids_are_unique_and_on_the_sender_domain() {
        let a = new_message_id("x@pec.example.it");
        let b = new_message_id("x@pec.example.it");
        assert_ne!(a, b);
        assert!(a.ends_with("@pec.example.it"));
        assert!(!a.contains('<'));
    }
}
