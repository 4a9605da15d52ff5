//! Hostile shapes through every public entry that reads untrusted bytes: message analysis, the
//! store's import, daticert and REM evidence, FatturaPA opening (XML and `.p7m`), the capped file
//! reader, and the file writer given hostile names. Each case must end in `Ok` or a typed error,
//! within 256 MiB of peak memory, and finish.
//!
//! Memory is measured honestly: each case runs in a child process (this test binary re-executed
//! with `HOSTILE_CASE` set) that reports its own peak resident size (`VmHWM`). A crash, a stack
//! overflow or an abort kills only the child and fails the case. The watchdog catches runaway work;
//! it is a bound, not a timing assertion. Shapes are varied by fixed seeds.

use crate::store_util;

use store_util::XorShift;

use pec_core::fatturapa;
use pec_core::files::{TargetDir, read_capped};
use pec_core::message::{analyze, parse_daticert, parse_evidence};
use pec_core::signature::{TrustStore, open_signed};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MAX_PEAK_KIB: u64 = 256 * 1024;
const WATCHDOG: Duration = Duration::from_secs(120);
const SEEDS: [u64; 2] = [0x9e37_79b9_7f4a_7c15, 0x2545_f491_4f6c_dd1d];

type Case = fn(u64) -> Outcome;

/// Every case, by name: what it feeds and where. A case asserts what must hold beyond "no panic"
/// (an endless read stops, a written name stays inside its folder): a failed assert fails the case.
const CASES: [(&str, Case); 12] = [
    ("deep_multipart", deep_multipart),
    ("deep_rfc822", deep_rfc822),
    ("header_line_50mb", header_line_50mb),
    ("bad_base64", bad_base64),
    ("asn1_lengths", asn1_lengths),
    ("xml_entity_bomb", xml_entity_bomb),
    ("xml_deep", xml_deep),
    ("compressible_attachment", compressible_attachment),
    ("endless_file", endless_file),
    ("hostile_names", hostile_names),
    ("import_deep_multipart", import_deep_multipart),
    ("import_header_line_50mb", import_header_line_50mb),
];

/// What one case ended in: `Ok` or the typed error's text (a panic never gets here).
type Outcome = Result<(), String>;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn analysed(raw: &[u8]) -> Outcome {
    analyze(raw, &TrustStore::bundled()).map(drop).map_err(err)
}

fn nested_multipart(depth: usize) -> Vec<u8> {
    store_util::nested_multipart("From: a@x.it\r\nTo: b@y.it\r\nSubject: deep\r\n", depth)
}

fn deep_multipart(seed: u64) -> Outcome {
    let depth = 10_000 + XorShift(seed).below(500);
    analysed(&nested_multipart(depth))
}

fn deep_rfc822(seed: u64) -> Outcome {
    let depth = 10_000 + XorShift(seed).below(500);
    let mut m = String::new();
    for _ in 0..depth {
        m.push_str("From: a@x.it\r\nSubject: fwd\r\nMIME-Version: 1.0\r\n");
        m.push_str("Content-Type: message/rfc822\r\n\r\n");
    }
    m.push_str("From: a@x.it\r\nSubject: fondo\r\n\r\nfondo\r\n");
    analysed(m.as_bytes())
}

fn long_header(seed: u64) -> Vec<u8> {
    let mut rng = XorShift(seed);
    let mut m = b"From: a@x.it\r\nTo: b@y.it\r\nSubject: ".to_vec();
    let fill = b'a' + rng.below(26) as u8;
    m.resize(m.len() + 50 * 1024 * 1024 + rng.below(1024), fill);
    m.extend_from_slice(b"\r\n\r\ncorpo\r\n");
    m
}

fn header_line_50mb(seed: u64) -> Outcome {
    analysed(&long_header(seed))
}

fn bad_base64(seed: u64) -> Outcome {
    let mut rng = XorShift(seed);
    let mut m = b"From: a@x.it\r\nTo: b@y.it\r\nSubject: b64\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: application/pdf; name=\"a.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\n"
        .to_vec();
    for _ in 0..20_000 {
        // Valid alphabet cut mid-quantum, stray symbols, random bytes.
        let line = match rng.below(3) {
            0 => b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo".to_vec(),
            1 => b"!!==**??==QQ=Q=\x00\xff".to_vec(),
            _ => rng.bytes(76),
        };
        m.extend_from_slice(&line);
        m.extend_from_slice(b"\r\n");
    }
    analysed(&m)
}

/// DER headers whose length fields claim gigabytes, nested, then garbage.
fn asn1_lengths(seed: u64) -> Outcome {
    let mut rng = XorShift(seed);
    let mut d = Vec::new();
    for _ in 0..64 {
        d.extend_from_slice(&[0x30, 0x84, 0x7f, 0xff, 0xff, 0xff]);
        d.extend_from_slice(&[
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
        ]);
        d.extend_from_slice(&[0xa0, 0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
        d.extend_from_slice(&[0x24, 0x80]); // indefinite-length constructed, never closed
    }
    d.extend(rng.bytes(4096));
    let trust = TrustStore::bundled();
    let _ = open_signed(&d, &trust, None);
    fatturapa::open(&d, &trust).map(drop).map_err(err)
}

fn xml_entity_bomb(_seed: u64) -> Outcome {
    let mut x =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE postacert [\n<!ENTITY a0 \"lol\">\n");
    for i in 1..10 {
        let prev = i - 1;
        x.push_str(&format!(
            "<!ENTITY a{i} \"&a{prev};&a{prev};&a{prev};&a{prev};&a{prev};&a{prev};&a{prev};&a{prev};&a{prev};&a{prev};\">\n"
        ));
    }
    x.push_str("]>\n<postacert tipo=\"accettazione\"><dati><identificativo>&a9;</identificativo></dati></postacert>");
    let b = x.as_bytes();
    let _ = parse_daticert(b);
    let _ = parse_evidence(b);
    let _ = analysed(b);
    fatturapa::parse_document(b).map(drop).map_err(err)
}

fn xml_deep(seed: u64) -> Outcome {
    let depth = 10_000 + XorShift(seed).below(500);
    let mut x = String::from("<?xml version=\"1.0\"?><postacert tipo=\"accettazione\">");
    x.push_str(&"<a>".repeat(depth));
    x.push_str(&"</a>".repeat(depth));
    x.push_str("</postacert>");
    let b = x.as_bytes();
    let _ = parse_daticert(b);
    let _ = parse_evidence(b);
    fatturapa::parse_document(b).map(drop).map_err(err)
}

/// 48 MiB of one repeated byte, base64 in a message: what a compression bomb becomes by mail.
fn compressible_attachment(seed: u64) -> Outcome {
    let byte = b'A' + XorShift(seed).below(26) as u8;
    let mut m = b"From: a@x.it\r\nTo: b@y.it\r\nSubject: zip\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: application/zip; name=\"a.zip\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\n"
        .to_vec();
    let line = [byte; 76];
    for _ in 0..(48 * 1024 * 1024 / 57) {
        m.extend_from_slice(&line);
        m.extend_from_slice(b"\r\n");
    }
    m.extend_from_slice(b"--b--\r\n");
    analysed(&m)
}

fn endless_file(_seed: u64) -> Outcome {
    let limit = pec_core::limits::MAX_MESSAGE_FILE_BYTES;
    let read = read_capped(std::path::Path::new("/dev/zero"), limit);
    assert!(read.is_err(), "an endless file must stop at the cap");
    read.map(drop).map_err(err)
}

fn hostile_names(seed: u64) -> Outcome {
    let mut rng = XorShift(seed);
    let dir = tempfile::tempdir().map_err(err)?;
    let target = TargetDir::open(dir.path()).map_err(err)?;
    let long = "n".repeat(300 + rng.below(50)) + ".pdf";
    let names = [
        "../../etc/passwd",
        "/etc/shadow",
        "..\\..\\windows\\system32",
        "a\0b.pdf",
        "\x1b]0;title\x07\x1b[2J.pdf",
        "..",
        "",
        long.as_str(),
    ];
    for name in names {
        let path = target.write_new(name, "allegato", b"x").unwrap();
        assert_eq!(path.parent(), Some(dir.path()), "{name:?} escaped");
        let file = path.file_name().map(|f| f.len()).unwrap_or(0);
        assert!(
            file <= pec_core::limits::MAX_FILE_NAME_BYTES,
            "{name:?}: {file} bytes"
        );
    }
    Ok(())
}

fn imported(raw: &[u8]) -> Outcome {
    use pec_core::store::{FolderRole, Store};
    let dir = tempfile::tempdir().map_err(err)?;
    let store = Store::open_in(dir.path()).map_err(err)?;
    let acc = store
        .add_account(&store_util::account_config("me@pec.it"))
        .map_err(err)?;
    let inbox = store
        .ensure_folder(acc, "INBOX", Some(FolderRole::Inbox), Some("."))
        .map_err(err)?;
    pec_core::receive::Receiver::default()
        .import(&store, inbox, raw)
        .map(drop)
        .map_err(err)
}

fn import_deep_multipart(seed: u64) -> Outcome {
    imported(&nested_multipart(10_000 + XorShift(seed).below(500)))
}

fn import_header_line_50mb(seed: u64) -> Outcome {
    imported(&long_header(seed))
}

/// Peak resident size of this process, KiB.
fn vm_hwm_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Runs in the child only: the case named by `HOSTILE_CASE` with the seed `HOSTILE_SEED`.
#[test]
fn hostile_case_in_child() {
    let Ok(name) = std::env::var("HOSTILE_CASE") else {
        return;
    };
    let seed: u64 = std::env::var("HOSTILE_SEED").unwrap().parse().unwrap();
    let (_, case) = CASES.iter().find(|(n, _)| *n == name).unwrap();
    let outcome = case(seed);
    let text = match &outcome {
        Ok(()) => "ok".to_string(),
        Err(e) => format!("error: {}", e.chars().take(120).collect::<String>()),
    };
    println!("HOSTILE-RESULT peak_kib={} {text}", vm_hwm_kib());
}

/// Runs one case in a child; returns its result line, or why it failed.
fn run_child(name: &str, seed: u64) -> Result<String, String> {
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args([
            "--exact",
            &crate::test_name(module_path!(), "hostile_case_in_child"),
            "--nocapture",
            "--test-threads=1",
        ])
        .env("HOSTILE_CASE", name)
        .env("HOSTILE_SEED", seed.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > WATCHDOG {
            child.kill().ok();
            child.wait().ok();
            return Err(format!("still running after {WATCHDOG:?}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = child.stdout.take().unwrap();
    let line = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|l| l.find("HOSTILE-RESULT").map(|i| l[i..].to_string()));
    match (status.success(), line) {
        (true, Some(line)) => Ok(line),
        (_, line) => Err(format!("child ended with {status}; last report: {line:?}")),
    }
}

fn peak_kib(line: &str) -> u64 {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix("peak_kib="))
        .and_then(|v| v.parse().ok())
        .unwrap_or(u64::MAX)
}

#[test]
fn hostile_shapes_end_in_typed_errors_within_256_mib() {
    if std::env::var("HOSTILE_CASE").is_ok() {
        return;
    }
    let mut failures = Vec::new();
    for (name, _) in CASES {
        let mut worst = 0;
        for seed in SEEDS {
            match run_child(name, seed) {
                Ok(line) => {
                    let peak = peak_kib(&line);
                    worst = worst.max(peak);
                    if peak > MAX_PEAK_KIB {
                        failures.push(format!("{name} seed {seed:#x}: {line}"));
                    }
                    println!("{name:<26} seed {seed:#018x}: {line}");
                }
                Err(why) => failures.push(format!("{name} seed {seed:#x}: {why}")),
            }
        }
        println!("{name:<26} worst peak {} MiB", worst / 1024);
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
