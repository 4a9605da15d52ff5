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
