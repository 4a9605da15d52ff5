//! Test PKI: a sandbox root CA, the "Sandbox PEC CA1" intermediate for PEC provider signers, TLS
//! server certificates for 127.0.0.1/localhost, and provider signing certificates.
//!
//! Keys are ECDSA P-256 (rcgen's ring backend cannot generate RSA keys); the chain shape mirrors the
//! real one (provider certificate ← AgID/DigitPA CA1 ← public root).

use std::path::Path;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, SanType,
};

use crate::HarnessError;

/// Name of the root certificate's common name.
pub const ROOT_CN: &str = "Sandbox PEC Root CA";
/// Name of the intermediate that issues PEC provider certificates (the sandbox "AgID CA1").
pub const CA1_CN: &str = "Sandbox PEC CA1";

/// A certificate and its private key, both PEM.
#[derive(Debug, Clone)]
pub struct CertAndKey {
    /// The certificate PEM (leaf only).
    pub cert_pem: String,
    /// The certificate DER (leaf only).
    pub cert_der: Vec<u8>,
    /// PKCS#8 private key, PEM.
    pub key_pem: String,
    /// PKCS#8 private key, DER.
    pub key_der: Vec<u8>,
}

/// A PEC provider signer: its certificate and key, plus the intermediate that issued it.
#[derive(Debug, Clone)]
pub struct ProviderSigner {
    /// Provider display name, e.g. "SANDBOX PEC S.p.A.".
    pub name: String,
    /// Provider domain: the signer address is `posta-certificata@<domain>`.
    pub domain: String,
    /// Leaf certificate and key.
    pub leaf: CertAndKey,
    /// DER of "Sandbox PEC CA1", to embed in the CMS certificate set.
    pub ca1_der: Vec<u8>,
}

/// The whole test PKI.
pub struct Pki {
    root: CertifiedIssuer<'static, KeyPair>,
    ca1: CertifiedIssuer<'static, KeyPair>,
}

impl std::fmt::Debug for Pki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pki").finish_non_exhaustive()
    }
}

fn dn(cn: &str, org: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "IT");
    dn.push(DnType::OrganizationName, org);
    dn.push(DnType::CommonName, cn);
    dn
}

fn err(e: impl std::fmt::Display) -> HarnessError {
    HarnessError::Pki(e.to_string())
}

fn validity(params: &mut CertificateParams, years: i32) {
    let now = rcgen::date_time_ymd(2024, 1, 1);
    params.not_before = now;
    params.not_after = rcgen::date_time_ymd(2024 + years, 12, 31);
}

impl Pki {
    /// Generate a fresh root and intermediate.
    pub fn generate() -> Result<Pki, HarnessError> {
        let mut root_params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
        root_params.distinguished_name = dn(ROOT_CN, "Sandbox PEC Trust Services");
        root_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        root_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        validity(&mut root_params, 30);
        let root = CertifiedIssuer::self_signed(root_params, KeyPair::generate().map_err(err)?)
            .map_err(err)?;

        let mut ca1_params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
        ca1_params.distinguished_name = dn(CA1_CN, "Sandbox Agenzia per l'Italia Digitale");
        ca1_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca1_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        validity(&mut ca1_params, 20);
        let ca1 = CertifiedIssuer::signed_by(ca1_params, KeyPair::generate().map_err(err)?, &root)
            .map_err(err)?;
        Ok(Pki { root, ca1 })
    }

    /// Root CA certificate, PEM: the single trust anchor for TLS and for PEC signatures.
    pub fn root_pem(&self) -> String {
        self.root.pem()
    }

    /// Root CA certificate, DER.
    pub fn root_der(&self) -> Vec<u8> {
        self.root.der().to_vec()
    }

    /// Intermediate "Sandbox PEC CA1", PEM.
    pub fn ca1_pem(&self) -> String {
        self.ca1.pem()
    }

    /// TLS server certificate for `127.0.0.1`, `::1` and `localhost`, issued by the root.
    pub fn server_cert(&self) -> Result<CertAndKey, HarnessError> {
        let mut params = CertificateParams::new(vec!["localhost".to_string()]).map_err(err)?;
        params
            .subject_alt_names
            .push(SanType::IpAddress(std::net::IpAddr::from([127, 0, 0, 1])));
        params
            .subject_alt_names
            .push(SanType::IpAddress(std::net::IpAddr::from([
                0u16, 0, 0, 0, 0, 0, 0, 1,
            ])));
        params.distinguished_name = dn("localhost", "Sandbox PEC Trust Services");
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        validity(&mut params, 10);
        let key = KeyPair::generate().map_err(err)?;
        let cert = params.signed_by(&key, &self.root).map_err(err)?;
        Ok(CertAndKey {
            cert_pem: cert.pem(),
            cert_der: cert.der().to_vec(),
            key_pem: key.serialize_pem(),
            key_der: key.serialize_der(),
        })
    }

    /// PEC provider signer certificate: CN "Posta Certificata <name>", SAN
    /// `posta-certificata@<domain>`, EKU emailProtection, digitalSignature, issued by CA1.
    pub fn provider_signer(
        &self,
        name: &str,
        domain: &str,
    ) -> Result<ProviderSigner, HarnessError> {
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
        params.distinguished_name = dn(&format!("Posta Certificata {name}"), name);
        let email = format!("posta-certificata@{domain}");
        params.subject_alt_names = vec![SanType::Rfc822Name(email.try_into().map_err(err)?)];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::EmailProtection];
        validity(&mut params, 10);
        let key = KeyPair::generate().map_err(err)?;
        let cert = params.signed_by(&key, &self.ca1).map_err(err)?;
        Ok(ProviderSigner {
            name: name.to_string(),
            domain: domain.to_string(),
            leaf: CertAndKey {
                cert_pem: cert.pem(),
                cert_der: cert.der().to_vec(),
                key_pem: key.serialize_pem(),
                key_der: key.serialize_der(),
            },
            ca1_der: self.ca1.der().to_vec(),
        })
    }
}

impl ProviderSigner {
    /// Write the signer to `dir` as `<domain>.cert.der`, `<domain>.key.der`, `<domain>.ca1.der`
    /// so that other processes (seed, inject-invoice) sign with the same identity.
    pub fn save(&self, dir: &Path) -> Result<(), HarnessError> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(
            dir.join(format!("{}.cert.der", self.domain)),
            &self.leaf.cert_der,
        )?;
        std::fs::write(
            dir.join(format!("{}.key.der", self.domain)),
            &self.leaf.key_der,
        )?;
        std::fs::write(dir.join(format!("{}.ca1.der", self.domain)), &self.ca1_der)?;
        std::fs::write(dir.join(format!("{}.name", self.domain)), &self.name)?;
        Ok(())
    }

    /// Read a signer saved by [`ProviderSigner::save`].
    pub fn load(dir: &Path, domain: &str) -> Result<ProviderSigner, HarnessError> {
        let cert_der = std::fs::read(dir.join(format!("{domain}.cert.der")))?;
        let key_der = std::fs::read(dir.join(format!("{domain}.key.der")))?;
        let ca1_der = std::fs::read(dir.join(format!("{domain}.ca1.der")))?;
        let name = std::fs::read_to_string(dir.join(format!("{domain}.name")))?;
        Ok(ProviderSigner {
            name,
            domain: domain.to_string(),
            leaf: CertAndKey {
                cert_pem: String::new(),
                cert_der,
                key_pem: String::new(),
                key_der,
            },
            ca1_der,
        })
    }
}
