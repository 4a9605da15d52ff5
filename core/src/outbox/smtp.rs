//! SMTP submission with lettre's connection API, so the client knows which phase an error came
//! from: before `DATA` an SMTP refusal is definite; a network error at any point after the row was
//! marked `sending` leaves the outcome unknown (settled by the server check, never by a blind
//! resend). Every network step runs under `tokio::time::timeout`.
//!
//! Memory: the encoded message is read once from its file (one copy, about 1.37 × the attachments)
//! and written to the socket in 64 KiB pieces (lettre's `message_iter` dot-stuffs piece by piece).

use super::{FailureKind, OutboxEntry, SendFailure};
use crate::accounts::Account;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{
    AsyncSmtpConnection, Certificate, CertificateStore, TlsParameters,
};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, MailBodyParameter, MailParameter};
use std::time::Duration;

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The provider answered 250 to the end of DATA (its reply text).
    Submitted(String),
    /// A permanent refusal: never retried automatically.
    Rejected(SendFailure),
    /// Definitely not submitted (connection, TLS, temporary 4xx): retry with backoff.
    NotSent { kind: FailureKind, detail: String },
    /// Unknown: the network failed while the provider may have received the message.
    Unknown(String),
}

/// TLS parameters for `host`, trusting only `ca_file` when the account names one (private CA),
/// the platform's roots otherwise.
pub(crate) fn tls_parameters(
    host: &str,
    ca_file: Option<&std::path::Path>,
) -> Result<TlsParameters, String> {
    let mut b = TlsParameters::builder(host.to_string());
    if let Some(ca) = ca_file {
        let pem = std::fs::read(ca).map_err(|e| format!("{}: {e}", ca.display()))?;
        let cert = Certificate::from_pem(&pem).map_err(|e| format!("{}: {e}", ca.display()))?;
        b = b
            .certificate_store(CertificateStore::None)
            .add_root_certificate(cert);
    }
    b.build_rustls().map_err(|e| e.to_string())
}

/// lettre's text for an error, each part said once: its TLS upgrade wraps a connection error in
/// another, which read "Connection error: Connection error: invalid peer certificate: ...".
fn detail_of(err: &lettre::transport::smtp::Error) -> String {
    let text = err.to_string();
    let mut parts: Vec<&str> = Vec::new();
    for part in text.split(": ") {
        if parts.last() != Some(&part) {
            parts.push(part);
        }
    }
    parts.join(": ")
}

fn classify(err: &lettre::transport::smtp::Error, phase: &str, acct: &Account) -> Outcome {
    let detail = detail_of(err);
    let code: Option<u16> = err.status().map(u16::from);
    if phase == "RCPT" && too_many_recipients(code, &detail) {
        return Outcome::Rejected(SendFailure::TooManyRecipients { detail });
    }
    if err.is_permanent() {
        let lower = detail.to_ascii_lowercase();
        let f = match code {
            Some(535) | Some(534) | Some(530) => SendFailure::Auth {
                address: acct.config.address.clone(),
                detail,
            },
            Some(552) => SendFailure::TooLarge { detail },
            _ if lower.contains("5.3.4") || lower.contains("size") => {
                SendFailure::TooLarge { detail }
            }
            _ if phase == "MAIL" || lower.contains("not owned") || lower.contains("sender") => {
                SendFailure::SenderNotOwned {
                    address: acct.config.address.clone(),
                    detail,
                }
            }
            _ if phase == "RCPT" => SendFailure::Recipient { detail },
            _ => SendFailure::Other { detail },
        };
        return Outcome::Rejected(f);
    }
    if err.is_transient() {
        return Outcome::NotSent {
            kind: FailureKind::Temporary,
            detail,
        };
    }
    if phase == "CONNECT" && is_tls_failure(err) {
        return Outcome::NotSent {
            kind: FailureKind::Tls,
            detail,
        };
    }
    // Before the end of DATA nothing can have been submitted: a dead connection there is definite.
    if phase != "END" {
        return Outcome::NotSent {
            kind: FailureKind::Network,
            detail,
        };
    }
    Outcome::Unknown(format!("{phase}: {detail}"))
}

/// A refusal of the recipient count. RFC 5321 §4.5.3.1.10 answers "too many recipients" with
/// 452 (some servers 552) and asks the client to send the remaining recipients in a later
/// transaction. A PEC cannot do that: the provider certifies one message, one transaction, with
/// one accettazione listing every recipient, so a second transaction would be a second PEC with
/// its own receipts. For PEC the 452 is therefore final: the message fails with the reason
/// instead of waiting in the queue for a retry that would be refused the same way. Only this
/// 452 is final: the other 4xx (mailbox busy, storage full, 4.5.3 aside) stay temporary and are
/// retried. Recognised by the enhanced status code 4.5.3/5.5.3 (RFC 3463 "too many
/// recipients") or the reply text.
fn too_many_recipients(code: Option<u16>, detail: &str) -> bool {
    let lower = detail.to_ascii_lowercase();
    matches!(code, Some(452) | Some(552))
        && (lower.contains("4.5.3")
            || lower.contains("5.5.3")
            || lower.contains("too many recipients"))
}

/// A handshake or certificate failure: lettre reports it as a connection error whose source is
/// the I/O error rustls raised (`InvalidData`, with the `rustls::Error` inside).
fn is_tls_failure(err: &lettre::transport::smtp::Error) -> bool {
    let mut source = std::error::Error::source(err);
    while let Some(e) = source {
        if e.downcast_ref::<tokio_rustls::rustls::Error>().is_some() {
            return true;
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::InvalidData
        {
            return true;
        }
        source = e.source();
    }
    false
}

/// Submit one entry, already claimed (`sending`) by the caller.
pub(crate) async fn submit(
    outbox: &super::Outbox,
    acct: &Account,
    password: &str,
    e: &OutboxEntry,
) -> Outcome {
    let limit = outbox.config().smtp_timeout;
    let bytes = match outbox.read_message_file_async(&e.file).await {
        Ok(b) if b.len() as u64 == e.size => b,
        Ok(b) => {
            return Outcome::Rejected(SendFailure::Other {
                detail: format!(
                    "the stored message file changed size ({} bytes instead of {}); it was not sent",
                    b.len(),
                    e.size
                ),
            });
        }
        Err(err) => {
            return Outcome::Rejected(SendFailure::Other {
                detail: format!("the stored message file cannot be read: {err}"),
            });
        }
    };
    let from: lettre::Address = match e.mail_from.parse() {
        Ok(a) => a,
        Err(err) => {
            return Outcome::Rejected(SendFailure::SenderNotOwned {
                address: e.mail_from.clone(),
                detail: err.to_string(),
            });
        }
    };
    let mut rcpts: Vec<lettre::Address> = Vec::new();
    for r in &e.rcpts {
        match r.parse() {
            Ok(a) => rcpts.push(a),
            Err(err) => {
                return Outcome::Rejected(SendFailure::Recipient {
                    detail: format!("{r}: {err}"),
                });
            }
        }
    }
    let mut conn = match open_session(acct, password, limit).await {
        Ok(c) => c,
        Err(o) => return o,
    };
    let mut opts = Vec::new();
    if !bytes.is_ascii() {
        opts.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    let deadline = tokio::time::Instant::now() + limit;
    let left = || deadline.saturating_duration_since(tokio::time::Instant::now());
    // MAIL, RCPT, DATA: an SMTP refusal here is definite (nothing was submitted).
    let r = tokio::time::timeout(left(), conn.command(Mail::new(Some(from), opts))).await;
    if let Some(o) = phase_result(r, "MAIL", acct) {
        conn.abort().await;
        return o;
    }
    for rcpt in rcpts {
        let r = tokio::time::timeout(left(), conn.command(Rcpt::new(rcpt, vec![]))).await;
        if let Some(o) = phase_result(r, "RCPT", acct) {
            conn.abort().await;
            return o;
        }
    }
    let r = tokio::time::timeout(left(), conn.command(Data)).await;
    if let Some(o) = phase_result(r, "DATA", acct) {
        conn.abort().await;
        return o;
    }
    let sent = tokio::time::timeout(left(), conn.message_iter(bytes.chunks(64 * 1024))).await;
    drop(bytes);
    match sent {
        Ok(Ok(resp)) => {
            let text = resp.message().collect::<Vec<_>>().join(" ");
            let _ = tokio::time::timeout(Duration::from_secs(5), conn.quit()).await;
            Outcome::Submitted(format!("{} {text}", u16::from(resp.code())))
        }
        Err(_) => Outcome::Unknown("end of DATA: no answer from the provider".into()),
        // 5xx: refused (definite); 4xx: not taken (definite); network: unknown.
        Ok(Err(err)) => classify(&err, "END", acct),
    }
}

/// Connect (implicit TLS, or STARTTLS on ports 25 and 587), EHLO and AUTH: a session ready for
/// MAIL FROM. Used by [`submit`] and by the account setup's login check (which sends nothing).
/// Each step runs under `limit`; a step that does not answer is a `timeout`, a handshake or
/// certificate failure `tls`, anything else that kept the server from answering `network`.
pub(crate) async fn open_session(
    acct: &Account,
    password: &str,
    limit: Duration,
) -> Result<AsyncSmtpConnection, Outcome> {
    let host = acct.config.smtp_host.clone();
    let port = acct.config.smtp_port;
    let tls =
        tls_parameters(&host, acct.config.ca_file.as_deref()).map_err(|d| Outcome::NotSent {
            kind: FailureKind::Tls,
            detail: d,
        })?;
    let starttls = port == 587 || port == 25;
    let client_id = ClientId::default();
    let timed_out = |step: &str| Outcome::NotSent {
        kind: FailureKind::Timeout,
        detail: format!("{step} {host}:{port}: no answer within {limit:?}"),
    };
    let connect = AsyncSmtpConnection::connect_tokio1(
        (host.as_str(), port),
        Some(limit),
        &client_id,
        (!starttls).then(|| tls.clone()),
        None,
    );
    let mut conn = match tokio::time::timeout(limit, connect).await {
        Err(_) => return Err(timed_out("connecting to")),
        Ok(Err(err)) => return Err(classify(&err, "CONNECT", acct)),
        Ok(Ok(c)) => c,
    };
    if starttls {
        match tokio::time::timeout(limit, conn.starttls(tls, &client_id)).await {
            Err(_) => return Err(timed_out("STARTTLS at")),
            Ok(Err(err)) => return Err(classify(&err, "CONNECT", acct)),
            Ok(Ok(())) => {}
        }
    }
    let creds = Credentials::new(acct.login.clone(), password.to_string());
    match tokio::time::timeout(
        limit,
        conn.auth(&[Mechanism::Plain, Mechanism::Login], &creds),
    )
    .await
    {
        Err(_) => Err(timed_out("AUTH at")),
        Ok(Err(err)) => Err(classify(&err, "AUTH", acct)),
        Ok(Ok(_)) => Ok(conn),
    }
}

type Phase = Result<
    Result<lettre::transport::smtp::response::Response, lettre::transport::smtp::Error>,
    tokio::time::error::Elapsed,
>;

fn phase_result(r: Phase, phase: &str, acct: &Account) -> Option<Outcome> {
    match r {
        Err(_) => Some(Outcome::NotSent {
            kind: FailureKind::Network,
            detail: format!("{phase}: no answer"),
        }),
        Ok(Err(err)) => Some(classify(&err, phase, acct)),
        Ok(Ok(_)) => None,
    }
}
