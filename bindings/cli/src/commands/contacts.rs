//! `pec contacts ls|add|edit|rm|import FILE|export FILE|sync|book …`: the address book through
//! the facade (CardDAV books and their sync: `address_books.rs`).
//! `ls --json` gives rows of `{name, saved, groups, addresses: [{address, pec}], ...}` where `pec`
//! is `certified`, `not-pec`, `failed` or `unknown`; correspondents not saved as contacts come
//! with `saved: false`. `import --json` prints `{imported, merged, skipped, errors[]}`.

use crate::facade::{block, exit, open, print_json};
use crate::out::say;
use pec_ffi::{App, ContactCard, ContactFileFormat, PersonRow};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: ContactsCommand,
}

/// The fields of a contact on the command line.
#[derive(clap::Args)]
pub struct Fields {
    /// An address (repeatable; PEC and ordinary ones alike).
    #[arg(long = "address")]
    pub addresses: Vec<String>,
    #[arg(long)]
    pub org: Option<String>,
    #[arg(long)]
    pub tax_code: Option<String>,
    #[arg(long)]
    pub vat: Option<String>,
    #[arg(long)]
    pub notes: Option<String>,
    /// A group it belongs to (repeatable; created when missing).
    #[arg(long = "group")]
    pub groups: Vec<String>,
    /// Keep it in CardDAV address book ID (`pec contacts book ls`); uploaded at the next sync.
    #[arg(long)]
    pub book: Option<i64>,
}

#[derive(clap::Subcommand)]
pub enum ContactsCommand {
    /// Contacts, then correspondents seen in mail, with what each address proved.
    Ls {
        /// Only saved contacts.
        #[arg(long)]
        saved: bool,
        #[arg(long)]
        json: bool,
    },
    /// Save a contact.
    Add {
        name: String,
        #[command(flatten)]
        fields: Fields,
        /// `{"id": N}`.
        #[arg(long)]
        json: bool,
    },
    /// Replace a contact's fields (found by id or by one of its addresses).
    Edit {
        contact: String,
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        fields: Fields,
    },
    /// Remove a contact (by id or by one of its addresses).
    Rm { contact: String },
    /// Import a vCard (.vcf, 3 or 4) or CSV (.csv) file; duplicates are merged by address.
    Import {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Write every contact to FILE: CSV for a .csv name, else vCard 3.0.
    Export { file: PathBuf },
    /// Sync the CardDAV address books both ways.
    Sync {
        #[arg(long)]
        json: bool,
    },
    /// CardDAV address books: add, ls, rm.
    Book {
        #[command(subcommand)]
        command: super::address_books::BookCommand,
    },
}

pub fn run(data_dir: &Path, args: Args) -> ExitCode {
    exit(run_inner(data_dir, args))
}

fn run_inner(data_dir: &Path, args: Args) -> Result<(), String> {
    let app = open(data_dir)?;
    let err = |e: pec_ffi::PecError| e.to_string();
    match args.command {
        ContactsCommand::Ls { saved, json } => list(&app, saved, json),
        ContactsCommand::Add { name, fields, json } => {
            let id = block(app.save_contact(card(None, name, fields))).map_err(err)?;
            if json {
                return print_json(&serde_json::json!({ "id": id }));
            }
            say!("saved: contact {id}");
            Ok(())
        }
        ContactsCommand::Edit {
            contact,
            name,
            fields,
        } => {
            let old = find(&app, &contact)?;
            let name = name.unwrap_or_else(|| old.name.clone());
            let mut new = card(old.id, name, fields);
            for (mine, theirs) in [
                (&mut new.organisation, &old.organisation),
                (&mut new.tax_code, &old.tax_code),
                (&mut new.vat, &old.vat),
                (&mut new.notes, &old.notes),
            ] {
                if mine.is_none() {
                    mine.clone_from(theirs);
                }
            }
            if new.addresses.is_empty() {
                new.addresses = old.addresses;
            }
            if new.groups.is_empty() {
                new.groups = old.groups;
            }
            new.book = new.book.or(old.book);
            block(app.save_contact(new)).map_err(err)?;
            say!("saved");
            Ok(())
        }
        ContactsCommand::Rm { contact } => {
            let c = find(&app, &contact)?;
            block(app.remove_contact(c.id.unwrap_or_default())).map_err(err)?;
            say!("removed {}", c.name);
            Ok(())
        }
        ContactsCommand::Import { file, json } => import(&app, &file, json),
        ContactsCommand::Sync { json } => super::address_books::sync(&app, json),
        ContactsCommand::Book { command } => super::address_books::book(&app, command),
        ContactsCommand::Export { file } => {
            let text = block(app.export_contacts(format_of(&file))).map_err(err)?;
            std::fs::write(&file, text).map_err(|e| format!("{}: {e}", file.display()))?;
            say!("written: {}", file.display());
            Ok(())
        }
    }
}

fn card(id: Option<i64>, name: String, f: Fields) -> ContactCard {
    ContactCard {
        id,
        name,
        addresses: f.addresses,
        organisation: f.org,
        tax_code: f.tax_code,
        vat: f.vat,
        notes: f.notes,
        groups: f.groups,
        book: f.book,
    }
}

fn format_of(file: &Path) -> ContactFileFormat {
    match file.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("csv") => ContactFileFormat::Csv,
        _ => ContactFileFormat::VCard,
    }
}

/// A saved contact by id or by one of its addresses.
pub(crate) fn find(app: &Arc<App>, key: &str) -> Result<ContactCard, String> {
    let contacts = block(app.contacts()).map_err(|e| e.to_string())?;
    contacts
        .into_iter()
        .find(|c| {
            c.id.map(|id| id.to_string()) == Some(key.to_string())
                || c.addresses
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(key.trim()))
        })
        .ok_or_else(|| format!("no contact {key}"))
}

fn list(app: &Arc<App>, saved_only: bool, json: bool) -> Result<(), String> {
    let people: Vec<PersonRow> = block(app.people())
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|p| p.saved || !saved_only)
        .collect();
    if json {
        let rows: Vec<_> = people.iter().map(row_json).collect();
        return print_json(&rows);
    }
    for p in &people {
        let addresses: Vec<String> = p
            .addresses
            .iter()
            .map(|a| format!("{} ({})", a.address, a.proof.word()))
            .collect();
        let groups = if p.groups.is_empty() {
            String::new()
        } else {
            format!(" [{}]", p.groups.join(", "))
        };
        let mark = if p.saved { "" } else { " (seen in mail)" };
        let addresses = addresses.join(", ");
        if p.named {
            say!("{}{mark}{groups}: {addresses}", p.name);
        } else {
            say!("{addresses}{mark}{groups}");
        }
    }
    Ok(())
}

fn row_json(p: &PersonRow) -> serde_json::Value {
    let c = p.contact.as_ref();
    serde_json::json!({
        "id": c.and_then(|c| c.id),
        "name": p.name,
        "saved": p.saved,
        "groups": p.groups,
        "addresses": p.addresses.iter().map(|a| serde_json::json!({
            "address": a.address,
            "pec": a.proof.word(),
            "proof": a.proof,
        })).collect::<Vec<_>>(),
        "organisation": c.and_then(|c| c.organisation.clone()),
        "tax_code": c.and_then(|c| c.tax_code.clone()),
        "vat": c.and_then(|c| c.vat.clone()),
        "notes": c.and_then(|c| c.notes.clone()),
        "book": c.and_then(|c| c.book),
        "uses": p.uses,
        "last_used": p.last_used,
    })
}

fn import(app: &Arc<App>, file: &Path, json: bool) -> Result<(), String> {
    let data = block(pec_ffi::read_file(
        file.to_string_lossy().into_owned(),
        pec_ffi::FilePurpose::Body,
    ))
    .map_err(|e| e.to_string())?;
    let report = block(app.import_contacts(data, format_of(file))).map_err(|e| e.to_string())?;
    if json {
        return print_json(&report);
    }
    say!(
        "imported {}, merged {}, skipped {}",
        report.imported,
        report.merged,
        report.skipped
    );
    for e in &report.errors {
        say!("  line {}: {}", e.line, e.reason);
    }
    Ok(())
}
