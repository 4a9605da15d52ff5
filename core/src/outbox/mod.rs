//! The persistent outbox: a PEC goes `queued → sending → submitted`, then its recipients follow
//! the receipts (`accepted → delivered | failed | warning`); a permanent refusal is `rejected`.
//!
//! Guarantees:
//! - **Never lost**: [`Outbox::queue`] writes the message file (fsync + rename) and then, in one
//!   transaction, the queue row and a local copy (folder `Outbox`, local only) that the store's
//!   receipt tracking attaches receipts to.
//! - **Never sent twice**: the Message-ID is generated once at queue time and the bytes never
//!   change. Before connecting, the row is claimed as `sending` (compare-and-swap on its state and
//!   attempt count, so two processes never both send it); a row found in `sending`
//!   (crash, lost reply, timeout) has an *unknown* outcome and is only sent again after the server
//!   was checked ([`imap::find_submission`]: an accettazione / non-accettazione carrying the
//!   Message-ID in `X-Riferimento-Message-ID`, or the Sent copy with that Message-ID), and not
//!   before [`OutboxConfig::unknown_grace`] has passed since the attempt (the provider may still be
//!   writing its receipt, or another process may still be in the middle of a slow attempt: see
//!   [`Outbox::effective_grace`]).
//! - **Plain errors**: permanent SMTP refusals become [`SendFailure`]s in the user's words.
//!
//! Submission is in [`smtp`], server checks, the Sent copy, draft upload and receipt polling in
//! [`imap`], the per-recipient timeline in [`status`].

pub mod imap;
pub mod smtp;
mod staged;
pub mod status;
pub use staged::Stage;

pub use status::{EventKind, EventView, RecipientView, SendState, SendStatus};

use crate::accounts::{CredentialError, CredentialStore};
use crate::compose::{self, ComposeError, ComposeWarning, Draft, Mailbox, ProviderPreset};
use crate::store::{AccountId, FolderRole, ImapMeta, ServerFlags, Store, StoreError, now};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Row id of an outbox entry (what `pec send` prints and `pec status` takes).
pub type OutboxId = i64;

/// Name of the local folder holding the copies of queued and sent messages.
pub const OUTBOX_FOLDER: &str = "Outbox";

/// Timing knobs.
#[derive(Debug, Clone)]
pub struct OutboxConfig {
    /// Where message files live (`<data_dir>/outbox/`).
    pub data_dir: PathBuf,
    /// Upper bound for connecting, and for one whole SMTP transaction (lettre's `send` can hang
    /// when the network drops).
    pub smtp_timeout: Duration,
    /// Upper bound for IMAP work (checks, Sent copy, receipt polling).
    pub imap_timeout: Duration,
    /// Wait at least this long after an attempt with unknown outcome before checking the server
    /// and possibly sending again.
    pub unknown_grace: Duration,
    /// First retry delay after a network or temporary error; doubles up to `max_backoff`.
    pub base_backoff: Duration,
    pub max_backoff: Duration,
}

impl OutboxConfig {
    pub fn new(data_dir: impl Into<PathBuf>) -> OutboxConfig {
        OutboxConfig {
            data_dir: data_dir.into(),
            smtp_timeout: Duration::from_secs(120),
            imap_timeout: Duration::from_secs(60),
            unknown_grace: Duration::from_secs(60),
            base_backoff: Duration::from_secs(30),
            max_backoff: Duration::from_secs(30 * 60),
        }
    }
}

/// Why a PEC could not be sent, in the user's words. Stored with the entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SendFailure {
    #[error(
        "the provider refused the sender: {address} is not an address of this account ({detail})"
    )]
    SenderNotOwned { address: String, detail: String },
    #[error("the message is too large for the provider ({detail})")]
    TooLarge { detail: String },
    #[error("the provider refused the user name or password of {address} ({detail})")]
    Auth { address: String, detail: String },
    #[error("the provider refused a recipient ({detail})")]
    Recipient { detail: String },
    #[error(
        "the provider refused the number of recipients ({detail}): send separate messages to fewer recipients"
    )]
    TooManyRecipients { detail: String },
    #[error("the provider refused the message ({detail})")]
    Other { detail: String },
}

impl SendFailure {
    pub fn kind(&self) -> FailureKind {
        match self {
            SendFailure::SenderNotOwned { .. } => FailureKind::Sender,
            SendFailure::TooLarge { .. } => FailureKind::Size,
            SendFailure::Auth { .. } => FailureKind::Auth,
            SendFailure::Recipient { .. } => FailureKind::Recipient,
            SendFailure::TooManyRecipients { .. } => FailureKind::Recipients,
            SendFailure::Other { .. } => FailureKind::Other,
        }
    }
}

/// Why the last attempt of an outbox entry failed (its `error_kind` column): a refusal by the
/// provider (the first six) or a reason it was not submitted and will be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FailureKind {
    /// The login may not send as this address (a delegate without "send").
    Sender,
    Size,
    Auth,
    Recipient,
    Recipients,
    Other,
    /// A temporary (4xx) answer.
    Temporary,
    Tls,
    Network,
    Timeout,
}

impl FailureKind {
    const ALL: [FailureKind; 10] = [
        FailureKind::Sender,
        FailureKind::Size,
        FailureKind::Auth,
        FailureKind::Recipient,
        FailureKind::Recipients,
        FailureKind::Other,
        FailureKind::Temporary,
        FailureKind::Tls,
        FailureKind::Network,
        FailureKind::Timeout,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Sender => "sender",
            FailureKind::Size => "size",
            FailureKind::Auth => "auth",
            FailureKind::Recipient => "recipient",
            FailureKind::Recipients => "recipients",
            FailureKind::Other => "other",
            FailureKind::Temporary => "temporary",
            FailureKind::Tls => "tls",
            FailureKind::Network => "network",
            FailureKind::Timeout => "timeout",
        }
    }

    pub fn parse(s: &str) -> Option<FailureKind> {
        FailureKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl rusqlite::types::ToSql for FailureKind {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

/// A word this version does not know (a newer one wrote it) reads as `Other`: the entry's error
/// text still says what happened.
impl rusqlite::types::FromSql for FailureKind {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        Ok(FailureKind::parse(value.as_str()?).unwrap_or(FailureKind::Other))
    }
}

/// Outbox failures (the message itself is safe in the outbox whenever one of these is returned
/// after [`Outbox::queue`] succeeded).
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error(transparent)]
    Compose(#[from] ComposeError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Credentials(#[from] CredentialError),
    #[error("message file: {0}")]
    Io(String),
    /// The server did not answer in time.
    #[error("{0}")]
    Timeout(String),
    /// Connecting or logging in to IMAP failed, typed as the sync engine types it.
    #[error(transparent)]
    Connect(#[from] crate::sync::SyncError),
    #[error("no outbox entry {0}")]
    NotFound(String),
    /// The account's permissions (a delegate without "send") or the server's rights forbid it.
    #[error("not permitted: {0}")]
    NotPermitted(String),
}

/// `draft` sent by `acct`: PEC's From is the account (= MAIL FROM), with the draft's display name
/// or the account's.
fn from_account(acct: &crate::accounts::Account, draft: &Draft) -> Draft {
    let mut draft = draft.clone();
    let name = draft
        .from
        .take()
        .and_then(|m| m.name)
        .or_else(|| acct.config.display_name.clone());
    draft.from = Some(Mailbox {
        address: acct.config.address.clone(),
        name,
    });
    draft
}

/// [`crate::accounts::require`] for the outbox: what the account may not do is refused before
/// anything is queued.
fn permitted(
    store: &Store,
    account: &crate::accounts::Account,
    operation: crate::accounts::Operation,
) -> Result<(), SendError> {
    crate::accounts::require(store, account, operation).map_err(|e| match e {
        crate::accounts::AccountError::Store(e) => SendError::Store(e),
        other => SendError::NotPermitted(other.to_string()),
    })
}

/// Result of [`Outbox::queue`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Queued {
    pub id: OutboxId,
    pub message_id: String,
    pub warnings: Vec<ComposeWarning>,
}

/// What one [`Outbox::process`] pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProcessReport {
    pub submitted: Vec<OutboxId>,
    /// Found already submitted by a previous attempt (no second send).
    pub recovered: Vec<OutboxId>,
    pub rejected: Vec<OutboxId>,
    /// Network or temporary errors; retried later.
    pub retrying: Vec<OutboxId>,
    /// Outcome unknown, waiting for the grace period before checking the server.
    pub unknown: Vec<OutboxId>,
    /// Entries still waiting (not due yet).
    pub waiting: Vec<OutboxId>,
    pub sent_copies: Vec<OutboxId>,
    pub errors: Vec<String>,
}

/// Where an outbox row stands (its `state` column): the exactly-once protocol's states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutboxState {
    /// Waiting for its next attempt (`next_attempt_at`).
    Queued,
    /// Claimed by an attempt: if found so later, the outcome is unknown until the server is checked.
    Sending,
    /// The provider took it (or a server check proved an earlier attempt did).
    Submitted,
    /// The provider refused it for good; a user's retry queues it again.
    Rejected,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Queued => "queued",
            OutboxState::Sending => "sending",
            OutboxState::Submitted => "submitted",
            OutboxState::Rejected => "rejected",
        }
    }

    /// The column's text; anything else is a damaged row, reported, never taken for a state.
    pub fn parse(s: &str) -> Option<OutboxState> {
        [
            OutboxState::Queued,
            OutboxState::Sending,
            OutboxState::Submitted,
            OutboxState::Rejected,
        ]
        .into_iter()
        .find(|state| state.as_str() == s)
    }
}

impl rusqlite::types::ToSql for OutboxState {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl rusqlite::types::FromSql for OutboxState {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let text = value.as_str()?;
        OutboxState::parse(text).ok_or_else(|| {
            rusqlite::types::FromSqlError::Other(format!("unknown outbox state {text:?}").into())
        })
    }
}

/// One outbox row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxEntry {
    pub id: OutboxId,
    pub account_id: AccountId,
    pub message_row: Option<i64>,
    pub message_id: String,
    pub state: OutboxState,
    pub file: PathBuf,
    pub size: u64,
    pub mail_from: String,
    pub rcpts: Vec<String>,
    pub subject: Option<String>,
    pub receipt_type: String,
    pub attempts: u32,
    pub next_attempt_at: i64,
    pub attempt_started_at: Option<i64>,
    pub error_kind: Option<FailureKind>,
    pub error: Option<String>,
    pub sent_copy: bool,
    pub created_at: i64,
    pub submitted_at: Option<i64>,
}

const ENTRY_COLS: &str = "id, account_id, message_row, message_id, state, file, size, mail_from, rcpts, subject,
    receipt_type, attempts, next_attempt_at, attempt_started_at, error_kind, error, sent_copy, created_at,
    submitted_at";

fn entry_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxEntry> {
    let rcpts: String = r.get(8)?;
    let file: String = r.get(5)?;
    Ok(OutboxEntry {
        id: r.get(0)?,
        account_id: r.get(1)?,
        message_row: r.get(2)?,
        message_id: r.get(3)?,
        state: r.get(4)?,
        file: PathBuf::from(file),
        size: r.get::<_, i64>(6)? as u64,
        mail_from: r.get(7)?,
        rcpts: serde_json::from_str(&rcpts).unwrap_or_default(),
        subject: r.get(9)?,
        receipt_type: r.get(10)?,
        attempts: r.get::<_, i64>(11)? as u32,
        next_attempt_at: r.get(12)?,
        attempt_started_at: r.get(13)?,
        error_kind: r.get(14)?,
        error: r.get(15)?,
        sent_copy: r.get::<_, i64>(16)? != 0,
        created_at: r.get(17)?,
        submitted_at: r.get(18)?,
    })
}

fn event_tx(
    tx: &rusqlite::Transaction<'_>,
    id: OutboxId,
    kind: &str,
    detail: Option<&str>,
) -> crate::store::Result<()> {
    tx.execute(
        "INSERT INTO outbox_events (outbox_id, kind, at, detail) VALUES (?1, ?2, ?3, ?4)",
        params![id, kind, now(), detail],
    )?;
    Ok(())
}

/// The header block of a message (up to the first empty line).
fn header_of(head: &[u8]) -> &[u8] {
    if let Some(pos) = head.windows(4).position(|w| w == b"\r\n\r\n") {
        &head[..pos + 4]
    } else if let Some(pos) = head.windows(2).position(|w| w == b"\n\n") {
        &head[..pos + 2]
    } else {
        head
    }
}

/// Passes a message through to its file, keeping its first 256 KiB (the header block is read
/// from there: the file itself may be sealed) and counting its bytes.
struct Head<W> {
    out: W,
    head: Vec<u8>,
    len: u64,
}

impl<W: std::io::Write> std::io::Write for Head<W> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(data)?;
        let room = (256 * 1024usize).saturating_sub(self.head.len()).min(n);
        self.head.extend_from_slice(&data[..room]);
        self.len += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Build `draft` into `file`: sealed with the store key when the store is encrypted. Returns
/// what the build reports, the message's first bytes and its length.
fn write_message(
    file: &std::fs::File,
    key: Option<&crate::vault::StoreKey>,
    draft: &Draft,
    message_id: &str,
    date: i64,
) -> Result<(compose::BuiltHeader, Vec<u8>, u64), SendError> {
    use std::io::Write;
    let io = |e: std::io::Error| SendError::Io(e.to_string());
    let buffered = std::io::BufWriter::with_capacity(256 * 1024, file);
    let (built, head, len) = match key {
        Some(key) => {
            let sealer = crate::vault::sealed::Sealer::new(key, buffered).map_err(io)?;
            let mut w = Head {
                out: sealer,
                head: Vec::new(),
                len: 0,
            };
            let built = compose::build(draft, message_id, date, &mut w)?;
            w.out.finish().map_err(io)?.flush().map_err(io)?;
            (built, w.head, w.len)
        }
        None => {
            let mut w = Head {
                out: buffered,
                head: Vec::new(),
                len: 0,
            };
            let built = compose::build(draft, message_id, date, &mut w)?;
            w.out.flush().map_err(io)?;
            (built, w.head, w.len)
        }
    };
    file.sync_all().map_err(io)?;
    Ok((built, head, len))
}

/// The sending side of one data directory.
#[derive(Clone)]
pub struct Outbox {
    store: Store,
    cfg: OutboxConfig,
}

impl Outbox {
    pub fn new(store: Store, cfg: OutboxConfig) -> Outbox {
        Outbox { store, cfg }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn config(&self) -> &OutboxConfig {
        &self.cfg
    }

    /// The provider preset of an account: a stored override (setting `send.preset.<id>`, JSON)
    /// or the built-in one for its domain.
    pub fn preset(&self, account: AccountId) -> Result<ProviderPreset, SendError> {
        if let Some(json) = self.store.setting(&format!("send.preset.{account}"))?
            && let Ok(p) = serde_json::from_str::<ProviderPreset>(&json)
        {
            return Ok(p);
        }
        let acct = self.store.account(account)?;
        Ok(ProviderPreset::for_address(&acct.config.address))
    }

    /// Override the preset of an account.
    pub fn set_preset(&self, account: AccountId, preset: &ProviderPreset) -> Result<(), SendError> {
        let json = serde_json::to_string(preset).map_err(|e| SendError::Io(e.to_string()))?;
        self.store
            .set_setting(&format!("send.preset.{account}"), &json)?;
        Ok(())
    }

    /// The compose screen's check of a draft as this account would send it (its address as the
    /// sender, its provider's rules): every problem at once and the size budget.
    pub fn check(
        &self,
        account: AccountId,
        draft: &Draft,
    ) -> Result<compose::ComposeCheck, SendError> {
        let acct = self.store.account(account)?;
        let preset = self.preset(account)?;
        let mut draft = from_account(&acct, draft);
        self.resolve_staged(&mut draft)?;
        Ok(compose::check(&draft, &preset))
    }

    /// Validate, build and persist a PEC. Nothing touches the network. On success the message is
    /// in the outbox and will be sent exactly once by [`Outbox::process`].
    pub fn queue(&self, account: AccountId, draft: &Draft) -> Result<Queued, SendError> {
        self.queue_kept(account, draft, None)
    }

    /// [`Outbox::queue`] a draft written on a compose screen the core keeps (`kept`, see
    /// [`crate::Context::keep_compose`]): the kept copy is deleted in the transaction that queues
    /// the PEC, so a restart can neither lose the message nor offer to send it again.
    pub fn queue_kept(
        &self,
        account: AccountId,
        draft: &Draft,
        kept: Option<i64>,
    ) -> Result<Queued, SendError> {
        let acct = self.store.account(account)?;
        permitted(&self.store, &acct, crate::accounts::Operation::Send)?;
        let preset = self.preset(account)?;
        let mut draft = from_account(&acct, draft);
        self.resolve_staged(&mut draft)?;
        let checked = compose::validate(&draft, &preset)?;
        let message_id = compose::new_message_id(&acct.config.address);
        let dir = self.cfg.data_dir.join("outbox");
        crate::files::create_private_dir(&dir).map_err(|e| SendError::Io(e.to_string()))?;
        let stem: String = message_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = dir.join(format!("{stem}.eml"));
        let tmp =
            tempfile::NamedTempFile::new_in(&dir).map_err(|e| SendError::Io(e.to_string()))?;
        let date = now();
        let key = self.store.file_key()?;
        let (built, head, size) =
            write_message(tmp.as_file(), key.as_deref(), &draft, &message_id, date)?;
        tmp.persist(&path)
            .map_err(|e| SendError::Io(e.to_string()))?;
        crate::files::sync_dir(&dir).map_err(|e| SendError::Io(e.to_string()))?;
        let header = header_of(&head);
        let mut rec = crate::receive::analyze_header(header);
        rec.message_id = Some(message_id.clone());
        rec.preview = draft.text.as_deref().map(|t| t.chars().take(200).collect());
        let rcpts_json =
            serde_json::to_string(&built.recipients).map_err(|e| SendError::Io(e.to_string()))?;
        let subject = draft.subject.clone();
        let receipt = draft.receipt.as_str();
        let file = path.to_string_lossy().into_owned();
        let id = self.store.write(|tx| {
            let folder =
                crate::store::ensure_folder_tx(tx, account, OUTBOX_FOLDER, None, None)?;
            let meta = ImapMeta {
                size,
                internal_date: Some(date),
                flags: ServerFlags {
                    seen: true,
                    ..Default::default()
                },
                ..Default::default()
            };
            let local = crate::store::upsert_message_tx(tx, folder, &meta, &rec, None)?;
            tx.execute(
                "INSERT INTO outbox (account_id, message_row, message_id, state, file, size, mail_from, rcpts,
                    subject, receipt_type, next_attempt_at, created_at)
                 VALUES (?1, ?2, ?3, 'queued', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
                params![
                    account,
                    local.id,
                    message_id,
                    file,
                    size as i64,
                    built.from,
                    rcpts_json,
                    subject,
                    receipt,
                    date
                ],
            )?;
            let id = tx.last_insert_rowid();
            tx.execute(
                "UPDATE messages SET delivery = 'sent' WHERE id = ?1 AND delivery IS NULL",
                [local.id],
            )?;
            event_tx(tx, id, "queued", None)?;
            if let Some(kept) = kept {
                tx.execute("DELETE FROM kept_composes WHERE id = ?1", [kept])?;
            }
            Ok(id)
        });
        match id {
            Ok(id) => Ok(Queued {
                id,
                message_id,
                warnings: checked.warnings,
            }),
            Err(e) => {
                // Not queued: the file must not linger as if it were.
                let _ = std::fs::remove_file(&path);
                Err(e.into())
            }
        }
    }

    /// The bytes of the message queued as the store's row `message` (the local copy of a sent
    /// PEC): the outbox keeps the file it submitted. `None` for any other row.
    pub fn copy_of(&self, message: crate::store::MessageId) -> Result<Option<Vec<u8>>, SendError> {
        let file: Option<String> = self.store.read(|c| {
            Ok(c.query_row(
                "SELECT file FROM outbox WHERE message_row = ?1",
                [message],
                |r| r.get(0),
            )
            .optional()?)
        })?;
        let Some(file) = file else { return Ok(None) };
        self.read_message_file(Path::new(&file)).map(Some)
    }

    /// The bytes of a queued message's file, opened with the store key when sealed.
    pub(crate) fn read_message_file(&self, file: &Path) -> Result<Vec<u8>, SendError> {
        let key = self.store.file_key()?;
        crate::vault::sealed::read_file(file, key.as_deref(), crate::limits::MAX_MESSAGE_FILE_BYTES)
            .map_err(|e| SendError::Io(format!("{}: {e}", file.display())))
    }

    /// Seal with the store key every message file still in plain text (queued before the store
    /// was encrypted). Each file is replaced atomically, so a crash leaves it plain or sealed,
    /// and both read. Returns how many were sealed; nothing to do on a plain store.
    pub fn seal_plain_files(&self) -> Result<usize, SendError> {
        let Some(key) = self.store.file_key()? else {
            return Ok(0);
        };
        let files: Vec<String> = self.store.read(|c| {
            let mut st = c.prepare("SELECT file FROM outbox")?;
            let rows = st.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        let io = |e: std::io::Error| SendError::Io(e.to_string());
        let mut sealed = 0;
        for file in files.iter().map(Path::new) {
            let raw = match crate::files::read_capped(file, crate::limits::MAX_MESSAGE_FILE_BYTES) {
                Ok(raw) if !crate::vault::sealed::is_sealed(&raw) => raw,
                _ => continue,
            };
            crate::vault::sealed::seal_in_place(file, &key, &raw).map_err(io)?;
            sealed += 1;
        }
        Ok(sealed)
    }

    /// [`Outbox::read_message_file`] off the async runtime's threads.
    pub(crate) async fn read_message_file_async(&self, file: &Path) -> Result<Vec<u8>, SendError> {
        let outbox = self.clone();
        let file = file.to_path_buf();
        tokio::task::spawn_blocking(move || outbox.read_message_file(&file))
            .await
            .map_err(|e| SendError::Io(e.to_string()))?
    }

    /// One entry.
    pub fn entry(&self, id: OutboxId) -> Result<OutboxEntry, SendError> {
        self.store
            .read(|c| {
                Ok(c.query_row(
                    &format!("SELECT {ENTRY_COLS} FROM outbox WHERE id = ?1"),
                    [id],
                    entry_from_row,
                )
                .optional()?)
            })?
            .ok_or_else(|| SendError::NotFound(id.to_string()))
    }

    /// Entries of an account, newest first.
    pub fn entries(&self, account: AccountId) -> Result<Vec<OutboxEntry>, SendError> {
        Ok(self.store.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {ENTRY_COLS} FROM outbox WHERE account_id = ?1 ORDER BY id DESC"
            ))?;
            Ok(st
                .query_map([account], entry_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })?)
    }

    /// Find an entry by its number or its Message-ID (with or without angle brackets).
    pub fn find(&self, key: &str) -> Result<OutboxId, SendError> {
        let key = key.trim();
        if let Ok(n) = key.parse::<i64>()
            && self.entry(n).is_ok()
        {
            return Ok(n);
        }
        let mid = key
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_string();
        self.store
            .read(|c| {
                Ok(
                    c.query_row("SELECT id FROM outbox WHERE message_id = ?1", [&mid], |r| {
                        r.get(0)
                    })
                    .optional()?,
                )
            })?
            .ok_or_else(|| SendError::NotFound(key.to_string()))
    }

    /// Put a rejected entry back in the queue (after the user fixed the password, say).
    pub fn retry(&self, id: OutboxId) -> Result<(), SendError> {
        // Only from `rejected`: a queued/sending/submitted entry is never re-sent by hand.
        self.store.write(|tx| {
            let n = tx.execute(
                "UPDATE outbox SET state = 'queued', next_attempt_at = ?2, error = NULL, error_kind = NULL
                 WHERE id = ?1 AND state = 'rejected'",
                params![id, now()],
            )?;
            if n == 1 {
                event_tx(tx, id, "retry", Some("requested by the user"))?;
            }
            Ok(())
        })?;
        Ok(())
    }

    /// Move entry `id` from (`from`, `attempts`) to `state`, recording `event`; a no-op returning
    /// `false` when another process changed the entry meanwhile (compare-and-swap: two processes
    /// never both own an attempt).
    #[allow(clippy::too_many_arguments)]
    fn transition(
        &self,
        id: OutboxId,
        from: OutboxState,
        attempts: u32,
        state: OutboxState,
        event: &str,
        detail: Option<&str>,
        extra: impl FnOnce(&rusqlite::Transaction<'_>) -> crate::store::Result<()>,
    ) -> Result<bool, SendError> {
        Ok(self.store.write(|tx| {
            let n = tx.execute(
                "UPDATE outbox SET state = ?2 WHERE id = ?1 AND state = ?3 AND attempts = ?4",
                params![id, state, from, attempts],
            )?;
            if n != 1 {
                return Ok(false);
            }
            extra(tx)?;
            event_tx(tx, id, event, detail)?;
            Ok(true)
        })?)
    }

    /// How long an attempt with unknown outcome is left alone: never less than one whole attempt
    /// (`smtp_timeout`) plus the provider's processing time, so a slow but live attempt in another
    /// process is never taken for a dead one.
    pub fn effective_grace(&self) -> Duration {
        self.cfg
            .unknown_grace
            .max(self.cfg.smtp_timeout + Duration::from_secs(5))
    }

    fn backoff(&self, attempts: u32) -> i64 {
        let base = self.cfg.base_backoff.as_secs().max(1);
        let exp = attempts.saturating_sub(1).min(16);
        let d = base.saturating_mul(1u64 << exp);
        d.min(self.cfg.max_backoff.as_secs().max(base)) as i64
    }

    /// Send what is due for `account`: first settle attempts whose outcome is unknown (checking
    /// the server), then submit due entries, then store missing Sent copies.
    pub async fn process(
        &self,
        account: AccountId,
        creds: &dyn CredentialStore,
    ) -> Result<ProcessReport, SendError> {
        let acct = self.store.account(account)?;
        let password = creds.get(&acct.login)?;
        let preset = self.preset(account)?;
        let mut report = ProcessReport::default();
        let entries: Vec<OutboxEntry> = self
            .entries(account)?
            .into_iter()
            .rev()
            .filter(|e| {
                e.state == OutboxState::Sending
                    || e.state == OutboxState::Queued
                    || (e.state == OutboxState::Submitted && !e.sent_copy)
            })
            .collect();
        let t = now();
        for e in entries {
            match e.state {
                OutboxState::Sending => {
                    let started = e.attempt_started_at.unwrap_or(0);
                    if t - started < self.effective_grace().as_secs() as i64 {
                        report.unknown.push(e.id);
                        continue;
                    }
                    match imap::find_submission(
                        &acct,
                        &password,
                        &e.message_id,
                        self.cfg.imap_timeout,
                    )
                    .await
                    {
                        Ok(Some(found)) => {
                            self.transition(
                                e.id,
                                OutboxState::Sending,
                                e.attempts,
                                OutboxState::Submitted,
                                "recovered",
                                Some(&found.describe()),
                                |tx| {
                                    tx.execute(
                                    "UPDATE outbox SET submitted_at = COALESCE(submitted_at, ?2),
                                        sent_copy = MAX(sent_copy, ?3) WHERE id = ?1",
                                    params![e.id, started, found.in_sent as i64],
                                )?;
                                    Ok(())
                                },
                            )?;
                            report.recovered.push(e.id);
                        }
                        Ok(None) => {
                            let requeued = self.transition(
                                e.id,
                                OutboxState::Sending,
                                e.attempts,
                                OutboxState::Queued,
                                "retry",
                                Some("the previous attempt did not reach the provider"),
                                |tx| {
                                    tx.execute(
                                        "UPDATE outbox SET next_attempt_at = ?2 WHERE id = ?1",
                                        params![e.id, t],
                                    )?;
                                    Ok(())
                                },
                            )?;
                            if requeued {
                                self.submit_one(&acct, &password, e.id, &mut report).await?;
                            }
                        }
                        Err(err) => {
                            report.unknown.push(e.id);
                            report.errors.push(format!("{}: {err}", e.id));
                        }
                    }
                }
                OutboxState::Queued => {
                    if e.next_attempt_at > t {
                        report.waiting.push(e.id);
                        continue;
                    }
                    self.submit_one(&acct, &password, e.id, &mut report).await?;
                }
                _ => {}
            }
        }
        // Sent copies (when the provider does not keep one).
        let pending_copies: Vec<OutboxEntry> = self
            .entries(account)?
            .into_iter()
            .filter(|e| e.state == OutboxState::Submitted && !e.sent_copy)
            .collect();
        for e in pending_copies {
            if preset.provider_saves_sent {
                self.store.write(|tx| {
                    tx.execute("UPDATE outbox SET sent_copy = 1 WHERE id = ?1", [e.id])?;
                    Ok(())
                })?;
                continue;
            }
            let copied = match self.read_message_file_async(&e.file).await {
                Ok(raw) => {
                    let limit = self.cfg.imap_timeout;
                    imap::store_sent_copy(&acct, &password, &e.message_id, &raw, limit).await
                }
                Err(err) => Err(err),
            };
            match copied {
                Ok(folder) => {
                    self.store.write(|tx| {
                        tx.execute("UPDATE outbox SET sent_copy = 1 WHERE id = ?1", [e.id])?;
                        event_tx(tx, e.id, "sent-copy", Some(&folder))?;
                        Ok(())
                    })?;
                    report.sent_copies.push(e.id);
                }
                Err(err) => report.errors.push(format!("{}: Sent copy: {err}", e.id)),
            }
        }
        Ok(report)
    }

    async fn submit_one(
        &self,
        acct: &crate::accounts::Account,
        password: &str,
        id: OutboxId,
        report: &mut ProcessReport,
    ) -> Result<(), SendError> {
        let e = self.entry(id)?;
        // Claim the attempt before touching the network: from here on a crash leaves `sending`
        // (unknown outcome, settled by the server check), and no other process can claim it.
        let claimed = self.transition(
            id,
            OutboxState::Queued,
            e.attempts,
            OutboxState::Sending,
            "sending",
            None,
            |tx| {
                tx.execute(
                "UPDATE outbox SET attempts = attempts + 1, attempt_started_at = ?2 WHERE id = ?1",
                params![id, now()],
            )?;
                Ok(())
            },
        )?;
        if !claimed {
            return Ok(());
        }
        let mine = e.attempts + 1;
        let outcome = smtp::submit(self, acct, password, &e).await;
        let t = now();
        match outcome {
            smtp::Outcome::Submitted(reply) => {
                self.transition(id, OutboxState::Sending, mine, OutboxState::Submitted, "submitted", Some(&reply), |tx| {
                    tx.execute(
                        "UPDATE outbox SET submitted_at = ?2, error = NULL, error_kind = NULL WHERE id = ?1",
                        params![id, t],
                    )?;
                    Ok(())
                })?;
                report.submitted.push(id);
            }
            smtp::Outcome::Rejected(f) => {
                let msg = f.to_string();
                self.transition(
                    id,
                    OutboxState::Sending,
                    mine,
                    OutboxState::Rejected,
                    "rejected",
                    Some(&msg),
                    |tx| {
                        tx.execute(
                            "UPDATE outbox SET error_kind = ?2, error = ?3 WHERE id = ?1",
                            params![id, f.kind(), msg],
                        )?;
                        Ok(())
                    },
                )?;
                report.rejected.push(id);
            }
            smtp::Outcome::NotSent { kind, detail } => {
                // Definitely not submitted (connection, TLS, 4xx): back in the queue with backoff.
                let next = t + self.backoff(mine);
                self.transition(id, OutboxState::Sending, mine, OutboxState::Queued, "retry", Some(&detail), |tx| {
                    tx.execute(
                        "UPDATE outbox SET next_attempt_at = ?2, error_kind = ?3, error = ?4 WHERE id = ?1",
                        params![id, next, kind, detail],
                    )?;
                    Ok(())
                })?;
                report.retrying.push(id);
            }
            smtp::Outcome::Unknown(detail) => {
                // Left in 'sending': settled by the server check after the grace period.
                self.store.write(|tx| {
                    tx.execute(
                        "UPDATE outbox SET error_kind = 'network', error = ?2
                         WHERE id = ?1 AND state = 'sending' AND attempts = ?3",
                        params![id, detail, mine],
                    )?;
                    event_tx(tx, id, "unknown", Some(&detail))?;
                    Ok(())
                })?;
                report.unknown.push(id);
            }
        }
        Ok(())
    }

    /// The per-recipient timeline of an entry.
    pub fn status(&self, id: OutboxId) -> Result<SendStatus, SendError> {
        status::status(self, id)
    }

    /// Save a draft on the server (IMAP Drafts folder, `\Draft`). Returns the folder name.
    pub async fn save_draft_to_server(
        &self,
        account: AccountId,
        creds: &dyn CredentialStore,
        draft: &Draft,
    ) -> Result<String, SendError> {
        let acct = self.store.account(account)?;
        let password = creds.get(&acct.login)?;
        let mut d = draft.clone();
        self.resolve_staged(&mut d)?;
        if d.from.is_none() {
            d.from = Some(Mailbox::new(acct.config.address.clone()));
        }
        let mut raw = Vec::new();
        let mid = compose::new_message_id(&acct.config.address);
        compose::build::build_draft(&d, &mid, now(), &mut raw)?;
        imap::append_with_role(
            &acct,
            &password,
            FolderRole::Drafts,
            "\\Draft \\Seen",
            &raw,
            self.cfg.imap_timeout,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::{Draft, Mailbox};

    #[test]
    fn states_round_trip_and_a_damaged_row_is_an_error_not_a_state() {
        for state in [
            OutboxState::Queued,
            OutboxState::Sending,
            OutboxState::Submitted,
            OutboxState::Rejected,
        ] {
            assert_eq!(OutboxState::parse(state.as_str()), Some(state));
        }
        assert_eq!(OutboxState::parse("delivered"), None);

        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        let account = store
            .add_account(&crate::accounts::AccountConfig::offline("me@pec.example"))
            .unwrap();
        let outbox = Outbox::new(store.clone(), OutboxConfig::new(dir.path()));
        let draft = Draft {
            to: vec![Mailbox::new("te@pec.example")],
            subject: "prova".into(),
            text: Some("testo".into()),
            ..Default::default()
        };
        let id = outbox.queue(account, &draft).unwrap().id;
        assert_eq!(outbox.entry(id).unwrap().state, OutboxState::Queued);
        store
            .write(|tx| {
                tx.execute("UPDATE outbox SET state = 'consegnato' WHERE id = ?1", [id])?;
                Ok(())
            })
            .unwrap();
        // Read as any state, a damaged row could make an unsent PEC look sent.
        assert!(outbox.entry(id).is_err());
        assert!(outbox.status(id).is_err());
    }
}
