//! Provider presets: where each PEC provider's servers are and what it allows.
//!
//! Hosts and ports are the ones the providers publish for mail programs (implicit TLS: IMAPS 993,
//! SMTPS 465). Limits are the providers' published figures at the time of writing; they can change,
//! so the client treats them as the *default* a compose screen warns about, and the server's own
//! answer (SMTP SIZE, a refusal) always wins at send time. `None` = not published / unknown: the UI
//! shows no limit and relies on the server.
//!
//! | provider  | IMAP                         | SMTP                         | size  | recipients |
//! |-----------|------------------------------|------------------------------|-------|------------|
//! | Aruba     | imaps.pec.aruba.it:993       | smtps.pec.aruba.it:465       | 50 MB | 500        |
//! | Legalmail | mbox.cert.legalmail.it:993   | sendm.cert.legalmail.it:465  | 50 MB | –          |
//! | Poste     | mail.postecert.it:993        | mail.postecert.it:465        | 30 MB | –          |
//! | Namirial  | imaps.sicurezzapostale.it:993| smtps.sicurezzapostale.it:465| 50 MB | –          |
//! | Register  | imaps.pec.register.it:993    | smtps.pec.register.it:465    | 50 MB | –          |
//! | Custom    | as typed (e.g. the sandbox)  | as typed                     | –     | –          |

/// The providers the add-account screen offers.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
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

/// One provider's servers and published limits.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct ProviderPreset {
    pub provider: Provider,
    /// Name shown in the provider picker.
    pub name: String,
    pub imap_host: String,
    pub imap_port: u16,
    pub smtp_host: String,
    pub smtp_port: u16,
    /// Largest message (envelope included) the provider accepts, in megabytes.
    pub max_message_mb: Option<u32>,
    /// Most recipients (To + Cc) per message.
    pub max_recipients: Option<u32>,
    /// Mail domains that imply this provider (for guessing from the address).
    pub domains: Vec<String>,
}

fn preset(
    provider: Provider,
    name: &str,
    imap: &str,
    smtp: &str,
    max_message_mb: Option<u32>,
    max_recipients: Option<u32>,
    domains: &[&str],
) -> ProviderPreset {
    ProviderPreset {
        provider,
        name: name.into(),
        imap_host: imap.into(),
        imap_port: 993,
        smtp_host: smtp.into(),
        smtp_port: 465,
        max_message_mb,
        max_recipients,
        domains: domains.iter().map(|d| d.to_string()).collect(),
    }
}

/// Every preset, in the order the picker shows them (Custom last, with empty hosts).
#[uniffi::export]
pub fn provider_presets() -> Vec<ProviderPreset> {
    vec![
        preset(
            Provider::Aruba,
            "Aruba PEC",
            "imaps.pec.aruba.it",
            "smtps.pec.aruba.it",
            Some(50),
            Some(500),
            &["pec.it", "arubapec.it"],
        ),
        preset(
            Provider::Legalmail,
            "Legalmail (InfoCert)",
            "mbox.cert.legalmail.it",
            "sendm.cert.legalmail.it",
            Some(50),
            None,
            &["legalmail.it"],
        ),
        preset(
            Provider::Poste,
            "Poste Italiane (PosteCert)",
            "mail.postecert.it",
            "mail.postecert.it",
            Some(30),
            None,
            &["postecert.it"],
        ),
        preset(
            Provider::Namirial,
            "Namirial (Sicurezza Postale)",
            "imaps.sicurezzapostale.it",
            "smtps.sicurezzapostale.it",
            Some(50),
            None,
            &["sicurezzapostale.it"],
        ),
        preset(
            Provider::Register,
            "Register.it PEC",
            "imaps.pec.register.it",
            "smtps.pec.register.it",
            Some(50),
            None,
            &["pec-email.com"],
        ),
        ProviderPreset {
            provider: Provider::Custom,
            name: "Custom server".into(),
            imap_host: String::new(),
            imap_port: 993,
            smtp_host: String::new(),
            smtp_port: 465,
            max_message_mb: None,
            max_recipients: None,
            domains: vec![],
        },
    ]
}

/// The preset of one provider.
#[uniffi::export]
pub fn provider_preset(provider: Provider) -> ProviderPreset {
    provider_presets()
        .into_iter()
        .find(|p| p.provider == provider)
        .expect("every provider has a preset")
}

/// Guess the provider from an address's domain (`None` when unknown: ask the user).
#[uniffi::export]
pub fn guess_provider(address: String) -> Option<Provider> {
    let domain = address.rsplit_once('@')?.1.to_ascii_lowercase();
    provider_presets().into_iter().find_map(|p| {
        p.domains
            .iter()
            .any(|d| domain == *d || domain.ends_with(&format!(".{d}")))
            .then_some(p.provider)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aruba_preset_is_the_published_one() {
        let p = provider_preset(Provider::Aruba);
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
        let all = provider_presets();
        assert_eq!(all.len(), 6);
        for p in &all {
            assert_eq!(provider_preset(p.provider), *p);
            assert_eq!(p.imap_host.is_empty(), p.provider == Provider::Custom);
            assert_eq!(Provider::parse(p.provider.as_str()), Some(p.provider));
        }
    }

    #[test]
    fn provider_guessed_from_domain() {
        assert_eq!(
            guess_provider("mario@legalmail.it".into()),
            Some(Provider::Legalmail)
        );
        assert_eq!(guess_provider("ditta@pec.it".into()), Some(Provider::Aruba));
        assert_eq!(
            guess_provider("ufficio@studio.pec.it".into()),
            Some(Provider::Aruba)
        );
        assert_eq!(guess_provider("x@example.org".into()), None);
        assert_eq!(guess_provider("not-an-address".into()), None);
    }
}
