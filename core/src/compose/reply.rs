//! Reply, reply-all and forward drafts from a received message (a PEC envelope or plain mail).
//!
//! For a PEC envelope the author is `Reply-To` (the envelope's `From` is the provider's
//! `posta-certificata@…`), the content is `postacert.eml`, and the Message-ID to refer to is
//! `X-Riferimento-Message-ID` (the sender's own).

use super::{Attachment, AttachmentSource, Draft, Mailbox};
use crate::message::subject::strip_prefixes as strip_subject_prefix;
use mail_parser::{Address, Message, MessageParser, MimeHeaders};

/// Why a draft could not be prepared from a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    #[error("the original message cannot be read as e-mail")]
    Unparseable,
    #[error("the original message names no sender to reply to")]
    NoSender,
}

fn mailboxes(a: Option<&Address<'_>>) -> Vec<Mailbox> {
    let Some(a) = a else { return Vec::new() };
    a.iter()
        .filter_map(|addr| {
            addr.address().map(|s| Mailbox {
                address: s.trim().to_lowercase(),
                name: addr.name().map(str::to_string).filter(|n| !n.is_empty()),
            })
        })
        .collect()
}

fn is_provider_address(addr: &str) -> bool {
    let local = addr.split('@').next().unwrap_or("");
    local.eq_ignore_ascii_case("posta-certificata") || local.eq_ignore_ascii_case("rem-service")
}

struct Original {
    /// The message carrying the content (postacert.eml for envelopes).
    content: Message<'static>,
    author: Option<Mailbox>,
    to: Vec<Mailbox>,
    cc: Vec<Mailbox>,
    message_id: Option<String>,
    subject: String,
}

fn open(raw: &[u8]) -> Result<Original, ReplyError> {
    let outer = MessageParser::default()
        .parse(raw)
        .ok_or(ReplyError::Unparseable)?;
    let is_envelope = outer
        .header_raw("X-Trasporto")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("posta-certificata"));
    let ref_id = outer
        .header_raw("X-Riferimento-Message-ID")
        .map(crate::message::headers::normalize_message_id)
        .filter(|v| !v.is_empty());
    let inner: Option<Message<'static>> = if is_envelope {
        outer
            .attachments()
            .find(|p| {
                p.attachment_name()
                    .is_some_and(|n| n.eq_ignore_ascii_case("postacert.eml"))
                    || p.is_message()
            })
            .and_then(|p| p.message().map(|m| m.clone().into_owned()))
    } else {
        None
    };
    let outer_reply_to: Vec<Mailbox> = mailboxes(outer.reply_to());
    let outer_from = mailboxes(outer.from());
    let outer_subject = outer.subject().unwrap_or("").to_string();
    let outer_id = outer.message_id().map(str::to_string);
    let outer_to = mailboxes(outer.to());
    let outer_cc = mailboxes(outer.cc());
    let content = match inner {
        Some(m) => m,
        None => outer.into_owned(),
    };
    let inner_from = mailboxes(content.from());
    // The real author: Reply-To, then the original's From, never the provider's address.
    let author = outer_reply_to
        .into_iter()
        .chain(inner_from)
        .chain(outer_from)
        .find(|m| !is_provider_address(&m.address));
    let (to, cc) = if is_envelope {
        let t = mailboxes(content.to());
        let c = mailboxes(content.cc());
        if t.is_empty() && c.is_empty() {
            (outer_to, outer_cc)
        } else {
            (t, c)
        }
    } else {
        (outer_to, outer_cc)
    };
    let message_id = if is_envelope {
        ref_id.or_else(|| content.message_id().map(str::to_string))
    } else {
        outer_id
    };
    let subject = content
        .subject()
        .map(str::to_string)
        .unwrap_or_else(|| strip_subject_prefix(&outer_subject).to_string());
    Ok(Original {
        content,
        author,
        to,
        cc,
        message_id,
        subject: strip_subject_prefix(&subject).to_string(),
    })
}

fn prefixed(prefix: &str, subject: &str) -> String {
    let s = subject.trim();
    if s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
    {
        s.to_string()
    } else {
        format!("{prefix} {s}")
    }
}

fn quoted(o: &Original) -> String {
    let body = o
        .content
        .body_text(0)
        .map(|b| b.into_owned())
        .unwrap_or_default();
    let who = o
        .author
        .as_ref()
        .map(|m| m.address.clone())
        .unwrap_or_default();
    let mut out = format!("\n\n{who} ha scritto:\n");
    for line in body.lines() {
        out.push_str("> ");
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// A reply (or, with `all`, a reply to everyone) from the account `me`.
pub fn reply(raw: &[u8], me: &str, all: bool) -> Result<Draft, ReplyError> {
    let o = open(raw)?;
    let author = o.author.clone().ok_or(ReplyError::NoSender)?;
    let me_l = me.to_lowercase();
    let mut cc = Vec::new();
    if all {
        for m in o.to.iter().chain(o.cc.iter()) {
            if m.address != me_l
                && m.address != author.address
                && !is_provider_address(&m.address)
                && !cc.iter().any(|c: &Mailbox| c.address == m.address)
            {
                cc.push(m.clone());
            }
        }
    }
    let mut references: Vec<String> = o
        .content
        .references()
        .as_text_list()
        .map(|l| l.iter().map(|s| s.to_string()).collect())
        .unwrap_or_default();
    if let Some(id) = &o.message_id {
        references.push(id.clone());
    }
    Ok(Draft {
        from: Some(Mailbox::new(me)),
        to: vec![author],
        cc,
        subject: prefixed("Re:", &o.subject),
        text: Some(quoted(&o)),
        in_reply_to: o.message_id.clone(),
        references,
        ..Default::default()
    })
}

/// The attachments of `msg` as a draft carries them (a nameless one is `allegato-N`).
fn attachments_of(msg: &Message<'_>) -> Vec<Attachment> {
    msg.attachments()
        .enumerate()
        .map(|(i, part)| Attachment {
            filename: part
                .attachment_name()
                .map(str::to_string)
                .unwrap_or_else(|| format!("allegato-{}", i + 1)),
            mime: part.content_type().map(|ct| match ct.subtype() {
                Some(st) => format!("{}/{}", ct.ctype(), st),
                None => ct.ctype().to_string(),
            }),
            source: AttachmentSource::Bytes(part.contents().to_vec()),
        })
        .collect()
}

/// A forward carrying the original's text and attachments.
pub fn forward(raw: &[u8], me: &str) -> Result<Draft, ReplyError> {
    let o = open(raw)?;
    let attachments = attachments_of(&o.content);
    let author = o
        .author
        .as_ref()
        .map(|m| m.address.clone())
        .unwrap_or_default();
    let body = o
        .content
        .body_text(0)
        .map(|b| b.into_owned())
        .unwrap_or_default();
    let text = format!(
        "\n\n---------- Messaggio inoltrato ----------\nDa: {author}\nOggetto: {}\n\n{body}",
        o.subject
    );
    Ok(Draft {
        from: Some(Mailbox::new(me)),
        subject: prefixed("Fwd:", &o.subject),
        text: Some(text),
        attachments,
        ..Default::default()
    })
}

/// A draft saved earlier (the Drafts folder), reopened to go on writing: its recipients,
/// subject, text, attachments, receipt type, priority and thread as they were saved.
pub fn resume(raw: &[u8]) -> Result<Draft, ReplyError> {
    let msg = MessageParser::default()
        .parse(raw)
        .ok_or(ReplyError::Unparseable)?;
    let attachments = attachments_of(&msg);
    let header = |name: &str| msg.header_raw(name).map(|v| v.trim().to_string());
    let ids = |name: &str| -> Vec<String> {
        header(name)
            .map(|v| {
                v.split_whitespace()
                    .map(crate::message::headers::normalize_message_id)
                    .filter(|id| !id.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    Ok(Draft {
        from: mailboxes(msg.from()).into_iter().next(),
        to: mailboxes(msg.to()),
        cc: mailboxes(msg.cc()),
        subject: msg.subject().unwrap_or("").to_string(),
        text: msg.body_text(0).map(|b| b.into_owned()),
        attachments,
        receipt: header("X-TipoRicevuta")
            .and_then(|v| super::ReceiptType::parse(&v))
            .unwrap_or_default(),
        // X-Priority as written when building: `1 (Highest)` .. `5 (Lowest)`.
        priority: match header("X-Priority").and_then(|v| v.chars().next()) {
            Some('1' | '2') => super::Priority::High,
            Some('4' | '5') => super::Priority::Low,
            _ => super::Priority::Normal,
        },
        in_reply_to: ids("In-Reply-To").into_iter().next(),
        references: ids("References"),
        ..Default::default()
    })
}

#[cfg(test)]
mod resume_tests {
    use super::*;
    use crate::compose::{Priority, ReceiptType};

    #[test]
    fn a_saved_draft_comes_back_as_it_was_written() {
        let draft = Draft {
            from: Some(Mailbox::new("me@pec.example")),
            to: vec![Mailbox::new("a@pec.example")],
            cc: vec![Mailbox::new("b@pec.example")],
            subject: "Bozza di contratto".into(),
            text: Some("Testo in corso".into()),
            attachments: vec![Attachment::from_bytes("bozza.pdf", b"%PDF-1.4".to_vec())],
            receipt: ReceiptType::Breve,
            priority: Priority::High,
            in_reply_to: Some("orig@x".into()),
            references: vec!["orig@x".into()],
            ..Default::default()
        };
        let mut raw = Vec::new();
        crate::compose::build::build_draft(&draft, "d1@pec.example", 0, &mut raw).unwrap();
        let back = resume(&raw).unwrap();
        assert_eq!(back.to, draft.to);
        assert_eq!(back.cc, draft.cc);
        assert_eq!(back.subject, draft.subject);
        assert!(back.text.unwrap().contains("Testo in corso"));
        assert_eq!(back.attachments.len(), 1);
        assert_eq!(back.attachments[0].filename, "bozza.pdf");
        assert_eq!(
            (back.receipt, back.priority),
            (ReceiptType::Breve, Priority::High)
        );
        assert_eq!(back.in_reply_to.as_deref(), Some("orig@x"));
        assert_eq!(back.references, vec!["orig@x".to_string()]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENVELOPE: &str = "From: \"Per conto di: mario@pec.it\" <posta-certificata@pec.it>\r\n\
Reply-To: mario@pec.it\r\n\
To: me@pec.sandbox.test\r\n\
Subject: POSTA CERTIFICATA: Contratto\r\n\
Message-ID: <opec.123@pec.it>\r\n\
X-Trasporto: posta-certificata\r\n\
X-Riferimento-Message-ID: <orig.1@pec.it>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b1\"\r\n\
\r\n\
--b1\r\n\
Content-Type: text/plain\r\n\
\r\n\
Messaggio di posta certificata\r\n\
--b1\r\n\
Content-Type: message/rfc822; name=\"postacert.eml\"\r\n\
Content-Disposition: inline; filename=\"postacert.eml\"\r\n\
\r\n\
From: mario@pec.it\r\n\
To: me@pec.sandbox.test, anna@pec.it\r\n\
Cc: luca@pec.it\r\n\
Subject: Contratto\r\n\
Message-ID: <orig.1@pec.it>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b2\"\r\n\
\r\n\
--b2\r\n\
Content-Type: text/plain\r\n\
\r\n\
Ecco il contratto.\r\n\
--b2\r\n\
Content-Type: application/pdf; name=\"contratto.pdf\"\r\n\
Content-Disposition: attachment; filename=\"contratto.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
JVBERi0xLjQK\r\n\
--b2--\r\n\
--b1--\r\n";

    #[test]
    fn reply_goes_to_the_real_sender() {
        let d = reply(ENVELOPE.as_bytes(), "me@pec.sandbox.test", false).expect("reply");
        assert_eq!(d.to, vec![Mailbox::new("mario@pec.it")]);
        assert!(d.cc.is_empty());
        assert_eq!(d.subject, "Re: Contratto");
        assert_eq!(d.in_reply_to.as_deref(), Some("orig.1@pec.it"));
        assert!(
            d.text
                .as_deref()
                .is_some_and(|t| t.contains("> Ecco il contratto."))
        );
    }

    #[test]
    fn reply_all_keeps_the_others_but_not_me_nor_the_provider() {
        let d = reply(ENVELOPE.as_bytes(), "ME@pec.sandbox.test", true).expect("reply");
        let cc: Vec<&str> = d.cc.iter().map(|m| m.address.as_str()).collect();
        assert_eq!(cc, vec!["anna@pec.it", "luca@pec.it"]);
        assert_eq!(d.to[0].address, "mario@pec.it");
    }

    #[test]
    fn forward_carries_the_attachments() {
        let d = forward(ENVELOPE.as_bytes(), "me@pec.sandbox.test").expect("forward");
        assert_eq!(d.subject, "Fwd: Contratto");
        assert!(d.to.is_empty());
        assert_eq!(d.attachments.len(), 1);
        assert_eq!(d.attachments[0].filename, "contratto.pdf");
        assert_eq!(
            d.attachments[0].source,
            AttachmentSource::Bytes(b"%PDF-1.4\n".to_vec())
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(reply(b"", "me@pec.it", false).is_err());
    }
}
