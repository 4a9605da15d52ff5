//! Composing a PEC: what the user writes ([`Draft`]), the checks that run before anything leaves
//! the device ([`validate`]), and the RFC 5322 bytes that go to the provider ([`build`]).
//!
//! - [`Draft`]: To/Cc (never Bcc: PEC forbids it), subject, text and HTML bodies, attachments from
//!   files or bytes, receipt type (`X-TipoRicevuta`), priority, signature, reply/forward links.
//! - [`validate`]: typed [`ComposeError`]s a UI can show (blocked attachment, too large for the
//!   provider, no recipient, invalid address, Bcc) and [`ComposeWarning`]s (non-PEC recipient).
//! - [`build`]: writes the message to any `impl Write` (a temp file for large attachments) with
//!   a Message-ID generated once, at queue time, by the caller ([`new_message_id`]).
//! - [`reply`]: reply, reply-all (to the real sender from `Reply-To`, not `posta-certificata@…`)
//!   and forward (with the original's attachments).
//! - [`signature`]: the account's signature, put in the text where compose opens.

pub mod build;
pub mod preset;
pub mod reply;
pub mod signature;
pub mod validate;

pub use build::{BuiltHeader, build, new_message_id};
pub use preset::ProviderPreset;
pub use validate::{ComposeCheck, ComposeWarning, RecipientCheck, Validated, check, validate};

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// `X-TipoRicevuta`: what the delivery receipts carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReceiptType {
    /// The original message with its attachments (the default).
    #[default]
    Completa,
    /// The original with attachments replaced by their hashes.
    Breve,
    /// Only the certification data, no original.
    Sintetica,
}

impl ReceiptType {
    pub fn as_str(self) -> &'static str {
        match self {
            ReceiptType::Completa => "completa",
            ReceiptType::Breve => "breve",
            ReceiptType::Sintetica => "sintetica",
        }
    }

    pub fn parse(s: &str) -> Option<ReceiptType> {
        match s.trim().to_ascii_lowercase().as_str() {
            "completa" => Some(ReceiptType::Completa),
            "breve" => Some(ReceiptType::Breve),
            "sintetica" => Some(ReceiptType::Sintetica),
            _ => None,
        }
    }
}

/// Message priority (`X-Priority` / `Importance`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    #[default]
    Normal,
    High,
}

impl Priority {
    /// The word a user types, in English or Italian (`high`/`alta`, `normal`/`normale`,
    /// `low`/`bassa`), any case.
    pub fn parse(word: &str) -> Option<Priority> {
        match word.trim().to_ascii_lowercase().as_str() {
            "high" | "alta" => Some(Priority::High),
            "normal" | "normale" => Some(Priority::Normal),
            "low" | "bassa" => Some(Priority::Low),
            _ => None,
        }
    }
}

/// One address with an optional display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mailbox {
    pub address: String,
    pub name: Option<String>,
}

impl Mailbox {
    pub fn new(address: impl Into<String>) -> Mailbox {
        Mailbox {
            address: address.into(),
            name: None,
        }
    }

    /// Parse `addr@x`, `<addr@x>` or `Name <addr@x>` (the address itself is checked by
    /// [`validate`], not here).
    pub fn parse(input: &str) -> Mailbox {
        let s = input.trim();
        if let (Some(open), true) = (s.rfind('<'), s.ends_with('>')) {
            let name = s[..open].trim().trim_matches('"').trim();
            let address = s[open + 1..s.len() - 1].trim();
            return Mailbox {
                address: address.to_string(),
                name: (!name.is_empty()).then(|| name.to_string()),
            };
        }
        Mailbox::new(s)
    }
}

/// Where an attachment's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttachmentSource {
    /// A file read when the message is built (never held in the draft).
    File(PathBuf),
    /// Bytes already in memory (forwarded attachments, generated files).
    Bytes(#[serde(with = "b64")] Vec<u8>),
    /// A document staged sealed in the data directory (`Outbox::stage`), opened with the key when
    /// the message is built. Never serialized: it exists between a stage and its queueing.
    #[serde(skip)]
    Sealed(PathBuf, std::sync::Arc<crate::vault::StoreKey>),
}

mod b64 {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(v))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(s.as_bytes())
            .map_err(serde::de::Error::custom)
    }
}

/// One attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub filename: String,
    /// MIME type; guessed from the extension when `None`.
    pub mime: Option<String>,
    pub source: AttachmentSource,
}

impl Attachment {
    /// An attachment read from `path` when the message is built.
    pub fn from_file(path: impl Into<PathBuf>) -> Attachment {
        let path = path.into();
        let filename = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| "allegato".into());
        Attachment {
            filename,
            mime: None,
            source: AttachmentSource::File(path),
        }
    }

    pub fn from_bytes(filename: impl Into<String>, bytes: Vec<u8>) -> Attachment {
        Attachment {
            filename: filename.into(),
            mime: None,
            source: AttachmentSource::Bytes(bytes),
        }
    }

    /// Size of the raw (decoded) content in bytes.
    pub fn size(&self) -> Result<u64, ComposeError> {
        match &self.source {
            AttachmentSource::Bytes(b) => Ok(b.len() as u64),
            AttachmentSource::File(p) => std::fs::metadata(p).map(|m| m.len()).map_err(|e| {
                ComposeError::AttachmentUnreadable {
                    filename: self.filename.clone(),
                    reason: e.to_string(),
                }
            }),
            AttachmentSource::Sealed(p, _) => std::fs::metadata(p)
                .map_err(|e| e.to_string())
                .and_then(|m| {
                    crate::vault::sealed::plain_len(m.len()).ok_or_else(|| "damaged".into())
                })
                .map_err(|reason| ComposeError::AttachmentUnreadable {
                    filename: self.filename.clone(),
                    reason,
                }),
        }
    }

    /// The first bytes of the content (for content sniffing).
    pub fn head(&self, n: usize) -> Result<Vec<u8>, ComposeError> {
        match &self.source {
            AttachmentSource::Bytes(b) => Ok(b[..b.len().min(n)].to_vec()),
            AttachmentSource::File(p) => {
                use std::io::Read;
                let unreadable = |e: std::io::Error| ComposeError::AttachmentUnreadable {
                    filename: self.filename.clone(),
                    reason: e.to_string(),
                };
                let f = std::fs::File::open(p).map_err(unreadable)?;
                let mut buf = Vec::with_capacity(n);
                f.take(n as u64).read_to_end(&mut buf).map_err(unreadable)?;
                Ok(buf)
            }
            AttachmentSource::Sealed(p, key) => {
                let mut head = crate::vault::sealed::read_head(p, key).map_err(|e| {
                    ComposeError::AttachmentUnreadable {
                        filename: self.filename.clone(),
                        reason: e.to_string(),
                    }
                })?;
                head.truncate(n);
                Ok(head)
            }
        }
    }

    /// The MIME type to declare.
    pub fn content_type(&self) -> String {
        self.mime
            .clone()
            .unwrap_or_else(|| crate::files::mime_type(&self.filename).to_string())
    }
}

/// What the user writes. Serializable, for the terminal client's `--json` and the tests.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Draft {
    /// The sender: the PEC account's own address (MAIL FROM and From must be equal).
    pub from: Option<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    /// Always refused by [`validate`] (PEC forbids Bcc); present so a UI's input is never
    /// silently dropped.
    pub bcc: Vec<Mailbox>,
    pub subject: String,
    pub text: Option<String>,
    pub html: Option<String>,
    pub attachments: Vec<Attachment>,
    pub receipt: ReceiptType,
    pub priority: Priority,
    /// Appended to the bodies (after "-- ").
    pub signature: Option<String>,
    /// Message-ID (without angle brackets) this message replies to.
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
}

impl Draft {
    pub fn new() -> Draft {
        Draft::default()
    }
}

/// Why a draft cannot be sent. Every variant names what the user must change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ComposeError {
    #[error("add at least one recipient (To or Cc)")]
    NoRecipients,
    #[error(
        "PEC does not allow hidden recipients (Bcc): move {addresses:?} to To or Cc, or send them a separate message"
    )]
    BccNotAllowed { addresses: Vec<String> },
    #[error("{address:?} is not a valid e-mail address")]
    InvalidAddress { address: String },
    #[error("the sender is missing: choose the PEC account to send from")]
    NoSender,
    #[error("{filename:?} cannot be attached: {reason}")]
    BlockedAttachment { filename: String, reason: String },
    #[error("{filename:?} cannot be read: {reason}")]
    AttachmentUnreadable { filename: String, reason: String },
    #[error(
        "the message is too large for {provider}: {size} bytes × {recipients} recipients exceeds {limit} bytes; remove attachments or send to fewer recipients at a time"
    )]
    TooLarge {
        provider: String,
        size: u64,
        recipients: u32,
        limit: u64,
    },
    #[error(
        "{provider} accepts at most {limit} recipients per message ({recipients} given): a PEC cannot be split, send separate messages"
    )]
    TooManyRecipients {
        provider: String,
        recipients: u32,
        limit: u32,
    },
    #[error("the subject contains a line break")]
    BadSubject,
    /// An HTML body needs a plain-text body beside it. Chosen over deriving one from the HTML:
    /// the text part is what many PEC readers show and what a receipt's copy is read by, and a
    /// text made by stripping tags could say something other than what the sender saw.
    #[error("an HTML body needs a plain-text body too (the text part PEC readers show)")]
    HtmlWithoutText,
    #[error("could not write the message: {0}")]
    Io(String),
}
