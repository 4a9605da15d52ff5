//! Checks before anything leaves the device.

use super::{ComposeError, Draft, ProviderPreset};
use serde::Serialize;

/// Something the user should know but that does not stop the sending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ComposeWarning {
    /// Not a known certified domain: only the acceptance receipt will come back for it (no
    /// delivery receipt), and the message has no legal value of delivery for that recipient.
    NotPec { address: String },
}

impl std::fmt::Display for ComposeWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ComposeWarning::NotPec { address } => write!(
                f,
                "{address} may not be a PEC address: you will get the acceptance receipt but no delivery receipt for it"
            ),
        }
    }
}

/// A draft that passed [`validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Validated {
    /// Envelope recipients (To then Cc), lower-cased, without duplicates.
    pub recipients: Vec<String>,
    /// Estimated size of the encoded message in bytes.
    pub estimated_size: u64,
    pub warnings: Vec<ComposeWarning>,
}

/// Extensions refused outright (executables and scripts).
pub const BLOCKED_EXTENSIONS: &[&str] = &[
    "exe",
    "com",
    "bat",
    "cmd",
    "pif",
    "scr",
    "vbs",
    "vbe",
    "js",
    "jse",
    "jar",
    "msi",
    "msp",
    "ps1",
    "psm1",
    "sh",
    "bash",
    "wsf",
    "wsh",
    "hta",
    "cpl",
    "dll",
    "lnk",
    "reg",
    "app",
    "apk",
    "scf",
    "inf",
    "gadget",
    "application",
    "msc",
    "vb",
    "ws",
    "sys",
    "drv",
    "ocx",
    "class",
    "py",
    "pl",
    "rb",
    "elf",
    "bin",
    "run",
    "command",
    "appimage",
    "deb",
    "rpm",
];

/// Content sniffing: does the data start like an executable or a script?
pub fn sniff_executable(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"MZ") {
        Some("a Windows executable")
    } else if head.starts_with(b"\x7fELF") {
        Some("a Linux executable")
    } else if head.starts_with(&[0xfe, 0xed, 0xfa, 0xce])
        || head.starts_with(&[0xfe, 0xed, 0xfa, 0xcf])
        || head.starts_with(&[0xce, 0xfa, 0xed, 0xfe])
        || head.starts_with(&[0xcf, 0xfa, 0xed, 0xfe])
    {
        Some("a macOS executable")
    } else if head.starts_with(&[0xca, 0xfe, 0xba, 0xbe]) {
        Some("an executable (Java class or macOS universal binary)")
    } else if head.starts_with(b"#!") {
        Some("a script")
    } else {
        None
    }
}

/// Syntactic check of a bare address (`local@domain.tld`).
pub fn is_valid_address(addr: &str) -> bool {
    let Some((local, domain)) = addr.rsplit_once('@') else {
        return false;
    };
    if local.is_empty() || local.len() > 64 || domain.len() > 253 || addr.len() > 254 {
        return false;
    }
    let local_ok = local
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c) || !c.is_ascii())
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || !c.is_ascii())
        });
    local_ok && domain_ok
}

/// Encoded size of `n` bytes in base64 with 76-character lines and CRLF.
pub fn base64_size(n: u64) -> u64 {
    let chars = n.div_ceil(3) * 4;
    chars + chars.div_ceil(76) * 2
}

/// One recipient as the compose screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipientCheck {
    /// Lower-cased, trimmed.
    pub address: String,
    pub valid: bool,
    /// A known certified domain (a delivery receipt will come back for it).
    pub pec: bool,
    /// The positions in To followed by Cc that name this recipient (one address written twice
    /// is one recipient): how a screen finds the check of each address as the user wrote it.
    pub inputs: Vec<usize>,
}

/// The compose screen's live state of a draft: every problem at once (in the order [`validate`]
/// reports the first one), the recipients, and the size budget (size × recipients against the
/// provider's limit).
#[derive(Debug)]
pub struct ComposeCheck {
    /// To then Cc, without duplicates.
    pub recipients: Vec<RecipientCheck>,
    /// Estimated size of the encoded message in bytes.
    pub estimated_size: u64,
    /// What the provider counts: the size times the valid recipients.
    pub total_bytes: u64,
    pub limit_bytes: u64,
    pub max_recipients: u32,
    /// What stops the sending; empty when the draft can be sent.
    pub problems: Vec<ComposeError>,
    pub warnings: Vec<ComposeWarning>,
}

/// Check a draft without stopping at the first problem: what the compose screen shows as the user
/// types.
pub fn check(draft: &Draft, preset: &ProviderPreset) -> ComposeCheck {
    let mut problems = Vec::new();
    if !draft.bcc.is_empty() {
        problems.push(ComposeError::BccNotAllowed {
            addresses: draft.bcc.iter().map(|m| m.address.clone()).collect(),
        });
    }
    match &draft.from {
        None => problems.push(ComposeError::NoSender),
        Some(from) if !is_valid_address(&from.address) => {
            problems.push(ComposeError::InvalidAddress {
                address: from.address.clone(),
            })
        }
        Some(_) => {}
    }
    if draft.subject.contains(['\r', '\n']) {
        problems.push(ComposeError::BadSubject);
    }
    let blank = |t: Option<&str>| t.is_none_or(|t| t.trim().is_empty());
    if !blank(draft.html.as_deref()) && blank(draft.text.as_deref()) {
        problems.push(ComposeError::HtmlWithoutText);
    }
    let sender = draft.from.as_ref().map(|m| m.address.as_str());
    let mut recipients: Vec<RecipientCheck> = Vec::new();
    let mut warnings = Vec::new();
    for (input, m) in draft.to.iter().chain(draft.cc.iter()).enumerate() {
        let addr = m.address.trim();
        let lower = addr.to_lowercase();
        if let Some(seen) = recipients.iter_mut().find(|r| r.address == lower) {
            seen.inputs.push(input);
            continue;
        }
        let valid = is_valid_address(addr);
        if !valid {
            problems.push(ComposeError::InvalidAddress {
                address: m.address.clone(),
            });
        }
        let pec = valid && preset.is_certified(&lower, sender);
        if valid && !pec {
            warnings.push(ComposeWarning::NotPec {
                address: lower.clone(),
            });
        }
        recipients.push(RecipientCheck {
            address: lower,
            valid,
            pec,
            inputs: vec![input],
        });
    }
    let n = recipients.iter().filter(|r| r.valid).count() as u64;
    if recipients.is_empty() {
        problems.push(ComposeError::NoRecipients);
    }
    // Headers and the multipart scaffolding, generously.
    let mut size: u64 = 2048 + draft.subject.len() as u64 * 2 + n * 80;
    let sig = draft.signature.as_ref().map_or(0, |s| s.len() as u64 + 8);
    if let Some(t) = &draft.text {
        size += (t.len() as u64 + sig) * 11 / 10 + 200;
    }
    if let Some(h) = &draft.html {
        size += (h.len() as u64 + sig * 2) * 11 / 10 + 200;
    }
    for a in &draft.attachments {
        match attachment_size(a) {
            Ok(bytes) => size += bytes,
            Err(e) => problems.push(e),
        }
    }
    if n > u64::from(preset.max_recipients) {
        problems.push(ComposeError::TooManyRecipients {
            provider: preset.name.clone(),
            recipients: u32::try_from(n).unwrap_or(u32::MAX),
            limit: preset.max_recipients,
        });
    }
    let total = size.saturating_mul(n);
    if total > preset.max_total_bytes {
        problems.push(ComposeError::TooLarge {
            provider: preset.name.clone(),
            size,
            recipients: n as u32,
            limit: preset.max_total_bytes,
        });
    }
    ComposeCheck {
        recipients,
        estimated_size: size,
        total_bytes: total,
        limit_bytes: preset.max_total_bytes,
        max_recipients: preset.max_recipients,
        problems,
        warnings,
    }
}

/// An attachment's share of the encoded message, once its name and content are allowed.
fn attachment_size(a: &super::Attachment) -> Result<u64, ComposeError> {
    let ext = a
        .filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase());
    if let Some(ext) = ext
        && BLOCKED_EXTENSIONS.contains(&ext.as_str())
    {
        return Err(ComposeError::BlockedAttachment {
            filename: a.filename.clone(),
            reason: format!(
                "files of type .{ext} (programs and scripts) are refused by PEC providers"
            ),
        });
    }
    if let Some(what) = sniff_executable(&a.head(16)?) {
        return Err(ComposeError::BlockedAttachment {
            filename: a.filename.clone(),
            reason: format!("its content is {what}, which PEC providers refuse whatever its name"),
        });
    }
    Ok(base64_size(a.size()?) + 300 + a.filename.len() as u64 * 2)
}

/// Check a draft before it is queued: the first problem [`check`] finds, or what will be sent.
pub fn validate(draft: &Draft, preset: &ProviderPreset) -> Result<Validated, ComposeError> {
    let checked = check(draft, preset);
    if let Some(problem) = checked.problems.into_iter().next() {
        return Err(problem);
    }
    Ok(Validated {
        recipients: checked.recipients.into_iter().map(|r| r.address).collect(),
        estimated_size: checked.estimated_size,
        warnings: checked.warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::{Attachment, Mailbox};

    fn draft() -> Draft {
        Draft {
            from: Some(Mailbox::new("utente1@pec.sandbox.test")),
            to: vec![Mailbox::new("utente2@pec.sandbox.test")],
            subject: "Prova".into(),
            text: Some("Ciao".into()),
            ..Default::default()
        }
    }

    #[test]
    fn each_recipient_names_the_places_it_was_written() {
        let mut d = draft();
        d.to.push(Mailbox::parse("Mario Rossi <Mario@Posta.example>"));
        d.cc.push(Mailbox::new("utente2@pec.sandbox.test"));
        let c = check(&d, &ProviderPreset::sandbox());
        let seen: Vec<(&str, &[usize])> = c
            .recipients
            .iter()
            .map(|r| (r.address.as_str(), r.inputs.as_slice()))
            .collect();
        assert_eq!(
            seen,
            vec![
                ("utente2@pec.sandbox.test", &[0, 2][..]),
                ("mario@posta.example", &[1][..]),
            ]
        );
    }

    #[test]
    fn accepts_a_simple_pec() {
        let v = validate(&draft(), &ProviderPreset::sandbox()).expect("valid");
        assert_eq!(v.recipients, vec!["utente2@pec.sandbox.test"]);
        assert!(v.warnings.is_empty());
    }

    #[test]
    fn refuses_bcc_with_the_addresses() {
        let mut d = draft();
        d.bcc.push(Mailbox::new("nascosto@pec.it"));
        let e = validate(&d, &ProviderPreset::generic()).unwrap_err();
        assert_eq!(
            e,
            ComposeError::BccNotAllowed {
                addresses: vec!["nascosto@pec.it".into()]
            }
        );
        assert!(e.to_string().contains("Bcc"));
    }

    #[test]
    fn needs_a_recipient_and_valid_addresses() {
        let mut d = draft();
        d.to.clear();
        assert_eq!(
            validate(&d, &ProviderPreset::generic()),
            Err(ComposeError::NoRecipients)
        );
        for bad in [
            "no-at",
            "a@b",
            "@pec.it",
            "a b@pec.it",
            "a@-x.it",
            "a..b@pec.it",
        ] {
            let mut d = draft();
            d.cc.push(Mailbox::new(bad));
            assert_eq!(
                validate(&d, &ProviderPreset::generic()),
                Err(ComposeError::InvalidAddress {
                    address: bad.into()
                }),
                "{bad}"
            );
        }
    }

    #[test]
    fn flags_non_pec_recipients_without_refusing() {
        let mut d = draft();
        d.cc.push(Mailbox::new("mario@gmail.com"));
        d.cc.push(Mailbox::new("uff@legalmail.it"));
        let v = validate(&d, &ProviderPreset::sandbox()).expect("valid");
        assert_eq!(
            v.warnings,
            vec![ComposeWarning::NotPec {
                address: "mario@gmail.com".into()
            }]
        );
        assert_eq!(v.recipients.len(), 3);
    }

    #[test]
    fn blocks_executables_by_extension_and_by_content() {
        let mut d = draft();
        d.attachments
            .push(Attachment::from_bytes("setup.EXE", b"hello".to_vec()));
        assert!(matches!(
            validate(&d, &ProviderPreset::generic()),
            Err(ComposeError::BlockedAttachment { ref filename, .. }) if filename == "setup.EXE"
        ));
        let mut d = draft();
        d.attachments.push(Attachment::from_bytes(
            "fattura.pdf",
            b"MZ\x90\x00\x03\x00\x00\x00".to_vec(),
        ));
        let e = validate(&d, &ProviderPreset::generic()).unwrap_err();
        assert!(e.to_string().contains("Windows executable"), "{e}");
        let mut d = draft();
        d.attachments.push(Attachment::from_bytes(
            "note.txt",
            b"#!/bin/sh\nrm -rf /\n".to_vec(),
        ));
        assert!(matches!(
            validate(&d, &ProviderPreset::generic()),
            Err(ComposeError::BlockedAttachment { .. })
        ));
        let mut d = draft();
        d.attachments
            .push(Attachment::from_bytes("doc.pdf", b"%PDF-1.7\n".to_vec()));
        assert!(validate(&d, &ProviderPreset::generic()).is_ok());
    }

    #[test]
    fn size_times_recipients_against_the_preset() {
        let mut preset = ProviderPreset::generic();
        preset.max_total_bytes = 1_000_000;
        let mut d = draft();
        d.attachments
            .push(Attachment::from_bytes("a.pdf", vec![b'x'; 300_000]));
        let one = validate(&d, &preset).expect("one recipient fits");
        assert!(one.estimated_size > 400_000 && one.estimated_size < 420_000);
        d.to.push(Mailbox::new("utente3@pec.sandbox.test"));
        d.to.push(Mailbox::new("utente4@pec.sandbox.test"));
        match validate(&d, &preset) {
            Err(ComposeError::TooLarge {
                recipients, limit, ..
            }) => {
                assert_eq!(recipients, 3);
                assert_eq!(limit, 1_000_000);
            }
            other => panic!("expected TooLarge, got {other:?}"),
        }
    }

    #[test]
    fn recipients_over_the_provider_maximum_are_refused_before_sending() {
        let mut d = draft();
        d.cc = (0..99)
            .map(|i| Mailbox::new(format!("cc{i}@pec.sandbox.test")))
            .collect();
        validate(&d, &ProviderPreset::sandbox()).expect("100 recipients fit the sandbox");
        d.cc.push(Mailbox::new("uno.di.troppo@pec.sandbox.test"));
        let e = validate(&d, &ProviderPreset::sandbox()).unwrap_err();
        assert_eq!(
            e,
            ComposeError::TooManyRecipients {
                provider: "Sandbox PEC".into(),
                recipients: 101,
                limit: 100
            }
        );
        assert_eq!(ProviderPreset::aruba().max_recipients, 500);
        // A preset stored before the field existed reads with the default maximum.
        let old: ProviderPreset = serde_json::from_str(
            r#"{"name":"X","max_total_bytes":1,"provider_saves_sent":false,"certified_domains":[]}"#,
        )
        .expect("old preset");
        assert_eq!(
            old.max_recipients,
            crate::compose::preset::DEFAULT_MAX_RECIPIENTS
        );
    }

    #[test]
    fn unreadable_file_is_a_typed_error() {
        let mut d = draft();
        d.attachments
            .push(Attachment::from_file("/nonexistent/dir/x.pdf"));
        assert!(matches!(
            validate(&d, &ProviderPreset::generic()),
            Err(ComposeError::AttachmentUnreadable { .. })
        ));
    }

    #[test]
    fn base64_size_matches_encoder() {
        use base64::Engine;
        for n in [0usize, 1, 56, 57, 58, 1000, 12345] {
            let enc = base64::engine::general_purpose::STANDARD.encode(vec![0u8; n]);
            let lines = enc.len().div_ceil(76);
            assert_eq!(base64_size(n as u64), (enc.len() + lines * 2) as u64, "{n}");
        }
    }

    #[test]
    fn an_html_body_needs_a_text_body() {
        let mut d = Draft {
            from: Some(Mailbox::new("me@pec.it")),
            to: vec![Mailbox::new("a@pec.it")],
            subject: "s".into(),
            text: Some(" ".into()),
            html: Some("<p>ciao</p>".into()),
            ..Default::default()
        };
        let preset = ProviderPreset::generic();
        assert_eq!(
            validate(&d, &preset).err(),
            Some(ComposeError::HtmlWithoutText)
        );
        d.text = Some("ciao".into());
        assert!(validate(&d, &preset).is_ok());
    }
}
