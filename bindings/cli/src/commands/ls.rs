//! `pec ls [FOLDER] [--hide-receipts] [--json]`: a folder (name or role), or a virtual folder
//! (`invoices`, `receipts`, `all`); `pec ls --folders` lists folders with counts.

use super::account::{fail, open_store, resolve_account};
use pec_core::store::{DeliverySummary, ListQuery, MessageSummary, PecKind, View};
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

pub fn delivery_mark(d: Option<DeliverySummary>) -> &'static str {
    match d {
        None => "",
        Some(DeliverySummary::Sent) => "·",
        Some(DeliverySummary::Accepted) | Some(DeliverySummary::Partial) => "✓",
        Some(DeliverySummary::Delivered) => "✓✓",
        Some(DeliverySummary::Warning) => "!",
        Some(DeliverySummary::Failed) => "✗",
    }
}

pub fn format_date(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

pub fn print_rows(rows: &[MessageSummary], json: bool) -> ExitCode {
    if json {
        return match serde_json::to_string_pretty(rows) {
            Ok(s) => {
                println!("{s}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        };
    }
    for m in rows {
        let who = m
            .sender_addr
            .as_deref()
            .or(m.from_name.as_deref())
            .or(m.from_addr.as_deref())
            .unwrap_or("");
        let kind = match m.kind {
            PecKind::Receipt => format!("[{}] ", m.receipt_type.as_deref().unwrap_or("ricevuta")),
            PecKind::Anomaly => "[anomalia] ".into(),
            _ => String::new(),
        };
        let subject = m
            .original_subject
            .as_deref()
            .or(m.subject.as_deref())
            .unwrap_or("");
        println!(
            "{:>7} {} {} {:<30.30} {kind}{subject}{}{} {}",
            m.id,
            format_date(m.date),
            if m.seen { " " } else { "*" },
            who,
            if m.has_attachments { " 📎" } else { "" },
            if m.is_invoice { " [fattura]" } else { "" },
            delivery_mark(m.delivery),
        );
    }
    ExitCode::SUCCESS
}

pub fn run(data_dir: &Path, args: Args) -> ExitCode {
    let store = match open_store(data_dir) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let account = match resolve_account(&store, args.account.as_deref()) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    if args.folders {
        let folders = match store.folders(account.id) {
            Ok(f) => f,
            Err(e) => return fail(e),
        };
        if args.json {
            return match serde_json::to_string_pretty(&folders) {
                Ok(s) => {
                    println!("{s}");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            };
        }
        for f in folders {
            println!(
                "{:<30} {:<8} {:>6} {:>6} unread{}",
                f.name,
                f.role.map(|r| r.as_str()).unwrap_or(""),
                f.total,
                f.unread,
                f.myrights
                    .map(|r| format!("  rights {r}"))
                    .unwrap_or_default()
            );
        }
        return ExitCode::SUCCESS;
    }
    let name = args.folder.as_deref().unwrap_or("inbox");
    let view = match name.to_ascii_lowercase().as_str() {
        "invoices" | "fatture" => View::Invoices,
        "receipts" | "ricevute" => View::Receipts,
        "all" | "tutti" => View::All,
        _ => match store.find_folder(account.id, name) {
            Ok(Some(f)) => View::Folder(f.id),
            Ok(None) => return fail(format!("no folder {name:?} (pec ls --folders)")),
            Err(e) => return fail(e),
        },
    };
    let q = ListQuery {
        account: Some(account.id),
        view,
        hide_receipts: args.hide_receipts,
        limit: args.limit,
        before: None,
    };
    match store.list(&q) {
        Ok(rows) => print_rows(&rows, args.json),
        Err(e) => fail(e),
    }
}
