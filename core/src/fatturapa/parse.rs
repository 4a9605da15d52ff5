//! From the XML tree to the typed model.

use super::FatturaError;
use super::codes::*;
use super::model::*;
use super::xml::{self, Element};
use base64::Engine;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::str::FromStr;

/// Namespace of ordinary invoices (1.2.x).
pub const NS_FATTURE_V12: &str = "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2";
/// Namespace of simplified invoices.
pub const NS_FATTURE_V10: &str = "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.0";
/// Namespace of FatturaPA 1.1.
pub const NS_FATTURAPA_V11: &str = "http://www.fatturapa.gov.it/sdi/fatturapa/v1.1";
/// SdI messages, PA flow.
pub const NS_MESSAGGI_PA: &str = "http://www.fatturapa.gov.it/sdi/messaggi/v1.0";
/// SdI messages, B2B flow.
pub const NS_MESSAGGI_B2B: &str =
    "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fattura/messaggi/v1.0";

/// A parsed FatturaPA-family document.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Document {
    Invoice(Box<FatturaElettronica>),
    Notification(Box<Notification>),
}

/// Parse bytes holding an invoice or an SdI message (detected by root element and namespace).
pub fn parse_document(data: &[u8]) -> Result<Document, FatturaError> {
    let (text, warning) = xml::decode(data)?;
    let tree = xml::Tree::parse(&text)?;
    document_from_root(tree.root(), warning)
}

/// Parse bytes that must hold an invoice.
pub fn parse_invoice(data: &[u8]) -> Result<FatturaElettronica, FatturaError> {
    match parse_document(data)? {
        Document::Invoice(inv) => Ok(*inv),
        Document::Notification(n) => Err(FatturaError::NotAnInvoice(n.kind.as_str().to_string())),
    }
}

pub(crate) fn document_from_root(
    root: Element<'_>,
    warning: Option<String>,
) -> Result<Document, FatturaError> {
    let ns = root.own_namespace().map(str::to_string);
    if root.name() == "FatturaElettronica" || root.name() == "FatturaElettronicaSemplificata" {
        let mut ctx = Ctx {
            warnings: warning.into_iter().collect(),
        };
        let inv = invoice(root, ns, &mut ctx)?;
        return Ok(Document::Invoice(Box::new(inv)));
    }
    if let Some(kind) = NotificationKind::from_root(root.name()) {
        return Ok(Document::Notification(Box::new(notification(
            root,
            kind,
            ns.as_deref(),
        ))));
    }
    Err(FatturaError::NotFatturaPa {
        root: root.name().to_string(),
        namespace: ns,
    })
}

struct Ctx {
    warnings: Vec<String>,
}

impl Ctx {
    fn dec_value(&mut self, field: &str, raw: &str) -> Option<Decimal> {
        if raw.is_empty() {
            return None;
        }
        let parsed = parse_decimal(raw);
        if parsed.is_none() {
            self.warnings
                .push(format!("{field}: {raw:?} is not a number, ignored"));
        }
        parsed
    }

    fn date_value(&mut self, field: &str, raw: &str) -> Option<NaiveDate> {
        if raw.is_empty() {
            return None;
        }
        let parsed = parse_date(raw);
        if parsed.is_none() {
            self.warnings
                .push(format!("{field}: {raw:?} is not a date, ignored"));
        }
        parsed
    }

    fn dec(&mut self, el: Element<'_>, name: &str) -> Option<Decimal> {
        let raw = el.text_ref(name)?;
        match parse_decimal(raw) {
            Some(d) => Some(d),
            None => {
                self.warnings.push(format!(
                    "{}/{name}: {raw:?} is not a number, ignored",
                    el.name()
                ));
                None
            }
        }
    }

    fn req_dec(
        &mut self,
        el: Element<'_>,
        name: &str,
        path: &str,
    ) -> Result<Decimal, FatturaError> {
        let raw = el
            .text_at(name)
            .ok_or_else(|| FatturaError::MissingElement(format!("{path}/{name}")))?;
        parse_decimal(&raw).ok_or_else(|| FatturaError::InvalidValue {
            field: format!("{path}/{name}"),
            value: truncate(&raw),
            expected: "a decimal number",
        })
    }

    fn date(&mut self, el: Element<'_>, name: &str) -> Option<NaiveDate> {
        let raw = el.text_ref(name)?;
        match parse_date(raw) {
            Some(d) => Some(d),
            None => {
                self.warnings.push(format!(
                    "{}/{name}: {raw:?} is not a date, ignored",
                    el.name()
                ));
                None
            }
        }
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(80).collect()
}

/// A decimal as FatturaPA writes it ("1234.50", "-3.00"); a comma is accepted as decimal separator.
pub fn parse_decimal(raw: &str) -> Option<Decimal> {
    let t = raw.trim();
    if t.is_empty() || t.len() > 40 {
        return None;
    }
    let t = t.strip_prefix('+').unwrap_or(t);
    Decimal::from_str(t).ok().or_else(|| {
        if t.contains('.') {
            None
        } else {
            Decimal::from_str(&t.replace(',', ".")).ok()
        }
    })
}

/// `YYYY-MM-DD`, tolerating a time or zone suffix.
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let t = raw.trim();
    let head = t.get(..10)?;
    NaiveDate::parse_from_str(head, "%Y-%m-%d").ok()
}

fn id_fiscale(el: Option<Element<'_>>) -> Option<IdFiscale> {
    let el = el?;
    Some(IdFiscale {
        id_paese: el.text_at("IdPaese").unwrap_or_default(),
        id_codice: el.text_at("IdCodice").unwrap_or_default(),
    })
}

fn contatti(el: Option<Element<'_>>) -> Option<Contatti> {
    let el = el?;
    Some(Contatti {
        telefono: el.text_at("Telefono"),
        fax: el.text_at("Fax"),
        email: el.text_at("Email"),
        riferimento: el.text_at("Riferimento"),
    })
}

fn anagrafica(el: Option<Element<'_>>) -> Anagrafica {
    let Some(el) = el else {
        return Anagrafica::default();
    };
    Anagrafica {
        denominazione: el.text_at("Denominazione"),
        nome: el.text_at("Nome"),
        cognome: el.text_at("Cognome"),
        titolo: el.text_at("Titolo"),
        cod_eori: el.text_at("CodEORI"),
    }
}

fn indirizzo(el: Option<Element<'_>>) -> Option<Indirizzo> {
    let el = el?;
    Some(Indirizzo {
        indirizzo: el.text_at("Indirizzo"),
        numero_civico: el.text_at("NumeroCivico"),
        cap: el.text_at("CAP"),
        comune: el.text_at("Comune"),
        provincia: el.text_at("Provincia"),
        nazione: el.text_at("Nazione"),
    })
}

fn dati_anagrafici(el: Option<Element<'_>>, ctx: &mut Ctx) -> DatiAnagrafici {
    let Some(el) = el else {
        return DatiAnagrafici::default();
    };
    DatiAnagrafici {
        id_fiscale_iva: id_fiscale(el.child("IdFiscaleIVA")),
        codice_fiscale: el.text_at("CodiceFiscale"),
        anagrafica: anagrafica(el.child("Anagrafica")),
        albo_professionale: el.text_at("AlboProfessionale"),
        provincia_albo: el.text_at("ProvinciaAlbo"),
        numero_iscrizione_albo: el.text_at("NumeroIscrizioneAlbo"),
        data_iscrizione_albo: ctx.date(el, "DataIscrizioneAlbo"),
        regime_fiscale: el
            .text_at("RegimeFiscale")
            .map(|s| RegimeFiscale::parse(&s)),
        numero_licenza_guida: el.text_at("NumeroLicenzaGuida"),
    }
}

fn soggetto(el: Element<'_>, ctx: &mut Ctx) -> Soggetto {
    let rea = el.child("IscrizioneREA").map(|r| IscrizioneRea {
        ufficio: r.text_at("Ufficio"),
        numero_rea: r.text_at("NumeroREA"),
        capitale_sociale: ctx.dec(r, "CapitaleSociale"),
        socio_unico: r.text_ref("SocioUnico").map(SocioUnico::parse),
        stato_liquidazione: r
            .text_at("StatoLiquidazione")
            .map(|s| StatoLiquidazione::parse(&s)),
    });
    let rapp = el
        .child("RappresentanteFiscale")
        .map(|r| RappresentanteFiscaleCessionario {
            id_fiscale_iva: id_fiscale(r.child("IdFiscaleIVA")),
            denominazione: r.text_at("Denominazione"),
            nome: r.text_at("Nome"),
            cognome: r.text_at("Cognome"),
        });
    Soggetto {
        dati_anagrafici: dati_anagrafici(el.child("DatiAnagrafici"), ctx),
        sede: indirizzo(el.child("Sede")),
        stabile_organizzazione: indirizzo(el.child("StabileOrganizzazione")),
        iscrizione_rea: rea,
        contatti: contatti(el.child("Contatti")),
        riferimento_amministrazione: el.text_at("RiferimentoAmministrazione"),
        rappresentante_fiscale: rapp,
    }
}

/// FSM10 seller: fields sit directly under `CedentePrestatore`.
fn soggetto_semplificato_cedente(el: Element<'_>, ctx: &mut Ctx) -> Soggetto {
    let mut s = soggetto(el, ctx);
    s.dati_anagrafici.id_fiscale_iva = id_fiscale(el.child("IdFiscaleIVA"));
    s.dati_anagrafici.codice_fiscale = el.text_at("CodiceFiscale");
    s.dati_anagrafici.anagrafica = anagrafica(Some(el));
    s.dati_anagrafici.regime_fiscale = el
        .text_at("RegimeFiscale")
        .map(|x| RegimeFiscale::parse(&x));
    s
}

/// FSM10 buyer: `IdentificativiFiscali` + `AltriDatiIdentificativi`.
fn soggetto_semplificato_cessionario(el: Element<'_>, ctx: &mut Ctx) -> Soggetto {
    let mut s = Soggetto::default();
    if let Some(ids) = el.child("IdentificativiFiscali") {
        s.dati_anagrafici.id_fiscale_iva = id_fiscale(ids.child("IdFiscaleIVA"));
        s.dati_anagrafici.codice_fiscale = ids.text_at("CodiceFiscale");
    }
    if let Some(altri) = el.child("AltriDatiIdentificativi") {
        s.dati_anagrafici.anagrafica = anagrafica(Some(altri));
        s.sede = indirizzo(altri.child("Sede"));
        s.stabile_organizzazione = indirizzo(altri.child("StabileOrganizzazione"));
        s.rappresentante_fiscale =
            altri
                .child("RappresentanteFiscale")
                .map(|r| RappresentanteFiscaleCessionario {
                    id_fiscale_iva: id_fiscale(r.child("IdFiscaleIVA")),
                    denominazione: r.text_at("Denominazione"),
                    nome: r.text_at("Nome"),
                    cognome: r.text_at("Cognome"),
                });
    }
    let _ = ctx;
    s
}

fn header(el: Element<'_>, simplified: bool, ctx: &mut Ctx) -> Result<Header, FatturaError> {
    let dt = el.child("DatiTrasmissione").map(|d| DatiTrasmissione {
        id_trasmittente: id_fiscale(d.child("IdTrasmittente")),
        progressivo_invio: d.text_at("ProgressivoInvio"),
        formato_trasmissione: d
            .text_at("FormatoTrasmissione")
            .map(|s| FormatoTrasmissione::parse(&s)),
        codice_destinatario: d.text_at("CodiceDestinatario"),
        contatti_trasmittente: contatti(d.child("ContattiTrasmittente")),
        pec_destinatario: d.text_at("PECDestinatario"),
    });
    let ced = el.child("CedentePrestatore").ok_or_else(|| {
        FatturaError::MissingElement("FatturaElettronicaHeader/CedentePrestatore".into())
    })?;
    let ces = el.child("CessionarioCommittente").ok_or_else(|| {
        FatturaError::MissingElement("FatturaElettronicaHeader/CessionarioCommittente".into())
    })?;
    let (cedente, cessionario) = if simplified {
        (
            soggetto_semplificato_cedente(ced, ctx),
            soggetto_semplificato_cessionario(ces, ctx),
        )
    } else {
        (soggetto(ced, ctx), soggetto(ces, ctx))
    };
    let rappresentante = el.child("RappresentanteFiscale").map(|r| soggetto(r, ctx));
    let terzo = el
        .child("TerzoIntermediarioOSoggettoEmittente")
        .map(|t| soggetto(t, ctx));
    Ok(Header {
        dati_trasmissione: dt.unwrap_or_default(),
        cedente_prestatore: cedente,
        rappresentante_fiscale: rappresentante,
        cessionario_committente: cessionario,
        terzo_intermediario: terzo,
        soggetto_emittente: el
            .text_at("SoggettoEmittente")
            .map(|s| SoggettoEmittente::parse(&s)),
    })
}

fn sconti(el: Element<'_>, ctx: &mut Ctx) -> Vec<ScontoMaggiorazione> {
    el.children_named("ScontoMaggiorazione")
        .map(|s| ScontoMaggiorazione {
            tipo: TipoScontoMaggiorazione::parse(s.text_ref("Tipo").unwrap_or("")),
            percentuale: ctx.dec(s, "Percentuale"),
            importo: ctx.dec(s, "Importo"),
        })
        .collect()
}

fn correlati(el: Element<'_>, name: &str, ctx: &mut Ctx) -> Vec<DatiDocumentoCorrelato> {
    el.children_named(name)
        .map(|d| DatiDocumentoCorrelato {
            riferimento_numero_linea: d
                .children_named("RiferimentoNumeroLinea")
                .filter_map(Element::trimmed)
                .collect(),
            id_documento: d.text_at("IdDocumento"),
            data: ctx.date(d, "Data"),
            num_item: d.text_at("NumItem"),
            codice_commessa_convenzione: d.text_at("CodiceCommessaConvenzione"),
            codice_cup: d.text_at("CodiceCUP"),
            codice_cig: d.text_at("CodiceCIG"),
        })
        .collect()
}

fn dati_generali(el: Element<'_>, ctx: &mut Ctx) -> Result<DatiGenerali, FatturaError> {
    const P: &str = "FatturaElettronicaBody/DatiGenerali/DatiGeneraliDocumento";
    let d = el.child("DatiGeneraliDocumento").ok_or_else(|| {
        FatturaError::MissingElement(
            "FatturaElettronicaBody/DatiGenerali/DatiGeneraliDocumento".into(),
        )
    })?;
    let tipo = d
        .text_at("TipoDocumento")
        .ok_or_else(|| FatturaError::MissingElement(format!("{P}/TipoDocumento")))?;
    let data_raw = d
        .text_at("Data")
        .ok_or_else(|| FatturaError::MissingElement(format!("{P}/Data")))?;
    let data = parse_date(&data_raw).ok_or_else(|| FatturaError::InvalidValue {
        field: format!("{P}/Data"),
        value: truncate(&data_raw),
        expected: "a date YYYY-MM-DD",
    })?;
    let numero = d
        .text_at("Numero")
        .ok_or_else(|| FatturaError::MissingElement(format!("{P}/Numero")))?;
    let ritenute = d
        .children_named("DatiRitenuta")
        .map(|r| DatiRitenuta {
            tipo_ritenuta: TipoRitenuta::parse(r.text_ref("TipoRitenuta").unwrap_or("")),
            importo_ritenuta: ctx.dec(r, "ImportoRitenuta"),
            aliquota_ritenuta: ctx.dec(r, "AliquotaRitenuta"),
            causale_pagamento: r
                .text_at("CausalePagamento")
                .map(|s| CausalePagamento::parse(&s)),
        })
        .collect();
    let bollo = d.child("DatiBollo").map(|b| DatiBollo {
        bollo_virtuale: b.text_ref("BolloVirtuale").is_some_and(|s| s == "SI"),
        importo_bollo: ctx.dec(b, "ImportoBollo"),
    });
    // FSM10 carries BolloVirtuale directly in DatiGeneraliDocumento.
    let bollo = bollo.or_else(|| {
        d.text_at("BolloVirtuale").map(|s| DatiBollo {
            bollo_virtuale: s == "SI",
            importo_bollo: None,
        })
    });
    let casse = d
        .children_named("DatiCassaPrevidenziale")
        .map(|c| DatiCassaPrevidenziale {
            tipo_cassa: TipoCassa::parse(c.text_ref("TipoCassa").unwrap_or("")),
            al_cassa: ctx.dec(c, "AlCassa"),
            importo_contributo_cassa: ctx.dec(c, "ImportoContributoCassa"),
            imponibile_cassa: ctx.dec(c, "ImponibileCassa"),
            aliquota_iva: ctx.dec(c, "AliquotaIVA"),
            ritenuta: c.text_ref("Ritenuta").is_some_and(|s| s == "SI"),
            natura: c.text_ref("Natura").map(Natura::parse),
            riferimento_amministrazione: c.text_at("RiferimentoAmministrazione"),
        })
        .collect();
    let documento = DatiGeneraliDocumento {
        tipo_documento: TipoDocumento::parse(&tipo),
        divisa: d.text_at("Divisa").unwrap_or_else(|| "EUR".to_string()),
        data,
        numero,
        dati_ritenuta: ritenute,
        dati_bollo: bollo,
        dati_cassa_previdenziale: casse,
        sconto_maggiorazione: sconti(d, ctx),
        importo_totale_documento: ctx.dec(d, "ImportoTotaleDocumento"),
        arrotondamento: ctx.dec(d, "Arrotondamento"),
        causale: d
            .children_named("Causale")
            .filter_map(Element::trimmed)
            .collect(),
        art73: d.text_at("Art73").is_some_and(|s| s == "SI"),
    };
    let ddt = el
        .children_named("DatiDDT")
        .map(|x| DatiDdt {
            numero_ddt: x.text_at("NumeroDDT"),
            data_ddt: ctx.date(x, "DataDDT"),
            riferimento_numero_linea: x
                .children_named("RiferimentoNumeroLinea")
                .filter_map(Element::trimmed)
                .collect(),
        })
        .collect();
    let trasporto = el.child("DatiTrasporto").map(|t| DatiTrasporto {
        dati_anagrafici_vettore: t
            .child("DatiAnagraficiVettore")
            .map(|v| dati_anagrafici(Some(v), ctx)),
        mezzo_trasporto: t.text_at("MezzoTrasporto"),
        causale_trasporto: t.text_at("CausaleTrasporto"),
        numero_colli: t.text_at("NumeroColli"),
        descrizione: t.text_at("Descrizione"),
        unita_misura_peso: t.text_at("UnitaMisuraPeso"),
        peso_lordo: ctx.dec(t, "PesoLordo"),
        peso_netto: ctx.dec(t, "PesoNetto"),
        data_ora_ritiro: t.text_at("DataOraRitiro"),
        data_inizio_trasporto: ctx.date(t, "DataInizioTrasporto"),
        tipo_resa: t.text_at("TipoResa"),
        indirizzo_resa: indirizzo(t.child("IndirizzoResa")),
        data_ora_consegna: t.text_at("DataOraConsegna"),
    });
    let principale = el.child("FatturaPrincipale").map(|f| FatturaPrincipale {
        numero_fattura_principale: f.text_at("NumeroFatturaPrincipale"),
        data_fattura_principale: ctx.date(f, "DataFatturaPrincipale"),
    });
    let rettificata = el
        .child("DatiFatturaRettificata")
        .map(|f| FatturaPrincipale {
            numero_fattura_principale: f.text_at("NumeroFR"),
            data_fattura_principale: ctx.date(f, "DataFR"),
        });
    Ok(DatiGenerali {
        dati_generali_documento: documento,
        dati_ordine_acquisto: correlati(el, "DatiOrdineAcquisto", ctx),
        dati_contratto: correlati(el, "DatiContratto", ctx),
        dati_convenzione: correlati(el, "DatiConvenzione", ctx),
        dati_ricezione: correlati(el, "DatiRicezione", ctx),
        dati_fatture_collegate: correlati(el, "DatiFattureCollegate", ctx),
        dati_sal: el
            .children_named("DatiSAL")
            .filter_map(|s| s.text_at("RiferimentoFase"))
            .collect(),
        dati_ddt: ddt,
        dati_trasporto: trasporto,
        fattura_principale: principale,
        dati_fattura_rettificata: rettificata,
    })
}

fn linea(l: Element<'_>, ctx: &mut Ctx) -> DettaglioLinea {
    // The hot path of big invoices: one pass over the children instead of one lookup per field.
    let mut line = DettaglioLinea {
        numero_linea: String::new(),
        tipo_cessione_prestazione: None,
        codice_articolo: Vec::new(),
        descrizione: String::new(),
        quantita: None,
        unita_misura: None,
        data_inizio_periodo: None,
        data_fine_periodo: None,
        prezzo_unitario: None,
        sconto_maggiorazione: Vec::new(),
        prezzo_totale: None,
        aliquota_iva: None,
        ritenuta: false,
        natura: None,
        riferimento_amministrazione: None,
        altri_dati_gestionali: Vec::new(),
        importo_semplificata: None,
        imposta_semplificata: None,
        riferimento_normativo: None,
    };
    for c in l.children() {
        let raw = c.text().trim();
        let text = || (!raw.is_empty()).then(|| raw.to_string());
        match c.name() {
            "NumeroLinea" => line.numero_linea = raw.to_string(),
            "TipoCessionePrestazione" => {
                line.tipo_cessione_prestazione =
                    (!raw.is_empty()).then(|| TipoCessionePrestazione::parse(raw))
            }
            "CodiceArticolo" => line.codice_articolo.push(CodiceArticolo {
                codice_tipo: c.text_at("CodiceTipo").unwrap_or_default(),
                codice_valore: c.text_at("CodiceValore").unwrap_or_default(),
            }),
            "Descrizione" => line.descrizione = raw.to_string(),
            "Quantita" => line.quantita = ctx.dec_value("DettaglioLinee/Quantita", raw),
            "UnitaMisura" => line.unita_misura = text(),
            "DataInizioPeriodo" => {
                line.data_inizio_periodo = ctx.date_value("DettaglioLinee/DataInizioPeriodo", raw)
            }
            "DataFinePeriodo" => {
                line.data_fine_periodo = ctx.date_value("DettaglioLinee/DataFinePeriodo", raw)
            }
            "PrezzoUnitario" => {
                line.prezzo_unitario = ctx.dec_value("DettaglioLinee/PrezzoUnitario", raw)
            }
            "ScontoMaggiorazione" => line.sconto_maggiorazione.push(ScontoMaggiorazione {
                tipo: TipoScontoMaggiorazione::parse(c.text_ref("Tipo").unwrap_or("")),
                percentuale: ctx.dec(c, "Percentuale"),
                importo: ctx.dec(c, "Importo"),
            }),
            "PrezzoTotale" => {
                line.prezzo_totale = ctx.dec_value("DettaglioLinee/PrezzoTotale", raw)
            }
            "AliquotaIVA" => line.aliquota_iva = ctx.dec_value("DettaglioLinee/AliquotaIVA", raw),
            "Ritenuta" => line.ritenuta = raw == "SI",
            "Natura" => line.natura = (!raw.is_empty()).then(|| Natura::parse(raw)),
            "RiferimentoAmministrazione" => line.riferimento_amministrazione = text(),
            "AltriDatiGestionali" => line.altri_dati_gestionali.push(AltriDatiGestionali {
                tipo_dato: c.text_at("TipoDato"),
                riferimento_testo: c.text_at("RiferimentoTesto"),
                riferimento_numero: ctx.dec(c, "RiferimentoNumero"),
                riferimento_data: ctx.date(c, "RiferimentoData"),
            }),
            _ => {}
        }
    }
    line
}

fn linea_semplificata(i: usize, l: Element<'_>, ctx: &mut Ctx) -> DettaglioLinea {
    let iva = l.child("DatiIVA");
    DettaglioLinea {
        numero_linea: (i + 1).to_string(),
        tipo_cessione_prestazione: None,
        codice_articolo: Vec::new(),
        descrizione: l.text_at("Descrizione").unwrap_or_default(),
        quantita: None,
        unita_misura: None,
        data_inizio_periodo: None,
        data_fine_periodo: None,
        prezzo_unitario: None,
        sconto_maggiorazione: Vec::new(),
        prezzo_totale: None,
        aliquota_iva: iva.and_then(|v| ctx.dec(v, "Aliquota")),
        ritenuta: false,
        natura: l.text_ref("Natura").map(Natura::parse),
        riferimento_amministrazione: None,
        altri_dati_gestionali: Vec::new(),
        importo_semplificata: ctx.dec(l, "Importo"),
        imposta_semplificata: iva.and_then(|v| ctx.dec(v, "Imposta")),
        riferimento_normativo: l.text_at("RiferimentoNormativo"),
    }
}

fn riepilogo(r: Element<'_>, ctx: &mut Ctx) -> Result<DatiRiepilogo, FatturaError> {
    const P: &str = "DatiBeniServizi/DatiRiepilogo";
    Ok(DatiRiepilogo {
        aliquota_iva: ctx.req_dec(r, "AliquotaIVA", P)?,
        natura: r.text_ref("Natura").map(Natura::parse),
        spese_accessorie: ctx.dec(r, "SpeseAccessorie"),
        arrotondamento: ctx.dec(r, "Arrotondamento"),
        imponibile_importo: ctx.req_dec(r, "ImponibileImporto", P)?,
        imposta: ctx.req_dec(r, "Imposta", P)?,
        esigibilita_iva: r
            .text_at("EsigibilitaIVA")
            .map(|s| EsigibilitaIva::parse(&s)),
        riferimento_normativo: r.text_at("RiferimentoNormativo"),
    })
}

fn pagamento(p: Element<'_>, ctx: &mut Ctx) -> DatiPagamento {
    DatiPagamento {
        condizioni_pagamento: CondizioniPagamento::parse(
            &p.text_at("CondizioniPagamento").unwrap_or_default(),
        ),
        dettaglio_pagamento: p
            .children_named("DettaglioPagamento")
            .map(|d| DettaglioPagamento {
                beneficiario: d.text_at("Beneficiario"),
                modalita_pagamento: ModalitaPagamento::parse(
                    &d.text_at("ModalitaPagamento").unwrap_or_default(),
                ),
                data_riferimento_termini_pagamento: ctx.date(d, "DataRiferimentoTerminiPagamento"),
                giorni_termini_pagamento: d.text_at("GiorniTerminiPagamento"),
                data_scadenza_pagamento: ctx.date(d, "DataScadenzaPagamento"),
                importo_pagamento: ctx.dec(d, "ImportoPagamento"),
                cod_ufficio_postale: d.text_at("CodUfficioPostale"),
                cognome_quietanzante: d.text_at("CognomeQuietanzante"),
                nome_quietanzante: d.text_at("NomeQuietanzante"),
                cf_quietanzante: d.text_at("CFQuietanzante"),
                titolo_quietanzante: d.text_at("TitoloQuietanzante"),
                istituto_finanziario: d.text_at("IstitutoFinanziario"),
                iban: d.text_at("IBAN"),
                abi: d.text_at("ABI"),
                cab: d.text_at("CAB"),
                bic: d.text_at("BIC"),
                sconto_pagamento_anticipato: ctx.dec(d, "ScontoPagamentoAnticipato"),
                data_limite_pagamento_anticipato: ctx.date(d, "DataLimitePagamentoAnticipato"),
                penalita_pagamenti_ritardati: ctx.dec(d, "PenalitaPagamentiRitardati"),
                data_decorrenza_penale: ctx.date(d, "DataDecorrenzaPenale"),
                codice_pagamento: d.text_at("CodicePagamento"),
            })
            .collect(),
    }
}

/// Decode base64 that may be wrapped, indented or (rarely) unpadded.
pub fn decode_base64_lenient(text: &str) -> Option<Vec<u8>> {
    let clean: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(&clean)
        .ok()
        .or_else(|| {
            let trimmed: Vec<u8> = clean.iter().copied().take_while(|b| *b != b'=').collect();
            base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(&trimmed)
                .ok()
        })
}

fn allegato(a: Element<'_>, ctx: &mut Ctx) -> Allegato {
    let nome = a.text_at("NomeAttachment").unwrap_or_default();
    let data = match a.child("Attachment") {
        Some(att) => match decode_base64_lenient(att.text()) {
            Some(d) => d,
            None => {
                ctx.warnings.push(format!(
                    "attachment {nome:?}: the base64 content cannot be decoded"
                ));
                Vec::new()
            }
        },
        None => Vec::new(),
    };
    Allegato {
        size: data.len(),
        nome_attachment: nome,
        algoritmo_compressione: a.text_at("AlgoritmoCompressione"),
        formato_attachment: a.text_at("FormatoAttachment"),
        descrizione_attachment: a.text_at("DescrizioneAttachment"),
        data,
    }
}

fn body(el: Element<'_>, simplified: bool, ctx: &mut Ctx) -> Result<Body, FatturaError> {
    let dg = el.child("DatiGenerali").ok_or_else(|| {
        FatturaError::MissingElement("FatturaElettronicaBody/DatiGenerali".into())
    })?;
    let dati_generali = dati_generali(dg, ctx)?;
    let (linee, riepiloghi) = if simplified {
        let linee = el
            .children_named("DatiBeniServizi")
            .enumerate()
            .map(|(i, l)| linea_semplificata(i, l, ctx))
            .collect();
        (linee, Vec::new())
    } else {
        let dbs = el.child("DatiBeniServizi").ok_or_else(|| {
            FatturaError::MissingElement("FatturaElettronicaBody/DatiBeniServizi".into())
        })?;
        let linee = dbs
            .children_named("DettaglioLinee")
            .map(|l| linea(l, ctx))
            .collect();
        let riep = dbs
            .children_named("DatiRiepilogo")
            .map(|r| riepilogo(r, ctx))
            .collect::<Result<Vec<_>, _>>()?;
        (linee, riep)
    };
    Ok(Body {
        dati_generali,
        dettaglio_linee: linee,
        dati_riepilogo: riepiloghi,
        dati_veicoli: el.child("DatiVeicoli").map(|v| DatiVeicoli {
            data: ctx.date(v, "Data"),
            totale_percorso: v.text_at("TotalePercorso"),
        }),
        dati_pagamento: el
            .children_named("DatiPagamento")
            .map(|p| pagamento(p, ctx))
            .collect(),
        allegati: el
            .children_named("Allegati")
            .map(|a| allegato(a, ctx))
            .collect(),
    })
}

fn invoice(
    root: Element<'_>,
    ns: Option<String>,
    ctx: &mut Ctx,
) -> Result<FatturaElettronica, FatturaError> {
    let simplified = root.name() == "FatturaElettronicaSemplificata";
    let versione = root.attr("versione").map(|s| s.trim().to_string());
    let format = match (ns.as_deref(), versione.as_deref(), simplified) {
        (_, _, true) => Format::FSM10,
        (Some(NS_FATTURAPA_V11), _, _) => Format::V11,
        (_, Some("FPA12"), _) => Format::FPA12,
        (_, Some("FPR12"), _) => Format::FPR12,
        (_, Some("1.1"), _) => Format::V11,
        (_, other, _) => {
            // Fall back on the declared FormatoTrasmissione.
            let declared =
                root.text_at("FatturaElettronicaHeader/DatiTrasmissione/FormatoTrasmissione");
            match declared.as_deref() {
                Some("FPA12") => Format::FPA12,
                Some("FPR12") => Format::FPR12,
                Some("SDI11") | Some("SDI10") => Format::V11,
                _ => {
                    return Err(FatturaError::UnsupportedVersion(
                        other.unwrap_or("").to_string(),
                    ));
                }
            }
        }
    };
    match ns.as_deref() {
        Some(NS_FATTURE_V12) | Some(NS_FATTURE_V10) | Some(NS_FATTURAPA_V11) => {}
        Some(other) => ctx
            .warnings
            .push(format!("unexpected root namespace {other:?}")),
        None => ctx
            .warnings
            .push("the root element has no namespace".to_string()),
    }
    let h = root
        .child("FatturaElettronicaHeader")
        .ok_or_else(|| FatturaError::MissingElement("FatturaElettronicaHeader".into()))?;
    let header = header(h, simplified, ctx)?;
    let bodies = root
        .children_named("FatturaElettronicaBody")
        .map(|b| body(b, simplified, ctx))
        .collect::<Result<Vec<_>, _>>()?;
    if bodies.is_empty() {
        return Err(FatturaError::MissingElement(
            "FatturaElettronicaBody".into(),
        ));
    }
    Ok(FatturaElettronica {
        format,
        versione,
        namespace: ns,
        header,
        bodies,
        has_xml_signature: root.child("Signature").is_some(),
        warnings: std::mem::take(&mut ctx.warnings),
    })
}

fn esito_data(e: Element<'_>) -> EsitoCommittenteData {
    EsitoCommittenteData {
        identificativo_sdi: e.text_at("IdentificativoSdI"),
        riferimento_fattura: e.child("RiferimentoFattura").map(|r| RiferimentoFattura {
            numero_fattura: r.text_at("NumeroFattura"),
            anno_fattura: r.text_at("AnnoFattura"),
            posizione_fattura: r.text_at("PosizioneFattura"),
        }),
        esito: EsitoCommittente::parse(e.text_ref("Esito").unwrap_or("")),
        descrizione: e.text_at("Descrizione"),
        message_id_committente: e.text_at("MessageIdCommittente"),
    }
}

fn notification(root: Element<'_>, kind: NotificationKind, ns: Option<&str>) -> Notification {
    let flow = match ns {
        Some(NS_MESSAGGI_PA) => SdiFlow::Pa,
        Some(NS_MESSAGGI_B2B) => SdiFlow::B2b,
        _ => SdiFlow::Unknown,
    };
    let errori = root
        .child("ListaErrori")
        .map(|l| {
            l.children_named("Errore")
                .map(|e| SdiErrore {
                    codice: e.text_at("Codice").unwrap_or_default(),
                    descrizione: e.text_at("Descrizione"),
                    suggerimento: e.text_at("Suggerimento"),
                })
                .collect()
        })
        .unwrap_or_default();
    let esito = match kind {
        NotificationKind::NE => root.child("EsitoCommittente").map(esito_data),
        NotificationKind::EC => Some(esito_data(root)),
        _ => None,
    };
    Notification {
        kind,
        flow,
        identificativo_sdi: root.text_at("IdentificativoSdI"),
        nome_file: root.text_at("NomeFile"),
        hash: root
            .text_at("Hash")
            .or_else(|| root.text_at("HashFileOriginale")),
        data_ora_ricezione: root.text_at("DataOraRicezione"),
        data_ora_consegna: root.text_at("DataOraConsegna"),
        data_messa_a_disposizione: root.text_at("DataMessaADisposizione"),
        destinatario: root.child("Destinatario").map(|d| Destinatario {
            codice: d.text_at("Codice"),
            descrizione: d.text_at("Descrizione"),
        }),
        codice_destinatario: root.text_at("CodiceDestinatario"),
        formato: root.text_at("Formato"),
        tentativi_invio: root.text_at("TentativiInvio"),
        riferimento_archivio: root
            .child("RiferimentoArchivio")
            .map(|r| (r.text_at("IdentificativoSdI"), r.text_at("NomeFile"))),
        lista_errori: errori,
        esito_committente: esito,
        scarto: root.text_ref("Scarto").map(ScartoEsito::parse),
        descrizione: root.text_at("Descrizione"),
        message_id: root.text_at("MessageId"),
        message_id_committente: root.text_at("MessageIdCommittente"),
        pec_messaggio: root.text_at("PecMessageId"),
        note: root.text_at("Note"),
        has_xml_signature: root.child("Signature").is_some(),
    }
}
