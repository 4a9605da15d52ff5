//! Signature checks per second on the real provider signatures of the corpus:
//! SHA-1/RSA-1024 (Aruba 2014, DigitPA CA1) and SHA-1/RSA-2048 under AgID CA1 (Aruba 2018),
//! plus opening a CAdES `.p7m` invoice.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mail_parser::MessageParser;
use pec_core::signature::{Policy, TrustStore, open_signed, verify_detached};

fn signed_parts(raw: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let msg = MessageParser::default().parse(raw)?;
    let parts = pec_core::message::signed_part::find_signed(&msg)?;
    Some((parts.content.to_vec(), parts.p7s?.to_vec()))
}

fn bench(c: &mut Criterion) {
    let Some(corpus) = pec_test_harness::corpus::corpus_dir() else {
        eprintln!("corpus not found (set PEC_CORPUS): nothing to bench");
        return;
    };
    let trust = TrustStore::bundled();
    let mut group = c.benchmark_group("signature");
    group.throughput(Throughput::Elements(1));
    for (label, file) in [
        (
            "smime_sha1_rsa1024_digitpa_2014",
            "pec/OCA_l10n-italy/7.0/message1",
        ),
        (
            "smime_sha1_rsa2048_agid_2018",
            "pec/OCA_l10n-italy/16.0/CONSEGNA_ IT03339130126_00009.xml.txt",
        ),
    ] {
        let Ok(raw) = std::fs::read(corpus.join(file)) else {
            continue;
        };
        let Some((signed, p7s)) = signed_parts(&raw) else {
            continue;
        };
        group.bench_function(label, |b| {
            b.iter(|| verify_detached(&signed, &p7s, None, &trust, Policy::PecProvider))
        });
    }
    if let Ok(p7m) = std::fs::read(corpus.join("fatturapa/dotnet/IT02182030391_31.xml.p7m")) {
        group.bench_function("cades_p7m_open_and_verify", |b| {
            b.iter(|| open_signed(&p7m, &trust, None))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
