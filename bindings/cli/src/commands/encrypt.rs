//! `pec encrypt`: encrypt a plain data directory (written before encryption) with a key stretched
//! from a new passphrase, and move its 0600 password files into the encrypted store. The store is
//! copied under the key and renamed into place: a crash leaves it plain or encrypted.

use crate::facade::{block, exit, opening, print_json};
use crate::out::say;
use pec_ffi::{App, CredentialBackend, StoreState};
use std::path::Path;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// `{"encrypted": true}` on success.
    #[arg(long)]
    pub json: bool,
}

pub fn run(data_dir: &Path, args: Args) -> ExitCode {
    exit(run_inner(data_dir, args))
}

fn run_inner(data_dir: &Path, args: Args) -> Result<(), String> {
    let dir = data_dir.to_string_lossy().into_owned();
    match pec_ffi::store_state(dir.clone()).map_err(|e| opening(data_dir, &e))? {
        StoreState::Plain => {}
        StoreState::Encrypted => return Err("the store is encrypted already (pec rekey)".into()),
        StoreState::Missing => {
            return Err("no store here yet: the first command creates it encrypted".into());
        }
    }
    let passphrase = crate::passphrase::passphrase(true)?;
    let plain =
        App::new(dir.clone(), CredentialBackend::File).map_err(|e| opening(data_dir, &e))?;
    block(plain.encrypt_with_passphrase(passphrase.clone())).map_err(|e| e.to_string())?;
    drop(plain);
    // Opening it with the passphrase moves the password files into the store.
    App::with_passphrase(dir, CredentialBackend::Store, passphrase)
        .map_err(|e| opening(data_dir, &e))?;
    if args.json {
        return print_json(&serde_json::json!({ "encrypted": true }));
    }
    say!("encrypted: {}", data_dir.display());
    Ok(())
}
