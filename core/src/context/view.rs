//! What the list, search and message screens show, assembled once for every shell.

use super::{Context, Result};
use crate::message::html::{readable_html, readable_html_in};
use crate::message::{HeaderMismatch, Kind, PecMessage, SignatureView};
use crate::store::{AccountId, DeliveryState};
use crate::store::{
    FolderId, ListQuery, MessageDetail, MessageId, MessageSummary, SearchQuery, View,
};

/// One page of a list, newest first, with the view's counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPage {
    pub rows: Vec<MessageSummary>,
    /// Where the next page starts (the last row's date and id); `None` on the last page.
    pub next: Option<(i64, MessageId)>,
    pub total: u32,
    pub unread: u32,
}

/// The search form: `text` in the search-box syntax (`from:`, `to:`, `subject:`, `body:`,
/// `after:YYYY-MM-DD`, `before:`, `in:folder`, "quoted phrases"); the other fields add to it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchForm {
    pub text: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub subject: Option<String>,
    pub after: Option<i64>,
    pub before: Option<i64>,
    pub folder: Option<FolderId>,
    pub hide_receipts: bool,
    pub invoices_only: bool,
    /// 0 for the store's default; at most 1,000.
    pub limit: u32,
}

/// The PEC facts of a message, and how far they are proven.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PecFacts {
    pub kind: Kind,
    /// The receipt's kind: the verified body's daticert decides; the stored row until the body
    /// is here.
    pub receipt_type: Option<String>,
    /// A valid PEC-provider signature covers the daticert these facts come from. False without a
    /// body, for unsigned messages and for untrusted or broken signatures.
    pub certified: bool,
    /// The signature lies below a re-wrapping layer, which it does not cover.
    pub rewrapped: bool,
    /// Outer headers that contradict the daticert: a sign of tampering.
    pub header_mismatches: Vec<HeaderMismatch>,
    /// The provider's message identifier (daticert `identificativo`).
    pub identifier: Option<String>,
    /// The provider that issued the envelope or receipt (daticert `gestore-emittente`).
    pub issuer: Option<String>,
    /// The provider's timestamp (daticert `data`), Unix seconds.
    pub certified_at: Option<i64>,
    /// The real sender of a certified message.
    pub original_sender: Option<String>,
    /// The recipient a delivery receipt speaks of.
    pub receipt_recipient: Option<String>,
    pub error: Option<String>,
    /// The signature check; `None` when the body was not analysed (not downloaded, or refused).
    pub signature: Option<SignatureView>,
}

/// The message screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageView {
    pub detail: MessageDetail,
    pub pec: PecFacts,
    /// For a PEC sent from this mailbox: what its receipts prove. Its own copy carries no
    /// provider signature, so the receipts are its evidence, not `pec.signature`.
    pub sent: Option<SentProof>,
    /// Plain text of the (innermost original) message; `None` until the body is downloaded.
    pub body_text: Option<String>,
    /// Its HTML, cleaned and without remote content (see [`crate::message::html`]); `None`
    /// for a message without an HTML body: show `body_text`.
    pub html: Option<crate::message::html::SafeHtml>,
    pub downloaded: bool,
    /// Why a downloaded body could not be analysed (too many parts, not a message): its PEC
    /// facts and signature are then not checked, and `body_text` comes from a plain reading.
    pub analysis_error: Option<String>,
}

/// What the certified receipts of a sent PEC prove so far (uncertified receipts move nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentProof {
    /// The sender's provider accepted it (a certified acceptance receipt).
    pub accepted: bool,
    pub recipients: u32,
    /// Recipients with a certified delivery receipt.
    pub delivered: u32,
    /// Recipients whose delivery failed.
    pub failed: u32,
}

fn sent_proof(d: &MessageDetail) -> Option<SentProof> {
    d.summary.delivery?;
    let count =
        |state: DeliveryState| d.recipients.iter().filter(|r| r.state == state).count() as u32;
    let accepted =
        d.receipts.iter().any(|r| {
            r.certified && r.receipt_type == Some(crate::message::ReceiptKind::Accettazione)
        }) || d.recipients.iter().any(|r| r.state != DeliveryState::Sent);
    Some(SentProof {
        accepted,
        recipients: d.recipients.len() as u32,
        delivered: count(DeliveryState::Delivered),
        failed: count(DeliveryState::Failed),
    })
}

fn pec_facts(d: &MessageDetail, analysis: Option<&PecMessage>) -> PecFacts {
    let daticert = analysis.and_then(|a| a.daticert.as_ref());
    PecFacts {
        kind: d.summary.kind,
        receipt_type: analysis
            .and_then(|a| a.receipt.map(|r| r.as_str().to_string()))
            .or_else(|| d.summary.receipt_type.clone()),
        certified: analysis.is_some_and(|a| a.certified),
        rewrapped: analysis.is_some_and(|a| a.rewrapped),
        header_mismatches: analysis
            .map(|a| a.header_mismatches.clone())
            .unwrap_or_default(),
        identifier: d
            .identificativo
            .clone()
            .or_else(|| daticert.and_then(|c| c.identificativo.clone())),
        issuer: daticert.and_then(|c| c.gestore_emittente.clone()),
        certified_at: daticert.and_then(|c| c.data).map(|t| t.timestamp()),
        original_sender: d.summary.sender_addr.clone(),
        receipt_recipient: d.pec_recipient.clone(),
        error: d.pec_error.clone(),
        signature: analysis.map(|a| a.signature.clone()),
    }
}

impl Context {
    /// One page of `view` for `account`: at most `limit` rows (1 to
    /// [`crate::limits::MAX_PAGE_ROWS`]), starting after `cursor`.
    pub fn page(
        &self,
        account: AccountId,
        view: View,
        cursor: Option<(i64, MessageId)>,
        limit: u32,
        hide_receipts: bool,
    ) -> Result<ListPage> {
        let mut q = ListQuery::new(view);
        q.account = Some(account);
        q.hide_receipts = hide_receipts;
        q.limit = limit.clamp(1, crate::limits::MAX_PAGE_ROWS);
        q.before = cursor;
        let rows = self.store().list(&q)?;
        let next = if rows.len() as u32 == q.limit {
            rows.last().map(|r| (r.date, r.id))
        } else {
            None
        };
        let (total, unread) = self.store().count(&q)?;
        Ok(ListPage {
            rows,
            next,
            total,
            unread,
        })
    }

    /// Full-text search with the form's filters, newest first.
    pub fn search(
        &self,
        account: Option<AccountId>,
        form: &SearchForm,
    ) -> Result<Vec<MessageSummary>> {
        let given = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
        let mut q = SearchQuery::parse(&form.text);
        q.account = account;
        q.from.extend(given(&form.from));
        q.to.extend(given(&form.to));
        q.subject.extend(given(&form.subject));
        q.after = form.after.or(q.after);
        q.before = form.before.or(q.before);
        q.folder = form.folder.or(q.folder);
        q.hide_receipts |= form.hide_receipts;
        if form.limit > 0 {
            q.limit = form.limit.min(1000);
        }
        let rows = self.store().search(&q)?;
        // The outbox is a queue: a sent PEC is found once, as the server's Sent copy, unless the
        // search is in the outbox itself.
        let in_outbox = |r: &MessageSummary| r.folder == crate::outbox::OUTBOX_FOLDER;
        let searching_outbox = form.folder.is_some() && rows.iter().all(in_outbox);
        Ok(rows
            .into_iter()
            .filter(|r| !form.invoices_only || r.is_invoice)
            .filter(|r| searching_outbox || !in_outbox(r))
            .collect())
    }

    /// The message screen: the stored row and, once the body is here, what its analysis proves.
    /// A body the analyser refuses is still shown (its text by the plain reader) with the reason
    /// its PEC facts and signature were not checked.
    pub fn message_view(&self, id: MessageId) -> Result<MessageView> {
        let detail = self.store().message(id)?;
        let raw = self.stored_bytes(id)?;
        let analyzer = crate::message::Analyzer::new(self.trust());
        let (analysis, analysis_error, html) = match raw.as_deref() {
            None => (None, None, None),
            Some(r) => match analyzer.analyze_and(r, |_, parsed| readable_html_in(parsed)) {
                Ok((a, html)) => (Some(a), None, html),
                Err(e) => (None, Some(e.to_string()), readable_html(r)),
            },
        };
        let body_text = match (&analysis, raw.as_deref()) {
            (Some(a), _) => a.innermost().body_text.clone(),
            (None, Some(raw)) => crate::receive::analyze_fallback(raw).body_text,
            (None, None) => None,
        };
        Ok(MessageView {
            html,
            pec: pec_facts(&detail, analysis.as_ref()),
            sent: sent_proof(&detail),
            detail,
            body_text,
            downloaded: raw.is_some(),
            analysis_error,
        })
    }
}
