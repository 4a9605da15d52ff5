//! The core's root: one [`Context`] per data directory, for the life of the process.
//!
//! It owns what every caller shares: the store, the credential store, the one sync engine (its
//! pass lock serialises every pass, its status outlives each call, its background loop is the
//! apps' only automatic sync), the outbox, the signature trust and the change bus. Screens and
//! the terminal client reach the core through it, so a rule (a permission, the menu's order,
//! which facts of a message count as certified) is decided here once, and the FFI facade above
//! only converts types.
//!
//! Store work is synchronous (SQLite); callers on an async runtime run these methods on a blocking
//! thread. Network work (sync, send) is async.

mod address_books;
mod background;
mod contacts;
mod error;
mod evidence;
mod invoices;
mod kept;
mod live;
mod locking;
mod lost_key;
mod mail;
mod menu;
mod opening;
mod passphrase;
mod settings;
mod templates;
mod view;
pub mod window;

pub use address_books::BookSync;
pub use background::{Arrival, BackgroundReport};
pub use contacts::{ContactFormat, ImportReport};
pub use error::{Error, Result};
pub use evidence::{EvidenceFile, EvidenceItem};
pub use invoices::{BuyerOutcome, SdiNotice, SdiProblem};
pub use kept::KeptCompose;
pub use live::LiveSync;
pub use mail::{SendOutcome, SendRefusal};
pub use menu::{MenuItem, MenuTarget};
pub use passphrase::{Credentials, recover_with_passphrase};
pub use settings::{DownloadPolicy, LockPolicy, Settings};
pub use templates::{MAX_TEMPLATES, Template};
pub use view::{ListPage, MessageView, PecFacts, SearchForm, SentProof};

use crate::accounts::{self, AccountSetup, CredentialStore};
use crate::receive::Receiver;
use crate::signature::{AnchorRole, TrustStore};
use crate::store::AccountId;
use crate::store::{Action, FolderRole, InsertOutcome, MessageId, Store};
use crate::sync::{self, SyncEngine, SyncEvent};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::broadcast;

/// What changed, for screens to re-read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Accounts,
    Folders,
    Messages,
    /// Receipts arrived or a send moved on: some sent message's delivery changed.
    Delivery,
}

/// One change on the bus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub kind: ChangeKind,
    /// `None` for changes of every account (the account list).
    pub account: Option<AccountId>,
}

/// The root of the core for one data directory. Cheap to clone: clones share everything.
#[derive(Clone)]
pub struct Context {
    shared: Arc<Shared>,
}

struct Shared {
    data_dir: PathBuf,
    store: Store,
    creds: Arc<dyn CredentialStore>,
    engine: SyncEngine,
    changes: broadcast::Sender<Change>,
    /// Forwards the engine's events to the change bus for the context's whole life.
    _engine_changes: sync::Subscription,
    /// When the app left the screen (the shell's monotonic clock, ms) and the lock policy then.
    background_since: std::sync::Mutex<Option<(i64, LockPolicy)>>,
    /// Bumped each time the settings are saved: the live sync follows it.
    settings_saved: tokio::sync::watch::Sender<u64>,
}

impl Context {
    /// Open (creating when needed) the plain store in `data_dir`. Must run inside a tokio
    /// runtime: the engine's events are forwarded to the change bus by a task spawned on it.
    pub fn open(data_dir: impl AsRef<Path>, creds: Arc<dyn CredentialStore>) -> Result<Context> {
        Context::open_with(data_dir, creds, None)
    }

    /// Open (creating when needed) the store in `data_dir`, encrypted with `key` when given:
    /// the store and every file the core keeps beside it (see [`crate::vault`]).
    pub fn open_with(
        data_dir: impl AsRef<Path>,
        creds: Arc<dyn CredentialStore>,
        key: Option<crate::vault::StoreKey>,
    ) -> Result<Context> {
        let data_dir = checked_dir(data_dir.as_ref())?;
        let store = Store::open_with(data_dir.join("store.sqlite"), key)?;
        Context::assemble(data_dir, store, creds)
    }

    /// The context around an open store.
    fn assemble(
        data_dir: PathBuf,
        store: Store,
        creds: Arc<dyn CredentialStore>,
    ) -> Result<Context> {
        let (changes, _) = broadcast::channel(1024);
        let engine = SyncEngine::with_receiver(store.clone(), Receiver::default(), creds.clone());
        let forward = engine.subscribe(forward_changes(changes.clone()));
        let ctx = Context {
            shared: Arc::new(Shared {
                data_dir,
                store,
                creds,
                engine,
                changes,
                _engine_changes: forward,
                background_since: std::sync::Mutex::new(None),
                settings_saved: tokio::sync::watch::Sender::new(0),
            }),
        };
        ctx.outbox().seal_plain_files()?;
        ctx.outbox().clear_staged();
        lost_key::clear_forgotten(ctx.data_dir());
        Ok(ctx)
    }

    /// [`Context::open_with`] a key, first encrypting with it a store that is still plain (the
    /// apps' first start on a data directory written before encryption): the copy-and-rename of
    /// [`crate::store::rekey`], so a crash leaves the plain store or the encrypted one.
    pub fn open_encrypting(
        data_dir: impl AsRef<Path>,
        creds: Arc<dyn CredentialStore>,
        key: crate::vault::StoreKey,
    ) -> Result<Context> {
        let path = data_dir.as_ref().join("store.sqlite");
        if crate::store::rekey::is_plain(&path)? {
            crate::store::rekey::rekey_file(&path, None, &key)?;
        }
        Context::open_with(data_dir, creds, Some(key))
    }

    pub fn data_dir(&self) -> &Path {
        &self.shared.data_dir
    }

    /// The store, for reads that need no decision (rows, details, attachments).
    pub fn store(&self) -> &Store {
        &self.shared.store
    }

    pub fn credentials(&self) -> &dyn CredentialStore {
        self.shared.creds.as_ref()
    }

    /// The one sync engine: its status and events are every caller's.
    pub fn engine(&self) -> &SyncEngine {
        &self.shared.engine
    }

    /// How messages are read into the store, with the context's signature trust.
    pub fn receiver(&self) -> &Receiver {
        self.shared.engine.receiver()
    }

    /// Every change from now on.
    pub fn changes(&self) -> broadcast::Receiver<Change> {
        self.shared.changes.subscribe()
    }

    pub(crate) fn emit(&self, kind: ChangeKind, account: Option<AccountId>) {
        // No receiver is fine: nobody is watching.
        let _ = self.shared.changes.send(Change { kind, account });
    }

    /// Which signers are PEC providers: the bundled AgID/DigitPA list plus anchors added with
    /// [`Context::add_provider_anchor`]. Never an account's TLS `ca_file`: a CA trusted to reach a
    /// server says nothing about who may certify PEC evidence.
    pub fn trust(&self) -> TrustStore {
        self.receiver().trust()
    }

    /// Trust the CA certificates in `pem` as issuers of PEC provider signatures for this context
    /// (not saved): the sandbox and the tests sign under their own CA. Applies to messages
    /// analysed from now on.
    pub fn add_provider_anchor(&self, pem: &[u8]) -> Result<()> {
        let trust = self
            .trust()
            .with_anchor_pem(pem, AnchorRole::PecProviders)
            .map_err(|e| Error::Invalid(e.to_string()))?;
        self.receiver().set_trust(trust);
        Ok(())
    }

    /// Add (or update) an account; with `verify`, logs in over IMAP and SMTP first and saves
    /// nothing when that fails.
    pub async fn add_account(&self, setup: &AccountSetup, verify: bool) -> Result<AccountId> {
        if verify {
            accounts::verify(setup, accounts::LOGIN_CHECK_TIMEOUT).await?;
        }
        let id = accounts::add_account(self.store(), self.credentials(), setup)?;
        self.emit(ChangeKind::Accounts, None);
        Ok(id)
    }

    /// Remove an account, its messages and its password.
    pub fn remove_account(&self, id: AccountId) -> Result<()> {
        accounts::remove_account(self.store(), self.credentials(), id)?;
        self.emit(ChangeKind::Accounts, None);
        Ok(())
    }

    /// Apply a user's action locally at once (the sync replays it on the server), once the
    /// account's permissions and the folder's rights allow it.
    pub fn apply(&self, message: MessageId, action: Action) -> Result<()> {
        self.apply_all(&[message], action)
    }

    /// [`Context::apply`] to several messages (a selection in a list): all of them or, when one
    /// is refused, none.
    pub fn apply_all(&self, messages: &[MessageId], action: Action) -> Result<()> {
        let touched = accounts::apply_actions(self.store(), messages, action)?;
        for account in touched {
            self.emit(ChangeKind::Messages, Some(account));
        }
        Ok(())
    }

    /// Mark every unread message of `account`'s `view` read (receipts included, hidden or not),
    /// as one [`Context::apply_all`]; how many.
    pub fn mark_all_read(&self, account: AccountId, view: crate::store::View) -> Result<usize> {
        let query = crate::store::ListQuery {
            account: Some(account),
            ..crate::store::ListQuery::new(view)
        };
        let unread = self.store().unread_in(&query)?;
        if !unread.is_empty() {
            self.apply_all(&unread, Action::SetSeen(true))?;
        }
        Ok(unread.len())
    }

    /// Empty the trash or the junk folder for good (here now, on the server at the next sync),
    /// once the account's permissions and the folder's rights allow it; how many went.
    pub fn empty_folder(&self, folder: crate::store::FolderId) -> Result<usize> {
        let (account, emptied) = accounts::empty_folder(self.store(), folder)?;
        self.emit(ChangeKind::Messages, Some(account));
        Ok(emptied)
    }

    /// What [`Context::empty_folder`] would delete: asked before, since it is for good.
    pub fn emptying(&self, folder: crate::store::FolderId) -> Result<crate::store::Emptying> {
        Ok(self.store().emptying(folder)?)
    }

    /// Store `raw` in the account's folder `folder` (server name, or a role word such as
    /// `inbox`; created when missing; the inbox when `None`). Receipts among imported messages
    /// are tracked like synced ones.
    pub fn import(
        &self,
        account: AccountId,
        folder: Option<&str>,
        raw: &[u8],
    ) -> Result<InsertOutcome> {
        let store = self.store();
        store.account(account)?;
        let name = folder.unwrap_or("INBOX");
        let folder = match store.find_folder(account, name)? {
            Some(f) => f.id,
            None => {
                let role = FolderRole::parse(&name.to_ascii_lowercase());
                let name = if role == Some(FolderRole::Inbox) {
                    "INBOX"
                } else {
                    name
                };
                // The account's own hierarchy separator, so the new folder nests like the others.
                let delimiter = store
                    .folders(account)?
                    .into_iter()
                    .find_map(|f| f.delimiter.filter(|d| !d.is_empty()))
                    .unwrap_or_else(|| "/".into());
                store.ensure_folder(account, name, role, Some(&delimiter))?
            }
        };
        let out = self.receiver().import(store, folder, raw)?;
        if out.inserted {
            self.emit(ChangeKind::Messages, Some(account));
        }
        Ok(out)
    }

    /// The message's bytes as received (for the local copy of a PEC sent from here, as
    /// submitted), with its account; `NotDownloaded` while only its headers are here.
    pub fn raw_message(&self, message: MessageId) -> Result<(AccountId, Vec<u8>)> {
        let account = self.store().message(message)?.summary.account_id;
        let raw = self
            .stored_bytes(message)?
            .ok_or_else(|| Error::NotDownloaded(format!("message {message}")))?;
        Ok((account, raw))
    }

    /// The message's bytes kept here: its stored body, else (the local copy of a PEC sent from
    /// here) the file the outbox submitted.
    pub(crate) fn stored_bytes(&self, message: MessageId) -> Result<Option<Vec<u8>>> {
        match self.store().body(message)? {
            Some(raw) => Ok(Some(raw)),
            None => Ok(self.outbox().copy_of(message)?),
        }
    }
}

#[cfg(test)]
impl Context {
    /// Tests: an offline account and a PEC queued from it with `subject`.
    pub(crate) fn queue_sample(&self, subject: &str) -> (AccountId, crate::outbox::Queued) {
        let account = self
            .store()
            .add_account(&crate::accounts::AccountConfig::offline(
                "studio@pec.example",
            ))
            .expect("account");
        let draft = crate::compose::Draft {
            to: vec![crate::compose::Mailbox::new("b@pec.other")],
            subject: subject.into(),
            text: Some("testo".into()),
            ..Default::default()
        };
        (account, self.queue(account, &draft).expect("queue"))
    }
}

/// A usable data directory: not empty, and a tokio runtime to spawn the change forwarding on.
fn checked_dir(data_dir: &Path) -> Result<PathBuf> {
    if data_dir.as_os_str().is_empty() {
        return Err(Error::Invalid("empty data directory".into()));
    }
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(Error::Invalid("Context::open needs a tokio runtime".into()));
    }
    Ok(data_dir.to_path_buf())
}

/// The engine's events as changes: what list, folder and account screens re-read.
fn forward_changes(
    changes: broadcast::Sender<Change>,
) -> impl Fn(SyncEvent) + Send + Sync + 'static {
    move |ev| {
        let emit = |kind, account| {
            let _ = changes.send(Change {
                kind,
                account: Some(account),
            });
        };
        match ev {
            SyncEvent::MessagesChanged { account, .. } => {
                emit(ChangeKind::Messages, account);
                emit(ChangeKind::Delivery, account);
            }
            SyncEvent::CountsChanged { account, .. } => emit(ChangeKind::Folders, account),
            SyncEvent::Quota { account, .. } => emit(ChangeKind::Accounts, account),
            _ => {}
        }
    }
}
