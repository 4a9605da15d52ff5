//! Provider presets: the rules the sender's provider applies that the client must honour before
//! sending (size × recipients limit, whether the provider keeps a Sent copy, which domains are
//! certified).

use serde::{Deserialize, Serialize};

/// One provider's sending rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderPreset {
    pub name: String,
    /// Message size × number of recipients must stay within this (bytes).
    pub max_total_bytes: u64,
    /// Recipients (To + Cc) of one message. A PEC goes in one SMTP transaction, so a provider
    /// refusing the count (`452 4.5.3`) cannot be worked around by splitting it: refuse before.
    #[serde(default = "default_max_recipients")]
    pub max_recipients: u32,
    /// True when the provider itself stores a copy of what is submitted in the Sent folder; when
    /// false the client appends one after submission.
    pub provider_saves_sent: bool,
    /// Domains (or `.suffix`es) known to be certified, beyond the built-in list; recipients
    /// outside every known certified domain are flagged as possibly not PEC.
    pub certified_domains: Vec<String>,
}

/// Provider domains known to host PEC mailboxes (the public providers' main domains).
const KNOWN_PEC_DOMAINS: &[&str] = &[
    "pec.it",
    "pec.aruba.it",
    "arubapec.it",
    "legalmail.it",
    "postecert.it",
    "pec.poste.it",
    "sicurezzapostale.it",
    "pcert.sogei.it",
    "pec.actalis.it",
    "pec.fatturapa.it",
    "cert.legalmail.it",
    "pecimprese.it",
    "mypec.eu",
    "pec.buffetti.it",
    "registerpec.it",
    "pec.libero.it",
    "postacert.it",
    "casellapec.com",
];

/// Recipients per message when the provider's own limit is not known: 500, the figure some
/// providers document (see the provider presets).
pub const DEFAULT_MAX_RECIPIENTS: u32 = 500;

fn default_max_recipients() -> u32 {
    DEFAULT_MAX_RECIPIENTS
}

impl ProviderPreset {
    /// The Italian default: 30 MB (size × recipients), client keeps the Sent copy.
    pub fn generic() -> ProviderPreset {
        ProviderPreset {
            name: "PEC".into(),
            max_total_bytes: 30 * 1024 * 1024,
            max_recipients: DEFAULT_MAX_RECIPIENTS,
            provider_saves_sent: false,
            certified_domains: Vec::new(),
        }
    }

    /// Aruba: 100 MB shared among recipients, at most 500 recipients per message.
    pub fn aruba() -> ProviderPreset {
        ProviderPreset {
            name: "Aruba PEC".into(),
            max_total_bytes: 100 * 1024 * 1024,
            max_recipients: 500,
            provider_saves_sent: false,
            certified_domains: Vec::new(),
        }
    }

    /// The test provider (`tests/sandbox`): 30 MB, 100 recipients (its default policy), every
    /// `*.sandbox.test` domain certified.
    pub fn sandbox() -> ProviderPreset {
        ProviderPreset {
            name: "Sandbox PEC".into(),
            max_total_bytes: 30 * 1024 * 1024,
            max_recipients: 100,
            provider_saves_sent: false,
            certified_domains: vec![".sandbox.test".into(), "pec.fatturapa.it".into()],
        }
    }

    /// The preset for an account address (by its domain).
    pub fn for_address(address: &str) -> ProviderPreset {
        let domain = address
            .rsplit_once('@')
            .map(|(_, d)| d.to_ascii_lowercase())
            .unwrap_or_default();
        if domain == "pec.it" || domain.ends_with(".pec.it") || domain.contains("aruba") {
            ProviderPreset::aruba()
        } else if domain.ends_with(".sandbox.test") {
            ProviderPreset::sandbox()
        } else {
            ProviderPreset::generic()
        }
    }

    /// Is `address` on a domain known to be certified? (A heuristic: unknown domains may still
    /// be PEC; the acceptance receipt's `destinatari tipo` is the authority.)
    pub fn is_certified(&self, address: &str, sender: Option<&str>) -> bool {
        let Some((_, domain)) = address.rsplit_once('@') else {
            return false;
        };
        let domain = domain.to_ascii_lowercase();
        if let Some((_, sd)) = sender.and_then(|s| s.rsplit_once('@'))
            && sd.eq_ignore_ascii_case(&domain)
        {
            return true;
        }
        let matches = |d: &str| {
            if let Some(suffix) = d.strip_prefix('.') {
                domain.ends_with(&format!(".{suffix}"))
            } else {
                domain == d || domain.ends_with(&format!(".{d}"))
            }
        };
        KNOWN_PEC_DOMAINS.iter().any(|d| matches(d))
            || self.certified_domains.iter().any(|d| matches(d))
            || domain
                .split('.')
                .any(|label| label == "pec" || label == "cert")
    }
}
