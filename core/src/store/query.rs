//! Reading: folders with counts, message lists (real and virtual folders), message detail.

use super::CachedExt;
use super::record::AttachmentRecord;
use super::{AccountId, FolderId, MessageId, Result, Store, StoreError};
use crate::message::{Kind, ReceiptKind};
use rusqlite::{Connection, OptionalExtension, Row};
use serde::Serialize;

/// What a folder is for (SPECIAL-USE or name rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FolderRole {
    Inbox,
    Sent,
    Drafts,
    Trash,
    Junk,
    Archive,
}

impl FolderRole {
    pub fn as_str(self) -> &'static str {
        match self {
            FolderRole::Inbox => "inbox",
            FolderRole::Sent => "sent",
            FolderRole::Drafts => "drafts",
            FolderRole::Trash => "trash",
            FolderRole::Junk => "junk",
            FolderRole::Archive => "archive",
        }
    }
    pub fn parse(s: &str) -> Option<FolderRole> {
        Some(match s {
            "inbox" => FolderRole::Inbox,
            "sent" => FolderRole::Sent,
            "drafts" => FolderRole::Drafts,
            "trash" => FolderRole::Trash,
            "junk" => FolderRole::Junk,
            "archive" => FolderRole::Archive,
            _ => return None,
        })
    }
}

/// A folder with its counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Folder {
    pub id: FolderId,
    pub account_id: AccountId,
    pub name: String,
    pub role: Option<FolderRole>,
    pub delimiter: Option<String>,
    pub uidvalidity: Option<u32>,
    pub uidnext: Option<u32>,
    pub highestmodseq: Option<u64>,
    pub backfill_uid: Option<u32>,
    /// ACL MYRIGHTS (RFC 4314 letters), when the server offers ACL.
    pub myrights: Option<String>,
    pub total: u32,
    pub unread: u32,
}

impl Folder {
    /// Whether messages may be moved or copied into it (`i`; unknown rights allow it, and the
    /// server keeps the last word when the move is replayed).
    pub fn may_insert(&self) -> bool {
        self.myrights
            .as_deref()
            .is_none_or(|r| super::rights::grants(r, 'i'))
    }

    /// Whether the user may empty it at once: only the trash and the junk folder, where what is
    /// deleted for good was thrown away first (anything else goes to the trash a selection at a
    /// time), and only when its rights let messages be removed (`t` and `e`; unknown allows).
    pub fn may_empty(&self) -> bool {
        matches!(self.role, Some(FolderRole::Trash | FolderRole::Junk))
            && self
                .myrights
                .as_deref()
                .is_none_or(|r| super::rights::grants(r, 't') && super::rights::grants(r, 'e'))
    }

    /// It has messages and [`Folder::may_empty`]: what offers "empty" in a menu or a list.
    pub fn emptiable(&self) -> bool {
        self.total > 0 && self.may_empty()
    }
}

/// The list's one-glance delivery state of a sent message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliverySummary {
    /// Sent, no receipt yet.
    Sent,
    /// Accepted by the provider: one tick.
    Accepted,
    /// Some recipients delivered: one tick.
    Partial,
    /// Every certified recipient delivered: two ticks.
    Delivered,
    /// A preavviso (delay warning) and nothing final yet.
    Warning,
    /// Not accepted, or a delivery failed: error.
    Failed,
}

impl DeliverySummary {
    fn parse(s: &str) -> Option<DeliverySummary> {
        Some(match s {
            "sent" => DeliverySummary::Sent,
            "accepted" => DeliverySummary::Accepted,
            "partial" => DeliverySummary::Partial,
            "delivered" => DeliverySummary::Delivered,
            "warning" => DeliverySummary::Warning,
            "failed" => DeliverySummary::Failed,
            _ => return None,
        })
    }
    /// 0, 1 or 2 ticks; `None` for the error/warning marks.
    pub fn ticks(self) -> Option<u8> {
        match self {
            DeliverySummary::Sent => Some(0),
            DeliverySummary::Accepted | DeliverySummary::Partial => Some(1),
            DeliverySummary::Delivered => Some(2),
            DeliverySummary::Warning | DeliverySummary::Failed => None,
        }
    }
}

/// One recipient's delivery state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    Sent,
    Accepted,
    Delivered,
    Failed,
    Warning,
}

impl DeliveryState {
    fn parse(s: &str) -> DeliveryState {
        match s {
            "accepted" => DeliveryState::Accepted,
            "delivered" => DeliveryState::Delivered,
            "failed" => DeliveryState::Failed,
            "warning" => DeliveryState::Warning,
            _ => DeliveryState::Sent,
        }
    }
}

/// A row of a message list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageSummary {
    pub id: MessageId,
    pub account_id: AccountId,
    pub folder_id: FolderId,
    pub folder: String,
    pub uid: Option<u32>,
    pub kind: Kind,
    pub receipt_type: Option<String>,
    pub from_addr: Option<String>,
    pub from_name: Option<String>,
    /// The real sender of an envelope ("per conto di").
    pub sender_addr: Option<String>,
    pub subject: Option<String>,
    pub original_subject: Option<String>,
    pub date: i64,
    pub size: u64,
    pub seen: bool,
    pub flagged: bool,
    pub has_attachments: bool,
    pub is_invoice: bool,
    pub delivery: Option<DeliverySummary>,
    pub preview: Option<String>,
    /// For a message sent from here: one of its To recipients (else Cc; the first by address, so
    /// the list needs no sort), by name when it has one; what a list of sent mail shows instead
    /// of the sender (the user).
    pub first_recipient: Option<String>,
    /// For a message sent from here: how many recipients it has (0 otherwise).
    pub recipients: u32,
    /// A draft (`\\Draft`): reopened in compose rather than read.
    pub draft: bool,
}

/// One recipient with its delivery state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipientState {
    pub address: String,
    pub name: Option<String>,
    pub field: String,
    pub pec_type: Option<String>,
    pub state: DeliveryState,
    pub accepted_at: Option<i64>,
    pub delivered_at: Option<i64>,
    pub failed_at: Option<i64>,
    pub warning_at: Option<i64>,
    pub detail: Option<String>,
}

impl RecipientState {
    /// A PEC box (`true`), ordinary mail (`false`, no delivery receipt will come), or not known
    /// yet, as the daticert's recipient type says.
    pub fn certified(&self) -> Option<bool> {
        self.pec_type
            .as_deref()
            .and_then(crate::message::RecipientType::parse)
            .map(|t| t == crate::message::RecipientType::Certificato)
    }
}

/// A receipt attached to a sent message (or, seen from the receipt, the message it refers to).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptInfo {
    pub receipt_id: MessageId,
    pub sent_id: Option<MessageId>,
    /// `None` for a word this version does not know.
    pub receipt_type: Option<ReceiptKind>,
    pub recipient: Option<String>,
    pub error: Option<String>,
    pub at: Option<i64>,
    /// The receipt's kind and facts come from a daticert the provider's valid signature covers.
    /// Uncertified receipts (header-only so far, unsigned, untrusted) are listed but move no state.
    pub certified: bool,
}

/// Everything `show` needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageDetail {
    pub summary: MessageSummary,
    pub message_id: Option<String>,
    pub ref_message_id: Option<String>,
    pub identificativo: Option<String>,
    pub pec_recipient: Option<String>,
    pub pec_error: Option<String>,
    pub signature: Option<String>,
    pub body_cached: bool,
    pub complete: bool,
    pub recipients: Vec<RecipientState>,
    /// For a sent message: its receipts. For a receipt: itself, with `sent_id` once attached.
    pub receipts: Vec<ReceiptInfo>,
    pub attachments: Vec<AttachmentRecord>,
    pub labels: Vec<String>,
}

/// What to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    Folder(FolderId),
    /// The folder with this role (e.g. the inbox).
    Role(FolderRole),
    /// Virtual: received invoices (SDI files in envelopes).
    Invoices,
    /// Virtual: every receipt.
    Receipts,
    /// Virtual: the sent PEC not delivered (a delivery failed, or the provider warned it may).
    Undelivered,
    /// Every message of the account(s).
    All,
    /// Virtual: the messages with this label (as the user wrote it; see [`super::keyword`]).
    Label(String),
}

/// A list request; paginate with `before` = the last row's (date, id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub account: Option<AccountId>,
    pub view: View,
    pub hide_receipts: bool,
    pub limit: u32,
    pub before: Option<(i64, MessageId)>,
}

impl ListQuery {
    pub fn new(view: View) -> ListQuery {
        ListQuery {
            account: None,
            view,
            hide_receipts: false,
            limit: 50,
            before: None,
        }
    }
}

pub(crate) const SUMMARY_COLS: &str = "m.id, m.account_id, m.folder_id, f.name, m.uid, m.kind, m.receipt_type,
    m.from_addr, m.from_name, m.sender_addr, m.subject, m.original_subject, m.date, m.size, m.seen, m.flagged,
    m.has_attachments, m.is_invoice, m.delivery, m.preview,
    CASE WHEN m.delivery IS NOT NULL THEN COALESCE(
        (SELECT COALESCE(NULLIF(TRIM(r.name), ''), r.address) FROM recipients r
            WHERE r.message_id = m.id AND r.field = 'to' LIMIT 1),
        (SELECT COALESCE(NULLIF(TRIM(r.name), ''), r.address) FROM recipients r
            WHERE r.message_id = m.id LIMIT 1)) END,
    CASE WHEN m.delivery IS NOT NULL THEN (SELECT COUNT(*) FROM recipients r WHERE r.message_id = m.id) END,
    m.draft";

pub(crate) fn summary_from_row(r: &Row<'_>) -> rusqlite::Result<MessageSummary> {
    let kind: String = r.get(5)?;
    let delivery: Option<String> = r.get(18)?;
    Ok(MessageSummary {
        id: r.get(0)?,
        account_id: r.get(1)?,
        folder_id: r.get(2)?,
        folder: r.get(3)?,
        uid: r.get(4)?,
        kind: Kind::parse(&kind).unwrap_or(Kind::Plain),
        receipt_type: r.get(6)?,
        from_addr: r.get(7)?,
        from_name: r.get(8)?,
        sender_addr: r.get(9)?,
        subject: r.get(10)?,
        original_subject: r.get(11)?,
        date: r.get(12)?,
        size: r.get::<_, i64>(13)? as u64,
        seen: r.get(14)?,
        flagged: r.get(15)?,
        has_attachments: r.get(16)?,
        is_invoice: r.get(17)?,
        delivery: delivery.as_deref().and_then(DeliverySummary::parse),
        preview: r.get(19)?,
        first_recipient: r.get(20)?,
        recipients: r.get::<_, Option<u32>>(21)?.unwrap_or(0),
        draft: r.get(22)?,
    })
}

/// One folder, on a connection or inside a transaction.
pub(super) fn folder_by_id(c: &Connection, id: FolderId) -> Result<Folder> {
    c.query_row(
        &format!("SELECT {FOLDER_COLS} FROM folders f WHERE f.id = ?1"),
        [id],
        folder_from_row,
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("folder {id}")))
}

fn folder_from_row(r: &Row<'_>) -> rusqlite::Result<Folder> {
    let role: Option<String> = r.get(3)?;
    Ok(Folder {
        id: r.get(0)?,
        account_id: r.get(1)?,
        name: r.get(2)?,
        role: role.as_deref().and_then(FolderRole::parse),
        delimiter: r.get(4)?,
        uidvalidity: r.get(5)?,
        uidnext: r.get(6)?,
        highestmodseq: r.get::<_, Option<i64>>(7)?.map(|v| v as u64),
        backfill_uid: r.get(8)?,
        myrights: r.get(9)?,
        total: r.get(10)?,
        unread: r.get(11)?,
    })
}

/// The counts come from `folder_counts` (kept by triggers with the rows): opening the folder
/// menu or an account never scans messages.
const FOLDER_COLS: &str =
    "f.id, f.account_id, f.name, f.role, f.delimiter, f.uidvalidity, f.uidnext, f.highestmodseq,
    f.backfill_uid, f.myrights,
    (SELECT COALESCE(SUM(c.total), 0) FROM folder_counts c WHERE c.folder_id = f.id),
    (SELECT COALESCE(SUM(c.unread), 0) FROM folder_counts c WHERE c.folder_id = f.id)";

impl Store {
    /// Folders of an account, inbox first.
    pub fn folders(&self, account: AccountId) -> Result<Vec<Folder>> {
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {FOLDER_COLS} FROM folders f WHERE f.account_id = ?1
                 ORDER BY (f.role = 'inbox') DESC, f.role IS NULL, f.name"
            ))?;
            Ok(st
                .query_map([account], folder_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    pub fn folder(&self, id: FolderId) -> Result<Folder> {
        self.read(|c| folder_by_id(c, id))
    }

    /// A folder by role, or by (case-insensitive) name.
    pub fn find_folder(&self, account: AccountId, name_or_role: &str) -> Result<Option<Folder>> {
        let folders = self.folders(account)?;
        let by_role = FolderRole::parse(&name_or_role.to_ascii_lowercase());
        Ok(folders
            .iter()
            .find(|f| f.name == name_or_role)
            .or_else(|| {
                folders
                    .iter()
                    .find(|f| f.name.eq_ignore_ascii_case(name_or_role))
            })
            .or_else(|| by_role.and_then(|r| folders.iter().find(|f| f.role == Some(r))))
            .cloned())
    }

    /// A page of a message list, newest first.
    pub fn list(&self, q: &ListQuery) -> Result<Vec<MessageSummary>> {
        self.read(|c| list_on(c, q))
    }

    /// Total/unread per view (the counts the UI badges show): a sum over the per-folder counters,
    /// never a scan of the messages, so a page's counts cost the same on any mailbox size.
    pub fn count(&self, q: &ListQuery) -> Result<(u32, u32)> {
        self.read(|c| {
            let (sql, args) = count_sql(q);
            let mut st = c.prepare_cached(&sql)?;
            Ok(st.query_row(rusqlite::params_from_iter(args.iter()), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?)
        })
    }

    /// The unread messages of a view (all of them, not a page), for "mark all as read".
    pub fn unread_in(&self, q: &ListQuery) -> Result<Vec<MessageId>> {
        self.read(|c| {
            let (cond, args) = view_condition(q, &MESSAGE_COLUMNS);
            let sql = format!(
                "SELECT m.id FROM messages m JOIN folders f ON f.id = m.folder_id
                 WHERE {cond} AND m.seen = 0"
            );
            let mut st = c.prepare(&sql)?;
            let ids = st.query_map(rusqlite::params_from_iter(args.iter()), |r| r.get(0))?;
            Ok(ids.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// The detail of one message.
    pub fn message(&self, id: MessageId) -> Result<MessageDetail> {
        self.read(|c| {
            let summary = c
                .query_row(
                    &format!("SELECT {SUMMARY_COLS} FROM messages m JOIN folders f ON f.id = m.folder_id WHERE m.id = ?1"),
                    [id],
                    summary_from_row,
                )
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("message {id}")))?;
            type Extra = (Option<String>, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>, i64);
            let (message_id, ref_message_id, identificativo, pec_recipient, pec_error, signature, body_state): Extra = c.query_row(
                "SELECT message_id, ref_message_id, pec_identificativo, pec_recipient, pec_error, signature, body_state
                 FROM messages WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
            )?;
            let body_cached: bool = c.query_row(
                "SELECT EXISTS(SELECT 1 FROM bodies WHERE message_id = ?1)",
                [id],
                |r| r.get(0),
            )?;
            let recipients = {
                let mut st = c.prepare_cached(
                    "SELECT address, name, field, pec_type, state, accepted_at, delivered_at, failed_at, warning_at,
                        detail FROM recipients WHERE message_id = ?1 ORDER BY rowid",
                )?;
                st.query_map([id], |r| {
                    let state: String = r.get(4)?;
                    Ok(RecipientState {
                        address: r.get(0)?,
                        name: r.get(1)?,
                        field: r.get(2)?,
                        pec_type: r.get(3)?,
                        state: DeliveryState::parse(&state),
                        accepted_at: r.get(5)?,
                        delivered_at: r.get(6)?,
                        failed_at: r.get(7)?,
                        warning_at: r.get(8)?,
                        detail: r.get(9)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?
            };
            let receipts = {
                let mut st = c.prepare_cached(
                    "SELECT receipt_id, sent_id, receipt_type, recipient, error, at, certified FROM receipts
                     WHERE receipt_id = ?1 OR sent_id IN (SELECT c.id FROM messages m
                        JOIN messages c ON c.account_id = m.account_id AND c.message_id = m.message_id
                            AND c.kind = 'plain'
                        WHERE m.id = ?1 UNION SELECT ?1)
                     ORDER BY COALESCE(at, 0), receipt_id",
                )?;
                st.query_map([id], |r| {
                    Ok(ReceiptInfo {
                        receipt_id: r.get(0)?,
                        sent_id: r.get(1)?,
                        receipt_type: ReceiptKind::parse(&r.get::<_, String>(2)?),
                        recipient: r.get(3)?,
                        error: r.get(4)?,
                        at: r.get(5)?,
                        certified: r.get(6)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?
            };
            let attachments = {
                let mut st = c.prepare_cached(
                    "SELECT filename, mime, size, section FROM attachments WHERE message_id = ?1 ORDER BY idx",
                )?;
                st.query_map([id], |r| {
                    Ok(AttachmentRecord {
                        filename: r.get(0)?,
                        mime: r.get(1)?,
                        size: r.get::<_, i64>(2)? as u64,
                        section: r.get(3)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?
            };
            let labels = {
                let mut st = c.prepare_cached("SELECT label FROM labels WHERE message_id = ?1 ORDER BY label")?;
                st.query_map([id], |r| r.get::<_, String>(0))?
                    .map(|k| k.map(|k| super::keyword::label_of(&k)))
                    .collect::<rusqlite::Result<Vec<String>>>()?
            };
            Ok(MessageDetail {
                summary,
                message_id,
                ref_message_id,
                identificativo,
                pec_recipient,
                pec_error,
                signature,
                body_cached,
                complete: body_state == 1,
                recipients,
                receipts,
                attachments,
                labels,
            })
        })
    }

    /// Receipts not yet attached to any sent message (kept, never dropped).
    pub fn pending_receipts(&self, account: AccountId) -> Result<Vec<ReceiptInfo>> {
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT receipt_id, sent_id, receipt_type, recipient, error, at, certified FROM receipts
                 WHERE account_id = ?1 AND sent_id IS NULL ORDER BY receipt_id",
            )?;
            Ok(st
                .query_map([account], |r| {
                    Ok(ReceiptInfo {
                        receipt_id: r.get(0)?,
                        sent_id: r.get(1)?,
                        receipt_type: ReceiptKind::parse(&r.get::<_, String>(2)?),
                        recipient: r.get(3)?,
                        error: r.get(4)?,
                        at: r.get(5)?,
                        certified: r.get(6)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }
}

/// The sent PEC not delivered: the partial index's own condition (spelled as it is there, so the
/// planner uses it), and a PEC sent from here once, though its local copy in the outbox folder
/// and its copy in the server's Sent folder both carry the receipts.
const UNDELIVERED: &str = "m.delivery IN ('failed', 'warning')
    AND NOT (f.role IS NULL AND f.name = 'Outbox' AND EXISTS (
        SELECT 1 FROM messages s WHERE s.account_id = m.account_id AND s.message_id = m.message_id
            AND s.id <> m.id AND s.delivery IN ('failed', 'warning')))";

/// How a view's conditions are spelled: over the message rows (`messages m`) or over the
/// per-folder counters (`folder_counts c`), both joined to `folders f`.
struct ViewColumns {
    account: &'static str,
    folder: &'static str,
    invoice: &'static str,
    receipt: &'static str,
    not_receipt: &'static str,
}

const MESSAGE_COLUMNS: ViewColumns = ViewColumns {
    account: "m.account_id",
    folder: "m.folder_id",
    invoice: "m.is_invoice = 1",
    receipt: "m.kind = 'receipt'",
    not_receipt: "m.kind != 'receipt'",
};

const COUNT_COLUMNS: ViewColumns = ViewColumns {
    account: "f.account_id",
    folder: "c.folder_id",
    invoice: "c.invoice = 1",
    receipt: "c.receipt = 1",
    not_receipt: "c.receipt = 0",
};

/// SQL condition and its arguments for a list query, spelled with `cols`.
fn view_condition(q: &ListQuery, cols: &ViewColumns) -> (String, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value;
    let mut cond = vec![];
    let mut args: Vec<Value> = vec![];
    if let Some(a) = q.account {
        args.push(Value::Integer(a));
        // A folder is narrower than its account: the unary `+` keeps the planner on the folder's
        // index (the account term stays as a filter).
        let plus = if matches!(q.view, View::Folder(_)) {
            "+"
        } else {
            ""
        };
        cond.push(format!("{plus}{} = ?{}", cols.account, args.len()));
    }
    match &q.view {
        View::Folder(id) => {
            args.push(Value::Integer(*id));
            cond.push(format!("{} = ?{}", cols.folder, args.len()));
        }
        View::Role(role) => {
            args.push(Value::Text(role.as_str().into()));
            cond.push(format!("f.role = ?{}", args.len()));
        }
        View::Invoices => cond.push(cols.invoice.into()),
        View::Receipts => cond.push(cols.receipt.into()),
        View::Undelivered => cond.push(UNDELIVERED.into()),
        View::All => {}
        View::Label(label) => {
            let keyword = super::keyword::keyword_of(label).unwrap_or_else(|_| label.clone());
            args.push(Value::Text(keyword));
            cond.push(format!(
                "m.id IN (SELECT message_id FROM labels WHERE label = ?{})",
                args.len()
            ));
        }
    }
    if q.hide_receipts {
        cond.push(cols.not_receipt.into());
    }
    if cond.is_empty() {
        cond.push("1".into());
    }
    (cond.join(" AND "), args)
}

/// The counts query of a view: a sum over `folder_counts`; labels and the undelivered, which have
/// no counters, count their few messages.
fn count_sql(q: &ListQuery) -> (String, Vec<rusqlite::types::Value>) {
    // Labels and the undelivered have no counters: such a view counts its (few) messages.
    if matches!(q.view, View::Label(_) | View::Undelivered) {
        let (cond, args) = view_condition(q, &MESSAGE_COLUMNS);
        let sql = format!(
            "SELECT COUNT(*), COALESCE(SUM(m.seen = 0), 0) FROM messages m
             JOIN folders f ON f.id = m.folder_id WHERE {cond}"
        );
        return (sql, args);
    }
    let (cond, args) = view_condition(q, &COUNT_COLUMNS);
    let sql = format!(
        "SELECT COALESCE(SUM(c.total), 0), COALESCE(SUM(c.unread), 0)
         FROM folder_counts c JOIN folders f ON f.id = c.folder_id WHERE {cond}"
    );
    (sql, args)
}

/// The list query of a view, newest first: `(sql, args)`. The ORDER BY matches the order indexes
/// of migration 0008, so a page is an index walk that stops after `limit` rows; the cursor is a
/// row-value comparison, which the same walk seeks to.
fn list_sql(q: &ListQuery) -> (String, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value;
    let (mut cond, mut args) = view_condition(q, &MESSAGE_COLUMNS);
    if let Some((date, id)) = q.before {
        args.push(Value::Integer(date));
        let d = args.len();
        args.push(Value::Integer(id));
        let i = args.len();
        cond.push_str(&format!(" AND (m.date, m.id) < (?{d}, ?{i})"));
    }
    args.push(Value::Integer(q.limit as i64));
    let sql = format!(
        "SELECT {SUMMARY_COLS} FROM messages m JOIN folders f ON f.id = m.folder_id WHERE {cond}
         ORDER BY m.date DESC, m.id DESC LIMIT ?{}",
        args.len()
    );
    (sql, args)
}

/// A role view names one folder per account: list that folder, so the walk follows its index
/// (a join on `f.role` would read every candidate row and sort). `None` when no folder has the
/// role. Several matches (a role across accounts) keep the role condition.
fn resolve_role(c: &Connection, q: &ListQuery) -> Result<Option<ListQuery>> {
    let View::Role(role) = q.view else {
        return Ok(Some(q.clone()));
    };
    let mut st = c.prepare_cached(
        "SELECT id FROM folders WHERE role = ?1 AND (?2 IS NULL OR account_id = ?2) LIMIT 2",
    )?;
    let ids = st
        .query_map(rusqlite::params![role.as_str(), q.account], |r| {
            r.get::<_, FolderId>(0)
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(match ids.as_slice() {
        [] => None,
        [id] => Some(ListQuery {
            view: View::Folder(*id),
            ..q.clone()
        }),
        _ => Some(q.clone()),
    })
}

fn list_on(c: &Connection, q: &ListQuery) -> Result<Vec<MessageSummary>> {
    let Some(q) = resolve_role(c, q)? else {
        return Ok(vec![]);
    };
    let (sql, args) = list_sql(&q);
    let mut st = c.prepare_cached(&sql)?;
    let rows = st
        .query_map(rusqlite::params_from_iter(args.iter()), summary_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// One received invoice as the invoices view shows it (filled by the sync from the FatturaPA file
/// of the message, see [`crate::receive::analyze_with`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoiceRow {
    pub message_id: MessageId,
    /// What the file says (the same record the sync writes).
    #[serde(flatten)]
    pub invoice: super::record::InvoiceRecord,
}

impl InvoiceRow {
    /// The row for `message` from what the invoice reader found.
    pub fn from_record(message: MessageId, r: &super::record::InvoiceRecord) -> InvoiceRow {
        InvoiceRow {
            message_id: message,
            invoice: r.clone(),
        }
    }
}

/// A message of the invoices view with what its invoice file says (empty until its body was
/// analysed, or when the file does not open).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoiceListItem {
    pub message: MessageSummary,
    pub invoices: Vec<InvoiceRow>,
}

pub(crate) fn put_invoice_tx(
    tx: &rusqlite::Transaction<'_>,
    message: MessageId,
    inv: &super::record::InvoiceRecord,
) -> Result<()> {
    tx.exec(
        "INSERT INTO invoices (message_id, filename, number, date, seller, total, seller_vat,
            doc_type, currency, documents, signed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT(message_id, filename) DO UPDATE SET number = excluded.number,
            date = excluded.date, seller = excluded.seller, total = excluded.total,
            seller_vat = excluded.seller_vat, doc_type = excluded.doc_type,
            currency = excluded.currency, documents = excluded.documents, signed = excluded.signed",
        rusqlite::params![
            message,
            inv.filename,
            inv.number,
            inv.date,
            inv.seller,
            inv.total,
            inv.seller_vat,
            inv.doc_type,
            inv.currency,
            inv.documents,
            inv.signed
        ],
    )?;
    Ok(())
}

const INVOICE_COLS: &str =
    "message_id, filename, number, date, seller, total, seller_vat, doc_type,
    currency, documents, signed";

fn invoice_from_row(r: &Row<'_>) -> rusqlite::Result<InvoiceRow> {
    Ok(InvoiceRow {
        message_id: r.get(0)?,
        invoice: super::record::InvoiceRecord {
            filename: r.get(1)?,
            number: r.get(2)?,
            date: r.get(3)?,
            seller: r.get(4)?,
            total: r.get(5)?,
            seller_vat: r.get(6)?,
            doc_type: r.get(7)?,
            currency: r.get(8)?,
            documents: r.get(9)?,
            signed: r.get(10)?,
        },
    })
}

impl Store {
    /// Record what an invoice file says; marks the message as an invoice so it appears in the
    /// invoices view. (The sync fills this itself when it analyses a message carrying an invoice.)
    pub fn set_invoice(&self, inv: &InvoiceRow) -> Result<()> {
        self.write(|tx| {
            put_invoice_tx(tx, inv.message_id, &inv.invoice)?;
            tx.exec(
                "UPDATE messages SET is_invoice = 1 WHERE id = ?1",
                [inv.message_id],
            )?;
            Ok(())
        })
    }

    /// A page of a list (normally [`View::Invoices`], the "received invoices" virtual folder) with
    /// the invoice details of each message, read in one snapshot.
    pub fn list_with_invoices(&self, q: &ListQuery) -> Result<Vec<InvoiceListItem>> {
        self.read(|c| {
            let rows = list_on(c, q)?;
            let mut st = c.prepare_cached(&format!(
                "SELECT {INVOICE_COLS} FROM invoices WHERE message_id = ?1 ORDER BY filename"
            ))?;
            let mut out = Vec::with_capacity(rows.len());
            for m in rows {
                let invoices = st
                    .query_map([m.id], invoice_from_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                out.push(InvoiceListItem {
                    message: m,
                    invoices,
                });
            }
            Ok(out)
        })
    }

    /// The labels of `account`'s messages, as the user wrote them, with their message and unread
    /// counts, by name. Keywords that mail programs set for themselves (`$Forwarded`, `\\Seen`,
    /// `NonJunk`) are not labels.
    pub fn labels(&self, account: AccountId) -> Result<Vec<(String, u32, u32)>> {
        let rows: Vec<(String, u32, u32)> = self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT l.label, COUNT(*), COALESCE(SUM(m.seen = 0), 0) FROM labels l
                 JOIN messages m ON m.id = l.message_id WHERE m.account_id = ?1
                 GROUP BY l.label",
            )?;
            Ok(st
                .query_map([account], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })?;
        let programs = ["nonjunk", "junk", "notjunk", "forwarded", "mdnsent"];
        let mut out: Vec<(String, u32, u32)> = rows
            .into_iter()
            .filter(|(k, _, _)| {
                !k.starts_with(['$', '\\']) && !programs.contains(&k.to_ascii_lowercase().as_str())
            })
            .map(|(k, total, unread)| (super::keyword::label_of(&k), total, unread))
            .collect();
        out.sort_by_key(|(l, _, _)| l.to_lowercase());
        Ok(out)
    }

    /// The files of `account`'s messages whose names start with `prefix` (ASCII case ignored):
    /// the SdI files about one invoice. `(message, file name, message date)`, oldest first.
    pub fn files_named_like(
        &self,
        account: AccountId,
        prefix: &str,
    ) -> Result<Vec<(MessageId, String, i64)>> {
        let mut pattern = String::with_capacity(prefix.len() + 1);
        for c in prefix.chars() {
            if matches!(c, '%' | '_' | '\\') {
                pattern.push('\\');
            }
            pattern.push(c);
        }
        pattern.push('%');
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT a.message_id, a.filename, m.date FROM attachments a
                 JOIN messages m ON m.id = a.message_id
                 WHERE m.account_id = ?1 AND a.filename LIKE ?2 ESCAPE '\\'
                 ORDER BY m.date, m.id, a.idx",
            )?;
            Ok(st
                .query_map(rusqlite::params![account, pattern], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Invoice details of a message.
    pub fn invoices_of(&self, message: MessageId) -> Result<Vec<InvoiceRow>> {
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {INVOICE_COLS} FROM invoices WHERE message_id = ?1 ORDER BY filename"
            ))?;
            Ok(st
                .query_map([message], invoice_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }
}

#[cfg(test)]
mod plan_tests {
    //! The list and count queries must not scale with the mailbox: checked on the query plan
    //! (EXPLAIN QUERY PLAN), so a regression shows without a timing test.
    use super::*;

    /// The plan's detail lines, one per line.
    fn plan(c: &Connection, sql: &str, args: &[rusqlite::types::Value]) -> String {
        let mut st = c
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("explain");
        st.query_map(rusqlite::params_from_iter(args.iter()), |r| {
            r.get::<_, String>(3)
        })
        .expect("plan")
        .collect::<rusqlite::Result<Vec<_>>>()
        .expect("rows")
        .join("\n")
    }

    fn synth_store(dir: &std::path::Path) -> (Store, AccountId) {
        let store = crate::synth::build(dir, 3000).expect("synthetic store");
        let account = store.accounts().expect("accounts")[0].id;
        (store, account)
    }

    /// Every list the facade pages through, first page and a later one: one walk of an order
    /// index, no temporary B-tree for the ORDER BY.
    #[test]
    fn first_page_is_an_index_walk() {
        let dir = tempfile::tempdir().expect("tmp");
        let (store, account) = synth_store(dir.path());
        let inbox = store
            .find_folder(account, "inbox")
            .expect("folder")
            .expect("inbox")
            .id;
        let views = [
            (View::Role(FolderRole::Inbox), "messages_folder_order"),
            (View::Folder(inbox), "messages_folder_order"),
            (View::All, "messages_account_order"),
            (View::Receipts, "messages_kind_order"),
            (View::Invoices, "messages_invoice_order"),
            (View::Undelivered, "messages_undelivered_order"),
        ];
        store
            .read(|c| {
                for (view, index) in views {
                    for hide_receipts in [false, true] {
                        for before in [None, Some((1_600_600_000, 1000))] {
                            let q = ListQuery {
                                account: Some(account),
                                hide_receipts,
                                before,
                                ..ListQuery::new(view.clone())
                            };
                            let q = resolve_role(c, &q)?.expect("the inbox exists");
                            let (sql, args) = list_sql(&q);
                            let p = plan(c, &sql, &args);
                            assert!(
                                p.contains(&format!("USING INDEX {index}")),
                                "{view:?} hide_receipts={hide_receipts} before={before:?}: \
                                 expected a walk of {index}, plan:\n{p}"
                            );
                            assert!(!p.contains("TEMP B-TREE"), "{view:?}: a sort, plan:\n{p}");
                            assert!(!p.contains("SCAN m"), "{view:?}: a table scan, plan:\n{p}");
                        }
                    }
                }
                Ok(())
            })
            .expect("read");
    }

    /// The undelivered view names the outbox folder as the outbox does.
    #[test]
    fn the_undelivered_view_knows_the_outbox_folder() {
        let named = format!("f.name = '{}'", crate::outbox::OUTBOX_FOLDER);
        assert!(UNDELIVERED.contains(&named), "{UNDELIVERED}");
    }

    /// Page counts and folder badges read the counters: their plans never touch `messages`.
    #[test]
    fn counts_do_not_read_messages() {
        let dir = tempfile::tempdir().expect("tmp");
        let (store, account) = synth_store(dir.path());
        store
            .read(|c| {
                for view in [
                    View::Role(FolderRole::Inbox),
                    View::Folder(1),
                    View::All,
                    View::Receipts,
                    View::Invoices,
                ] {
                    for hide_receipts in [false, true] {
                        let q = ListQuery {
                            account: Some(account),
                            hide_receipts,
                            ..ListQuery::new(view.clone())
                        };
                        let (sql, args) = count_sql(&q);
                        let p = plan(c, &sql, &args);
                        assert!(!p.contains("messages"), "{view:?}: plan:\n{p}");
                    }
                }
                // The undelivered have no counters: their few rows, through their own index.
                let q = ListQuery {
                    account: Some(account),
                    ..ListQuery::new(View::Undelivered)
                };
                let (sql, args) = count_sql(&q);
                let p = plan(c, &sql, &args);
                assert!(
                    p.contains("messages_undelivered_order"),
                    "undelivered: plan:\n{p}"
                );
                let folders =
                    format!("SELECT {FOLDER_COLS} FROM folders f WHERE f.account_id = ?1");
                let p = plan(c, &folders, &[rusqlite::types::Value::Integer(account)]);
                assert!(!p.contains("messages"), "folders: plan:\n{p}");
                Ok(())
            })
            .expect("read");
    }
}
