//! CardDAV address books for both apps and `pec`: add one from what the user typed (the server's
//! address or the book's), list them, remove one, sync them all. A book's failure is reported in
//! its row with the code a thrown [`crate::PecError`] of the same kind would have, so the other
//! books still sync.

use crate::app::App;
use crate::error::Result;
use crate::runtime::blocking;
use crate::types::ErrorEvent;
use pec_core::carddav::AddressBook;
use pec_core::context::BookSync;

/// A CardDAV address book the user added.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct AddressBookInfo {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub username: String,
    /// Unix time of the last complete sync.
    pub last_sync: Option<i64>,
}

impl From<AddressBook> for AddressBookInfo {
    fn from(b: AddressBook) -> Self {
        AddressBookInfo {
            id: b.id,
            name: b.name,
            url: b.url,
            username: b.username,
            last_sync: b.last_sync,
        }
    }
}

/// What syncing one book did, or why it could not.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct BookSyncReport {
    pub book: AddressBookInfo,
    pub added: u32,
    pub updated: u32,
    pub removed: u32,
    /// Local edits the server took.
    pub uploaded: u32,
    /// Local edits the server had changed meanwhile: the server's version won, the local one
    /// stays on this device as a contact of its own.
    pub conflicts: u32,
    /// Cards or edits left out, and why; the rest of the book synced.
    pub skipped: Vec<String>,
    /// Set when the book could not be synced (the counts are then 0).
    pub error: Option<ErrorEvent>,
}

impl From<BookSync> for BookSyncReport {
    fn from(s: BookSync) -> Self {
        let mut r = BookSyncReport {
            book: s.book.into(),
            added: 0,
            updated: 0,
            removed: 0,
            uploaded: 0,
            conflicts: 0,
            skipped: Vec::new(),
            error: None,
        };
        match s.outcome {
            Ok(done) => {
                r.added = done.added;
                r.updated = done.updated;
                r.removed = done.removed;
                r.uploaded = done.uploaded;
                r.conflicts = done.conflicts;
                r.skipped = done.skipped;
            }
            Err((kind, detail)) => r.error = Some(crate::mail::error_event(kind, detail)),
        }
        r
    }
}

#[uniffi::export]
impl App {
    /// Find the address books at `url` (a CardDAV server or one book) and keep them; the
    /// password goes to the credential store. `ca_file`: a private CA for a self-hosted server.
    /// A refused password or an unreachable server throws, and nothing is kept.
    pub async fn add_address_book(
        &self,
        url: String,
        username: String,
        password: String,
        ca_file: Option<String>,
    ) -> Result<Vec<AddressBookInfo>> {
        let inner = self.inner.clone();
        crate::runtime::spawn(async move {
            let books = inner
                .ctx
                .add_address_book(&url, &username, &password, ca_file.as_deref())
                .await?;
            Ok(books.into_iter().map(AddressBookInfo::from).collect())
        })
        .await
    }

    pub async fn address_books(&self) -> Result<Vec<AddressBookInfo>> {
        let inner = self.inner.clone();
        blocking(move || {
            let books = inner.ctx.address_books()?;
            Ok(books.into_iter().map(AddressBookInfo::from).collect())
        })
        .await
    }

    /// Forget a book: its cards leave this device (the server keeps them).
    pub async fn remove_address_book(&self, book_id: i64) -> Result<()> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.ctx.remove_address_book(book_id)?)).await
    }

    /// Sync every book both ways: local edits up, the server's changes down.
    pub async fn sync_address_books(&self) -> Result<Vec<BookSyncReport>> {
        let inner = self.inner.clone();
        crate::runtime::spawn(async move {
            let done = inner.ctx.sync_address_books().await?;
            Ok(done.into_iter().map(BookSyncReport::from).collect())
        })
        .await
    }
}
