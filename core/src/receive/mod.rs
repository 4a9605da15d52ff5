//! Receiving a message: raw RFC 5322 bytes → [`MessageRecord`], the plain data the store writes.
//!
//! This layer sits between message understanding and the store (which only persists records): it reads the PEC headers
//! (`X-Ricevuta`, `X-Trasporto`, `X-Riferimento-Message-ID`, REM headers), the daticert.xml fields
//! the receipt tracker needs (tipo, identificativo, msgid, consegna, errore, data), recipients,
//! attachments and the text to index. Complete messages go through `pec_core::message` (kind,
//! daticert, correlation keys, original, SDI files, signature verified against the bundled trust
//! list); header-only records (the first pass of the sync) and inputs the parser refuses use the
//! local reader below, so that no message is ever dropped.
//!
//! What a record may claim: the kind and the receipt facts come from the daticert whenever there
//! is one (the outer `X-Ricevuta` / `X-Trasporto` are not signed and lose to it), and only the
//! full analysis with a valid provider signature over that daticert makes a record
//! [`MessageRecord::certified`]. A header-only record is *unverified until the body is checked*:
//! its kind comes from the headers (there is nothing else yet) and it is never certified, so it
//! gives no delivery tick (see `receipts.rs`).

mod sections;

pub use sections::fill_sections;

use crate::message::{Analyzer, Kind};
use crate::signature::TrustStore;
use crate::store::record::header_text_copy;
use crate::store::{
    AttachmentRecord, FolderId, ImapMeta, InsertOutcome, InvoiceRecord, MessageRecord,
    RecipientRecord, ServerFlags, Store, StoreError, now,
};
use mail_parser::{Address, MessageParser, MimeHeaders};
use std::sync::{Arc, RwLock};

const BODY_INDEX_CAP: usize = 64 * 1024;
const PREVIEW_LEN: usize = 200;

/// A Message-ID without its angle brackets (also the escaped `&lt;…&gt;` seen in daticert);
/// `None` when nothing is left.
fn message_id_of(id: &str) -> Option<String> {
    Some(crate::message::headers::normalize_message_id(id)).filter(|m| !m.is_empty())
}

/// Analyse a complete message with the local reader only (no signature check).
pub fn analyze_fallback(raw: &[u8]) -> MessageRecord {
    analyze_inner(raw, true).bounded()
}

/// Analyse only a header block (what the initial sync fetches first).
pub fn analyze_header(raw_header: &[u8]) -> MessageRecord {
    analyze_inner(raw_header, false).bounded()
}

fn first_addr(a: Option<&Address<'_>>) -> (Option<String>, Option<String>) {
    match a.and_then(|a| a.first()) {
        Some(addr) => (
            addr.address().map(|s| s.trim().to_ascii_lowercase()),
            addr.name()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
        ),
        None => (None, None),
    }
}

fn push_recipients(out: &mut Vec<RecipientRecord>, a: Option<&Address<'_>>, field: &'static str) {
    let Some(a) = a else { return };
    for addr in a.iter() {
        if let Some(address) = addr.address() {
            let address = address.trim().to_ascii_lowercase();
            if address.is_empty() || out.iter().any(|r| r.address == address && r.field == field) {
                continue;
            }
            out.push(RecipientRecord {
                address,
                name: addr.name().map(str::to_string).filter(|s| !s.is_empty()),
                field,
                pec_type: None,
            });
        }
    }
}

fn header_text(msg: &mail_parser::Message<'_>, name: &str) -> Option<String> {
    msg.header_raw(name)
        .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|v| !v.is_empty())
}

fn analyze_inner(raw: &[u8], complete: bool) -> MessageRecord {
    let mut rec = MessageRecord {
        complete,
        kind: Some(Kind::Plain),
        ..Default::default()
    };
    let parser = MessageParser::default();
    let Some(msg) = parser.parse(raw) else {
        rec.signature = Some("absent".into());
        return rec;
    };
    header_fields(&msg, &mut rec);
    let pec = PecHeaders {
        ricevuta: header_text(&msg, "X-Ricevuta").map(|s| s.to_ascii_lowercase()),
        trasporto: header_text(&msg, "X-Trasporto").map(|s| s.to_ascii_lowercase()),
        rem_type: header_text(&msg, "REM-MessageType"),
    };
    rec.ref_message_id = header_text(&msg, "X-Riferimento-Message-ID")
        .or_else(|| header_text(&msg, "REM-UAMessageIdentifier"))
        .and_then(|s| message_id_of(&s));
    // The same rules as the full analysis (`message::kind::classify`); the daticert, when the body
    // is here, decides below.
    let (kind, _) = crate::message::kind::classify(
        pec.rem_type.is_some(),
        pec.ricevuta.as_deref(),
        pec.trasporto.as_deref(),
        None,
    );
    rec.kind = Some(kind);
    if kind == Kind::Receipt {
        rec.receipt_type = pec.ricevuta.clone();
    }
    if matches!(kind, Kind::Envelope | Kind::Anomaly | Kind::Rem) {
        rec.sender_addr = real_sender(&msg, rec.from_name.as_deref());
    }
    let signed = is_signed(&msg);
    rec.signature = Some(if signed { "signed" } else { "absent" }.into());
    if complete {
        body_fields(&msg, &pec, &mut rec);
    }
    rec
}

/// The PEC and REM headers the reader classifies by.
struct PecHeaders {
    ricevuta: Option<String>,
    trasporto: Option<String>,
    rem_type: Option<String>,
}

/// Message-ID, subject, date, sender and recipients, from the headers.
fn header_fields(msg: &mail_parser::Message<'_>, rec: &mut MessageRecord) {
    rec.message_id = msg.message_id().and_then(message_id_of);
    rec.subject = msg.subject().map(header_text_copy);
    rec.original_subject = rec
        .subject
        .as_deref()
        .map(|s| crate::message::subject::strip_prefixes(s).to_string());
    rec.date = msg.date().map(|d| d.to_timestamp());
    let (from_addr, from_name) = first_addr(msg.from());
    rec.from_addr = from_addr;
    rec.from_name = from_name;
    push_recipients(&mut rec.recipients, msg.to(), "to");
    push_recipients(&mut rec.recipients, msg.cc(), "cc");
    push_recipients(&mut rec.recipients, msg.bcc(), "bcc");
}

/// Who really sent an envelope: its Reply-To, else the address in the provider's "per conto di:"
/// display name.
fn real_sender(msg: &mail_parser::Message<'_>, from_name: Option<&str>) -> Option<String> {
    let (reply_to, _) = first_addr(msg.reply_to());
    reply_to.or_else(|| {
        let lower = from_name?.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("per conto di:")
            .or_else(|| lower.strip_prefix("on behalf of:"))?;
        Some(rest.trim().to_string()).filter(|s| s.contains('@'))
    })
}

/// Whether the message is S/MIME signed (`multipart/signed` or a `pkcs7-mime` body).
fn is_signed(msg: &mail_parser::Message<'_>) -> bool {
    let ctype = msg
        .root_part()
        .content_type()
        .map(|c| {
            format!(
                "{}/{}",
                c.ctype().to_ascii_lowercase(),
                c.subtype().unwrap_or("").to_ascii_lowercase()
            )
        })
        .unwrap_or_default();
    ctype == "multipart/signed" || ctype.ends_with("pkcs7-mime")
}

/// What the body gives: the daticert's facts, the attachments, the text to show and index (the
/// original's, `postacert.eml`, for envelopes; else the message's own).
fn body_fields(msg: &mail_parser::Message<'_>, pec: &PecHeaders, rec: &mut MessageRecord) {
    let mut text: Option<String> = None;
    for part in msg.attachments() {
        let name = part.attachment_name().map(str::to_string);
        let lname = name.as_deref().unwrap_or("").to_ascii_lowercase();
        if lname == "daticert.xml" {
            let headers = (
                pec.rem_type.is_some(),
                pec.ricevuta.as_deref(),
                pec.trasporto.as_deref(),
            );
            apply_daticert(part.contents(), headers, rec);
            continue;
        }
        if lname == "smime.p7s" {
            continue;
        }
        if let Some(inner) = part.message()
            && (lname == "postacert.eml" || matches!(rec.kind(), Kind::Envelope | Kind::Rem))
        {
            if text.is_none() {
                text = inner.body_text(0).map(|t| t.into_owned());
            }
            for sub in inner.attachments() {
                push_attachment(rec, sub);
            }
            continue;
        }
        push_attachment(rec, part);
    }
    if rec.kind() == Kind::Receipt {
        // Invoice files attached to a receipt's copy of the original are not received invoices.
        rec.is_invoice = false;
    }
    let text = text.or_else(|| msg.body_text(0).map(|t| t.into_owned()));
    if let Some(t) = text {
        let (indexed, preview) = indexed_and_preview(&t);
        rec.preview = preview;
        rec.body_text = Some(indexed);
    }
}

/// Record an attached part; an SdI invoice file name makes the message an invoice.
fn push_attachment(rec: &mut MessageRecord, part: &mail_parser::MessagePart<'_>) {
    let filename = part.attachment_name().map(str::to_string);
    if filename.as_deref().is_some_and(crate::sdi::is_invoice_file) {
        rec.is_invoice = true;
    }
    rec.attachments.push(AttachmentRecord {
        filename,
        mime: mime_of(part),
        size: part.contents().len() as u64,
        section: None,
    });
}

/// A part's MIME type, lower-cased (`application/octet-stream` when it says none).
pub(crate) fn mime_of(part: &mail_parser::MessagePart<'_>) -> String {
    part.content_type()
        .map(|c| {
            format!(
                "{}/{}",
                c.ctype().to_ascii_lowercase(),
                c.subtype().unwrap_or("octet-stream").to_ascii_lowercase()
            )
        })
        .unwrap_or_else(|| "application/octet-stream".into())
}

/// The receipt tracker's facts from a daticert.xml, read by the one daticert reader
/// ([`crate::message::parse_daticert`]); one it cannot read leaves the header facts alone.
fn apply_daticert(
    xml: &[u8],
    (rem, ricevuta, trasporto): (bool, Option<&str>, Option<&str>),
    rec: &mut MessageRecord,
) {
    let d = match crate::message::parse_daticert(xml) {
        Ok(d) => d,
        Err(e) => {
            tracing::debug!("daticert not read by the fallback reader: {e}");
            return;
        }
    };
    rec.identificativo = d.identificativo.or(rec.identificativo.take());
    rec.pec_msgid = d.msgid.as_deref().and_then(message_id_of);
    rec.pec_recipient = d.consegna.map(|c| c.trim().to_ascii_lowercase());
    for dest in &d.destinatari {
        let address = dest.address.trim().to_ascii_lowercase();
        if let Some(r) = rec.recipients.iter_mut().find(|r| r.address == address) {
            r.pec_type = dest.tipo.map(|t| t.as_str().to_string());
        }
    }
    // The daticert's tipo wins over X-Ricevuta / X-Trasporto, as in the full analysis.
    let tipo = d.tipo.trim().to_ascii_lowercase();
    let (kind, receipt) = crate::message::kind::classify(rem, ricevuta, trasporto, Some(&tipo));
    rec.kind = Some(kind);
    rec.receipt_type = match (kind, receipt) {
        (Kind::Receipt, Some(r)) => Some(r.as_str().to_string()),
        (Kind::Receipt, None) => rec.receipt_type.take(),
        _ => None,
    };
    let err = d
        .errore_raw
        .filter(|e| !e.trim().eq_ignore_ascii_case("nessuno"));
    rec.pec_error = match (err, d.errore_esteso) {
        (Some(e), Some(x)) => Some(format!("{e}: {x}")),
        (Some(e), None) => Some(e),
        (None, Some(x)) => Some(x),
        (None, None) => None,
    };
    rec.pec_time = d.data.map(|t| t.timestamp());
}

/// The analyser with the bundled trust list only, shared by every receiver that adds no anchor.
fn default_analyzer() -> Arc<Analyzer> {
    static A: std::sync::OnceLock<Arc<Analyzer>> = std::sync::OnceLock::new();
    A.get_or_init(|| Arc::new(Analyzer::new(TrustStore::bundled())))
        .clone()
}

/// Reads received messages into records with one signature trust, shared by every clone (the
/// context's, its sync engine's): adding an anchor applies to every message read from then on.
#[derive(Clone)]
pub struct Receiver {
    analyzer: Arc<RwLock<Arc<Analyzer>>>,
}

impl Default for Receiver {
    /// The bundled AgID/DigitPA trust list only.
    fn default() -> Self {
        Receiver {
            analyzer: Arc::new(RwLock::new(default_analyzer())),
        }
    }
}

impl Receiver {
    /// A receiver that accepts PEC provider signatures under `trust`.
    pub fn new(trust: TrustStore) -> Receiver {
        let r = Receiver::default();
        r.set_trust(trust);
        r
    }

    /// Which signers make a message certified from now on. Never an account's TLS `ca_file`: a
    /// CA trusted to reach a server does not make its holder a PEC provider.
    pub fn set_trust(&self, trust: TrustStore) {
        *self.analyzer.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(Analyzer::new(trust));
    }

    pub fn trust(&self) -> TrustStore {
        self.analyzer().trust().clone()
    }

    /// The analyser messages are read with now.
    pub fn analyzer(&self) -> Arc<Analyzer> {
        self.analyzer
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The record of a complete message.
    pub fn record(&self, raw: &[u8]) -> MessageRecord {
        analyze_with(&self.analyzer(), raw)
    }

    /// Import a raw message file into `folder` (no server copy). The same file imported twice is
    /// stored once; another message with the same Message-ID is stored beside it. An empty (or
    /// blank) input is not a message: refused with [`StoreError::Invalid`].
    pub fn import(
        &self,
        store: &Store,
        folder: FolderId,
        raw: &[u8],
    ) -> Result<InsertOutcome, StoreError> {
        if raw.iter().all(u8::is_ascii_whitespace) {
            return Err(StoreError::Invalid(
                "the file is empty: there is no message to import".into(),
            ));
        }
        let mut rec = self.record(raw);
        // No server copy and so no BODYSTRUCTURE: the sections come from the parsed body, and
        // the attachments are served from it.
        fill_sections(raw, &mut rec.attachments);
        let meta = ImapMeta {
            size: raw.len() as u64,
            // As an IMAP APPEND without a date: arrival is now. A message without a Date header
            // is then listed by when it came, never as 1970.
            internal_date: rec.date.or_else(|| Some(now())),
            flags: ServerFlags {
                seen: true,
                ..Default::default()
            },
            ..Default::default()
        };
        store.upsert_message(folder, &meta, &rec, Some(raw))
    }
}

/// Analyse a complete message with `pec_core::message` (signature verified against the bundled
/// trust list); see [`analyze_with`].
pub fn analyze(raw: &[u8]) -> MessageRecord {
    analyze_with(&default_analyzer(), raw)
}

/// Analyse a complete message with `analyzer` (its trust store decides which signatures are
/// valid); falls back to the local reader when the parser refuses the input, so that a message
/// is never lost for being odd.
pub fn analyze_with(analyzer: &Analyzer, raw: &[u8]) -> MessageRecord {
    let analysed = analyzer.analyze_and(raw, |m, parsed| {
        let mut rec = from_pec_message(m);
        if rec.is_invoice {
            rec.invoices = invoice_records(parsed);
        }
        rec.bounded()
    });
    match analysed {
        Ok((_, rec)) => rec,
        Err(e) => {
            tracing::debug!("message analysis failed ({e}); using the fallback reader");
            analyze_fallback(raw)
        }
    }
}

/// The body text as indexed (the first [`BODY_INDEX_CAP`] bytes) and the list's preview: its
/// first [`PREVIEW_LEN`] characters with runs of white space made one space (`None` when blank).
fn indexed_and_preview(text: &str) -> (String, Option<String>) {
    let indexed = text[..text.floor_char_boundary(BODY_INDEX_CAP)].to_string();
    let mut preview = String::new();
    let mut chars = 0;
    for word in indexed.split_whitespace() {
        if chars > 0 {
            preview.push(' ');
            chars += 1;
        }
        for c in word.chars() {
            if chars >= PREVIEW_LEN {
                break;
            }
            preview.push(c);
            chars += 1;
        }
        if chars >= PREVIEW_LEN {
            break;
        }
    }
    (indexed, Some(preview).filter(|p| !p.is_empty()))
}

fn trust() -> &'static crate::signature::TrustStore {
    static T: std::sync::OnceLock<crate::signature::TrustStore> = std::sync::OnceLock::new();
    T.get_or_init(crate::signature::TrustStore::bundled)
}

/// Open the invoice file a parsed message carries (`fatturapa`'s opening of a whole message: it
/// finds the SDI-named attachment, inside `postacert.eml` too, and refuses a `.p7m` whose
/// signature does not prove it intact). Notifications and files that do not open give nothing:
/// the message stays in the invoices view, without details.
fn invoice_records(parsed: &mail_parser::Message<'_>) -> Vec<InvoiceRecord> {
    use crate::fatturapa::{Container, Integrity};
    let opened = match crate::fatturapa::open_parsed_email(parsed, trust()) {
        Ok(o) => o,
        Err(e) => {
            tracing::debug!("invoice not opened: {e}");
            return Vec::new();
        }
    };
    let Some(inv) = opened.invoice() else {
        return Vec::new();
    };
    let Container::Email { attachment, .. } = &opened.container else {
        return Vec::new();
    };
    let first = inv.bodies.first().map(|b| b.documento());
    let seller = &inv.header.cedente_prestatore;
    // A batch in one currency sums; mixed currencies have no single total.
    let same_currency = inv
        .bodies
        .iter()
        .all(|b| Some(&b.documento().divisa) == first.map(|d| &d.divisa));
    let total = (!inv.bodies.is_empty() && same_currency).then(|| {
        inv.bodies
            .iter()
            .map(|b| b.total())
            .sum::<rust_decimal::Decimal>()
            .to_string()
    });
    let name = seller.display_name();
    vec![InvoiceRecord {
        filename: attachment.clone(),
        number: first.map(|d| d.numero.clone()),
        date: first.map(|d| d.data.format("%Y-%m-%d").to_string()),
        seller: Some(name).filter(|n| !n.trim().is_empty()),
        seller_vat: seller.fiscal_id(),
        total,
        doc_type: first.map(|d| d.tipo_documento.code().to_string()),
        currency: first.map(|d| d.divisa.clone()),
        documents: inv.bodies.len() as u32,
        signed: matches!(opened.integrity, Integrity::SignedIntact { .. }),
    }]
}

fn from_pec_message(m: &crate::message::PecMessage) -> MessageRecord {
    let kind = m.kind;
    let c = &m.correlation;
    let inner = m.innermost();
    let recipients = recipients_of(m);
    let attachments = attachments_of(m);
    let invoice_file = m.sdi.as_ref().is_some_and(|s| s.invoice_attached)
        || attachments.iter().any(|a| {
            a.filename
                .as_deref()
                .is_some_and(crate::sdi::is_invoice_file)
        });
    let is_invoice = kind != Kind::Receipt && invoice_file;
    let text = inner.body_text.clone().or_else(|| m.body_text.clone());
    let (body_text, preview) = match text {
        Some(t) => {
            let (indexed, preview) = indexed_and_preview(&t);
            (Some(indexed), preview)
        }
        None => (None, None),
    };
    let error = error_of(m);
    MessageRecord {
        message_id: c.message_id.as_deref().and_then(message_id_of),
        kind: Some(kind),
        receipt_type: m.receipt.map(|r| r.as_str().to_string()),
        // A certified receipt is attached by the message id its signed daticert names: the
        // unsigned X-Riferimento-Message-ID could point it at another sent message.
        ref_message_id: c
            .msgid
            .as_deref()
            .filter(|_| m.certified)
            .or(c.riferimento_message_id.as_deref())
            .or(c.rem_ua_message_identifier.as_deref())
            .and_then(message_id_of),
        identificativo: c.identificativo.clone(),
        pec_msgid: c.msgid.as_deref().and_then(message_id_of),
        pec_recipient: c.consegna.as_ref().map(|s| s.trim().to_ascii_lowercase()),
        pec_error: error,
        pec_time: m
            .daticert
            .as_ref()
            .and_then(|d| d.data)
            .map(|d| d.timestamp()),
        from_addr: m
            .from
            .as_ref()
            .map(|f| f.address.trim().to_ascii_lowercase()),
        from_name: m
            .from
            .as_ref()
            .and_then(|f| f.name.clone())
            .filter(|n| !n.is_empty()),
        sender_addr: match kind {
            Kind::Envelope | Kind::Anomaly | Kind::Rem => {
                m.sender.as_ref().map(|s| s.to_ascii_lowercase())
            }
            _ => None,
        },
        subject: m.header_subject.as_deref().map(header_text_copy),
        original_subject: Some(header_text_copy(&m.subject)),
        date: m.header_date.or(m.date).map(|d| d.timestamp()),
        recipients,
        attachments,
        is_invoice,
        invoices: Vec::new(),
        signature: Some(
            m.signature
                .status
                .map(|s| s.as_str().to_string())
                .unwrap_or_else(|| "unchecked".into()),
        ),
        preview,
        body_text,
        complete: true,
        certified: m.certified,
        header_mismatches: m.header_mismatches.clone(),
    }
}

/// The To and Cc recipients, each address once per field, with the daticert's type
/// (certificato/esterno) on those it lists. For a receipt the daticert lists the original's
/// recipients, which the sent message learns through the tracker instead.
fn recipients_of(m: &crate::message::PecMessage) -> Vec<RecipientRecord> {
    let mut recipients: Vec<RecipientRecord> = Vec::new();
    for (list, field) in [(&m.to, "to"), (&m.cc, "cc")] {
        for mb in list.iter() {
            let address = mb.address.trim().to_ascii_lowercase();
            if address.is_empty()
                || recipients
                    .iter()
                    .any(|r| r.address == address && r.field == field)
            {
                continue;
            }
            recipients.push(RecipientRecord {
                address,
                name: mb.name.clone().filter(|n| !n.is_empty()),
                field,
                pec_type: None,
            });
        }
    }
    if m.kind != Kind::Receipt {
        for r in &m.recipients {
            let address = r.address.trim().to_ascii_lowercase();
            if let Some(x) = recipients.iter_mut().find(|x| x.address == address) {
                x.pec_type = r.tipo.map(|t| t.as_str().to_string());
            }
        }
    }
    recipients
}

/// The attachments the user sees: the content parts of the message and of its original.
fn attachments_of(m: &crate::message::PecMessage) -> Vec<AttachmentRecord> {
    use crate::message::PartRole;
    m.attachments
        .iter()
        .chain(m.original.iter().flat_map(|o| o.attachments.iter()))
        .filter(|a| matches!(a.role, PartRole::Content))
        .map(|a| AttachmentRecord {
            filename: a.name.clone(),
            mime: a.content_type.clone(),
            size: a.size as u64,
            section: None,
        })
        .collect()
}

/// The provider's error code with its text, either alone when the other is missing.
fn error_of(m: &crate::message::PecMessage) -> Option<String> {
    match (m.error.filter(|e| e.as_str() != "nessuno"), &m.error_detail) {
        (Some(e), Some(d)) => Some(format!("{e}: {d}")),
        (Some(e), None) => Some(e.to_string()),
        (None, Some(d)) => Some(d.clone()),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_lose_their_brackets_escaped_or_not() {
        assert_eq!(message_id_of(" &lt;a@b&gt; ").as_deref(), Some("a@b"));
        assert_eq!(message_id_of("<a@b>").as_deref(), Some("a@b"));
        assert_eq!(message_id_of(" <> "), None);
    }

    #[test]
    fn the_preview_is_the_first_words_joined_by_single_spaces() {
        let joined = |t: &str| -> String {
            let words: Vec<&str> = t.split_whitespace().collect();
            words.join(" ").chars().take(PREVIEW_LEN).collect()
        };
        let long_word = "è".repeat(PREVIEW_LEN + 5);
        let at_the_edge = format!("{} {}", "a".repeat(PREVIEW_LEN - 1), "b c");
        let exactly = format!("{}  next", "x".repeat(PREVIEW_LEN));
        let many = "Gentile  cliente,\r\n\tin allegato la fattura n. 12 ".repeat(20);
        for text in [
            "",
            " \r\n ",
            "ciao",
            long_word.as_str(),
            &at_the_edge,
            &exactly,
            &many,
        ] {
            let (indexed, preview) = indexed_and_preview(text);
            assert_eq!(indexed, text);
            assert_eq!(preview.unwrap_or_default(), joined(text), "{text:?}");
        }
        let big = "parola ".repeat(20_000);
        let (indexed, preview) = indexed_and_preview(&big);
        assert_eq!(indexed.len(), BODY_INDEX_CAP);
        assert_eq!(preview.map(|p| p.chars().count()), Some(PREVIEW_LEN));
    }
}
