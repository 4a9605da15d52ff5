//! A store keyed by a passphrase (Argon2id), for the terminal client and any shell without a
//! biometric vault. See `pec_core::context::passphrase` for the files and the crash rules.

use crate::app::App;
use crate::credentials::{self, CredentialBackend};
use crate::error::{PecError, Result};
use crate::runtime::blocking;
use pec_core::Context;
use pec_core::context::Credentials;
use std::path::Path;
use std::sync::Arc;

/// What the data directory holds, before it is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum StoreState {
    /// No store yet: opening creates one.
    Missing,
    /// An unencrypted store (written before encryption, or opened without a key).
    Plain,
    /// An encrypted store: it needs its key or passphrase.
    Encrypted,
}

/// What the data directory holds, so a shell knows whether to ask for a key.
#[uniffi::export]
pub fn store_state(data_dir: String) -> Result<StoreState> {
    let path = Path::new(&data_dir).join("store.sqlite");
    Ok(match pec_core::store::rekey::state(&path)? {
        pec_core::store::rekey::FileState::Missing => StoreState::Missing,
        pec_core::store::rekey::FileState::Plain => StoreState::Plain,
        pec_core::store::rekey::FileState::Encrypted => StoreState::Encrypted,
    })
}

/// Where the passwords of a passphrase-keyed directory live: `Store` means inside it.
fn credentials_for(backend: CredentialBackend, data_dir: &str) -> Result<Credentials> {
    Ok(match backend {
        CredentialBackend::Store => Credentials::InStore,
        other => Credentials::Given(credentials::builtin(other, Path::new(data_dir))?),
    })
}

#[uniffi::export]
impl App {
    /// Open (creating when needed) the data directory encrypted with a key stretched from
    /// `passphrase`. `credentials` may be `Store` (passwords inside the encrypted store).
    /// `WrongKey` for a wrong passphrase, `NotEncrypted` for a plain store (see
    /// [`App::encrypt_with_passphrase`]).
    #[uniffi::constructor]
    pub fn with_passphrase(
        data_dir: String,
        credentials: CredentialBackend,
        passphrase: String,
    ) -> Result<Arc<App>> {
        let creds = credentials_for(credentials, &data_dir)?;
        App::open_in(data_dir, |dir| {
            Context::open_with_passphrase(dir, creds, &passphrase)
        })
    }

    /// Open the encrypted data directory with the key of an earlier passphrase unlock (see
    /// [`App::store_key`]) instead of the passphrase, with a built-in credential store: the
    /// terminal client opens this way with the key it keeps in the OS keyring. A plain store is
    /// `NotEncrypted` (never encrypted here), a wrong key `WrongKey`.
    #[uniffi::constructor]
    pub fn with_kept_key(
        data_dir: String,
        credentials: CredentialBackend,
        store_key: Vec<u8>,
    ) -> Result<Arc<App>> {
        let key = crate::locking::key_from(store_key)?;
        let creds = credentials_for(credentials, &data_dir)?;
        App::open_in(data_dir, |dir| Context::open_keyed(dir, creds, key))
    }

    /// A copy of the key the store is open with (32 bytes), for a shell that keeps it in a
    /// vault after a passphrase unlock so later opens skip the passphrase; the caller wipes its
    /// copy. `Locked` while locked, `NotEncrypted` for a plain store.
    pub fn store_key(&self) -> Result<Vec<u8>> {
        let key = self.inner.ctx.store_key()?;
        Ok(key.to_bytes().to_vec())
    }

    /// Encrypt this plain data directory with a key stretched from `passphrase`; reopen it with
    /// [`App::with_passphrase`] afterwards.
    pub async fn encrypt_with_passphrase(&self, passphrase: String) -> Result<()> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.ctx.encrypt_with_passphrase(&passphrase)?)).await
    }

    /// Re-encrypt the store under `new_passphrase`.
    pub async fn change_passphrase(&self, new_passphrase: String) -> Result<()> {
        if new_passphrase.is_empty() {
            return Err(PecError::invalid("the new passphrase is empty"));
        }
        let inner = self.inner.clone();
        blocking(move || Ok(inner.ctx.change_passphrase(&new_passphrase)?)).await
    }
}
