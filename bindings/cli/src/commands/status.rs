//! `pec status ID [--json]`: the legal status of a sent PEC, per recipient with its timeline.
//! ID is what `pec send` printed (or the Message-ID). Unless `--offline`, queued messages are
//! retried and new receipts fetched first.

use crate::facade::{block, exit, open, print_json};
use crate::json;
use crate::out::say;
use pec_ffi::{SendStatusView, SendStep};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// Outbox ID printed by `pec send`, or the message's Message-ID.
    pub id: String,
    /// `{"id", "state", "recipients": [{"address", "state", "reason", "events": [{"kind", "at"}]}], …}`
    #[arg(long)]
    pub json: bool,
    /// Do not contact the server (show what is known locally).
    #[arg(long)]
    pub offline: bool,
}

pub fn run(data_dir: &Path, args: Args) -> ExitCode {
    exit(run_inner(data_dir, args))
}

fn time(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|d| {
            d.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|| at.to_string())
}

fn step_name(s: SendStep) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn print_human(st: &SendStatusView) {
    say!(
        "PEC {} «{}»: {}",
        st.outbox_id,
        st.subject.as_deref().unwrap_or(""),
        step_name(st.step)
    );
    say!("  Message-ID: <{}>", st.message_id);
    if let Some(e) = &st.error {
        say!("  error: {}", e);
    }
    for r in &st.recipients {
        let note = match r.certified {
            Some(false) => " (not PEC: no delivery receipt)",
            _ => "",
        };
        say!("  {}: {}{}", r.address, step_name(r.step), note);
        if let Some(reason) = &r.reason {
            say!("      reason: {}", reason);
        }
        for e in &r.events {
            say!("      {}  {}", time(e.at), e.kind.as_str());
        }
    }
}

fn run_inner(data_dir: &Path, args: Args) -> Result<(), String> {
    let app = open(data_dir)?;
    let id = block(app.find_outbox(args.id.clone())).map_err(|e| e.to_string())?;
    if !args.offline {
        let account = block(app.send_status(id))
            .map_err(|e| e.to_string())?
            .account_id;
        let work = async {
            if let Err(e) = app.send_pending(account).await {
                eprintln!("pec: outbox: {e}");
            }
            if let Err(e) = app.refresh_receipts(account).await {
                eprintln!("pec: receipts: {e}");
            }
        };
        let timed_out = block(async {
            Ok(tokio::time::timeout(Duration::from_secs(300), work)
                .await
                .is_err())
        })
        .unwrap_or(true);
        if timed_out {
            eprintln!("pec: the server did not answer; showing what is known");
        }
    }
    let st = block(app.send_status(id)).map_err(|e| e.to_string())?;
    if args.json {
        print_json(&json::status(&st))
    } else {
        print_human(&st);
        Ok(())
    }
}
