//! Opening files as received: signed `.xml.p7m` in every form, tampered/truncated ones, whole e-mails.

use pec_core::fatturapa::{
    self, Container, Document, FatturaError, Integrity, NotificationKind, RenderStyle,
};
use pec_core::signature::TrustStore;
use pec_test_harness::corpus::corpus_for_test;
use std::path::Path;

fn read(root: &Path, rel: &str) -> Vec<u8> {
    std::fs::read(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn every_p7m_form_opens_to_the_same_invoice_with_its_report() {
    let Some(root) = corpus_for_test() else {
        return;
    };
    let trust = TrustStore::bundled();
    let forms = [
        "fatturapa/dotnet/IT02182030391_31.xml.p7m",
        "fatturapa/dotnet/IT02182030391_31.Base64.xml.p7m",
        "fatturapa/dotnet/IT02182030391_31.Base64.CRLF.xml.p7m",
    ];
    for rel in forms {
        let opened =
            fatturapa::open(&read(&root, rel), &trust).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_eq!(opened.container, Container::P7m, "{rel}");
        let report = opened
            .signature
            .as_ref()
            .expect("a signed file carries its report");
        assert!(report.content_intact(), "{rel}: {report:?}");
        assert!(
            matches!(opened.integrity, Integrity::SignedIntact { .. }),
            "{rel}"
        );
        assert!(opened.content_intact());
        assert_eq!(
            report.signer_cn.as_deref(),
            Some("GARDINI STEFANO"),
            "{rel}"
        );
        let inv = opened.invoice().expect("an invoice");
        assert_eq!(
            inv.header.cedente_prestatore.display_name(),
            "Azienda di esempio"
        );
        assert_eq!(inv.bodies[0].documento().numero, "2");
        assert_eq!(inv.bodies[0].total().to_string(), "122.00");
        let html = fatturapa::render::render_opened(&opened, RenderStyle::Compact);
        assert!(
            html.contains("GARDINI STEFANO"),
            "the banner names the signer"
        );
        assert!(html.contains("Contenuto integro") || html.contains("contenuto integro"));
    }
    for rel in [
        "fatturapa/oca-l10n-italy/fatturapa_in/IT01234567890_FPR03.xml.p7m",
        "fatturapa/oca-l10n-italy/fatturapa_in/IT01234567890_FPR03.base64.xml.p7m",
        "fatturapa/oca-l10n-italy/fatturapa_in/IT01234567890_FPR04.base64.xml.p7m",
    ] {
        let opened =
            fatturapa::open(&read(&root, rel), &trust).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert!(opened.content_intact(), "{rel}");
        let inv = opened.invoice().expect("invoice");
        assert_eq!(inv.bodies.len(), 2, "{rel}");
        assert_eq!(inv.bodies[1].documento().numero, "456");
    }
}

#[test]
fn tampered_and_truncated_p7m_are_errors_never_invoices() {
    let Some(root) = corpus_for_test() else {
        return;
    };
    let trust = TrustStore::bundled();
    for rel in [
        "fatturapa/dotnet/IT02182030391_31_tampered.xml.p7m",
        "fatturapa/dotnet/IT02182030391_31_tampered.Base64.xml.p7m",
    ] {
        let err = fatturapa::open(&read(&root, rel), &trust).expect_err(rel);
        assert!(
            matches!(
                err,
                FatturaError::Signature(_) | FatturaError::SignatureInvalid(_)
            ),
            "{rel}: {err:?}"
        );
    }
    let good = read(&root, "fatturapa/dotnet/IT02182030391_31.xml.p7m");
    // Truncated at several points.
    for cut in [good.len() / 4, good.len() / 2, good.len() - 10] {
        let err = fatturapa::open(&good[..cut], &trust).expect_err("truncated");
        assert!(
            matches!(
                err,
                FatturaError::Signature(_) | FatturaError::SignatureInvalid(_)
            ),
            "cut {cut}: {err:?}"
        );
    }
    // One byte of the signed XML altered (inside the content, found by text): signature must fail.
    let pos = good
        .windows(b"Azienda di esempio".len())
        .position(|w| w == b"Azienda di esempio")
        .expect("seller in the DER");
    let mut altered = good.clone();
    altered[pos] = b'B';
    match fatturapa::open(&altered, &trust) {
        Err(FatturaError::SignatureInvalid(_)) | Err(FatturaError::Signature(_)) => {}
        Err(other) => panic!("unexpected error {other:?}"),
        Ok(o) => panic!("an altered invoice opened as {:?}", o.integrity),
    }
}

#[test]
fn whole_emails_yield_their_invoice_or_message() {
    let Some(root) = corpus_for_test() else {
        return;
    };
    let trust = TrustStore::bundled();
    let opened = fatturapa::open(
        &read(
            &root,
            "fatturapa/oca-l10n-italy/pec-emails/POSTA CERTIFICATA_ Invio File 7339338.txt",
        ),
        &trust,
    )
    .expect("invoice e-mail");
    assert_eq!(
        opened.container,
        Container::Email {
            attachment: "IT02652600210_00007.xml".into(),
            signed: false
        }
    );
    assert_eq!(opened.integrity, Integrity::NotSigned);
    assert!(!opened.content_intact());
    assert!(
        opened
            .sdi_file
            .as_ref()
            .is_some_and(|f| f.is_invoice() && f.transmitter_id == "02652600210")
    );
    let inv = opened.invoice().expect("the invoice wins over the MT file");
    assert_eq!(inv.bodies[0].documento().numero, "FATT/2018/0003");
    assert_eq!(inv.bodies[0].total().to_string(), "997.96");

    let err = fatturapa::open(&read(&root, "fatturapa/oca-l10n-italy/pec-emails/POSTA CERTIFICATA_ Invio File 7339338 (broken XML).txt"), &trust).expect_err("broken invoice");
    assert!(matches!(err, FatturaError::Xml(_)), "{err:?}");

    let rc = fatturapa::open(&read(&root, "fatturapa/oca-l10n-italy/pec-emails/POSTA CERTIFICATA_ Ricevuta di consegna 6782414.txt"), &trust).expect("RC e-mail");
    assert!(
        matches!(&rc.document, Document::Notification(n) if n.kind == NotificationKind::RC && n.identificativo_sdi.as_deref() == Some("6782414"))
    );
    let mc = fatturapa::open(
        &read(
            &root,
            "fatturapa/oca-l10n-italy/pec-emails/POSTA CERTIFICATA_mancata_consegna.txt",
        ),
        &trust,
    )
    .expect("MC e-mail");
    assert_eq!(
        mc.notification().map(|n| n.kind),
        Some(NotificationKind::MC)
    );
}

#[test]
fn plain_xml_is_marked_not_signed() {
    let Some(root) = corpus_for_test() else {
        return;
    };
    let opened = fatturapa::open(
        &read(&root, "fatturapa/simevo/samples/IT01234567890_FPA01.xml"),
        &TrustStore::bundled(),
    )
    .expect("xml");
    assert_eq!(opened.integrity, Integrity::NotSigned);
    assert!(opened.signature.is_none());
    let html = fatturapa::render::render_opened(&opened, RenderStyle::Ministerial);
    assert!(html.contains("non firmato"));
}

#[test]
fn garbage_is_a_clear_error() {
    let trust = TrustStore::bundled();
    assert!(fatturapa::open(b"", &trust).is_err());
    assert!(fatturapa::open(&[0u8, 1, 2, 3, 0x30, 0x80], &trust).is_err());
    assert!(matches!(
        fatturapa::open(b"<html><body>hi</body></html>", &trust),
        Err(FatturaError::NotFatturaPa { .. })
    ));
    assert!(matches!(
        fatturapa::open(b"From: a@b.it\r\nSubject: x\r\n\r\nhello\r\n", &trust),
        Err(FatturaError::NoInvoiceInMessage)
    ));
}
