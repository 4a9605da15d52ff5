//! An opened invoice's facts as JSON ([`summary_json`]) and its attachments as files with safe,
//! distinct names ([`attachment_files`]).

use super::{Document, Integrity, Opened};
use serde_json::{Value, json};
use std::collections::HashSet;

/// The invoice's attachments (Allegati of every body) as `(file name, bytes)`: names made safe
/// (`Allegato::safe_file_name`) and distinct (a repeated name gets its position as a prefix).
/// `None` for an SdI notification, which has none.
pub fn attachment_files(opened: &Opened) -> Option<Vec<(String, Vec<u8>)>> {
    let inv = opened.invoice()?;
    let mut used = HashSet::new();
    let mut out = Vec::new();
    let mut index = 0;
    for body in &inv.bodies {
        for a in &body.allegati {
            let mut name = a.safe_file_name(index);
            if !used.insert(name.clone()) {
                name = format!("{}_{name}", index + 1);
                used.insert(name.clone());
            }
            out.push((name, a.data.clone()));
            index += 1;
        }
    }
    Some(out)
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

/// The facts of an opened invoice or SdI notification as one JSON object (what `pec invoice
/// --json` prints): `format`, `sdi_file`, `signature`, `integrity` and per body `document_type`,
/// `number`, `date`, `total`, `total_computed`, `currency`, `seller`, `buyer`, `lines`,
/// `attachments`; for a notification `notification` {`type`, `sdi_id`, `file_name`, `date`,
/// `outcome`, `errors`}.
pub fn summary_json(opened: &Opened) -> Value {
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
