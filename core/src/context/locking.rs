//! The app lock: locked, the core holds no connection to the store, no key and no decrypted
//! cache, and every call that needs the store answers `Locked` without changing anything. The
//! lock *policy* (when to lock) is in [`super::settings`]; the shells ask the platform to
//! authenticate and hand the key back here.

use super::{Context, Result};
use crate::vault::StoreKey;

impl Context {
    /// Lock now: close every store connection and drop the key (zeroed). A sync pass under way
    /// stops at its next store access (`SyncError::Locked`), with nothing half-written; queued
    /// sends stay queued.
    pub fn lock(&self) {
        self.store().lock();
    }

    /// True while unlocked.
    pub fn is_unlocked(&self) -> bool {
        self.store().is_unlocked()
    }

    /// Unlock with the store key (`None` for a plain store). A wrong key leaves everything as it
    /// was and locked. Seals outbox files written before the store was encrypted.
    pub fn unlock(&self, key: Option<StoreKey>) -> Result<()> {
        self.store().unlock(key)?;
        self.outbox().seal_plain_files()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::Context;
    use crate::accounts::MemoryCredentialStore;
    use crate::context::Error;
    use crate::store::StoreError;
    use crate::vault::StoreKey;
    use std::sync::Arc;

    #[tokio::test]
    async fn calls_while_locked_are_refused_and_the_key_brings_everything_back() {
        let dir = tempfile::tempdir().unwrap();
        let key = StoreKey::generate().unwrap();
        let creds = Arc::new(MemoryCredentialStore::default());
        let ctx = Context::open_with(dir.path(), creds, Some(key.duplicate())).unwrap();
        ctx.store().set_setting("k", "v").unwrap();
        ctx.lock();
        assert!(!ctx.is_unlocked());
        assert!(matches!(
            ctx.settings(),
            Err(Error::Store(StoreError::Locked))
        ));
        assert!(matches!(ctx.menu(1), Err(Error::Store(StoreError::Locked))));
        let wrong = StoreKey::generate().unwrap();
        assert!(matches!(
            ctx.unlock(Some(wrong)),
            Err(Error::Store(StoreError::WrongKey))
        ));
        ctx.unlock(Some(key)).unwrap();
        assert_eq!(ctx.store().setting("k").unwrap().as_deref(), Some("v"));
    }
}
