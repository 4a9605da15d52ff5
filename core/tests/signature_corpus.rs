//! Signatures of the real PEC samples (expected.toml) and of the signed invoices in the corpus.

use std::path::Path;

use mail_parser::MessageParser;
use pec_core::signature::{
    AnchorRole, Policy, SignatureError, SignatureStatus, TrustStore, open_signed, verify_detached,
};
use pec_test_harness::corpus::corpus_for_test;

fn signed_parts(raw: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let msg = MessageParser::default().parse(raw)?;
    let parts = pec_core::message::signed_part::find_signed(&msg)?;
    Some((parts.content.to_vec(), parts.p7s?.to_vec()))
}

fn message_date(raw: &[u8]) -> Option<chrono::DateTime<chrono::Utc>> {
    let msg = MessageParser::default().parse(raw)?;
    let d = msg.date()?;
    chrono::DateTime::from_timestamp(d.to_timestamp(), 0)
}

#[test]
fn pec_samples_match_expected_signatures() {
    let Some(corpus) = corpus_for_test() else {
        return;
    };
    let dir = corpus.join("pec");
    let expected: toml::Table =
        toml::from_str(&std::fs::read_to_string(dir.join("expected.toml")).expect("expected.toml"))
            .expect("toml");
    let trust = TrustStore::bundled();
    let mut checked = 0;
    for (file, entries) in &expected {
        let entry = entries
            .as_array()
            .and_then(|a| a.first())
            .and_then(|e| e.as_table())
            .expect("entry");
        let want = entry
            .get("signature")
            .and_then(|v| v.as_str())
            .expect("signature");
        let raw = std::fs::read(dir.join(file)).expect("sample");
        let got = match signed_parts(&raw) {
            Some((signed, p7s)) => verify_detached(
                &signed,
                &p7s,
                message_date(&raw),
                &trust,
                Policy::PecProvider,
            ),
            None => pec_core::signature::SignatureReport::absent(),
        };
        assert!(
            want.split('|').any(|w| w == got.status.as_str()),
            "{file}: expected {want}, got {:?} ({:?})",
            got.status,
            got.detail
        );
        if let Some(cn) = entry.get("signer_cn").and_then(|v| v.as_str()) {
            assert_eq!(got.signer_cn.as_deref(), Some(cn), "{file}");
        }
        if got.status == SignatureStatus::Valid {
            let provider = got.provider.as_deref().unwrap_or_default();
            assert!(provider == "pec.aruba.it", "{file}: provider {provider}");
        }
        checked += 1;
    }
    assert!(checked >= 13, "only {checked} samples checked");
}

#[test]
fn valid_pec_signature_is_untrusted_without_roots_and_outside_its_validity() {
    let Some(corpus) = corpus_for_test() else {
        return;
    };
    let raw = std::fs::read(corpus.join("pec/OCA_l10n-italy/7.0/message1")).expect("sample");
    let (signed, p7s) = signed_parts(&raw).expect("signed message");
    let at = message_date(&raw);
    let none = verify_detached(&signed, &p7s, at, &TrustStore::empty(), Policy::PecProvider);
    assert_eq!(none.status, SignatureStatus::Untrusted, "{:?}", none.detail);
    // In 2020 the DigitPA CA1 certificate (2011-2018) had expired: the chain no longer holds.
    let later = chrono::DateTime::parse_from_rfc3339("2020-01-01T00:00:00Z")
        .expect("date")
        .to_utc();
    let late = verify_detached(
        &signed,
        &p7s,
        Some(later),
        &TrustStore::bundled(),
        Policy::PecProvider,
    );
    assert_eq!(late.status, SignatureStatus::Untrusted, "{:?}", late.detail);
    // A provider signature is a fine document signature too.
    let doc = verify_detached(&signed, &p7s, at, &TrustStore::bundled(), Policy::Document);
    assert_eq!(doc.status, SignatureStatus::Valid, "{:?}", doc.detail);
}

#[test]
fn one_flipped_byte_in_the_signed_content_is_invalid() {
    let Some(corpus) = corpus_for_test() else {
        return;
    };
    let raw = std::fs::read(
        corpus.join("pec/OCA_l10n-italy/16.0/ACCETTAZIONE_ IT03339130126_00009.xml.txt"),
    )
    .expect("sample");
    let (mut signed, p7s) = signed_parts(&raw).expect("signed message");
    let at = message_date(&raw);
    assert_eq!(
        verify_detached(
            &signed,
            &p7s,
            at,
            &TrustStore::bundled(),
            Policy::PecProvider
        )
        .status,
        SignatureStatus::Valid
    );
    let mid = signed.len() / 2;
    signed[mid] ^= 0x01;
    let r = verify_detached(
        &signed,
        &p7s,
        at,
        &TrustStore::bundled(),
        Policy::PecProvider,
    );
    assert_eq!(r.status, SignatureStatus::Invalid);
    assert!(r.detail.unwrap_or_default().contains("altered"));
    // A truncated signature is invalid, never a panic.
    for cut in [0, 1, 10, p7s.len() / 2, p7s.len() - 1] {
        let r = verify_detached(
            &signed,
            &p7s[..cut],
            at,
            &TrustStore::bundled(),
            Policy::PecProvider,
        );
        assert_eq!(r.status, SignatureStatus::Invalid, "cut at {cut}");
    }
}

fn p7m(corpus: &Path, name: &str) -> Vec<u8> {
    std::fs::read(corpus.join("fatturapa/dotnet").join(name)).expect("p7m sample")
}

#[test]
fn signed_invoices_open_in_every_encoding() {
    let Some(corpus) = corpus_for_test() else {
        return;
    };
    let trust = TrustStore::bundled();
    let der =
        open_signed(&p7m(&corpus, "IT02182030391_31.xml.p7m"), &trust, None).expect("DER p7m");
    assert!(der.report.content_intact(), "{:?}", der.report);
    assert!(der.report.signer_cn.is_some());
    assert!(String::from_utf8_lossy(&der.content).contains("FatturaElettronica"));
    for name in [
        "IT02182030391_31.Base64.xml.p7m",
        "IT02182030391_31.Base64.CRLF.xml.p7m",
    ] {
        let b = open_signed(&p7m(&corpus, name), &trust, None).expect(name);
        assert_eq!(b.content, der.content, "{name}");
        assert_eq!(b.report.status, der.report.status, "{name}");
    }
    // Base64 applied twice, and PEM armour.
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let twice = b64.encode(b64.encode(p7m(&corpus, "IT02182030391_31.xml.p7m")));
    assert_eq!(
        open_signed(twice.as_bytes(), &trust, None)
            .expect("twice")
            .content,
        der.content
    );
    let pem = format!(
        "-----BEGIN PKCS7-----\n{}\n-----END PKCS7-----\n",
        b64.encode(p7m(&corpus, "IT02182030391_31.xml.p7m"))
    );
    assert_eq!(
        open_signed(pem.as_bytes(), &trust, None)
            .expect("pem")
            .content,
        der.content
    );
}

#[test]
fn tampered_and_truncated_invoices_are_never_shown_as_intact() {
    let Some(corpus) = corpus_for_test() else {
        return;
    };
    let trust = TrustStore::bundled();
    // The corpus' tampered files had bytes inserted into the content: the BER lengths no longer add up
    // (openssl refuses them too), so they cannot even be opened.
    for name in [
        "IT02182030391_31_tampered.xml.p7m",
        "IT02182030391_31_tampered.Base64.xml.p7m",
    ] {
        match open_signed(&p7m(&corpus, name), &trust, None) {
            Err(SignatureError::Corrupt(_)) => {}
            Ok(t) => assert_eq!(t.report.status, SignatureStatus::Invalid, "{name}"),
            Err(e) => panic!("{name}: unexpected {e}"),
        }
    }
    // Same length, one content byte changed: opens, and the report says the content was altered.
    let mut edited = p7m(&corpus, "IT02182030391_31.xml.p7m");
    let at = find(&edited, b"<Numero>").expect("invoice number in the content");
    edited[at + 8] ^= 0x01;
    let t = open_signed(&edited, &trust, None).expect("edited p7m opens");
    assert_eq!(t.report.status, SignatureStatus::Invalid);
    assert!(!t.report.content_intact());
    let full = p7m(&corpus, "IT02182030391_31.xml.p7m");
    for cut in [0, 3, full.len() / 3, full.len() - 5] {
        match open_signed(&full[..cut], &trust, None) {
            Err(
                SignatureError::Corrupt(_) | SignatureError::NotCms(_) | SignatureError::NoContent,
            ) => {}
            Ok(s) => assert!(!s.report.content_intact(), "cut {cut} shown intact"),
            Err(e) => panic!("cut {cut}: unexpected {e}"),
        }
    }
    assert!(matches!(
        open_signed(b"<xml/>", &trust, None),
        Err(SignatureError::NotCms(_))
    ));
}

#[test]
fn added_anchor_roles_decide_pec_validity() {
    let Some(corpus) = corpus_for_test() else {
        return;
    };
    // The REM test chain of the AgID working group: trusted only once added.
    let root = std::fs::read(corpus.join("rem/gdl/certificates/REM-ROOT-CA.crt")).expect("root");
    let pem = if root.starts_with(b"-----") {
        root
    } else {
        use base64::Engine as _;
        format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            base64::engine::general_purpose::STANDARD.encode(&root)
        )
        .into_bytes()
    };
    let store = TrustStore::bundled()
        .with_anchor_pem(&pem, AnchorRole::Documents)
        .expect("anchor");
    assert_eq!(store.len(), TrustStore::bundled().len() + 1);
    assert!(
        TrustStore::empty()
            .with_anchor_pem(b"nothing here", AnchorRole::Documents)
            .is_err()
    );
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
