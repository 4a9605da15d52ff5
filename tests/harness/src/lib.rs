//! `pec-test-harness`: a real Dovecot (and a real Radicale, for address books) on loopback for
//! integration tests, with the test PKI, an LMTP client, IMAP helpers and a fault proxy.
//!
//! ```no_run
//! # async fn t() -> Result<(), pec_test_harness::HarnessError> {
//! use pec_test_harness::{Dovecot, DovecotConfig, User};
//! let Some(_) = pec_test_harness::dovecot_or_skip("my_test") else { return Ok(()) };
//! let dc = Dovecot::start(DovecotConfig::with_users(vec![User::new("mario@pec.sandbox.test", "pw")])).await?;
//! let mut imap = dc.imap_login("mario@pec.sandbox.test", "pw").await?;
//! imap.select("INBOX").await.unwrap();
//! # Ok(()) }
//! ```

pub mod corpus;
pub mod dovecot;
pub mod forge;
pub mod lmtp;
pub mod pki;
pub mod proxy;
pub mod radicale;
pub mod secrets;
pub mod tls;

pub use dovecot::{Delegate, DelegatePerms, Dovecot, DovecotConfig, FolderLayout, User};
pub use lmtp::{LmtpClient, RcptStatus};
pub use pki::{CertAndKey, Pki, ProviderSigner};
pub use proxy::FaultProxy;
pub use radicale::{Radicale, radicale_or_skip};

/// Everything that can go wrong while setting up the test servers.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("PKI: {0}")]
    Pki(String),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("dovecot: {0}")]
    Dovecot(String),
    #[error("radicale: {0}")]
    Radicale(String),
    #[error("IMAP: {0}")]
    Imap(String),
    #[error("LMTP: {0}")]
    Lmtp(String),
    #[error("timed out: {0}")]
    Timeout(String),
}

/// Path of the `dovecot` binary, if installed (Debian puts it in /usr/sbin, often not on PATH).
pub fn dovecot_binary() -> Option<std::path::PathBuf> {
    let mut candidates: Vec<std::path::PathBuf> =
        vec!["/usr/sbin/dovecot".into(), "/usr/local/sbin/dovecot".into()];
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            candidates.push(dir.join("dovecot"));
        }
    }
    candidates.into_iter().find(|p| p.is_file())
}

/// True when running in CI (`CI=true`): a missing server is a failure there, not a skip.
pub fn in_ci() -> bool {
    matches!(std::env::var("CI").as_deref(), Ok("true") | Ok("1"))
}

/// Returns the dovecot binary, or `None` after printing a skip message. Panics in CI when dovecot is
/// missing, so a CI run can never pass by skipping.
pub fn dovecot_or_skip(test: &str) -> Option<std::path::PathBuf> {
    match dovecot_binary() {
        Some(p) => Some(p),
        None if in_ci() => panic!(
            "{test}: dovecot is not installed and CI=true (apt-get install dovecot-imapd dovecot-lmtpd)"
        ),
        None => {
            eprintln!(
                "SKIP {test}: dovecot is not installed (apt-get install dovecot-imapd dovecot-lmtpd)"
            );
            None
        }
    }
}

/// A free TCP port on 127.0.0.1 (bound then released; callers retry on a lost race).
pub fn free_port() -> std::io::Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}
