//! `pec account add|list|remove|signature` (through the facade), and the default data directory.

use crate::facade::{block, exit, open, print_json, resolve_account};
use crate::out::say;
use pec_ffi::{
    CustomServer, Delegation, NewAccount, PecError, Permissions, Provider, QuotaLevel,
    parse_host_port,
};
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
        /// Log in as a delegate of ADDRESS with this username (business boxes' multi-user access).
        #[arg(long, value_name = "USERNAME")]
        login: Option<String>,
        /// What the delegate may do: read,write,send,programs,settings (with --login; default
        /// read,programs).
        #[arg(long, value_name = "LIST", requires = "login", value_parser = parse_permissions)]
        permissions: Option<Permissions>,
        /// Save without logging in first. By default the IMAP and SMTP logins are tried and the
        /// account is not saved when either fails (wrong password, certificate, unreachable, ...).
        #[arg(long)]
        offline: bool,
        /// Print the added account as JSON (as `account list --json` shows it); on a refused
        /// login, `{"error": CODE, "detail": TEXT}` (CODE: auth, tls, network, timeout, ...).
        #[arg(long)]
        json: bool,
    },
    /// List accounts.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show the account's signature, or keep a new one (replies and forwards open with it, as
    /// new messages do in the apps).
    Signature {
        /// The signature's text (`\n` between lines); an empty text clears it. Without it: print
        /// the one kept.
        text: Option<String>,
        /// The account (default: the first).
        #[arg(long)]
        account: Option<String>,
    },
    /// Remove an account, its local mail and its stored password.
    Remove {
        address: String,
        /// Print `{"removed": ADDRESS, "id": N}`.
        #[arg(long)]
        json: bool,
    },
}

fn parse_permissions(s: &str) -> Result<Permissions, String> {
    let mut p = Permissions::default();
    for word in s.split([',', ' ']).filter(|w| !w.is_empty()) {
        match word.to_ascii_lowercase().as_str() {
            "read" => p.read = true,
            "write" => p.write = true,
            "send" => p.send = true,
            "programs" | "mail-programs" => p.mail_programs = true,
            "settings" => p.settings = true,
            other => {
                return Err(format!(
                    "{other:?}: expected read, write, send, programs, settings"
                ));
            }
        }
    }
    Ok(p)
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

/// Why an account was not saved: its stable code (what a script or a translation keys on) and
/// the facade's message; with `--json` also as `{"error", "detail"}` on standard output.
fn refused(e: &PecError, json: bool) -> String {
    if json {
        crate::out::json_line(serde_json::json!({"error": e.code(), "detail": e.to_string()}));
    }
    format!("account not saved [{}]: {e}", e.code())
}

pub fn run(data_dir: &Path, args: Args) -> ExitCode {
    exit(run_inner(data_dir, args))
}

fn run_inner(data_dir: &Path, args: Args) -> Result<(), String> {
    let app = open(data_dir)?;
    match args.command {
        AccountCommand::Add {
            address,
            imap,
            smtp,
            password_stdin: _,
            ca_file,
            name,
            login,
            permissions,
            offline,
            json,
        } => {
            let imap = parse_host_port(imap).map_err(|e| format!("--imap: {e}"))?;
            let smtp = parse_host_port(smtp).map_err(|e| format!("--smtp: {e}"))?;
            let ca_file = match ca_file {
                Some(p) => Some(
                    std::fs::canonicalize(&p)
                        .map_err(|e| format!("{}: {e}", p.display()))?
                        .to_string_lossy()
                        .into_owned(),
                ),
                None => None,
            };
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .map_err(|e| format!("reading the password: {e}"))?;
            let password = password.trim_end_matches(['\r', '\n']).to_string();
            if password.is_empty() {
                return Err("empty password on standard input".into());
            }
            let delegation = login.map(|login| Delegation {
                login,
                permissions: permissions.unwrap_or(Permissions {
                    read: true,
                    mail_programs: true,
                    ..Permissions::default()
                }),
            });
            let info = block(app.add_account(NewAccount {
                provider: Provider::Custom,
                address,
                password,
                display_name: name,
                custom: Some(CustomServer {
                    imap_host: imap.host,
                    imap_port: imap.port,
                    smtp_host: smtp.host,
                    smtp_port: smtp.port,
                    ca_file,
                }),
                delegation,
                offline,
            }))
            .map_err(|e| refused(&e, json))?;
            if json {
                return print_json(&info);
            }
            if info.delegated {
                say!("account {}: {} (as {})", info.id, info.address, info.login);
            } else {
                say!("account {}: {}", info.id, info.address);
            }
        }
        AccountCommand::List { json } => {
            let accounts = block(app.accounts()).map_err(|e| e.to_string())?;
            if json {
                return print_json(&accounts);
            }
            for a in accounts {
                let quota = match (a.quota_used_kb, a.quota_limit_kb) {
                    (Some(u), Some(l)) if l > 0 => {
                        format!("  {:.1}/{:.1} MB", u as f64 / 1024.0, l as f64 / 1024.0)
                    }
                    _ => String::new(),
                };
                let quota = match a.quota {
                    QuotaLevel::NearlyFull => format!("{quota}  nearly full"),
                    QuotaLevel::Full => format!("{quota}  FULL"),
                    QuotaLevel::Room | QuotaLevel::Unknown => quota,
                };
                let delegate = if a.delegated {
                    format!("  as {}", a.login)
                } else {
                    String::new()
                };
                say!(
                    "{}  {}  imap {}:{}  smtp {}:{}{quota}{delegate}",
                    a.id,
                    a.address,
                    a.imap_host,
                    a.imap_port,
                    a.smtp_host,
                    a.smtp_port
                );
            }
        }
        AccountCommand::Signature { text, account } => {
            let a = resolve_account(&app, account.as_deref())?;
            let shown = match text {
                Some(t) => block(app.set_signature(a.id, t.replace("\\n", "\n")))
                    .map_err(|e| e.to_string())?,
                None => a.signature,
            };
            if let Some(s) = shown {
                say!("{s}");
            }
        }
        AccountCommand::Remove { address, json } => {
            let a = resolve_account(&app, Some(&address))?;
            block(app.remove_account(a.id)).map_err(|e| e.to_string())?;
            if json {
                crate::out::json_line(serde_json::json!({"removed": a.address, "id": a.id}));
            } else {
                say!("removed {}", a.address);
            }
        }
    }
    Ok(())
}
