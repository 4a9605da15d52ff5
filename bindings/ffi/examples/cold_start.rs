//! Cold start through the facade: open a data directory holding a 100,000-message store and return
//! the first inbox page, in a fresh process (OS file cache warm: it cannot be dropped here).
//!
//!   cargo run --release -p pec-ffi --example cold_start [-- N]
//!
//! Builds `$TMPDIR/pec-cold-start-synth-N` once (`pec_core::synth`, the search bench's store:
//! synthetic PEC envelopes and receipts, full-text indexed) and an encrypted copy of it beside it
//! (`…-encrypted`, SQLCipher, opened with `App::with_store_key` as the apps do), then runs itself
//! 5 times on each, alternately, with `--measure` and prints each time (wall, and CPU time of
//! the process, which the load of other programs does not inflate) and the medians.

use pec_core::synth;
use pec_ffi::{App, CredentialBackend, PecError, SecretStore, ViewRef};
use std::sync::Arc;

/// The bench's store key (a benchmark's data, not a secret).
const KEY: [u8; 32] = [7; 32];

/// No passwords: the bench never connects.
struct NoSecrets;

impl SecretStore for NoSecrets {
    fn get(&self, _login: String) -> Result<Option<String>, PecError> {
        Ok(None)
    }
    fn set(&self, _login: String, _secret: String) -> Result<(), PecError> {
        Ok(())
    }
    fn delete(&self, _login: String) -> Result<(), PecError> {
        Ok(())
    }
}
use std::path::Path;
use std::time::Instant;

fn build(dir: &Path, n: usize) {
    let t = Instant::now();
    synth::build(dir, n).expect("synthetic store");
    eprintln!("built {n} messages in {:.1} s", t.elapsed().as_secs_f64());
}

/// CPU time of this process so far (every live thread, from `/proc/self/task/*/schedstat`), in
/// ms: unlike wall time, it does not grow when other programs take the cores.
fn cpu_ms() -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return f64::NAN;
    };
    let ns: u64 = tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    ns as f64 / 1e6
}

fn measure(dir: &Path, encrypted: bool) {
    let cpu0 = cpu_ms();
    let t = Instant::now();
    let data_dir = dir.to_string_lossy().into_owned();
    let app = if encrypted {
        App::with_store_key(data_dir, Arc::new(NoSecrets), KEY.to_vec())
    } else {
        App::new(data_dir, CredentialBackend::Memory)
    }
    .expect("app");
    let opened = t.elapsed();
    let page = pec_ffi::runtime::rt().expect("runtime").block_on(async {
        let accounts = app.accounts().await.expect("accounts");
        app.list_page(accounts[0].id, ViewRef::Inbox, None, 50)
            .await
            .expect("page")
    });
    let total = t.elapsed();
    let cpu = cpu_ms() - cpu0;
    assert_eq!(page.rows.len(), 50);
    println!(
        "{:.2} {:.2} {} {:.2}",
        opened.as_secs_f64() * 1000.0,
        total.as_secs_f64() * 1000.0,
        page.total,
        cpu
    );
}

/// One measured run in a fresh process; returns its (wall, CPU) in ms.
fn run(exe: &str, dir: &Path, encrypted: bool, label: &str, round: usize) -> (f64, f64) {
    let mut cmd = std::process::Command::new(exe);
    cmd.args(["--measure", &dir.to_string_lossy()]);
    if encrypted {
        cmd.arg("--encrypted");
    }
    let out = cmd.output().expect("run");
    let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let f: Vec<&str> = line.split(' ').collect();
    println!(
        "{label} run {round}: open {} ms, first inbox page (50 rows of {}) at {} ms, {} ms CPU",
        f[0],
        f[2],
        f[1],
        f.get(3).unwrap_or(&"?")
    );
    let cpu = f.get(3).and_then(|c| c.parse::<f64>().ok());
    (
        f[1].parse::<f64>().expect("number"),
        cpu.unwrap_or(f64::NAN),
    )
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() >= 3 && args[1] == "--measure" {
        measure(
            Path::new(&args[2]),
            args.get(3).is_some_and(|a| a == "--encrypted"),
        );
        return;
    }
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("pec-cold-start-synth-{n}"));
    if !dir.join("store.sqlite").exists() {
        build(&dir, n);
    }
    let enc = std::env::temp_dir().join(format!("pec-cold-start-synth-{n}-encrypted"));
    if !enc.join("store.sqlite").exists() {
        std::fs::create_dir_all(&enc).expect("dir");
        std::fs::copy(dir.join("store.sqlite"), enc.join("store.sqlite")).expect("copy");
        let key = pec_core::vault::StoreKey::from_slice(&KEY).expect("key");
        pec_core::store::rekey::rekey_file(&enc.join("store.sqlite"), None, &key).expect("encrypt");
    }
    let (mut plain, mut encrypted) = (vec![], vec![]);
    for round in 1..=5 {
        plain.push(run(&args[0], &dir, false, "plain", round));
        encrypted.push(run(&args[0], &enc, true, "encrypted", round));
    }
    for (label, runs) in [("plain", &plain), ("encrypted", &encrypted)] {
        println!(
            "cold start, {n} messages, {label}: median {:.1} ms to the first inbox page, {:.1} ms CPU",
            median(runs.iter().map(|r| r.0).collect()),
            median(runs.iter().map(|r| r.1).collect())
        );
    }
    let gap = median(encrypted.iter().map(|r| r.0).collect())
        - median(plain.iter().map(|r| r.0).collect());
    println!("encrypted - plain: {gap:.1} ms (goal < 50 ms)");
}
