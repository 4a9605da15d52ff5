//! `pec reply ID [--all] [--body TEXT] [--attach FILE]…`: answer a received message (ID as listed
//! by `pec ls`) — to the real sender of a PEC envelope (its Reply-To), not posta-certificata@….
//! Prints the new message's outbox ID, like `pec send`.

use super::account::{fail, open_store, resolve_account};
use super::send::{SendOpts, queue_and_send, runtime};
use pec_core::accounts::FileCredentialStore;
use pec_core::store::Store;
use pec_core::sync::SyncEngine;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(clap::Args)]
pub struct Args {
    /// The message to answer (its ID in `pec ls` / `pec show`).
    pub id: i64,
    /// Reply to everyone (the other To/Cc recipients go in Cc).
    #[arg(long)]
    pub all: bool,
    /// Text placed above the quoted original.
    #[arg(long, default_value = "")]
    pub body: String,
    #[command(flatten)]
    pub opts: SendOpts,
}

/// The raw bytes of a stored message (downloaded if not cached).
pub fn original(data_dir: &Path, store: &Store, id: i64) -> Result<Vec<u8>, String> {
    if let Some(raw) = store.body(id).map_err(|e| e.to_string())? {
        return Ok(raw);
    }
    let engine = SyncEngine::new(store.clone(), Arc::new(FileCredentialStore::new(data_dir)));
    runtime()?
        .block_on(engine.fetch_body(id))
        .map_err(|e| format!("message {id}: {e}"))
}

pub fn run(data_dir: &Path, args: Args) -> ExitCode {
    match run_inner(data_dir, args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

fn run_inner(data_dir: &Path, args: Args) -> Result<(), String> {
    let store = open_store(data_dir)?;
    let account = resolve_account(&store, args.opts.account.as_deref())?;
    let raw = original(data_dir, &store, args.id)?;
    let mut draft = pec_core::compose::reply::reply(&raw, &account.config.address, args.all)
        .map_err(|e| e.to_string())?;
    draft.text = Some(format!(
        "{}{}",
        args.body,
        draft.text.as_deref().unwrap_or("")
    ));
    queue_and_send(data_dir, &store, &account, draft, &args.opts).map(|_| ())
}
