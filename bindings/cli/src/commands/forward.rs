//! `pec forward ID --to … [--cc …] [--body TEXT]`: forward a stored message with its attachments
//! (for a PEC envelope: the original's, from postacert.eml). Prints the new outbox ID.

use super::account::{fail, open_store, resolve_account};
use super::reply::original;
use super::send::{SendOpts, queue_and_send};
use pec_core::compose::Mailbox;
use std::path::Path;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The message to forward (its ID in `pec ls` / `pec show`).
    pub id: i64,
    #[arg(long, required = true)]
    pub to: Vec<String>,
    #[arg(long)]
    pub cc: Vec<String>,
    /// Text placed above the forwarded message.
    #[arg(long, default_value = "")]
    pub body: String,
    #[command(flatten)]
    pub opts: SendOpts,
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
    let mut draft = pec_core::compose::reply::forward(&raw, &account.config.address)
        .map_err(|e| e.to_string())?;
    draft.to = args.to.iter().map(|a| Mailbox::parse(a)).collect();
    draft.cc = args.cc.iter().map(|a| Mailbox::parse(a)).collect();
    draft.text = Some(format!(
        "{}{}",
        args.body,
        draft.text.as_deref().unwrap_or("")
    ));
    queue_and_send(data_dir, &store, &account, draft, &args.opts).map(|_| ())
}
