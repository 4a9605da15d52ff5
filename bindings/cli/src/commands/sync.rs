//! `pec sync [--full]`: one pass over every folder through the facade; a progress bar on a
//! terminal, none when piped. `pec sync --background`: the pass the apps run while away;
//! `pec sync --live`: the sync they run while on screen (`live.rs`).

use crate::facade::{block, fail, open, print_json, resolve_account};
use crate::out::say;
use pec_ffi::{
    BackgroundSummary, BodyDownload, ErrorEvent, QuotaLevel, SyncListener, SyncProgress,
};
use std::io::IsTerminal;
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
    /// The pass the apps run while away, as they run it: every account that may sync, with the
    /// settings' downloads, then the address books. Exits with 75 (try again sooner) when an
    /// account's server could not be reached.
    #[arg(long, conflicts_with_all = ["full", "account", "stats"])]
    pub background: bool,
    /// Stay in sync as the apps do while on screen (every account that may sync, through IDLE;
    /// the address books at the settings' interval), printing each message that arrives in an
    /// inbox, until interrupted or `--for` seconds have passed.
    #[arg(long, conflicts_with_all = ["full", "account", "stats", "background", "json"])]
    pub live: bool,
    /// With `--live`: stop after this many seconds.
    #[arg(long = "for", value_name = "SECONDS", requires = "live")]
    pub for_seconds: Option<u64>,
    /// Print timings, counts and the sync's own peak resident memory (Linux) on standard error
    /// when done.
    #[arg(long)]
    pub stats: bool,
    /// Print the summary as JSON (`{"account", "folders", "added", "updated", "removed",
    /// "bodies", "actions_replayed", "first_rows_ms"}`).
    #[arg(long)]
    pub json: bool,
}

/// Draws one line on standard error: folder, bar, done/total.
struct ProgressBar;

impl SyncListener for ProgressBar {
    fn on_progress(&self, p: SyncProgress) {
        crate::progress::draw(&p.folder, p.done, p.total);
    }

    fn on_error(&self, _error: ErrorEvent) {}
}

pub fn run(data_dir: &Path, args: Args) -> ExitCode {
    let app = match open(data_dir) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    if args.live {
        return super::live::run(&app, args.for_seconds);
    }
    if args.background {
        return match block(app.background_pass()) {
            Ok(pass) => background_done(&pass, args.json),
            Err(e) => fail(format!("background pass: {e}")),
        };
    }
    let account = match resolve_account(&app, args.account.as_deref()) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let bodies = if args.full {
        BodyDownload::All
    } else {
        BodyDownload::ReceiptsOnly
    };
    let tty = std::io::stderr().is_terminal();
    let listener: Option<Arc<dyn SyncListener>> = if tty {
        Some(Arc::new(ProgressBar))
    } else {
        None
    };
    let measured = args.stats && crate::peak_rss::reset();
    let started = std::time::Instant::now();
    let result = block(app.sync(account.id, bodies, listener));
    if tty {
        crate::progress::clear();
    }
    match result {
        Ok(r) if args.json => {
            let mut v = serde_json::to_value(&r).unwrap_or_default();
            v["account"] = account.address.clone().into();
            crate::out::json_line(v);
            ExitCode::SUCCESS
        }
        Ok(r) => {
            say!(
                "{}: {} folders, {} new, {} updated, {} removed, {} bodies, {} actions replayed",
                account.address,
                r.folders,
                r.added,
                r.updated,
                r.removed,
                r.bodies,
                r.actions_replayed
            );
            warn_if_full(&app, account.id);
            if args.stats {
                let peak = crate::peak_rss::peak_kib().filter(|_| measured);
                eprintln!(
                    "elapsed_ms={} first_rows_ms={} sync_peak_rss_kb={}",
                    started.elapsed().as_millis(),
                    r.first_rows_ms
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "-".into()),
                    peak.map(|k| k.to_string()).unwrap_or_else(|| "-".into())
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(format!("sync {}: {e}", account.address)),
    }
}

/// What a background pass did, one line per account and per book (or JSON).
fn background_done(pass: &BackgroundSummary, json: bool) -> ExitCode {
    if json {
        if let Err(e) = print_json(pass) {
            return fail(e);
        }
    } else {
        for a in &pass.arrived {
            say!("{}: {} new", a.name, a.added);
            match a.quota_alert {
                Some(QuotaLevel::NearlyFull) => say!("{}: the box became nearly full", a.name),
                Some(QuotaLevel::Full) => say!("{}: the box became FULL", a.name),
                _ => {}
            }
        }
        super::address_books::say_reports(&pass.books);
    }
    if pass.retry {
        eprintln!("a server could not be reached: try again sooner");
        return ExitCode::from(75);
    }
    ExitCode::SUCCESS
}

/// A warning on standard error when the box is nearly full or full after the sync (the core's
/// rule): a full PEC box refuses incoming certified mail and the receipts of what it sends.
fn warn_if_full(app: &pec_ffi::App, account: i64) {
    let Ok(a) = block(app.account(account)) else {
        return;
    };
    let said = match a.quota {
        QuotaLevel::NearlyFull => "nearly full",
        QuotaLevel::Full => "FULL",
        QuotaLevel::Room | QuotaLevel::Unknown => return,
    };
    eprintln!(
        "pec: warning: {} is {said}: incoming PEC and the receipts of what you send may be refused; empty the trash (`pec rm --all-in trash`) or make room",
        a.address
    );
}
