//! Completion of what the user types in a recipient field: every word of names and
//! organisations, VAT numbers, tax codes and addresses is in `person_words`, so a prefix is one
//! range scan of its index; saved contacts come first, then correspondents, each by how recently
//! and then how often it was used. Correspondents saved as contacts, and the user's own
//! addresses, are not suggested twice.

use super::{PecState, Suggestion};
use crate::store::{CachedExt, Result};
use rusqlite::{Connection, OptionalExtension, params};

/// The first string after every string that starts with `prefix`, for a range scan.
fn after(prefix: &str) -> String {
    let mut up = prefix.to_string();
    match up.pop() {
        Some(last) => up.push(char::from_u32(last as u32 + 1).unwrap_or(char::MAX)),
        None => up.push(char::MAX),
    }
    up
}

const RANKED: &str = "
    WITH hits AS (SELECT DISTINCT person FROM person_words WHERE word >= ?1 AND word < ?2)
    SELECT h.person,
           COALESCE(k.last_used, (SELECT max(c.last_used) FROM contact_addresses a
                                  JOIN correspondents c ON c.address = a.address
                                  WHERE a.contact_id = h.person), 0) AS last,
           COALESCE(k.uses, 0) AS uses
    FROM hits h LEFT JOIN correspondents k ON k.id = -h.person
    WHERE h.person > 0
       OR (NOT EXISTS (SELECT 1 FROM contact_addresses a WHERE a.address = k.address)
           AND NOT EXISTS (SELECT 1 FROM accounts x WHERE x.address = k.address COLLATE NOCASE))
    ORDER BY h.person > 0 DESC, last DESC, uses DESC
    LIMIT ?3";

pub(crate) fn run(conn: &Connection, prefix: &str, limit: usize) -> Result<Vec<Suggestion>> {
    let mut st = conn.prepare_cached(RANKED)?;
    let people = st
        .query_map(params![prefix, after(prefix), limit as i64], |r| {
            r.get::<_, i64>(0)
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::with_capacity(people.len());
    for person in people {
        let found = if person > 0 {
            contact(conn, person, prefix)?
        } else {
            correspondent(conn, -person)?
        };
        if let Some(mut s) = found {
            s.state = crate::store::contacts_state(conn, &s.address)?;
            out.push(s);
        }
    }
    Ok(out)
}

/// A contact, with the address the prefix matched (else its first).
fn contact(conn: &Connection, id: i64, prefix: &str) -> Result<Option<Suggestion>> {
    let head = conn
        .row(
            "SELECT name, organisation FROM contacts WHERE id = ?1",
            [id],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)),
        )
        .optional()?;
    let Some((name, organisation)) = head else {
        return Ok(None);
    };
    let mut st = conn.prepare_cached(
        "SELECT address FROM contact_addresses WHERE contact_id = ?1 ORDER BY position",
    )?;
    let addresses = st
        .query_map([id], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let address = addresses
        .iter()
        .find(|a| a.starts_with(prefix))
        .or(addresses.first())
        .cloned();
    Ok(address.map(|address| Suggestion {
        name,
        address,
        contact_id: Some(id),
        organisation,
        state: PecState::Unknown,
    }))
}

fn correspondent(conn: &Connection, id: i64) -> Result<Option<Suggestion>> {
    Ok(conn
        .row(
            "SELECT address, name FROM correspondents WHERE id = ?1",
            [id],
            |r| {
                let address: String = r.get(0)?;
                let name: Option<String> = r.get(1)?;
                Ok(Suggestion {
                    name: name.unwrap_or_else(|| address.clone()),
                    address,
                    contact_id: None,
                    organisation: None,
                    state: PecState::Unknown,
                })
            },
        )
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::after;

    #[test]
    fn the_range_ends_after_every_word_with_the_prefix() {
        assert_eq!(after("ros"), "rot");
        assert!("rossi".as_bytes() < after("ros").as_bytes());
        assert!("rot" >= after("ros").as_str());
    }
}
