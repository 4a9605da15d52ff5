//! The pass the platforms run while the app is away (Android's WorkManager, iOS's
//! `BGAppRefreshTask`): every account that may sync, with the settings' downloads, then the
//! address books. One call decides for both apps which accounts, how much and when to retry.

use super::{BookSync, Context, Error, Result};
use crate::accounts::{self, QuotaLevel};
use crate::store::{AccountId, StoreError};
use crate::sync::SyncError;

/// What a background pass did: for the shell's notification of new mail and its scheduler.
#[derive(Debug, Default)]
pub struct BackgroundReport {
    /// The store was locked: the pass read and wrote nothing (a locked store has no key).
    pub locked: bool,
    /// Each account synced, with the messages that arrived in it. Accounts that may not sync (a
    /// delegate without "mail programs") are left out, not failed.
    pub arrived: Vec<Arrival>,
    /// An account's pass failed for a reason a later try may not meet (the network, a dropped
    /// connection): the platform should retry sooner than the interval. A refused login or
    /// certificate waits for the user instead (the sync status says why).
    pub retry: bool,
    /// Each address book's sync, as [`Context::sync_address_books`].
    pub books: Vec<BookSync>,
}

/// One account's part of a background pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    pub account: AccountId,
    /// What a notification calls the account: its display name, else its address.
    pub name: String,
    /// Messages that arrived.
    pub added: u64,
    /// The box became nearly full or full in this pass: tell the user (once per level, see
    /// [`crate::accounts::quota_alert`]).
    pub quota_alert: Option<QuotaLevel>,
}

impl BackgroundReport {
    /// Messages that arrived in all accounts.
    pub fn added(&self) -> u64 {
        self.arrived.iter().map(|a| a.added).sum()
    }
}

impl Context {
    /// One background pass. A store error (other than being locked meanwhile) ends it.
    pub async fn background_pass(&self) -> Result<BackgroundReport> {
        let mut report = BackgroundReport::default();
        if !self.is_unlocked() {
            report.locked = true;
            return Ok(report);
        }
        let opts = self.settings()?.sync_options();
        for account in self.store().accounts()? {
            match self.sync(account.id, &opts).await {
                Ok(r) => {
                    // The quota as this pass read it.
                    let synced = self.store().account(account.id)?;
                    report.arrived.push(Arrival {
                        account: account.id,
                        name: account
                            .config
                            .display_name
                            .clone()
                            .filter(|n| !n.trim().is_empty())
                            .unwrap_or_else(|| account.config.address.clone()),
                        added: r.added,
                        quota_alert: accounts::quota_alert(self.store(), &synced)?,
                    })
                }
                Err(Error::Sync(SyncError::NotPermitted(_))) => {}
                Err(Error::Sync(SyncError::Locked) | Error::Store(StoreError::Locked)) => {
                    report.locked = true;
                    return Ok(report);
                }
                Err(Error::Sync(e)) if e.is_transient() => report.retry = true,
                Err(Error::Sync(_)) => {}
                Err(other) => return Err(other),
            }
        }
        match self.sync_address_books().await {
            Ok(books) => report.books = books,
            Err(Error::Store(StoreError::Locked)) => report.locked = true,
            Err(other) => return Err(other),
        }
        Ok(report)
    }
}
