//! Files handed to the app (opened from the file manager, a share sheet, or `pec` arguments):
//! what a message, daticert.xml or REM evidence file is, and invoice files (HTML, facts, their
//! attachments). Free functions: no data directory involved.

use crate::app::{bundled_trust, invoice_view};
use crate::error::{PecError, Result};
use crate::runtime::blocking;
use crate::types::{InvoiceStyle, InvoiceView, SharedFile};
use pec_core::fatturapa;
use pec_core::files::{check_len, read_capped};
use pec_core::limits;
use pec_core::message::{Analyzer, report};
use pec_core::signature::{AnchorRole, TrustStore};
use std::path::Path;

/// What a file read by path is for: each purpose has its own size cap (`pec_core::limits`),
/// checked before the file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum FilePurpose {
    /// A message to import or inspect (`.eml`, daticert.xml, REM evidence).
    Message,
    /// An invoice file (`.xml`, `.xml.p7m`, or the `.eml` that carried it).
    Invoice,
    /// A file to attach to a PEC.
    Attachment,
    /// A text or HTML body to send.
    Body,
}

impl FilePurpose {
    /// The largest file accepted for this purpose, in bytes.
    pub fn limit(self) -> u64 {
        match self {
            FilePurpose::Message => limits::MAX_MESSAGE_FILE_BYTES,
            FilePurpose::Invoice => limits::MAX_INVOICE_FILE_BYTES,
            FilePurpose::Attachment => limits::MAX_ATTACHMENT_BYTES,
            FilePurpose::Body => limits::MAX_BODY_FILE_BYTES,
        }
    }
}

/// Read a file for `purpose`, refusing it with `PecError::TooLarge` when over the purpose's cap:
/// a regular file before a byte is read, a device, pipe or FIFO as soon as it passes the cap.
pub(crate) fn read_for(path: &Path, purpose: FilePurpose) -> Result<Vec<u8>> {
    read_capped(path, purpose.limit()).map_err(|e| with_path(path, e.into()))
}

/// Read a stream (a shell's standard input) for `purpose`, refusing it with `TooLarge` as soon
/// as it passes the purpose's cap. Not exported: apps hand over paths or bytes.
pub fn read_stream(stream: impl std::io::Read, purpose: FilePurpose) -> Result<Vec<u8>> {
    Ok(pec_core::files::read_stream_capped(
        stream,
        purpose.limit(),
    )?)
}

/// Refuse bytes already in memory that are over the purpose's cap (what an app handed over).
pub(crate) fn check_for(data: &[u8], purpose: FilePurpose) -> Result<()> {
    Ok(check_len(data.len(), purpose.limit())?)
}

/// The error with the file's path in front of its detail.
pub(crate) fn with_path(path: &Path, e: PecError) -> PecError {
    let p = path.display();
    match e {
        PecError::TooLarge { detail, limit } => PecError::TooLarge {
            detail: format!("{p}: {detail}"),
            limit,
        },
        PecError::Unreadable { detail } => PecError::Unreadable {
            detail: format!("{p}: {detail}"),
        },
        other => other,
    }
}

/// Read the file at `path` for `purpose` (see [`FilePurpose`]): the bytes, or
/// `PecError::TooLarge` without reading more than the cap.
#[uniffi::export]
pub async fn read_file(path: String, purpose: FilePurpose) -> Result<Vec<u8>> {
    blocking(move || read_for(Path::new(&path), purpose)).await
}

/// A file to attach, named after the last component of `path`. The core reads it when it
/// builds the message (queueing copies it into the outbox), so the app never holds it whole;
/// `PecError::TooLarge` when it is over `pec_core::limits::MAX_ATTACHMENT_BYTES` (it could
/// never be sent), `Unreadable` when it cannot be opened.
#[uniffi::export]
pub async fn attachment_from_path(path: String) -> Result<crate::mail::OutgoingAttachment> {
    blocking(move || {
        let p = Path::new(&path);
        let unreadable = |e: std::io::Error| {
            with_path(
                p,
                PecError::Unreadable {
                    detail: e.to_string(),
                },
            )
        };
        let meta = std::fs::File::open(p)
            .and_then(|f| f.metadata())
            .map_err(unreadable)?;
        if !meta.is_file() {
            return Err(unreadable(std::io::Error::other("not a file")));
        }
        if meta.len() > FilePurpose::Attachment.limit() {
            return Err(with_path(
                p,
                pec_core::files::ReadError::TooLarge {
                    size: Some(meta.len()),
                    limit: FilePurpose::Attachment.limit(),
                }
                .into(),
            ));
        }
        let file_name = p
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| "allegato".into());
        Ok(crate::mail::OutgoingAttachment {
            file_name,
            mime: None,
            data: Vec::new(),
            path: Some(path.clone()),
        })
    })
    .await
}

/// What an analysed file is: a report for people and its facts as a JSON object.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FileReport {
    /// One `label  value` line per fact; the original of an envelope indented below it.
    pub text: String,
    /// One JSON object with the keys of the corpus's `pec/expected.toml` where they apply (`kind`,
    /// `receipt`, `receipt_type`, `error`, `identificativo`, `msgid`, `signature`, `subject`,
    /// `date`, `recipients`, ...).
    pub json: String,
}

/// Analyse a PEC/REM message (`.eml`), a bare `daticert.xml` or a bare REM evidence file, with
/// signatures checked against the bundled trust list.
#[uniffi::export]
pub async fn inspect_file(data: Vec<u8>) -> Result<FileReport> {
    blocking(move || file_report(bundled_trust().clone(), &data)).await
}

/// [`inspect_file`] with the CA certificates of the PEM file at `signature_test_anchor` also
/// trusted as PEC-provider issuers: for tests and the demo's sandbox provider (see
/// `App::add_signature_test_anchor`, which a store needs for the same verdicts).
#[uniffi::export]
pub async fn inspect_file_with_test_anchor(
    data: Vec<u8>,
    signature_test_anchor: String,
) -> Result<FileReport> {
    blocking(move || {
        let pem = read_capped(Path::new(&signature_test_anchor), limits::MAX_CA_FILE_BYTES)
            .map_err(|e| with_path(Path::new(&signature_test_anchor), e.into()))?;
        let trust = bundled_trust()
            .clone()
            .with_anchor_pem(&pem, AnchorRole::PecProviders)
            .map_err(|e| PecError::invalid(format!("{signature_test_anchor}: {e}")))?;
        file_report(trust, &data)
    })
    .await
}

fn file_report(trust: TrustStore, data: &[u8]) -> Result<FileReport> {
    check_for(data, FilePurpose::Message)?;
    let doc = Analyzer::new(trust).analyze_document(data)?;
    Ok(FileReport {
        text: report::describe(&doc),
        json: serde_json::Value::Object(report::facts_json(&doc)).to_string(),
    })
}

/// Open an invoice file (named when the name is known: it tells `.p7m` from `.xml`).
pub(crate) fn open_invoice(file_name: Option<&str>, data: &[u8]) -> Result<fatturapa::Opened> {
    check_for(data, FilePurpose::Invoice)?;
    Ok(match file_name {
        Some(name) => fatturapa::open_named(data, name, bundled_trust())?,
        None => fatturapa::open(data, bundled_trust())?,
    })
}

/// Render an invoice file (`.xml`, `.xml.p7m` in any form, or a whole `.eml` carrying one).
#[uniffi::export]
pub async fn render_invoice_file(
    file_name: Option<String>,
    data: Vec<u8>,
    style: InvoiceStyle,
) -> Result<InvoiceView> {
    blocking(move || {
        let opened = open_invoice(file_name.as_deref(), &data)?;
        Ok(invoice_view(&opened, style, file_name))
    })
    .await
}

/// An invoice file's facts as one JSON object (format, SDI file name, signature, integrity,
/// per-body number, date, total, parties, lines, attachments; or the SdI notification's type,
/// id, outcome and errors): what `pec invoice --json` prints, for export.
#[uniffi::export]
pub async fn invoice_file_summary(file_name: Option<String>, data: Vec<u8>) -> Result<String> {
    blocking(move || {
        let opened = open_invoice(file_name.as_deref(), &data)?;
        Ok(fatturapa::summary_json(&opened).to_string())
    })
    .await
}

/// An invoice file's attachments (Allegati), with safe and distinct file names.
#[uniffi::export]
pub async fn invoice_file_attachments(
    file_name: Option<String>,
    data: Vec<u8>,
) -> Result<Vec<SharedFile>> {
    blocking(move || {
        let opened = open_invoice(file_name.as_deref(), &data)?;
        let files = fatturapa::attachment_files(&opened).ok_or_else(|| PecError::InvalidInput {
            detail: "the file is an SdI message: it has no attachments".into(),
        })?;
        Ok(files
            .into_iter()
            .map(|(file_name, data)| SharedFile {
                mime: pec_core::files::mime_type(&file_name).to_string(),
                file_name,
                data,
            })
            .collect())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A picked file stays a file: the attachment names it, carries no bytes, and one over the
    /// cap is refused from its size alone (a sparse file: nothing is read).
    #[test]
    fn an_attachment_from_a_path_is_never_read_into_memory() {
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("atto.pdf");
        std::fs::write(&small, b"%PDF-1.4").unwrap();
        let rt = crate::runtime::rt().unwrap();
        let a = rt
            .block_on(attachment_from_path(small.to_string_lossy().into_owned()))
            .unwrap();
        assert_eq!(a.file_name, "atto.pdf");
        assert!(a.data.is_empty());
        assert_eq!(a.path.as_deref(), Some(small.to_str().unwrap()));

        let big = dir.path().join("enorme.bin");
        let f = std::fs::File::create(&big).unwrap();
        f.set_len(FilePurpose::Attachment.limit() + 1).unwrap();
        let refused = rt.block_on(attachment_from_path(big.to_string_lossy().into_owned()));
        assert!(
            matches!(refused, Err(PecError::TooLarge { .. })),
            "{refused:?}"
        );
        let missing = rt.block_on(attachment_from_path("/nonexistent/x.pdf".into()));
        assert!(
            matches!(missing, Err(PecError::Unreadable { .. })),
            "{missing:?}"
        );
    }
}
