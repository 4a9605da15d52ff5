//! Address completion on an encrypted store of about 50,000 people: 25,000 saved contacts (names,
//! organisations, VAT numbers, one or two addresses each) and the correspondents of a 30,000-message
//! synthetic mailbox (`pec_core::synth`, about 28,000 distinct senders). p50/p95 over what a user
//! types: prefixes of 1 to 6 characters of names, organisations, addresses and VAT numbers.
//! `cargo bench -p pec-core --bench autocomplete` (`-- --test`: a quick run on a small store).
//! Prints figures; asserts nothing about time.

use pec_core::contacts::Contact;
use pec_core::store::{Store, rekey};
use pec_core::synth;
use pec_core::vault::StoreKey;
use std::time::Instant;

const GIVEN: [&str; 24] = [
    "Mario",
    "Giulia",
    "Luca",
    "Anna",
    "Marco",
    "Sara",
    "Paolo",
    "Chiara",
    "Andrea",
    "Elena",
    "Stefano",
    "Laura",
    "Giorgio",
    "Francesca",
    "Roberto",
    "Silvia",
    "Davide",
    "Marta",
    "Fabio",
    "Valentina",
    "Matteo",
    "Alessia",
    "Simone",
    "Irene",
];
const FAMILY: [&str; 24] = [
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
    "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo",
    "Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro", "Mariani",
];
const ORG: [&str; 8] = [
    "Studio Legale",
    "Officine",
    "Comune di",
    "Farmacia",
    "Edilizia",
    "Consorzio",
    "Cooperativa",
    "Notaio",
];
const TYPED: [&str; 24] = [
    "m", "r", "ma", "ro", "mar", "ros", "gius", "bianc", "de l", "stud", "offic", "comune", "it0",
    "it012", "utente1", "utente23", "pec3", "mario.r", "giulia@", "a", "fe", "ferr", "lomb", "zzz",
];

fn main() {
    let quick = std::env::args().any(|a| a == "--test");
    let (contacts, messages) = if quick { (500, 600) } else { (25_000, 30_000) };
    let dir = std::env::temp_dir().join(format!("pec-complete-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let t = Instant::now();
    drop(synth::build(&dir.join("plain"), messages).expect("synthetic store"));
    let key = StoreKey::from_slice(&[9u8; 32]).expect("key");
    std::fs::create_dir_all(dir.join("encrypted")).expect("dir");
    let file = dir.join("encrypted/store.sqlite");
    std::fs::copy(dir.join("plain/store.sqlite"), &file).expect("copy");
    rekey::rekey_file(&file, None, &key).expect("encrypt");
    let store = Store::open_with(&file, Some(key)).expect("store");
    for i in 0..contacts {
        store.add_contact(&contact(i)).expect("contact");
    }
    let people = store.people().expect("people").len();
    eprintln!(
        "{people} people ({contacts} contacts) built in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    for typed in TYPED {
        let _ = store.suggest(typed, 10).expect("suggest");
    }
    let mut all = Vec::new();
    let mut by_length: Vec<Vec<f64>> = vec![Vec::new(); 8];
    for _round in 0..(if quick { 3 } else { 30 }) {
        for typed in TYPED {
            let t = Instant::now();
            let found = store.suggest(typed, 10).expect("suggest");
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            std::hint::black_box(found);
            all.push(ms);
            by_length[typed.len().min(7)].push(ms);
        }
    }
    for (len, times) in by_length
        .iter_mut()
        .enumerate()
        .filter(|(_, t)| !t.is_empty())
    {
        eprintln!(
            "  {len} characters: p50 {:.2} ms, p95 {:.2} ms",
            pct(times, 0.5),
            pct(times, 0.95)
        );
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "autocomplete on {people} people: p50 {:.2} ms, p95 {:.2} ms over {} queries (goal p95 < 5 ms); load {}",
        pct(&mut all, 0.5),
        pct(&mut all, 0.95),
        all.len(),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    // The address book screen's list: every person with what each address proved.
    let mut list: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(store.people().expect("people"));
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    println!(
        "the whole address book ({people} people): p50 {:.1} ms, slowest {:.1} ms over {} reads",
        pct(&mut list, 0.5),
        pct(&mut list, 1.0),
        list.len()
    );
    // What the screen reads instead: its first page, and one deep in the correspondents (after
    // the person before it, as the screen asks when it scrolls there).
    let whole = store.people().expect("people");
    for offset in [0usize, 40_000] {
        let after = offset
            .checked_sub(1)
            .and_then(|last| whole.get(last))
            .map(|p| p.place.clone());
        let mut page: Vec<f64> = (0..20)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(store.people_page(after.as_ref(), 100).expect("page"));
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        println!(
            "a page of 100 people from {offset}: p50 {:.2} ms, p95 {:.2} ms over {} reads",
            pct(&mut page, 0.5),
            pct(&mut page, 0.95),
            page.len()
        );
    }
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

fn contact(i: usize) -> Contact {
    let given = GIVEN[i % GIVEN.len()];
    let family = FAMILY[(i / GIVEN.len()) % FAMILY.len()];
    let org = i
        .is_multiple_of(3)
        .then(|| format!("{} {family}", ORG[i % ORG.len()]));
    let local = format!(
        "{}.{}{i}",
        given.to_lowercase(),
        family.to_lowercase().replace(' ', "")
    );
    let mut addresses = vec![format!("{local}@pec.example.it")];
    if i.is_multiple_of(2) {
        addresses.push(format!("{local}@example.org"));
    }
    Contact {
        name: format!("{given} {family}"),
        addresses,
        organisation: org,
        vat: i.is_multiple_of(4).then(|| format!("IT{:011}", i * 7919)),
        ..Contact::default()
    }
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}
