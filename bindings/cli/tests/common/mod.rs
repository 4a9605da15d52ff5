//! What the `pec` CLI tests share: running the binary, reading its JSON, adding a sandbox account,
//! waiting for a send to reach a state.

use pec_sandbox::Sandbox;
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const PEC: &str = env!("CARGO_BIN_EXE_pec");

/// The store passphrase every test run passes (as scripts do, through `PEC_PASSPHRASE`).
pub const PASSPHRASE: &str = "frase di prova dei test";

/// Where a test notes the sandbox CA it trusts for signatures, beside (not in) the data dir.
fn anchor_note(dir: &Path) -> std::path::PathBuf {
    dir.with_extension("signature-test-anchor")
}

/// From now on every `pec` run on `dir` passes `--signature-test-anchor PEM` (the sandbox signs
/// its receipts under its test CA; `--ca-file` alone never makes it a PEC provider).
pub fn trust_for_signatures(dir: &Path, pem: &Path) {
    std::fs::write(anchor_note(dir), pem.to_string_lossy().as_bytes()).expect("anchor note");
}

/// Stop passing `--signature-test-anchor` for `dir`.
pub fn forget_signature_anchor(dir: &Path) {
    let _ = std::fs::remove_file(anchor_note(dir));
}

/// Where a test notes the session bus of its own keyring for `dir` (see `use_keyring`).
fn bus_note(dir: &Path) -> std::path::PathBuf {
    dir.with_extension("session-bus")
}

/// From now on every `pec` run on `dir` reaches the OS keyring on this D-Bus session. Without
/// it a run has a session bus address that leads nowhere, so no test ever reaches the
/// keyring of the desktop it runs on.
pub fn use_keyring(dir: &Path, bus_address: &str) {
    std::fs::write(bus_note(dir), bus_address).expect("bus note");
}

/// `pec --data-dir DIR [--signature-test-anchor PEM]`, with the test passphrase and keyring.
pub fn pec_command(dir: &Path) -> Command {
    let bus = std::fs::read_to_string(bus_note(dir))
        .unwrap_or_else(|_| "unix:path=/nonexistent/pec-tests-have-no-session-bus".into());
    let mut c = Command::new(PEC);
    c.env("PEC_PASSPHRASE", PASSPHRASE)
        .env("DBUS_SESSION_BUS_ADDRESS", bus)
        .arg("--data-dir")
        .arg(dir);
    if let Ok(pem) = std::fs::read_to_string(anchor_note(dir)) {
        c.arg("--signature-test-anchor").arg(pem);
    }
    c
}

/// `pec --data-dir DIR [--signature-test-anchor PEM] ARGS...`, whatever its outcome.
pub fn pec(dir: &Path, args: &[&str]) -> Output {
    pec_command(dir).args(args).output().expect("run pec")
}

/// Standard output of a `pec` run that must succeed.
pub fn ok(dir: &Path, args: &[&str]) -> String {
    let out = pec(dir, args);
    assert!(
        out.status.success(),
        "pec {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

pub fn json(dir: &Path, args: &[&str]) -> Value {
    let text = ok(dir, args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("pec {args:?}: {e}: {text}"))
}

pub fn rows(dir: &Path, args: &[&str]) -> Vec<Value> {
    json(dir, args).as_array().expect("array").clone()
}

/// `pec account add ADDRESS --imap IMAP ...` against the sandbox, password on standard input. On
/// success the sandbox's CA is also trusted for signatures from then on, explicitly
/// ([`trust_for_signatures`]; undo with [`forget_signature_anchor`]).
pub fn account_add(dir: &Path, sb: &Sandbox, imap: &str, address: &str, password: &str) -> Output {
    account_add_with(dir, sb, imap, address, password, &[])
}

/// [`account_add`] with more options (a delegate's `--login` and `--permissions`).
pub fn account_add_with(
    dir: &Path,
    sb: &Sandbox,
    imap: &str,
    address: &str,
    password: &str,
    extra: &[&str],
) -> Output {
    let smtp = sb.smtp_addr.to_string();
    let ca = sb.state.ca_file.to_string_lossy().into_owned();
    let mut args = vec!["account", "add", address, "--imap", imap, "--smtp", &smtp];
    args.extend(["--ca-file", &ca, "--password-stdin"]);
    args.extend(extra);
    let out = pec_with_stdin(dir, &args, password.as_bytes());
    if out.status.success() {
        trust_for_signatures(dir, &sb.state.ca_file);
    }
    out
}

/// `pec --data-dir DIR ARGS...` with `input` on standard input, whatever its outcome.
pub fn pec_with_stdin(dir: &Path, args: &[&str], input: &[u8]) -> Output {
    let mut c = pec_command(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    c.stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("standard input");
    c.wait_with_output().expect("wait")
}

/// Add an account on the sandbox's own IMAP port; it must succeed.
pub fn add_account(dir: &Path, sb: &Sandbox, address: &str, password: &str) {
    let out = account_add(dir, sb, &sb.imap_addr().to_string(), address, password);
    assert!(out.status.success(), "{out:?}");
}

/// `pec status ID --json` until `state` (or panic after a minute).
pub fn wait_state(dir: &Path, id: &str, state: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let v = json(dir, &["status", id, "--json"]);
        if v["state"] == state {
            return v;
        }
        assert!(Instant::now() < deadline, "{id} never {state}: {v:#}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

pub fn wait_delivered(dir: &Path, id: &str) {
    wait_state(dir, id, "delivered");
}

/// The number before `word` in a `pec sync` line ("…, 3 new, …").
pub fn count(line: &str, word: &str) -> u64 {
    line.split(", ")
        .find_map(|part| {
            let mut it = part.split_whitespace().rev();
            (it.next() == Some(word))
                .then(|| it.next().and_then(|n| n.parse().ok()))
                .flatten()
        })
        .unwrap_or_else(|| panic!("no {word:?} in {line:?}"))
}

/// The SDI stand-in delivers a corpus invoice (`fatturapa/dotnet/NAME`) to `to`.
pub async fn inject_corpus_invoice(sb: &Sandbox, corpus: &Path, to: &str, name: &str) {
    let invoice =
        std::fs::read(corpus.join("fatturapa/dotnet").join(name)).expect("corpus invoice");
    pec_sandbox::sdi::inject_invoice(&sb.state.engine().expect("engine"), to, name, &invoice)
        .await
        .expect("inject invoice");
}

pub fn find<'a>(rows: &'a [Value], key: &str, value: &str) -> &'a Value {
    rows.iter()
        .find(|r| r[key] == value)
        .unwrap_or_else(|| panic!("no row with {key} = {value:?} in {rows:#?}"))
}

/// `pec --data-dir DIR ARGS...` with its standard error and the child's peak resident set size
/// in bytes (`wait4`'s `ru_maxrss`: this child only, not the test's other processes).
#[allow(clippy::zombie_processes)] // reaped by wait4 below, which std cannot see
pub fn pec_peak_rss(dir: &Path, args: &[&str]) -> (bool, String, u64) {
    use std::io::Read;
    let mut child = pec_command(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn pec");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `usage` is a plain C struct written by wait4; `pid` is our own unreaped child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4");
    let success = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    (success, stderr, usage.ru_maxrss as u64 * 1024)
}

/// A sparse file of `bytes` (nothing written: creating it costs no disk or memory).
pub fn sparse_file(dir: &Path, name: &str, bytes: u64) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::File::create(&p)
        .expect("create")
        .set_len(bytes)
        .expect("set_len");
    p
}

/// Generous bound on the peak RSS of a `pec` run refusing an oversized input: the input's cap
/// (150 MB for messages) plus the program, far below what reading `/dev/zero` whole would take.
pub const REFUSAL_RSS: u64 = 256 * 1024 * 1024;
