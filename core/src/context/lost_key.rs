//! Starting again when the store key is lost for good. The platform vault can destroy it: Android
//! invalidates a Keystore key bound to biometrics when a new fingerprint or face is enrolled (iOS
//! does the same with `.biometryCurrentSet`), so someone who adds their finger to a phone does not
//! get the mailbox. The store and every file sealed beside it are then unreadable forever, and the
//! only way on is a new store: the accounts are added again and the mail comes back from the
//! server; what was only here (unsent PEC in the outbox, local settings) is gone with the key.
//!
//! Nothing is removed unless the key given really fails to open the store (`WrongKey`). The old
//! contents are moved into `forgotten/`, the store file last, so a crash leaves either the old store
//! (the call is simply made again) or a fresh start with leftovers that the next open deletes.

use super::{Context, Error, Result, checked_dir};
use crate::accounts::CredentialStore;
use crate::store::StoreError;
use crate::vault::StoreKey;
use std::path::Path;
use std::sync::Arc;

/// Where the contents of a data directory whose key was lost go before they are deleted.
const FORGOTTEN: &str = "forgotten";

impl Context {
    /// Open the data directory with `key`; if the store there is encrypted under another key
    /// (`WrongKey`: the old key was lost), delete it and everything sealed beside it, and open a
    /// new store under `key`. Any other failure is returned as it is (a damaged store goes to
    /// recovery instead, which keeps the accounts and the outbox).
    pub fn start_again(
        data_dir: impl AsRef<Path>,
        creds: Arc<dyn CredentialStore>,
        key: StoreKey,
    ) -> Result<Context> {
        let dir = checked_dir(data_dir.as_ref())?;
        match Context::open_with(&dir, creds.clone(), Some(key.duplicate())) {
            Err(Error::Store(StoreError::WrongKey)) => {}
            opened => return opened,
        }
        forget_contents(&dir).map_err(|e| Error::Invalid(format!("{}: {e}", dir.display())))?;
        Context::open_with(dir, creds, Some(key))
    }
}

/// Move every entry of `dir` into `dir/forgotten/` (the store file last), then delete that.
fn forget_contents(dir: &Path) -> std::io::Result<()> {
    let bin = dir.join(FORGOTTEN);
    crate::files::create_private_dir(&bin)?;
    let mut names: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .filter(|n| n != FORGOTTEN)
        .collect();
    // The store file decides what the directory is: it goes after its WAL, and that after the rest.
    names.sort_by_key(|n| match n.to_str() {
        Some("store.sqlite") => 2,
        Some(s) if s.starts_with("store.sqlite") => 1,
        _ => 0,
    });
    for name in names {
        std::fs::rename(dir.join(&name), bin.join(&name))?;
    }
    crate::files::sync_dir(dir)?;
    std::fs::remove_dir_all(&bin)
}

/// Delete what a start-again interrupted by a crash left in `forgotten/`.
pub(super) fn clear_forgotten(dir: &Path) {
    let bin = dir.join(FORGOTTEN);
    if bin.exists() {
        let _ = std::fs::remove_dir_all(bin);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::MemoryCredentialStore;

    fn creds() -> Arc<dyn CredentialStore> {
        Arc::new(MemoryCredentialStore::default())
    }

    #[tokio::test]
    async fn a_lost_key_starts_a_new_store_and_a_good_one_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let old = StoreKey::generate().unwrap();
        let ctx = Context::open_with(dir.path(), creds(), Some(old.duplicate())).unwrap();
        ctx.queue_sample("da inviare");
        drop(ctx);
        let sealed_files = |d: &Path| walk(&d.join("outbox"));
        assert!(!sealed_files(dir.path()).is_empty());

        // The key that opens it: nothing changes.
        let ctx = Context::start_again(dir.path(), creds(), old.duplicate()).unwrap();
        assert_eq!(ctx.store().accounts().unwrap().len(), 1);
        drop(ctx);

        let new = StoreKey::generate().unwrap();
        assert!(matches!(
            Context::open_with(dir.path(), creds(), Some(new.duplicate())),
            Err(Error::Store(StoreError::WrongKey))
        ));
        let ctx = Context::start_again(dir.path(), creds(), new.duplicate()).unwrap();
        assert!(ctx.store().accounts().unwrap().is_empty());
        assert!(sealed_files(dir.path()).is_empty());
        assert!(!dir.path().join(FORGOTTEN).exists());
        drop(ctx);
        assert!(Context::open_with(dir.path(), creds(), Some(new)).is_ok());
        assert!(matches!(
            Context::open_with(dir.path(), creds(), Some(old)),
            Err(Error::Store(StoreError::WrongKey))
        ));
    }

    #[tokio::test]
    async fn leftovers_of_an_interrupted_start_are_deleted_at_the_next_open() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(FORGOTTEN).join("outbox")).unwrap();
        std::fs::write(dir.path().join(FORGOTTEN).join("store.sqlite"), b"old").unwrap();
        drop(Context::open_with(dir.path(), creds(), Some(StoreKey::generate().unwrap())).unwrap());
        assert!(!dir.path().join(FORGOTTEN).exists());
    }

    fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        entries
            .flatten()
            .flat_map(|e| {
                let p = e.path();
                if p.is_dir() { walk(&p) } else { vec![p] }
            })
            .collect()
    }
}
