//! Evidence that cannot be forged, from the terminal: `pec inspect`, `pec import` + `pec show` on
//! genuine corpus receipts whose outer header was rewritten (built at run time), a re-wrapped
//! envelope, a bare daticert; and against the sandbox, the account's TLS `--ca-file` never making
//! the sandbox's signer a PEC provider (only `--signature-test-anchor` does); a message too deep
//! to analyse is stored and shown with the reason, never as "not downloaded".

use pec_sandbox::{Options, Sandbox};
use pec_test_harness::forge;
use serde_json::Value;

use crate::common;
use common::*;

const ACCETTAZIONE: &str = "pec/OCA_l10n-italy/7.0/message2_accettazione";
const ENVELOPE: &str = "pec/OCA_l10n-italy/7.0/message1";

fn sample(rel: &str) -> Option<Vec<u8>> {
    let corpus = pec_test_harness::corpus::corpus_for_test()?;
    Some(std::fs::read(corpus.join(rel)).expect("corpus sample"))
}

fn inspect_json(dir: &std::path::Path, file: &std::path::Path) -> Value {
    json(
        dir,
        &["inspect", "--json", file.to_str().expect("utf-8 path")],
    )
}

#[test]
fn forged_receipt_header_is_reported_not_followed() {
    let Some(genuine) = sample(ACCETTAZIONE) else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tmp");
    let forged = forged_delivery(&genuine);
    let file = tmp.path().join("forged.eml");
    std::fs::write(&file, &forged).expect("write");

    let v = inspect_json(tmp.path(), &file);
    assert_eq!(v["receipt"], "accettazione", "{v:#}");
    assert_eq!(v["signature"], "valid");
    assert_eq!(v["certified"], true);
    let headers: Vec<&str> = v["header_mismatches"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|m| m["header"].as_str())
        .collect();
    assert_eq!(headers, ["X-Ricevuta", "Subject"]);
    let human = ok(tmp.path(), &["inspect", file.to_str().expect("path")]);
    assert!(human.contains("receipt: accettazione"), "{human}");
    assert!(human.contains("TAMPERED"), "{human}");
}

#[test]
fn rewrapped_envelope_and_bare_daticert() {
    let Some(genuine) = sample(ENVELOPE) else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tmp");
    let file = tmp.path().join("list.eml");
    std::fs::write(&file, forge::rewrap_as_list(&genuine, None)).expect("write");
    let v = inspect_json(tmp.path(), &file);
    assert_eq!(v["signature"], "valid", "{v:#}");
    assert_eq!(v["rewrapped"], true);
    assert_eq!(v["kind"], "envelope");

    let daticert = tmp.path().join("daticert.xml");
    std::fs::write(
        &daticert,
        "<?xml version=\"1.0\"?><postacert tipo=\"accettazione\" errore=\"nessuno\"><intestazione>\
         <mittente>a@pec.it</mittente></intestazione><dati><gestore-emittente>ARUBA PEC S.p.A.\
         </gestore-emittente><identificativo>opec.1@pec.aruba.it</identificativo></dati></postacert>",
    )
    .expect("write");
    let v = inspect_json(tmp.path(), &daticert);
    assert_eq!(v["provider"], "ARUBA PEC S.p.A.", "{v:#}");
}

/// 10,000 nested multiparts: stored by `import`, its body there, and `show` says why its PEC
/// facts and signature were not checked instead of claiming the body is missing.
#[test]
fn a_message_too_deep_to_analyse_is_shown_with_the_reason() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut raw = String::from("From: a@pec.example\r\nSubject: profondo\r\nMIME-Version: 1.0\r\n");
    for i in 0..10_000 {
        raw.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"
        ));
    }
    raw.push_str("Content-Type: text/plain\r\n\r\nfondo\r\n");
    let add = [
        "account",
        "add",
        "me@pec.example",
        "--imap",
        "127.0.0.1:1",
        "--smtp",
        "127.0.0.1:1",
        "--offline",
        "--password-stdin",
    ];
    let out = pec_with_stdin(tmp.path(), &add, b"pw");
    assert!(out.status.success(), "{out:?}");
    let file = tmp.path().join("deep.eml");
    std::fs::write(&file, raw).expect("write");
    let out = ok(
        tmp.path(),
        &["import", "--json", file.to_str().expect("path")],
    );
    let line: Value = serde_json::from_str(out.lines().next().unwrap_or("")).expect("json line");
    let id = line["id"].as_i64().expect("import id").to_string();

    let show = json(tmp.path(), &["show", &id, "--json"]);
    assert_eq!(show["body_cached"], true, "{show:#}");
    assert_eq!(show["signature"], "not_checked");
    assert_eq!(show["pec"]["certified"], false);
    let reason = show["analysis_error"].as_str().unwrap_or_default();
    assert!(reason.contains("too many MIME parts"), "{show:#}");
    let human = ok(tmp.path(), &["show", &id]);
    assert!(
        human.contains("Not analysed: too many MIME parts"),
        "{human}"
    );
    assert!(
        human.contains("not checked (the body could not be analysed)"),
        "{human}"
    );
    assert!(!human.contains("not downloaded"), "{human}");
}

/// `file` (the forged receipt) imported into the store of `data` and shown: the same verdict as
/// `pec inspect`.
fn import_and_show_forged(data: &std::path::Path, file: &std::path::Path) {
    let out = ok(data, &["import", "--json", file.to_str().expect("path")]);
    let line: Value = serde_json::from_str(out.lines().next().unwrap_or("")).expect("json line");
    let id = line["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("import id: {out}"));
    let show = json(data, &["show", &id.to_string(), "--json"]);
    assert_eq!(show["pec"]["receipt_type"], "accettazione", "{show:#}");
    assert_eq!(show["summary"]["receipt_type"], "accettazione");
    assert_eq!(show["pec"]["certified"], true);
    assert_eq!(show["signature"], "valid");
    assert_eq!(
        show["pec"]["header_mismatches"][0]["header_value"],
        "avvenuta-consegna"
    );
    let human = ok(data, &["show", &id.to_string()]);
    assert!(
        human.contains("Kind:      receipt (accettazione)"),
        "{human}"
    );
    assert!(human.contains("TAMPERED:  header X-Ricevuta"), "{human}");
}

/// The accettazione of a PEC the account sent, as `pec show --json` prints it.
fn show_accettazione(dir: &std::path::Path) -> Value {
    let rows = rows(dir, &["ls", "receipts", "--json"]);
    let acc = rows
        .iter()
        .find(|r| r["receipt_type"] == "accettazione")
        .unwrap_or_else(|| panic!("no accettazione in {rows:#?}"));
    let id = acc["id"].as_i64().expect("id").to_string();
    json(dir, &["show", &id, "--fetch", "--json"])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_ca_file_alone_does_not_make_a_pec_provider() {
    if pec_test_harness::dovecot_or_skip("tls_ca_file_alone_does_not_make_a_pec_provider").is_none()
    {
        return;
    }
    let sb = Sandbox::start(Options::default()).await.expect("sandbox");
    let a = tempfile::tempdir().expect("tmp");
    add_account(a.path(), &sb, "utente1@pec.sandbox.test", "password1");
    // Only --ca-file (TLS) from here on.
    forget_signature_anchor(a.path());
    let id = ok(
        a.path(),
        &[
            "send",
            "--to",
            "utente2@pec.sandbox.test",
            "--subject",
            "Prova fiducia",
            "--body",
            "Testo",
        ],
    );
    // Both receipts arrive (the sandbox delivers at once); sync until they are listed.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        ok(a.path(), &["sync", "--full"]);
        let n = rows(a.path(), &["ls", "receipts", "--json"]).len();
        if n >= 2 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "receipts never came");
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    let show = show_accettazione(a.path());
    assert_eq!(show["signature"], "untrusted", "{show:#}");
    assert_eq!(show["pec"]["certified"], false);
    // No ticks from uncertified receipts.
    let status = json(a.path(), &["status", &id, "--json"]);
    assert_ne!(status["state"], "delivered", "{status:#}");
    let sent = rows(a.path(), &["ls", "outbox", "--json"]);
    assert!(
        sent.iter().all(|r| r["ticks"] != 2),
        "no ✓✓ without a trusted signature: {sent:#?}"
    );
    // pec inspect agrees with the store.
    let raw = tmp_raw(a.path(), &show);
    let v = inspect_json(a.path(), &raw);
    assert_eq!(v["signature"], "untrusted");

    // With the explicit test anchor: valid, certified, delivered.
    trust_for_signatures(a.path(), &sb.state.ca_file);
    ok(a.path(), &["sync", "--full"]);
    let show = show_accettazione(a.path());
    assert_eq!(show["signature"], "valid", "{show:#}");
    assert_eq!(show["pec"]["certified"], true);
    let v = inspect_json(a.path(), &raw);
    assert_eq!(v["signature"], "valid");

    if let Some(genuine) = sample(ACCETTAZIONE) {
        let file = a.path().with_extension("forged.eml");
        std::fs::write(&file, forged_delivery(&genuine)).expect("write");
        import_and_show_forged(a.path(), &file);
    }
}

/// A genuine signed accettazione whose outer header claims a delivery.
fn forged_delivery(genuine: &[u8]) -> Vec<u8> {
    forge::set_header(
        &forge::set_header(genuine, "X-Ricevuta", "avvenuta-consegna"),
        "Subject",
        "CONSEGNA: test private",
    )
}

/// The raw accettazione written to a file, for `pec inspect`.
fn tmp_raw(dir: &std::path::Path, show: &Value) -> std::path::PathBuf {
    let id = show["summary"]["id"].as_i64().expect("id").to_string();
    let raw = pec(dir, &["show", &id, "--raw"]);
    assert!(raw.status.success());
    let path = dir.with_extension("accettazione.eml");
    std::fs::write(&path, &raw.stdout).expect("write");
    path
}
