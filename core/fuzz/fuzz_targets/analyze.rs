//! Any bytes through the whole message analysis (MIME, daticert, REM evidence, originals,
//! signature extraction and verification). It must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pec_core::message::Analyzer;
use pec_core::signature::TrustStore;
use std::sync::OnceLock;

static ANALYZER: OnceLock<Analyzer> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let analyzer = ANALYZER.get_or_init(|| Analyzer::new(TrustStore::bundled()));
    if let Ok(doc) = analyzer.analyze_document(data) {
        // Walk the whole view (Debug touches every field).
        let _ = format!("{doc:?}");
    }
});
