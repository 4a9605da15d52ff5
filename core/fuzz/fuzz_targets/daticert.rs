//! libFuzzer binary for the `daticert` entry of `entries.rs` (what it checks is documented there).
//! Needs nightly: `cargo +nightly fuzz run daticert` from `core/`, or `core/fuzz/run.sh`.
#![no_main]

#[path = "../entries.rs"]
mod entries;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entries::daticert(data));
