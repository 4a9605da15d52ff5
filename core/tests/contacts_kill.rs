//! The address book killed with SIGKILL at random points while every contact is saved again and
//! the book merged in, over and over: after every kill the store opens intact with each contact exactly once, its
//! address, its group and its completion words, and a field either before or after the edit.
//!
//! The child is this test binary re-executed on the ignored `contacts_child` entry point.

use crate::store_util;

use pec_core::Context;
use pec_core::accounts::MemoryCredentialStore;
use pec_core::context::ContactFormat;
use pec_core::vault::StoreKey;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

const CONTACTS: usize = 200;

fn key() -> StoreKey {
    StoreKey::from_slice(&[0xC3; 32]).expect("key")
}

/// The address book with every contact's note set to `note` (and a unique word in its name).
fn book(note: &str) -> String {
    (0..CONTACTS)
        .map(|i| {
            format!(
                "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Persona Unica{i}x\r\nEMAIL:persona{i}@pec.example.it\r\n\
                 NOTE:{note}\r\nCATEGORIES:Kill\r\nEND:VCARD\r\n"
            )
        })
        .collect()
}

fn open(dir: &Path, rt: &tokio::runtime::Runtime) -> Context {
    let _in = rt.enter();
    Context::open_with(dir, Arc::new(MemoryCredentialStore::default()), Some(key())).expect("open")
}

/// Child process: save every contact again with the other note (each save rewrites its fields,
/// addresses, group and words in one transaction), and merge the book in, forever, until killed.
#[test]
#[ignore = "child process of contact_edits_killed_at_random_points (run by it, not alone)"]
fn contacts_child() {
    let Some(dir) = std::env::var_os("PEC_CONTACTS_CHILD_DIR") else {
        panic!("run only by contact_edits_killed_at_random_points");
    };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let ctx = open(Path::new(&dir), &rt);
    let book = book("zero");
    for round in 0.. {
        let note = if round % 2 == 0 { "prima" } else { "seconda" };
        for mut c in ctx.store().contacts().expect("contacts") {
            c.notes = Some(note.into());
            ctx.save_contact(&c).expect("save");
        }
        ctx.import_contacts(&book, ContactFormat::VCard)
            .expect("import");
    }
}

#[test]
fn contact_edits_killed_at_random_points() {
    let seed0 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1)
        | 1;
    let mut rng = store_util::XorShift(seed0);
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("data");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let t = std::time::Instant::now();
    let first = open(&dir, &rt)
        .import_contacts(&book("zero"), ContactFormat::VCard)
        .expect("seed");
    // Kills land anywhere from the child's start to well past one whole import.
    let span = t.elapsed().as_millis() as u64 * 3 + 200;
    assert_eq!(first.imported as usize, CONTACTS);
    let exe = std::env::current_exe().expect("exe");
    let mut edited = 0;
    for trial in 0..30 {
        let mut child = std::process::Command::new(&exe)
            .args([
                "--ignored",
                "--exact",
                &crate::test_name(module_path!(), "contacts_child"),
                "--test-threads=1",
            ])
            .env("PEC_CONTACTS_CHILD_DIR", &dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn child");
        std::thread::sleep(Duration::from_millis(20 + rng.next() % span));
        child.kill().expect("SIGKILL");
        let _ = child.wait();

        let ctx = open(&dir, &rt);
        ctx.store().check_integrity().expect("integrity");
        let contacts = ctx.store().contacts().expect("contacts");
        assert_eq!(contacts.len(), CONTACTS, "trial {trial}, seed {seed0}");
        for (i, c) in contacts.iter().enumerate() {
            let notes = c.notes.as_deref().unwrap_or("");
            assert!(
                ["zero", "prima", "seconda"].contains(&notes),
                "trial {trial}: {c:?}"
            );
            assert_eq!(c.addresses.len(), 1, "trial {trial}: {c:?}");
            assert_eq!(c.groups, ["Kill"], "trial {trial}: {c:?}");
            if i % 40 == 0 {
                let word = c
                    .name
                    .split(' ')
                    .next_back()
                    .unwrap_or_default()
                    .to_lowercase();
                let found = ctx.store().suggest(&word, 5).expect("suggest");
                assert_eq!(found.len(), 1, "trial {trial}: {word} -> {found:?}");
            }
        }
        assert_eq!(
            ctx.store().groups().expect("groups")[0].members.len(),
            CONTACTS
        );
        edited += contacts
            .iter()
            .filter(|c| c.notes.as_deref() != Some("zero"))
            .count();
    }
    // The kills landed on a child that was writing, not on one still starting.
    assert!(
        edited > 0,
        "no edit happened before any kill (seed {seed0})"
    );
    eprintln!("30 kills: {edited} contact notes found changed in all, none lost or doubled");
}
