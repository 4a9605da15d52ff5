//! Opening a file as the user received it: plain XML, signed `.p7m`, or a whole e-mail.

use super::parse::{Document, parse_document};
use super::{FatturaElettronica, FatturaError, Notification, eml};
use crate::signature::{SignatureReport, SignatureStatus, TrustStore, open_signed};

/// Whether the bytes shown are the bytes that were signed. A UI shows this next to the invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Integrity {
    /// A plain XML file: nothing vouches for it (not altered as far as anyone can tell, not proven).
    NotSigned,
    /// The CAdES signature verifies over the content. `trusted` is false when the signer does not
    /// chain to a trusted anchor (content intact, signer not vouched for).
    SignedIntact { trusted: bool },
}

/// The container the document came in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Container {
    Xml,
    P7m,
    /// An e-mail; `attachment` is the name of the part that held the document.
    Email {
        attachment: String,
        signed: bool,
    },
}

/// The result of [`open`]: never produced for altered or truncated signed content.
#[derive(Debug, Clone)]
pub struct Opened {
    pub document: Document,
    /// The CAdES report when the document was signed, `None` for plain XML.
    pub signature: Option<SignatureReport>,
    pub integrity: Integrity,
    pub container: Container,
    /// The SDI naming of the file (or of the e-mail attachment), when its name follows the rules.
    pub sdi_file: Option<crate::sdi::SdiFile>,
}

/// What the invoice screen's header shows about an opened file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headline {
    /// An SdI notification (a receipt of the exchange system) rather than an invoice.
    pub notification: bool,
    /// The supplier (cedente/prestatore), for invoices.
    pub supplier: Option<String>,
    /// The first document's number, for invoices.
    pub number: Option<String>,
    /// The first document's total, formatted the Italian way, for invoices.
    pub total: Option<String>,
    /// The attachment's name inside the message it came from, else `given_name`.
    pub file_name: Option<String>,
}

impl Opened {
    /// The headline facts; `given_name` is the name the file was handed over with.
    pub fn headline(&self, given_name: Option<String>) -> Headline {
        let (supplier, number, total) = match &self.document {
            Document::Invoice(inv) => {
                let body = inv.bodies.first();
                (
                    Some(inv.header.cedente_prestatore.display_name()),
                    body.map(|b| b.documento().numero.clone()),
                    body.map(|b| super::format::amount(&b.total())),
                )
            }
            Document::Notification(_) => (None, None, None),
        };
        let file_name = given_name.or_else(|| match &self.container {
            Container::Email { attachment, .. } => Some(attachment.clone()),
            _ => None,
        });
        Headline {
            notification: matches!(self.document, Document::Notification(_)),
            supplier,
            number,
            total,
            file_name,
        }
    }

    /// True when a signature proves the content unaltered.
    pub fn content_intact(&self) -> bool {
        matches!(self.integrity, Integrity::SignedIntact { .. })
    }

    pub fn invoice(&self) -> Option<&FatturaElettronica> {
        match &self.document {
            Document::Invoice(i) => Some(i),
            Document::Notification(_) => None,
        }
    }

    pub fn notification(&self) -> Option<&Notification> {
        match &self.document {
            Document::Notification(n) => Some(n),
            Document::Invoice(_) => None,
        }
    }
}

fn first_significant(data: &[u8]) -> Option<u8> {
    let data = data.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(data);
    data.iter().copied().find(|b| !b.is_ascii_whitespace())
}

fn looks_like_xml(data: &[u8]) -> bool {
    first_significant(data) == Some(b'<')
        || data.starts_with(&[0xFF, 0xFE])
        || data.starts_with(&[0xFE, 0xFF])
}

/// An RFC 5322 message starts with header fields ("Name: value").
fn looks_like_email(data: &[u8]) -> bool {
    let head = &data[..data.len().min(4096)];
    let Some(line_end) = head.iter().position(|b| *b == b'\n') else {
        return false;
    };
    let first = &head[..line_end];
    let Some(colon) = first.iter().position(|b| *b == b':') else {
        return false;
    };
    colon > 0
        && first[..colon]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
}

/// Unwrap a `.p7m` and refuse anything whose signature does not prove the content intact.
pub(super) fn unwrap_signed(
    data: &[u8],
    trust: &TrustStore,
) -> Result<(Vec<u8>, SignatureReport, Integrity), FatturaError> {
    let signed = open_signed(data, trust, None)?;
    let integrity = match signed.report.status {
        SignatureStatus::Valid => Integrity::SignedIntact { trusted: true },
        SignatureStatus::Untrusted => Integrity::SignedIntact { trusted: false },
        SignatureStatus::Invalid => {
            return Err(FatturaError::SignatureInvalid(
                signed
                    .report
                    .detail
                    .clone()
                    .unwrap_or_else(|| "signature check failed".into()),
            ));
        }
        SignatureStatus::Absent => {
            return Err(FatturaError::SignatureInvalid(
                signed
                    .report
                    .detail
                    .clone()
                    .unwrap_or_else(|| "no signature found in the .p7m".into()),
            ));
        }
    };
    Ok((signed.content, signed.report, integrity))
}

/// [`open`], with the file name the bytes came under (classified with
/// [`crate::sdi::classify_file_name`] into [`Opened::sdi_file`]).
pub fn open_named(
    data: &[u8],
    file_name: &str,
    trust: &TrustStore,
) -> Result<Opened, FatturaError> {
    let mut opened = open(data, trust)?;
    if opened.sdi_file.is_none() {
        opened.sdi_file = crate::sdi::classify_file_name(file_name);
    }
    Ok(opened)
}

/// Open an invoice or SdI message as received: `.xml`, `.xml.p7m` (DER, BER, base64, PEM) or a whole
/// `.eml` carrying one (the PEC envelope's `postacert.eml` is searched too).
///
/// A signed file whose signature does not verify, or that is truncated, is an error: it is never
/// returned as an invoice.
pub fn open(data: &[u8], trust: &TrustStore) -> Result<Opened, FatturaError> {
    if looks_like_xml(data) {
        let document = parse_document(data)?;
        return Ok(Opened {
            document,
            signature: None,
            integrity: Integrity::NotSigned,
            container: Container::Xml,
            sdi_file: None,
        });
    }
    if looks_like_email(data) {
        return eml::open_email(data, trust);
    }
    let (content, report, integrity) = unwrap_signed(data, trust)?;
    let document = parse_document(&content)?;
    Ok(Opened {
        document,
        signature: Some(report),
        integrity,
        container: Container::P7m,
        sdi_file: None,
    })
}
