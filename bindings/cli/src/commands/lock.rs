//! `pec lock`: remove the store key that `pec unlock` kept in the OS keyring; commands ask for
//! the passphrase again.

use crate::facade::{fail, print_json};
use crate::out::say;
use std::path::Path;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// `{"locked": true, "was_unlocked": BOOL}` on success.
    #[arg(long)]
    pub json: bool,
}

pub fn run(data_dir: &Path, args: Args) -> ExitCode {
    match crate::keyring::forget_key(data_dir) {
        Ok(was_unlocked) if args.json => {
            match print_json(&serde_json::json!({ "locked": true, "was_unlocked": was_unlocked })) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(e),
            }
        }
        Ok(was_unlocked) => {
            if was_unlocked {
                say!("locked: the store key is no longer in the keyring");
            } else {
                say!("locked (it was not unlocked)");
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}
