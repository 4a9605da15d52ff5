//! Shapes real files take that the corpus lacks, built in code: FatturaPA 1.1, a default namespace
//! with `xmlns=""` children, ISO-8859-1, processing instructions, a lotto, wrapped base64 attachments
//! with hostile names, missing totals, hostile markup in values.

use pec_core::fatturapa::{
    Document, FatturaError, Format, Natura, RenderStyle, TipoDocumento, XmlError, parse_document,
    parse_invoice, render_invoice, synth,
};
use rust_decimal::Decimal;
use std::str::FromStr;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

fn body(numero: &str, extra_generali: &str, extra_body: &str) -> String {
    format!(
        r#"<FatturaElettronicaBody xmlns="">
    <DatiGenerali><DatiGeneraliDocumento><TipoDocumento>TD04</TipoDocumento><Divisa>EUR</Divisa><Data>2024-02-29</Data><Numero>{numero}</Numero>{extra_generali}</DatiGeneraliDocumento></DatiGenerali>
    <DatiBeniServizi>
      <DettaglioLinee><NumeroLinea>1</NumeroLinea><Descrizione>Caffè &amp; "tè" &lt;b&gt;grassetto&lt;/b&gt; <![CDATA[<script>alert(1)</script>]]></Descrizione><Quantita>3</Quantita><PrezzoUnitario>1234.5</PrezzoUnitario><PrezzoTotale>3703.50</PrezzoTotale><AliquotaIVA>0.00</AliquotaIVA><Natura>N3.5</Natura></DettaglioLinee>
      <DettaglioLinee><NumeroLinea>2</NumeroLinea><Descrizione>Riga due</Descrizione><PrezzoUnitario>100.00</PrezzoUnitario><PrezzoTotale>100.00</PrezzoTotale><AliquotaIVA>22.00</AliquotaIVA></DettaglioLinee>
      <DatiRiepilogo><AliquotaIVA>0.00</AliquotaIVA><Natura>N3.5</Natura><ImponibileImporto>3703.50</ImponibileImporto><Imposta>0.00</Imposta><RiferimentoNormativo>Art. 8 c.1 lett. c</RiferimentoNormativo></DatiRiepilogo>
      <DatiRiepilogo><AliquotaIVA>22.00</AliquotaIVA><ImponibileImporto>100.00</ImponibileImporto><Imposta>22.00</Imposta><EsigibilitaIVA>S</EsigibilitaIVA></DatiRiepilogo>
    </DatiBeniServizi>
    {extra_body}
  </FatturaElettronicaBody>"#
    )
}

const HEADER: &str = r#"<FatturaElettronicaHeader xmlns="">
    <DatiTrasmissione><IdTrasmittente><IdPaese>IT</IdPaese><IdCodice>01234567890</IdCodice></IdTrasmittente><ProgressivoInvio>1</ProgressivoInvio><FormatoTrasmissione>FPR12</FormatoTrasmissione><CodiceDestinatario>0000000</CodiceDestinatario></DatiTrasmissione>
    <CedentePrestatore><DatiAnagrafici><IdFiscaleIVA><IdPaese>IT</IdPaese><IdCodice>01234567890</IdCodice></IdFiscaleIVA><Anagrafica><Nome>Mario</Nome><Cognome>Rossi</Cognome></Anagrafica><RegimeFiscale>RF19</RegimeFiscale></DatiAnagrafici><Sede><Indirizzo>Via Roma</Indirizzo><CAP>00100</CAP><Comune>Roma</Comune><Nazione>IT</Nazione></Sede></CedentePrestatore>
    <CessionarioCommittente><DatiAnagrafici><CodiceFiscale>RSSMRA80A01H501U</CodiceFiscale><Anagrafica><Denominazione>Cliente "Virgolette" &amp; C.</Denominazione></Anagrafica></DatiAnagrafici></CessionarioCommittente>
  </FatturaElettronicaHeader>"#;

#[test]
fn default_namespace_lotto_attachments_and_computed_totals() {
    let attachment_b64 = "JVBERi0xLjQK\n      JSVFT0YK\n"; // "%PDF-1.4\n%%EOF\n" wrapped and indented
    let allegati = format!(
        "<Allegati><NomeAttachment>../../etc/passwd</NomeAttachment><FormatoAttachment>PDF</FormatoAttachment><Attachment>{attachment_b64}</Attachment></Allegati>\
         <Allegati><NomeAttachment>DDT/2024/001</NomeAttachment><FormatoAttachment>pdf</FormatoAttachment><Attachment>{attachment_b64}</Attachment></Allegati>"
    );
    let xml = format!(
        "\u{FEFF}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<?xml-stylesheet type=\"text/xsl\" href=\"fatturaordinaria_v1.2.1.xsl\"?>\n<!-- generated -->\n<FatturaElettronica versione=\"FPR12\" xmlns=\"http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2\">\n  {HEADER}\n  {}\n  {}\n</FatturaElettronica>",
        body("NC/1", "", &allegati),
        body(
            "NC/2",
            "<ImportoTotaleDocumento>9999.99</ImportoTotaleDocumento>",
            ""
        )
    );
    let inv = parse_invoice(xml.as_bytes()).expect("parses");
    assert_eq!(inv.format, Format::FPR12);
    assert_eq!(inv.bodies.len(), 2);
    assert_eq!(inv.header.cedente_prestatore.display_name(), "Mario Rossi");
    let b1 = &inv.bodies[0];
    assert_eq!(b1.documento().tipo_documento, TipoDocumento::TD04);
    assert_eq!(b1.dettaglio_linee[0].natura, Some(Natura::N3_5));
    assert_eq!(
        b1.dettaglio_linee[0].descrizione,
        "Caffè & \"tè\" <b>grassetto</b> <script>alert(1)</script>"
    );
    assert!(b1.total_is_computed());
    assert_eq!(b1.total(), dec("3825.50"), "3703.50 + 0 + 100 + 22");
    assert_eq!(
        inv.bodies[1].total(),
        dec("9999.99"),
        "a declared total is kept even when it disagrees"
    );
    assert_eq!(b1.allegati.len(), 2);
    assert_eq!(b1.allegati[0].data, b"%PDF-1.4\n%%EOF\n");
    assert_eq!(b1.allegati[0].safe_file_name(0), "passwd.pdf");
    assert_eq!(b1.allegati[1].safe_file_name(1), "001.pdf");
    for style in [RenderStyle::Compact, RenderStyle::Ministerial] {
        let html = render_invoice(&inv, style);
        assert!(
            !html.contains("<script>alert"),
            "{style:?}: value not escaped"
        );
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("Cliente &quot;Virgolette&quot; &amp; C."));
        assert!(html.contains("3.825,50"), "{style:?}: Italian total");
        assert!(
            html.contains("NC/1") && html.contains("NC/2"),
            "{style:?}: every body of the lotto"
        );
        assert!(html.contains("@page{size:A4"));
    }
    let m = render_invoice(&inv, RenderStyle::Ministerial);
    assert!(m.contains("TD04 (nota di credito)"));
    assert!(m.contains("N3.5 (non imponibili - a seguito di dichiarazioni d'intento)"));
    assert!(m.contains("S (scissione dei pagamenti)"));
    assert!(m.contains("RF19 (regime forfettario)"));
    assert!(m.contains("2024-02-29 (29 febbraio 2024)"));
    let c = render_invoice(&inv, RenderStyle::Compact);
    assert!(c.contains("29/02/2024") && c.contains("1.234,50") && c.contains("3.703,50"));
}

#[test]
fn iso_8859_1_declared() {
    let mut xml = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><p:FatturaElettronica versione=\"FPA12\" xmlns:p=\"http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2\">".to_vec();
    xml.extend_from_slice(HEADER.replace("Mario", "Nicol\u{1}").as_bytes());
    let text = String::from_utf8(xml)
        .expect("ascii so far")
        .replace('\u{1}', "");
    let mut bytes = text.into_bytes();
    // "Nicolò" in latin-1: the ò is one byte 0xF2.
    let at = bytes.windows(5).position(|w| w == b"Nicol").expect("name") + 5;
    bytes.insert(at, 0xF2);
    bytes.extend_from_slice(body("1", "", "").as_bytes());
    bytes.extend_from_slice(b"</p:FatturaElettronica>");
    let inv = parse_invoice(&bytes).expect("latin-1 parses");
    assert_eq!(inv.format, Format::FPA12);
    assert_eq!(inv.header.cedente_prestatore.display_name(), "Nicolò Rossi");
    assert!(inv.warnings.is_empty());
}

#[test]
fn fatturapa_1_1() {
    let xml = format!(
        "<?xml version=\"1.0\"?><ns2:FatturaElettronica versione=\"1.1\" xmlns:ns2=\"http://www.fatturapa.gov.it/sdi/fatturapa/v1.1\">{}{}</ns2:FatturaElettronica>",
        HEADER.replace("FPR12", "SDI11"),
        body(
            "11",
            "<ImportoTotaleDocumento>3825.50</ImportoTotaleDocumento>",
            ""
        )
    );
    let inv = parse_invoice(xml.as_bytes()).expect("1.1 parses");
    assert_eq!(inv.format, Format::V11);
    assert_eq!(inv.format.as_str(), "1.1");
    assert_eq!(inv.bodies[0].total(), dec("3825.50"));
    assert!(render_invoice(&inv, RenderStyle::Ministerial).contains("Versione 1.1"));
}

#[test]
fn errors_are_typed() {
    let no_body = format!(
        "<p:FatturaElettronica versione=\"FPR12\" xmlns:p=\"http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2\">{HEADER}</p:FatturaElettronica>"
    );
    assert_eq!(
        parse_invoice(no_body.as_bytes()).unwrap_err(),
        FatturaError::MissingElement("FatturaElettronicaBody".into())
    );
    let bad_date = format!(
        "<FatturaElettronica versione=\"FPR12\">{HEADER}{}</FatturaElettronica>",
        body("1", "", "").replace("2024-02-29", "29/02/2024")
    );
    assert!(
        matches!(parse_invoice(bad_date.as_bytes()).unwrap_err(), FatturaError::InvalidValue { ref field, .. } if field.ends_with("/Data"))
    );
    let bad_total = format!(
        "<FatturaElettronica versione=\"FPR12\">{HEADER}{}</FatturaElettronica>",
        body("1", "", "").replace("<Imposta>22.00</Imposta>", "<Imposta>ventidue</Imposta>")
    );
    assert!(matches!(
        parse_invoice(bad_total.as_bytes()).unwrap_err(),
        FatturaError::InvalidValue { .. }
    ));
    assert!(matches!(
        parse_document(b"<Other/>").unwrap_err(),
        FatturaError::NotFatturaPa { .. }
    ));
    let truncated = synth::invoice_xml(5);
    let err = parse_document(&truncated.as_bytes()[..truncated.len() / 2]).unwrap_err();
    assert!(
        matches!(
            err,
            FatturaError::Xml(XmlError::Truncated) | FatturaError::Xml(XmlError::Malformed { .. })
        ),
        "{err:?}"
    );
    let nested = format!(
        "<FatturaElettronica>{}{}</FatturaElettronica>",
        "<x>".repeat(100),
        "</x>".repeat(100)
    );
    assert!(matches!(
        parse_document(nested.as_bytes()).unwrap_err(),
        FatturaError::Xml(XmlError::TooDeep(_))
    ));
    // Every error reads as a sentence.
    assert!(
        FatturaError::Xml(XmlError::Doctype)
            .to_string()
            .contains("DTD")
    );
}

#[test]
fn big_generated_invoices_keep_their_totals() {
    for n in [1_000, 5_000] {
        let xml = synth::invoice_xml(n);
        let Document::Invoice(inv) = parse_document(xml.as_bytes()).expect("parses") else {
            panic!("invoice")
        };
        let b = &inv.bodies[0];
        assert_eq!(b.dettaglio_linee.len(), n);
        assert!(!b.total_is_computed());
        assert_eq!(b.total(), b.computed_total());
        let c = render_invoice(&inv, RenderStyle::Compact);
        let m = render_invoice(&inv, RenderStyle::Ministerial);
        assert!(
            c.contains(&format!("ART-{n:06}")) && m.contains(&format!("ART-{n:06}")),
            "the last line is rendered"
        );
    }
}
