//! `pec show ID [--json]`: one message with its PEC data, recipients' delivery states and receipts;
//! the text when the body is cached (`--fetch` downloads it).

use super::account::{fail, open_store};
use super::ls::{delivery_mark, format_date};
use pec_core::accounts::FileCredentialStore;
use pec_core::store::ingest;
use pec_core::sync::SyncEngine;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

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
    let store = match open_store(data_dir) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let mut raw = match store.body(args.id) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    if raw.is_none() && args.fetch {
        let engine = SyncEngine::new(store.clone(), Arc::new(FileCredentialStore::new(data_dir)));
        let rt = match tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => return fail(e),
        };
        match rt.block_on(engine.fetch_body(args.id)) {
            Ok(r) => raw = Some(r),
            Err(e) => return fail(e),
        }
    }
    let d = match store.message(args.id) {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    if args.raw {
        return match raw {
            Some(r) => {
                use std::io::Write;
                let _ = std::io::stdout().write_all(&r);
                ExitCode::SUCCESS
            }
            None => fail("body not downloaded (pec show ID --fetch, or pec sync --full)"),
        };
    }
    let text = raw
        .as_deref()
        .map(ingest::analyze)
        .and_then(|r| r.body_text);
    if args.json {
        let mut v = match serde_json::to_value(&d) {
            Ok(v) => v,
            Err(e) => return fail(e),
        };
        if let Some(obj) = v.as_object_mut() {
            obj.insert("text".into(), text.into());
        }
        return match serde_json::to_string_pretty(&v) {
            Ok(s) => {
                println!("{s}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        };
    }
    let s = &d.summary;
    println!(
        "Id:        {} ({} uid {})",
        s.id,
        s.folder,
        s.uid.map(|u| u.to_string()).unwrap_or_else(|| "-".into())
    );
    println!(
        "Kind:      {:?}{}",
        s.kind,
        s.receipt_type
            .as_deref()
            .map(|t| format!(" ({t})"))
            .unwrap_or_default()
    );
    println!("Date:      {}", format_date(s.date));
    println!(
        "From:      {}{}",
        s.from_name
            .as_deref()
            .map(|n| format!("{n} "))
            .unwrap_or_default(),
        s.from_addr.as_deref().unwrap_or("")
    );
    if let Some(real) = &s.sender_addr {
        println!("Sender:    {real}");
    }
    println!("Subject:   {}", s.subject.as_deref().unwrap_or(""));
    if let Some(m) = &d.message_id {
        println!("Message-ID: <{m}>");
    }
    if let Some(r) = &d.ref_message_id {
        println!("Refers to: <{r}>");
    }
    if let Some(i) = &d.identificativo {
        println!("PEC id:    {i}");
    }
    if let Some(e) = &d.pec_error {
        println!("Error:     {e}");
    }
    if let Some(sig) = &d.signature {
        println!("Signature: {sig}");
    }
    if s.delivery.is_some() {
        println!("Delivery:  {:?} {}", s.delivery, delivery_mark(s.delivery));
    }
    let tracked = s.delivery.is_some();
    for r in d.recipients.iter().filter(|_| !tracked) {
        println!("  {:<4} {}", r.field, r.address);
    }
    for r in d.recipients.iter().filter(|_| tracked) {
        let when = r
            .delivered_at
            .or(r.failed_at)
            .or(r.warning_at)
            .or(r.accepted_at);
        println!(
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
                Some(sent) => println!("Receipt of message {sent}"),
                None => println!("Receipt not yet matched to a sent message (kept)"),
            }
        } else {
            println!(
                "  receipt {} {}{} {}",
                r.receipt_id,
                r.receipt_type,
                r.recipient
                    .as_deref()
                    .map(|x| format!(" for {x}"))
                    .unwrap_or_default(),
                r.at.map(format_date).unwrap_or_default()
            );
        }
    }
    for a in &d.attachments {
        println!(
            "  attachment {} ({}, {} bytes)",
            a.filename.as_deref().unwrap_or("(no name)"),
            a.mime,
            a.size
        );
    }
    if !d.labels.is_empty() {
        println!("Labels:    {}", d.labels.join(", "));
    }
    println!();
    match text {
        Some(t) => println!("{t}"),
        None if raw.is_some() => println!("(no text part)"),
        None => println!(
            "(body not downloaded: pec show {} --fetch, or pec sync --full)",
            s.id
        ),
    }
    ExitCode::SUCCESS
}
