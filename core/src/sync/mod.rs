//! IMAP sync on tokio: folder discovery, newest-first initial sync (headers + BODYSTRUCTURE first,
//! bodies by policy or on demand, large bodies in chunks), QRESYNC resync (CONDSTORE, then UID
//! comparison, on servers without it),
//! UIDVALIDITY resets, QUOTA, ACL MYRIGHTS, replay of queued local actions, IDLE on the inbox,
//! reconnect with backoff, typed events.
//!
//! Entry points for the facade: [`SyncEngine::new`], [`SyncEngine::sync_once`],
//! [`SyncEngine::start`] (background loop; the returned [`SyncHandle`] stops it on drop),
//! [`SyncEngine::fetch_body`], [`SyncEngine::download_part`] (one MIME part, chunked, resumable,
//! with [`SyncEvent::PartProgress`]),
//! [`SyncEngine::subscribe`] (current status first, then events; the
//! returned [`Subscription`] cancels on drop).

mod commands;
pub(crate) mod conn;
mod engine;
pub mod folders;
#[doc(hidden)]
pub mod fuzzing;
pub mod guard;
mod list_status;
mod part_fetch;
mod part_local;
mod qresync;

pub(crate) use commands::uid_search;
pub use conn::{ImapSession, connect, tls_config};
pub(crate) use conn::{contained, map_imap};
pub use engine::{BodyPolicy, Subscription, SyncEngine, SyncHandle, SyncOptions, SyncReport};
pub use part_fetch::{PART_CHUNK_BYTES, PartDownload, PartError};

use crate::store::{AccountId, FolderId, MessageId, StoreError};
use serde::Serialize;

/// Sync failures, typed so the UI can tell what to do.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SyncError {
    /// Wrong address or password (the server said NO to LOGIN): ask the user, do not retry.
    #[error("authentication failed: {0}")]
    Auth(String),
    /// Certificate or handshake failure: do not retry silently.
    /// The password is right but this login may not use the box this way (RFC 5530
    /// AUTHORIZATIONFAILED: e.g. a delegate without the "mail programs" permission).
    #[error("not permitted: {0}")]
    NotPermitted(String),
    #[error("TLS: {0}")]
    Tls(String),
    /// Connection refused, cut, timed out: retried with backoff.
    #[error("network: {0}")]
    Network(String),
    /// The server refused a command (NO).
    #[error("server refused: {0}")]
    Server(String),
    /// The server sent something we could not understand (BAD, parse errors).
    #[error("protocol: {0}")]
    Protocol(String),
    #[error("credentials: {0}")]
    Credentials(String),
    /// The message, folder or account asked for is not in the store.
    #[error("not found: {0}")]
    NotFound(String),
    #[error("store: {0}")]
    Store(String),
    /// The app was locked: the pass stopped at its next store access, nothing half-written.
    #[error("the app is locked")]
    Locked,
}

/// The store's refusals keep their meaning (not found, forbidden by the folder's rights); the
/// rest is a storage failure.
impl From<StoreError> for SyncError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => SyncError::NotFound(what),
            StoreError::Forbidden { .. } => SyncError::NotPermitted(e.to_string()),
            StoreError::Locked => SyncError::Locked,
            other => SyncError::Store(other.to_string()),
        }
    }
}

impl SyncError {
    /// The error of `kind` with `detail`: what an event's (kind, message) stood for.
    pub fn of_kind(kind: SyncErrorKind, detail: String) -> SyncError {
        match kind {
            SyncErrorKind::Auth => SyncError::Auth(detail),
            SyncErrorKind::Permission => SyncError::NotPermitted(detail),
            SyncErrorKind::Tls => SyncError::Tls(detail),
            SyncErrorKind::Network => SyncError::Network(detail),
            SyncErrorKind::Server => SyncError::Server(detail),
            SyncErrorKind::Protocol => SyncError::Protocol(detail),
            SyncErrorKind::Credentials => SyncError::Credentials(detail),
            SyncErrorKind::NotFound => SyncError::NotFound(detail),
            SyncErrorKind::Store => SyncError::Store(detail),
            SyncErrorKind::Locked => SyncError::Locked,
        }
    }

    /// What kind of error, for events.
    pub fn kind(&self) -> SyncErrorKind {
        match self {
            SyncError::Auth(_) => SyncErrorKind::Auth,
            SyncError::NotPermitted(_) => SyncErrorKind::Permission,
            SyncError::Tls(_) => SyncErrorKind::Tls,
            SyncError::Network(_) => SyncErrorKind::Network,
            SyncError::Server(_) => SyncErrorKind::Server,
            SyncError::Protocol(_) => SyncErrorKind::Protocol,
            SyncError::Credentials(_) => SyncErrorKind::Credentials,
            SyncError::NotFound(_) => SyncErrorKind::NotFound,
            SyncError::Store(_) => SyncErrorKind::Store,
            SyncError::Locked => SyncErrorKind::Locked,
        }
    }
    /// Worth retrying later without asking the user.
    pub fn is_transient(&self) -> bool {
        matches!(self, SyncError::Network(_) | SyncError::Protocol(_))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SyncErrorKind {
    Auth,
    Permission,
    Tls,
    Network,
    Server,
    Protocol,
    Credentials,
    #[serde(rename = "not_found")]
    NotFound,
    Store,
    Locked,
}

/// The engine's current state (the first thing a subscriber receives).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    pub running: bool,
    /// Folder being synced, if any.
    pub folder: Option<String>,
    pub done: u64,
    pub total: u64,
    pub last_error: Option<(SyncErrorKind, String)>,
    /// Unix time of the last successful pass.
    pub last_sync: Option<i64>,
}

/// Typed events for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SyncEvent {
    /// The current status: always first on a new subscription, then on every change of phase.
    Status(SyncStatus),
    /// Progress of the current folder (messages done / total).
    Progress {
        account: AccountId,
        folder: String,
        done: u64,
        total: u64,
    },
    /// New, changed or removed messages in a folder.
    MessagesChanged {
        account: AccountId,
        folder_id: FolderId,
        added: u32,
        updated: u32,
        removed: u32,
    },
    /// A folder's counts.
    CountsChanged {
        account: AccountId,
        folder_id: FolderId,
        total: u32,
        unread: u32,
    },
    Quota {
        account: AccountId,
        used_kb: u64,
        limit_kb: u64,
    },
    Error {
        account: AccountId,
        kind: SyncErrorKind,
        message: String,
    },
    /// Progress of an on-demand part download ([`SyncEngine::download_part`]), in encoded bytes
    /// of the part (as BODYSTRUCTURE announced it): once at the start with what an earlier,
    /// interrupted call already stored (so a resumed download starts where it was), then after
    /// each committed chunk. Every successful download ends with `done == total`, also when the
    /// part is served from the store or cut out of the stored body without the server.
    PartProgress {
        account: AccountId,
        message: MessageId,
        section: String,
        done: u64,
        total: u64,
    },
    /// The subscriber was too slow and missed this many events (re-read the state).
    Lagged(u64),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn of_kind_gives_back_the_error_of_that_kind() {
        let all = [
            SyncError::Auth("d".into()),
            SyncError::NotPermitted("d".into()),
            SyncError::Tls("d".into()),
            SyncError::Network("d".into()),
            SyncError::Server("d".into()),
            SyncError::Protocol("d".into()),
            SyncError::Credentials("d".into()),
            SyncError::NotFound("d".into()),
            SyncError::Store("d".into()),
        ];
        for e in all {
            assert_eq!(SyncError::of_kind(e.kind(), "d".into()), e);
        }
    }
}
