//! `pec invoice FILE`: open an e-invoice (.xml, .xml.p7m in any form, or a whole .eml carrying one),
//! render it as HTML, print a JSON summary, or extract its attachments.

use pec_core::fatturapa::{self, Document, Integrity, Opened, RenderStyle};
use pec_core::signature::TrustStore;
use serde_json::{Value, json};
use std::collections::HashSet;
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
    let data = std::fs::read(&args.file).map_err(|e| e.to_string())?;
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let opened =
        fatturapa::open_named(&data, &name, &TrustStore::bundled()).map_err(|e| e.to_string())?;
    if let Some(dir) = &args.extract_attachments {
        let written = extract(&opened, dir)?;
        if !args.json && args.out.is_none() {
            for p in written {
                eprintln!("{}", p.display());
            }
        }
    }
    if args.json {
        let text = serde_json::to_string(&summary(&opened)).map_err(|e| e.to_string())?;
        println!("{text}");
        return Ok(());
    }
    if args.extract_attachments.is_some() && args.out.is_none() {
        return Ok(());
    }
    let style: RenderStyle = args.style.parse()?;
    let html = fatturapa::render::render_opened(&opened, style);
    match &args.out {
        Some(path) => {
            std::fs::write(path, html).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => {
            print!("{html}");
            Ok(())
        }
    }
}

fn extract(opened: &Opened, dir: &Path) -> Result<Vec<PathBuf>, String> {
    let Some(inv) = opened.invoice() else {
        return Err("the file is an SdI message: it has no attachments".into());
    };
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut used = HashSet::new();
    let mut written = Vec::new();
    let mut index = 0;
    for body in &inv.bodies {
        for a in &body.allegati {
            let mut name = a.safe_file_name(index);
            if !used.insert(name.clone()) {
                name = format!("{}_{name}", index + 1);
                used.insert(name.clone());
            }
            let path = dir.join(&name);
            std::fs::write(&path, &a.data)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            written.push(path);
            index += 1;
        }
    }
    Ok(written)
}

fn signature_json(opened: &Opened) -> Value {
    match &opened.signature {
        None => Value::Null,
        Some(r) => json!({
            "status": r.status.as_str(),
            "signer_cn": r.signer_cn,
            "signing_time": r.signing_time.map(|t| t.to_rfc3339()),
        }),
    }
}

/// The JSON object printed by `--json`.
pub fn summary(opened: &Opened) -> Value {
    let integrity = match opened.integrity {
        Integrity::NotSigned => "not_signed",
        Integrity::SignedIntact { trusted: true } => "signed_intact",
        Integrity::SignedIntact { trusted: false } => "signed_intact_untrusted",
    };
    match &opened.document {
        Document::Invoice(inv) => {
            let seller = inv.header.cedente_prestatore.display_name();
            let buyer = inv.header.cessionario_committente.display_name();
            let bodies: Vec<Value> = inv
                .bodies
                .iter()
                .map(|b| {
                    let d = b.documento();
                    json!({
                        "document_type": d.tipo_documento.code(),
                        "number": d.numero,
                        "date": d.data.format("%Y-%m-%d").to_string(),
                        "total": b.total().to_string(),
                        "total_computed": b.total_is_computed(),
                        "currency": d.divisa,
                        "seller": seller,
                        "buyer": buyer,
                        "lines": b.dettaglio_linee.len(),
                        "attachments": b.allegati.iter().map(|a| json!({
                            "name": a.nome_attachment,
                            "format": a.formato_attachment,
                            "size": a.size,
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            json!({
                "format": inv.format.as_str(),
                "sdi_file": opened.sdi_file,
                "signature": signature_json(opened),
                "integrity": integrity,
                "bodies": bodies,
            })
        }
        Document::Notification(n) => json!({
            "notification": {
                "type": n.kind.as_str(),
                "sdi_id": n.identificativo_sdi,
                "file_name": n.nome_file,
                "date": n.date(),
                "outcome": n.esito_committente.as_ref().map(|e| e.esito.code().to_string()),
                "errors": n.lista_errori.iter().map(|e| json!({"code": e.codice, "description": e.descrizione})).collect::<Vec<_>>(),
            },
            "signature": signature_json(opened),
            "integrity": integrity,
            "sdi_file": opened.sdi_file,
        }),
    }
}
