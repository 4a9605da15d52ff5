//! `pec recover`: rebuild a damaged store (the error says so) keeping the accounts, the passwords
//! kept in the store, the settings and the outbox; `pec sync` then brings the mail back. The
//! damaged file is moved aside, never changed.

use crate::facade::{exit, opening, print_json};
use crate::out::say;
use pec_ffi::StoreState;
use std::path::Path;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// `{"damaged_copy", "accounts", "outbox", "lost": [...]}`.
    #[arg(long)]
    pub json: bool,
}

pub fn run(data_dir: &Path, args: Args) -> ExitCode {
    exit(run_inner(data_dir, args))
}

fn run_inner(data_dir: &Path, args: Args) -> Result<(), String> {
    let dir = data_dir.to_string_lossy().into_owned();
    let state = pec_ffi::store_state(dir.clone());
    let report = match state {
        Ok(StoreState::Missing) => return Err("no store here".into()),
        Ok(StoreState::Plain) => pec_ffi::recover_store(dir, None),
        // A store cut short cannot even say what it is: it was encrypted if it has a passphrase.
        Ok(StoreState::Encrypted) | Err(_) if data_dir.join("store.kdf").exists() => {
            let passphrase = crate::passphrase::passphrase(false)?;
            pec_ffi::recover_store_with_passphrase(dir, passphrase)
        }
        Ok(StoreState::Encrypted) | Err(_) => pec_ffi::recover_store(dir, None),
    }
    .map_err(|e| opening(data_dir, &e))?;
    if args.json {
        return print_json(&serde_json::json!({
            "damaged_copy": report.damaged_copy,
            "accounts": report.accounts,
            "outbox": report.outbox,
            "lost": report.lost,
        }));
    }
    say!("the damaged store was moved to {}", report.damaged_copy);
    say!(
        "kept {} accounts and {} outbox messages; run `pec sync` to get the mail back",
        report.accounts,
        report.outbox
    );
    for part in &report.lost {
        say!("could not read: {part}");
    }
    Ok(())
}
