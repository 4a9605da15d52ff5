//! `pec contacts book add URL --user U|ls|rm ID` and `pec contacts sync`: CardDAV address books
//! through the facade. `add` reads the password from standard input (a prompt on a terminal);
//! `sync --json` prints one row per book: `{book, added, updated, removed, uploaded, conflicts,
//! skipped[], error}`, `error` being `{code, detail}` for a book that could not be synced (the
//! command then exits with 1, after syncing the others).

use crate::facade::{block, print_json};
use crate::out::say;
use pec_ffi::{App, BookSyncReport};
use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(clap::Subcommand)]
pub enum BookCommand {
    /// Find and keep the address books at URL (a CardDAV server, or one book). The password is
    /// read from standard input.
    Add {
        url: String,
        #[arg(long)]
        user: String,
        /// A private CA for the server's certificate (PEM).
        #[arg(long)]
        ca_file: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// The address books kept.
    Ls {
        #[arg(long)]
        json: bool,
    },
    /// Forget an address book: its cards leave this device; the server keeps them.
    Rm { id: i64 },
}

pub fn book(app: &Arc<App>, command: BookCommand) -> Result<(), String> {
    let err = |e: pec_ffi::PecError| e.to_string();
    match command {
        BookCommand::Add {
            url,
            user,
            ca_file,
            json,
        } => {
            let ca_file = ca_file
                .map(|p| std::fs::canonicalize(&p).map_err(|e| format!("{}: {e}", p.display())))
                .transpose()?
                .map(|p| p.to_string_lossy().into_owned());
            let password = password()?;
            let books = block(app.add_address_book(url, user, password, ca_file)).map_err(err)?;
            if json {
                return print_json(&books);
            }
            for b in &books {
                say!("added: book {} {} ({})", b.id, b.name, b.url);
            }
            Ok(())
        }
        BookCommand::Ls { json } => {
            let books = block(app.address_books()).map_err(err)?;
            if json {
                return print_json(&books);
            }
            for b in &books {
                let when = b
                    .last_sync
                    .map_or("never synced".to_string(), |t| format!("synced at {t}"));
                say!("{} {} ({}, {}): {when}", b.id, b.name, b.url, b.username);
            }
            Ok(())
        }
        BookCommand::Rm { id } => {
            block(app.remove_address_book(id)).map_err(err)?;
            say!("removed book {id}");
            Ok(())
        }
    }
}

/// One line per book synced (what came, went and was refused), and one per card left out.
pub fn say_reports(reports: &[BookSyncReport]) {
    for r in reports {
        match &r.error {
            Some(e) => say!("{}: not synced: {} ({})", r.book.name, e.detail, e.code),
            None => say!(
                "{}: {} new, {} changed, {} removed, {} sent, {} conflicts",
                r.book.name,
                r.added,
                r.updated,
                r.removed,
                r.uploaded,
                r.conflicts
            ),
        }
        for s in &r.skipped {
            say!("  skipped: {s}");
        }
    }
}

/// Sync every book; an error when one could not be synced.
pub fn sync(app: &Arc<App>, json: bool) -> Result<(), String> {
    let reports = block(app.sync_address_books()).map_err(|e| e.to_string())?;
    if json {
        print_json(&reports)?;
    } else {
        say_reports(&reports);
    }
    match reports.iter().filter(|r| r.error.is_some()).count() {
        0 => Ok(()),
        n => Err(format!("{n} address book(s) not synced")),
    }
}

fn password() -> Result<String, String> {
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Password of the address book: ")
            .map_err(|e| format!("password: {e}"))?
    } else {
        let mut p = String::new();
        std::io::stdin()
            .read_to_string(&mut p)
            .map_err(|e| format!("reading the password: {e}"))?;
        p.trim_end_matches(['\r', '\n']).to_string()
    };
    if password.is_empty() {
        return Err("empty password".into());
    }
    Ok(password)
}
