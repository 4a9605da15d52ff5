//! Files in and out of `pec`: oversized inputs refused before they fill memory (`/dev/zero`,
//! sparse files over the caps), imports that never merge two messages, attachments saved
//! without replacing or following anything.

use pec_sandbox::{Options, Sandbox};
use std::path::Path;

mod common;
use common::*;
const ME: &str = "utente1@pec.sandbox.test";
const MB: u64 = 1024 * 1024;

/// Refused with a "too large" line, exit non-zero, peak RSS under `bound`.
fn assert_refused_small(dir: &Path, args: &[&str], bound: u64) {
    let (success, stderr, rss) = pec_peak_rss(dir, args);
    assert!(!success, "pec {args:?} succeeded");
    assert!(stderr.contains("too large"), "pec {args:?}: {stderr}");
    assert!(
        rss < bound,
        "pec {args:?} peaked at {} MB (bound {} MB)",
        rss / MB,
        bound / MB
    );
}

#[test]
fn inspect_and_invoice_refuse_endless_and_oversized_files() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let big = sparse_file(dir, "big.eml", 200 * MB);
    let big = big.to_str().expect("path");
    for cmd in ["inspect", "invoice"] {
        assert_refused_small(dir, &[cmd, "/dev/zero"], REFUSAL_RSS);
        // A regular file is refused from its size, before a byte is read.
        assert_refused_small(dir, &[cmd, big], 64 * MB);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_and_send_refuse_endless_and_oversized_files() {
    if pec_test_harness::dovecot_or_skip("import_and_send_refuse_endless_and_oversized_files")
        .is_none()
    {
        return;
    }
    let sb = Sandbox::start(Options::default()).await.expect("sandbox");
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    add_account(dir, &sb, ME, "password1");
    let big = sparse_file(dir, "big.bin", 200 * MB);
    let big = big.to_str().expect("path");
    assert_refused_small(dir, &["import", "/dev/zero"], REFUSAL_RSS);
    assert_refused_small(dir, &["import", big], 64 * MB);
    let send = |file: &'static str| -> Vec<&'static str> {
        vec![
            "send",
            "--to",
            "utente2@pec.sandbox.test",
            "--subject",
            "x",
            "--body",
            "y",
            "--attach",
            file,
        ]
    };
    assert_refused_small(dir, &send("/dev/zero"), REFUSAL_RSS);
    // 200 MB attachment: refused before being read (it used to take 418 MB).
    let big: &'static str = Box::leak(big.to_string().into_boxed_str());
    assert_refused_small(dir, &send(big), 64 * MB);
    // Nothing was queued or stored.
    let rows = rows(dir, &["ls", "all", "--json"]);
    assert!(rows.is_empty(), "{rows:#?}");
}
