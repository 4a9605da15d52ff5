//! SDI file names (FatturaPA technical rules): invoices `IT01234567890_0000A.xml[.p7m]` or `.zip`,
//! notifications `<invoice name>_<TT>_<nnn>.xml[.p7m]` with TT one of RC NS MC NE DT AT MT EC SE.

use serde::Serialize;

/// SDI notification (message) types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum SdiNotification {
    /// Ricevuta di consegna.
    RC,
    /// Notifica di scarto.
    NS,
    /// Notifica di mancata consegna.
    MC,
    /// Notifica di esito (committente).
    NE,
    /// Notifica di decorrenza termini.
    DT,
    /// Attestazione di avvenuta trasmissione con impossibilità di recapito.
    AT,
    /// File dei metadati.
    MT,
    /// Esito committente (sent by the buyer).
    EC,
    /// Scarto esito committente.
    SE,
}

impl SdiNotification {
    pub const ALL: &'static [SdiNotification] = &[
        SdiNotification::RC,
        SdiNotification::NS,
        SdiNotification::MC,
        SdiNotification::NE,
        SdiNotification::DT,
        SdiNotification::AT,
        SdiNotification::MT,
        SdiNotification::EC,
        SdiNotification::SE,
    ];

    /// The two-letter code.
    pub fn as_str(self) -> &'static str {
        match self {
            SdiNotification::RC => "RC",
            SdiNotification::NS => "NS",
            SdiNotification::MC => "MC",
            SdiNotification::NE => "NE",
            SdiNotification::DT => "DT",
            SdiNotification::AT => "AT",
            SdiNotification::MT => "MT",
            SdiNotification::EC => "EC",
            SdiNotification::SE => "SE",
        }
    }

    /// Italian name of the message.
    pub fn description(self) -> &'static str {
        match self {
            SdiNotification::RC => "Ricevuta di consegna",
            SdiNotification::NS => "Notifica di scarto",
            SdiNotification::MC => "Notifica di mancata consegna",
            SdiNotification::NE => "Notifica di esito",
            SdiNotification::DT => "Notifica di decorrenza termini",
            SdiNotification::AT => {
                "Attestazione di avvenuta trasmissione con impossibilità di recapito"
            }
            SdiNotification::MT => "File dei metadati",
            SdiNotification::EC => "Notifica di esito committente",
            SdiNotification::SE => "Scarto esito committente",
        }
    }

    /// The kind for a root element name (both PA and B2B namespaces).
    pub fn from_root(name: &str) -> Option<SdiNotification> {
        Some(match name {
            "RicevutaConsegna" => SdiNotification::RC,
            "NotificaScarto" | "RicevutaScarto" => SdiNotification::NS,
            "NotificaMancataConsegna" | "RicevutaImpossibilitaRecapito" => SdiNotification::MC,
            "NotificaEsito" => SdiNotification::NE,
            "NotificaDecorrenzaTermini" => SdiNotification::DT,
            "AttestazioneTrasmissioneFattura" => SdiNotification::AT,
            "MetadatiInvioFile" | "FileMetadati" => SdiNotification::MT,
            "NotificaEsitoCommittente" => SdiNotification::EC,
            "ScartoEsitoCommittente" => SdiNotification::SE,
            _ => return None,
        })
    }

    /// Parse the two-letter code (case-insensitive).
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|n| n.as_str().eq_ignore_ascii_case(code))
    }
}

/// What an SDI file name denotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SdiFileKind {
    /// An invoice (`.xml`, or `.xml.p7m` when CAdES-signed).
    Invoice,
    /// A compressed archive of invoices (`.zip`).
    InvoiceArchive,
    /// A notification about an invoice.
    Notification(SdiNotification),
}

/// A file name that follows the SDI naming rules, split into its parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SdiFile {
    /// The name as given (directories removed).
    pub name: String,
    pub kind: SdiFileKind,
    /// ISO 3166-1 alpha-2 country code of the transmitter, upper-cased (`IT`).
    pub country: String,
    /// Transmitter id (partita IVA or codice fiscale), as written.
    pub transmitter_id: String,
    /// Progressive of the invoice file (1-5 alphanumerics), as written.
    pub progressive: String,
    /// Progressive of the notification (1-3 alphanumerics) for notifications.
    pub notification_progressive: Option<String>,
    /// `.p7m`: CAdES-signed.
    pub signed: bool,
    /// The invoice file name this file is about (`IT01234567890_11111.xml`), for notifications.
    pub invoice_stem: String,
}

impl SdiFile {
    pub fn is_invoice(&self) -> bool {
        matches!(
            self.kind,
            SdiFileKind::Invoice | SdiFileKind::InvoiceArchive
        )
    }

    pub fn notification(&self) -> Option<SdiNotification> {
        match self.kind {
            SdiFileKind::Notification(n) => Some(n),
            _ => None,
        }
    }
}

fn strip_suffix_ci<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(suffix.len())?;
    let tail = s.get(cut..)?;
    tail.eq_ignore_ascii_case(suffix)
        .then(|| s.get(..cut))
        .flatten()
}

fn is_alnum(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Classify an attachment name. `None` when it does not follow the SDI rules.
pub fn classify_file_name(name: &str) -> Option<SdiFile> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    let (stem, signed, archive) = if let Some(s) = strip_suffix_ci(base, ".xml.p7m") {
        (s, true, false)
    } else if let Some(s) = strip_suffix_ci(base, ".xml") {
        (s, false, false)
    } else if let Some(s) = strip_suffix_ci(base, ".zip") {
        (s, false, true)
    } else {
        return None;
    };
    let fields: Vec<&str> = stem.split('_').collect();
    let (invoice_fields, notification) = match fields.as_slice() {
        [id, prog] => ((*id, *prog), None),
        [id, prog, tt, n] if !archive => {
            let kind = SdiNotification::parse(tt)?;
            if !is_alnum(n, 1, 3) {
                return None;
            }
            ((*id, *prog), Some((kind, (*n).to_string())))
        }
        _ => return None,
    };
    let (id, progressive) = invoice_fields;
    let country = id.get(..2)?;
    let transmitter_id = id.get(2..)?;
    if !country.bytes().all(|b| b.is_ascii_alphabetic())
        || !is_alnum(transmitter_id, 1, 28)
        || !is_alnum(progressive, 1, 5)
    {
        return None;
    }
    let kind = match (&notification, archive) {
        (Some((n, _)), _) => SdiFileKind::Notification(*n),
        (None, true) => SdiFileKind::InvoiceArchive,
        (None, false) => SdiFileKind::Invoice,
    };
    Some(SdiFile {
        name: base.to_string(),
        kind,
        country: country.to_ascii_uppercase(),
        transmitter_id: transmitter_id.to_string(),
        progressive: progressive.to_string(),
        notification_progressive: notification.map(|(_, n)| n),
        signed,
        invoice_stem: format!("{id}_{progressive}"),
    })
}

/// An invoice file (`.xml` or `.xml.p7m` named by the SdI rules), not a notification or an
/// archive: what makes a message a received invoice.
pub fn is_invoice_file(name: &str) -> bool {
    classify_file_name(name).is_some_and(|f| f.kind == SdiFileKind::Invoice)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(name: &str) -> Option<SdiFileKind> {
        classify_file_name(name).map(|f| f.kind)
    }

    #[test]
    fn invoices() {
        assert_eq!(kind("IT01234567890_FPR03.xml"), Some(SdiFileKind::Invoice));
        assert_eq!(kind("IT05979361218_006.XML"), Some(SdiFileKind::Invoice));
        assert_eq!(kind("it01234567890_x05mX.xml"), Some(SdiFileKind::Invoice));
        let f = classify_file_name("dir/IT02182030391_31.xml.p7m").expect("signed invoice");
        assert!(f.signed && f.is_invoice());
        assert_eq!(f.name, "IT02182030391_31.xml.p7m");
        assert_eq!(f.country, "IT");
        assert_eq!(f.transmitter_id, "02182030391");
        assert_eq!(
            kind("IT01234567890_00001.ZIP"),
            Some(SdiFileKind::InvoiceArchive)
        );
        assert_eq!(
            kind("IT01234567890_00001.Xml.P7M"),
            Some(SdiFileKind::Invoice)
        );
    }

    #[test]
    fn notifications() {
        for n in SdiNotification::ALL {
            let name = format!("IT01234567890_11111_{}_001.xml", n.as_str());
            assert_eq!(kind(&name), Some(SdiFileKind::Notification(*n)), "{name}");
        }
        let f = classify_file_name("IT02652600210_00007_MT_002.xml").expect("MT");
        assert_eq!(f.notification(), Some(SdiNotification::MT));
        assert_eq!(f.notification_progressive.as_deref(), Some("002"));
        assert_eq!(f.invoice_stem, "IT02652600210_00007");
        assert_eq!(
            kind("IT01234567890_11111_rc_001.xml"),
            Some(SdiFileKind::Notification(SdiNotification::RC))
        );
    }

    #[test]
    fn not_sdi_names() {
        for name in [
            "postacert.eml",
            "daticert.xml",
            "smime.p7s",
            "IT02780790107_11004_xml_doctor.xml",
            "IT02182030391_31.Base64.xml.p7m",
            "from0000001to0000002.xml",
            "IT01234567890_123456.xml",
            "IT01234567890_11111_XX_001.xml",
            "IT01234567890_11111_RC_0001.xml",
            "1T01234567890_11111.xml",
            "IT_11111.xml",
            "IT01234567890_11111_RC_001.zip",
            "",
        ] {
            assert_eq!(kind(name), None, "{name}");
        }
    }
}
