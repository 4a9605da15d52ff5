//! Local actions replayed on the server (flags, moves, deletions), each once, in order.

use super::*;
use crate::store::QueuedAction;

pub(super) async fn store_flags(
    sess: &mut ImapSession,
    uid: &str,
    query: &str,
) -> Result<(), async_imap::error::Error> {
    let stream = sess.uid_store(uid, query).await?;
    let _: Vec<Fetch> = stream.try_collect().await?;
    Ok(())
}

pub(super) async fn store_flags_seq(
    sess: &mut ImapSession,
    seq: &str,
    query: &str,
) -> Result<(), async_imap::error::Error> {
    let stream = sess.store(seq, query).await?;
    let _: Vec<Fetch> = stream.try_collect().await?;
    Ok(())
}

pub(super) async fn expunge_uid(
    sess: &mut ImapSession,
    uid: &str,
    uidplus: bool,
) -> Result<(), async_imap::error::Error> {
    if uidplus {
        let s = sess.uid_expunge(uid).await?;
        let _: Vec<_> = s.try_collect().await?;
    } else {
        let s = sess.expunge().await?;
        let _: Vec<_> = s.try_collect().await?;
    }
    Ok(())
}

/// Mark `uid` deleted and expunge it (the copy of a move without MOVE, or a deletion).
async fn delete_uid(
    sess: &mut ImapSession,
    uid: &str,
    uidplus: bool,
) -> Result<(), async_imap::error::Error> {
    store_flags(sess, uid, "+FLAGS.SILENT (\\Deleted)").await?;
    expunge_uid(sess, uid, uidplus).await
}

/// Delete every message of `folder` (selected again, for its current count).
async fn empty_folder(
    sess: &mut ImapSession,
    folder: &str,
) -> Result<(), async_imap::error::Error> {
    let exists = sess.select(folder).await.map(|m| m.exists).unwrap_or(0);
    if exists == 0 {
        return Ok(());
    }
    store_flags_seq(sess, "1:*", "+FLAGS.SILENT (\\Deleted)").await?;
    let expunged = sess.expunge().await?;
    expunged.try_collect::<Vec<_>>().await.map(|_| ())
}

/// One queued action on the server, its folder selected.
async fn apply(
    sess: &mut ImapSession,
    a: &QueuedAction,
    caps: &Caps,
) -> Result<(), async_imap::error::Error> {
    let uid = a.uid.map(|u| u.to_string());
    match (&a.kind, &uid) {
        (ActionKind::AddFlag(f), Some(u)) => {
            store_flags(sess, u, &format!("+FLAGS.SILENT ({f})")).await
        }
        (ActionKind::RemoveFlag(f), Some(u)) => {
            store_flags(sess, u, &format!("-FLAGS.SILENT ({f})")).await
        }
        (ActionKind::MoveTo(dest), Some(u)) if caps.mv => sess.uid_mv(u, dest).await,
        (ActionKind::MoveTo(dest), Some(u)) => {
            sess.uid_copy(u, dest).await?;
            delete_uid(sess, u, caps.uidplus).await
        }
        (ActionKind::Expunge, Some(u)) => delete_uid(sess, u, caps.uidplus).await,
        (ActionKind::EmptyFolder, _) => empty_folder(sess, &a.folder).await,
        _ => Ok(()),
    }
}

impl SyncEngine {
    /// Replay queued local actions, oldest first. Returns (applied, dropped).
    pub(super) async fn replay(
        &self,
        sess: &mut ImapSession,
        account: &Account,
        caps: &Caps,
    ) -> Result<(u64, u64), SyncError> {
        let id = account.id;
        let actions = self.shared.store.run(move |s| s.queued_actions(id)).await?;
        let (mut applied, mut dropped) = (0u64, 0u64);
        let mut selected: Option<(String, Option<u32>)> = None;
        for a in actions {
            if selected.as_ref().map(|s| &s.0) != Some(&a.folder) {
                match sess.select(&a.folder).await {
                    Ok(mb) => selected = Some((a.folder.clone(), mb.uid_validity)),
                    Err(async_imap::error::Error::No(m)) => {
                        // The folder is gone: nothing left to apply there.
                        tracing::warn!(folder = %a.folder, "dropping action: {m}");
                        self.complete(a.id).await?;
                        dropped += 1;
                        continue;
                    }
                    Err(e) => return Err(map_imap(e)),
                }
            }
            let validity = selected.as_ref().and_then(|s| s.1);
            if a.uid.is_some() && a.uidvalidity.is_some() && a.uidvalidity != validity {
                // The UIDs it names now mean other messages.
                self.complete(a.id).await?;
                dropped += 1;
                continue;
            }
            let r = apply(sess, &a, caps).await;
            drain_unsolicited(sess);
            let aid = a.id;
            match r {
                Ok(()) => {
                    self.complete(aid).await?;
                    applied += 1;
                }
                Err(async_imap::error::Error::No(m)) | Err(async_imap::error::Error::Bad(m)) => {
                    let attempts = self.shared.store.run(move |s| s.fail_action(aid)).await?;
                    if attempts >= 5 {
                        self.complete(aid).await?;
                        dropped += 1;
                        self.emit(SyncEvent::Error {
                            account: account.id,
                            kind: crate::sync::SyncErrorKind::Server,
                            message: format!("action on {} refused: {m}", a.folder),
                        });
                    }
                }
                Err(e) => return Err(map_imap(e)),
            }
        }
        Ok((applied, dropped))
    }

    /// A queued action done with (applied, or dropped): off the queue.
    async fn complete(&self, action: i64) -> Result<(), SyncError> {
        let store = &self.shared.store;
        store.run(move |s| s.complete_action(action)).await?;
        Ok(())
    }
}
