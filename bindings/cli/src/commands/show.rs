//! `pec show ID [--json]`: one message with its PEC data, recipients' delivery states and receipts;
//! the text when the body is cached (`--fetch` downloads it).

use super::ls::{delivery_mark, format_date};
use crate::facade::{block, exit, open, print_json};
use crate::json;
use crate::out::say;
use pec_ffi::{MessageView, SignatureState};
use serde_json::json;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    pub id: i64,
    #[arg(long)]
    pub json: bool,
    /// Download the body from the server if it is not cached.
    #[arg(long)]
    pub fetch: bool,
    /// Print the raw message instead.
    #[arg(long)]
    pub raw: bool,
}

pub fn run(data_dir: &Path, args: Args) -> ExitCode {
    exit(run_inner(data_dir, args))
}

fn signature_name(s: SignatureState, downloaded: bool) -> &'static str {
    match s {
        SignatureState::NotChecked if downloaded => "not checked (the body could not be analysed)",
        SignatureState::Valid => "valid",
        SignatureState::Invalid => "invalid",
        SignatureState::Untrusted => "untrusted",
        SignatureState::Absent => "absent",
        SignatureState::NotChecked => "not checked (body not downloaded)",
    }
}

fn run_inner(data_dir: &Path, args: Args) -> Result<(), String> {
    let app = open(data_dir)?;
    let mut d = block(app.message(args.id)).map_err(|e| e.to_string())?;
    if !d.downloaded && args.fetch {
        block(app.download(args.id)).map_err(|e| e.to_string())?;
        d = block(app.message(args.id)).map_err(|e| e.to_string())?;
    }
    if args.raw {
        if !d.downloaded {
            return Err("body not downloaded (pec show ID --fetch, or pec sync --full)".into());
        }
        let raw = block(app.raw_message(args.id)).map_err(|e| e.to_string())?;
        let _ = std::io::stdout().write_all(&raw);
        return Ok(());
    }
    if args.json {
        return print_json(&detail_json(&d));
    }
    print_human(&d);
    Ok(())
}

/// `summary` (the list row), `message_id`, `ref_message_id`, `identificativo`, `pec_recipient`,
/// `pec_error`, `signature`, `body_cached`, `recipients`, `receipts`, `attachments`, `labels`,
/// `text`, and the facade's `pec` facts.
fn detail_json(d: &MessageView) -> serde_json::Value {
    json!({
        "summary": json::row(&d.row),
        "message_id": d.message_id,
        "ref_message_id": d.refers_to,
        "identificativo": d.pec.identifier,
        "pec_recipient": d.pec.receipt_recipient,
        "pec_error": d.pec.error,
        "signature": d.pec.signature.state,
        "body_cached": d.downloaded,
        "analysis_error": d.analysis_error,
        "recipients": d.recipients,
        "receipts": d.receipts,
        "attachments": d.attachments.iter().map(|a| json!({
            "filename": a.file_name, "mime": a.mime, "size": a.size, "section": a.section,
        })).collect::<Vec<_>>(),
        "labels": d.labels,
        "text": d.body_text,
        "pec": d.pec,
    })
}

fn print_human(d: &MessageView) {
    let s = &d.row;
    say!(
        "Id:        {} ({} uid {})",
        s.id,
        s.folder,
        s.uid.map(|u| u.to_string()).unwrap_or_else(|| "-".into())
    );
    say!(
        "Kind:      {}{}",
        json::kind_name(s.kind),
        d.pec
            .receipt_type
            .map(|t| format!(" ({})", t.as_str()))
            .unwrap_or_default()
    );
    say!("Date:      {}", format_date(s.date));
    say!(
        "From:      {}{}",
        s.from_name
            .as_deref()
            .map(|n| format!("{n} "))
            .unwrap_or_default(),
        s.from_address.as_deref().unwrap_or("")
    );
    if let Some(real) = &d.pec.original_sender {
        say!("Sender:    {}", real);
    }
    say!("Subject:   {}", s.raw_subject.as_deref().unwrap_or(""));
    if let Some(m) = &d.message_id {
        say!("Message-ID: <{}>", m);
    }
    if let Some(r) = &d.refers_to {
        say!("Refers to: <{}>", r);
    }
    if let Some(i) = &d.pec.identifier {
        say!("PEC id:    {}", i);
    }
    if let Some(e) = &d.pec.error {
        say!("Error:     {}", e);
    }
    if let Some(e) = &d.analysis_error {
        say!("Not analysed: {} (PEC facts and signature not checked)", e);
    }
    let sig = &d.pec.signature;
    if sig.state != SignatureState::Absent || d.pec.issuer.is_some() {
        say!(
            "Signature: {}{}",
            signature_name(sig.state, d.downloaded),
            sig.signer
                .as_deref()
                .map(|x| format!(" — {x}"))
                .unwrap_or_default()
        );
    }
    if d.pec.rewrapped {
        say!("           (signature found inside a re-wrapped or forwarded message)");
    }
    if s.kind != pec_ffi::MessageKind::Plain {
        say!(
            "Certified: {}",
            match (d.pec.certified, d.downloaded) {
                (true, _) => "yes (facts from the signed daticert.xml)",
                (false, true) => "NO (not proven by a valid PEC provider signature)",
                (false, false) => "unverified until the body is checked (pec show --fetch)",
            }
        );
    }
    for x in &d.pec.header_mismatches {
        say!(
            "TAMPERED:  header {}: {:?}, but the daticert says {:?}",
            x.header,
            x.header_value,
            x.daticert_value
        );
    }
    let tracked = s.delivery.is_some();
    if tracked {
        say!(
            "Delivery:  {} {}",
            s.delivery
                .map(|m| serde_json::to_value(m)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default())
                .unwrap_or_default(),
            delivery_mark(s.delivery)
        );
    }
    for r in &d.recipients {
        if !tracked {
            say!("  {:<4} {}", r.field, r.address);
            continue;
        }
        let when = r
            .delivered_at
            .or(r.failed_at)
            .or(r.warning_at)
            .or(r.accepted_at);
        say!(
            "  {:<4} {:<40} {:?}{}{}",
            r.field,
            r.address,
            r.state,
            when.map(|t| format!(" at {}", format_date(t)))
                .unwrap_or_default(),
            r.detail
                .as_deref()
                .map(|x| format!(" — {x}"))
                .unwrap_or_default()
        );
    }
    for r in &d.receipts {
        if r.receipt_id == s.id {
            match r.sent_id {
                Some(sent) => say!("Receipt of message {sent}"),
                None => say!("Receipt not yet matched to a sent message (kept)"),
            }
        } else {
            say!(
                "  receipt {} {}{} {}{}",
                r.receipt_id,
                r.receipt_type.as_str(),
                r.recipient
                    .as_deref()
                    .map(|x| format!(" for {x}"))
                    .unwrap_or_default(),
                r.at.map(format_date).unwrap_or_default(),
                if r.certified { "" } else { " (not certified)" }
            );
        }
    }
    for a in &d.attachments {
        say!(
            "  attachment {} ({}, {} bytes){}",
            a.file_name.as_deref().unwrap_or("(no name)"),
            a.mime,
            a.size,
            a.section
                .as_deref()
                .map(|s| format!(" [pec save {} {s}]", d.row.id))
                .unwrap_or_default()
        );
    }
    if !d.labels.is_empty() {
        say!("Labels:    {}", d.labels.join(", "));
    }
    say!();
    match &d.body_text {
        Some(t) => crate::out::text(t),
        None if d.downloaded => say!("(no text part)"),
        None => say!(
            "(body not downloaded: pec show {} --fetch, or pec sync --full)",
            s.id
        ),
    }
}
