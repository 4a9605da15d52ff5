//! Classification throughput over the corpus (every PEC sample and REM `.eml`), in MB/s, with and
//! without signature verification. Run with `cargo bench -p pec-core --bench classify`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pec_core::message::Analyzer;
use pec_core::signature::TrustStore;
use pec_test_harness::corpus::{corpus_dir, messages};
use std::hint::black_box;

fn corpus_messages() -> Vec<Vec<u8>> {
    let Some(corpus) = corpus_dir() else {
        return Vec::new();
    };
    messages(&corpus).into_iter().map(|(_, raw)| raw).collect()
}

fn classify(c: &mut Criterion) {
    let messages = corpus_messages();
    if messages.is_empty() {
        eprintln!("corpus not found (set PEC_CORPUS): nothing to measure");
        return;
    }
    let total: usize = messages.iter().map(Vec::len).sum();
    let mut group = c.benchmark_group("classify_corpus");
    group.throughput(Throughput::Bytes(total as u64));
    group.sample_size(20);

    let fast = Analyzer::new(TrustStore::bundled()).without_signatures();
    group.bench_function("without_signatures", |b| {
        b.iter(|| {
            for raw in &messages {
                let _ = black_box(fast.analyze(black_box(raw)));
            }
        })
    });

    let full = Analyzer::new(TrustStore::bundled());
    group.bench_function("with_signatures", |b| {
        b.iter(|| {
            for raw in &messages {
                let _ = black_box(full.analyze(black_box(raw)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, classify);
criterion_main!(benches);
