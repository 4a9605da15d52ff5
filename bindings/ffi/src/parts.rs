//! Single attachments on demand: `pec_core::sync::SyncEngine::download_part` (chunked, resumable,
//! served again from the store once complete), converted; its `SyncEvent::PartProgress` events go
//! to a [`DownloadListener`].

use crate::app::{App, Inner};
use crate::error::{PecError, Result};
use pec_core::sync::{PartError, SyncEvent};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::broadcast;

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

/// Progress of one attachment download, for a progress bar: bytes of the part as stored on the
/// server (encoded, the unit of `DownloadedPart.encoded_size`). The first report is where the
/// download starts (what an interrupted call already fetched); a successful download always ends
/// with `done == total`, also when served from the local copy.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct DownloadProgress {
    pub message_id: i64,
    pub section: String,
    pub done: u64,
    pub total: u64,
}

/// Receives the progress of `App::download_attachment` (one report per 256 KiB chunk at most).
#[uniffi::export(foreign)]
pub trait DownloadListener: Send + Sync {
    fn on_progress(&self, progress: DownloadProgress);
}

/// The facade's form of a part-download event; `None` for every other event.
fn download_progress(ev: SyncEvent) -> Option<DownloadProgress> {
    match ev {
        SyncEvent::PartProgress {
            message,
            section,
            done,
            total,
            ..
        } => Some(DownloadProgress {
            message_id: message,
            section,
            done,
            total,
        }),
        _ => None,
    }
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
    /// PEC signature check. `listener` receives the progress ([`DownloadProgress`]) before this
    /// returns.
    #[uniffi::method(default(listener = None))]
    pub async fn download_attachment(
        &self,
        message_id: i64,
        section: String,
        dest_path: String,
        listener: Option<Arc<dyn DownloadListener>>,
    ) -> Result<DownloadedPart> {
        let inner = self.inner.clone();
        crate::runtime::spawn(async move {
            download_to(&inner, message_id, &section, &dest_path, listener).await
        })
        .await
    }
}

/// Download part `section` of `message_id` to `dest_path` (replaced atomically), reporting
/// progress to `listener`: the body of [`App::download_attachment`], shared with
/// [`App::save_attachment`].
pub(crate) async fn download_to(
    inner: &Inner,
    message_id: i64,
    section: &str,
    dest_path: &str,
    listener: Option<Arc<dyn DownloadListener>>,
) -> Result<DownloadedPart> {
    let dest = PathBuf::from(dest_path);
    let engine = inner.ctx.engine().clone();
    // The raw channel rather than `subscribe`: what was emitted before the download
    // returned is drained below, so the last report (done == total) is never cut off.
    let (_, mut events) = engine.events();
    // Only this part's events: a UI may run several downloads at once.
    let report = |ev| {
        if let (Some(l), Some(p)) = (&listener, download_progress(ev))
            && p.message_id == message_id
            && p.section == section
        {
            l.on_progress(p);
        }
    };
    let download = engine.download_part(message_id, section, &dest);
    tokio::pin!(download);
    let mut listening = true;
    let done = loop {
        tokio::select! {
            biased;
            ev = events.recv(), if listening => match ev {
                Ok(ev) => report(ev),
                // Missed reports are superseded by the next one; keep listening.
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => listening = false,
            },
            r = &mut download => break r?,
        }
    };
    while let Ok(ev) = events.try_recv() {
        report(ev);
    }
    Ok(DownloadedPart {
        path: dest_path.to_string(),
        section: done.section,
        size: done.decoded_size,
        encoded_size: done.encoded_size,
        fetched: done.fetched,
        resumed_from: done.resumed_from,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_progress_is_converted_and_other_events_are_not() {
        let ev = SyncEvent::PartProgress {
            account: 3,
            message: 42,
            section: "1.3.2".into(),
            done: 262_144,
            total: 1_000_000,
        };
        assert_eq!(
            download_progress(ev),
            Some(DownloadProgress {
                message_id: 42,
                section: "1.3.2".into(),
                done: 262_144,
                total: 1_000_000,
            })
        );
        let sync = SyncEvent::Progress {
            account: 3,
            folder: "INBOX".into(),
            done: 1,
            total: 2,
        };
        assert_eq!(download_progress(sync), None);
        assert_eq!(download_progress(SyncEvent::Lagged(5)), None);
    }
}
