//! Search latency on a 100,000-message store: p50/p95 over a mix of queries.
//! `cargo bench -p pec-core --bench search` (set PEC_BENCH_MESSAGES to change the size).
//! Prints figures; it asserts nothing about time (timings never fail a build).

use pec_core::accounts::AccountConfig;
use pec_core::store::{
    FolderRole, ImapMeta, MessageRecord, PecKind, RecipientRecord, SearchQuery, Store,
};
use std::time::Instant;

const WORDS: &[&str] = &[
    "fattura",
    "pagamento",
    "contratto",
    "verbale",
    "assemblea",
    "ordine",
    "consegna",
    "preventivo",
    "sollecito",
    "notifica",
    "avviso",
    "comune",
    "tribunale",
    "ricorso",
    "udienza",
    "decreto",
    "bilancio",
    "sentenza",
    "atto",
    "delibera",
    "protocollo",
    "richiesta",
    "documento",
    "allegato",
    "scadenza",
    "rimborso",
    "cartella",
    "agenzia",
    "entrate",
    "inps",
    "inail",
    "camera",
    "commercio",
    "città",
    "perché",
    "società",
    "attività",
    "università",
    "qualità",
    "novità",
    "lunedì",
    "martedì",
];

fn rng(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

/// Text with a Zipf-like word distribution: the domain words above are the most frequent
/// (rank 1..), then a long tail of 20,000 synthetic words, as in real mail.
fn words(seed: &mut u64, n: usize) -> String {
    (0..n)
        .map(|_| {
            // rank ~ 1/u: P(rank <= r) grows like log r.
            let u = (rng(seed) % 1_000_000) as f64 / 1_000_000.0;
            let rank = (20_000f64.powf(u)) as usize;
            if rank <= WORDS.len() {
                WORDS[rank.saturating_sub(1)].to_string()
            } else {
                format!("parola{rank}")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn main() {
    let n: usize = std::env::var("PEC_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("pec-search-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = Store::open_in(&dir).expect("store");
    let acc = store
        .add_account(&AccountConfig {
            address: "bench@pec.example".into(),
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
        .expect("inbox");
    let sent = store
        .ensure_folder(acc, "Sent", Some(FolderRole::Sent), None)
        .expect("sent");
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let t = Instant::now();
    let mut uid = 0u32;
    for chunk in 0..n.div_ceil(1000) {
        let folder = if chunk % 5 == 4 { sent } else { inbox };
        let batch: Vec<(ImapMeta, MessageRecord, Option<Vec<u8>>)> = (0..1000
            .min(n - chunk * 1000))
            .map(|_| {
                uid += 1;
                let sender = format!(
                    "utente{}@pec{}.it",
                    rng(&mut seed) % 5000,
                    rng(&mut seed) % 50
                );
                let rec = MessageRecord {
                    message_id: Some(format!("b{uid}@bench")),
                    kind: Some(if uid.is_multiple_of(7) {
                        PecKind::Receipt
                    } else {
                        PecKind::Envelope
                    }),
                    receipt_type: uid
                        .is_multiple_of(7)
                        .then(|| "avvenuta-consegna".to_string()),
                    from_addr: Some("posta-certificata@pec.example".into()),
                    sender_addr: Some(sender),
                    subject: Some(format!(
                        "POSTA CERTIFICATA: {} n. {uid}",
                        words(&mut seed, 4)
                    )),
                    original_subject: Some(format!("{} n. {uid}", words(&mut seed, 4))),
                    date: Some(1_600_000_000 + (uid as i64) * 600),
                    recipients: vec![RecipientRecord {
                        address: format!("dest{}@pec.example", rng(&mut seed) % 300),
                        name: None,
                        field: "to",
                        pec_type: None,
                    }],
                    body_text: Some(words(&mut seed, 120)),
                    complete: true,
                    ..Default::default()
                };
                let meta = ImapMeta {
                    uid: Some(uid),
                    size: 4000,
                    ..Default::default()
                };
                (meta, rec, None)
            })
            .collect();
        store.upsert_batch(folder, &batch).expect("batch");
    }
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
