//! Importing files into the store: one rule for "same message" (Message-ID, size and bytes),
//! empty files refused, attachments of an import located in its stored body.

use crate::store_util;

use pec_core::accounts::AccountConfig;
use pec_core::store::{FolderRole, ImapMeta, SearchQuery, Store, StoreError};
use store_util::{TempDir, plain};

const ME: &str = "me@pec.example";
const MID: &str = "same-id@client";

fn setup(dir: &TempDir) -> (Store, i64) {
    let store = Store::open_in(dir.path()).expect("open");
    let acc = store
        .add_account(&AccountConfig::offline(ME))
        .expect("account");
    let inbox = store
        .ensure_folder(acc, "INBOX", Some(FolderRole::Inbox), Some("."))
        .expect("inbox");
    (store, inbox)
}

fn message(subject: &str, body: &str) -> Vec<u8> {
    plain(
        "a@pec.other",
        &[ME],
        subject,
        MID,
        "Thu, 14 Nov 2024 18:26:00 +0100",
        body,
    )
}

#[test]
fn the_same_message_id_with_other_bytes_is_another_message() {
    let dir = TempDir::new("import-same-id");
    let (store, inbox) = setup(&dir);
    let a = message("Primo", "mele arance");
    let b = message("Secondo", "pere banane kiwi");
    let first = pec_core::receive::Receiver::default()
        .import(&store, inbox, &a)
        .expect("a");
    assert!(first.inserted);
    // The same file again: the same message, stored once.
    let again = pec_core::receive::Receiver::default()
        .import(&store, inbox, &a)
        .expect("a again");
    assert_eq!((again.id, again.inserted), (first.id, false));
    // Same Message-ID, other bytes: its own row, and A's body untouched.
    let second = pec_core::receive::Receiver::default()
        .import(&store, inbox, &b)
        .expect("b");
    assert!(second.inserted, "a different message must not merge into A");
    assert_ne!(second.id, first.id);
    assert_eq!(store.body(first.id).expect("body").as_deref(), Some(&a[..]));
    assert_eq!(
        store.body(second.id).expect("body").as_deref(),
        Some(&b[..])
    );
    let found = |q: &str| -> Vec<i64> {
        store
            .search(&SearchQuery::parse(q))
            .expect("search")
            .iter()
            .map(|m| m.id)
            .collect()
    };
    assert_eq!(found("mele"), vec![first.id]);
    assert_eq!(found("banane"), vec![second.id]);
    // Same length, other bytes: still another message.
    let c = message("Primo", "mele aranci");
    assert_eq!(c.len(), a.len());
    assert!(
        pec_core::receive::Receiver::default()
            .import(&store, inbox, &c)
            .expect("c")
            .inserted
    );
}

#[test]
fn a_server_copy_of_another_size_does_not_adopt_an_imported_row() {
    let dir = TempDir::new("import-adopt");
    let (store, inbox) = setup(&dir);
    let a = message("Primo", "mele arance");
    let local = pec_core::receive::Receiver::default()
        .import(&store, inbox, &a)
        .expect("a");
    let other = message("Altro", "tutt'altro testo, più lungo");
    let rec = pec_core::receive::analyze(&other);
    let meta = |size: usize, uid: u32| ImapMeta {
        uid: Some(uid),
        size: size as u64,
        ..Default::default()
    };
    let synced = store
        .upsert_message(inbox, &meta(other.len(), 7), &rec, Some(&other))
        .expect("sync");
    assert!(synced.inserted);
    assert_ne!(synced.id, local.id);
    assert_eq!(store.body(local.id).expect("body").as_deref(), Some(&a[..]));
    // The server's copy of the imported message itself (same bytes) takes the local row.
    let rec = pec_core::receive::analyze(&a);
    let same = store
        .upsert_message(inbox, &meta(a.len(), 8), &rec, Some(&a))
        .expect("sync");
    assert_eq!((same.id, same.inserted), (local.id, false));
}

#[test]
fn an_empty_file_is_not_a_message() {
    let dir = TempDir::new("import-empty");
    let (store, inbox) = setup(&dir);
    for raw in [&b""[..], b"\r\n \n"] {
        match pec_core::receive::Receiver::default().import(&store, inbox, raw) {
            Err(StoreError::Invalid(why)) => assert!(why.contains("empty"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
}

/// A message without a Date header is listed by when it was imported (as an IMAP APPEND without
/// a date), never at 1970; one with a Date keeps it.
#[test]
fn a_message_without_a_date_is_dated_by_its_import() {
    let dir = TempDir::new("import-no-date");
    let (store, inbox) = setup(&dir);
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let undated = b"From: a@pec.other\r\nSubject: senza data\r\n\r\ntesto\r\n";
    let id = pec_core::receive::Receiver::default()
        .import(&store, inbox, undated)
        .expect("import")
        .id;
    assert!(store.message(id).expect("row").summary.date >= before);
    let dated = pec_core::receive::Receiver::default()
        .import(&store, inbox, &message("Datato", "testo"))
        .expect("import")
        .id;
    assert_eq!(
        store.message(dated).expect("row").summary.date,
        1_731_605_160
    );
}
