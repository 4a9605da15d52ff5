//! A TLS proxy on loopback in front of a real Dovecot that passes everything through except the
//! answer to `UID SEARCH` or `UID FETCH`, which it can refuse or cut once armed (shared by the
//! sync and outbox tests that check what a failed answer must not do).

use pec_test_harness::Dovecot;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// What the proxy does to the answer to the watched command.
#[derive(Clone, Copy, Debug)]
pub enum Answer {
    /// Passed through untouched.
    AsIs,
    /// Its data responses (`* SEARCH`, `* n FETCH` with their literals) dropped and its tagged
    /// `OK` turned into `NO`.
    Refused,
    /// Its first data response passed (a `* SEARCH` cut to its first UID), then the connection
    /// closed between two responses.
    Cut,
}

/// Terminate TLS from the client (a certificate from Dovecot's own test root), open TLS to
/// Dovecot, and pass everything through except the answer to `UID <command>` (`SEARCH` or
/// `FETCH`), mangled per `answer` once `armed`.
pub async fn answer_proxy(
    dc: &Dovecot,
    command: &'static str,
    answer: Answer,
    armed: Arc<AtomicBool>,
) -> SocketAddr {
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
                relay(client, server, command, answer, armed).await;
            });
        }
    });
    addr
}

/// [`answer_proxy`] on `UID SEARCH`.
pub async fn search_proxy(dc: &Dovecot, answer: Answer, armed: Arc<AtomicBool>) -> SocketAddr {
    answer_proxy(dc, "SEARCH", answer, armed).await
}

/// The size of the literal a line announces at its end (`{N}` or `{N+}` before CRLF).
fn literal_at_end(line: &[u8]) -> Option<usize> {
    let body = line.strip_suffix(b"\r\n")?.strip_suffix(b"}")?;
    let open = body.iter().rposition(|b| *b == b'{')?;
    let digits = body[open + 1..]
        .strip_suffix(b"+")
        .unwrap_or(&body[open + 1..]);
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// One whole server response: a line, and for each literal it announces the literal and the
/// line that follows. Empty at the end of the stream.
async fn read_response<R: tokio::io::AsyncBufRead + Unpin>(from: &mut R) -> Vec<u8> {
    let mut response = Vec::new();
    loop {
        let start = response.len();
        if from.read_until(b'\n', &mut response).await.unwrap_or(0) == 0 {
            return response;
        }
        let Some(n) = literal_at_end(&response[start..]) else {
            return response;
        };
        let mut literal = vec![0; n];
        if tokio::io::AsyncReadExt::read_exact(from, &mut literal)
            .await
            .is_err()
        {
            return response;
        }
        response.extend_from_slice(&literal);
    }
}

/// Whether `response` is data of the watched command: `* SEARCH ...` or `* n FETCH ...`.
fn is_data(response: &[u8], command: &str) -> bool {
    let text = String::from_utf8_lossy(&response[..response.len().min(64)]).to_ascii_uppercase();
    let words: Vec<&str> = text.split_whitespace().take(3).collect();
    match words.as_slice() {
        ["*", word, ..] if *word == command => true,
        ["*", _, word] => *word == command,
        _ => false,
    }
}

async fn relay<C, S>(
    client: C,
    server: S,
    command: &'static str,
    answer: Answer,
    armed: Arc<AtomicBool>,
) where
    C: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let (client_rx, mut client_tx) = tokio::io::split(client);
    let (server_rx, mut server_tx) = tokio::io::split(server);
    let mut commands = BufReader::new(client_rx);
    let mut answers = BufReader::new(server_rx);
    // The tag of the client's pending watched command, if any.
    let watching: Arc<std::sync::Mutex<Option<String>>> = Arc::default();
    let pending = watching.clone();
    let upward = async move {
        let mut line = Vec::new();
        while commands.read_until(b'\n', &mut line).await.unwrap_or(0) > 0 {
            let text = String::from_utf8_lossy(&line).to_ascii_uppercase();
            let mut words = text.split_whitespace();
            if let (true, Some(tag), Some("UID"), Some(verb)) = (
                armed.load(Ordering::SeqCst),
                words.next(),
                words.next(),
                words.next(),
            ) && verb == command
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
        loop {
            let response = read_response(&mut answers).await;
            if response.is_empty() {
                return;
            }
            let tag = watching.lock().unwrap().clone();
            let out = match (tag, answer) {
                (Some(_), Answer::Refused) if is_data(&response, command) => Vec::new(),
                (Some(tag), Answer::Refused)
                    if response.starts_with(format!("{tag} OK").as_bytes()) =>
                {
                    *watching.lock().unwrap() = None;
                    format!("{tag} NO [SERVERBUG] {command} failed\r\n").into_bytes()
                }
                (Some(_), Answer::Cut) if is_data(&response, command) => {
                    let first = if command == "SEARCH" {
                        let words: Vec<&[u8]> = response.split(|b| *b == b' ').take(3).collect();
                        [words.join(&b' ').trim_ascii_end(), b"\r\n"].concat()
                    } else {
                        response
                    };
                    client_tx.write_all(&first).await.ok();
                    client_tx.shutdown().await.ok();
                    return;
                }
                _ => response,
            };
            if client_tx.write_all(&out).await.is_err() {
                return;
            }
        }
    };
    tokio::join!(upward, downward);
}
