//! The "received invoices" virtual folder with what each invoice file says (pec-core's
//! `Store::list_with_invoices` over `View::Invoices`, i.e. the `invoices` table), converted.

use crate::app::App;
use crate::error::Result;
use crate::runtime::blocking;
use crate::types::{ListRow, PageCursor};
use pec_core::store::{self, ListQuery, View};

/// What one FatturaPA file attached to a message says (filled when the message is analysed;
/// a signed file that does not verify gives none).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct InvoiceDetails {
    /// The attachment's file name (`IT01234567890_00001.xml.p7m`).
    pub file_name: String,
    /// `Numero` of the (first) document.
    pub number: Option<String>,
    /// `Data`, ISO `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Seller (cedente/prestatore) name.
    pub seller: Option<String>,
    /// Seller VAT number (`IT01234567890`), else tax code.
    pub seller_vat: Option<String>,
    /// Total to pay, decimal string (`"1220.00"`); summed over the documents of a batch.
    pub total: Option<String>,
    /// ISO 4217 (`EUR`).
    pub currency: Option<String>,
    /// `TipoDocumento` (`TD01` invoice, `TD04` credit note, ...).
    pub document_type: Option<String>,
    /// Documents in the file (more than 1: a batch).
    pub documents: u32,
    /// A signature proves the file unaltered.
    pub signed: bool,
}

impl From<store::InvoiceRow> for InvoiceDetails {
    fn from(r: store::InvoiceRow) -> Self {
        let r = r.invoice;
        InvoiceDetails {
            file_name: r.filename,
            number: r.number,
            date: r.date,
            seller: r.seller,
            seller_vat: r.seller_vat,
            total: r.total,
            currency: r.currency,
            document_type: r.doc_type,
            documents: r.documents,
            signed: r.signed,
        }
    }
}

/// One row of the invoices list: the message row and its invoice files' details (empty until the
/// message's body was analysed).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct InvoiceRow {
    pub row: ListRow,
    pub invoices: Vec<InvoiceDetails>,
}

/// A page of the invoices list, with the view's counts.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct InvoicePage {
    pub rows: Vec<InvoiceRow>,
    /// `None` on the last page.
    pub next: Option<PageCursor>,
    pub total: u32,
    pub unread: u32,
}

#[uniffi::export]
impl App {
    /// One page of the "received invoices" folder, newest first, with each invoice's number,
    /// date, seller, VAT number, total, currency, document type and signature flag.
    pub async fn invoices_page(
        &self,
        account_id: i64,
        cursor: Option<PageCursor>,
        limit: u32,
    ) -> Result<InvoicePage> {
        let inner = self.inner.clone();
        blocking(move || {
            inner.store().account(account_id)?;
            let mut q = ListQuery::new(View::Invoices);
            q.account = Some(account_id);
            q.limit = limit.clamp(1, pec_core::limits::MAX_PAGE_ROWS);
            q.before = cursor.map(|c| (c.date, c.id));
            let items = inner.store().list_with_invoices(&q)?;
            let next = (items.len() as u32 == q.limit)
                .then(|| {
                    items.last().map(|i| PageCursor {
                        date: i.message.date,
                        id: i.message.id,
                    })
                })
                .flatten();
            let (total, unread) = inner.store().count(&q)?;
            Ok(InvoicePage {
                rows: items
                    .into_iter()
                    .map(|i| InvoiceRow {
                        row: i.message.into(),
                        invoices: i.invoices.into_iter().map(Into::into).collect(),
                    })
                    .collect(),
                next,
                total,
                unread,
            })
        })
        .await
    }
}

/// Which message of the SdI (the two letters in its file name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum, serde::Serialize)]
pub enum SdiMessageKind {
    /// Ricevuta di consegna: delivered to the buyer.
    Rc,
    /// Notifica di scarto: the SdI rejected the invoice.
    Ns,
    /// Mancata consegna: not delivered; the buyer finds it in its reserved area.
    Mc,
    /// Notifica di esito: the buyer's (a public administration's) answer.
    Ne,
    /// Decorrenza termini: the buyer did not answer in time.
    Dt,
    /// Attestazione di avvenuta trasmissione con impossibilità di recapito.
    At,
    /// File dei metadati: travels with a received invoice.
    Mt,
    /// Esito committente: the answer the buyer sent.
    Ec,
    /// Scarto esito committente: the buyer's answer was refused.
    Se,
}

impl From<pec_core::sdi::SdiNotification> for SdiMessageKind {
    fn from(n: pec_core::sdi::SdiNotification) -> Self {
        use pec_core::sdi::SdiNotification as N;
        match n {
            N::RC => SdiMessageKind::Rc,
            N::NS => SdiMessageKind::Ns,
            N::MC => SdiMessageKind::Mc,
            N::NE => SdiMessageKind::Ne,
            N::DT => SdiMessageKind::Dt,
            N::AT => SdiMessageKind::At,
            N::MT => SdiMessageKind::Mt,
            N::EC => SdiMessageKind::Ec,
            N::SE => SdiMessageKind::Se,
        }
    }
}

/// The buyer's answer to an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum, serde::Serialize)]
pub enum BuyerOutcome {
    Accepted,
    Refused,
}

/// One error the SdI listed.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct SdiProblem {
    pub code: String,
    pub description: Option<String>,
}

/// One message of the SdI about an invoice.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct SdiNotice {
    /// The message that carries it (open it with `message`).
    pub message_id: i64,
    pub file_name: String,
    pub kind: SdiMessageKind,
    /// When the SdI says it happened, as it wrote it (ISO 8601); `None` until the carrying
    /// message's body is here.
    pub when: Option<String>,
    /// `when` as seconds since the epoch, when it reads as ISO 8601.
    pub at: Option<i64>,
    /// The carrying message's date, seconds since the epoch.
    pub arrived: i64,
    pub outcome: Option<BuyerOutcome>,
    pub problems: Vec<SdiProblem>,
    /// The details above were read from the file itself.
    pub read: bool,
}

impl From<pec_core::context::SdiNotice> for SdiNotice {
    fn from(n: pec_core::context::SdiNotice) -> Self {
        SdiNotice {
            message_id: n.message,
            file_name: n.file_name,
            kind: n.kind.into(),
            when: n.when,
            at: n.at,
            arrived: n.arrived,
            outcome: n.outcome.map(|o| match o {
                pec_core::context::BuyerOutcome::Accepted => BuyerOutcome::Accepted,
                pec_core::context::BuyerOutcome::Refused => BuyerOutcome::Refused,
            }),
            problems: n
                .problems
                .into_iter()
                .map(|p| SdiProblem {
                    code: p.code,
                    description: p.description,
                })
                .collect(),
            read: n.read,
        }
    }
}

#[uniffi::export]
impl App {
    /// The SdI's messages about the invoice a message carries (its delivery receipt or
    /// rejection, the buyer's answer, the lapse of the terms, its metadata), oldest first;
    /// empty for a message without an SdI-named invoice. The body must be downloaded.
    pub async fn invoice_notices(&self, message_id: i64) -> Result<Vec<SdiNotice>> {
        let inner = self.inner.clone();
        blocking(move || {
            Ok(inner
                .ctx
                .invoice_notices(message_id)?
                .into_iter()
                .map(Into::into)
                .collect())
        })
        .await
    }
}
