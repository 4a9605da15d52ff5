//! Adding an account: the checks on what the user typed, the password into the credential store
//! (under the login), the record into the store, and what the store's columns do not hold (the
//! provider picked, a delegate's declared permissions) as a setting.
//!
//! A delegated login ("accesso multiutente" of business PEC boxes) logs in with the delegate's own
//! username onto the owner's box: IMAP LOGIN and SMTP AUTH use the login, MAIL FROM and From stay
//! the box address. [`capabilities`] says what a UI may offer: the declared permissions, narrowed
//! by the server's ACL rights when it reports them.

use super::login_check::{LoginCheckError, check_login};
use super::{Account, AccountConfig, CredentialError, CredentialStore};
use crate::store::{AccountId, Action, FolderId, MessageId, Store, StoreError};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

/// The five permissions a business PEC box grants a delegate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Permissions {
    /// Read messages and folders.
    pub read: bool,
    /// Move, delete, flag, file messages; drafts.
    pub write: bool,
    /// Send as the owner.
    pub send: bool,
    /// Use mail programs (IMAP/SMTP) at all.
    pub mail_programs: bool,
    /// Change mailbox settings.
    pub settings: bool,
}

impl Permissions {
    /// The box's owner: everything.
    pub const OWNER: Permissions = Permissions {
        read: true,
        write: true,
        send: true,
        mail_programs: true,
        settings: true,
    };
}

/// What a UI may offer for an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Capabilities {
    pub can_read: bool,
    pub can_sync: bool,
    pub can_move_delete: bool,
    pub can_flag: bool,
    pub can_compose: bool,
    pub can_send: bool,
    pub can_edit_settings: bool,
}

/// The declared permissions, narrowed by the server's ACL rights (RFC 4314 letters) on the inbox
/// when it reports them.
pub fn capabilities(p: &Permissions, rights: Option<&str>) -> Capabilities {
    let acl = |letters: &str| rights.is_none_or(|r| letters.chars().any(|c| r.contains(c)));
    let programs = p.mail_programs;
    Capabilities {
        can_read: programs && p.read && acl("r"),
        can_sync: programs && p.read && acl("r"),
        can_move_delete: programs && p.write && acl("te"),
        can_flag: programs && (p.write || p.read) && acl("sw"),
        can_compose: programs && p.send,
        can_send: programs && p.send,
        can_edit_settings: p.settings,
    }
}

/// Where the account's servers are (implicit TLS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Servers {
    pub imap_host: String,
    pub imap_port: u16,
    pub smtp_host: String,
    pub smtp_port: u16,
    /// Extra trust anchor (PEM file) for a server with a private CA (the sandbox).
    pub ca_file: Option<PathBuf>,
}

/// A delegate's own username and what the owner allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelegateLogin {
    pub login: String,
    pub permissions: Permissions,
}

/// The add-account form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSetup {
    /// The PEC address of the box (the owner's, for a delegate).
    pub address: String,
    pub password: String,
    pub display_name: Option<String>,
    pub servers: Servers,
    /// Which provider the user picked: shown back on the account screen.
    pub provider: super::Provider,
    pub delegation: Option<DelegateLogin>,
}

impl AccountSetup {
    /// The username for IMAP LOGIN, SMTP AUTH and the credential store: the delegate's own
    /// username, else the box address.
    pub fn login(&self) -> String {
        match &self.delegation {
            Some(d) => d.login.trim().to_string(),
            None => self.address.trim().to_string(),
        }
    }

    /// The account record's columns, as they will be stored.
    pub fn account_config(&self) -> AccountConfig {
        let s = &self.servers;
        AccountConfig {
            address: self.address.trim().to_string(),
            display_name: self.display_name.clone().filter(|n| !n.trim().is_empty()),
            imap_host: s.imap_host.trim().to_string(),
            imap_port: s.imap_port,
            smtp_host: s.smtp_host.trim().to_string(),
            smtp_port: s.smtp_port,
            ca_file: s.ca_file.clone(),
        }
    }
}

/// What the account record's columns do not hold, kept as a setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountMeta {
    /// [`super::Provider::as_str`] of the provider picked.
    pub provider: String,
    /// `None` for the owner.
    pub delegated: Option<Permissions>,
    /// The lines new messages, replies and forwards open with on this device
    /// ([`crate::compose::signature`]); a local setting, not the mailbox's, so a delegate needs
    /// no permission for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// How full the box was when the user was last told away from the app (see
    /// [`super::quota::quota_alert`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota_told: Option<super::QuotaLevel>,
}

impl AccountMeta {
    /// The provider picked; a word this version does not know reads as a custom server.
    pub fn provider(&self) -> super::Provider {
        super::Provider::parse(&self.provider).unwrap_or(super::Provider::Custom)
    }

    /// The permissions the login has (everything for the owner).
    pub fn permissions(&self) -> Permissions {
        self.delegated.unwrap_or(Permissions::OWNER)
    }
}

/// What a user asks to do with an account, checked against its [`Capabilities`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Operation {
    /// Read the box with a mail program (sync).
    Sync,
    /// Send as the box's owner.
    Send,
    /// Mark read/unread, flag, label.
    Flag,
    /// Move, delete, empty the trash.
    MoveDelete,
    /// Change the mailbox's settings.
    EditSettings,
}

/// One of the five permissions a business box grants a delegate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    Read,
    Write,
    Send,
    MailPrograms,
    Settings,
}

/// Why an operation is not allowed: what a delegate is shown beside a disabled action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Denial {
    /// The delegation lacks this permission (the first missing one, in the order the operation
    /// needs them).
    Missing(Permission),
    /// The permissions allow it, the server's rights on the inbox (ACL) do not.
    ServerRights,
}

impl Operation {
    pub const ALL: [Operation; 5] = [
        Operation::Sync,
        Operation::Send,
        Operation::Flag,
        Operation::MoveDelete,
        Operation::EditSettings,
    ];

    fn allowed(self, caps: &Capabilities) -> bool {
        match self {
            Operation::Sync => caps.can_sync,
            Operation::Send => caps.can_send,
            Operation::Flag => caps.can_flag,
            Operation::MoveDelete => caps.can_move_delete,
            Operation::EditSettings => caps.can_edit_settings,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Operation::Sync => "read this mailbox with mail programs",
            Operation::Send => "send from this mailbox",
            Operation::Flag => "flag messages",
            Operation::MoveDelete => "move or delete messages",
            Operation::EditSettings => "change the mailbox's settings",
        }
    }

    /// The permissions this operation needs, in the order a refusal names them.
    fn needs(self, p: &Permissions) -> Option<Permission> {
        let missing = |have: bool, what: Permission| (!have).then_some(what);
        match self {
            Operation::Sync => missing(p.mail_programs, Permission::MailPrograms)
                .or(missing(p.read, Permission::Read)),
            Operation::Send => missing(p.mail_programs, Permission::MailPrograms)
                .or(missing(p.send, Permission::Send)),
            Operation::Flag => missing(p.mail_programs, Permission::MailPrograms)
                .or(missing(p.write || p.read, Permission::Read)),
            Operation::MoveDelete => missing(p.mail_programs, Permission::MailPrograms)
                .or(missing(p.write, Permission::Write)),
            Operation::EditSettings => missing(p.settings, Permission::Settings),
        }
    }
}

/// Why `operation` is refused to an account with permissions `p` and the inbox's ACL `rights`;
/// `None` when it is allowed.
pub fn denial(p: &Permissions, rights: Option<&str>, operation: Operation) -> Option<Denial> {
    if operation.allowed(&capabilities(p, rights)) {
        return None;
    }
    Some(
        operation
            .needs(p)
            .map_or(Denial::ServerRights, Denial::Missing),
    )
}

/// Every operation the account may not perform, and why.
pub fn account_denials(
    store: &Store,
    account: &Account,
) -> Result<Vec<(Operation, Denial)>, AccountError> {
    let meta = account_meta(store, account)?;
    let rights = store
        .find_folder(account.id, "inbox")?
        .and_then(|f| f.myrights);
    let permissions = meta.permissions();
    Ok(Operation::ALL
        .into_iter()
        .filter_map(|op| denial(&permissions, rights.as_deref(), op).map(|d| (op, d)))
        .collect())
}

/// Refuse up front what the account's permissions (as a delegate) and the server's ACL rights do
/// not allow, so nothing is queued to fail later on the server.
pub fn require(store: &Store, account: &Account, operation: Operation) -> Result<(), AccountError> {
    let caps = account_capabilities(store, account)?;
    if operation.allowed(&caps) {
        Ok(())
    } else {
        Err(AccountError::NotPermitted(format!(
            "{} may not {}",
            account.login,
            operation.describe()
        )))
    }
}

impl Operation {
    /// Saving a draft writes it into the box (the Drafts folder on the server).
    pub const SAVE_DRAFT: Operation = Operation::MoveDelete;

    /// Emptying the trash deletes for good, as a delete in the trash does.
    pub const EMPTY_FOLDER: Operation = Operation::MoveDelete;

    /// What applying `action` to a message needs.
    pub fn of_action(action: &Action) -> Operation {
        match action {
            Action::SetSeen(_)
            | Action::SetFlagged(_)
            | Action::AddLabel(_)
            | Action::RemoveLabel(_) => Operation::Flag,
            Action::Move(_) | Action::Delete => Operation::MoveDelete,
        }
    }
}

/// Why a login may not start a message at all (new, reply, reply all, forward), given what
/// `refusal` says of each operation: only when it may neither send the message nor save it as a
/// draft. A delegate with the write permission and without send prepares drafts for the owner to
/// send, so composing stays open to it. When both are refused, sending's refusal is the reason.
pub fn compose_denial<D>(refusal: impl Fn(Operation) -> Option<D>) -> Option<D> {
    refusal(Operation::SAVE_DRAFT)?;
    refusal(Operation::Send)
}

/// Apply `action` to a message as its account's permissions allow: the one way to change a
/// message for every caller (the facade, `pec`, tests), so a delegate's refusal holds everywhere.
/// The store adds its own check of the folders' ACL rights; a move stays within the account.
pub fn apply_action(store: &Store, message: MessageId, action: Action) -> Result<(), AccountError> {
    apply_actions(store, &[message], action).map(|_| ())
}

/// [`apply_action`] on several messages at once: every login involved must be permitted, and
/// the store applies all of them or none. Returns the accounts touched.
pub fn apply_actions(
    store: &Store,
    messages: &[MessageId],
    action: Action,
) -> Result<Vec<AccountId>, AccountError> {
    let accounts = store.accounts_of(messages)?;
    for account in &accounts {
        let account = store.account(*account)?;
        require(store, &account, Operation::of_action(&action))?;
        if let Action::Move(dest) = action
            && store.folder(dest)?.account_id != account.id
        {
            return Err(invalid(
                "a message moves only to a folder of its own account",
            ));
        }
    }
    store.apply_actions(messages, &action)?;
    Ok(accounts)
}

/// Empty the trash or the junk folder for good, as the account's permissions allow
/// ([`Operation::EMPTY_FOLDER`]), then the folder's role and rights (see `Store::empty_folder`).
/// Returns the folder's account and how many went.
pub fn empty_folder(store: &Store, folder: FolderId) -> Result<(AccountId, usize), AccountError> {
    let account = store.account(store.folder(folder)?.account_id)?;
    require(store, &account, Operation::EMPTY_FOLDER)?;
    Ok((account.id, store.empty_folder(folder)?))
}

/// The account's capabilities: its declared permissions narrowed by the inbox's ACL rights.
pub fn account_capabilities(
    store: &Store,
    account: &Account,
) -> Result<Capabilities, AccountError> {
    let meta = account_meta(store, account)?;
    let rights = store
        .find_folder(account.id, "inbox")?
        .and_then(|f| f.myrights);
    Ok(capabilities(&meta.permissions(), rights.as_deref()))
}

/// Why an account cannot be added or read, or an operation is refused.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Something the user typed: the message says what.
    #[error("{0}")]
    Invalid(String),
    /// The account's permissions or the server's rights do not allow it: the message says what.
    #[error("{0}")]
    NotPermitted(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Credentials(#[from] CredentialError),
    /// Logging in to the servers failed (wrong password, certificate, unreachable, timeout, ...).
    #[error(transparent)]
    Login(#[from] LoginCheckError),
}

fn meta_key(address: &str) -> String {
    format!("account.meta:{}", address.to_ascii_lowercase())
}

/// The key the first facade release used for the same record.
fn legacy_meta_key(address: &str) -> String {
    format!("ffi.account:{}", address.to_ascii_lowercase())
}

fn invalid(msg: impl Into<String>) -> AccountError {
    AccountError::Invalid(msg.into())
}

/// Check what the user typed, without connecting.
pub fn validate(setup: &AccountSetup) -> Result<(), AccountError> {
    let address = setup.address.trim();
    let (local, domain) = address
        .split_once('@')
        .ok_or_else(|| invalid(format!("{address:?} is not an address")))?;
    if local.is_empty() || domain.is_empty() || domain.contains('@') || address.contains(' ') {
        return Err(invalid(format!("{address:?} is not an address")));
    }
    if setup.password.is_empty() {
        return Err(invalid("empty password"));
    }
    let s = &setup.servers;
    if s.imap_host.trim().is_empty() || s.smtp_host.trim().is_empty() {
        return Err(invalid("empty server host"));
    }
    if s.imap_port == 0 || s.smtp_port == 0 {
        return Err(invalid("port 0"));
    }
    if let Some(ca) = &s.ca_file
        && !ca.is_file()
    {
        return Err(invalid(format!("CA file {:?} not found", ca.display())));
    }
    if let Some(d) = &setup.delegation
        && d.login.trim().is_empty()
    {
        return Err(invalid("empty delegate login"));
    }
    Ok(())
}

/// Check the form, then log in over IMAP and SMTP with it (each server under `limit`): what a UI
/// runs before [`add_account`], so a wrong password or certificate is refused before anything is
/// saved.
pub async fn verify(setup: &AccountSetup, limit: Duration) -> Result<(), AccountError> {
    validate(setup)?;
    check_login(setup, limit).await?;
    Ok(())
}

/// Check the form, store the password under the login, add (or update) the account and its
/// metadata. Returns the account's id. Does not connect: [`verify`] first, unless offline.
pub fn add_account(
    store: &Store,
    creds: &dyn CredentialStore,
    setup: &AccountSetup,
) -> Result<AccountId, AccountError> {
    validate(setup)?;
    let config = setup.account_config();
    let address = config.address.clone();
    let login = setup.login();
    // A login the account used before (re-added as someone else) must not keep a password.
    let previous = store
        .account_by_address(&address)?
        .map(|a| a.login)
        .filter(|l| !l.eq_ignore_ascii_case(&login));
    // An account added again (a new password, another delegate) keeps its signature.
    let signature = match store.account_by_address(&address)? {
        Some(existing) => account_meta(store, &existing)
            .ok()
            .and_then(|m| m.signature),
        None => None,
    };
    creds.set(&login, &setup.password)?;
    let id = store.add_account_as(&config, &login)?;
    let meta = AccountMeta {
        provider: setup.provider.as_str().into(),
        delegated: setup.delegation.as_ref().map(|d| d.permissions),
        signature,
        quota_told: None,
    };
    save_meta(store, &address, &meta)?;
    if let Some(old) = previous {
        creds.delete(&old)?;
    }
    Ok(id)
}

/// The account's metadata (`custom`, owner, when none was recorded).
pub fn account_meta(store: &Store, account: &Account) -> Result<AccountMeta, AccountError> {
    let address = &account.config.address;
    let json = match store.setting(&meta_key(address))? {
        Some(j) => Some(j),
        None => store.setting(&legacy_meta_key(address))?,
    };
    match json {
        Some(j) => serde_json::from_str(&j)
            .map_err(|e| AccountError::Store(StoreError::Invalid(format!("account meta: {e}")))),
        None => Ok(AccountMeta {
            provider: "custom".into(),
            delegated: None,
            signature: None,
            quota_told: None,
        }),
    }
}

pub(super) fn save_meta(
    store: &Store,
    address: &str,
    meta: &AccountMeta,
) -> Result<(), AccountError> {
    let json = serde_json::to_string(meta).map_err(|e| StoreError::Invalid(e.to_string()))?;
    store.set_setting(&meta_key(address), &json)?;
    Ok(())
}

/// Keep `text` as the account's signature ([`crate::compose::signature::normalized`]; nothing
/// left clears it). Returns it as kept.
pub fn set_signature(
    store: &Store,
    account: AccountId,
    text: &str,
) -> Result<Option<String>, AccountError> {
    let signature = crate::compose::signature::normalized(text)
        .map_err(|e| AccountError::Invalid(e.to_string()))?;
    let account = store.account(account)?;
    let meta = AccountMeta {
        signature: signature.clone(),
        ..account_meta(store, &account)?
    };
    save_meta(store, &account.config.address, &meta)?;
    Ok(signature)
}

/// Remove an account, its messages, its metadata and its password.
pub fn remove_account(
    store: &Store,
    creds: &dyn CredentialStore,
    id: AccountId,
) -> Result<(), AccountError> {
    let account = store.account(id)?;
    store.remove_account(id)?;
    let address = &account.config.address;
    store.delete_setting(&meta_key(address))?;
    store.delete_setting(&legacy_meta_key(address))?;
    creds.delete(&account.login)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const READER: Permissions = Permissions {
        read: true,
        write: false,
        send: false,
        mail_programs: true,
        settings: false,
    };

    #[test]
    fn composing_is_refused_only_to_a_login_that_may_neither_send_nor_save_a_draft() {
        let compose = |p: &Permissions| compose_denial(|op| denial(p, None, op));
        assert_eq!(compose(&Permissions::OWNER), None);
        assert_eq!(compose(&READER), Some(Denial::Missing(Permission::Send)));
        let writer = Permissions {
            write: true,
            ..READER
        };
        assert_eq!(compose(&writer), None, "a draft for the owner to send");
        let sender = Permissions {
            send: true,
            ..READER
        };
        assert_eq!(compose(&sender), None);
        // The server's rights alone (a read-only inbox) leave sending open.
        assert_eq!(
            compose_denial(|op| denial(&Permissions::OWNER, Some("lr"), op)),
            None
        );
    }

    #[test]
    fn a_refusal_names_the_first_missing_permission() {
        let denied: Vec<(Operation, Option<Denial>)> = Operation::ALL
            .into_iter()
            .map(|op| (op, denial(&READER, None, op)))
            .collect();
        assert_eq!(
            denied,
            [
                (Operation::Sync, None),
                (Operation::Send, Some(Denial::Missing(Permission::Send))),
                (Operation::Flag, None),
                (
                    Operation::MoveDelete,
                    Some(Denial::Missing(Permission::Write))
                ),
                (
                    Operation::EditSettings,
                    Some(Denial::Missing(Permission::Settings))
                ),
            ]
        );
        // Without "mail programs" nothing that touches the server is allowed, and that is why.
        let no_programs = Permissions {
            mail_programs: false,
            ..Permissions::OWNER
        };
        assert_eq!(
            denial(&no_programs, None, Operation::Send),
            Some(Denial::Missing(Permission::MailPrograms))
        );
        assert_eq!(denial(&no_programs, None, Operation::EditSettings), None);
        // The owner with read-only rights on the server: the server is why.
        assert_eq!(
            denial(&Permissions::OWNER, Some("lr"), Operation::MoveDelete),
            Some(Denial::ServerRights)
        );
        assert_eq!(
            denial(&Permissions::OWNER, Some("lr"), Operation::Sync),
            None
        );
    }

    #[test]
    fn each_message_action_needs_its_operation() {
        assert_eq!(
            Operation::of_action(&Action::SetSeen(false)),
            Operation::Flag
        );
        assert_eq!(
            Operation::of_action(&Action::AddLabel("x".into())),
            Operation::Flag
        );
        assert_eq!(Operation::of_action(&Action::Delete), Operation::MoveDelete);
        assert_eq!(
            Operation::of_action(&Action::Move(3)),
            Operation::MoveDelete
        );
    }
}
