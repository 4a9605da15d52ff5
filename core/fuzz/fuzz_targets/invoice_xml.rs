//! The FatturaPA / SdI-message XML parser and both renders on arbitrary bytes: no panic, bounded
//! work (size and depth caps, no DTD), and every value escaped in the HTML.
//!
//! Needs nightly: `cargo +nightly fuzz run invoice_xml` from `core/`. Good seeds: the files under
//! `shared/corpus/fatturapa` and `pec_core::fatturapa::synth::invoice_xml(n)`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pec_core::fatturapa::{self, Document, RenderStyle};

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = fatturapa::parse_document(data) else {
        return;
    };
    if let Document::Invoice(inv) = &doc {
        assert!(!inv.bodies.is_empty());
        for b in &inv.bodies {
            // Totals are exact decimal sums: computing them never panics.
            let _ = (
                b.total(),
                b.computed_total(),
                b.tax_total(),
                b.payments_total(),
            );
            for (i, a) in b.allegati.iter().enumerate() {
                let name = a.safe_file_name(i);
                assert!(
                    !name.is_empty()
                        && !name.contains('/')
                        && !name.contains('\\')
                        && !name.starts_with('.')
                );
            }
        }
    }
    for style in [RenderStyle::Compact, RenderStyle::Ministerial] {
        let html = fatturapa::render_document(&doc, style);
        // Markup only comes from the templates: a "<script" in any value arrives escaped.
        assert!(!html.contains("<script"));
    }
});
