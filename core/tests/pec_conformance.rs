//! Every field of every sample in `corpus/pec/expected.toml`, checked against `message::analyze`.
//! "a|b" in the expectations means either answer is right. Missing corpus: skipped locally, failure
//! under `CI=true`.

use pec_core::message::{PecMessage, analyze};
use pec_core::signature::TrustStore;
use pec_test_harness::corpus::corpus_for_test;

/// The value our analysis gives for `key`, in `expected.toml`'s vocabulary.
fn actual(m: &PecMessage, key: &str) -> Option<String> {
    let s = |v: Option<&str>| v.map(str::to_string);
    match key {
        "kind" => Some(m.kind.as_str().to_string()),
        "receipt" => s(m.receipt.map(|r| r.as_str())),
        "receipt_type" => Some(m.receipt_type.map_or("none", |r| r.as_str()).to_string()),
        "error" => s(m.error.map(|e| e.as_str())),
        "identificativo" => Some(m.correlation.identificativo.clone().unwrap_or_default()),
        "has_original" => Some(m.has_original.to_string()),
        "signature" => s(m.signature.status.map(|st| st.as_str())),
        "signer_cn" => m.signature.signer_cn.clone(),
        "subject" => Some(m.subject.clone()),
        "invoice_attached" => Some(
            m.sdi
                .as_ref()
                .is_some_and(|s| s.invoice_attached)
                .to_string(),
        ),
        "sdi_notification" => s(m
            .sdi
            .as_ref()
            .and_then(|s| s.notification)
            .map(|n| n.as_str())),
        _ => None,
    }
}

const KNOWN_KEYS: &[&str] = &[
    "kind",
    "receipt",
    "receipt_type",
    "error",
    "identificativo",
    "has_original",
    "signature",
    "signer_cn",
    "subject",
    "invoice_attached",
    "sdi_notification",
];

fn expected_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[test]
fn every_field_of_every_pec_sample() {
    let Some(corpus) = corpus_for_test() else {
        return;
    };
    let dir = corpus.join("pec");
    let text = std::fs::read_to_string(dir.join("expected.toml")).expect("expected.toml readable");
    let table: toml::Table = text.parse().expect("expected.toml is valid TOML");
    assert!(!table.is_empty(), "expected.toml lists no sample");
    let trust = TrustStore::bundled();

    let mut failures = Vec::new();
    let mut samples_ok = 0;
    let mut fields_ok = 0;
    let mut fields_total = 0;
    for (path, entries) in &table {
        let entry = entries
            .as_array()
            .and_then(|a| a.first())
            .and_then(toml::Value::as_table)
            .unwrap_or_else(|| panic!("{path}: expected [[\"{path}\"]] with one table"));
        let raw = std::fs::read(dir.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        let m = match analyze(&raw, &trust) {
            Ok(m) => m,
            Err(e) => {
                failures.push(format!("{path}: analysis failed: {e}"));
                fields_total += entry.len();
                continue;
            }
        };
        let mut sample_ok = true;
        // Samples whose signature still holds are untouched: their outer headers agree with the
        // daticert, and a valid signature over a daticert makes the facts certified. (The
        // biagioT samples, anonymised and stripped of their signature, do disagree: a header
        // names @pec.it where the daticert kept @fakepec.it.)
        let valid = m.signature.status.map(|s| s.as_str()) == Some("valid");
        if valid && !m.header_mismatches.is_empty() {
            sample_ok = false;
            failures.push(format!(
                "{path}: header mismatches {:?}",
                m.header_mismatches
            ));
        }
        if valid && m.daticert.is_some() && !m.certified {
            sample_ok = false;
            failures.push(format!(
                "{path}: valid signature over a daticert but not certified"
            ));
        }
        for (key, want) in entry {
            fields_total += 1;
            assert!(
                KNOWN_KEYS.contains(&key.as_str()),
                "{path}: unknown key {key:?} in expected.toml"
            );
            let want = expected_text(want);
            let got = actual(&m, key);
            let ok = want.split('|').any(|alt| {
                let alt = alt.trim();
                match &got {
                    Some(g) => g == alt,
                    None => alt.is_empty() || alt == "none",
                }
            });
            if ok {
                fields_ok += 1;
            } else {
                sample_ok = false;
                failures.push(format!("{path}: {key}: expected {want:?}, got {got:?}"));
            }
        }
        if sample_ok {
            samples_ok += 1;
        }
    }
    eprintln!(
        "pec conformance: {samples_ok}/{} samples fully right, {fields_ok}/{fields_total} fields",
        table.len()
    );
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
