//! The folder menu: the account's folders in the order users expect, with the virtual folders.

use super::{Context, Result};
use crate::store::{AccountId, MessageId};
use crate::store::{Folder, FolderId, FolderRole, ListQuery, View};

/// What a menu line opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuTarget {
    Folder(FolderId),
    /// Virtual: received invoices (SdI files).
    Invoices,
    /// Virtual: every PEC receipt.
    Receipts,
    /// Virtual: the sent PEC not delivered.
    Undelivered,
    /// Virtual: the messages with this label.
    Label(String),
}

/// One line of the folder menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuItem {
    pub target: MenuTarget,
    /// The last component of the server's folder name; empty for virtual folders (the shells
    /// name them in their own language).
    pub name: String,
    /// The full IMAP path; empty for virtual folders.
    pub path: String,
    pub role: Option<FolderRole>,
    /// Nesting level from the server's hierarchy separator (0 = top).
    pub depth: u32,
    pub unread: u32,
    /// Unread messages in the folders below this one (all levels): what a collapsed parent
    /// shows. 0 for virtual folders.
    pub unread_below: u32,
    pub total: u32,
    /// The local folder of the outbox (PECs queued here, not yet on the server).
    pub outbox: bool,
    /// The folder has messages and may be emptied at once ([`Folder::emptiable`]: the trash or
    /// the junk folder, its rights permitting); a delegate's permission is
    /// [`crate::accounts::Operation::EMPTY_FOLDER`].
    pub emptiable: bool,
}

impl MenuItem {
    /// A virtual view's line (no server folder behind it).
    fn virtual_view(target: MenuTarget, name: String, total: u32, unread: u32) -> MenuItem {
        MenuItem {
            target,
            name,
            path: String::new(),
            role: None,
            depth: 0,
            unread,
            unread_below: 0,
            total,
            outbox: false,
            emptiable: false,
        }
    }

    /// A real folder's line.
    pub fn of_folder(f: Folder) -> MenuItem {
        let (name, depth) = match f.delimiter.as_deref().filter(|d| !d.is_empty()) {
            Some(delim) => {
                let parts: Vec<&str> = f.name.split(delim).collect();
                (
                    parts.last().copied().unwrap_or(&f.name).to_string(),
                    parts.len().saturating_sub(1) as u32,
                )
            }
            None => (f.name.clone(), 0),
        };
        MenuItem {
            target: MenuTarget::Folder(f.id),
            emptiable: f.emptiable(),
            outbox: f.role.is_none() && f.name == crate::outbox::OUTBOX_FOLDER,
            name,
            path: f.name,
            role: f.role,
            depth,
            unread: f.unread,
            unread_below: 0,
            total: f.total,
        }
    }
}

/// For each folder, the unread messages of the folders below it, by the server's hierarchy
/// separator (`INBOX.Clienti` is below `INBOX` when the separator is `.`).
fn unread_below(folders: &[Folder]) -> Vec<u32> {
    folders
        .iter()
        .map(|parent| {
            let Some(delim) = parent.delimiter.as_deref().filter(|d| !d.is_empty()) else {
                return 0;
            };
            let prefix = format!("{}{delim}", parent.name);
            folders
                .iter()
                .filter(|f| f.name.starts_with(&prefix))
                .map(|f| f.unread)
                .sum()
        })
        .collect()
}

/// Inbox first, then the virtual folders, the other roles in a fixed order, then the user's
/// folders by name.
fn role_rank(role: Option<FolderRole>) -> u8 {
    match role {
        Some(FolderRole::Inbox) => 0,
        Some(FolderRole::Sent) => 2,
        Some(FolderRole::Drafts) => 3,
        Some(FolderRole::Archive) => 4,
        Some(FolderRole::Junk) => 5,
        Some(FolderRole::Trash) => 6,
        None => 7,
    }
}

/// Sort folders as the menu lists them: by role, then by name.
fn in_menu_order(folders: &mut [Folder]) {
    folders.sort_by_key(|f| (role_rank(f.role), f.name.to_lowercase()));
}

impl Context {
    /// The account's folder menu: real folders (inbox first) with their counts, the virtual
    /// Invoices and Receipts right after the inbox (then the sent PEC not delivered, when there
    /// are some), the user's labels last.
    pub fn menu(&self, account: AccountId) -> Result<Vec<MenuItem>> {
        self.store().account(account)?;
        let mut folders = self.store().folders(account)?;
        in_menu_order(&mut folders);
        let below = unread_below(&folders);
        let mut out = Vec::with_capacity(folders.len() + 2);
        let after_inbox = folders
            .iter()
            .take_while(|f| role_rank(f.role) <= role_rank(Some(FolderRole::Inbox)))
            .count();
        let line = |(f, below): (Folder, u32)| MenuItem {
            unread_below: below,
            ..MenuItem::of_folder(f)
        };
        let mut rest = folders.into_iter().zip(below);
        out.extend(rest.by_ref().take(after_inbox).map(line));
        for (target, view) in [
            (MenuTarget::Invoices, View::Invoices),
            (MenuTarget::Receipts, View::Receipts),
            (MenuTarget::Undelivered, View::Undelivered),
        ] {
            let mut q = ListQuery::new(view);
            q.account = Some(account);
            let (total, unread) = self.store().count(&q)?;
            // The undelivered show only when there are some: a line that calls for attention.
            if target != MenuTarget::Undelivered || total > 0 {
                out.push(MenuItem::virtual_view(target, String::new(), total, unread));
            }
        }
        out.extend(rest.map(line));
        out.extend(
            self.store()
                .labels(account)?
                .into_iter()
                .map(|(label, total, unread)| {
                    MenuItem::virtual_view(MenuTarget::Label(label.clone()), label, total, unread)
                }),
        );
        Ok(out)
    }

    /// Where `message` may be moved: the account's real folders in menu order, without the one
    /// it is in and those whose rights refuse new messages.
    pub fn move_targets(&self, message: MessageId) -> Result<Vec<MenuItem>> {
        let summary = self.store().message(message)?.summary;
        let mut folders = self.store().folders(summary.account_id)?;
        folders.retain(|f| f.id != summary.folder_id && f.may_insert());
        in_menu_order(&mut folders);
        Ok(folders.into_iter().map(MenuItem::of_folder).collect())
    }

    /// The folder with this server name (exact, then case-insensitive) or role word, as its
    /// menu line.
    pub fn find_folder(&self, account: AccountId, name_or_role: &str) -> Result<Option<MenuItem>> {
        self.store().account(account)?;
        Ok(self
            .store()
            .find_folder(account, name_or_role)?
            .map(MenuItem::of_folder))
    }
}
