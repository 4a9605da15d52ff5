//! `pec rekey`: re-encrypt the store under a new passphrase (the current one as for every
//! command, the new one from `PEC_NEW_PASSPHRASE`, the next line of standard input with
//! `--passphrase-stdin`, or asked twice). A crash at any point leaves the store under the old
//! passphrase or the new one.

use crate::facade::{block, exit, open, print_json};
use crate::out::say;
use std::path::Path;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// `{"rekeyed": true}` on success.
    #[arg(long)]
    pub json: bool,
}

pub fn run(data_dir: &Path, args: Args) -> ExitCode {
    exit(run_inner(data_dir, args))
}

fn run_inner(data_dir: &Path, args: Args) -> Result<(), String> {
    let app = open(data_dir)?;
    let new = crate::passphrase::new_passphrase()?;
    block(app.change_passphrase(new)).map_err(|e| e.to_string())?;
    keep_unlocked(data_dir, &app);
    if args.json {
        return print_json(&serde_json::json!({ "rekeyed": true }));
    }
    say!("the store now opens with the new passphrase");
    Ok(())
}

/// A store that `pec unlock` left open stays open: the keyring gets the new key (or, if it
/// refuses it, loses the old one, which opens nothing now).
fn keep_unlocked(data_dir: &Path, app: &pec_ffi::App) {
    if crate::keyring::kept_key(data_dir).is_none() {
        return;
    }
    let kept = app
        .store_key()
        .map_err(|e| e.to_string())
        .and_then(|key| crate::keyring::keep_key(data_dir, &zeroize::Zeroizing::new(key)));
    if kept.is_err() {
        let _ = crate::keyring::forget_key(data_dir);
    }
}
