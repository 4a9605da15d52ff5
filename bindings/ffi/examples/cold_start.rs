//! Cold start through the facade: open a data directory holding a 100,000-message store and return
//! the first inbox page, in a fresh process (OS file cache warm: it cannot be dropped here).
//!
//!   cargo run --release -p pec-ffi --example cold_start [-- N]
//!
//! Builds `$TMPDIR/pec-cold-start-synth-N` once (`pec_core::synth`, the search bench's store:
//! synthetic PEC envelopes and receipts, full-text indexed), then runs itself 5 times with
//! `--measure` and prints each time (wall, and CPU time of the process, which the load of other
//! programs does not inflate) and the median.

use pec_core::synth;
use pec_ffi::{App, CredentialBackend, ViewRef};
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

fn measure(dir: &Path) {
    let cpu0 = cpu_ms();
    let t = Instant::now();
    let app = App::new(
        dir.to_string_lossy().into_owned(),
        CredentialBackend::Memory,
    )
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

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 3 && args[1] == "--measure" {
        measure(Path::new(&args[2]));
        return;
    }
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("pec-cold-start-synth-{n}"));
    if !dir.join("store.sqlite").exists() {
        build(&dir, n);
    }
    let mut totals = vec![];
    let mut cpus = vec![];
    for run in 1..=5 {
        let out = std::process::Command::new(&args[0])
            .args(["--measure", &dir.to_string_lossy()])
            .output()
            .expect("run");
        let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let f: Vec<&str> = line.split(' ').collect();
        println!(
            "run {run}: open {} ms, first inbox page (50 rows of {}) at {} ms, {} ms CPU",
            f[0],
            f[2],
            f[1],
            f.get(3).unwrap_or(&"?")
        );
        totals.push(f[1].parse::<f64>().expect("number"));
        cpus.push(
            f.get(3)
                .and_then(|c| c.parse::<f64>().ok())
                .unwrap_or(f64::NAN),
        );
    }
    totals.sort_by(|a, b| a.total_cmp(b));
    cpus.sort_by(|a, b| a.total_cmp(b));
    println!(
        "cold start, {n} messages: median {:.1} ms to the first inbox page, {:.1} ms CPU",
        totals[2], cpus[2]
    );
}
