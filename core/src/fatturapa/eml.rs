//! Minimal extraction of an invoice or SdI message from a whole e-mail (a PEC "POSTA CERTIFICATA"
//! envelope with `postacert.eml` inside, or a plain message).
//!
//! This is deliberately limited to *finding the attachment*; the PEC envelope analysis proper lives in
//! the message layer. Candidates are `.xml` and `.p7m` attachments other than the PEC's own
//! `daticert.xml` / `smime.p7s`, ranked by their SDI file name ([`crate::sdi::classify_file_name`]):
//! SDI-named invoices first, then other XML / `.p7m` files, then SdI messages (MT last, since it
//! travels with the invoice). Content decides in the end: an invoice wins over a message.

use super::FatturaError;
use super::model::Notification;
use super::open::{Container, Integrity, Opened, unwrap_signed};
use super::parse::{Document, parse_document};
use crate::limits::{MAX_MESSAGE_BYTES, MAX_NESTING_DEPTH, MAX_PARTS};
use crate::message::transfer;
use crate::sdi::{SdiFileKind, SdiNotification, classify_file_name};
use crate::signature::TrustStore;
use mail_parser::{Message, MessageParser, MimeHeaders};

struct Candidate {
    name: String,
    data: Vec<u8>,
}

fn collect(msg: &Message<'_>, depth: usize, out: &mut Vec<Candidate>, seen: &mut usize) {
    if depth > MAX_NESTING_DEPTH {
        return;
    }
    for part in msg.attachments() {
        *seen += 1;
        if *seen > MAX_PARTS {
            return;
        }
        if let Some(inner) = part.message() {
            collect(inner, depth + 1, out, seen);
            continue;
        }
        let Some(name) = part.attachment_name() else {
            continue;
        };
        let lower = name.to_ascii_lowercase();
        if lower == "daticert.xml" || lower == "smime.p7s" || lower.ends_with(".eml") {
            continue;
        }
        if lower.ends_with(".xml") || lower.ends_with(".p7m") {
            out.push(Candidate {
                name: name.to_string(),
                data: transfer::contents(msg, part).into_owned(),
            });
        }
    }
}

/// Lower is tried first.
fn rank(name: &str) -> u8 {
    match classify_file_name(name).map(|f| f.kind) {
        Some(SdiFileKind::Invoice) => 0,
        None => 1,
        Some(SdiFileKind::Notification(SdiNotification::MT)) => 3,
        Some(_) => 2,
    }
}

pub(super) fn open_email(data: &[u8], trust: &TrustStore) -> Result<Opened, FatturaError> {
    if data.len() > MAX_MESSAGE_BYTES {
        return Err(FatturaError::Email(format!(
            "the message is too large ({} bytes)",
            data.len()
        )));
    }
    let msg = MessageParser::default()
        .parse(data)
        .ok_or_else(|| FatturaError::Email("not a MIME message".into()))?;
    open_parsed_email(&msg, trust)
}

/// [`open_email`] on a message already parsed (the sync's analysis parses each message once).
pub(crate) fn open_parsed_email(
    msg: &Message<'_>,
    trust: &TrustStore,
) -> Result<Opened, FatturaError> {
    let mut candidates = Vec::new();
    let mut seen = 0;
    collect(msg, 0, &mut candidates, &mut seen);
    candidates.sort_by_key(|c| rank(&c.name));
    let mut first_notification: Option<Opened> = None;
    let mut first_error: Option<FatturaError> = None;
    for c in candidates {
        let signed = c.name.to_ascii_lowercase().ends_with(".p7m");
        let result = if signed {
            unwrap_signed(&c.data, trust).and_then(|(content, report, integrity)| {
                Ok((parse_document(&content)?, Some(report), integrity))
            })
        } else {
            parse_document(&c.data).map(|d| (d, None, Integrity::NotSigned))
        };
        match result {
            Ok((document, signature, integrity)) => {
                let opened = Opened {
                    document,
                    signature,
                    integrity,
                    container: Container::Email {
                        attachment: c.name.clone(),
                        signed,
                    },
                    sdi_file: classify_file_name(&c.name),
                };
                if matches!(opened.document, Document::Invoice(_)) {
                    return Ok(opened);
                }
                if first_notification.is_none() {
                    first_notification = Some(opened);
                }
            }
            Err(e) => {
                if first_error.is_none() {
                    first_error = Some(e);
                }
            }
        }
    }
    // An invoice that fails to open is reported before a notification that opens: the user asked for
    // the invoice and must learn that it is broken.
    match (first_error, first_notification) {
        (Some(e), _) => Err(e),
        (None, Some(n)) => Ok(n),
        (None, None) => Err(FatturaError::NoInvoiceInMessage),
    }
}

/// Every SdI message a whole e-mail carries (by file name), opened: the notifications about an
/// invoice and the metadata file travelling with it. Files that do not open are left out.
pub fn notifications_in(data: &[u8], trust: &TrustStore) -> Vec<(String, Notification)> {
    let Some(msg) = MessageParser::default().parse(data) else {
        return Vec::new();
    };
    let mut candidates = Vec::new();
    let mut seen = 0;
    collect(&msg, 0, &mut candidates, &mut seen);
    candidates
        .into_iter()
        .filter(|c| classify_file_name(&c.name).is_some_and(|f| f.notification().is_some()))
        .filter_map(|c| {
            let content = if c.name.to_ascii_lowercase().ends_with(".p7m") {
                unwrap_signed(&c.data, trust).ok()?.0
            } else {
                c.data
            };
            match parse_document(&content).ok()? {
                Document::Notification(n) => Some((c.name, *n)),
                _ => None,
            }
        })
        .collect()
}

/// The attachment [`open_email`] would open (name and raw bytes, still signed if it was): the file a
/// user shares or saves as "the original invoice".
pub fn invoice_attachment(
    data: &[u8],
    trust: &TrustStore,
) -> Result<(String, Vec<u8>), FatturaError> {
    let opened = open_email(data, trust)?;
    let Container::Email { attachment, .. } = opened.container else {
        return Err(FatturaError::NoInvoiceInMessage);
    };
    let msg = MessageParser::default()
        .parse(data)
        .ok_or_else(|| FatturaError::Email("not a MIME message".into()))?;
    let mut candidates = Vec::new();
    let mut seen = 0;
    collect(&msg, 0, &mut candidates, &mut seen);
    candidates
        .into_iter()
        .find(|c| c.name == attachment)
        .map(|c| (c.name, c.data))
        .ok_or(FatturaError::NoInvoiceInMessage)
}
