//! `pec send --to … [--cc …] --subject … --body … [--attach FILE]… [--receipt completa|breve|sintetica]`
//!
//! Validates, queues (the message is safe on disk from here on), submits once, prints the new
//! message's outbox ID on standard output. Warnings (non-PEC recipients) go to standard error.
//! A network failure leaves the message queued: the next `pec send`/`pec status` retries it.

use super::account::{fail, open_store, resolve_account};
use pec_core::accounts::{Account, FileCredentialStore};
use pec_core::compose::{Attachment, Draft, Mailbox, Priority, ReceiptType};
use pec_core::outbox::{Outbox, OutboxConfig, OutboxId};
use pec_core::store::Store;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Options shared by send, reply and forward.
#[derive(clap::Args, Clone)]
pub struct SendOpts {
    /// Account address (default: the first account).
    #[arg(long)]
    pub account: Option<String>,
    /// Attach a file (repeatable).
    #[arg(long = "attach", value_name = "FILE")]
    pub attach: Vec<PathBuf>,
    /// Receipt type asked of the provider (X-TipoRicevuta).
    #[arg(long, value_parser = parse_receipt, default_value = "completa")]
    pub receipt: ReceiptType,
    /// high or low priority.
    #[arg(long, value_parser = parse_priority)]
    pub priority: Option<Priority>,
    /// Signature appended to the body.
    #[arg(long)]
    pub signature: Option<String>,
    /// Override the provider's size rule (size × recipients, in MB) for this account, e.g. 100
    /// for Aruba's documented limit; remembered for later sends.
    #[arg(long, value_name = "MB")]
    pub provider_limit_mb: Option<u64>,
    /// Only queue: do not contact the server now.
    #[arg(long)]
    pub queue_only: bool,
    /// Print the result as JSON (`{"id", "message_id", "state", "warnings"}`).
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct Args {
    /// Recipient (repeatable). PEC has no Bcc.
    #[arg(long, required = true)]
    pub to: Vec<String>,
    #[arg(long)]
    pub cc: Vec<String>,
    /// Refused: PEC forbids hidden recipients (accepted here only to say so clearly).
    #[arg(long)]
    pub bcc: Vec<String>,
    #[arg(long)]
    pub subject: String,
    /// Plain-text body (`-` reads standard input).
    #[arg(long, default_value = "")]
    pub body: String,
    /// HTML body from a file.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    #[command(flatten)]
    pub opts: SendOpts,
}

fn parse_receipt(s: &str) -> Result<ReceiptType, String> {
    ReceiptType::parse(s).ok_or_else(|| format!("{s:?}: expected completa, breve or sintetica"))
}

fn parse_priority(s: &str) -> Result<Priority, String> {
    match s.to_ascii_lowercase().as_str() {
        "high" | "alta" => Ok(Priority::High),
        "low" | "bassa" => Ok(Priority::Low),
        "normal" | "normale" => Ok(Priority::Normal),
        _ => Err(format!("{s:?}: expected high, normal or low")),
    }
}

pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

pub fn outbox(store: &Store, data_dir: &Path) -> Outbox {
    Outbox::new(store.clone(), OutboxConfig::new(data_dir))
}

/// Apply the shared options, queue, submit once; print the ID. Used by send, reply, forward.
pub fn queue_and_send(
    data_dir: &Path,
    store: &Store,
    account: &Account,
    mut draft: Draft,
    opts: &SendOpts,
) -> Result<OutboxId, String> {
    for p in &opts.attach {
        draft.attachments.push(Attachment::from_file(p));
    }
    draft.receipt = opts.receipt;
    if let Some(p) = opts.priority {
        draft.priority = p;
    }
    if opts.signature.is_some() {
        draft.signature = opts.signature.clone();
    }
    let ob = outbox(store, data_dir);
    if let Some(mb) = opts.provider_limit_mb {
        let mut preset = ob.preset(account.id).map_err(|e| e.to_string())?;
        preset.max_total_bytes = mb.saturating_mul(1024 * 1024);
        ob.set_preset(account.id, &preset)
            .map_err(|e| e.to_string())?;
    }
    let q = ob.queue(account.id, &draft).map_err(|e| e.to_string())?;
    for w in &q.warnings {
        eprintln!("pec: warning: {w}");
    }
    if !opts.queue_only {
        let creds = FileCredentialStore::new(data_dir);
        let rt = runtime()?;
        let r = rt.block_on(async {
            tokio::time::timeout(Duration::from_secs(300), ob.process(account.id, &creds)).await
        });
        match r {
            Err(_) => eprintln!("pec: the server did not answer; the message stays queued"),
            Ok(Err(e)) => eprintln!("pec: {e}; the message stays queued"),
            Ok(Ok(rep)) => {
                for e in rep.errors {
                    eprintln!("pec: {e}");
                }
            }
        }
    }
    let st = ob.status(q.id).map_err(|e| e.to_string())?;
    if opts.json {
        println!(
            "{}",
            serde_json::json!({
                "id": q.id,
                "message_id": q.message_id,
                "state": st.state,
                "error": st.error,
                "warnings": q.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
            })
        );
    } else {
        println!("{}", q.id);
    }
    if st.state == pec_core::outbox::SendState::Rejected {
        return Err(format!(
            "message {} was refused: {}",
            q.id,
            st.error.unwrap_or_default()
        ));
    }
    if st.state == pec_core::outbox::SendState::Queued
        && let Ok(e) = ob.entry(q.id)
        && let Some(err) = e.error
    {
        eprintln!("pec: not sent yet ({err}); `pec status {}` retries", q.id);
    }
    Ok(q.id)
}

pub fn run(data_dir: &Path, args: Args) -> ExitCode {
    match run_inner(data_dir, args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

fn run_inner(data_dir: &Path, args: Args) -> Result<(), String> {
    let store = open_store(data_dir)?;
    let account = resolve_account(&store, args.opts.account.as_deref())?;
    let body = if args.body == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| format!("reading the body: {e}"))?;
        s
    } else {
        args.body.clone()
    };
    let html = match &args.html {
        Some(p) => Some(std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?),
        None => None,
    };
    let draft = Draft {
        to: args.to.iter().map(|a| Mailbox::parse(a)).collect(),
        cc: args.cc.iter().map(|a| Mailbox::parse(a)).collect(),
        bcc: args.bcc.iter().map(|a| Mailbox::parse(a)).collect(),
        subject: args.subject.clone(),
        text: Some(body),
        html,
        ..Default::default()
    };
    queue_and_send(data_dir, &store, &account, draft, &args.opts).map(|_| ())
}
