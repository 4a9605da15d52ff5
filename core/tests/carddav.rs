//! Address books over CardDAV against a real Radicale on loopback (Debian's `radicale`): discovery
//! from the server's root, both directions of a sync with `sync-collection` and with the ETag
//! fallback, what another client changes, conflicts (the server wins, the local edit stays as a
//! contact of this device), edits made offline, and a connection cut at many points in a sync
//! (nothing lost, nothing doubled, on either side).

use pec_core::Context;
use pec_core::accounts::MemoryCredentialStore;
use pec_core::carddav::{AddressBook, PullMode};
use pec_core::contacts::Contact;
use pec_test_harness::{FaultProxy, Radicale, radicale_or_skip};
use std::sync::Arc;

const ANNA: (&str, &str) = ("anna", "segreta");

fn card(uid: &str, name: &str, email: &str, extra: &str) -> String {
    format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:{name}\r\nEMAIL:{email}\r\n{extra}END:VCARD\r\n"
    )
}

fn device() -> (tempfile::TempDir, Context) {
    let dir = tempfile::tempdir().expect("tmp");
    let ctx = Context::open(dir.path(), Arc::new(MemoryCredentialStore::default())).expect("open");
    (dir, ctx)
}

async fn add_book(ctx: &Context, url: &str, ca: &std::path::Path) -> AddressBook {
    let books = ctx
        .add_address_book(url, ANNA.0, ANNA.1, ca.to_str())
        .await
        .expect("discovery");
    assert_eq!(books.len(), 1, "{books:?}");
    books.into_iter().next().expect("book")
}

/// The book's contacts on this device, by name.
fn names(ctx: &Context) -> Vec<String> {
    let mut n: Vec<String> = ctx
        .store()
        .contacts()
        .expect("contacts")
        .into_iter()
        .filter(|c| c.book.is_some())
        .map(|c| c.name)
        .collect();
    n.sort();
    n
}

fn by_name(ctx: &Context, name: &str) -> Contact {
    let all = ctx.store().contacts().expect("contacts");
    let found: Vec<Contact> = all.into_iter().filter(|c| c.name == name).collect();
    assert_eq!(found.len(), 1, "{name}: {found:?}");
    found.into_iter().next().expect("one")
}

async fn sync(ctx: &Context, book: &AddressBook, mode: PullMode) -> pec_core::carddav::BookReport {
    let book = ctx
        .store()
        .address_book(book.id)
        .expect("store")
        .expect("book");
    ctx.sync_address_book(&book, mode).await.expect("sync")
}

/// A sync that finds nothing to do on either side.
async fn assert_settled(ctx: &Context, book: &AddressBook) {
    let r = sync(ctx, book, PullMode::Best).await;
    assert_eq!(
        (r.added, r.updated, r.removed, r.uploaded, r.conflicts),
        (0, 0, 0, 0, 0),
        "{r:?}"
    );
}

async fn both_ways(mode: PullMode) {
    let Some(_) = radicale_or_skip("carddav both ways") else {
        return;
    };
    let server = Radicale::start(&[ANNA]).await.expect("radicale");
    server
        .put_card(
            ANNA,
            "a",
            &card(
                "u-a",
                "Anna Verdi",
                "anna@pec.example.it",
                "TEL:+39 06 1234\r\nCATEGORIES:Clienti\r\n",
            ),
        )
        .await
        .expect("put");
    server
        .put_card(
            ANNA,
            "b",
            &card("u-b", "Bruno Neri", "bruno@pec.example.it", ""),
        )
        .await
        .expect("put");
    server
        .put_card(
            ANNA,
            "c",
            &card("u-c", "Carla Bassi", "carla@example.org", ""),
        )
        .await
        .expect("put");

    let (_d, ctx) = device();
    let book = add_book(&ctx, &server.url(), server.ca_file()).await;
    assert_eq!(book.name, "Rubrica");
    assert_eq!(book.url, server.book_url("anna"));
    let r = sync(&ctx, &book, mode).await;
    assert_eq!(
        (r.added, r.updated, r.removed, r.uploaded),
        (3, 0, 0, 0),
        "{r:?}"
    );
    assert_eq!(names(&ctx), ["Anna Verdi", "Bruno Neri", "Carla Bassi"]);
    assert_eq!(by_name(&ctx, "Anna Verdi").groups, ["Clienti"]);
    assert_eq!(ctx.store().suggest("verd", 5).expect("suggest").len(), 1);
    // Nothing changed: nothing moves.
    let r = sync(&ctx, &book, mode).await;
    assert_eq!(
        (r.added, r.updated, r.removed, r.uploaded),
        (0, 0, 0, 0),
        "{r:?}"
    );

    // Edited here: the server's card changes, its phone number stays.
    let mut anna = by_name(&ctx, "Anna Verdi");
    anna.notes = Some("Riceve solo PEC".into());
    ctx.save_contact(&anna).expect("save");
    // New here, in the book.
    let new = Contact {
        name: "Dario Rossi".into(),
        addresses: vec!["dario@pec.example.it".into()],
        book: Some(book.id),
        ..Contact::default()
    };
    ctx.save_contact(&new).expect("new");
    // Removed here.
    let carla = by_name(&ctx, "Carla Bassi");
    ctx.store()
        .remove_contact(carla.id.expect("id"))
        .expect("remove");
    let r = sync(&ctx, &book, mode).await;
    assert_eq!((r.uploaded, r.conflicts), (3, 0), "{r:?}");
    let on_server = server.cards_on_disk("anna").expect("disk");
    assert_eq!(on_server.len(), 3, "{on_server:?}");
    let a = &on_server.iter().find(|(n, _)| n == "a.vcf").expect("a").1;
    assert!(
        a.contains("Riceve solo PEC") && a.contains("+39 06 1234"),
        "{a}"
    );
    assert!(on_server.iter().any(|(_, t)| t.contains("Dario Rossi")));
    assert!(!on_server.iter().any(|(n, _)| n == "c.vcf"));

    // Changed by another client: edited, removed, added.
    server
        .put_card(
            ANNA,
            "b",
            &card(
                "u-b",
                "Bruno Neri",
                "bruno@pec.example.it",
                "NOTE:nuovo ufficio\r\n",
            ),
        )
        .await
        .expect("put");
    server.delete_card(ANNA, "a").await.expect("delete");
    server
        .put_card(
            ANNA,
            "e",
            &card("u-e", "Elena Galli", "elena@pec.example.it", ""),
        )
        .await
        .expect("put");
    let r = sync(&ctx, &book, mode).await;
    assert_eq!((r.added, r.updated, r.removed), (1, 1, 1), "{r:?}");
    assert_eq!(names(&ctx), ["Bruno Neri", "Dario Rossi", "Elena Galli"]);
    assert_eq!(
        by_name(&ctx, "Bruno Neri").notes.as_deref(),
        Some("nuovo ufficio")
    );

    // A second device sees the same book.
    let (_d2, other) = device();
    let book2 = add_book(&other, &server.book_url("anna"), server.ca_file()).await;
    sync(&other, &book2, mode).await;
    assert_eq!(names(&other), names(&ctx));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_book_syncs_both_ways_by_sync_collection() {
    both_ways(PullMode::Best).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_book_syncs_both_ways_by_etags() {
    both_ways(PullMode::EtagsOnly).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_conflict_keeps_the_server_version_and_the_local_edit_as_a_copy() {
    let Some(_) = radicale_or_skip("carddav conflict") else {
        return;
    };
    let server = Radicale::start(&[ANNA]).await.expect("radicale");
    for (n, name) in [("a", "Anna Verdi"), ("b", "Bruno Neri")] {
        let uid = format!("u-{n}");
        let email = format!("{n}@pec.example.it");
        server
            .put_card(ANNA, n, &card(&uid, name, &email, ""))
            .await
            .expect("put");
    }
    let (_d, ctx) = device();
    let book = add_book(&ctx, &server.url(), server.ca_file()).await;
    sync(&ctx, &book, PullMode::Best).await;

    // Both sides edit Anna; Bruno is deleted here and edited there.
    let mut anna = by_name(&ctx, "Anna Verdi");
    anna.notes = Some("modifica locale".into());
    ctx.save_contact(&anna).expect("save");
    let bruno = by_name(&ctx, "Bruno Neri");
    ctx.store()
        .remove_contact(bruno.id.expect("id"))
        .expect("remove");
    server
        .put_card(
            ANNA,
            "a",
            &card(
                "u-a",
                "Anna Verdi",
                "a@pec.example.it",
                "NOTE:modifica sul server\r\n",
            ),
        )
        .await
        .expect("put");
    server
        .put_card(
            ANNA,
            "b",
            &card(
                "u-b",
                "Bruno Neri",
                "b@pec.example.it",
                "NOTE:ancora qui\r\n",
            ),
        )
        .await
        .expect("put");

    let r = sync(&ctx, &book, PullMode::Best).await;
    assert_eq!(r.conflicts, 2, "{r:?}");
    let all = ctx.store().contacts().expect("contacts");
    let annas: Vec<&Contact> = all.iter().filter(|c| c.name == "Anna Verdi").collect();
    assert_eq!(annas.len(), 2, "{annas:?}");
    let in_book = annas.iter().find(|c| c.book.is_some()).expect("book's");
    let here = annas.iter().find(|c| c.book.is_none()).expect("device's");
    assert_eq!(in_book.notes.as_deref(), Some("modifica sul server"));
    assert_eq!(here.notes.as_deref(), Some("modifica locale"));
    assert_eq!(
        by_name(&ctx, "Bruno Neri").notes.as_deref(),
        Some("ancora qui")
    );
    let disk = server.cards_on_disk("anna").expect("disk");
    assert_eq!(disk.len(), 2);
    assert!(disk[0].1.contains("modifica sul server"));
    // Settled: the next sync has nothing to do.
    assert_settled(&ctx, &book).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn edits_made_offline_wait_and_go_up_when_the_server_answers() {
    let Some(_) = radicale_or_skip("carddav offline") else {
        return;
    };
    let server = Radicale::start(&[ANNA]).await.expect("radicale");
    server
        .put_card(
            ANNA,
            "a",
            &card("u-a", "Anna Verdi", "a@pec.example.it", ""),
        )
        .await
        .expect("put");
    let proxy = FaultProxy::start(server.addr()).await.expect("proxy");
    let url = format!("https://127.0.0.1:{}/", proxy.addr().port());
    let (_d, ctx) = device();
    let book = add_book(&ctx, &url, server.ca_file()).await;
    sync(&ctx, &book, PullMode::Best).await;

    proxy.refuse(true);
    let mut anna = by_name(&ctx, "Anna Verdi");
    anna.notes = Some("scritto in treno".into());
    ctx.save_contact(&anna).expect("save offline");
    let err = ctx
        .sync_address_book(&book, PullMode::Best)
        .await
        .expect_err("offline");
    assert!(err.to_string().contains("network"), "{err}");
    assert!(
        !server.cards_on_disk("anna").expect("disk")[0]
            .1
            .contains("treno")
    );

    proxy.refuse(false);
    let r = sync(&ctx, &book, PullMode::Best).await;
    assert_eq!(r.uploaded, 1, "{r:?}");
    assert!(
        server.cards_on_disk("anna").expect("disk")[0]
            .1
            .contains("scritto in treno")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_cut_anywhere_loses_and_doubles_nothing() {
    let Some(_) = radicale_or_skip("carddav cut") else {
        return;
    };
    const CARDS: usize = 120;
    let server = Radicale::start(&[ANNA]).await.expect("radicale");
    for i in 0..CARDS {
        let name = format!("Persona {i:03}");
        server
            .put_card(
                ANNA,
                &format!("p{i}"),
                &card(
                    &format!("u-{i}"),
                    &name,
                    &format!("p{i}@pec.example.it"),
                    "",
                ),
            )
            .await
            .expect("put");
    }
    let proxy = FaultProxy::start(server.addr()).await.expect("proxy");
    let url = format!("https://127.0.0.1:{}/", proxy.addr().port());
    let (_d, ctx) = device();
    let book = add_book(&ctx, &url, server.ca_file()).await;

    // Each round another client changes cards, this device edits one and adds one, and the
    // connection is cut: server to client from inside the TLS handshake to deep in the cards,
    // or client to server inside the uploads and the requests for cards.
    let cuts: [(bool, u64); 14] = [
        (true, 300),
        (true, 2_600),
        (true, 3_000),
        (true, 3_500),
        (true, 4_200),
        (true, 5_000),
        (true, 6_500),
        (true, 8_000),
        (true, 11_000),
        (true, 16_000),
        (false, 700),
        (false, 1_200),
        (false, 2_000),
        (false, 3_000),
    ];
    let mut failed = 0;
    let mut added_there = 0;
    for (round, (server_side, cut)) in cuts.into_iter().enumerate() {
        for i in (round..CARDS).step_by(7) {
            let text = card(
                &format!("u-{i}"),
                &format!("Persona {i:03}"),
                &format!("p{i}@pec.example.it"),
                &format!("NOTE:giro {round}\r\n"),
            );
            server
                .put_card(ANNA, &format!("p{i}"), &text)
                .await
                .expect("edit there");
        }
        server
            .put_card(
                ANNA,
                &format!("x{round}"),
                &card(
                    &format!("x-{round}"),
                    &format!("Altrove {round}"),
                    &format!("x{round}@pec.example.it"),
                    "",
                ),
            )
            .await
            .expect("add there");
        added_there += 1;
        let contacts = ctx.store().contacts().expect("contacts");
        if let Some(mut c) = contacts
            .into_iter()
            .find(|c| c.book.is_some() && c.name.starts_with("Nuovo"))
        {
            c.notes = Some(format!("qui {round}"));
            ctx.save_contact(&c).expect("edit");
        }
        ctx.save_contact(&Contact {
            name: format!("Nuovo {round}"),
            addresses: vec![format!("nuovo{round}@pec.example.it")],
            book: Some(book.id),
            ..Contact::default()
        })
        .expect("new");
        if server_side {
            proxy.cut_after(Some(cut));
        } else {
            proxy.cut_after_client_bytes(Some(cut));
        }
        let book_now = ctx
            .store()
            .address_book(book.id)
            .expect("store")
            .expect("book");
        if ctx
            .sync_address_book(&book_now, PullMode::Best)
            .await
            .is_err()
        {
            failed += 1;
        }
        proxy.cut_after(None);
        proxy.cut_after_client_bytes(None);
    }
    assert!(
        failed >= 10,
        "the cuts should break most syncs, broke {failed}"
    );
    sync(&ctx, &book, PullMode::Best).await;

    // Both sides hold the same cards, each once, with the same notes.
    let disk = server.cards_on_disk("anna").expect("disk");
    let total = CARDS + added_there + cuts.len();
    assert_eq!(disk.len(), total, "server cards");
    let mine = ctx.store().contacts().expect("contacts");
    let mine: Vec<&Contact> = mine.iter().filter(|c| c.book.is_some()).collect();
    assert_eq!(mine.len(), total, "local cards");
    let only_here = ctx.store().contacts().expect("contacts").len() - mine.len();
    assert_eq!(only_here, 0, "a replayed upload was taken for a conflict");
    let mut seen = std::collections::HashSet::new();
    for c in &mine {
        assert!(seen.insert(c.name.clone()), "{} doubled", c.name);
    }
    for (_, text) in &disk {
        let field = |p: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(p))
                .map(str::to_string)
        };
        let name = field("FN:").expect("FN");
        let c = mine
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("{name} not here"));
        assert_eq!(c.notes, field("NOTE:"), "{name}");
    }
    assert_settled(&ctx, &book).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edit_a_read_only_book_refuses_stays_on_this_device() {
    let Some(_) = radicale_or_skip("carddav read-only") else {
        return;
    };
    let directory = card("u-dir", "Ufficio Legale", "legale@pec.example.it", "");
    let server = Radicale::start_with_read_only_book(&[ANNA], &[("legale.vcf", &directory)])
        .await
        .expect("radicale");
    let (_d, ctx) = device();
    let mut books = ctx
        .add_address_book(&server.url(), ANNA.0, ANNA.1, server.ca_file().to_str())
        .await
        .expect("discovery");
    books.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(
        books.iter().map(|b| b.name.as_str()).collect::<Vec<_>>(),
        ["Aziendale", "Rubrica"]
    );
    for b in &books {
        sync(&ctx, b, PullMode::Best).await;
    }
    let mut legale = by_name(&ctx, "Ufficio Legale");
    legale.notes = Some("chiedere di Marta".into());
    ctx.save_contact(&legale).expect("save");

    let done = ctx.sync_address_books().await.expect("sync");
    let company = done
        .iter()
        .find(|d| d.book.name == "Aziendale")
        .expect("book");
    let r = company.outcome.as_ref().expect("synced, not stuck");
    assert_eq!(r.conflicts, 1, "{r:?}");
    let all = ctx.store().contacts().expect("contacts");
    let copies: Vec<&Contact> = all.iter().filter(|c| c.name == "Ufficio Legale").collect();
    assert_eq!(copies.len(), 2, "{copies:?}");
    assert!(copies.iter().any(|c| c.book.is_some() && c.notes.is_none()));
    assert!(
        copies
            .iter()
            .any(|c| c.book.is_none() && c.notes.as_deref() == Some("chiedere di Marta"))
    );
    let again = ctx.sync_address_books().await.expect("sync");
    assert!(
        again
            .iter()
            .all(|d| d.outcome.as_ref().is_ok_and(|r| r.conflicts == 0))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn discovery_goes_to_the_well_known_address_from_a_path_it_may_not_read() {
    let Some(_) = radicale_or_skip("carddav discovery") else {
        return;
    };
    let server = Radicale::start(&[ANNA, ("bruno", "altra")])
        .await
        .expect("radicale");
    let (_d, ctx) = device();
    // Bruno's principal: Radicale answers 403 to Anna there.
    let book = add_book(&ctx, &format!("{}bruno/", server.url()), server.ca_file()).await;
    assert_eq!(book.url, server.book_url("anna"));
}

/// A contact moved from one book to another leaves the first server and arrives on the second,
/// with the fields we do not model (its phone) and its UID; moved to "this device only", it
/// leaves the server and stays here. Never twice on either side.
#[tokio::test(flavor = "multi_thread")]
async fn a_contact_moves_between_books_and_back_to_this_device() {
    let Some(_) = radicale_or_skip("carddav move") else {
        return;
    };
    const BRUNO: (&str, &str) = ("bruno", "segreta");
    let server = Radicale::start(&[ANNA, BRUNO]).await.expect("radicale");
    server
        .put_card(
            ANNA,
            "a",
            &card(
                "u-a",
                "Anna Verdi",
                "anna@pec.example.it",
                "TEL:+39 06 1234\r\n",
            ),
        )
        .await
        .expect("put");
    let (_d, ctx) = device();
    let first = add_book(&ctx, &server.url(), server.ca_file()).await;
    let second = ctx
        .add_address_book(&server.url(), BRUNO.0, BRUNO.1, server.ca_file().to_str())
        .await
        .expect("discovery")
        .remove(0);
    ctx.sync_address_books().await.expect("sync");
    let on_disk = |user| -> Vec<String> {
        let cards = server.cards_on_disk(user).expect("disk");
        cards.into_iter().map(|(_, text)| text).collect()
    };

    let mut anna = by_name(&ctx, "Anna Verdi");
    assert_eq!(anna.book, Some(first.id));
    anna.book = Some(second.id);
    ctx.save_contact(&anna).expect("move");
    ctx.sync_address_books().await.expect("sync");
    assert!(on_disk("anna").is_empty(), "gone from the first book");
    let moved = on_disk("bruno");
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert!(
        moved[0].contains("UID:u-a") && moved[0].contains("+39 06 1234"),
        "{}",
        moved[0]
    );
    assert_eq!(by_name(&ctx, "Anna Verdi").book, Some(second.id));
    assert_settled(&ctx, &first).await;
    assert_settled(&ctx, &second).await;
    assert_eq!(
        by_name(&ctx, "Anna Verdi").book,
        Some(second.id),
        "once, here"
    );

    let mut anna = by_name(&ctx, "Anna Verdi");
    anna.book = None;
    ctx.save_contact(&anna).expect("to this device");
    ctx.sync_address_books().await.expect("sync");
    assert!(on_disk("bruno").is_empty(), "gone from the second book");
    assert!(on_disk("anna").is_empty());
    assert_settled(&ctx, &second).await;
    assert_eq!(
        by_name(&ctx, "Anna Verdi").book,
        None,
        "kept on this device"
    );
}
