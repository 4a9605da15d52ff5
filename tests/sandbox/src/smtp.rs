//! A small SMTP submission server (RFC 5321 + AUTH PLAIN/LOGIN, implicit TLS).
//!
//! Pipelining-tolerant by construction: commands are read from one buffered stream and answered in
//! order, so a client may send MAIL/RCPT/DATA in one go. DATA is dot-unstuffed; messages over the
//! SIZE limit are read to the end and refused with 552. Authenticated sessions are submissions (PEC
//! rules apply); unauthenticated sessions may only deliver to local PEC mailboxes, which then receive
//! the mail wrapped in a busta di anomalia (the provider's MX role).

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::engine::{Engine, Route};

const MAX_LINE: usize = 4096;

/// Accept connections until the task is aborted; open sessions end when `shutdown` changes.
pub async fn serve(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    engine: Arc<Engine>,
    shutdown: tokio::sync::watch::Receiver<u64>,
) {
    loop {
        let Ok((tcp, peer)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let acceptor = acceptor.clone();
        let engine = engine.clone();
        let mut shutdown = shutdown.clone();
        shutdown.borrow_and_update();
        tokio::spawn(async move {
            let work = async {
                let tls = match tokio::time::timeout(Duration::from_secs(30), acceptor.accept(tcp))
                    .await
                {
                    Ok(Ok(s)) => s,
                    _ => return,
                };
                if let Err(e) = session(tls, engine).await {
                    tracing::debug!("SMTP session {peer}: {e}");
                }
            };
            // Shutdown first: a restart must cut the session even when the client's next
            // command is already readable when the task is polled (unbiased, select! could run
            // that command first and answer it).
            tokio::select! {
                biased;
                _ = shutdown.changed() => {},
                _ = work => {},
            }
        });
    }
}

struct State {
    auth: Option<String>,
    mail_from: Option<String>,
    rcpts: Vec<String>,
}

async fn reply<W: AsyncWrite + Unpin>(w: &mut W, code: u16, text: &str) -> std::io::Result<()> {
    w.write_all(format!("{code} {text}\r\n").as_bytes()).await?;
    w.flush().await
}

async fn read_line<R: AsyncRead + Unpin>(
    r: &mut BufReader<R>,
    buf: &mut Vec<u8>,
) -> std::io::Result<bool> {
    buf.clear();
    let n = r.read_until(b'\n', buf).await?;
    if n == 0 {
        return Ok(false);
    }
    while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        buf.pop();
    }
    Ok(true)
}

fn parse_path(arg: &str, keyword: &str) -> Option<(String, String)> {
    let rest = arg.get(keyword.len()..)?;
    if !arg[..keyword.len()].eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = rest.trim_start();
    let start = rest.find('<')?;
    let end = rest.find('>')?;
    if end < start {
        return None;
    }
    Some((
        rest[start + 1..end].trim().to_ascii_lowercase(),
        rest[end + 1..].trim().to_string(),
    ))
}

async fn session<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    engine: Arc<Engine>,
) -> std::io::Result<()> {
    let (r, mut w) = tokio::io::split(stream);
    let mut r = BufReader::new(r);
    let host = format!("smtps.{}", engine.domains.pec_domain);
    reply(&mut w, 220, &format!("{host} ESMTP PEC sandbox")).await?;
    let mut st = State {
        auth: None,
        mail_from: None,
        rcpts: Vec::new(),
    };
    let mut line = Vec::new();
    loop {
        let ok = tokio::time::timeout(Duration::from_secs(300), read_line(&mut r, &mut line))
            .await
            .map_err(|_| std::io::Error::other("idle timeout"))??;
        if !ok {
            return Ok(());
        }
        if line.len() > MAX_LINE {
            reply(&mut w, 500, "5.5.2 Line too long").await?;
            continue;
        }
        let text = String::from_utf8_lossy(&line).to_string();
        let (verb, arg) = match text.split_once(' ') {
            Some((v, a)) => (v.to_ascii_uppercase(), a.trim().to_string()),
            None => (text.trim().to_ascii_uppercase(), String::new()),
        };
        match verb.as_str() {
            "EHLO" => {
                st.mail_from = None;
                st.rcpts.clear();
                let size = engine.policy.max_message_bytes;
                w.write_all(
                    format!(
                        "250-{host}\r\n250-PIPELINING\r\n250-SIZE {size}\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n250 AUTH PLAIN LOGIN\r\n"
                    )
                    .as_bytes(),
                )
                .await?;
                w.flush().await?;
            }
            "HELO" => reply(&mut w, 250, &host).await?,
            "NOOP" => reply(&mut w, 250, "2.0.0 Ok").await?,
            "RSET" => {
                st.mail_from = None;
                st.rcpts.clear();
                reply(&mut w, 250, "2.0.0 Ok").await?;
            }
            "VRFY" => reply(&mut w, 252, "2.5.2 Cannot VRFY user").await?,
            "QUIT" => {
                reply(&mut w, 221, "2.0.0 Bye").await?;
                return Ok(());
            }
            "AUTH" => {
                if st.auth.is_some() {
                    reply(&mut w, 503, "5.5.1 Already authenticated").await?;
                    continue;
                }
                let mut parts = arg.split_whitespace();
                let mech = parts.next().unwrap_or("").to_ascii_uppercase();
                let initial = parts.next().map(str::to_string);
                let creds = match mech.as_str() {
                    "PLAIN" => {
                        let resp = match initial {
                            Some(i) => i,
                            None => {
                                reply(&mut w, 334, "").await?;
                                if !read_line(&mut r, &mut line).await? {
                                    return Ok(());
                                }
                                String::from_utf8_lossy(&line).to_string()
                            }
                        };
                        base64::engine::general_purpose::STANDARD
                            .decode(resp.trim())
                            .ok()
                            .and_then(|d| {
                                let f: Vec<&[u8]> = d.split(|b| *b == 0).collect();
                                if f.len() == 3 {
                                    Some((
                                        String::from_utf8_lossy(f[1]).to_string(),
                                        String::from_utf8_lossy(f[2]).to_string(),
                                    ))
                                } else {
                                    None
                                }
                            })
                    }
                    "LOGIN" => {
                        let user = match initial {
                            Some(i) => i,
                            None => {
                                reply(&mut w, 334, "VXNlcm5hbWU6").await?;
                                if !read_line(&mut r, &mut line).await? {
                                    return Ok(());
                                }
                                String::from_utf8_lossy(&line).to_string()
                            }
                        };
                        reply(&mut w, 334, "UGFzc3dvcmQ6").await?;
                        if !read_line(&mut r, &mut line).await? {
                            return Ok(());
                        }
                        let pass = String::from_utf8_lossy(&line).to_string();
                        let dec = |s: &str| {
                            base64::engine::general_purpose::STANDARD
                                .decode(s.trim())
                                .ok()
                                .map(|d| String::from_utf8_lossy(&d).to_string())
                        };
                        dec(&user).zip(dec(&pass))
                    }
                    _ => {
                        reply(&mut w, 504, "5.5.4 Unrecognized authentication type").await?;
                        continue;
                    }
                };
                match creds {
                    Some((u, p)) if engine.authenticate(&u, &p) => {
                        st.auth = Some(u.to_ascii_lowercase());
                        reply(&mut w, 235, "2.7.0 Authentication successful").await?;
                    }
                    _ => {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        reply(&mut w, 535, "5.7.8 Authentication credentials invalid").await?;
                    }
                }
            }
            "MAIL" => {
                if st.mail_from.is_some() {
                    reply(&mut w, 503, "5.5.1 Nested MAIL command").await?;
                    continue;
                }
                let Some((addr, params)) = parse_path(&arg, "FROM:") else {
                    reply(&mut w, 501, "5.5.4 Syntax: MAIL FROM:<address>").await?;
                    continue;
                };
                let size = params.split_whitespace().find_map(|p| {
                    p.to_ascii_uppercase()
                        .strip_prefix("SIZE=")
                        .and_then(|v| v.parse::<u64>().ok())
                });
                if size.is_some_and(|s| s > engine.policy.max_message_bytes) {
                    reply(&mut w, 552, "5.3.4 Message size exceeds fixed limit").await?;
                    continue;
                }
                match &st.auth {
                    Some(login) => {
                        if !engine.may_send_as(login, &addr) {
                            reply(
                                &mut w,
                                553,
                                "5.7.1 Sender address rejected: not owned by user",
                            )
                            .await?;
                            continue;
                        }
                    }
                    None => {
                        if engine.route(&addr) != Route::External {
                            reply(&mut w, 530, "5.7.0 Authentication required").await?;
                            continue;
                        }
                    }
                }
                st.mail_from = Some(addr);
                reply(&mut w, 250, "2.1.0 Ok").await?;
            }
            "RCPT" => {
                if st.mail_from.is_none() {
                    reply(&mut w, 503, "5.5.1 Need MAIL command").await?;
                    continue;
                }
                let Some((addr, _)) = parse_path(&arg, "TO:") else {
                    reply(&mut w, 501, "5.5.4 Syntax: RCPT TO:<address>").await?;
                    continue;
                };
                if st.rcpts.len() >= engine.policy.max_recipients {
                    reply(&mut w, 452, "4.5.3 Too many recipients").await?;
                    continue;
                }
                if st.auth.is_none() {
                    // MX role: only our own PEC mailboxes.
                    if engine.route(&addr) != Route::Local || !engine.users.contains_key(&addr) {
                        reply(&mut w, 550, "5.7.1 Relay access denied").await?;
                        continue;
                    }
                }
                st.rcpts.push(addr);
                reply(&mut w, 250, "2.1.5 Ok").await?;
            }
            "DATA" => {
                if st.mail_from.is_none() || st.rcpts.is_empty() {
                    reply(&mut w, 503, "5.5.1 Need MAIL and RCPT commands").await?;
                    continue;
                }
                reply(&mut w, 354, "End data with <CR><LF>.<CR><LF>").await?;
                let limit = engine.policy.max_message_bytes as usize;
                let mut data: Vec<u8> = Vec::new();
                let mut too_big = false;
                loop {
                    let mut l = Vec::new();
                    let n = r.read_until(b'\n', &mut l).await?;
                    if n == 0 {
                        return Ok(());
                    }
                    if l == b".\r\n" || l == b".\n" {
                        break;
                    }
                    let content = if l.starts_with(b".") { &l[1..] } else { &l[..] };
                    if data.len() + content.len() > limit {
                        too_big = true;
                        continue;
                    }
                    // Canonical CRLF.
                    if content.ends_with(b"\r\n") {
                        data.extend_from_slice(content);
                    } else if content.ends_with(b"\n") {
                        data.extend_from_slice(&content[..content.len() - 1]);
                        data.extend_from_slice(b"\r\n");
                    } else {
                        data.extend_from_slice(content);
                    }
                }
                let from = st.mail_from.take().unwrap_or_default();
                let rcpts = std::mem::take(&mut st.rcpts);
                if too_big {
                    reply(&mut w, 552, "5.3.4 Message size exceeds fixed limit").await?;
                    continue;
                }
                let res = match &st.auth {
                    Some(_) => engine.submit(&from, &rcpts, data).await,
                    None => engine.inbound(&from, &rcpts, data).await,
                };
                reply(&mut w, res.code, &res.text).await?;
            }
            "" => reply(&mut w, 500, "5.5.2 Error: bad syntax").await?,
            _ => reply(&mut w, 502, "5.5.2 Error: command not recognized").await?,
        }
    }
}
