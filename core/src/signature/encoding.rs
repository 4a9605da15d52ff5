//! The forms a signed file takes in real mailboxes: DER, BER, base64 (with or without line breaks,
//! sometimes applied twice), PEM. Everything is reduced to the binary CMS before parsing.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use std::borrow::Cow;

use super::SignatureError;

/// Base64 layers we peel at most (providers and ERPs are known to apply it twice).
const MAX_BASE64_LAYERS: usize = 3;

const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Decode base64 text, ignoring ASCII whitespace and line breaks.
pub(crate) fn decode_base64(text: &[u8]) -> Result<Vec<u8>, base64::DecodeError> {
    let compact: Vec<u8> = text
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    LENIENT.decode(compact)
}

/// Reduce `data` to binary CMS (a DER/BER SEQUENCE), peeling PEM armour and base64 layers.
pub(crate) fn to_binary_cms(data: &[u8]) -> Result<Cow<'_, [u8]>, SignatureError> {
    if data.len() > crate::limits::MAX_MESSAGE_BYTES {
        return Err(SignatureError::TooLarge(data.len()));
    }
    let mut current: Cow<'_, [u8]> = Cow::Borrowed(data);
    for _ in 0..=MAX_BASE64_LAYERS {
        if current.first() == Some(&0x30) {
            return Ok(current);
        }
        let text = strip_pem_armour(current.trim_ascii());
        if text.is_empty() {
            return Err(SignatureError::NotCms("the file is empty".into()));
        }
        if !text
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(b) || b.is_ascii_whitespace())
        {
            return Err(SignatureError::NotCms(
                "neither binary CMS nor base64 text".into(),
            ));
        }
        let decoded =
            decode_base64(text).map_err(|e| SignatureError::NotCms(format!("bad base64: {e}")))?;
        current = Cow::Owned(decoded);
    }
    Err(SignatureError::NotCms("too many layers of base64".into()))
}

/// The body between `-----BEGIN …-----` and `-----END …-----`, or the input when it has no armour.
fn strip_pem_armour(text: &[u8]) -> &[u8] {
    let Some(begin) = memchr::memmem::find(text, b"-----BEGIN") else {
        return text;
    };
    let after_begin = &text[begin..];
    let Some(eol) = after_begin.iter().position(|&b| b == b'\n') else {
        return &[];
    };
    let body = &after_begin[eol + 1..];
    match memchr::memmem::find(body, b"-----END") {
        Some(end) => &body[..end],
        None => body,
    }
}

/// `data` with every bare LF turned into CRLF, as slices to digest in order (no copy of the content).
pub(crate) fn crlf_canonical_parts(data: &[u8]) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    let mut pieces = data.split(|&b| b == b'\n').peekable();
    while let Some(piece) = pieces.next() {
        if pieces.peek().is_some() {
            parts.push(piece.strip_suffix(b"\r").unwrap_or(piece));
            parts.push(b"\r\n".as_slice());
        } else {
            parts.push(piece);
        }
    }
    parts
}

/// True when `data` has at least one LF not preceded by CR. Runs over every signed message's
/// whole content, so it jumps from LF to LF (memchr) instead of visiting every byte.
pub(crate) fn has_bare_lf(data: &[u8]) -> bool {
    memchr::memchr_iter(b'\n', data).any(|i| i == 0 || data.get(i - 1) != Some(&b'\r'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_lf_becomes_crlf_and_crlf_stays() {
        let join = |d: &[u8]| crlf_canonical_parts(d).concat();
        assert_eq!(join(b"a\nb\r\nc"), b"a\r\nb\r\nc");
        assert_eq!(join(b"\n\n"), b"\r\n\r\n");
        assert_eq!(join(b"none"), b"none");
        assert!(has_bare_lf(b"a\nb"));
        assert!(!has_bare_lf(b"a\r\nb"));
        assert!(has_bare_lf(b"\n"));
        assert!(!has_bare_lf(b""));
        assert!(!has_bare_lf(b"\r\n\r\n"));
        assert!(has_bare_lf(b"\r\n\r\n\r\rx\n"));
        assert!(has_bare_lf(b"\r\n\n"));
        assert!(!has_bare_lf(b"\r"));
    }

    #[test]
    fn binary_cms_is_found_under_layers_of_text() {
        let der = [0x30u8, 0x80, 0x00, 0x00];
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        let once = b64.encode(der);
        let twice = b64.encode(&once);
        assert_eq!(to_binary_cms(&der).ok().as_deref(), Some(der.as_slice()));
        assert_eq!(
            to_binary_cms(once.as_bytes()).ok().as_deref(),
            Some(der.as_slice())
        );
        assert_eq!(
            to_binary_cms(twice.as_bytes()).ok().as_deref(),
            Some(der.as_slice())
        );
        let wrapped = format!("{}\r\n{}\r\n", &once[..3], &once[3..]);
        assert_eq!(
            to_binary_cms(wrapped.as_bytes()).ok().as_deref(),
            Some(der.as_slice())
        );
        assert!(to_binary_cms(b"").is_err());
        assert!(to_binary_cms(b"<?xml version='1.0'?>").is_err());
        let mut deep = once;
        for _ in 0..5 {
            deep = b64.encode(&deep);
        }
        assert!(to_binary_cms(deep.as_bytes()).is_err());
    }
}
