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
        analyze_message(&msg, &ctx, 0)
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
/// sync analyses, so it jumps (memchr, SIMD) between the needle's first byte that has no case
/// (the `/` of `message/rfc822`) and compares only there: the sliding-window version was 5% of a
/// full sync's CPU.
fn count_ci(hay: &[u8], needle: &[u8]) -> usize {
    if needle.is_empty() || hay.len() < needle.len() {
        return 0;
    }
    let Some(at) = needle.iter().position(|b| !b.is_ascii_alphabetic()) else {
        return hay
            .windows(needle.len())
            .filter(|w| w.eq_ignore_ascii_case(needle))
            .count();
    };
    memchr::memchr_iter(needle[at], hay)
        .filter(|&i| {
            i >= at
                && hay
                    .get(i - at..i - at + needle.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case(needle))
        })
        .count()
}

/// mail-parser "never panics" by its documentation; we still contain a panic from it so that a
/// hostile message cannot take the process down.
fn parse_mime(raw: &[u8]) -> Result<Message<'_>, ParseError> {
    let parsed = std::panic::catch_unwind(|| MessageParser::default().parse(raw));
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

fn analyze_message(
    msg: &Message<'_>,
    ctx: &Ctx<'_>,
    depth: usize,
) -> Result<PecMessage, ParseError> {
    let seen = ctx.parts_seen.get().saturating_add(msg.parts.len());
    ctx.parts_seen.set(seen);
    if seen > MAX_PARTS {
        return Err(ParseError::TooManyParts { max: MAX_PARTS });
    }
    let mut warnings = Vec::new();
    let st = original::structure(msg);

    // daticert.xml: the one the signature covers when the message is signed.
    let signed = signed_part::find_signed(msg);
    let (daticert_part, daticert_signed) =
        choose_daticert(msg, &st, signed.as_ref(), &mut warnings);
    let daticert = daticert_part
        .and_then(|i| msg.parts.get(i))
        .and_then(|p| match parse_daticert(p.contents()) {
            Ok(d) => Some(d),
            Err(e) => {
                warnings.push(format!("{e}; falling back to headers"));
                None
            }
        });

    // Kind
    let x_ricevuta = headers::message_header(msg, "X-Ricevuta");
    let x_trasporto = headers::message_header(msg, "X-Trasporto");
    let rem_type = headers::message_header(msg, "REM-MessageType");
    let (kind, receipt) = kind::classify(
        rem_type.is_some(),
        x_ricevuta.as_deref(),
        x_trasporto.as_deref(),
        daticert.as_ref().map(|d| d.tipo.as_str()),
    );
    let is_pec = matches!(kind, Kind::Envelope | Kind::Anomaly | Kind::Receipt);

    // Addresses and dates
    let from = headers::address_header(msg, "From").into_iter().next();
    let reply_to = headers::address_header(msg, "Reply-To")
        .into_iter()
        .next()
        .map(|m| m.address);
    let to = headers::address_header(msg, "To");
    let cc = headers::address_header(msg, "Cc");
    let header_date = msg.date().and_then(headers::to_chrono);
    let date = daticert.as_ref().and_then(|d| d.data).or(header_date);
    let behalf = from.as_ref().and_then(headers::on_behalf_of);
    let sender = daticert
        .as_ref()
        .and_then(|d| d.mittente.clone())
        .or_else(|| match kind {
            Kind::Envelope | Kind::Anomaly | Kind::Rem => reply_to.clone().or(behalf.clone()),
            _ => None,
        })
        .or_else(|| from.as_ref().map(|f| f.address.clone()));
    // REM
    let rem = rem_type.as_deref().map(|t| {
        let evidence = st.evidence.and_then(|i| msg.parts.get(i)).and_then(|p| {
            match rem::parse_evidence(p.contents()) {
                Ok(e) => Some(e),
                Err(e) => {
                    warnings.push(e.to_string());
                    None
                }
            }
        });
        let event_header = headers::message_header(msg, "REM-EventIdentifier");
        RemInfo {
            message_type: RemMessageType::parse(t),
            event: evidence
                .as_ref()
                .and_then(|e| e.event)
                .or_else(|| event_header.as_deref().and_then(RemEvent::parse)),
            event_header,
            reason_header: headers::message_header(msg, "REM-ReasonIdentifier"),
            ua_message_identifier: headers::message_header(msg, "REM-UAMessageIdentifier"),
            evidence_id: headers::message_header(msg, "REM-Evidence-ID"),
            evidence,
        }
    });

    let evidence_recipients = rem
        .as_ref()
        .and_then(|r| r.evidence.as_ref())
        .map(|e| e.recipients.as_slice())
        .unwrap_or_default();
    let recipients: Vec<Recipient> = match &daticert {
        Some(d) if !d.destinatari.is_empty() => d.destinatari.clone(),
        // REM: the evidence names the recipients of the original message.
        _ if !evidence_recipients.is_empty() => evidence_recipients
            .iter()
            .map(|a| Recipient {
                address: a.clone(),
                tipo: None,
            })
            .collect(),
        _ => to
            .iter()
            .chain(cc.iter())
            .map(|m| Recipient {
                address: m.address.clone(),
                tipo: None,
            })
            .collect(),
    };

    // Original, recursively
    let has_original = st.original.is_some();
    let original = match st.original.and_then(|i| msg.parts.get(i)) {
        Some(_) if depth + 1 > MAX_NESTING_DEPTH => {
            warnings.push(format!(
                "original not analysed: nesting deeper than {MAX_NESTING_DEPTH} levels"
            ));
            None
        }
        Some(part) => match &part.body {
            PartType::Message(inner) => Some(Box::new(analyze_message(inner, ctx, depth + 1)?)),
            _ => match parse_mime(part.contents()) {
                Ok(inner) => Some(Box::new(analyze_message(&inner, ctx, depth + 1)?)),
                Err(e) => {
                    warnings.push(format!("original unreadable: {e}"));
                    None
                }
            },
        },
        None => None,
    };

    // Subject
    let header_subject = msg.subject().map(|s| s.trim().to_string());
    let subject = if is_pec || kind == Kind::Rem {
        original
            .as_ref()
            .map(|o| o.subject.clone())
            .or_else(|| daticert.as_ref().and_then(|d| d.oggetto.clone()))
            .or_else(|| {
                header_subject
                    .as_deref()
                    .map(|s| subject::strip_prefixes(s).to_string())
            })
            .unwrap_or_default()
    } else {
        header_subject.clone().unwrap_or_default()
    };

    // Receipt type and error
    let receipt_type = daticert.as_ref().and_then(|d| d.ricevuta).or_else(|| {
        if is_pec {
            headers::message_header(msg, "X-TipoRicevuta").and_then(|v| ReceiptType::parse(&v))
        } else {
            None
        }
    });
    let error = daticert
        .as_ref()
        .and_then(|d| d.errore)
        .or(match (kind, receipt) {
            (Kind::Envelope, _)
            | (Kind::Receipt, Some(ReceiptKind::Accettazione | ReceiptKind::AvvenutaConsegna)) => {
                Some(PecErrorCode::Nessuno)
            }
            _ => None,
        });

    // Correlation
    let mut rem_evidence_ids: Vec<String> = Vec::new();
    if let Some(r) = &rem {
        let from_header = r.evidence_id.as_deref().map(headers::normalize_message_id);
        let from_xml = r
            .evidence
            .as_ref()
            .and_then(|e| e.evidence_identifier.clone());
        for id in from_header.into_iter().chain(from_xml) {
            if !rem_evidence_ids.contains(&id) {
                rem_evidence_ids.push(id);
            }
        }
    }
    let correlation = Correlation {
        message_id: headers::message_header(msg, "Message-ID"),
        riferimento_message_id: headers::message_header(msg, "X-Riferimento-Message-ID"),
        identificativo: daticert.as_ref().and_then(|d| d.identificativo.clone()),
        msgid: daticert.as_ref().and_then(|d| d.msgid.clone()),
        consegna: daticert.as_ref().and_then(|d| d.consegna.clone()),
        rem_ua_message_identifier: rem.as_ref().and_then(|r| {
            r.ua_message_identifier.clone().or_else(|| {
                r.evidence
                    .as_ref()
                    .and_then(|e| e.ua_message_identifier.clone())
            })
        }),
        rem_evidence_ids,
        rem_message_identifier: rem
            .as_ref()
            .and_then(|r| r.evidence.as_ref())
            .and_then(|e| e.message_identifier.clone()),
    };

    // Signature
    let mut rewrapped = signed.as_ref().is_some_and(|sp| !sp.at_root);
    let mut signature = if ctx.analyzer.verify {
        let at = date.map(|d| d.with_timezone(&Utc));
        let policy = if is_pec || kind == Kind::Rem {
            Policy::PecProvider
        } else {
            Policy::Document
        };
        signed_part::check_found(signed.as_ref(), at, &ctx.analyzer.trust, policy)
    } else if signed.is_some() {
        SignatureView::unchecked()
    } else {
        SignatureView::absent()
    };
    // A PEC message forwarded as an attachment: its verdict, flagged as re-wrapped.
    if signed.is_none()
        && let Some(inner) = original.as_deref().filter(|o| forwarded_pec(o))
    {
        signature = inner.signature.clone();
        rewrapped = true;
    }
    let certified = daticert.is_some()
        && daticert_signed
        && signature.status == Some(crate::signature::SignatureStatus::Valid);
    let outer = header_check::OuterHeaders {
        x_ricevuta: x_ricevuta.as_deref(),
        x_trasporto: x_trasporto.as_deref(),
        subject: header_subject.as_deref(),
        x_riferimento_message_id: correlation.riferimento_message_id.as_deref(),
    };
    let header_mismatches = daticert
        .as_ref()
        .map(|d| header_check::mismatches(&outer, d))
        .unwrap_or_default();

    // SDI
    let sdi = sdi_info(
        &st.attachments,
        original.as_deref(),
        [
            from.as_ref().map(|f| f.address.as_str()),
            reply_to.as_deref(),
            behalf.as_deref(),
            daticert.as_ref().and_then(|d| d.mittente.as_deref()),
        ],
        from.as_ref().and_then(|f| f.name.as_deref()),
    );

    if !warnings.is_empty() {
        tracing::debug!(
            kind = kind.as_str(),
            depth,
            warnings = warnings.len(),
            "message analysed with a degraded view"
        );
    }

    Ok(PecMessage {
        kind,
        receipt,
        receipt_type,
        error,
        error_detail: daticert.as_ref().and_then(|d| d.errore_esteso.clone()),
        subject,
        header_subject,
        from,
        sender,
        reply_to,
        to,
        cc,
        recipients,
        date,
        header_date,
        provider_name: daticert.as_ref().and_then(|d| d.gestore_emittente.clone()),
        correlation,
        daticert,
        signature,
        certified,
        header_mismatches,
        rewrapped,
        has_original,
        original,
        attachments: st.attachments,
        body_text: msg.body_text(0).map(|t| t.into_owned()),
        sdi,
        rem,
        size: msg.raw_message().len(),
        warnings,
    })
}

/// Which daticert.xml part the facts come from, and whether the signature covers it. In a signed
/// message only a daticert inside the signed content counts: one beside it was added by someone
/// else and is ignored (with a warning). An unsigned message's first daticert is used, uncertified.
fn choose_daticert(
    msg: &Message<'_>,
    st: &original::Structure,
    signed: Option<&signed_part::SignedParts<'_>>,
    warnings: &mut Vec<String>,
) -> (Option<usize>, bool) {
    let Some(signed) = signed else {
        return (st.daticert, false);
    };
    let inside = st
        .daticerts
        .iter()
        .copied()
        .find(|&i| signed_part::covers(msg, signed, i));
    if st.daticerts.iter().any(|&i| Some(i) != inside) {
        warnings.push("daticert.xml outside the signed content ignored".into());
    }
    (inside, inside.is_some())
}

/// An attached message that is itself a signed PEC object (envelope, receipt, anomaly): what a
/// message forwarding a PEC as an attachment carries.
fn forwarded_pec(inner: &PecMessage) -> bool {
    matches!(inner.kind, Kind::Envelope | Kind::Anomaly | Kind::Receipt)
        && inner
            .signature
            .status
            .is_none_or(|s| s != crate::signature::SignatureStatus::Absent)
}

fn sdi_info(
    attachments: &[Attachment],
    original: Option<&PecMessage>,
    addresses: [Option<&str>; 4],
    from_name: Option<&str>,
) -> Option<SdiInfo> {
    let sdi_address = addresses
        .iter()
        .flatten()
        .find(|a| sdi::is_sdi_address(a))
        .map(|a| a.trim().to_ascii_lowercase())
        .or_else(|| from_name.and_then(sdi::sdi_address_in))
        .or_else(|| {
            original
                .and_then(|o| o.sdi.as_ref())
                .and_then(|s| s.sdi_address.clone())
        });
    let mut files: Vec<SdiFile> = attachments.iter().filter_map(|a| a.sdi.clone()).collect();
    if let Some(inner) = original.and_then(|o| o.sdi.as_ref()) {
        files.extend(inner.files.iter().cloned());
    }
    if sdi_address.is_none() && files.is_empty() {
        return None;
    }
    let notifications = files.iter().filter_map(SdiFile::notification);
    let notification = notifications
        .clone()
        .find(|n| *n != SdiNotification::MT)
        .or_else(|| notifications.clone().next());
    Some(SdiInfo {
        from_sdi: sdi_address.is_some(),
        sdi_address,
        invoice_attached: files.iter().any(SdiFile::is_invoice),
        notification,
        files,
    })
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
