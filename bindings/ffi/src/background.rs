//! The platforms' periodic pass while the app is away, decided in the core
//! ([`pec_core::context::BackgroundReport`]): Android's `SyncWorker` and iOS's
//! `BackgroundRefresh` call it and draw the notification.

use crate::address_books::BookSyncReport;
use crate::app::App;
use crate::error::Result;
use pec_core::context::{Arrival, BackgroundReport};
use std::sync::Arc;

/// What a background pass did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct BackgroundSummary {
    /// The store was locked: nothing was read or written (the pass is skipped, not failed).
    pub locked: bool,
    /// Each account synced and what arrived in it; accounts that may not sync are left out.
    pub arrived: Vec<AccountArrival>,
    /// Messages that arrived in all accounts: the notification's count.
    pub added: u64,
    /// A pass failed on the network: ask the platform to retry sooner than the interval.
    pub retry: bool,
    /// Each address book's sync.
    pub books: Vec<BookSyncReport>,
}

/// One account's part of a background pass.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct AccountArrival {
    pub account_id: i64,
    /// What the notification calls the account (its display name, else its address).
    pub name: String,
    pub added: u64,
    /// The box became nearly full or full in this pass: notify once (the core remembers it told,
    /// and tells again only after the box had room).
    pub quota_alert: Option<crate::types::QuotaLevel>,
}

impl From<BackgroundReport> for BackgroundSummary {
    fn from(r: BackgroundReport) -> Self {
        BackgroundSummary {
            locked: r.locked,
            added: r.added(),
            retry: r.retry,
            arrived: r.arrived.into_iter().map(AccountArrival::from).collect(),
            books: r.books.into_iter().map(BookSyncReport::from).collect(),
        }
    }
}

impl From<Arrival> for AccountArrival {
    fn from(a: Arrival) -> Self {
        AccountArrival {
            account_id: a.account,
            name: a.name,
            added: a.added,
            quota_alert: a.quota_alert.map(Into::into),
        }
    }
}

#[uniffi::export]
impl App {
    /// One background pass: every account that may sync, with the settings' downloads, then the
    /// address books. Skipped (`locked`) while the core is locked. Changes reach
    /// `subscribe_changes` as after `sync`.
    pub async fn background_pass(&self) -> Result<BackgroundSummary> {
        let inner = self.inner.clone();
        crate::runtime::spawn(async move { Ok(inner.ctx.background_pass().await?.into()) }).await
    }
}

/// The sync while the app is on screen ([`App::start_live_sync`]): every account that may sync
/// kept current through IDLE, the address books at the settings' interval.
#[derive(uniffi::Object)]
pub struct LiveSync {
    live: std::sync::Mutex<Option<pec_core::context::LiveSync>>,
}

#[uniffi::export]
impl LiveSync {
    /// End every loop (a pass under way is cut; what it committed stays). The shells call it
    /// when the app leaves the foreground.
    pub fn stop(&self) {
        if let Ok(mut live) = self.live.lock() {
            live.take();
        }
    }

    pub fn is_running(&self) -> bool {
        self.live
            .lock()
            .map(|l| l.as_ref().is_some_and(|l| l.is_running()))
            .unwrap_or(false)
    }

    /// The accounts kept in sync now: not a delegate without "mail programs", nor one whose
    /// login was refused (`sync_status` says why).
    pub fn accounts(&self) -> Vec<i64> {
        self.live
            .lock()
            .map(|l| l.as_ref().map(|l| l.accounts()).unwrap_or_default())
            .unwrap_or_default()
    }
}

#[uniffi::export]
impl App {
    /// Keep every account current while the app is in the foreground and unlocked: a pass, then
    /// IDLE on the inbox, again, with the settings' downloads; accounts added meanwhile are
    /// followed; the address books sync at the start and at the settings' interval. Changes
    /// reach `subscribe_changes`. Throws `Locked` while the core is locked.
    pub fn start_live_sync(&self) -> Result<Arc<LiveSync>> {
        let _entered = self.inner.rt.enter();
        let live = self.inner.ctx.start_live_sync()?;
        Ok(Arc::new(LiveSync {
            live: std::sync::Mutex::new(Some(live)),
        }))
    }
}
