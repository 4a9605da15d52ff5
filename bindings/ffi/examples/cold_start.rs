//! Cold start through the facade: open a data directory holding a 100,000-message store and return
//! the first inbox page, in a fresh process (OS file cache warm: it cannot be dropped here).
//!
//!   cargo run --release -p pec-ffi --example cold_start [-- N]
//!
//! Builds `$TMPDIR/pec-cold-start-N` once (synthetic PEC envelopes and receipts, full-text indexed),
//! then runs itself 5 times with `--measure` and prints each time and the median.

use pec_core::accounts::AccountConfig;
use pec_core::store::{FolderRole, ImapMeta, MessageRecord, PecKind, RecipientRecord, Store};
use pec_ffi::{App, CredentialBackend, ViewRef};
use std::path::Path;
use std::time::Instant;

fn build(dir: &Path, n: usize) {
    let store = Store::open_in(dir).expect("store");
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
        .ensure_folder(acc, "INBOX", Some(FolderRole::Inbox), Some("/"))
        .expect("inbox");
    let sent = store
        .ensure_folder(acc, "Sent", Some(FolderRole::Sent), Some("/"))
        .expect("sent");
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    const WORDS: &[&str] = &[
        "fattura",
        "contratto",
        "udienza",
        "decreto",
        "sollecito",
        "pagamento",
        "bilancio",
        "verbale",
        "notifica",
        "rimborso",
        "preventivo",
        "ordine",
    ];
    let t = Instant::now();
    for chunk in 0..n.div_ceil(1000) {
        let folder = if chunk % 5 == 4 { sent } else { inbox };
        let batch: Vec<_> = (0..1000.min(n - chunk * 1000))
            .map(|i| {
                let uid = (chunk * 1000 + i + 1) as u32;
                let w = |r: u64| WORDS[(r % WORDS.len() as u64) as usize];
                let subject = format!("{} {} n. {uid}", w(next()), w(next()));
                let receipt = uid.is_multiple_of(7);
                let rec = MessageRecord {
                    message_id: Some(format!("c{uid}@bench")),
                    kind: Some(if receipt {
                        PecKind::Receipt
                    } else {
                        PecKind::Envelope
                    }),
                    receipt_type: receipt.then(|| "avvenuta-consegna".to_string()),
                    from_addr: Some("posta-certificata@pec.example".into()),
                    sender_addr: Some(format!("utente{}@pec{}.it", next() % 5000, next() % 50)),
                    subject: Some(format!("POSTA CERTIFICATA: {subject}")),
                    original_subject: Some(subject),
                    date: Some(1_600_000_000 + uid as i64 * 600),
                    recipients: vec![RecipientRecord {
                        address: format!("dest{}@pec.example", next() % 300),
                        name: None,
                        field: "to",
                        pec_type: None,
                    }],
                    body_text: Some((0..60).map(|_| w(next())).collect::<Vec<_>>().join(" ")),
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
}

fn measure(dir: &Path) {
    let t = Instant::now();
    let app = App::new(
        dir.to_string_lossy().into_owned(),
        CredentialBackend::Memory,
    )
    .expect("app");
    let opened = t.elapsed();
    let page = pec_ffi::runtime::rt().block_on(async {
        let accounts = app.accounts().await.expect("accounts");
        app.list_page(accounts[0].id, ViewRef::Inbox, None, 50)
            .await
            .expect("page")
    });
    let total = t.elapsed();
    assert_eq!(page.rows.len(), 50);
    println!(
        "{:.2} {:.2} {}",
        opened.as_secs_f64() * 1000.0,
        total.as_secs_f64() * 1000.0,
        page.total
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 3 && args[1] == "--measure" {
        measure(Path::new(&args[2]));
        return;
    }
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("pec-cold-start-{n}"));
    if !dir.join("store.sqlite").exists() {
        build(&dir, n);
    }
    let mut totals = vec![];
    for run in 1..=5 {
        let out = std::process::Command::new(&args[0])
            .args(["--measure", &dir.to_string_lossy()])
            .output()
            .expect("run");
        let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let f: Vec<&str> = line.split(' ').collect();
        println!(
            "run {run}: open {} ms, first inbox page (50 rows of {}) at {} ms",
            f[0], f[2], f[1]
        );
        totals.push(f[1].parse::<f64>().expect("number"));
    }
    totals.sort_by(|a, b| a.total_cmp(b));
    println!(
        "cold start, {n} messages: median {:.1} ms to the first inbox page",
        totals[2]
    );
}
