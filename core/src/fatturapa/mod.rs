//! FatturaPA: opening, understanding and rendering Italian e-invoices and SdI messages.
//!
//! Layers, each usable alone:
//! - [`open`]: bytes of a `.xml`, a `.xml.p7m` (any form, via [`crate::signature::open_signed`]) or a
//!   whole `.eml` → [`Opened`] (document + signature report + explicit [`Integrity`]).
//! - [`parse_document`] / [`parse_invoice`]: XML bytes → [`Document`] (typed [`model`]).
//! - [`render`]: an invoice → self-contained HTML, [`RenderStyle::Compact`] or
//!   [`RenderStyle::Ministerial`]; an SdI message → a short HTML summary.
//!
//! Hostile input is bounded by [`crate::limits::MAX_XML_BYTES`] and [`crate::limits::MAX_XML_DEPTH`];
//! DTDs are refused; nothing here panics on input.

pub mod codes;
mod eml;
pub(crate) use eml::open_parsed_email;
pub use eml::{invoice_attachment, notifications_in};
pub mod format;
pub mod model;
mod open;
mod parse;
pub mod render;
mod summary;
pub use summary::{attachment_files, summary_json};
#[cfg(any(test, feature = "test-support"))]
pub mod synth;
pub use crate::xml;

pub use codes::*;
pub use model::*;
pub use open::{Container, Headline, Integrity, Opened, open, open_named};
pub use parse::{
    Document, NS_FATTURAPA_V11, NS_FATTURE_V10, NS_FATTURE_V12, NS_MESSAGGI_B2B, NS_MESSAGGI_PA,
    decode_base64_lenient, parse_date, parse_decimal, parse_document, parse_invoice,
};
pub use render::{
    RenderStyle, notification_headline, render_document, render_invoice, render_notification,
    render_opened,
};
pub use xml::XmlError;

use crate::signature::SignatureError;

/// Why a file could not be opened as an invoice or SdI message. Every message is a sentence a UI can
/// show as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FatturaError {
    #[error(transparent)]
    Xml(#[from] XmlError),
    #[error("not a FatturaPA invoice or SdI message (root element <{root}>)")]
    NotFatturaPa {
        root: String,
        namespace: Option<String>,
    },
    #[error("unsupported FatturaPA version {0:?}")]
    UnsupportedVersion(String),
    #[error("the invoice is incomplete: {0} is missing")]
    MissingElement(String),
    #[error("the invoice is invalid: {field} is {value:?}, expected {expected}")]
    InvalidValue {
        field: String,
        value: String,
        expected: &'static str,
    },
    #[error("the file is an SdI message ({0}), not an invoice")]
    NotAnInvoice(String),
    #[error("cannot open the signed file: {0}")]
    Signature(#[from] SignatureError),
    #[error("the signature does not match the content: the file was altered or is corrupt ({0})")]
    SignatureInvalid(String),
    #[error("the e-mail carries no invoice or SdI message")]
    NoInvoiceInMessage,
    #[error("cannot read the e-mail: {0}")]
    Email(String),
}
