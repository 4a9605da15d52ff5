//! Evidence must not be forgeable: genuine provider-signed samples from the corpus with their outer
//! header rewritten, re-wrapped by a "mailing list" or forwarded as an attachment, analysed by
//! `message::analyze` and by `pec_core::receive`. The forgeries are built at run time from the
//! corpus (never stored). Missing corpus: skipped locally, failure under `CI=true`.

use pec_core::message::{Kind, ReceiptKind, analyze};
use pec_core::receive as ingest;
use pec_core::signature::{SignatureStatus, TrustStore};
use pec_test_harness::corpus::corpus_for_test;
use pec_test_harness::forge;

const ACCETTAZIONE: &str = "pec/OCA_l10n-italy/7.0/message2_accettazione";
const ENVELOPE: &str = "pec/OCA_l10n-italy/7.0/message1";

fn sample(rel: &str) -> Option<Vec<u8>> {
    let corpus = corpus_for_test()?;
    Some(std::fs::read(corpus.join(rel)).expect("corpus sample readable"))
}

/// A genuine signed accettazione dressed up as a delivery receipt.
fn forged_delivery(genuine: &[u8]) -> Vec<u8> {
    let raw = forge::set_header(genuine, "X-Ricevuta", "avvenuta-consegna");
    forge::set_header(&raw, "Subject", "CONSEGNA: test private")
}

#[test]
fn genuine_accettazione_is_certified_and_untampered() {
    let Some(raw) = sample(ACCETTAZIONE) else {
        return;
    };
    let m = analyze(&raw, &TrustStore::bundled()).expect("analyses");
    assert_eq!(m.receipt, Some(ReceiptKind::Accettazione));
    assert_eq!(m.signature.status, Some(SignatureStatus::Valid));
    assert!(m.certified);
    assert!(m.header_mismatches.is_empty(), "{:?}", m.header_mismatches);
    assert!(!m.rewrapped);
}

#[test]
fn rewritten_x_ricevuta_does_not_make_a_delivery_receipt() {
    let Some(genuine) = sample(ACCETTAZIONE) else {
        return;
    };
    let m = analyze(&forged_delivery(&genuine), &TrustStore::bundled()).expect("analyses");
    // The signature still holds: the provider never signed the outer header.
    assert_eq!(m.signature.status, Some(SignatureStatus::Valid));
    assert_eq!(m.kind, Kind::Receipt);
    assert_eq!(
        m.receipt,
        Some(ReceiptKind::Accettazione),
        "the kind comes from the signed daticert, not from X-Ricevuta"
    );
    let headers: Vec<&str> = m
        .header_mismatches
        .iter()
        .map(|x| x.header.as_str())
        .collect();
    assert_eq!(headers, ["X-Ricevuta", "Subject"]);
    assert_eq!(m.header_mismatches[0].header_value, "avvenuta-consegna");
    assert_eq!(m.header_mismatches[0].daticert_value, "accettazione");
}

#[test]
fn store_ingest_follows_the_signed_daticert_too() {
    let Some(genuine) = sample(ACCETTAZIONE) else {
        return;
    };
    let forged = forged_delivery(&genuine);
    let rec = ingest::analyze(&forged);
    assert_eq!(rec.receipt_type.as_deref(), Some("accettazione"));
    assert!(rec.certified);
    assert_eq!(rec.header_mismatches.len(), 2);
    // The fallback reader (inputs the analyser refuses) lets the daticert win as well, and never
    // calls anything certified: it checks no signature.
    let fb = ingest::analyze_fallback(&forged);
    assert_eq!(fb.receipt_type.as_deref(), Some("accettazione"));
    assert!(!fb.certified);
    // Header-only: the header is all there is, and it is not certified.
    let head = ingest::analyze_header(&forged);
    assert_eq!(head.receipt_type.as_deref(), Some("avvenuta-consegna"));
    assert!(!head.certified);
}

#[test]
fn unsigned_receipt_is_never_certified() {
    let Some(genuine) = sample(ACCETTAZIONE) else {
        return;
    };
    // The signed body re-wrapped without its signature part: a receipt anyone could write.
    let text = String::from_utf8_lossy(&genuine).into_owned();
    let stripped = text.replace("multipart/signed", "multipart/mixed");
    let m = analyze(stripped.as_bytes(), &TrustStore::bundled()).expect("analyses");
    assert_ne!(m.signature.status, Some(SignatureStatus::Valid));
    assert!(!m.certified);
    let rec = ingest::analyze(stripped.as_bytes());
    assert!(!rec.certified);
}

#[test]
fn envelope_rewrapped_by_a_list_keeps_its_verdict() {
    let Some(genuine) = sample(ENVELOPE) else {
        return;
    };
    let wrapped = forge::rewrap_as_list(&genuine, None);
    let m = analyze(&wrapped, &TrustStore::bundled()).expect("analyses");
    assert_eq!(
        m.signature.status,
        Some(SignatureStatus::Valid),
        "the signed part below the list's multipart/mixed is found and checked"
    );
    assert!(m.rewrapped);
    assert_eq!(m.kind, Kind::Envelope);
    assert!(m.certified);
    assert_eq!(
        m.correlation.identificativo.as_deref(),
        Some("opec275.20141107165200.03048.08.1.17@pec.aruba.it")
    );
}

#[test]
fn daticert_slipped_beside_the_signed_part_is_ignored() {
    let Some(genuine) = sample(ACCETTAZIONE) else {
        return;
    };
    let forged = forge::daticert_part("avvenuta-consegna", "thinkstudio@pec.it");
    let raw = forge::set_header(
        &forge::rewrap_as_list(&genuine, Some(&forged)),
        "X-Ricevuta",
        "avvenuta-consegna",
    );
    let m = analyze(&raw, &TrustStore::bundled()).expect("analyses");
    assert_eq!(m.signature.status, Some(SignatureStatus::Valid));
    assert_eq!(m.receipt, Some(ReceiptKind::Accettazione));
    assert_eq!(
        m.correlation.identificativo.as_deref(),
        Some("opec275.20141114182632.23219.07.1.48@pec.aruba.it")
    );
    assert!(m.warnings.iter().any(|w| w.contains("outside the signed")));
    let rec = ingest::analyze(&raw);
    assert_eq!(rec.receipt_type.as_deref(), Some("accettazione"));
    assert_eq!(rec.pec_recipient, None, "the forged <consegna> is not read");
}

#[test]
fn pec_forwarded_as_an_attachment_reports_the_inner_verdict() {
    let Some(genuine) = sample(ENVELOPE) else {
        return;
    };
    let m = analyze(
        &forge::forward_as_attachment(&genuine),
        &TrustStore::bundled(),
    )
    .expect("analyses");
    assert_eq!(m.signature.status, Some(SignatureStatus::Valid));
    assert!(m.rewrapped);
    assert_eq!(m.kind, Kind::Plain, "the forward itself certifies nothing");
    assert!(!m.certified);
}
