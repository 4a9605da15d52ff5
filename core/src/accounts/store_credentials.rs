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

    /// Move the passwords of every account from the 0600 files of `files` into the store, and
    /// delete the files. Returns how many moved. A password is deleted from its file only after
    /// the store holds it, so a crash loses none.
    pub fn take_from(&self, files: &FileCredentialStore) -> Result<usize, CredentialError> {
        self.encrypted()?;
        let mut moved = 0;
        for acct in self.store.accounts().map_err(err)? {
            match files.get(&acct.login) {
                Ok(secret) => {
                    self.set(&acct.login, &secret)?;
                    files.delete(&acct.login)?;
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
}
