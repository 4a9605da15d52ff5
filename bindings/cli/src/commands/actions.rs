//! What a user does to messages, one or many at once: `pec mark ID... --read | --unread |
//! --flagged | --unflagged` (or `--read --all-in LIST`: every unread message of a list), `pec rm
//! ID...` (to the trash; from the trash, for good; `--all-in trash` empties the trash or the
//! junk folder), `pec mv ID... --to FOLDER`. Applied here at once and on the server at the next
//! sync; all the messages or, when the login or a folder's rights refuse one, none (the reason is
//! printed).

use crate::facade::{block, fail, open, resolve_account};
use crate::out::say;
use pec_ffi::{App, MessageAction, ViewRef};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("mark").required(true)))]
pub struct MarkArgs {
    #[arg(required_unless_present = "all_in")]
    pub ids: Vec<i64>,
    /// Every unread message of this list (a folder, or invoices, receipts, undelivered, all) instead of IDs:
    /// with `--read` only.
    #[arg(long, conflicts_with = "ids", requires = "read")]
    pub all_in: Option<String>,
    /// The account of `--all-in` (default: the first).
    #[arg(long, requires = "all_in")]
    pub account: Option<String>,
    #[arg(long, group = "mark")]
    pub read: bool,
    #[arg(long, group = "mark")]
    pub unread: bool,
    #[arg(long, group = "mark")]
    pub flagged: bool,
    #[arg(long, group = "mark")]
    pub unflagged: bool,
}

#[derive(clap::Args)]
pub struct RmArgs {
    #[arg(required_unless_present = "all_in")]
    pub ids: Vec<i64>,
    /// Every message of this folder, for good, instead of IDs: the trash or the junk folder only.
    #[arg(long, conflicts_with = "ids")]
    pub all_in: Option<String>,
    /// The account of `--all-in` (default: the first).
    #[arg(long, requires = "all_in")]
    pub account: Option<String>,
}

#[derive(clap::Args)]
pub struct MvArgs {
    #[arg(required = true)]
    pub ids: Vec<i64>,
    /// The folder (its name or path, or a role: inbox, sent, trash, archive...) of the messages'
    /// account.
    #[arg(long)]
    pub to: String,
}

pub fn mark(data_dir: &Path, args: MarkArgs) -> ExitCode {
    if let Some(list) = &args.all_in {
        return mark_all_read(data_dir, list, args.account.as_deref());
    }
    let action = match (args.read, args.unread, args.flagged) {
        (true, _, _) => MessageAction::MarkSeen,
        (_, true, _) => MessageAction::MarkUnseen,
        (_, _, true) => MessageAction::Flag,
        _ => MessageAction::Unflag,
    };
    run(data_dir, &args.ids, |_| Ok(action.clone()))
}

pub fn rm(data_dir: &Path, args: RmArgs) -> ExitCode {
    if let Some(list) = &args.all_in {
        return empty(data_dir, list, args.account.as_deref());
    }
    run(data_dir, &args.ids, |_| Ok(MessageAction::Delete))
}

/// `pec rm --all-in trash`: the core empties the folder, or says why it will not.
fn empty(data_dir: &Path, list: &str, account: Option<&str>) -> ExitCode {
    let done = open(data_dir).and_then(|app| {
        let account = resolve_account(&app, account)?;
        match super::ls::view_named(&app, account.id, list)? {
            ViewRef::Folder { id } => block(app.empty_folder(id)).map_err(|e| e.to_string()),
            _ => Err(format!(
                "{list} is not a folder: only the trash or the junk is emptied"
            )),
        }
    });
    said(done.map(|n| n as usize))
}

pub fn mv(data_dir: &Path, args: MvArgs) -> ExitCode {
    run(data_dir, &args.ids, |app| {
        let account = block(app.message(args.ids[0]))
            .map_err(|e| e.to_string())?
            .row
            .account_id;
        let found = block(app.find_folder(account, args.to.clone())).map_err(|e| e.to_string())?;
        match found.map(|f| f.view) {
            Some(ViewRef::Folder { id }) => Ok(MessageAction::MoveTo { folder_id: id }),
            _ => Err(format!("no folder {} in that account", args.to)),
        }
    })
}

/// `pec mark --read --all-in LIST`: the core marks the whole list, not a page of it.
fn mark_all_read(data_dir: &Path, list: &str, account: Option<&str>) -> ExitCode {
    let done = open(data_dir).and_then(|app| {
        let account = resolve_account(&app, account)?;
        let view = super::ls::view_named(&app, account.id, list)?;
        block(app.mark_all_read(account.id, view)).map_err(|e| e.to_string())
    });
    said(done.map(|n| n as usize))
}

fn run(
    data_dir: &Path,
    ids: &[i64],
    action: impl FnOnce(&Arc<App>) -> Result<MessageAction, String>,
) -> ExitCode {
    let done = open(data_dir).and_then(|app| {
        let action = action(&app)?;
        block(app.apply_all(ids.to_vec(), action)).map_err(|e| e.to_string())
    });
    said(done.map(|()| ids.len()))
}

/// `N messages` acted on, or why none was.
fn said(done: Result<usize, String>) -> ExitCode {
    match done {
        Ok(n) => {
            say!("{n} message{}", if n == 1 { "" } else { "s" });
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}
