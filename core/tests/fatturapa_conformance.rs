//! Conformance of `pec_core::fatturapa` against the shared corpus (`corpus/fatturapa`).
//!
//! - every invoice parses, keeps its declared total and renders in both styles;
//! - the files malformed on purpose fail with their specific error;
//! - the official samples FPA01–03 / FPR01–04 match field by field;
//! - every SdI message sample parses with its type;
//! - hostile files (DTD, entities, jumbo) are refused or parsed safely.

use pec_core::fatturapa::{
    self, Document, FatturaElettronica, FatturaError, Format, ModalitaPagamento, NotificationKind,
    RegimeFiscale, RenderStyle, SdiFlow, TipoDocumento, XmlError, format, parse_decimal,
    parse_document, parse_invoice, render_invoice,
};
use pec_test_harness::corpus::corpus_for_test;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::str::FromStr;

fn corpus_files(root: &Path) -> Vec<PathBuf> {
    pec_test_harness::corpus::files_below(&root.join("fatturapa"))
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root.join("fatturapa"))
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

fn is_xml(p: &Path) -> bool {
    let rel = p.to_string_lossy().to_string();
    p.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml"))
        && !rel.contains("/schemas/")
        && !rel.contains("/stylesheets/")
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("test decimal")
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Declared `ImportoTotaleDocumento` values, read from the raw text independently of the parser.
fn declared_totals(raw: &str) -> Vec<Option<Decimal>> {
    raw.split("FatturaElettronicaBody>")
        .filter(|chunk| chunk.contains("DatiGeneraliDocumento"))
        .map(|chunk| {
            let start = chunk.find("<ImportoTotaleDocumento>")? + "<ImportoTotaleDocumento>".len();
            let end = chunk[start..].find('<')? + start;
            parse_decimal(&chunk[start..end])
        })
        .collect()
}

/// Files malformed on purpose, with the error each must give.
fn expected_failure(rel: &str) -> Option<fn(&FatturaError) -> bool> {
    match rel {
        "simevo/invalid/malformed.xml" => {
            Some(|e| matches!(e, FatturaError::Xml(XmlError::Malformed { .. })))
        }
        "italia-testsdi/missing_CedentePrestatore.xml" => Some(|e| {
            *e == FatturaError::MissingElement("FatturaElettronicaHeader/CedentePrestatore".into())
        }),
        "simevo/malicious/billion_laughs.xml"
        | "simevo/malicious/embedded_schema.xml"
        | "simevo/malicious/entity_expansion.xml"
        | "simevo/malicious/quadratic_blowup.xml"
        | "simevo/malicious/recursive_entity.xml"
        | "simevo/malicious/small_jumbo.xml" => {
            Some(|e| *e == FatturaError::Xml(XmlError::Doctype))
        }
        _ => None,
    }
}

fn check_renders(name: &str, inv: &FatturaElettronica) {
    let seller = esc(&inv.header.cedente_prestatore.display_name());
    for style in [RenderStyle::Compact, RenderStyle::Ministerial] {
        let html = render_invoice(inv, style);
        assert!(
            html.starts_with("<!DOCTYPE html>"),
            "{name}: not a document"
        );
        assert!(!html.contains("<script"), "{name}: script in output");
        for remote in ["src=\"http", "href=\"http", "url(http", "@import"] {
            assert!(!html.contains(remote), "{name}: remote resource {remote}");
        }
        assert!(
            html.contains(&seller),
            "{name} {style:?}: seller {seller:?} missing"
        );
        for b in &inv.bodies {
            let d = b.documento();
            assert!(
                html.contains(&esc(&d.numero)),
                "{name} {style:?}: number {} missing",
                d.numero
            );
            let date = match style {
                RenderStyle::Compact => format::date(&d.data),
                RenderStyle::Ministerial => format::date_long(&d.data),
            };
            assert!(
                html.contains(&date),
                "{name} {style:?}: date {date} missing"
            );
            let total = format::amount(&b.total());
            assert!(
                html.contains(&total),
                "{name} {style:?}: total {total} missing"
            );
        }
    }
}

#[test]
fn every_corpus_xml_parses_or_fails_as_expected() {
    let Some(root) = corpus_for_test() else {
        return;
    };
    let files: Vec<PathBuf> = corpus_files(&root)
        .into_iter()
        .filter(|p| is_xml(p))
        .collect();
    let (mut invoices, mut notifications, mut refused) = (0, 0, 0);
    for path in &files {
        let name = rel(&root, path);
        let data = std::fs::read(path).expect("read corpus file");
        let result = parse_document(&data);
        if let Some(check) = expected_failure(&name) {
            let err = result.expect_err(&format!("{name} must fail"));
            assert!(check(&err), "{name}: unexpected error {err:?}");
            assert!(!err.to_string().is_empty());
            refused += 1;
            continue;
        }
        match result {
            Ok(Document::Invoice(inv)) => {
                invoices += 1;
                assert!(!inv.bodies.is_empty(), "{name}: no body");
                let raw = String::from_utf8_lossy(&data);
                let declared = declared_totals(&raw);
                assert_eq!(declared.len(), inv.bodies.len(), "{name}: body count");
                for (b, decl) in inv.bodies.iter().zip(&declared) {
                    match decl {
                        Some(t) => {
                            assert_eq!(b.total(), *t, "{name}: declared total not kept");
                            assert!(!b.total_is_computed());
                        }
                        None => assert!(b.total_is_computed(), "{name}: total should be computed"),
                    }
                    assert!(!b.dettaglio_linee.is_empty(), "{name}: no lines");
                    assert!(!b.documento().numero.is_empty());
                }
                check_renders(&name, &inv);
            }
            Ok(Document::Notification(n)) => {
                notifications += 1;
                assert!(
                    n.identificativo_sdi.is_some(),
                    "{name}: no IdentificativoSdI"
                );
            }
            Err(e) => panic!("{name}: {e}"),
        }
    }
    eprintln!(
        "corpus: {invoices} invoices, {notifications} SdI messages, {refused} refused on purpose"
    );
    assert!(invoices >= 100, "only {invoices} invoices found");
    assert!(notifications >= 12);
    assert_eq!(refused, 8);
}

fn sample(root: &Path, name: &str) -> FatturaElettronica {
    let data =
        std::fs::read(root.join("fatturapa/simevo/samples").join(name)).expect("official sample");
    parse_invoice(&data).expect("official sample parses")
}

#[test]
fn official_samples_field_by_field() {
    let Some(root) = corpus_for_test() else {
        return;
    };

    let a1 = sample(&root, "IT01234567890_FPA01.xml");
    assert_eq!(a1.format, Format::FPA12);
    let h = &a1.header;
    assert_eq!(
        h.dati_trasmissione.codice_destinatario.as_deref(),
        Some("AAAAAA")
    );
    assert_eq!(
        h.dati_trasmissione.progressivo_invio.as_deref(),
        Some("00001")
    );
    assert_eq!(h.cedente_prestatore.display_name(), "ALPHA SRL");
    assert_eq!(
        h.cedente_prestatore.fiscal_id().as_deref(),
        Some("IT01234567890")
    );
    assert_eq!(
        h.cedente_prestatore.dati_anagrafici.regime_fiscale,
        Some(RegimeFiscale::RF19)
    );
    assert_eq!(
        h.cedente_prestatore
            .sede
            .as_ref()
            .and_then(|s| s.comune.as_deref()),
        Some("SASSARI")
    );
    assert_eq!(
        h.cessionario_committente.display_name(),
        "AMMINISTRAZIONE BETA"
    );
    assert_eq!(
        h.cessionario_committente
            .dati_anagrafici
            .codice_fiscale
            .as_deref(),
        Some("09876543210")
    );
    let b = &a1.bodies[0];
    assert_eq!(b.documento().tipo_documento, TipoDocumento::TD01);
    assert_eq!(b.documento().numero, "123");
    assert_eq!(b.documento().data.to_string(), "2017-01-18");
    assert_eq!(b.documento().causale.len(), 2);
    assert_eq!(b.dettaglio_linee.len(), 1);
    assert_eq!(
        b.dettaglio_linee[0].descrizione,
        "DESCRIZIONE DELLA FORNITURA"
    );
    assert_eq!(b.dettaglio_linee[0].quantita, Some(dec("5.00")));
    assert_eq!(b.dettaglio_linee[0].prezzo_totale, Some(dec("5.00")));
    assert_eq!(b.dati_riepilogo[0].imposta, dec("1.10"));
    assert_eq!(b.total(), dec("6.10"));
    assert!(b.total_is_computed());
    assert_eq!(
        b.dati_generali.dati_ordine_acquisto[0]
            .codice_cig
            .as_deref(),
        Some("456def")
    );
    assert_eq!(
        b.dati_generali.dati_contratto[0]
            .data
            .map(|d| d.to_string())
            .as_deref(),
        Some("2016-09-01")
    );
    let vettore = b
        .dati_generali
        .dati_trasporto
        .as_ref()
        .and_then(|t| t.dati_anagrafici_vettore.as_ref())
        .expect("vettore");
    assert_eq!(
        vettore.anagrafica.denominazione.as_deref(),
        Some("Trasporto spa")
    );
    let pay = &b.dati_pagamento[0].dettaglio_pagamento[0];
    assert_eq!(pay.modalita_pagamento, ModalitaPagamento::MP01);
    assert_eq!(pay.importo_pagamento, Some(dec("6.10")));
    assert_eq!(
        pay.data_scadenza_pagamento
            .map(|d| d.to_string())
            .as_deref(),
        Some("2017-02-18")
    );

    let a2 = sample(&root, "IT01234567890_FPA02.xml");
    assert_eq!(a2.format, Format::FPA12);
    assert_eq!(
        a2.header.cedente_prestatore.dati_anagrafici.regime_fiscale,
        Some(RegimeFiscale::RF01)
    );
    let b = &a2.bodies[0];
    assert_eq!(b.dettaglio_linee.len(), 2);
    assert_eq!(
        b.dettaglio_linee[1].descrizione,
        "FORNITURE VARIE PER UFFICIO"
    );
    assert_eq!(b.dettaglio_linee[1].prezzo_totale, Some(dec("20.00")));
    assert_eq!(b.dati_riepilogo[0].imponibile_importo, dec("25.00"));
    assert_eq!(b.dati_riepilogo[0].imposta, dec("5.50"));
    assert_eq!(b.total(), dec("30.50"));
    assert_eq!(b.payments_total(), dec("30.50"));

    let a3 = sample(&root, "IT01234567890_FPA03.xml");
    assert_eq!(a3.bodies.len(), 2, "FPA03 is a lotto of two invoices");
    assert_eq!(a3.bodies[0].documento().numero, "12");
    assert_eq!(a3.bodies[1].documento().numero, "456");
    assert_eq!(a3.bodies[1].documento().data.to_string(), "2017-01-20");
    assert_eq!(a3.bodies[1].total(), dec("2440.00"));
    assert_eq!(
        a3.bodies[1].dati_pagamento[0].dettaglio_pagamento[0].modalita_pagamento,
        ModalitaPagamento::MP19
    );
    let html = render_invoice(&a3, RenderStyle::Compact);
    assert!(
        html.contains("2.440,00") && html.contains("30,50"),
        "a lotto shows every body"
    );

    let r1 = sample(&root, "IT01234567890_FPR01.xml");
    assert_eq!(r1.format, Format::FPR12);
    assert_eq!(
        r1.header.dati_trasmissione.codice_destinatario.as_deref(),
        Some("ABC1234")
    );
    assert_eq!(
        r1.header.cedente_prestatore.display_name(),
        "SOCIETA' ALPHA SRL"
    );
    assert_eq!(
        r1.header.cessionario_committente.display_name(),
        "DITTA BETA"
    );
    assert_eq!(r1.bodies[0].documento().data.to_string(), "2014-12-18");
    assert_eq!(r1.bodies[0].total(), dec("6.10"));
    assert_eq!(
        r1.bodies[0].dati_pagamento[0].dettaglio_pagamento[0]
            .data_scadenza_pagamento
            .map(|d| d.to_string())
            .as_deref(),
        Some("2015-01-30")
    );

    let r2 = sample(&root, "IT01234567890_FPR02.xml");
    assert_eq!(
        r2.header.dati_trasmissione.codice_destinatario.as_deref(),
        Some("0000000")
    );
    assert_eq!(
        r2.header.cessionario_committente.display_name(),
        "BETA GAMMA"
    );
    assert_eq!(r2.bodies[0].dettaglio_linee.len(), 2);
    assert_eq!(r2.bodies[0].total(), dec("30.50"));

    let r3 = sample(&root, "IT01234567890_FPR03.xml");
    assert_eq!(r3.bodies.len(), 2);
    assert_eq!(
        r3.bodies[0].dati_riepilogo[0].imponibile_importo,
        dec("27.00")
    );
    assert_eq!(r3.bodies[0].total(), dec("32.95"));
    assert_eq!(r3.bodies[0].payments_total(), dec("32.95"));
    assert_eq!(r3.bodies[1].documento().numero, "456");
    assert_eq!(r3.bodies[1].documento().data.to_string(), "2014-12-20");
    assert_eq!(r3.bodies[1].total(), dec("2440.00"));

    let r4 = sample(&root, "IT01234567890_FPR04.xml");
    let b = &r4.bodies[0];
    assert_eq!(b.allegati.len(), 1);
    assert_eq!(b.allegati[0].nome_attachment, "LogoA.jpg");
    assert_eq!(b.allegati[0].size, 9900);
    assert_eq!(&b.allegati[0].data[..3], &[0xFF, 0xD8, 0xFF], "a JPEG");
    assert_eq!(b.total(), dec("6.10"));
}

#[test]
fn every_notification_sample_has_its_type() {
    let Some(root) = corpus_for_test() else {
        return;
    };
    let mut seen = 0;
    for path in corpus_files(&root).into_iter().filter(|p| is_xml(p)) {
        let name = rel(&root, &path);
        let file = path.file_name().and_then(|f| f.to_str()).unwrap_or("");
        // SdI message file names: <invoice>_<TYPE>_<nnn>.xml
        let parts: Vec<&str> = file.trim_end_matches(".xml").split('_').collect();
        if parts.len() < 3 {
            continue;
        }
        let (kind, seq) = (parts[parts.len() - 2], parts[parts.len() - 1]);
        if kind.len() != 2
            || !kind.bytes().all(|b| b.is_ascii_uppercase())
            || seq.len() != 3
            || !seq.bytes().all(|b| b.is_ascii_digit())
        {
            continue;
        }
        let data = std::fs::read(&path).expect("read");
        let Document::Notification(n) =
            parse_document(&data).unwrap_or_else(|e| panic!("{name}: {e}"))
        else {
            panic!("{name}: not a notification")
        };
        assert_eq!(n.kind.as_str(), kind, "{name}");
        seen += 1;
        let html = fatturapa::render_notification(&n);
        assert!(html.contains(n.kind.description()), "{name}: summary");
        if let Some(sdi) = &n.identificativo_sdi {
            assert!(html.contains(sdi.as_str()));
        }
        match n.kind {
            NotificationKind::NS => {
                assert_eq!(n.lista_errori.len(), 1);
                assert_eq!(n.lista_errori[0].codice, "00100");
                assert_eq!(
                    n.lista_errori[0].descrizione.as_deref(),
                    Some("Certificato di firma scaduto")
                );
                assert!(html.contains("Certificato di firma scaduto"));
            }
            NotificationKind::NE => {
                let e = n.esito_committente.as_ref().expect("esito");
                assert_eq!(e.esito.code(), "EC01");
                assert_eq!(
                    e.riferimento_fattura
                        .as_ref()
                        .and_then(|r| r.numero_fattura.as_deref()),
                    Some("1111")
                );
            }
            NotificationKind::MC if n.flow == SdiFlow::B2b => {
                assert_eq!(n.identificativo_sdi.as_deref(), Some("141107829"));
                assert_eq!(n.data_messa_a_disposizione.as_deref(), Some("2019-01-05"));
            }
            NotificationKind::RC if n.flow == SdiFlow::B2b => {
                assert_eq!(
                    n.data_ora_consegna.as_deref(),
                    Some("2018-11-13T16:47:32.000+01:00")
                );
                assert!(n.has_xml_signature);
            }
            NotificationKind::MT if n.flow == SdiFlow::B2b => {
                assert_eq!(n.formato.as_deref(), Some("FPR12"))
            }
            NotificationKind::SE => assert_eq!(n.scarto.as_ref().map(|s| s.code()), Some("EN00")),
            _ => {}
        }
    }
    assert_eq!(
        seen, 12,
        "9 PA-flow samples (AT DT EC MC MT NE NS RC SE) + MT, RC, MC of the B2B flow from real PEC"
    );
}

#[test]
fn formats_encodings_and_prefixes() {
    let Some(root) = corpus_for_test() else {
        return;
    };
    let read = |p: &str| std::fs::read(root.join("fatturapa").join(p)).expect("read");
    let fsm = parse_invoice(&read("dotnet/IT01234567890_FSM10.xml")).expect("FSM10");
    assert_eq!(fsm.format, Format::FSM10);
    assert_eq!(
        fsm.header.cedente_prestatore.display_name(),
        "SOCIETA' ALPHA SRL"
    );
    assert_eq!(
        fsm.header.cessionario_committente.display_name(),
        "BETA GAMMA"
    );
    assert_eq!(
        fsm.bodies[0].documento().tipo_documento,
        TipoDocumento::TD07
    );
    assert_eq!(fsm.bodies[0].total(), dec("25.00"));
    // windows-1252 and UTF-8 versions of the same invoice read the same.
    let utf8 = parse_invoice(&read("dotnet/IT02182030391_32.xml")).expect("utf8");
    let cp = parse_invoice(&read("dotnet/IT02182030391_32.windows-1252.xml")).expect("cp1252");
    assert_eq!(
        utf8.bodies[0].dettaglio_linee[0].descrizione,
        cp.bodies[0].dettaglio_linee[0].descrizione
    );
    assert_eq!(utf8.bodies[0].total(), cp.bodies[0].total());
    assert!(cp.warnings.is_empty(), "{:?}", cp.warnings);
    // BOM + q1: prefix, and a file without XML declaration.
    assert_eq!(
        parse_invoice(&read("oca-l10n-italy/fatturapa_in/IT01234567890_FPR14.xml"))
            .expect("bom")
            .format,
        Format::FPR12
    );
    assert!(
        parse_invoice(&read(
            "oca-l10n-italy/fatturapa_in/IT05979361218_no_decl.xml"
        ))
        .is_ok()
    );
    // Attachment names with "/" are made safe.
    let pec = parse_invoice(&read(
        "oca-l10n-italy/extracted-from-pec/IT02652600210_00007.xml",
    ))
    .expect("pec invoice");
    let a = &pec.bodies[0].allegati[0];
    assert_eq!(a.nome_attachment, "FATT/2018/0003.pdf");
    assert_eq!(a.safe_file_name(0), "0003.pdf");
    assert!(a.data.starts_with(b"%PDF"));
}

#[test]
fn jumbo_files_parse_safely_and_limits_hold() {
    let Some(root) = corpus_for_test() else {
        return;
    };
    for f in ["jumbo_Causale.xml", "jumbo_FatturaElettronicaHeader.xml"] {
        let data = std::fs::read(root.join("fatturapa/simevo/malicious").join(f)).expect("read");
        let inv = parse_invoice(&data).expect("a big but well-formed file parses");
        assert_eq!(inv.bodies[0].documento().numero, "123");
    }
    let huge = vec![b' '; pec_core::limits::MAX_XML_BYTES + 1];
    assert!(matches!(
        parse_document(&huge),
        Err(FatturaError::Xml(XmlError::TooLarge { .. }))
    ));
}
