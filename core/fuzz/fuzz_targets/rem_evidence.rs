//! libFuzzer binary for the `rem_evidence` entry of `entries.rs` (what it checks is documented there).
//! Needs nightly: `cargo +nightly fuzz run rem_evidence` from `core/`, or `core/fuzz/run.sh`.
#![no_main]

#[path = "../entries.rs"]
mod entries;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entries::rem_evidence(data));
