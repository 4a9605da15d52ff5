//! libFuzzer binary for the `contacts` entry of `entries.rs` (what it checks is documented there).
//! Needs nightly: `cargo +nightly fuzz run contacts` from `core/`, or `core/fuzz/run.sh`.
#![no_main]

#[path = "../entries.rs"]
mod entries;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entries::contacts(data));
