//! `pec send --to … [--cc …] --subject … --body … [--attach FILE]… [--receipt completa|breve|sintetica]`
//! (or `--template NAME`, the options given changing what it holds)
//!
//! Validates, queues (the message is safe on disk from here on), submits once, prints the new
//! message's outbox ID on standard output. Warnings (non-PEC recipients) go to standard error.
//! A network failure leaves the message queued (the next `pec send`/`pec status` retries it) and
//! exits non-zero, as does a refusal.

use crate::facade::{block, exit, open, resolve_account};
use crate::out::say;
use pec_ffi::{App, ComposeDraft, FilePurpose, MessagePriority, RequestedReceipt, SendStep};
use serde_json::json;
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
    /// Receipt type asked of the provider (X-TipoRicevuta; default: completa, or the template's).
    #[arg(long, value_parser = parse_receipt)]
    pub receipt: Option<RequestedReceipt>,
    /// high or low priority (alta, bassa).
    #[arg(long, value_parser = parse_priority)]
    pub priority: Option<MessagePriority>,
    /// Signature appended to the body.
    #[arg(long)]
    pub signature: Option<String>,
    /// Override the provider's size rule (size × recipients, in MB) for this account, e.g. 100
    /// for Aruba's documented limit; remembered for later sends.
    #[arg(long, value_name = "MB")]
    pub provider_limit_mb: Option<u32>,
    /// Only queue: do not contact the server now.
    #[arg(long)]
    pub queue_only: bool,
    /// Print the result as JSON (`{"id", "message_id", "state", "warnings"}`).
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct Args {
    /// Recipient (repeatable; added to the template's). PEC has no Bcc.
    #[arg(long, required_unless_present = "template")]
    pub to: Vec<String>,
    #[arg(long)]
    pub cc: Vec<String>,
    /// Refused: PEC forbids hidden recipients (accepted here only to say so clearly).
    #[arg(long)]
    pub bcc: Vec<String>,
    /// The subject (instead of the template's).
    #[arg(long, required_unless_present = "template")]
    pub subject: Option<String>,
    /// Plain-text body (`-` reads standard input; instead of the template's text).
    #[arg(long, default_value = "")]
    pub body: String,
    /// Start from this template (`pec template list`): its recipients, subject, text with the
    /// account's signature, receipt type and priority; the options given change them.
    #[arg(long)]
    pub template: Option<String>,
    /// HTML body from a file.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Save it in the Drafts folder on the server instead of sending it.
    #[arg(long, conflicts_with = "queue_only")]
    pub draft: bool,
    #[command(flatten)]
    pub opts: SendOpts,
}

pub(crate) fn parse_priority(s: &str) -> Result<MessagePriority, String> {
    MessagePriority::parse(s).ok_or_else(|| format!("{s:?}: expected high, normal or low"))
}

pub(crate) fn parse_receipt(s: &str) -> Result<RequestedReceipt, String> {
    RequestedReceipt::parse(s)
        .ok_or_else(|| format!("{s:?}: expected completa, breve or sintetica"))
}

/// A draft with only the recipients' and text fields set (the rest from the options).
pub fn empty_draft() -> ComposeDraft {
    ComposeDraft {
        to: Vec::new(),
        cc: Vec::new(),
        subject: String::new(),
        text: String::new(),
        attachments: Vec::new(),
        receipt: None,
        in_reply_to: None,
        bcc: Vec::new(),
        html: None,
        priority: None,
        signature: None,
        references: Vec::new(),
    }
}

/// The draft with the shared options: attachments, receipt type, priority, signature.
fn with_options(mut draft: ComposeDraft, opts: &SendOpts) -> Result<ComposeDraft, String> {
    for p in &opts.attach {
        let attachment = block(pec_ffi::attachment_from_path(
            p.to_string_lossy().into_owned(),
        ))
        .map_err(|e| e.to_string())?;
        draft.attachments.push(attachment);
    }
    if opts.receipt.is_some() {
        draft.receipt = opts.receipt;
    }
    if opts.priority.is_some() {
        draft.priority = opts.priority;
    }
    if opts.signature.is_some() {
        draft.signature = opts.signature.clone();
    }
    Ok(draft)
}

/// Apply the shared options, queue, submit once; print the ID. Used by send, reply, forward.
pub fn queue_and_send(
    app: &App,
    account_id: i64,
    draft: ComposeDraft,
    opts: &SendOpts,
) -> Result<i64, String> {
    let draft = with_options(draft, opts)?;
    if let Some(mb) = opts.provider_limit_mb {
        block(app.set_send_limit(account_id, mb)).map_err(|e| e.to_string())?;
    }
    let queued = block(app.queue(account_id, draft)).map_err(|e| e.to_string())?;
    for w in &queued.warnings {
        eprintln!("pec: warning: {w}");
    }
    let id = queued.outbox_id;
    let mut refused: Option<String> = None;
    if !opts.queue_only {
        let r = block(async {
            match tokio::time::timeout(Duration::from_secs(300), app.send_pending(account_id)).await
            {
                Ok(r) => r.map(Some),
                Err(_) => Ok(None),
            }
        });
        match r {
            Ok(None) => refused = Some("the server did not answer".into()),
            Ok(Some(_)) => {}
            Err(e) => refused = Some(e.to_string()),
        }
    }
    let st = block(app.send_status(id)).map_err(|e| e.to_string())?;
    if opts.json {
        crate::out::json_line(json!({
                "id": id,
                "message_id": queued.message_id,
                "state": st.step,
                "error": st.error,
                "warnings": queued.warnings,
        }));
    } else {
        say!("{id}");
    }
    if st.step == SendStep::Rejected {
        return Err(format!(
            "message {id} was refused: {}",
            st.error.unwrap_or_default()
        ));
    }
    // Queued because sending failed (not because of --queue-only): a failure for the caller,
    // though the message is safe in the outbox and retried.
    if st.step == SendStep::Queued
        && let Some(err) = st.error.or(refused)
    {
        return Err(format!(
            "not sent yet ({err}); the message stays queued, `pec status {id}` retries"
        ));
    }
    Ok(id)
}

pub fn run(data_dir: &Path, args: Args) -> ExitCode {
    exit(run_inner(data_dir, args))
}

fn run_inner(data_dir: &Path, args: Args) -> Result<(), String> {
    let app = open(data_dir)?;
    let account = resolve_account(&app, args.opts.account.as_deref())?;
    let body = if args.body == "-" {
        let bytes = pec_ffi::files::read_stream(std::io::stdin().lock(), FilePurpose::Body)
            .map_err(|e| format!("reading the body: {e}"))?;
        String::from_utf8(bytes).map_err(|_| "the body is not UTF-8 text".to_string())?
    } else {
        args.body.clone()
    };
    let html = match &args.html {
        Some(p) => {
            let bytes = block(pec_ffi::read_file(
                p.to_string_lossy().into_owned(),
                FilePurpose::Body,
            ))
            .map_err(|e| e.to_string())?;
            Some(String::from_utf8(bytes).map_err(|_| format!("{}: not UTF-8 text", p.display()))?)
        }
        None => None,
    };
    let start = match &args.template {
        Some(name) => super::template::open_from(&app, account.id, name)?,
        None => empty_draft(),
    };
    // A group name among the recipients stands for its members (the checks count each one).
    let to = block(app.expand_recipients(args.to.clone())).map_err(|e| e.to_string())?;
    let cc = block(app.expand_recipients(args.cc.clone())).map_err(|e| e.to_string())?;
    let draft = ComposeDraft {
        to: [start.to.clone(), to].concat(),
        cc: [start.cc.clone(), cc].concat(),
        bcc: args.bcc.clone(),
        subject: args.subject.clone().unwrap_or(start.subject.clone()),
        text: if body.is_empty() {
            start.text.clone()
        } else {
            body
        },
        html,
        ..start
    };
    if args.draft {
        return save_draft(&app, account.id, draft, &args.opts);
    }
    queue_and_send(&app, account.id, draft, &args.opts).map(|_| ())
}

/// `--draft`: the same draft (attachments, receipt type, priority) saved in the Drafts folder.
fn save_draft(
    app: &App,
    account_id: i64,
    draft: ComposeDraft,
    opts: &SendOpts,
) -> Result<(), String> {
    let draft = with_options(draft, opts)?;
    block(app.save_draft(account_id, draft)).map_err(|e| e.to_string())?;
    if opts.json {
        crate::out::json_line(json!({ "saved": "drafts" }));
    }
    Ok(())
}
