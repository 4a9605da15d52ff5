//! Code tables of FatturaPA schema 1.2.3 (and semplificata 1.0.2), each code with its Italian
//! description as published in the XSD annotations and in the SdI stylesheets.
//!
//! Every table is an enum with one variant per code plus `Unknown(String)`, so that a file carrying a
//! code from a newer (or older, withdrawn) schema still opens: it is shown as
//! "XX (codice non previsto)" rather than rejected.

use serde::{Serialize, Serializer};

macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal => $desc:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[allow(clippy::upper_case_acronyms, non_camel_case_types)]
        pub enum $name {
            $($variant,)*
            /// A code not in the table (kept verbatim).
            Unknown(String),
        }

        impl $name {
            /// Every known code with its description, in schema order.
            pub const TABLE: &'static [(&'static str, &'static str)] = &[$(($code, $desc),)*];

            /// Parse a code as written in the file (surrounding blanks ignored).
            pub fn parse(s: &str) -> Self {
                match s.trim() {
                    $($code => $name::$variant,)*
                    other => $name::Unknown(other.to_string()),
                }
            }

            /// The code as written in the file.
            pub fn code(&self) -> &str {
                match self {
                    $($name::$variant => $code,)*
                    $name::Unknown(s) => s.as_str(),
                }
            }

            /// The Italian description, `None` for an unknown code.
            pub fn description(&self) -> Option<&'static str> {
                match self {
                    $($name::$variant => Some($desc),)*
                    $name::Unknown(_) => None,
                }
            }

            /// "CODE (description)", as the SdI stylesheet shows codes.
            pub fn label(&self) -> String {
                format!("{} ({})", self.code(), self.description().unwrap_or("codice non previsto"))
            }

            /// True when the code is one of the table.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Unknown(_))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }
    };
}

code_enum!(
    /// `TipoDocumento` (TD01–TD29 ordinary, TD07–TD09 simplified).
    TipoDocumento {
        TD01 = "TD01" => "fattura",
        TD02 = "TD02" => "acconto/anticipo su fattura",
        TD03 = "TD03" => "acconto/anticipo su parcella",
        TD04 = "TD04" => "nota di credito",
        TD05 = "TD05" => "nota di debito",
        TD06 = "TD06" => "parcella",
        TD07 = "TD07" => "fattura semplificata",
        TD08 = "TD08" => "nota di credito semplificata",
        TD09 = "TD09" => "nota di debito semplificata",
        TD16 = "TD16" => "integrazione fattura reverse charge interno",
        TD17 = "TD17" => "integrazione/autofattura per acquisto servizi dall'estero",
        TD18 = "TD18" => "integrazione per acquisto di beni intracomunitari",
        TD19 = "TD19" => "integrazione/autofattura per acquisto di beni ex art.17 c.2 DPR 633/72",
        TD20 = "TD20" => "autofattura per regolarizzazione e integrazione delle fatture (ex art. 6 c.9-bis d.lgs. 471/97 o art.46 c.5 D.L. 331/93)",
        TD21 = "TD21" => "autofattura per splafonamento",
        TD22 = "TD22" => "estrazione beni da Deposito IVA",
        TD23 = "TD23" => "estrazione beni da Deposito IVA con versamento dell'IVA",
        TD24 = "TD24" => "fattura differita di cui all'art.21, comma 4, terzo periodo lett. a) DPR 633/72",
        TD25 = "TD25" => "fattura differita di cui all'art.21, comma 4, terzo periodo lett. b) DPR 633/72",
        TD26 = "TD26" => "cessione di beni ammortizzabili e per passaggi interni (ex art.36 DPR 633/72)",
        TD27 = "TD27" => "fattura per autoconsumo o per cessioni gratuite senza rivalsa",
        TD28 = "TD28" => "acquisti da San Marino con IVA (fattura cartacea)",
        TD29 = "TD29" => "comunicazione per omessa o irregolare fatturazione da parte del cedente/prestatore italiano (art. 6, comma 8, D.Lgs. 471/97)",
    }
);

code_enum!(
    /// `RegimeFiscale` (RF01–RF20; RF03 was withdrawn).
    RegimeFiscale {
        RF01 = "RF01" => "ordinario",
        RF02 = "RF02" => "contribuenti minimi (art.1, c.96-117, L. 244/07)",
        RF03 = "RF03" => "nuove iniziative produttive (art.13, L. 388/00)",
        RF04 = "RF04" => "agricoltura e attività connesse e pesca (artt.34 e 34-bis, DPR 633/72)",
        RF05 = "RF05" => "vendita sali e tabacchi (art.74, c.1, DPR. 633/72)",
        RF06 = "RF06" => "commercio fiammiferi (art.74, c.1, DPR 633/72)",
        RF07 = "RF07" => "editoria (art.74, c.1, DPR 633/72)",
        RF08 = "RF08" => "gestione servizi telefonia pubblica (art.74, c.1, DPR 633/72)",
        RF09 = "RF09" => "rivendita documenti di trasporto pubblico e di sosta (art.74, c.1, DPR 633/72)",
        RF10 = "RF10" => "intrattenimenti, giochi e altre attività di cui alla tariffa allegata al DPR 640/72 (art.74, c.6, DPR 633/72)",
        RF11 = "RF11" => "agenzie viaggi e turismo (art.74-ter, DPR 633/72)",
        RF12 = "RF12" => "agriturismo (art.5, c.2, L. 413/91)",
        RF13 = "RF13" => "vendite a domicilio (art.25-bis, c.6, DPR 600/73)",
        RF14 = "RF14" => "rivendita beni usati, oggetti d'arte, d'antiquariato o da collezione (art.36, DL 41/95)",
        RF15 = "RF15" => "agenzie di vendite all'asta di oggetti d'arte, antiquariato o da collezione (art.40-bis, DL 41/95)",
        RF16 = "RF16" => "IVA per cassa P.A. (art.6, c.5, DPR 633/72)",
        RF17 = "RF17" => "IVA per cassa (art. 32-bis, DL 83/2012)",
        RF18 = "RF18" => "altro",
        RF19 = "RF19" => "regime forfettario",
        RF20 = "RF20" => "regime transfrontaliero di Franchigia IVA (Direttiva UE 2020/285)",
    }
);

code_enum!(
    /// `Natura` of a non-taxed operation (N1–N7, with the 2021 sub-codes; N2, N3, N6 are withdrawn).
    Natura {
        N1 = "N1" => "escluse ex art. 15 del DPR 633/72",
        N2 = "N2" => "non soggette",
        N2_1 = "N2.1" => "non soggette ad IVA ai sensi degli artt. da 7 a 7-septies del DPR 633/72",
        N2_2 = "N2.2" => "non soggette - altri casi",
        N3 = "N3" => "non imponibili",
        N3_1 = "N3.1" => "non imponibili - esportazioni",
        N3_2 = "N3.2" => "non imponibili - cessioni intracomunitarie",
        N3_3 = "N3.3" => "non imponibili - cessioni verso San Marino",
        N3_4 = "N3.4" => "non imponibili - operazioni assimilate alle cessioni all'esportazione",
        N3_5 = "N3.5" => "non imponibili - a seguito di dichiarazioni d'intento",
        N3_6 = "N3.6" => "non imponibili - altre operazioni che non concorrono alla formazione del plafond",
        N4 = "N4" => "esenti",
        N5 = "N5" => "regime del margine / IVA non esposta in fattura",
        N6 = "N6" => "inversione contabile (reverse charge)",
        N6_1 = "N6.1" => "inversione contabile - cessione di rottami e altri materiali di recupero",
        N6_2 = "N6.2" => "inversione contabile - cessione di oro e argento ai sensi della legge 7/2000 nonché di oreficeria usata ad OPO",
        N6_3 = "N6.3" => "inversione contabile - subappalto nel settore edile",
        N6_4 = "N6.4" => "inversione contabile - cessione di fabbricati",
        N6_5 = "N6.5" => "inversione contabile - cessione di telefoni cellulari",
        N6_6 = "N6.6" => "inversione contabile - cessione di prodotti elettronici",
        N6_7 = "N6.7" => "inversione contabile - prestazioni comparto edile e settori connessi",
        N6_8 = "N6.8" => "inversione contabile - operazioni settore energetico",
        N6_9 = "N6.9" => "inversione contabile - altri casi",
        N7 = "N7" => "IVA assolta in altro stato UE (vendite a distanza, servizi di telecomunicazioni, tele-radiodiffusione ed elettronici)",
    }
);

code_enum!(
    /// `ModalitaPagamento` (MP01–MP23).
    ModalitaPagamento {
        MP01 = "MP01" => "contanti",
        MP02 = "MP02" => "assegno",
        MP03 = "MP03" => "assegno circolare",
        MP04 = "MP04" => "contanti presso Tesoreria",
        MP05 = "MP05" => "bonifico",
        MP06 = "MP06" => "vaglia cambiario",
        MP07 = "MP07" => "bollettino bancario",
        MP08 = "MP08" => "carta di pagamento",
        MP09 = "MP09" => "RID",
        MP10 = "MP10" => "RID utenze",
        MP11 = "MP11" => "RID veloce",
        MP12 = "MP12" => "RIBA",
        MP13 = "MP13" => "MAV",
        MP14 = "MP14" => "quietanza erario",
        MP15 = "MP15" => "giroconto su conti di contabilità speciale",
        MP16 = "MP16" => "domiciliazione bancaria",
        MP17 = "MP17" => "domiciliazione postale",
        MP18 = "MP18" => "bollettino di c/c postale",
        MP19 = "MP19" => "SEPA Direct Debit",
        MP20 = "MP20" => "SEPA Direct Debit CORE",
        MP21 = "MP21" => "SEPA Direct Debit B2B",
        MP22 = "MP22" => "trattenuta su somme già riscosse",
        MP23 = "MP23" => "PagoPA",
    }
);

code_enum!(
    /// `CondizioniPagamento`.
    CondizioniPagamento {
        TP01 = "TP01" => "pagamento a rate",
        TP02 = "TP02" => "pagamento completo",
        TP03 = "TP03" => "anticipo",
    }
);

code_enum!(
    /// `TipoRitenuta`.
    TipoRitenuta {
        RT01 = "RT01" => "ritenuta persone fisiche",
        RT02 = "RT02" => "ritenuta persone giuridiche",
        RT03 = "RT03" => "contributo INPS",
        RT04 = "RT04" => "contributo ENASARCO",
        RT05 = "RT05" => "contributo ENPAM",
        RT06 = "RT06" => "altro contributo previdenziale",
    }
);

code_enum!(
    /// `CausalePagamento` of a withholding (codes of the CU / modello 770).
    CausalePagamento {
        A = "A" => "prestazioni di lavoro autonomo rientranti nell'esercizio di arte o professione abituale",
        B = "B" => "utilizzazione economica di opere dell'ingegno, brevetti industriali e simili da parte dell'autore o dell'inventore",
        C = "C" => "utili derivanti da contratti di associazione in partecipazione e cointeressenza con apporto di solo lavoro",
        D = "D" => "utili spettanti ai soci promotori e ai soci fondatori delle società di capitali",
        E = "E" => "levata di protesti cambiari da parte dei segretari comunali",
        G = "G" => "indennità corrisposte per la cessazione di attività sportiva professionale",
        H = "H" => "indennità corrisposte per la cessazione dei rapporti di agenzia",
        I = "I" => "indennità corrisposte per la cessazione da funzioni notarili",
        L = "L" => "utilizzazione economica di opere dell'ingegno da parte di soggetto diverso dall'autore o dall'inventore",
        L1 = "L1" => "redditi derivanti dall'utilizzazione economica di opere dell'ingegno acquisiti a titolo oneroso",
        M = "M" => "prestazioni di lavoro autonomo non esercitate abitualmente",
        M1 = "M1" => "redditi derivanti dall'assunzione di obblighi di fare, di non fare o permettere",
        M2 = "M2" => "prestazioni di lavoro autonomo non esercitate abitualmente con obbligo di iscrizione alla Gestione Separata INPS",
        N = "N" => "indennità di trasferta, rimborso forfetario di spese, premi e compensi nell'esercizio diretto di attività sportive dilettantistiche",
        O = "O" => "prestazioni di lavoro autonomo non abituali per le quali non sussiste l'obbligo di iscrizione alla Gestione Separata",
        O1 = "O1" => "redditi derivanti dall'assunzione di obblighi di fare, di non fare o permettere, senza obbligo di iscrizione alla Gestione Separata",
        P = "P" => "compensi a soggetti non residenti privi di stabile organizzazione per l'uso di attrezzature industriali, commerciali o scientifiche",
        Q = "Q" => "provvigioni corrisposte ad agente o rappresentante di commercio monomandatario",
        R = "R" => "provvigioni corrisposte ad agente o rappresentante di commercio plurimandatario",
        S = "S" => "provvigioni corrisposte a commissionario",
        T = "T" => "provvigioni corrisposte a mediatore",
        U = "U" => "provvigioni corrisposte a procacciatore di affari",
        V = "V" => "provvigioni corrisposte a incaricato per le vendite a domicilio o porta a porta",
        V1 = "V1" => "redditi derivanti da attività commerciali non esercitate abitualmente",
        W = "W" => "corrispettivi per prestazioni relative a contratti d'appalto (art. 25-ter DPR 600/73)",
        X = "X" => "canoni corrisposti nel 2004 da società o enti residenti a società o stabili organizzazioni di società UE",
        Y = "Y" => "canoni corrisposti dal 1 gennaio 2005 al 26 luglio 2005 da società o enti residenti",
        Z = "Z" => "titolo diverso dai precedenti",
        ZO = "ZO" => "titolo diverso dai precedenti (altri casi)",
    }
);

code_enum!(
    /// `TipoCassa` (TC01–TC22).
    TipoCassa {
        TC01 = "TC01" => "Cassa nazionale previdenza e assistenza avvocati e procuratori legali",
        TC02 = "TC02" => "Cassa previdenza dottori commercialisti",
        TC03 = "TC03" => "Cassa previdenza e assistenza geometri",
        TC04 = "TC04" => "Cassa nazionale previdenza e assistenza ingegneri e architetti liberi professionisti",
        TC05 = "TC05" => "Cassa nazionale del notariato",
        TC06 = "TC06" => "Cassa nazionale previdenza e assistenza ragionieri e periti commerciali",
        TC07 = "TC07" => "Ente nazionale assistenza agenti e rappresentanti di commercio (ENASARCO)",
        TC08 = "TC08" => "Ente nazionale previdenza e assistenza consulenti del lavoro (ENPACL)",
        TC09 = "TC09" => "Ente nazionale previdenza e assistenza medici (ENPAM)",
        TC10 = "TC10" => "Ente nazionale previdenza e assistenza farmacisti (ENPAF)",
        TC11 = "TC11" => "Ente nazionale previdenza e assistenza veterinari (ENPAV)",
        TC12 = "TC12" => "Ente nazionale previdenza e assistenza impiegati dell'agricoltura (ENPAIA)",
        TC13 = "TC13" => "Fondo previdenza impiegati imprese di spedizione e agenzie marittime",
        TC14 = "TC14" => "Istituto nazionale previdenza giornalisti italiani (INPGI)",
        TC15 = "TC15" => "Opera nazionale assistenza orfani sanitari italiani (ONAOSI)",
        TC16 = "TC16" => "Cassa autonoma assistenza integrativa giornalisti italiani (CASAGIT)",
        TC17 = "TC17" => "Ente previdenza periti industriali e periti industriali laureati (EPPI)",
        TC18 = "TC18" => "Ente previdenza e assistenza pluricategoriale (EPAP)",
        TC19 = "TC19" => "Ente nazionale previdenza e assistenza biologi (ENPAB)",
        TC20 = "TC20" => "Ente nazionale previdenza e assistenza professione infermieristica (ENPAPI)",
        TC21 = "TC21" => "Ente nazionale previdenza e assistenza psicologi (ENPAP)",
        TC22 = "TC22" => "INPS",
    }
);

code_enum!(
    /// `EsigibilitaIVA`.
    EsigibilitaIva {
        I = "I" => "IVA ad esigibilità immediata",
        D = "D" => "IVA ad esigibilità differita",
        S = "S" => "scissione dei pagamenti",
    }
);

code_enum!(
    /// `Tipo` of `ScontoMaggiorazione`.
    TipoScontoMaggiorazione {
        SC = "SC" => "sconto",
        MG = "MG" => "maggiorazione",
    }
);

code_enum!(
    /// `TipoCessionePrestazione` of a line.
    TipoCessionePrestazione {
        SC = "SC" => "sconto",
        PR = "PR" => "premio",
        AB = "AB" => "abbuono",
        AC = "AC" => "spesa accessoria",
    }
);

code_enum!(
    /// `SoggettoEmittente` (who issued the invoice on the seller's behalf).
    SoggettoEmittente {
        CC = "CC" => "cessionario / committente",
        TZ = "TZ" => "terzo",
    }
);

code_enum!(
    /// `SocioUnico`.
    SocioUnico {
        SU = "SU" => "socio unico",
        SM = "SM" => "più soci",
    }
);

code_enum!(
    /// `StatoLiquidazione`.
    StatoLiquidazione {
        LS = "LS" => "in liquidazione",
        LN = "LN" => "non in liquidazione",
    }
);

code_enum!(
    /// `FormatoTrasmissione` declared in `DatiTrasmissione`.
    FormatoTrasmissione {
        FPA12 = "FPA12" => "fattura verso PA",
        FPR12 = "FPR12" => "fattura verso privati",
        FSM10 = "FSM10" => "fattura verso privati semplificata",
        SDI11 = "SDI11" => "fattura verso PA (formato 1.1)",
        SDI10 = "SDI10" => "fattura verso PA (formato 1.0)",
    }
);

code_enum!(
    /// `Esito` of the buyer's outcome (NE / EC messages).
    EsitoCommittente {
        EC01 = "EC01" => "accettazione",
        EC02 = "EC02" => "rifiuto",
    }
);

code_enum!(
    /// `Scarto` of a rejected buyer's outcome (SE message).
    ScartoEsito {
        EN00 = "EN00" => "notifica non conforme al formato",
        EN01 = "EN01" => "notifica non ammissibile",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_unknown_codes() {
        assert_eq!(TipoDocumento::parse("TD01").label(), "TD01 (fattura)");
        assert_eq!(TipoDocumento::parse(" TD29 "), TipoDocumento::TD29);
        assert_eq!(ModalitaPagamento::parse("MP05").label(), "MP05 (bonifico)");
        assert_eq!(Natura::parse("N3.5"), Natura::N3_5);
        assert_eq!(Natura::parse("N3.5").code(), "N3.5");
        assert_eq!(
            RegimeFiscale::parse("RF20").description(),
            Some("regime transfrontaliero di Franchigia IVA (Direttiva UE 2020/285)")
        );
        let unknown = TipoDocumento::parse("TD99");
        assert!(!unknown.is_known());
        assert_eq!(unknown.label(), "TD99 (codice non previsto)");
        assert_eq!(ModalitaPagamento::TABLE.len(), 23);
        assert_eq!(TipoDocumento::TABLE.len(), 23);
    }
}
