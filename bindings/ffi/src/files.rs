//! Files handed to the app (opened from the file manager, a share sheet, or `pec` arguments):
//! what a message, daticert.xml or REM evidence file is, and invoice files (HTML, facts, their
//! attachments). Free functions: no data directory involved.

use crate::app::{bundled_trust, invoice_view};
use crate::error::{PecError, Result};
use crate::runtime::blocking;
use crate::types::{InvoiceStyle, InvoiceView, SharedFile};
use pec_core::fatturapa;
use pec_core::message::{Analyzer, report};
use pec_core::signature::{AnchorRole, TrustStore};

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
        let pem = std::fs::read(&signature_test_anchor).map_err(|e| PecError::Unreadable {
            detail: format!("{signature_test_anchor}: {e}"),
        })?;
        let trust = bundled_trust()
            .clone()
            .with_anchor_pem(&pem, AnchorRole::PecProviders)
            .map_err(|e| PecError::invalid(format!("{signature_test_anchor}: {e}")))?;
        file_report(trust, &data)
    })
    .await
}

fn file_report(trust: TrustStore, data: &[u8]) -> Result<FileReport> {
    let doc = Analyzer::new(trust).analyze_document(data)?;
    Ok(FileReport {
        text: report::describe(&doc),
        json: serde_json::Value::Object(report::facts_json(&doc)).to_string(),
    })
}

fn open(file_name: Option<&str>, data: &[u8]) -> Result<fatturapa::Opened> {
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
        let opened = open(file_name.as_deref(), &data)?;
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
        let opened = open(file_name.as_deref(), &data)?;
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
        let opened = open(file_name.as_deref(), &data)?;
        let files = fatturapa::attachment_files(&opened).ok_or_else(|| PecError::InvalidInput {
            detail: "the file is an SdI message: it has no attachments".into(),
        })?;
        Ok(files
            .into_iter()
            .map(|(file_name, data)| SharedFile {
                mime: mime_guess(&file_name).to_string(),
                file_name,
                data,
            })
            .collect())
    })
    .await
}

fn mime_guess(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    match lower.rsplit('.').next().unwrap_or("") {
        "pdf" => "application/pdf",
        "xml" => "application/xml",
        "p7m" => "application/pkcs7-mime",
        "txt" => "text/plain",
        "zip" => "application/zip",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        _ => "application/octet-stream",
    }
}
