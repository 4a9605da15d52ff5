//! CMS SignedData verification: content digest, signer signature, signer certificate.
//!
//! Parsing is `cryptographic-message-syntax` (BER-capable); the digest and signature checks are ours
//! (see `crypto.rs` for why).

use chrono::{DateTime, Utc};
use cryptographic_message_syntax::SignedData;
use x509_certificate::DigestAlgorithm as CmsDigest;

use std::sync::Arc;

use super::cert::Cert;
use super::crypto::{DigestAlg, verify_message, verify_prehashed};
use super::encoding::{crlf_canonical_parts, has_bare_lf};
use super::{Policy, SignatureReport, SignatureStatus, TrustStore, chain};

/// Parse binary CMS without letting a decoder bug take the app down. The certificates are left
/// out of what the crate parses when they can be (`verify` reads them with their exact bytes);
/// when that shorter form is refused, the whole is parsed, so its verdict is the whole's.
pub(crate) fn parse(der: &[u8]) -> Result<SignedData, String> {
    if let Some(sd) =
        super::ber::without_certificates(der).and_then(|short| parse_whole(&short).ok())
    {
        return Ok(sd);
    }
    parse_whole(der)
}

fn parse_whole(der: &[u8]) -> Result<SignedData, String> {
    match std::panic::catch_unwind(|| SignedData::parse_ber(der)) {
        Ok(Ok(sd)) => Ok(sd),
        Ok(Err(e)) => Err(format!("{e}")),
        Err(_) => Err("the signature structure could not be decoded".into()),
    }
}

/// Verify `sd` (parsed from `binary`) over `content` (the detached content, or the encapsulated one).
pub(crate) fn verify(
    binary: &[u8],
    sd: &SignedData,
    content: &[u8],
    at: Option<DateTime<Utc>>,
    trust: &TrustStore,
    policy: Policy,
) -> SignatureReport {
    let mut report = SignatureReport::absent();
    let Some(signer) = sd.signers().next() else {
        report.status = SignatureStatus::Invalid;
        report.detail = Some("the signature names no signer".into());
        return report;
    };
    // The certificates with their exact bytes; the crate's re-encoded copies only as a fallback.
    let pool: Vec<Arc<Cert>> = match super::ber::certificates(binary) {
        Some(raw) if !raw.is_empty() => raw
            .into_iter()
            .filter_map(|c| Cert::shared(c).ok())
            .collect(),
        // Our walker could not read them: the crate's parse of the whole, re-encoded copies.
        _ => parse_whole(binary)
            .map(|whole| {
                whole
                    .certificates()
                    .filter_map(|c| Cert::shared(c.constructed_data()).ok())
                    .collect()
            })
            .unwrap_or_default(),
    };
    let serial = signer
        .certificate_issuer_and_serial()
        .map(|(_, s)| strip_zeros(s.as_slice()).to_vec())
        .unwrap_or_default();
    let signer_cert = pool
        .iter()
        .find(|c| strip_zeros(c.serial()) == serial.as_slice());
    let Some(signer_cert) = signer_cert else {
        report.status = SignatureStatus::Invalid;
        report.detail = Some("the signer's certificate is not included in the signature".into());
        return report;
    };
    report.signer_cn = signer_cert.subject_cn();
    report.signer_email = signer_cert.email();
    let signing_time = signer
        .signed_attributes()
        .and_then(|a| a.signing_time())
        .copied();
    report.signing_time = signing_time.map(|t| t.fixed_offset());

    let alg = match signer.digest_algorithm() {
        CmsDigest::Sha1 => DigestAlg::Sha1,
        CmsDigest::Sha256 => DigestAlg::Sha256,
        CmsDigest::Sha384 => DigestAlg::Sha384,
        CmsDigest::Sha512 => DigestAlg::Sha512,
    };
    // The content as stored, and (for S/MIME stored with bare LF) its canonical CRLF form.
    let exact = alg.digest(content);
    let canonical = has_bare_lf(content).then(|| alg.digest_parts(crlf_canonical_parts(content)));
    let candidates: Vec<&[u8]> = std::iter::once(exact.as_slice())
        .chain(canonical.as_deref())
        .collect();

    let outcome = match (signer.signed_attributes(), signer.signed_attributes_data()) {
        (Some(attrs), Some(attrs_der)) => {
            if !candidates.contains(&attrs.message_digest()) {
                Err("the content was altered after it was signed (digest mismatch)".to_string())
            } else {
                verify_message(signer_cert.spki_der(), alg, attrs_der, signer.signature())
            }
        }
        _ => {
            // No signed attributes: the signature is over the content digest itself.
            let ok = candidates.iter().any(|h| {
                verify_prehashed(signer_cert.spki_der(), alg, h, signer.signature()).is_ok()
            });
            if ok {
                Ok(())
            } else {
                Err("the signature does not match the content".into())
            }
        }
    };
    if let Err(why) = outcome {
        report.status = SignatureStatus::Invalid;
        report.detail = Some(why);
        return report;
    }
    let moment = at.or(signing_time).unwrap_or_else(Utc::now);
    match chain::validate(signer_cert, &pool, trust, moment, policy) {
        Ok(provider) => {
            report.status = SignatureStatus::Valid;
            report.provider = provider;
        }
        Err(why) => {
            report.status = SignatureStatus::Untrusted;
            report.detail = Some(why);
        }
    }
    report
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    &b[start..]
}
