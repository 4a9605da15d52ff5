//! A message's evidence as files (`pec_core::Context::export_evidence`), and where a message may
//! be moved (`Context::move_targets`).

use crate::app::App;
use crate::error::Result;
use crate::runtime::blocking;
use crate::types::{MenuEntry, ReceiptKind};

/// What one exported file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "item")]
pub enum EvidenceItem {
    /// The message as the server holds it (for a received PEC, the provider's signed envelope).
    Message,
    /// The certification data the provider attached (`daticert.xml`).
    Daticert,
    /// A receipt as received; `kind` is `None` for one this version does not know.
    Receipt { kind: Option<ReceiptKind> },
    /// `SHA256SUMS`: `sha256sum -c` checks every other file against it.
    Checksums,
}

/// One file written by [`App::export_evidence`].
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct EvidenceFile {
    #[serde(flatten)]
    pub item: EvidenceItem,
    pub path: String,
    pub size: u64,
    /// Lower-case hex SHA-256 of the file.
    pub sha256: String,
}

impl From<pec_core::context::EvidenceFile> for EvidenceFile {
    fn from(f: pec_core::context::EvidenceFile) -> Self {
        use pec_core::context::EvidenceItem as I;
        EvidenceFile {
            item: match f.item {
                I::Message => EvidenceItem::Message,
                I::Daticert => EvidenceItem::Daticert,
                I::Receipt(kind) => EvidenceItem::Receipt {
                    kind: kind.map(Into::into),
                },
                I::Checksums => EvidenceItem::Checksums,
            },
            path: f.path.to_string_lossy().into_owned(),
            size: f.size,
            sha256: f.sha256,
        }
    }
}

#[uniffi::export]
impl App {
    /// Write the evidence of a message into the folder `dir` (created when missing; a file there
    /// is never replaced): the message as the server holds it, its `daticert.xml`, every receipt
    /// of a sent PEC as received, and `SHA256SUMS` last. Bodies not here yet are downloaded.
    pub async fn export_evidence(&self, message_id: i64, dir: String) -> Result<Vec<EvidenceFile>> {
        let inner = self.inner.clone();
        crate::runtime::spawn(async move {
            let files = inner
                .ctx
                .export_evidence(message_id, std::path::Path::new(&dir))
                .await?;
            Ok(files.into_iter().map(Into::into).collect())
        })
        .await
    }

    /// The folders a message may be moved to, in menu order: not its own, not those whose
    /// rights refuse new messages. Pass an entry's folder to `MessageAction::MoveTo`.
    pub async fn move_targets(&self, message_id: i64) -> Result<Vec<MenuEntry>> {
        let inner = self.inner.clone();
        blocking(move || {
            Ok(inner
                .ctx
                .move_targets(message_id)?
                .into_iter()
                .map(MenuEntry::from)
                .collect())
        })
        .await
    }
}
