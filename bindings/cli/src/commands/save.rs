//! `pec save ID [SECTION] [--all] [--out DIR] [--json]`: write a message's attachments, downloading
//! only those parts from the server (chunked, resumable; a part already downloaded is served from
//! the store). Without SECTION and `--all`, the message's only attachment. A progress bar per file
//! on a terminal (encoded bytes, as the server holds them), none when piped or with `--json`.
//! Files are written by the facade's `save_attachment`: never over an existing file (`name
//! (1).ext`), never through a link; a file that fails is reported (`error` in `--json`) and the
//! others are still written; the exit code is non-zero when any failed.

use crate::facade::{block, exit, open, print_json};
use crate::out::say;
use pec_ffi::{AttachmentInfo, DownloadListener, DownloadProgress, MessageView};
use serde_json::json;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(clap::Args)]
pub struct Args {
    pub id: i64,
    /// IMAP section of the attachment (`pec show ID` lists them), e.g. `2` or `1.3.2`.
    pub section: Option<String>,
    /// Every attachment of the message.
    #[arg(long, conflicts_with = "section")]
    pub all: bool,
    /// Directory to write into (created when missing). Default: the current directory.
    #[arg(long, default_value = ".")]
    pub out: PathBuf,
    /// One JSON object per file: `path`, `file_name`, `mime`, `section`, `size`, `fetched`.
    #[arg(long)]
    pub json: bool,
}

pub fn run(data_dir: &Path, args: Args) -> ExitCode {
    exit(run_inner(data_dir, args))
}

fn chosen(d: &MessageView, args: &Args) -> Result<Vec<(String, AttachmentInfo)>, String> {
    let with_section: Vec<(String, AttachmentInfo)> = d
        .attachments
        .iter()
        .filter_map(|a| a.section.clone().map(|s| (s, a.clone())))
        .collect();
    if let Some(s) = &args.section {
        return with_section
            .into_iter()
            .find(|(sec, _)| sec == s)
            .map(|x| vec![x])
            .ok_or_else(|| format!("message {} has no attachment at section {s}", args.id));
    }
    if with_section.is_empty() {
        return Err(if d.attachments.is_empty() {
            format!("message {} has no attachments", args.id)
        } else {
            format!(
                "message {}'s attachments have no server copy (a local import: pec show --raw)",
                args.id
            )
        });
    }
    if args.all || with_section.len() == 1 {
        return Ok(with_section);
    }
    let list: Vec<String> = with_section
        .iter()
        .map(|(s, a)| format!("{s} {}", a.file_name.as_deref().unwrap_or("(no name)")))
        .collect();
    Err(format!(
        "message {} has {} attachments: pec save {} SECTION or --all ({})",
        args.id,
        list.len(),
        args.id,
        list.join(", ")
    ))
}

/// Draws one line on standard error: file name, bar, done/total.
struct ProgressBar {
    label: String,
}

impl DownloadListener for ProgressBar {
    fn on_progress(&self, p: DownloadProgress) {
        crate::progress::draw(&self.label, p.done, p.total);
    }
}

fn run_inner(data_dir: &Path, args: Args) -> Result<(), String> {
    let app = open(data_dir)?;
    let d = block(app.message(args.id)).map_err(|e| e.to_string())?;
    let parts = chosen(&d, &args)?;
    let dir = args.out.to_string_lossy().into_owned();
    let bar = !args.json && std::io::stderr().is_terminal();
    let mut out = Vec::new();
    let mut failed = 0;
    for (section, a) in parts {
        let label = a
            .file_name
            .clone()
            .unwrap_or_else(|| format!("part-{section}"));
        let listener: Option<Arc<dyn DownloadListener>> =
            bar.then(|| Arc::new(ProgressBar { label }) as Arc<dyn DownloadListener>);
        let result = block(app.save_attachment(args.id, section.clone(), dir.clone(), listener));
        if bar {
            crate::progress::clear();
        }
        match result {
            Ok(done) => {
                if !args.json {
                    say!(
                        "{} ({} bytes)",
                        done.path.as_deref().unwrap_or(""),
                        done.size
                    );
                }
                out.push(json!({
                    "path": done.path,
                    "file_name": a.file_name,
                    "mime": a.mime,
                    "section": done.section,
                    "size": done.size,
                    "fetched": done.fetched,
                }));
            }
            // One file failing does not stop the others; each failure is reported.
            Err(e) => {
                failed += 1;
                eprintln!("pec: section {section}: {e}");
                out.push(json!({
                    "path": null,
                    "file_name": a.file_name,
                    "mime": a.mime,
                    "section": section,
                    "error": {"code": e.code(), "detail": e.to_string()},
                }));
            }
        }
    }
    if args.json {
        print_json(&out)?;
    }
    if failed > 0 {
        return Err(format!("{failed} of {} attachments not saved", out.len()));
    }
    Ok(())
}
