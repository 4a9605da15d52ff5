//! `pec invoice FILE`: open an e-invoice (.xml, .xml.p7m in any form, or a whole .eml carrying one),
//! render it as HTML, print a JSON summary, or extract its attachments (through the facade's
//! invoice-file functions).

use crate::facade::block;
use pec_ffi::{InvoiceStyle, SavedFile};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// HTML layout: compact (paper invoice) or ministerial (every section of the SdI stylesheet).
    #[arg(long, default_value = "compact", value_parser = ["compact", "ministerial"])]
    pub style: String,
    /// Write the HTML here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print one JSON object describing the file instead of HTML.
    #[arg(long)]
    pub json: bool,
    /// Write the invoice's attachments (Allegati) into this directory, with safe names.
    #[arg(long, value_name = "DIR")]
    pub extract_attachments: Option<PathBuf>,
    /// The file: .xml, .xml.p7m (DER, BER, base64, PEM) or .eml.
    pub file: PathBuf,
}

pub fn run(args: Args) -> ExitCode {
    match run_inner(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!(
                "pec invoice: {}: {}",
                args.file.display(),
                msg.replace('\n', " ")
            );
            ExitCode::FAILURE
        }
    }
}

fn run_inner(args: &Args) -> Result<(), String> {
    let data = block(pec_ffi::read_file(
        args.file.to_string_lossy().into_owned(),
        pec_ffi::FilePurpose::Invoice,
    ))
    .map_err(|e| e.to_string())?;
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    let saved = match &args.extract_attachments {
        Some(dir) => Some(extract(&name, &data, dir)?),
        None => None,
    };
    if args.json {
        let text = block(pec_ffi::invoice_file_summary(name, data)).map_err(detail)?;
        let mut summary: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| e.to_string())?;
        if let Some(saved) = &saved {
            summary["extracted"] = serde_json::to_value(saved).map_err(|e| e.to_string())?;
        }
        crate::out::json_line(summary);
        return extract_outcome(saved.as_deref());
    }
    if args.extract_attachments.is_some() && args.out.is_none() {
        return extract_outcome(saved.as_deref());
    }
    let style = match args.style.as_str() {
        "ministerial" => InvoiceStyle::Ministerial,
        _ => InvoiceStyle::Compact,
    };
    let view = block(pec_ffi::render_invoice_file(name, data, style)).map_err(detail)?;
    match &args.out {
        Some(path) => {
            std::fs::write(path, view.html)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            extract_outcome(saved.as_deref())
        }
        None => {
            crate::out::document(&view.html);
            Ok(())
        }
    }
}

/// The facade error's detail: the core's own words, as before the facade.
fn detail(e: pec_ffi::PecError) -> String {
    use pec_ffi::PecError as E;
    match e {
        E::NotFound { detail }
        | E::InvalidInput { detail }
        | E::Unreadable { detail }
        | E::SignatureInvalid { detail }
        | E::Internal { detail } => detail,
        other => other.to_string(),
    }
}

/// Write the invoice's attachments into `dir` (the facade's safe writer: new files only, no
/// links followed); each written path, or each failure, on standard error.
fn extract(name: &Option<String>, data: &[u8], dir: &Path) -> Result<Vec<SavedFile>, String> {
    let saved = block(pec_ffi::save_invoice_attachments(
        name.clone(),
        data.to_vec(),
        dir.to_string_lossy().into_owned(),
    ))
    .map_err(detail)?;
    for f in &saved {
        match (&f.path, &f.error) {
            (Some(p), _) => eprintln!("{p}"),
            (None, Some(e)) => eprintln!(
                "pec invoice: {}: not saved: {}",
                f.file_name.as_deref().unwrap_or("(no name)"),
                e.detail
            ),
            (None, None) => {}
        }
    }
    Ok(saved)
}

/// An error when any attachment was not written (after the others were).
fn extract_outcome(saved: Option<&[SavedFile]>) -> Result<(), String> {
    let failed = saved.map_or(0, |s| s.iter().filter(|f| f.error.is_some()).count());
    if failed > 0 {
        return Err(format!("{failed} attachment(s) not saved"));
    }
    Ok(())
}
