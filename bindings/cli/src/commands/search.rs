//! `pec search QUERY [--json]`: words, `from:` `to:` `subject:` `body:` `after:` `before:` `in:`.

use super::ls::print_rows;
use crate::facade::{block, fail, open, resolve_account};
use pec_ffi::SearchFilters;
use std::path::Path;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The query (several words are ANDed).
    #[arg(required = true)]
    pub query: Vec<String>,
    #[arg(long)]
    pub json: bool,
    #[arg(long)]
    pub hide_receipts: bool,
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    #[arg(long)]
    pub account: Option<String>,
}

pub fn run(data_dir: &Path, args: Args) -> ExitCode {
    let app = match open(data_dir) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let account = match resolve_account(&app, args.account.as_deref()) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let filters = SearchFilters {
        text: args.query.join(" "),
        hide_receipts: args.hide_receipts,
        limit: args.limit.max(1),
        ..SearchFilters::default()
    };
    match block(app.search(Some(account.id), filters)) {
        Ok(rows) => print_rows(&rows, args.json),
        Err(e) => fail(e),
    }
}
