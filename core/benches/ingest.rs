//! The store's side of a full sync, without the network and without analysis: batches of 500
//! analysed corpus messages written with `Store::upsert_batch` (rows, recipients, receipts, FTS,
//! bodies) into a fresh store, as the sync's whole-message batches are, plain and encrypted
//! (SQLCipher, the default). Messages per second.
//! Run with `cargo bench -p pec-core --bench ingest` (`-- --test` for one quick pass).

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use pec_core::accounts::AccountConfig;
use pec_core::receive as ingest;
use pec_core::store::{FolderRole, ImapMeta, MessageRecord, ServerFlags, Store};
use pec_test_harness::corpus::{corpus_dir, messages};

const BATCH: usize = 500;
const BATCHES: usize = 4;

type Item = (ImapMeta, MessageRecord, Option<Vec<u8>>);

/// `BATCHES` batches of corpus messages, analysed once, with distinct UIDs and Message-IDs.
fn batches() -> Vec<Vec<Item>> {
    let Some(corpus) = corpus_dir() else {
        return Vec::new();
    };
    // The PEC samples only (the REM `.eml` files are not what a PEC mailbox holds).
    let pec = corpus.join("pec");
    let raws: Vec<Vec<u8>> = messages(&corpus)
        .into_iter()
        .filter(|(p, _)| p.starts_with(&pec))
        .map(|(_, raw)| raw)
        .collect();
    if raws.is_empty() {
        return Vec::new();
    }
    let analysed: Vec<(MessageRecord, Vec<u8>)> = raws
        .into_iter()
        .map(|raw| (ingest::analyze(&raw), raw))
        .collect();
    let mut uid = 0u32;
    (0..BATCHES)
        .map(|_| {
            (0..BATCH)
                .map(|i| {
                    uid += 1;
                    let (rec, raw) = &analysed[i % analysed.len()];
                    let mut rec = rec.clone();
                    rec.message_id = Some(format!("bench-{uid}@ingest.test"));
                    let meta = ImapMeta {
                        uid: Some(uid),
                        modseq: None,
                        size: raw.len() as u64,
                        internal_date: rec.date,
                        flags: ServerFlags::default(),
                    };
                    (meta, rec, Some(raw.clone()))
                })
                .collect()
        })
        .collect()
}

fn fresh_store(encrypted: bool) -> (tempfile::TempDir, Store, i64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = encrypted.then(|| pec_core::vault::StoreKey::from_slice(&[7; 32]).expect("key"));
    let store = Store::open_with(dir.path().join("store.sqlite"), key).expect("store");
    let acc = store
        .add_account(&AccountConfig {
            address: "bench@pec.ingest.test".into(),
            display_name: None,
            imap_host: "127.0.0.1".into(),
            imap_port: 993,
            smtp_host: "127.0.0.1".into(),
            smtp_port: 465,
            ca_file: None,
        })
        .expect("account");
    let inbox = store
        .ensure_folder(acc, "INBOX", Some(FolderRole::Inbox), None)
        .expect("folder");
    (dir, store, inbox)
}

fn ingest_bench(c: &mut Criterion) {
    let batches = batches();
    if batches.is_empty() {
        eprintln!("corpus not found (set PEC_CORPUS): nothing to measure");
        return;
    }
    let mut group = c.benchmark_group("ingest");
    group.throughput(Throughput::Elements((BATCH * BATCHES) as u64));
    group.sample_size(10);
    for (name, encrypted) in [
        ("upsert_batch_corpus_2000", false),
        ("upsert_batch_corpus_2000_encrypted", true),
    ] {
        group.bench_function(name, |b| {
            b.iter_batched(
                || fresh_store(encrypted),
                |(dir, store, inbox)| {
                    for batch in &batches {
                        store.upsert_batch(inbox, batch).expect("upsert");
                    }
                    (dir, store)
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, ingest_bench);
criterion_main!(benches);
