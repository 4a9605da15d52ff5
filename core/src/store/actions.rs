//! Local actions: applied to the store at once, queued (same transaction) for the sync to replay on
//! the server. Every replayed command is idempotent on the server (`+FLAGS`, `-FLAGS`, `UID MOVE` of
//! a UID that is gone is a no-op, expunging an empty trash is a no-op) and the queue row is deleted
//! only after the server said OK, so an action survives restarts and takes effect exactly once.

use super::messages::ensure_folder_tx;
use super::query::{FolderRole, folder_by_id};
use super::rights::{Need, require};
use super::{AccountId, FolderId, MessageId, Result, Store, StoreError, now};
use rusqlite::{OptionalExtension, Transaction, params};

/// What the user did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    SetSeen(bool),
    SetFlagged(bool),
    /// A label as the user wrote it (any short text); on the server it is an IMAP keyword
    /// (see [`super::keyword`]).
    AddLabel(String),
    RemoveLabel(String),
    /// Move to another folder of the same account.
    Move(FolderId),
    /// Move to the trash (or, in the trash, delete for good).
    Delete,
}

/// The server-side command a queued action becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionKind {
    AddFlag(String),
    RemoveFlag(String),
    MoveTo(String),
    Expunge,
    EmptyFolder,
}

/// A queued action as the sync reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedAction {
    pub id: i64,
    pub account_id: AccountId,
    pub folder: String,
    pub uid: Option<u32>,
    pub uidvalidity: Option<u32>,
    pub kind: ActionKind,
    pub attempts: u32,
}

impl ActionKind {
    fn encode(&self) -> (&'static str, Option<&str>) {
        match self {
            ActionKind::AddFlag(f) => ("add_flag", Some(f)),
            ActionKind::RemoveFlag(f) => ("remove_flag", Some(f)),
            ActionKind::MoveTo(f) => ("move", Some(f)),
            ActionKind::Expunge => ("expunge", None),
            ActionKind::EmptyFolder => ("empty", None),
        }
    }
    fn decode(kind: &str, arg: Option<String>) -> Option<ActionKind> {
        Some(match (kind, arg) {
            ("add_flag", Some(a)) => ActionKind::AddFlag(a),
            ("remove_flag", Some(a)) => ActionKind::RemoveFlag(a),
            ("move", Some(a)) => ActionKind::MoveTo(a),
            ("expunge", _) => ActionKind::Expunge,
            ("empty", _) => ActionKind::EmptyFolder,
            _ => return None,
        })
    }
}

fn enqueue_tx(
    tx: &Transaction<'_>,
    account: AccountId,
    folder: &str,
    uid: Option<u32>,
    uidvalidity: Option<u32>,
    kind: &ActionKind,
) -> Result<()> {
    let (k, arg) = kind.encode();
    tx.execute(
        "INSERT INTO actions (account_id, folder, uid, uidvalidity, kind, arg, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![account, folder, uid, uidvalidity, k, arg, now()],
    )?;
    Ok(())
}

impl Store {
    /// Apply `action` locally and queue it for the server, in one transaction.
    pub fn apply_action(&self, message: MessageId, action: Action) -> Result<()> {
        self.apply_actions(&[message], &action)
    }

    /// The accounts `messages` belong to, each once (an unknown message is `NotFound`).
    pub fn accounts_of(&self, messages: &[MessageId]) -> Result<Vec<AccountId>> {
        self.read(|c| {
            let mut st = c.prepare_cached("SELECT account_id FROM messages WHERE id = ?1")?;
            let mut accounts = Vec::new();
            for message in messages {
                let account: AccountId = st
                    .query_row([message], |r| r.get(0))
                    .optional()?
                    .ok_or_else(|| StoreError::NotFound(format!("message {message}")))?;
                if !accounts.contains(&account) {
                    accounts.push(account);
                }
            }
            Ok(accounts)
        })
    }

    /// [`Store::apply_action`] on several messages in one transaction: all of them, or none
    /// when one is refused (its folder's rights) or gone.
    pub fn apply_actions(&self, messages: &[MessageId], action: &Action) -> Result<()> {
        self.write(|tx| {
            for message in messages {
                apply_action_tx(tx, *message, action.clone())?;
            }
            Ok(())
        })
    }

    /// Empty the trash or the junk folder ([`super::Folder::may_empty`]): every message goes for good,
    /// here now, on the server at the next sync. Another folder is refused (`Invalid`), and so
    /// is one whose rights forbid removing (`Forbidden`). Returns how many went.
    pub fn empty_folder(&self, folder: FolderId) -> Result<usize> {
        self.write(|tx| {
            let f = folder_by_id(tx, folder)?;
            if !f.may_empty() {
                require(&f.name, f.myrights.as_deref(), Need::Remove, "emptying")?;
                return Err(StoreError::Invalid(format!(
                    "{} is not the trash or the junk folder: only those are emptied at once",
                    f.name
                )));
            }
            tx.execute(
                "DELETE FROM messages_fts WHERE rowid IN (SELECT fts_key FROM messages WHERE folder_id = ?1)",
                [folder],
            )?;
            let n = tx.execute("DELETE FROM messages WHERE folder_id = ?1", [folder])?;
            let kind = ActionKind::EmptyFolder;
            enqueue_tx(tx, f.account_id, &f.name, None, f.uidvalidity, &kind)?;
            Ok(n)
        })
    }

    /// What [`Store::empty_folder`] would delete, for the question asked before it.
    pub fn emptying(&self, folder: FolderId) -> Result<Emptying> {
        self.read(|c| {
            let counts = c.query_row(
                "SELECT COUNT(*), COALESCE(SUM(kind = 'receipt'), 0),
                        COALESCE(SUM(kind IN ('envelope', 'rem')), 0)
                 FROM messages WHERE folder_id = ?1",
                [folder],
                |r| {
                    Ok(Emptying {
                        messages: r.get(0)?,
                        receipts: r.get(1)?,
                        certified: r.get(2)?,
                    })
                },
            )?;
            Ok(counts)
        })
    }

    /// Queued actions of an account, oldest first.
    pub fn queued_actions(&self, account: AccountId) -> Result<Vec<QueuedAction>> {
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT id, account_id, folder, uid, uidvalidity, kind, arg, attempts FROM actions
                 WHERE account_id = ?1 ORDER BY id",
            )?;
            let rows = st
                .query_map([account], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, AccountId>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Option<u32>>(3)?,
                        r.get::<_, Option<u32>>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, Option<String>>(6)?,
                        r.get::<_, u32>(7)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows
                .into_iter()
                .filter_map(
                    |(id, account_id, folder, uid, uidvalidity, kind, arg, attempts)| {
                        Some(QueuedAction {
                            id,
                            account_id,
                            folder,
                            uid,
                            uidvalidity,
                            kind: ActionKind::decode(&kind, arg)?,
                            attempts,
                        })
                    },
                )
                .collect())
        })
    }

    /// The server confirmed (or the action no longer applies): drop it from the queue.
    pub fn complete_action(&self, id: i64) -> Result<()> {
        self.write(|tx| {
            tx.execute("DELETE FROM actions WHERE id = ?1", [id])?;
            Ok(())
        })
    }

    /// The server refused: count the attempt (the sync gives up after a few).
    pub fn fail_action(&self, id: i64) -> Result<u32> {
        self.write(|tx| {
            tx.execute(
                "UPDATE actions SET attempts = attempts + 1 WHERE id = ?1",
                [id],
            )?;
            Ok(tx
                .query_row("SELECT attempts FROM actions WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .optional()?
                .unwrap_or(0))
        })
    }
}

/// IMAP keywords are atoms: no spaces, parentheses, quotes, wildcards or backslashes.
fn validate_keyword(k: &str) -> Result<()> {
    let ok = !k.is_empty()
        && k.len() <= 100
        && k.bytes()
            .all(|b| b.is_ascii_graphic() && !b"(){%*\"\\]".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "label {k:?}: not an IMAP keyword"
        )))
    }
}

/// Where a message is: what its action is checked against and queued for.
struct Placed {
    account: AccountId,
    folder_id: FolderId,
    folder: String,
    uid: Option<u32>,
    uidvalidity: Option<u32>,
    role: Option<String>,
    rights: Option<String>,
}

/// One message's action inside a transaction (see [`Store::apply_action`]).
fn apply_action_tx(tx: &Transaction<'_>, message: MessageId, action: Action) -> Result<()> {
    let p = tx
        .query_row(
            "SELECT m.account_id, m.folder_id, f.name, m.uid, f.uidvalidity, f.role, f.myrights
             FROM messages m JOIN folders f ON f.id = m.folder_id WHERE m.id = ?1",
            [message],
            |r| {
                Ok(Placed {
                    account: r.get(0)?,
                    folder_id: r.get(1)?,
                    folder: r.get(2)?,
                    uid: r.get(3)?,
                    uidvalidity: r.get(4)?,
                    role: r.get(5)?,
                    rights: r.get(6)?,
                })
            },
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("message {message}")))?;
    refuse_what_rights_forbid_tx(tx, &p, &action)?;
    perform_tx(tx, message, &p, action)
}

/// Refuse up front what the folders' rights forbid (before any change or queueing).
fn refuse_what_rights_forbid_tx(tx: &Transaction<'_>, p: &Placed, action: &Action) -> Result<()> {
    let rights = p.rights.as_deref();
    match action {
        Action::SetSeen(_) => require(&p.folder, rights, Need::Seen, "marking read/unread")?,
        Action::SetFlagged(_) => require(&p.folder, rights, Need::Write, "flagging")?,
        Action::AddLabel(_) | Action::RemoveLabel(_) => {
            require(&p.folder, rights, Need::Write, "labelling")?
        }
        Action::Move(dest) if *dest != p.folder_id => {
            require(&p.folder, rights, Need::Remove, "moving out")?;
            let dest_rights: Option<(String, Option<String>)> = tx
                .query_row(
                    "SELECT name, myrights FROM folders WHERE id = ?1 AND account_id = ?2",
                    params![dest, p.account],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((name, r)) = dest_rights {
                require(&name, r.as_deref(), Need::Insert, "moving in")?;
            }
        }
        Action::Move(_) => {}
        Action::Delete => {
            require(&p.folder, rights, Need::Remove, "deleting")?;
            if p.role.as_deref() != Some("trash") {
                let trash: Option<(String, Option<String>)> = tx
                    .query_row(
                        "SELECT name, myrights FROM folders WHERE account_id = ?1 AND role = 'trash'",
                        [p.account],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                if let Some((name, r)) = trash {
                    require(&name, r.as_deref(), Need::Insert, "moving to the trash")?;
                }
            }
        }
    }
    Ok(())
}

/// What emptying a folder deletes for good: the user is told before agreeing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Emptying {
    pub messages: u32,
    /// Receipts among them: the proof of acceptance or delivery each carries goes with it.
    pub receipts: u32,
    /// Certified messages among them (PEC, REM).
    pub certified: u32,
}

/// The account's trash (id, server name), made when it has none.
fn trash_tx(tx: &Transaction<'_>, account: AccountId) -> Result<(FolderId, String)> {
    let trash = tx
        .query_row(
            "SELECT id, name FROM folders WHERE account_id = ?1 AND role = 'trash'",
            [account],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match trash {
        Some(t) => Ok(t),
        None => {
            let id = ensure_folder_tx(tx, account, "Trash", Some(FolderRole::Trash), None)?;
            Ok((id, "Trash".to_string()))
        }
    }
}

/// Setting or clearing an IMAP system flag on the server.
fn system_flag(flag: &str, on: bool) -> ActionKind {
    match on {
        true => ActionKind::AddFlag(flag.to_string()),
        false => ActionKind::RemoveFlag(flag.to_string()),
    }
}

/// The action on the row, and queued for the server.
fn perform_tx(tx: &Transaction<'_>, message: MessageId, p: &Placed, action: Action) -> Result<()> {
    // Messages with no server copy (imports, or a move not yet seen back) change locally only.
    let queue = |tx: &Transaction<'_>, kind: ActionKind| -> Result<()> {
        if p.uid.is_some() {
            enqueue_tx(tx, p.account, &p.folder, p.uid, p.uidvalidity, &kind)?;
        }
        Ok(())
    };
    match action {
        Action::SetSeen(on) => {
            let sql = "UPDATE messages SET seen = ?2 WHERE id = ?1";
            tx.execute(sql, params![message, on])?;
            queue(tx, system_flag("\\Seen", on))?;
        }
        Action::SetFlagged(on) => {
            let sql = "UPDATE messages SET flagged = ?2 WHERE id = ?1";
            tx.execute(sql, params![message, on])?;
            queue(tx, system_flag("\\Flagged", on))?;
        }
        Action::AddLabel(l) => {
            let l = super::keyword::keyword_of(&l)?;
            validate_keyword(&l)?;
            tx.execute(
                "INSERT OR IGNORE INTO labels (message_id, label) VALUES (?1, ?2)",
                params![message, l],
            )?;
            queue(tx, ActionKind::AddFlag(l))?;
        }
        Action::RemoveLabel(l) => {
            let l = super::keyword::keyword_of(&l)?;
            validate_keyword(&l)?;
            tx.execute(
                "DELETE FROM labels WHERE message_id = ?1 AND label = ?2",
                params![message, l],
            )?;
            queue(tx, ActionKind::RemoveFlag(l))?;
        }
        Action::Move(dest) => {
            if dest == p.folder_id {
                return Ok(());
            }
            let dest_name: String = tx
                .query_row(
                    "SELECT name FROM folders WHERE id = ?1 AND account_id = ?2",
                    params![dest, p.account],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("folder {dest}")))?;
            // The row moves now, without a UID; the server copy adopts it by Message-ID.
            tx.execute(
                "UPDATE messages SET folder_id = ?2, uid = NULL WHERE id = ?1",
                params![message, dest],
            )?;
            queue(tx, ActionKind::MoveTo(dest_name))?;
        }
        Action::Delete if p.role.as_deref() == Some("trash") => {
            super::messages::fts_forget_tx(tx, message)?;
            tx.execute("DELETE FROM messages WHERE id = ?1", [message])?;
            queue(tx, ActionKind::Expunge)?;
        }
        Action::Delete => {
            let (trash_id, trash_name) = trash_tx(tx, p.account)?;
            tx.execute(
                "UPDATE messages SET folder_id = ?2, uid = NULL WHERE id = ?1",
                params![message, trash_id],
            )?;
            queue(tx, ActionKind::MoveTo(trash_name))?;
        }
    }
    Ok(())
}
