//! What a user does to messages, one or many at once: `pec mark ID... --read | --unread |
//! --flagged | --unflagged`, `pec rm ID...` (to the trash; from the trash, for good), `pec mv ID...
//! --to FOLDER`. Applied here at once and on the server at the next sync; all the messages or,
//! when the login or a folder's rights refuse one, none (the reason is printed).

use crate::facade::{block, fail, open};
use crate::out::say;
use pec_ffi::{App, MessageAction, ViewRef};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("mark").required(true)))]
pub struct MarkArgs {
    #[arg(required = true)]
    pub ids: Vec<i64>,
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
    #[arg(required = true)]
    pub ids: Vec<i64>,
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
    let action = match (args.read, args.unread, args.flagged) {
        (true, _, _) => MessageAction::MarkSeen,
        (_, true, _) => MessageAction::MarkUnseen,
        (_, _, true) => MessageAction::Flag,
        _ => MessageAction::Unflag,
    };
    run(data_dir, &args.ids, |_| Ok(action.clone()))
}

pub fn rm(data_dir: &Path, args: RmArgs) -> ExitCode {
    run(data_dir, &args.ids, |_| Ok(MessageAction::Delete))
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

fn run(
    data_dir: &Path,
    ids: &[i64],
    action: impl FnOnce(&Arc<App>) -> Result<MessageAction, String>,
) -> ExitCode {
    let done = open(data_dir).and_then(|app| {
        let action = action(&app)?;
        block(app.apply_all(ids.to_vec(), action)).map_err(|e| e.to_string())
    });
    match done {
        Ok(()) => {
            say!(
                "{} message{}",
                ids.len(),
                if ids.len() == 1 { "" } else { "s" }
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}
