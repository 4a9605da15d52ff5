//! HTML rendering: two styles for invoices, a summary for SdI messages.
//!
//! Templates are compiled (maud): every value is HTML-escaped, the output is one self-contained
//! document (inline CSS, no script, no remote resource), laid out for A4 printing.

use super::codes::*;
use super::format;
use super::model::*;
use super::open::{Integrity, Opened};
use super::parse::Document;
use chrono::NaiveDate;
use maud::{DOCTYPE, Markup, PreEscaped, Render, html};
use rust_decimal::Decimal;

/// Which layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RenderStyle {
    /// A paper-invoice layout: parties, document row, lines table, VAT summary, payment, attachments.
    #[default]
    Compact,
    /// Every section of the official SdI stylesheet, as labelled values, codes with descriptions.
    Ministerial,
}

impl std::str::FromStr for RenderStyle {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "compact" => Ok(RenderStyle::Compact),
            "ministerial" => Ok(RenderStyle::Ministerial),
            other => Err(format!("unknown style {other:?} (compact|ministerial)")),
        }
    }
}

// ---- small renderable wrappers -------------------------------------------------------------

/// An amount in Italian format.
struct Amt<'a>(&'a Decimal);
impl Render for Amt<'_> {
    fn render_to(&self, buf: &mut String) {
        format::write_amount(self.0, buf);
    }
}

/// A percentage / rate keeping its decimals.
struct Num<'a>(&'a Decimal);
impl Render for Num<'_> {
    fn render_to(&self, buf: &mut String) {
        format::write_number(self.0, buf);
    }
}

/// dd/mm/yyyy.
struct Dt<'a>(&'a NaiveDate);
impl Render for Dt<'_> {
    fn render_to(&self, buf: &mut String) {
        buf.push_str(&format::date(self.0));
    }
}

/// "2014-12-18 (18 dicembre 2014)".
struct DtLong<'a>(&'a NaiveDate);
impl Render for DtLong<'_> {
    fn render_to(&self, buf: &mut String) {
        buf.push_str(&format::date_long(self.0));
    }
}

/// An SdI date-time.
struct DtTime<'a>(&'a str);
impl Render for DtTime<'_> {
    fn render_to(&self, buf: &mut String) {
        format::datetime(self.0).render_to(buf);
    }
}

macro_rules! render_codes {
    ($($t:ty),*) => {$(
        impl Render for $t {
            fn render_to(&self, buf: &mut String) {
                self.label().render_to(buf);
            }
        }
    )*};
}
render_codes!(
    TipoDocumento,
    RegimeFiscale,
    Natura,
    ModalitaPagamento,
    CondizioniPagamento,
    TipoRitenuta,
    CausalePagamento,
    TipoCassa,
    EsigibilitaIva,
    TipoScontoMaggiorazione,
    TipoCessionePrestazione,
    SoggettoEmittente,
    SocioUnico,
    StatoLiquidazione,
    FormatoTrasmissione,
    EsitoCommittente,
    ScartoEsito
);

/// `<li>Label: value</li>` when the value is present, nothing otherwise.
struct Kv<'a, T: Render>(&'a str, Option<T>);
impl<T: Render> Render for Kv<'_, T> {
    fn render_to(&self, buf: &mut String) {
        if let Some(v) = &self.1 {
            buf.push_str("<li><span class=\"l\">");
            self.0.render_to(buf);
            buf.push_str(":</span> <span class=\"v\">");
            v.render_to(buf);
            buf.push_str("</span></li>");
        }
    }
}

fn yes(b: bool) -> Option<&'static str> {
    b.then_some("SI")
}

const CSS_BASE: &str = r#"
*{box-sizing:border-box}
body{font-family:"Helvetica Neue",Arial,sans-serif;font-size:10pt;color:#111;margin:0;padding:12px;background:#fff}
h1{font-size:15pt;margin:0 0 6px}
h2{font-size:12.5pt;margin:14px 0 6px;border-bottom:2px solid #1d4f91;color:#1d4f91}
h3{font-size:11pt;margin:10px 0 4px;color:#1d4f91}
h4{font-size:10pt;margin:8px 0 2px}
table{border-collapse:collapse;width:100%;margin:4px 0}
th,td{border:1px solid #9aa5b1;padding:3px 5px;vertical-align:top;text-align:left}
th{background:#e8eef6;font-weight:600;font-size:9pt}
td.n,th.n{text-align:right;white-space:nowrap}
.muted{color:#555}
.banner{padding:6px 8px;margin:0 0 8px;border-radius:3px;font-weight:600}
.ok{background:#e3f4e6;border:1px solid #5a9e67}
.warn{background:#fff4d6;border:1px solid #c9a43b}
.bad{background:#fde4e1;border:1px solid #c2483b}
ul.kv{list-style:none;margin:2px 0;padding:0}
ul.kv li{margin:1px 0}
ul.kv .l{color:#444}
ul.kv .v{font-weight:600;white-space:pre-wrap;word-break:break-word}
.doc{page-break-inside:auto}
.doc+.doc{page-break-before:always;break-before:page;border-top:3px double #1d4f91;margin-top:18px;padding-top:8px}
@media print{.doc+.doc{border-top:none;margin-top:0;padding-top:0}}
tr{page-break-inside:avoid;break-inside:avoid}
@page{size:A4;margin:12mm}
@media print{body{padding:0;font-size:9pt}.banner{border-width:1px}}
"#;

const CSS_COMPACT: &str = r#"
.parties{display:flex;gap:10px}
.party{flex:1;border:1px solid #9aa5b1;padding:6px 8px;border-radius:3px}
.party .role{font-size:8.5pt;text-transform:uppercase;color:#1d4f91;font-weight:700}
.party .name{font-size:11.5pt;font-weight:700;margin:2px 0}
.totals{width:auto;margin-left:auto;min-width:45%}
.totals td{border:none;border-bottom:1px solid #d5dbe2}
.totals tr.grand td{font-size:12pt;font-weight:700;border-bottom:2px solid #1d4f91}
.desc{white-space:pre-wrap;word-break:break-word}
"#;

const CSS_MINISTERIAL: &str = r#"
.box{border:1px solid #9aa5b1;padding:4px 8px;margin:4px 0;border-radius:3px}
.line{border-top:1px dashed #b7c0ca;padding-top:3px;margin-top:3px}
.versione{font-size:11pt;color:#444}
"#;

fn page(title: &str, extra_css: &str, banner: Option<Markup>, content: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="it" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:";
                title { (title) }
                style { (PreEscaped(CSS_BASE)) (PreEscaped(extra_css)) }
            }
            body {
                @if let Some(b) = banner { (b) }
                (content)
            }
        }
    }
    .into_string()
}

/// Render any parsed document in the given style (messages have a single style).
pub fn render_document(doc: &Document, style: RenderStyle) -> String {
    match doc {
        Document::Invoice(inv) => render_invoice(inv, style),
        Document::Notification(n) => render_notification(n),
    }
}

/// Render an opened file, with a banner stating whether a signature proves the content intact.
pub fn render_opened(opened: &Opened, style: RenderStyle) -> String {
    let banner = signature_banner(opened);
    match &opened.document {
        Document::Invoice(inv) => render_invoice_with(inv, style, Some(banner)),
        Document::Notification(n) => render_notification_with(n, Some(banner)),
    }
}

fn signature_banner(opened: &Opened) -> Markup {
    let signer = opened.signature.as_ref().and_then(|r| r.signer_cn.clone());
    let when = opened
        .signature
        .as_ref()
        .and_then(|r| r.signing_time)
        .map(|t| t.format("%d/%m/%Y %H:%M").to_string());
    let xades = match &opened.document {
        Document::Invoice(i) => i.has_xml_signature,
        Document::Notification(n) => n.has_xml_signature,
    };
    html! {
        @match opened.integrity {
            Integrity::SignedIntact { trusted: true } => div.banner.ok {
                "Firma digitale valida: contenuto integro"
                @if let Some(s) = &signer { " — firmato da " (s) }
                @if let Some(w) = &when { " il " (w) }
            },
            Integrity::SignedIntact { trusted: false } => div.banner.warn {
                "Contenuto integro, ma il certificato del firmatario non è riconosciuto come affidabile"
                @if let Some(s) = &signer { " — firmato da " (s) }
                @if let Some(w) = &when { " il " (w) }
            },
            Integrity::NotSigned if xades => div.banner.warn { "Il file contiene una firma XAdES, non verificata: il contenuto non è garantito integro" },
            Integrity::NotSigned => div.banner.warn { "File non firmato: nessuna firma ne garantisce l'integrità" },
        }
    }
}

/// Render an invoice as a self-contained HTML document.
pub fn render_invoice(inv: &FatturaElettronica, style: RenderStyle) -> String {
    render_invoice_with(inv, style, None)
}

fn render_invoice_with(
    inv: &FatturaElettronica,
    style: RenderStyle,
    banner: Option<Markup>,
) -> String {
    let title = match inv.bodies.first() {
        Some(b) if inv.bodies.len() == 1 => format!(
            "Fattura {} del {} — {}",
            b.documento().numero,
            format::date(&b.documento().data),
            inv.header.cedente_prestatore.display_name()
        ),
        _ => format!(
            "Lotto di {} fatture — {}",
            inv.bodies.len(),
            inv.header.cedente_prestatore.display_name()
        ),
    };
    match style {
        RenderStyle::Compact => page(&title, CSS_COMPACT, banner, compact(inv)),
        RenderStyle::Ministerial => page(&title, CSS_MINISTERIAL, banner, ministerial(inv)),
    }
}

// ---- compact -------------------------------------------------------------------------------

fn party_box(role: &str, s: &Soggetto) -> Markup {
    let da = &s.dati_anagrafici;
    html! {
        div.party {
            div.role { (role) }
            div.name { (s.display_name()) }
            @if let Some(id) = &da.id_fiscale_iva { div { "P.IVA " (id.joined()) } }
            @if let Some(cf) = &da.codice_fiscale { div { "Cod. fiscale " (cf) } }
            @if let Some(sede) = &s.sede { div { (sede.one_line()) } }
            @if let Some(rf) = &da.regime_fiscale { div.muted { "Regime fiscale " (rf) } }
            @if let Some(c) = &s.contatti {
                @if let Some(t) = &c.telefono { div.muted { "Tel. " (t) } }
                @if let Some(e) = &c.email { div.muted { "E-mail " (e) } }
            }
            @if let Some(rea) = &s.iscrizione_rea {
                @if let (Some(u), Some(n)) = (&rea.ufficio, &rea.numero_rea) { div.muted { "REA " (u) "-" (n) } }
            }
        }
    }
}

fn sconti_text(s: &[ScontoMaggiorazione]) -> String {
    s.iter()
        .map(|x| {
            let sign = if x.tipo == TipoScontoMaggiorazione::MG {
                "+"
            } else {
                "-"
            };
            match (&x.percentuale, &x.importo) {
                (Some(p), _) => format!("{sign}{}%", format::number(p)),
                (None, Some(i)) => format!("{sign}{}", format::amount(i)),
                (None, None) => x.tipo.code().to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn compact_body(inv: &FatturaElettronica, b: &Body, index: usize) -> Markup {
    let d = b.documento();
    let h = &inv.header;
    let simplified = inv.format == Format::FSM10;
    let vat_label = |l: &DettaglioLinea| -> String {
        match (&l.natura, &l.aliquota_iva) {
            (Some(n), _) => n.code().to_string(),
            (None, Some(a)) => format::number(a),
            (None, None) => String::new(),
        }
    };
    html! {
        div.doc {
            h1 {
                (d.tipo_documento.description().map(capitalize).unwrap_or_else(|| d.tipo_documento.code().to_string()))
                " n. " (d.numero) " del " (Dt(&d.data))
                @if inv.bodies.len() > 1 { span.muted { " (" (index + 1) " di " (inv.bodies.len()) ")" } }
            }
            div.parties {
                (party_box("Cedente / prestatore", &h.cedente_prestatore))
                (party_box("Cessionario / committente", &h.cessionario_committente))
            }
            table {
                tr { th { "Tipologia documento" } th { "Numero" } th { "Data" } th { "Codice destinatario" } th { "Divisa" } }
                tr {
                    td { (d.tipo_documento) }
                    td { (d.numero) }
                    td { (Dt(&d.data)) }
                    td {
                        (h.dati_trasmissione.codice_destinatario.as_deref().unwrap_or(""))
                        @if let Some(p) = &h.dati_trasmissione.pec_destinatario { " / " (p) }
                    }
                    td { (d.divisa) }
                }
            }
            @if !d.causale.is_empty() { p.desc { b { "Causale: " } (d.causale.join(" ")) } }
            @for f in &b.dati_generali.dati_fatture_collegate {
                @if let Some(id) = &f.id_documento { p.muted { "Fattura collegata n. " (id) @if let Some(dd) = &f.data { " del " (Dt(dd)) } } }
            }
            @for o in &b.dati_generali.dati_ordine_acquisto {
                @if let Some(id) = &o.id_documento { p.muted { "Ordine n. " (id) @if let Some(dd) = &o.data { " del " (Dt(dd)) } @if let Some(c) = &o.codice_cig { " CIG " (c) } @if let Some(c) = &o.codice_cup { " CUP " (c) } } }
            }
            @for t in &b.dati_generali.dati_ddt {
                p.muted { "DDT n. " (t.numero_ddt.as_deref().unwrap_or("")) @if let Some(dd) = &t.data_ddt { " del " (Dt(dd)) } }
            }
            table {
                @if simplified {
                    tr { th { "Descrizione" } th.n { "%IVA / Natura" } th.n { "Imposta" } th.n { "Importo" } }
                    @for l in &b.dettaglio_linee {
                        tr {
                            td.desc { (l.descrizione) }
                            td.n { (vat_label(l)) }
                            td.n { @if let Some(v) = &l.imposta_semplificata { (Amt(v)) } }
                            td.n { @if let Some(v) = &l.importo_semplificata { (Amt(v)) } }
                        }
                    }
                } @else {
                    tr { th { "Cod. articolo" } th { "Descrizione" } th.n { "Quantità" } th.n { "Prezzo unitario" } th { "UM" } th.n { "Sconto / magg." } th.n { "%IVA" } th.n { "Prezzo totale" } }
                    @for l in &b.dettaglio_linee {
                        tr {
                            td { @for (i, c) in l.codice_articolo.iter().enumerate() { @if i > 0 { br; } (c.codice_valore) } }
                            td.desc {
                                (l.descrizione)
                                @if let (Some(a), Some(z)) = (&l.data_inizio_periodo, &l.data_fine_periodo) { br; span.muted { "Periodo " (Dt(a)) " – " (Dt(z)) } }
                            }
                            td.n { @if let Some(q) = &l.quantita { (Amt(q)) } }
                            td.n { @if let Some(p) = &l.prezzo_unitario { (Amt(p)) } }
                            td { (l.unita_misura.as_deref().unwrap_or("")) }
                            td.n { (sconti_text(&l.sconto_maggiorazione)) }
                            td.n { (vat_label(l)) }
                            td.n { @if let Some(p) = &l.prezzo_totale { (Amt(p)) } }
                        }
                    }
                }
            }
            h3 { "Riepiloghi IVA e totali" }
            @if !b.dati_riepilogo.is_empty() {
                table {
                    tr { th { "Aliquota IVA / Natura" } th { "Esigibilità" } th { "Riferimento normativo" } th.n { "Imponibile" } th.n { "Imposta" } }
                    @for r in &b.dati_riepilogo {
                        tr {
                            td { (Num(&r.aliquota_iva)) "%" @if let Some(n) = &r.natura { " — " (n) } }
                            td { @if let Some(e) = &r.esigibilita_iva { (e) } }
                            td { (r.riferimento_normativo.as_deref().unwrap_or("")) }
                            td.n { (Amt(&r.imponibile_importo)) }
                            td.n { (Amt(&r.imposta)) }
                        }
                    }
                }
            }
            table.totals {
                @if !b.dati_riepilogo.is_empty() {
                    tr { td { "Totale imponibile" } td.n { (Amt(&b.taxable_total())) } }
                }
                tr { td { "Totale IVA" } td.n { (Amt(&b.tax_total())) } }
                @for c in &d.dati_cassa_previdenziale {
                    @if let Some(v) = &c.importo_contributo_cassa { tr { td { "Contributo " (c.tipo_cassa.code()) } td.n { (Amt(v)) } } }
                }
                @if let Some(bollo) = &d.dati_bollo { @if let Some(v) = &bollo.importo_bollo { tr { td { "Bollo" } td.n { (Amt(v)) } } } }
                @if let Some(a) = &d.arrotondamento { tr { td { "Arrotondamento" } td.n { (Amt(a)) } } }
                tr.grand {
                    td { "Totale documento" @if b.total_is_computed() { span.muted { " (calcolato)" } } }
                    td.n { (Amt(&b.total())) " " (d.divisa) }
                }
                @for r in &d.dati_ritenuta {
                    @if let Some(v) = &r.importo_ritenuta { tr { td { "Ritenuta " (r.tipo_ritenuta.description().unwrap_or(r.tipo_ritenuta.code())) } td.n { "-" (Amt(v)) } } }
                }
                @let netto = b.payments_total();
                @if !netto.is_zero() && netto != b.total() { tr { td { "Netto a pagare" } td.n { (Amt(&netto)) " " (d.divisa) } } }
            }
            @if !b.dati_pagamento.is_empty() {
                h3 { "Pagamento" }
                table {
                    tr { th { "Modalità" } th { "Scadenza" } th.n { "Importo" } th { "IBAN" } th { "Istituto / beneficiario" } }
                    @for p in &b.dati_pagamento {
                        @for dp in &p.dettaglio_pagamento {
                            tr {
                                td { (dp.modalita_pagamento) br; span.muted { (p.condizioni_pagamento) } }
                                td { @if let Some(s) = &dp.data_scadenza_pagamento { (Dt(s)) } }
                                td.n { @if let Some(i) = &dp.importo_pagamento { (Amt(i)) } }
                                td { (dp.iban.as_deref().unwrap_or("")) }
                                td {
                                    (dp.istituto_finanziario.as_deref().unwrap_or(""))
                                    @if let Some(be) = &dp.beneficiario { br; (be) }
                                }
                            }
                        }
                    }
                }
            }
            @if !b.allegati.is_empty() {
                h3 { "Allegati" }
                table {
                    tr { th { "Nome" } th { "Formato" } th { "Descrizione" } th.n { "Dimensione" } }
                    @for a in &b.allegati {
                        tr { td { (a.nome_attachment) } td { (a.formato_attachment.as_deref().unwrap_or("")) } td { (a.descrizione_attachment.as_deref().unwrap_or("")) } td.n { (format_size(a.size)) } }
                    }
                }
            }
        }
    }
}

fn format_size(n: usize) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MB", n as f64 / (1024.0 * 1024.0)).replace('.', ",")
    } else if n >= 1024 {
        format!("{} KB", n.div_ceil(1024))
    } else {
        format!("{n} byte")
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn compact(inv: &FatturaElettronica) -> Markup {
    html! {
        @for (i, b) in inv.bodies.iter().enumerate() { (compact_body(inv, b, i)) }
        @if !inv.warnings.is_empty() {
            div.banner.warn { "Avvisi di lettura: " (inv.warnings.join("; ")) }
        }
    }
}

// ---- ministerial ---------------------------------------------------------------------------

fn anagrafici_kv(da: &DatiAnagrafici) -> Markup {
    html! {
        (Kv("Identificativo fiscale ai fini IVA", da.id_fiscale_iva.as_ref().map(IdFiscale::joined)))
        (Kv("Codice fiscale", da.codice_fiscale.as_ref()))
        (Kv("Denominazione", da.anagrafica.denominazione.as_ref()))
        (Kv("Nome", da.anagrafica.nome.as_ref()))
        (Kv("Cognome", da.anagrafica.cognome.as_ref()))
        (Kv("Titolo onorifico", da.anagrafica.titolo.as_ref()))
        (Kv("Codice EORI", da.anagrafica.cod_eori.as_ref()))
        (Kv("Albo professionale di appartenenza", da.albo_professionale.as_ref()))
        (Kv("Provincia di competenza dell'Albo", da.provincia_albo.as_ref()))
        (Kv("Numero iscrizione all'Albo", da.numero_iscrizione_albo.as_ref()))
        (Kv("Data iscrizione all'Albo", da.data_iscrizione_albo.as_ref().map(DtLong)))
        (Kv("Regime fiscale", da.regime_fiscale.as_ref()))
        (Kv("Numero licenza di guida", da.numero_licenza_guida.as_ref()))
    }
}

fn indirizzo_kv(i: &Indirizzo) -> Markup {
    html! {
        ul.kv {
            (Kv("Indirizzo", i.indirizzo.as_ref()))
            (Kv("Numero civico", i.numero_civico.as_ref()))
            (Kv("CAP", i.cap.as_ref()))
            (Kv("Comune", i.comune.as_ref()))
            (Kv("Provincia", i.provincia.as_ref()))
            (Kv("Nazione", i.nazione.as_ref()))
        }
    }
}

fn soggetto_section(title: &str, s: &Soggetto) -> Markup {
    html! {
        div.box {
            h3 { (title) }
            h4 { "Dati anagrafici" }
            ul.kv { (anagrafici_kv(&s.dati_anagrafici)) }
            @if let Some(sede) = &s.sede { h4 { "Dati della sede" } (indirizzo_kv(sede)) }
            @if let Some(so) = &s.stabile_organizzazione { h4 { "Dati della stabile organizzazione" } (indirizzo_kv(so)) }
            @if let Some(r) = &s.iscrizione_rea {
                h4 { "Dati di iscrizione nel registro delle imprese" }
                ul.kv {
                    (Kv("Provincia Ufficio Registro Imprese", r.ufficio.as_ref()))
                    (Kv("Numero di iscrizione", r.numero_rea.as_ref()))
                    (Kv("Capitale sociale", r.capitale_sociale.as_ref().map(Amt)))
                    (Kv("Numero soci", r.socio_unico.as_ref()))
                    (Kv("Stato di liquidazione", r.stato_liquidazione.as_ref()))
                }
            }
            @if let Some(c) = &s.contatti {
                h4 { "Recapiti" }
                ul.kv { (Kv("Telefono", c.telefono.as_ref())) (Kv("Fax", c.fax.as_ref())) (Kv("E-mail", c.email.as_ref())) }
            }
            @if let Some(r) = &s.riferimento_amministrazione { h4 { "Riferimento amministrativo" } ul.kv { (Kv("Riferimento", Some(r))) } }
            @if let Some(r) = &s.rappresentante_fiscale {
                h4 { "Dati del rappresentante fiscale" }
                ul.kv {
                    (Kv("Identificativo fiscale ai fini IVA", r.id_fiscale_iva.as_ref().map(IdFiscale::joined)))
                    (Kv("Denominazione", r.denominazione.as_ref()))
                    (Kv("Nome", r.nome.as_ref()))
                    (Kv("Cognome", r.cognome.as_ref()))
                }
            }
        }
    }
}

fn correlati_section(title: &str, items: &[DatiDocumentoCorrelato]) -> Markup {
    html! {
        @if !items.is_empty() {
            div.box {
                h3 { (title) }
                @for x in items {
                    ul.kv.line {
                        (Kv("Numero linea di fattura a cui si riferisce", (!x.riferimento_numero_linea.is_empty()).then(|| x.riferimento_numero_linea.join(", "))))
                        (Kv("Identificativo documento", x.id_documento.as_ref()))
                        (Kv("Data documento", x.data.as_ref().map(DtLong)))
                        (Kv("Numero linea documento", x.num_item.as_ref()))
                        (Kv("Codice commessa/convenzione", x.codice_commessa_convenzione.as_ref()))
                        (Kv("Codice Unitario Progetto (CUP)", x.codice_cup.as_ref()))
                        (Kv("Codice Identificativo Gara (CIG)", x.codice_cig.as_ref()))
                    }
                }
            }
        }
    }
}

fn sconti_kv(items: &[ScontoMaggiorazione]) -> Markup {
    html! {
        @for s in items {
            (Kv("Tipologia sconto/maggiorazione", Some(&s.tipo)))
            (Kv("Percentuale", s.percentuale.as_ref().map(Num)))
            (Kv("Importo", s.importo.as_ref().map(Amt)))
        }
    }
}

fn ministerial_body(inv: &FatturaElettronica, b: &Body, index: usize) -> Markup {
    let d = b.documento();
    let g = &b.dati_generali;
    html! {
        div.doc {
            @if inv.bodies.len() > 1 { h2 { "Documento " (index + 1) " di " (inv.bodies.len()) " del lotto" } } @else { h2 { "Documento" } }
            div.box {
                h3 { "Dati generali del documento" }
                ul.kv {
                    (Kv("Tipologia documento", Some(&d.tipo_documento)))
                    (Kv("Valuta importi", Some(&d.divisa)))
                    (Kv("Data documento", Some(DtLong(&d.data))))
                    (Kv("Numero documento", Some(&d.numero)))
                    (Kv("Importo totale documento", d.importo_totale_documento.as_ref().map(Amt)))
                    (Kv("Importo totale documento (calcolato)", d.importo_totale_documento.is_none().then(|| b.computed_total()).as_ref().map(Amt)))
                    (Kv("Arrotondamento su importo totale documento", d.arrotondamento.as_ref().map(Amt)))
                    @for c in &d.causale { (Kv("Causale", Some(c))) }
                    (Kv("Art. 73 DPR 633/72", yes(d.art73)))
                }
                @for r in &d.dati_ritenuta {
                    h4 { "Ritenuta" }
                    ul.kv {
                        (Kv("Tipologia ritenuta", Some(&r.tipo_ritenuta)))
                        (Kv("Importo ritenuta", r.importo_ritenuta.as_ref().map(Amt)))
                        (Kv("Aliquota ritenuta (%)", r.aliquota_ritenuta.as_ref().map(Num)))
                        (Kv("Causale di pagamento", r.causale_pagamento.as_ref()))
                    }
                }
                @if let Some(bo) = &d.dati_bollo {
                    h4 { "Bollo" }
                    ul.kv { (Kv("Bollo virtuale", yes(bo.bollo_virtuale))) (Kv("Importo bollo", bo.importo_bollo.as_ref().map(Amt))) }
                }
                @for c in &d.dati_cassa_previdenziale {
                    h4 { "Cassa previdenziale" }
                    ul.kv {
                        (Kv("Tipologia cassa previdenziale", Some(&c.tipo_cassa)))
                        (Kv("Aliquota contributo cassa (%)", c.al_cassa.as_ref().map(Num)))
                        (Kv("Importo contributo cassa", c.importo_contributo_cassa.as_ref().map(Amt)))
                        (Kv("Imponibile previdenziale", c.imponibile_cassa.as_ref().map(Amt)))
                        (Kv("Aliquota IVA applicata (%)", c.aliquota_iva.as_ref().map(Num)))
                        (Kv("Contributo cassa soggetto a ritenuta", yes(c.ritenuta)))
                        (Kv("Tipologia di non imponibilità del contributo", c.natura.as_ref()))
                        (Kv("Riferimento amministrativo / contabile", c.riferimento_amministrazione.as_ref()))
                    }
                }
                @if !d.sconto_maggiorazione.is_empty() { h4 { "Sconto/maggiorazione" } ul.kv { (sconti_kv(&d.sconto_maggiorazione)) } }
            }
            (correlati_section("Dati dell'ordine di acquisto", &g.dati_ordine_acquisto))
            (correlati_section("Dati del contratto", &g.dati_contratto))
            (correlati_section("Dati della convenzione", &g.dati_convenzione))
            (correlati_section("Dati della ricezione", &g.dati_ricezione))
            (correlati_section("Dati della fattura collegata", &g.dati_fatture_collegate))
            @if !g.dati_sal.is_empty() {
                div.box { h3 { "Stato avanzamento lavori" } ul.kv { @for s in &g.dati_sal { (Kv("Numero fase avanzamento", Some(s))) } } }
            }
            @if !g.dati_ddt.is_empty() {
                div.box {
                    h3 { "Dati del documento di trasporto" }
                    @for t in &g.dati_ddt {
                        ul.kv.line {
                            (Kv("Numero DDT", t.numero_ddt.as_ref()))
                            (Kv("Data DDT", t.data_ddt.as_ref().map(DtLong)))
                            (Kv("Numero linea di fattura a cui si riferisce", (!t.riferimento_numero_linea.is_empty()).then(|| t.riferimento_numero_linea.join(", "))))
                        }
                    }
                }
            }
            @if let Some(t) = &g.dati_trasporto {
                div.box {
                    h3 { "Dati relativi al trasporto" }
                    @if let Some(v) = &t.dati_anagrafici_vettore { h4 { "Dati del vettore" } ul.kv { (anagrafici_kv(v)) } }
                    h4 { "Altri dati" }
                    ul.kv {
                        (Kv("Mezzo di trasporto", t.mezzo_trasporto.as_ref()))
                        (Kv("Causale trasporto", t.causale_trasporto.as_ref()))
                        (Kv("Numero colli trasportati", t.numero_colli.as_ref()))
                        (Kv("Descrizione beni trasportati", t.descrizione.as_ref()))
                        (Kv("Unità di misura del peso merce", t.unita_misura_peso.as_ref()))
                        (Kv("Peso lordo", t.peso_lordo.as_ref().map(Num)))
                        (Kv("Peso netto", t.peso_netto.as_ref().map(Num)))
                        (Kv("Data e ora ritiro merce", t.data_ora_ritiro.as_deref().map(DtTime)))
                        (Kv("Data inizio trasporto", t.data_inizio_trasporto.as_ref().map(DtLong)))
                        (Kv("Tipologia di resa", t.tipo_resa.as_ref()))
                        (Kv("Indirizzo di resa", t.indirizzo_resa.as_ref().map(Indirizzo::one_line)))
                        (Kv("Data e ora di consegna", t.data_ora_consegna.as_deref().map(DtTime)))
                    }
                }
            }
            @if let Some(f) = &g.fattura_principale {
                div.box { h3 { "Dati relativi alla fattura principale" } ul.kv { (Kv("Numero fattura principale", f.numero_fattura_principale.as_ref())) (Kv("Data fattura principale", f.data_fattura_principale.as_ref().map(DtLong))) } }
            }
            @if let Some(f) = &g.dati_fattura_rettificata {
                div.box { h3 { "Dati della fattura rettificata" } ul.kv { (Kv("Numero fattura", f.numero_fattura_principale.as_ref())) (Kv("Data fattura", f.data_fattura_principale.as_ref().map(DtLong))) } }
            }
            div.box {
                h3 { "Dati relativi alle linee di dettaglio della fornitura" }
                @for l in &b.dettaglio_linee {
                    ul.kv.line {
                        (Kv("Nr. linea", Some(&l.numero_linea)))
                        (Kv("Tipo cessione/prestazione", l.tipo_cessione_prestazione.as_ref()))
                        @for c in &l.codice_articolo { (Kv("Codifica articolo", Some(format!("{} {}", c.codice_tipo, c.codice_valore)))) }
                        (Kv("Descrizione bene/servizio", Some(&l.descrizione)))
                        (Kv("Quantità", l.quantita.as_ref().map(Num)))
                        (Kv("Unità di misura", l.unita_misura.as_ref()))
                        (Kv("Data inizio periodo", l.data_inizio_periodo.as_ref().map(DtLong)))
                        (Kv("Data fine periodo", l.data_fine_periodo.as_ref().map(DtLong)))
                        (Kv("Valore unitario", l.prezzo_unitario.as_ref().map(Num)))
                        (sconti_kv(&l.sconto_maggiorazione))
                        (Kv("Valore totale", l.prezzo_totale.as_ref().map(Amt)))
                        (Kv("Importo (IVA inclusa)", l.importo_semplificata.as_ref().map(Amt)))
                        (Kv("IVA (%)", l.aliquota_iva.as_ref().map(Num)))
                        (Kv("Imposta", l.imposta_semplificata.as_ref().map(Amt)))
                        (Kv("Soggetta a ritenuta", yes(l.ritenuta)))
                        (Kv("Natura operazione", l.natura.as_ref()))
                        (Kv("Riferimento normativo", l.riferimento_normativo.as_ref()))
                        (Kv("Riferimento amministrativo/contabile", l.riferimento_amministrazione.as_ref()))
                        @for a in &l.altri_dati_gestionali {
                            (Kv("Tipo dato", a.tipo_dato.as_ref()))
                            (Kv("Valore testo", a.riferimento_testo.as_ref()))
                            (Kv("Valore numerico", a.riferimento_numero.as_ref().map(Num)))
                            (Kv("Valore data", a.riferimento_data.as_ref().map(DtLong)))
                        }
                    }
                }
            }
            @if !b.dati_riepilogo.is_empty() {
                div.box {
                    h3 { "Dati di riepilogo per aliquota IVA e natura" }
                    @for r in &b.dati_riepilogo {
                        ul.kv.line {
                            (Kv("Aliquota IVA (%)", Some(Num(&r.aliquota_iva))))
                            (Kv("Natura operazioni", r.natura.as_ref()))
                            (Kv("Spese accessorie", r.spese_accessorie.as_ref().map(Amt)))
                            (Kv("Arrotondamento", r.arrotondamento.as_ref().map(Amt)))
                            (Kv("Totale imponibile/importo", Some(Amt(&r.imponibile_importo))))
                            (Kv("Totale imposta", Some(Amt(&r.imposta))))
                            (Kv("Esigibilità IVA", r.esigibilita_iva.as_ref()))
                            (Kv("Riferimento normativo", r.riferimento_normativo.as_ref()))
                        }
                    }
                }
            }
            @if let Some(v) = &b.dati_veicoli {
                div.box { h3 { "Dati Veicoli ex art. 38 dl 331/1993" } ul.kv { (Kv("Data prima immatricolazione / iscrizione PR", v.data.as_ref().map(DtLong))) (Kv("Totale percorso", v.totale_percorso.as_ref())) } }
            }
            @for p in &b.dati_pagamento {
                div.box {
                    h3 { "Dati relativi al pagamento" }
                    ul.kv { (Kv("Condizioni di pagamento", Some(&p.condizioni_pagamento))) }
                    @for dp in &p.dettaglio_pagamento {
                        h4 { "Dettaglio pagamento" }
                        ul.kv {
                            (Kv("Beneficiario pagamento", dp.beneficiario.as_ref()))
                            (Kv("Modalità", Some(&dp.modalita_pagamento)))
                            (Kv("Decorrenza termini di pagamento", dp.data_riferimento_termini_pagamento.as_ref().map(DtLong)))
                            (Kv("Termini di pagamento (in giorni)", dp.giorni_termini_pagamento.as_ref()))
                            (Kv("Data scadenza pagamento", dp.data_scadenza_pagamento.as_ref().map(DtLong)))
                            (Kv("Importo", dp.importo_pagamento.as_ref().map(Amt)))
                            (Kv("Codice Ufficio Postale", dp.cod_ufficio_postale.as_ref()))
                            (Kv("Cognome del quietanzante", dp.cognome_quietanzante.as_ref()))
                            (Kv("Nome del quietanzante", dp.nome_quietanzante.as_ref()))
                            (Kv("CF del quietanzante", dp.cf_quietanzante.as_ref()))
                            (Kv("Titolo del quietanzante", dp.titolo_quietanzante.as_ref()))
                            (Kv("Istituto finanziario", dp.istituto_finanziario.as_ref()))
                            (Kv("Codice IBAN", dp.iban.as_ref()))
                            (Kv("Codice ABI", dp.abi.as_ref()))
                            (Kv("Codice CAB", dp.cab.as_ref()))
                            (Kv("Codice BIC", dp.bic.as_ref()))
                            (Kv("Sconto per pagamento anticipato", dp.sconto_pagamento_anticipato.as_ref().map(Amt)))
                            (Kv("Data limite per il pagamento anticipato", dp.data_limite_pagamento_anticipato.as_ref().map(DtLong)))
                            (Kv("Penale per ritardato pagamento", dp.penalita_pagamenti_ritardati.as_ref().map(Amt)))
                            (Kv("Data di decorrenza della penale", dp.data_decorrenza_penale.as_ref().map(DtLong)))
                            (Kv("Codice del pagamento", dp.codice_pagamento.as_ref()))
                        }
                    }
                }
            }
            @if !b.allegati.is_empty() {
                div.box {
                    h3 { "Dati relativi agli allegati" }
                    @for a in &b.allegati {
                        ul.kv.line {
                            (Kv("Nome dell'allegato", Some(&a.nome_attachment)))
                            (Kv("Algoritmo di compressione", a.algoritmo_compressione.as_ref()))
                            (Kv("Formato", a.formato_attachment.as_ref()))
                            (Kv("Descrizione", a.descrizione_attachment.as_ref()))
                            (Kv("Dimensione", Some(format_size(a.size))))
                        }
                    }
                }
            }
        }
    }
}

fn ministerial(inv: &FatturaElettronica) -> Markup {
    let h = &inv.header;
    let dt = &h.dati_trasmissione;
    html! {
        h1 { "FATTURA ELETTRONICA" }
        div.versione { "Versione " (inv.versione.as_deref().unwrap_or(inv.format.as_str())) }
        div.box {
            h3 { "Dati relativi alla trasmissione" }
            ul.kv {
                (Kv("Identificativo del trasmittente", dt.id_trasmittente.as_ref().map(IdFiscale::joined)))
                (Kv("Progressivo di invio", dt.progressivo_invio.as_ref()))
                (Kv("Formato Trasmissione", dt.formato_trasmissione.as_ref()))
                (Kv(if inv.format == Format::FPA12 { "Codice Amministrazione destinataria" } else { "Codice identificativo destinatario" }, dt.codice_destinatario.as_ref()))
                @if let Some(c) = &dt.contatti_trasmittente {
                    (Kv("Telefono del trasmittente", c.telefono.as_ref()))
                    (Kv("E-mail del trasmittente", c.email.as_ref()))
                }
                (Kv("Destinatario PEC", dt.pec_destinatario.as_ref()))
            }
        }
        (soggetto_section("Dati del cedente / prestatore", &h.cedente_prestatore))
        @if let Some(r) = &h.rappresentante_fiscale { (soggetto_section("Dati del rappresentante fiscale del cedente / prestatore", r)) }
        (soggetto_section("Dati del cessionario / committente", &h.cessionario_committente))
        @if let Some(t) = &h.terzo_intermediario { (soggetto_section("Dati del terzo intermediario soggetto emittente", t)) }
        @if let Some(s) = &h.soggetto_emittente { div.box { h3 { "Soggetto emittente la fattura" } ul.kv { (Kv("Soggetto emittente", Some(s))) } } }
        @for (i, b) in inv.bodies.iter().enumerate() { (ministerial_body(inv, b, i)) }
        @if inv.has_xml_signature { p.muted { "Il file contiene una firma XAdES (non verificata da questa visualizzazione)." } }
        @if !inv.warnings.is_empty() { div.banner.warn { "Avvisi di lettura: " (inv.warnings.join("; ")) } }
    }
}

// ---- SdI messages --------------------------------------------------------------------------

/// One sentence saying what happened.
pub fn notification_headline(n: &Notification) -> String {
    let file = n.nome_file.as_deref().unwrap_or("la fattura");
    match n.kind {
        NotificationKind::RC => {
            format!("Il Sistema di Interscambio ha consegnato {file} al destinatario.")
        }
        NotificationKind::NS => {
            format!("Il Sistema di Interscambio ha scartato {file}: la fattura non è stata emessa.")
        }
        NotificationKind::MC => format!(
            "Il Sistema di Interscambio non è riuscito a consegnare {file}: è disponibile nell'area riservata del destinatario."
        ),
        NotificationKind::NE => match n.esito_committente.as_ref().map(|e| &e.esito) {
            Some(EsitoCommittente::EC01) => format!("Il committente ha accettato {file}."),
            Some(EsitoCommittente::EC02) => format!("Il committente ha rifiutato {file}."),
            _ => format!("Esito del committente su {file}."),
        },
        NotificationKind::DT => {
            format!("Sono decorsi i termini senza esito del committente per {file}.")
        }
        NotificationKind::AT => format!(
            "Attestazione di avvenuta trasmissione di {file} con impossibilità di recapito."
        ),
        NotificationKind::MT => {
            format!("Metadati del file {file} ricevuto dal Sistema di Interscambio.")
        }
        NotificationKind::EC => match n.esito_committente.as_ref().map(|e| &e.esito) {
            Some(EsitoCommittente::EC01) => {
                "Esito inviato dal committente: accettazione.".to_string()
            }
            Some(EsitoCommittente::EC02) => "Esito inviato dal committente: rifiuto.".to_string(),
            _ => "Esito inviato dal committente.".to_string(),
        },
        NotificationKind::SE => {
            "Il Sistema di Interscambio ha scartato l'esito inviato dal committente.".to_string()
        }
    }
}

/// Render an SdI message as a short HTML summary.
pub fn render_notification(n: &Notification) -> String {
    render_notification_with(n, None)
}

fn render_notification_with(n: &Notification, banner: Option<Markup>) -> String {
    let bad = matches!(
        n.kind,
        NotificationKind::NS | NotificationKind::MC | NotificationKind::SE | NotificationKind::AT
    ) || n
        .esito_committente
        .as_ref()
        .is_some_and(|e| e.esito == EsitoCommittente::EC02);
    let content = html! {
        h1 { (n.kind.description()) " (" (n.kind.as_str()) ")" }
        div.banner.(if bad { "bad" } else { "ok" }) { (notification_headline(n)) }
        ul.kv {
            (Kv("Identificativo SdI", n.identificativo_sdi.as_ref()))
            (Kv("Nome file", n.nome_file.as_ref()))
            (Kv("Ricevuto dallo SdI il", n.data_ora_ricezione.as_deref().map(DtTime)))
            (Kv("Consegnato il", n.data_ora_consegna.as_deref().map(DtTime)))
            (Kv("Messo a disposizione il", n.data_messa_a_disposizione.as_deref().map(DtTime)))
            @if let Some(d) = &n.destinatario { (Kv("Destinatario", Some([d.codice.as_deref(), d.descrizione.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" — ")))) }
            (Kv("Codice destinatario", n.codice_destinatario.as_ref()))
            (Kv("Formato", n.formato.as_ref()))
            (Kv("Tentativi di invio", n.tentativi_invio.as_ref()))
            @if let Some(e) = &n.esito_committente {
                (Kv("Esito", Some(&e.esito)))
                @if let Some(r) = &e.riferimento_fattura {
                    (Kv("Fattura", Some([r.numero_fattura.as_deref().map(|x| format!("n. {x}")), r.anno_fattura.as_deref().map(|x| format!("anno {x}")), r.posizione_fattura.as_deref().map(|x| format!("posizione {x}"))].into_iter().flatten().collect::<Vec<_>>().join(", "))))
                }
                (Kv("Motivazione", e.descrizione.as_ref()))
            }
            (Kv("Scarto", n.scarto.as_ref()))
            (Kv("Descrizione", n.descrizione.as_ref()))
            @if let Some((id, f)) = &n.riferimento_archivio { (Kv("Archivio", Some([id.as_deref(), f.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" — ")))) }
            (Kv("Hash del file", n.hash.as_ref()))
            (Kv("Message ID", n.message_id.as_ref()))
            (Kv("Note", n.note.as_ref()))
        }
        @if !n.lista_errori.is_empty() {
            h3 { "Errori" }
            table {
                tr { th { "Codice" } th { "Descrizione" } th { "Suggerimento" } }
                @for e in &n.lista_errori {
                    tr { td { (e.codice) } td { (e.descrizione.as_deref().unwrap_or("")) } td { (e.suggerimento.as_deref().unwrap_or("")) } }
                }
            }
        }
    };
    let title = format!(
        "{} — {}",
        n.kind.description(),
        n.nome_file.as_deref().unwrap_or("")
    );
    page(&title, "", banner, content)
}
