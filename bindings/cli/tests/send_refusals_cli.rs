//! `pec send` when the message does not go: the provider's `452 4.5.3 Too many recipients` is a
//! final refusal (not "queued" for ever), more recipients than the provider's maximum are refused
//! before sending, and a message left queued by a connection error exits non-zero with the
//! error said once.

use pec_sandbox::{Options, Sandbox};

use crate::common;
use common::*;

const ME: &str = "utente1@pec.sandbox.test";

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn send(dir: &std::path::Path, to: &[String], json: bool) -> std::process::Output {
    let mut args: Vec<String> = vec!["send".into()];
    for t in to {
        args.push("--to".into());
        args.push(t.clone());
    }
    args.extend([
        "--subject".into(),
        "Troppi".into(),
        "--body".into(),
        "x".into(),
    ]);
    if json {
        args.push("--json".into());
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    pec(dir, &refs)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_fails_plainly_when_the_message_cannot_go() {
    if pec_test_harness::dovecot_or_skip("send_fails_plainly_when_the_message_cannot_go").is_none()
    {
        return;
    }
    let mut opts = Options::default();
    opts.policy.max_recipients = 2;
    let sb = Sandbox::start(opts).await.expect("sandbox");
    let a = tempfile::tempdir().expect("tmp");
    add_account(a.path(), &sb, ME, "password1");

    // The provider refuses the third RCPT with 452 4.5.3: rejected, with the reason, exit 1.
    let three: Vec<String> = ["utente2", "utente3", "utente4"]
        .iter()
        .map(|u| format!("{u}@pec.sandbox.test"))
        .collect();
    let out = send(a.path(), &three, true);
    assert!(!out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["state"], "rejected", "{v}");
    let err = v["error"].as_str().expect("error");
    assert!(
        err.contains("number of recipients") && err.contains("452"),
        "{err}"
    );
    let id = v["id"].as_i64().expect("id").to_string();
    let st = json(a.path(), &["status", &id, "--json", "--offline"]);
    assert_eq!(st["state"], "rejected", "{st}");

    // Over the preset's maximum (100 for the sandbox): refused before anything is queued.
    let many: Vec<String> = (0..101)
        .map(|i| format!("dest{i}@pec.sandbox.test"))
        .collect();
    let out = send(a.path(), &many, false);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("at most 100 recipients"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty(), "nothing queued: {out:?}");

    // The SMTP server's certificate is not trusted (no CA file): queued, exit 1, and the error
    // said once (lettre's TLS failure read "Connection error: Connection error: ...").
    let b = tempfile::tempdir().expect("tmp");
    let (imap, smtp) = (sb.imap_addr().to_string(), sb.smtp_addr.to_string());
    let out = pec_with_stdin(
        b.path(),
        &[
            "account",
            "add",
            ME,
            "--imap",
            &imap,
            "--smtp",
            &smtp,
            "--offline",
            "--password-stdin",
        ],
        b"password1",
    );
    assert!(out.status.success(), "{out:?}");
    let out = send(b.path(), &three[..1], false);
    assert!(
        !out.status.success(),
        "queued by an error is a failure: {out:?}"
    );
    let text = stderr(&out);
    assert!(text.contains("stays queued"), "{text}");
    assert!(text.contains("invalid peer certificate"), "{text}");
    assert!(
        !text.contains("Connection error: Connection error"),
        "doubled error prefix: {text}"
    );
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let st = json(b.path(), &["status", &id, "--json", "--offline"]);
    assert_eq!(st["state"], "queued", "{st}");
}
