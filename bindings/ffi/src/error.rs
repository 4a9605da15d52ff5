//! One flat error enum for every shell. The variant *names* are the stable codes a UI translates
//! (Kotlin: `PecException.Auth`, Swift: `PecError.auth`); `detail` is for logs and detail screens,
//! never shown as the headline. Converted here from every core error; nothing else crosses the FFI.

use pec_core::accounts::{AccountError, CredentialError, LoginCheckError, LoginProblem};
use pec_core::context::{Error as CoreError, SendRefusal};
use pec_core::fatturapa::FatturaError;
use pec_core::files::{ReadError, WriteError};
use pec_core::message::ParseError;
use pec_core::outbox::{FailureKind, SendError};
use pec_core::store::StoreError;
use pec_core::sync::SyncError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum PecError {
    /// The account, folder or message does not exist (any more).
    #[error("not found: {detail}")]
    NotFound { detail: String },
    /// An argument the user typed is not acceptable (address, host:port, empty recipient list, ...).
    #[error("invalid input: {detail}")]
    InvalidInput { detail: String },
    /// The server refused the login.
    #[error("authentication failed: {detail}")]
    Auth { detail: String },
    /// The server could not be reached or the connection broke.
    #[error("network: {detail}")]
    Network { detail: String },
    /// The server did not answer in time.
    #[error("no answer: {detail}")]
    Timeout { detail: String },
    /// TLS failed (certificate not trusted, handshake).
    #[error("secure connection failed: {detail}")]
    Tls { detail: String },
    /// The server answered with an error (quota, mailbox missing, message refused).
    #[error("server error: {detail}")]
    Server { detail: String },
    /// The delegated login does not allow this (read, write, send, programs, settings).
    #[error("not permitted: {detail}")]
    Permission { detail: String },
    /// No password stored, or the credential store failed.
    #[error("credentials: {detail}")]
    Credentials { detail: String },
    /// The local database failed.
    #[error("storage: {detail}")]
    Storage { detail: String },
    /// A message or invoice cannot be read.
    #[error("cannot read: {detail}")]
    Unreadable { detail: String },
    /// A signed invoice whose signature does not match its content (altered or corrupt).
    #[error("signature does not match: {detail}")]
    SignatureInvalid { detail: String },
    /// The message body is not downloaded yet (sync it first).
    #[error("not downloaded: {detail}")]
    NotDownloaded { detail: String },
    /// The operation was cancelled.
    #[error("cancelled")]
    Cancelled,
    /// A file or input is over the size the app accepts for it (`limit` bytes): refused before it
    /// was read, or as soon as a stream of unknown size passed the limit.
    #[error("too large: {detail}")]
    TooLarge { detail: String, limit: u64 },
    /// The app is locked: nothing was read or changed (queued sends stay queued); unlock first.
    #[error("locked")]
    Locked,
    /// The key or passphrase does not open the store; nothing was changed.
    #[error("wrong key")]
    WrongKey,
    /// The store is encrypted and no key was given.
    #[error("key needed")]
    KeyNeeded,
    /// A key was given for a store that is not encrypted yet (encrypt it first).
    #[error("not encrypted")]
    NotEncrypted,
    /// The store file is damaged (cut short or altered): resync it from the server.
    #[error("store damaged: {detail}")]
    StoreDamaged { detail: String },
    /// A bug: a panic or a broken invariant in the core.
    #[error("internal error: {detail}")]
    Internal { detail: String },
}

impl PecError {
    /// The stable code (the variant name in snake case): what `--json` prints and shells translate.
    pub fn code(&self) -> &'static str {
        match self {
            PecError::NotFound { .. } => "not_found",
            PecError::InvalidInput { .. } => "invalid_input",
            PecError::Auth { .. } => "auth",
            PecError::Network { .. } => "network",
            PecError::Timeout { .. } => "timeout",
            PecError::Tls { .. } => "tls",
            PecError::Server { .. } => "server",
            PecError::Permission { .. } => "permission",
            PecError::Credentials { .. } => "credentials",
            PecError::Storage { .. } => "storage",
            PecError::Unreadable { .. } => "unreadable",
            PecError::SignatureInvalid { .. } => "signature_invalid",
            PecError::NotDownloaded { .. } => "not_downloaded",
            PecError::Cancelled => "cancelled",
            PecError::TooLarge { .. } => "too_large",
            PecError::Locked => "locked",
            PecError::WrongKey => "wrong_key",
            PecError::KeyNeeded => "key_needed",
            PecError::NotEncrypted => "not_encrypted",
            PecError::StoreDamaged { .. } => "store_damaged",
            PecError::Internal { .. } => "internal",
        }
    }

    pub(crate) fn invalid(detail: impl Into<String>) -> Self {
        PecError::InvalidInput {
            detail: detail.into(),
        }
    }
}

/// The stable code of an error, for shells that prefer a string key to a type switch.
#[uniffi::export]
pub fn error_code(error: PecError) -> String {
    error.code().to_string()
}

impl From<SyncError> for PecError {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::Auth(d) => PecError::Auth { detail: d },
            SyncError::NotPermitted(d) => PecError::Permission { detail: d },
            SyncError::Tls(d) => PecError::Tls { detail: d },
            SyncError::Network(d) => PecError::Network { detail: d },
            SyncError::Server(d) | SyncError::Protocol(d) => PecError::Server { detail: d },
            SyncError::Credentials(d) => PecError::Credentials { detail: d },
            SyncError::NotFound(d) => PecError::NotFound { detail: d },
            SyncError::Store(d) => PecError::Storage { detail: d },
            SyncError::Locked => PecError::Locked,
        }
    }
}

impl From<SendError> for PecError {
    fn from(e: SendError) -> Self {
        match e {
            SendError::Compose(c) => PecError::InvalidInput {
                detail: c.to_string(),
            },
            SendError::Store(s) => s.into(),
            SendError::Credentials(c) => c.into(),
            SendError::Io(d) => PecError::Storage { detail: d },
            SendError::Timeout(d) => PecError::Timeout { detail: d },
            SendError::Connect(c) => c.into(),
            SendError::NotFound(d) => PecError::NotFound { detail: d },
            SendError::NotPermitted(d) => PecError::Permission { detail: d },
        }
    }
}

/// The context's error: each kind converted by its own rule above.
impl From<CoreError> for PecError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::Store(e) => e.into(),
            CoreError::Account(e) => e.into(),
            CoreError::Credentials(e) => e.into(),
            CoreError::Sync(e) => e.into(),
            CoreError::Send(e) => e.into(),
            CoreError::Invoice(e) => e.into(),
            CoreError::Message(e) => e.into(),
            CoreError::File(e) => e.into(),
            CoreError::Write(e) => e.into(),
            CoreError::Reply(e) => e.into(),
            CoreError::Refused(r) => r.into(),
            CoreError::NotDownloaded(detail) => PecError::NotDownloaded { detail },
            CoreError::Invalid(detail) => PecError::InvalidInput { detail },
        }
    }
}

/// A refusal at submission: a sender the login may not use (a delegate without `send`) is a
/// permission error, a refused login an authentication error, a size or recipient count the
/// user can fix an input error.
impl From<SendRefusal> for PecError {
    fn from(r: SendRefusal) -> Self {
        let detail = r.detail;
        match r.kind {
            FailureKind::Sender => PecError::Permission { detail },
            FailureKind::Auth => PecError::Auth { detail },
            FailureKind::Size | FailureKind::Recipients => PecError::InvalidInput { detail },
            _ => PecError::Server { detail },
        }
    }
}

impl From<StoreError> for PecError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(d) => PecError::NotFound { detail: d },
            StoreError::Invalid(d) => PecError::InvalidInput { detail: d },
            StoreError::Task(d) => PecError::Internal { detail: d },
            StoreError::Locked => PecError::Locked,
            StoreError::WrongKey => PecError::WrongKey,
            StoreError::KeyNeeded => PecError::KeyNeeded,
            StoreError::NotEncrypted => PecError::NotEncrypted,
            StoreError::Damaged(detail) => PecError::StoreDamaged { detail },
            // The server's ACL rights (MYRIGHTS) on the folder do not allow the action.
            e @ StoreError::Forbidden { .. } => PecError::Permission {
                detail: e.to_string(),
            },
            other => PecError::Storage {
                detail: other.to_string(),
            },
        }
    }
}

impl From<AccountError> for PecError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Invalid(d) => PecError::InvalidInput { detail: d },
            AccountError::NotPermitted(d) => PecError::Permission { detail: d },
            AccountError::Store(s) => s.into(),
            AccountError::Credentials(c) => c.into(),
            AccountError::Login(l) => l.into(),
        }
    }
}

/// One variant per reason a login check fails, so each gets its own translated message; the
/// detail names the server (IMAP or SMTP, host and port) and repeats its words.
impl From<LoginCheckError> for PecError {
    fn from(e: LoginCheckError) -> Self {
        let detail = e.to_string();
        match e.problem {
            LoginProblem::Auth => PecError::Auth { detail },
            LoginProblem::Tls => PecError::Tls { detail },
            LoginProblem::Unreachable => PecError::Network { detail },
            LoginProblem::Timeout => PecError::Timeout { detail },
            LoginProblem::NotPermitted => PecError::Permission { detail },
            LoginProblem::Server => PecError::Server { detail },
        }
    }
}

impl From<CredentialError> for PecError {
    fn from(e: CredentialError) -> Self {
        PecError::Credentials {
            detail: e.to_string(),
        }
    }
}

impl From<FatturaError> for PecError {
    fn from(e: FatturaError) -> Self {
        match e {
            FatturaError::SignatureInvalid(_) => PecError::SignatureInvalid {
                detail: e.to_string(),
            },
            FatturaError::NoInvoiceInMessage => PecError::NotFound {
                detail: e.to_string(),
            },
            other => PecError::Unreadable {
                detail: other.to_string(),
            },
        }
    }
}

impl From<ParseError> for PecError {
    fn from(e: ParseError) -> Self {
        PecError::Unreadable {
            detail: e.to_string(),
        }
    }
}

impl From<ReadError> for PecError {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::TooLarge { limit, .. } => PecError::TooLarge {
                detail: e.to_string(),
                limit,
            },
            ReadError::Io(io) => PecError::Unreadable {
                detail: io.to_string(),
            },
        }
    }
}

impl From<WriteError> for PecError {
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::LinkInPath(_) => PecError::Permission {
                detail: e.to_string(),
            },
            other => PecError::Storage {
                detail: other.to_string(),
            },
        }
    }
}

impl From<tokio::task::JoinError> for PecError {
    fn from(e: tokio::task::JoinError) -> Self {
        if e.is_cancelled() {
            PecError::Cancelled
        } else {
            PecError::Internal {
                detail: format!("task panicked: {e}"),
            }
        }
    }
}

pub type Result<T, E = PecError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_by_the_folder_rights_is_a_permission_error() {
        let e = PecError::from(StoreError::Forbidden {
            folder: "INBOX".into(),
            action: "flagging".into(),
            right: 'w',
            rights: "lrs".into(),
        });
        assert_eq!(e.code(), "permission");
        assert!(e.to_string().contains("\"w\" right"), "{e}");
        assert_eq!(
            PecError::from(StoreError::Invalid("x".into())).code(),
            "invalid_input"
        );
    }
}
