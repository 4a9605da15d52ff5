//! Search, lists, virtual folders, local actions, body cache, credentials.

use crate::store_util;

use pec_core::accounts::{CredentialStore, FileCredentialStore, MemoryCredentialStore};
use pec_core::store::{
    Action, ActionKind, FolderRole, ImapMeta, Kind, ListQuery, SearchQuery, ServerFlags, Store,
    View,
};
use store_util::{TempDir, account_config as cfg, envelope, plain, receipt};

struct Fixture {
    _dir: TempDir,
    store: Store,
    acc: i64,
    inbox: i64,
    sent: i64,
}

fn fixture() -> Fixture {
    let dir = TempDir::new("search");
    let store = Store::open_in(dir.path()).expect("open");
    let acc = store.add_account(&cfg("me@pec.example")).expect("account");
    let inbox = store
        .ensure_folder(acc, "INBOX", Some(FolderRole::Inbox), None)
        .expect("inbox");
    let sent = store
        .ensure_folder(acc, "Sent", Some(FolderRole::Sent), None)
        .expect("sent");
    pec_core::receive::Receiver::default()
        .import(
            &store,
            inbox,
            &envelope(
                "mario.rossi@pec.it",
                "me@pec.example",
                "Fattura di novembre",
                "e1@p",
                "In allegato la fattura n. 12, perché dovuta.",
                Some("IT01234567890_00001.xml"),
            ),
        )
        .expect("e1");
    pec_core::receive::Receiver::default()
        .import(
            &store,
            inbox,
            &envelope(
                "giulia.bianchi@pec.it",
                "me@pec.example",
                "Verbale assemblea",
                "e2@p",
                "Il verbale è pronto",
                None,
            ),
        )
        .expect("e2");
    pec_core::receive::Receiver::default()
        .import(
            &store,
            sent,
            &plain(
                "me@pec.example",
                &["giulia.bianchi@pec.it"],
                "Risposta verbale",
                "s1@c",
                "Mon, 18 Nov 2024 10:00:00 +0100",
                "Grazie per il verbale, città",
            ),
        )
        .expect("s1");
    pec_core::receive::Receiver::default()
        .import(
            &store,
            inbox,
            &receipt(
                "accettazione",
                "s1@c",
                "id-s1",
                None,
                "nessuno",
                "10:00:05",
                "me@pec.example",
            ),
        )
        .expect("r1");
    Fixture {
        _dir: dir,
        store,
        acc,
        inbox,
        sent,
    }
}

fn subjects(rows: &[pec_core::store::MessageSummary]) -> Vec<String> {
    rows.iter()
        .map(|r| r.original_subject.clone().unwrap_or_default())
        .collect()
}

#[test]
fn free_text_and_field_filters() {
    let f = fixture();
    let s = |q: &str| subjects(&f.store.search(&SearchQuery::parse(q)).expect("search"));
    // Content of the original inside the envelope, diacritics folded both ways.
    assert_eq!(s("perche"), vec!["Fattura di novembre"]);
    assert_eq!(s("citta"), vec!["Risposta verbale"]);
    // Prefix matching.
    assert_eq!(s("fatt"), vec!["Fattura di novembre"]);
    // Sender is the real sender of the envelope, not the provider.
    assert_eq!(s("from:mario.rossi"), vec!["Fattura di novembre"]);
    // Only the receipt comes from the provider itself.
    assert_eq!(s("from:posta-certificata"), vec!["Prova"]);
    assert_eq!(s("to:giulia"), vec!["Risposta verbale"]);
    assert_eq!(s("subject:verbale").len(), 2);
    assert_eq!(s("body:verbale").len(), 2);
    // Combined: subject AND sender.
    assert_eq!(s("subject:verbale from:giulia"), vec!["Verbale assemblea"]);
    // Folder filter.
    assert_eq!(s("verbale in:sent"), vec!["Risposta verbale"]);
    assert_eq!(s("verbale in:INBOX"), vec!["Verbale assemblea"]);
    assert!(s("verbale in:nosuchfolder").is_empty());
    // Date range (envelopes are dated 2024-11-15, the sent message 2024-11-18).
    assert_eq!(s("verbale after:2024-11-16"), vec!["Risposta verbale"]);
    assert_eq!(s("verbale before:2024-11-16"), vec!["Verbale assemblea"]);
    assert!(s("nothinglikethis").is_empty());
    // Hostile input never reaches FTS5 as syntax.
    for q in [
        r#""a OR (b* NEAR"#,
        "-",
        "\"\"",
        "subject:",
        "from:*",
        "AND OR NOT",
        "^x",
    ] {
        f.store
            .search(&SearchQuery::parse(q))
            .unwrap_or_else(|e| panic!("{q:?}: {e}"));
    }
}

#[test]
fn hide_receipts_and_virtual_folders() {
    let f = fixture();
    let mut q = ListQuery::new(View::Role(FolderRole::Inbox));
    assert_eq!(f.store.list(&q).expect("list").len(), 3);
    q.hide_receipts = true;
    let rows = f.store.list(&q).expect("list");
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.kind != Kind::Receipt));
    let inv = f
        .store
        .list(&ListQuery::new(View::Invoices))
        .expect("invoices");
    assert_eq!(subjects(&inv), vec!["Fattura di novembre"]);
    let rec = f
        .store
        .list(&ListQuery::new(View::Receipts))
        .expect("receipts");
    assert_eq!(rec.len(), 1);
    assert_eq!(rec[0].receipt_type.as_deref(), Some("accettazione"));
    let mut sq = SearchQuery::parse("verbale");
    sq.hide_receipts = true;
    assert_eq!(f.store.search(&sq).expect("s").len(), 2);
    // Counts, and newest-first pagination with a cursor.
    let (total, _unread) = f
        .store
        .count(&ListQuery::new(View::Folder(f.inbox)))
        .expect("count");
    assert_eq!(total, 3);
    let mut page = ListQuery::new(View::All);
    page.limit = 2;
    let p1 = f.store.list(&page).expect("p1");
    page.before = p1.last().map(|r| (r.date, r.id));
    let p2 = f.store.list(&page).expect("p2");
    assert_eq!(p1.len() + p2.len(), 4);
    assert!(
        p1.iter()
            .all(|a| p2.iter().all(|b| a.id != b.id && a.date >= b.date))
    );
    let _ = f.sent;
}

#[test]
fn local_actions_apply_now_and_queue_for_the_server() {
    let f = fixture();
    let trash = f
        .store
        .ensure_folder(f.acc, "Trash", Some(FolderRole::Trash), None)
        .expect("trash");
    // A server message (with a UID) in the inbox.
    let raw = plain(
        "x@pec.it",
        &["me@pec.example"],
        "Server copy",
        "srv1@x",
        "Tue, 19 Nov 2024 10:00:00 +0100",
        "b",
    );
    let rec = pec_core::receive::analyze(&raw);
    let meta = ImapMeta {
        uid: Some(42),
        size: raw.len() as u64,
        ..Default::default()
    };
    let id = f
        .store
        .upsert_message(f.inbox, &meta, &rec, None)
        .expect("upsert")
        .id;
    f.store
        .apply_action(id, Action::SetSeen(true))
        .expect("seen");
    f.store
        .apply_action(id, Action::SetFlagged(true))
        .expect("flag");
    f.store
        .apply_action(id, Action::AddLabel("$Fatturato".into()))
        .expect("label");
    // A label is any text but an empty one (spaces travel encoded in the keyword).
    assert!(
        f.store
            .apply_action(id, Action::AddLabel("  ".into()))
            .is_err()
    );
    f.store
        .apply_action(id, Action::AddLabel("Cliente Rossi".into()))
        .expect("a label with a space");
    let d = f.store.message(id).expect("d");
    assert!(d.summary.seen && d.summary.flagged);
    assert_eq!(d.labels, vec!["$Fatturato", "Cliente Rossi"]);
    // Server flags arriving while our actions are queued do not undo them.
    f.store
        .apply_server_flags(f.inbox, &[(42, Some(9), ServerFlags::default())])
        .expect("server flags");
    assert!(f.store.message(id).expect("d").summary.seen);
    f.store.apply_action(id, Action::Delete).expect("delete");
    let d = f.store.message(id).expect("d");
    assert_eq!(d.summary.folder_id, trash);
    let q = f.store.queued_actions(f.acc).expect("queue");
    let kinds: Vec<ActionKind> = q.iter().map(|a| a.kind.clone()).collect();
    assert_eq!(
        kinds,
        vec![
            ActionKind::AddFlag("\\Seen".into()),
            ActionKind::AddFlag("\\Flagged".into()),
            ActionKind::AddFlag("$Fatturato".into()),
            ActionKind::AddFlag("Cliente&ACA-Rossi".into()),
            ActionKind::MoveTo("Trash".into()),
        ]
    );
    assert!(q.iter().all(|a| a.folder == "INBOX" && a.uid == Some(42)));
    // The queue survives a restart.
    let path = f.store.path().to_path_buf();
    let reopened = Store::open(&path).expect("reopen");
    assert_eq!(reopened.queued_actions(f.acc).expect("q").len(), 5);
    for a in &q {
        reopened.complete_action(a.id).expect("done");
    }
    assert!(reopened.queued_actions(f.acc).expect("q").is_empty());
    // When the server copy shows up in the trash it adopts the local row (no duplicate).
    let meta_t = ImapMeta {
        uid: Some(3),
        size: raw.len() as u64,
        ..Default::default()
    };
    let o = reopened
        .upsert_message(trash, &meta_t, &rec, None)
        .expect("adopt");
    assert_eq!((o.id, o.inserted), (id, false));
    // Empty trash: local now, queued for the server.
    assert_eq!(reopened.empty_folder(trash).expect("empty"), 1);
    let q = reopened.queued_actions(f.acc).expect("q");
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].kind, ActionKind::EmptyFolder);
    reopened.check_integrity().expect("integrity");
}

#[test]
fn body_cache_is_capped_and_evicts_oldest() {
    let f = fixture();
    f.store.set_body_cache_cap(2_000);
    let mut ids = Vec::new();
    for i in 0..5 {
        let raw = plain(
            "x@pec.it",
            &["me@pec.example"],
            &format!("m{i}"),
            &format!("big{i}@x"),
            "Tue, 19 Nov 2024 10:00:00 +0100",
            &"x".repeat(700),
        );
        ids.push(
            pec_core::receive::Receiver::default()
                .import(&f.store, f.inbox, &raw)
                .expect("import")
                .id,
        );
    }
    assert!(f.store.body_cache_size().expect("size") <= 2_000);
    assert!(f.store.body(ids[4]).expect("body").is_some(), "newest kept");
    assert!(
        f.store.body(ids[0]).expect("body").is_none(),
        "oldest evicted"
    );
    // Evicted bodies leave the message and its index entry in place.
    assert_eq!(
        f.store
            .search(&SearchQuery::parse("subject:m0"))
            .expect("s")
            .len(),
        1
    );
}

#[test]
fn credentials_never_in_sqlite_file_store_is_private() {
    let dir = TempDir::new("creds");
    let store = Store::open_in(dir.path()).expect("open");
    store.add_account(&cfg("me@pec.example")).expect("account");
    let files = FileCredentialStore::new(dir.path());
    files.set("me@pec.example", "s3cret-Password").expect("set");
    assert_eq!(files.get("me@pec.example").expect("get"), "s3cret-Password");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let names: Vec<_> = std::fs::read_dir(dir.path().join("credentials"))
            .expect("credentials folder")
            .map(|e| e.expect("entry").path())
            .collect();
        assert_eq!(names.len(), 1, "one file per login: {names:?}");
        let p = &names[0];
        let name = p.file_name().expect("name").to_string_lossy();
        assert!(name.starts_with("v2-"), "{name} does not hide the login");
        let mode = std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    drop(store);
    for entry in std::fs::read_dir(dir.path()).expect("dir") {
        let p = entry.expect("entry").path();
        if p.is_file() {
            let bytes = std::fs::read(&p).expect("read");
            assert!(
                !bytes.windows(15).any(|w| w == b"s3cret-Password"),
                "{} holds the password",
                p.display()
            );
        }
    }
    files.delete("me@pec.example").expect("delete");
    assert!(files.get("me@pec.example").is_err());
    let mem = MemoryCredentialStore::new();
    mem.set("A@x", "p").expect("set");
    assert_eq!(mem.get("a@x").expect("get"), "p");
}

#[test]
fn invoice_details_and_view() {
    let f = fixture();
    let rows = f
        .store
        .list(&ListQuery::new(View::Invoices))
        .expect("invoices");
    assert_eq!(rows.len(), 1);
    let other = f
        .store
        .list(&ListQuery::new(View::Role(FolderRole::Inbox)))
        .expect("inbox");
    let verbale = other
        .iter()
        .find(|m| m.original_subject.as_deref() == Some("Verbale assemblea"))
        .expect("verbale");
    f.store
        .set_invoice(&pec_core::store::InvoiceRow {
            message_id: verbale.id,
            invoice: pec_core::store::InvoiceRecord {
                filename: "IT09876543210_00002.xml".into(),
                number: Some("2/2024".into()),
                date: Some("2024-11-15".into()),
                seller: Some("Bianchi S.r.l.".into()),
                total: Some("122.00".into()),
                seller_vat: Some("IT09876543210".into()),
                doc_type: Some("TD01".into()),
                currency: Some("EUR".into()),
                documents: 1,
                signed: false,
            },
        })
        .expect("set");
    assert_eq!(
        f.store
            .list(&ListQuery::new(View::Invoices))
            .expect("i")
            .len(),
        2
    );
    let inv = f.store.invoices_of(verbale.id).expect("of");
    assert_eq!(inv[0].invoice.number.as_deref(), Some("2/2024"));
    assert_eq!(inv[0].invoice.seller_vat.as_deref(), Some("IT09876543210"));
    let page = f
        .store
        .list_with_invoices(&ListQuery::new(View::Invoices))
        .expect("page");
    assert_eq!(page.len(), 2);
    let item = page
        .iter()
        .find(|i| i.message.id == verbale.id)
        .expect("item");
    assert_eq!(item.invoices, inv);
}

/// Words of 4+ characters are expanded to the indexed terms they prefix (read lazily); the
/// results must be those of a plain prefix match, in every field, with accents, with more terms
/// than the expansion takes (prefix query kept), and for words that match nothing.
#[test]
fn prefix_expansion_finds_what_a_prefix_finds() {
    let f = fixture();
    let mut n = 0;
    let mut put = |subject: &str, body: &str| {
        n += 1;
        pec_core::receive::Receiver::default()
            .import(
                &f.store,
                f.inbox,
                &plain(
                    "anna.bianchi@pec.it",
                    &["me@pec.example"],
                    subject,
                    &format!("x{n}@p"),
                    "Mon, 4 Nov 2024 10:00:00 +0100",
                    body,
                ),
            )
            .expect("import");
    };
    put("Fatturazione elettronica", "avviso");
    put("Nota", "la fatturina allegata");
    put("Città di Roma", "ufficio tributi");
    for i in 1..=9 {
        put(&format!("Pratica{i}"), "protocollo");
    }
    for i in 1..=8 {
        put("Ottava", &format!("codice{i}"));
    }
    let subjects = |q: &str| {
        let mut v: Vec<String> = f
            .store
            .search(&SearchQuery::parse(q))
            .expect("search")
            .into_iter()
            .filter_map(|m| m.original_subject.or(m.subject))
            .collect();
        v.sort();
        v
    };
    // "fattur" covers fattura (fixture), fatturazione, fatturina.
    let all = subjects("fattur");
    assert!(
        all.contains(&"Fatturazione elettronica".to_string()),
        "{all:?}"
    );
    assert!(all.contains(&"Nota".to_string()), "{all:?}");
    assert!(all.contains(&"Fattura di novembre".to_string()), "{all:?}");
    assert_eq!(subjects("FATTUR"), all);
    assert_eq!(
        subjects("subject:fatturaz"),
        vec!["Fatturazione elettronica"]
    );
    assert_eq!(subjects("body:fatturi"), vec!["Nota"]);
    assert_eq!(
        subjects("fatturaz elettr"),
        vec!["Fatturazione elettronica"]
    );
    // Accents: the index holds "citta"; both spellings find it.
    let citta = subjects("città");
    assert!(citta.contains(&"Città di Roma".to_string()), "{citta:?}");
    assert_eq!(subjects("citta"), citta);
    assert_eq!(subjects("CITTÀ"), citta);
    // Nine terms under "pratica": more than the expansion takes, all found anyway.
    assert_eq!(subjects("pratica").len(), 9);
    // Exactly eight under "codice": expanded, all found.
    assert_eq!(subjects("codice").len(), 8);
    assert_eq!(subjects("codice5"), vec!["Ottava"]);
    assert!(subjects("fatturx").is_empty());
    assert!(subjects("subject:tributi").is_empty());
}

/// A batch writes its full-text rows together at its end; a message rewritten within the same
/// batch (headers first, then the whole message) leaves exactly one row, the complete one.
#[test]
fn batch_full_text_rows_are_written_once_per_message() {
    let f = fixture();
    let raw = plain(
        "studio@pec.example",
        &["me@pec.example"],
        "Contratto firmato",
        "batch-1@p",
        "Mon, 18 Nov 2024 10:00:00 +0100",
        "Si richiama la clausola penale.",
    );
    let full = pec_core::receive::analyze(&raw);
    assert!(full.complete);
    let headers_only = pec_core::store::MessageRecord {
        message_id: Some("batch-1@p".into()),
        subject: Some("Bozza provvisoria".into()),
        ..Default::default()
    };
    let meta = |uid| ImapMeta {
        uid: Some(uid),
        size: raw.len() as u64,
        ..Default::default()
    };
    let other = pec_core::receive::analyze(&plain(
        "altro@pec.example",
        &["me@pec.example"],
        "Secondo messaggio",
        "batch-2@p",
        "Mon, 18 Nov 2024 11:00:00 +0100",
        "Nessuna clausola qui? Sì: clausola arbitrale.",
    ));
    let out = f
        .store
        .upsert_batch(
            f.inbox,
            &[
                (meta(700), headers_only, None),
                (meta(701), other, None),
                (meta(700), full, Some(raw.clone())),
            ],
        )
        .expect("batch");
    assert_eq!(out.len(), 3);
    assert_eq!(out[0].id, out[2].id, "same server message, same row");
    let s = |q: &str| subjects(&f.store.search(&SearchQuery::parse(q)).expect("search"));
    assert_eq!(s("penale"), vec!["Contratto firmato"]);
    assert!(
        s("provvisoria").is_empty(),
        "the header-only row was replaced"
    );
    assert_eq!(s("clausola").len(), 2);
    // One full-text row per indexed message, no orphans.
    let (rows, keyed): (i64, i64) = f
        .store
        .read(|c| {
            Ok((
                c.query_row("SELECT COUNT(*) FROM messages_fts", [], |r| r.get(0))?,
                c.query_row(
                    "SELECT COUNT(*) FROM messages WHERE fts_key IS NOT NULL",
                    [],
                    |r| r.get(0),
                )?,
            ))
        })
        .expect("counts");
    assert_eq!(rows, keyed);
}
