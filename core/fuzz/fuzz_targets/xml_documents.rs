//! Bare daticert.xml and REM evidence parsing, and SDI file-name classification.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pec_core::message::{parse_daticert, parse_evidence};
use pec_core::sdi::classify_file_name;

fuzz_target!(|data: &[u8]| {
    let _ = parse_daticert(data);
    let _ = parse_evidence(data);
    if let Ok(name) = std::str::from_utf8(data) {
        let _ = classify_file_name(name);
    }
});
