//! `pec unlock`: check the passphrase once and keep the store key in the OS keyring, so the
//! commands that follow open the store without asking until `pec lock` (see `crate::keyring`).

use crate::facade::{exit, open_with_passphrase, opening, print_json};
use crate::out::say;
use pec_ffi::StoreState;
use std::path::Path;
use std::process::ExitCode;
use zeroize::Zeroizing;

#[derive(clap::Args)]
pub struct Args {
    /// `{"unlocked": true}` on success.
    #[arg(long)]
    pub json: bool,
}

pub fn run(data_dir: &Path, args: Args) -> ExitCode {
    exit(run_inner(data_dir, args))
}

fn run_inner(data_dir: &Path, args: Args) -> Result<(), String> {
    let dir = data_dir.to_string_lossy().into_owned();
    match pec_ffi::store_state(dir).map_err(|e| opening(data_dir, &e))? {
        StoreState::Encrypted => {}
        StoreState::Plain => {
            return Err("the store is not encrypted: `pec encrypt` first".into());
        }
        StoreState::Missing => {
            return Err(format!("{}: no store here yet", data_dir.display()));
        }
    }
    let app = open_with_passphrase(data_dir, StoreState::Encrypted)?;
    let key = Zeroizing::new(app.store_key().map_err(|e| e.to_string())?);
    crate::keyring::keep_key(data_dir, &key)?;
    if args.json {
        return print_json(&serde_json::json!({ "unlocked": true }));
    }
    say!("unlocked: commands open the store without the passphrase until `pec lock`");
    Ok(())
}
