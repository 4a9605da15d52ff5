//! The login check before an account is saved, against the sandbox provider (real Dovecot for
//! IMAP, the sandbox's SMTP): each way a new user gets the form wrong is refused with its own
//! [`LoginProblem`], and a correct form passes.

use pec_core::accounts::{
    AccountSetup, DelegateLogin, LoginProblem, Permissions, Servers, Service, check_login, verify,
};
use pec_sandbox::{Options, Sandbox};
use pec_test_harness::{Delegate, DelegatePerms};
use std::path::PathBuf;
use std::time::Duration;

const ME: &str = "utente1@pec.sandbox.test";
const LIMIT: Duration = Duration::from_secs(5);

fn setup(sb: &Sandbox, password: &str, ca_file: Option<PathBuf>) -> AccountSetup {
    AccountSetup {
        address: ME.into(),
        password: password.into(),
        display_name: None,
        servers: Servers {
            imap_host: "127.0.0.1".into(),
            imap_port: sb.imap_addr().port(),
            smtp_host: "127.0.0.1".into(),
            smtp_port: sb.smtp_addr.port(),
            ca_file,
        },
        provider: pec_core::accounts::Provider::Custom,
        delegation: None,
    }
}

async fn sandbox(test: &str) -> Option<Sandbox> {
    pec_test_harness::dovecot_or_skip(test)?;
    let opts = Options {
        delegates: vec![Delegate {
            owner: ME.into(),
            username: "archivio@pec.sandbox.test".into(),
            password: "delega-archivio".into(),
            perms: DelegatePerms::parse("read").expect("perms"),
        }],
        ..Options::default()
    };
    Some(Sandbox::start(opts).await.expect("sandbox"))
}

async fn problem(s: &AccountSetup) -> (Service, LoginProblem, String) {
    let e = check_login(s, LIMIT)
        .await
        .expect_err("the check must fail");
    (e.service, e.problem, e.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_wrong_form_is_refused_with_its_reason() {
    let Some(sb) = sandbox("each_wrong_form_is_refused_with_its_reason").await else {
        return;
    };
    let ca = Some(sb.state.ca_file.clone());

    // Right: both logins pass.
    check_login(&setup(&sb, "password1", ca.clone()), LIMIT)
        .await
        .expect("the right password logs in");

    // Wrong password: IMAP says so first.
    let (service, p, text) = problem(&setup(&sb, "password2", ca.clone())).await;
    assert_eq!((service, p), (Service::Imap, LoginProblem::Auth), "{text}");
    assert!(text.contains("IMAP server 127.0.0.1:"), "{text}");

    // No CA file: the platform roots do not know the sandbox root.
    let (service, p, text) = problem(&setup(&sb, "password1", None)).await;
    assert_eq!((service, p), (Service::Imap, LoginProblem::Tls), "{text}");

    // A CA file of another authority.
    let dir = tempfile::tempdir().expect("tmp");
    let wrong_ca = dir.path().join("other-ca.pem");
    let other_pki = pec_test_harness::pki::Pki::generate().expect("pki");
    std::fs::write(&wrong_ca, other_pki.root_pem()).expect("write");
    let (service, p, text) = problem(&setup(&sb, "password1", Some(wrong_ca.clone()))).await;
    assert_eq!((service, p), (Service::Imap, LoginProblem::Tls), "{text}");

    // Closed port.
    let closed = pec_test_harness::free_port().expect("port");
    let mut s = setup(&sb, "password1", ca.clone());
    s.servers.imap_port = closed;
    let (service, p, text) = problem(&s).await;
    assert_eq!(
        (service, p),
        (Service::Imap, LoginProblem::Unreachable),
        "{text}"
    );

    // SMTP on a closed port, IMAP right.
    let mut s = setup(&sb, "password1", ca.clone());
    s.servers.smtp_port = closed;
    let (service, p, text) = problem(&s).await;
    assert_eq!(
        (service, p),
        (Service::Smtp, LoginProblem::Unreachable),
        "{text}"
    );

    // A server that accepts the connection and never answers: a timeout, for each service.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let silent_port = silent.local_addr().expect("addr").port();
    let mut s = setup(&sb, "password1", ca.clone());
    s.servers.imap_port = silent_port;
    let e = check_login(&s, Duration::from_millis(700))
        .await
        .expect_err("silent IMAP");
    assert_eq!(
        (e.service, e.problem),
        (Service::Imap, LoginProblem::Timeout),
        "{e}"
    );
    let mut s = setup(&sb, "password1", ca.clone());
    s.servers.smtp_port = silent_port;
    let e = check_login(&s, Duration::from_millis(700))
        .await
        .expect_err("silent SMTP");
    assert_eq!(
        (e.service, e.problem),
        (Service::Smtp, LoginProblem::Timeout),
        "{e}"
    );

    // A delegate whose owner did not allow mail programs: right password, login not permitted.
    let mut s = setup(&sb, "delega-archivio", ca.clone());
    s.delegation = Some(DelegateLogin {
        login: "archivio@pec.sandbox.test".into(),
        permissions: Permissions {
            read: true,
            ..Permissions::default()
        },
    });
    let (service, p, text) = problem(&s).await;
    assert_eq!(
        (service, p),
        (Service::Imap, LoginProblem::NotPermitted),
        "{text}"
    );

    // verify() checks the form before connecting: a missing CA file is the user's typing.
    let mut s = setup(&sb, "password1", Some(dir.path().join("missing.pem")));
    s.servers.imap_port = closed;
    let e = verify(&s, LIMIT).await.expect_err("missing CA file");
    assert!(
        matches!(e, pec_core::accounts::AccountError::Invalid(_)),
        "{e:?}"
    );
}
