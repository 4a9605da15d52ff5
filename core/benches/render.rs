//! Render benchmark: `pec_core::fatturapa` (parse + render) side by side with `xsltproc` and the
//! official SdI stylesheet, on the corpus samples and on generated 1,000- and 5,000-line invoices.
//!
//! `cargo bench -p pec-core --bench render` runs criterion groups (one per input, with
//! `pec/compact`, `pec/ministerial`, `pec/both` and `xsltproc/sdi` when xsltproc is installed).
//! With `PEC_BENCH_RATIOS=1` it instead prints a table of medians and ratios (used by
//! `scripts/bench-invoice.sh`). The generated inputs are written under `target/bench-invoice/` so
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
    let corpus = pec_core::corpus::corpus_dir()?;
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
    if let Some(corpus) = pec_core::corpus::corpus_dir() {
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

fn median(mut f: impl FnMut(), min_runs: usize, budget: Duration) -> Duration {
    f(); // warm-up
    let start = Instant::now();
    let mut samples = Vec::new();
    while samples.len() < min_runs || (start.elapsed() < budget && samples.len() < 1_000) {
        let t = Instant::now();
        f();
        samples.push(t.elapsed());
    }
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn ratios(inputs: &[Input]) {
    let xsl = stylesheet().filter(|_| xsltproc_available());
    if xsl.is_none() {
        println!("xsltproc or the SdI stylesheet is missing: printing our figures only");
    }
    println!(
        "{:<26} {:>7} {:>9} {:>11} {:>11} {:>9} {:>12} {:>9}",
        "input", "KB", "parse ms", "compact ms", "minist. ms", "both ms", "xsltproc ms", "speed-up"
    );
    for input in inputs {
        let parse = median(
            || {
                black_box(ours(&input.data, &[]));
            },
            5,
            Duration::from_secs(2),
        );
        let compact = median(
            || {
                black_box(ours(&input.data, &[RenderStyle::Compact]));
            },
            5,
            Duration::from_secs(2),
        );
        let minist = median(
            || {
                black_box(ours(&input.data, &[RenderStyle::Ministerial]));
            },
            5,
            Duration::from_secs(2),
        );
        let both = median(
            || {
                black_box(ours(
                    &input.data,
                    &[RenderStyle::Compact, RenderStyle::Ministerial],
                ));
            },
            5,
            Duration::from_secs(2),
        );
        let (x, ratio) = match &xsl {
            Some(xsl) => {
                let x = median(|| xsltproc(xsl, &input.path), 5, Duration::from_secs(4));
                (
                    format!("{:.2}", ms(x)),
                    format!("{:.1}x", ms(x) / ms(minist)),
                )
            }
            None => ("-".into(), "-".into()),
        };
        println!(
            "{:<26} {:>7.0} {:>9.3} {:>11.3} {:>11.3} {:>9.3} {:>12} {:>9}",
            input.name,
            input.data.len() as f64 / 1024.0,
            ms(parse),
            ms(compact),
            ms(minist),
            ms(both),
            x,
            ratio
        );
        if input.name == "generated-5000-lines" {
            let verdict = if ms(both) < 50.0 { "met" } else { "NOT met" };
            println!(
                "goal: 5,000 lines in both styles under 50 ms: {:.1} ms ({verdict})",
                ms(both)
            );
        }
    }
    println!(
        "speed-up = xsltproc (process, SdI stylesheet) / pec ministerial (parse + render, in process)"
    );
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
