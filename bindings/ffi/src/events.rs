//! Listeners (implemented by the shells) and subscriptions.
//!
//! Every `subscribe_*` delivers the current state first, then each change, from the core's runtime
//! threads (shells hop to their main thread). The returned [`Subscription`] cancels on `cancel()`
//! and when dropped (Kotlin: `close()`/`use {}`, or a `callbackFlow { awaitClose { sub.close() } }`;
//! Swift: releasing it).

use crate::types::{ChangeEvent, DeliveryStatus, ErrorEvent, MenuEntry};
use std::future::Future;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, ThreadId};
use tokio::runtime::Runtime;
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

/// What a subscription's task passes through to reach its listener.
///
/// `cancel()` closes it and then waits for a delivery already under way, so that no callback
/// reaches the listener after `cancel()` returns: a screen that cancels and then redraws is never
/// overwritten by a late delivery. A listener may cancel its own subscription from inside its
/// callback (the wait skips the delivering thread); it must not block on the thread that cancels.
#[derive(Clone, Default)]
pub(crate) struct Gate(Arc<GateState>);

#[derive(Default)]
struct GateState {
    flags: Mutex<GateFlags>,
    idle: Condvar,
}

#[derive(Default)]
struct GateFlags {
    closed: bool,
    delivering: Option<ThreadId>,
}

impl Gate {
    /// Run `deliver` unless the gate is closed. `false` when closed: the task may stop.
    pub(crate) fn pass(&self, deliver: impl FnOnce()) -> bool {
        {
            let mut flags = self.flags();
            if flags.closed {
                return false;
            }
            flags.delivering = Some(thread::current().id());
        }
        let _done = Delivered(self);
        deliver();
        true
    }

    fn close(&self) {
        let me = thread::current().id();
        let mut flags = self.flags();
        flags.closed = true;
        while flags.delivering.is_some_and(|t| t != me) {
            flags = self.0.idle.wait(flags).unwrap_or_else(|p| p.into_inner());
        }
    }

    fn finish(&self) {
        self.flags().delivering = None;
        self.0.idle.notify_all();
    }

    fn flags(&self) -> MutexGuard<'_, GateFlags> {
        self.0.flags.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Marks the end of a delivery, also when the listener unwinds.
struct Delivered<'a>(&'a Gate);

impl Drop for Delivered<'_> {
    fn drop(&mut self) {
        self.0.finish();
    }
}

/// A running subscription or job; cancels its task on `cancel()` or drop.
#[derive(uniffi::Object)]
pub struct Subscription {
    gate: Gate,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl Subscription {
    /// Run `body` on `rt`; it reaches its listener only through the gate it is given.
    pub(crate) fn spawn<Fut>(rt: &Runtime, body: impl FnOnce(Gate) -> Fut) -> Subscription
    where
        Fut: Future<Output = ()> + Send + 'static,
    {
        let gate = Gate::default();
        let task = rt.spawn(body(gate.clone()));
        Subscription {
            gate,
            task: Mutex::new(Some(task)),
        }
    }
}

#[uniffi::export]
impl Subscription {
    /// Stop delivering: once this returns, the listener hears nothing more. Idempotent.
    pub fn cancel(&self) {
        self.gate.close();
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
