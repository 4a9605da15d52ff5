//! Single attachments on demand: `pec_core::sync::SyncEngine::download_part` (chunked, resumable,
//! served again from the store once complete), converted.

use crate::app::App;
use crate::error::{PecError, Result};
use pec_core::accounts::{self, Operation};
use pec_core::sync::PartError;
use std::path::PathBuf;

/// What downloading one attachment did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct DownloadedPart {
    /// The file written (the `dest_path` asked for).
    pub path: String,
    /// The IMAP section (`"2"`, `"1.3.2"`).
    pub section: String,
    /// Bytes written, decoded.
    pub size: u64,
    /// Bytes of the part as stored on the server (encoded).
    pub encoded_size: u64,
    /// Encoded bytes fetched from the server by this call: 0 when served from the local copy.
    pub fetched: u64,
    /// Encoded bytes already downloaded by an earlier, interrupted call.
    pub resumed_from: u64,
}

impl From<PartError> for PecError {
    fn from(e: PartError) -> Self {
        let detail = e.to_string();
        match e {
            PartError::InvalidSection(_) | PartError::NotALeaf(_) => {
                PecError::InvalidInput { detail }
            }
            PartError::NoServerCopy(_) | PartError::NoSuchPart { .. } | PartError::Changed(_) => {
                PecError::NotFound { detail }
            }
            PartError::Truncated { .. } => PecError::Server { detail },
            PartError::Io { .. } => PecError::Storage { detail },
            PartError::Sync(s) => s.into(),
        }
    }
}

#[uniffi::export]
impl App {
    /// Download one attachment (`section`: `AttachmentInfo.section` of the message detail) to
    /// `dest_path` (its directory must exist; the file is replaced atomically) without downloading
    /// the whole message. A download cut short resumes; a finished one is served again from the
    /// store without the server. These bytes are for opening and sharing: they never feed the
    /// PEC signature check.
    pub async fn download_attachment(
        &self,
        message_id: i64,
        section: String,
        dest_path: String,
    ) -> Result<DownloadedPart> {
        let inner = self.inner.clone();
        crate::runtime::spawn(async move {
            let account = inner.store.message(message_id)?.summary.account_id;
            accounts::require(
                &inner.store,
                &inner.store.account(account)?,
                Operation::Sync,
            )?;
            let dest = PathBuf::from(&dest_path);
            let done = inner
                .engine()
                .download_part(message_id, &section, &dest)
                .await?;
            Ok(DownloadedPart {
                path: dest_path,
                section: done.section,
                size: done.decoded_size,
                encoded_size: done.encoded_size,
                fetched: done.fetched,
                resumed_from: done.resumed_from,
            })
        })
        .await
    }
}
