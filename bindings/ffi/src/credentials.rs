//! Where passwords live: never in a plain store.
//!
//! - [`CredentialBackend::File`]: one 0600 file per login under `<data_dir>/credentials/` (desktop CLI).
//! - [`CredentialBackend::Keyring`]: the platform's keyring through keyring-core: the Keychain on
//!   iOS/macOS (apple-native-keyring-store), Keystore-encrypted SharedPreferences on Android
//!   (android-native-keyring-store; the app calls `initializeNdkContext` first). Those stores are
//!   `cfg(target_os)`-gated; on other systems the backend uses whatever keyring-core default store
//!   the host set (tests use `keyring_core::mock`), and fails with `Credentials` when there is none.
//! - [`CredentialBackend::Memory`]: for tests and demos; forgotten at exit.
//! - [`CredentialBackend::Store`]: inside the encrypted store (the terminal client with a
//!   passphrase-keyed store: `App::with_passphrase`); refused for a plain store.
//! - [`SecretStore`]: a store the shell implements itself (Kotlin/Swift), e.g. to use an existing
//!   vault.

use crate::error::PecError;
use pec_core::accounts::{
    CredentialError, CredentialStore, FileCredentialStore, MemoryCredentialStore,
};
use std::path::Path;
use std::sync::Arc;

/// The keyring "service" every entry is filed under.
pub const KEYRING_SERVICE: &str = "it.pec.core";

/// Which built-in credential store an [`crate::App`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CredentialBackend {
    File,
    Keyring,
    Memory,
    Store,
}

/// A credential store implemented by the shell.
#[uniffi::export(foreign)]
pub trait SecretStore: Send + Sync {
    /// The secret for `login`, or `None` when there is none.
    fn get(&self, login: String) -> Result<Option<String>, PecError>;
    fn set(&self, login: String, secret: String) -> Result<(), PecError>;
    fn delete(&self, login: String) -> Result<(), PecError>;
}

/// Adapts a shell's [`SecretStore`] to the core's [`CredentialStore`].
pub(crate) struct ForeignStore(pub Arc<dyn SecretStore>);

fn foreign_err(e: PecError) -> CredentialError {
    CredentialError::Io(e.to_string())
}

impl CredentialStore for ForeignStore {
    fn get(&self, login: &str) -> Result<String, CredentialError> {
        self.0
            .get(login.to_string())
            .map_err(foreign_err)?
            .ok_or_else(|| CredentialError::Missing(login.into()))
    }
    fn set(&self, login: &str, secret: &str) -> Result<(), CredentialError> {
        self.0
            .set(login.to_string(), secret.to_string())
            .map_err(foreign_err)
    }
    fn delete(&self, login: &str) -> Result<(), CredentialError> {
        self.0.delete(login.to_string()).map_err(foreign_err)
    }
}

/// keyring-core entries (`service = it.pec.core`, `user = login`).
pub(crate) struct KeyringStore;

impl KeyringStore {
    /// Install the platform's native store as keyring-core's default (once), then use it.
    pub fn new() -> Result<KeyringStore, PecError> {
        install_native_store()?;
        Ok(KeyringStore)
    }

    fn entry(login: &str) -> Result<keyring_core::Entry, CredentialError> {
        keyring_core::Entry::new(KEYRING_SERVICE, &login.to_ascii_lowercase())
            .map_err(|e| CredentialError::Io(e.to_string()))
    }
}

impl CredentialStore for KeyringStore {
    fn get(&self, login: &str) -> Result<String, CredentialError> {
        match Self::entry(login)?.get_password() {
            Ok(s) => Ok(s),
            Err(keyring_core::Error::NoEntry) => Err(CredentialError::Missing(login.into())),
            Err(e) => Err(CredentialError::Io(e.to_string())),
        }
    }
    fn set(&self, login: &str, secret: &str) -> Result<(), CredentialError> {
        Self::entry(login)?
            .set_password(secret)
            .map_err(|e| CredentialError::Io(e.to_string()))
    }
    fn delete(&self, login: &str) -> Result<(), CredentialError> {
        match Self::entry(login)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(CredentialError::Io(e.to_string())),
        }
    }
}

#[cfg(any(target_os = "ios", target_os = "macos"))]
fn install_native_store() -> Result<(), PecError> {
    if keyring_core::get_default_store().is_none() {
        let store = apple_native_keyring_store::protected::Store::new().map_err(|e| {
            PecError::Credentials {
                detail: e.to_string(),
            }
        })?;
        keyring_core::set_default_store(store);
    }
    Ok(())
}

#[cfg(target_os = "android")]
fn install_native_store() -> Result<(), PecError> {
    if keyring_core::get_default_store().is_none() {
        let store =
            android_native_keyring_store::Store::new().map_err(|e| PecError::Credentials {
                detail: e.to_string(),
            })?;
        keyring_core::set_default_store(store);
    }
    Ok(())
}

#[cfg(not(any(target_os = "ios", target_os = "macos", target_os = "android")))]
fn install_native_store() -> Result<(), PecError> {
    if keyring_core::get_default_store().is_none() {
        return Err(PecError::Credentials {
            detail: "no platform keyring on this system: use the file backend".into(),
        });
    }
    Ok(())
}

pub(crate) fn builtin(
    backend: CredentialBackend,
    data_dir: &Path,
) -> Result<Arc<dyn CredentialStore>, PecError> {
    Ok(match backend {
        CredentialBackend::File => Arc::new(FileCredentialStore::new(data_dir)),
        CredentialBackend::Keyring => Arc::new(KeyringStore::new()?),
        CredentialBackend::Memory => Arc::new(MemoryCredentialStore::new()),
        CredentialBackend::Store => {
            return Err(PecError::invalid(
                "passwords are kept in the store only when it is encrypted (open it with a passphrase)",
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyring_backend_round_trips_through_keyring_core_mock() {
        keyring_core::set_default_store(keyring_core::mock::Store::new().unwrap());
        let store = KeyringStore::new().unwrap();
        assert!(matches!(
            store.get("a@pec.example"),
            Err(CredentialError::Missing(_))
        ));
        store.set("A@pec.example", "s3cret").unwrap();
        assert_eq!(store.get("a@pec.example").unwrap(), "s3cret");
        store.delete("a@pec.example").unwrap();
        assert!(matches!(
            store.get("a@pec.example"),
            Err(CredentialError::Missing(_))
        ));
        store.delete("a@pec.example").unwrap();
    }
}
