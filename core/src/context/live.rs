//! The sync while the app is on screen: every account that may sync kept current (a pass, then
//! IDLE on its inbox, again: a receipt turns one tick into two while the user looks), with the
//! settings' downloads, and the address books synced at the start and then at the settings'
//! interval. The shells start it when the app comes to the foreground unlocked and drop it when it
//! leaves; the core decides which accounts and how much, as for the background pass.
//!
//! Accounts added, removed or given a new password while it runs are followed through the change
//! bus. Settings saved while it runs apply at once: new downloads restart the loops with them (a
//! user who asks for every message offline gets them while looking), a new interval times the
//! next sync of the address books.

use super::{ChangeKind, Context, Error, Result};
use crate::store::{AccountId, StoreError};
use crate::sync::{SyncError, SyncHandle, SyncOptions};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// A running foreground sync ([`Context::start_live_sync`]). Dropping it stops every loop; what
/// a pass committed stays.
pub struct LiveSync {
    loops: Arc<Mutex<HashMap<AccountId, SyncHandle>>>,
    task: tokio::task::JoinHandle<()>,
}

impl LiveSync {
    /// The accounts being kept in sync now (a loop that a refused login ended is left out).
    pub fn accounts(&self) -> Vec<AccountId> {
        let loops = self.loops.lock().unwrap_or_else(|p| p.into_inner());
        let mut ids: Vec<_> = loops
            .iter()
            .filter(|(_, h)| !h.is_finished())
            .map(|(id, _)| *id)
            .collect();
        ids.sort_unstable();
        ids
    }

    pub fn is_running(&self) -> bool {
        !self.task.is_finished()
    }
}

impl Drop for LiveSync {
    fn drop(&mut self) {
        self.task.abort();
        // The loops' handles abort their tasks as they drop.
        self.loops.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

impl Context {
    /// Start the foreground sync. Refused when the store is locked; needs a tokio runtime.
    pub fn start_live_sync(&self) -> Result<LiveSync> {
        if !self.is_unlocked() {
            return Err(Error::Store(StoreError::Locked));
        }
        let mut saved = self.settings_saved();
        let mut settings = self.settings()?;
        let loops = Arc::new(Mutex::new(HashMap::new()));
        self.follow_accounts(&loops, &settings.sync_options())?;
        let (ctx, shared) = (self.clone(), loops.clone());
        let mut changes = self.changes();
        let task = tokio::spawn(async move {
            let mut books = tokio::time::interval(books_every(&settings));
            loop {
                tokio::select! {
                    _ = books.tick() => {
                        if let Err(e) = ctx.sync_address_books().await {
                            tracing::debug!("live sync: address books: {e}");
                        }
                    }
                    change = changes.recv() => match change {
                        // Only the account list (`account: None`): a pass's quota update is an
                        // account change too, and must not retry a login the server refused.
                        Ok(c) if c.kind != ChangeKind::Accounts || c.account.is_some() => {}
                        Ok(_) | Err(RecvError::Lagged(_)) => ctx.refollow(&shared, &settings),
                        Err(RecvError::Closed) => break,
                    },
                    Ok(()) = saved.changed() => {
                        let Ok(now) = ctx.settings() else { continue };
                        if now.downloads != settings.downloads {
                            shared.lock().unwrap_or_else(|p| p.into_inner()).clear();
                            ctx.refollow(&shared, &now);
                        }
                        if now.sync_minutes != settings.sync_minutes {
                            let every = books_every(&now);
                            books = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
                        }
                        settings = now;
                    }
                }
            }
        });
        Ok(LiveSync { loops, task })
    }

    /// [`Context::follow_accounts`] from inside the running loop, with `settings`' downloads:
    /// a failure waits for the next change.
    fn refollow(&self, loops: &Mutex<HashMap<AccountId, SyncHandle>>, settings: &super::Settings) {
        if let Err(e) = self.follow_accounts(loops, &settings.sync_options()) {
            tracing::debug!("live sync: accounts: {e}");
        }
    }

    /// One loop per account that may sync: started for new accounts and for those whose loop
    /// ended (a refused login the user has since corrected), ended for accounts removed.
    fn follow_accounts(
        &self,
        loops: &Mutex<HashMap<AccountId, SyncHandle>>,
        opts: &SyncOptions,
    ) -> Result<()> {
        let accounts = self.store().accounts()?;
        let mut loops = loops.lock().unwrap_or_else(|p| p.into_inner());
        loops.retain(|id, _| accounts.iter().any(|a| a.id == *id));
        for account in accounts {
            if loops.get(&account.id).is_some_and(|h| !h.is_finished()) {
                continue;
            }
            match self.engine().start(account.id, opts.clone()) {
                Ok(handle) => {
                    loops.insert(account.id, handle);
                }
                // A delegate without "mail programs" is left out, as in the background pass.
                Err(SyncError::NotPermitted(_)) => {
                    loops.remove(&account.id);
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
}

/// How often the live sync syncs the address books: the settings' background interval.
fn books_every(settings: &super::Settings) -> Duration {
    Duration::from_secs(u64::from(settings.sync_minutes) * 60)
}
