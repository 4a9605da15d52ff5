//! Account records (in the store) and credentials (never in a plain store).
//!
//! [`CredentialStore`] is the seam: [`StoreCredentialStore`] (inside the encrypted store, for the
//! terminal client), [`FileCredentialStore`] (one 0600 file per account, for a plain store) and
//! [`MemoryCredentialStore`] (tests). Keyring-backed stores live in the facade.
//! Credentials are filed under the account's *login* ([`Account::login`]): the box address, or a
//! delegate's own username. [`setup`] adds accounts (validation, password, delegation); [`login_check`] logs in
//! once before an account is saved.

pub mod login_check;
pub mod providers;
mod quota;
pub mod setup;
mod store_credentials;

pub use login_check::{LOGIN_CHECK_TIMEOUT, LoginCheckError, LoginProblem, Service, check_login};
pub use providers::{LoginName, Provider, ProviderInfo};
pub use quota::{QuotaLevel, quota_alert, quota_level};
pub use setup::{
    AccountError, AccountMeta, AccountSetup, Capabilities, DelegateLogin, Denial, Operation,
    Permission, Permissions, Servers, account_capabilities, account_denials, account_meta,
    add_account, apply_action, apply_actions, capabilities, compose_denial, denial, empty_folder,
    remove_account, require, set_signature, validate, verify,
};
pub use store_credentials::StoreCredentialStore;

use crate::store::{AccountId, Result, Store, StoreError, now};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Where an account connects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountConfig {
    pub address: String,
    pub display_name: Option<String>,
    pub imap_host: String,
    pub imap_port: u16,
    pub smtp_host: String,
    pub smtp_port: u16,
    /// Extra trust anchor (PEM) for servers with a private CA (the sandbox).
    pub ca_file: Option<PathBuf>,
}

#[cfg(any(test, feature = "test-support"))]
impl AccountConfig {
    /// An account on localhost's standard ports, for stores in tests that never connect.
    pub fn offline(address: &str) -> AccountConfig {
        AccountConfig {
            address: address.into(),
            display_name: None,
            imap_host: "localhost".into(),
            imap_port: 993,
            smtp_host: "localhost".into(),
            smtp_port: 465,
            ca_file: None,
        }
    }
}

/// A stored account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub id: AccountId,
    #[serde(flatten)]
    pub config: AccountConfig,
    /// The username for IMAP LOGIN, SMTP AUTH and the credential store: the address, or a
    /// delegate's own username on the owner's box.
    pub login: String,
    pub quota_used_kb: Option<u64>,
    pub quota_limit_kb: Option<u64>,
}

/// Parse `host:port` (IPv6 as `[::1]:993`).
pub fn parse_host_port(s: &str) -> Result<(String, u16)> {
    let bad = || StoreError::Invalid(format!("{s:?}: expected HOST:PORT"));
    let (host, port) = s.rsplit_once(':').ok_or_else(bad)?;
    let port: u16 = port.parse().map_err(|_| bad())?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err(bad());
    }
    Ok((host.to_string(), port))
}

fn account_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Account> {
    let ca: Option<String> = r.get(7)?;
    Ok(Account {
        id: r.get(0)?,
        config: AccountConfig {
            address: r.get(1)?,
            display_name: r.get(2)?,
            imap_host: r.get(3)?,
            imap_port: r.get(4)?,
            smtp_host: r.get(5)?,
            smtp_port: r.get(6)?,
            ca_file: ca.map(PathBuf::from),
        },
        quota_used_kb: r.get::<_, Option<i64>>(8)?.map(|v| v as u64),
        quota_limit_kb: r.get::<_, Option<i64>>(9)?.map(|v| v as u64),
        login: r.get(10)?,
    })
}

const ACCOUNT_COLS: &str = "id, address, display_name, imap_host, imap_port, smtp_host, smtp_port, ca_file, quota_used_kb, quota_limit_kb, COALESCE(login, address)";

impl Store {
    /// Add an account (or update the one with the same address) that logs in with its address;
    /// returns its id.
    pub fn add_account(&self, cfg: &AccountConfig) -> Result<AccountId> {
        self.add_account_as(cfg, &cfg.address)
    }

    /// Add an account (or update the one with the same address) that logs in as `login`.
    pub fn add_account_as(&self, cfg: &AccountConfig, login: &str) -> Result<AccountId> {
        if login.trim().is_empty() {
            return Err(StoreError::Invalid("empty login".into()));
        }
        if !cfg.address.contains('@') {
            return Err(StoreError::Invalid(format!(
                "{:?}: not an address",
                cfg.address
            )));
        }
        self.write(|tx| {
            tx.execute(
                "INSERT INTO accounts (address, display_name, imap_host, imap_port, smtp_host, smtp_port, ca_file,
                    created_at, login) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT(address) DO UPDATE SET display_name = excluded.display_name,
                    imap_host = excluded.imap_host, imap_port = excluded.imap_port,
                    smtp_host = excluded.smtp_host, smtp_port = excluded.smtp_port, ca_file = excluded.ca_file,
                    login = excluded.login",
                params![
                    cfg.address,
                    cfg.display_name,
                    cfg.imap_host,
                    cfg.imap_port,
                    cfg.smtp_host,
                    cfg.smtp_port,
                    cfg.ca_file.as_ref().map(|p| p.to_string_lossy().into_owned()),
                    now(),
                    login.trim()
                ],
            )?;
            Ok(tx.query_row(
                "SELECT id FROM accounts WHERE address = ?1",
                [&cfg.address],
                |r| r.get(0),
            )?)
        })
    }

    pub fn accounts(&self) -> Result<Vec<Account>> {
        self.read(|c| {
            let mut st =
                c.prepare_cached(&format!("SELECT {ACCOUNT_COLS} FROM accounts ORDER BY id"))?;
            Ok(st
                .query_map([], account_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    pub fn account(&self, id: AccountId) -> Result<Account> {
        self.read(|c| {
            c.query_row(
                &format!("SELECT {ACCOUNT_COLS} FROM accounts WHERE id = ?1"),
                [id],
                account_from_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("account {id}")))
        })
    }

    pub fn account_by_address(&self, address: &str) -> Result<Option<Account>> {
        self.read(|c| {
            Ok(c.query_row(
                &format!("SELECT {ACCOUNT_COLS} FROM accounts WHERE address = ?1"),
                [address],
                account_from_row,
            )
            .optional()?)
        })
    }

    /// Forget a setting (account metadata of a removed account).
    pub(crate) fn delete_setting(&self, key: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute("DELETE FROM settings WHERE key = ?1", [key])?;
            Ok(())
        })
    }

    /// Remove an account and everything of it.
    pub fn remove_account(&self, id: AccountId) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM messages_fts WHERE rowid IN (SELECT fts_key FROM messages WHERE account_id = ?1)",
                [id],
            )?;
            tx.execute("DELETE FROM accounts WHERE id = ?1", [id])?;
            Ok(())
        })
    }
}

/// Credential failures.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error("no credential for {0}")]
    Missing(String),
    #[error("credential store: {0}")]
    Io(String),
}

/// Where passwords live. Implementations must never write them into a plain (unencrypted) store.
pub trait CredentialStore: Send + Sync {
    fn get(&self, address: &str) -> std::result::Result<String, CredentialError>;
    fn set(&self, address: &str, secret: &str) -> std::result::Result<(), CredentialError>;
    fn delete(&self, address: &str) -> std::result::Result<(), CredentialError>;
}

/// In-memory credentials (tests).
#[derive(Default)]
pub struct MemoryCredentialStore {
    map: Mutex<HashMap<String, String>>,
}

impl MemoryCredentialStore {
    pub fn new() -> Self {
        Self::default()
    }
}

impl CredentialStore for MemoryCredentialStore {
    fn get(&self, address: &str) -> std::result::Result<String, CredentialError> {
        self.map
            .lock()
            .map_err(|_| CredentialError::Io("poisoned".into()))?
            .get(&address.to_ascii_lowercase())
            .cloned()
            .ok_or_else(|| CredentialError::Missing(address.into()))
    }
    fn set(&self, address: &str, secret: &str) -> std::result::Result<(), CredentialError> {
        self.map
            .lock()
            .map_err(|_| CredentialError::Io("poisoned".into()))?
            .insert(address.to_ascii_lowercase(), secret.to_string());
        Ok(())
    }
    fn delete(&self, address: &str) -> std::result::Result<(), CredentialError> {
        self.map
            .lock()
            .map_err(|_| CredentialError::Io("poisoned".into()))?
            .remove(&address.to_ascii_lowercase());
        Ok(())
    }
}

/// One file per login under `<dir>/credentials/`, mode 0600 (directory 0700).
///
/// A file is named `v2-` and the SHA-256 (hex) of the lower-cased login: distinct logins never
/// share a file. Earlier versions named it after the login with every character outside
/// `[A-Za-z0-9@.-_+]` replaced by `_`, so `a/b@x.it` and `a_b@x.it` shared one file and the
/// second account's password replaced the first's; such a file is still read when the new one
/// is missing, and copied to the new name (kept until the account is removed, as another login
/// may map to it too).
pub struct FileCredentialStore {
    dir: PathBuf,
}

impl FileCredentialStore {
    pub fn new(data_dir: &Path) -> Self {
        FileCredentialStore {
            dir: data_dir.join("credentials"),
        }
    }

    fn file(&self, login: &str) -> PathBuf {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(login.to_ascii_lowercase().as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("v2-{hex}"))
    }

    /// The file name earlier versions used (ambiguous: see the type's docs).
    fn legacy_file(&self, login: &str) -> PathBuf {
        let safe: String = login
            .to_ascii_lowercase()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "@.-_+".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join(safe)
    }

    fn read(path: &Path) -> std::result::Result<Option<String>, CredentialError> {
        match std::fs::read_to_string(path) {
            Ok(s) => Ok(Some(s.trim_end_matches(['\r', '\n']).to_string())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(CredentialError::Io(e.to_string())),
        }
    }
}

impl CredentialStore for FileCredentialStore {
    fn get(&self, address: &str) -> std::result::Result<String, CredentialError> {
        if let Some(secret) = Self::read(&self.file(address))? {
            return Ok(secret);
        }
        // Written by an earlier version: migrate it to the collision-free name.
        let secret = Self::read(&self.legacy_file(address))?
            .ok_or_else(|| CredentialError::Missing(address.into()))?;
        self.set(address, &secret)?;
        Ok(secret)
    }
    fn set(&self, address: &str, secret: &str) -> std::result::Result<(), CredentialError> {
        use std::io::Write;
        let io = |e: std::io::Error| CredentialError::Io(e.to_string());
        std::fs::create_dir_all(&self.dir).map_err(io)?;
        let path = self.file(address);
        let tmp = self.dir.join(format!(
            "{}.tmp",
            path.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        ));
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
            opts.mode(0o600);
            std::fs::set_permissions(&self.dir, std::fs::Permissions::from_mode(0o700))
                .map_err(io)?;
        }
        let mut f = opts.open(&tmp).map_err(io)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            f.set_permissions(std::fs::Permissions::from_mode(0o600))
                .map_err(io)?;
        }
        f.write_all(secret.as_bytes()).map_err(io)?;
        f.sync_all().map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)?;
        Ok(())
    }
    fn delete(&self, address: &str) -> std::result::Result<(), CredentialError> {
        for path in [self.file(address), self.legacy_file(address)] {
            match std::fs::remove_file(path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(CredentialError::Io(e.to_string())),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_that_used_to_share_a_file_keep_their_own_passwords() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileCredentialStore::new(dir.path());
        store.set("a/b@x.it", "first").unwrap();
        store.set("a_b@x.it", "second").unwrap();
        assert_eq!(store.get("a/b@x.it").unwrap(), "first");
        assert_eq!(store.get("A_B@x.it").unwrap(), "second");
        store.delete("a_b@x.it").unwrap();
        assert_eq!(store.get("a/b@x.it").unwrap(), "first");
        assert!(matches!(
            store.get("a_b@x.it"),
            Err(CredentialError::Missing(_))
        ));
    }

    #[test]
    fn a_file_written_under_the_old_name_is_found_and_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let creds = dir.path().join("credentials");
        std::fs::create_dir_all(&creds).unwrap();
        // What earlier versions wrote for "Mario.Rossi@pec.it".
        std::fs::write(creds.join("mario.rossi@pec.it"), "s3cret\n").unwrap();
        let store = FileCredentialStore::new(dir.path());
        assert_eq!(store.get("Mario.Rossi@pec.it").unwrap(), "s3cret");
        let migrated = store.file("mario.rossi@pec.it");
        assert_eq!(std::fs::read_to_string(&migrated).unwrap(), "s3cret");
        // The new file wins from now on; removing the account removes both.
        store.set("mario.rossi@pec.it", "nuova").unwrap();
        assert_eq!(store.get("mario.rossi@pec.it").unwrap(), "nuova");
        store.delete("mario.rossi@pec.it").unwrap();
        assert_eq!(std::fs::read_dir(&creds).unwrap().count(), 0);
    }
}
