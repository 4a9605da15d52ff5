//! Provider presets: where each PEC provider's servers are and what it allows.
//!
//! Hosts and ports are the ones the providers publish for mail programs (implicit TLS: IMAPS 993,
//! SMTPS 465). The size limit is not kept here: it is the one the outbox enforces, from
//! [`crate::compose::ProviderPreset`] (size × recipients: 30 MB by the Italian rule, 100 MB at
//! Aruba), so the screen shows the limit the send path applies. The server's own answer (a
//! refusal) always wins at send time.
//!
//! | provider  | IMAP                          | SMTP                          | size × rcpts | login   | hosts confirmed by |
//! |-----------|-------------------------------|-------------------------------|--------------|---------|--------------------|
//! | Aruba     | imaps.pec.aruba.it:993        | smtps.pec.aruba.it:465        | 100 MB       | address | guide.pec.it (Aruba's own guide) |
//! | Legalmail | mbox.cert.legalmail.it:993    | sendm.cert.legalmail.it:465   | 30 MB        | user id | help.infocert.it (InfoCert's FAQ names both hosts) |
//! | Poste     | mail.postecert.it:993         | mail.postecert.it:465         | 30 MB        | address | Thunderbird ISPDB `postecert.it.xml` (merged 2025, links postecert.poste.it) |
//! | Namirial  | imaps.sicurezzapostale.it:993 | smtps.sicurezzapostale.it:465 | 30 MB        | address | not confirmed: third-party sources disagree |
//! | Register  | imaps.pec.register.it:993     | smtps.pec.register.it:465     | 30 MB        | address | not confirmed: third-party sources disagree |
//! | Custom    | as typed (e.g. the sandbox)   | as typed                      | 30 MB        | as typed| — |
//!
//! `source` carries the last column, so the add-account screen can say "check these servers with
//! your provider" for the two we could not confirm (2026-11) instead of presenting a guess as fact.
//! Legalmail logs in with the user id InfoCert assigns (not the address): `login_name` tells the
//! screen which field to ask for. InfoCert also caps sending at 6 messages a minute (its FAQ); the
//! server's refusal is what the outbox reports when that is hit.

use super::{AccountError, Servers};
use crate::compose;

/// The providers the add-account screen offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    Aruba,
    Legalmail,
    Poste,
    Namirial,
    Register,
    /// A server typed by hand (a company's own provider, the sandbox).
    Custom,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Aruba => "aruba",
            Provider::Legalmail => "legalmail",
            Provider::Poste => "poste",
            Provider::Namirial => "namirial",
            Provider::Register => "register",
            Provider::Custom => "custom",
        }
    }

    pub fn parse(s: &str) -> Option<Provider> {
        Some(match s.to_ascii_lowercase().as_str() {
            "aruba" => Provider::Aruba,
            "legalmail" | "infocert" => Provider::Legalmail,
            "poste" | "postecert" => Provider::Poste,
            "namirial" => Provider::Namirial,
            "register" => Provider::Register,
            "custom" => Provider::Custom,
            _ => return None,
        })
    }
}

/// What a provider expects as the login name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginName {
    /// The PEC address itself.
    Address,
    /// A user id the provider assigned (Legalmail), different from the address.
    UserId,
}

/// One provider's servers and published limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderInfo {
    pub provider: Provider,
    /// Name shown in the provider picker.
    pub name: String,
    pub imap_host: String,
    pub imap_port: u16,
    pub smtp_host: String,
    pub smtp_port: u16,
    /// Message size × number of recipients must stay within this many MiB (what the outbox
    /// enforces before sending).
    pub max_total_mb: u32,
    /// Recipients (To + Cc) of one message; the outbox refuses more before sending.
    pub max_recipients: u32,
    /// Mail domains that imply this provider (for guessing from the address).
    pub domains: Vec<String>,
    /// What the login field holds for this provider.
    pub login_name: LoginName,
    /// Where the hosts were confirmed; `None` when they could not be (show "check with your
    /// provider" next to them).
    pub source: Option<String>,
}

struct Hosts<'a> {
    imap: &'a str,
    smtp: &'a str,
    login_name: LoginName,
    source: Option<&'a str>,
}

fn preset(provider: Provider, name: &str, hosts: Hosts, domains: &[&str]) -> ProviderInfo {
    ProviderInfo {
        provider,
        name: name.into(),
        imap_host: hosts.imap.into(),
        imap_port: 993,
        smtp_host: hosts.smtp.into(),
        smtp_port: 465,
        max_total_mb: max_total_mb(provider),
        max_recipients: sending_rules(provider).max_recipients,
        domains: domains.iter().map(|d| d.to_string()).collect(),
        login_name: hosts.login_name,
        source: hosts.source.map(str::to_string),
    }
}

/// The sending rules the outbox enforces for this provider.
fn sending_rules(provider: Provider) -> compose::ProviderPreset {
    match provider {
        Provider::Aruba => compose::ProviderPreset::aruba(),
        _ => compose::ProviderPreset::generic(),
    }
}

/// The size × recipients limit the outbox enforces for this provider, in MiB.
fn max_total_mb(provider: Provider) -> u32 {
    u32::try_from(sending_rules(provider).max_total_bytes / (1024 * 1024)).unwrap_or(u32::MAX)
}

/// Every preset, in the order the picker shows them (Custom last, with empty hosts).
pub fn presets() -> Vec<ProviderInfo> {
    vec![
        preset(
            Provider::Aruba,
            "Aruba PEC",
            Hosts {
                imap: "imaps.pec.aruba.it",
                smtp: "smtps.pec.aruba.it",
                login_name: LoginName::Address,
                source: Some("https://guide.pec.it/posta-pec/configurare-casella-pec/"),
            },
            &["pec.it", "arubapec.it"],
        ),
        preset(
            Provider::Legalmail,
            "Legalmail (InfoCert)",
            Hosts {
                imap: "mbox.cert.legalmail.it",
                smtp: "sendm.cert.legalmail.it",
                login_name: LoginName::UserId,
                source: Some("https://help.infocert.it (Legalmail FAQ)"),
            },
            &["legalmail.it"],
        ),
        preset(
            Provider::Poste,
            "Poste Italiane (PosteCert)",
            Hosts {
                imap: "mail.postecert.it",
                smtp: "mail.postecert.it",
                login_name: LoginName::Address,
                source: Some(
                    "Thunderbird ISPDB postecert.it.xml (https://postecert.poste.it/pec/configurazione.shtml)",
                ),
            },
            &["postecert.it"],
        ),
        preset(
            Provider::Namirial,
            "Namirial (Sicurezza Postale)",
            Hosts {
                imap: "imaps.sicurezzapostale.it",
                smtp: "smtps.sicurezzapostale.it",
                login_name: LoginName::Address,
                source: None,
            },
            &["sicurezzapostale.it"],
        ),
        preset(
            Provider::Register,
            "Register.it PEC",
            Hosts {
                imap: "imaps.pec.register.it",
                smtp: "smtps.pec.register.it",
                login_name: LoginName::Address,
                source: None,
            },
            &["pec-email.com"],
        ),
        custom_preset(),
    ]
}

/// A server typed by hand: empty hosts, the usual implicit-TLS ports.
fn custom_preset() -> ProviderInfo {
    ProviderInfo {
        provider: Provider::Custom,
        name: "Custom server".into(),
        imap_host: String::new(),
        imap_port: 993,
        smtp_host: String::new(),
        smtp_port: 465,
        max_total_mb: max_total_mb(Provider::Custom),
        max_recipients: sending_rules(Provider::Custom).max_recipients,
        domains: vec![],
        login_name: LoginName::Address,
        source: None,
    }
}

/// The preset of one provider.
pub fn preset_of(provider: Provider) -> ProviderInfo {
    let mut all = presets();
    match all.iter().position(|p| p.provider == provider) {
        Some(i) => all.swap_remove(i),
        // Every provider has a preset (tested below); a hand-typed server is the safe answer.
        None => custom_preset(),
    }
}

/// Guess the provider from an address's domain (`None` when unknown: ask the user).
pub fn guess(address: &str) -> Option<Provider> {
    let domain = address.rsplit_once('@')?.1.to_ascii_lowercase();
    presets().into_iter().find_map(|p| {
        p.domains
            .iter()
            .any(|d| domain == *d || domain.ends_with(&format!(".{d}")))
            .then_some(p.provider)
    })
}

/// The servers an account of `provider` uses: the preset's, or for [`Provider::Custom`] the ones
/// the user typed (required).
pub fn servers_for(provider: Provider, custom: Option<Servers>) -> Result<Servers, AccountError> {
    if provider == Provider::Custom {
        return custom
            .ok_or_else(|| AccountError::Invalid("a custom provider needs its servers".into()));
    }
    let p = preset_of(provider);
    Ok(Servers {
        imap_host: p.imap_host,
        imap_port: p.imap_port,
        smtp_host: p.smtp_host,
        smtp_port: p.smtp_port,
        ca_file: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aruba_preset_is_the_published_one() {
        let p = preset_of(Provider::Aruba);
        assert_eq!(
            (p.imap_host.as_str(), p.imap_port),
            ("imaps.pec.aruba.it", 993)
        );
        assert_eq!(
            (p.smtp_host.as_str(), p.smtp_port),
            ("smtps.pec.aruba.it", 465)
        );
    }

    #[test]
    fn every_provider_has_one_preset_and_custom_has_no_host() {
        let all = presets();
        assert_eq!(all.len(), 6);
        for p in &all {
            assert_eq!(preset_of(p.provider), *p);
            assert_eq!(p.imap_host.is_empty(), p.provider == Provider::Custom);
            assert_eq!(Provider::parse(p.provider.as_str()), Some(p.provider));
        }
    }

    #[test]
    fn unconfirmed_hosts_say_so_and_legalmail_asks_for_its_user_id() {
        let unconfirmed: Vec<Provider> = presets()
            .into_iter()
            .filter(|p| p.source.is_none())
            .map(|p| p.provider)
            .collect();
        assert_eq!(
            unconfirmed,
            [Provider::Namirial, Provider::Register, Provider::Custom]
        );
        assert_eq!(preset_of(Provider::Legalmail).login_name, LoginName::UserId);
        assert_eq!(preset_of(Provider::Poste).login_name, LoginName::Address);
    }

    #[test]
    fn provider_guessed_from_domain() {
        assert_eq!(guess("mario@legalmail.it"), Some(Provider::Legalmail));
        assert_eq!(guess("ditta@pec.it"), Some(Provider::Aruba));
        assert_eq!(guess("ufficio@studio.pec.it"), Some(Provider::Aruba));
        assert_eq!(guess("x@example.org"), None);
        assert_eq!(guess("not-an-address"), None);
    }

    #[test]
    fn shown_limit_is_the_one_the_outbox_enforces() {
        for p in presets() {
            let enforced = if p.provider == Provider::Aruba {
                crate::compose::ProviderPreset::aruba()
            } else {
                crate::compose::ProviderPreset::generic()
            };
            assert_eq!(
                u64::from(p.max_total_mb) * 1024 * 1024,
                enforced.max_total_bytes,
                "{:?}",
                p.provider
            );
        }
        assert_eq!(preset_of(Provider::Aruba).max_total_mb, 100);
        assert_eq!(preset_of(Provider::Poste).max_total_mb, 30);
    }
}
