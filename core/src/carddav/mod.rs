//! Address books kept on a CardDAV server (RFC 6352: a provider's, Nextcloud, Radicale…), synced
//! both ways with the store's address book.
//!
//! - [`discover`]: from what the user typed (the server, or the book itself) to its address books:
//!   `/.well-known/carddav` (RFC 6764), the current user's principal, its address book home.
//! - [`sync`]: first the local edits waiting in the store are uploaded (`If-Match` on the ETag
//!   they were made on; a refusal means the server changed the card: the server's version wins
//!   and the local one stays as a contact on this device), then the server's changes come down:
//!   `sync-collection` (RFC 6578) from the last token, or, where the server has no such report,
//!   the `getctag` and the ETags of every card compared with ours. Cards are fetched with
//!   `addressbook-multiget` and written by href, so a sync cut short at any point is finished by
//!   the next one without losing or doubling a contact.
//! - [`http`]: the WebDAV requests, over our rustls configuration; failures are the sync's typed
//!   [`SyncError`](crate::sync::SyncError)s (auth, TLS, network, server), which the shells
//!   already show.

mod cards;
pub(crate) mod discover;
pub(crate) mod http;
/// Public for the fuzzers only (`core/fuzz`): a server's answers are hostile input.
#[doc(hidden)]
pub mod multistatus;
pub(crate) mod sync;

pub use discover::FoundBook;

use crate::contacts::Contact;

pub use sync::{BookReport, PullMode};

/// A CardDAV address book the user added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressBook {
    pub id: i64,
    /// The collection's URL, ending in `/`.
    pub url: String,
    pub name: String,
    pub username: String,
    /// A private CA for the server's certificate, when it is not publicly trusted.
    pub ca_file: Option<String>,
    pub sync_token: Option<String>,
    pub ctag: Option<String>,
    /// Unix time of the last complete sync.
    pub last_sync: Option<i64>,
}

/// A card as the server holds it.
#[derive(Debug, Clone)]
pub(crate) struct RemoteCard {
    pub href: String,
    pub etag: Option<String>,
    /// The vCard text as it came.
    pub card: String,
    /// What we read from it.
    pub contact: Contact,
}

/// A local edit waiting for the server (`seq` tells it from a later edit of the same card).
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub href: String,
    pub action: PendingAction,
    pub seq: i64,
}

#[derive(Debug, Clone)]
pub(crate) enum PendingAction {
    /// Upload the contact; `etag` is the server version it was edited from (`None`: a new card),
    /// `card` the server's vCard it updates.
    Put {
        contact: Box<Contact>,
        etag: Option<String>,
        card: Option<String>,
    },
    /// Delete the card if the server still has version `etag`.
    Delete { etag: Option<String> },
}

/// Where a book's password is kept in the credential store (beside the accounts' logins).
pub(crate) fn credential_key(url: &str) -> String {
    format!("carddav {url}")
}

/// A new card's name: a random UUID (version 4), also its vCard UID.
pub(crate) fn new_card_name() -> String {
    use ring::rand::SecureRandom;
    let mut b = [0u8; 16];
    // A failing system RNG leaves a time-based name: unique enough for a card's file name.
    if ring::rand::SystemRandom::new().fill(&mut b).is_err() {
        let t = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default();
        b[..8].copy_from_slice(&t.to_be_bytes());
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// The path of a URL (`https://host/a/b/` → `/a/b/`): hrefs are kept as the server writes them,
/// absolute paths.
pub(crate) fn path_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .map(|u| u.path().to_string())
        .unwrap_or_else(|_| url.to_string())
}
