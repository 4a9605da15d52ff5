//! The app lock and the store key. The shell keeps the key wrapped by the platform vault
//! (Android Keystore, iOS Keychain, bound to biometrics) and hands it over as bytes; the facade
//! copies it into the core's zeroing key type and wipes the bytes it was given. Locking drops
//! every store connection and the key; calls made while locked fail with `PecError::Locked`.

use crate::app::App;
use crate::credentials::{ForeignStore, SecretStore};
use crate::error::{PecError, Result};
use crate::runtime::blocking;
use pec_core::vault::StoreKey;
use std::sync::Arc;
use zeroize::Zeroize;

/// The core's key type from the shell's bytes, which are wiped.
pub(crate) fn key_from(mut bytes: Vec<u8>) -> Result<StoreKey> {
    let key = StoreKey::from_slice(&bytes);
    bytes.zeroize();
    key.map_err(|e| PecError::invalid(e.to_string()))
}

/// A new random store key (32 bytes) for a new data directory: the shell wraps it with the
/// platform vault at once and wipes its copy.
#[uniffi::export]
pub fn new_store_key() -> Result<Vec<u8>> {
    let key = StoreKey::generate().map_err(|e| PecError::Internal {
        detail: e.to_string(),
    })?;
    Ok(key.to_bytes().to_vec())
}

#[uniffi::export]
impl App {
    /// Open the data directory encrypted with `store_key` (32 bytes), with a credential store
    /// the shell implements. A data directory written before encryption is encrypted in place
    /// first (a crash leaves it plain or encrypted). A wrong key is `WrongKey` and changes
    /// nothing.
    #[uniffi::constructor]
    pub fn with_store_key(
        data_dir: String,
        secrets: Arc<dyn SecretStore>,
        store_key: Vec<u8>,
    ) -> Result<Arc<App>> {
        let key = key_from(store_key)?;
        App::open_encrypted(data_dir, Arc::new(ForeignStore(secrets)), key)
    }

    /// Open the data directory with `store_key` like [`App::with_store_key`]; but when the
    /// store there is encrypted under another key (`WrongKey`: the vault lost the old key, as
    /// Android does when a new biometric is enrolled), delete it and everything sealed beside it
    /// and start a new store. Only after the user agreed: the accounts are added again, the mail
    /// comes back from the server, and unsent PEC are gone with the key.
    #[uniffi::constructor]
    pub fn start_again(
        data_dir: String,
        secrets: Arc<dyn SecretStore>,
        store_key: Vec<u8>,
    ) -> Result<Arc<App>> {
        let key = key_from(store_key)?;
        let creds = Arc::new(ForeignStore(secrets));
        App::open_in(data_dir, |dir| {
            pec_core::Context::start_again(dir, creds, key)
        })
    }

    /// Lock now: the core closes the store and forgets the key; a sync under way stops at its
    /// next step with nothing half-written, and queued sends stay queued.
    pub fn lock(&self) {
        self.inner.ctx.lock();
    }

    /// True while locked (after [`App::lock`], or when the lock policy locked the core).
    pub fn is_locked(&self) -> bool {
        !self.inner.ctx.is_unlocked()
    }

    /// Unlock with the store key. A wrong key is `WrongKey`: the app stays locked, nothing
    /// changed.
    pub async fn unlock(&self, store_key: Vec<u8>) -> Result<()> {
        let key = key_from(store_key)?;
        let inner = self.inner.clone();
        blocking(move || Ok(inner.ctx.unlock(Some(key))?)).await
    }

    /// Re-encrypt the store with `new_key`. The shell keeps the new key wrapped in its vault
    /// before calling this and the old one until it returns: a crash leaves the store under one
    /// of the two, and the shell tries both at the next unlock.
    pub async fn change_store_key(&self, new_key: Vec<u8>) -> Result<()> {
        let key = key_from(new_key)?;
        let inner = self.inner.clone();
        blocking(move || Ok(inner.ctx.change_key(key)?)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_has_32_bytes() {
        assert_eq!(new_store_key().unwrap().len(), 32);
        assert!(matches!(
            key_from(vec![1; 16]),
            Err(PecError::InvalidInput { .. })
        ));
        assert!(key_from(vec![1; 32]).is_ok());
    }
}
