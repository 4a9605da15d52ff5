//! libFuzzer binary for the `analyze` entry of `entries.rs` (what it checks is documented there).
//! Needs nightly: `cargo +nightly fuzz run analyze` from `core/`, or `core/fuzz/run.sh`.
#![no_main]

#[path = "../entries.rs"]
mod entries;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entries::analyze(data));
