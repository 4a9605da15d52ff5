//! Chain building from the signer to a trust anchor, checked at one moment, plus the PEC-provider rule.

use chrono::{DateTime, Utc};

use super::Policy;
use std::sync::Arc;

use super::cert::{Cert, mail_in_subtrees};
use super::trust::{AnchorRole, TrustStore, is_bundled_pec_provider_ca};

/// Longest chain we follow (signer, intermediates, root).
const MAX_CHAIN: usize = 6;

/// Why the chain does not make the signature `Valid` (the signature itself verified).
pub(crate) type ChainError = String;

/// Walk from `signer` to an anchor through `pool` (the certificates shipped in the signature).
/// On success returns the provider domain for [`Policy::PecProvider`] (else `None`).
pub(crate) fn validate(
    signer: &Cert,
    pool: &[Arc<Cert>],
    trust: &TrustStore,
    at: DateTime<Utc>,
    policy: Policy,
) -> Result<Option<String>, ChainError> {
    if !signer.valid_at(at) {
        return Err(format!(
            "the signer's certificate was not valid on {}",
            at.format("%Y-%m-%d")
        ));
    }
    if !signer.may_sign_content() {
        return Err("the signer's certificate may not sign content (key usage)".into());
    }
    let mut chain: Vec<&Cert> = vec![signer];
    loop {
        let Some(current) = chain.last().copied() else {
            return Err("empty chain".into());
        };
        // An anchor that is this very certificate, or that issued it, ends the walk.
        if let Some(anchor) = trust.anchors.iter().find(|a| a.cert == *current) {
            return apply_policy(signer, &chain, anchor.role, policy);
        }
        if let Some(anchor) = trust.anchors.iter().find(|a| {
            a.cert.subject_der() == current.issuer_der()
                && current.verify_signed_by(&a.cert).is_ok()
        }) {
            if !anchor.cert.valid_at(at) {
                return Err(format!(
                    "the root {} was not valid on {}",
                    anchor.cert.subject_cn().unwrap_or_default(),
                    at.format("%Y-%m-%d")
                ));
            }
            return apply_policy(signer, &chain, anchor.role, policy);
        }
        if chain.len() >= MAX_CHAIN {
            return Err("the certificate chain is too long".into());
        }
        if current.is_self_issued() {
            return Err(format!(
                "the chain ends at {}, which is not a trusted root",
                current
                    .subject_cn()
                    .unwrap_or_else(|| "an unnamed CA".into())
            ));
        }
        let issuer = pool.iter().map(|c| &**c).find(|c| {
            c.subject_der() == current.issuer_der()
                && !chain.contains(c)
                && current.verify_signed_by(c).is_ok()
        });
        let Some(issuer) = issuer else {
            return Err(
                "the issuer of a certificate in the chain is missing or did not sign it".into(),
            );
        };
        if !issuer.is_ca() || !issuer.may_sign_certificates() {
            return Err(format!(
                "{} is not a certification authority",
                issuer.subject_cn().unwrap_or_default()
            ));
        }
        if !issuer.valid_at(at) {
            return Err(format!(
                "the CA {} was not valid on {}",
                issuer.subject_cn().unwrap_or_default(),
                at.format("%Y-%m-%d")
            ));
        }
        chain.push(issuer);
    }
}

/// Name constraints of every CA in the chain hold for the signer's mail address; for PEC, the chain
/// must pass a PEC-provider CA and the signer must be a mail signer with a provider address.
fn apply_policy(
    signer: &Cert,
    chain: &[&Cert],
    anchor_role: Option<AnchorRole>,
    policy: Policy,
) -> Result<Option<String>, ChainError> {
    let email = signer.email();
    for ca in chain.iter().skip(1) {
        if let Some(domains) = ca.permitted_mail_domains() {
            let ok = email
                .as_deref()
                .is_some_and(|m| mail_in_subtrees(m, &domains));
            if !ok {
                return Err(format!(
                    "the signer's address {} is outside what {} may certify",
                    email.as_deref().unwrap_or("(none)"),
                    ca.subject_cn().unwrap_or_default()
                ));
            }
        }
    }
    match policy {
        Policy::Document => Ok(None),
        Policy::PecProvider => {
            let pec_ca = match anchor_role {
                Some(AnchorRole::PecProviders) => true,
                Some(AnchorRole::Documents) => false,
                None => chain.iter().skip(1).any(|c| is_bundled_pec_provider_ca(c)),
            };
            if !pec_ca {
                return Err(
                    "the signer is not a PEC provider (no PEC-provider CA in its chain)".into(),
                );
            }
            if !signer.may_protect_email() {
                return Err(
                    "the signer's certificate is not for e-mail (extended key usage)".into(),
                );
            }
            let Some(mail) = email else {
                return Err("the signer's certificate names no provider mail address".into());
            };
            let domain = mail.rsplit_once('@').map(|(_, d)| d.to_string());
            match domain {
                Some(d) if !d.is_empty() => Ok(Some(d)),
                _ => Err(format!("the signer's address {mail} has no domain")),
            }
        }
    }
}
