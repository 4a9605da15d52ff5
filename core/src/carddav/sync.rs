//! One address book synced both ways: the local edits go up first, then the server's changes
//! come down (see the module's notes in `carddav/mod.rs`). Nothing here holds state between
//! calls: what was done is in the store, so a sync cut short at any point (a lost connection, a
//! kill -9) is finished by the next one.

use super::http::{Dav, Request};
use super::multistatus::{self, Entry};
use super::{AddressBook, Pending, PendingAction, cards};
use crate::contacts::Contact;
use crate::limits::DAV_MULTIGET_CARDS;
use crate::store::Store;
use crate::sync::SyncError;
use reqwest::Url;
use std::collections::{HashMap, HashSet};

/// Rounds of a `sync-collection` that the server answers in parts (507 on the collection).
const MAX_SYNC_ROUNDS: usize = 1000;
const XML: &str = "application/xml; charset=utf-8";
const VCARD: &str = "text/vcard; charset=utf-8";

/// What one book's sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookReport {
    pub book: i64,
    pub name: String,
    /// Cards that came down new, changed, or went away.
    pub added: u32,
    pub updated: u32,
    pub removed: u32,
    /// Local edits the server took (uploads and deletions).
    pub uploaded: u32,
    /// Local edits the server had changed meanwhile: its version won, ours stayed on this
    /// device as a contact of its own.
    pub conflicts: u32,
    /// Cards or edits left out, and why (a card we cannot read, an upload the server refused);
    /// the rest of the book is synced.
    pub skipped: Vec<String>,
}

/// How a book's changes are asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullMode {
    /// `sync-collection` when the server has it, else the ctag and ETags.
    Best,
    /// Always the ctag and ETags (servers without RFC 6578; tests).
    EtagsOnly,
}

/// Sync book `book` with the server through `dav`.
pub(crate) async fn sync_book(
    store: &Store,
    dav: &Dav,
    book: &AddressBook,
    mode: PullMode,
) -> Result<BookReport, SyncError> {
    let url = Url::parse(&book.url).map_err(protocol)?;
    let mut report = BookReport {
        book: book.id,
        name: book.name.clone(),
        ..BookReport::default()
    };
    for pending in store.pending(book.id)? {
        push(store, dav, book.id, &url, pending, &mut report).await?;
    }
    let by_token = match mode {
        PullMode::Best => pull_changes(store, dav, book, &url, &mut report).await?,
        PullMode::EtagsOnly => false,
    };
    if !by_token {
        pull_by_etags(store, dav, book, &url, &mut report).await?;
    }
    Ok(report)
}

/// Upload one waiting edit.
async fn push(
    store: &Store,
    dav: &Dav,
    book: i64,
    url: &Url,
    p: Pending,
    report: &mut BookReport,
) -> Result<(), SyncError> {
    let target = url.join(&p.href).map_err(protocol)?;
    match &p.action {
        PendingAction::Put {
            contact,
            etag,
            card,
        } => {
            let text = cards::upload_text(contact, card.as_deref());
            let req = Request {
                if_match: etag.as_deref(),
                if_none_match: etag.is_none(),
                body: Some((VCARD, text.clone())),
                ..Request::default()
            };
            let Some(reply) = refusable(dav.send("PUT", &target, req).await)? else {
                return settle(store, dav, book, &target, &p, Some(contact), report).await;
            };
            match reply.status.as_u16() {
                200..=299 => {
                    store.uploaded(book, &p.href, p.seq, reply.etag.as_deref(), &text)?;
                    report.uploaded += 1;
                }
                412 => settle(store, dav, book, &target, &p, Some(contact), report).await?,
                code => report.skipped.push(format!(
                    "{}: the server refused the change ({code})",
                    contact.name
                )),
            }
        }
        PendingAction::Delete { etag } => {
            let req = Request {
                if_match: etag.as_deref(),
                ..Request::default()
            };
            let Some(reply) = refusable(dav.send("DELETE", &target, req).await)? else {
                return settle(store, dav, book, &target, &p, None, report).await;
            };
            match reply.status.as_u16() {
                200..=299 | 404 | 410 => {
                    store.deletion_done(book, &p.href, p.seq)?;
                    report.uploaded += 1;
                }
                412 => settle(store, dav, book, &target, &p, None, report).await?,
                code => report.skipped.push(format!(
                    "{}: the server refused the deletion ({code})",
                    p.href
                )),
            }
        }
    }
    Ok(())
}

/// A change the server refuses outright (403: a read-only book) is settled as a conflict, so
/// the book is not stuck on it: `None` then.
fn refusable(
    reply: Result<super::http::Reply, SyncError>,
) -> Result<Option<super::http::Reply>, SyncError> {
    match reply {
        Ok(r) => Ok(Some(r)),
        Err(SyncError::NotPermitted(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The server no longer has the version an edit was made on, or refuses to change it. Its version wins; the local one
/// stays on this device. The server's card being our own upload (made before a crash kept us
/// from recording it) is no conflict.
async fn settle(
    store: &Store,
    dav: &Dav,
    book: i64,
    target: &Url,
    p: &Pending,
    local: Option<&Contact>,
    report: &mut BookReport,
) -> Result<(), SyncError> {
    let reply = dav.send("GET", target, Request::default()).await?;
    let server = match reply.status.as_u16() {
        200 => Some(cards::read(&p.href, reply.etag, &reply.body).map_err(SyncError::Protocol)?),
        404 | 410 => None,
        code => {
            return Err(SyncError::Server(format!("{target}: GET answered {code}")));
        }
    };
    match (local, &server) {
        (Some(mine), Some(theirs)) if theirs.contact.same_fields(mine) => {
            store.uploaded(book, &p.href, p.seq, theirs.etag.as_deref(), &theirs.card)?;
        }
        (None, None) => store.deletion_done(book, &p.href, p.seq)?,
        _ => {
            store.settle_conflict(book, &p.href, p.seq, server.as_ref())?;
            report.conflicts += 1;
        }
    }
    Ok(())
}

/// The changes since the last token (`sync-collection`); false when the server has no such
/// report, so the ETags must be compared instead.
async fn pull_changes(
    store: &Store,
    dav: &Dav,
    book: &AddressBook,
    url: &Url,
    report: &mut BookReport,
) -> Result<bool, SyncError> {
    let mut token = book.sync_token.clone().unwrap_or_default();
    for _ in 0..MAX_SYNC_ROUNDS {
        let full = token.is_empty();
        let ms = match sync_report(dav, url, &token).await {
            Ok(Some(ms)) => ms,
            Ok(None) => return Ok(false),
            // An expired token (403 or 409, RFC 6578 §3.2): start again from nothing.
            Err(SyncError::NotPermitted(_) | SyncError::Server(_)) if !full => {
                token.clear();
                continue;
            }
            Err(e) => return Err(e),
        };
        let own = url.path().trim_end_matches('/').to_string();
        let (mine, more): (Vec<Entry>, Vec<Entry>) = ms
            .entries
            .into_iter()
            .partition(|e| e.href.trim_end_matches('/') != own);
        let listed = listed(&mine);
        let held = store.card_versions(book.id)?;
        let mut gone: Vec<String> = mine
            .iter()
            .filter(|e| e.status == 404 || e.status == 410)
            .map(|e| e.href.clone())
            .collect();
        if full {
            gone.extend(unlisted(&held, &listed));
        }
        bring_down(store, dav, book.id, url, &listed, &held, report).await?;
        report.removed += store.remove_cards(book.id, &gone)?;
        let next = ms.sync_token.unwrap_or_default();
        store.set_book_state(book.id, Some(&next), book.ctag.as_deref())?;
        let truncated = more.iter().any(|e| e.status == 507);
        if !truncated || next == token {
            return Ok(true);
        }
        token = next;
    }
    Err(SyncError::Protocol(format!(
        "{url}: the changes never ended"
    )))
}

/// One `sync-collection` REPORT from `token` (empty: everything); `None` when the server does
/// not support the report.
async fn sync_report(
    dav: &Dav,
    url: &Url,
    token: &str,
) -> Result<Option<multistatus::Multistatus>, SyncError> {
    let body = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<d:sync-collection xmlns:d="DAV:"><d:sync-token>{}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>"#,
        escape(token)
    );
    let req = Request {
        depth: Some("1"),
        body: Some((XML, body)),
        ..Request::default()
    };
    let reply = dav.send("REPORT", url, req).await?;
    match reply.status.as_u16() {
        207 => Ok(Some(multistatus::parse(&reply.body)?)),
        400 | 404 | 405 | 415 | 422 | 501 => Ok(None),
        409 => Err(SyncError::Server(format!(
            "{url}: the sync token is no longer valid"
        ))),
        code => Err(SyncError::Server(format!("{url}: REPORT answered {code}"))),
    }
}

/// The fallback: nothing when the ctag is the one we saw last; else every card's ETag compared
/// with ours.
async fn pull_by_etags(
    store: &Store,
    dav: &Dav,
    book: &AddressBook,
    url: &Url,
    report: &mut BookReport,
) -> Result<(), SyncError> {
    let own = url.path().trim_end_matches('/').to_string();
    let entries = propfind_etags(dav, url, "0").await?;
    let ctag = entries.iter().find_map(|e| e.ctag.clone());
    if ctag.is_some() && ctag == book.ctag && book.last_sync.is_some() {
        return Ok(());
    }
    let cards: Vec<Entry> = propfind_etags(dav, url, "1")
        .await?
        .into_iter()
        .filter(|e| e.href.trim_end_matches('/') != own)
        .collect();
    let listed = listed(&cards);
    let held = store.card_versions(book.id)?;
    let gone = unlisted(&held, &listed);
    bring_down(store, dav, book.id, url, &listed, &held, report).await?;
    report.removed += store.remove_cards(book.id, &gone)?;
    store
        .set_book_state(book.id, book.sync_token.as_deref(), ctag.as_deref())
        .map_err(SyncError::from)
}

async fn propfind_etags(dav: &Dav, url: &Url, depth: &str) -> Result<Vec<Entry>, SyncError> {
    let body = r#"<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:prop><d:getetag/><cs:getctag/><d:resourcetype/></d:prop></d:propfind>"#;
    let req = Request {
        depth: Some(depth),
        body: Some((XML, body.to_string())),
        ..Request::default()
    };
    let reply = dav.send("PROPFIND", url, req).await?;
    match reply.status.as_u16() {
        207 => Ok(multistatus::parse(&reply.body)?.entries),
        code => Err(SyncError::Server(format!(
            "{url}: PROPFIND answered {code}"
        ))),
    }
}

/// The cards a listing names as present, with their ETags.
fn listed(entries: &[Entry]) -> Vec<(String, Option<String>)> {
    entries
        .iter()
        .filter(|e| (200..300).contains(&e.status))
        .map(|e| (e.href.clone(), e.etag.clone()))
        .collect()
}

/// The cards we hold (`held`, by href) that a complete listing no longer names.
fn unlisted(
    held: &HashMap<String, Option<String>>,
    listed: &[(String, Option<String>)],
) -> Vec<String> {
    let names: HashSet<&str> = listed.iter().map(|(h, _)| h.as_str()).collect();
    held.keys()
        .filter(|h| !names.contains(h.as_str()))
        .cloned()
        .collect()
}

/// Fetch and store the listed cards whose ETag differs from ours, a batch per transaction.
async fn bring_down(
    store: &Store,
    dav: &Dav,
    book: i64,
    url: &Url,
    listed: &[(String, Option<String>)],
    held: &HashMap<String, Option<String>>,
    report: &mut BookReport,
) -> Result<(), SyncError> {
    let wanted: Vec<&str> = listed
        .iter()
        .filter(|(href, etag)| etag.is_none() || held.get(href) != Some(etag))
        .map(|(href, _)| href.as_str())
        .collect();
    for batch in wanted.chunks(DAV_MULTIGET_CARDS) {
        let mut cards = Vec::new();
        let mut gone = Vec::new();
        for e in multiget(dav, url, batch).await? {
            match (e.status, e.card) {
                (200..=299, Some(text)) => match cards::read(&e.href, e.etag, &text) {
                    Ok(card) => cards.push(card),
                    Err(why) => report.skipped.push(why),
                },
                (404 | 410, _) => gone.push(e.href),
                _ => {}
            }
        }
        let (added, updated) = store.apply_cards(book, &cards)?;
        report.added += added;
        report.updated += updated;
        report.removed += store.remove_cards(book, &gone)?;
    }
    Ok(())
}

async fn multiget(dav: &Dav, url: &Url, hrefs: &[&str]) -> Result<Vec<Entry>, SyncError> {
    let mut body = String::from(
        r#"<?xml version="1.0" encoding="utf-8"?>
<c:addressbook-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><c:address-data/></d:prop>"#,
    );
    for h in hrefs {
        body.push_str(&format!("<d:href>{}</d:href>", escape(h)));
    }
    body.push_str("</c:addressbook-multiget>");
    let req = Request {
        depth: Some("0"),
        body: Some((XML, body)),
        ..Request::default()
    };
    let reply = dav.send("REPORT", url, req).await?;
    match reply.status.as_u16() {
        207 => Ok(multistatus::parse(&reply.body)?.entries),
        code => Err(SyncError::Server(format!(
            "{url}: addressbook-multiget answered {code}"
        ))),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn protocol(e: impl std::fmt::Display) -> SyncError {
    SyncError::Protocol(e.to_string())
}
