//! A damaged store (`PecError::StoreDamaged`) rebuilt so the user can resync from the server
//! without losing what the server does not have. See `pec_core::store::recover`.

use crate::error::Result;
use std::path::Path;

/// What a rebuild kept and what it could not read.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StoreRecovery {
    /// Where the damaged file was moved (never changed: kept for a later look).
    pub damaged_copy: String,
    pub accounts: u32,
    /// Outbox entries kept, with their messages.
    pub outbox: u32,
    /// The parts that could not be read.
    pub lost: Vec<String>,
}

impl From<pec_core::store::recover::Recovery> for StoreRecovery {
    fn from(r: pec_core::store::recover::Recovery) -> Self {
        StoreRecovery {
            damaged_copy: r.damaged_copy.to_string_lossy().into_owned(),
            accounts: r.accounts as u32,
            outbox: r.outbox as u32,
            lost: r.lost,
        }
    }
}

/// Rebuild the damaged store of `data_dir` (no `App` may have it open), encrypted with
/// `store_key` (`None`: a plain store): accounts, settings, passwords kept in the store and the
/// outbox are kept; the mail comes back with the next sync. A wrong key is `WrongKey` and moves
/// nothing.
#[uniffi::export]
pub fn recover_store(data_dir: String, store_key: Option<Vec<u8>>) -> Result<StoreRecovery> {
    let key = store_key.map(crate::locking::key_from).transpose()?;
    let path = Path::new(&data_dir).join("store.sqlite");
    Ok(pec_core::store::recover::rebuild(&path, key.as_ref())?.into())
}

/// [`recover_store`] for a store keyed by a passphrase.
#[uniffi::export]
pub fn recover_store_with_passphrase(
    data_dir: String,
    passphrase: String,
) -> Result<StoreRecovery> {
    Ok(pec_core::context::recover_with_passphrase(Path::new(&data_dir), &passphrase)?.into())
}
