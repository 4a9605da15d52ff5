//! REM corpus: every `.eml` with a `REM-MessageType` header is recognised as REM with the event and
//! reason code of its evidence (as named in the file name), and every standalone evidence XML parses
//! with the event and reason code of its file name (`RelayFailure.RB02.xml`).

use pec_core::message::{Kind, RemEvent, analyze, parse_evidence};
use pec_core::signature::TrustStore;
use pec_test_harness::corpus::corpus_for_test;
use std::path::{Path, PathBuf};

/// Files below `dir` with extension `ext` (any case), sorted.
fn files_with(dir: &Path, ext: &str) -> Vec<PathBuf> {
    pec_test_harness::corpus::files_below(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case(ext)))
        .collect()
}

/// Header block only, names compared case-insensitively (independent of the parser under test).
fn has_rem_message_type(raw: &[u8]) -> bool {
    let text = String::from_utf8_lossy(raw);
    text.lines()
        .take_while(|l| !l.trim().is_empty())
        .any(|l| l.to_ascii_lowercase().starts_with("rem-messagetype:"))
}

/// `REM_RelayAcceptance1,2.RB01.eml` → ("RelayAcceptance", "RB01"); Dispatch and EXTERNAL messages
/// carry the SubmissionAcceptance / ReceivedFromNonERDS evidence.
fn expected_from_eml_name(path: &Path) -> (String, String) {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let mut segs = name.split('.');
    let head = segs.next().unwrap_or_default().trim_start_matches("REM_");
    let code = segs.next().unwrap_or_default().to_string();
    let event = head.trim_end_matches(|c: char| c.is_ascii_digit() || c == ',');
    let event = match event {
        "Dispatch" => "SubmissionAcceptance",
        "EXTERNAL" => "ReceivedFromNonERDS",
        other => other,
    };
    (event.to_string(), code)
}

/// `ContentConsignmentFailure1.RD05.xml` → ("ContentConsignmentFailure", "RD05").
/// Corpus spellings: a trailing index digit, an `Ext` suffix, and the typo `ContentConsignmentt`.
fn expected_from_xml_name(path: &Path) -> (String, String) {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let mut segs = name.split('.');
    let head = segs.next().unwrap_or_default();
    let code = segs.next().unwrap_or_default().to_string();
    let event = head.trim_end_matches(|c: char| c.is_ascii_digit());
    let event = event.strip_suffix("Ext").unwrap_or(event);
    let event = if event == "ContentConsignmentt" {
        "ContentConsignment"
    } else {
        event
    };
    (event.to_string(), code)
}

#[test]
fn rem_messages_are_recognised_with_their_evidence_event() {
    let Some(corpus) = corpus_for_test() else {
        return;
    };
    let files = files_with(&corpus.join("rem"), "eml");
    let trust = TrustStore::bundled();
    let mut checked = 0;
    let mut failures = Vec::new();
    for path in &files {
        let raw = std::fs::read(path).expect("readable");
        if !has_rem_message_type(&raw) {
            // Plain originals (`original_message*.eml`) are not REM messages.
            let m = analyze(&raw, &trust).expect("plain original parses");
            assert_ne!(m.kind, Kind::Rem, "{}", path.display());
            continue;
        }
        checked += 1;
        let (want_event, want_code) = expected_from_eml_name(path);
        let m = match analyze(&raw, &trust) {
            Ok(m) => m,
            Err(e) => {
                failures.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        let rem = m.rem.as_ref();
        let evidence = rem.and_then(|r| r.evidence.as_ref());
        let got_event = rem.and_then(|r| r.event).map(RemEvent::as_str);
        let evidence_event = evidence.and_then(|e| e.event).map(RemEvent::as_str);
        let got_code = evidence.and_then(|e| e.reason_code.as_deref());
        if m.kind != Kind::Rem
            || got_event != Some(want_event.as_str())
            || evidence_event != Some(want_event.as_str())
            || got_code != Some(want_code.as_str())
        {
            failures.push(format!(
                "{}: kind {:?}, event {got_event:?} (evidence {evidence_event:?}), code {got_code:?}; \
                 expected rem {want_event} {want_code}",
                path.display(),
                m.kind
            ));
        }
        if m.correlation.rem_ua_message_identifier.is_none()
            || m.correlation.rem_evidence_ids.is_empty()
        {
            failures.push(format!("{}: REM correlation keys missing", path.display()));
        }
        if !m.has_original
            && rem.is_some_and(|r| r.message_type == pec_core::message::RemMessageType::Dispatch)
        {
            failures.push(format!("{}: dispatch without its original", path.display()));
        }
        if m.subject.starts_with("REM ") {
            failures.push(format!(
                "{}: REM prefix left in subject {:?}",
                path.display(),
                m.subject
            ));
        }
    }
    eprintln!("REM messages checked: {checked}");
    assert!(checked >= 60, "only {checked} REM messages found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn standalone_evidence_has_the_event_and_reason_of_its_name() {
    let Some(corpus) = corpus_for_test() else {
        return;
    };
    let files = files_with(&corpus.join("rem/gdl/standalone-evidence"), "xml");
    assert!(files.len() >= 40, "only {} evidence files", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let (want_event, want_code) = expected_from_xml_name(path);
        let raw = std::fs::read(path).expect("readable");
        match parse_evidence(&raw) {
            Ok(e) => {
                let got = e.event.map(RemEvent::as_str);
                if got != Some(want_event.as_str())
                    || e.reason_code.as_deref() != Some(want_code.as_str())
                {
                    failures.push(format!(
                        "{}: got {got:?} {:?}, expected {want_event} {want_code}",
                        path.display(),
                        e.reason_code
                    ));
                }
                if e.evidence_identifier.is_none()
                    || e.event_time.is_none()
                    || e.reason_uris.is_empty()
                {
                    failures.push(format!(
                        "{}: identifier, time or reason URI missing",
                        path.display()
                    ));
                }
            }
            Err(err) => failures.push(format!("{}: {err}", path.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
