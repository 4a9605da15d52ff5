//! `pec forward ID --to … [--cc …] [--body TEXT]`: forward a stored message with its attachments
//! (for a PEC envelope: the original's, from postacert.eml). Prints the new outbox ID.

use super::reply::ensure_body;
use super::send::{SendOpts, queue_and_send};
use crate::facade::{block, exit, open, resolve_account};
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
    exit(run_inner(data_dir, args))
}

fn run_inner(data_dir: &Path, args: Args) -> Result<(), String> {
    let app = open(data_dir)?;
    let account = resolve_account(&app, args.opts.account.as_deref())?;
    ensure_body(&app, args.id)?;
    let mut draft = block(app.forward_draft(args.id)).map_err(|e| e.to_string())?;
    draft.to = args.to.clone();
    draft.cc = args.cc.clone();
    draft.text = format!("{}{}", args.body, draft.text);
    queue_and_send(&app, account.id, draft, &args.opts).map(|_| ())
}
