//! Replays every input the fuzzers kept (`core/fuzz/regressions/<target>/`: the minimised finds of
//! `core/fuzz/run.sh`, and any crash input) through the same entry the libFuzzer binary calls, on
//! the stable toolchain. A crash fixed once stays fixed; an input that panics names its file.

#[path = "../fuzz/entries.rs"]
mod entries;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

fn kept_inputs(target: &str) -> Vec<std::path::PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_kept_fuzz_input_replays_without_panic() {
    let mut failures = Vec::new();
    for (target, entry) in entries::TARGETS {
        let inputs = kept_inputs(target);
        // An empty folder would make this test pass without replaying anything.
        assert!(
            !inputs.is_empty(),
            "no kept inputs for fuzz target {target}"
        );
        for path in &inputs {
            let data = std::fs::read(path).unwrap();
            if catch_unwind(AssertUnwindSafe(|| entry(&data))).is_err() {
                failures.push(path.display().to_string());
            }
        }
        println!("{target}: {} inputs replayed", inputs.len());
    }
    assert!(failures.is_empty(), "panicked on: {failures:#?}");
}
