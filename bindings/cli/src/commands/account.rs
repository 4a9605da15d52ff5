//! `pec account add|list|remove`, plus the helpers every store-backed command shares
//! (opening the store in the data directory, picking the account).

use pec_core::accounts::{AccountConfig, CredentialStore, FileCredentialStore, parse_host_port};
use pec_core::store::Store;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: AccountCommand,
}

#[derive(clap::Subcommand)]
pub enum AccountCommand {
    /// Add (or update) an account; the password is read from standard input.
    Add {
        address: String,
        /// IMAP server, implicit TLS (HOST:PORT).
        #[arg(long)]
        imap: String,
        /// SMTP server, implicit TLS (HOST:PORT).
        #[arg(long)]
        smtp: String,
        /// Read the password from standard input (required: never on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// Trust this CA (PEM) instead of the platform's roots (e.g. the sandbox).
        #[arg(long)]
        ca_file: Option<PathBuf>,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
    },
    /// List accounts.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove an account, its local mail and its stored password.
    Remove { address: String },
}

/// The default data directory: `$XDG_DATA_HOME/pec`, `~/.local/share/pec` (Linux),
/// `~/Library/Application Support/pec` (macOS), `%APPDATA%\pec` (Windows).
pub fn default_data_dir() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(x).join("pec");
    }
    if cfg!(windows)
        && let Some(a) = std::env::var_os("APPDATA")
    {
        return PathBuf::from(a).join("pec");
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    if cfg!(target_os = "macos") {
        home.join("Library/Application Support/pec")
    } else {
        home.join(".local/share/pec")
    }
}

pub fn open_store(data_dir: &Path) -> Result<Store, String> {
    Store::open_in(data_dir).map_err(|e| format!("{}: {e}", data_dir.display()))
}

/// The account named by `--account`, else the only/first one.
pub fn resolve_account(
    store: &Store,
    address: Option<&str>,
) -> Result<pec_core::accounts::Account, String> {
    match address {
        Some(a) => store
            .account_by_address(a)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("no account {a} (pec account add …)")),
        None => store
            .accounts()
            .map_err(|e| e.to_string())?
            .into_iter()
            .next()
            .ok_or_else(|| "no account yet (pec account add ADDRESS --imap HOST:PORT --smtp HOST:PORT --password-stdin)".into()),
    }
}

pub fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("pec: {msg}");
    ExitCode::FAILURE
}

pub fn run(data_dir: &Path, args: Args) -> ExitCode {
    match run_inner(data_dir, args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

fn run_inner(data_dir: &Path, args: Args) -> Result<(), String> {
    let store = open_store(data_dir)?;
    let creds = FileCredentialStore::new(data_dir);
    match args.command {
        AccountCommand::Add {
            address,
            imap,
            smtp,
            password_stdin: _,
            ca_file,
            name,
        } => {
            let (imap_host, imap_port) = parse_host_port(&imap).map_err(|e| e.to_string())?;
            let (smtp_host, smtp_port) = parse_host_port(&smtp).map_err(|e| e.to_string())?;
            let ca_file = match ca_file {
                Some(p) => {
                    Some(std::fs::canonicalize(&p).map_err(|e| format!("{}: {e}", p.display()))?)
                }
                None => None,
            };
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .map_err(|e| format!("reading the password: {e}"))?;
            let password = password.trim_end_matches(['\r', '\n']);
            if password.is_empty() {
                return Err("empty password on standard input".into());
            }
            let id = store
                .add_account(&AccountConfig {
                    address: address.clone(),
                    display_name: name,
                    imap_host,
                    imap_port,
                    smtp_host,
                    smtp_port,
                    ca_file,
                })
                .map_err(|e| e.to_string())?;
            creds.set(&address, password).map_err(|e| e.to_string())?;
            println!("account {id}: {address}");
        }
        AccountCommand::List { json } => {
            let accounts = store.accounts().map_err(|e| e.to_string())?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&accounts).map_err(|e| e.to_string())?
                );
            } else {
                for a in accounts {
                    let quota = match (a.quota_used_kb, a.quota_limit_kb) {
                        (Some(u), Some(l)) if l > 0 => {
                            format!("  {:.1}/{:.1} MB", u as f64 / 1024.0, l as f64 / 1024.0)
                        }
                        _ => String::new(),
                    };
                    println!(
                        "{}  {}  imap {}:{}  smtp {}:{}{quota}",
                        a.id,
                        a.config.address,
                        a.config.imap_host,
                        a.config.imap_port,
                        a.config.smtp_host,
                        a.config.smtp_port
                    );
                }
            }
        }
        AccountCommand::Remove { address } => {
            let a = resolve_account(&store, Some(&address))?;
            store.remove_account(a.id).map_err(|e| e.to_string())?;
            creds.delete(&address).map_err(|e| e.to_string())?;
            println!("removed {address}");
        }
    }
    Ok(())
}
