//! `multipart/signed` (S/MIME, RFC 8551): the exact signed bytes, the detached signature, and the
//! verification report in a serialisable form.

use crate::signature::{self, Policy, SignatureReport, SignatureStatus, TrustStore};
use chrono::{DateTime, FixedOffset, Utc};
use mail_parser::{Message, MimeHeaders, PartType};
use serde::{Serialize, Serializer};

/// The two halves of a `multipart/signed` at the root of a message.
#[derive(Debug, Clone, Copy)]
pub struct SignedParts<'a> {
    /// The first sub-part exactly as transmitted: its headers, blank line and body
    /// (`raw[offset_header..offset_end]` in mail-parser 0.11). Checked with `openssl cms -verify`
    /// on the Aruba corpus samples: these are the bytes the provider signed (after CRLF
    /// canonicalisation of LF-stored files, which `verify_detached` does).
    pub content: &'a [u8],
    /// The decoded `application/(x-)pkcs7-signature` part, when present.
    pub p7s: Option<&'a [u8]>,
}

fn is_pkcs7_signature(ctype: &str, subtype: &str) -> bool {
    ctype.eq_ignore_ascii_case("application")
        && (subtype.eq_ignore_ascii_case("pkcs7-signature")
            || subtype.eq_ignore_ascii_case("x-pkcs7-signature"))
}

/// Locate `multipart/signed` at the root of `msg`. `None` when the message is not signed.
pub fn find_signed<'a>(msg: &'a Message<'_>) -> Option<SignedParts<'a>> {
    let root = msg.parts.first()?;
    let ct = root.content_type()?;
    if !(ct.ctype().eq_ignore_ascii_case("multipart")
        && ct
            .subtype()
            .is_some_and(|s| s.eq_ignore_ascii_case("signed")))
    {
        return None;
    }
    let PartType::Multipart(ids) = &root.body else {
        return None;
    };
    let first = msg.parts.get(*ids.first()? as usize)?;
    // Part offsets index the `raw_message` field; `Message::raw_message()` is a sub-slice of it
    // for messages nested without transfer encoding.
    let content = msg
        .raw_message
        .get(first.offset_header as usize..first.offset_end as usize)?;
    let p7s = ids.iter().skip(1).find_map(|id| {
        let part = msg.parts.get(*id as usize)?;
        let ct = part.content_type()?;
        is_pkcs7_signature(ct.ctype(), ct.subtype().unwrap_or_default()).then(|| part.contents())
    });
    Some(SignedParts { content, p7s })
}

/// The signature facts a UI or store needs, serialisable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignatureView {
    /// `None` when verification was switched off ([`super::Analyzer::without_signatures`]).
    #[serde(serialize_with = "status_word")]
    pub status: Option<SignatureStatus>,
    pub signer_cn: Option<String>,
    pub signer_email: Option<String>,
    pub provider: Option<String>,
    pub signing_time: Option<DateTime<FixedOffset>>,
    /// The moment the chain was checked at.
    pub checked_at: Option<DateTime<Utc>>,
    pub detail: Option<String>,
}

fn status_word<S: Serializer>(s: &Option<SignatureStatus>, ser: S) -> Result<S::Ok, S::Error> {
    match s {
        Some(st) => ser.serialize_str(st.as_str()),
        None => ser.serialize_none(),
    }
}

impl SignatureView {
    pub fn absent() -> Self {
        Self::from_report(SignatureReport::absent(), None)
    }

    pub fn unchecked() -> Self {
        SignatureView {
            status: None,
            detail: Some("signature not checked".into()),
            ..Self::absent()
        }
    }

    fn from_report(r: SignatureReport, at: Option<DateTime<Utc>>) -> Self {
        SignatureView {
            status: Some(r.status),
            signer_cn: r.signer_cn,
            signer_email: r.signer_email,
            provider: r.provider,
            signing_time: r.signing_time,
            checked_at: at,
            detail: r.detail,
        }
    }
}

/// Check the root signature of `msg` at moment `at`.
pub fn check(
    msg: &Message<'_>,
    at: Option<DateTime<Utc>>,
    trust: &TrustStore,
    policy: Policy,
) -> SignatureView {
    let Some(signed) = find_signed(msg) else {
        return SignatureView::absent();
    };
    match signed.p7s {
        Some(p7s) => {
            let report = signature::verify_detached(signed.content, p7s, at, trust, policy);
            SignatureView::from_report(report, at)
        }
        None => SignatureView {
            status: Some(SignatureStatus::Invalid),
            checked_at: at,
            detail: Some("multipart/signed without a signature part".into()),
            ..SignatureView::absent()
        },
    }
}

/// Whether `msg` is signed at its root, without checking anything.
pub fn is_signed(msg: &Message<'_>) -> bool {
    find_signed(msg).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MessageParser;

    const SIGNED: &[u8] = b"From: a@b\r\nContent-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=\"X\"\r\n\r\n\
--X\r\nContent-Type: text/plain\r\n\r\nhello\r\n--X\r\nContent-Type: application/pkcs7-signature\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--X--\r\n";

    #[test]
    fn extracts_exact_signed_bytes_and_signature() {
        let msg = MessageParser::default().parse(SIGNED).expect("parses");
        let s = find_signed(&msg).expect("signed");
        // The CRLF before the boundary belongs to the delimiter (RFC 2046 §5.1.1).
        assert_eq!(s.content, b"Content-Type: text/plain\r\n\r\nhello");
        assert_eq!(s.p7s, Some(&[0u8, 1, 2][..]));
    }

    #[test]
    fn missing_signature_part_is_invalid() {
        let raw = b"Content-Type: multipart/signed; boundary=\"X\"\r\n\r\n--X\r\nContent-Type: text/plain\r\n\r\nhi\r\n--X--\r\n";
        let msg = MessageParser::default().parse(&raw[..]).expect("parses");
        let v = check(&msg, None, &TrustStore::bundled(), Policy::PecProvider);
        assert_eq!(v.status, Some(SignatureStatus::Invalid));
    }

    #[test]
    fn unsigned_is_absent() {
        let msg = MessageParser::default()
            .parse(&b"Subject: x\r\n\r\nbody\r\n"[..])
            .expect("parses");
        assert!(!is_signed(&msg));
        let v = check(&msg, None, &TrustStore::bundled(), Policy::PecProvider);
        assert_eq!(v.status, Some(SignatureStatus::Absent));
    }
}
