//! The part-download bookkeeping of the store: chunks only in order, a different server copy
//! restarts, the message's removal takes its parts along.

use crate::store_util;

use pec_core::accounts::AccountConfig;
use pec_core::store::{FolderRole, ImapMeta, Store, StoreError};
use store_util::{TempDir, plain};

#[test]
fn chunks_in_order_restart_on_other_bytes_cascade_on_removal() {
    let dir = TempDir::new("store_parts");
    let store = Store::open_in(dir.path()).expect("store");
    let acc = store
        .add_account(&AccountConfig::offline("me@pec.example"))
        .expect("account");
    let inbox = store
        .ensure_folder(acc, "INBOX", Some(FolderRole::Inbox), None)
        .expect("inbox");
    let raw = plain(
        "a@x",
        &["me@pec.example"],
        "s",
        "m1@x",
        "Mon, 4 Nov 2024 10:00:00 +0100",
        "b",
    );
    let rec = pec_core::receive::analyze(&raw);
    let meta = ImapMeta {
        uid: Some(7),
        size: raw.len() as u64,
        ..Default::default()
    };
    let id = store
        .upsert_message(inbox, &meta, &rec, None)
        .expect("msg")
        .id;

    assert!(store.part_progress(id, "2").expect("p").is_none());
    // No download begun: chunks are refused.
    assert!(matches!(
        store.put_part_chunk(id, "2", 0, b"abc", false),
        Err(StoreError::NotFound(_))
    ));
    let p = store
        .begin_part(id, "2", 7, Some(1), "base64", 6)
        .expect("begin");
    assert_eq!((p.have, p.complete), (0, false));
    store
        .put_part_chunk(id, "2", 0, b"abc", false)
        .expect("chunk");
    // A stale or duplicate writer cannot overlap or leave a hole.
    for off in [0, 2, 4] {
        assert!(matches!(
            store.put_part_chunk(id, "2", off, b"zzz", false),
            Err(StoreError::Invalid(_))
        ));
    }
    // Same bytes on the server: resume where it stands.
    let p = store
        .begin_part(id, "2", 7, Some(1), "base64", 6)
        .expect("again");
    assert_eq!(p.have, 3);
    store
        .put_part_chunk(id, "2", 3, b"def", true)
        .expect("last");
    let p = store.part_progress(id, "2").expect("p").expect("row");
    assert!(p.complete && p.have == 6);
    let mut all = Vec::new();
    store
        .read_part_chunks(id, "2", |c| {
            all.extend_from_slice(c);
            Ok(())
        })
        .expect("read");
    assert_eq!(all, b"abcdef");
    // The folder was recreated (other UIDVALIDITY): start over.
    let p = store
        .begin_part(id, "2", 7, Some(2), "base64", 6)
        .expect("reset");
    assert_eq!((p.have, p.complete), (0, false));
    store
        .put_part_chunk(id, "2", 0, b"xy", false)
        .expect("chunk");
    // The part cache cap: least recently used parts go first, never the one just used.
    store.put_part_chunk(id, "2", 2, b"zw", true).expect("done");
    for (sec, data) in [("3", &b"0123456789"[..]), ("4", &b"abcdefghij"[..])] {
        store
            .begin_part(id, sec, 7, Some(2), "7bit", 10)
            .expect("begin");
        store.put_part_chunk(id, sec, 0, data, true).expect("chunk");
    }
    // Under the cap: nothing goes.
    assert_eq!(store.touch_part_and_evict(id, "3").expect("touch"), 0);
    store.set_part_cache_cap(15);
    // 24 bytes > 15: "2" (4 bytes, least recently used) then "4" (10) go; "3" was just used.
    assert_eq!(store.touch_part_and_evict(id, "3").expect("evict"), 2);
    assert!(store.part_progress(id, "2").expect("p").is_none());
    assert!(store.part_progress(id, "4").expect("p").is_none());
    assert!(
        store
            .part_progress(id, "3")
            .expect("p")
            .is_some_and(|p| p.complete)
    );
    // A part larger than the cap on its own stays while it is the one in use.
    store.set_part_cache_cap(1);
    assert_eq!(store.touch_part_and_evict(id, "3").expect("evict"), 0);
    // The message goes away (expunged on the server): its parts go with it.
    store.remove_uids(inbox, Some(&[7])).expect("remove");
    assert!(store.part_progress(id, "3").expect("p").is_none());
    let n = store.read_part_chunks(id, "2", |_| Ok(())).expect("read");
    assert_eq!(n, 0);
    store.check_integrity().expect("integrity");
}
