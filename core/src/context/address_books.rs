//! CardDAV address books as the shells and `pec` use them: add one (discovery from what the user
//! typed), list, remove, and sync them all. The password is kept in the credential store under
//! the book's URL, never in the store's tables.

use super::{Context, Error, Result};
use crate::carddav::discover::discover;
use crate::carddav::http::Dav;
use crate::carddav::sync::{PullMode, sync_book};
use crate::carddav::{AddressBook, BookReport};
use crate::sync::{SyncError, SyncErrorKind};

/// One book's sync: what it did, or why it failed (the other books are synced all the same).
#[derive(Debug, Clone)]
pub struct BookSync {
    pub book: AddressBook,
    pub outcome: std::result::Result<BookReport, (SyncErrorKind, String)>,
}

impl Context {
    /// Find the address books at `url` (a server, or one book) for `username`, and keep them.
    /// A wrong password or an unreachable server is an error, and nothing is kept.
    pub async fn add_address_book(
        &self,
        url: &str,
        username: &str,
        password: &str,
        ca_file: Option<&str>,
    ) -> Result<Vec<AddressBook>> {
        let dav = Dav::new(username, password, ca_file)?;
        let found = discover(&dav, url).await?;
        if found.is_empty() {
            return Err(Error::Invalid(format!("{url}: no address book there")));
        }
        let mut books = Vec::new();
        for f in found {
            self.credentials()
                .set(&crate::carddav::credential_key(&f.url), password)?;
            let id = self
                .store()
                .add_address_book(&f.url, &f.name, username, ca_file)?;
            books.extend(self.store().address_book(id)?);
        }
        Ok(books)
    }

    pub fn address_books(&self) -> Result<Vec<AddressBook>> {
        Ok(self.store().address_books()?)
    }

    /// Forget book `id`: its cards leave this device (the server keeps them), and its password.
    pub fn remove_address_book(&self, id: i64) -> Result<()> {
        let book = self
            .store()
            .address_book(id)?
            .ok_or_else(|| Error::Invalid(format!("no address book {id}")))?;
        self.store().remove_address_book(id)?;
        // A password already gone is what we wanted.
        let _ = self
            .credentials()
            .delete(&crate::carddav::credential_key(&book.url));
        Ok(())
    }

    /// Sync every address book both ways, one after the other.
    pub async fn sync_address_books(&self) -> Result<Vec<BookSync>> {
        let mut out = Vec::new();
        for book in self.store().address_books()? {
            let outcome =
                self.sync_address_book(&book, PullMode::Best)
                    .await
                    .map_err(|e| match e {
                        Error::Sync(s) => (s.kind(), s.to_string()),
                        other => (SyncErrorKind::Store, other.to_string()),
                    });
            out.push(BookSync { book, outcome });
        }
        Ok(out)
    }

    /// Sync one book, its changes asked for as `mode` says.
    pub async fn sync_address_book(
        &self,
        book: &AddressBook,
        mode: PullMode,
    ) -> Result<BookReport> {
        let password = self
            .credentials()
            .get(&crate::carddav::credential_key(&book.url))
            .map_err(|e| SyncError::Credentials(e.to_string()))?;
        let dav = Dav::new(&book.username, &password, book.ca_file.as_deref())?;
        Ok(sync_book(self.store(), &dav, book, mode).await?)
    }
}
