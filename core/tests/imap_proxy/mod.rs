//! A TLS proxy on loopback in front of a real Dovecot that passes everything through except the
//! answer to `UID SEARCH`, which it can refuse or cut once armed (shared by the sync and outbox
//! tests that check what a failed search must not do).
#![allow(dead_code)]

use pec_test_harness::Dovecot;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// What the proxy does to the answer to `UID SEARCH`.
#[derive(Clone, Copy, Debug)]
pub enum Answer {
    /// Passed through untouched.
    AsIs,
    /// Its `* SEARCH` lines dropped and its tagged `OK` turned into `NO`.
    Refused,
    /// Its first `* SEARCH` line cut to one UID, then the connection closed.
    Cut,
}

/// Terminate TLS from the client (a certificate from Dovecot's own test root), open TLS to
/// Dovecot, and pass everything through except the answer to `UID SEARCH`, mangled per `answer`
/// once `armed`.
pub async fn search_proxy(dc: &Dovecot, answer: Answer, armed: Arc<AtomicBool>) -> SocketAddr {
    let server = dc.pki().server_cert().expect("cert");
    let acceptor =
        pec_test_harness::tls::acceptor(&server.cert_pem, &server.key_pem).expect("acceptor");
    let connector = dc.tls_connector().expect("connector");
    let upstream = dc.imap_addr();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, connector) = (acceptor.clone(), connector.clone());
            let armed = armed.clone();
            tokio::spawn(async move {
                let Ok(client) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(server) = pec_test_harness::tls::connect(&connector, upstream).await else {
                    return;
                };
                relay(client, server, answer, armed).await;
            });
        }
    });
    addr
}

async fn relay<C, S>(client: C, server: S, answer: Answer, armed: Arc<AtomicBool>)
where
    C: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let (client_rx, mut client_tx) = tokio::io::split(client);
    let (server_rx, mut server_tx) = tokio::io::split(server);
    let mut commands = BufReader::new(client_rx);
    let mut answers = BufReader::new(server_rx);
    // The tag of the client's pending UID SEARCH, if any.
    let searching: Arc<std::sync::Mutex<Option<String>>> = Arc::default();
    let pending = searching.clone();
    let upward = async move {
        let mut line = Vec::new();
        while commands.read_until(b'\n', &mut line).await.unwrap_or(0) > 0 {
            let text = String::from_utf8_lossy(&line).to_ascii_uppercase();
            let mut words = text.split_whitespace();
            if !armed.load(Ordering::SeqCst) {
                // Not yet: everything passes through.
            } else if let (Some(tag), Some("UID"), Some("SEARCH")) =
                (words.next(), words.next(), words.next())
            {
                *pending.lock().unwrap() = Some(tag.to_string());
            }
            if server_tx.write_all(&line).await.is_err() {
                return;
            }
            line.clear();
        }
    };
    let downward = async move {
        let mut line = Vec::new();
        while answers.read_until(b'\n', &mut line).await.unwrap_or(0) > 0 {
            let tag = searching.lock().unwrap().clone();
            let out = match (tag, answer) {
                (Some(_), Answer::Refused) if line.starts_with(b"* SEARCH") => Vec::new(),
                (Some(tag), Answer::Refused)
                    if line.starts_with(format!("{tag} OK").as_bytes()) =>
                {
                    *searching.lock().unwrap() = None;
                    format!("{tag} NO [SERVERBUG] Search failed\r\n").into_bytes()
                }
                (Some(_), Answer::Cut) if line.starts_with(b"* SEARCH") => {
                    let first: Vec<u8> = line
                        .split(|b| *b == b' ')
                        .take(3)
                        .collect::<Vec<_>>()
                        .join(&b' ');
                    client_tx.write_all(&first).await.ok();
                    client_tx.write_all(b"\r\n").await.ok();
                    client_tx.shutdown().await.ok();
                    return;
                }
                _ => line.clone(),
            };
            if client_tx.write_all(&out).await.is_err() {
                return;
            }
            line.clear();
        }
    };
    tokio::join!(upward, downward);
}
