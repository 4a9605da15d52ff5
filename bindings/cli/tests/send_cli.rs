//! `pec send`, `pec status [--json]`, `pec reply`, `pec forward` against the sandbox provider.

use pec_sandbox::{Options, Sandbox};
use serde_json::Value;

use crate::common;
use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_status_reply_forward() {
    if pec_test_harness::dovecot_or_skip("send_status_reply_forward").is_none() {
        return;
    }
    let sb = Sandbox::start(Options::default()).await.expect("sandbox");
    let a = tempfile::tempdir().expect("tmp");
    let b = tempfile::tempdir().expect("tmp");
    add_account(a.path(), &sb, "utente1@pec.sandbox.test", "password1");
    add_account(b.path(), &sb, "utente2@pec.sandbox.test", "password2");

    // send + status --json, with the documented shape.
    let file = a.path().join("atto.pdf");
    std::fs::write(&file, b"%PDF-1.4 atto").expect("write");
    let id = ok(
        a.path(),
        &[
            "send",
            "--to",
            "utente2@pec.sandbox.test",
            "--cc",
            "esterno@posta.example",
            "--subject",
            "Prova CLI",
            "--body",
            "Testo",
            "--attach",
            file.to_str().expect("utf-8 path"),
            "--receipt",
            "breve",
        ],
    );
    assert!(id.parse::<i64>().is_ok(), "send prints the ID: {id:?}");
    let v = wait_state(a.path(), &id, "delivered");
    assert_eq!(v["id"].as_i64().map(|n| n.to_string()), Some(id.clone()));
    let rs = v["recipients"].as_array().expect("recipients");
    assert_eq!(rs.len(), 2);
    for r in rs {
        for k in ["address", "state", "reason", "events"] {
            assert!(r.get(k).is_some(), "{k} missing in {r}");
        }
        for e in r["events"].as_array().expect("events") {
            assert!(e["kind"].is_string() && e["at"].is_i64(), "{e}");
        }
    }
    assert_eq!(rs[0]["address"], "utente2@pec.sandbox.test");
    assert_eq!(rs[0]["state"], "delivered");
    assert_eq!(rs[1]["state"], "accepted");
    let human = ok(a.path(), &["status", &id, "--offline"]);
    assert!(
        human.contains("utente2@pec.sandbox.test: delivered"),
        "{human}"
    );

    // Bcc is refused, plainly, and nothing is queued.
    let out = pec(
        a.path(),
        &[
            "send",
            "--to",
            "utente2@pec.sandbox.test",
            "--bcc",
            "utente3@pec.sandbox.test",
            "--subject",
            "x",
            "--body",
            "y",
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Bcc"));

    // The sent PEC's evidence: the message, its acceptance and its delivery receipt as received,
    // and SHA256SUMS that `sha256sum -c` accepts.
    let sent: Value =
        serde_json::from_str(&ok(a.path(), &["ls", "sent", "--json"])).expect("ls sent");
    let sent_id = sent
        .as_array()
        .expect("list")
        .iter()
        .find(|m| m["subject"] == "Prova CLI")
        .unwrap_or_else(|| panic!("no sent copy in {sent:#}"))["id"]
        .as_i64()
        .expect("id")
        .to_string();
    let out = a.path().join("evidenza");
    let out_s = out.to_str().expect("utf-8 path");
    let files: Value = serde_json::from_str(&ok(
        a.path(),
        &["evidence", &sent_id, "--out", out_s, "--json"],
    ))
    .expect("evidence json");
    let items: Vec<(String, String)> = files
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            (
                f["item"].as_str().unwrap_or("").to_string(),
                f["kind"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = [
        ("message", ""),
        ("receipt", "accettazione"),
        ("receipt", "avvenuta-consegna"),
        ("checksums", ""),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(items, want, "{files:#}");
    let check = std::process::Command::new("sha256sum")
        .args(["-c", "SHA256SUMS"])
        .current_dir(&out)
        .output()
        .expect("sha256sum");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );

    // utente2 answers with reply: it goes to utente1 (Reply-To), not to posta-certificata@.
    ok(b.path(), &["sync"]);
    let list: Value = serde_json::from_str(&ok(b.path(), &["ls", "INBOX", "--json"])).expect("ls");
    let envelope = list
        .as_array()
        .expect("list")
        .iter()
        .find(|m| m["kind"] == "envelope" && m["original_subject"] == "Prova CLI")
        .unwrap_or_else(|| panic!("no envelope in {list:#}"))["id"]
        .as_i64()
        .expect("id")
        .to_string();
    // --draft saves into the server's Drafts folder instead of sending; the sync lists it.
    ok(
        a.path(),
        &[
            "send",
            "--draft",
            "--to",
            "utente2@pec.sandbox.test",
            "--subject",
            "Bozza CLI",
            "--body",
            "t",
        ],
    );
    ok(a.path(), &["sync"]);
    let drafts: Value =
        serde_json::from_str(&ok(a.path(), &["ls", "drafts", "--json"])).expect("ls drafts");
    assert!(
        drafts
            .as_array()
            .expect("list")
            .iter()
            .any(|m| m["subject"] == "Bozza CLI" && m["draft"] == true),
        "{drafts:#}"
    );

    // A received PEC's evidence carries the provider's daticert.xml beside the envelope.
    let kept = b.path().join("evidenza");
    let kept = kept.to_str().expect("utf-8 path");
    let files: Value = serde_json::from_str(&ok(
        b.path(),
        &["evidence", &envelope, "--out", kept, "--json"],
    ))
    .expect("evidence json");
    let items: Vec<&str> = files
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["item"].as_str())
        .collect();
    assert_eq!(items, vec!["message", "daticert", "checksums"], "{files:#}");

    // Replies and forwards open with the account's signature.
    let signature = ["account", "signature", "Mario Bianchi\\nStudio Bianchi"];
    assert_eq!(ok(b.path(), &signature), "Mario Bianchi\nStudio Bianchi");
    assert_eq!(
        ok(b.path(), &["account", "signature"]),
        "Mario Bianchi\nStudio Bianchi"
    );
    let rid = ok(
        b.path(),
        &["reply", &envelope, "--all", "--body", "Ricevuto."],
    );
    let v = wait_state(b.path(), &rid, "delivered");
    let addrs: Vec<&str> = v["recipients"]
        .as_array()
        .expect("recipients")
        .iter()
        .filter_map(|r| r["address"].as_str())
        .collect();
    assert_eq!(
        addrs,
        vec!["utente1@pec.sandbox.test", "esterno@posta.example"]
    );

    // forward carries the attachment.
    let fid = ok(
        b.path(),
        &["forward", &envelope, "--to", "utente3@pec.sandbox.test"],
    );
    wait_state(b.path(), &fid, "delivered");
    let utente3 = |subject: &'static str| {
        sb.dovecot
            .inbox_by_subject("utente3@pec.sandbox.test", "password3", subject)
    };
    let found = utente3("Fwd: Prova CLI").await.expect("fetch");
    assert_eq!(found.len(), 1);
    let raw = &found[0];
    assert!(
        raw.windows(8).any(|w| w == b"atto.pdf"),
        "forwarded envelope lacks the attachment"
    );
    assert!(
        raw.windows(14).any(|w| w == b"Studio Bianchi"),
        "the forward lacks the signature"
    );

    // A template: kept by name, sent with the account's signature and its receipt type.
    let template = [
        "template",
        "save",
        "Sollecito",
        "--to",
        "utente3@pec.sandbox.test",
        "--subject",
        "Sollecito di pagamento",
        "--body",
        "Si sollecita il pagamento.",
        "--receipt",
        "breve",
    ];
    ok(b.path(), &template);
    assert!(ok(b.path(), &["template", "list"]).contains("Sollecito di pagamento"));
    let tid = ok(b.path(), &["send", "--template", "sollecito"]);
    wait_state(b.path(), &tid, "delivered");
    let found = utente3("Sollecito di pagamento").await.expect("fetch");
    assert_eq!(found.len(), 1);
    let raw = String::from_utf8_lossy(&found[0]).into_owned();
    assert!(raw.contains("Si sollecita il pagamento."), "{raw}");
    assert!(raw.contains("Studio Bianchi"), "the signature: {raw}");
    assert!(raw.contains("X-TipoRicevuta: breve"), "{raw}");
    ok(b.path(), &["template", "rm", "SOLLECITO"]);
    assert_eq!(ok(b.path(), &["template", "list"]), "");
}
