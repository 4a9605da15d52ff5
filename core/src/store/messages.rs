//! Writing messages, flags, folders and bodies.

use super::CachedExt;
use super::body_files::{self, Held, name_body_tx, put_body_tx};
use super::contacts::Seen;
use super::query::FolderRole;
use super::record::MessageRecord;
use super::{AccountId, FolderId, MessageId, Result, Store, StoreError, now, receipts};
use crate::message::Kind;
use rusqlite::{OptionalExtension, Transaction, params};

/// What the server says about one message (absent for local imports).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImapMeta {
    pub uid: Option<u32>,
    pub modseq: Option<u64>,
    pub size: u64,
    pub internal_date: Option<i64>,
    pub flags: ServerFlags,
}

/// System flags and keywords.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerFlags {
    pub seen: bool,
    pub flagged: bool,
    pub answered: bool,
    pub draft: bool,
    pub deleted: bool,
    pub keywords: Vec<String>,
}

/// Invoice messages (SDI-named attachment seen in BODYSTRUCTURE) up to this size are downloaded
/// by every body policy, like receipts: the invoices view needs what their file says.
pub const INVOICE_BODY_CAP: u64 = 10 * 1024 * 1024;

/// Result of [`Store::upsert_message`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InsertOutcome {
    pub id: MessageId,
    /// False when the message was already there (updated or left alone).
    pub inserted: bool,
}

impl Store {
    /// Create or update a folder by name; returns its id.
    pub fn ensure_folder(
        &self,
        account: AccountId,
        name: &str,
        role: Option<FolderRole>,
        delimiter: Option<&str>,
    ) -> Result<FolderId> {
        self.write(|tx| ensure_folder_tx(tx, account, name, role, delimiter))
    }

    /// Insert a message (or upgrade a header-only row to a full analysis), in one transaction
    /// together with its recipients, attachments, full-text entry and receipt bookkeeping.
    pub fn upsert_message(
        &self,
        folder: FolderId,
        meta: &ImapMeta,
        rec: &MessageRecord,
        raw: Option<&[u8]>,
    ) -> Result<InsertOutcome> {
        let cap = self.body_cap();
        self.write_with_bodies(|tx, files| {
            let mut end = BatchEnd::default();
            let out = upsert_message_into(tx, folder, meta, rec, raw, Some(files), &mut end)?;
            end.flush(tx)?;
            if let Some(raw) = raw {
                put_body_tx(tx, files, out.id, raw, cap)?;
            }
            Ok(out)
        })
    }

    /// Insert many messages in one transaction (the sync's batches).
    pub fn upsert_batch(
        &self,
        folder: FolderId,
        items: &[(ImapMeta, MessageRecord, Option<Vec<u8>>)],
    ) -> Result<Vec<InsertOutcome>> {
        let cap = self.body_cap();
        self.write_with_bodies(|tx, files| {
            let rows = || {
                let mut end = BatchEnd::default();
                let mut out = Vec::with_capacity(items.len());
                for (meta, rec, raw) in items {
                    let raw = raw.as_deref();
                    let files = Some(files);
                    out.push(upsert_message_into(
                        tx, folder, meta, rec, raw, files, &mut end,
                    )?);
                }
                end.flush(tx)?;
                Ok(out)
            };
            rows_beside_bodies(tx, files, items, cap, rows, |o| Some(o.id))
        })
    }

    /// Apply the server's flags to the message with `uid` (skipping messages that have local
    /// actions still queued: those win until replayed).
    pub fn apply_server_flags(
        &self,
        folder: FolderId,
        updates: &[(u32, Option<u64>, ServerFlags)],
    ) -> Result<usize> {
        self.write(|tx| {
            let mut changed = 0;
            for (uid, modseq, flags) in updates {
                let row: Option<(MessageId, AccountId, String)> = tx
                    .row(
                        "SELECT m.id, m.account_id, f.name FROM messages m JOIN folders f ON f.id = m.folder_id
                         WHERE m.folder_id = ?1 AND m.uid = ?2",
                        params![folder, uid],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .optional()?;
                let Some((id, account, fname)) = row else { continue };
                let pending: i64 = tx.row(
                    "SELECT COUNT(*) FROM actions WHERE account_id = ?1 AND folder = ?2 AND uid = ?3",
                    params![account, fname, uid],
                    |r| r.get(0),
                )?;
                if pending > 0 {
                    continue;
                }
                changed += set_flags_tx(tx, id, *modseq, flags)?;
            }
            Ok(changed)
        })
    }

    /// Remove messages the server no longer has (by UID), or every message of a folder whose
    /// UIDVALIDITY changed (`uids = None`).
    pub fn remove_uids(&self, folder: FolderId, uids: Option<&[u32]>) -> Result<usize> {
        self.write(|tx| match uids {
            None => delete_where_tx(tx, "folder_id = ?1 AND uid IS NOT NULL", params![folder]),
            Some(uids) => {
                let mut n = 0;
                for uid in uids {
                    n += delete_where_tx(tx, "folder_id = ?1 AND uid = ?2", params![folder, uid])?;
                }
                Ok(n)
            }
        })
    }

    /// UIDs stored for a folder, ascending.
    pub fn folder_uids(&self, folder: FolderId) -> Result<Vec<u32>> {
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT uid FROM messages WHERE folder_id = ?1 AND uid IS NOT NULL ORDER BY uid",
            )?;
            let v = st
                .query_map([folder], |r| r.get::<_, u32>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(v)
        })
    }

    /// Server messages of `folder` whose body the policy wants and that are not analysed yet,
    /// newest first: receipts always, invoice messages up to [`INVOICE_BODY_CAP`] (their file fills
    /// the invoices view), others up to `max_size` bytes (`None`: all).
    pub fn uids_needing_body(
        &self,
        folder: FolderId,
        max_size: Option<u64>,
    ) -> Result<Vec<(u32, u64)>> {
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT uid, size FROM messages WHERE folder_id = ?1 AND body_state = 0 AND uid IS NOT NULL
                   AND (kind = 'receipt' OR (is_invoice = 1 AND size <= ?3) OR ?2 IS NULL OR size <= ?2)
                 ORDER BY uid DESC",
            )?;
            let v = st
                .query_map(
                    params![folder, max_size.map(|m| m as i64), INVOICE_BODY_CAP as i64],
                    |r| {
                    Ok((r.get(0)?, r.get::<_, i64>(1)?.max(0) as u64))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(v)
        })
    }

    /// Whether [`Store::uids_needing_body`] would return anything.
    pub fn needs_bodies(&self, folder: FolderId, max_size: Option<u64>) -> Result<bool> {
        self.read(|c| {
            Ok(c.row(
                "SELECT EXISTS(SELECT 1 FROM messages WHERE folder_id = ?1 AND body_state = 0 AND uid IS NOT NULL
                   AND (kind = 'receipt' OR (is_invoice = 1 AND size <= ?3) OR ?2 IS NULL OR size <= ?2))",
                params![folder, max_size.map(|m| m as i64), INVOICE_BODY_CAP as i64],
                |r| r.get(0),
            )?)
        })
    }

    /// Number of messages of `folder` that have a server UID.
    pub fn folder_server_count(&self, folder: FolderId) -> Result<u64> {
        self.read(|c| {
            Ok(c.row(
                "SELECT COUNT(*) FROM messages WHERE folder_id = ?1 AND uid IS NOT NULL",
                [folder],
                |r| r.get::<_, i64>(0),
            )? as u64)
        })
    }

    /// Store downloaded bodies for messages already known by UID: full analysis replaces the
    /// header-only one; flags are left alone. Unknown UIDs (expunged meanwhile) are skipped.
    pub fn upsert_bodies(
        &self,
        folder: FolderId,
        items: &[(ImapMeta, MessageRecord, Option<Vec<u8>>)],
    ) -> Result<usize> {
        let cap = self.body_cap();
        self.write_with_bodies(|tx, files| {
            let rows = || analysed_again_tx(tx, folder, items);
            let found = rows_beside_bodies(tx, files, items, cap, rows, |id| *id)?;
            Ok(found.iter().flatten().count())
        })
    }

    /// Save the IMAP sync state of a folder.
    pub fn set_folder_state(
        &self,
        folder: FolderId,
        uidvalidity: Option<u32>,
        uidnext: Option<u32>,
        highestmodseq: Option<u64>,
        backfill_uid: Option<u32>,
    ) -> Result<()> {
        self.write(|tx| {
            tx.exec(
                "UPDATE folders SET uidvalidity = ?2, uidnext = ?3, highestmodseq = ?4, backfill_uid = ?5,
                 synced_at = ?6 WHERE id = ?1",
                params![
                    folder,
                    uidvalidity,
                    uidnext,
                    highestmodseq.map(|m| m as i64),
                    backfill_uid,
                    now()
                ],
            )?;
            Ok(())
        })
    }

    pub fn set_folder_rights(&self, folder: FolderId, rights: Option<&str>) -> Result<()> {
        self.write(|tx| {
            tx.exec(
                "UPDATE folders SET myrights = ?2 WHERE id = ?1",
                params![folder, rights],
            )?;
            Ok(())
        })
    }

    pub fn set_quota(
        &self,
        account: AccountId,
        used_kb: Option<u64>,
        limit_kb: Option<u64>,
    ) -> Result<()> {
        self.write(|tx| {
            tx.exec(
                "UPDATE accounts SET quota_used_kb = ?2, quota_limit_kb = ?3 WHERE id = ?1",
                params![
                    account,
                    used_kb.map(|v| v as i64),
                    limit_kb.map(|v| v as i64)
                ],
            )?;
            Ok(())
        })
    }

    /// The cached raw message, if any (touches its LRU stamp). A body file that is gone or does
    /// not open is a body no longer cached: its row goes, and `None` sends the caller to the
    /// server for it.
    pub fn body(&self, message: MessageId) -> Result<Option<Vec<u8>>> {
        let held: Option<Held> = self.read(|c| {
            Ok(c.row(
                "SELECT raw, file, sealed FROM bodies WHERE message_id = ?1",
                [message],
                |r| {
                    Ok(match r.get::<_, Option<String>>(1)? {
                        Some(name) => Held::File {
                            name,
                            sealed: r.get(2)?,
                        },
                        None => Held::InRow(r.get(0)?),
                    })
                },
            )
            .optional()?)
        })?;
        let raw = match held {
            None => return Ok(None),
            Some(Held::InRow(raw)) => raw,
            Some(Held::File { name, sealed }) => {
                let key = self.file_key()?;
                match body_files::read(&self.body_dir(), &name, sealed, key.as_deref()) {
                    Ok(raw) => raw,
                    Err(e) if body_files::is_lost(&e) => {
                        tracing::warn!("message {message}: cached body {name} lost ({e})");
                        // By name: a body cached again meanwhile (another file) stays.
                        self.write(|tx| {
                            tx.exec(
                                "DELETE FROM bodies WHERE message_id = ?1 AND file = ?2",
                                params![message, name],
                            )?;
                            Ok(())
                        })?;
                        return Ok(None);
                    }
                    Err(e) => return Err(StoreError::Invalid(format!("body {name}: {e}"))),
                }
            }
        };
        self.write(|tx| {
            tx.exec(
                "UPDATE bodies SET last_access = ?2 WHERE message_id = ?1",
                params![message, now()],
            )?;
            Ok(())
        })?;
        Ok(Some(raw))
    }

    /// Total bytes of cached bodies.
    pub fn body_cache_size(&self) -> Result<u64> {
        self.read(|c| {
            Ok(c.row("SELECT bytes FROM body_total WHERE id = 1", [], |r| {
                r.get::<_, i64>(0)
            })? as u64)
        })
    }
}

pub(crate) fn ensure_folder_tx(
    tx: &Transaction<'_>,
    account: AccountId,
    name: &str,
    role: Option<FolderRole>,
    delimiter: Option<&str>,
) -> Result<FolderId> {
    tx.exec(
        "INSERT INTO folders (account_id, name, role, delimiter) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(account_id, name) DO UPDATE SET role = COALESCE(excluded.role, folders.role),
             delimiter = COALESCE(excluded.delimiter, folders.delimiter)",
        params![account, name, role.map(FolderRole::as_str), delimiter],
    )?;
    Ok(tx.row(
        "SELECT id FROM folders WHERE account_id = ?1 AND name = ?2",
        params![account, name],
        |r| r.get(0),
    )?)
}

fn set_flags_tx(
    tx: &Transaction<'_>,
    id: MessageId,
    modseq: Option<u64>,
    f: &ServerFlags,
) -> Result<usize> {
    let n = tx.exec(
        "UPDATE messages SET seen = ?2, flagged = ?3, answered = ?4, draft = ?5, modseq = COALESCE(?6, modseq)
         WHERE id = ?1 AND (seen, flagged, answered, draft) IS NOT (?2, ?3, ?4, ?5)",
        params![id, f.seen, f.flagged, f.answered, f.draft, modseq.map(|m| m as i64)],
    )?;
    Ok(if set_labels_tx(tx, id, &f.keywords)? {
        1
    } else {
        n
    })
}

/// Make message `id`'s labels the server's `keywords`; true when they changed.
fn set_labels_tx(tx: &Transaction<'_>, id: MessageId, keywords: &[String]) -> Result<bool> {
    let mut existing: Vec<String> = {
        let mut st =
            tx.prepare_cached("SELECT label FROM labels WHERE message_id = ?1 ORDER BY label")?;
        st.query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?
    };
    let mut wanted = keywords.to_vec();
    wanted.sort();
    wanted.dedup();
    existing.sort();
    if existing == wanted {
        return Ok(false);
    }
    tx.exec("DELETE FROM labels WHERE message_id = ?1", [id])?;
    for k in &wanted {
        tx.exec(
            "INSERT OR IGNORE INTO labels (message_id, label) VALUES (?1, ?2)",
            params![id, k],
        )?;
    }
    Ok(true)
}

fn delete_where_tx(
    tx: &Transaction<'_>,
    cond: &str,
    p: impl rusqlite::Params + Clone,
) -> Result<usize> {
    // Sent messages losing their row release their receipts (ON DELETE SET NULL) so they wait for the
    // message to come back (e.g. moved to another folder). Receipts losing their row: recompute.
    let sql = format!(
        "SELECT id, (SELECT sent_id FROM receipts WHERE receipt_id = messages.id) FROM messages WHERE {cond}"
    );
    let rows: Vec<(MessageId, Option<MessageId>)> = {
        let mut st = tx.prepare(&sql)?;
        st.query_map(p.clone(), |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?
    };
    let mut touched = Vec::new();
    for (id, sent) in &rows {
        fts_forget_tx(tx, *id)?;
        tx.exec("DELETE FROM messages WHERE id = ?1", [id])?;
        if let Some(s) = sent {
            touched.push(*s);
        }
    }
    touched.sort();
    touched.dedup();
    for s in touched {
        receipts::recompute_tx(tx, s)?;
    }
    Ok(rows.len())
}

fn folder_role_tx(tx: &Transaction<'_>, folder: FolderId) -> Result<(AccountId, Option<String>)> {
    tx.row(
        "SELECT account_id, role FROM folders WHERE id = ?1",
        [folder],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("folder {folder}")))
}

/// Write the full analysis of `items` over their header-only rows: per item, its message, or
/// none when its UID is no longer known (expunged meanwhile).
fn analysed_again_tx(
    tx: &Transaction<'_>,
    folder: FolderId,
    items: &[(ImapMeta, MessageRecord, Option<Vec<u8>>)],
) -> Result<Vec<Option<MessageId>>> {
    let (account, role) = folder_role_tx(tx, folder)?;
    let mut fts = FtsRows::default();
    let mut found = Vec::with_capacity(items.len());
    for (meta, rec, _) in items {
        let id = match meta.uid {
            Some(uid) => id_by_uid_tx(tx, folder, uid)?,
            None => None,
        };
        if let Some(id) = id {
            let role = role.as_deref();
            write_fields_tx(tx, id, account, role, meta, rec, Row::Existing, &mut fts)?;
        }
        found.push(id);
    }
    fts.flush(tx)?;
    Ok(found)
}

/// Write the rows of a batch (`rows`: one result per item) while the files of its bodies are
/// written beside them ([`body_files::BodyWrites::write_beside`]), then make each file its
/// message's cached body. `id_of` a row's result is its message, or none when the message is
/// gone (expunged meanwhile): then its file goes too.
fn rows_beside_bodies<R>(
    tx: &Transaction<'_>,
    files: &body_files::BodyWrites,
    items: &[(ImapMeta, MessageRecord, Option<Vec<u8>>)],
    cap: u64,
    rows: impl FnOnce() -> Result<Vec<R>>,
    id_of: impl Fn(&R) -> Option<MessageId>,
) -> Result<Vec<R>> {
    let raws: Vec<&[u8]> = items.iter().filter_map(|i| i.2.as_deref()).collect();
    let (out, written) = files.write_beside(&raws, rows)?;
    let with_body = out
        .iter()
        .zip(items)
        .filter_map(|(r, i)| Some((r, i.2.as_ref()?)));
    for ((r, raw), file) in with_body.zip(written) {
        match id_of(r) {
            Some(id) => name_body_tx(tx, id, raw.len(), file, cap)?,
            None => files.discard(file),
        }
    }
    Ok(out)
}

/// The message with `uid` in `folder`, if known.
fn id_by_uid_tx(tx: &Transaction<'_>, folder: FolderId, uid: u32) -> Result<Option<MessageId>> {
    let id = tx
        .row(
            "SELECT id FROM messages WHERE folder_id = ?1 AND uid = ?2",
            params![folder, uid],
            |r| r.get(0),
        )
        .optional()?;
    Ok(id)
}

/// The local row (no server copy: moved locally or imported) that a message arriving in `folder`
/// is another copy of. The one rule for "same message": same Message-ID, same size, and the same
/// bytes when both bodies are at hand. The same Message-ID with other bytes (an edited copy, a
/// resend, a forgery) is another message and gets its own row: taking it for the first would
/// show one message's headers over the other's body. A stored body is at hand when it is in its
/// row or its file opens (`files`).
fn local_twin_tx(
    tx: &Transaction<'_>,
    folder: FolderId,
    message_id: &str,
    size: u64,
    raw: Option<&[u8]>,
    files: Option<&body_files::BodyWrites>,
) -> Result<Option<(MessageId, i64)>> {
    let mut st = tx.prepare_cached(
        "SELECT m.id, m.body_state, b.raw, b.file, b.sealed FROM messages m
         LEFT JOIN bodies b ON b.message_id = m.id
         WHERE m.folder_id = ?1 AND m.uid IS NULL AND m.message_id = ?2 AND m.size = ?3
         ORDER BY m.id",
    )?;
    let mut rows = st.query(params![folder, message_id, size as i64])?;
    while let Some(r) = rows.next()? {
        let stored: Option<Vec<u8>> = match (r.get::<_, Option<String>>(3)?, files, raw) {
            (Some(name), Some(files), Some(_)) => files.read(&name, r.get(4)?).ok(),
            (Some(_), _, _) => None,
            (None, _, _) => r.get(2)?,
        };
        let same = match (raw, stored.as_deref()) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        if same {
            return Ok(Some((r.get(0)?, r.get(1)?)));
        }
    }
    Ok(None)
}

pub(crate) fn upsert_message_tx(
    tx: &Transaction<'_>,
    folder: FolderId,
    meta: &ImapMeta,
    rec: &MessageRecord,
    raw: Option<&[u8]>,
) -> Result<InsertOutcome> {
    let mut end = BatchEnd::default();
    let out = upsert_message_into(tx, folder, meta, rec, raw, None, &mut end)?;
    end.flush(tx)?;
    Ok(out)
}

/// [`upsert_message_tx`] whose full-text row joins `fts`, written when the caller flushes it.
fn upsert_message_into<'a>(
    tx: &Transaction<'_>,
    folder: FolderId,
    meta: &ImapMeta,
    rec: &'a MessageRecord,
    raw: Option<&[u8]>,
    files: Option<&body_files::BodyWrites>,
    end: &mut BatchEnd<'a>,
) -> Result<InsertOutcome> {
    let (account, role) = folder_role_tx(tx, folder)?;
    let role = role.as_deref();
    // 1. Same server message already known?
    let existing: Option<(MessageId, i64)> = match meta.uid {
        Some(uid) => tx
            .row(
                "SELECT id, body_state FROM messages WHERE folder_id = ?1 AND uid = ?2",
                params![folder, uid],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?,
        None => None,
    };
    // 2. A local row waiting for its server copy (moved locally, or imported): the same message.
    let existing = match (existing, &rec.message_id) {
        (Some(e), _) => Some(e),
        (None, Some(mid)) => {
            let local = local_twin_tx(tx, folder, mid, meta.size, raw, files)?;
            if let (Some((id, _)), Some(uid)) = (local, meta.uid) {
                tx.exec(
                    "UPDATE messages SET uid = ?2 WHERE id = ?1",
                    params![id, uid],
                )?;
            }
            local
        }
        (None, None) => None,
    };
    if let Some((id, body_state)) = existing {
        if meta.uid.is_some() {
            set_flags_tx(tx, id, meta.modseq, &meta.flags)?;
        }
        if rec.complete && body_state == 0 {
            let row = Row::Existing;
            write_fields_tx(tx, id, account, role, meta, rec, row, &mut end.fts)?;
        }
        return Ok(InsertOutcome {
            id,
            inserted: false,
        });
    }
    // The row carries the flags; the keywords are rows of their own.
    let (id, fts_key) = insert_new_tx(tx, account, folder, meta, rec)?;
    set_labels_tx(tx, id, &meta.flags.keywords)?;
    let row = Row::New { fts_key };
    write_fields_tx(tx, id, account, role, meta, rec, row, &mut end.fts)?;
    correspondents(rec, &mut end.seen);
    Ok(InsertOutcome { id, inserted: true })
}

/// A new message's sender and recipients count as correspondents of the address book (once per
/// message: only here, where it is first stored). Receipts name no correspondent of their own;
/// an envelope's real sender has no display name of its own (the provider's says "per conto di").
fn correspondents<'a>(rec: &'a MessageRecord, seen: &mut Seen<'a>) {
    if rec.kind() == crate::message::Kind::Receipt {
        return;
    }
    let date = rec.date.unwrap_or(0);
    match (rec.sender_addr.as_deref(), rec.from_addr.as_deref()) {
        (Some(real), _) => seen.add(real, None, date),
        (None, Some(from)) => seen.add(from, rec.from_name.as_deref(), date),
        (None, None) => {}
    }
    for r in &rec.recipients {
        seen.add(&r.address, r.name.as_deref(), date);
    }
}

/// Which row [`write_fields_tx`] completes.
enum Row {
    /// A row that was there (a header-only listing now analysed, a local copy matched to its
    /// server twin): its fields are written over and its full-text key computed again.
    Existing,
    /// A row [`insert_new_tx`] has just written whole, full-text key included.
    New { fts_key: i64 },
}

/// A new message as one row, with its fields and its full-text key: the listing indexes and the
/// folder counters are written once, not for a bare row and again for its fields (that second
/// write was about a tenth of the store's instructions in the ingest bench).
fn insert_new_tx(
    tx: &Transaction<'_>,
    account: AccountId,
    folder: FolderId,
    meta: &ImapMeta,
    rec: &MessageRecord,
) -> Result<(MessageId, i64)> {
    // The id SQLite would give the row itself (no AUTOINCREMENT), known first for the key.
    let id: MessageId = tx.row("SELECT IFNULL(MAX(id), 0) + 1 FROM messages", [], |r| {
        r.get(0)
    })?;
    let date = rec.date.or(meta.internal_date).unwrap_or(0);
    let fts_key = free_fts_key_tx(tx, date, id)?;
    let fields = AnalysedFields::new(rec, meta);
    let f = &meta.flags;
    let own: [&dyn rusqlite::ToSql; 8] = [
        &account,
        &folder,
        &meta.uid,
        &f.seen,
        &f.flagged,
        &f.answered,
        &f.draft,
        &fts_key,
    ];
    tx.exec(
        "INSERT INTO messages (id, kind, message_id, receipt_type, ref_message_id,
            pec_identificativo, pec_msgid, pec_recipient, pec_error, pec_time, from_addr, from_name,
            sender_addr, subject, original_subject, date, internal_date, size, signature,
            has_attachments, is_invoice, preview, body_state, modseq,
            account_id, folder_id, uid, seen, flagged, answered, draft, fts_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
            COALESCE(?16, ?17, 0), ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24,
            ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32)",
        rusqlite::params_from_iter(fields.with_id(&id).chain(own)),
    )?;
    Ok((id, fts_key))
}

/// The full-text key of message `id` dated `date`: newest first in `messages_fts`, and the next
/// free one when another message of the same second and low id bits holds it.
fn free_fts_key_tx(tx: &Transaction<'_>, date: i64, id: MessageId) -> Result<i64> {
    let mut key = (date.clamp(0, (1 << 38) - 1) << 24) | (id & 0xFF_FFFF);
    while tx
        .row("SELECT 1 FROM messages WHERE fts_key = ?1", [key], |_| {
            Ok(())
        })
        .optional()?
        .is_some()
    {
        key += 1;
    }
    Ok(key)
}

/// The analysis's fields over a row that exists (see [`Row::Existing`]).
fn update_fields_tx(
    tx: &Transaction<'_>,
    id: MessageId,
    meta: &ImapMeta,
    rec: &MessageRecord,
) -> Result<()> {
    let fields = AnalysedFields::new(rec, meta);
    tx.exec(
        "UPDATE messages SET kind = ?2, message_id = ?3, receipt_type = ?4, ref_message_id = ?5,
            pec_identificativo = COALESCE(?6, pec_identificativo), pec_msgid = ?7, pec_recipient = ?8,
            pec_error = ?9, pec_time = ?10, from_addr = ?11, from_name = ?12, sender_addr = ?13,
            subject = ?14, original_subject = ?15, date = COALESCE(?16, ?17, internal_date, date),
            internal_date = COALESCE(?17, internal_date),
            size = MAX(size, ?18), signature = ?19, has_attachments = ?20, is_invoice = ?21, preview = ?22,
            body_state = ?23, modseq = COALESCE(?24, modseq)
         WHERE id = ?1",
        rusqlite::params_from_iter(fields.with_id(&id)),
    )?;
    Ok(())
}

/// A message's fields from its analysis, bound as `?2` to `?24` (after its id) by both the
/// `INSERT` of a new message and the `UPDATE` of a row that was there: a field is added once.
struct AnalysedFields<'a> {
    rec: &'a MessageRecord,
    meta: &'a ImapMeta,
    kind: &'static str,
    identificativo: Option<&'a String>,
    size: i64,
    has_attachments: bool,
    body_state: i64,
    modseq: Option<i64>,
}

impl<'a> AnalysedFields<'a> {
    fn new(rec: &'a MessageRecord, meta: &'a ImapMeta) -> Self {
        let kind = rec.kind();
        AnalysedFields {
            rec,
            meta,
            kind: kind.as_str(),
            // A receipt's identificativo names the message it is about (kept in `receipts`).
            identificativo: rec
                .identificativo
                .as_ref()
                .filter(|_| kind != Kind::Receipt),
            size: meta.size as i64,
            has_attachments: !rec.attachments.is_empty(),
            body_state: rec.complete as i64,
            modseq: meta.modseq.map(|m| m as i64),
        }
    }

    /// `id` as `?1`, then the fields in their order.
    fn with_id<'s>(&'s self, id: &'s MessageId) -> impl Iterator<Item = &'s dyn rusqlite::ToSql> {
        let r = self.rec;
        let values: [&dyn rusqlite::ToSql; 24] = [
            id,
            &self.kind,
            &r.message_id,
            &r.receipt_type,
            &r.ref_message_id,
            &self.identificativo,
            &r.pec_msgid,
            &r.pec_recipient,
            &r.pec_error,
            &r.pec_time,
            &r.from_addr,
            &r.from_name,
            &r.sender_addr,
            &r.subject,
            &r.original_subject,
            &r.date,
            &self.meta.internal_date,
            &self.size,
            &r.signature,
            &self.has_attachments,
            &r.is_invoice,
            &r.preview,
            &self.body_state,
            &self.modseq,
        ];
        values.into_iter()
    }
}

#[allow(clippy::too_many_arguments)]
fn write_fields_tx<'a>(
    tx: &Transaction<'_>,
    id: MessageId,
    account: AccountId,
    role: Option<&str>,
    meta: &ImapMeta,
    rec: &'a MessageRecord,
    row: Row,
    fts: &mut FtsRows<'a>,
) -> Result<()> {
    let update = matches!(row, Row::Existing);
    if update {
        update_fields_tx(tx, id, meta, rec)?;
    }
    // The server's sections (from BODYSTRUCTURE) outlive the full analysis that replaces the
    // header-only listing: matched by file name, in order.
    let mut old_sections: Vec<(Option<String>, String)> = Vec::new();
    if update {
        let mut st = tx.prepare_cached(
            "SELECT filename, section FROM attachments WHERE message_id = ?1 AND section IS NOT NULL
             ORDER BY idx",
        )?;
        old_sections = st
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        tx.exec("DELETE FROM attachments WHERE message_id = ?1", [id])?;
        if let Some(key) = fts_forget_tx(tx, id)? {
            fts.forget(key);
        }
    }
    for r in &rec.recipients {
        tx.exec(
            "INSERT INTO recipients (message_id, address, name, field, pec_type) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(message_id, address, field) DO UPDATE SET
                 name = COALESCE(excluded.name, recipients.name),
                 pec_type = COALESCE(excluded.pec_type, recipients.pec_type)",
            params![id, r.address, r.name, r.field, r.pec_type],
        )?;
    }
    for (i, a) in rec.attachments.iter().enumerate() {
        let section = a.section.clone().or_else(|| {
            let pos = old_sections
                .iter()
                .position(|(name, _)| *name == a.filename)?;
            Some(old_sections.remove(pos).1)
        });
        tx.exec(
            "INSERT OR REPLACE INTO attachments (message_id, idx, filename, mime, size, section)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, i as i64, a.filename, a.mime, a.size as i64, section],
        )?;
    }
    // What the invoice file says, with the message's own analysis (same transaction).
    if rec.complete {
        tx.exec("DELETE FROM invoices WHERE message_id = ?1", [id])?;
        for inv in &rec.invoices {
            super::query::put_invoice_tx(tx, id, inv)?;
        }
    }
    // Envelopes are indexed under their real sender, not the provider's address.
    let sender = [
        rec.from_name.as_deref(),
        rec.sender_addr.as_deref().or(rec.from_addr.as_deref()),
    ]
    .iter()
    .flatten()
    .copied()
    .collect::<Vec<_>>()
    .join(" ");
    let recipients = rec
        .recipients
        .iter()
        .map(|r| match &r.name {
            Some(n) => format!("{n} {}", r.address),
            None => r.address.clone(),
        })
        .collect::<Vec<_>>()
        .join(" ");
    let key = match row {
        Row::New { fts_key } => fts_key,
        Row::Existing => {
            let date: i64 = tx.row("SELECT date FROM messages WHERE id = ?1", [id], |r| {
                r.get(0)
            })?;
            let key = free_fts_key_tx(tx, date, id)?;
            tx.exec(
                "UPDATE messages SET fts_key = ?2 WHERE id = ?1",
                params![id, key],
            )?;
            key
        }
    };
    fts.rows.push(FtsRow {
        key,
        subject: rec.original_subject.as_deref().or(rec.subject.as_deref()),
        sender,
        recipients,
        body: rec.body_text.as_deref(),
    });
    receipts::on_message_written_tx(tx, id, account, role, rec)?;
    Ok(())
}

/// Drop a message's full-text entry (before deleting or re-indexing it).
/// Drop a message's full-text row; returns the key it had (a row still pending in an
/// [`FtsRows`] of the same transaction must be dropped there too).
pub(crate) fn fts_forget_tx(tx: &Transaction<'_>, id: MessageId) -> Result<Option<i64>> {
    let key: Option<i64> = tx
        .row("SELECT fts_key FROM messages WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?
        .flatten();
    if let Some(key) = key {
        tx.exec("DELETE FROM messages_fts WHERE rowid = ?1", [key])?;
        tx.exec("UPDATE messages SET fts_key = NULL WHERE id = ?1", [id])?;
    }
    Ok(key)
}

/// What the messages of a batch write together at its end, in the same transaction: their
/// full-text rows and the correspondents they name.
#[derive(Default)]
pub(crate) struct BatchEnd<'a> {
    fts: FtsRows<'a>,
    seen: Seen<'a>,
}

impl BatchEnd<'_> {
    fn flush(self, tx: &Transaction<'_>) -> Result<()> {
        self.fts.flush(tx)?;
        self.seen.write(tx)
    }
}

/// One message's full-text row, waiting for [`FtsRows::flush`].
struct FtsRow<'a> {
    key: i64,
    subject: Option<&'a str>,
    sender: String,
    recipients: String,
    body: Option<&'a str>,
}

/// The full-text rows of a batch, written together at its end (same transaction). FTS5 flushes
/// its pending terms to disk at every statement savepoint, and each message's other statements
/// (with triggers) open one: interleaved, that is one flush and one small segment per message.
/// Written together, 2,000 corpus messages are stored about 9% faster (`benches/ingest.rs`, five
/// alternated runs: 0.84–1.02 s against 0.94–1.09 s).
#[derive(Default)]
pub(crate) struct FtsRows<'a> {
    rows: Vec<FtsRow<'a>>,
}

impl FtsRows<'_> {
    /// A row forgotten before the flush (the same message rewritten in the batch).
    fn forget(&mut self, key: i64) {
        self.rows.retain(|r| r.key != key);
    }

    fn flush(self, tx: &Transaction<'_>) -> Result<()> {
        for r in self.rows {
            tx.exec(
                "INSERT INTO messages_fts (rowid, subject, sender, recipients, body) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![r.key, r.subject, r.sender, r.recipients, r.body],
            )?;
        }
        Ok(())
    }
}
