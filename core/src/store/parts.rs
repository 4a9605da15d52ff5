//! Resumable downloads of single MIME parts (large attachments opened or shared by the user).
//!
//! The sync engine fetches a part in chunks (`BODY.PEEK[section]<offset.length>`) and appends each
//! chunk here in its own transaction, so a kill or a cut connection loses at most the chunk in
//! flight and the next call resumes at [`PartProgress::have`]. A changed UID or UIDVALIDITY (the
//! part now names other bytes) restarts from zero.

use super::{MessageId, Result, Store, StoreError, now};
use rusqlite::{OptionalExtension, params};

/// Where a part download stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartProgress {
    pub uid: u32,
    pub uidvalidity: Option<u32>,
    /// Content-Transfer-Encoding (lower case).
    pub encoding: String,
    /// Encoded size announced by BODYSTRUCTURE.
    pub size: u64,
    /// Encoded bytes stored so far.
    pub have: u64,
    pub complete: bool,
}

impl Store {
    /// The state of a part download, if one was started.
    pub fn part_progress(&self, message: MessageId, section: &str) -> Result<Option<PartProgress>> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT d.uid, d.uidvalidity, d.encoding, d.size, d.complete,
                        (SELECT COALESCE(SUM(length(data)), 0) FROM part_chunks p
                         WHERE p.message_id = d.message_id AND p.section = d.section)
                 FROM part_downloads d WHERE d.message_id = ?1 AND d.section = ?2",
                params![message, section],
                |r| {
                    Ok(PartProgress {
                        uid: r.get(0)?,
                        uidvalidity: r.get(1)?,
                        encoding: r.get(2)?,
                        size: r.get::<_, i64>(3)? as u64,
                        complete: r.get(4)?,
                        have: r.get::<_, i64>(5)? as u64,
                    })
                },
            )
            .optional()?)
        })
    }

    /// Start (or keep) a part download. An existing download of other bytes (different UID,
    /// UIDVALIDITY, encoding or size) is discarded. Returns the progress to resume from.
    pub fn begin_part(
        &self,
        message: MessageId,
        section: &str,
        uid: u32,
        uidvalidity: Option<u32>,
        encoding: &str,
        size: u64,
    ) -> Result<PartProgress> {
        let existing = self.part_progress(message, section)?;
        let fresh = PartProgress {
            uid,
            uidvalidity,
            encoding: encoding.to_string(),
            size,
            have: 0,
            complete: false,
        };
        if let Some(p) = existing
            && p.uid == uid
            && p.uidvalidity == uidvalidity
            && p.encoding == encoding
            && p.size == size
        {
            return Ok(p);
        }
        self.write(|tx| {
            tx.execute(
                "DELETE FROM part_downloads WHERE message_id = ?1 AND section = ?2",
                params![message, section],
            )?;
            tx.execute(
                "INSERT INTO part_downloads
                   (message_id, section, uid, uidvalidity, encoding, size, complete, started_at,
                    last_access)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7,
                         (SELECT COALESCE(MAX(last_access), 0) + 1 FROM part_downloads))",
                params![
                    message,
                    section,
                    uid,
                    uidvalidity,
                    encoding,
                    size as i64,
                    now()
                ],
            )?;
            Ok(())
        })?;
        Ok(fresh)
    }

    /// Append one chunk at `offset` (must equal the bytes stored so far: a stale writer cannot
    /// leave a hole or an overlap). `last` marks the download complete in the same transaction.
    pub fn put_part_chunk(
        &self,
        message: MessageId,
        section: &str,
        offset: u64,
        data: &[u8],
        last: bool,
    ) -> Result<()> {
        self.write(|tx| {
            let have: Option<i64> = tx
                .query_row(
                    "SELECT (SELECT COALESCE(SUM(length(data)), 0) FROM part_chunks p
                             WHERE p.message_id = d.message_id AND p.section = d.section)
                     FROM part_downloads d WHERE d.message_id = ?1 AND d.section = ?2",
                    params![message, section],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(have) = have else {
                return Err(StoreError::NotFound(format!(
                    "part {section} of message {message}"
                )));
            };
            if have as u64 != offset {
                return Err(StoreError::Invalid(format!(
                    "part {section} of message {message}: chunk at {offset}, have {have}"
                )));
            }
            if !data.is_empty() {
                tx.execute(
                    "INSERT INTO part_chunks (message_id, section, offset, data)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![message, section, offset as i64, data],
                )?;
            }
            if last {
                tx.execute(
                    "UPDATE part_downloads SET complete = 1 WHERE message_id = ?1 AND section = ?2",
                    params![message, section],
                )?;
            }
            Ok(())
        })
    }

    /// Feed the stored chunks of a part to `sink`, in order, one chunk in memory at a time.
    pub fn read_part_chunks(
        &self,
        message: MessageId,
        section: &str,
        mut sink: impl FnMut(&[u8]) -> Result<()>,
    ) -> Result<u64> {
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT data FROM part_chunks WHERE message_id = ?1 AND section = ?2
                 ORDER BY offset",
            )?;
            let mut rows = st.query(params![message, section])?;
            let mut n = 0u64;
            while let Some(r) = rows.next()? {
                let data = r.get_ref(0)?.as_blob().map_err(rusqlite::Error::from)?;
                n += data.len() as u64;
                sink(data)?;
            }
            Ok(n)
        })
    }

    /// Mark a part as just used and keep the part cache under its cap
    /// ([`Store::set_part_cache_cap`]): the least recently used other parts (complete or not) go
    /// first; `keep` itself is never evicted. Returns how many parts were evicted.
    pub fn touch_part_and_evict(&self, keep: MessageId, section: &str) -> Result<usize> {
        let cap = self.part_cap();
        self.write(|tx| {
            tx.execute(
                "UPDATE part_downloads
                 SET last_access = (SELECT COALESCE(MAX(last_access), 0) + 1 FROM part_downloads)
                 WHERE message_id = ?1 AND section = ?2",
                params![keep, section],
            )?;
            let mut total: i64 = tx.query_row(
                "SELECT COALESCE(SUM(length(data)), 0) FROM part_chunks",
                [],
                |r| r.get(0),
            )?;
            let mut evicted = 0;
            while total as u64 > cap {
                let victim: Option<(MessageId, String, i64)> = tx
                    .query_row(
                        "SELECT d.message_id, d.section,
                            (SELECT COALESCE(SUM(length(data)), 0) FROM part_chunks p
                             WHERE p.message_id = d.message_id AND p.section = d.section)
                         FROM part_downloads d
                         WHERE NOT (d.message_id = ?1 AND d.section = ?2)
                         ORDER BY d.last_access, d.started_at LIMIT 1",
                        params![keep, section],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .optional()?;
                let Some((m, s, bytes)) = victim else { break };
                tx.execute(
                    "DELETE FROM part_downloads WHERE message_id = ?1 AND section = ?2",
                    params![m, s],
                )?;
                total -= bytes;
                evicted += 1;
            }
            Ok(evicted)
        })
    }

    /// Forget a part download (and its chunks).
    pub fn drop_part(&self, message: MessageId, section: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM part_downloads WHERE message_id = ?1 AND section = ?2",
                params![message, section],
            )?;
            Ok(())
        })
    }
}
