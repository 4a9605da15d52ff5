//! libFuzzer binary for the `dav_answers` entry of `entries.rs` (what it checks is documented there).
//! Needs nightly: `cargo +nightly fuzz run dav_answers` from `core/`, or `core/fuzz/run.sh`.
#![no_main]

#[path = "../entries.rs"]
mod entries;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entries::dav_answers(data));
