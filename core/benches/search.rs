//! Search latency on a 100,000-message store (`pec_core::synth`, the facade's cold start measures the
//! same one): p50/p95 over a mix of queries chosen against its word distribution.
//! `cargo bench -p pec-core --bench search` (set PEC_BENCH_MESSAGES to change the size; with
//! `-- --test`, a quick check that it runs: 2,000 messages unless PEC_BENCH_MESSAGES says otherwise).
//! Prints figures; it asserts nothing about time (timings never fail a build).

use pec_core::store::SearchQuery;
use pec_core::synth;
use std::time::Instant;

fn main() {
    let n: usize = std::env::var("PEC_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if std::env::args().any(|a| a == "--test") {
            2_000
        } else {
            100_000
        });
    let dir = std::env::temp_dir().join(format!("pec-search-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let t = Instant::now();
    let store = synth::build(&dir, n).expect("synthetic store");
    eprintln!("built {n} messages in {:.1} s", t.elapsed().as_secs_f64());

    let queries = [
        "fattura",
        "fatt",
        "tribunale udienza",
        "citta",
        "perche societa",
        "from:utente42",
        "to:dest7",
        "subject:sollecito",
        "subject:decreto from:pec3",
        "body:rimborso after:2021-01-01 before:2021-06-01",
        "bilancio in:sent",
        "n. 77777",
        "nessunrisultato",
    ];
    // Warm up once (page cache, prepared statements).
    for q in &queries {
        let _ = store.search(&SearchQuery::parse(q)).expect("search");
    }
    let mut all = Vec::new();
    let mut per: Vec<Vec<f64>> = vec![Vec::new(); queries.len()];
    for round in 0..40 {
        for (qi, q) in queries.iter().enumerate() {
            let mut sq = SearchQuery::parse(q);
            sq.hide_receipts = round % 2 == 0;
            let t = Instant::now();
            let rows = store.search(&sq).expect("search");
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            all.push(ms);
            per[qi].push(ms);
            std::hint::black_box(rows);
        }
    }
    for (q, v) in queries.iter().zip(per.iter_mut()) {
        v.sort_by(|a, b| a.total_cmp(b));
        eprintln!("  {q:<50} median {:.2} ms", v[v.len() / 2]);
    }
    all.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| all[((all.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "search on {n} messages: {} queries, p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        all.len(),
        pct(0.50),
        pct(0.95),
        pct(1.0)
    );
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}
