//! Trust anchors: the bundled PEC roots (see `core/trust/README.md`) plus anchors a caller adds.

use super::SignatureError;
use super::cert::Cert;

const BUNDLED_ROOTS: &[&str] = &[
    include_str!("../../trust/actalis-authentication-root-ca.pem"),
    include_str!("../../trust/baltimore-cybertrust-root.pem"),
];

/// Subjects (organisation, common name) of the CAs that issue PEC provider certificates under the
/// bundled roots. They are not bundled: providers ship them inside every signature.
const PEC_PROVIDER_CAS: &[(&str, &str)] = &[
    ("Agenzia per l'Italia Digitale", "AgID CA1"),
    ("DigitPA", "DigitPA CA1"),
];

/// What an added anchor may vouch for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnchorRole {
    /// The anchor (or a CA under it) issues PEC provider certificates: a test provider, a sandbox.
    PecProviders,
    /// The anchor vouches for document signers only (CAdES on invoices), never for PEC providers.
    Documents,
}

#[derive(Debug, Clone)]
pub(crate) struct Anchor {
    pub(crate) cert: Cert,
    pub(crate) role: Option<AnchorRole>,
}

/// Trust anchors: the bundled PEC trust list plus anchors the user (or a test) adds.
#[derive(Debug, Clone)]
pub struct TrustStore {
    pub(crate) anchors: Vec<Anchor>,
}

impl Default for TrustStore {
    fn default() -> Self {
        Self::bundled()
    }
}

impl TrustStore {
    /// The trust list shipped with the app (see `core/trust/README.md`).
    pub fn bundled() -> Self {
        let anchors = BUNDLED_ROOTS
            .iter()
            .flat_map(|pem| pem_certificates(pem.as_bytes()))
            .filter_map(|der| Cert::from_der(&der).ok())
            .map(|cert| Anchor { cert, role: None })
            .collect();
        TrustStore { anchors }
    }

    /// A store with no anchors at all (everything is at best `Untrusted`).
    pub fn empty() -> Self {
        TrustStore {
            anchors: Vec::new(),
        }
    }

    /// Add every certificate of a PEM file as an anchor with the given role.
    pub fn with_anchor_pem(mut self, pem: &[u8], role: AnchorRole) -> Result<Self, SignatureError> {
        let ders = pem_certificates(pem);
        if ders.is_empty() {
            return Err(SignatureError::NotCms(
                "no CERTIFICATE block in the PEM file".into(),
            ));
        }
        for der in ders {
            let cert = Cert::from_der(&der).map_err(SignatureError::Corrupt)?;
            self.anchors.push(Anchor {
                cert,
                role: Some(role),
            });
        }
        Ok(self)
    }

    /// Number of anchors (bundled and added).
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// True when the store has no anchors.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }
}

/// True when `cert` is one of the CAs that issue PEC provider certificates under a bundled root.
pub(crate) fn is_bundled_pec_provider_ca(cert: &Cert) -> bool {
    let org = cert.subject_attr(super::cert::OID_ORGANIZATION);
    let cn = cert.subject_cn();
    cert.is_ca()
        && PEC_PROVIDER_CAS
            .iter()
            .any(|(o, c)| org.as_deref() == Some(*o) && cn.as_deref() == Some(*c))
}

/// The DER bodies of the `CERTIFICATE` blocks of a PEM text.
pub(crate) fn pem_certificates(pem: &[u8]) -> Vec<Vec<u8>> {
    let text = String::from_utf8_lossy(pem);
    let mut out = Vec::new();
    let mut body: Option<String> = None;
    for line in text.lines() {
        let line = line.trim();
        if line == "-----BEGIN CERTIFICATE-----" {
            body = Some(String::new());
        } else if line == "-----END CERTIFICATE-----" {
            if let Some(der) = body
                .take()
                .and_then(|b64| super::encoding::decode_base64(b64.as_bytes()).ok())
            {
                out.push(der);
            }
        } else if let Some(b) = body.as_mut() {
            b.push_str(line);
        }
    }
    out
}
