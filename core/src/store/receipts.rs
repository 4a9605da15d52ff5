//! PEC receipt tracking: every receipt is attached to its sent message and recipient; per-recipient
//! states are recomputed from all attached receipts, so their arrival order never matters.
//!
//! Correlation keys, in order: `X-Riferimento-Message-ID` (= the sent message's own Message-ID),
//! daticert `<msgid>`, daticert `<identificativo>` (learnt from the accettazione). A receipt whose
//! sent message is unknown stays in `receipts` with `sent_id = NULL` and is attached when the message
//! shows up (sync order, another folder, a later import): never lost, never blocking.
//!
//! Only *certified* receipts move a recipient's state (see [`MessageRecord::certified`]): a
//! receipt seen header-only (before its body is downloaded and verified), unsigned, or under an
//! untrusted signature is attached and listed, but gives no tick. When its body is verified the
//! row is rewritten from the signed daticert, so a forged `X-Ricevuta` never leaves a tick behind.

use super::CachedExt;
use super::record::MessageRecord;
use super::{AccountId, MessageId, Result};
use crate::message::Kind;
use rusqlite::{OptionalExtension, Transaction, params};

/// Called inside the transaction that wrote message `id`.
pub(crate) fn on_message_written_tx(
    tx: &Transaction<'_>,
    id: MessageId,
    account: AccountId,
    role: Option<&str>,
    rec: &MessageRecord,
) -> Result<()> {
    match rec.kind() {
        Kind::Receipt => {
            let rtype = rec
                .receipt_type
                .clone()
                .unwrap_or_else(|| "sconosciuta".into());
            let at = rec.pec_time.or(rec.date);
            // A certified record replaces what a header-only one said (the forged header's
            // recipient and error must not survive); an uncertified one only fills gaps.
            tx.exec(
                "INSERT INTO receipts (receipt_id, account_id, receipt_type, ref_message_id, identificativo,
                    recipient, error, at, certified)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT(receipt_id) DO UPDATE SET receipt_type = excluded.receipt_type,
                    ref_message_id = COALESCE(excluded.ref_message_id, receipts.ref_message_id),
                    identificativo = CASE WHEN excluded.certified THEN excluded.identificativo
                        ELSE COALESCE(excluded.identificativo, receipts.identificativo) END,
                    recipient = CASE WHEN excluded.certified THEN excluded.recipient
                        ELSE COALESCE(excluded.recipient, receipts.recipient) END,
                    error = CASE WHEN excluded.certified THEN excluded.error
                        ELSE COALESCE(excluded.error, receipts.error) END,
                    at = COALESCE(excluded.at, receipts.at),
                    certified = excluded.certified",
                params![
                    id,
                    account,
                    rtype,
                    rec.ref_message_id.as_ref().or(rec.pec_msgid.as_ref()),
                    rec.identificativo,
                    rec.pec_recipient,
                    rec.pec_error,
                    at,
                    rec.certified
                ],
            )?;
            let existing: Option<MessageId> = tx
                .row(
                    "SELECT sent_id FROM receipts WHERE receipt_id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .optional()?
                .flatten();
            let sent = match existing {
                Some(s) => Some(s),
                None => find_sent_tx(tx, account, rec)?,
            };
            if let Some(sent) = sent {
                tx.exec(
                    "UPDATE receipts SET sent_id = ?2 WHERE receipt_id = ?1",
                    params![id, sent],
                )?;
                learn_identificativo_tx(tx, sent, rec)?;
                recompute_tx(tx, sent)?;
            }
        }
        Kind::Plain => {
            forget_receipt_tx(tx, id)?;
            if role == Some("sent") {
                tx.exec(
                    "UPDATE messages SET delivery = COALESCE(delivery, 'sent') WHERE id = ?1",
                    [id],
                )?;
            }
            if let Some(mid) = &rec.message_id {
                let adopted = if role == Some("sent") {
                    adopt_receipts_tx(tx, id, account, mid)?
                } else {
                    0
                };
                let n = adopted
                    + tx.exec(
                        "UPDATE receipts SET sent_id = ?1 WHERE account_id = ?2 AND sent_id IS NULL
                        AND ref_message_id = ?3",
                        params![id, account, mid],
                    )?;
                // An accettazione attached now teaches us the identificativo; pending receipts
                // that only carry that (no Message-ID reference) follow.
                let ident: Option<String> = tx
                    .row(
                        "SELECT identificativo FROM receipts WHERE sent_id = ?1 AND identificativo IS NOT NULL
                         LIMIT 1",
                        [id],
                        |r| r.get(0),
                    )
                    .optional()?;
                let mut m = 0;
                if let Some(ident) = ident {
                    tx.exec(
                        "UPDATE messages SET pec_identificativo = COALESCE(pec_identificativo, ?2) WHERE id = ?1",
                        params![id, ident],
                    )?;
                    m = tx.exec(
                        "UPDATE receipts SET sent_id = ?1 WHERE account_id = ?2 AND sent_id IS NULL
                            AND identificativo = ?3",
                        params![id, account, ident],
                    )?;
                }
                if n + m > 0 {
                    recompute_tx(tx, id)?;
                }
            }
        }
        Kind::Envelope | Kind::Anomaly | Kind::Rem => forget_receipt_tx(tx, id)?,
    }
    Ok(())
}

/// The copy in a Sent folder is the sent message ([`find_sent_tx`] prefers it): receipts that
/// arrived before it was synced, attached to another copy with the same Message-ID (the outbox's
/// local row), move to it, so one row holds every receipt whatever order the folders sync in.
/// The caller's [`recompute_tx`] then writes the states to every copy.
fn adopt_receipts_tx(
    tx: &Transaction<'_>,
    id: MessageId,
    account: AccountId,
    mid: &str,
) -> Result<usize> {
    let others: Vec<MessageId> = {
        let mut st = tx.prepare_cached(
            "SELECT DISTINCT r.sent_id FROM receipts r JOIN messages m ON m.id = r.sent_id
             WHERE r.account_id = ?1 AND m.message_id = ?2 AND m.kind = 'plain' AND m.id != ?3",
        )?;
        st.query_map(params![account, mid, id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    let mut moved = 0;
    for other in others {
        moved += tx.exec(
            "UPDATE receipts SET sent_id = ?1 WHERE sent_id = ?2",
            params![id, other],
        )?;
    }
    Ok(moved)
}

/// Message `id` turned out not to be a receipt (its header said so, its verified body does not):
/// drop its receipt row and recompute the message it was attached to.
fn forget_receipt_tx(tx: &Transaction<'_>, id: MessageId) -> Result<()> {
    let sent: Option<Option<MessageId>> = tx
        .row(
            "SELECT sent_id FROM receipts WHERE receipt_id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(sent) = sent else {
        return Ok(());
    };
    tx.exec("DELETE FROM receipts WHERE receipt_id = ?1", [id])?;
    if let Some(sent) = sent {
        recompute_tx(tx, sent)?;
    }
    Ok(())
}

fn find_sent_tx(
    tx: &Transaction<'_>,
    account: AccountId,
    rec: &MessageRecord,
) -> Result<Option<MessageId>> {
    let by_mid = |mid: &str| -> Result<Option<MessageId>> {
        Ok(tx
            .row(
                "SELECT m.id FROM messages m JOIN folders f ON f.id = m.folder_id
                 WHERE m.account_id = ?1 AND m.message_id = ?2 AND m.kind = 'plain'
                 ORDER BY (f.role = 'sent') DESC, m.id LIMIT 1",
                params![account, mid],
                |r| r.get(0),
            )
            .optional()?)
    };
    for key in [&rec.ref_message_id, &rec.pec_msgid].into_iter().flatten() {
        if let Some(id) = by_mid(key)? {
            return Ok(Some(id));
        }
    }
    if let Some(ident) = &rec.identificativo {
        let id: Option<MessageId> = tx
            .row(
                "SELECT id FROM messages WHERE account_id = ?1 AND pec_identificativo = ?2 AND kind = 'plain'
                 ORDER BY id LIMIT 1",
                params![account, ident],
                |r| r.get(0),
            )
            .optional()?;
        if id.is_some() {
            return Ok(id);
        }
    }
    Ok(None)
}

fn learn_identificativo_tx(
    tx: &Transaction<'_>,
    sent: MessageId,
    rec: &MessageRecord,
) -> Result<()> {
    let Some(ident) = &rec.identificativo else {
        return Ok(());
    };
    tx.exec(
        "UPDATE messages SET pec_identificativo = COALESCE(pec_identificativo, ?2) WHERE id = ?1",
        params![sent, ident],
    )?;
    let account: AccountId = tx.row(
        "SELECT account_id FROM messages WHERE id = ?1",
        [sent],
        |r| r.get(0),
    )?;
    tx.exec(
        "UPDATE receipts SET sent_id = ?1 WHERE account_id = ?2 AND sent_id IS NULL AND identificativo = ?3",
        params![sent, account, ident],
    )?;
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum St {
    Sent = 0,
    Accepted = 1,
    Warning = 2,
    Delivered = 3,
    Failed = 4,
}

impl St {
    fn as_str(self) -> &'static str {
        match self {
            St::Sent => "sent",
            St::Accepted => "accepted",
            St::Warning => "warning",
            St::Delivered => "delivered",
            St::Failed => "failed",
        }
    }
}

struct Rcpt {
    address: String,
    field: String,
    esterno: bool,
    state: St,
    accepted_at: Option<i64>,
    delivered_at: Option<i64>,
    failed_at: Option<i64>,
    warning_at: Option<i64>,
    detail: Option<String>,
}

impl Rcpt {
    /// Delivered and failed are final; a later warning never downgrades them.
    fn raise(&mut self, to: St) {
        let final_state = matches!(self.state, St::Delivered | St::Failed);
        if !final_state && to > self.state || to == St::Failed {
            self.state = to;
        }
    }
}

/// Recompute every recipient's state and the message summary of sent message `sent` from all of
/// its attached receipts.
pub(crate) fn recompute_tx(tx: &Transaction<'_>, sent: MessageId) -> Result<()> {
    let mut rcpts: Vec<Rcpt> = {
        let mut st = tx.prepare_cached(
            "SELECT address, field, pec_type FROM recipients WHERE message_id = ?1 ORDER BY rowid",
        )?;
        st.query_map([sent], |r| {
            let pec_type: Option<String> = r.get(2)?;
            Ok(Rcpt {
                address: r.get(0)?,
                field: r.get(1)?,
                esterno: pec_type.as_deref() == Some("esterno"),
                state: St::Sent,
                accepted_at: None,
                delivered_at: None,
                failed_at: None,
                warning_at: None,
                detail: None,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
    };
    type Row = (String, Option<String>, Option<String>, Option<i64>);
    let receipts: Vec<Row> = {
        let mut st = tx.prepare_cached(
            "SELECT receipt_type, recipient, error, at FROM receipts WHERE sent_id = ?1 AND certified
             ORDER BY COALESCE(at, 0), receipt_id",
        )?;
        st.query_map([sent], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?
    };
    let any_receipt = !receipts.is_empty();
    for (rtype, recipient, error, at) in &receipts {
        let rtype = rtype.as_str();
        let target = match recipient {
            Some(addr) => {
                let addr = addr.to_ascii_lowercase();
                if !rcpts.iter().any(|r| r.address == addr) {
                    rcpts.push(Rcpt {
                        address: addr.clone(),
                        field: "to".into(),
                        esterno: false,
                        state: St::Sent,
                        accepted_at: None,
                        delivered_at: None,
                        failed_at: None,
                        warning_at: None,
                        detail: None,
                    });
                }
                Some(addr)
            }
            None => None,
        };
        // Per-recipient receipts without a known recipient (header-only so far) apply to the only
        // certified recipient when there is exactly one.
        let only_one = {
            let certified: Vec<&Rcpt> = rcpts.iter().filter(|r| !r.esterno).collect();
            (certified.len() == 1).then(|| certified[0].address.clone())
        };
        let target = target.or(only_one);
        use crate::message::ReceiptKind as R;
        let Some(rtype) = R::parse(rtype) else {
            continue;
        };
        match rtype {
            R::Accettazione => {
                for r in rcpts.iter_mut() {
                    r.accepted_at = r.accepted_at.or(*at);
                    r.raise(St::Accepted);
                }
            }
            R::NonAccettazione | R::RilevazioneVirus => {
                for r in rcpts.iter_mut() {
                    r.failed_at = *at;
                    r.detail = error.clone();
                    r.raise(St::Failed);
                }
            }
            R::AvvenutaConsegna | R::ErroreConsegna | R::PreavvisoErroreConsegna => {
                let Some(t) = &target else { continue };
                let Some(r) = rcpts.iter_mut().find(|r| &r.address == t) else {
                    continue;
                };
                // pagopa/pn-ec: Aruba/Namirial preavvisi whose extended error starts with 5.4.1 are final.
                let final_warning = rtype == R::PreavvisoErroreConsegna
                    && error.as_deref().is_some_and(|e| {
                        e.split(':')
                            .next_back()
                            .unwrap_or("")
                            .trim_start()
                            .starts_with("5.4.1")
                    });
                match rtype {
                    R::AvvenutaConsegna => {
                        r.delivered_at = *at;
                        r.raise(St::Delivered);
                    }
                    R::ErroreConsegna => {
                        r.failed_at = *at;
                        r.detail = error.clone();
                        r.raise(St::Failed);
                    }
                    _ if final_warning => {
                        r.failed_at = *at;
                        r.detail = error.clone();
                        r.raise(St::Failed);
                    }
                    _ => {
                        r.warning_at = *at;
                        r.detail = error.clone();
                        r.raise(St::Warning);
                    }
                }
            }
            R::PresaInCarico => {}
        }
    }
    // Every copy of the message (the outbox's local row, the server's Sent copy) shows the same
    // delivery: the receipts are attached to one of them.
    let copies: Vec<MessageId> = {
        let mut st = tx.prepare_cached(
            "SELECT c.id FROM messages m JOIN messages c ON c.account_id = m.account_id
                AND c.message_id = m.message_id AND c.kind = 'plain'
             WHERE m.id = ?1 AND c.id != ?1",
        )?;
        std::iter::once(Ok(sent))
            .chain(st.query_map([sent], |r| r.get(0))?)
            .collect::<rusqlite::Result<_>>()?
    };
    for copy in copies {
        write_states_tx(tx, copy, &rcpts, any_receipt)?;
    }
    Ok(())
}

/// Write the recipients' states and the summary they make onto message `sent`.
fn write_states_tx(
    tx: &Transaction<'_>,
    sent: MessageId,
    rcpts: &[Rcpt],
    any_receipt: bool,
) -> Result<()> {
    for r in rcpts {
        tx.exec(
            "INSERT INTO recipients (message_id, address, field, state, accepted_at, delivered_at, failed_at,
                warning_at, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT(message_id, address, field) DO UPDATE SET state = excluded.state,
                accepted_at = excluded.accepted_at, delivered_at = excluded.delivered_at,
                failed_at = excluded.failed_at, warning_at = excluded.warning_at, detail = excluded.detail",
            params![
                sent,
                r.address,
                r.field,
                r.state.as_str(),
                r.accepted_at,
                r.delivered_at,
                r.failed_at,
                r.warning_at,
                r.detail
            ],
        )?;
    }
    let certified: Vec<&Rcpt> = rcpts.iter().filter(|r| !r.esterno).collect();
    let summary = if !any_receipt {
        None
    } else if rcpts.iter().any(|r| r.state == St::Failed) {
        Some("failed")
    } else if !certified.is_empty() && certified.iter().all(|r| r.state == St::Delivered) {
        Some("delivered")
    } else if rcpts.iter().any(|r| r.state == St::Warning) {
        Some("warning")
    } else if rcpts.iter().any(|r| r.state == St::Delivered) {
        Some("partial")
    } else if rcpts.iter().any(|r| r.state == St::Accepted) {
        Some("accepted")
    } else {
        Some("sent")
    };
    match summary {
        Some(s) => tx.exec("UPDATE messages SET delivery = ?2 WHERE id = ?1", params![sent, s])?,
        None => tx.exec(
            "UPDATE messages SET delivery = CASE WHEN (SELECT role FROM folders WHERE id = messages.folder_id) = 'sent'
                THEN 'sent' ELSE NULL END WHERE id = ?1",
            [sent],
        )?,
    };
    Ok(())
}
