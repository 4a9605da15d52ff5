//! `pec search QUERY [--json]`: words, `from:` `to:` `subject:` `body:` `after:` `before:` `in:`.

use super::account::{fail, open_store, resolve_account};
use super::ls::print_rows;
use pec_core::store::SearchQuery;
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
    let store = match open_store(data_dir) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let account = match resolve_account(&store, args.account.as_deref()) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let mut q = SearchQuery::parse(&args.query.join(" "));
    q.account = Some(account.id);
    q.hide_receipts = args.hide_receipts;
    q.limit = args.limit;
    match store.search(&q) {
        Ok(rows) => print_rows(&rows, args.json),
        Err(e) => fail(e),
    }
}
