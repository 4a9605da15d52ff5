//! Generated invoices for benches, fuzz seeds and tests: a valid FPR12 file with `lines` detail lines,
//! several VAT rates, a non-taxable nature, discounts, and a declared total that matches its VAT
//! summary (decimal arithmetic, no floats).

use rust_decimal::{Decimal, RoundingStrategy};
use std::fmt::Write;

/// An FPR12 invoice with `lines` lines (`lines` ≥ 1), about 470 bytes per line.
pub fn invoice_xml(lines: usize) -> String {
    let lines = lines.max(1);
    let mut out = String::with_capacity(4096 + lines * 520);
    out.push_str(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<p:FatturaElettronica versione="FPR12" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:p="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <FatturaElettronicaHeader>
    <DatiTrasmissione>
      <IdTrasmittente><IdPaese>IT</IdPaese><IdCodice>01234567890</IdCodice></IdTrasmittente>
      <ProgressivoInvio>B0001</ProgressivoInvio>
      <FormatoTrasmissione>FPR12</FormatoTrasmissione>
      <CodiceDestinatario>ABC1234</CodiceDestinatario>
    </DatiTrasmissione>
    <CedentePrestatore>
      <DatiAnagrafici>
        <IdFiscaleIVA><IdPaese>IT</IdPaese><IdCodice>01234567890</IdCodice></IdFiscaleIVA>
        <Anagrafica><Denominazione>FORNITURE &amp; SERVIZI GENERATI SRL</Denominazione></Anagrafica>
        <RegimeFiscale>RF01</RegimeFiscale>
      </DatiAnagrafici>
      <Sede><Indirizzo>VIA DEI MILLE</Indirizzo><NumeroCivico>1</NumeroCivico><CAP>20121</CAP><Comune>MILANO</Comune><Provincia>MI</Provincia><Nazione>IT</Nazione></Sede>
      <IscrizioneREA><Ufficio>MI</Ufficio><NumeroREA>123456</NumeroREA><CapitaleSociale>10000.00</CapitaleSociale><SocioUnico>SM</SocioUnico><StatoLiquidazione>LN</StatoLiquidazione></IscrizioneREA>
    </CedentePrestatore>
    <CessionarioCommittente>
      <DatiAnagrafici>
        <IdFiscaleIVA><IdPaese>IT</IdPaese><IdCodice>09876543210</IdCodice></IdFiscaleIVA>
        <Anagrafica><Denominazione>CLIENTE DI PROVA SPA</Denominazione></Anagrafica>
      </DatiAnagrafici>
      <Sede><Indirizzo>CORSO ITALIA 10</Indirizzo><CAP>00198</CAP><Comune>ROMA</Comune><Provincia>RM</Provincia><Nazione>IT</Nazione></Sede>
    </CessionarioCommittente>
  </FatturaElettronicaHeader>
  <FatturaElettronicaBody>
    <DatiGenerali>
      <DatiGeneraliDocumento>
        <TipoDocumento>TD01</TipoDocumento>
        <Divisa>EUR</Divisa>
        <Data>2025-04-30</Data>
        <Numero>GEN/2025/"#,
    );
    let _ = write!(out, "{lines}");
    out.push_str("</Numero>\n");
    let mut body = String::with_capacity(lines * 520);
    // (rate, natura) -> imponibile
    let mut by_rate: Vec<(Decimal, Option<&str>, Decimal)> = Vec::new();
    for i in 1..=lines {
        let qty = Decimal::from((i % 7 + 1) as i64);
        let price = Decimal::new(((i % 13) as i64 + 1) * 100 + 50, 2);
        let (rate, natura) = if i % 11 == 0 {
            (Decimal::ZERO, Some("N4"))
        } else if i % 5 == 0 {
            (Decimal::new(1000, 2), None)
        } else {
            (Decimal::new(2200, 2), None)
        };
        let gross = qty * price;
        let discount = i % 4 == 0;
        let total = if discount {
            (gross * Decimal::new(90, 2))
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        } else {
            gross
        };
        let _ = write!(
            body,
            "      <DettaglioLinee>\n        <NumeroLinea>{i}</NumeroLinea>\n        <CodiceArticolo><CodiceTipo>SKU</CodiceTipo><CodiceValore>ART-{i:06}</CodiceValore></CodiceArticolo>\n        <Descrizione>Articolo di prova numero {i} &lt;confezione da {qty}&gt; con descrizione estesa</Descrizione>\n        <Quantita>{qty}.00</Quantita>\n        <UnitaMisura>PZ</UnitaMisura>\n        <PrezzoUnitario>{price}</PrezzoUnitario>\n"
        );
        if discount {
            body.push_str("        <ScontoMaggiorazione><Tipo>SC</Tipo><Percentuale>10.00</Percentuale></ScontoMaggiorazione>\n");
        }
        let _ = write!(
            body,
            "        <PrezzoTotale>{total:.2}</PrezzoTotale>\n        <AliquotaIVA>{rate:.2}</AliquotaIVA>\n"
        );
        if let Some(n) = natura {
            let _ = writeln!(body, "        <Natura>{n}</Natura>");
        }
        let _ = write!(
            body,
            "        <AltriDatiGestionali><TipoDato>LOTTO</TipoDato><RiferimentoTesto>L{:05}</RiferimentoTesto></AltriDatiGestionali>\n      </DettaglioLinee>\n",
            i % 97
        );
        match by_rate
            .iter_mut()
            .find(|(r, n, _)| *r == rate && *n == natura)
        {
            Some(entry) => entry.2 += total,
            None => by_rate.push((rate, natura, total)),
        }
    }
    let mut grand = Decimal::ZERO;
    for (rate, natura, imponibile) in &by_rate {
        let imposta = (*imponibile * *rate / Decimal::from(100))
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        grand += *imponibile + imposta;
        let _ = write!(
            body,
            "      <DatiRiepilogo>\n        <AliquotaIVA>{rate:.2}</AliquotaIVA>\n"
        );
        if let Some(n) = natura {
            let _ = writeln!(body, "        <Natura>{n}</Natura>");
        }
        let _ = write!(
            body,
            "        <ImponibileImporto>{imponibile:.2}</ImponibileImporto>\n        <Imposta>{imposta:.2}</Imposta>\n        <EsigibilitaIVA>I</EsigibilitaIVA>\n"
        );
        if natura.is_some() {
            body.push_str(
                "        <RiferimentoNormativo>Esente art. 10 DPR 633/72</RiferimentoNormativo>\n",
            );
        }
        body.push_str("      </DatiRiepilogo>\n");
    }
    let _ = write!(
        out,
        "        <ImportoTotaleDocumento>{grand:.2}</ImportoTotaleDocumento>\n        <Causale>Fattura generata per prove di carico</Causale>\n      </DatiGeneraliDocumento>\n    </DatiGenerali>\n    <DatiBeniServizi>\n"
    );
    out.push_str(&body);
    let _ = write!(
        out,
        "    </DatiBeniServizi>\n    <DatiPagamento>\n      <CondizioniPagamento>TP02</CondizioniPagamento>\n      <DettaglioPagamento>\n        <ModalitaPagamento>MP05</ModalitaPagamento>\n        <DataScadenzaPagamento>2025-05-31</DataScadenzaPagamento>\n        <ImportoPagamento>{grand:.2}</ImportoPagamento>\n        <IstitutoFinanziario>BANCA DI PROVA</IstitutoFinanziario>\n        <IBAN>IT60X0542811101000000123456</IBAN>\n      </DettaglioPagamento>\n    </DatiPagamento>\n  </FatturaElettronicaBody>\n</p:FatturaElettronica>\n"
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fatturapa::{RenderStyle, parse_invoice, render_invoice};

    #[test]
    fn generated_invoice_is_consistent() {
        let xml = invoice_xml(60);
        let inv = parse_invoice(xml.as_bytes()).expect("generated invoice parses");
        let b = &inv.bodies[0];
        assert_eq!(b.dettaglio_linee.len(), 60);
        assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
        assert_eq!(
            b.total(),
            b.computed_total(),
            "declared total matches the VAT summary"
        );
        let lines: Decimal = b
            .dettaglio_linee
            .iter()
            .filter_map(|l| l.prezzo_totale)
            .sum();
        assert_eq!(lines, b.taxable_total());
        assert_eq!(b.payments_total(), b.total());
        let html = render_invoice(&inv, RenderStyle::Compact);
        assert!(html.contains("FORNITURE &amp; SERVIZI GENERATI SRL"));
        assert!(
            html.contains("&lt;confezione da"),
            "markup in values is escaped"
        );
    }
}
