//! Account passwords inside the encrypted store, for the terminal client when the OS has no
//! keyring: they are then as safe as the mail itself, and locked with it.

use super::{CredentialError, CredentialStore, FileCredentialStore};
use crate::store::{Store, StoreError};
use rusqlite::OptionalExtension;

/// Passwords in the store's `secrets` table; refuses to work on a store that is not encrypted.
pub struct StoreCredentialStore {
    store: Store,
}

fn err(e: StoreError) -> CredentialError {
    CredentialError::Io(e.to_string())
}

impl StoreCredentialStore {
    pub fn new(store: Store) -> StoreCredentialStore {
        StoreCredentialStore { store }
    }

    fn encrypted(&self) -> Result<(), CredentialError> {
        match self.store.is_encrypted().map_err(err)? {
            true => Ok(()),
            false => Err(CredentialError::Io(
                "passwords are kept in the store only when it is encrypted".into(),
            )),
        }
    }

    /// Move the passwords of every account and address book from the 0600 files of `files` into
    /// the store, and delete the files. Returns how many moved. A password is deleted from its
    /// file only after the store holds it, so a crash loses none.
    pub fn take_from(&self, files: &FileCredentialStore) -> Result<usize, CredentialError> {
        self.encrypted()?;
        let accounts = self.store.accounts().map_err(err)?;
        let books = self.store.address_books().map_err(err)?;
        let logins = accounts.into_iter().map(|a| a.login);
        let keys = books.iter().map(|b| crate::carddav::credential_key(&b.url));
        let mut moved = 0;
        for login in logins.chain(keys) {
            match files.get(&login) {
                Ok(secret) => {
                    self.set(&login, &secret)?;
                    files.delete(&login)?;
                    moved += 1;
                }
                Err(CredentialError::Missing(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(moved)
    }
}

impl CredentialStore for StoreCredentialStore {
    fn get(&self, login: &str) -> Result<String, CredentialError> {
        self.encrypted()?;
        let login = login.to_ascii_lowercase();
        self.store
            .read(|c| {
                Ok(c.query_row(
                    "SELECT secret FROM secrets WHERE login = ?1",
                    [&login],
                    |r| r.get::<_, String>(0),
                )
                .optional()?)
            })
            .map_err(err)?
            .ok_or(CredentialError::Missing(login))
    }

    fn set(&self, login: &str, secret: &str) -> Result<(), CredentialError> {
        self.encrypted()?;
        let login = login.to_ascii_lowercase();
        self.store
            .write(|tx| {
                tx.execute(
                    "INSERT INTO secrets (login, secret) VALUES (?1, ?2)
                     ON CONFLICT(login) DO UPDATE SET secret = excluded.secret",
                    [login.as_str(), secret],
                )?;
                Ok(())
            })
            .map_err(err)
    }

    fn delete(&self, login: &str) -> Result<(), CredentialError> {
        let login = login.to_ascii_lowercase();
        self.store
            .write(|tx| {
                tx.execute("DELETE FROM secrets WHERE login = ?1", [&login])?;
                Ok(())
            })
            .map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::StoreKey;

    #[test]
    fn passwords_live_only_in_an_encrypted_store() {
        let dir = tempfile::tempdir().unwrap();
        let plain = StoreCredentialStore::new(Store::open(dir.path().join("p.sqlite")).unwrap());
        assert!(plain.set("a@pec.it", "s3cret").is_err());
        let key = StoreKey::generate().unwrap();
        let store = Store::open_with(dir.path().join("e.sqlite"), Some(key)).unwrap();
        let creds = StoreCredentialStore::new(store.clone());
        creds.set("A@pec.it", "s3cret").unwrap();
        assert_eq!(creds.get("a@pec.it").unwrap(), "s3cret");
        creds.delete("a@pec.it").unwrap();
        assert!(matches!(
            creds.get("a@pec.it"),
            Err(CredentialError::Missing(_))
        ));
        store.lock();
        assert!(creds.get("a@pec.it").is_err());
    }

    #[test]
    fn the_files_passwords_of_accounts_and_address_books_move_into_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let files = FileCredentialStore::new(dir.path());
        let key = StoreKey::generate().unwrap();
        let store = Store::open_with(dir.path().join("store.sqlite"), Some(key)).unwrap();
        store
            .add_account(&crate::accounts::AccountConfig::offline("a@pec.it"))
            .unwrap();
        let url = "https://dav.example/books/studio/";
        store
            .add_address_book(url, "Studio", "studio", None)
            .unwrap();
        let book = crate::carddav::credential_key(url);
        files.set("a@pec.it", "account secret").unwrap();
        files.set(&book, "book secret").unwrap();
        let creds = StoreCredentialStore::new(store);
        assert_eq!(creds.take_from(&files).unwrap(), 2);
        assert_eq!(creds.get("a@pec.it").unwrap(), "account secret");
        assert_eq!(creds.get(&book).unwrap(), "book secret");
        for login in ["a@pec.it", book.as_str()] {
            assert!(matches!(files.get(login), Err(CredentialError::Missing(_))));
        }
    }
}
