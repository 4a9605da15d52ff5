//! Locating the shared sample corpus (`../shared/corpus` beside the repository) at run time.
//!
//! The corpus is never copied into the repository. Tests call [`corpus_dir`]; when it is missing they
//! skip locally but fail under `CI=true`, as the developers' guide requires.

use std::path::{Path, PathBuf};

/// The corpus root: `$PEC_CORPUS` if set, else `<workspace>/../shared/corpus`.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("PEC_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
    };
    dir.is_dir().then_some(dir)
}

/// The corpus root for a test: `None` means "skip" (only outside CI). Panics under CI when missing.
pub fn corpus_for_test() -> Option<PathBuf> {
    match corpus_dir() {
        Some(d) => Some(d),
        None if crate::in_ci() => panic!(
            "CI=true and the corpus is missing (set PEC_CORPUS or put ../shared beside the repo)"
        ),
        None => {
            eprintln!("corpus not found: skipping (set PEC_CORPUS)");
            None
        }
    }
}

/// Every file below `dir` (recursively), sorted by path; nothing when `dir` is unreadable.
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for path in entries.flatten().map(|e| e.path()) {
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

/// The corpus's messages with their paths, sorted: every PEC sample (not `expected.toml` or
/// `SOURCES.txt`) and every REM `.eml`.
pub fn messages(corpus: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let pec = corpus.join("pec");
    let mut files = files_below(&pec);
    files.extend(files_below(&corpus.join("rem")));
    files.sort();
    files
        .into_iter()
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            (p.starts_with(&pec) && !name.ends_with(".toml") && name != "SOURCES.txt")
                || name.ends_with(".eml")
        })
        .filter_map(|p| {
            let raw = std::fs::read(&p).ok()?;
            Some((p, raw))
        })
        .collect()
}
