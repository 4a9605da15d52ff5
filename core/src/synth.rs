//! A synthetic large store for benches and examples (the search bench, the facade's cold start):
//! one builder, so that both measure the same mailbox.
//!
//! The mix: one account, INBOX and Sent (every fifth block of 1,000 messages goes to Sent), every
//! seventh message an avvenuta-consegna receipt and the rest PEC envelopes, one sender out of 250,000
//! and one recipient out of 300, a message every ten minutes from 2020-09-13. Subjects and bodies
//! follow a Zipf-like word distribution: Italian domain words (some accented, to exercise
//! unaccented queries) are the most frequent, then a long tail of 20,000 synthetic words, as in
//! real mail. The generator is a fixed-seed xorshift, so a store of `n` messages is always the same
//! and bench queries keep their meaning from run to run.

use crate::accounts::AccountConfig;
use crate::store::{
    FolderRole, ImapMeta, Kind, MessageRecord, RecipientRecord, Result, Store, StoreError,
};
use std::path::Path;

/// The most frequent words, rank 1 first.
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

/// Messages per `upsert_batch` transaction (also the unit of the INBOX/Sent split).
const BLOCK: usize = 1000;

/// The address of the synthetic account.
pub const ADDRESS: &str = "bench@pec.example";

/// Create the store in `dir` (which must not hold one yet) and fill it with `n` synthetic messages;
/// returns the open store. Takes seconds per 100,000 messages (one transaction per 1,000).
pub fn build(dir: &Path, n: usize) -> Result<Store> {
    let store = Store::open_in(dir)?;
    if !store.accounts()?.is_empty() {
        // Appending would duplicate UIDs and change the mix: the caller picks a fresh directory.
        return Err(StoreError::Invalid(format!(
            "{} already holds a store",
            dir.display()
        )));
    }
    let acc = store.add_account(&AccountConfig {
        address: ADDRESS.into(),
        display_name: None,
        imap_host: "127.0.0.1".into(),
        imap_port: 993,
        smtp_host: "127.0.0.1".into(),
        smtp_port: 465,
        ca_file: None,
    })?;
    let inbox = store.ensure_folder(acc, "INBOX", Some(FolderRole::Inbox), None)?;
    let sent = store.ensure_folder(acc, "Sent", Some(FolderRole::Sent), None)?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut uid = 0u32;
    for block in 0..n.div_ceil(BLOCK) {
        let folder = if block % 5 == 4 { sent } else { inbox };
        let batch: Vec<_> = (0..BLOCK.min(n - block * BLOCK))
            .map(|_| {
                uid += 1;
                (
                    ImapMeta {
                        uid: Some(uid),
                        size: 4000,
                        ..Default::default()
                    },
                    message(&mut rng, uid),
                    None,
                )
            })
            .collect();
        store.upsert_batch(folder, &batch)?;
    }
    Ok(store)
}

/// Message `uid` of the mix. The order of the draws is part of the store's identity (the search
/// bench's queries were chosen against it): do not reorder them.
fn message(rng: &mut Rng, uid: u32) -> MessageRecord {
    let receipt = uid.is_multiple_of(7);
    let sender = format!("utente{}@pec{}.it", rng.next() % 5000, rng.next() % 50);
    let subject = format!("POSTA CERTIFICATA: {} n. {uid}", rng.words(4));
    let original_subject = format!("{} n. {uid}", rng.words(4));
    let recipient = format!("dest{}@pec.example", rng.next() % 300);
    MessageRecord {
        message_id: Some(format!("b{uid}@bench")),
        kind: Some(if receipt {
            Kind::Receipt
        } else {
            Kind::Envelope
        }),
        receipt_type: receipt.then(|| "avvenuta-consegna".to_string()),
        from_addr: Some("posta-certificata@pec.example".into()),
        sender_addr: Some(sender),
        subject: Some(subject),
        original_subject: Some(original_subject),
        date: Some(1_600_000_000 + i64::from(uid) * 600),
        recipients: vec![RecipientRecord {
            address: recipient,
            name: None,
            field: "to",
            pec_type: None,
        }],
        body_text: Some(rng.words(120)),
        complete: true,
        ..Default::default()
    }
}

/// xorshift64: fast, deterministic, good enough for word picks.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// `n` words, rank ~ 1/u: P(rank <= r) grows like log r.
    fn words(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| {
                let u = (self.next() % 1_000_000) as f64 / 1_000_000.0;
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
}
