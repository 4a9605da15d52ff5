//! Typed model of a FatturaPA file (schema 1.2.3, semplificata 1.0.2, and the old 1.1), plus the
//! SdI messages. Amounts are [`Decimal`] (no floats), dates are [`NaiveDate`].
//!
//! Field names follow the schema (in Italian, snake_case) so that anyone holding the specification can
//! find each one. Simplified invoices (FSM10) are mapped onto the same structures: each
//! `DatiBeniServizi` becomes one [`DettaglioLinea`] whose `importo_semplificata` holds the amount
//! (VAT included) and whose `imposta_semplificata` holds the tax when given.

use super::codes::*;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

/// Which schema a file follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Format {
    /// Ordinary invoice to a public administration (schema 1.2.x).
    FPA12,
    /// Ordinary invoice between private parties (schema 1.2.x).
    FPR12,
    /// Simplified invoice (schema 1.0.x).
    FSM10,
    /// Old FatturaPA 1.1 (`http://www.fatturapa.gov.it/sdi/fatturapa/v1.1`).
    #[serde(rename = "1.1")]
    V11,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::FPA12 => "FPA12",
            Format::FPR12 => "FPR12",
            Format::FSM10 => "FSM10",
            Format::V11 => "1.1",
        }
    }
}

/// A whole FatturaPA file: one header, one or more bodies (several = a "lotto").
#[derive(Debug, Clone, Serialize)]
pub struct FatturaElettronica {
    pub format: Format,
    /// The root `versione` attribute as written.
    pub versione: Option<String>,
    /// Root namespace URI.
    pub namespace: Option<String>,
    pub header: Header,
    pub bodies: Vec<Body>,
    /// The file embeds an XAdES `ds:Signature` (not verified here).
    pub has_xml_signature: bool,
    /// Oddities met while reading (lenient fallbacks), for a detail screen.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct IdFiscale {
    pub id_paese: String,
    pub id_codice: String,
}

impl IdFiscale {
    /// "IT01234567890".
    pub fn joined(&self) -> String {
        format!("{}{}", self.id_paese, self.id_codice)
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Contatti {
    pub telefono: Option<String>,
    pub fax: Option<String>,
    pub email: Option<String>,
    /// Only in `ContattiTrasmittente`.
    pub riferimento: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DatiTrasmissione {
    pub id_trasmittente: Option<IdFiscale>,
    pub progressivo_invio: Option<String>,
    pub formato_trasmissione: Option<FormatoTrasmissione>,
    pub codice_destinatario: Option<String>,
    pub contatti_trasmittente: Option<Contatti>,
    pub pec_destinatario: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Anagrafica {
    pub denominazione: Option<String>,
    pub nome: Option<String>,
    pub cognome: Option<String>,
    pub titolo: Option<String>,
    pub cod_eori: Option<String>,
}

impl Anagrafica {
    /// Company name, else "Nome Cognome" (with title), else empty.
    pub fn display_name(&self) -> String {
        if let Some(d) = &self.denominazione {
            return d.clone();
        }
        let parts: Vec<&str> = [&self.titolo, &self.nome, &self.cognome]
            .iter()
            .filter_map(|p| p.as_deref())
            .collect();
        parts.join(" ")
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Indirizzo {
    pub indirizzo: Option<String>,
    pub numero_civico: Option<String>,
    pub cap: Option<String>,
    pub comune: Option<String>,
    pub provincia: Option<String>,
    pub nazione: Option<String>,
}

impl Indirizzo {
    /// "Via Roma 1, 00100 Roma (RM) IT" with blanks omitted.
    pub fn one_line(&self) -> String {
        let street = [&self.indirizzo, &self.numero_civico]
            .iter()
            .filter_map(|p| p.as_deref())
            .collect::<Vec<_>>()
            .join(" ");
        let mut town = [&self.cap, &self.comune]
            .iter()
            .filter_map(|p| p.as_deref())
            .collect::<Vec<_>>()
            .join(" ");
        if let Some(p) = &self.provincia {
            town.push_str(&format!(" ({p})"));
        }
        if let Some(n) = self.nazione.as_deref().filter(|n| *n != "IT") {
            town.push_str(&format!(" {n}"));
        }
        [street, town.trim().to_string()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct IscrizioneRea {
    pub ufficio: Option<String>,
    pub numero_rea: Option<String>,
    pub capitale_sociale: Option<Decimal>,
    pub socio_unico: Option<SocioUnico>,
    pub stato_liquidazione: Option<StatoLiquidazione>,
}

/// `DatiAnagrafici` of any party (fields that do not apply to a role stay `None`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct DatiAnagrafici {
    pub id_fiscale_iva: Option<IdFiscale>,
    pub codice_fiscale: Option<String>,
    pub anagrafica: Anagrafica,
    pub albo_professionale: Option<String>,
    pub provincia_albo: Option<String>,
    pub numero_iscrizione_albo: Option<String>,
    pub data_iscrizione_albo: Option<NaiveDate>,
    pub regime_fiscale: Option<RegimeFiscale>,
    /// Only for a carrier (`DatiAnagraficiVettore`).
    pub numero_licenza_guida: Option<String>,
}

/// The buyer's fiscal representative (`CessionarioCommittente/RappresentanteFiscale`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct RappresentanteFiscaleCessionario {
    pub id_fiscale_iva: Option<IdFiscale>,
    pub denominazione: Option<String>,
    pub nome: Option<String>,
    pub cognome: Option<String>,
}

/// A party: seller (`CedentePrestatore`), buyer (`CessionarioCommittente`), fiscal representative,
/// third-party issuer.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Soggetto {
    pub dati_anagrafici: DatiAnagrafici,
    pub sede: Option<Indirizzo>,
    pub stabile_organizzazione: Option<Indirizzo>,
    pub iscrizione_rea: Option<IscrizioneRea>,
    pub contatti: Option<Contatti>,
    pub riferimento_amministrazione: Option<String>,
    pub rappresentante_fiscale: Option<RappresentanteFiscaleCessionario>,
}

impl Soggetto {
    pub fn display_name(&self) -> String {
        self.dati_anagrafici.anagrafica.display_name()
    }

    /// VAT number ("IT01234567890") else tax code.
    pub fn fiscal_id(&self) -> Option<String> {
        self.dati_anagrafici
            .id_fiscale_iva
            .as_ref()
            .map(IdFiscale::joined)
            .or_else(|| self.dati_anagrafici.codice_fiscale.clone())
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Header {
    pub dati_trasmissione: DatiTrasmissione,
    pub cedente_prestatore: Soggetto,
    pub rappresentante_fiscale: Option<Soggetto>,
    pub cessionario_committente: Soggetto,
    pub terzo_intermediario: Option<Soggetto>,
    pub soggetto_emittente: Option<SoggettoEmittente>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DatiRitenuta {
    pub tipo_ritenuta: TipoRitenuta,
    pub importo_ritenuta: Option<Decimal>,
    pub aliquota_ritenuta: Option<Decimal>,
    pub causale_pagamento: Option<CausalePagamento>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DatiBollo {
    pub bollo_virtuale: bool,
    pub importo_bollo: Option<Decimal>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DatiCassaPrevidenziale {
    pub tipo_cassa: TipoCassa,
    pub al_cassa: Option<Decimal>,
    pub importo_contributo_cassa: Option<Decimal>,
    pub imponibile_cassa: Option<Decimal>,
    pub aliquota_iva: Option<Decimal>,
    pub ritenuta: bool,
    pub natura: Option<Natura>,
    pub riferimento_amministrazione: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScontoMaggiorazione {
    pub tipo: TipoScontoMaggiorazione,
    pub percentuale: Option<Decimal>,
    pub importo: Option<Decimal>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DatiGeneraliDocumento {
    pub tipo_documento: TipoDocumento,
    pub divisa: String,
    pub data: NaiveDate,
    pub numero: String,
    pub dati_ritenuta: Vec<DatiRitenuta>,
    pub dati_bollo: Option<DatiBollo>,
    pub dati_cassa_previdenziale: Vec<DatiCassaPrevidenziale>,
    pub sconto_maggiorazione: Vec<ScontoMaggiorazione>,
    pub importo_totale_documento: Option<Decimal>,
    pub arrotondamento: Option<Decimal>,
    pub causale: Vec<String>,
    pub art73: bool,
}

/// `DatiOrdineAcquisto`, `DatiContratto`, `DatiConvenzione`, `DatiRicezione`, `DatiFattureCollegate`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DatiDocumentoCorrelato {
    pub riferimento_numero_linea: Vec<String>,
    pub id_documento: Option<String>,
    pub data: Option<NaiveDate>,
    pub num_item: Option<String>,
    pub codice_commessa_convenzione: Option<String>,
    pub codice_cup: Option<String>,
    pub codice_cig: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DatiDdt {
    pub numero_ddt: Option<String>,
    pub data_ddt: Option<NaiveDate>,
    pub riferimento_numero_linea: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DatiTrasporto {
    pub dati_anagrafici_vettore: Option<DatiAnagrafici>,
    pub mezzo_trasporto: Option<String>,
    pub causale_trasporto: Option<String>,
    pub numero_colli: Option<String>,
    pub descrizione: Option<String>,
    pub unita_misura_peso: Option<String>,
    pub peso_lordo: Option<Decimal>,
    pub peso_netto: Option<Decimal>,
    pub data_ora_ritiro: Option<String>,
    pub data_inizio_trasporto: Option<NaiveDate>,
    pub tipo_resa: Option<String>,
    pub indirizzo_resa: Option<Indirizzo>,
    pub data_ora_consegna: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct FatturaPrincipale {
    pub numero_fattura_principale: Option<String>,
    pub data_fattura_principale: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DatiGenerali {
    pub dati_generali_documento: DatiGeneraliDocumento,
    pub dati_ordine_acquisto: Vec<DatiDocumentoCorrelato>,
    pub dati_contratto: Vec<DatiDocumentoCorrelato>,
    pub dati_convenzione: Vec<DatiDocumentoCorrelato>,
    pub dati_ricezione: Vec<DatiDocumentoCorrelato>,
    pub dati_fatture_collegate: Vec<DatiDocumentoCorrelato>,
    pub dati_sal: Vec<String>,
    pub dati_ddt: Vec<DatiDdt>,
    pub dati_trasporto: Option<DatiTrasporto>,
    pub fattura_principale: Option<FatturaPrincipale>,
    /// FSM10 only: the invoice this one corrects.
    pub dati_fattura_rettificata: Option<FatturaPrincipale>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CodiceArticolo {
    pub codice_tipo: String,
    pub codice_valore: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct AltriDatiGestionali {
    pub tipo_dato: Option<String>,
    pub riferimento_testo: Option<String>,
    pub riferimento_numero: Option<Decimal>,
    pub riferimento_data: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DettaglioLinea {
    pub numero_linea: String,
    pub tipo_cessione_prestazione: Option<TipoCessionePrestazione>,
    pub codice_articolo: Vec<CodiceArticolo>,
    pub descrizione: String,
    pub quantita: Option<Decimal>,
    pub unita_misura: Option<String>,
    pub data_inizio_periodo: Option<NaiveDate>,
    pub data_fine_periodo: Option<NaiveDate>,
    pub prezzo_unitario: Option<Decimal>,
    pub sconto_maggiorazione: Vec<ScontoMaggiorazione>,
    pub prezzo_totale: Option<Decimal>,
    pub aliquota_iva: Option<Decimal>,
    pub ritenuta: bool,
    pub natura: Option<Natura>,
    pub riferimento_amministrazione: Option<String>,
    pub altri_dati_gestionali: Vec<AltriDatiGestionali>,
    /// FSM10: `Importo` (VAT included).
    pub importo_semplificata: Option<Decimal>,
    /// FSM10: `DatiIVA/Imposta`.
    pub imposta_semplificata: Option<Decimal>,
    /// FSM10: `RiferimentoNormativo`.
    pub riferimento_normativo: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DatiRiepilogo {
    pub aliquota_iva: Decimal,
    pub natura: Option<Natura>,
    pub spese_accessorie: Option<Decimal>,
    pub arrotondamento: Option<Decimal>,
    pub imponibile_importo: Decimal,
    pub imposta: Decimal,
    pub esigibilita_iva: Option<EsigibilitaIva>,
    pub riferimento_normativo: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DatiVeicoli {
    pub data: Option<NaiveDate>,
    pub totale_percorso: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DettaglioPagamento {
    pub beneficiario: Option<String>,
    pub modalita_pagamento: ModalitaPagamento,
    pub data_riferimento_termini_pagamento: Option<NaiveDate>,
    pub giorni_termini_pagamento: Option<String>,
    pub data_scadenza_pagamento: Option<NaiveDate>,
    pub importo_pagamento: Option<Decimal>,
    pub cod_ufficio_postale: Option<String>,
    pub cognome_quietanzante: Option<String>,
    pub nome_quietanzante: Option<String>,
    pub cf_quietanzante: Option<String>,
    pub titolo_quietanzante: Option<String>,
    pub istituto_finanziario: Option<String>,
    pub iban: Option<String>,
    pub abi: Option<String>,
    pub cab: Option<String>,
    pub bic: Option<String>,
    pub sconto_pagamento_anticipato: Option<Decimal>,
    pub data_limite_pagamento_anticipato: Option<NaiveDate>,
    pub penalita_pagamenti_ritardati: Option<Decimal>,
    pub data_decorrenza_penale: Option<NaiveDate>,
    pub codice_pagamento: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DatiPagamento {
    pub condizioni_pagamento: CondizioniPagamento,
    pub dettaglio_pagamento: Vec<DettaglioPagamento>,
}

/// An attached file (`Allegati`), already decoded from base64.
#[derive(Debug, Clone, Serialize)]
pub struct Allegato {
    /// The name as written in the file (may contain `/` or worse: see [`Allegato::safe_file_name`]).
    pub nome_attachment: String,
    pub algoritmo_compressione: Option<String>,
    pub formato_attachment: Option<String>,
    pub descrizione_attachment: Option<String>,
    /// Decoded bytes (empty when the base64 could not be decoded; a warning says so).
    #[serde(skip)]
    pub data: Vec<u8>,
    pub size: usize,
}

impl Allegato {
    /// A name safe to create in a directory: last path component only, no control or reserved
    /// characters, no leading dot, at most 120 bytes, never empty; the format as extension when
    /// the name has none.
    pub fn safe_file_name(&self, index: usize) -> String {
        let last = self
            .nome_attachment
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("");
        let mut name: String = last
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ' | '(' | ')') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        name = name.trim().trim_start_matches('.').to_string();
        name.truncate(name.floor_char_boundary(120));
        if name.is_empty() {
            name = format!("allegato_{}", index + 1);
        }
        if let Some(ext) = self
            .formato_attachment
            .as_deref()
            .filter(|_| !name.contains('.'))
        {
            let ext: String = ext
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .take(10)
                .collect::<String>()
                .to_ascii_lowercase();
            if !ext.is_empty() {
                name = format!("{name}.{ext}");
            }
        }
        name
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Body {
    pub dati_generali: DatiGenerali,
    pub dettaglio_linee: Vec<DettaglioLinea>,
    pub dati_riepilogo: Vec<DatiRiepilogo>,
    pub dati_veicoli: Option<DatiVeicoli>,
    pub dati_pagamento: Vec<DatiPagamento>,
    pub allegati: Vec<Allegato>,
}

impl Body {
    pub fn documento(&self) -> &DatiGeneraliDocumento {
        &self.dati_generali.dati_generali_documento
    }

    /// `ImportoTotaleDocumento` when declared, else [`Body::computed_total`].
    pub fn total(&self) -> Decimal {
        self.documento()
            .importo_totale_documento
            .unwrap_or_else(|| self.computed_total())
    }

    /// True when the file does not declare the total and [`Body::total`] is computed.
    pub fn total_is_computed(&self) -> bool {
        self.documento().importo_totale_documento.is_none()
    }

    /// Total computed from the data: for an ordinary invoice Σ(imponibile + imposta) of the VAT
    /// summary plus the document rounding; for a simplified one Σ `Importo` of the lines.
    pub fn computed_total(&self) -> Decimal {
        let simplified: Vec<Decimal> = self
            .dettaglio_linee
            .iter()
            .filter_map(|l| l.importo_semplificata)
            .collect();
        if !simplified.is_empty() {
            return simplified.iter().sum();
        }
        let vat: Decimal = self
            .dati_riepilogo
            .iter()
            .map(|r| r.imponibile_importo + r.imposta)
            .sum();
        vat + self.documento().arrotondamento.unwrap_or_default()
    }

    /// Σ imponibile of the VAT summary.
    pub fn taxable_total(&self) -> Decimal {
        self.dati_riepilogo
            .iter()
            .map(|r| r.imponibile_importo)
            .sum()
    }

    /// Σ imposta of the VAT summary (or of the simplified lines).
    pub fn tax_total(&self) -> Decimal {
        if self.dati_riepilogo.is_empty() {
            return self
                .dettaglio_linee
                .iter()
                .filter_map(|l| l.imposta_semplificata)
                .sum();
        }
        self.dati_riepilogo.iter().map(|r| r.imposta).sum()
    }

    /// Σ of the payment instalments.
    pub fn payments_total(&self) -> Decimal {
        self.dati_pagamento
            .iter()
            .flat_map(|p| &p.dettaglio_pagamento)
            .filter_map(|d| d.importo_pagamento)
            .sum()
    }
}

// ---------------------------------------------------------------------------------------------
// SdI messages
// ---------------------------------------------------------------------------------------------

/// Which kind of SdI message: the same codes as the SDI file names, one type for both.
pub use crate::sdi::SdiNotification as NotificationKind;

/// PA flow (`http://www.fatturapa.gov.it/sdi/messaggi/v1.0`) or B2B flow
/// (`http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fattura/messaggi/v1.0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SdiFlow {
    Pa,
    B2b,
    Unknown,
}

#[derive(Debug, Clone, Serialize)]
pub struct SdiErrore {
    pub codice: String,
    pub descrizione: Option<String>,
    pub suggerimento: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RiferimentoFattura {
    pub numero_fattura: Option<String>,
    pub anno_fattura: Option<String>,
    pub posizione_fattura: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EsitoCommittenteData {
    pub identificativo_sdi: Option<String>,
    pub riferimento_fattura: Option<RiferimentoFattura>,
    pub esito: EsitoCommittente,
    pub descrizione: Option<String>,
    pub message_id_committente: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Destinatario {
    pub codice: Option<String>,
    pub descrizione: Option<String>,
}

/// One SdI message, every field optional except the kind (samples differ between flows and years).
#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    pub kind: NotificationKind,
    pub flow: SdiFlow,
    pub identificativo_sdi: Option<String>,
    pub nome_file: Option<String>,
    pub hash: Option<String>,
    pub data_ora_ricezione: Option<String>,
    pub data_ora_consegna: Option<String>,
    pub data_messa_a_disposizione: Option<String>,
    pub destinatario: Option<Destinatario>,
    pub codice_destinatario: Option<String>,
    pub formato: Option<String>,
    pub tentativi_invio: Option<String>,
    pub riferimento_archivio: Option<(Option<String>, Option<String>)>,
    pub lista_errori: Vec<SdiErrore>,
    /// NE: the buyer's outcome; EC: the outcome it sends.
    pub esito_committente: Option<EsitoCommittenteData>,
    /// SE: why the buyer's outcome was refused.
    pub scarto: Option<ScartoEsito>,
    pub descrizione: Option<String>,
    pub message_id: Option<String>,
    pub message_id_committente: Option<String>,
    pub pec_messaggio: Option<String>,
    pub note: Option<String>,
    pub has_xml_signature: bool,
}

impl Notification {
    /// The most meaningful date of the message: delivery, else reception, else availability.
    pub fn date(&self) -> Option<&str> {
        self.data_ora_consegna
            .as_deref()
            .or(self.data_ora_ricezione.as_deref())
            .or(self.data_messa_a_disposizione.as_deref())
    }
}
