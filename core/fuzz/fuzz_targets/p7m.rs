//! Opening untrusted bytes as a received invoice: `.p7m` unwrapping in every form (DER, BER,
//! base64, PEM), then the XML parser and both renders on whatever content comes out. Also covers the
//! plain-XML and e-mail paths of `fatturapa::open`, which sniffs the input.
//!
//! Needs nightly: `cargo +nightly fuzz run p7m` from `core/`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pec_core::fatturapa::{self, Integrity, RenderStyle};
use pec_core::signature::{TrustStore, open_signed};
use std::sync::OnceLock;

static TRUST: OnceLock<TrustStore> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let trust = TRUST.get_or_init(TrustStore::bundled);
    // The unwrapper alone: never panics; content comes with a report.
    if let Ok(signed) = open_signed(data, trust, None) {
        let _ = signed.report.content_intact();
    }
    // The whole opening path.
    if let Ok(opened) = fatturapa::open(data, trust) {
        // A signature report is present exactly when the content is vouched for by one.
        match opened.integrity {
            Integrity::NotSigned => {}
            Integrity::SignedIntact { .. } => {
                let report = opened
                    .signature
                    .as_ref()
                    .expect("signed content carries its report");
                assert!(report.content_intact());
            }
        }
        for style in [RenderStyle::Compact, RenderStyle::Ministerial] {
            let html = fatturapa::render::render_opened(&opened, style);
            assert!(!html.contains("<script"));
        }
    }
});
