//! A damaged store rebuilt so the user can resync from the server without losing what the server
//! does not have: the accounts (and the terminal client's passwords), the settings with the key
//! the outbox's files are sealed with, the outbox itself (queued and sent PECs with their local
//! copies and timelines), the address book (contacts kept on this device only, and the changes
//! not yet uploaded to a CardDAV server), the PEC being written and the templates. The mail comes
//! back with the next sync, and the correspondents with it.
//!
//! The damaged file is never changed: it is renamed aside (`store.sqlite.damaged-<time>`) and read
//! from there, table by table, each copy in its own transaction, so a damaged page costs only the
//! part it holds, which the report names.

use super::keyed::{self, FileState};
use super::rekey::with_suffix;
use super::{MIGRATIONS, Result, Store, StoreError, StoreKey};
use rusqlite::Connection;
use std::path::{Path, PathBuf};

/// What a rebuild kept and what it could not read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recovery {
    /// Where the damaged file was moved.
    pub damaged_copy: PathBuf,
    pub accounts: usize,
    /// Outbox entries kept (each with its local copy when that was readable).
    pub outbox: usize,
    /// The parts that could not be read (`"outbox: database disk image is malformed"`, …).
    pub lost: Vec<String>,
}

/// Each step copies one part, in dependency order (a folder needs its account, …). `?1`, where a
/// step has it, is the local outbox folder's name.
const STEPS: &[(&str, &str)] = &[
    (
        "accounts",
        "INSERT INTO main.accounts SELECT * FROM old.accounts",
    ),
    (
        "settings",
        "INSERT OR REPLACE INTO main.settings SELECT * FROM old.settings",
    ),
    (
        "passwords",
        "INSERT OR REPLACE INTO main.secrets SELECT * FROM old.secrets",
    ),
    (
        "outbox folders",
        "INSERT INTO main.folders (id, account_id, name, role, delimiter)
         SELECT id, account_id, name, role, delimiter FROM old.folders
         WHERE name = ?1 AND role IS NULL AND account_id IN (SELECT id FROM main.accounts)",
    ),
    (
        // By row id (the rows the outbox names), so only their own pages are read.
        "outbox copies",
        "INSERT INTO main.messages SELECT * FROM old.messages
         WHERE id IN (SELECT message_row FROM old.outbox)
           AND folder_id IN (SELECT id FROM main.folders)",
    ),
    (
        "outbox recipients",
        "INSERT INTO main.recipients SELECT * FROM old.recipients
         WHERE message_id IN (SELECT id FROM main.messages)",
    ),
    (
        // A queued message whose local copy was lost is kept: its file holds what is sent.
        "outbox",
        "INSERT INTO main.outbox SELECT id, account_id,
             CASE WHEN message_row IN (SELECT id FROM main.messages) THEN message_row END,
             message_id, state, file, size, mail_from, rcpts, subject, receipt_type, attempts,
             next_attempt_at, attempt_started_at, error_kind, error, sent_copy, created_at,
             submitted_at
         FROM old.outbox WHERE account_id IN (SELECT id FROM main.accounts)",
    ),
    (
        "outbox timeline",
        "INSERT INTO main.outbox_events SELECT * FROM old.outbox_events
         WHERE outbox_id IN (SELECT id FROM main.outbox)",
    ),
    (
        "address books",
        "INSERT INTO main.address_books SELECT * FROM old.address_books",
    ),
    (
        "contacts",
        "INSERT INTO main.contacts SELECT * FROM old.contacts
         WHERE book_id IS NULL OR book_id IN (SELECT id FROM main.address_books)",
    ),
    (
        "contact addresses",
        "INSERT INTO main.contact_addresses SELECT * FROM old.contact_addresses
         WHERE contact_id IN (SELECT id FROM main.contacts)",
    ),
    (
        "contact words",
        "INSERT INTO main.contact_words SELECT * FROM old.contact_words
         WHERE contact_id IN (SELECT id FROM main.contacts)",
    ),
    (
        "groups",
        "INSERT INTO main.contact_groups SELECT * FROM old.contact_groups",
    ),
    (
        "group members",
        "INSERT INTO main.group_members SELECT * FROM old.group_members
         WHERE group_id IN (SELECT id FROM main.contact_groups)
           AND contact_id IN (SELECT id FROM main.contacts)",
    ),
    (
        "address book changes",
        "INSERT INTO main.dav_pending SELECT * FROM old.dav_pending
         WHERE book_id IN (SELECT id FROM main.address_books)",
    ),
    (
        "messages being written",
        "INSERT INTO main.kept_composes SELECT * FROM old.kept_composes
         WHERE account_id IN (SELECT id FROM main.accounts)",
    ),
    (
        "templates",
        "INSERT INTO main.compose_templates SELECT * FROM old.compose_templates",
    ),
];

/// Move the damaged store at `path` aside and build a fresh one (same key) holding what could be
/// read of the accounts, settings, passwords and outbox. The store must not be open.
pub fn rebuild(path: &Path, key: Option<&StoreKey>) -> Result<Recovery> {
    let io = |p: &Path, e: std::io::Error| StoreError::Invalid(format!("{}: {e}", p.display()));
    if keyed::file_state(path).is_ok_and(|k| k == FileState::Missing) {
        return Err(StoreError::NotFound(path.display().to_string()));
    }
    check_key(path, key)?;
    let stamp = super::now();
    let aside = with_suffix(path, &format!(".damaged-{stamp}"));
    for suffix in ["", "-wal"] {
        let from = with_suffix(path, suffix);
        if from.exists() {
            let to = with_suffix(&aside, suffix);
            std::fs::rename(&from, &to).map_err(|e| io(&from, e))?;
        }
    }
    let _ = std::fs::remove_file(with_suffix(path, "-shm"));
    drop(Store::open_with(path, key.map(StoreKey::duplicate))?);
    let mut recovery = Recovery {
        damaged_copy: aside.clone(),
        ..Recovery::default()
    };
    let conn = Connection::open(path)?;
    match key {
        Some(k) => keyed::apply_key(&conn, k)?,
        None => keyed::cipher_defaults(&conn)?,
    }
    conn.pragma_update(None, "foreign_keys", "on")?;
    // SQLite refuses a file shorter than its header says unless the schema is "writable"; the
    // connection only reads from the damaged copy and inserts rows into the fresh store.
    conn.pragma_update(None, "writable_schema", "ON")?;
    attach(&conn, &aside, key)?;
    for (part, sql) in STEPS {
        if let Err(e) = copy(&conn, sql) {
            recovery.lost.push(format!("{part}: {e}"));
        }
    }
    let count = |table: &str| -> usize {
        conn.query_row(&format!("SELECT count(*) FROM main.{table}"), [], |r| {
            r.get::<_, i64>(0)
        })
        .map_or(0, |n| n as usize)
    };
    recovery.accounts = count("accounts");
    recovery.outbox = count("outbox");
    conn.execute_batch("DETACH DATABASE old; PRAGMA writable_schema = OFF;")?;
    Ok(recovery)
}

/// Refuse a wrong key before anything moves: page 1 must decrypt and carry our schema version.
fn check_key(path: &Path, key: Option<&StoreKey>) -> Result<()> {
    let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    if let Some(k) = key {
        keyed::apply_key(&conn, k)?;
    }
    conn.pragma_update(None, "writable_schema", "ON")?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == rusqlite::ErrorCode::NotADatabase && key.is_some() =>
            {
                StoreError::WrongKey
            }
            e => StoreError::Damaged(e.to_string()),
        })?;
    if version != MIGRATIONS as i64 {
        return Err(StoreError::Damaged(format!(
            "schema {version} in the damaged store, {MIGRATIONS} here"
        )));
    }
    Ok(())
}

/// Attach the damaged copy as `old`.
fn attach(conn: &Connection, aside: &Path, key: Option<&StoreKey>) -> Result<()> {
    let literal = key.map(|k| k.sqlcipher_literal());
    conn.execute(
        "ATTACH DATABASE ?1 AS old KEY ?2",
        rusqlite::params![
            aside.to_string_lossy(),
            literal.as_ref().map_or("", |l| l.as_str())
        ],
    )?;
    Ok(())
}

/// One step in its own transaction: all of it or none.
fn copy(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.execute_batch("BEGIN IMMEDIATE;")?;
    let done = match sql.contains("?1") {
        true => conn.execute(sql, [crate::outbox::OUTBOX_FOLDER]).map(drop),
        false => conn.execute_batch(sql),
    };
    match done {
        Ok(()) => conn.execute_batch("COMMIT;"),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK;");
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Context;
    use crate::accounts::MemoryCredentialStore;
    use crate::store::StoreError;
    use crate::vault::StoreKey;
    use std::sync::Arc;

    fn plain(i: usize) -> Vec<u8> {
        format!(
            "From: a{i}@pec.other\r\nTo: studio@pec.example\r\nSubject: Messaggio {i}\r\n\
             Message-ID: <m{i}@pec.other>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0100\r\n\r\n{}\r\n",
            "testo lungo ".repeat(200)
        )
        .into_bytes()
    }

    #[tokio::test]
    async fn a_store_cut_short_is_rebuilt_keeping_accounts_and_outbox() {
        let dir = tempfile::tempdir().unwrap();
        let key = StoreKey::generate().unwrap();
        let creds = Arc::new(MemoryCredentialStore::default());
        let ctx = Context::open_with(dir.path(), creds.clone(), Some(key.duplicate())).unwrap();
        let (account, queued) = ctx.queue_sample("Verbale in coda");
        // Kept on this device only: a contact in a group, a PEC being written, a template.
        let contact = crate::contacts::Contact {
            name: "Studio Verdi".into(),
            addresses: vec!["verdi@pec.example".into()],
            ..Default::default()
        };
        let contact = ctx.save_contact(&contact).unwrap();
        ctx.store().set_member("Clienti", contact, true).unwrap();
        let draft = crate::compose::Draft {
            subject: "Atto in scrittura".into(),
            ..Default::default()
        };
        ctx.keep_compose(account, None, &draft).unwrap();
        ctx.save_template("Deposito", &draft).unwrap();
        for i in 0..300 {
            ctx.import(account, None, &plain(i)).unwrap();
        }
        // Closed now (its WAL checkpointed into the file), not when the runtime drops its tasks.
        ctx.lock();
        drop(ctx);
        let path = dir.path().join("store.sqlite");
        let len = std::fs::metadata(&path).unwrap().len();
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(len * 6 / 10 - 100)
            .unwrap();
        let opened = Context::open_with(dir.path(), creds.clone(), Some(key.duplicate()));
        assert!(matches!(
            opened,
            Err(crate::context::Error::Store(StoreError::Damaged(_)))
        ));

        let report = super::rebuild(&path, Some(&key)).unwrap();
        assert_eq!((report.accounts, report.outbox), (1, 1), "{report:?}");
        assert!(report.damaged_copy.exists());
        assert!(matches!(
            super::rebuild(&path, Some(&StoreKey::generate().unwrap())),
            Err(StoreError::WrongKey)
        ));
        let aside = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains(".damaged-"))
            .count();
        assert_eq!(aside, 1, "a wrong key moved nothing");
        let ctx = Context::open_with(dir.path(), creds, Some(key)).unwrap();
        let entry = ctx.outbox().entry(queued.id).unwrap();
        let (_, raw) = ctx.raw_message(entry.message_row.unwrap()).unwrap();
        assert!(String::from_utf8_lossy(&raw).contains("Verbale in coda"));
        let found = ctx
            .store()
            .contact(contact)
            .unwrap()
            .expect("the contact kept here only");
        assert_eq!(found.addresses, vec!["verdi@pec.example".to_string()]);
        assert_eq!(
            ctx.store().group_addresses("Clienti").unwrap(),
            Some(vec!["verdi@pec.example".to_string()])
        );
        let kept = ctx.kept_composes().unwrap();
        assert_eq!(kept[0].draft.subject, "Atto in scrittura");
        assert_eq!(ctx.templates().unwrap()[0].name, "Deposito");
        ctx.store().check_integrity().unwrap();
    }
}
