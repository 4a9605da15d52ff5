//! A WebDAV `multistatus` answer (RFC 4918 §13) read into what the address book needs, through the
//! core's one XML reader (names by their local part: DAV, CardDAV and the calendarserver
//! namespace use no local name twice among those read here).

use crate::sync::SyncError;
use crate::xml::{Element, Tree};

/// One `response`: a resource and the properties the server gave for it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Entry {
    pub href: String,
    /// The response's status, else that of its first successful `propstat`, else of its first.
    pub status: u16,
    pub etag: Option<String>,
    pub ctag: Option<String>,
    pub sync_token: Option<String>,
    pub name: Option<String>,
    pub is_book: bool,
    /// `current-user-principal`'s href.
    pub principal: Option<String>,
    /// `addressbook-home-set`'s href.
    pub home: Option<String>,
    /// `address-data`: the card itself.
    pub card: Option<String>,
}

#[derive(Debug, Default)]
pub struct Multistatus {
    pub entries: Vec<Entry>,
    /// The new token of a `sync-collection` report.
    pub sync_token: Option<String>,
}

pub fn parse(body: &str) -> Result<Multistatus, SyncError> {
    let (text, _) = crate::xml::decode(body.as_bytes())
        .map_err(|e| SyncError::Protocol(format!("multistatus: {e}")))?;
    let tree = Tree::parse(&text).map_err(|e| SyncError::Protocol(format!("multistatus: {e}")))?;
    let root = tree.root();
    if root.name() != "multistatus" {
        return Err(SyncError::Protocol(format!(
            "expected a multistatus answer, got <{}>",
            root.name()
        )));
    }
    Ok(Multistatus {
        entries: root.children_named("response").map(entry).collect(),
        sync_token: root.text_at("sync-token"),
    })
}

fn entry(response: Element<'_>) -> Entry {
    let mut e = Entry {
        href: as_path(response.text_at("href").unwrap_or_default()),
        ..Entry::default()
    };
    let own = response.text_ref("status").map(status_code);
    let mut first = None;
    let mut ok = None;
    for ps in response.children_named("propstat") {
        let code = ps.text_ref("status").map(status_code).unwrap_or(0);
        first.get_or_insert(code);
        if (200..300).contains(&code) {
            ok.get_or_insert(code);
            if let Some(prop) = ps.child("prop") {
                read_props(&mut e, prop);
            }
        }
    }
    e.status = own.or(ok).or(first).unwrap_or(0);
    e
}

fn read_props(e: &mut Entry, prop: Element<'_>) {
    // ETags are kept exactly as sent, quotes included: If-Match needs them so.
    e.etag = e.etag.take().or(prop.text_at("getetag"));
    e.ctag = e.ctag.take().or(prop.text_at("getctag"));
    e.sync_token = e.sync_token.take().or(prop.text_at("sync-token"));
    e.name = e.name.take().or(prop.text_at("displayname"));
    e.principal = e
        .principal
        .take()
        .or(prop.text_at("current-user-principal/href"));
    e.home = e.home.take().or(prop.text_at("addressbook-home-set/href"));
    if let Some(data) = prop.child("address-data") {
        e.card = Some(data.text().to_string());
    }
    if let Some(types) = prop.child("resourcetype") {
        e.is_book |= types.child("addressbook").is_some();
    }
}

/// An href as an absolute path: some servers write whole URLs, others paths, and cards are
/// known by their href.
fn as_path(href: String) -> String {
    match reqwest::Url::parse(&href) {
        Ok(url) if url.has_host() => url.path().to_string(),
        // A whole URL whose host does not even parse: what follows the authority.
        _ => match href.split_once("://") {
            Some((scheme, rest)) if !scheme.contains('/') => {
                rest.find('/').map_or("/".into(), |i| rest[i..].to_string())
            }
            _ => href,
        },
    }
}

/// `HTTP/1.1 404 Not Found` → 404 (0 when unreadable).
fn status_code(line: &str) -> u16 {
    line.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sync_report_gives_changed_and_removed_cards_and_the_new_token() {
        let body = r#"<?xml version="1.0" encoding="utf-8"?>
<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav">
  <d:response><d:href>/anna/rubrica/a.vcf</d:href>
    <d:propstat><d:prop><d:getetag>"e1"</d:getetag>
      <c:address-data>BEGIN:VCARD&#13;
FN:A &amp; B&#13;
END:VCARD</c:address-data></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>
    <d:propstat><d:prop><d:displayname/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>
  </d:response>
  <d:response><d:href>https://dav.example.it/anna/rubrica/b.vcf</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>
  <d:sync-token>http://radicale.org/ns/sync/42</d:sync-token>
</d:multistatus>"#;
        let ms = parse(body).unwrap();
        assert_eq!(
            ms.sync_token.as_deref(),
            Some("http://radicale.org/ns/sync/42")
        );
        assert_eq!(ms.entries.len(), 2);
        let a = &ms.entries[0];
        assert_eq!((a.href.as_str(), a.status), ("/anna/rubrica/a.vcf", 200));
        assert_eq!(a.etag.as_deref(), Some("\"e1\""));
        assert!(a.card.as_deref().unwrap().contains("FN:A & B\r\n"));
        assert_eq!(ms.entries[1].status, 404);
        assert_eq!(ms.entries[1].href, "/anna/rubrica/b.vcf");
        assert_eq!(as_path("https://\u{fffd}h/x/y.vcf".into()), "/x/y.vcf");
        assert_eq!(as_path("https://nowhere".into()), "/");
    }

    #[test]
    fn what_is_not_a_multistatus_is_a_protocol_error() {
        assert!(parse("<html><body>login</body></html>").is_err());
        assert!(parse("not xml at all <").is_err());
        assert!(parse("").is_err());
    }
}
