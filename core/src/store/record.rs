//! What the store writes for one message: plain data, produced by [`crate::receive`] from the
//! raw bytes (or from the headers and BODYSTRUCTURE the sync fetches first).

use crate::message::Kind;

/// One To/Cc/Bcc address.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecipientRecord {
    pub address: String,
    pub name: Option<String>,
    /// `to`, `cc` or `bcc`.
    pub field: &'static str,
    /// daticert `destinatari tipo`: `certificato` or `esterno`, when known.
    pub pec_type: Option<String>,
}

/// One attachment as listed to the user.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AttachmentRecord {
    pub filename: Option<String>,
    pub mime: String,
    /// Bytes: encoded octets when listed from BODYSTRUCTURE, decoded once the body is analysed.
    pub size: u64,
    /// IMAP section (`"1.3.2"`) for [`crate::sync::SyncEngine::download_part`], known from the
    /// server's BODYSTRUCTURE (kept when the full analysis replaces the header-only listing);
    /// `None` for local imports.
    pub section: Option<String>,
}

/// What a FatturaPA file attached to a message says (one row of the invoices table).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct InvoiceRecord {
    /// The attachment's file name (e.g. `IT01234567890_00001.xml.p7m`).
    pub filename: String,
    /// `Numero` of the (first) document; a batch ("lotto") of several is noted in `documents`.
    pub number: Option<String>,
    /// `Data`, ISO `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Seller (`CedentePrestatore`) name.
    pub seller: Option<String>,
    /// Seller VAT number (`IT01234567890`), else tax code.
    pub seller_vat: Option<String>,
    /// Total to pay as a decimal string (`ImportoTotaleDocumento`, else computed), summed over the
    /// documents of a batch.
    pub total: Option<String>,
    /// `TipoDocumento` code (`TD01` invoice, `TD04` credit note, …).
    pub doc_type: Option<String>,
    /// `Divisa` (ISO 4217).
    pub currency: Option<String>,
    /// Number of documents in the file (1 unless a batch).
    pub documents: u32,
    /// Whether a signature proves the file unaltered (`.p7m`), as opposed to plain XML.
    pub signed: bool,
}

/// Everything the store keeps about one message, ready to write.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MessageRecord {
    /// Message-ID without angle brackets.
    pub message_id: Option<String>,
    pub kind: Option<Kind>,
    /// `X-Ricevuta` value (or daticert `tipo`) for receipts.
    pub receipt_type: Option<String>,
    /// `X-Riferimento-Message-ID` (REM: `REM-UAMessageIdentifier`), without angle brackets.
    pub ref_message_id: Option<String>,
    pub identificativo: Option<String>,
    /// daticert `<msgid>` without angle brackets.
    pub pec_msgid: Option<String>,
    /// daticert `<consegna>`: the recipient a delivery receipt speaks of.
    pub pec_recipient: Option<String>,
    /// daticert `errore` (when not `nessuno`) and `errore-esteso`.
    pub pec_error: Option<String>,
    /// daticert `data` as Unix seconds.
    pub pec_time: Option<i64>,
    pub from_addr: Option<String>,
    pub from_name: Option<String>,
    /// The real sender of an envelope (`Reply-To` / "Per conto di").
    pub sender_addr: Option<String>,
    pub subject: Option<String>,
    /// Subject without the PEC prefixes.
    pub original_subject: Option<String>,
    pub date: Option<i64>,
    pub recipients: Vec<RecipientRecord>,
    pub attachments: Vec<AttachmentRecord>,
    pub is_invoice: bool,
    /// What the invoice file says, when the whole message was analysed and the file opened.
    pub invoices: Vec<InvoiceRecord>,
    /// `signed` when an S/MIME signature is present (not verified here), `absent` otherwise.
    pub signature: Option<String>,
    pub preview: Option<String>,
    /// Text for the full-text index (capped).
    pub body_text: Option<String>,
    /// True when the whole message was analysed (not only its header).
    pub complete: bool,
    /// The kind and receipt facts come from a daticert inside content whose PEC-provider
    /// signature is valid ([`crate::message::PecMessage::certified`]). False for header-only
    /// records, the fallback reader, unsigned or untrusted messages.
    pub certified: bool,
    /// Outer headers that contradict the daticert (a tampering sign), from the full analysis.
    pub header_mismatches: Vec<crate::message::HeaderMismatch>,
}

impl MessageRecord {
    pub fn kind(&self) -> Kind {
        self.kind.unwrap_or(Kind::Plain)
    }

    /// Header texts cut to [`MAX_HEADER_TEXT_BYTES`](crate::limits::MAX_HEADER_TEXT_BYTES), so
    /// that a hostile header costs the store no more than a normal one.
    pub(crate) fn bounded(mut self) -> Self {
        for field in [
            &mut self.subject,
            &mut self.original_subject,
            &mut self.from_addr,
            &mut self.from_name,
            &mut self.sender_addr,
            &mut self.message_id,
            &mut self.ref_message_id,
        ]
        .into_iter()
        .flatten()
        {
            cut_header_text(field);
        }
        for r in &mut self.recipients {
            cut_header_text(&mut r.address);
            r.name.iter_mut().for_each(cut_header_text);
        }
        self
    }
}

fn cut_header_text(s: &mut String) {
    s.truncate(s.floor_char_boundary(crate::limits::MAX_HEADER_TEXT_BYTES));
}

/// A copy of at most [`MAX_HEADER_TEXT_BYTES`](crate::limits::MAX_HEADER_TEXT_BYTES) of `s`,
/// without copying the rest first.
pub(crate) fn header_text_copy(s: &str) -> String {
    s[..s.floor_char_boundary(crate::limits::MAX_HEADER_TEXT_BYTES)].to_string()
}
