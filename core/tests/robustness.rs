//! Hostile input: truncated and bit-flipped versions of every corpus message, deep PEC-in-PEC
//! nesting, huge part counts, deep XML. Nothing may panic, and the work stays bounded: caps give a
//! typed error or a truncated view.

use crate::store_util;

use pec_core::limits::{MAX_MESSAGE_BYTES, MAX_NESTING_DEPTH, MAX_PARTS};
use pec_core::message::{Analyzer, Kind, ParseError, PecMessage, parse_daticert, parse_evidence};
use pec_core::signature::TrustStore;
use pec_test_harness::corpus::corpus_for_test;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::time::{Duration, Instant};
use store_util::XorShift;

/// Generous per-input budget for a debug build on a shared 2-core machine.
const BUDGET: Duration = Duration::from_secs(10);

fn corpus_messages(corpus: &Path) -> Vec<(String, Vec<u8>)> {
    pec_test_harness::corpus::messages(corpus)
        .into_iter()
        .map(|(p, raw)| (p.display().to_string(), raw))
        .collect()
}

fn depth_of(m: &PecMessage) -> usize {
    let mut d = 0;
    let mut cur = m;
    while let Some(o) = cur.original.as_deref() {
        d += 1;
        cur = o;
    }
    d
}

/// Analyse without panicking, within budget, with a bounded result.
fn survive(analyzer: &Analyzer, label: &str, raw: &[u8]) -> Result<PecMessage, ParseError> {
    let start = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| analyzer.analyze(raw)))
        .unwrap_or_else(|_| panic!("{label}: analyze panicked"));
    let took = start.elapsed();
    assert!(took < BUDGET, "{label}: took {took:?}");
    if let Ok(m) = &result {
        assert!(
            depth_of(m) <= MAX_NESTING_DEPTH,
            "{label}: nesting cap ignored"
        );
        assert!(
            m.attachments.len() <= MAX_PARTS,
            "{label}: part cap ignored"
        );
        // The view must serialise (the JSON path of the CLI and UI).
        serde_json::to_string(m).unwrap_or_else(|e| panic!("{label}: serialise: {e}"));
    }
    result
}

#[test]
fn truncated_corpus_messages() {
    let Some(corpus) = corpus_for_test() else {
        return;
    };
    let messages = corpus_messages(&corpus);
    assert!(messages.len() > 50, "corpus too small: {}", messages.len());
    let fast = Analyzer::new(TrustStore::bundled()).without_signatures();
    let full = Analyzer::new(TrustStore::bundled());
    let mut runs = 0;
    for (name, raw) in &messages {
        // ~48 cut points per file, always including the very short prefixes.
        let step = (raw.len() / 48).max(1);
        let mut cuts: Vec<usize> = (0..raw.len()).step_by(step).collect();
        cuts.extend([1, 2, 10, raw.len().saturating_sub(1)]);
        for (i, cut) in cuts.into_iter().enumerate() {
            let slice = raw.get(..cut).unwrap_or(raw);
            let analyzer = if i % 8 == 0 { &full } else { &fast };
            let _ = survive(analyzer, &format!("{name} cut at {cut}"), slice);
            runs += 1;
        }
    }
    eprintln!("truncations analysed: {runs}");
}

#[test]
fn bit_flipped_corpus_messages() {
    let Some(corpus) = corpus_for_test() else {
        return;
    };
    let messages = corpus_messages(&corpus);
    let fast = Analyzer::new(TrustStore::bundled()).without_signatures();
    let full = Analyzer::new(TrustStore::bundled());
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut runs = 0;
    for (name, raw) in &messages {
        if raw.is_empty() {
            continue;
        }
        for variant in 0..40 {
            let mut bytes = raw.clone();
            let flips = 1 + rng.below(16);
            for _ in 0..flips {
                let at = rng.below(bytes.len());
                let bit = 1u8 << rng.below(8);
                if let Some(b) = bytes.get_mut(at) {
                    *b ^= bit;
                }
            }
            // Also smash structure characters now and then: boundaries, colons, angle brackets.
            if variant % 5 == 0 {
                let at = rng.below(bytes.len());
                if let Some(b) = bytes.get_mut(at) {
                    *b = [b'-', b':', b'<', b'>', b'\n', b'='][rng.below(6)];
                }
            }
            let analyzer = if variant % 10 == 0 { &full } else { &fast };
            let _ = survive(analyzer, &format!("{name} flip variant {variant}"), &bytes);
            runs += 1;
        }
    }
    eprintln!("bit-flip variants analysed: {runs}");
}

#[test]
fn mutated_xml_documents() {
    let Some(corpus) = corpus_for_test() else {
        return;
    };
    let files = pec_test_harness::corpus::files_below(&corpus.join("rem/gdl/standalone-evidence"));
    let mut rng = XorShift(42);
    for path in files.iter().take(10) {
        let raw = std::fs::read(path).expect("readable");
        for cut in (0..raw.len()).step_by((raw.len() / 20).max(1)) {
            let slice = raw.get(..cut).unwrap_or(&raw);
            let _ = catch_unwind(|| parse_evidence(slice)).expect("evidence parser panicked");
            let _ = catch_unwind(|| parse_daticert(slice)).expect("daticert parser panicked");
        }
        for _ in 0..20 {
            let mut bytes = raw.clone();
            for _ in 0..4 {
                let at = rng.below(bytes.len());
                if let Some(b) = bytes.get_mut(at) {
                    *b ^= 1 << rng.below(8);
                }
            }
            let _ = catch_unwind(|| parse_evidence(&bytes)).expect("evidence parser panicked");
        }
    }
}

/// An envelope around `inner` (inline, 7bit postacert.eml).
fn envelope_around(inner: &[u8], level: usize) -> Vec<u8> {
    let mut out = format!(
        "From: \"Per conto di: a@pec.it\" <posta-certificata@pec.it>\r\nReply-To: a@pec.it\r\n\
To: b@pec.it\r\nSubject: POSTA CERTIFICATA: level {level}\r\nX-Trasporto: posta-certificata\r\n\
X-Riferimento-Message-ID: <c-{level}@pc>\r\nContent-Type: multipart/mixed; boundary=\"L{level}\"\r\n\r\n\
--L{level}\r\nContent-Type: text/plain\r\n\r\nbusta {level}\r\n\
--L{level}\r\nContent-Type: message/rfc822; name=\"postacert.eml\"\r\n\r\n"
    )
    .into_bytes();
    out.extend_from_slice(inner);
    out.extend_from_slice(format!("\r\n--L{level}--\r\n").as_bytes());
    out
}

/// The same, with the original base64-encoded (mail-parser decodes and re-parses those).
fn envelope_around_base64(inner: &[u8], level: usize) -> Vec<u8> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(inner);
    let mut out = format!(
        "From: posta-certificata@pec.it\r\nTo: b@pec.it\r\nSubject: POSTA CERTIFICATA: b{level}\r\n\
X-Trasporto: posta-certificata\r\nContent-Type: multipart/mixed; boundary=\"E{level}\"\r\n\r\n\
--E{level}\r\nContent-Type: message/rfc822; name=\"postacert.eml\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    )
    .into_bytes();
    for chunk in b64.as_bytes().chunks(76) {
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--E{level}--\r\n").as_bytes());
    out
}

const PLAIN: &[u8] = b"From: a@pec.it\r\nTo: b@pec.it\r\nSubject: Re: fondo\r\n\r\nciao\r\n";

#[test]
fn pec_in_pec_100_levels_gives_a_truncated_view() {
    let mut raw = PLAIN.to_vec();
    for level in 0..100 {
        raw = envelope_around(&raw, level);
    }
    let analyzer = Analyzer::new(TrustStore::bundled());
    let m = survive(&analyzer, "100 levels", &raw).expect("a truncated view, not an error");
    assert_eq!(m.kind, Kind::Envelope);
    assert_eq!(depth_of(&m), MAX_NESTING_DEPTH);
    let mut deepest = &m;
    while let Some(o) = deepest.original.as_deref() {
        deepest = o;
    }
    assert!(deepest.has_original && deepest.warnings.iter().any(|w| w.contains("nesting")));
}

#[test]
fn base64_pec_in_pec_30_levels_is_capped() {
    let mut raw = PLAIN.to_vec();
    for level in 0..30 {
        raw = envelope_around_base64(&raw, level);
    }
    let analyzer = Analyzer::new(TrustStore::bundled());
    let m = survive(&analyzer, "30 base64 levels", &raw).expect("a truncated view");
    assert_eq!(depth_of(&m), MAX_NESTING_DEPTH);
}

#[test]
fn ten_thousand_parts_hit_the_part_cap() {
    let mut raw =
        b"From: a@b.it\r\nSubject: parts\r\nContent-Type: multipart/mixed; boundary=\"P\"\r\n\r\n"
            .to_vec();
    for i in 0..10_000 {
        raw.extend_from_slice(
            format!(
                "--P\r\nContent-Type: application/octet-stream; name=\"f{i}.bin\"\r\n\r\nx\r\n"
            )
            .as_bytes(),
        );
    }
    raw.extend_from_slice(b"--P--\r\n");
    let analyzer = Analyzer::new(TrustStore::bundled());
    let r = survive(&analyzer, "10k parts", &raw);
    assert_eq!(r, Err(ParseError::TooManyParts { max: MAX_PARTS }));
}

#[test]
fn ten_thousand_nested_rfc822_headers_are_refused_before_parsing() {
    let mut raw = b"From: a@b.it\r\n".to_vec();
    for _ in 0..10_000 {
        raw.extend_from_slice(b"Content-Type: message/rfc822\r\n\r\n");
    }
    let analyzer = Analyzer::new(TrustStore::bundled());
    assert_eq!(
        survive(&analyzer, "10k rfc822", &raw),
        Err(ParseError::TooManyParts { max: MAX_PARTS })
    );
}

#[test]
fn oversized_message_is_refused() {
    let raw = vec![b'a'; MAX_MESSAGE_BYTES + 1];
    let analyzer = Analyzer::new(TrustStore::bundled());
    assert!(matches!(
        analyzer.analyze(&raw),
        Err(ParseError::TooLarge { .. })
    ));
}

#[test]
fn deep_daticert_degrades_to_headers() {
    let mut xml = String::from("<postacert tipo=\"accettazione\">");
    for _ in 0..5_000 {
        xml.push_str("<x>");
    }
    let raw = format!(
        "From: posta-certificata@pec.it\r\nTo: a@pec.it\r\nSubject: ACCETTAZIONE: prova\r\nX-Ricevuta: accettazione\r\n\
Content-Type: multipart/mixed; boundary=\"D\"\r\n\r\n--D\r\nContent-Type: application/xml; name=\"daticert.xml\"\r\n\r\n{xml}\r\n--D--\r\n"
    );
    let analyzer = Analyzer::new(TrustStore::bundled());
    let m = survive(&analyzer, "deep daticert", raw.as_bytes()).expect("degraded view");
    assert_eq!(m.kind, Kind::Receipt);
    assert!(m.daticert.is_none());
    assert_eq!(m.subject, "prova");
    assert!(
        m.warnings.iter().any(|w| w.contains("daticert")),
        "{:?}",
        m.warnings
    );
}
