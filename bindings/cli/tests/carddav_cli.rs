//! `pec contacts book add|ls|rm` and `pec contacts sync` against a real Radicale: the book found
//! from the server's address, its cards in `pec contacts ls`, a contact added with `--book` on the
//! server after a sync, the JSON shapes scripts rely on, and a refused password.

use pec_test_harness::{Radicale, radicale_or_skip};
use serde_json::Value;

use crate::common;
use common::*;

const ANNA: (&str, &str) = ("anna", "segreta");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carddav_from_the_terminal() {
    if radicale_or_skip("carddav_from_the_terminal").is_none() {
        return;
    }
    let server = Radicale::start(&[ANNA]).await.expect("radicale");
    server
        .put_card(
            ANNA,
            "a",
            "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:u-a\r\nFN:Anna Verdi\r\nEMAIL:anna@pec.example.it\r\n\
             CATEGORIES:Clienti\r\nEND:VCARD\r\n",
        )
        .await
        .expect("put");
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let ca = server.ca_file().to_string_lossy().into_owned();
    let url = server.url();

    let wrong = pec_with_stdin(
        dir,
        &[
            "contacts",
            "book",
            "add",
            &url,
            "--user",
            "anna",
            "--ca-file",
            &ca,
        ],
        b"sbagliata",
    );
    assert!(!wrong.status.success());
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("refused"),
        "{wrong:?}"
    );

    let out = pec_with_stdin(
        dir,
        &[
            "contacts",
            "book",
            "add",
            &url,
            "--user",
            "anna",
            "--ca-file",
            &ca,
            "--json",
        ],
        ANNA.1.as_bytes(),
    );
    assert!(out.status.success(), "{out:?}");
    let books: Vec<Value> = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(books.len(), 1);
    assert_eq!(books[0]["name"], "Rubrica");
    assert_eq!(books[0]["url"], server.book_url("anna"));
    let book = books[0]["id"].as_i64().expect("id").to_string();

    let synced = rows(dir, &["contacts", "sync", "--json"]);
    assert_eq!(synced[0]["added"], 1, "{synced:?}");
    assert!(synced[0]["error"].is_null());
    let people = rows(dir, &["contacts", "ls", "--saved", "--json"]);
    assert_eq!(people[0]["name"], "Anna Verdi");
    assert_eq!(people[0]["groups"][0], "Clienti");
    assert_eq!(people[0]["book"].to_string(), book);

    ok(
        dir,
        &[
            "contacts",
            "add",
            "Bruno Neri",
            "--address",
            "bruno@pec.example.it",
            "--book",
            &book,
        ],
    );
    let synced = rows(dir, &["contacts", "sync", "--json"]);
    assert_eq!(synced[0]["uploaded"], 1, "{synced:?}");
    let disk = server.cards_on_disk("anna").expect("disk");
    assert!(
        disk.iter().any(|(_, t)| t.contains("FN:Bruno Neri")),
        "{disk:?}"
    );

    // The background pass the apps run brings the book's changes too (no mail account here).
    server
        .put_card(
            ANNA,
            "c",
            "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:u-c\r\nFN:Carla Russo\r\nEMAIL:carla@pec.example.it\r\nEND:VCARD\r\n",
        )
        .await
        .expect("put");
    let out = pec(dir, &["sync", "--background", "--json"]);
    assert!(out.status.success(), "{out:?}");
    let pass: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(pass["locked"], false, "{pass}");
    assert_eq!(pass["retry"], false, "{pass}");
    assert_eq!(pass["arrived"], serde_json::json!([]), "{pass}");
    assert_eq!(pass["books"][0]["added"], 1, "{pass}");
    let people = rows(dir, &["contacts", "ls", "--saved", "--json"]);
    assert!(
        people.iter().any(|p| p["name"] == "Carla Russo"),
        "{people:?}"
    );

    // A mail server that cannot be reached: the books still sync, and the exit code asks for
    // an earlier retry (75, EX_TEMPFAIL).
    let added = pec_with_stdin(
        dir,
        &[
            "account",
            "add",
            "altrove@pec.example",
            "--imap",
            "127.0.0.1:1",
            "--smtp",
            "127.0.0.1:1",
            "--offline",
            "--password-stdin",
        ],
        b"pw",
    );
    assert!(added.status.success(), "{added:?}");
    let out = pec(dir, &["sync", "--background"]);
    assert_eq!(out.status.code(), Some(75), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Rubrica: 0 new"),
        "{out:?}"
    );

    let listed = rows(dir, &["contacts", "book", "ls", "--json"]);
    assert!(listed[0]["last_sync"].is_i64(), "{listed:?}");
    ok(dir, &["contacts", "book", "rm", &book]);
    assert!(rows(dir, &["contacts", "book", "ls", "--json"]).is_empty());
    assert!(rows(dir, &["contacts", "ls", "--saved", "--json"]).is_empty());
    assert_eq!(server.cards_on_disk("anna").expect("disk").len(), 3);
}
