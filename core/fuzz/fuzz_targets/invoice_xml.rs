//! libFuzzer binary for the `invoice_xml` entry of `entries.rs` (what it checks is documented there).
//! Needs nightly: `cargo +nightly fuzz run invoice_xml` from `core/`, or `core/fuzz/run.sh`.
#![no_main]

#[path = "../entries.rs"]
mod entries;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entries::invoice_xml(data));
