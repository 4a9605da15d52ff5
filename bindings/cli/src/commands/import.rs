//! `pec import FILE... [--folder NAME]`: put .eml files into the local store (no server copy);
//! receipts among them are tracked like synced ones.

use crate::facade::{block, fail, open, resolve_account};
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
        let raw = match std::fs::read(f) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("pec: {}: {e}", f.display());
                failed += 1;
                continue;
            }
        };
        match block(app.import_into(account.id, args.folder.clone(), raw)) {
            Ok(o) if o.inserted => {
                added += 1;
                println!("{} {}", o.id, f.display());
            }
            Ok(_) => known += 1,
            Err(e) => {
                eprintln!("pec: {}: {e}", f.display());
                failed += 1;
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
