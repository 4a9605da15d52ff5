//! A hostile IMAP server cannot make us buffer without bound: a scripted server on loopback over
//! real TCP and TLS sends an endless response line, announces a 10 GB literal, or nests a
//! BODYSTRUCTURE millions of parentheses deep, and the connect that both the sync and the outbox
//! use ends with a protocol error instead of reading on or overflowing the stack.

use pec_core::accounts::{Account, AccountConfig};
use pec_core::sync::{SyncError, connect};
use pec_test_harness::Pki;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

/// Serve one TLS connection that writes `head`, then up to 64 MiB of `fill`, then closes.
async fn hostile_server(pki: &Pki, head: &'static [u8], fill: u8) -> std::net::SocketAddr {
    let server = pki.server_cert().unwrap();
    let chain = format!("{}{}", server.cert_pem, pki.ca1_pem());
    let acceptor = pec_test_harness::tls::acceptor(&chain, &server.key_pem).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut tls = acceptor.accept(tcp).await.unwrap();
        if tls.write_all(head).await.is_err() {
            return;
        }
        let chunk = vec![fill; 64 * 1024];
        for _ in 0..1024 {
            if tls.write_all(&chunk).await.is_err() {
                return;
            }
        }
        tls.shutdown().await.ok();
    });
    addr
}

fn account(addr: std::net::SocketAddr, ca_file: std::path::PathBuf) -> Account {
    Account {
        id: 1,
        config: AccountConfig {
            address: "me@pec.test".into(),
            display_name: None,
            imap_host: addr.ip().to_string(),
            imap_port: addr.port(),
            smtp_host: addr.ip().to_string(),
            smtp_port: 1,
            ca_file: Some(ca_file),
        },
        login: "me@pec.test".into(),
        quota_used_kb: None,
        quota_limit_kb: None,
    }
}

/// A hostile server (see [`hostile_server`]) and an account reaching it, its CA kept in `dir`.
async fn hostile_account(dir: &std::path::Path, head: &'static [u8], fill: u8) -> Account {
    let pki = Pki::generate().unwrap();
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, format!("{}{}", pki.root_pem(), pki.ca1_pem())).unwrap();
    let addr = hostile_server(&pki, head, fill).await;
    account(addr, ca)
}

async fn connect_to(head: &'static [u8], fill: u8) -> SyncError {
    let dir = tempfile::tempdir().unwrap();
    match connect(&hostile_account(dir.path(), head, fill).await, "secret").await {
        Ok(_) => panic!("logged in to a hostile server"),
        Err(e) => e,
    }
}

#[tokio::test]
async fn an_endless_response_line_ends_the_session() {
    let e = connect_to(b"* OK ", b'a').await;
    assert!(
        matches!(&e, SyncError::Protocol(m) if m.contains("line longer than")),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_ten_gigabyte_literal_is_refused_before_its_bytes() {
    let e = connect_to(b"* OK [ALERT {10000000000}\r\n", b'x').await;
    assert!(
        matches!(&e, SyncError::Protocol(m) if m.contains("10000000000-byte literal")),
        "{e:?}"
    );
}

/// Without the guard, imap-proto's recursion overflows the stack and aborts the whole process.
#[tokio::test]
async fn a_bodystructure_nested_millions_deep_is_refused_not_a_crash() {
    let e = connect_to(b"* 1 FETCH (UID 1 BODYSTRUCTURE ", b'(').await;
    assert!(
        matches!(&e, SyncError::Protocol(m) if m.contains("deeper than 128 parentheses")),
        "{e:?}"
    );
}

/// imap-proto unwraps a `None` on `INTERNALDATE NIL` (the guard refuses it; a panic that gets
/// through is contained): the pass ends with a protocol error and the engine's status says so.
#[tokio::test]
async fn a_response_that_panics_the_parser_ends_the_pass_with_an_error() {
    use pec_core::accounts::{CredentialStore, MemoryCredentialStore};
    use pec_core::store::Store;
    use pec_core::sync::{SyncEngine, SyncOptions};
    let dir = tempfile::tempdir().unwrap();
    let hostile =
        hostile_account(dir.path(), b"* 1 FETCH (UID 1 INTERNALDATE NIL)\r\n", b' ').await;
    let store = Store::open_in(dir.path()).unwrap();
    let id = store.add_account(&hostile.config).unwrap();
    let creds = std::sync::Arc::new(MemoryCredentialStore::new());
    creds.set("me@pec.test", "secret").unwrap();
    let engine = SyncEngine::new(store, creds);
    let e = engine
        .sync_once(id, &SyncOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&e, SyncError::Protocol(m) if m.contains("INTERNALDATE NIL")),
        "{e:?}"
    );
    let status = engine.status();
    assert!(!status.running);
    assert!(status.last_error.is_some(), "{status:?}");
}
