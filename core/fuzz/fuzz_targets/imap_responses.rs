//! libFuzzer binary for the `imap_responses` entry of `entries.rs` (what it checks is documented there).
//! Needs nightly: `cargo +nightly fuzz run imap_responses` from `core/`, or `core/fuzz/run.sh`.
#![no_main]

#[path = "../entries.rs"]
mod entries;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entries::imap_responses(data));
