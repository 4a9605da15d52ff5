//! `App::add_account` logs in over IMAP and SMTP before saving (the apps' account form), against
//! the sandbox provider: a wrong password is `PecError::Auth`, a delegate the provider does not let
//! use mail programs `PecError::Permission`, an untrusted certificate `PecError::Tls`, and nothing
//! is saved; `offline: true` saves without connecting; the right password saves.

use pec_ffi::{App, CredentialBackend, Delegation, NewAccount, PecError, Permissions};
use pec_sandbox::{Options, Sandbox};
use pec_test_harness::{Delegate, DelegatePerms};
use std::sync::Arc;

use crate::common;
use common::{sandbox_account, sandbox_servers};

const ME: &str = "utente1@pec.sandbox.test";
const ARCHIVE: &str = "archivio@pec.sandbox.test";

fn form(sb: &Sandbox, password: &str, ca: bool) -> NewAccount {
    NewAccount {
        custom: Some(sandbox_servers(sb, ca)),
        ..sandbox_account(sb, ME, password)
    }
}

async fn saved(app: &App) -> usize {
    app.accounts().await.expect("accounts").len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_account_logs_in_before_saving() {
    if pec_test_harness::dovecot_or_skip("add_account_logs_in_before_saving").is_none() {
        return;
    }
    let sb = Sandbox::start(Options {
        delegates: vec![Delegate {
            owner: ME.into(),
            username: ARCHIVE.into(),
            password: "delega-archivio".into(),
            perms: DelegatePerms::parse("read").expect("perms"),
        }],
        ..Options::default()
    })
    .await
    .expect("sandbox");
    let dir = tempfile::tempdir().expect("tmp");
    let app: Arc<App> = App::new(
        dir.path().to_string_lossy().into_owned(),
        CredentialBackend::Memory,
    )
    .expect("app");

    let e = app
        .add_account(form(&sb, "sbagliata", true))
        .await
        .expect_err("wrong password");
    assert!(matches!(e, PecError::Auth { .. }), "{e:?}");
    assert_eq!(e.code(), "auth");
    assert_eq!(saved(&app).await, 0, "nothing saved after a refused login");

    let e = app
        .add_account(form(&sb, "password1", false))
        .await
        .expect_err("no CA");
    assert!(matches!(e, PecError::Tls { .. }), "{e:?}");
    assert_eq!(saved(&app).await, 0);

    let mut delegate = form(&sb, "delega-archivio", true);
    delegate.delegation = Some(Delegation {
        login: ARCHIVE.into(),
        permissions: Permissions {
            read: true,
            write: false,
            send: false,
            mail_programs: true,
            settings: false,
        },
    });
    let e = app
        .add_account(delegate)
        .await
        .expect_err("no mail programs");
    assert!(matches!(e, PecError::Permission { .. }), "{e:?}");
    assert_eq!(saved(&app).await, 0);

    // Offline: today's behaviour for scripts, saved without connecting.
    let mut offline = form(&sb, "sbagliata", true);
    offline.offline = true;
    app.add_account(offline).await.expect("offline add");
    assert_eq!(saved(&app).await, 1);

    // The right password replaces it after logging in.
    let info = app
        .add_account(form(&sb, "password1", true))
        .await
        .expect("right password");
    assert_eq!(info.address, ME);
    assert_eq!(saved(&app).await, 1);
}
