//! Entry points that panic on purpose, compiled only with the `panic-probe` feature (the Kotlin
//! test build enables it; the shipped library never has it). The Kotlin suite uses them to check
//! that a bug inside a facade call reaches the app as an exception, never as a crash, and that the
//! facade keeps working afterwards.
//!
//! What uniffi 0.32 does with a panic: a synchronous call runs under `catch_unwind`, and an async
//! one is polled under it, so both come back as an unexpected error (Kotlin `InternalException`,
//! Swift a fatal-free thrown error). Work the facade spawns on its own runtime (every async
//! method) panics inside a tokio task: the task ends, its `JoinError` becomes
//! `PecError::Internal`, and the runtime's other workers carry on.

use crate::error::Result;

/// Panics in a synchronous facade call.
#[uniffi::export]
pub fn panic_probe_sync(message: String) -> Result<String> {
    panic!("panic probe (sync): {message}")
}

/// Panics while uniffi polls an async facade call, before anything is spawned.
#[uniffi::export]
pub async fn panic_probe_async(message: String) -> Result<String> {
    panic!("panic probe (async): {message}")
}

/// Panics inside a task on the core's runtime, as a bug in the core would.
#[uniffi::export]
pub async fn panic_probe_in_runtime(message: String) -> Result<String> {
    crate::runtime::spawn(async move {
        if message.is_empty() {
            return Ok(message);
        }
        panic!("panic probe (runtime): {message}")
    })
    .await
}
