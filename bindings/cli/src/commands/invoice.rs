//! `pec invoice FILE`: open an e-invoice (.xml, .xml.p7m in any form, or a whole .eml carrying one),
//! render it as HTML, print a JSON summary, or extract its attachments (through the facade's
//! invoice-file functions).

use crate::facade::block;
use pec_ffi::InvoiceStyle;
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
    if let Some(dir) = &args.extract_attachments {
        let written = extract(&name, &data, dir)?;
        if !args.json && args.out.is_none() {
            for p in written {
                eprintln!("{}", p.display());
            }
        }
    }
    if args.json {
        let text = block(pec_ffi::invoice_file_summary(name, data)).map_err(detail)?;
        println!("{text}");
        return Ok(());
    }
    if args.extract_attachments.is_some() && args.out.is_none() {
        return Ok(());
    }
    let style = match args.style.as_str() {
        "ministerial" => InvoiceStyle::Ministerial,
        _ => InvoiceStyle::Compact,
    };
    let view = block(pec_ffi::render_invoice_file(name, data, style)).map_err(detail)?;
    match &args.out {
        Some(path) => std::fs::write(path, view.html)
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => {
            print!("{}", view.html);
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

fn extract(name: &Option<String>, data: &[u8], dir: &Path) -> Result<Vec<PathBuf>, String> {
    let files = block(pec_ffi::invoice_file_attachments(
        name.clone(),
        data.to_vec(),
    ))
    .map_err(detail)?;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut written = Vec::new();
    for f in files {
        let path = dir.join(&f.file_name);
        std::fs::write(&path, &f.data)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
