//! CardDAV address books in the store: the books, the cards each holds (contacts with an href,
//! the server's ETag and vCard), and the local edits waiting to be uploaded (`dav_pending`).
//!
//! A local edit of a book's contact queues its upload in the same transaction as the edit, so a
//! kill -9 never loses one. What the server sends is applied by href: applying the same card
//! twice changes nothing, so a sync cut short is finished by running it again. A card with an
//! edit waiting is left alone by what the server sends; its upload decides (see
//! `carddav/sync.rs`).

use super::contacts::{insert_contact_tx, update_fields_tx, write_parts_tx};
use super::{CachedExt, Result, Store, StoreError};
use crate::carddav::{AddressBook, Pending, PendingAction, RemoteCard};
use crate::contacts::Contact;
use rusqlite::{OptionalExtension, Transaction, params};
use std::collections::HashMap;

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

impl Store {
    /// Keep book `url` (its id; the existing one's when the URL is known, name and user updated).
    pub fn add_address_book(
        &self,
        url: &str,
        name: &str,
        username: &str,
        ca_file: Option<&str>,
    ) -> Result<i64> {
        self.write(|tx| {
            tx.exec(
                "INSERT INTO address_books (url, name, username, ca_file) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (url) DO UPDATE SET name = ?2, username = ?3, ca_file = ?4",
                params![url, name, username, ca_file],
            )?;
            Ok(
                tx.row("SELECT id FROM address_books WHERE url = ?1", [url], |r| {
                    r.get(0)
                })?,
            )
        })
    }

    pub fn address_books(&self) -> Result<Vec<AddressBook>> {
        self.read(|conn| {
            let mut st = conn.prepare_cached(
                "SELECT id, url, name, username, ca_file, sync_token, ctag, last_sync
                 FROM address_books ORDER BY name COLLATE NOCASE, id",
            )?;
            Ok(st
                .query_map([], book_row)?
                .collect::<rusqlite::Result<_>>()?)
        })
    }

    pub fn address_book(&self, id: i64) -> Result<Option<AddressBook>> {
        self.read(|conn| {
            Ok(conn
                .row(
                    "SELECT id, url, name, username, ca_file, sync_token, ctag, last_sync
                     FROM address_books WHERE id = ?1",
                    [id],
                    book_row,
                )
                .optional()?)
        })
    }

    /// Forget book `id` and the copies of its cards (the server keeps them).
    pub fn remove_address_book(&self, id: i64) -> Result<()> {
        self.write(|tx| {
            tx.exec(
                "DELETE FROM contact_words WHERE contact_id IN
                     (SELECT id FROM contacts WHERE book_id = ?1)",
                [id],
            )?;
            tx.exec("DELETE FROM contacts WHERE book_id = ?1", [id])?;
            match tx.exec("DELETE FROM address_books WHERE id = ?1", [id])? {
                0 => Err(StoreError::NotFound(format!("address book {id}"))),
                _ => Ok(()),
            }
        })
    }

    /// The ETag held for each card of book `id`, by href.
    pub(crate) fn card_versions(&self, book: i64) -> Result<HashMap<String, Option<String>>> {
        self.read(|conn| {
            let mut st = conn.prepare_cached(
                "SELECT href, etag FROM contacts WHERE book_id = ?1 AND href IS NOT NULL",
            )?;
            Ok(st
                .query_map([book], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?)
        })
    }

    /// The edits of book `id` waiting for the server, with what each uploads.
    pub(crate) fn pending(&self, book: i64) -> Result<Vec<Pending>> {
        let rows: Vec<(String, String, Option<String>, i64)> = self.read(|conn| {
            let mut st = conn.prepare_cached(
                "SELECT href, action, etag, seq FROM dav_pending WHERE book_id = ?1 ORDER BY rowid",
            )?;
            Ok(st
                .query_map([book], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<rusqlite::Result<_>>()?)
        })?;
        let mut out = Vec::new();
        for (href, action, etag, seq) in rows {
            let action = if action == "delete" {
                PendingAction::Delete { etag }
            } else {
                match self.upload_of(book, &href)? {
                    Some(put) => put,
                    None => continue, // removed since: its deletion replaced this entry
                }
            };
            out.push(Pending { href, action, seq });
        }
        Ok(out)
    }

    /// The upload of the contact at `href` of book `book`: the contact, with the ETag and vCard
    /// held for it.
    fn upload_of(&self, book: i64, href: &str) -> Result<Option<PendingAction>> {
        let found: Option<(i64, Option<String>, Option<String>)> = self.read(|conn| {
            Ok(conn
                .row(
                    "SELECT id, etag, card FROM contacts WHERE book_id = ?1 AND href = ?2",
                    params![book, href],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?)
        })?;
        let Some((id, etag, card)) = found else {
            return Ok(None);
        };
        Ok(self.contact(id)?.map(|c| PendingAction::Put {
            contact: Box::new(c),
            etag,
            card,
        }))
    }

    /// Apply cards the server sent to book `book`, in one transaction; (added, updated). A card
    /// with a local edit waiting is skipped: the upload of that edit settles it.
    pub(crate) fn apply_cards(&self, book: i64, cards: &[RemoteCard]) -> Result<(u32, u32)> {
        self.write(|tx| {
            let mut counts = (0, 0);
            for card in cards {
                if has_pending_tx(tx, book, &card.href)? {
                    continue;
                }
                match apply_card_tx(tx, book, card)? {
                    true => counts.0 += 1,
                    false => counts.1 += 1,
                }
            }
            Ok(counts)
        })
    }

    /// Remove the cards at `hrefs` that the server no longer has (not those with an edit
    /// waiting); how many went.
    pub(crate) fn remove_cards(&self, book: i64, hrefs: &[String]) -> Result<u32> {
        self.write(|tx| {
            let mut removed = 0;
            for href in hrefs {
                if has_pending_tx(tx, book, href)? {
                    continue;
                }
                removed += remove_card_tx(tx, book, href)?;
            }
            Ok(removed)
        })
    }

    /// Where the last pull of book `book` ended.
    pub(crate) fn set_book_state(
        &self,
        book: i64,
        sync_token: Option<&str>,
        ctag: Option<&str>,
    ) -> Result<()> {
        self.write(|tx| {
            tx.exec(
                "UPDATE address_books SET sync_token = ?2, ctag = ?3, last_sync = ?4 WHERE id = ?1",
                params![book, sync_token, ctag, now()],
            )?;
            Ok(())
        })
    }

    /// The server took the upload of `href` (edit `seq`): it now holds `card` as `etag`.
    pub(crate) fn uploaded(
        &self,
        book: i64,
        href: &str,
        seq: i64,
        etag: Option<&str>,
        card: &str,
    ) -> Result<()> {
        self.write(|tx| {
            tx.exec(
                "UPDATE contacts SET etag = ?3, card = ?4 WHERE book_id = ?1 AND href = ?2",
                params![book, href, etag, card],
            )?;
            done_tx(tx, book, href, seq)
        })
    }

    /// The server removed `href`, or never had it (edit `seq` was its deletion).
    pub(crate) fn deletion_done(&self, book: i64, href: &str, seq: i64) -> Result<()> {
        self.write(|tx| done_tx(tx, book, href, seq))
    }

    /// The server changed `href` since the edit `seq` was made: the server's version wins.
    /// The contact as edited here stays, as a contact on this device only, unless the edit was
    /// a deletion; `server` is `None` when the server deleted the card.
    pub(crate) fn settle_conflict(
        &self,
        book: i64,
        href: &str,
        seq: i64,
        server: Option<&RemoteCard>,
    ) -> Result<()> {
        self.write(|tx| {
            let local: Option<i64> = tx
                .row(
                    "SELECT id FROM contacts WHERE book_id = ?1 AND href = ?2",
                    params![book, href],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(id) = local {
                // The local version becomes a contact of this device, named as it was.
                tx.exec(
                    "UPDATE contacts SET book_id = NULL, href = NULL, etag = NULL, card = NULL,
                         uid = NULL WHERE id = ?1",
                    [id],
                )?;
            }
            if let Some(card) = server {
                apply_card_tx(tx, book, card)?;
            }
            done_tx(tx, book, href, seq)
        })
    }
}

fn book_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AddressBook> {
    Ok(AddressBook {
        id: r.get(0)?,
        url: r.get(1)?,
        name: r.get(2)?,
        username: r.get(3)?,
        ca_file: r.get(4)?,
        sync_token: r.get(5)?,
        ctag: r.get(6)?,
        last_sync: r.get(7)?,
    })
}

fn has_pending_tx(tx: &Transaction<'_>, book: i64, href: &str) -> Result<bool> {
    Ok(tx
        .row(
            "SELECT 1 FROM dav_pending WHERE book_id = ?1 AND href = ?2",
            params![book, href],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

fn done_tx(tx: &Transaction<'_>, book: i64, href: &str, seq: i64) -> Result<()> {
    tx.exec(
        "DELETE FROM dav_pending WHERE book_id = ?1 AND href = ?2 AND seq = ?3",
        params![book, href, seq],
    )?;
    Ok(())
}

/// Store the server's card at its href: the contact already there is replaced, else one is
/// added. True when added.
fn apply_card_tx(tx: &Transaction<'_>, book: i64, card: &RemoteCard) -> Result<bool> {
    let existing: Option<i64> = tx
        .row(
            "SELECT id FROM contacts WHERE book_id = ?1 AND href = ?2",
            params![book, card.href],
            |r| r.get(0),
        )
        .optional()?;
    // A UID is unique in the store; the same card in two books keeps it in its vCard only.
    let uid = match card.contact.uid.as_deref() {
        Some(uid) => {
            let owner: Option<i64> = tx
                .row("SELECT id FROM contacts WHERE uid = ?1", [uid], |r| {
                    r.get(0)
                })
                .optional()?;
            (owner.is_none() || owner == existing).then_some(uid)
        }
        None => None,
    };
    let c = Contact {
        uid: uid.map(str::to_string),
        book: None,
        ..card.contact.clone()
    };
    let (id, added) = match existing {
        Some(id) => {
            update_fields_tx(tx, id, &c)?;
            write_parts_tx(tx, id, &c)?;
            (id, false)
        }
        None => (insert_contact_tx(tx, &c)?, true),
    };
    tx.exec(
        "UPDATE contacts SET book_id = ?2, href = ?3, etag = ?4, card = ?5 WHERE id = ?1",
        params![id, book, card.href, card.etag, card.card],
    )?;
    Ok(added)
}

fn remove_card_tx(tx: &Transaction<'_>, book: i64, href: &str) -> Result<u32> {
    tx.exec(
        "DELETE FROM contact_words WHERE contact_id IN
             (SELECT id FROM contacts WHERE book_id = ?1 AND href = ?2)",
        params![book, href],
    )?;
    Ok(tx.exec(
        "DELETE FROM contacts WHERE book_id = ?1 AND href = ?2",
        params![book, href],
    )? as u32)
}

/// Give contact `id` a place in book `book` when it has none: a new card named by a random
/// UUID under the book's path. A contact already in a book stays where it is.
pub(super) fn place_in_book_tx(tx: &Transaction<'_>, id: i64, book: i64) -> Result<()> {
    let url: Option<String> = tx
        .row("SELECT url FROM address_books WHERE id = ?1", [book], |r| {
            r.get(0)
        })
        .optional()?;
    let Some(url) = url else {
        return Err(StoreError::NotFound(format!("address book {book}")));
    };
    let name = crate::carddav::new_card_name();
    let href = format!("{}{name}.vcf", crate::carddav::path_of(&url));
    tx.exec(
        "UPDATE contacts SET book_id = ?2, href = ?3, uid = COALESCE(uid, ?4)
         WHERE id = ?1 AND book_id IS NULL",
        params![id, book, href, format!("urn:uuid:{name}")],
    )?;
    Ok(())
}

/// Move contact `id` to `book` (`None`: this device only): its card is deleted from the book it
/// was in at the next sync of that book (as for a contact removed), and it becomes a new card of
/// the other one, with its UID kept. The upload is queued by the caller, as for any edit.
pub(super) fn move_between_books_tx(
    tx: &Transaction<'_>,
    id: i64,
    book: Option<i64>,
) -> Result<()> {
    queue_delete_tx(tx, id)?;
    tx.exec(
        "UPDATE contacts SET book_id = NULL, href = NULL, etag = NULL WHERE id = ?1",
        [id],
    )?;
    match book {
        Some(book) => place_in_book_tx(tx, id, book),
        None => Ok(()),
    }
}

/// Queue the upload of contact `id` when it is a card of a book.
pub(super) fn queue_put_tx(tx: &Transaction<'_>, id: i64) -> Result<()> {
    tx.exec(
        "INSERT INTO dav_pending (book_id, href, action, etag)
         SELECT book_id, href, 'put', NULL FROM contacts
         WHERE id = ?1 AND book_id IS NOT NULL AND href IS NOT NULL
         ON CONFLICT (book_id, href) DO UPDATE SET action = 'put', seq = seq + 1",
        [id],
    )?;
    Ok(())
}

/// Queue the deletion of contact `id`'s card, about to be removed here. A card the server
/// never took needs none: its waiting upload is dropped.
pub(super) fn queue_delete_tx(tx: &Transaction<'_>, id: i64) -> Result<()> {
    tx.exec(
        "DELETE FROM dav_pending WHERE (book_id, href) IN
             (SELECT book_id, href FROM contacts WHERE id = ?1 AND etag IS NULL)",
        [id],
    )?;
    tx.exec(
        "INSERT INTO dav_pending (book_id, href, action, etag)
         SELECT book_id, href, 'delete', etag FROM contacts
         WHERE id = ?1 AND book_id IS NOT NULL AND href IS NOT NULL AND etag IS NOT NULL
         ON CONFLICT (book_id, href) DO UPDATE SET action = 'delete', etag = excluded.etag,
             seq = seq + 1",
        [id],
    )?;
    Ok(())
}
