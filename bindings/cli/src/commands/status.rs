//! `pec status ID [--json]`: the legal status of a sent PEC, per recipient with its timeline.
//! ID is what `pec send` printed (or the Message-ID). Unless `--offline`, queued messages are
//! retried and new receipts fetched first.

use super::account::{fail, open_store};
use super::send::{outbox, runtime};
use pec_core::accounts::FileCredentialStore;
use pec_core::outbox::SendStatus;
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
    match run_inner(data_dir, args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
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

fn print_human(st: &SendStatus) {
    println!(
        "PEC {} «{}»: {}",
        st.id,
        st.subject.as_deref().unwrap_or(""),
        st.state.as_str()
    );
    println!("  Message-ID: <{}>", st.message_id);
    if let Some(e) = &st.error {
        println!("  error: {e}");
    }
    for r in &st.recipients {
        let note = match r.certified {
            Some(false) => " (not PEC: no delivery receipt)",
            _ => "",
        };
        println!("  {}: {}{note}", r.address, r.state.as_str());
        if let Some(reason) = &r.reason {
            println!("      reason: {reason}");
        }
        for e in &r.events {
            println!("      {}  {}", time(e.at), e.kind);
        }
    }
}

fn run_inner(data_dir: &Path, args: Args) -> Result<(), String> {
    let store = open_store(data_dir)?;
    let ob = outbox(&store, data_dir);
    let id = ob.find(&args.id).map_err(|e| e.to_string())?;
    if !args.offline {
        let entry = ob.entry(id).map_err(|e| e.to_string())?;
        let creds = FileCredentialStore::new(data_dir);
        let rt = runtime()?;
        rt.block_on(async {
            let work = async {
                if let Err(e) = ob.process(entry.account_id, &creds).await {
                    eprintln!("pec: outbox: {e}");
                }
                if let Err(e) = ob.poll_receipts(entry.account_id, &creds).await {
                    eprintln!("pec: receipts: {e}");
                }
            };
            if tokio::time::timeout(Duration::from_secs(300), work)
                .await
                .is_err()
            {
                eprintln!("pec: the server did not answer; showing what is known");
            }
        });
    }
    let st = ob.status(id).map_err(|e| e.to_string())?;
    if args.json {
        use std::io::Write;
        let json = serde_json::to_string_pretty(&st).map_err(|e| e.to_string())?;
        // A closed pipe (`| head`) is not an error worth a panic.
        let _ = writeln!(std::io::stdout().lock(), "{json}");
    } else {
        print_human(&st);
    }
    Ok(())
}
