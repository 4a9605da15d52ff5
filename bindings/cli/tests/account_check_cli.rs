//! `pec account add` logs in before saving, against the sandbox provider: a wrong password, a
//! missing CA or a closed port is refused with its code and exits non-zero with nothing saved;
//! `--offline` saves without connecting; the right password saves.

use crate::common;

use common::*;
use pec_sandbox::{Options, Sandbox};
use std::path::Path;

const ME: &str = "utente1@pec.sandbox.test";

fn listed(dir: &Path) -> usize {
    rows(dir, &["account", "list", "--json"]).len()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_add_refuses_what_cannot_log_in() {
    if pec_test_harness::dovecot_or_skip("account_add_refuses_what_cannot_log_in").is_none() {
        return;
    }
    let sb = Sandbox::start(Options::default()).await.expect("sandbox");
    let imap = sb.imap_addr().to_string();
    let d = tempfile::tempdir().expect("tmp");

    // Wrong password: refused, typed, nothing saved; --json says it on standard output.
    let out = account_add(d.path(), &sb, &imap, ME, "sbagliata");
    assert!(!out.status.success(), "{out:?}");
    assert!(stderr(&out).contains("[auth]"), "{}", stderr(&out));
    assert_eq!(listed(d.path()), 0);
    let out = account_add_with(d.path(), &sb, &imap, ME, "sbagliata", &["--json"]);
    assert!(!out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json error");
    assert_eq!(v["error"], "auth", "{v}");
    assert_eq!(listed(d.path()), 0);

    // Closed IMAP port: unreachable.
    let closed = format!("127.0.0.1:{}", pec_test_harness::free_port().expect("port"));
    let out = account_add(d.path(), &sb, &closed, ME, "password1");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("[network]"), "{}", stderr(&out));
    assert_eq!(listed(d.path()), 0);

    // No CA file: the platform roots do not trust the sandbox.
    let smtp = sb.smtp_addr.to_string();
    let out = pec_with_stdin(
        d.path(),
        &[
            "account",
            "add",
            ME,
            "--imap",
            &imap,
            "--smtp",
            &smtp,
            "--password-stdin",
        ],
        b"password1",
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("[tls]"), "{}", stderr(&out));
    assert_eq!(listed(d.path()), 0);

    // --offline: saved without connecting (scripts, no network).
    let out = account_add_with(d.path(), &sb, &closed, ME, "password1", &["--offline"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(listed(d.path()), 1);

    // The right password: logs in and saves (replacing the offline record).
    let out = account_add(d.path(), &sb, &imap, ME, "password1");
    assert!(out.status.success(), "{out:?}");
    let accounts = rows(d.path(), &["account", "list", "--json"]);
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0]["imap_port"], sb.imap_addr().port());
}
