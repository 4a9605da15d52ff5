//! Connecting: TCP → TLS (tokio-rustls, ring; platform verifier or a custom CA file) → IMAP login.
//! Every failure is mapped to a typed [`SyncError`].

use super::SyncError;
use crate::accounts::Account;
use async_imap::Session;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls;

/// An IMAP session over TLS, its incoming bytes bounded by [`super::guard`].
pub type ImapSession = Session<super::guard::Guarded<TlsStream<TcpStream>>>;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The TLS client configuration for an account: its CA file when set (private CAs such as the
/// sandbox), else the platform verifier.
pub fn tls_config(ca_file: Option<&std::path::Path>) -> Result<rustls::ClientConfig, SyncError> {
    let builder = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| SyncError::Tls(e.to_string()))?;
    match ca_file {
        Some(path) => {
            let pem = std::fs::read(path)
                .map_err(|e| SyncError::Tls(format!("{}: {e}", path.display())))?;
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_slice_iter(&pem) {
                let cert = cert.map_err(|e| SyncError::Tls(format!("{}: {e}", path.display())))?;
                roots.add(cert).map_err(|e| SyncError::Tls(e.to_string()))?;
            }
            if roots.is_empty() {
                return Err(SyncError::Tls(format!(
                    "{}: no certificate",
                    path.display()
                )));
            }
            Ok(builder.with_root_certificates(roots).with_no_client_auth())
        }
        None => {
            use rustls_platform_verifier::BuilderVerifierExt;
            Ok(builder
                .with_platform_verifier()
                .map_err(|e| SyncError::Tls(e.to_string()))?
                .with_no_client_auth())
        }
    }
}

pub(crate) fn classify_io(e: std::io::Error) -> SyncError {
    if let Some(refused) = super::guard::refusal(&e) {
        return SyncError::Protocol(refused.to_string());
    }
    // rustls surfaces handshake/certificate failures as InvalidData with a rustls::Error inside.
    let is_tls = e.kind() == std::io::ErrorKind::InvalidData
        || e.get_ref()
            .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some());
    if is_tls {
        SyncError::Tls(e.to_string())
    } else {
        SyncError::Network(e.to_string())
    }
}

/// Run an IMAP conversation so that a panic inside it ends it with a protocol error instead of
/// unwinding into the caller (or silently ending a background task). imap-proto, which async-imap
/// parses every server response with, has panics a server can reach: `* 1 FETCH (INTERNALDATE
/// NIL)` unwraps a `None` (found by the `imap_responses` fuzz target). Every public entry that
/// talks IMAP runs inside this; the session is dropped with the conversation.
pub(crate) async fn contained<T, E: From<SyncError>>(
    conversation: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, E> {
    use futures::FutureExt;
    match std::panic::AssertUnwindSafe(conversation)
        .catch_unwind()
        .await
    {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(SyncError::Protocol(format!(
                "the server sent a response the IMAP parser could not read ({what})"
            ))
            .into())
        }
    }
}

/// Connect and log in.
pub async fn connect(account: &Account, password: &str) -> Result<ImapSession, SyncError> {
    let cfg = &account.config;
    let tls = TlsConnector::from(Arc::new(tls_config(cfg.ca_file.as_deref())?));
    let host = cfg.imap_host.clone();
    let fut = async {
        let tcp = TcpStream::connect((host.as_str(), cfg.imap_port))
            .await
            .map_err(|e| SyncError::Network(format!("{host}:{}: {e}", cfg.imap_port)))?;
        tcp.set_nodelay(true).ok();
        let name = match host.parse::<std::net::IpAddr>() {
            Ok(ip) => ServerName::IpAddress(ip.into()),
            Err(_) => {
                ServerName::try_from(host.clone()).map_err(|e| SyncError::Tls(e.to_string()))?
            }
        };
        let stream = tls.connect(name, tcp).await.map_err(classify_io)?;
        let mut client = async_imap::Client::new(super::guard::Guarded::new(stream));
        match client.read_response().await {
            Ok(Some(_)) => {}
            Ok(None) => {
                return Err(SyncError::Network(
                    "connection closed before greeting".into(),
                ));
            }
            Err(e) => return Err(classify_io(e)),
        }
        client
            .login(&account.login, password)
            .await
            .map_err(|(e, _)| login_refusal(e))
    };
    tokio::time::timeout(CONNECT_TIMEOUT, fut)
        .await
        .map_err(|_| {
            SyncError::Network(format!("{}:{}: timed out", cfg.imap_host, cfg.imap_port))
        })?
}

/// Type a refused LOGIN by its RFC 5530 response code, so a UI can say what is wrong:
/// `AUTHORIZATIONFAILED` and `CONTACTADMIN` (the password is right but this user may not log in
/// here, e.g. a delegate without the "mail programs" permission: Dovecot answers a `nologin`
/// account, which it only reports after the password matched, with CONTACTADMIN and the
/// provider's reason) are a permission problem, `UNAVAILABLE`
/// ("Temporary authentication failure": the server's own authentication is broken) is the
/// server's, and any other NO (`AUTHENTICATIONFAILED`, or no code) means a wrong user name or
/// password. A BAD is a protocol error, not a wrong password.
fn login_refusal(e: async_imap::error::Error) -> SyncError {
    use async_imap::error::Error as E;
    match e {
        E::No(m) => {
            let upper = m.to_ascii_uppercase();
            if upper.contains("AUTHORIZATIONFAILED") || upper.contains("CONTACTADMIN") {
                SyncError::NotPermitted(m)
            } else if upper.contains("[UNAVAILABLE]") || upper.contains("TEMPORARY") {
                SyncError::Server(format!("login temporarily unavailable: {m}"))
            } else {
                SyncError::Auth(m)
            }
        }
        other => map_imap(other),
    }
}

/// Map an async-imap error: network-level failures are retryable, protocol ones are not.
pub fn map_imap(e: async_imap::error::Error) -> SyncError {
    use async_imap::error::Error as E;
    match e {
        E::Io(io) => classify_io(io),
        E::ConnectionLost => SyncError::Network("connection lost".into()),
        E::No(m) => SyncError::Server(m),
        E::Bad(m) => SyncError::Protocol(m),
        E::Parse(p) => SyncError::Protocol(format!("parse: {p}")),
        E::Validate(v) => SyncError::Protocol(format!("validate: {v}")),
        E::Append => SyncError::Server("append failed".into()),
        other => SyncError::Protocol(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_inside_a_conversation_becomes_a_protocol_error() {
        let conversation = async {
            let parsed: Vec<u32> = Vec::new();
            // What imap-proto's `INTERNALDATE NIL` does: an index or unwrap that fails.
            let first = parsed[0];
            Ok::<u32, SyncError>(first)
        };
        let e = contained(conversation).await.unwrap_err();
        assert!(
            matches!(&e, SyncError::Protocol(m) if m.contains("could not read")),
            "{e:?}"
        );
    }
}
