//! `pec-sandbox`: a PEC provider for tests, on top of a real Dovecot (see tests/README.md).
//!
//! In-process use (tests): [`Sandbox::start`]; command line: `pec-sandbox up|seed|inject-invoice`.

pub mod engine;
pub mod pec;
pub mod receipts;
pub mod sdi;
pub mod seed;
pub mod smtp;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pec_test_harness::{Delegate, Dovecot, DovecotConfig, FolderLayout, Pki, ProviderSigner, User};

pub use engine::{Domains, Engine, Policy};

/// Provider name of the sandbox (daticert `gestore-emittente`).
pub const PROVIDER_NAME: &str = "SANDBOX PEC S.p.A.";
/// Provider name of the SDI's PEC provider.
pub const SDI_PROVIDER_NAME: &str = "Sogei SpA";

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("harness: {0}")]
    Harness(#[from] pec_test_harness::HarnessError),
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("crypto: {0}")]
    Crypto(String),
    #[error("message: {0}")]
    Message(String),
    #[error("state: {0}")]
    State(String),
}

/// An account printed on the ready line.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Account {
    pub address: String,
    pub password: String,
}

/// How to start a sandbox.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where everything lives (state.json, keys, Dovecot). `None`: a temporary directory.
    pub dir: Option<PathBuf>,
    /// Number of PEC accounts `utente1..N@<pec_domain>`.
    pub accounts: usize,
    pub aruba_folders: bool,
    pub delegates: Vec<Delegate>,
    pub domains: Domains,
    pub policy: Policy,
    /// Mailboxes of the non-certified test domain (to read what external recipients get).
    pub external_accounts: Vec<String>,
    /// Per-account quota override (address → MiB).
    pub quotas: HashMap<String, u64>,
}

impl Default for Options {
    fn default() -> Self {
        let domains = Domains::default();
        Options {
            dir: None,
            accounts: 3,
            aruba_folders: false,
            delegates: Vec::new(),
            external_accounts: vec![format!("esterno@{}", domains.external_domain)],
            domains,
            policy: Policy::default(),
            quotas: HashMap::new(),
        }
    }
}

/// What other processes need to talk to a running sandbox (DIR/state.json).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct State {
    pub imap: String,
    pub smtp: String,
    pub ca_file: PathBuf,
    pub lmtp_socket: PathBuf,
    /// Generated Dovecot config (for `doveadm -c`, used by `seed`).
    #[serde(default)]
    pub dovecot_conf: PathBuf,
    pub keys_dir: PathBuf,
    pub sdi_address: String,
    pub accounts: Vec<Account>,
    pub external_accounts: Vec<Account>,
    pub domains: Domains,
    pub policy: Policy,
}

impl State {
    pub fn load(dir: &Path) -> Result<State, SandboxError> {
        let text = std::fs::read_to_string(dir.join("state.json")).map_err(|e| {
            SandboxError::State(format!(
                "{}: {e} (is `pec-sandbox up --dir {}` running?)",
                dir.join("state.json").display(),
                dir.display()
            ))
        })?;
        serde_json::from_str(&text).map_err(|e| SandboxError::State(e.to_string()))
    }

    /// An engine bound to the running Dovecot (for seed and inject-invoice).
    pub fn engine(&self) -> Result<Engine, SandboxError> {
        let provider = pec::Provider::from_signer(&ProviderSigner::load(
            &self.keys_dir,
            &self.domains.pec_domain,
        )?)?;
        let sdi = pec::Provider::from_signer(&ProviderSigner::load(
            &self.keys_dir,
            &self.domains.sdi_provider_domain,
        )?)?;
        let users = self
            .accounts
            .iter()
            .map(|a| (a.address.clone(), a.password.clone()))
            .collect();
        Ok(Engine::new(
            self.domains.clone(),
            self.policy.clone(),
            provider,
            sdi,
            self.lmtp_socket.clone(),
            users,
            Vec::new(),
        ))
    }

    /// The JSON ready line of `pec-sandbox up`.
    pub fn ready_line(&self) -> String {
        serde_json::json!({
            "imap": self.imap,
            "smtp": self.smtp,
            "ca_file": self.ca_file,
            "sdi_address": self.sdi_address,
            "accounts": self.accounts,
        })
        .to_string()
    }
}

/// A running sandbox: Dovecot + SMTP submission + the provider engine.
pub struct Sandbox {
    pub dovecot: Dovecot,
    pub engine: Arc<Engine>,
    pub smtp_addr: SocketAddr,
    pub state: State,
    smtp_task: tokio::task::JoinHandle<()>,
    smtp_shutdown: tokio::sync::watch::Sender<u64>,
    smtp_acceptor: tokio_rustls::TlsAcceptor,
    _tmp: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("smtp_addr", &self.smtp_addr)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    pub async fn start(opts: Options) -> Result<Sandbox, SandboxError> {
        let (dir, tmp) = match &opts.dir {
            Some(d) => {
                std::fs::create_dir_all(d)?;
                (std::fs::canonicalize(d)?, None)
            }
            None => {
                let t = tempfile::Builder::new().prefix("pec-sandbox-").tempdir()?;
                (t.path().to_path_buf(), Some(t))
            }
        };
        let pki = Arc::new(Pki::generate()?);
        let d = &opts.domains;
        let accounts: Vec<Account> = (1..=opts.accounts)
            .map(|i| Account {
                address: format!("utente{i}@{}", d.pec_domain),
                password: format!("password{i}"),
            })
            .collect();
        let external: Vec<Account> = opts
            .external_accounts
            .iter()
            .map(|a| Account {
                address: a.clone(),
                password: "esterno".into(),
            })
            .collect();
        let users: Vec<User> = accounts
            .iter()
            .chain(external.iter())
            .map(|a| User {
                address: a.address.clone(),
                password: a.password.clone(),
                quota_mb: opts.quotas.get(&a.address).copied(),
            })
            .collect();
        let dc_dir = dir.join("dovecot");
        if dc_dir.exists() {
            // A previous run's server state (pid file, sockets) must not leak into this one.
            let _ = std::fs::remove_dir_all(dc_dir.join("run"));
        }
        let dovecot = Dovecot::start(DovecotConfig {
            users,
            delegates: opts.delegates.clone(),
            layout: if opts.aruba_folders {
                FolderLayout::Aruba
            } else {
                FolderLayout::Standard
            },
            quota_mb: 0,
            dir: Some(dc_dir),
            pki: Some(pki.clone()),
            ..DovecotConfig::default()
        })
        .await?;

        let keys_dir = dir.join("keys");
        let signer = pki.provider_signer(PROVIDER_NAME, &d.pec_domain)?;
        signer.save(&keys_dir)?;
        let sdi_signer = pki.provider_signer(SDI_PROVIDER_NAME, &d.sdi_provider_domain)?;
        sdi_signer.save(&keys_dir)?;
        let ca_file = dir.join("ca.pem");
        std::fs::write(&ca_file, pki.root_pem())?;
        std::fs::write(keys_dir.join("ca1.pem"), pki.ca1_pem())?;

        let engine = Arc::new(Engine::new(
            d.clone(),
            opts.policy.clone(),
            pec::Provider::from_signer(&signer)?,
            pec::Provider::from_signer(&sdi_signer)?,
            dovecot.lmtp_socket(),
            accounts
                .iter()
                .map(|a| (a.address.clone(), a.password.clone()))
                .collect(),
            opts.delegates.clone(),
        ));

        let server = pki.server_cert()?;
        let acceptor = pec_test_harness::tls::acceptor(&server.cert_pem, &server.key_pem)?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let smtp_addr = listener.local_addr()?;
        let (smtp_shutdown, shutdown_rx) = tokio::sync::watch::channel(0u64);
        let smtp_task = tokio::spawn(smtp::serve(
            listener,
            acceptor.clone(),
            engine.clone(),
            shutdown_rx,
        ));

        let state = State {
            imap: dovecot.imap_addr().to_string(),
            smtp: smtp_addr.to_string(),
            ca_file,
            lmtp_socket: dovecot.lmtp_socket(),
            dovecot_conf: dovecot.conf_path().to_path_buf(),
            keys_dir,
            sdi_address: d.sdi_address.clone(),
            accounts,
            external_accounts: external,
            domains: d.clone(),
            policy: opts.policy.clone(),
        };
        std::fs::write(
            dir.join("state.json"),
            serde_json::to_string_pretty(&state).map_err(|e| SandboxError::State(e.to_string()))?,
        )?;
        Ok(Sandbox {
            dovecot,
            engine,
            smtp_addr,
            state,
            smtp_task,
            smtp_shutdown,
            smtp_acceptor: acceptor,
            _tmp: tmp,
        })
    }

    /// Root CA PEM (TLS and PEC signatures).
    pub fn ca_pem(&self) -> String {
        self.dovecot.pki().root_pem()
    }

    pub fn imap_addr(&self) -> SocketAddr {
        self.dovecot.imap_addr()
    }

    /// Restart the SMTP server on the same port: open sessions are cut, new ones work.
    pub async fn restart_smtp(&mut self) -> Result<(), SandboxError> {
        self.smtp_task.abort();
        self.smtp_shutdown.send_modify(|g| *g += 1);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let listener = loop {
            match tokio::net::TcpListener::bind(self.smtp_addr).await {
                Ok(l) => break l,
                Err(e) if std::time::Instant::now() > deadline => return Err(e.into()),
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
            }
        };
        self.smtp_task = tokio::spawn(smtp::serve(
            listener,
            self.smtp_acceptor.clone(),
            self.engine.clone(),
            self.smtp_shutdown.subscribe(),
        ));
        Ok(())
    }

    /// Restart IMAP (Dovecot) and SMTP: what a client sees when the provider restarts.
    pub async fn restart(&mut self) -> Result<(), SandboxError> {
        self.dovecot.restart().await?;
        self.restart_smtp().await
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.smtp_task.abort();
        self.smtp_shutdown.send_modify(|g| *g += 1);
    }
}
