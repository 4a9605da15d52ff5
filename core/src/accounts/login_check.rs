//! Before an account is saved, log in once over IMAP and once over SMTP (EHLO, TLS, AUTH; no
//! message), so a wrong password, an untrusted certificate or a wrong port is said while the user
//! is still on the form, not at the first sync. The IMAP side goes through the sync engine's
//! [`connect`](crate::sync::connect), the SMTP side through the outbox's session opening: the
//! check and the real work connect the same way.
//!
//! Each refusal is typed ([`LoginProblem`]) so a UI can show a translated message per reason.

use super::setup::AccountSetup;
use super::{Account, AccountConfig};
use crate::outbox::smtp::{Outcome, open_session};
use crate::outbox::{FailureKind, SendFailure};
use crate::sync::SyncError;
use std::time::Duration;

/// How long each server gets for the whole login (connect, TLS, greeting, LOGIN/AUTH). Below the
/// sync engine's own connect timeout, so a silent server is reported as a timeout here.
pub const LOGIN_CHECK_TIMEOUT: Duration = Duration::from_secs(15);

/// Which server the check was talking to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Imap,
    Smtp,
}

impl std::fmt::Display for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Service::Imap => "IMAP",
            Service::Smtp => "SMTP",
        })
    }
}

/// Why a login check failed: one translated message per variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginProblem {
    /// The server refused the user name or password.
    Auth,
    /// The TLS handshake failed: certificate not trusted (wrong or missing CA), wrong host name,
    /// or the port does not speak TLS.
    Tls,
    /// The host could not be reached: name not found, connection refused, connection cut.
    Unreachable,
    /// The server did not answer in time.
    Timeout,
    /// The password is right but this login may not use mail programs (a delegate without the
    /// permission).
    NotPermitted,
    /// The server answered with something else (temporary failure, protocol error).
    Server,
}

/// A failed login check: which server, why, and the server's or the system's own words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{service} server {host}:{port}: {detail}")]
pub struct LoginCheckError {
    pub service: Service,
    pub problem: LoginProblem,
    pub host: String,
    pub port: u16,
    pub detail: String,
}

/// The account as it would be stored, for the connect functions (never written anywhere).
fn probe_account(setup: &AccountSetup, config: AccountConfig) -> Account {
    Account {
        id: 0,
        login: setup.login(),
        config,
        quota_used_kb: None,
        quota_limit_kb: None,
    }
}

/// Log in over IMAP, then over SMTP, each under `limit`. Nothing is stored and nothing is sent.
pub async fn check_login(setup: &AccountSetup, limit: Duration) -> Result<(), LoginCheckError> {
    let account = probe_account(setup, setup.account_config());
    check_imap(&account, &setup.password, limit).await?;
    check_smtp(&account, &setup.password, limit).await
}

/// The error maker for one server: its service, host and port, with a problem and a detail.
fn failure(
    service: Service,
    host: &str,
    port: u16,
) -> impl Fn(LoginProblem, String) -> LoginCheckError {
    let host = host.to_string();
    move |problem, detail| LoginCheckError {
        service,
        problem,
        host: host.clone(),
        port,
        detail,
    }
}

async fn check_imap(
    account: &Account,
    password: &str,
    limit: Duration,
) -> Result<(), LoginCheckError> {
    let cfg = &account.config;
    let fail = failure(Service::Imap, &cfg.imap_host, cfg.imap_port);
    let mut session = match tokio::time::timeout(
        limit,
        crate::sync::contained(crate::sync::connect(account, password)),
    )
    .await
    {
        Err(_) => {
            return Err(fail(
                LoginProblem::Timeout,
                format!("no answer within {limit:?}"),
            ));
        }
        Ok(Err(e)) => return Err(imap_problem(e, fail)),
        Ok(Ok(s)) => s,
    };
    // A polite goodbye; the check already succeeded, so its outcome does not matter.
    let _ = tokio::time::timeout(Duration::from_secs(2), session.logout()).await;
    Ok(())
}

fn imap_problem(
    e: SyncError,
    fail: impl Fn(LoginProblem, String) -> LoginCheckError,
) -> LoginCheckError {
    match e {
        SyncError::Auth(d) => fail(
            LoginProblem::Auth,
            format!("user name or password refused ({d})"),
        ),
        SyncError::NotPermitted(d) => fail(
            LoginProblem::NotPermitted,
            format!("login not permitted ({d})"),
        ),
        SyncError::Tls(d) => fail(LoginProblem::Tls, d),
        SyncError::Network(d) => fail(LoginProblem::Unreachable, d),
        other => fail(LoginProblem::Server, other.to_string()),
    }
}

async fn check_smtp(
    account: &Account,
    password: &str,
    limit: Duration,
) -> Result<(), LoginCheckError> {
    let cfg = &account.config;
    let fail = failure(Service::Smtp, &cfg.smtp_host, cfg.smtp_port);
    let mut conn = match open_session(account, password, limit).await {
        Ok(c) => c,
        Err(outcome) => return Err(smtp_problem(outcome, fail)),
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), conn.quit()).await;
    Ok(())
}

fn smtp_problem(
    outcome: Outcome,
    fail: impl Fn(LoginProblem, String) -> LoginCheckError,
) -> LoginCheckError {
    match outcome {
        Outcome::Rejected(SendFailure::Auth { detail, .. }) => fail(
            LoginProblem::Auth,
            format!("user name or password refused ({detail})"),
        ),
        Outcome::Rejected(other) => fail(LoginProblem::Server, other.to_string()),
        Outcome::NotSent {
            kind: FailureKind::Tls,
            detail,
        } => fail(LoginProblem::Tls, detail),
        Outcome::NotSent {
            kind: FailureKind::Timeout,
            detail,
        } => fail(LoginProblem::Timeout, detail),
        Outcome::NotSent {
            kind: FailureKind::Network,
            detail,
        } => fail(LoginProblem::Unreachable, detail),
        Outcome::NotSent { detail, .. } => fail(LoginProblem::Server, detail),
        Outcome::Submitted(d) | Outcome::Unknown(d) => fail(LoginProblem::Server, d),
    }
}
