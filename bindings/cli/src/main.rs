//! `pec`: the terminal client. Each subcommand lives in `commands/<name>.rs`.
//!
//! Until the uniffi facade (`bindings/ffi`) exists, commands call `pec-core` directly; when the facade
//! lands they move onto it so that the CLI drives the same API as the mobile shells.

mod commands;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "pec",
    version,
    about = "PEC (Posta Elettronica Certificata) terminal client"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse PEC/REM messages (.eml) or bare daticert.xml files.
    Inspect(commands::inspect::Args),
    /// Open an e-invoice (.xml, .xml.p7m, .eml): HTML, JSON summary or attachments.
    Invoice(commands::invoice::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Inspect(args) => commands::inspect::run(args),
        Command::Invoice(args) => commands::invoice::run(args),
    }
}
