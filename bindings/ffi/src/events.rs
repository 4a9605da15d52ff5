//! Listeners (implemented by the shells) and subscriptions.
//!
//! Every `subscribe_*` delivers the current state first, then each change, from the core's runtime
//! threads (shells hop to their main thread). The returned [`Subscription`] cancels on `cancel()`
//! and when dropped (Kotlin: `close()`/`use {}`, or a `callbackFlow { awaitClose { sub.close() } }`;
//! Swift: releasing it).

use crate::types::{ChangeEvent, DeliveryStatus, ErrorEvent, MenuEntry};
use std::sync::Mutex;
use tokio::task::JoinHandle;

/// Store changes (refresh the visible lists).
#[uniffi::export(foreign)]
pub trait ChangeListener: Send + Sync {
    fn on_change(&self, change: ChangeEvent);
}

/// The folder menu of one account, on every change.
#[uniffi::export(foreign)]
pub trait MenuListener: Send + Sync {
    fn on_menu(&self, entries: Vec<MenuEntry>);
    fn on_error(&self, error: ErrorEvent);
}

/// One sent message's delivery, on every receipt.
#[uniffi::export(foreign)]
pub trait DeliveryListener: Send + Sync {
    fn on_delivery(&self, status: DeliveryStatus);
    fn on_error(&self, error: ErrorEvent);
}

/// A running subscription or job; cancels its task on `cancel()` or drop.
#[derive(uniffi::Object)]
pub struct Subscription {
    task: Mutex<Option<JoinHandle<()>>>,
}

impl Subscription {
    pub(crate) fn new(task: JoinHandle<()>) -> Subscription {
        Subscription {
            task: Mutex::new(Some(task)),
        }
    }
}

#[uniffi::export]
impl Subscription {
    /// Stop delivering. Idempotent.
    pub fn cancel(&self) {
        if let Some(t) = self.task.lock().unwrap_or_else(|p| p.into_inner()).take() {
            t.abort();
        }
    }

    /// True while the subscription's task runs.
    pub fn is_active(&self) -> bool {
        self.task
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .is_some_and(|t| !t.is_finished())
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.cancel();
    }
}
