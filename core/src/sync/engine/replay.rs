//! Local actions replayed on the server (flags, moves, deletions), each once, in order.

use super::*;

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
                        let aid = a.id;
                        self.shared
                            .store
                            .run(move |s| s.complete_action(aid))
                            .await?;
                        dropped += 1;
                        continue;
                    }
                    Err(e) => return Err(map_imap(e)),
                }
            }
            let validity = selected.as_ref().and_then(|s| s.1);
            if a.uid.is_some() && a.uidvalidity.is_some() && a.uidvalidity != validity {
                // The UIDs it names now mean other messages.
                let aid = a.id;
                self.shared
                    .store
                    .run(move |s| s.complete_action(aid))
                    .await?;
                dropped += 1;
                continue;
            }
            let uid = a.uid.map(|u| u.to_string());
            let r: Result<(), async_imap::error::Error> = match (&a.kind, &uid) {
                (ActionKind::AddFlag(f), Some(u)) => {
                    store_flags(sess, u, &format!("+FLAGS.SILENT ({f})")).await
                }
                (ActionKind::RemoveFlag(f), Some(u)) => {
                    store_flags(sess, u, &format!("-FLAGS.SILENT ({f})")).await
                }
                (ActionKind::MoveTo(dest), Some(u)) => {
                    if caps.mv {
                        sess.uid_mv(u, dest).await
                    } else {
                        match sess.uid_copy(u, dest).await {
                            Ok(()) => match store_flags(sess, u, "+FLAGS.SILENT (\\Deleted)").await
                            {
                                Ok(()) => expunge_uid(sess, u, caps.uidplus).await,
                                Err(e) => Err(e),
                            },
                            Err(e) => Err(e),
                        }
                    }
                }
                (ActionKind::Expunge, Some(u)) => {
                    match store_flags(sess, u, "+FLAGS.SILENT (\\Deleted)").await {
                        Ok(()) => expunge_uid(sess, u, caps.uidplus).await,
                        Err(e) => Err(e),
                    }
                }
                (ActionKind::EmptyFolder, _) => {
                    let exists = sess.select(&a.folder).await.map(|m| m.exists).unwrap_or(0);
                    if exists > 0 {
                        match store_flags_seq(sess, "1:*", "+FLAGS.SILENT (\\Deleted)").await {
                            Ok(()) => match sess.expunge().await {
                                Ok(s) => s.try_collect::<Vec<_>>().await.map(|_| ()),
                                Err(e) => Err(e),
                            },
                            Err(e) => Err(e),
                        }
                    } else {
                        Ok(())
                    }
                }
                _ => Ok(()),
            };
            drain_unsolicited(sess);
            let aid = a.id;
            match r {
                Ok(()) => {
                    self.shared
                        .store
                        .run(move |s| s.complete_action(aid))
                        .await?;
                    applied += 1;
                }
                Err(async_imap::error::Error::No(m)) | Err(async_imap::error::Error::Bad(m)) => {
                    let attempts = self.shared.store.run(move |s| s.fail_action(aid)).await?;
                    if attempts >= 5 {
                        self.shared
                            .store
                            .run(move |s| s.complete_action(aid))
                            .await?;
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
}
