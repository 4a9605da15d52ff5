//! `pec reply ID [--all] [--body TEXT] [--attach FILE]…`: answer a received message (ID as listed
//! by `pec ls`) — to the real sender of a PEC envelope (its Reply-To), not posta-certificata@….
//! Prints the new message's outbox ID, like `pec send`.

use super::send::{SendOpts, queue_and_send};
use crate::facade::{block, exit, open, resolve_account};
use pec_ffi::App;
use std::path::Path;
use std::process::ExitCode;

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

/// Make sure the stored message's body is here (downloaded when only its headers are).
pub fn ensure_body(app: &App, id: i64) -> Result<(), String> {
    let m = block(app.message(id)).map_err(|e| e.to_string())?;
    if !m.downloaded {
        block(app.download(id)).map_err(|e| format!("message {id}: {e}"))?;
    }
    Ok(())
}

pub fn run(data_dir: &Path, args: Args) -> ExitCode {
    exit(run_inner(data_dir, args))
}

fn run_inner(data_dir: &Path, args: Args) -> Result<(), String> {
    let app = open(data_dir)?;
    let account = resolve_account(&app, args.opts.account.as_deref())?;
    ensure_body(&app, args.id)?;
    let mut draft = block(app.reply_draft(args.id, args.all)).map_err(|e| e.to_string())?;
    draft.text = format!("{}{}", args.body, draft.text);
    queue_and_send(&app, account.id, draft, &args.opts).map(|_| ())
}
