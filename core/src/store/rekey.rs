//! Encrypting a plain store and changing a store's key, so that a crash at any point leaves the
//! old store or the new one, never neither.
//!
//! The store is copied into `store.sqlite.next` under the new key (`sqlcipher_export`, which also
//! carries the full-text index), that copy is made durable, and only then renamed over the old
//! file: a rename is atomic. Before the rename the old store's WAL is checkpointed and removed, so
//! the new file never meets a WAL that belongs to the old one. A leftover `.next` file (a crash
//! before the rename) is deleted at the next open.
//!
//! Whoever keeps the key must keep the new one before calling this and the old one until it
//! returns; [`crate::vault::passphrase`] and the shells try both after a crash.

use super::keyed;
pub use super::keyed::{FileState, file_state as state};
use super::{Result, StoreError, StoreKey};
use rusqlite::Connection;
use std::path::{Path, PathBuf};

/// `path` with `suffix` appended to its file name (`store.sqlite` → `store.sqlite.next`).
pub(super) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |e| StoreError::Invalid(format!("{}: {e}", path.display()))
}

/// Delete what a rekey interrupted before its rename left behind.
pub(super) fn remove_leftovers(path: &Path) {
    for suffix in [".next", ".next-journal"] {
        let _ = std::fs::remove_file(with_suffix(path, suffix));
    }
}

/// True when the file at `path` is a plain (unencrypted) store.
pub fn is_plain(path: &Path) -> Result<bool> {
    Ok(state(path)? == FileState::Plain)
}

/// Re-encrypt the store at `path` from `old` (`None`: a plain store) to `new`. The store must not
/// be open elsewhere (lock the [`super::Store`] first). A wrong `old` key is refused with nothing
/// changed.
pub fn rekey_file(path: &Path, old: Option<&StoreKey>, new: &StoreKey) -> Result<()> {
    match (state(path)?, old) {
        (FileState::Missing, _) => return Err(StoreError::NotFound(path.display().to_string())),
        (FileState::Encrypted, None) => return Err(StoreError::KeyNeeded),
        (FileState::Plain, Some(_)) => return Err(StoreError::NotEncrypted),
        _ => {}
    }
    remove_leftovers(path);
    let next = with_suffix(path, ".next");
    export(path, old, &next, new)?;
    std::fs::File::open(&next)
        .and_then(|f| f.sync_all())
        .map_err(io(&next))?;
    for suffix in ["-wal", "-shm"] {
        let side = with_suffix(path, suffix);
        match std::fs::metadata(&side) {
            Ok(m) if suffix == "-wal" && m.len() > 0 => {
                return Err(StoreError::Invalid(format!(
                    "{}: the store is still open elsewhere",
                    side.display()
                )));
            }
            Ok(_) => std::fs::remove_file(&side).map_err(io(&side))?,
            Err(_) => {}
        }
    }
    std::fs::rename(&next, path).map_err(io(path))?;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    crate::files::sync_dir(dir.unwrap_or(Path::new("."))).map_err(io(path))
}

/// Copy the store at `path` into `next`, encrypted with `new`; closes its connection (which
/// checkpoints and removes the WAL) before returning.
fn export(path: &Path, old: Option<&StoreKey>, next: &Path, new: &StoreKey) -> Result<()> {
    crate::files::touch_private(next).map_err(io(next))?;
    let conn = Connection::open(path)?;
    match old {
        Some(k) => keyed::apply_key(&conn, k)?,
        None => keyed::cipher_defaults(&conn)?,
    }
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase => {
                StoreError::WrongKey
            }
            e => e.into(),
        })?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    let literal = new.sqlcipher_literal();
    conn.execute(
        "ATTACH DATABASE ?1 AS next KEY ?2",
        [next.to_string_lossy().as_ref(), literal.as_str()],
    )?;
    conn.query_row("SELECT sqlcipher_export('next')", [], |_| Ok(()))?;
    conn.execute_batch(&format!("PRAGMA next.user_version = {version};"))?;
    conn.execute_batch("DETACH DATABASE next;")?;
    conn.close().map_err(|(_, e)| StoreError::from(e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn filled(dir: &Path, key: Option<StoreKey>) -> PathBuf {
        let path = dir.join("store.sqlite");
        let store = Store::open_with(&path, key).unwrap();
        store
            .set_setting("subject", "Fattura Rossi 2026/117")
            .unwrap();
        path
    }

    #[test]
    fn a_plain_store_is_encrypted_and_then_rekeyed_keeping_its_contents() {
        let dir = tempfile::tempdir().unwrap();
        let path = filled(dir.path(), None);
        let k1 = StoreKey::generate().unwrap();
        rekey_file(&path, None, &k1).unwrap();
        assert!(
            !std::fs::read(&path)
                .unwrap()
                .windows(5)
                .any(|w| w == b"Rossi")
        );
        assert!(matches!(Store::open(&path), Err(StoreError::KeyNeeded)));
        let k2 = StoreKey::generate().unwrap();
        assert!(matches!(
            rekey_file(&path, Some(&k2), &k2),
            Err(StoreError::WrongKey)
        ));
        rekey_file(&path, Some(&k1), &k2).unwrap();
        assert!(matches!(
            Store::open_with(&path, Some(k1.duplicate())),
            Err(StoreError::WrongKey)
        ));
        let store = Store::open_with(&path, Some(k2)).unwrap();
        let subject = store.setting("subject").unwrap();
        assert_eq!(subject.as_deref(), Some("Fattura Rossi 2026/117"));
        store.check_integrity().unwrap();
        assert!(!with_suffix(&path, ".next").exists());
    }

    #[test]
    fn a_leftover_copy_is_removed_and_the_old_store_opens() {
        let dir = tempfile::tempdir().unwrap();
        let key = StoreKey::generate().unwrap();
        let path = filled(dir.path(), Some(key.duplicate()));
        std::fs::write(with_suffix(&path, ".next"), b"half a copy").unwrap();
        let store = Store::open_with(&path, Some(key)).unwrap();
        assert!(store.setting("subject").unwrap().is_some());
        assert!(!with_suffix(&path, ".next").exists());
    }
}
