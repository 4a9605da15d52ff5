//! One X.509 certificate, read from its exact DER bytes, with the facts the checks need.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Utc};
use der::asn1::ObjectIdentifier;
use der::{Decode, Encode, Reader, SliceReader, Tagged};
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages, NameConstraints, SubjectAltName,
};

use super::crypto::{DigestAlg, verify_cached};

pub(crate) const OID_COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
pub(crate) const OID_ORGANIZATION: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");
const OID_EMAIL_ADDRESS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.1");
const OID_EKU_EMAIL_PROTECTION: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.4");
const OID_EKU_ANY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37.0");

/// A parsed certificate that keeps its original DER (signatures are checked over the exact TBS bytes).
#[derive(Debug, Clone)]
pub(crate) struct Cert {
    der: Vec<u8>,
    parsed: Certificate,
    subject_der: Vec<u8>,
    issuer_der: Vec<u8>,
    spki_der: Vec<u8>,
}

impl PartialEq for Cert {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl Cert {
    pub(crate) fn from_der(der: &[u8]) -> Result<Cert, String> {
        let parsed =
            Certificate::from_der(der).map_err(|e| format!("unreadable certificate: {e}"))?;
        let tbs = &parsed.tbs_certificate;
        let enc = |r: Result<Vec<u8>, der::Error>| r.map_err(|e| format!("certificate: {e}"));
        Ok(Cert {
            subject_der: enc(tbs.subject.to_der())?,
            issuer_der: enc(tbs.issuer.to_der())?,
            spki_der: enc(tbs.subject_public_key_info.to_der())?,
            der: der.to_vec(),
            parsed,
        })
    }

    /// [`Cert::from_der`] through a small process-wide cache keyed by the exact DER. Every
    /// message of a provider ships the same two or three certificates; parsing them again for
    /// each message was about 4% of a full sync's CPU. Unreadable certificates are not cached.
    pub(crate) fn shared(der: &[u8]) -> Result<Arc<Cert>, String> {
        type Parsed = HashMap<Vec<u8>, Arc<Cert>>;
        static PARSED: OnceLock<Mutex<Parsed>> = OnceLock::new();
        /// Distinct certificates kept; past it the cache starts over (a mailbox has a few dozen).
        const CAPACITY: usize = 512;
        let cache = PARSED.get_or_init(Default::default);
        if let Ok(map) = cache.lock()
            && let Some(c) = map.get(der)
        {
            return Ok(c.clone());
        }
        let cert = Arc::new(Cert::from_der(der)?);
        if let Ok(mut map) = cache.lock() {
            if map.len() >= CAPACITY {
                map.clear();
            }
            map.insert(der.to_vec(), cert.clone());
        }
        Ok(cert)
    }

    pub(crate) fn subject_der(&self) -> &[u8] {
        &self.subject_der
    }

    pub(crate) fn issuer_der(&self) -> &[u8] {
        &self.issuer_der
    }

    pub(crate) fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    pub(crate) fn serial(&self) -> &[u8] {
        self.parsed.tbs_certificate.serial_number.as_bytes()
    }

    pub(crate) fn is_self_issued(&self) -> bool {
        self.subject_der == self.issuer_der
    }

    /// The first value of a subject attribute, as text.
    pub(crate) fn subject_attr(&self, oid: ObjectIdentifier) -> Option<String> {
        self.parsed
            .tbs_certificate
            .subject
            .0
            .iter()
            .flat_map(|rdn| rdn.0.iter())
            .find(|atv| atv.oid == oid)
            .map(|atv| directory_string(&atv.value))
    }

    pub(crate) fn subject_cn(&self) -> Option<String> {
        self.subject_attr(OID_COMMON_NAME)
    }

    /// The signer's mail address: SAN rfc822Name first, else the subject's emailAddress.
    pub(crate) fn email(&self) -> Option<String> {
        let from_san = self.extension::<SubjectAltName>().and_then(|san| {
            san.0.into_iter().find_map(|g| match g {
                GeneralName::Rfc822Name(m) => Some(m.to_string()),
                _ => None,
            })
        });
        from_san
            .or_else(|| self.subject_attr(OID_EMAIL_ADDRESS))
            .map(|m| m.trim().to_ascii_lowercase())
    }

    pub(crate) fn is_ca(&self) -> bool {
        self.extension::<BasicConstraints>().is_some_and(|bc| bc.ca)
    }

    /// Key usage allows signing documents/messages (absent extension = unrestricted).
    pub(crate) fn may_sign_content(&self) -> bool {
        match self.extension::<KeyUsage>() {
            None => true,
            Some(ku) => {
                ku.0.contains(KeyUsages::DigitalSignature)
                    || ku.0.contains(KeyUsages::NonRepudiation)
            }
        }
    }

    /// Key usage allows signing certificates (absent extension = unrestricted).
    pub(crate) fn may_sign_certificates(&self) -> bool {
        match self.extension::<KeyUsage>() {
            None => true,
            Some(ku) => ku.0.contains(KeyUsages::KeyCertSign),
        }
    }

    /// Extended key usage allows e-mail protection (absent extension = unrestricted).
    pub(crate) fn may_protect_email(&self) -> bool {
        match self.extension::<ExtendedKeyUsage>() {
            None => true,
            Some(eku) => eku
                .0
                .iter()
                .any(|o| *o == OID_EKU_EMAIL_PROTECTION || *o == OID_EKU_ANY),
        }
    }

    /// The permitted rfc822Name subtrees of a CA's name constraints (`None` = no such constraint).
    pub(crate) fn permitted_mail_domains(&self) -> Option<Vec<String>> {
        let nc = self.extension::<NameConstraints>()?;
        let domains: Vec<String> = nc
            .permitted_subtrees
            .unwrap_or_default()
            .into_iter()
            .filter_map(|s| match s.base {
                GeneralName::Rfc822Name(m) => Some(m.to_string().to_ascii_lowercase()),
                _ => None,
            })
            .collect();
        (!domains.is_empty()).then_some(domains)
    }

    pub(crate) fn valid_at(&self, at: DateTime<Utc>) -> bool {
        let v = &self.parsed.tbs_certificate.validity;
        let secs = at.timestamp();
        let nb = v.not_before.to_unix_duration().as_secs() as i64;
        let na = v.not_after.to_unix_duration().as_secs() as i64;
        nb <= secs && secs <= na
    }

    /// Check that `issuer`'s key signed this certificate, over the exact TBS bytes.
    pub(crate) fn verify_signed_by(&self, issuer: &Cert) -> Result<(), String> {
        let alg = DigestAlg::from_signature_oid(&self.parsed.signature_algorithm.oid).ok_or_else(
            || {
                format!(
                    "unsupported certificate signature algorithm {}",
                    self.parsed.signature_algorithm.oid
                )
            },
        )?;
        let tbs = tbs_bytes(&self.der).ok_or("certificate without a readable TBS part")?;
        let signature = self
            .parsed
            .signature
            .as_bytes()
            .ok_or("certificate signature is not whole bytes")?;
        verify_cached(issuer.spki_der(), alg, tbs, signature)
    }

    fn extension<T: der::oid::AssociatedOid + for<'a> Decode<'a>>(&self) -> Option<T> {
        self.parsed
            .tbs_certificate
            .get::<T>()
            .ok()
            .flatten()
            .map(|(_critical, v)| v)
    }
}

/// Whether `email` falls inside one of the rfc822Name subtrees (RFC 5280 §4.2.1.10): `host` = the
/// mailbox's exact host, `.domain` = any subdomain, `a@host` = that mailbox.
pub(crate) fn mail_in_subtrees(email: &str, subtrees: &[String]) -> bool {
    let Some((_, host)) = email.rsplit_once('@') else {
        return false;
    };
    subtrees.iter().any(|t| {
        if t.contains('@') {
            t == email
        } else if let Some(dotted) = t.strip_prefix('.') {
            host.len() > dotted.len() && host.ends_with(t.as_str())
        } else {
            host == t
        }
    })
}

/// The exact bytes of `tbsCertificate` inside a DER certificate.
fn tbs_bytes(cert_der: &[u8]) -> Option<&[u8]> {
    let mut r = SliceReader::new(cert_der).ok()?;
    der::Header::decode(&mut r).ok()?;
    let start = usize::try_from(r.position()).ok()?;
    let tbs = der::Header::decode(&mut r).ok()?;
    let body = usize::try_from(r.position()).ok()?;
    let len = usize::try_from(tbs.length).ok()?;
    cert_der.get(start..body.checked_add(len)?)
}

/// Text of a DirectoryString-like value (UTF8, Printable, IA5, Teletex as Latin-1, BMP).
fn directory_string(value: &der::Any) -> String {
    let bytes = value.value();
    match value.tag() {
        der::Tag::BmpString => {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        der::Tag::TeletexString => match std::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            Err(_) => bytes.iter().map(|&b| b as char).collect(),
        },
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::mail_in_subtrees;

    #[test]
    fn rfc822_subtrees_follow_rfc5280() {
        let t = vec![
            "pec.aruba.it".to_string(),
            ".legalmail.it".to_string(),
            "a@x.it".to_string(),
        ];
        assert!(mail_in_subtrees("posta-certificata@pec.aruba.it", &t));
        assert!(!mail_in_subtrees("posta-certificata@evil.pec.aruba.it", &t));
        assert!(!mail_in_subtrees(
            "posta-certificata@notpec.aruba.it.evil",
            &t
        ));
        assert!(mail_in_subtrees("p@sub.legalmail.it", &t));
        assert!(!mail_in_subtrees("p@legalmail.it", &t));
        assert!(mail_in_subtrees("a@x.it", &t));
        assert!(!mail_in_subtrees("b@x.it", &t));
        assert!(!mail_in_subtrees("no-at-sign", &t));
    }
}
