//! Digests and raw signature checks (RSA PKCS#1 v1.5, ECDSA P-256/P-384).
//!
//! ring verifies what it supports (RSA 2048–8192 including SHA-1, ECDSA P-256/P-384): it is about 20×
//! faster than the pure-Rust bigint path. PEC providers still signed with RSA-1024 keys (Aruba 2014),
//! which ring refuses: those go through RustCrypto's `rsa`. Certificate-signature results are memoised
//! (see [`verify_cached`]) because every message of a provider carries the same chain.

use der::Decode;
use der::asn1::ObjectIdentifier;
use sha1::Sha1;
use sha2::{Digest as _, Sha256, Sha384, Sha512};

pub(crate) const OID_RSA_ENCRYPTION: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");

/// Digest algorithms seen in PEC and CAdES signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DigestAlg {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl DigestAlg {
    pub(crate) fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            DigestAlg::Sha1 => Sha1::digest(data).to_vec(),
            DigestAlg::Sha256 => Sha256::digest(data).to_vec(),
            DigestAlg::Sha384 => Sha384::digest(data).to_vec(),
            DigestAlg::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    /// Digest of several slices as if concatenated (no copy of the content).
    pub(crate) fn digest_parts<'a>(self, parts: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
        fn run<'p, D: sha2::Digest>(parts: impl IntoIterator<Item = &'p [u8]>) -> Vec<u8> {
            let mut h = D::new();
            for p in parts {
                h.update(p);
            }
            h.finalize().to_vec()
        }
        match self {
            DigestAlg::Sha1 => run::<Sha1>(parts),
            DigestAlg::Sha256 => run::<Sha256>(parts),
            DigestAlg::Sha384 => run::<Sha384>(parts),
            DigestAlg::Sha512 => run::<Sha512>(parts),
        }
    }

    /// The algorithm of an X.509 `signatureAlgorithm` OID (RSA or ECDSA with a hash).
    pub(crate) fn from_signature_oid(oid: &ObjectIdentifier) -> Option<DigestAlg> {
        Some(match oid.to_string().as_str() {
            "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" | "1.2.840.10045.4.1" => DigestAlg::Sha1,
            "1.2.840.113549.1.1.11" | "1.2.840.10045.4.3.2" => DigestAlg::Sha256,
            "1.2.840.113549.1.1.12" | "1.2.840.10045.4.3.3" => DigestAlg::Sha384,
            "1.2.840.113549.1.1.13" | "1.2.840.10045.4.3.4" => DigestAlg::Sha512,
            _ => return None,
        })
    }
}

/// Verify `signature` over a precomputed `hash` with the public key in `spki_der`
/// (a DER SubjectPublicKeyInfo). Returns a plain-words reason on failure.
pub(crate) fn verify_prehashed(
    spki_der: &[u8],
    alg: DigestAlg,
    hash: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    let spki = spki::SubjectPublicKeyInfoRef::from_der(spki_der)
        .map_err(|e| format!("unreadable public key: {e}"))?;
    let key_bytes = spki.subject_public_key.raw_bytes();
    if spki.algorithm.oid == OID_RSA_ENCRYPTION {
        use rsa::pkcs1::DecodeRsaPublicKey;
        let key = rsa::RsaPublicKey::from_pkcs1_der(key_bytes)
            .map_err(|e| format!("unreadable RSA key: {e}"))?;
        let scheme = match alg {
            DigestAlg::Sha1 => rsa::Pkcs1v15Sign::new::<Sha1>(),
            DigestAlg::Sha256 => rsa::Pkcs1v15Sign::new::<Sha256>(),
            DigestAlg::Sha384 => rsa::Pkcs1v15Sign::new::<Sha384>(),
            DigestAlg::Sha512 => rsa::Pkcs1v15Sign::new::<Sha512>(),
        };
        key.verify(scheme, hash, signature)
            .map_err(|_| "the RSA signature does not match".to_string())
    } else if spki.algorithm.oid == OID_EC_PUBLIC_KEY {
        use p256::ecdsa::signature::hazmat::PrehashVerifier;
        let curve = spki
            .algorithm
            .parameters
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        match curve {
            Some(c) if c == OID_P256 => {
                let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes)
                    .map_err(|_| "unreadable P-256 key".to_string())?;
                let sig = p256::ecdsa::Signature::from_der(signature)
                    .map_err(|_| "malformed ECDSA signature".to_string())?;
                key.verify_prehash(hash, &sig)
                    .map_err(|_| "the ECDSA signature does not match".to_string())
            }
            Some(c) if c == OID_P384 => {
                let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes)
                    .map_err(|_| "unreadable P-384 key".to_string())?;
                let sig = p384::ecdsa::Signature::from_der(signature)
                    .map_err(|_| "malformed ECDSA signature".to_string())?;
                key.verify_prehash(hash, &sig)
                    .map_err(|_| "the ECDSA signature does not match".to_string())
            }
            _ => Err("unsupported elliptic curve".into()),
        }
    } else {
        Err(format!(
            "unsupported public key algorithm {}",
            spki.algorithm.oid
        ))
    }
}

/// Verify `signature` over `message` (hashing it with `alg`).
pub(crate) fn verify_message(
    spki_der: &[u8],
    alg: DigestAlg,
    message: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    if let Some(result) = verify_with_ring(spki_der, alg, message, signature) {
        return result;
    }
    verify_prehashed(spki_der, alg, &alg.digest(message), signature)
}

/// ring's verdict, or `None` when ring does not support the key (RSA under 2048 bits, other curves).
fn verify_with_ring(
    spki_der: &[u8],
    alg: DigestAlg,
    message: &[u8],
    signature: &[u8],
) -> Option<Result<(), String>> {
    use ring::signature as rs;
    let spki = spki::SubjectPublicKeyInfoRef::from_der(spki_der).ok()?;
    let key = spki.subject_public_key.raw_bytes();
    let params: &'static dyn rs::VerificationAlgorithm = if spki.algorithm.oid == OID_RSA_ENCRYPTION
    {
        if !(2048..=8192).contains(&rsa_modulus_bits(key)?) {
            return None;
        }
        match alg {
            DigestAlg::Sha1 => &rs::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
            DigestAlg::Sha256 => &rs::RSA_PKCS1_2048_8192_SHA256,
            DigestAlg::Sha384 => &rs::RSA_PKCS1_2048_8192_SHA384,
            DigestAlg::Sha512 => &rs::RSA_PKCS1_2048_8192_SHA512,
        }
    } else if spki.algorithm.oid == OID_EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())?;
        match (curve, alg) {
            (c, DigestAlg::Sha256) if c == OID_P256 => &rs::ECDSA_P256_SHA256_ASN1,
            (c, DigestAlg::Sha384) if c == OID_P256 => &rs::ECDSA_P256_SHA384_ASN1,
            (c, DigestAlg::Sha256) if c == OID_P384 => &rs::ECDSA_P384_SHA256_ASN1,
            (c, DigestAlg::Sha384) if c == OID_P384 => &rs::ECDSA_P384_SHA384_ASN1,
            _ => return None,
        }
    } else {
        return None;
    };
    Some(
        rs::UnparsedPublicKey::new(params, key)
            .verify(message, signature)
            .map_err(|_| "the signature does not match".to_string()),
    )
}

/// The bit length of a PKCS#1 RSA public key's modulus, read in place: ring takes 2048 to 8192
/// bits, and building the key as a big number only to ask its size cost allocations at every
/// message.
fn rsa_modulus_bits(pkcs1_der: &[u8]) -> Option<usize> {
    let key = rsa::pkcs1::RsaPublicKey::from_der(pkcs1_der).ok()?;
    let n = key.modulus.as_bytes();
    let first = n.first()?;
    Some(n.len() * 8 - first.leading_zeros() as usize)
}

/// Memo of certificate-signature checks: (child TBS + signature + issuer key) digest → verdict.
/// Bounded; cleared when full. Results are pure functions of their inputs, so sharing is safe.
static CERT_CHECKS: std::sync::LazyLock<
    std::sync::Mutex<std::collections::HashMap<[u8; 32], bool>>,
> = std::sync::LazyLock::new(Default::default);
const CERT_CHECKS_CAP: usize = 4096;

/// [`verify_message`] for certificate signatures, memoised.
pub(crate) fn verify_cached(
    spki_der: &[u8],
    alg: DigestAlg,
    message: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    let mut h = Sha256::new();
    for part in [spki_der, message, signature] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    let key: [u8; 32] = h.finalize().into();
    if let Ok(memo) = CERT_CHECKS.lock()
        && let Some(&ok) = memo.get(&key)
    {
        return if ok {
            Ok(())
        } else {
            Err("the certificate signature does not match".into())
        };
    }
    let result = verify_message(spki_der, alg, message, signature);
    if let Ok(mut memo) = CERT_CHECKS.lock() {
        if memo.len() >= CERT_CHECKS_CAP {
            memo.clear();
        }
        memo.insert(key, result.is_ok());
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::BigUint;
    use rsa::pkcs1::EncodeRsaPublicKey;

    #[test]
    fn modulus_bits_are_read_from_the_der() {
        for bits in [1024usize, 2047, 2048, 4096, 8193] {
            let n = (BigUint::from(1u8) << (bits - 1)) | BigUint::from(1u8);
            let key = rsa::RsaPublicKey::new_unchecked(n, BigUint::from(65537u32));
            let der = key.to_pkcs1_der().expect("encode");
            assert_eq!(rsa_modulus_bits(der.as_bytes()), Some(bits), "{bits} bits");
        }
        assert_eq!(rsa_modulus_bits(b"not DER"), None);
    }
}
