//! libFuzzer binary for the `p7m` entry of `entries.rs` (what it checks is documented there).
//! Needs nightly: `cargo +nightly fuzz run p7m` from `core/`, or `core/fuzz/run.sh`.
#![no_main]

#[path = "../entries.rs"]
mod entries;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entries::p7m(data));
