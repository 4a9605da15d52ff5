//! `pec-ffi`: the one API the Android (Kotlin), iOS (Swift) and terminal clients drive.
//!
//! uniffi 0.32 proc-macros; bindings generated in library mode by `bindings/generate.sh`
//! (Kotlin package `it.pec.core`, Swift module `PecCore`, see `uniffi.toml`).
//!
//! - [`App`]: a data directory (store + credentials) and its accounts; queries shaped for screens
//!   (folder menu, list pages, message detail, invoice HTML, search), actions, subscriptions.
//! - [`PecError`]: one flat error enum whose variants are stable codes.
//! - [`runtime`]: the core's own multi-thread tokio runtime; async methods spawn there.
//! - [`credentials`]: file (0600), platform keyring (keyring-core), memory, or shell-provided stores.
//! - [`presets`]: provider servers and limits.

// Library code never panics on input and has no unsafe code: a hostile message or a bug reaches a UI as
// a typed error. Unit tests may unwrap (clippy.toml). Set here rather than in [workspace.lints], which
// would also bind integration tests and benches (these read CPU clocks through libc).
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

uniffi::setup_scaffolding!();

mod address_books;
mod app;
mod background;
pub mod contacts;
pub mod credentials;
mod drafts;
mod error;
pub mod events;
mod evidence;
pub mod files;
mod invoices;
mod lists;
mod locking;
mod mail;
#[cfg(feature = "panic-probe")]
mod panic_probe;
mod parts;
mod passphrase;
pub mod presets;
mod recovery;
pub mod runtime;
mod saving;
mod settings;
mod staging;
pub mod text;
pub mod types;

pub use address_books::{AddressBookInfo, BookSyncReport};
pub use app::App;
pub use background::{AccountArrival, BackgroundSummary};
pub use contacts::{
    AddressSuggestion, ContactCard, ContactFileFormat, ContactImport, ContactImportError,
    GroupInfo, PecProof, PersonRow, ProvenAddress,
};
pub use credentials::{CredentialBackend, SecretStore};
pub use drafts::parse_host_port;
pub use error::{PecError, Result, error_code};
pub use events::{ChangeListener, DeliveryListener, MenuListener, Subscription};
pub use evidence::{EvidenceFile, EvidenceItem};
pub use files::{
    FilePurpose, FileReport, attachment_from_path, inspect_file, inspect_file_with_test_anchor,
    invoice_file_attachments, invoice_file_summary, read_file, render_invoice_file,
};
pub use invoices::{
    BuyerOutcome, InvoiceDetails, InvoicePage, InvoiceRow, SdiMessageKind, SdiNotice, SdiProblem,
};
pub use lists::{ListCounts, ListInsert, ListListener, ListUpdate, ListWatch};
pub use locking::new_store_key;
pub use mail::{
    BackgroundSync, BodyDownload, ComposeDraft, DraftCheck, DraftProblem, DraftProblemKind,
    DraftRecipient, MessagePriority, OutgoingAttachment, RequestedReceipt, SendListener,
    SendRecipient, SendResult, SendStatusView, SendStep, SyncListener, SyncProgress, SyncSummary,
    TimelineEvent, TimelineStep, validate_draft,
};
pub use parts::{DownloadListener, DownloadProgress, DownloadedPart};
pub use passphrase::{StoreState, store_state};
pub use presets::{
    LoginName, Provider, ProviderPreset, guess_provider, provider_preset, provider_presets,
};
pub use recovery::{StoreRecovery, recover_store, recover_store_with_passphrase};
pub use saving::{SaveFailure, SavedFile, save_invoice_attachments};
pub use settings::{AppSettings, DownloadPolicy, LockPolicy};
pub use staging::AttachmentStage;
pub use types::*;

/// The core's version, for about screens and bug reports.
#[uniffi::export]
pub fn core_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
