//! Raw message bodies as files beside the store (`<store>-bodies/`), one file per cached body,
//! sealed with the store's files key when the store is encrypted ([`crate::vault::sealed`]).
//!
//! Why files: a body kept in SQLite is written twice (the WAL, then the checkpoint) and, in an
//! encrypted store, passes through the page cipher and the writer's page cache; bodies are most
//! of a full sync's bytes (276 MB of 10,000 PEC messages). A file is written once, sealed in
//! 64 KiB chunks, and never enters the page cache.
//!
//! The row in `bodies` stays the truth: a file is read only through its row, by the name the row
//! holds (128 random bits, so a name is never reused). Consistency with the
//! rows, without an fsync per body:
//! - a file is written completely before its row is inserted, in the row's transaction; if the
//!   transaction fails, the files it wrote are removed ([`BodyWrites::settle`]). A batch's files
//!   are written on a second thread while its rows are written ([`BodyWrites::write_beside`]),
//!   still inside the transaction, and their rows are inserted after both;
//! - a row deleted by any path (eviction, an expunge, an account removed, a cascade) leaves its
//!   name in `body_trash` by trigger, in the same transaction; [`drain_trash`] removes those files
//!   after every commit;
//! - a kill between writing a file and committing its row leaves an orphan: the first sync pass
//!   of a process removes files no row names ([`sweep_orphans`]);
//! - a file that is missing or does not open (a power cut after the commit, before the file
//!   reached the disk) is a body not cached: the row goes and the sync fetches the body again.

use super::{CachedExt, MessageId, Result, StoreError};
use crate::vault::StoreKey;
use crate::vault::sealed::{self, SealError};
use rusqlite::{Connection, Transaction};
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// The folder of the body files of the store at `store_path`.
pub(crate) fn dir_of(store_path: &Path) -> PathBuf {
    super::rekey::with_suffix(store_path, "-bodies")
}

fn io(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Invalid(format!("{}: {e}", path.display()))
}

/// The body files one write transaction creates: where, sealed with what, and which, so a
/// transaction that fails takes its files with it.
pub(crate) struct BodyWrites {
    dir: PathBuf,
    key: Option<Arc<StoreKey>>,
    written: Mutex<Vec<PathBuf>>,
}

/// A body file written, not yet named by a row: its name and whether it is sealed.
pub(crate) type Written = (String, bool);

impl BodyWrites {
    pub fn new(dir: PathBuf, key: Option<Arc<StoreKey>>) -> Result<BodyWrites> {
        crate::files::create_private_dir(&dir).map_err(|e| io(&dir, e))?;
        Ok(BodyWrites {
            dir,
            key,
            written: Mutex::new(Vec::new()),
        })
    }

    /// Write `raw` to a new file. The name is random (128 bits), not the message's id: a batch's
    /// files are written before its rows have ids.
    fn write(&self, raw: &[u8]) -> Result<Written> {
        let name = format!("{:016x}{:016x}", random_u64()?, random_u64()?);
        let path = self.dir.join(&name);
        self.written
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(path.clone());
        let file = create_private(&path).map_err(|e| io(&path, e))?;
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, file);
        let done = match &self.key {
            Some(key) => sealed::Sealer::new(key, &mut out)
                .and_then(|mut s| s.write_all(raw).and_then(|()| s.finish().map(drop))),
            None => out.write_all(raw),
        };
        done.and_then(|()| out.flush()).map_err(|e| io(&path, e))?;
        Ok((name, self.key.is_some()))
    }

    /// Write the files of `raws` on a second thread while `rows` runs on this one, so a batch's
    /// SQLite work and its file writes (the kernel's copy, the sealing) overlap on the writer's
    /// critical path. The files, in the order of `raws`, and what `rows` returned.
    pub fn write_beside<R>(
        &self,
        raws: &[&[u8]],
        rows: impl FnOnce() -> Result<R>,
    ) -> Result<(R, Vec<Written>)> {
        if raws.is_empty() {
            return rows().map(|r| (r, Vec::new()));
        }
        std::thread::scope(|scope| {
            let files = scope.spawn(|| raws.iter().map(|raw| self.write(raw)).collect());
            let rows = rows();
            let files: Result<Vec<Written>> = match files.join() {
                Ok(files) => files,
                Err(panic) => std::panic::resume_unwind(panic),
            };
            Ok((rows?, files?))
        })
    }

    /// Remove a file this transaction wrote that no row will name.
    pub fn discard(&self, (name, _): Written) {
        let _ = std::fs::remove_file(self.dir.join(name));
    }

    /// The stored body file `name` (see [`read`]).
    pub fn read(&self, name: &str, sealed: bool) -> Result<Vec<u8>, SealError> {
        read(&self.dir, name, sealed, self.key.as_deref())
    }

    /// After the transaction: when it failed, remove the files it wrote (their rows never were).
    pub fn settle<R>(self, result: &Result<R>) {
        if result.is_err() {
            let written = self.written.into_inner();
            for path in written.unwrap_or_else(PoisonError::into_inner) {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

/// A 0600 file that must not exist yet.
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

fn random_u64() -> Result<u64> {
    use ring::rand::SecureRandom;
    let mut b = [0u8; 8];
    ring::rand::SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| StoreError::Invalid("the system's random generator failed".into()))?;
    Ok(u64::from_le_bytes(b))
}

/// Cache `raw` as the body of message `id` (replacing the one it had), then evict the least
/// recently read bodies beyond `cap` bytes.
pub(crate) fn put_body_tx(
    tx: &Transaction<'_>,
    files: &BodyWrites,
    id: MessageId,
    raw: &[u8],
    cap: u64,
) -> Result<()> {
    let written = files.write(raw)?;
    name_body_tx(tx, id, raw.len(), written, cap)
}

/// Make the file `written` (of `size` bytes) the cached body of message `id`, replacing the
/// one it had, then evict the least recently read bodies beyond `cap` bytes.
pub(crate) fn name_body_tx(
    tx: &Transaction<'_>,
    id: MessageId,
    size: usize,
    (name, sealed): Written,
    cap: u64,
) -> Result<()> {
    tx.exec("DELETE FROM bodies WHERE message_id = ?1", [id])?;
    tx.exec(
        "INSERT INTO bodies (message_id, raw, size, last_access, file, sealed)
         VALUES (?1, X'', ?2, ?3, ?4, ?5)",
        rusqlite::params![id, size as i64, super::now(), name, sealed],
    )?;
    evict_beyond_tx(tx, id, cap)
}

/// Delete the least recently read bodies (other than `keep`) until the cache holds `cap` bytes.
fn evict_beyond_tx(tx: &Transaction<'_>, keep: MessageId, cap: u64) -> Result<()> {
    let total: i64 = tx.row("SELECT bytes FROM body_total WHERE id = 1", [], |r| {
        r.get(0)
    })?;
    if total as u64 <= cap {
        return Ok(());
    }
    let mut excess = total as u64 - cap;
    let victims: Vec<MessageId> = {
        let mut st = tx.prepare(
            "SELECT message_id, size FROM bodies WHERE message_id != ?1 ORDER BY last_access, message_id",
        )?;
        let mut rows = st.query([keep])?;
        let mut v = Vec::new();
        while let Some(r) = rows.next()? {
            let size: i64 = r.get(1)?;
            v.push(r.get(0)?);
            if size as u64 >= excess {
                break;
            }
            excess -= size as u64;
        }
        v
    };
    for victim in victims {
        tx.exec("DELETE FROM bodies WHERE message_id = ?1", [victim])?;
    }
    Ok(())
}

/// Where a cached body is: in its row (stores written before bodies became files) or in a file.
pub(crate) enum Held {
    InRow(Vec<u8>),
    File { name: String, sealed: bool },
}

/// Read the body file `name`. A sealed row's file must open with `key`; a plain row's file is
/// read as it is, or opened when a reseal got to it before its row was marked.
pub(crate) fn read(
    dir: &Path,
    name: &str,
    sealed: bool,
    key: Option<&StoreKey>,
) -> Result<Vec<u8>, SealError> {
    let cap = crate::limits::MAX_MESSAGE_FILE_BYTES;
    sealed::read_file_expecting(&dir.join(name), key, cap, sealed)
}

/// True when a failed read means the body is simply not cached any more (its file is gone or
/// does not open), rather than a passing failure worth reporting.
pub(crate) fn is_lost(e: &SealError) -> bool {
    match e {
        SealError::Io(e) => e.kind() == std::io::ErrorKind::NotFound,
        SealError::Damaged | SealError::TooLarge => true,
        SealError::NoKey => false,
    }
}

/// Remove the files of the rows deleted by the transactions committed so far. Called after each
/// commit; one indexed read of an empty table when nothing was deleted.
pub(crate) fn drain_trash(conn: &Connection, dir: &Path) -> Result<()> {
    let names: Vec<(i64, String)> = {
        let mut st = conn.prepare_cached("SELECT rowid, file FROM body_trash")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let Some(last) = names.iter().map(|n| n.0).max() else {
        return Ok(());
    };
    for (_, name) in &names {
        match std::fs::remove_file(dir.join(name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(io(&dir.join(name), e));
            }
            _ => {}
        }
    }
    conn.exec("DELETE FROM body_trash WHERE rowid <= ?1", [last])?;
    Ok(())
}

/// The body folder against the rows: the rows' files that are missing, and the files no row
/// names.
pub(crate) struct Audit {
    pub missing: Vec<String>,
    pub unnamed: Vec<PathBuf>,
}

pub(crate) fn audit(conn: &Connection, dir: &Path) -> Result<Audit> {
    let mut named: HashSet<String> = {
        let mut st = conn.prepare("SELECT file FROM bodies WHERE file IS NOT NULL")?;
        let rows = st.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut unnamed = Vec::new();
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            for entry in entries {
                let entry = entry.map_err(|e| io(dir, e))?;
                let name = entry.file_name();
                if !name.to_str().is_some_and(|n| named.remove(n)) {
                    unnamed.push(entry.path());
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(dir, e)),
    }
    let mut missing: Vec<String> = named.into_iter().collect();
    missing.sort();
    Ok(Audit { missing, unnamed })
}

/// Remove every file of `dir` that no row names (left by a process killed between writing a
/// file and committing its row). Runs inside a write transaction, so no transaction of this
/// process or another is writing files meanwhile.
pub(crate) fn sweep_orphans(conn: &Connection, dir: &Path) -> Result<usize> {
    let unnamed = audit(conn, dir)?.unnamed;
    Ok(unnamed
        .iter()
        .filter(|path| std::fs::remove_file(path).is_ok())
        .count())
}

/// Seal, in place, the body files written while the store was plain (it has been encrypted
/// since): each is replaced by its sealed copy (temporary file, fsync, rename), then its row is
/// marked. A crash in between leaves a sealed file under a plain row, which [`read`] opens.
pub(crate) fn seal_plain_tx(tx: &Transaction<'_>, dir: &Path, key: &StoreKey) -> Result<usize> {
    let plain: Vec<(MessageId, String)> = {
        let mut st = tx
            .prepare("SELECT message_id, file FROM bodies WHERE file IS NOT NULL AND sealed = 0")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (id, name) in &plain {
        let path = dir.join(name);
        let cap = sealed::max_sealed_len(crate::limits::MAX_MESSAGE_FILE_BYTES);
        match crate::files::read_capped(&path, cap) {
            Ok(bytes) if !sealed::is_sealed(&bytes) => {
                sealed::seal_in_place(&path, key, &bytes).map_err(|e| io(&path, e))?
            }
            Ok(_) => {}
            Err(crate::files::ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(StoreError::Invalid(format!("{}: {e}", path.display()))),
        }
        tx.exec("UPDATE bodies SET sealed = 1 WHERE message_id = ?1", [id])?;
    }
    Ok(plain.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::AccountConfig;
    use crate::store::{FolderRole, ImapMeta, Store};

    const SECRET: &str = "Fattura 2026/117 Rossi Costruzioni";

    fn raw(i: u32) -> Vec<u8> {
        format!(
            "From: a@pec.example\r\nTo: b@pec.example\r\nSubject: n. {i}\r\n\
             Message-ID: <m{i}@pec.example>\r\n\r\n{SECRET} {i}\r\n"
        )
        .into_bytes()
    }

    /// A store in `dir` holding messages 1..=n with their bodies; the inbox's id.
    fn filled(dir: &Path, key: Option<StoreKey>, n: u32) -> (Store, i64) {
        let store = Store::open_with(dir.join("store.sqlite"), key).unwrap();
        let acc = store
            .add_account(&AccountConfig::offline("b@pec.example"))
            .unwrap();
        let inbox = store
            .ensure_folder(acc, "INBOX", Some(FolderRole::Inbox), Some("."))
            .unwrap();
        for i in 1..=n {
            let meta = ImapMeta {
                uid: Some(i),
                ..Default::default()
            };
            let body = raw(i);
            let rec = crate::receive::analyze(&body);
            store
                .upsert_message(inbox, &meta, &rec, Some(&body))
                .unwrap();
        }
        (store, inbox)
    }

    fn files(dir: &Path) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join("store.sqlite-bodies"))
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        v.sort();
        v
    }

    fn contains(path: &Path, needle: &str) -> bool {
        let bytes = std::fs::read(path).unwrap();
        bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
    }

    fn id_of(store: &Store, inbox: i64, uid: u32) -> MessageId {
        store
            .read(|c| {
                Ok(c.query_row(
                    "SELECT id FROM messages WHERE folder_id = ?1 AND uid = ?2",
                    rusqlite::params![inbox, uid],
                    |r| r.get(0),
                )?)
            })
            .unwrap()
    }

    #[test]
    fn an_encrypted_store_seals_its_body_files_and_a_plain_one_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let (store, inbox) = filled(dir.path(), Some(StoreKey::generate().unwrap()), 3);
        assert_eq!(files(dir.path()).len(), 3);
        for f in files(dir.path()) {
            assert!(!contains(&f, SECRET), "{} is readable", f.display());
        }
        let id = id_of(&store, inbox, 2);
        assert_eq!(store.body(id).unwrap().unwrap(), raw(2));
        // Nothing of the bodies went into the database file.
        let db = dir.path().join("store.sqlite");
        store.check_integrity().unwrap();
        drop(store);
        assert!(!contains(&db, SECRET));

        let plain = tempfile::tempdir().unwrap();
        let (store, inbox) = filled(plain.path(), None, 1);
        assert!(contains(&files(plain.path())[0], SECRET));
        assert_eq!(
            store.body(id_of(&store, inbox, 1)).unwrap().unwrap(),
            raw(1)
        );
    }

    #[test]
    fn deleted_and_evicted_bodies_take_their_files_with_them() {
        let dir = tempfile::tempdir().unwrap();
        let (store, inbox) = filled(dir.path(), Some(StoreKey::generate().unwrap()), 4);
        store.remove_uids(inbox, Some(&[1])).unwrap();
        assert_eq!(files(dir.path()).len(), 3, "an expunged message's file");
        // The most recently read body is kept (stamps are in seconds: this one is made later).
        let keep = id_of(&store, inbox, 3);
        store
            .write(|tx| {
                tx.execute(
                    "UPDATE bodies SET last_access = last_access + 100 WHERE message_id = ?1",
                    [keep],
                )?;
                Ok(())
            })
            .unwrap();
        store.set_body_cache_cap(2 * raw(9).len() as u64);
        let meta = ImapMeta {
            uid: Some(9),
            ..Default::default()
        };
        let body = raw(9);
        store
            .upsert_message(inbox, &meta, &crate::receive::analyze(&body), Some(&body))
            .unwrap();
        assert_eq!(files(dir.path()).len(), 2, "evicted bodies' files");
        assert!(store.body(keep).unwrap().is_some());
        assert!(store.body(id_of(&store, inbox, 2)).unwrap().is_none());
        store.check_integrity().unwrap();
        assert_eq!(store.unnamed_body_files().unwrap(), 0);
    }

    #[test]
    fn a_transaction_that_fails_leaves_no_file_and_an_orphan_is_swept() {
        let dir = tempfile::tempdir().unwrap();
        let (store, inbox) = filled(dir.path(), Some(StoreKey::generate().unwrap()), 1);
        let id = id_of(&store, inbox, 1);
        let failed: Result<()> = store.write_with_bodies(|tx, files| {
            put_body_tx(tx, files, id, &raw(5), u64::MAX)?;
            Err(StoreError::Invalid("refused".into()))
        });
        assert!(failed.is_err());
        assert_eq!(files(dir.path()).len(), 1);
        assert_eq!(
            store.body(id).unwrap().unwrap(),
            raw(1),
            "the old body stays"
        );

        // What a killed process leaves: a file written, its row never committed.
        let stray = dir
            .path()
            .join("store.sqlite-bodies")
            .join("77-0123456789abcdef");
        std::fs::write(&stray, b"half a transaction").unwrap();
        assert_eq!(store.unnamed_body_files().unwrap(), 1);
        assert_eq!(store.sweep_orphan_bodies_once().unwrap(), 1);
        assert!(!stray.exists());
        assert_eq!(files(dir.path()).len(), 1);
        assert!(store.body(id).unwrap().is_some());
    }

    #[test]
    fn a_batch_s_bodies_are_written_beside_its_rows_and_each_reaches_its_own_message() {
        let dir = tempfile::tempdir().unwrap();
        let (store, inbox) = filled(dir.path(), Some(StoreKey::generate().unwrap()), 0);
        let item = |uid: u32, with_body: bool| {
            let body = raw(uid);
            let meta = ImapMeta {
                uid: Some(uid),
                ..Default::default()
            };
            (
                meta,
                crate::receive::analyze(&body),
                with_body.then_some(body),
            )
        };
        let batch = [item(1, true), item(2, false), item(3, true), item(4, true)];
        store.upsert_batch(inbox, &batch).unwrap();
        for (uid, cached) in [(1, true), (2, false), (3, true), (4, true)] {
            let body = store.body(id_of(&store, inbox, uid)).unwrap();
            assert_eq!(body, cached.then(|| raw(uid)), "message {uid}");
        }
        assert_eq!(files(dir.path()).len(), 3);

        // Bodies fetched later: a message expunged meanwhile (UID 9) leaves no file behind.
        let later = [item(2, true), item(9, true)];
        assert_eq!(store.upsert_bodies(inbox, &later).unwrap(), 1);
        assert_eq!(store.body(id_of(&store, inbox, 2)).unwrap(), Some(raw(2)));
        assert_eq!(files(dir.path()).len(), 4);
        assert_eq!(store.unnamed_body_files().unwrap(), 0);
    }

    #[test]
    fn a_lost_altered_or_swapped_file_is_a_body_to_fetch_again() {
        let dir = tempfile::tempdir().unwrap();
        let (store, inbox) = filled(dir.path(), Some(StoreKey::generate().unwrap()), 3);
        let ids = [1, 2, 3].map(|uid| id_of(&store, inbox, uid));
        let paths = files(dir.path());
        // Names start with the message id: 1-…, 2-…, 3-….
        std::fs::remove_file(&paths[0]).unwrap();
        let mut bytes = std::fs::read(&paths[1]).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&paths[1], bytes).unwrap();
        // A plain file put in place of a sealed one is not taken for the body either.
        std::fs::write(&paths[2], raw(3)).unwrap();
        for id in ids {
            assert_eq!(store.body(id).unwrap(), None);
        }
        let rows: i64 = store
            .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM bodies", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(rows, 0, "the rows of lost bodies go");
        assert!(files(dir.path()).is_empty(), "and so do their files");
        store.check_integrity().unwrap();
    }

    #[test]
    fn bodies_written_plain_are_sealed_once_the_store_is_encrypted() {
        let dir = tempfile::tempdir().unwrap();
        let (store, inbox) = filled(dir.path(), None, 2);
        let ids = [1, 2].map(|uid| id_of(&store, inbox, uid));
        let path = store.path().to_path_buf();
        drop(store);
        let key = StoreKey::generate().unwrap();
        crate::store::rekey::rekey_file(&path, None, &key).unwrap();
        let store = Store::open_with(&path, Some(key)).unwrap();
        for f in files(dir.path()) {
            assert!(!contains(&f, SECRET), "{} is readable", f.display());
        }
        assert_eq!(store.body(ids[0]).unwrap().unwrap(), raw(1));
        assert_eq!(store.body(ids[1]).unwrap().unwrap(), raw(2));
        let plain: i64 = store
            .read(|c| {
                Ok(
                    c.query_row("SELECT COUNT(*) FROM bodies WHERE sealed = 0", [], |r| {
                        r.get(0)
                    })?,
                )
            })
            .unwrap();
        assert_eq!(plain, 0);
    }

    #[test]
    fn a_body_kept_in_its_row_by_an_older_store_still_reads() {
        let dir = tempfile::tempdir().unwrap();
        let (store, inbox) = filled(dir.path(), None, 1);
        let id = id_of(&store, inbox, 1);
        store
            .write(|tx| {
                tx.execute(
                    "UPDATE bodies SET raw = ?2, file = NULL WHERE message_id = ?1",
                    rusqlite::params![id, raw(1)],
                )?;
                Ok(())
            })
            .unwrap();
        assert_eq!(store.body(id).unwrap().unwrap(), raw(1));
    }
}
