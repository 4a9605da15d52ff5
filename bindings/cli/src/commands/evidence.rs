//! `pec evidence ID [--out DIR] [--json]`: write a message's evidence as files to keep or hand to
//! a lawyer: the message as the server holds it (a received PEC: the provider's signed
//! envelope), its `daticert.xml`, every receipt of a sent PEC as received, and `SHA256SUMS`
//! (`sha256sum -c SHA256SUMS` in that folder proves later that nothing changed). Bodies not
//! downloaded yet are fetched; no file is ever replaced (`name (1).ext`).

use crate::facade::{block, exit, open, print_json};
use crate::out::say;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    pub id: i64,
    /// Directory to write into (created when missing). Default: `evidenza-ID`.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// One JSON object per file: `item`, `kind` (receipts), `path`, `size`, `sha256`.
    #[arg(long)]
    pub json: bool,
}

pub fn run(data_dir: &Path, args: Args) -> ExitCode {
    exit(run_inner(data_dir, args))
}

fn run_inner(data_dir: &Path, args: Args) -> Result<(), String> {
    let app = open(data_dir)?;
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from(format!("evidenza-{}", args.id)));
    let files = block(app.export_evidence(args.id, out.to_string_lossy().into_owned()))
        .map_err(|e| e.to_string())?;
    if args.json {
        return print_json(&files);
    }
    for f in &files {
        say!("{}  {} ({} bytes)", f.sha256, f.path, f.size);
    }
    Ok(())
}
