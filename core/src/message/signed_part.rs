//! `multipart/signed` (S/MIME, RFC 8551): the exact signed bytes, the detached signature, and the
//! verification report in a serialisable form.

use crate::signature::{self, Policy, SignatureReport, SignatureStatus, TrustStore};
use chrono::{DateTime, FixedOffset, Utc};
use mail_parser::{Message, MimeHeaders, PartType};
use serde::{Serialize, Serializer};
use std::borrow::Cow;

/// The two halves of a `multipart/signed` in a message.
#[derive(Debug, Clone)]
pub struct SignedParts<'a> {
    /// The first sub-part exactly as transmitted: its headers, blank line and body
    /// (`raw[offset_header..offset_end]` in mail-parser 0.11). Checked with `openssl cms -verify`
    /// on the Aruba corpus samples: these are the bytes the provider signed (after CRLF
    /// canonicalisation of LF-stored files, which `verify_detached` does).
    pub content: &'a [u8],
    /// Where `content` lies in the message's `raw_message`: a part is covered by the signature
    /// exactly when its own bytes lie inside this range.
    pub range: std::ops::Range<usize>,
    /// The decoded `application/(x-)pkcs7-signature` part, when present.
    pub p7s: Option<Cow<'a, [u8]>>,
    /// False when the `multipart/signed` is not the message's root but a part below it: a
    /// mailing list or a gateway re-wrapped the envelope (e.g. into `multipart/mixed` with a
    /// footer), so the outer headers and the other parts are not what the provider signed.
    pub at_root: bool,
}

fn is_pkcs7_signature(ctype: &str, subtype: &str) -> bool {
    ctype.eq_ignore_ascii_case("application")
        && (subtype.eq_ignore_ascii_case("pkcs7-signature")
            || subtype.eq_ignore_ascii_case("x-pkcs7-signature"))
}

fn is_multipart_signed(part: &mail_parser::MessagePart<'_>) -> bool {
    part.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("signed"))
    })
}

/// Locate the `multipart/signed` of `msg`: at its root, else the first one among its parts (a
/// re-wrapped envelope; parts of attached `message/rfc822` messages are not searched, they are
/// messages of their own). `None` when the message carries no signed part.
pub fn find_signed<'a>(msg: &'a Message<'_>) -> Option<SignedParts<'a>> {
    msg.parts
        .iter()
        .enumerate()
        .filter(|(_, p)| is_multipart_signed(p))
        .find_map(|(idx, p)| signed_parts(msg, p, idx == 0))
}

fn signed_parts<'a>(
    msg: &'a Message<'_>,
    part: &'a mail_parser::MessagePart<'_>,
    at_root: bool,
) -> Option<SignedParts<'a>> {
    let PartType::Multipart(ids) = &part.body else {
        return None;
    };
    let first = msg.parts.get(*ids.first()? as usize)?;
    // Part offsets index the `raw_message` field; `Message::raw_message()` is a sub-slice of it
    // for messages nested without transfer encoding.
    let range = first.offset_header as usize..first.offset_end as usize;
    let content = msg.raw_message.get(range.clone())?;
    let p7s = ids.iter().skip(1).find_map(|id| {
        let part = msg.parts.get(*id as usize)?;
        let ct = part.content_type()?;
        is_pkcs7_signature(ct.ctype(), ct.subtype().unwrap_or_default())
            .then(|| super::transfer::contents(msg, part))
    });
    Some(SignedParts {
        content,
        range,
        p7s,
        at_root,
    })
}

/// True when part `idx` of `msg` lies inside the signed content `signed`.
pub fn covers(msg: &Message<'_>, signed: &SignedParts<'_>, idx: usize) -> bool {
    msg.parts.get(idx).is_some_and(|p| {
        signed.range.start <= p.offset_header as usize && p.offset_end as usize <= signed.range.end
    })
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

/// Check the signature of `msg` (see [`find_signed`]) at moment `at`.
pub fn check(
    msg: &Message<'_>,
    at: Option<DateTime<Utc>>,
    trust: &TrustStore,
    policy: Policy,
) -> SignatureView {
    check_found(find_signed(msg).as_ref(), at, trust, policy)
}

/// Check a signed part already located with [`find_signed`] (`None`: the signature is absent).
pub fn check_found(
    signed: Option<&SignedParts<'_>>,
    at: Option<DateTime<Utc>>,
    trust: &TrustStore,
    policy: Policy,
) -> SignatureView {
    let Some(signed) = signed else {
        return SignatureView::absent();
    };
    match &signed.p7s {
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

/// Whether `msg` carries a signed part, without checking anything.
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
        assert_eq!(s.p7s.as_deref(), Some(&[0u8, 1, 2][..]));
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
