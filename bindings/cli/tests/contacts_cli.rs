//! `pec contacts` and `pec groups` against the sandbox: a correspondent appears unsaved with what
//! its address proved, is saved into a group, `pec send --to GROUP` reaches it, and an import
//! merges by address and reports a bad card by its line; the shapes scripts rely on.

use pec_sandbox::{Options, Sandbox};
use serde_json::Value;

use crate::common;
use common::*;

const U2: &str = "utente2@pec.sandbox.test";

fn person<'a>(rows: &'a [Value], address: &str) -> &'a Value {
    rows.iter()
        .find(|r| {
            r["addresses"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x["address"] == address))
        })
        .unwrap_or_else(|| panic!("{address} not in {rows:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_address_book_from_the_terminal() {
    if pec_test_harness::dovecot_or_skip("the_address_book_from_the_terminal").is_none() {
        return;
    }
    let sb = Sandbox::start(Options::default()).await.expect("sandbox");
    let a = tempfile::tempdir().expect("tmp");
    let dir = a.path();
    add_account(dir, &sb, "utente1@pec.sandbox.test", "password1");
    let id = ok(
        dir,
        &["send", "--to", U2, "--subject", "Prima", "--body", "Testo"],
    );
    wait_delivered(dir, &id);

    let people = rows(dir, &["contacts", "ls", "--json"]);
    let u2 = person(&people, U2);
    assert_eq!(u2["saved"], false);
    assert_eq!(u2["addresses"][0]["pec"], "certified");
    assert!(u2["groups"].as_array().is_some_and(|g| g.is_empty()));

    let added = json(
        dir,
        &[
            "contacts",
            "add",
            "Utente Due",
            "--address",
            U2,
            "--group",
            "Studio",
            "--json",
        ],
    );
    assert!(added["id"].is_i64());
    let people = rows(dir, &["contacts", "ls", "--json"]);
    let u2 = person(&people, U2);
    assert_eq!(
        (u2["saved"].clone(), u2["name"].clone()),
        (Value::Bool(true), "Utente Due".into())
    );
    assert_eq!(u2["groups"][0], "Studio");
    assert_eq!(
        people
            .iter()
            .filter(|r| r["addresses"][0]["address"] == U2)
            .count(),
        1
    );

    // A group name as a recipient sends to its members.
    let id = ok(
        dir,
        &[
            "send",
            "--to",
            "Studio",
            "--subject",
            "Al gruppo",
            "--body",
            "Testo",
        ],
    );
    let status = wait_state(dir, &id, "delivered");
    assert_eq!(status["recipients"][0]["address"], U2);

    // Import: one new, one merged by address (case aside), one bad card reported by line.
    let vcf = dir.join("rubrica.vcf");
    std::fs::write(
        &vcf,
        format!(
            "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Anna Verdi\r\nEMAIL:anna@pec.example.it\r\nORG:Studio Verdi\r\nEND:VCARD\r\n\
             BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Due\r\nEMAIL:{}\r\nNOTE:cliente dal 2020\r\nEND:VCARD\r\n\
             BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Rotto\r\nEMAIL:non valido\r\nEND:VCARD\r\n",
            U2.to_uppercase()
        ),
    )
    .expect("vcf");
    let report = json(
        dir,
        &["contacts", "import", vcf.to_str().expect("path"), "--json"],
    );
    assert_eq!(
        (
            report["imported"].as_u64(),
            report["merged"].as_u64(),
            report["skipped"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(report["errors"][0]["line"], 13);
    let people = rows(dir, &["contacts", "ls", "--saved", "--json"]);
    assert_eq!(people.len(), 2);
    assert_eq!(person(&people, U2)["notes"], "cliente dal 2020");

    // Export and import again: nothing new.
    let out = dir.join("copia.csv");
    ok(dir, &["contacts", "export", out.to_str().expect("path")]);
    let again = json(
        dir,
        &["contacts", "import", out.to_str().expect("path"), "--json"],
    );
    assert_eq!(
        (again["imported"].as_u64(), again["merged"].as_u64()),
        (Some(0), Some(2))
    );
    let groups: Vec<Value> = rows_of(json(dir, &["groups", "ls", "--json"]));
    assert_eq!(groups[0]["name"], "Studio");
    assert_eq!(groups[0]["members"][0], "Utente Due");
}

fn rows_of(v: Value) -> Vec<Value> {
    v.as_array().cloned().unwrap_or_default()
}
