//! The store key kept in the OS keyring between `pec unlock` and `pec lock`, so commands in
//! between neither ask for the passphrase nor spend the Argon2id stretching on every run.
//!
//! The entry is the store key itself (32 bytes, never the passphrase), filed under the service
//! `it.pec.cli` and the data directory's absolute path. On Linux the keyring is the Secret
//! Service of the desktop session (GNOME Keyring, KWallet) over D-Bus; other systems have none
//! in this build and use the passphrase every time. A keyring that is missing, locked or
//! refusing is not an error for ordinary commands: they fall back to the passphrase.

use std::path::Path;
use zeroize::Zeroizing;

const SERVICE: &str = "it.pec.cli";

/// The keyring entry of `data_dir`, or why there is none to use.
fn entry(data_dir: &Path) -> Result<keyring_core::Entry, String> {
    let dir = std::path::absolute(data_dir).map_err(|e| format!("{}: {e}", data_dir.display()))?;
    let user = dir.to_string_lossy();
    store()?
        .build(SERVICE, &user, None)
        .map_err(|e| format!("the keyring: {e}"))
}

#[cfg(target_os = "linux")]
fn store() -> Result<std::sync::Arc<keyring_core::CredentialStore>, String> {
    let store = zbus_secret_service_keyring_store::Store::new()
        .map_err(|e| format!("no Secret Service keyring in this session ({e})"))?;
    Ok(store)
}

#[cfg(not(target_os = "linux"))]
fn store() -> Result<std::sync::Arc<keyring_core::CredentialStore>, String> {
    Err("this build of pec has no OS keyring on this system".into())
}

/// The key `pec unlock` kept for `data_dir`, if a keyring is reachable and holds one.
pub fn kept_key(data_dir: &Path) -> Option<Zeroizing<Vec<u8>>> {
    let entry = entry(data_dir).ok()?;
    entry.get_secret().ok().map(Zeroizing::new)
}

/// Keep `key` for `data_dir` in the keyring (replacing an older one).
pub fn keep_key(data_dir: &Path, key: &[u8]) -> Result<(), String> {
    entry(data_dir)?
        .set_secret(key)
        .map_err(|e| format!("the keyring refused the key: {e}"))
}

/// Remove the kept key of `data_dir`: true when there was one.
pub fn forget_key(data_dir: &Path) -> Result<bool, String> {
    match entry(data_dir)?.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring_core::Error::NoEntry) => Ok(false),
        Err(e) => Err(format!("the keyring: {e}")),
    }
}
