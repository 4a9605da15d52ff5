//! Documents picked for a PEC, streamed into the data directory (sealed when the store is
//! encrypted) instead of the shell's own plain copy. See `pec_core::outbox::Stage`.

use crate::app::App;
use crate::error::{PecError, Result};
use crate::mail::OutgoingAttachment;
use crate::runtime::blocking;
use pec_core::compose::AttachmentSource;
use pec_core::outbox::Stage;
use std::sync::{Arc, Mutex};

/// A document being staged: `write` its bytes in order, then `finish`.
#[derive(uniffi::Object)]
pub struct AttachmentStage {
    stage: Arc<Mutex<Option<Stage>>>,
}

fn finished() -> PecError {
    PecError::invalid("the attachment was already finished")
}

#[uniffi::export]
impl AttachmentStage {
    /// Append the next bytes of the document (read it in chunks, e.g. 256 KiB: never whole).
    pub async fn write(&self, chunk: Vec<u8>) -> Result<()> {
        let stage = self.stage.clone();
        blocking(move || {
            let mut guard = stage.lock().unwrap_or_else(|p| p.into_inner());
            Ok(guard.as_mut().ok_or_else(finished)?.write(&chunk)?)
        })
        .await
    }

    /// The attachment for the draft: its `path` is the staged file, which the core reads back
    /// (through the seal) when it checks and builds the message, and deletes once it is queued.
    pub async fn finish(&self) -> Result<OutgoingAttachment> {
        let stage = self.stage.clone();
        blocking(move || {
            let taken = stage.lock().unwrap_or_else(|p| p.into_inner()).take();
            let attachment = taken.ok_or_else(finished)?.finish()?;
            let path = match &attachment.source {
                AttachmentSource::Sealed(p, _) | AttachmentSource::File(p) => p.clone(),
                AttachmentSource::Bytes(_) => {
                    return Err(PecError::Internal {
                        detail: "a staged attachment without a file".into(),
                    });
                }
            };
            Ok(OutgoingAttachment {
                file_name: attachment.filename,
                mime: None,
                data: Vec::new(),
                path: Some(path.to_string_lossy().into_owned()),
            })
        })
        .await
    }
}

#[uniffi::export]
impl App {
    /// Start staging a document the user picked for a PEC, named `file_name`.
    pub fn stage_attachment(&self, file_name: String) -> Result<Arc<AttachmentStage>> {
        let stage = self.inner.ctx.outbox().stage(&file_name)?;
        Ok(Arc::new(AttachmentStage {
            stage: Arc::new(Mutex::new(Some(stage))),
        }))
    }
}
