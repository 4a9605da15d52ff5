//! `pec import FILE... [--folder NAME]`: put .eml files into the local store (no server copy);
//! receipts among them are tracked like synced ones.

use crate::facade::{block, fail, open, resolve_account};
use crate::out::say;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Destination folder (name or role; created if missing). Default: inbox.
    #[arg(long)]
    pub folder: Option<String>,
    #[arg(long)]
    pub account: Option<String>,
    /// One JSON object per file: `{"file", "id", "inserted"}` or `{"file", "error"}`.
    #[arg(long)]
    pub json: bool,
}

pub fn run(data_dir: &Path, args: Args) -> ExitCode {
    let app = match open(data_dir) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let account = match resolve_account(&app, args.account.as_deref()) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let (mut added, mut known, mut failed) = (0, 0, 0);
    for f in &args.files {
        let result = block(app.import_file(
            account.id,
            args.folder.clone(),
            f.to_string_lossy().into_owned(),
        ))
        .map_err(|e| e.to_string());
        let file = f.display().to_string();
        match result {
            Ok(o) => {
                if o.inserted {
                    added += 1;
                } else {
                    known += 1;
                }
                if args.json {
                    crate::out::json_line(
                        serde_json::json!({"file": file, "id": o.id, "inserted": o.inserted}),
                    );
                } else if o.inserted {
                    say!("{} {}", o.id, file);
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("pec: {file}: {e}");
                if args.json {
                    crate::out::json_line(serde_json::json!({"file": file, "error": e}));
                }
            }
        }
    }
    eprintln!("imported {added}, already present {known}, failed {failed}");
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
