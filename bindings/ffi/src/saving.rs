//! Saving attachments into a folder the user chose, for every shell alike: an existing file is
//! never replaced (`name (1).ext`, created exclusively), a link is never followed, a name too
//! long for the file system is shortened keeping its extension, and one file failing does not
//! stop the others (`pec_core::files::TargetDir`).

use crate::app::App;
use crate::error::{PecError, Result};
use crate::files::{FilePurpose, check_for};
use crate::parts::{DownloadListener, download_to};
use crate::runtime::blocking;
use pec_core::fatturapa;
use pec_core::files::TargetDir;
use std::path::Path;
use std::sync::Arc;

/// Why one file of a save was not written.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct SaveFailure {
    /// The error's stable code (`PecError::code`: `storage`, `permission`, `not_found`, ...).
    pub code: String,
    pub detail: String,
}

impl From<PecError> for SaveFailure {
    fn from(e: PecError) -> Self {
        SaveFailure {
            code: e.code().to_string(),
            detail: e.to_string(),
        }
    }
}

/// One file of a save: written at `path`, or not written for `error`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct SavedFile {
    /// The name the sender gave the file (`None` when it had none).
    pub file_name: Option<String>,
    pub mime: String,
    /// The IMAP section of a message's attachment; `None` for an invoice's attachments.
    pub section: Option<String>,
    /// The file written (a new file: `name (1).ext` when the name was taken); `None` on failure.
    pub path: Option<String>,
    /// Bytes written.
    pub size: u64,
    /// Encoded bytes fetched from the server by this call (0 when served locally).
    pub fetched: u64,
    pub error: Option<SaveFailure>,
}

#[uniffi::export]
impl App {
    /// Save the attachment at `section` of a message into the folder `dir` (created when
    /// missing) as a new file named after the attachment: never replacing a file, never through
    /// a link, the name cleaned and shortened (see the module docs). Downloads only that part
    /// when the body is not stored (like `download_attachment`, whose progress `listener` gets).
    #[uniffi::method(default(listener = None))]
    pub async fn save_attachment(
        &self,
        message_id: i64,
        section: String,
        dir: String,
        listener: Option<Arc<dyn DownloadListener>>,
    ) -> Result<SavedFile> {
        let inner = self.inner.clone();
        crate::runtime::spawn(async move {
            let view_inner = inner.clone();
            let view = blocking(move || view_inner.message_view(message_id)).await?;
            let a = view
                .attachments
                .into_iter()
                .find(|a| a.section.as_deref() == Some(section.as_str()))
                .ok_or_else(|| PecError::NotFound {
                    detail: format!("message {message_id} has no attachment at section {section}"),
                })?;
            let target = TargetDir::open(Path::new(&dir))?;
            let fallback = format!("part-{section}");
            let (file, path) = target.create(a.file_name.as_deref().unwrap_or(""), &fallback)?;
            drop(file);
            let dest = path.to_string_lossy().into_owned();
            match download_to(&inner, message_id, &section, &dest, listener).await {
                Ok(done) => Ok(SavedFile {
                    file_name: a.file_name,
                    mime: a.mime,
                    section: Some(done.section),
                    path: Some(done.path),
                    size: done.size,
                    fetched: done.fetched,
                    error: None,
                }),
                Err(e) => {
                    // The reserved name goes away with the failed download.
                    let _ = std::fs::remove_file(&path);
                    Err(e)
                }
            }
        })
        .await
    }
}

/// Write an invoice file's attachments (Allegati) into the folder `dir` (created when missing),
/// each as a new file (see the module docs). One entry per attachment, in order: its `path`, or
/// the `error` that kept it from being written (the others are written anyway).
#[uniffi::export]
pub async fn save_invoice_attachments(
    file_name: Option<String>,
    data: Vec<u8>,
    dir: String,
) -> Result<Vec<SavedFile>> {
    blocking(move || {
        check_for(&data, FilePurpose::Invoice)?;
        let opened = crate::files::open_invoice(file_name.as_deref(), &data)?;
        let files = fatturapa::attachment_files(&opened).ok_or_else(|| PecError::InvalidInput {
            detail: "the file is an SdI message: it has no attachments".into(),
        })?;
        let target = TargetDir::open(Path::new(&dir))?;
        Ok(files
            .into_iter()
            .enumerate()
            .map(|(i, (name, bytes))| {
                let written = target.write_new(&name, &format!("allegato-{}", i + 1), &bytes);
                SavedFile {
                    mime: pec_core::files::mime_type(&name).to_string(),
                    file_name: Some(name),
                    section: None,
                    size: if written.is_ok() {
                        bytes.len() as u64
                    } else {
                        0
                    },
                    fetched: 0,
                    path: written
                        .as_ref()
                        .ok()
                        .map(|p| p.to_string_lossy().into_owned()),
                    error: written.err().map(|e| PecError::from(e).into()),
                }
            })
            .collect())
    })
    .await
}
