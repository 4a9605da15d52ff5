//! What the SdI said about one invoice: the notifications that concern it, wherever they
//! arrived. The SdI names every message about an invoice after the invoice's file
//! (`IT01234567890_00001_RC_001.xml` is about `IT01234567890_00001.xml`), so they are found by
//! that name among the files of the account's messages: the metadata file travelling with a
//! received invoice, the delivery receipt or rejection of one the user sent, the buyer's outcome,
//! the lapse of the terms.

use super::{Context, Result};
use crate::fatturapa::{self, EsitoCommittente, Notification};
use crate::sdi::{SdiNotification, classify_file_name};
use crate::store::MessageId;
use std::collections::HashSet;

/// The buyer's answer to an invoice (NE and EC messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuyerOutcome {
    Accepted,
    Refused,
}

/// One SdI error of a rejection (NS) or a refused outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdiProblem {
    pub code: String,
    pub description: Option<String>,
}

/// One message of the SdI about an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdiNotice {
    /// The message that carries it (the invoice's own message for its metadata file).
    pub message: MessageId,
    pub file_name: String,
    pub kind: SdiNotification,
    /// When the SdI says it happened (delivery, reception or availability, as written), else
    /// `None` until the message's body is here.
    pub when: Option<String>,
    /// [`SdiNotice::when`] read as a time (seconds since the epoch), when it is ISO 8601.
    pub at: Option<i64>,
    /// The message's date (seconds since the epoch): when it arrived.
    pub arrived: i64,
    pub outcome: Option<BuyerOutcome>,
    pub problems: Vec<SdiProblem>,
    /// The message's body is here, so the details above were read from the file itself.
    pub read: bool,
}

/// The SdI writes its times in ISO 8601 with an offset (`2026-11-20T10:05:00.000+01:00`).
fn epoch(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.timestamp())
}

fn outcome(n: &Notification) -> Option<BuyerOutcome> {
    match n.esito_committente.as_ref()?.esito {
        EsitoCommittente::EC01 => Some(BuyerOutcome::Accepted),
        EsitoCommittente::EC02 => Some(BuyerOutcome::Refused),
        EsitoCommittente::Unknown(_) => None,
    }
}

fn problems(n: &Notification) -> Vec<SdiProblem> {
    n.lista_errori
        .iter()
        .map(|e| SdiProblem {
            code: e.codice.clone(),
            description: e.descrizione.clone(),
        })
        .collect()
}

impl Context {
    /// The SdI's messages about the invoice `message` carries, oldest first, each once (a
    /// notification copied into two folders is listed once). Empty for a message without an
    /// SdI-named invoice. The body of `message` must be here.
    pub fn invoice_notices(&self, message: MessageId) -> Result<Vec<SdiNotice>> {
        let (account, raw) = self.raw_message(message)?;
        let trust = self.trust();
        let Ok((name, _)) = fatturapa::invoice_attachment(&raw, &trust) else {
            return Ok(Vec::new());
        };
        let Some(invoice) = classify_file_name(&name).filter(|f| f.is_invoice()) else {
            return Ok(Vec::new());
        };
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let files = self
            .store()
            .files_named_like(account, &format!("{}_", invoice.invoice_stem))?;
        for (carrier, file_name, arrived) in files {
            let Some(file) = classify_file_name(&file_name) else {
                continue;
            };
            let Some(kind) = file.notification() else {
                continue;
            };
            if !file
                .invoice_stem
                .eq_ignore_ascii_case(&invoice.invoice_stem)
                || !seen.insert(file_name.to_ascii_lowercase())
            {
                continue;
            }
            let body = self.store().body(carrier)?;
            let opened = body.as_deref().and_then(|raw| {
                fatturapa::notifications_in(raw, &trust)
                    .into_iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(&file_name))
                    .map(|(_, n)| n)
            });
            out.push(SdiNotice {
                message: carrier,
                file_name,
                kind,
                when: opened.as_ref().and_then(|n| n.date().map(str::to_string)),
                at: opened.as_ref().and_then(|n| n.date()).and_then(epoch),
                arrived,
                outcome: opened.as_ref().and_then(outcome),
                problems: opened.as_ref().map(problems).unwrap_or_default(),
                read: opened.is_some(),
            });
        }
        Ok(out)
    }
}
