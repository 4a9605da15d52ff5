//! Page counts and folder badges come from per-folder counters kept by triggers (migration 0008),
//! not from a scan of the messages. These tests hold the counters equal to a count of the rows
//! through every kind of change the store makes, and check that a store upgraded from the
//! previous schema starts with the right counters.

use crate::store_util;

use pec_core::store::{
    Action, FolderRole, ImapMeta, InvoiceRecord, InvoiceRow, Kind, ListQuery, MessageRecord,
    ServerFlags, Store, View,
};
use pec_core::synth;
use store_util::TempDir;

/// (total, unread) of `q` counted over the message rows, the way the counts were computed before
/// the counters existed.
fn scanned(store: &Store, q: &ListQuery) -> (u32, u32) {
    let mut cond = vec!["1".to_string()];
    if let Some(a) = q.account {
        cond.push(format!("m.account_id = {a}"));
    }
    match &q.view {
        View::Folder(id) => cond.push(format!("m.folder_id = {id}")),
        View::Role(r) => cond.push(format!("f.role = '{}'", r.as_str())),
        View::Invoices => cond.push("m.is_invoice = 1".into()),
        View::Receipts => cond.push("m.kind = 'receipt'".into()),
        View::Undelivered => cond.push("m.delivery IN ('failed', 'warning')".into()),
        View::All => {}
        View::Label(l) => cond.push(format!(
            "m.id IN (SELECT message_id FROM labels WHERE label = '{}')",
            pec_core::store::keyword::keyword_of(l).expect("keyword")
        )),
    }
    if q.hide_receipts {
        cond.push("m.kind != 'receipt'".into());
    }
    let sql = format!(
        "SELECT COUNT(*), COALESCE(SUM(m.seen = 0), 0) FROM messages m
         JOIN folders f ON f.id = m.folder_id WHERE {}",
        cond.join(" AND ")
    );
    store
        .read(|c| Ok(c.query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?)))?))
        .expect("scan")
}

/// Every view (each folder, each role, the virtual ones), with and without receipts, per account
/// and across accounts: the counters give what a scan gives, and so do the folder badges.
fn assert_counts(store: &Store, step: &str) {
    let mut views = vec![View::All, View::Invoices, View::Receipts, View::Undelivered];
    let roles = [FolderRole::Inbox, FolderRole::Sent, FolderRole::Trash];
    views.extend(roles.iter().map(|r| View::Role(*r)));
    let mut accounts: Vec<Option<i64>> = vec![None];
    for a in store.accounts().expect("accounts") {
        accounts.push(Some(a.id));
        for f in store.folders(a.id).expect("folders") {
            views.push(View::Folder(f.id));
            let q = ListQuery::new(View::Folder(f.id));
            assert_eq!(
                (f.total, f.unread),
                scanned(store, &q),
                "{step}: badge of {}",
                f.name
            );
        }
    }
    for account in accounts {
        for view in &views {
            for hide_receipts in [false, true] {
                let q = ListQuery {
                    account,
                    hide_receipts,
                    ..ListQuery::new(view.clone())
                };
                let counted = store.count(&q).expect("count");
                assert_eq!(counted, scanned(store, &q), "{step}: {q:?}");
            }
        }
    }
}

fn message(uid: u32, kind: Kind, complete: bool) -> (ImapMeta, MessageRecord) {
    let meta = ImapMeta {
        uid: Some(uid),
        size: 1000,
        ..Default::default()
    };
    let rec = MessageRecord {
        message_id: Some(format!("m{uid}@test")),
        kind: Some(kind),
        subject: Some(format!("message {uid}")),
        date: Some(1_700_000_000 + i64::from(uid)),
        complete,
        ..Default::default()
    };
    (meta, rec)
}

#[test]
fn counters_follow_every_change() {
    let dir = TempDir::new("counts");
    let store = synth::build(dir.path(), 5100).expect("synthetic store");
    assert_counts(&store, "after ingest");
    let account = store.accounts().expect("accounts")[0].id;
    let inbox = store.find_folder(account, "inbox").unwrap().unwrap().id;
    let sent = store.find_folder(account, "sent").unwrap().unwrap().id;
    let first: Vec<_> = store
        .list(&ListQuery {
            account: Some(account),
            limit: 20,
            ..ListQuery::new(View::Role(FolderRole::Inbox))
        })
        .expect("list");

    // Local read/unread, twice the same (no change the second time), and back.
    for m in &first[..6] {
        store.apply_action(m.id, Action::SetSeen(true)).unwrap();
    }
    store
        .apply_action(first[0].id, Action::SetSeen(true))
        .unwrap();
    store
        .apply_action(first[1].id, Action::SetSeen(false))
        .unwrap();
    store
        .apply_action(first[2].id, Action::SetFlagged(true))
        .unwrap();
    assert_counts(&store, "local flags");

    // The server's flags (seen on some, unchanged on others).
    let seen = ServerFlags {
        seen: true,
        ..Default::default()
    };
    let updates: Vec<_> = first[6..12]
        .iter()
        .map(|m| (m.uid.unwrap(), None, seen.clone()))
        .collect();
    store.apply_server_flags(inbox, &updates).unwrap();
    assert_counts(&store, "server flags");

    // Moves, to another folder and to the trash; delete for good from the trash; empty the trash.
    store
        .apply_action(first[12].id, Action::Move(sent))
        .unwrap();
    store.apply_action(first[13].id, Action::Delete).unwrap();
    store.apply_action(first[14].id, Action::Delete).unwrap();
    store.apply_action(first[3].id, Action::Delete).unwrap();
    assert_counts(&store, "moves");
    store.apply_action(first[13].id, Action::Delete).unwrap();
    assert_counts(&store, "delete from the trash");
    let trash = store.find_folder(account, "trash").unwrap().unwrap().id;
    store.empty_folder(trash).unwrap();
    assert_counts(&store, "empty trash");

    // Expunged on the server.
    let gone: Vec<u32> = first[15..18].iter().map(|m| m.uid.unwrap()).collect();
    store.remove_uids(inbox, Some(&gone)).unwrap();
    assert_counts(&store, "expunge");

    // A message becomes an invoice; a header-only row turns out to be a receipt once analysed.
    store
        .set_invoice(&InvoiceRow::from_record(
            first[18].id,
            &InvoiceRecord {
                filename: "IT01234567890_00001.xml".into(),
                documents: 1,
                ..Default::default()
            },
        ))
        .unwrap();
    let (meta, rec) = message(900_001, Kind::Envelope, false);
    store.upsert_message(inbox, &meta, &rec, None).unwrap();
    assert_counts(&store, "header-only row");
    let (meta, rec) = message(900_001, Kind::Receipt, true);
    store.upsert_message(inbox, &meta, &rec, None).unwrap();
    assert_counts(&store, "invoice and receipt");

    // UIDVALIDITY changed: every message of Sent goes.
    store.remove_uids(sent, None).unwrap();
    assert_counts(&store, "uidvalidity");

    // A second account, then the first one removed (its folders and counters with it).
    let other = store
        .add_account(&store_util::account_config("other@pec.example"))
        .unwrap();
    let other_inbox = store
        .ensure_folder(other, "INBOX", Some(FolderRole::Inbox), None)
        .unwrap();
    let batch: Vec<_> = (1..=30)
        .map(|uid| {
            let (meta, rec) = message(uid, Kind::Envelope, true);
            (meta, rec, None)
        })
        .collect();
    store.upsert_batch(other_inbox, &batch).unwrap();
    assert_counts(&store, "second account");
    store.remove_account(account).unwrap();
    assert_counts(&store, "account removed");
    let left: i64 = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM folder_counts c JOIN folders f ON f.id = c.folder_id
                 WHERE f.account_id = ?1",
                [account],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(left, 0, "the removed account's counters are gone");
}

/// A store written by the previous schema (no counters) gets them filled by the migration.
#[test]
fn upgraded_store_gets_its_counters() {
    let dir = TempDir::new("counts-upgrade");
    let path = dir.path().join("store.sqlite");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        for sql in [
            include_str!("../migrations/0001_store.sql"),
            include_str!("../migrations/0002_outbox.sql"),
            include_str!("../migrations/0003_account_login.sql"),
            include_str!("../migrations/0004_part_downloads.sql"),
            include_str!("../migrations/0005_invoice_fields.sql"),
            include_str!("../migrations/0006_fts_vocab.sql"),
        ] {
            c.execute_batch(sql).unwrap();
        }
        c.pragma_update(None, "user_version", 6).unwrap();
        c.execute_batch(
            "INSERT INTO accounts (id, address, login, imap_host, imap_port, smtp_host, smtp_port, created_at)
                 VALUES (1, 'old@pec.example', 'old@pec.example', 'h', 993, 'h', 465, 0);
             INSERT INTO folders (id, account_id, name, role) VALUES (1, 1, 'INBOX', 'inbox'), (2, 1, 'Sent', 'sent');
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
             INSERT INTO messages (account_id, folder_id, uid, kind, date, seen, is_invoice)
                 SELECT 1, 1 + (i % 3 = 0), i, CASE WHEN i % 7 = 0 THEN 'receipt' ELSE 'envelope' END,
                        i * 60, i % 2, i % 11 = 0
                 FROM n;",
        )
        .unwrap();
    }
    let store = Store::open(&path).expect("migrate");
    assert_counts(&store, "upgraded");
    let inbox = ListQuery {
        account: Some(1),
        ..ListQuery::new(View::Role(FolderRole::Inbox))
    };
    assert_eq!(store.count(&inbox).unwrap().0, 334);
}
