//! `pec-sandbox`: run a PEC provider for tests (see tests/README.md).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use pec_sandbox::{Options, Policy, Sandbox, SandboxError, State};
use pec_test_harness::{Delegate, DelegatePerms};

#[derive(Parser)]
#[command(
    name = "pec-sandbox",
    about = "A PEC provider sandbox on a real Dovecot"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Start Dovecot and the provider; print one JSON line when ready; run until killed.
    Up {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long, default_value_t = 3)]
        accounts: usize,
        #[arg(long)]
        aruba_folders: bool,
        /// OWNER:USERNAME:PERMS (perms: read,write,send,programs,settings); the delegate's
        /// password is printed in the log and stored in state.json's directory as delegates.json.
        #[arg(long)]
        delegate: Vec<String>,
        /// Size × recipients limit in bytes.
        #[arg(long, default_value_t = 30 * 1024 * 1024)]
        max_total_bytes: u64,
        /// Recipients per message; RCPT beyond it gets `452 4.5.3 Too many recipients`.
        #[arg(long, default_value_t = 100)]
        max_recipients: usize,
        /// Seconds before the preavviso for the slow domain (real rule: 43200).
        #[arg(long, default_value_t = 5)]
        slow_preavviso_secs: u64,
        /// Seconds before the final errore-consegna for the slow domain (real rule: 86400).
        #[arg(long, default_value_t = 10)]
        slow_errore_secs: u64,
        /// Also start a CardDAV server (Radicale) with an empty address book for each account;
        /// the ready line gains `carddav: {url, ca_file}`.
        #[arg(long)]
        carddav: bool,
        /// ADDRESS:MIB, a smaller quota for that account's box (repeatable).
        #[arg(long)]
        quota: Vec<String>,
    },
    /// Deliver one plain message of about KIB kibibytes into a mailbox (to fill it toward its
    /// quota).
    Fill {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        account: String,
        #[arg(long)]
        kib: usize,
    },
    /// Fill a mailbox of a running sandbox with a realistic mix.
    Seed {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        account: String,
        #[arg(long, default_value_t = 1000)]
        messages: usize,
        /// Deliver by LMTP (realistic, slower) instead of `doveadm import`.
        #[arg(long)]
        lmtp: bool,
        /// Parallel LMTP sessions (with --lmtp).
        #[arg(long, default_value_t = 4)]
        sessions: usize,
    },
    /// Deliver an incoming invoice into a mailbox as the SDI does.
    InjectInvoice {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        account: String,
        file: PathBuf,
    },
}

/// OWNER:USERNAME:PERMS, or OWNER:USERNAME:PASSWORD:PERMS.
fn parse_quota(s: &str) -> Result<(String, u64), String> {
    let (address, mib) = s
        .rsplit_once(':')
        .ok_or_else(|| format!("--quota {s:?}: expected ADDRESS:MIB"))?;
    let mib = mib
        .parse()
        .map_err(|_| format!("--quota {s:?}: MIB is a number"))?;
    Ok((address.to_string(), mib))
}

fn parse_delegate(s: &str) -> Result<Delegate, String> {
    let f: Vec<&str> = s.split(':').collect();
    let (owner, username, password, perms) = match f.as_slice() {
        [o, u, p] => (
            *o,
            *u,
            format!("delega-{}", u.split('@').next().unwrap_or(u)),
            *p,
        ),
        [o, u, pw, p] => (*o, *u, pw.to_string(), *p),
        _ => return Err(format!("--delegate {s:?}: expected OWNER:USERNAME:PERMS")),
    };
    Ok(Delegate {
        owner: owner.to_ascii_lowercase(),
        username: username.to_ascii_lowercase(),
        password,
        perms: DelegatePerms::parse(perms)?,
    })
}

fn main() {
    tracing_init();
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    if let Err(e) = rt.block_on(run(cli)) {
        eprintln!("pec-sandbox: {e}");
        std::process::exit(1);
    }
}

/// Logs go to stderr (stdout is reserved for the ready line): warnings and errors by default,
/// more with `PEC_SANDBOX_LOG=info|debug|trace`.
fn tracing_init() {
    let level = match std::env::var("PEC_SANDBOX_LOG").as_deref() {
        Ok("trace") => tracing::Level::TRACE,
        Ok("debug") => tracing::Level::DEBUG,
        Ok("info") => tracing::Level::INFO,
        _ => tracing::Level::WARN,
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(level)
        .init();
}

async fn run(cli: Cli) -> Result<(), SandboxError> {
    match cli.cmd {
        Cmd::Up {
            dir,
            accounts,
            aruba_folders,
            delegate,
            max_total_bytes,
            max_recipients,
            slow_preavviso_secs,
            slow_errore_secs,
            carddav,
            quota,
        } => {
            let quotas = quota
                .iter()
                .map(|q| parse_quota(q))
                .collect::<Result<_, _>>()
                .map_err(SandboxError::State)?;
            let delegates = delegate
                .iter()
                .map(|d| parse_delegate(d))
                .collect::<Result<Vec<_>, _>>()
                .map_err(SandboxError::State)?;
            std::fs::create_dir_all(&dir)?;
            std::fs::write(
                dir.join("delegates.json"),
                serde_json::to_string_pretty(&delegates)
                    .map_err(|e| SandboxError::State(e.to_string()))?,
            )?;
            let opts = Options {
                dir: Some(dir),
                accounts,
                aruba_folders,
                delegates,
                policy: Policy {
                    max_total_bytes,
                    max_recipients,
                    slow_preavviso_after: Duration::from_secs(slow_preavviso_secs),
                    slow_errore_after: Duration::from_secs(slow_errore_secs),
                    ..Policy::default()
                },
                quotas,
                ..Options::default()
            };
            let sandbox = Sandbox::start(opts).await?;
            let mut ready: serde_json::Value = serde_json::from_str(&sandbox.state.ready_line())
                .map_err(|e| SandboxError::State(e.to_string()))?;
            let books = match carddav {
                true => Some(start_carddav(&sandbox, &mut ready).await?),
                false => None,
            };
            println!("{ready}");
            use std::io::Write;
            let _ = std::io::stdout().flush();
            wait_for_shutdown().await;
            drop(books);
            drop(sandbox);
            Ok(())
        }
        Cmd::Seed {
            dir,
            account,
            messages,
            lmtp,
            sessions,
        } => {
            let state = State::load(&dir)?;
            let engine = Arc::new(state.engine()?);
            let corpus = std::env::var_os("PEC_CORPUS")
                .map(PathBuf::from)
                .or_else(|| {
                    let p = PathBuf::from("/work/shared/corpus");
                    p.exists().then_some(p)
                });
            let method = if lmtp {
                pec_sandbox::seed::Method::Lmtp { sessions }
            } else {
                pec_sandbox::seed::Method::Import {
                    conf: state.dovecot_conf.clone(),
                }
            };
            let report =
                pec_sandbox::seed::seed(engine, &account, messages, method, corpus.as_deref())
                    .await?;
            println!(
                "{}",
                serde_json::to_string(&report).map_err(|e| SandboxError::State(e.to_string()))?
            );
            Ok(())
        }
        Cmd::Fill { dir, account, kib } => {
            let engine = State::load(&dir)?.engine()?;
            let raw = format!(
                "From: archivio@posta.example\r\nTo: {account}\r\nSubject: Archivio\r\n\
                 Date: Fri, 15 Nov 2024 09:00:00 +0100\r\n\r\n{}\r\n",
                "x".repeat(kib * 1024)
            );
            let st = engine
                .deliver("archivio@posta.example", &[&account], raw.as_bytes())
                .await?;
            if !st[0].is_delivered() {
                return Err(SandboxError::Message(format!("delivery refused: {st:?}")));
            }
            println!("{}", serde_json::json!({"delivered": account, "kib": kib}));
            Ok(())
        }
        Cmd::InjectInvoice { dir, account, file } => {
            let state = State::load(&dir)?;
            let engine = state.engine()?;
            let content = std::fs::read(&file)?;
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("IT00000000000_00001.xml")
                .to_string();
            pec_sandbox::sdi::inject_invoice(&engine, &account, &name, &content).await?;
            println!(
                "{}",
                serde_json::json!({"delivered": account, "file": name})
            );
            Ok(())
        }
    }
}

async fn wait_for_shutdown() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
    let mut hup = signal(SignalKind::hangup()).expect("SIGHUP handler");
    tokio::select! {
        _ = term.recv() => {},
        _ = int.recv() => {},
        _ = hup.recv() => {},
    }
}

/// Radicale with the sandbox's accounts (address and password), its URL and CA in `ready`.
async fn start_carddav(
    sandbox: &Sandbox,
    ready: &mut serde_json::Value,
) -> Result<pec_test_harness::Radicale, SandboxError> {
    let users: Vec<(&str, &str)> = sandbox
        .state
        .accounts
        .iter()
        .map(|a| (a.address.as_str(), a.password.as_str()))
        .collect();
    let books = pec_test_harness::Radicale::start(&users)
        .await
        .map_err(|e| SandboxError::State(format!("carddav: {e}")))?;
    ready["carddav"] = serde_json::json!({
        "url": books.url(),
        "ca_file": books.ca_file(),
    });
    Ok(books)
}
