//! The core's own multi-thread tokio runtime.
//!
//! uniffi's `async_runtime = "tokio"` only enters a lazily created current-thread runtime, so every
//! async facade method spawns its work here and awaits the `JoinHandle`: the work keeps running on
//! real worker threads whatever executor the foreign side polls from, and a cancelled Kotlin
//! coroutine (which drops the future) leaves the spawned work to finish cleanly instead of tearing it
//! in half (Swift never drops it). Long jobs (sync, subscriptions) are cancelled explicitly through
//! their handle objects.

use crate::error::{PecError, Result};
use std::future::Future;
use std::sync::{Mutex, OnceLock};
use tokio::runtime::Runtime;

static RT: OnceLock<Runtime> = OnceLock::new();

/// The runtime (created on first use; two workers: phones and the CI machine alike). Starting it
/// fails only when the system refuses threads; that reaches the caller as an error, not a crash,
/// and the next call tries again.
pub fn rt() -> Result<&'static Runtime> {
    if let Some(rt) = RT.get() {
        return Ok(rt);
    }
    // One builder at a time: a runtime built by a losing racer would have to be dropped, and
    // dropping a runtime from async code (two `App`s opened at once from coroutines) panics.
    static BUILDING: Mutex<()> = Mutex::new(());
    let _one = BUILDING.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(rt) = RT.get() {
        return Ok(rt);
    }
    let built = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("pec-core")
        .enable_all()
        .build()
        .map_err(|e| PecError::Internal {
            detail: format!("cannot start the runtime: {e}"),
        })?;
    Ok(RT.get_or_init(|| built))
}

/// Run `f` on the runtime and await its result from any executor.
pub async fn spawn<T, F>(f: F) -> Result<T>
where
    T: Send + 'static,
    F: Future<Output = Result<T>> + Send + 'static,
{
    rt()?.spawn(f).await?
}

/// Run blocking work (SQLite, parsing) on the runtime's blocking pool and await it.
pub async fn blocking<T, F>(f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T> + Send + 'static,
{
    rt()?.spawn_blocking(f).await.map_err(PecError::from)?
}
