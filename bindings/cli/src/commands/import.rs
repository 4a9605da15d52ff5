//! `pec import FILE... [--folder NAME]`: put .eml files into the local store (no server copy);
//! receipts among them are tracked like synced ones.

use super::account::{fail, open_store, resolve_account};
use pec_core::store::FolderRole;
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
    let store = match open_store(data_dir) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let account = match resolve_account(&store, args.account.as_deref()) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let name = args.folder.as_deref().unwrap_or("INBOX");
    let folder = match store.find_folder(account.id, name) {
        Ok(Some(f)) => f.id,
        Ok(None) => {
            let role = FolderRole::parse(&name.to_ascii_lowercase());
            let fname = if role == Some(FolderRole::Inbox) {
                "INBOX"
            } else {
                name
            };
            match store.ensure_folder(account.id, fname, role, None) {
                Ok(id) => id,
                Err(e) => return fail(e),
            }
        }
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
        match store.import_raw(folder, &raw) {
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
