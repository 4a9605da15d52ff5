//! The outbox's IMAP needs: did an attempt reach the provider (accettazione / non-accettazione in
//! INBOX, or the Sent copy, carrying the Message-ID)? Store the Sent copy; save a draft on the
//! server; fetch new receipts into the store (until the sync engine does it for every folder).

use super::SendError;
use crate::accounts::Account;
use crate::store::{FolderRole, ImapMeta, ServerFlags, Store};
use futures::TryStreamExt;
use std::collections::HashSet;
use std::future::Future;
use std::path::Path;
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
        .map_err(|_| SendError::Imap(format!("no answer within {limit:?}")))?
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
    file: &Path,
    limit: Duration,
) -> Result<String, SendError> {
    within(limit, async {
        let mut s = connect(acct, password).await?;
        let folder = folder_with_role(&mut s, FolderRole::Sent)
            .await?
            .ok_or_else(|| SendError::Imap("the account has no Sent folder".into()))?;
        let mid = quoted(message_id);
        let present = !search(&mut s, &folder, &format!("HEADER Message-ID \"{mid}\""))
            .await?
            .is_empty();
        if !present {
            let raw = tokio::fs::read(file)
                .await
                .map_err(|e| SendError::Io(e.to_string()))?;
            s.append(&folder, Some("(\\Seen)"), None, &raw)
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
            SendError::Imap(format!("the account has no {} folder", role.as_str()))
        })?;
        s.append(&folder, Some(&format!("({flags})")), None, raw)
            .await
            .map_err(imap_err)?;
        let _ = s.logout().await;
        Ok(folder)
    })
    .await
}

/// Fetch receipts (`X-Ricevuta`) from INBOX that the store does not have yet, and write them
/// into the store's INBOX folder, where receipt tracking attaches them to their sent message.
pub async fn poll_receipts(
    store: &Store,
    acct: &Account,
    password: &str,
    limit: Duration,
) -> Result<usize, SendError> {
    let account = acct.id;
    let folder = {
        let store = store.clone();
        store
            .run(move |s| s.ensure_folder(account, "INBOX", Some(FolderRole::Inbox), None))
            .await?
    };
    let known: HashSet<u32> = {
        let store = store.clone();
        store
            .run(move |s| s.folder_uids(folder))
            .await?
            .into_iter()
            .collect()
    };
    let fetched: Vec<(u32, u64, Vec<u8>)> = within(limit, async {
        let mut s = connect(acct, password).await?;
        let found = search(&mut s, "INBOX", "HEADER X-Ricevuta \"\"").await?;
        let mut new: Vec<u32> = found.difference(&known).copied().collect();
        new.sort_unstable();
        let mut out = Vec::new();
        for chunk in new.chunks(50) {
            let set = chunk
                .iter()
                .map(|u| u.to_string())
                .collect::<Vec<_>>()
                .join(",");
            let msgs: Vec<_> = s
                .uid_fetch(&set, "(UID RFC822.SIZE BODY.PEEK[])")
                .await
                .map_err(imap_err)?
                .try_collect()
                .await
                .map_err(imap_err)?;
            for m in msgs {
                if let (Some(uid), Some(body)) = (m.uid, m.body()) {
                    out.push((
                        uid,
                        m.size.unwrap_or(body.len() as u32) as u64,
                        body.to_vec(),
                    ));
                }
            }
        }
        let _ = s.logout().await;
        Ok(out)
    })
    .await?;
    let n = fetched.len();
    if n > 0 {
        let store = store.clone();
        store
            .run(move |s| {
                let items: Vec<(ImapMeta, crate::store::MessageRecord, Option<Vec<u8>>)> = fetched
                    .into_iter()
                    .map(|(uid, size, raw)| {
                        let rec = s.analyze(&raw);
                        let meta = ImapMeta {
                            uid: Some(uid),
                            size,
                            internal_date: rec.date,
                            flags: ServerFlags::default(),
                            ..Default::default()
                        };
                        (meta, rec, Some(raw))
                    })
                    .collect();
                s.upsert_batch(folder, &items)
            })
            .await?;
    }
    Ok(n)
}
