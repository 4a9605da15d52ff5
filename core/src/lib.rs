//! `pec-core`: everything the PEC client knows, with no FFI or platform types.
//!
//! Rooms:
//! - [`context`]: the root: one [`Context`] per data directory owns the store, the sync engine, the
//!   outbox, the trust and the change bus, and decides what every screen and the terminal client share.
//! - [`files`]: bounded reads of files given by path, and safe writes into a chosen folder.
//! - [`xml`]: the one XML reader (strict for invoices, lenient for providers' documents).
//! - [`limits`]: the caps every parser honours (sizes, depths, part counts).
//! - [`signature`]: S/MIME (PEC) and CAdES (invoices) verification against a bundled trust list.
//! - [`receive`]: raw bytes → the record the store writes (through [`message`]), with the signature trust.
//! - [`store`]: the offline SQLite store (WAL, migrations, receipt tracking, FTS5 search, action queue).
//! - [`sync`]: IMAP sync on tokio (discovery, newest-first fetch, CONDSTORE resync, IDLE, replay, events).
//! - [`compose`]: drafts, validation before sending, MIME building, reply/forward.
//! - [`outbox`]: the persistent outbox (queued → sending → submitted, exactly once), SMTP submission, per-recipient status.
//! - [`accounts`]: account records and the credential-store seam (credentials never in SQLite).
//! - [`message`]: raw RFC 5322 bytes to one read-only view (kind, daticert, original, REM, keys, signature).
//! - [`sdi`]: SDI file-name classification and SDI sender recognition (shared with invoices).
//! - [`fatturapa`]: e-invoices (FatturaPA) and SdI messages: open (.xml/.p7m/.eml), typed model, HTML render.

// Library code never panics on input and has no unsafe code: a hostile message or a bug reaches a UI as
// a typed error. Unit tests may unwrap (clippy.toml). Set here rather than in [workspace.lints], which
// would also bind integration tests and benches (these read CPU clocks through libc).
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod accounts;
pub mod carddav;
pub mod compose;
pub mod contacts;
pub mod context;
pub mod fatturapa;
pub mod files;
pub mod limits;
pub mod message;
pub mod outbox;
pub mod receive;
pub mod sdi;
pub mod signature;
pub mod store;
pub mod sync;
/// A synthetic large store for benches and examples (feature `test-support`).
#[cfg(any(test, feature = "test-support"))]
pub mod synth;
pub mod vault;
pub mod xml;

pub use context::{Change, ChangeKind, Context};
