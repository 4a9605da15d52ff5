//! What each fuzz target does with one input, shared by the libFuzzer binaries (nightly, `core/fuzz`)
//! and by `core/tests/fuzz_regressions.rs` (stable, in CI), which replays the kept inputs under
//! `core/fuzz/regressions/<target>/` through the same function. Every entry must return without
//! panicking on any bytes; the asserts below are properties the core promises, not test scaffolding.

#![allow(dead_code)] // each libFuzzer binary uses one entry

use pec_core::fatturapa::{self, Document, Integrity, RenderStyle};
use pec_core::message::{Analyzer, parse_daticert, parse_evidence, rem};
use pec_core::sdi::classify_file_name;
use pec_core::signature::{TrustStore, open_signed};
use std::sync::OnceLock;

/// What a target feeds its input to.
pub type Entry = fn(&[u8]);

/// The targets, by the folder name of their kept inputs.
pub const TARGETS: [(&str, Entry); 8] = [
    ("analyze", analyze),
    ("p7m", p7m),
    ("invoice_xml", invoice_xml),
    ("daticert", daticert),
    ("rem_evidence", rem_evidence),
    ("imap_responses", imap_responses),
    ("contacts", contacts),
    ("dav_answers", dav_answers),
];

fn trust() -> &'static TrustStore {
    static TRUST: OnceLock<TrustStore> = OnceLock::new();
    TRUST.get_or_init(TrustStore::bundled)
}

/// Any bytes through the whole message analysis (MIME, daticert, REM evidence, originals, signature
/// extraction and verification).
pub fn analyze(data: &[u8]) {
    static ANALYZER: OnceLock<Analyzer> = OnceLock::new();
    let analyzer = ANALYZER.get_or_init(|| Analyzer::new(trust().clone()));
    if let Ok(doc) = analyzer.analyze_document(data) {
        // Debug walks every field of the view.
        let _ = format!("{doc:?}");
    }
}

/// Opening untrusted bytes as a received invoice: `.p7m` unwrapping in every form (DER, BER, base64,
/// PEM), then the XML parser and both renders on whatever comes out; `fatturapa::open` also sniffs
/// plain XML and e-mail.
pub fn p7m(data: &[u8]) {
    if let Ok(signed) = open_signed(data, trust(), None) {
        let _ = signed.report.content_intact();
    }
    let Ok(opened) = fatturapa::open(data, trust()) else {
        return;
    };
    if let Integrity::SignedIntact { .. } = opened.integrity {
        // Content vouched for by a signature always carries that signature's report.
        let intact = opened.signature.as_ref().map(|r| r.content_intact());
        assert_eq!(intact, Some(true));
    }
    for style in [RenderStyle::Compact, RenderStyle::Ministerial] {
        let html = fatturapa::render::render_opened(&opened, style);
        assert!(!html.contains("<script"));
    }
}

/// The FatturaPA / SdI-message XML parser and both renders: bounded work (size and depth caps, no
/// DTD), exact totals, safe attachment names, every value escaped in the HTML. The same bytes as an
/// SdI file name go through the name classifier.
pub fn invoice_xml(data: &[u8]) {
    if let Ok(name) = std::str::from_utf8(data) {
        let _ = classify_file_name(name);
    }
    let Ok(doc) = fatturapa::parse_document(data) else {
        return;
    };
    if let Document::Invoice(inv) = &doc {
        assert!(!inv.bodies.is_empty());
        for b in &inv.bodies {
            let _ = (
                b.total(),
                b.computed_total(),
                b.tax_total(),
                b.payments_total(),
            );
            for (i, a) in b.allegati.iter().enumerate() {
                let name = a.safe_file_name(i);
                assert!(!name.is_empty() && !name.contains(['/', '\\']) && !name.starts_with('.'));
            }
        }
    }
    for style in [RenderStyle::Compact, RenderStyle::Ministerial] {
        let html = fatturapa::render_document(&doc, style);
        assert!(!html.contains("<script"));
    }
}

/// A bare `daticert.xml`: the lenient reader (raw `<msgid>` repair, unknown values kept raw).
pub fn daticert(data: &[u8]) {
    if let Ok(d) = parse_daticert(data) {
        let _ = format!("{d:?}");
        // A receipt kind is only ever read from the `tipo` the document states.
        if let Some(kind) = d.receipt {
            assert_eq!(Some(kind), pec_core::message::ReceiptKind::parse(&d.tipo));
        }
    }
}

/// A standalone ERDS evidence (REM, ETSI EN 319 532) and the cheap sniff used before parsing it.
pub fn rem_evidence(data: &[u8]) {
    let _ = rem::looks_like_evidence(data);
    if let Ok(e) = parse_evidence(data) {
        let _ = format!("{e:?}");
    }
}

/// Any bytes as an IMAP server's, through what the sync does with them: the guard, imap-proto's
/// parser, our readers of what it parsed. Every attachment found in a BODYSTRUCTURE leads back to
/// its part by its section (what a download asks for).
pub fn imap_responses(data: &[u8]) {
    // imap-proto 0.17 panics on `INTERNALDATE NIL`. The guard refuses it where the grammar puts
    // it, and the sync contains any panic (`sync::contained`), but nom's backtracking can reach it
    // anywhere in malformed input and libFuzzer aborts on every panic, caught or not: skip it so
    // the target goes on looking for other findings.
    let upper = data.to_ascii_uppercase();
    if upper.windows(16).any(|w| w == b"INTERNALDATE NIL") {
        return;
    }
    if let Err(inconsistency) = pec_core::sync::fuzzing::server_bytes(data) {
        panic!("{inconsistency}");
    }
}

/// An address book file (vCard 3/4, CSV), as a phone's export or a hostile server's card: read
/// without panicking, and what was read survives being written and read again unchanged (an
/// export never corrupts the book).
pub fn contacts(data: &[u8]) {
    use pec_core::contacts::{csv, vcard};
    let text = String::from_utf8_lossy(data);
    let (cards, _) = vcard::parse(&text);
    let (back, errors) = vcard::parse(&vcard::write(&cards));
    assert!(
        errors.is_empty(),
        "our own vCard export is unreadable: {errors:?}"
    );
    assert_eq!(back, cards, "a vCard round trip changed a contact");
    let (rows, _) = csv::parse(&text);
    let (back, errors) = csv::parse(&csv::write(&rows));
    assert!(
        errors.is_empty(),
        "our own CSV export is unreadable: {errors:?}"
    );
    assert_eq!(back, rows, "a CSV round trip changed a contact");
}

/// A CardDAV server's `multistatus` answer (discovery, sync-collection, multiget), as a hostile
/// server may send it: read without panicking; every href is a path.
pub fn dav_answers(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(ms) = pec_core::carddav::multistatus::parse(&text) {
        for e in &ms.entries {
            assert!(!e.href.starts_with("http://") && !e.href.starts_with("https://"));
        }
    }
}
