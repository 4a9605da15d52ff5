//! Completion of what the user types in a recipient field. Every word of names and organisations,
//! VAT numbers, tax codes and addresses is in `contact_words` / `correspondent_words`. Saved
//! contacts come first, then correspondents (never the user's own addresses, nor those saved as
//! contacts), each by how recently and then how often it was used.
//!
//! Two ways to the same answer, chosen by how many words the prefix matches: few (a long or rare
//! prefix) — take every match and rank them; many (one or two letters) — walk people in rank
//! order and keep those with a matching word, which stops after `limit` since a common prefix
//! matches often. Either way the work is bounded by about [`FEW`] rows.

use super::{PecState, Suggestion};
use crate::store::{CachedExt, Result};
use rusqlite::{Connection, OptionalExtension, params};

/// Above this many matching words, walking in rank order is the cheaper way.
const FEW: i64 = 500;

/// The first string after every string that starts with `prefix`, for a range scan.
fn after(prefix: &str) -> String {
    let mut up = prefix.to_string();
    match up.pop() {
        Some(last) => up.push(char::from_u32(last as u32 + 1).unwrap_or(char::MAX)),
        None => up.push(char::MAX),
    }
    up
}

/// One kind of person: its table, word table, owner column, rank order and exclusions.
struct Kind {
    words: &'static str,
    owner: &'static str,
    table: &'static str,
    order: &'static str,
    filter: &'static str,
}

const CONTACTS: Kind = Kind {
    words: "contact_words",
    owner: "contact_id",
    table: "contacts",
    order: "p.last_used DESC, p.id",
    filter: "1",
};

const CORRESPONDENTS: Kind = Kind {
    words: "correspondent_words",
    owner: "correspondent_id",
    table: "correspondents",
    order: "p.last_used DESC, p.uses DESC, p.id",
    filter: "NOT EXISTS (SELECT 1 FROM contact_addresses a WHERE a.address = p.address)
             AND NOT EXISTS (SELECT 1 FROM accounts x WHERE x.address = p.address COLLATE NOCASE)",
};

/// Up to `limit` ids of `kind` with a word starting with `prefix`, best ranked first.
fn ranked(conn: &Connection, kind: &Kind, prefix: &str, limit: usize) -> Result<Vec<i64>> {
    let upper = after(prefix);
    let count: i64 = conn.row(
        &format!(
            "SELECT count(*) FROM (SELECT 1 FROM {} WHERE word >= ?1 AND word < ?2 LIMIT ?3)",
            kind.words
        ),
        params![prefix, upper, FEW + 1],
        |r| r.get(0),
    )?;
    let (w, o) = (kind.words, kind.owner);
    let matching = if count > FEW {
        // Many matches: people in rank order, each tested by its own words.
        format!("EXISTS (SELECT 1 FROM {w} w WHERE w.{o} = p.id AND w.word >= ?1 AND w.word < ?2)")
    } else {
        // Few matches: all of them, ranked.
        format!("p.id IN (SELECT {o} FROM {w} WHERE word >= ?1 AND word < ?2)")
    };
    let sql = format!(
        "SELECT p.id FROM {} p WHERE {matching} AND {} ORDER BY {} LIMIT ?3",
        kind.table, kind.filter, kind.order
    );
    let mut st = conn.prepare_cached(&sql)?;
    let ids = st
        .query_map(params![prefix, upper, limit as i64], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok(ids)
}

pub(crate) fn run(conn: &Connection, prefix: &str, limit: usize) -> Result<Vec<Suggestion>> {
    let mut out = Vec::with_capacity(limit);
    for id in ranked(conn, &CONTACTS, prefix, limit)? {
        out.extend(contact(conn, id, prefix)?);
    }
    if out.len() < limit {
        for id in ranked(conn, &CORRESPONDENTS, prefix, limit - out.len())? {
            out.extend(correspondent(conn, id)?);
        }
    }
    for s in &mut out {
        s.state = crate::store::contacts_state(conn, &s.address)?;
    }
    Ok(out)
}

/// A contact, with the address the prefix matched (else its first).
fn contact(conn: &Connection, id: i64, prefix: &str) -> Result<Option<Suggestion>> {
    let Some(c) = crate::store::read_contact(conn, id)? else {
        return Ok(None);
    };
    let address = c
        .addresses
        .iter()
        .find(|a| a.starts_with(prefix))
        .or(c.addresses.first())
        .cloned();
    Ok(address.map(|address| Suggestion {
        name: c.name,
        address,
        contact_id: Some(id),
        organisation: c.organisation,
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
        assert!("rossi" < after("ros").as_str());
        assert!("rot" >= after("ros").as_str());
    }
}
