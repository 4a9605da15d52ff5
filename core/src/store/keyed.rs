//! Opening the store file with or without its key, and telling a wrong key from a damaged file.
//!
//! SQLCipher encrypts every page (and every WAL frame) with AES-256 and authenticates it with an
//! HMAC; the key is given as a raw 256-bit key, so SQLCipher skips its own passphrase derivation.
//! A plain SQLite file starts with `SQLite format 3\0`; an encrypted one with random bytes (the
//! salt), so the first 16 bytes tell which kind a file is before any key is tried.

use super::{Result, StoreError, configure};
use crate::vault::StoreKey;
use rusqlite::Connection;
use std::path::Path;
use std::sync::Arc;

/// An unlocked store: its writer, the key its connections are opened with, and the key of the
/// files kept beside it.
pub(super) struct Open {
    pub writer: Connection,
    pub key: Option<Arc<StoreKey>>,
    pub files_key: Option<Arc<StoreKey>>,
}

/// Where an encrypted store keeps the key its files are sealed with.
const FILES_KEY: &str = "vault.files_key";

impl Open {
    /// Read (creating it the first time) the files key of an encrypted store; none for a plain
    /// store, whose files stay plain.
    pub fn load_files_key(&mut self) -> Result<()> {
        if self.key.is_none() {
            return Ok(());
        }
        let tx = self
            .writer
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let stored: Option<Vec<u8>> = tx
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                [FILES_KEY],
                |r| r.get::<_, String>(0),
            )
            .ok()
            .map(|hex| from_hex(&zeroize::Zeroizing::new(hex)));
        let key = match stored {
            Some(bytes) => StoreKey::from_slice(&zeroize::Zeroizing::new(bytes))
                .map_err(|e| StoreError::Damaged(e.to_string()))?,
            None => {
                let key = StoreKey::generate().map_err(|e| StoreError::Invalid(e.to_string()))?;
                tx.execute(
                    "INSERT INTO settings (key, value) VALUES (?1, ?2)",
                    [FILES_KEY, key.hex().as_str()],
                )?;
                key
            }
        };
        tx.commit()?;
        self.files_key = Some(Arc::new(key));
        Ok(())
    }
}

fn from_hex(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2)
        .filter_map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

/// What a store file is, before it is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    Missing,
    Plain,
    Encrypted,
}

const PLAIN_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Look at the first bytes of `path`. A file whose length is not a whole number of pages was cut
/// short (pages are multiples of 512 bytes in every format).
pub fn file_state(path: &Path) -> Result<FileState> {
    use std::io::Read;
    let damaged = |why: String| StoreError::Damaged(format!("{}: {why}", path.display()));
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileState::Missing),
        Err(e) => return Err(damaged(e.to_string())),
    };
    let len = file.metadata().map_err(|e| damaged(e.to_string()))?.len();
    if len == 0 {
        return Ok(FileState::Missing);
    }
    if len % 512 != 0 {
        return Err(damaged(format!(
            "{len} bytes is not a whole number of pages"
        )));
    }
    let mut head = [0u8; 16];
    file.read_exact(&mut head)
        .map_err(|e| damaged(e.to_string()))?;
    Ok(if &head == PLAIN_HEADER {
        FileState::Plain
    } else {
        FileState::Encrypted
    })
}

/// The cipher settings of every encrypted store (SQLCipher 4's defaults but the HMAC): page
/// HMACs with SHA-256, which the CPUs the apps run on compute in hardware (ARMv8 crypto
/// extensions, x86 SHA-NI) and SHA-512 mostly not; on the sync's write path SHA-512 was the
/// largest single cost. Set as the process's default too, so a database attached for a copy
/// (`sqlcipher_export`) gets the same settings.
pub(crate) fn cipher_defaults(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "PRAGMA cipher_log_level = NONE; PRAGMA cipher_default_hmac_algorithm = HMAC_SHA256;",
    )?;
    Ok(())
}

/// Give `conn` its key; must be the first statement on the connection. SQLCipher's own log is
/// silenced: a wrong key is our typed error, not lines on the app's standard error.
pub(crate) fn apply_key(conn: &Connection, key: &StoreKey) -> Result<()> {
    cipher_defaults(conn)?;
    let sql = zeroize::Zeroizing::new(format!(
        "PRAGMA key = \"{}\"; PRAGMA cipher_hmac_algorithm = HMAC_SHA256;",
        *key.sqlcipher_literal()
    ));
    conn.execute_batch(&sql)?;
    Ok(())
}

/// `e`, or `Damaged` when it hides a page that fails its HMAC. SQLCipher reports such a page as a
/// bare `SQL logic error`; only then (a failure path) is every page checked, to tell damage from
/// a real error.
pub(super) fn damaged_or(conn: &Connection, e: StoreError) -> StoreError {
    let StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _)) = &e else {
        return e;
    };
    if f.code != rusqlite::ErrorCode::Unknown {
        return e;
    }
    let problem = conn
        .prepare("PRAGMA cipher_integrity_check")
        .and_then(|mut st| st.query_row([], |r| r.get::<_, String>(0)));
    match problem {
        Ok(problem) => StoreError::Damaged(problem),
        Err(_) => e,
    }
}

/// Read the schema: the first read decrypts page 1, so a wrong key fails here.
fn check_readable(conn: &Connection, keyed: bool, path: &Path) -> Result<()> {
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::NotADatabase && keyed =>
        {
            Err(StoreError::WrongKey)
        }
        Err(rusqlite::Error::SqliteFailure(e, msg))
            if matches!(
                e.code,
                rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt
            ) =>
        {
            Err(StoreError::Damaged(format!(
                "{}: {}",
                path.display(),
                msg.unwrap_or_else(|| e.to_string())
            )))
        }
        Err(e) => Err(e.into()),
    }
}

/// Open the writer of the store at `path` (creating a new store, encrypted when `key` is given).
/// Refuses a key for a plain file, no key for an encrypted one, and a wrong key, before writing
/// anything.
pub(super) fn open_writer(path: &Path, key: Option<StoreKey>) -> Result<Open> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::files::create_private_dir(dir)
            .map_err(|e| StoreError::Invalid(format!("{}: {e}", dir.display())))?;
    }
    match (file_state(path)?, &key) {
        (FileState::Encrypted, None) => return Err(StoreError::KeyNeeded),
        (FileState::Plain, Some(_)) => return Err(StoreError::NotEncrypted),
        _ => {}
    }
    super::rekey::remove_leftovers(path);
    crate::files::touch_private(path)
        .map_err(|e| StoreError::Invalid(format!("{}: {e}", path.display())))?;
    let conn = Connection::open(path)?;
    if let Some(k) = &key {
        apply_key(&conn, k)?;
    }
    check_readable(&conn, key.is_some(), path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    configure(&conn)?;
    conn.pragma_update(None, "cache_size", -super::WRITER_CACHE_KIB)?;
    Ok(Open {
        writer: conn,
        key: key.map(Arc::new),
        files_key: None,
    })
}
