//! Provider presets for the add-account screen: where each PEC provider's servers are and what it
//! allows. The table and its sources live in `pec_core::accounts::providers`; this file only
//! gives them FFI shapes.

use pec_core::accounts::providers;

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
        providers::Provider::from(self).as_str()
    }

    pub fn parse(s: &str) -> Option<Provider> {
        providers::Provider::parse(s).map(Provider::from)
    }
}

impl From<Provider> for providers::Provider {
    fn from(p: Provider) -> Self {
        match p {
            Provider::Aruba => providers::Provider::Aruba,
            Provider::Legalmail => providers::Provider::Legalmail,
            Provider::Poste => providers::Provider::Poste,
            Provider::Namirial => providers::Provider::Namirial,
            Provider::Register => providers::Provider::Register,
            Provider::Custom => providers::Provider::Custom,
        }
    }
}

impl From<providers::Provider> for Provider {
    fn from(p: providers::Provider) -> Self {
        match p {
            providers::Provider::Aruba => Provider::Aruba,
            providers::Provider::Legalmail => Provider::Legalmail,
            providers::Provider::Poste => Provider::Poste,
            providers::Provider::Namirial => Provider::Namirial,
            providers::Provider::Register => Provider::Register,
            providers::Provider::Custom => Provider::Custom,
        }
    }
}

/// What a provider expects as the login name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginName {
    /// The PEC address itself.
    Address,
    /// A user id the provider assigned (Legalmail), different from the address.
    UserId,
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

impl From<providers::ProviderInfo> for ProviderPreset {
    fn from(p: providers::ProviderInfo) -> Self {
        ProviderPreset {
            provider: p.provider.into(),
            name: p.name,
            imap_host: p.imap_host,
            imap_port: p.imap_port,
            smtp_host: p.smtp_host,
            smtp_port: p.smtp_port,
            max_total_mb: p.max_total_mb,
            max_recipients: p.max_recipients,
            domains: p.domains,
            login_name: match p.login_name {
                providers::LoginName::Address => LoginName::Address,
                providers::LoginName::UserId => LoginName::UserId,
            },
            source: p.source,
        }
    }
}

/// Every preset, in the order the picker shows them (Custom last, with empty hosts).
#[uniffi::export]
pub fn provider_presets() -> Vec<ProviderPreset> {
    providers::presets().into_iter().map(Into::into).collect()
}

/// The preset of one provider.
#[uniffi::export]
pub fn provider_preset(provider: Provider) -> ProviderPreset {
    providers::preset_of(provider.into()).into()
}

/// Guess the provider from an address's domain (`None` when unknown: ask the user).
#[uniffi::export]
pub fn guess_provider(address: String) -> Option<Provider> {
    providers::guess(&address).map(Into::into)
}
