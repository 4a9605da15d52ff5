//! `pec inspect [--json] FILE...`: analyse PEC/REM messages, bare daticert.xml files and bare REM
//! evidence files (through the facade's `inspect_file`). Human output by default; `--json` prints
//! one object per line per file with the keys of `corpus/pec/expected.toml` and `file`. An
//! unreadable file gives one line on stderr and exit code 1.

use crate::facade::block;
use crate::out::say;
use pec_ffi::FileReport;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Print one JSON object per line per file.
    #[arg(long)]
    pub json: bool,
    /// Files to analyse.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

pub fn run(args: Args) -> ExitCode {
    // A bug must not print a backtrace at the user: report it in one line instead.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("pec inspect: internal error: {info}");
    }));
    let mut failed = false;
    for path in &args.files {
        match inspect_one(path) {
            Ok(report) => {
                if args.json {
                    match json_line(path, &report) {
                        Ok(line) => crate::out::json_line(line),
                        Err(msg) => {
                            eprintln!("pec inspect: {}: {msg}", path.display());
                            failed = true;
                        }
                    }
                } else {
                    say!("{}", path.display());
                    crate::out::emit(&report.text, false);
                }
            }
            Err(msg) => {
                eprintln!("pec inspect: {}: {msg}", path.display());
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn inspect_one(path: &Path) -> Result<FileReport, String> {
    let bytes = block(pec_ffi::read_file(
        path.to_string_lossy().into_owned(),
        pec_ffi::FilePurpose::Message,
    ))
    .map_err(|e| e.to_string())?;
    std::panic::catch_unwind(|| match crate::facade::signature_test_anchor() {
        Some(pem) => block(pec_ffi::inspect_file_with_test_anchor(bytes, pem)),
        None => block(pec_ffi::inspect_file(bytes)),
    })
    .map_err(|_| "internal error while analysing".to_string())?
    .map_err(|e| e.to_string())
}

/// `{"file": PATH, ...the report's facts}` on one line.
fn json_line(path: &Path, report: &FileReport) -> Result<Value, String> {
    let facts: serde_json::Map<String, Value> =
        serde_json::from_str(&report.json).map_err(|e| e.to_string())?;
    let mut m = serde_json::Map::new();
    m.insert("file".into(), Value::String(path.display().to_string()));
    m.extend(facts);
    Ok(Value::Object(m))
}
