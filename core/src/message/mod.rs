//! Understanding one raw message: plain mail, PEC envelope, anomaly, receipt, or REM message, with
//! its daticert, its original (recursively), correlation keys, SDI files and signature check.
//!
//! Entry points: [`analyze`] / [`Analyzer::analyze`] for RFC 5322 bytes, [`parse_daticert`] for a
//! bare `daticert.xml`, [`rem::parse_evidence`] for a bare ERDS evidence, and
//! [`Analyzer::analyze_document`] when the kind of file is not known. The result, [`PecMessage`], is
//! a read-only, serialisable view for the store, sync, sending and UI layers.
//!
//! Bad input gives a typed [`ParseError`] or a degraded view whose [`PecMessage::warnings`] say what
//! was skipped; the caps of [`crate::limits`] bound the work.

mod analysis;
pub mod correlation;
pub mod daticert;
pub mod header_check;
pub mod headers;
pub mod html;
pub mod kind;
pub mod original;
pub mod rem;
pub mod report;
pub mod signed_part;
pub mod subject;
pub(crate) mod transfer;
mod xml;

pub use correlation::Correlation;
pub use daticert::{Daticert, DaticertError, DaticertRecipient as Recipient, parse_daticert};
pub use header_check::HeaderMismatch;
pub use headers::Mailbox;
pub use kind::{Kind, PecErrorCode, ReceiptKind, ReceiptType, RecipientType};
pub use original::{Attachment, PartRole};
pub use rem::{EvidenceError, RemEvent, RemEvidence, RemInfo, RemMessageType, parse_evidence};
pub use signed_part::SignatureView;
pub use xml::XmlError;

use crate::limits::{MAX_MESSAGE_BYTES, MAX_NESTING_DEPTH, MAX_PARTS};
use crate::sdi::{self, SdiFile, SdiNotification};
use crate::signature::{Policy, TrustStore};
use chrono::{DateTime, FixedOffset, Utc};
use mail_parser::{Message, MessageParser, PartType};
use serde::Serialize;
use std::cell::Cell;

/// Why a message could not be analysed at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("empty input")]
    Empty,
    #[error("message too large: {size} bytes (limit {max})")]
    TooLarge { size: usize, max: usize },
    #[error("not an RFC 5322 message (no header found)")]
    NotAMessage,
    #[error("too many MIME parts: more than {max}")]
    TooManyParts { max: usize },
    #[error("the MIME parser failed on this input")]
    ParserFailure,
    #[error("not a PEC/REM message, daticert.xml or REM evidence: {0}")]
    UnknownDocument(String),
}

/// What the SDI (FatturaPA exchange system) has to do with a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SdiInfo {
    /// The message comes from an SDI mailbox (`sdiNN@pec.fatturapa.it`).
    pub from_sdi: bool,
    /// That SDI mailbox.
    pub sdi_address: Option<String>,
    /// SDI-named files in this message and in its original(s).
    pub files: Vec<SdiFile>,
    /// The notification carried (a non-MT one when there is one, else MT).
    pub notification: Option<SdiNotification>,
    /// An invoice file (`.xml`, `.xml.p7m`, `.zip`) is attached.
    pub invoice_attached: bool,
}

/// The read-only view of one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PecMessage {
    pub kind: Kind,
    /// For receipts: which one.
    pub receipt: Option<ReceiptKind>,
    /// completa | breve | sintetica (daticert `<ricevuta>`, else `X-TipoRicevuta`).
    pub receipt_type: Option<ReceiptType>,
    /// daticert `errore`.
    pub error: Option<PecErrorCode>,
    /// daticert `errore-esteso` (e.g. `5.1.1 - ... - indirizzo non valido`).
    pub error_detail: Option<String>,
    /// The original subject, provider prefixes removed.
    pub subject: String,
    /// The Subject header as received.
    pub header_subject: Option<String>,
    /// The From header.
    pub from: Option<Mailbox>,
    /// The real sender: daticert mittente, Reply-To or "Per conto di" for envelopes, else From.
    pub sender: Option<String>,
    pub reply_to: Option<String>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    /// Recipients with their PEC type (from daticert), else To and Cc with no type.
    pub recipients: Vec<Recipient>,
    /// The certified moment (daticert data), else the Date header.
    pub date: Option<DateTime<FixedOffset>>,
    pub header_date: Option<DateTime<FixedOffset>>,
    /// daticert `gestore-emittente`.
    pub provider_name: Option<String>,
    pub correlation: Correlation,
    pub daticert: Option<Daticert>,
    pub signature: SignatureView,
    /// The facts above are certified: the daticert they come from lies inside the signed content
    /// and the signature is `valid` (a PEC provider under the trust list signed it). False for
    /// unsigned messages, broken or untrusted signatures, and header-only facts: such a message
    /// may be shown, but never as certified evidence (no delivery ticks, no "valid receipt").
    pub certified: bool,
    /// Outer headers that contradict the daticert (e.g. `X-Ricevuta: avvenuta-consegna` on a
    /// signed accettazione): the message was altered after the provider sent it. The kind and
    /// facts above follow the daticert, never these headers.
    pub header_mismatches: Vec<HeaderMismatch>,
    /// The signature was found below the top level: a list or gateway re-wrapped the envelope
    /// (its `multipart/signed` inside a `multipart/mixed`), or it was forwarded as an attached
    /// message. `signature` is the verdict of that inner signed part; the outer layer is not
    /// covered by it.
    pub rewrapped: bool,
    /// The message carries an original (postacert.eml / AttachedMimeMessage).
    pub has_original: bool,
    /// The original, analysed the same way (absent when unreadable or past the nesting cap).
    pub original: Option<Box<PecMessage>>,
    /// Attached parts (daticert, original, signature, evidence and user attachments).
    pub attachments: Vec<Attachment>,
    /// First text body (text/plain, else text converted from HTML by mail-parser).
    pub body_text: Option<String>,
    pub sdi: Option<SdiInfo>,
    pub rem: Option<RemInfo>,
    /// Raw size in bytes.
    pub size: usize,
    /// What was skipped or could not be read (degraded but honest view).
    pub warnings: Vec<String>,
}

impl PecMessage {
    /// The innermost original (following nested PEC envelopes), or `self`.
    pub fn innermost(&self) -> &PecMessage {
        let mut m = self;
        while let Some(o) = m.original.as_deref() {
            m = o;
        }
        m
    }
}

/// Any file the client may be handed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "document", rename_all = "snake_case")]
pub enum Document {
    Message(Box<PecMessage>),
    Daticert(Daticert),
    Evidence(RemEvidence),
}

/// Holds the trust store and options; cheap to share.
#[derive(Debug, Clone)]
pub struct Analyzer {
    trust: TrustStore,
    verify: bool,
}

/// Analyse `raw` with signature checking against `trust`.
pub fn analyze(raw: &[u8], trust: &TrustStore) -> Result<PecMessage, ParseError> {
    Analyzer::new(trust.clone()).analyze(raw)
}

struct Ctx<'a> {
    analyzer: &'a Analyzer,
    parts_seen: Cell<usize>,
}

impl Analyzer {
    pub fn new(trust: TrustStore) -> Self {
        Analyzer {
            trust,
            verify: true,
        }
    }

    /// Whose signatures it accepts as a PEC provider's.
    pub fn trust(&self) -> &TrustStore {
        &self.trust
    }

    /// An analyzer that does not verify signatures (status `None`): for bulk classification.
    pub fn without_signatures(mut self) -> Self {
        self.verify = false;
        self
    }

    /// Analyse one RFC 5322 message.
    pub fn analyze(&self, raw: &[u8]) -> Result<PecMessage, ParseError> {
        self.analyze_and(raw, |_, _| ()).map(|(m, ())| m)
    }

    /// [`Analyzer::analyze`], then `more` on the analysis and the same MIME parse: a caller that
    /// reads something else from the message (the sync, its invoice) parses it once.
    pub(crate) fn analyze_and<T>(
        &self,
        raw: &[u8],
        more: impl FnOnce(&PecMessage, &Message<'_>) -> T,
    ) -> Result<(PecMessage, T), ParseError> {
        if raw.iter().all(u8::is_ascii_whitespace) {
            return Err(ParseError::Empty);
        }
        if raw.len() > MAX_MESSAGE_BYTES {
            return Err(ParseError::TooLarge {
                size: raw.len(),
                max: MAX_MESSAGE_BYTES,
            });
        }
        // Every message/rfc822 is a level of nesting mail-parser keeps in memory and later drops
        // recursively: refuse absurd counts before parsing.
        if count_ci(raw, b"message/rfc822") > MAX_PARTS {
            return Err(ParseError::TooManyParts { max: MAX_PARTS });
        }
        let msg = parse_mime(raw)?;
        let ctx = Ctx {
            analyzer: self,
            parts_seen: Cell::new(0),
        };
        let analysed = analysis::analyze_message(&msg, &ctx, 0)?;
        let extra = more(&analysed, &msg);
        Ok((analysed, extra))
    }

    /// Analyse a file whose kind is unknown: an RFC 5322 message, a bare daticert.xml or a bare
    /// REM evidence.
    pub fn analyze_document(&self, bytes: &[u8]) -> Result<Document, ParseError> {
        if looks_like_xml(bytes) {
            if rem::looks_like_evidence(bytes) {
                return rem::parse_evidence(bytes)
                    .map(Document::Evidence)
                    .map_err(|e| ParseError::UnknownDocument(e.to_string()));
            }
            return parse_daticert(bytes)
                .map(Document::Daticert)
                .map_err(|e| ParseError::UnknownDocument(e.to_string()));
        }
        self.analyze(bytes).map(|m| Document::Message(Box::new(m)))
    }
}

fn looks_like_xml(bytes: &[u8]) -> bool {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = b.iter().find(|c| !c.is_ascii_whitespace());
    first == Some(&b'<')
}

/// Case-insensitive occurrences of `needle` in `hay`. Runs over every byte of every message the
/// sync analyses, so it searches (memchr's SIMD `memmem`) for the needle's longest run of bytes
/// that have no case (the `822` of `message/rfc822`) and compares the whole needle only there.
/// A one-byte anchor such as the `/` stops at every sixty-fourth byte of base64: that version
/// was 2% of a full sync's CPU, the sliding window before it 5%.
fn count_ci(hay: &[u8], needle: &[u8]) -> usize {
    if needle.is_empty() || hay.len() < needle.len() {
        return 0;
    }
    let Some((at, len)) = caseless_run(needle) else {
        return hay
            .windows(needle.len())
            .filter(|w| w.eq_ignore_ascii_case(needle))
            .count();
    };
    let anchor = memchr::memmem::Finder::new(&needle[at..at + len]);
    let mut count = 0;
    let mut from = 0;
    // One step past each hit, so that overlapping anchors are all seen.
    while let Some(i) = anchor.find(&hay[from..]).map(|i| from + i) {
        from = i + 1;
        count += usize::from(
            i >= at
                && hay
                    .get(i - at..i - at + needle.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case(needle)),
        );
    }
    count
}

/// Where the longest run of `needle`'s bytes without a case starts, and its length.
fn caseless_run(needle: &[u8]) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < needle.len() {
        let len = needle[i..]
            .iter()
            .take_while(|b| !b.is_ascii_alphabetic())
            .count();
        if len > best.map_or(0, |b| b.1) {
            best = Some((i, len));
        }
        i += len.max(1);
    }
    best
}

/// The analysis's parse: parts keep their transfer encoding until read ([`transfer`]).
/// mail-parser "never panics" by its documentation; we still contain a panic from it so that a
/// hostile message cannot take the process down.
fn parse_mime(raw: &[u8]) -> Result<Message<'_>, ParseError> {
    let parsed = std::panic::catch_unwind(|| {
        let lean = transfer::lean_parser().parse(raw)?;
        if transfer::holds_encoded_message(&lean) {
            return MessageParser::default().parse(raw);
        }
        Some(lean)
    });
    match parsed {
        Ok(Some(msg)) if msg.headers().iter().any(|h| is_field_name(h.name())) => Ok(msg),
        Ok(_) => Err(ParseError::NotAMessage),
        Err(_) => Err(ParseError::ParserFailure),
    }
}

/// RFC 5322 field-name: printable ASCII except colon. Random bytes rarely produce one.
fn is_field_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| (33..=126).contains(&b) && b != b':')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trust() -> TrustStore {
        TrustStore::bundled()
    }

    #[test]
    fn count_ci_finds_every_case_and_position() {
        let n = b"message/rfc822";
        assert_eq!(count_ci(b"", n), 0);
        assert_eq!(count_ci(b"message/rfc822", n), 1);
        assert_eq!(count_ci(b"/rfc822 essage/rfc822 Message/RFC822", n), 1);
        assert_eq!(
            count_ci(b"MESSAGE/RFC822message/rfc822 x message/rfc82", n),
            2
        );
        assert_eq!(count_ci(b"/////message/rfc822/", n), 1);
        // The old sliding window agrees on a messy haystack.
        let hay: Vec<u8> = b"a/b message/RFC822;Message/rfc822/message/rfc822 mess/age"
            .iter()
            .cycle()
            .take(5_000)
            .copied()
            .collect();
        let slow = hay
            .windows(n.len())
            .filter(|w| w.eq_ignore_ascii_case(n))
            .count();
        assert_eq!(count_ci(&hay, n), slow);
        assert_eq!(
            count_ci(b"abcABCabc", b"abc"),
            3,
            "a needle without an anchor byte"
        );
        // Anchors that overlap themselves, and one at the needle's very start.
        assert_eq!(count_ci(b"x1111x1111", b"x111"), 2);
        assert_eq!(count_ci(b"111X", b"11x"), 1);
        assert_eq!(count_ci(b"a.b.a.b", b"a.b"), 2);
        assert_eq!(count_ci(b"822a822A", b"822a"), 2);
        assert_eq!(caseless_run(b"message/rfc822"), Some((11, 3)));
        assert_eq!(caseless_run(b"abc"), None);
    }

    #[test]
    fn empty_and_garbage() {
        assert_eq!(analyze(b"", &trust()), Err(ParseError::Empty));
        assert_eq!(analyze(b" \r\n", &trust()), Err(ParseError::Empty));
    }

    #[test]
    fn plain_message() {
        let m = analyze(
            b"From: Mario <m@x.it>\r\nTo: a@b.it\r\nSubject: POSTA CERTIFICATA: hi\r\n\r\nbody\r\n",
            &trust(),
        )
        .expect("parses");
        assert_eq!(m.kind, Kind::Plain);
        // A plain message keeps its subject as written.
        assert_eq!(m.subject, "POSTA CERTIFICATA: hi");
        assert_eq!(m.sender.as_deref(), Some("m@x.it"));
        assert_eq!(m.recipients.len(), 1);
        assert_eq!(
            m.signature.status,
            Some(crate::signature::SignatureStatus::Absent)
        );
    }

    /// An envelope whose postacert.eml is itself an envelope (inline, 7bit) around a plain message.
    pub(crate) fn nested_envelope(levels: usize) -> Vec<u8> {
        let mut msg = b"From: mario@pec.it\r\nTo: anna@pec.it\r\nSubject: Re: contratto\r\n\
X-Riferimento-Message-ID: <client-1@pc>\r\nMessage-ID: <client-1@pc>\r\n\r\nciao\r\n"
            .to_vec();
        for level in 0..levels {
            let boundary = format!("b{level}");
            let subject = String::from_utf8_lossy(&msg)
                .lines()
                .find_map(|l| l.strip_prefix("Subject: ").map(str::to_string))
                .unwrap_or_default();
            let mut outer = format!(
                "From: \"Per conto di: mario@pec.it\" <posta-certificata@pec.it>\r\n\
Reply-To: mario@pec.it\r\nTo: anna@pec.it\r\nSubject: POSTA CERTIFICATA: {subject}\r\n\
X-Trasporto: posta-certificata\r\nX-Riferimento-Message-ID: <client-1@pc>\r\n\
Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n\
--{boundary}\r\nContent-Type: text/plain\r\n\r\nMessaggio di posta certificata\r\n\
--{boundary}\r\nContent-Type: message/rfc822; name=\"postacert.eml\"\r\n\r\n"
            )
            .into_bytes();
            outer.extend_from_slice(&msg);
            outer.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
            msg = outer;
        }
        msg
    }

    #[test]
    fn pec_in_pec_is_followed_and_prefixes_are_stacked_off() {
        let raw = nested_envelope(3);
        let m = analyze(&raw, &trust()).expect("parses");
        assert_eq!(m.kind, Kind::Envelope);
        assert_eq!(
            m.header_subject.as_deref(),
            Some("POSTA CERTIFICATA: POSTA CERTIFICATA: POSTA CERTIFICATA: Re: contratto")
        );
        assert_eq!(m.subject, "Re: contratto");
        assert_eq!(m.sender.as_deref(), Some("mario@pec.it"));
        let l1 = m.original.as_deref().expect("level 1");
        assert_eq!(l1.kind, Kind::Envelope);
        assert_eq!(
            l1.correlation.riferimento_message_id.as_deref(),
            Some("<client-1@pc>")
        );
        let inner = m.innermost();
        assert_eq!(inner.kind, Kind::Plain);
        assert_eq!(inner.subject, "Re: contratto");
        assert_eq!(
            inner.correlation.message_id.as_deref(),
            Some("<client-1@pc>")
        );
        assert_eq!(inner.body_text.as_deref().map(str::trim), Some("ciao"));
    }

    #[test]
    fn nesting_cap_gives_a_truncated_view() {
        let raw = nested_envelope(MAX_NESTING_DEPTH + 4);
        let m = analyze(&raw, &trust()).expect("degraded view");
        let mut levels = 0;
        let mut cur = &m;
        while let Some(o) = cur.original.as_deref() {
            levels += 1;
            cur = o;
        }
        assert_eq!(levels, MAX_NESTING_DEPTH);
        assert!(cur.has_original);
        assert!(cur.warnings.iter().any(|w| w.contains("nesting")));
    }

    #[test]
    fn anomaly_keeps_its_original() {
        let raw = b"From: posta-certificata@pec.it\r\nTo: a@pec.it\r\nSubject: ANOMALIA MESSAGGIO: offerta\r\n\
X-Trasporto: errore\r\nContent-Type: multipart/mixed; boundary=\"A\"\r\n\r\n\
--A\r\nContent-Type: text/plain\r\n\r\nanomalia\r\n\
--A\r\nContent-Type: message/rfc822; name=\"postacert.eml\"\r\n\r\n\
From: spam@example.com\r\nSubject: offerta\r\n\r\ncompra\r\n--A--\r\n";
        let m = analyze(raw, &trust()).expect("parses");
        assert_eq!(m.kind, Kind::Anomaly);
        assert_eq!(m.error, None);
        assert_eq!(m.subject, "offerta");
        assert_eq!(
            m.original.as_ref().and_then(|o| o.sender.as_deref()),
            Some("spam@example.com")
        );
    }

    #[test]
    fn receipt_without_daticert_falls_back_to_headers() {
        let raw = b"From: posta-certificata@pec.it\r\nTo: a@pec.it\r\n\
Subject: AVVISO DI MANCATA CONSEGNA PER SUP. TEMPO MASSIMO: fattura\r\n\
X-Ricevuta: preavviso-errore-consegna\r\nX-Riferimento-Message-ID: <k@pc>\r\n\r\ntesto\r\n";
        let m = analyze(raw, &trust()).expect("parses");
        assert_eq!(m.kind, Kind::Receipt);
        assert_eq!(m.receipt, Some(ReceiptKind::PreavvisoErroreConsegna));
        assert_eq!(m.subject, "fattura");
        assert_eq!(m.error, None);
        assert_eq!(m.receipt_type, None);
        assert_eq!(m.correlation.client_message_id().as_deref(), Some("k@pc"));
    }

    #[test]
    fn case_insensitive_pec_headers() {
        let raw = b"from: posta-certificata@pec.it\r\nx-ricevuta: Avvenuta-Consegna\r\nX-TIPORICEVUTA: sintetica\r\n\
subject: CONSEGNA: x\r\n\r\n.\r\n";
        let m = analyze(raw, &trust()).expect("parses");
        assert_eq!(m.receipt, Some(ReceiptKind::AvvenutaConsegna));
        assert_eq!(m.receipt_type, Some(ReceiptType::Sintetica));
        assert_eq!(m.subject, "x");
    }

    #[test]
    fn random_bytes_are_not_a_message() {
        assert_eq!(
            analyze(&[0xff, 0xfe, 0x00, 0x80, 0x81], &trust()),
            Err(ParseError::NotAMessage)
        );
    }

    #[test]
    fn xml_sniffing() {
        assert!(looks_like_xml(b"\xEF\xBB\xBF  <?xml"));
        assert!(!looks_like_xml(b"From: a"));
        let a = Analyzer::new(trust());
        assert!(matches!(
            a.analyze_document(b"<postacert tipo=\"accettazione\"/>"),
            Ok(Document::Daticert(_))
        ));
        assert!(matches!(
            a.analyze_document(b"<html/>"),
            Err(ParseError::UnknownDocument(_))
        ));
    }
}
