//! `pec invoice` end to end: the real binary on corpus files.

use pec_test_harness::corpus::corpus_for_test;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn pec(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pec"))
        .args(args)
        .output()
        .expect("run pec")
}

fn path(root: &Path, rel: &str) -> String {
    root.join("fatturapa")
        .join(rel)
        .to_string_lossy()
        .into_owned()
}

fn json_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.trim().lines().count(),
        1,
        "one JSON object on one line"
    );
    serde_json::from_str(text.trim()).expect("valid JSON")
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pec-invoice-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("tmp dir");
    dir
}

#[test]
fn json_for_a_lotto() {
    let Some(root) = corpus_for_test() else {
        return;
    };
    let v = json_of(&pec(&[
        "invoice",
        "--json",
        &path(&root, "simevo/samples/IT01234567890_FPA03.xml"),
    ]));
    assert_eq!(v["format"], "FPA12");
    assert!(v["signature"].is_null());
    let bodies = v["bodies"].as_array().expect("bodies");
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[0]["document_type"], "TD01");
    assert_eq!(bodies[0]["number"], "12");
    assert_eq!(bodies[0]["date"], "2017-01-18");
    assert_eq!(bodies[0]["total"], "30.50");
    assert_eq!(bodies[0]["currency"], "EUR");
    assert_eq!(bodies[0]["seller"], "ALPHA SRL");
    assert_eq!(bodies[0]["buyer"], "AMMINISTRAZIONE BETA");
    assert_eq!(bodies[0]["lines"], 2);
    assert_eq!(bodies[1]["number"], "456");
    assert_eq!(bodies[1]["total"], "2440.00");
}

#[test]
fn json_for_a_signed_invoice_and_an_email() {
    let Some(root) = corpus_for_test() else {
        return;
    };
    let v = json_of(&pec(&[
        "invoice",
        "--json",
        &path(&root, "dotnet/IT02182030391_31.Base64.CRLF.xml.p7m"),
    ]));
    assert_eq!(v["format"], "FPR12");
    assert_eq!(v["signature"]["signer_cn"], "GARDINI STEFANO");
    assert!(matches!(
        v["signature"]["status"].as_str(),
        Some("valid" | "untrusted")
    ));
    assert_eq!(v["bodies"][0]["total"], "122.00");

    let v = json_of(&pec(&[
        "invoice",
        "--json",
        &path(
            &root,
            "oca-l10n-italy/pec-emails/POSTA CERTIFICATA_ Invio File 7339338.txt",
        ),
    ]));
    assert_eq!(v["bodies"][0]["number"], "FATT/2018/0003");
    assert_eq!(
        v["bodies"][0]["attachments"][0]["name"],
        "FATT/2018/0003.pdf"
    );

    let v = json_of(&pec(&[
        "invoice",
        "--json",
        &path(&root, "dotnet/IT01234567890_FSM10.xml"),
    ]));
    assert_eq!(v["format"], "FSM10");
    assert_eq!(v["bodies"][0]["document_type"], "TD07");
}

#[test]
fn json_for_notifications() {
    let Some(root) = corpus_for_test() else {
        return;
    };
    let v = json_of(&pec(&[
        "invoice",
        "--json",
        &path(&root, "italia-testsdi/IT01234567890_11111_NS_001.xml"),
    ]));
    let n = &v["notification"];
    assert_eq!(n["type"], "NS");
    assert_eq!(n["sdi_id"], "111");
    assert_eq!(n["file_name"], "IT01234567890_11111.xml.p7m");
    assert_eq!(n["date"], "2013-06-06T12:00:00Z");
    assert_eq!(n["errors"][0]["code"], "00100");
    assert_eq!(
        v["sdi_file"]["kind"]["notification"], "NS",
        "the file name is classified too"
    );
    let v = json_of(&pec(&[
        "invoice",
        "--json",
        &path(
            &root,
            "oca-l10n-italy/extracted-from-pec/IT14627831002_02621_MC_001.xml",
        ),
    ]));
    assert_eq!(v["notification"]["type"], "MC");
    assert_eq!(v["notification"]["sdi_id"], "141107829");
}

#[test]
fn html_in_both_styles_to_a_file() {
    let Some(root) = corpus_for_test() else {
        return;
    };
    let dir = tmp("html");
    for style in ["compact", "ministerial"] {
        let out = dir.join(format!("{style}.html"));
        let o = pec(&[
            "invoice",
            "--style",
            style,
            "--out",
            &out.to_string_lossy(),
            &path(&root, "simevo/samples/IT01234567890_FPR01.xml"),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let html = std::fs::read_to_string(&out).expect("html written");
        assert!(
            html.contains("SOCIETA' ALPHA SRL") && html.contains("6,10"),
            "{style}"
        );
        if style == "ministerial" {
            assert!(html.contains("TD01 (fattura)") && html.contains("MP01 (contanti)"));
        }
    }
    let o = pec(&[
        "invoice",
        &path(&root, "simevo/samples/IT01234567890_FPR01.xml"),
    ]);
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("<!DOCTYPE html>"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn attachments_are_extracted_with_safe_names() {
    let Some(root) = corpus_for_test() else {
        return;
    };
    let dir = tmp("att");
    let o = pec(&[
        "invoice",
        "--extract-attachments",
        &dir.to_string_lossy(),
        &path(
            &root,
            "oca-l10n-italy/extracted-from-pec/IT02652600210_00007.xml",
        ),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pdf = std::fs::read(dir.join("0003.pdf"))
        .expect("FATT/2018/0003.pdf saved as 0003.pdf inside DIR");
    assert!(pdf.starts_with(b"%PDF"));
    assert_eq!(std::fs::read_dir(&dir).expect("dir").count(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn errors_are_one_line_on_stderr_with_failure() {
    let Some(root) = corpus_for_test() else {
        return;
    };
    for rel in [
        "simevo/malicious/billion_laughs.xml",
        "dotnet/IT02182030391_31_tampered.xml.p7m",
        "italia-testsdi/missing_CedentePrestatore.xml",
        "does/not/exist.xml",
    ] {
        let o = pec(&["invoice", "--json", &path(&root, rel)]);
        assert!(!o.status.success(), "{rel}");
        assert!(o.stdout.is_empty(), "{rel}: nothing on stdout");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "{rel}: {err}");
        assert!(err.starts_with("pec invoice: "), "{rel}: {err}");
    }
}

#[test]
fn extraction_never_replaces_files_nor_follows_links() {
    let Some(root) = corpus_for_test() else {
        return;
    };
    let invoice = path(
        &root,
        "oca-l10n-italy/extracted-from-pec/IT02652600210_00007.xml",
    );
    let dir = tmp("no-overwrite");
    let outside = tmp("outside");
    let victim = outside.join("victim");
    std::fs::write(&victim, b"keep").expect("victim");
    // A link planted at the attachment's name, and a file of the user's with the next name.
    std::os::unix::fs::symlink(&victim, dir.join("0003.pdf")).expect("link");
    std::fs::write(dir.join("0003 (1).pdf"), b"mine").expect("mine");
    let extract = |d: &Path| {
        pec(&[
            "invoice",
            "--extract-attachments",
            &d.to_string_lossy(),
            &invoice,
        ])
    };
    let o = extract(&dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read(&victim).expect("victim"), b"keep");
    assert_eq!(
        std::fs::read(dir.join("0003 (1).pdf")).expect("mine"),
        b"mine"
    );
    let pdf = std::fs::read(dir.join("0003 (2).pdf")).expect("written beside them");
    assert!(pdf.starts_with(b"%PDF"));
    // Again: a third copy, nothing replaced.
    assert!(extract(&dir).status.success());
    assert!(dir.join("0003 (3).pdf").exists());
    assert_eq!(std::fs::read(&victim).expect("victim"), b"keep");
    // The target folder is a link planted inside it: refused, nothing written outside.
    let link = dir.join("through");
    std::os::unix::fs::symlink(&outside, &link).expect("dir link");
    let o = extract(&link);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("symbolic link"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(std::fs::read_dir(&outside).expect("outside").count(), 1);
    // --json reports what was written.
    let o = pec(&[
        "invoice",
        "--json",
        "--extract-attachments",
        &dir.to_string_lossy(),
        &invoice,
    ]);
    let v = json_of(&o);
    assert!(
        v["extracted"][0]["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("0003 (4).pdf")),
        "{v:#}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&outside);
}
