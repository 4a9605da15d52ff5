//! A data directory whose key is stretched from a passphrase: the terminal client's way, where
//! there is no biometric vault to keep a random key in.
//!
//! The Argon2id parameters live in `store.kdf` beside the store. A change of passphrase writes the
//! new parameters to `store.kdf.next` before the store is re-encrypted and renames them into place
//! after, so a crash at any point leaves parameters for whichever store survived: opening tries
//! `store.kdf`, then `store.kdf.next` (and promotes it when that is the one that opens).

use super::{Context, Error, Result, checked_dir};
use crate::accounts::{CredentialStore, FileCredentialStore, StoreCredentialStore};
use crate::store::{Store, StoreError, rekey};
use crate::vault::StoreKey;
use crate::vault::passphrase::KdfParams;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where the account passwords of a passphrase-keyed data directory live.
pub enum Credentials {
    /// A store the caller gives (the OS keyring, a shell's vault).
    Given(Arc<dyn CredentialStore>),
    /// Inside the encrypted store itself; passwords left in files by a plain data directory are
    /// moved in (and the files deleted) when it opens.
    InStore,
}

fn kdf_path(dir: &Path) -> PathBuf {
    dir.join("store.kdf")
}

fn next_kdf_path(dir: &Path) -> PathBuf {
    dir.join("store.kdf.next")
}

fn read_params(path: &Path) -> Result<Option<KdfParams>> {
    KdfParams::read(path).map_err(|e| Error::Invalid(e.to_string()))
}

fn write_params(path: &Path, params: &KdfParams) -> Result<()> {
    params
        .write(path)
        .map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))
}

fn derive(params: &KdfParams, passphrase: &str) -> Result<StoreKey> {
    params
        .derive(passphrase)
        .map_err(|e| Error::Invalid(e.to_string()))
}

/// Fresh parameters written to `path`, and the key they give.
fn new_key(path: &Path, passphrase: &str) -> Result<StoreKey> {
    let params = KdfParams::generate().map_err(|e| Error::Invalid(e.to_string()))?;
    let key = derive(&params, passphrase)?;
    write_params(path, &params)?;
    Ok(key)
}

/// Open the encrypted store of `dir` with `passphrase`: with `store.kdf`, else with the
/// parameters of a change of passphrase that a crash cut short.
fn open_store(dir: &Path, passphrase: &str) -> Result<Store> {
    let path = dir.join("store.sqlite");
    if !path.exists() {
        let key = new_key(&kdf_path(dir), passphrase)?;
        return Ok(Store::open_with(&path, Some(key))?);
    }
    if rekey::is_plain(&path)? {
        return Err(StoreError::NotEncrypted.into());
    }
    if !kdf_path(dir).exists() && !next_kdf_path(dir).exists() {
        return Err(Error::Invalid(format!(
            "{}: missing: this store is not keyed by a passphrase",
            kdf_path(dir).display()
        )));
    }
    with_passphrase_key(dir, passphrase, |key| Store::open_with(&path, Some(key)))
}

/// Rebuild the damaged store of `dir` ([`crate::store::recover`]) with the key `passphrase` gives
/// (under `store.kdf`, else under the parameters of an interrupted change). A wrong passphrase moves
/// nothing.
pub fn recover_with_passphrase(
    dir: &Path,
    passphrase: &str,
) -> Result<crate::store::recover::Recovery> {
    let path = dir.join("store.sqlite");
    with_passphrase_key(dir, passphrase, |key| {
        crate::store::recover::rebuild(&path, Some(&key))
    })
}

/// `attempt` with the key `passphrase` gives under `store.kdf`, then, on `WrongKey`, under
/// `store.kdf.next` (promoted to `store.kdf` when that is the one that works). A leftover
/// `store.kdf.next` is deleted once a key works.
fn with_passphrase_key<T>(
    dir: &Path,
    passphrase: &str,
    mut attempt: impl FnMut(StoreKey) -> std::result::Result<T, StoreError>,
) -> Result<T> {
    let current = read_params(&kdf_path(dir))?;
    let next = read_params(&next_kdf_path(dir))?;
    for (params, promote) in [(current, false), (next, true)] {
        let Some(params) = params else { continue };
        match attempt(derive(&params, passphrase)?) {
            Ok(done) => {
                if promote {
                    write_params(&kdf_path(dir), &params)?;
                }
                let _ = std::fs::remove_file(next_kdf_path(dir));
                return Ok(done);
            }
            Err(StoreError::WrongKey) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::WrongKey.into())
}

impl Context {
    /// Open (creating when needed) the data directory encrypted with a key stretched from
    /// `passphrase`. A plain store is `NotEncrypted` (see [`Context::encrypt_with_passphrase`]);
    /// a wrong passphrase is `WrongKey` and changes nothing.
    pub fn open_with_passphrase(
        data_dir: impl AsRef<Path>,
        creds: Credentials,
        passphrase: &str,
    ) -> Result<Context> {
        let dir = checked_dir(data_dir.as_ref())?;
        crate::files::create_private_dir(&dir)
            .map_err(|e| Error::Invalid(format!("{}: {e}", dir.display())))?;
        let store = open_store(&dir, passphrase)?;
        Context::assemble_with(dir, store, creds)
    }

    /// Open the encrypted store of `data_dir` with its key itself, not the passphrase: for a
    /// shell that kept the key of an earlier passphrase unlock in a vault (the terminal
    /// client's `pec unlock` and the OS keyring). Never encrypts a plain store (`NotEncrypted`);
    /// a wrong key is `WrongKey` and changes nothing.
    pub fn open_keyed(
        data_dir: impl AsRef<Path>,
        creds: Credentials,
        key: StoreKey,
    ) -> Result<Context> {
        let dir = checked_dir(data_dir.as_ref())?;
        let store = Store::open_with(dir.join("store.sqlite"), Some(key))?;
        Context::assemble_with(dir, store, creds)
    }

    fn assemble_with(dir: PathBuf, store: Store, creds: Credentials) -> Result<Context> {
        let creds: Arc<dyn CredentialStore> = match creds {
            Credentials::Given(c) => c,
            Credentials::InStore => {
                let inside = StoreCredentialStore::new(store.clone());
                inside.take_from(&FileCredentialStore::new(&dir))?;
                Arc::new(inside)
            }
        };
        Context::assemble(dir, store, creds)
    }

    /// Encrypt this plain data directory with a key stretched from `passphrase` (copy and
    /// rename: a crash leaves it plain or encrypted). Reopen it with
    /// [`Context::open_with_passphrase`] to move file-kept passwords into the store.
    pub fn encrypt_with_passphrase(&self, passphrase: &str) -> Result<()> {
        if self.store().is_encrypted()? {
            return Err(Error::Invalid("the store is encrypted already".into()));
        }
        // The parameters go first: until the rename, the plain store ignores them.
        let key = new_key(&kdf_path(self.data_dir()), passphrase)?;
        self.change_key(key)
    }

    /// Re-encrypt the store under a new passphrase.
    pub fn change_passphrase(&self, new_passphrase: &str) -> Result<()> {
        if !self.store().is_encrypted()? {
            return Err(StoreError::NotEncrypted.into());
        }
        let dir = self.data_dir().to_path_buf();
        let key = new_key(&next_kdf_path(&dir), new_passphrase)?;
        let params = read_params(&next_kdf_path(&dir))?;
        self.change_key(key)?;
        if let Some(params) = params {
            write_params(&kdf_path(&dir), &params)?;
        }
        let _ = std::fs::remove_file(next_kdf_path(&dir));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{AccountConfig, MemoryCredentialStore};

    fn open(dir: &Path, passphrase: &str) -> Result<Context> {
        let creds = Credentials::Given(Arc::new(MemoryCredentialStore::default()));
        Context::open_with_passphrase(dir, creds, passphrase)
    }

    #[tokio::test]
    async fn the_key_of_a_passphrase_unlock_opens_the_store_again() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = open(dir.path(), "frase").unwrap();
        ctx.store()
            .add_account(&AccountConfig::offline("a@pec.example"))
            .unwrap();
        let key = ctx.store_key().unwrap();
        ctx.lock();
        assert!(matches!(
            ctx.store_key(),
            Err(Error::Store(StoreError::Locked))
        ));
        drop(ctx);
        let keyed = |key| Context::open_keyed(dir.path(), Credentials::InStore, key);
        assert!(matches!(
            keyed(StoreKey::generate().unwrap()),
            Err(Error::Store(StoreError::WrongKey))
        ));
        let ctx = keyed(key).unwrap();
        assert_eq!(ctx.store().accounts().unwrap().len(), 1);

        let plain = tempfile::tempdir().unwrap();
        drop(Context::open(plain.path(), Arc::new(MemoryCredentialStore::default())).unwrap());
        assert!(matches!(
            Context::open_keyed(
                plain.path(),
                Credentials::InStore,
                StoreKey::generate().unwrap()
            ),
            Err(Error::Store(StoreError::NotEncrypted))
        ));
    }

    #[tokio::test]
    async fn a_passphrase_creates_opens_and_changes_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = open(dir.path(), "prima frase").unwrap();
        ctx.store()
            .add_account(&AccountConfig::offline("a@pec.example"))
            .unwrap();
        drop(ctx);
        assert!(matches!(
            open(dir.path(), "sbagliata"),
            Err(Error::Store(StoreError::WrongKey))
        ));
        let ctx = open(dir.path(), "prima frase").unwrap();
        ctx.change_passphrase("seconda frase").unwrap();
        drop(ctx);
        assert!(open(dir.path(), "prima frase").is_err());
        let ctx = open(dir.path(), "seconda frase").unwrap();
        assert_eq!(ctx.store().accounts().unwrap().len(), 1);
        assert!(!next_kdf_path(dir.path()).exists());
    }

    #[tokio::test]
    async fn a_change_cut_after_the_store_was_renamed_opens_with_the_new_passphrase() {
        let dir = tempfile::tempdir().unwrap();
        drop(open(dir.path(), "vecchia").unwrap());
        // What a crash between the store's rename and the parameters' leaves behind.
        let old = read_params(&kdf_path(dir.path())).unwrap().unwrap();
        let new_key_bytes = new_key(&next_kdf_path(dir.path()), "nuova").unwrap();
        let old_key = derive(&old, "vecchia").unwrap();
        rekey::rekey_file(
            &dir.path().join("store.sqlite"),
            Some(&old_key),
            &new_key_bytes,
        )
        .unwrap();
        let next = read_params(&next_kdf_path(dir.path())).unwrap();
        drop(open(dir.path(), "nuova").unwrap());
        assert_eq!(
            read_params(&kdf_path(dir.path())).unwrap(),
            next,
            "promoted"
        );
        assert!(!next_kdf_path(dir.path()).exists());
        assert!(open(dir.path(), "vecchia").is_err());
        assert!(open(dir.path(), "nuova").is_ok());
    }

    #[tokio::test]
    async fn a_plain_directory_is_encrypted_and_its_password_files_move_into_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let files = Arc::new(FileCredentialStore::new(dir.path()));
        let ctx = Context::open(dir.path(), files.clone()).unwrap();
        ctx.store()
            .add_account(&AccountConfig::offline("a@pec.example"))
            .unwrap();
        files.set("a@pec.example", "Sup3r-Segreta!").unwrap();
        assert!(matches!(
            open(dir.path(), "frase"),
            Err(Error::Store(StoreError::NotEncrypted))
        ));
        ctx.encrypt_with_passphrase("frase").unwrap();
        drop(ctx);
        let ctx = Context::open_with_passphrase(dir.path(), Credentials::InStore, "frase").unwrap();
        assert_eq!(
            ctx.credentials().get("a@pec.example").unwrap(),
            "Sup3r-Segreta!"
        );
        assert!(
            std::fs::read_dir(dir.path().join("credentials"))
                .unwrap()
                .next()
                .is_none(),
            "no password file left"
        );
    }
}
