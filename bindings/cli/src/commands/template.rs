//! `pec template save|list|rm`: templates ("modelli"), a PEC sent again and again kept by name;
//! `pec send --template NAME` starts from one.

use super::send::{empty_draft, parse_priority, parse_receipt};
use crate::facade::{block, exit, open, print_json};
use crate::out::say;
use pec_ffi::{App, ComposeDraft, MessagePriority, RequestedReceipt};
use std::path::Path;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: TemplateCommand,
}

#[derive(clap::Subcommand)]
pub enum TemplateCommand {
    /// Keep a template (the same name, in any case, is replaced).
    Save {
        name: String,
        #[arg(long)]
        to: Vec<String>,
        #[arg(long)]
        cc: Vec<String>,
        #[arg(long, default_value = "")]
        subject: String,
        #[arg(long, default_value = "")]
        body: String,
        /// Receipt type asked of the provider (completa, breve, sintetica).
        #[arg(long, value_parser = parse_receipt)]
        receipt: Option<RequestedReceipt>,
        /// high or low priority (alta, bassa).
        #[arg(long, value_parser = parse_priority)]
        priority: Option<MessagePriority>,
    },
    /// The templates, by name.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove a template.
    Rm { name: String },
}

pub fn run(data_dir: &Path, args: Args) -> ExitCode {
    exit(run_inner(data_dir, args))
}

fn run_inner(data_dir: &Path, args: Args) -> Result<(), String> {
    let app = open(data_dir)?;
    match args.command {
        TemplateCommand::Save {
            name,
            to,
            cc,
            subject,
            body,
            receipt,
            priority,
        } => {
            let draft = ComposeDraft {
                to,
                cc,
                subject,
                text: body,
                receipt,
                priority,
                ..empty_draft()
            };
            let id = block(app.save_template(name, draft)).map_err(|e| e.to_string())?;
            say!("{id}");
        }
        TemplateCommand::List { json } => {
            let templates = block(app.templates()).map_err(|e| e.to_string())?;
            if json {
                let rows: Vec<_> = templates
                    .iter()
                    .map(|t| serde_json::json!({"id": t.id, "name": t.name, "subject": t.draft.subject}))
                    .collect();
                return print_json(&rows);
            }
            for t in templates {
                say!("{}  {}  {}", t.id, t.name, t.draft.subject);
            }
        }
        TemplateCommand::Rm { name } => {
            let id = id_of(&app, &name)?;
            block(app.forget_template(id)).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// The template called `name` (any case).
fn id_of(app: &App, name: &str) -> Result<i64, String> {
    let templates = block(app.templates()).map_err(|e| e.to_string())?;
    templates
        .iter()
        .find(|t| t.name.eq_ignore_ascii_case(name.trim()))
        .map(|t| t.id)
        .ok_or_else(|| format!("no template {name:?} (`pec template list`)"))
}

/// What a compose of `account` opens with from the template `name`.
pub fn open_from(app: &App, account: i64, name: &str) -> Result<ComposeDraft, String> {
    let id = id_of(app, name)?;
    block(app.compose_from_template(account, id)).map_err(|e| e.to_string())
}
