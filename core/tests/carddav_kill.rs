//! A CardDAV sync killed with SIGKILL at random points, against a real Radicale: the child syncs
//! a 200-card book, edits and adds cards and syncs again, over and over, while another client
//! changes the server's cards between kills. After every kill the store opens intact; at the end
//! one sync brings both sides to the same cards, each once, and no contact the store had
//! committed is lost.
//!
//! The child is this test binary re-executed on the ignored `carddav_child` entry point.

use crate::store_util;

use pec_core::Context;
use pec_core::accounts::MemoryCredentialStore;
use pec_core::carddav::PullMode;
use pec_core::contacts::Contact;
use pec_core::vault::StoreKey;
use pec_test_harness::{Radicale, radicale_or_skip};
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

const ANNA: (&str, &str) = ("anna", "segreta");
const CARDS: usize = 200;
const KILLS: usize = 20;

fn card(i: usize, note: &str) -> String {
    format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:u-{i}\r\nFN:Persona {i:03}\r\nEMAIL:p{i}@pec.example.it\r\n\
         NOTE:{note}\r\nEND:VCARD\r\n"
    )
}

fn open(dir: &Path) -> Context {
    let key = StoreKey::from_slice(&[0xD4; 32]).expect("key");
    Context::open_with(dir, Arc::new(MemoryCredentialStore::default()), Some(key)).expect("open")
}

/// Child process: sync, edit a card, add one, sync, forever, until killed.
#[test]
#[ignore = "child process of carddav_syncs_killed_at_random_points (run by it, not alone)"]
fn carddav_child() {
    let (Some(dir), Some(url), Some(ca)) = (
        std::env::var_os("PEC_DAV_CHILD_DIR"),
        std::env::var("PEC_DAV_CHILD_URL").ok(),
        std::env::var("PEC_DAV_CHILD_CA").ok(),
    ) else {
        panic!("run only by carddav_syncs_killed_at_random_points");
    };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let ctx = open(Path::new(&dir));
        let books = ctx
            .add_address_book(&url, ANNA.0, ANNA.1, Some(&ca))
            .await
            .expect("discovery");
        let book = books[0].id;
        for round in 0.. {
            let now = ctx
                .store()
                .address_book(book)
                .expect("store")
                .expect("book");
            ctx.sync_address_book(&now, PullMode::Best)
                .await
                .expect("sync");
            let contacts = ctx.store().contacts().expect("contacts");
            if let Some(mut c) = contacts.into_iter().find(|c| c.book.is_some()) {
                c.notes = Some(format!("figlio {}-{round}", std::process::id()));
                ctx.save_contact(&c).expect("edit");
            }
            ctx.save_contact(&Contact {
                name: format!("Nuovo {}-{round}", std::process::id()),
                addresses: vec![format!("n{}x{round}@pec.example.it", std::process::id())],
                book: Some(book),
                ..Contact::default()
            })
            .expect("new");
        }
    });
}

#[tokio::test(flavor = "multi_thread")]
async fn carddav_syncs_killed_at_random_points() {
    let Some(_) = radicale_or_skip("carddav kill") else {
        return;
    };
    let seed0 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1)
        | 1;
    let mut rng = store_util::XorShift(seed0);
    let server = Radicale::start(&[ANNA]).await.expect("radicale");
    for i in 0..CARDS {
        server
            .put_card(ANNA, &format!("p{i}"), &card(i, "inizio"))
            .await
            .expect("put");
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("data");
    let exe = std::env::current_exe().expect("exe");
    let mut committed: HashSet<String> = HashSet::new();
    for trial in 0..KILLS {
        for i in (trial..CARDS).step_by(13) {
            server
                .put_card(
                    ANNA,
                    &format!("p{i}"),
                    &card(i, &format!("altrove {trial}")),
                )
                .await
                .expect("edit there");
        }
        let mut child = std::process::Command::new(&exe)
            .args([
                "--ignored",
                "--exact",
                &crate::test_name(module_path!(), "carddav_child"),
                "--test-threads=1",
            ])
            .env("PEC_DAV_CHILD_DIR", &dir)
            .env("PEC_DAV_CHILD_URL", server.url())
            .env("PEC_DAV_CHILD_CA", server.ca_file())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn child");
        tokio::time::sleep(Duration::from_millis(100 + rng.next() % 1500)).await;
        child.kill().expect("SIGKILL");
        let _ = child.wait();

        let ctx = open(&dir);
        ctx.store().check_integrity().expect("integrity");
        let names: Vec<String> = ctx
            .store()
            .contacts()
            .expect("contacts")
            .into_iter()
            .filter(|c| c.book.is_some())
            .map(|c| c.name)
            .collect();
        let unique: HashSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "trial {trial}: a card doubled");
        committed.extend(names);
    }

    let ctx = open(&dir);
    let book = ctx
        .add_address_book(&server.url(), ANNA.0, ANNA.1, server.ca_file().to_str())
        .await
        .expect("discovery")
        .remove(0);
    let r = ctx
        .sync_address_book(&book, PullMode::Best)
        .await
        .expect("final sync");
    eprintln!(
        "after {KILLS} kills: final sync {r:?}; {} cards seen committed",
        committed.len()
    );

    let disk = server.cards_on_disk("anna").expect("disk");
    let all = ctx.store().contacts().expect("contacts");
    let (mine, copies): (Vec<&Contact>, Vec<&Contact>) = all.iter().partition(|c| c.book.is_some());
    assert_eq!(
        mine.len(),
        disk.len(),
        "both sides hold the same number of cards"
    );
    assert!(
        mine.len() > CARDS,
        "the child added cards before the kills (seed {seed0})"
    );
    let here: HashSet<&str> = mine.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(here.len(), mine.len(), "a contact doubled");
    for (_, text) in &disk {
        let name = text
            .lines()
            .find_map(|l| l.strip_prefix("FN:"))
            .expect("FN");
        assert!(here.contains(name), "{name} is on the server, not here");
    }
    // A local edit the server had changed meanwhile stays as a copy beside the server's card.
    for c in &copies {
        assert!(here.contains(c.name.as_str()), "a copy of nothing: {c:?}");
    }
    for name in &committed {
        assert!(
            here.contains(name.as_str()),
            "{name} was committed and is lost"
        );
    }
}
