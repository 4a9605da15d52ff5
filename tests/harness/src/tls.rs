//! TLS helpers: client connectors trusting the sandbox root, server configs from PEM.

use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::{TlsAcceptor, TlsConnector};

use crate::HarnessError;

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A client connector that trusts only `root_pem`.
pub fn connector(root_pem: &str) -> Result<TlsConnector, HarnessError> {
    Ok(TlsConnector::from(Arc::new(client_config(root_pem)?)))
}

/// A client configuration (ring) that trusts only `root_pem`.
pub fn client_config(root_pem: &str) -> Result<rustls::ClientConfig, HarnessError> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(root_pem.as_bytes()) {
        let cert = cert.map_err(|e| HarnessError::Tls(e.to_string()))?;
        roots
            .add(cert)
            .map_err(|e| HarnessError::Tls(e.to_string()))?;
    }
    Ok(rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| HarnessError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// A server acceptor from a certificate chain PEM and a PKCS#8 key PEM.
pub fn acceptor(chain_pem: &str, key_pem: &str) -> Result<TlsAcceptor, HarnessError> {
    let certs = CertificateDer::pem_slice_iter(chain_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| HarnessError::Tls(e.to_string()))?;
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes())
        .map_err(|e| HarnessError::Tls(e.to_string()))?;
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| HarnessError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| HarnessError::Tls(e.to_string()))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Connect with implicit TLS to `addr`, verifying the certificate for `127.0.0.1`.
pub async fn connect(
    connector: &TlsConnector,
    addr: std::net::SocketAddr,
) -> Result<TlsStream<TcpStream>, HarnessError> {
    let tcp = TcpStream::connect(addr).await?;
    let name = ServerName::IpAddress(addr.ip().into());
    connector
        .connect(name, tcp)
        .await
        .map_err(|e| HarnessError::Tls(e.to_string()))
}
