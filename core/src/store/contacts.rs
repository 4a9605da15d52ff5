//! The address book in the store: contacts, groups, the correspondents seen in mail, the words
//! to complete on, and what each address has proved.
//!
//! What an address proved is read from the mail at the time it is asked, never copied: the last
//! certified receipt naming it as recipient (`avvenuta-consegna` makes it certified,
//! `errore-consegna` or `non-accettazione` failed, with the provider's reason) or an anomaly it
//! sent (not PEC); the most recent of these decides. Every write is one transaction.

use super::{CachedExt, Result, Store, StoreError};
use crate::contacts::{Contact, Group, PecState, PeopleCursor, PeoplePage, Person, Suggestion};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use std::collections::HashMap;

/// Words of a name or organisation, as completion matches them (lowercase, punctuation trimmed).
pub(crate) fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split_whitespace()
        .map(|w| w.trim_matches(|c| "\"'(),.<>".contains(c)).to_lowercase())
        .filter(|w| !w.is_empty())
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

impl Store {
    /// Save a new contact (its groups are created when missing); its id.
    pub fn add_contact(&self, c: &Contact) -> Result<i64> {
        let c = &c.clone().tidied();
        c.check().map_err(StoreError::Invalid)?;
        self.write(|tx| insert_contact_tx(tx, c))
    }

    /// Replace contact `id` with `c` (addresses, groups and fields as given).
    pub fn update_contact(&self, id: i64, c: &Contact) -> Result<()> {
        let c = &c.clone().tidied();
        c.check().map_err(StoreError::Invalid)?;
        self.write(|tx| {
            let was: Option<Option<i64>> = tx
                .row("SELECT book_id FROM contacts WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .optional()?;
            let Some(was) = was else {
                return Err(StoreError::NotFound(format!("contact {id}")));
            };
            update_fields_tx(tx, id, c)?;
            write_parts_tx(tx, id, c)?;
            if was != c.book {
                super::address_books::move_between_books_tx(tx, id, c.book)?;
            }
            super::address_books::queue_put_tx(tx, id)
        })
    }

    pub fn remove_contact(&self, id: i64) -> Result<()> {
        self.write(|tx| {
            super::address_books::queue_delete_tx(tx, id)?;
            tx.exec("DELETE FROM contact_words WHERE contact_id = ?1", [id])?;
            match tx.exec("DELETE FROM contacts WHERE id = ?1", [id])? {
                0 => Err(StoreError::NotFound(format!("contact {id}"))),
                _ => Ok(()),
            }
        })
    }

    /// Every saved contact, by name.
    pub fn contacts(&self) -> Result<Vec<Contact>> {
        self.read(|conn| {
            let mut st = conn.prepare_cached(
                "SELECT id, name, organisation, tax_code, vat, notes, uid, book_id FROM contacts
                 ORDER BY name COLLATE NOCASE, id",
            )?;
            let rows = st
                .query_map([], contact_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows.into_iter().map(|c| with_parts(conn, c)).collect()
        })
    }

    /// The saved contact `c` is the same person as: same vCard UID, else an address in common.
    pub fn find_contact(&self, c: &Contact) -> Result<Option<Contact>> {
        let id: Option<i64> = self.read(|conn| {
            if let Some(uid) = c.uid.as_deref() {
                let found = conn
                    .row("SELECT id FROM contacts WHERE uid = ?1", [uid], |r| {
                        r.get(0)
                    })
                    .optional()?;
                if found.is_some() {
                    return Ok(found);
                }
            }
            for a in &c.addresses {
                let found = conn
                    .row(
                        "SELECT contact_id FROM contact_addresses WHERE address = ?1 LIMIT 1",
                        [a.trim()],
                        |r| r.get(0),
                    )
                    .optional()?;
                if found.is_some() {
                    return Ok(found);
                }
            }
            Ok(None)
        })?;
        let Some(id) = id else { return Ok(None) };
        self.contact(id)
    }

    /// Saved contact `id`, if there is one.
    pub fn contact(&self, id: i64) -> Result<Option<Contact>> {
        self.read(|conn| read_contact(conn, id))
    }

    /// The groups with their members' names.
    pub fn groups(&self) -> Result<Vec<Group>> {
        self.read(|conn| {
            let mut st = conn.prepare_cached(
                "SELECT g.id, g.name, c.name FROM contact_groups g
                 LEFT JOIN group_members m ON m.group_id = g.id
                 LEFT JOIN contacts c ON c.id = m.contact_id
                 ORDER BY g.name COLLATE NOCASE, c.name COLLATE NOCASE",
            )?;
            let mut groups: Vec<Group> = Vec::new();
            let rows = st.query_map([], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get(2)?))
            })?;
            for row in rows {
                let (id, name, member): (i64, String, Option<String>) = row?;
                if groups.last().map(|g| g.id) != Some(id) {
                    groups.push(Group {
                        id,
                        name,
                        members: Vec::new(),
                    });
                }
                if let (Some(g), Some(m)) = (groups.last_mut(), member) {
                    g.members.push(m);
                }
            }
            Ok(groups)
        })
    }

    /// Create group `name` (nothing when it exists); its id.
    pub fn add_group(&self, name: &str) -> Result<i64> {
        let name = name.trim();
        if name.is_empty() || name.contains('@') {
            return Err(StoreError::Invalid("a group needs a name without @".into()));
        }
        self.write(|tx| group_id_tx(tx, name))
    }

    pub fn remove_group(&self, name: &str) -> Result<()> {
        self.write(|tx| {
            let members: Vec<i64> = {
                let mut st = tx.prepare_cached(
                    "SELECT m.contact_id FROM group_members m JOIN contact_groups g ON g.id = m.group_id
                     WHERE g.name = ?1",
                )?;
                st.query_map([name.trim()], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?
            };
            let removed = tx.exec("DELETE FROM contact_groups WHERE name = ?1", [name.trim()])?;
            // A group is a vCard category: the cards of its members change too.
            for m in members {
                super::address_books::queue_put_tx(tx, m)?;
            }
            match removed {
                0 => Err(StoreError::NotFound(format!("group {name}"))),
                _ => Ok(()),
            }
        })
    }

    /// Put contact `contact` in group `group` (created when missing), or take it out.
    pub fn set_member(&self, group: &str, contact: i64, member: bool) -> Result<()> {
        self.write(|tx| {
            let g = group_id_tx(tx, group.trim())?;
            if member {
                tx.exec(
                    "INSERT OR IGNORE INTO group_members (group_id, contact_id) VALUES (?1, ?2)",
                    params![g, contact],
                )?;
            } else {
                tx.exec(
                    "DELETE FROM group_members WHERE group_id = ?1 AND contact_id = ?2",
                    params![g, contact],
                )?;
            }
            super::address_books::queue_put_tx(tx, contact)
        })
    }

    /// The addresses a group sends to: each member's first certified address, else its first.
    /// `None` when there is no such group.
    pub fn group_addresses(&self, name: &str) -> Result<Option<Vec<String>>> {
        self.read(|conn| {
            let Some(id) = conn
                .row(
                    "SELECT id FROM contact_groups WHERE name = ?1",
                    [name.trim()],
                    |r| r.get::<_, i64>(0),
                )
                .optional()?
            else {
                return Ok(None);
            };
            let mut st = conn.prepare_cached(
                "SELECT m.contact_id, a.address FROM group_members m
                 JOIN contact_addresses a ON a.contact_id = m.contact_id
                 WHERE m.group_id = ?1 ORDER BY m.contact_id, a.position",
            )?;
            let rows = st
                .query_map([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let states = pec_states(conn, rows.iter().map(|(_, a)| a.as_str()))?;
            let certified = |a: &str| matches!(states.get(a), Some(PecState::Certified { .. }));
            // Rows come by member, in each member's order: its first certified address, else
            // its first.
            let chosen = rows
                .chunk_by(|x, y| x.0 == y.0)
                .map(|member| {
                    let pick = member
                        .iter()
                        .find(|(_, a)| certified(a))
                        .unwrap_or(&member[0]);
                    pick.1.clone()
                })
                .collect();
            Ok(Some(chosen))
        })
    }

    /// What each address has proved (see the module's doc).
    pub fn address_states<'a>(
        &self,
        addresses: impl IntoIterator<Item = &'a str>,
    ) -> Result<HashMap<String, PecState>> {
        self.read(|conn| pec_states(conn, addresses))
    }

    /// Saved contacts, then the correspondents not saved as contacts (most recently used first),
    /// each address with what it proved.
    pub fn people(&self) -> Result<Vec<Person>> {
        Ok(self.people_page(None, usize::MAX)?.people)
    }

    /// Up to `limit` people of [`Store::people`]'s list after `after` (from the start with
    /// `None`): what the address book screen reads as it scrolls, so a book of tens of thousands
    /// opens at once and its last page costs what its first does (each page is an index walk from
    /// its cursor, and only its addresses have their proofs looked up).
    pub fn people_page(&self, after: Option<&PeopleCursor>, limit: usize) -> Result<PeoplePage> {
        self.read(|conn| {
            // After a correspondent no contact is left; after a contact (or from the start) the
            // correspondents follow from their first.
            let (mut people, from) = match after {
                Some(PeopleCursor::Correspondent { .. }) => (Vec::new(), after),
                _ => (contacts_after(conn, after, limit)?, None),
            };
            if people.len() < limit {
                people.extend(correspondents_after(conn, from, limit - people.len())?);
            }
            with_states(conn, &mut people)?;
            let next = match people.last() {
                Some(last) if people.len() == limit => Some(last.place.clone()),
                _ => None,
            };
            Ok(PeoplePage { people, next })
        })
    }

    /// Up to `limit` completions of `typed` over names, organisations, VAT numbers, tax codes
    /// and addresses: saved contacts first, then correspondents, each by how recently and how
    /// often it was used.
    pub fn suggest(&self, typed: &str, limit: usize) -> Result<Vec<Suggestion>> {
        let prefix = typed.trim().to_lowercase();
        if prefix.is_empty() {
            return Ok(Vec::new());
        }
        self.read(|conn| crate::contacts::suggest::run(conn, &prefix, limit))
    }

    /// Count a stored message's sender and recipients as correspondents (called once, when the
    /// message is first stored).
    #[cfg(test)]
    pub(crate) fn seen_tx(
        tx: &Transaction<'_>,
        people: &[(&str, Option<&str>)],
        date: i64,
    ) -> Result<()> {
        let mut seen = Seen::default();
        for (address, name) in people {
            seen.add(address, *name, date);
        }
        seen.write(tx)
    }
}

fn sql_int(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Up to `limit` saved contacts by name, after `after` (a contact's place) or from the first.
fn contacts_after(
    conn: &Connection,
    after: Option<&PeopleCursor>,
    limit: usize,
) -> Result<Vec<Person>> {
    let (name, id) = match after {
        Some(PeopleCursor::Contact { name, id }) => (Some(name.as_str()), *id),
        _ => (None, 0),
    };
    // The first condition lets SQLite start its walk of `contacts_by_name` at the cursor; the
    // row value then skips the cursor's equals by id.
    let mut st = conn.prepare_cached(
        "SELECT id, name, organisation, tax_code, vat, notes, uid, book_id FROM contacts
         WHERE ?1 IS NULL
            OR (name >= ?1 COLLATE NOCASE AND (name COLLATE NOCASE, id) > (?1, ?2))
         ORDER BY name COLLATE NOCASE, id LIMIT ?3",
    )?;
    let contacts = st
        .query_map(params![name, id, sql_int(limit)], contact_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    contacts
        .into_iter()
        .map(|c| with_parts(conn, c).map(Person::saved))
        .collect()
}

/// Up to `limit` correspondents not saved as contacts (nor the user's own accounts), in rank
/// order, after `after` (a correspondent's place) or from the first.
fn correspondents_after(
    conn: &Connection,
    after: Option<&PeopleCursor>,
    limit: usize,
) -> Result<Vec<Person>> {
    let cursor = match after {
        Some(PeopleCursor::Correspondent {
            last_used,
            uses,
            id,
        }) => Some((*last_used, *uses, *id)),
        _ => None,
    };
    let (last_used, uses, id) = cursor.unwrap_or((i64::MAX, i64::MAX, 0));
    // `correspondents_rank` is (last_used DESC, uses DESC) then the row id ascending: the walk
    // starts at the cursor's (last_used, uses) and skips the ids up to it among its equals.
    let mut st = conn.prepare_cached(
        "SELECT id, address, name, uses, last_used FROM correspondents c
         WHERE (last_used, uses) <= (?1, ?2)
           AND NOT (last_used = ?1 AND uses = ?2 AND id <= ?3)
           AND NOT EXISTS (SELECT 1 FROM contact_addresses a WHERE a.address = c.address)
           AND NOT EXISTS (SELECT 1 FROM accounts x WHERE x.address = c.address COLLATE NOCASE)
         ORDER BY last_used DESC, uses DESC, id LIMIT ?4",
    )?;
    let seen = st.query_map(params![last_used, uses, id, sql_int(limit)], |r| {
        Ok(Person::seen(
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
        ))
    })?;
    Ok(seen.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Each of `people`'s addresses with what it proved, looked up once for the page.
fn with_states(conn: &Connection, people: &mut [Person]) -> Result<()> {
    let all: Vec<String> = people
        .iter()
        .flat_map(|p| p.addresses.iter().map(|a| a.address.clone()))
        .collect();
    let states = pec_states(conn, all.iter().map(String::as_str))?;
    for a in people.iter_mut().flat_map(|p| p.addresses.iter_mut()) {
        a.state = states
            .get(&a.address.to_lowercase())
            .cloned()
            .unwrap_or_default();
    }
    Ok(())
}

/// The correspondents the new messages of a batch name, counted in memory and written once per
/// address when the batch ends (same transaction). Written per message, every sender and
/// recipient cost a lookup and an update that moved the row in the completion ranking, again for
/// each of the many messages a batch holds from the same people.
#[derive(Default)]
pub(crate) struct Seen<'a> {
    slot: HashMap<String, usize>,
    people: Vec<SeenPerson<'a>>,
}

/// One address of a batch: the first name it came with, how often, and when last.
struct SeenPerson<'a> {
    address: String,
    name: Option<&'a str>,
    uses: i64,
    last_used: i64,
}

impl<'a> Seen<'a> {
    /// One more message (dated `date`) naming `address`, with `name` when it gives one.
    pub(crate) fn add(&mut self, address: &str, name: Option<&'a str>, date: i64) {
        let address = address.trim().to_lowercase();
        if !address.contains('@') {
            return;
        }
        match self.slot.get(&address) {
            Some(&i) => {
                let p = &mut self.people[i];
                p.uses += 1;
                p.last_used = p.last_used.max(date);
                p.name = p.name.or(name);
            }
            None => {
                self.slot.insert(address.clone(), self.people.len());
                self.people.push(SeenPerson {
                    address,
                    name,
                    uses: 1,
                    last_used: date,
                });
            }
        }
    }

    /// Write what was counted, in the order the addresses first came.
    pub(crate) fn write(self, tx: &Transaction<'_>) -> Result<()> {
        for p in &self.people {
            seen_one_tx(tx, p)?;
        }
        Ok(())
    }
}

fn seen_one_tx(tx: &Transaction<'_>, p: &SeenPerson<'_>) -> Result<()> {
    let known: Option<(i64, Option<String>)> = tx
        .row(
            "SELECT id, name FROM correspondents WHERE address = ?1",
            [&p.address],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    // Words are written once: with the address when it is first seen, with a name when one first
    // comes (a PEC recipient is often seen without one before it writes).
    let (id, new_words): (i64, Vec<String>) = match known {
        Some((id, old_name)) => {
            tx.exec(
                "UPDATE correspondents SET uses = uses + ?4, last_used = max(last_used, ?2),
                     name = COALESCE(name, ?3) WHERE id = ?1",
                params![id, p.last_used, p.name, p.uses],
            )?;
            let named_now = old_name.is_none() && p.name.is_some();
            let new_words = match p.name.filter(|_| named_now) {
                Some(name) => words(name).collect(),
                None => Vec::new(),
            };
            (id, new_words)
        }
        None => {
            tx.exec(
                "INSERT INTO correspondents (address, name, uses, last_used) VALUES (?1, ?2, ?3, ?4)",
                params![p.address, p.name, p.uses, p.last_used],
            )?;
            let mut all = vec![p.address.clone()];
            all.extend(p.name.map(words).into_iter().flatten());
            (tx.last_insert_rowid(), all)
        }
    };
    for w in new_words {
        tx.exec(
            "INSERT OR IGNORE INTO correspondent_words (word, correspondent_id) VALUES (?1, ?2)",
            params![w, id],
        )?;
    }
    // A saved contact with this address moves up in completion.
    tx.exec(
        "UPDATE contacts SET last_used = max(last_used, ?2)
         WHERE id IN (SELECT contact_id FROM contact_addresses WHERE address = ?1)",
        params![p.address, p.last_used],
    )?;
    Ok(())
}

/// Contact `id`'s own fields replaced by `c`'s (its UID kept when `c` has none); rows changed.
pub(super) fn update_fields_tx(tx: &Transaction<'_>, id: i64, c: &Contact) -> Result<usize> {
    Ok(tx.exec(
        "UPDATE contacts SET name = ?2, organisation = ?3, tax_code = ?4, vat = ?5,
         notes = ?6, uid = COALESCE(?7, uid), updated = ?8 WHERE id = ?1",
        params![
            id,
            c.name,
            c.organisation,
            c.tax_code,
            c.vat,
            c.notes,
            c.uid,
            now()
        ],
    )?)
}

pub(super) fn insert_contact_tx(tx: &Transaction<'_>, c: &Contact) -> Result<i64> {
    tx.exec(
        "INSERT INTO contacts (name, organisation, tax_code, vat, notes, uid, updated)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            c.name,
            c.organisation,
            c.tax_code,
            c.vat,
            c.notes,
            c.uid,
            now()
        ],
    )?;
    let id = tx.last_insert_rowid();
    write_parts_tx(tx, id, c)?;
    if let Some(book) = c.book {
        super::address_books::place_in_book_tx(tx, id, book)?;
        super::address_books::queue_put_tx(tx, id)?;
    }
    Ok(id)
}

/// The addresses, groups and completion words of contact `id`, replaced by `c`'s.
pub(super) fn write_parts_tx(tx: &Transaction<'_>, id: i64, c: &Contact) -> Result<()> {
    tx.exec("DELETE FROM contact_addresses WHERE contact_id = ?1", [id])?;
    for (i, a) in c.addresses.iter().enumerate() {
        tx.exec(
            "INSERT OR IGNORE INTO contact_addresses (contact_id, address, position) VALUES (?1, ?2, ?3)",
            params![id, a.trim().to_lowercase(), i as i64],
        )?;
    }
    tx.exec("DELETE FROM group_members WHERE contact_id = ?1", [id])?;
    for g in &c.groups {
        let g = group_id_tx(tx, g.trim())?;
        tx.exec(
            "INSERT OR IGNORE INTO group_members (group_id, contact_id) VALUES (?1, ?2)",
            params![g, id],
        )?;
    }
    tx.exec("DELETE FROM contact_words WHERE contact_id = ?1", [id])?;
    let texts = [c.name.as_str(), c.organisation.as_deref().unwrap_or("")];
    let mut all: Vec<String> = texts.iter().flat_map(|t| words(t)).collect();
    all.extend(c.addresses.iter().map(|a| a.trim().to_lowercase()));
    all.extend(
        c.vat
            .iter()
            .chain(&c.tax_code)
            .map(|v| v.trim().to_lowercase()),
    );
    for w in all.into_iter().filter(|w| !w.is_empty()) {
        tx.exec(
            "INSERT OR IGNORE INTO contact_words (word, contact_id) VALUES (?1, ?2)",
            params![w, id],
        )?;
    }
    tx.exec(
        "UPDATE contacts SET last_used = COALESCE((SELECT max(k.last_used) FROM contact_addresses a
             JOIN correspondents k ON k.address = a.address WHERE a.contact_id = ?1), 0)
         WHERE id = ?1",
        [id],
    )?;
    Ok(())
}

pub(super) fn group_id_tx(tx: &Transaction<'_>, name: &str) -> Result<i64> {
    if name.is_empty() {
        return Err(StoreError::Invalid("a group needs a name".into()));
    }
    tx.exec(
        "INSERT OR IGNORE INTO contact_groups (name) VALUES (?1)",
        [name],
    )?;
    Ok(tx.row(
        "SELECT id FROM contact_groups WHERE name = ?1",
        [name],
        |r| r.get(0),
    )?)
}

/// A contact's own fields from `SELECT id, name, organisation, tax_code, vat, notes, uid,
/// book_id`.
fn contact_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Contact> {
    Ok(Contact {
        id: Some(r.get(0)?),
        name: r.get(1)?,
        organisation: r.get(2)?,
        tax_code: r.get(3)?,
        vat: r.get(4)?,
        notes: r.get(5)?,
        uid: r.get(6)?,
        book: r.get(7)?,
        ..Contact::default()
    })
}

/// Saved contact `id` with its addresses and groups, if there is one.
pub(crate) fn read_contact(conn: &Connection, id: i64) -> Result<Option<Contact>> {
    let head = conn
        .row(
            "SELECT id, name, organisation, tax_code, vat, notes, uid, book_id FROM contacts WHERE id = ?1",
            [id],
            contact_row,
        )
        .optional()?;
    head.map(|c| with_parts(conn, c)).transpose()
}

fn with_parts(conn: &Connection, mut c: Contact) -> Result<Contact> {
    let id = c.id.unwrap_or_default();
    let mut st = conn.prepare_cached(
        "SELECT address FROM contact_addresses WHERE contact_id = ?1 ORDER BY position",
    )?;
    c.addresses = st
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut st = conn.prepare_cached(
        "SELECT g.name FROM group_members m JOIN contact_groups g ON g.id = m.group_id
         WHERE m.contact_id = ?1 ORDER BY g.name COLLATE NOCASE",
    )?;
    c.groups = st
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(c)
}

/// What each address proved, by lowercase address; addresses that proved nothing are absent.
fn pec_states<'a>(
    conn: &Connection,
    addresses: impl IntoIterator<Item = &'a str>,
) -> Result<HashMap<String, PecState>> {
    let mut out = HashMap::new();
    for address in addresses {
        let key = address.trim().to_lowercase();
        if out.contains_key(&key) {
            continue;
        }
        if let Some(state) = pec_state(conn, &key)? {
            out.insert(key, state);
        }
    }
    Ok(out)
}

/// What `address` (lowercase) proved, `Unknown` when nothing.
pub(crate) fn contacts_state(conn: &Connection, address: &str) -> Result<PecState> {
    Ok(pec_state(conn, &address.trim().to_lowercase())?.unwrap_or_default())
}

fn pec_state(conn: &Connection, address: &str) -> Result<Option<PecState>> {
    let receipt = conn
        .row(
            "SELECT receipt_type, at, error FROM receipts
             WHERE recipient = ?1 AND certified = 1 AND at IS NOT NULL
               AND receipt_type IN ('avvenuta-consegna', 'errore-consegna', 'non-accettazione')
             ORDER BY at DESC LIMIT 1",
            [address],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            },
        )
        .optional()?;
    let anomaly: Option<i64> = conn
        .row(
            "SELECT max(date) FROM messages WHERE kind = 'anomaly' AND lower(sender_addr) = ?1",
            [address],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    Ok(match (receipt, anomaly) {
        (Some((_, at, _)), Some(anomaly_at)) if anomaly_at > at => {
            Some(PecState::NotPec { at: anomaly_at })
        }
        (Some((kind, at, _)), _) if kind == "avvenuta-consegna" => Some(PecState::Certified { at }),
        (Some((_, at, error)), _) => Some(PecState::Failed {
            at,
            reason: error.unwrap_or_default(),
        }),
        (None, Some(at)) => Some(PecState::NotPec { at }),
        (None, None) => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(name: &str, addresses: &[&str], groups: &[&str]) -> Contact {
        Contact {
            name: name.into(),
            addresses: addresses.iter().map(|a| a.to_string()).collect(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
            ..Contact::default()
        }
    }

    #[test]
    fn contacts_groups_and_completion_follow_every_edit() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        let anna = store
            .add_contact(&contact(
                "Anna Verdi",
                &["anna@example.org", "anna@pec.example.it"],
                &["Clienti"],
            ))
            .unwrap();
        let luca = store
            .add_contact(&Contact {
                organisation: Some("Officine Rossi".into()),
                vat: Some("IT01234567890".into()),
                ..contact(
                    "Luca Neri",
                    &["luca@pec.example.it"],
                    &["clienti", "Fornitori"],
                )
            })
            .unwrap();
        let groups = store.groups().unwrap();
        assert_eq!(
            groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(),
            ["Clienti", "Fornitori"]
        );
        assert_eq!(groups[0].members, ["Anna Verdi", "Luca Neri"]);
        assert_eq!(
            store.group_addresses("CLIENTI").unwrap().unwrap(),
            ["anna@example.org", "luca@pec.example.it"]
        );
        assert_eq!(store.group_addresses("nessuno").unwrap(), None);

        let names = |typed: &str| -> Vec<String> {
            store
                .suggest(typed, 10)
                .unwrap()
                .into_iter()
                .map(|s| s.name)
                .collect()
        };
        assert_eq!(names("ver"), ["Anna Verdi"]);
        assert_eq!(names("ross"), ["Luca Neri"], "by organisation");
        assert_eq!(names("it0123"), ["Luca Neri"], "by VAT number");
        assert_eq!(
            store.suggest("anna@pec", 1).unwrap()[0].address,
            "anna@pec.example.it"
        );

        store
            .update_contact(
                anna,
                &contact("Anna Bianchi", &["anna@pec.example.it"], &[]),
            )
            .unwrap();
        assert!(names("ver").is_empty(), "old words go with the edit");
        assert_eq!(names("bian"), ["Anna Bianchi"]);
        assert_eq!(store.groups().unwrap()[0].members, ["Luca Neri"]);
        store.remove_contact(luca).unwrap();
        assert!(names("ross").is_empty());
        assert!(store.groups().unwrap().iter().all(|g| g.members.is_empty()));
        store.remove_group("fornitori").unwrap();
        assert_eq!(store.groups().unwrap().len(), 1);
        assert!(matches!(
            store.remove_contact(luca),
            Err(StoreError::NotFound(_))
        ));
    }

    #[test]
    fn a_correspondent_counts_each_message_and_gains_a_name_later() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        store
            .write(|tx| Store::seen_tx(tx, &[("anna@pec.example.it", None)], 10))
            .unwrap();
        assert!(store.suggest("verdi", 5).unwrap().is_empty());
        let card = store.people().unwrap()[0].card();
        assert_eq!(
            (card.id, card.name.as_str(), card.addresses),
            (None, "", vec!["anna@pec.example.it".to_string()]),
            "no name from mail: the form asks for one"
        );
        store
            .write(|tx| Store::seen_tx(tx, &[("ANNA@pec.example.it", Some("Anna Verdi"))], 20))
            .unwrap();
        let found = store.suggest("verdi", 5).unwrap();
        assert_eq!(found[0].address, "anna@pec.example.it");
        let people = store.people().unwrap();
        assert_eq!((people[0].uses, people[0].last_used), (2, Some(20)));
        assert_eq!(people[0].name, "Anna Verdi");
        assert_eq!(people[0].card().name, "Anna Verdi", "the name mail gave");
        let anna = store
            .add_contact(&contact("Anna Verdi", &["anna@pec.example.it"], &[]))
            .unwrap();
        let saved = store.people().unwrap()[0].card();
        assert_eq!((saved.id, saved.name.as_str()), (Some(anna), "Anna Verdi"));
    }

    /// The address book screen's pages, read one after the other, are the whole list in its
    /// order: contacts by name across the page boundary, then correspondents, ties included.
    #[test]
    fn pages_of_people_make_the_whole_list() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        for name in ["Bruno", "anna", "Carla", "Dario", "elena"] {
            let address = format!("{}@pec.example.it", name.to_lowercase());
            store.add_contact(&contact(name, &[&address], &[])).unwrap();
        }
        for i in 0..7 {
            let address = format!("mittente{i}@pec.example.it");
            // All seen at the same time, once: the order must still be the same on every read.
            store
                .write(|tx| Store::seen_tx(tx, &[(address.as_str(), None)], 100))
                .unwrap();
        }
        let key = |p: &Person| (p.saved_contact(), p.addresses[0].address.clone());
        let whole: Vec<_> = store.people().unwrap().iter().map(key).collect();
        assert_eq!(whole.len(), 12);
        assert_eq!(whole[0].1, "anna@pec.example.it", "by name, without case");
        for size in [1, 3, 5, 12] {
            let mut paged = Vec::new();
            let mut after = None;
            loop {
                let page = store.people_page(after.as_ref(), size).unwrap();
                assert!(page.people.len() <= size);
                paged.extend(page.people.iter().map(key));
                match page.next {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
            assert_eq!(paged, whole, "pages of {size}");
        }
    }

    /// Mail that moves a correspondent of the next page to the top between two pages makes no
    /// one come twice: the next page starts after the last person shown, not at a count of rows
    /// (which would now show the last of the first page again).
    #[test]
    fn mail_between_two_pages_repeats_no_one() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        for i in 0..6 {
            let address = format!("mittente{i}@pec.example.it");
            store
                .write(|tx| Store::seen_tx(tx, &[(address.as_str(), None)], 100 - i))
                .unwrap();
        }
        let first = store.people_page(None, 3).unwrap();
        let shown = |p: &PeoplePage| -> Vec<String> {
            p.people
                .iter()
                .map(|p| p.addresses[0].address.clone())
                .collect()
        };
        assert_eq!(shown(&first)[0], "mittente0@pec.example.it");
        // New mail from the fifth: it moves to the top, above what was read.
        store
            .write(|tx| Store::seen_tx(tx, &[("mittente4@pec.example.it", None)], 200))
            .unwrap();
        let second = store.people_page(first.next.as_ref(), 3).unwrap();
        assert_eq!(
            shown(&second),
            ["mittente3@pec.example.it", "mittente5@pec.example.it"]
        );
        assert_eq!(second.next, None);
    }

    /// A batch counts each message that names a person, keeps the first name one came with and
    /// the latest date, as the same messages stored one by one do.
    #[test]
    fn a_batch_counts_its_correspondents_as_single_messages_do() {
        use crate::accounts::AccountConfig;
        use crate::store::{FolderRole, ImapMeta, MessageRecord, RecipientRecord};
        let message = |uid: u32, date: i64, from: (&str, Option<&str>), to: &[&str]| {
            let rec = MessageRecord {
                from_addr: Some(from.0.into()),
                from_name: from.1.map(str::to_string),
                date: Some(date),
                message_id: Some(format!("m{uid}@pec.example")),
                recipients: to
                    .iter()
                    .map(|a| RecipientRecord {
                        address: a.to_string(),
                        name: None,
                        field: "to",
                        pec_type: None,
                    })
                    .collect(),
                ..Default::default()
            };
            let meta = ImapMeta {
                uid: Some(uid),
                ..Default::default()
            };
            (meta, rec, None)
        };
        let batch = [
            message(1, 30, ("Anna@pec.example", None), &["me@pec.example"]),
            message(
                2,
                10,
                ("anna@pec.example", Some("Anna Verdi")),
                &["me@pec.example"],
            ),
            message(
                3,
                20,
                ("luca@pec.example", Some("Luca")),
                &["anna@pec.example"],
            ),
            message(4, 5, ("anna@pec.example", Some("Anna Bianchi")), &[]),
        ];
        let open = |dir: &std::path::Path| {
            let store = Store::open_in(dir).unwrap();
            let acc = store
                .add_account(&AccountConfig::offline("me@pec.example"))
                .unwrap();
            let inbox = store
                .ensure_folder(acc, "INBOX", Some(FolderRole::Inbox), Some("."))
                .unwrap();
            (store, inbox)
        };
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (together, inbox) = open(a.path());
        together.upsert_batch(inbox, &batch).unwrap();
        let (one_by_one, inbox) = open(b.path());
        for (meta, rec, _) in &batch {
            one_by_one.upsert_message(inbox, meta, rec, None).unwrap();
        }
        let people = together.people().unwrap();
        assert_eq!(people, one_by_one.people().unwrap());
        let anna = people
            .iter()
            .find(|p| p.addresses[0].address == "anna@pec.example")
            .unwrap();
        assert_eq!((anna.uses, anna.last_used), (4, Some(30)));
        assert_eq!(anna.name, "Anna Verdi");
        assert_eq!(together.suggest("verd", 5).unwrap().len(), 1);
        assert!(together.suggest("bianchi", 5).unwrap().is_empty());
    }

    #[test]
    fn a_contact_must_have_a_name_and_real_addresses() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        assert!(store.add_contact(&contact("", &["a@b.it"], &[])).is_err());
        assert!(
            store
                .add_contact(&contact("A", &["non è un indirizzo"], &[]))
                .is_err()
        );
        assert!(store.add_group("con@chiocciola").is_err());
        assert!(store.contacts().unwrap().is_empty());
    }
}
