//! Signature verification: S/MIME on PEC envelopes and receipts, CAdES on signed invoices (`.p7m`).
//!
//! The result is reported truthfully, never rounded up:
//! - `Valid`: the signature verifies over the exact signed bytes AND the signer chains to a trust anchor
//!   at the message's date AND (for [`Policy::PecProvider`]) the signer is a PEC provider.
//! - `Invalid`: a signature is present and does not verify (content altered, corrupt signature).
//! - `Untrusted`: the signature verifies (the content is intact) but the chain or the signer's role does
//!   not (unknown CA, expired at that date, not a PEC provider).
//! - `Absent`: no signature.

use chrono::{DateTime, FixedOffset, Utc};

mod ber;
mod cert;
mod chain;
mod cms;
mod crypto;
mod encoding;
mod trust;

pub use trust::{AnchorRole, TrustStore};

/// What the signature check concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureStatus {
    Valid,
    Invalid,
    Untrusted,
    Absent,
}

impl SignatureStatus {
    /// The lowercase word used in JSON output and `expected.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureStatus::Valid => "valid",
            SignatureStatus::Invalid => "invalid",
            SignatureStatus::Untrusted => "untrusted",
            SignatureStatus::Absent => "absent",
        }
    }
}

/// Which signers may make a signature `Valid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// PEC envelopes and receipts: the signer must be a PEC provider certificate issued under a
    /// PEC-provider CA (AgID CA1, DigitPA CA1, or an anchor the user configured as such).
    PecProvider,
    /// CAdES signatures on documents (invoices): any signer chaining to a trusted anchor.
    Document,
}

/// Full outcome of one signature check, ready for a UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureReport {
    pub status: SignatureStatus,
    /// Common name of the signing certificate's subject.
    pub signer_cn: Option<String>,
    /// E-mail address of the signer (SAN rfc822Name, else subject emailAddress).
    pub signer_email: Option<String>,
    /// PEC provider domain (the domain of `signer_email`) when the policy is `PecProvider`.
    pub provider: Option<String>,
    /// CMS signing-time attribute, when present.
    pub signing_time: Option<DateTime<FixedOffset>>,
    /// Why the status is not `Valid`, in plain words (for logs and detail screens).
    pub detail: Option<String>,
}

impl SignatureReport {
    /// The report for a message or file that carries no signature.
    pub fn absent() -> Self {
        SignatureReport {
            status: SignatureStatus::Absent,
            signer_cn: None,
            signer_email: None,
            provider: None,
            signing_time: None,
            detail: None,
        }
    }

    /// True when the signed content is known to be unaltered (valid or merely untrusted).
    pub fn content_intact(&self) -> bool {
        matches!(
            self.status,
            SignatureStatus::Valid | SignatureStatus::Untrusted
        )
    }

    pub(crate) fn invalid(detail: String) -> Self {
        SignatureReport {
            status: SignatureStatus::Invalid,
            detail: Some(detail),
            ..Self::absent()
        }
    }
}

/// Content and signature report of an attached-signature file (`.p7m`).
#[derive(Debug, Clone)]
pub struct SignedContent {
    pub content: Vec<u8>,
    pub report: SignatureReport,
}

/// Why a signed file could not be opened at all (as opposed to opened with a bad signature).
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum SignatureError {
    #[error("not a CMS/PKCS#7 signed file: {0}")]
    NotCms(String),
    #[error("the signed file is truncated or corrupt: {0}")]
    Corrupt(String),
    #[error("the signed file carries no content (detached signature)")]
    NoContent,
    #[error("the file is too large ({0} bytes)")]
    TooLarge(usize),
}

/// Verify a detached S/MIME signature (`smime.p7s`, DER or BER) over `signed_content`, the exact bytes
/// of the first part of `multipart/signed` (headers included). Line endings are canonicalised to CRLF
/// when the stored bytes use bare LF. `at` is the moment the chain must be valid at (the message's date;
/// `None` = the signing time, else now).
pub fn verify_detached(
    signed_content: &[u8],
    signature: &[u8],
    at: Option<DateTime<Utc>>,
    trust: &TrustStore,
    policy: Policy,
) -> SignatureReport {
    let binary = match encoding::to_binary_cms(signature) {
        Ok(b) => b,
        Err(e) => return SignatureReport::invalid(format!("unreadable signature: {e}")),
    };
    match cms::parse(&binary) {
        Ok(sd) => cms::verify(&binary, &sd, signed_content, at, trust, policy),
        Err(e) => SignatureReport::invalid(format!("unreadable signature: {e}")),
    }
}

/// Open an attached-signature file (`.p7m`) in any form seen in mailboxes: DER, BER with indefinite
/// lengths and chunked octet strings, base64 (with or without line breaks, possibly applied twice), PEM.
/// The content is returned even when the signature does not verify: the report says so, and callers
/// must not present such content as intact (see [`SignatureReport::content_intact`]).
pub fn open_signed(
    data: &[u8],
    trust: &TrustStore,
    at: Option<DateTime<Utc>>,
) -> Result<SignedContent, SignatureError> {
    let binary = encoding::to_binary_cms(data)?;
    let sd = cms::parse(&binary).map_err(SignatureError::Corrupt)?;
    let Some(content) = sd.signed_content() else {
        return Err(SignatureError::NoContent);
    };
    let report = cms::verify(&binary, &sd, content, at, trust, Policy::Document);
    Ok(SignedContent {
        content: content.to_vec(),
        report,
    })
}
