//! The context's error: every core failure kept typed (`#[from]`), so the facade converts each
//! kind once, at the boundary.

use crate::accounts::{AccountError, CredentialError};
use crate::compose::reply::ReplyError;
use crate::fatturapa::FatturaError;
use crate::files::{ReadError, WriteError};
use crate::message::ParseError;
use crate::outbox::SendError;
use crate::store::StoreError;
use crate::sync::SyncError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Credentials(#[from] CredentialError),
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error(transparent)]
    Send(#[from] SendError),
    #[error(transparent)]
    Invoice(#[from] FatturaError),
    #[error(transparent)]
    Message(#[from] ParseError),
    #[error(transparent)]
    File(#[from] ReadError),
    #[error(transparent)]
    Write(#[from] WriteError),
    /// A stored message could not be read back as a draft.
    #[error(transparent)]
    Reply(#[from] ReplyError),
    /// The provider refused a message at submission (see [`super::SendRefusal`]).
    #[error(transparent)]
    Refused(#[from] super::SendRefusal),
    /// The body is not downloaded yet.
    #[error("not downloaded: {0}")]
    NotDownloaded(String),
    /// An argument the caller gave is not acceptable.
    #[error("invalid input: {0}")]
    Invalid(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
