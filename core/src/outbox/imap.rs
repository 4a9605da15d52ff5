//! The outbox's IMAP needs: did an attempt reach the provider (accettazione / non-accettazione in
//! INBOX, or the Sent copy, carrying the Message-ID)? Store the Sent copy; save a draft on the
//! server. Receipts reach the store through the sync engine's passes, like every other message.

use super::SendError;
use crate::accounts::Account;
use crate::store::FolderRole;
use futures::TryStreamExt;
use std::collections::HashSet;
use std::future::Future;
use std::time::Duration;

type Session = crate::sync::ImapSession;

/// An IMAP failure typed as the sync types it (a NO is the server's refusal, a cut is the
/// network), not flattened into one message.
fn imap_err(e: async_imap::error::Error) -> SendError {
    SendError::Connect(crate::sync::map_imap(e))
}

/// `f` with a time limit, a panic inside it contained ([`crate::sync::contained`]).
async fn within<T>(
    limit: Duration,
    f: impl Future<Output = Result<T, SendError>>,
) -> Result<T, SendError> {
    tokio::time::timeout(limit, crate::sync::contained(f))
        .await
        .map_err(|_| {
            SendError::Timeout(format!("no answer from the IMAP server within {limit:?}"))
        })?
}

/// Connect and log in the way the sync engine does (one connect for the whole crate): a refused
/// login stays an authentication (or permission) error instead of becoming an IMAP failure.
async fn connect(acct: &Account, password: &str) -> Result<Session, SendError> {
    Ok(crate::sync::connect(acct, password).await?)
}

/// The folder with `role`, by the sync's rules ([`crate::sync::folders::folder_with_role`]).
async fn folder_with_role(s: &mut Session, role: FolderRole) -> Result<Option<String>, SendError> {
    let entries: Vec<_> = s
        .list(Some(""), Some("*"))
        .await
        .map_err(imap_err)?
        .try_collect()
        .await
        .map_err(imap_err)?;
    Ok(crate::sync::folders::folder_with_role(&entries, role))
}

async fn search(s: &mut Session, folder: &str, query: &str) -> Result<HashSet<u32>, SendError> {
    s.select(folder).await.map_err(imap_err)?;
    Ok(crate::sync::uid_search(s, query).await?)
}

/// Where a previous attempt left its trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// A receipt (accettazione or non-accettazione) in INBOX refers to the Message-ID.
    pub receipt: bool,
    /// The Sent folder holds a copy with the Message-ID.
    pub in_sent: bool,
}

impl Submission {
    pub fn describe(&self) -> String {
        match (self.receipt, self.in_sent) {
            (true, true) => "the provider's receipt and the Sent copy show it was submitted".into(),
            (true, false) => "the provider's receipt shows it was submitted".into(),
            _ => "the Sent copy shows it was submitted".into(),
        }
    }
}

fn quoted(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '"' && *c != '\\' && !c.is_control())
        .collect()
}

/// Look on the server for evidence that `message_id` was submitted.
pub async fn find_submission(
    acct: &Account,
    password: &str,
    message_id: &str,
    limit: Duration,
) -> Result<Option<Submission>, SendError> {
    within(limit, async {
        let mut s = connect(acct, password).await?;
        let mid = quoted(message_id);
        let receipt = !search(
            &mut s,
            "INBOX",
            &format!("HEADER X-Riferimento-Message-ID \"{mid}\" HEADER X-Ricevuta \"\""),
        )
        .await?
        .is_empty();
        let in_sent = match folder_with_role(&mut s, FolderRole::Sent).await? {
            Some(f) => !search(&mut s, &f, &format!("HEADER Message-ID \"{mid}\""))
                .await?
                .is_empty(),
            None => false,
        };
        let _ = s.logout().await;
        Ok((receipt || in_sent).then_some(Submission { receipt, in_sent }))
    })
    .await
}

/// Append the message file to the Sent folder unless a copy with its Message-ID is already
/// there. Returns the folder name.
pub async fn store_sent_copy(
    acct: &Account,
    password: &str,
    message_id: &str,
    raw: &[u8],
    limit: Duration,
) -> Result<String, SendError> {
    within(limit, async {
        let mut s = connect(acct, password).await?;
        let folder = folder_with_role(&mut s, FolderRole::Sent)
            .await?
            .ok_or_else(|| SendError::NotFound("the account has no Sent folder".into()))?;
        let mid = quoted(message_id);
        let present = !search(&mut s, &folder, &format!("HEADER Message-ID \"{mid}\""))
            .await?
            .is_empty();
        if !present {
            s.append(&folder, Some("(\\Seen)"), None, raw)
                .await
                .map_err(imap_err)?;
        }
        let _ = s.logout().await;
        Ok(folder)
    })
    .await
}

/// Append raw bytes to the folder with `role` (e.g. a draft with `\Draft`).
pub async fn append_with_role(
    acct: &Account,
    password: &str,
    role: FolderRole,
    flags: &str,
    raw: &[u8],
    limit: Duration,
) -> Result<String, SendError> {
    within(limit, async {
        let mut s = connect(acct, password).await?;
        let folder = folder_with_role(&mut s, role).await?.ok_or_else(|| {
            SendError::NotFound(format!("the account has no {} folder", role.as_str()))
        })?;
        s.append(&folder, Some(&format!("({flags})")), None, raw)
            .await
            .map_err(imap_err)?;
        let _ = s.logout().await;
        Ok(folder)
    })
    .await
}
