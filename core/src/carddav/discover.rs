//! From what the user typed to the address books behind it (RFC 6352 §7, RFC 6764 §6): the URL
//! itself when it is an address book; else the current user's principal (asked of the URL, then
//! of `/.well-known/carddav`), its `addressbook-home-set`, and the address books in that home.

use super::http::{Dav, Reply, Request};
use super::multistatus::{self, Entry};
use crate::sync::SyncError;
use reqwest::Url;

/// Redirects followed for one request (`.well-known` usually sends one).
const MAX_REDIRECTS: usize = 5;

const PROPS: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav">
  <d:prop><d:resourcetype/><d:displayname/><d:current-user-principal/><c:addressbook-home-set/></d:prop>
</d:propfind>"#;

/// A book found: its URL (ending in `/`) and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundBook {
    pub url: String,
    pub name: String,
}

/// The address books reachable from `start`.
pub(crate) async fn discover(dav: &Dav, start: &str) -> Result<Vec<FoundBook>, SyncError> {
    let start = Url::parse(start.trim())
        .map_err(|e| SyncError::Protocol(format!("not a URL: {start}: {e}")))?;
    let (url, here) = match propfind(dav, &start, "0").await {
        Ok(found) => found,
        // Nothing useful there (not found, not a WebDAV answer, not ours to read): the
        // well-known address is the server's own pointer.
        Err(SyncError::Protocol(_) | SyncError::NotPermitted(_)) => {
            let known = start.join("/.well-known/carddav").map_err(protocol)?;
            propfind(dav, &known, "0").await?
        }
        Err(e) => return Err(e),
    };
    if let Some(book) = here.iter().find(|e| e.is_book) {
        return Ok(vec![found(&url, book)?]);
    }
    let mut home = here.iter().find_map(|e| e.home.clone());
    if home.is_none() {
        let principal = match here.iter().find_map(|e| e.principal.clone()) {
            Some(p) => p,
            None => {
                let known = url.join("/.well-known/carddav").map_err(protocol)?;
                let (_, there) = propfind(dav, &known, "0").await?;
                there
                    .iter()
                    .find_map(|e| e.principal.clone())
                    .ok_or_else(|| SyncError::Protocol(format!("{start}: no CardDAV account")))?
            }
        };
        let principal = url.join(&principal).map_err(protocol)?;
        let (_, p) = propfind(dav, &principal, "0").await?;
        home = p.iter().find_map(|e| e.home.clone());
    }
    let home = home.ok_or_else(|| SyncError::Protocol(format!("{start}: no address book home")))?;
    let home = url.join(&home).map_err(protocol)?;
    let (home, inside) = propfind(dav, &home, "1").await?;
    inside
        .iter()
        .filter(|e| e.is_book)
        .map(|e| found(&home, e))
        .collect()
}

fn found(base: &Url, e: &Entry) -> Result<FoundBook, SyncError> {
    let mut url = base.join(&e.href).map_err(protocol)?.to_string();
    if !url.ends_with('/') {
        url.push('/');
    }
    let name = e.name.clone().unwrap_or_else(|| {
        url.trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_string()
    });
    Ok(FoundBook { url, name })
}

/// PROPFIND `url` (following redirects), its final URL and the entries with a successful status.
async fn propfind(dav: &Dav, url: &Url, depth: &str) -> Result<(Url, Vec<Entry>), SyncError> {
    let mut url = url.clone();
    for _ in 0..=MAX_REDIRECTS {
        let req = Request {
            depth: Some(depth),
            body: Some(("application/xml; charset=utf-8", PROPS.to_string())),
            ..Request::default()
        };
        let reply = dav.send("PROPFIND", &url, req).await?;
        match reply.status.as_u16() {
            207 => {
                let ms = multistatus::parse(&reply.body)?;
                let ok = ms
                    .entries
                    .into_iter()
                    .filter(|e| (200..300).contains(&e.status))
                    .collect();
                return Ok((url, ok));
            }
            301 | 302 | 303 | 307 | 308 => url = redirect(&url, &reply)?,
            code => {
                return Err(SyncError::Protocol(format!(
                    "{url}: PROPFIND answered {code}"
                )));
            }
        }
    }
    Err(SyncError::Protocol(format!("{url}: too many redirects")))
}

/// Where a redirect points; never from https to http.
fn redirect(from: &Url, reply: &Reply) -> Result<Url, SyncError> {
    let to = reply
        .location
        .as_deref()
        .ok_or_else(|| SyncError::Protocol(format!("{from}: a redirect without Location")))?;
    let to = from.join(to).map_err(protocol)?;
    if from.scheme() == "https" && to.scheme() != "https" {
        return Err(SyncError::Tls(format!(
            "{from}: redirected to {to}, not encrypted"
        )));
    }
    Ok(to)
}

fn protocol(e: impl std::fmt::Display) -> SyncError {
    SyncError::Protocol(e.to_string())
}
