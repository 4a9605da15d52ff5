//! `pec ls [FOLDER] [--hide-receipts] [--json]`: a folder (name or role), or a virtual folder
//! (`invoices`, `receipts`, `all`); `pec ls --folders` lists folders with counts.

use crate::facade::{block, fail, open, print_json, resolve_account};
use crate::json;
use crate::out::say;
use pec_ffi::{DeliveryMark, FolderKind, InvoiceRow, ListRow, MessageKind, PageCursor, ViewRef};
use std::path::Path;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Folder name or role (inbox, sent, trash, …), or invoices | receipts | all. Default: inbox.
    pub folder: Option<String>,
    #[arg(long)]
    pub hide_receipts: bool,
    #[arg(long)]
    pub json: bool,
    /// List the folders with their counts instead.
    #[arg(long)]
    pub folders: bool,
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    #[arg(long)]
    pub account: Option<String>,
}

/// The list's delivery ticks: · sent, ✓ accepted, ✓✓ delivered, ! warning, ✗ failed.
pub fn delivery_mark(d: Option<DeliveryMark>) -> &'static str {
    match d {
        None => "",
        Some(DeliveryMark::Sent) => "·",
        Some(DeliveryMark::Accepted) | Some(DeliveryMark::Partial) => "✓",
        Some(DeliveryMark::Delivered) => "✓✓",
        Some(DeliveryMark::Warning) => "!",
        Some(DeliveryMark::Failed) => "✗",
    }
}

pub fn format_date(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

pub fn print_rows(rows: &[ListRow], as_json: bool) -> ExitCode {
    if as_json {
        let v: Vec<_> = rows.iter().map(json::row).collect();
        return match print_json(&v) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(e),
        };
    }
    for m in rows {
        let kind = match m.kind {
            MessageKind::Receipt => {
                format!("[{}] ", m.receipt_type.map_or("ricevuta", |k| k.as_str()))
            }
            MessageKind::Anomaly => "[anomalia] ".into(),
            _ => String::new(),
        };
        say!(
            "{:>7} {} {} {:<30.30} {kind}{}{}{} {}",
            m.id,
            format_date(m.date),
            if m.seen { " " } else { "*" },
            m.sender,
            m.subject,
            if m.attachments { " 📎" } else { "" },
            if m.invoice { " [fattura]" } else { "" },
            delivery_mark(m.delivery),
        );
    }
    ExitCode::SUCCESS
}

/// The invoices folder: number, seller and total of each invoice file (`--json`: the list row
/// plus `number`, `seller`, `seller_vat`, `total`, `currency`, `document_type` of the first file
/// and `invoices`, every file's details).
fn print_invoices(rows: &[InvoiceRow], as_json: bool) -> ExitCode {
    if as_json {
        let v: Vec<_> = rows
            .iter()
            .map(|r| {
                let mut o = json::row(&r.row);
                let first = r.invoices.first();
                o["number"] = first.and_then(|i| i.number.clone()).into();
                o["seller"] = first.and_then(|i| i.seller.clone()).into();
                o["seller_vat"] = first.and_then(|i| i.seller_vat.clone()).into();
                o["total"] = first.and_then(|i| i.total.clone()).into();
                o["currency"] = first.and_then(|i| i.currency.clone()).into();
                o["document_type"] = first.and_then(|i| i.document_type.clone()).into();
                o["invoices"] = serde_json::to_value(&r.invoices).unwrap_or_default();
                o
            })
            .collect();
        return match print_json(&v) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(e),
        };
    }
    for r in rows {
        let m = &r.row;
        if r.invoices.is_empty() {
            say!(
                "{:>7} {} {} {:<16} {:<30.30} (details once downloaded: pec show {} --fetch)",
                m.id,
                format_date(m.date),
                if m.seen { " " } else { "*" },
                "-",
                m.sender,
                m.id
            );
        }
        for i in &r.invoices {
            say!(
                "{:>7} {} {} {:<16} {:<30.30} {:>14} {}{}",
                m.id,
                format_date(m.date),
                if m.seen { " " } else { "*" },
                i.number.as_deref().unwrap_or("-"),
                i.seller.as_deref().unwrap_or(&m.sender),
                i.total.as_deref().unwrap_or("-"),
                i.currency.as_deref().unwrap_or(""),
                if i.documents > 1 {
                    format!(" ({} documents)", i.documents)
                } else {
                    String::new()
                }
            );
        }
    }
    ExitCode::SUCCESS
}

fn kind_name(k: Option<FolderKind>) -> &'static str {
    match k {
        Some(FolderKind::Inbox) => "inbox",
        Some(FolderKind::Sent) => "sent",
        Some(FolderKind::Drafts) => "drafts",
        Some(FolderKind::Trash) => "trash",
        Some(FolderKind::Junk) => "junk",
        Some(FolderKind::Archive) => "archive",
        Some(FolderKind::Outbox) => "outbox",
        Some(FolderKind::Other) | None => "",
    }
}

pub fn run(data_dir: &Path, args: Args) -> ExitCode {
    match run_inner(data_dir, args) {
        Ok(code) => code,
        Err(e) => fail(e),
    }
}

fn run_inner(data_dir: &Path, args: Args) -> Result<ExitCode, String> {
    let app = open(data_dir)?;
    let account = resolve_account(&app, args.account.as_deref())?;
    if args.folders {
        let menu = block(app.folder_menu(account.id)).map_err(|e| e.to_string())?;
        if args.json {
            print_json(&menu)?;
            return Ok(ExitCode::SUCCESS);
        }
        for f in menu {
            let name = match f.view {
                ViewRef::Invoices => "(invoices)".to_string(),
                ViewRef::Receipts => "(receipts)".to_string(),
                _ => f.path.clone(),
            };
            say!(
                "{:<30} {:<8} {:>6} {:>6} unread",
                name,
                kind_name(f.kind),
                f.total,
                f.unread
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let view = view_named(&app, account.id, args.folder.as_deref().unwrap_or("inbox"))?;
    if view == ViewRef::Invoices {
        let rows = pages(args.limit, |cursor, n| {
            let p = block(app.invoices_page(account.id, cursor, n)).map_err(|e| e.to_string())?;
            Ok((p.rows, p.next))
        })?;
        return Ok(print_invoices(&rows, args.json));
    }
    let rows = pages(args.limit, |cursor, n| {
        let p =
            block(app.list_page_filtered(account.id, view.clone(), cursor, n, args.hide_receipts))
                .map_err(|e| e.to_string())?;
        Ok((p.rows, p.next))
    })?;
    Ok(print_rows(&rows, args.json))
}

/// Up to `limit` rows, page after page: the facade returns at most
/// `pec_core::limits::MAX_PAGE_ROWS` per call, and `--limit 100000` means 100,000 (or all).
fn pages<T>(
    limit: u32,
    mut fetch: impl FnMut(Option<PageCursor>, u32) -> Result<(Vec<T>, Option<PageCursor>), String>,
) -> Result<Vec<T>, String> {
    let mut rows = Vec::new();
    let mut cursor = None;
    while (rows.len() as u32) < limit {
        let (page, next) = fetch(cursor, limit - rows.len() as u32)?;
        rows.extend(page);
        match next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    Ok(rows)
}

/// The list a user names: a folder (name, path or role), or the virtual invoices, receipts,
/// undelivered, all.
pub fn view_named(app: &pec_ffi::App, account: i64, name: &str) -> Result<ViewRef, String> {
    Ok(match name.to_ascii_lowercase().as_str() {
        "invoices" | "fatture" => ViewRef::Invoices,
        "receipts" | "ricevute" => ViewRef::Receipts,
        "undelivered" | "non-consegnati" => ViewRef::Undelivered,
        "all" | "tutti" => ViewRef::All,
        _ => match block(app.find_folder(account, name.to_string())).map_err(|e| e.to_string())? {
            Some(f) => f.view,
            None => return Err(format!("no folder {name:?} (pec ls --folders)")),
        },
    })
}
