//! The legal status of a sent PEC at a glance: one state for the message, one per recipient, and
//! each recipient's timeline (queued, submitted, accepted, delivered / failed / warning).
//!
//! Before submission the outbox row speaks; after it, the store's receipt tracking (per-recipient
//! states recomputed from every receipt) on the message row carrying our Message-ID.

use super::{Outbox, OutboxId, OutboxState, SendError};
use crate::message::ReceiptKind;
use crate::store::{DeliveryState, MessageId, ReceiptInfo};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

/// One state, for a message or a recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SendState {
    Queued,
    Sending,
    Submitted,
    Accepted,
    Delivered,
    Failed,
    Warning,
    Rejected,
}

impl SendState {
    pub fn as_str(self) -> &'static str {
        match self {
            SendState::Queued => "queued",
            SendState::Sending => "sending",
            SendState::Submitted => "submitted",
            SendState::Accepted => "accepted",
            SendState::Delivered => "delivered",
            SendState::Failed => "failed",
            SendState::Warning => "warning",
            SendState::Rejected => "rejected",
        }
    }
}

/// What a step of a timeline says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    Queued,
    /// An attempt claimed the message.
    Sending,
    Submitted,
    /// Not submitted (network, 4xx): tried again later.
    Retry,
    /// The outcome of an attempt is not known until the server is checked.
    Unknown,
    /// A server check proved an earlier attempt reached the provider.
    Recovered,
    Rejected,
    /// The copy was stored in the server's Sent folder.
    SentCopy,
    Accepted,
    Delivered,
    Failed,
    Warning,
}

impl EventKind {
    const ALL: [EventKind; 12] = [
        EventKind::Queued,
        EventKind::Sending,
        EventKind::Submitted,
        EventKind::Retry,
        EventKind::Unknown,
        EventKind::Recovered,
        EventKind::Rejected,
        EventKind::SentCopy,
        EventKind::Accepted,
        EventKind::Delivered,
        EventKind::Failed,
        EventKind::Warning,
    ];

    /// The word stored in `outbox_events.kind` and printed by the terminal client.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Queued => "queued",
            EventKind::Sending => "sending",
            EventKind::Submitted => "submitted",
            EventKind::Retry => "retry",
            EventKind::Unknown => "unknown",
            EventKind::Recovered => "recovered",
            EventKind::Rejected => "rejected",
            EventKind::SentCopy => "sent-copy",
            EventKind::Accepted => "accepted",
            EventKind::Delivered => "delivered",
            EventKind::Failed => "failed",
            EventKind::Warning => "warning",
        }
    }

    pub fn parse(word: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == word)
    }
}

/// One step of a timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventView {
    pub kind: EventKind,
    /// Unix seconds.
    pub at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// One recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipientView {
    pub address: String,
    pub state: SendState,
    /// Why it failed or is late, in the user's words.
    pub reason: Option<String>,
    /// `false` when the acceptance receipt says the recipient is not certified (`esterno`): no
    /// delivery receipt will come for it. `None` until known.
    pub certified: Option<bool>,
    pub events: Vec<EventView>,
}

/// The whole status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SendStatus {
    pub id: OutboxId,
    pub message_id: String,
    pub subject: Option<String>,
    pub state: SendState,
    /// Why the message was rejected or why the last attempt failed.
    pub error: Option<String>,
    pub attempts: u32,
    pub recipients: Vec<RecipientView>,
    /// The outbox's own timeline (attempts, retries, Sent copy).
    pub events: Vec<EventView>,
    /// 0 (sent), 1 (accepted) or 2 (every certified recipient delivered); `None` on failure.
    pub ticks: Option<u8>,
    /// Nothing more will change: rejected, or every recipient settled (delivered or failed, or
    /// accepted when it is not a PEC box and no delivery receipt will come).
    pub finished: bool,
    /// The account it is sent from.
    pub account_id: crate::store::AccountId,
}

impl SendState {
    /// The ticks a user sees for this state.
    pub fn ticks(self) -> Option<u8> {
        match self {
            SendState::Queued | SendState::Sending | SendState::Submitted => Some(0),
            SendState::Accepted | SendState::Warning => Some(1),
            SendState::Delivered => Some(2),
            SendState::Failed | SendState::Rejected => None,
        }
    }
}

/// Every recipient has reached a state no receipt will change.
fn settled(recipients: &[RecipientView]) -> bool {
    !recipients.is_empty()
        && recipients.iter().all(|r| {
            matches!(
                r.state,
                SendState::Delivered | SendState::Failed | SendState::Rejected
            ) || (r.certified == Some(false) && r.state == SendState::Accepted)
        })
}

/// A PEC error (daticert `errore` + `errore-esteso`) in the user's words.
pub fn explain(error: Option<&str>, receipt_type: Option<ReceiptKind>) -> String {
    let raw = error.unwrap_or("").trim();
    let lower = raw.to_ascii_lowercase();
    let head = if lower.starts_with("no-dest") || lower.contains("5.1.1") {
        "the recipient's mailbox does not exist"
    } else if lower.starts_with("no-dominio") || lower.contains("5.1.2") {
        "the recipient's domain is not a PEC domain or does not exist"
    } else if lower.starts_with("virus") || lower.contains("virus") {
        "the message was found to contain a virus"
    } else if receipt_type == Some(ReceiptKind::PreavvisoErroreConsegna) {
        "the recipient's provider has not confirmed delivery within 12 hours; it may still fail"
    } else if receipt_type == Some(ReceiptKind::NonAccettazione) {
        "your provider refused the message"
    } else if lower.contains("tempo") || lower.contains("5.4.1") || lower.contains("timeout") {
        "the recipient's provider did not confirm delivery in time"
    } else {
        "the message could not be delivered"
    };
    if raw.is_empty() {
        head.to_string()
    } else {
        format!("{head} ({raw})")
    }
}

fn receipt_event(kind: Option<ReceiptKind>) -> Option<EventKind> {
    Some(match kind? {
        ReceiptKind::Accettazione => EventKind::Accepted,
        ReceiptKind::NonAccettazione | ReceiptKind::RilevazioneVirus => EventKind::Rejected,
        ReceiptKind::AvvenutaConsegna => EventKind::Delivered,
        ReceiptKind::ErroreConsegna => EventKind::Failed,
        ReceiptKind::PreavvisoErroreConsegna => EventKind::Warning,
        ReceiptKind::PresaInCarico => return None,
    })
}

/// A receipt about the message as a whole (no single recipient).
fn whole_message(kind: Option<ReceiptKind>) -> bool {
    matches!(
        kind,
        Some(
            ReceiptKind::Accettazione
                | ReceiptKind::NonAccettazione
                | ReceiptKind::RilevazioneVirus
        )
    )
}

/// Where an event sits in a send's story. A timeline sorted by time alone can lie: our events
/// carry the device's clock, receipts the provider's, and daticert times are whole seconds, so a
/// provider that accepts during the SMTP DATA phase often stamps `accepted` a second *before*
/// we record `submitted`. The order shown is therefore causal first (our own steps, then the
/// provider's verdict on the submission, then what happened at each recipient) and by time only
/// within a phase; every event keeps its own timestamp.
fn order_timeline(evs: &mut [EventView]) {
    fn causal_phase(kind: EventKind) -> u8 {
        match kind {
            EventKind::Queued | EventKind::Submitted => 0,
            EventKind::Accepted | EventKind::Rejected => 1,
            _ => 2,
        }
    }
    evs.sort_by_key(|ev| (causal_phase(ev.kind), ev.at));
}

/// Which recipients the acceptance receipt lists as `esterno` (from its cached daticert).
fn esterni(outbox: &Outbox, receipts: &[ReceiptInfo]) -> Option<Vec<String>> {
    let acc = receipts
        .iter()
        .find(|r| r.receipt_type == Some(ReceiptKind::Accettazione))?;
    let raw = outbox.store().body(acc.receipt_id).ok()??;
    let analyzer =
        crate::message::Analyzer::new(crate::signature::TrustStore::empty()).without_signatures();
    let msg = analyzer.analyze(&raw).ok()?;
    let d = msg.daticert?;
    Some(
        d.destinatari
            .iter()
            .filter(|r| r.tipo == Some(crate::message::RecipientType::Esterno))
            .map(|r| r.address.to_lowercase())
            .collect(),
    )
}

pub(crate) fn status(outbox: &Outbox, id: OutboxId) -> Result<SendStatus, SendError> {
    let e = outbox.entry(id)?;
    let store = outbox.store();
    let events: Vec<EventView> = store.read(|c| {
        let mut st = c.prepare_cached(
            "SELECT kind, at, detail FROM outbox_events WHERE outbox_id = ?1 ORDER BY at, rowid",
        )?;
        let rows = st
            .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        // A word a newer version wrote is left out rather than shown as something else.
        Ok(rows
            .into_iter()
            .filter_map(|(kind, at, detail)| {
                Some(EventView {
                    kind: EventKind::parse(&kind)?,
                    at,
                    detail,
                })
            })
            .collect())
    })?;
    // The row the receipts are attached to: ours, or another copy with our Message-ID (the synced
    // Sent copy) if that one collected more receipts.
    let tracking: Option<MessageId> = store.read(|c| {
        Ok(c.query_row(
            "SELECT m.id FROM messages m WHERE m.account_id = ?1 AND m.message_id = ?2 AND m.kind = 'plain'
             ORDER BY (SELECT COUNT(*) FROM receipts r WHERE r.sent_id = m.id) DESC, (m.id = ?3) DESC, m.id
             LIMIT 1",
            params![e.account_id, e.message_id, e.message_row],
            |r| r.get(0),
        )
        .optional()?)
    })?;
    let detail = match tracking {
        Some(t) => Some(store.message(t)?),
        None => None,
    };
    let receipts: Vec<ReceiptInfo> = detail
        .as_ref()
        .map(|d| {
            // Only certified receipts tell the story: an unsigned, untrusted or header-only
            // one (its X-Ricevuta can be forged) must not show a delivery or a rejection.
            d.receipts
                .iter()
                .filter(|r| r.sent_id.is_some() && r.certified)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let outbox_state = match e.state {
        OutboxState::Queued => SendState::Queued,
        OutboxState::Sending => SendState::Sending,
        OutboxState::Rejected => SendState::Rejected,
        OutboxState::Submitted => SendState::Submitted,
    };
    let non_acc = receipts.iter().find(|r| {
        matches!(
            r.receipt_type,
            Some(ReceiptKind::NonAccettazione | ReceiptKind::RilevazioneVirus)
        )
    });
    let external = esterni(outbox, &receipts);
    let base_events: Vec<EventView> = events
        .iter()
        .filter(|ev| {
            matches!(
                ev.kind,
                EventKind::Queued
                    | EventKind::Submitted
                    | EventKind::Recovered
                    | EventKind::Rejected
            )
        })
        .map(|ev| EventView {
            kind: match ev.kind {
                EventKind::Recovered => EventKind::Submitted,
                other => other,
            },
            at: ev.at,
            detail: ev.detail.clone(),
        })
        .collect();
    let mut recipients = Vec::new();
    for addr in &e.rcpts {
        let rs = detail.as_ref().and_then(|d| {
            d.recipients
                .iter()
                .find(|r| r.address.eq_ignore_ascii_case(addr))
        });
        let mut evs = base_events.clone();
        for r in &receipts {
            let applies = match &r.recipient {
                Some(rc) => rc.eq_ignore_ascii_case(addr),
                None => whole_message(r.receipt_type),
            };
            if let (true, Some(kind)) = (applies, receipt_event(r.receipt_type)) {
                evs.push(EventView {
                    kind,
                    at: r.at.unwrap_or(0),
                    detail: r
                        .error
                        .as_deref()
                        .map(|err| explain(Some(err), r.receipt_type)),
                });
            }
        }
        order_timeline(&mut evs);
        let (state, reason) = if let Some(na) = non_acc {
            (
                SendState::Rejected,
                Some(explain(na.error.as_deref(), na.receipt_type)),
            )
        } else if outbox_state != SendState::Submitted {
            (
                outbox_state,
                (outbox_state == SendState::Rejected)
                    .then(|| e.error.clone())
                    .flatten(),
            )
        } else {
            match rs.map(|r| r.state) {
                Some(DeliveryState::Accepted) => (SendState::Accepted, None),
                Some(DeliveryState::Delivered) => (SendState::Delivered, None),
                Some(DeliveryState::Failed) => {
                    let rt = receipts
                        .iter()
                        .rev()
                        .find(|r| {
                            r.recipient
                                .as_deref()
                                .is_some_and(|x| x.eq_ignore_ascii_case(addr))
                        })
                        .and_then(|r| r.receipt_type)
                        .unwrap_or(ReceiptKind::ErroreConsegna);
                    (
                        SendState::Failed,
                        Some(explain(rs.and_then(|r| r.detail.as_deref()), Some(rt))),
                    )
                }
                Some(DeliveryState::Warning) => (
                    SendState::Warning,
                    Some(explain(
                        rs.and_then(|r| r.detail.as_deref()),
                        Some(ReceiptKind::PreavvisoErroreConsegna),
                    )),
                ),
                _ => (SendState::Submitted, None),
            }
        };
        let certified = external.as_ref().map(|x| !x.iter().any(|a| a == addr));
        recipients.push(RecipientView {
            address: addr.clone(),
            state,
            reason,
            certified,
            events: evs,
        });
    }
    let state = message_state(outbox_state, non_acc.is_some(), &recipients);
    Ok(SendStatus {
        id,
        account_id: e.account_id,
        message_id: e.message_id,
        subject: e.subject,
        ticks: state.ticks(),
        finished: state == SendState::Rejected || settled(&recipients),
        state,
        error: e.error,
        attempts: e.attempts,
        recipients,
        events,
    })
}

/// The message's one state: rejected or not yet submitted as the outbox says; then failed if any
/// recipient failed, warning if any is late, delivered when every certified recipient is
/// delivered (external ones stop at accepted), accepted once the provider accepted.
fn message_state(outbox: SendState, non_acc: bool, rs: &[RecipientView]) -> SendState {
    if non_acc {
        return SendState::Rejected;
    }
    if outbox != SendState::Submitted {
        return outbox;
    }
    if rs.iter().any(|r| r.state == SendState::Failed) {
        return SendState::Failed;
    }
    if rs.iter().any(|r| r.state == SendState::Warning) {
        return SendState::Warning;
    }
    let done = |r: &RecipientView| {
        r.state == SendState::Delivered
            || (r.state == SendState::Accepted && r.certified == Some(false))
    };
    if !rs.is_empty() && rs.iter().all(done) && rs.iter().any(|r| r.state == SendState::Delivered) {
        return SendState::Delivered;
    }
    if rs
        .iter()
        .any(|r| matches!(r.state, SendState::Accepted | SendState::Delivered))
    {
        return SendState::Accepted;
    }
    SendState::Submitted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(state: SendState, certified: Option<bool>) -> RecipientView {
        RecipientView {
            address: "x@pec.it".into(),
            state,
            reason: None,
            certified,
            events: Vec::new(),
        }
    }

    #[test]
    fn timeline_is_causal_even_when_the_provider_clock_is_behind() {
        let ev = |kind: &str, at: i64| EventView {
            kind: EventKind::parse(kind).unwrap(),
            at,
            detail: None,
        };
        // The provider stamped its acceptance (and the recipient's provider its delivery) before
        // the device recorded the SMTP 250; a late warning precedes the final failure.
        let mut evs = vec![
            ev("queued", 100),
            ev("submitted", 101),
            ev("failed", 160),
            ev("delivered", 99),
            ev("accepted", 100),
            ev("warning", 130),
        ];
        order_timeline(&mut evs);
        let kinds: Vec<&str> = evs.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "queued",
                "submitted",
                "accepted",
                "delivered",
                "warning",
                "failed"
            ]
        );
        assert_eq!(evs[2].at, 100, "timestamps are kept as stamped");
    }

    #[test]
    fn message_state_rules() {
        use SendState::*;
        assert_eq!(message_state(Queued, false, &[r(Queued, None)]), Queued);
        assert_eq!(
            message_state(Submitted, true, &[r(Accepted, None)]),
            Rejected
        );
        assert_eq!(
            message_state(
                Submitted,
                false,
                &[r(Delivered, Some(true)), r(Failed, Some(true))]
            ),
            Failed
        );
        assert_eq!(
            message_state(
                Submitted,
                false,
                &[r(Delivered, Some(true)), r(Accepted, Some(false))]
            ),
            Delivered
        );
        assert_eq!(
            message_state(
                Submitted,
                false,
                &[r(Delivered, Some(true)), r(Accepted, Some(true))]
            ),
            Accepted
        );
        assert_eq!(
            message_state(Submitted, false, &[r(Warning, None), r(Delivered, None)]),
            Warning
        );
        assert_eq!(
            message_state(Submitted, false, &[r(Submitted, None)]),
            Submitted
        );
    }

    #[test]
    fn reasons_in_plain_words() {
        assert!(
            explain(
                Some("no-dest: 5.1.1 utente sconosciuto"),
                Some(ReceiptKind::ErroreConsegna)
            )
            .starts_with("the recipient's mailbox does not exist")
        );
        assert!(explain(Some("no-dominio"), Some(ReceiptKind::ErroreConsegna)).contains("domain"));
        assert!(explain(Some("virus"), Some(ReceiptKind::NonAccettazione)).contains("virus"));
        assert!(explain(None, Some(ReceiptKind::PreavvisoErroreConsegna)).contains("12 hours"));
    }
}
