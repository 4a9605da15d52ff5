//! `pec sync [--full]`: one pass over every folder; a progress bar on a terminal, none when piped.

use super::account::{fail, open_store, resolve_account};
use pec_core::accounts::FileCredentialStore;
use pec_core::sync::{BodyPolicy, SyncEngine, SyncEvent, SyncOptions};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(clap::Args)]
pub struct Args {
    /// Download every message body (offline mailbox), not only receipts.
    #[arg(long)]
    pub full: bool,
    /// Account address (default: the first account).
    #[arg(long)]
    pub account: Option<String>,
    /// Print timings and counts on standard error when done.
    #[arg(long)]
    pub stats: bool,
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
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(e),
    };
    let creds = Arc::new(FileCredentialStore::new(data_dir));
    let engine = SyncEngine::new(store, creds);
    let opts = SyncOptions {
        bodies: if args.full {
            BodyPolicy::All
        } else {
            BodyPolicy::ReceiptsOnly
        },
        ..SyncOptions::default()
    };
    let started = std::time::Instant::now();
    let tty = std::io::stderr().is_terminal();
    let result = rt.block_on(async {
        let _sub = tty.then(|| {
            engine.subscribe(|ev| {
                if let SyncEvent::Progress {
                    folder,
                    done,
                    total,
                    ..
                } = ev
                {
                    let width = 30usize;
                    let filled = if total == 0 {
                        width
                    } else {
                        (done.min(total) as usize * width) / total as usize
                    };
                    let mut err = std::io::stderr().lock();
                    let _ = write!(
                        err,
                        "\r\x1b[2K{folder:<20.20} [{}{}] {done}/{total}",
                        "#".repeat(filled),
                        " ".repeat(width - filled)
                    );
                    let _ = err.flush();
                }
            })
        });
        engine.sync_once(account.id, &opts).await
    });
    if tty {
        eprint!("\r\x1b[2K");
    }
    match result {
        Ok(r) => {
            println!(
                "{}: {} folders, {} new, {} updated, {} removed, {} bodies, {} actions replayed",
                account.config.address,
                r.folders,
                r.added,
                r.updated,
                r.removed,
                r.bodies,
                r.actions_replayed
            );
            if args.stats {
                eprintln!(
                    "elapsed_ms={} first_rows_ms={}",
                    started.elapsed().as_millis(),
                    r.first_rows_after
                        .map(|d| d.as_millis().to_string())
                        .unwrap_or_else(|| "-".into())
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(format!("sync {}: {e}", account.config.address)),
    }
}
