//! The app lock: locked, the core holds no connection to the store, no key and no decrypted
//! cache, and every call that needs the store answers `Locked` without changing anything.
//!
//! The core applies the lock policy of the settings, so both apps behave alike: the shells
//! report leaving the screen and coming back (their monotonic clock), ask the platform to
//! authenticate when told to, and hand the key back with [`Context::unlock`].

use super::{Context, LockPolicy, Result};
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

    /// A copy of the key the store is open with, for a shell that keeps it in a vault after a
    /// passphrase unlock. `Locked` while locked, `NotEncrypted` for a plain store.
    pub fn store_key(&self) -> Result<StoreKey> {
        let key = self.store().key_copy()?;
        Ok(key.ok_or(crate::store::StoreError::NotEncrypted)?)
    }

    /// Change the store key to `new` (or encrypt a plain store with it): the store is copied
    /// under the new key and renamed into place (see [`crate::store::rekey`]), so a crash leaves
    /// the old store or the new one. The caller keeps both keys until this returns. On failure
    /// the store is unlocked again with the key it had.
    pub fn change_key(&self, new: StoreKey) -> Result<()> {
        let old = self.store().key_copy()?;
        self.lock();
        let path = self.store().path().to_path_buf();
        match crate::store::rekey::rekey_file(&path, old.as_ref(), &new) {
            Ok(()) => self.unlock(Some(new)),
            Err(e) => {
                let _ = self.unlock(old);
                Err(e.into())
            }
        }
    }

    /// The app left the screen at `now_ms` (a monotonic clock of the shell, in milliseconds).
    /// With the policy "immediately" the core locks now; otherwise the time is kept for
    /// [`Context::came_to_foreground`].
    pub fn went_to_background(&self, now_ms: i64) {
        let Ok(settings) = self.settings() else {
            return; // already locked
        };
        if settings.lock == LockPolicy::Immediately {
            self.lock();
        }
        *self.background_since() = Some((now_ms, settings.lock));
    }

    /// The app is back on screen at `now_ms`: true when the shell must ask the platform to
    /// authenticate before drawing anything (and then the core is locked). A clock that went
    /// backwards (a reboot resets a monotonic clock) locks, since the time away is unknown.
    pub fn came_to_foreground(&self, now_ms: i64) -> bool {
        let left = self.background_since().take();
        let due = match left {
            None => false,
            Some((_, LockPolicy::Never)) => false,
            Some((_, LockPolicy::Immediately)) => true,
            Some((since, LockPolicy::AfterMinutes(minutes))) => {
                now_ms < since || now_ms - since >= i64::from(minutes) * 60_000
            }
        };
        if due {
            self.lock();
        }
        !self.is_unlocked()
    }

    fn background_since(&self) -> std::sync::MutexGuard<'_, Option<(i64, LockPolicy)>> {
        self.shared
            .background_since
            .lock()
            .unwrap_or_else(|p| p.into_inner())
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
    use crate::context::{Error, LockPolicy, Settings};
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
        ctx.unlock(Some(key.duplicate())).unwrap();
        assert_eq!(ctx.store().setting("k").unwrap().as_deref(), Some("v"));

        // A queued send is kept through a lock: refused while locked, still queued after.
        let (account, queued) = ctx.queue_sample("In coda");
        ctx.lock();
        assert!(ctx.send_pending(account).await.is_err());
        assert!(ctx.queue(account, &crate::compose::Draft::new()).is_err());
        ctx.unlock(Some(key)).unwrap();
        let entries = ctx.outbox().entries(account).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].id, queued.id);
        assert_eq!(entries[0].state, crate::outbox::OutboxState::Queued);
    }

    #[tokio::test]
    async fn a_plain_store_is_encrypted_and_rekeyed_in_place_keeping_its_outbox() {
        let dir = tempfile::tempdir().unwrap();
        let creds = Arc::new(MemoryCredentialStore::default());
        let ctx = Context::open(dir.path(), creds).unwrap();
        let (_, queued) = ctx.queue_sample("Verbale in coda");
        let file = ctx.outbox().entry(queued.id).unwrap().file;
        assert!(!crate::vault::sealed::is_sealed(
            &std::fs::read(&file).unwrap()
        ));
        let k1 = StoreKey::generate().unwrap();
        ctx.change_key(k1.duplicate()).unwrap();
        assert!(ctx.store().is_encrypted().unwrap());
        assert!(crate::vault::sealed::is_sealed(
            &std::fs::read(&file).unwrap()
        ));
        let k2 = StoreKey::generate().unwrap();
        ctx.change_key(k2.duplicate()).unwrap();
        ctx.lock();
        assert!(matches!(
            ctx.unlock(Some(k1)),
            Err(Error::Store(StoreError::WrongKey))
        ));
        ctx.unlock(Some(k2)).unwrap();
        let row = ctx.outbox().entry(queued.id).unwrap().message_row.unwrap();
        let (_, raw) = ctx.raw_message(row).unwrap();
        assert!(String::from_utf8_lossy(&raw).contains("Verbale in coda"));
    }

    #[tokio::test]
    async fn the_apps_first_open_with_a_key_encrypts_a_plain_directory() {
        let dir = tempfile::tempdir().unwrap();
        let creds = Arc::new(MemoryCredentialStore::default());
        let plain = Context::open(dir.path(), creds.clone()).unwrap();
        let (account, _) = plain.queue_sample("Scritta prima della cifratura");
        plain.lock();
        drop(plain);
        let key = StoreKey::generate().unwrap();
        let ctx = Context::open_encrypting(dir.path(), creds.clone(), key.duplicate()).unwrap();
        assert!(ctx.store().is_encrypted().unwrap());
        let entry = &ctx.outbox().entries(account).unwrap()[0];
        assert!(crate::vault::sealed::is_sealed(
            &std::fs::read(&entry.file).unwrap()
        ));
        // A sync pass of a locked core stops at its first store access, typed.
        ctx.lock();
        let pass = ctx
            .engine()
            .sync_once(account, &crate::sync::SyncOptions::default())
            .await;
        assert!(
            matches!(pass, Err(crate::sync::SyncError::Locked)),
            "{pass:?}"
        );
        ctx.unlock(Some(key.duplicate())).unwrap();
        drop(ctx);
        // Opening again with the key is an ordinary open.
        assert!(Context::open_encrypting(dir.path(), creds, key).is_ok());
    }

    #[tokio::test]
    async fn the_lock_follows_the_policy_and_distrusts_a_clock_gone_back() {
        let dir = tempfile::tempdir().unwrap();
        let key = StoreKey::generate().unwrap();
        let creds = Arc::new(MemoryCredentialStore::default());
        let ctx = Context::open_with(dir.path(), creds, Some(key.duplicate())).unwrap();
        let unlock = || ctx.unlock(Some(key.duplicate())).unwrap();
        assert_eq!(ctx.settings().unwrap(), Settings::default());
        // Coming back without having left (a cold start is the shell's own lock): no lock.
        assert!(!ctx.came_to_foreground(1_000));
        // Five minutes by default.
        ctx.went_to_background(1_000);
        assert!(ctx.is_unlocked());
        assert!(!ctx.came_to_foreground(1_000 + 4 * 60_000));
        ctx.went_to_background(1_000);
        assert!(ctx.came_to_foreground(1_000 + 5 * 60_000));
        assert!(!ctx.is_unlocked(), "the core itself is locked");
        unlock();
        ctx.went_to_background(10_000);
        assert!(ctx.came_to_foreground(5_000), "clock went back");
        unlock();

        let mut s = Settings {
            lock: LockPolicy::Immediately,
            ..Settings::default()
        };
        ctx.set_settings(&s).unwrap();
        ctx.went_to_background(1_000);
        assert!(!ctx.is_unlocked(), "locked as soon as it left the screen");
        assert!(ctx.came_to_foreground(1_001));
        unlock();
        s.lock = LockPolicy::Never;
        s.hide_receipts = true;
        ctx.set_settings(&s).unwrap();
        ctx.went_to_background(1_000);
        assert!(!ctx.came_to_foreground(i64::MAX));
        assert_eq!(ctx.settings().unwrap(), s);
        s.sync_minutes = 5;
        assert!(ctx.set_settings(&s).is_err());
    }
}
