//! Render benchmark: `pec_core::fatturapa` (parse + render) side by side with `xsltproc` and the
//! official SdI stylesheet, on the corpus samples and on generated 1,000- and 5,000-line invoices.
//!
//! `cargo bench -p pec-core --bench render` runs criterion groups (one per input, with
//! `pec/compact`, `pec/ministerial`, `pec/both` and `xsltproc/sdi` when xsltproc is installed).
//! With `PEC_BENCH_RATIOS=1` it instead prints a table of medians and ratios (used by
//! `scripts/bench-invoice.sh`), in wall time and in CPU time (this thread for us, the child's
//! rusage for xsltproc), since the benchmark machine may be shared. The generated inputs are written under `target/bench-invoice/` so
//! that other tools can be run on the very same files.

use criterion::Criterion;
use pec_core::fatturapa::{RenderStyle, parse_invoice, render_invoice, synth};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Input {
    name: String,
    path: PathBuf,
    data: Vec<u8>,
}

fn out_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("bench-invoice")
}

fn stylesheet() -> Option<PathBuf> {
    let corpus = pec_test_harness::corpus::corpus_dir()?;
    let xsl = corpus.join("fatturapa/stylesheets/Foglio_di_stile_fatturaordinaria_v1.2.2.xsl");
    xsl.is_file().then_some(xsl)
}

fn xsltproc_available() -> bool {
    Command::new("xsltproc")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn inputs() -> Vec<Input> {
    let mut v = Vec::new();
    if let Some(corpus) = pec_test_harness::corpus::corpus_dir() {
        for name in [
            "IT01234567890_FPA01.xml",
            "IT01234567890_FPA03.xml",
            "IT01234567890_FPR04.xml",
        ] {
            let path = corpus.join("fatturapa/simevo/samples").join(name);
            if let Ok(data) = std::fs::read(&path) {
                v.push(Input {
                    name: name.trim_end_matches(".xml").to_string(),
                    path,
                    data,
                });
            }
        }
    } else {
        eprintln!("corpus not found (set PEC_CORPUS): benchmarking generated invoices only");
    }
    let dir = out_dir();
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("cannot create {}: {e}", dir.display());
    }
    for lines in [1_000, 5_000] {
        let xml = synth::invoice_xml(lines);
        let path = dir.join(format!("generated_{lines}_lines.xml"));
        if let Err(e) = std::fs::write(&path, &xml) {
            eprintln!("cannot write {}: {e}", path.display());
        }
        v.push(Input {
            name: format!("generated-{lines}-lines"),
            path,
            data: xml.into_bytes(),
        });
    }
    v
}

fn ours(data: &[u8], styles: &[RenderStyle]) -> usize {
    let inv = parse_invoice(data).expect("bench input parses");
    styles.iter().map(|s| render_invoice(&inv, *s).len()).sum()
}

fn xsltproc(xsl: &Path, file: &Path) {
    let status = Command::new("xsltproc")
        .arg("--nonet")
        .arg(xsl)
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run xsltproc");
    assert!(status.success(), "xsltproc failed on {}", file.display());
}

/// CPU time of this thread (ms): robust against other processes sharing the cores.
fn thread_cpu_ms() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 * 1e3 + ts.tv_nsec as f64 / 1e6
}

/// CPU time (user + system, ms) of all waited-for children so far.
fn children_cpu_ms() -> f64 {
    // SAFETY: an all-zero rusage is a valid value; getrusage fills it.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) };
    let tv = |t: libc::timeval| t.tv_sec as f64 * 1e3 + t.tv_usec as f64 / 1e3;
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// Median wall and CPU time (ms) of `f`, at least `min_runs` runs, more within `budget`.
fn measure(mut f: impl FnMut(), cpu: fn() -> f64, min_runs: usize, budget: Duration) -> (f64, f64) {
    f(); // warm-up
    let start = Instant::now();
    let (mut wall, mut cpus) = (Vec::new(), Vec::new());
    while wall.len() < min_runs || (start.elapsed() < budget && wall.len() < 500) {
        let (t, c) = (Instant::now(), cpu());
        f();
        cpus.push(cpu() - c);
        wall.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let med = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    (med(&mut wall), med(&mut cpus))
}

fn ratios(inputs: &[Input]) {
    let xsl = stylesheet().filter(|_| xsltproc_available());
    if xsl.is_none() {
        println!("xsltproc or the SdI stylesheet is missing: printing our figures only");
    }
    println!(
        "median per run, ms (wall / CPU); pec = parse + render in process; xsltproc = whole process with the SdI stylesheet"
    );
    println!(
        "{:<24} {:>6} {:>15} {:>15} {:>15} {:>15} {:>17}",
        "input", "KB", "pec parse", "pec compact", "pec minist.", "pec both", "xsltproc"
    );
    let budget = Duration::from_secs(2);
    let mut goal = None;
    let mut rows = Vec::new();
    for input in inputs {
        let parse = measure(
            || {
                black_box(ours(&input.data, &[]));
            },
            thread_cpu_ms,
            5,
            budget,
        );
        let compact = measure(
            || {
                black_box(ours(&input.data, &[RenderStyle::Compact]));
            },
            thread_cpu_ms,
            5,
            budget,
        );
        let minist = measure(
            || {
                black_box(ours(&input.data, &[RenderStyle::Ministerial]));
            },
            thread_cpu_ms,
            5,
            budget,
        );
        let both = measure(
            || {
                black_box(ours(
                    &input.data,
                    &[RenderStyle::Compact, RenderStyle::Ministerial],
                ));
            },
            thread_cpu_ms,
            5,
            budget,
        );
        let x = xsl.as_ref().map(|xsl| {
            measure(
                || xsltproc(xsl, &input.path),
                children_cpu_ms,
                5,
                Duration::from_secs(4),
            )
        });
        let f = |(w, c): (f64, f64)| format!("{w:.3}/{c:.3}");
        println!(
            "{:<24} {:>6.0} {:>15} {:>15} {:>15} {:>15} {:>17}",
            input.name,
            input.data.len() as f64 / 1024.0,
            f(parse),
            f(compact),
            f(minist),
            f(both),
            x.map(f).unwrap_or_else(|| "-".into())
        );
        if input.name == "generated-5000-lines" {
            goal = Some(both);
        }
        rows.push((input.name.clone(), compact, minist, both, x));
    }
    if xsl.is_some() {
        println!();
        println!(
            "{:<24} {:>22} {:>22}",
            "speed-up vs xsltproc", "ministerial (wall/CPU)", "compact (wall/CPU)"
        );
        for (name, compact, minist, _, x) in &rows {
            if let Some((xw, xc)) = x {
                println!(
                    "{:<24} {:>22} {:>22}",
                    name,
                    format!("{:.1}x / {:.1}x", xw / minist.0, xc / minist.1),
                    format!("{:.1}x / {:.1}x", xw / compact.0, xc / compact.1)
                );
            }
        }
    }
    if let Some((wall, cpu)) = goal {
        let verdict = if wall.min(cpu) < 50.0 {
            "met"
        } else {
            "NOT met"
        };
        println!(
            "goal: 5,000-line invoice in both styles under 50 ms: {wall:.1} ms wall, {cpu:.1} ms CPU ({verdict})"
        );
    }
}

fn main() {
    let inputs = inputs();
    if std::env::var_os("PEC_BENCH_RATIOS").is_some() {
        ratios(&inputs);
        return;
    }
    let xsl = stylesheet().filter(|_| xsltproc_available());
    let mut c = Criterion::default()
        .sample_size(20)
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    for input in &inputs {
        let mut g = c.benchmark_group(format!("render/{}", input.name));
        g.bench_function("pec/parse", |b| {
            b.iter(|| ours(black_box(&input.data), &[]))
        });
        g.bench_function("pec/compact", |b| {
            b.iter(|| ours(black_box(&input.data), &[RenderStyle::Compact]))
        });
        g.bench_function("pec/ministerial", |b| {
            b.iter(|| ours(black_box(&input.data), &[RenderStyle::Ministerial]))
        });
        g.bench_function("pec/both", |b| {
            b.iter(|| {
                ours(
                    black_box(&input.data),
                    &[RenderStyle::Compact, RenderStyle::Ministerial],
                )
            })
        });
        if let Some(xsl) = &xsl {
            g.sample_size(10);
            g.bench_function("xsltproc/sdi", |b| b.iter(|| xsltproc(xsl, &input.path)));
        }
        g.finish();
    }
    c.final_summary();
}
