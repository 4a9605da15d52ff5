//! Search latency on a 100,000-message store (`pec_core::synth`, the facade's cold start measures the
//! same one): p50/p95 over a mix of queries chosen against its word distribution.
//! `cargo bench -p pec-core --bench search` (set PEC_BENCH_MESSAGES to change the size; with
//! `-- --test`, a quick check that it runs: 2,000 messages unless PEC_BENCH_MESSAGES says otherwise).
//! The same queries run on the store and on an encrypted copy of it, round by round alternately.
//! Prints figures; it asserts nothing about time (timings never fail a build).

use pec_core::store::{SearchQuery, Store, rekey};
use pec_core::synth;
use pec_core::vault::StoreKey;
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
    let plain = synth::build(&dir.join("plain"), n).expect("synthetic store");
    eprintln!("built {n} messages in {:.1} s", t.elapsed().as_secs_f64());
    // The same store encrypted (SQLCipher), as every app and `pec` store is.
    let key = StoreKey::from_slice(&[7u8; 32]).expect("key");
    std::fs::create_dir_all(dir.join("encrypted")).expect("dir");
    let copy = dir.join("encrypted/store.sqlite");
    std::fs::copy(plain.path(), &copy).expect("copy");
    rekey::rekey_file(&copy, None, &key).expect("encrypt the copy");
    let encrypted = Store::open_with(&copy, Some(key)).expect("encrypted store");

    // Warm up once (page cache, prepared statements), then alternate the stores round by round.
    for store in [&plain, &encrypted] {
        for q in &QUERIES {
            let _ = store.search(&SearchQuery::parse(q)).expect("search");
        }
    }
    let mut times = [Times::new(), Times::new()];
    for round in 0..40 {
        for (store, t) in [&plain, &encrypted].into_iter().zip(times.iter_mut()) {
            t.round(store, round);
        }
    }
    for (name, t) in ["plain", "encrypted"].iter().zip(times.iter_mut()) {
        eprintln!("{name}:");
        t.report(n, name);
    }
    let (p, e) = (times[0].pct(0.95), times[1].pct(0.95));
    println!(
        "search p95, encrypted / plain: {:.2} ({e:.2} / {p:.2} ms; goal <= 1.15)",
        e / p
    );
    drop((plain, encrypted));
    let _ = std::fs::remove_dir_all(&dir);
}

const QUERIES: [&str; 13] = [
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

/// Latencies of one store, per query and all together (ms).
struct Times {
    all: Vec<f64>,
    per: Vec<Vec<f64>>,
}

impl Times {
    fn new() -> Times {
        Times {
            all: Vec::new(),
            per: vec![Vec::new(); QUERIES.len()],
        }
    }

    fn round(&mut self, store: &Store, round: usize) {
        for (qi, q) in QUERIES.iter().enumerate() {
            let mut sq = SearchQuery::parse(q);
            sq.hide_receipts = round.is_multiple_of(2);
            let t = Instant::now();
            let rows = store.search(&sq).expect("search");
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            self.all.push(ms);
            self.per[qi].push(ms);
            std::hint::black_box(rows);
        }
    }

    fn pct(&mut self, p: f64) -> f64 {
        self.all.sort_by(|a, b| a.total_cmp(b));
        self.all[((self.all.len() as f64 - 1.0) * p).round() as usize]
    }

    fn report(&mut self, n: usize, name: &str) {
        for (q, v) in QUERIES.iter().zip(self.per.iter_mut()) {
            v.sort_by(|a, b| a.total_cmp(b));
            eprintln!("  {q:<50} median {:.2} ms", v[v.len() / 2]);
        }
        println!(
            "search on {n} messages ({name}): {} queries, p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
            self.all.len(),
            self.pct(0.50),
            self.pct(0.95),
            self.pct(1.0)
        );
    }
}
