//! The offline store: one SQLite database per data directory (WAL, one writer, several readers).
//!
//! - [`Store::open`] runs the numbered migrations (`core/migrations/NNNN_*.sql`).
//! - Writes go through [`Store::write`], always one transaction; a kill at any point leaves the
//!   previous committed state.
//! - Reads go through [`Store::read`] on read-only connections (a small pool).
//! - From async code use [`Store::run`], which moves the blocking work to `spawn_blocking`.
//!
//! Persistence only: what to write comes as [`MessageRecord`]s from [`crate::receive`].
//!
//! Rooms: [`record`] (what is written for a message), `messages` (insert/update/flags), `receipts` (PEC
//! receipt tracking), `query` (lists, detail, virtual folders), `search` (FTS5), `actions` (queued
//! local changes replayed by the sync).

mod actions;
mod address_books;
mod body_files;
mod contacts;
pub(crate) use contacts::{contacts_state, read_contact};
mod keyed;
pub mod keyword;
mod messages;
mod parts;
mod query;
mod receipts;
pub mod record;
pub mod recover;
pub mod rekey;
mod rights;
mod search;

pub use crate::message::Kind;
pub use actions::{Action, ActionKind, Emptying, QueuedAction};
pub use messages::{INVOICE_BODY_CAP, ImapMeta, InsertOutcome, ServerFlags};
pub use parts::PartProgress;
pub use record::{AttachmentRecord, InvoiceRecord, MessageRecord, RecipientRecord};
// The outbox writes its local copy in the same transaction as its queue row.
pub(crate) use messages::{ensure_folder_tx, upsert_message_tx};
pub use query::{
    DeliveryState, DeliverySummary, Folder, FolderRole, InvoiceListItem, InvoiceRow, ListQuery,
    MessageDetail, MessageSummary, ReceiptInfo, RecipientState, View,
};
pub use search::SearchQuery;

use crate::vault::StoreKey;
use rusqlite::{Connection, OpenFlags, Transaction};
use rusqlite_migration::{M, Migrations};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// Row id of a message in the store (stable while the message stays in its folder).
pub type MessageId = i64;
/// Row id of an account.
pub type AccountId = i64;
/// Row id of a folder.
pub type FolderId = i64;

/// Store failures.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(rusqlite::Error),
    #[error("migration: {0}")]
    Migration(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("invalid: {0}")]
    Invalid(String),
    #[error("background task failed: {0}")]
    Task(String),
    /// The app is locked: nothing was read or changed; unlock and try again.
    #[error("the store is locked")]
    Locked,
    /// The store is encrypted and was opened without its key.
    #[error("the store is encrypted: unlock it with its key")]
    KeyNeeded,
    /// The key does not open the store (or the store's first page is damaged); nothing changed.
    #[error("wrong key or passphrase: the store was not changed")]
    WrongKey,
    /// A key was given for a store that is not encrypted yet.
    #[error("the store is not encrypted yet: encrypt it first")]
    NotEncrypted,
    /// The store file is damaged (cut short or altered).
    #[error("the store file is damaged: {0}")]
    Damaged(String),
    /// The user's rights on the folder (ACL MYRIGHTS) do not allow the action: refused before
    /// anything changes locally or is queued.
    #[error(
        "not allowed in {folder}: {action} needs the \"{right}\" right (you have \"{rights}\")"
    )]
    Forbidden {
        folder: String,
        action: String,
        right: char,
        rights: String,
    },
}

/// A page that fails its checksum (SQLCipher's HMAC) or SQLite's own checks is damage, not a
/// passing database error: the shells offer a resync for it.
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match &e {
            rusqlite::Error::SqliteFailure(f, _)
                if matches!(
                    f.code,
                    rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase
                ) =>
            {
                StoreError::Damaged(e.to_string())
            }
            _ => StoreError::Sqlite(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Default cap for cached raw bodies (bytes); the oldest accessed are evicted beyond it.
pub const DEFAULT_BODY_CACHE_CAP: u64 = 2 * 1024 * 1024 * 1024;

/// Default cap for downloaded single parts (bytes as fetched); least recently used go beyond it.
pub const DEFAULT_PART_CACHE_CAP: u64 = 1024 * 1024 * 1024;

/// The schema's migrations in order, one file each under `core/migrations/` (a test checks that
/// every file there is listed). A new one is added at the end, never in between.
const MIGRATION_SQL: &[&str] = &[
    include_str!("../../migrations/0001_store.sql"),
    include_str!("../../migrations/0002_outbox.sql"),
    include_str!("../../migrations/0003_account_login.sql"),
    include_str!("../../migrations/0004_part_downloads.sql"),
    include_str!("../../migrations/0005_invoice_fields.sql"),
    include_str!("../../migrations/0006_fts_vocab.sql"),
    include_str!("../../migrations/0007_receipt_certified.sql"),
    include_str!("../../migrations/0008_list_order_and_counts.sql"),
    include_str!("../../migrations/0009_labels_by_label.sql"),
    include_str!("../../migrations/0010_secrets.sql"),
    include_str!("../../migrations/0011_contacts.sql"),
    include_str!("../../migrations/0012_address_books.sql"),
    include_str!("../../migrations/0013_body_files.sql"),
    include_str!("../../migrations/0014_fts_automerge.sql"),
    include_str!("../../migrations/0015_contacts_by_name.sql"),
    include_str!("../../migrations/0016_kept_composes.sql"),
    include_str!("../../migrations/0017_templates.sql"),
    include_str!("../../migrations/0018_undelivered.sql"),
];

/// How many migrations there are (the schema version of an up-to-date store).
const MIGRATIONS: usize = MIGRATION_SQL.len();

fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATION_SQL.iter().map(|sql| M::up(sql)).collect())
}

/// Field order matters: fields drop in declaration order, so the read-only connections close
/// before the writer. The last connection to close checkpoints the WAL and deletes it, and only the
/// writer can; had a reader closed last, the WAL would stay behind and the next process to open
/// the store would have to read all of it back (tens of ms after a large sync) before its first
/// query.
struct Inner {
    path: PathBuf,
    readers: Mutex<Vec<Connection>>,
    /// `None` while locked: no connection and no key.
    open: Mutex<Option<keyed::Open>>,
    /// Bumped at every lock, so a read connection opened before it is not pooled after it.
    generation: std::sync::atomic::AtomicU64,
    body_cap: std::sync::atomic::AtomicU64,
    part_cap: std::sync::atomic::AtomicU64,
    /// Set once this process has looked for body files no row names (see [`body_files`]).
    bodies_swept: std::sync::atomic::AtomicBool,
}

/// Handle to the store; cheap to clone, shareable across threads.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The writer's page cache (KiB). It holds what a sync's transactions touch: rows, indexes and
/// the full-text segments being merged (bodies are files). 4 MB instead of the readers' 16 keeps
/// 12 MB off a full sync's peak at no measured CPU cost (docs/performance.md); the readers keep
/// theirs for the lists and the search.
const WRITER_CACHE_KIB: i64 = 4_000;

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(Duration::from_secs(30))?;
    conn.pragma_update(None, "foreign_keys", "on")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "temp_store", "memory")?;
    conn.pragma_update(None, "cache_size", -16_000)?;
    // Every per-message statement of the ingest path is prepared once per connection (compiling
    // SQL was a fifth of the sync's CPU time); room for all of them.
    conn.set_prepared_statement_cache_capacity(128);
    Ok(())
}

/// `execute` / `query_row` through the connection's statement cache: the ingest path runs the
/// same dozen statements for every message, and `Connection::execute` compiles its SQL each time.
pub(crate) trait CachedExt {
    fn exec<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize>;
    fn row<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>;
}

impl CachedExt for Connection {
    fn exec<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }
    fn row<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    {
        self.prepare_cached(sql)?.query_row(params, f)
    }
}

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl Store {
    /// Open (creating if needed) the unencrypted database at `path` and bring its schema up to
    /// date.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        Store::open_with(path, None)
    }

    /// Open (creating if needed) the database at `path`, encrypted with `key` when there is one,
    /// and bring its schema up to date. An encrypted store opened without a key, a plain one with
    /// a key, a wrong key or a damaged file are typed errors, and nothing is written then.
    pub fn open_with(path: impl AsRef<Path>, key: Option<StoreKey>) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        let mut open = keyed::open_writer(&path, key)?;
        migrations()
            .to_latest(&mut open.writer)
            .map_err(|e| StoreError::Migration(e.to_string()))?;
        open.load_files_key()?;
        let store = Store {
            inner: Arc::new(Inner {
                path,
                readers: Mutex::new(Vec::new()),
                open: Mutex::new(Some(open)),
                generation: std::sync::atomic::AtomicU64::new(0),
                body_cap: std::sync::atomic::AtomicU64::new(DEFAULT_BODY_CACHE_CAP),
                part_cap: std::sync::atomic::AtomicU64::new(DEFAULT_PART_CACHE_CAP),
                bodies_swept: std::sync::atomic::AtomicBool::new(false),
            }),
        };
        store.seal_plain_bodies()?;
        Ok(store)
    }

    /// Lock: close every connection and drop the key (zeroed). Reads and writes then fail with
    /// [`StoreError::Locked`] until [`Store::unlock`]; every clone of this handle is locked too.
    pub fn lock(&self) {
        let mut open = lock(&self.inner.open);
        self.inner
            .generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        lock(&self.inner.readers).clear();
        *open = None;
    }

    /// Unlock with `key`. A wrong key leaves the store locked and unchanged. Unlocking an unlocked
    /// store checks the key against the one in use.
    pub fn unlock(&self, key: Option<StoreKey>) -> Result<()> {
        let mut open = lock(&self.inner.open);
        if let Some(current) = open.as_ref() {
            return match (&current.key, &key) {
                (Some(a), Some(b)) if **a == *b => Ok(()),
                (None, None) => Ok(()),
                (Some(_), _) => Err(StoreError::WrongKey),
                (None, Some(_)) => Err(StoreError::NotEncrypted),
            };
        }
        let mut opened = keyed::open_writer(&self.inner.path, key)?;
        let version: i64 = opened
            .writer
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version != MIGRATIONS as i64 {
            return Err(StoreError::Migration(format!(
                "the store changed while locked (schema {version})"
            )));
        }
        opened.load_files_key()?;
        *open = Some(opened);
        drop(open);
        self.seal_plain_bodies()
    }

    /// True while unlocked.
    pub fn is_unlocked(&self) -> bool {
        lock(&self.inner.open).is_some()
    }

    /// True when the store is encrypted (SQLCipher) rather than a plain SQLite file.
    pub fn is_encrypted(&self) -> Result<bool> {
        let open = lock(&self.inner.open);
        Ok(open.as_ref().ok_or(StoreError::Locked)?.key.is_some())
    }

    /// A copy of the key the store is opened with (`None` for a plain store), for a rekey.
    pub(crate) fn key_copy(&self) -> Result<Option<StoreKey>> {
        let open = lock(&self.inner.open);
        let open = open.as_ref().ok_or(StoreError::Locked)?;
        Ok(open.key.as_ref().map(|k| k.duplicate()))
    }

    /// The key files beside the store are sealed with (`None` for a plain store): a random key
    /// kept inside the encrypted store, so a rekey of the store leaves those files as they are.
    pub(crate) fn file_key(&self) -> Result<Option<Arc<StoreKey>>> {
        let open = lock(&self.inner.open);
        Ok(open.as_ref().ok_or(StoreError::Locked)?.files_key.clone())
    }

    /// Open `<data_dir>/store.sqlite` encrypted with `key`.
    pub fn open_in_with(data_dir: impl AsRef<Path>, key: StoreKey) -> Result<Store> {
        Store::open_with(data_dir.as_ref().join("store.sqlite"), Some(key))
    }

    /// Open `<data_dir>/store.sqlite`.
    pub fn open_in(data_dir: impl AsRef<Path>) -> Result<Store> {
        Store::open(data_dir.as_ref().join("store.sqlite"))
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Cap the raw-body cache (bytes). Takes effect at the next body write.
    pub fn set_body_cache_cap(&self, bytes: u64) {
        self.inner
            .body_cap
            .store(bytes, std::sync::atomic::Ordering::Relaxed);
    }

    /// Cap the downloaded-parts cache (bytes). Applied whenever a part download completes.
    pub fn set_part_cache_cap(&self, bytes: u64) {
        self.inner
            .part_cap
            .store(bytes, std::sync::atomic::Ordering::Relaxed);
    }

    pub(crate) fn part_cap(&self) -> u64 {
        self.inner
            .part_cap
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(crate) fn body_cap(&self) -> u64 {
        self.inner
            .body_cap
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Run `f` in one write transaction (committed when `f` returns `Ok`).
    pub fn write<R>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<R>) -> Result<R> {
        let mut open = lock(&self.inner.open);
        let conn = &mut open.as_mut().ok_or(StoreError::Locked)?.writer;
        let done = (|| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let r = f(&tx)?;
            tx.commit()?;
            Ok(r)
        })();
        let r = done.map_err(|e| keyed::damaged_or(conn, e))?;
        if let Err(e) = body_files::drain_trash(conn, &self.body_dir()) {
            // The names stay in the trash for the next commit to try again.
            tracing::warn!("removing the files of deleted bodies: {e}");
        }
        Ok(r)
    }

    /// Run `f` in one write transaction that may cache bodies as files: the files a failed
    /// transaction wrote are removed with it.
    pub(crate) fn write_with_bodies<R>(
        &self,
        f: impl FnOnce(&Transaction<'_>, &body_files::BodyWrites) -> Result<R>,
    ) -> Result<R> {
        let files = body_files::BodyWrites::new(self.body_dir(), self.file_key()?)?;
        let r = self.write(|tx| f(tx, &files));
        files.settle(&r);
        r
    }

    pub(crate) fn body_dir(&self) -> PathBuf {
        body_files::dir_of(&self.inner.path)
    }

    /// Seal the body files written while the store was plain, once it is encrypted (at open and
    /// unlock; one indexed read when there are none).
    fn seal_plain_bodies(&self) -> Result<()> {
        let Some(key) = self.file_key()? else {
            return Ok(());
        };
        let any: bool = {
            let open = lock(&self.inner.open);
            let writer = &open.as_ref().ok_or(StoreError::Locked)?.writer;
            writer.query_row(
                "SELECT EXISTS (SELECT 1 FROM bodies WHERE file IS NOT NULL AND sealed = 0)",
                [],
                |r| r.get(0),
            )?
        };
        if !any {
            return Ok(());
        }
        let dir = self.body_dir();
        let sealed = self.write(|tx| body_files::seal_plain_tx(tx, &dir, &key))?;
        if sealed > 0 {
            tracing::info!("sealed {sealed} body files written before the store was encrypted");
        }
        Ok(())
    }

    /// The first time in this process: remove the body files no row names (a process killed
    /// between writing a body file and committing its row leaves one). The sync calls it after
    /// a pass, off the path to the first rows.
    pub(crate) fn sweep_orphan_bodies_once(&self) -> Result<usize> {
        use std::sync::atomic::Ordering;
        if self.inner.bodies_swept.load(Ordering::SeqCst) {
            return Ok(0);
        }
        // In a write transaction: another process writing bodies holds the write lock from
        // its first file to its commit, so no file of a transaction in flight is taken.
        let dir = self.body_dir();
        let removed = self.write(|tx| body_files::sweep_orphans(tx, &dir))?;
        self.inner.bodies_swept.store(true, Ordering::SeqCst);
        Ok(removed)
    }

    /// Run `f` on a read-only connection.
    pub fn read<R>(&self, f: impl FnOnce(&Connection) -> Result<R>) -> Result<R> {
        use std::sync::atomic::Ordering;
        let generation = self.inner.generation.load(Ordering::SeqCst);
        let pooled = lock(&self.inner.readers).pop();
        let conn = match pooled {
            Some(c) => c,
            None => self.new_reader()?,
        };
        let r = f(&conn).map_err(|e| keyed::damaged_or(&conn, e));
        let mut pool = lock(&self.inner.readers);
        if pool.len() < 4 && self.inner.generation.load(Ordering::SeqCst) == generation {
            pool.push(conn);
        }
        r
    }

    fn new_reader(&self) -> Result<Connection> {
        let open = lock(&self.inner.open);
        let open = open.as_ref().ok_or(StoreError::Locked)?;
        let c = Connection::open_with_flags(
            &self.inner.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        if let Some(key) = &open.key {
            keyed::apply_key(&c, key)?;
        }
        configure(&c)?;
        c.pragma_update(None, "query_only", "1")?;
        Ok(c)
    }

    /// Run blocking store work from async code without blocking the runtime's threads.
    pub async fn run<R, F>(&self, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&Store) -> Result<R> + Send + 'static,
    {
        let store = self.clone();
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|e| StoreError::Task(e.to_string()))?
    }

    /// A setting (free-form key/value), e.g. UI preferences.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        self.read(|c| {
            Ok(
                c.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                    r.get(0)
                })
                .ok(),
            )
        })
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, value],
            )?;
            Ok(())
        })
    }

    /// `PRAGMA integrity_check` + foreign key check; used by the crash tests.
    pub fn check_integrity(&self) -> Result<()> {
        self.read(|c| {
            let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
            if ok != "ok" {
                return Err(StoreError::Invalid(ok));
            }
            let mut st = c.prepare("PRAGMA foreign_key_check")?;
            let mut rows = st.query([])?;
            if rows.next()?.is_some() {
                return Err(StoreError::Invalid("foreign key violation".into()));
            }
            let files = body_files::audit(c, &self.body_dir())?;
            match files.missing.first() {
                Some(name) => Err(StoreError::Invalid(format!(
                    "{} cached bodies have no file (first: {name})",
                    files.missing.len()
                ))),
                None => Ok(()),
            }
        })
    }

    /// How many files of the body folder no row names (0 once a sync pass has swept them).
    pub fn unnamed_body_files(&self) -> Result<usize> {
        self.read(|c| Ok(body_files::audit(c, &self.body_dir())?.unnamed.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file of `core/migrations/` is a migration, listed once, in the order of its number;
    /// and a fresh store is at the version their count gives.
    #[test]
    fn every_migration_file_is_listed_in_order() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .expect("migrations directory")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        names.sort();
        let listed: Vec<String> = names
            .iter()
            .map(|n| std::fs::read_to_string(dir.join(n)).expect("read"))
            .collect();
        assert_eq!(MIGRATION_SQL, listed.as_slice(), "files: {names:?}");
        for (i, n) in names.iter().enumerate() {
            assert!(
                n.starts_with(&format!("{:04}_", i + 1)),
                "{n} is not number {}",
                i + 1
            );
        }
        let dir = tempfile::tempdir().expect("tmp");
        let store = Store::open_in(dir.path()).expect("open");
        let version: i64 = store
            .read(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?))
            .expect("version");
        assert_eq!(version, MIGRATIONS as i64);
    }

    /// SQLite is built without memory statistics (`.cargo/config.toml`): with them, every
    /// allocation of the writer takes a global mutex.
    #[test]
    fn sqlite_keeps_no_memory_statistics() {
        let conn = Connection::open_in_memory().expect("open");
        let options: Vec<String> = conn
            .prepare("PRAGMA compile_options")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .expect("compile options");
        assert!(
            options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
            "{options:?}"
        );
    }

    /// Closing the store leaves no WAL behind, even when read connections were open: the next
    /// process starts without replaying it.
    #[test]
    fn closing_leaves_no_wal() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = Store::open_in(dir.path()).expect("open");
        store.set_setting("k", "v").expect("write");
        assert_eq!(store.setting("k").expect("read").as_deref(), Some("v"));
        drop(store);
        let wal = dir.path().join("store.sqlite-wal");
        let left = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        assert_eq!(left, 0, "{} left with {left} bytes", wal.display());
    }

    fn holds(path: &Path, needle: &[u8]) -> bool {
        ["", "-wal"].iter().any(|suffix| {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            std::fs::read(p).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle))
        })
    }

    #[test]
    fn an_encrypted_store_shows_no_byte_and_opens_only_with_its_key() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("data/store.sqlite");
        let key = StoreKey::generate().unwrap();
        let store = Store::open_with(&path, Some(key.duplicate())).expect("open");
        store
            .set_setting("subject", "Fattura Rossi 2026/117")
            .unwrap();
        assert_eq!(
            store
                .read(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))?))
                .unwrap(),
            MIGRATIONS as i64
        );
        assert!(!holds(&path, b"Rossi"), "plaintext in the file or its WAL");
        drop(store);
        let before = std::fs::read(&path).unwrap();
        assert!(matches!(Store::open(&path), Err(StoreError::KeyNeeded)));
        let wrong = StoreKey::generate().unwrap();
        assert!(matches!(
            Store::open_with(&path, Some(wrong)),
            Err(StoreError::WrongKey)
        ));
        assert_eq!(
            std::fs::read(&path).unwrap(),
            before,
            "a refused open changed the file"
        );
        let store = Store::open_with(&path, Some(key)).unwrap();
        assert!(store.is_encrypted().unwrap());
        assert_eq!(
            store.setting("subject").unwrap().as_deref(),
            Some("Fattura Rossi 2026/117")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(path.parent().unwrap()), 0o700);
        }
    }

    #[test]
    fn a_plain_store_refuses_a_key_and_a_cut_file_is_damaged() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("store.sqlite");
        Store::open(&path).unwrap().set_setting("k", "v").unwrap();
        let key = StoreKey::generate().unwrap();
        assert!(matches!(
            Store::open_with(&path, Some(key.duplicate())),
            Err(StoreError::NotEncrypted)
        ));
        let encrypted = dir.path().join("enc.sqlite");
        Store::open_with(&encrypted, Some(key.duplicate()))
            .unwrap()
            .set_setting("k", "v")
            .unwrap();
        let len = std::fs::metadata(&encrypted).unwrap().len();
        std::fs::OpenOptions::new()
            .write(true)
            .open(&encrypted)
            .unwrap()
            .set_len(len - 100)
            .unwrap();
        assert!(matches!(
            Store::open_with(&encrypted, Some(key)),
            Err(StoreError::Damaged(_))
        ));
    }

    #[test]
    fn an_altered_page_is_reported_as_damage() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("store.sqlite");
        let key = StoreKey::generate().unwrap();
        let store = Store::open_with(&path, Some(key.duplicate())).unwrap();
        store
            .write(|tx| {
                tx.execute_batch("CREATE TABLE filler (x BLOB)")?;
                for _ in 0..256 {
                    tx.execute("INSERT INTO filler VALUES (zeroblob(4000))", [])?;
                }
                Ok(())
            })
            .unwrap();
        drop(store);
        // The filler's pages come last and fill most of the file: alter one of them.
        let mut bytes = std::fs::read(&path).unwrap();
        let inside_filler = bytes.len() / 4 * 3;
        bytes[inside_filler] ^= 0x40;
        std::fs::write(&path, &bytes).unwrap();
        let store = Store::open_with(&path, Some(key)).expect("page 1 is intact");
        let read = store.read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM filler WHERE x = zeroblob(4000)",
                [],
                |r| r.get::<_, i64>(0),
            )?)
        });
        assert!(matches!(read, Err(StoreError::Damaged(_))), "{read:?}");
    }

    #[test]
    fn a_locked_store_refuses_every_call_and_unlocks_only_with_its_key() {
        let dir = tempfile::tempdir().expect("tmp");
        let key = StoreKey::generate().unwrap();
        let store = Store::open_with(dir.path().join("s.sqlite"), Some(key.duplicate())).unwrap();
        store.set_setting("k", "v").unwrap();
        let clone = store.clone();
        store.lock();
        assert!(!clone.is_unlocked());
        assert!(matches!(clone.setting("k"), Err(StoreError::Locked)));
        assert!(matches!(
            clone.set_setting("k", "w"),
            Err(StoreError::Locked)
        ));
        assert!(matches!(clone.file_key(), Err(StoreError::Locked)));
        let wrong = StoreKey::generate().unwrap();
        assert!(matches!(
            store.unlock(Some(wrong)),
            Err(StoreError::WrongKey)
        ));
        assert!(!store.is_unlocked());
        store.unlock(Some(key.duplicate())).unwrap();
        assert_eq!(clone.setting("k").unwrap().as_deref(), Some("v"));
        assert!(
            store.unlock(Some(key)).is_ok(),
            "unlocking twice with the key is fine"
        );
        assert!(matches!(store.unlock(None), Err(StoreError::WrongKey)));
    }
}
