//! `pec`: the terminal client. Each subcommand lives in `commands/<name>.rs`.
//!
//! Every command that touches accounts, the store or the network drives the uniffi facade
//! (`pec_ffi::App`, see `facade.rs`): the same API the Android and iOS apps use.

// Library code never panics on input and has no unsafe code: a hostile message or a bug reaches a UI as
// a typed error. Unit tests may unwrap (clippy.toml). Set here rather than in [workspace.lints], which
// would also bind integration tests and benches (these read CPU clocks through libc).
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod commands;
mod facade;
mod json;
mod keyring;
mod out;
mod passphrase;
mod peak_rss;
mod progress;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "pec",
    version,
    about = "PEC (Posta Elettronica Certificata) terminal client"
)]
struct Cli {
    /// Where the store and credentials live (default: the platform data directory).
    #[arg(long, global = true)]
    data_dir: Option<std::path::PathBuf>,
    /// Also trust the CA certificates in this PEM file as PEC-provider issuers when checking
    /// signatures (tests, the demo's sandbox). An account's --ca-file is for TLS only and never
    /// makes a signer a PEC provider. Give it to every command that syncs, shows or inspects.
    #[arg(long, global = true, value_name = "PEM")]
    signature_test_anchor: Option<std::path::PathBuf>,
    /// Read the store's passphrase from the first line of standard input (else
    /// `PEC_PASSPHRASE`, else a prompt on a terminal).
    #[arg(long, global = true)]
    passphrase_stdin: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse PEC/REM messages (.eml) or bare daticert.xml files.
    Inspect(commands::inspect::Args),
    /// Open an e-invoice (.xml, .xml.p7m, .eml): HTML, JSON summary or attachments.
    Invoice(commands::invoice::Args),
    /// Add, list or remove accounts.
    Account(commands::account::Args),
    /// The address book: contacts, correspondents, what each address proved; import, export.
    Contacts(commands::contacts::Args),
    /// Groups of contacts (recipient lists: `pec send --to GROUP`).
    Groups(commands::groups::Args),
    /// Synchronise with the server (`--full`: download every body).
    Sync(commands::sync::Args),
    /// List a folder or a virtual folder (invoices, receipts, undelivered, all).
    Ls(commands::ls::Args),
    /// Show one message.
    Show(commands::show::Args),
    /// Mark messages read, unread, flagged or not (here now, on the server at the next sync).
    Mark(commands::actions::MarkArgs),
    /// Move messages to the trash (from the trash: delete them for good; `--all-in trash`: empty it).
    Rm(commands::actions::RmArgs),
    /// Move messages to another folder of their account.
    Mv(commands::actions::MvArgs),
    /// Save a message's attachments, downloading only those parts.
    Save(commands::save::Args),
    /// Export a message's evidence (envelope, daticert.xml, receipts, SHA256SUMS) as files.
    Evidence(commands::evidence::Args),
    /// Full-text search.
    Search(commands::search::Args),
    /// Import .eml files into the local store.
    Import(commands::import::Args),
    /// Send a PEC (prints its ID for `pec status`).
    Send(commands::send::Args),
    /// Templates: a PEC sent again and again, kept by name (`pec send --template NAME`).
    Template(commands::template::Args),
    /// Per-recipient legal status of a sent PEC.
    Status(commands::status::Args),
    /// Reply (or reply to all) to a received message.
    Reply(commands::reply::Args),
    /// Forward a message with its attachments.
    Forward(commands::forward::Args),
    /// Encrypt a data directory written before encryption.
    Encrypt(commands::encrypt::Args),
    /// Re-encrypt the store under a new passphrase.
    Rekey(commands::rekey::Args),
    /// Keep the store key in the OS keyring until `pec lock`: no passphrase in between.
    Unlock(commands::unlock::Args),
    /// Remove the store key from the OS keyring.
    Lock(commands::lock::Args),
    /// Rebuild a damaged store, keeping accounts and outbox (then `pec sync`).
    Recover(commands::recover::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let data_dir = cli
        .data_dir
        .clone()
        .unwrap_or_else(commands::account::default_data_dir);
    if cli.passphrase_stdin {
        passphrase::read_from_stdin();
    }
    if let Some(pem) = cli.signature_test_anchor.clone() {
        facade::set_signature_test_anchor(pem);
    }
    match cli.command {
        Command::Inspect(args) => commands::inspect::run(args),
        Command::Invoice(args) => commands::invoice::run(args),
        Command::Account(args) => commands::account::run(&data_dir, args),
        Command::Contacts(args) => commands::contacts::run(&data_dir, args),
        Command::Groups(args) => commands::groups::run(&data_dir, args),
        Command::Sync(args) => commands::sync::run(&data_dir, args),
        Command::Ls(args) => commands::ls::run(&data_dir, args),
        Command::Show(args) => commands::show::run(&data_dir, args),
        Command::Mark(args) => commands::actions::mark(&data_dir, args),
        Command::Rm(args) => commands::actions::rm(&data_dir, args),
        Command::Mv(args) => commands::actions::mv(&data_dir, args),
        Command::Save(args) => commands::save::run(&data_dir, args),
        Command::Evidence(args) => commands::evidence::run(&data_dir, args),
        Command::Search(args) => commands::search::run(&data_dir, args),
        Command::Import(args) => commands::import::run(&data_dir, args),
        Command::Send(args) => commands::send::run(&data_dir, args),
        Command::Template(args) => commands::template::run(&data_dir, args),
        Command::Status(args) => commands::status::run(&data_dir, args),
        Command::Reply(args) => commands::reply::run(&data_dir, args),
        Command::Forward(args) => commands::forward::run(&data_dir, args),
        Command::Encrypt(args) => commands::encrypt::run(&data_dir, args),
        Command::Rekey(args) => commands::rekey::run(&data_dir, args),
        Command::Unlock(args) => commands::unlock::run(&data_dir, args),
        Command::Lock(args) => commands::lock::run(&data_dir, args),
        Command::Recover(args) => commands::recover::run(&data_dir, args),
    }
}
