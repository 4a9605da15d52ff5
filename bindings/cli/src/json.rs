//! The CLI's `--json` shapes, kept as they were before the CLI moved onto the facade (scripts
//! parse them), built from the facade's records.

use pec_ffi::{ListRow, MessageKind, SendStatusView, TimelineEvent};
use serde_json::{Value, json};

/// The CLI's name of a message kind (`envelope` is the facade's `certified`).
pub fn kind_name(k: MessageKind) -> &'static str {
    match k {
        MessageKind::Plain => "plain",
        MessageKind::Certified => "envelope",
        MessageKind::Anomaly => "anomaly",
        MessageKind::Receipt => "receipt",
        MessageKind::Rem => "rem",
    }
}

/// One list row: `id, account_id, folder_id, folder, uid, kind, receipt_type, from_addr,
/// from_name, sender_addr, subject, original_subject, date, size, seen, flagged,
/// has_attachments, is_invoice, delivery, preview, draft`, plus the facade's `ticks` and, for
/// sent mail, `to` (first recipient) and `recipients` (how many).
pub fn row(r: &ListRow) -> Value {
    json!({
        "id": r.id,
        "account_id": r.account_id,
        "folder_id": r.folder_id,
        "folder": r.folder,
        "uid": r.uid,
        "kind": kind_name(r.kind),
        "receipt_type": r.receipt_type,
        "from_addr": r.from_address,
        "from_name": r.from_name,
        "sender_addr": r.original_sender,
        "subject": r.raw_subject,
        "original_subject": r.original_subject,
        "date": r.date,
        "size": r.size,
        "seen": r.seen,
        "flagged": r.flagged,
        "has_attachments": r.attachments,
        "is_invoice": r.invoice,
        "delivery": r.delivery,
        "ticks": r.ticks,
        "preview": r.preview,
        "draft": r.draft,
        "to": r.to,
        "recipients": r.recipient_count,
    })
}

fn events(v: &[TimelineEvent]) -> Value {
    Value::Array(
        v.iter()
            .map(|e| {
                let mut o = json!({"kind": e.kind, "at": e.at});
                if let Some(d) = &e.detail {
                    o["detail"] = d.clone().into();
                }
                o
            })
            .collect(),
    )
}

/// A sent PEC's status: `id, message_id, subject, state, error, attempts, recipients: [{address,
/// state, reason, certified, events: [{kind, at, detail?}]}], events`, plus `ticks`, `finished`.
pub fn status(s: &SendStatusView) -> Value {
    json!({
        "id": s.outbox_id,
        "message_id": s.message_id,
        "subject": s.subject,
        "state": s.step,
        "error": s.error,
        "attempts": s.attempts,
        "recipients": s.recipients.iter().map(|r| json!({
            "address": r.address,
            "state": r.step,
            "reason": r.reason,
            "certified": r.certified,
            "events": events(&r.events),
        })).collect::<Vec<_>>(),
        "events": events(&s.events),
        "ticks": s.ticks,
        "finished": s.finished,
    })
}
