//! `pec inspect` as a user runs it: the built binary on corpus files, a missing file and garbage.

use pec_test_harness::corpus::corpus_for_test;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn pec(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pec"))
        .arg("inspect")
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("the pec binary runs")
}

fn json_lines(out: &Output) -> Vec<serde_json::Map<String, Value>> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| match serde_json::from_str::<Value>(l) {
            Ok(Value::Object(m)) => m,
            other => panic!("not a JSON object line: {l:?} ({other:?})"),
        })
        .collect()
}

const ALLOWED_KEYS: &[&str] = &[
    "file",
    "certified",
    "rewrapped",
    "header_mismatches",
    "kind",
    "receipt",
    "receipt_type",
    "error",
    "identificativo",
    "msgid",
    "riferimento_message_id",
    "has_original",
    "signature",
    "signer_cn",
    "provider",
    "subject",
    "date",
    "recipients",
    "rem_event",
    "sdi_notification",
    "invoice_attached",
];

#[test]
fn json_one_line_per_file_with_the_expected_keys() {
    let Some(corpus) = corpus_for_test() else {
        return;
    };
    let consegna = corpus.join("pec/OCA_l10n-italy/16.0/CONSEGNA_ IT03339130126_00009.xml.txt");
    let mancata = corpus.join("pec/OCA_l10n-italy/16.0/POSTA CERTIFICATA_mancata_consegna.txt");
    let rem = corpus.join("rem/gdl/Intra-REM-flow/REM_RelayFailure.RB10.eml");
    let out = pec(&[
        "--json".as_ref(),
        consegna.as_os_str(),
        mancata.as_os_str(),
        rem.as_os_str(),
    ]);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 3);
    for l in &lines {
        for k in l.keys() {
            assert!(ALLOWED_KEYS.contains(&k.as_str()), "unexpected key {k}");
        }
    }
    let c = &lines[0];
    assert_eq!(c["file"], Value::from(consegna.display().to_string()));
    assert_eq!(c["kind"], "receipt");
    assert_eq!(c["receipt"], "avvenuta-consegna");
    assert_eq!(c["certified"], true);
    assert_eq!(c["header_mismatches"], Value::Array(vec![]));
    assert_eq!(c["receipt_type"], "completa");
    assert_eq!(c["error"], "nessuno");
    assert_eq!(
        c["identificativo"],
        "opec288.20181113163926.01838.310.1.63@pec.aruba.it"
    );
    assert_eq!(
        c["msgid"],
        "<1542123565.921546936035156.464602125997431-openerp-8-fatturapa.attachment.out@elbati-Vostro-3550>"
    );
    assert_eq!(c["riferimento_message_id"], c["msgid"]);
    assert_eq!(c["has_original"], true);
    assert_eq!(c["subject"], "IT03339130126_00009.xml");
    assert_eq!(c["date"], "2018-11-13T16:39:27+01:00");
    assert_eq!(
        c["recipients"],
        serde_json::json!([{"address": "l.battistini@pec.it", "tipo": "certificato"}])
    );
    assert_eq!(c["invoice_attached"], true);
    assert_eq!(c["signature"], "valid");
    assert_eq!(c["signer_cn"], "Posta Certificata ARUBA PEC");
    assert_eq!(c["provider"], "pec.aruba.it");

    let m = &lines[1];
    assert_eq!(m["kind"], "envelope");
    assert_eq!(m["receipt_type"], "breve");
    assert_eq!(m["sdi_notification"], "MC");
    assert!(
        !m.contains_key("identificativo"),
        "no daticert, no identificativo"
    );

    let r = &lines[2];
    assert_eq!(r["kind"], "rem");
    assert_eq!(r["rem_event"], "RelayFailure");
    assert!(!r.contains_key("receipt_type"));
}

#[test]
fn bare_daticert_and_evidence_are_accepted() {
    let Some(corpus) = corpus_for_test() else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("pec-inspect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let daticert = dir.join("daticert.xml");
    std::fs::write(
        &daticert,
        br#"<?xml version="1.0" encoding="UTF-8"?>
<postacert tipo="avvenuta-consegna" errore="nessuno"><intestazione><mittente>a@pec.it</mittente>
<destinatari tipo="esterno">b@x.it</destinatari><oggetto>Prova</oggetto></intestazione>
<dati><gestore-emittente>X</gestore-emittente><data zona="+0200"><giorno>01/07/2024</giorno><ora>10:00:00</ora></data>
<identificativo>id-1@pec.it</identificativo><msgid>&lt;m@pc&gt;</msgid><ricevuta tipo="sintetica"/><consegna>b@x.it</consegna></dati></postacert>"#,
    )
    .expect("write");
    let evidence = corpus.join("rem/gdl/standalone-evidence/RelayFailure.RB02.xml");
    let out = pec(&[
        "--json".as_ref(),
        daticert.as_os_str(),
        evidence.as_os_str(),
    ]);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2);
    let d = &lines[0];
    assert_eq!(d["kind"], "receipt");
    assert_eq!(d["receipt"], "avvenuta-consegna");
    assert_eq!(d["receipt_type"], "sintetica");
    assert_eq!(d["identificativo"], "id-1@pec.it");
    assert_eq!(d["msgid"], "<m@pc>");
    assert_eq!(d["date"], "2024-07-01T10:00:00+02:00");
    assert_eq!(
        d["recipients"],
        serde_json::json!([{"address": "b@x.it", "tipo": "esterno"}])
    );
    assert_eq!(lines[1]["rem_event"], "RelayFailure");

    // Human output mentions the essentials.
    let human = pec(&[daticert.as_os_str()]);
    assert!(human.status.success());
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("avvenuta-consegna") && text.contains("id-1@pec.it"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn human_output_for_an_envelope() {
    let Some(corpus) = corpus_for_test() else {
        return;
    };
    let f = corpus.join("pec/OCA_l10n-italy/7.0/message1");
    let out = pec(&[f.as_os_str()]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "envelope",
        "Re: archetipo",
        "thinkstudio@pec.it",
        "original (level 1)",
        "signature",
    ] {
        assert!(text.contains(needle), "{needle:?} missing in:\n{text}");
    }
}

fn assert_one_clear_error(out: &Output, path: &Path) {
    assert!(!out.status.success(), "must fail");
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "one line on stderr, got: {err}");
    assert!(lines[0].starts_with("pec inspect: "), "{err}");
    assert!(lines[0].contains(&path.display().to_string()), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
}

#[test]
fn missing_and_garbage_files_fail_cleanly() {
    let dir = std::env::temp_dir().join(format!("pec-inspect-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let missing = dir.join("does-not-exist.eml");
    let out = pec(&[missing.as_os_str()]);
    assert_one_clear_error(&out, &missing);

    let garbage = dir.join("garbage.bin");
    let bytes: Vec<u8> = (0u32..4096)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 | 0x80)
        .collect();
    std::fs::write(&garbage, bytes).expect("write");
    let out = pec(&["--json".as_ref(), garbage.as_os_str()]);
    assert_one_clear_error(&out, &garbage);
    assert!(out.stdout.is_empty());

    let broken_xml = dir.join("broken.xml");
    std::fs::write(&broken_xml, b"<postacert tipo=\"accettazione\"><dati><<<").expect("write");
    let out = pec(&[broken_xml.as_os_str()]);
    assert_one_clear_error(&out, &broken_xml);

    // A good file after a bad one is still printed, and the exit code still reports the failure.
    let plain = dir.join("plain.eml");
    std::fs::write(&plain, b"From: a@b.it\r\nSubject: hi\r\n\r\nbody\r\n").expect("write");
    let out = pec(&["--json".as_ref(), missing.as_os_str(), plain.as_os_str()]);
    assert!(!out.status.success());
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["kind"], "plain");
    let _ = std::fs::remove_dir_all(&dir);
}
