//! One folder's pass: select (QRESYNC or CONDSTORE when offered), changes and vanished messages,
//! new messages headers first or whole, then the bodies the policy asks for.

use super::*;

impl SyncEngine {
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn sync_folder(
        &self,
        sess: &mut ImapSession,
        account: &Account,
        folder: &Folder,
        status: Option<&FolderStatus>,
        caps: &Caps,
        opts: &SyncOptions,
        started: Instant,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        // LIST-STATUS says nothing changed: no SELECT at all (unless bodies are still due).
        if let Some(st) = status {
            let fid = folder.id;
            let policy = policy_limit(opts.bodies);
            let (count, needs) = self
                .shared
                .store
                .run(move |s| Ok((s.folder_server_count(fid)?, s.needs_bodies(fid, policy)?)))
                .await?;
            if !needs && st.unchanged(folder, count) {
                report.unchanged_by_status += 1;
                return Ok(());
            }
        }
        // With QRESYNC and a previous complete pass, the SELECT itself reports flag changes and
        // expunges since our HIGHESTMODSEQ; else a CONDSTORE (or plain) SELECT.
        let known = match (caps.qresync, folder.uidvalidity, folder.highestmodseq) {
            (true, Some(v), Some(m)) => Some((v, m)),
            _ => None,
        };
        let mut mb: Selected = if caps.qresync {
            match qresync::select(sess, &folder.name, known).await {
                Ok(m) => m,
                Err(RawError::No(m)) => {
                    tracing::warn!(folder = %folder.name, "cannot select: {m}");
                    return Ok(());
                }
                Err(RawError::Imap(e)) => return Err(map_imap(e)),
            }
        } else {
            let mb = if caps.condstore {
                sess.select_condstore(&folder.name).await
            } else {
                sess.select(&folder.name).await
            };
            match mb {
                Ok(m) => Selected {
                    exists: m.exists,
                    uid_validity: m.uid_validity,
                    uid_next: m.uid_next,
                    highest_modseq: m.highest_modseq,
                    ..Selected::default()
                },
                Err(async_imap::error::Error::No(m)) => {
                    tracing::warn!(folder = %folder.name, "cannot select: {m}");
                    return Ok(());
                }
                Err(e) => return Err(map_imap(e)),
            }
        };
        drain_unsolicited(sess);
        // The server applied our QRESYNC parameters only if the UIDVALIDITY still matches.
        let via_qresync = known.is_some_and(|(v, _)| mb.uid_validity == Some(v));
        if via_qresync {
            report.qresync_selects += 1;
        }
        let store = self.shared.store.clone();
        let fid = folder.id;
        let mut local = folder.clone();
        let server_validity = mb.uid_validity;
        let server_uidnext = mb.uid_next;
        let server_modseq = if caps.condstore {
            mb.highest_modseq
        } else {
            None
        };

        // UIDVALIDITY changed: every UID we hold is meaningless.
        if local.uidvalidity.is_some()
            && server_validity.is_some()
            && local.uidvalidity != server_validity
        {
            let n = store.run(move |s| s.remove_uids(fid, None)).await?;
            store
                .run(move |s| s.set_folder_state(fid, None, None, None, None))
                .await?;
            report.removed += n as u64;
            report.uidvalidity_resets += 1;
            local.uidnext = None;
            local.highestmodseq = None;
            local.backfill_uid = None;
            self.emit(SyncEvent::MessagesChanged {
                account: account.id,
                folder_id: fid,
                added: 0,
                updated: 0,
                removed: n as u32,
            });
        }
        let local_count = store.run(move |s| s.folder_server_count(fid)).await?;
        let complete = local.backfill_uid == Some(1)
            || (local.uidnext.is_some() && local.backfill_uid.is_none());
        let unchanged = complete
            && local.uidvalidity == server_validity
            && local.uidnext == server_uidnext
            && server_modseq.is_some()
            && local.highestmodseq == server_modseq
            && local_count == mb.exists as u64;
        let needs_bodies = store
            .run({
                let policy = opts.bodies;
                move |s| s.needs_bodies(fid, policy_limit(policy))
            })
            .await?;
        if unchanged && !needs_bodies {
            return Ok(());
        }
        self.set_status(|s| {
            s.folder = Some(folder.name.clone());
            s.done = 0;
            s.total = mb.exists as u64;
        });
        let is_inbox = folder.role == Some(FolderRole::Inbox);
        let fetch_items = if caps.condstore {
            "(UID FLAGS RFC822.SIZE INTERNALDATE BODYSTRUCTURE MODSEQ BODY.PEEK[HEADER])"
        } else {
            "(UID FLAGS RFC822.SIZE INTERNALDATE BODYSTRUCTURE BODY.PEEK[HEADER])"
        };
        let (mut added, mut updated, mut removed) = (0u32, 0u32, 0u32);

        // 1. New messages since the last pass (UID >= stored UIDNEXT).
        if let Some(next) = local.uidnext
            && server_uidnext.is_none_or(|n| n > next)
        {
            let got = self
                .fetch_headers(sess, fid, &format!("{next}:*"), fetch_items, Some(next))
                .await?;
            added += got.0;
            updated += got.1;
        }
        // 2. Initial sync / resumed backfill: newest first, the first batch small.
        let backfill_below = match (local.uidnext, local.backfill_uid) {
            (None, _) => server_uidnext.unwrap_or(u32::MAX),
            (Some(_), Some(b)) if b > 1 => b,
            _ => 0,
        };
        if backfill_below > 1 && mb.exists > 0 {
            let mut uids: Vec<u32> = {
                let set = crate::sync::commands::uid_search(
                    sess,
                    &format!("UID 1:{}", backfill_below - 1),
                )
                .await?;
                set.into_iter().filter(|u| *u < backfill_below).collect()
            };
            drain_unsolicited(sess);
            uids.sort_unstable_by(|a, b| b.cmp(a));
            let total = uids.len() as u64 + local_count;
            let mut done = local_count;
            let mut first = true;
            let mut pos = 0;
            // Record where the backfill stands before fetching, so a crash resumes it.
            if local.uidnext.is_none() {
                store
                    .run(move |s| {
                        s.set_folder_state(
                            fid,
                            server_validity,
                            server_uidnext,
                            None,
                            Some(backfill_below),
                        )
                    })
                    .await?;
            }
            // With a body policy, batches after the first come down whole (headers and bodies in one
            // FETCH, small messages only; large ones get headers now and chunked bodies later),
            // cut at `header_batch` messages or `whole_batch_bytes`. The next batch is fetched while
            // the previous one is analysed and the one before it written; the resume point moves
            // only after a batch is committed.
            type Stage<T> = Option<(tokio::task::JoinHandle<T>, u32, usize)>;
            let mut analysing: Stage<(Vec<Whole>, u64)> = None;
            let mut writing: Stage<crate::store::Result<(u32, u32)>> = None;
            let with_bodies = opts.bodies != BodyPolicy::ReceiptsOnly;
            while pos < uids.len() {
                let n = if first {
                    opts.first_batch.max(1)
                } else {
                    opts.header_batch.max(1)
                };
                let mut end = (pos + n).min(uids.len());
                let whole = !first && with_bodies;
                let sized = if whole {
                    let sizes = fetch_sizes(sess, &uids[pos..end]).await?;
                    let limit = whole_limit(opts);
                    let take = bounded_batch(
                        uids[pos..end].iter().map(|u| {
                            let size = sizes.get(u).copied().unwrap_or(u64::MAX);
                            // Large ones come header-only now: they cost their headers.
                            if size <= limit { size } else { 0 }
                        }),
                        opts.whole_batch_bytes,
                    );
                    end = pos + take;
                    sizes
                } else {
                    HashMap::new()
                };
                let batch = &uids[pos..end];
                pos += batch.len();
                let low = batch.iter().copied().min().unwrap_or(1);
                if first || !with_bodies {
                    let got = self
                        .fetch_headers(sess, fid, &uid_set(batch), fetch_items, None)
                        .await?;
                    added += got.0;
                    updated += got.1;
                    let resume = if pos >= uids.len() { 1 } else { low };
                    store
                        .run(move |s| {
                            s.set_folder_state(
                                fid,
                                server_validity,
                                server_uidnext,
                                None,
                                Some(resume),
                            )
                        })
                        .await?;
                    done += batch.len() as u64;
                    if first && is_inbox && report.first_rows_after.is_none() {
                        report.first_rows_after = Some(started.elapsed());
                    }
                    if first {
                        self.emit(SyncEvent::MessagesChanged {
                            account: account.id,
                            folder_id: fid,
                            added: got.0,
                            updated: got.1,
                            removed: 0,
                        });
                    }
                    first = false;
                    self.progress(account.id, &folder.name, done, total);
                    continue;
                }
                let items = self
                    .fetch_whole(sess, batch, &sized, fetch_items, caps, opts)
                    .await?;
                // The batch written before the previous one is committed: its resume point.
                // Batches commit in order (newest first).
                if let Some((h, prev_low, prev_len)) = writing.take() {
                    let got = h.await.map_err(|e| SyncError::Store(e.to_string()))??;
                    added += got.0;
                    updated += got.1;
                    store
                        .run(move |s| {
                            s.set_folder_state(
                                fid,
                                server_validity,
                                server_uidnext,
                                None,
                                Some(prev_low),
                            )
                        })
                        .await?;
                    done += prev_len as u64;
                    self.progress(account.id, &folder.name, done, total);
                }
                if let Some((h, prev_low, prev_len)) = analysing.take() {
                    let (items, bodies) = h.await.map_err(|e| SyncError::Store(e.to_string()))?;
                    report.bodies += bodies;
                    let store2 = store.clone();
                    let w = tokio::task::spawn_blocking(move || write_batch(&store2, fid, &items));
                    writing = Some((w, prev_low, prev_len));
                }
                let analyzer = self.shared.receiver.analyzer();
                analysing = Some((
                    tokio::task::spawn_blocking(move || analyse_whole(&analyzer, items)),
                    low,
                    batch.len(),
                ));
            }
            if let Some((h, _, prev_len)) = writing.take() {
                let got = h.await.map_err(|e| SyncError::Store(e.to_string()))??;
                added += got.0;
                updated += got.1;
                done += prev_len as u64;
            }
            if let Some((h, _, prev_len)) = analysing.take() {
                let (items, bodies) = h.await.map_err(|e| SyncError::Store(e.to_string()))?;
                report.bodies += bodies;
                let got = store.run(move |s| write_batch(s, fid, &items)).await?;
                added += got.0;
                updated += got.1;
                done += prev_len as u64;
            }
            if with_bodies {
                store
                    .run(move |s| {
                        s.set_folder_state(fid, server_validity, server_uidnext, None, Some(1))
                    })
                    .await?;
                self.progress(account.id, &folder.name, done, total);
            }
        }
        // 3. Flag changes on known messages.
        if local.uidnext.is_some() && !unchanged && via_qresync {
            let updates = std::mem::take(&mut mb.changed);
            if !updates.is_empty() {
                let n = store
                    .run(move |s| s.apply_server_flags(fid, &updates))
                    .await?;
                updated += n as u32;
            }
        } else if local.uidnext.is_some() && !unchanged {
            let items = match (caps.condstore, local.highestmodseq) {
                (true, Some(m)) => format!("(UID FLAGS) (CHANGEDSINCE {m})"),
                _ => "(UID FLAGS)".to_string(),
            };
            let mut updates = Vec::new();
            {
                let stream = sess.uid_fetch("1:*", &items).await.map_err(map_imap)?;
                let fetches: Vec<Fetch> = stream.try_collect().await.map_err(map_imap)?;
                for f in &fetches {
                    if let Some(uid) = f.uid {
                        updates.push((uid, f.modseq, server_flags(f.flags())));
                    }
                }
            }
            drain_unsolicited(sess);
            if !updates.is_empty() {
                let n = store
                    .run(move |s| s.apply_server_flags(fid, &updates))
                    .await?;
                updated += n as u32;
            }
        }
        // 4. Expunged messages: VANISHED (EARLIER) from the QRESYNC SELECT; then, if the counts
        // still disagree (no QRESYNC, or a server that forgot its expunge history), compare UID lists.
        if via_qresync && !mb.vanished.is_empty() {
            let local_uids = store.run(move |s| s.folder_uids(fid)).await?;
            let gone = mb.vanished.filter(&local_uids);
            if !gone.is_empty() {
                let n = store.run(move |s| s.remove_uids(fid, Some(&gone))).await?;
                removed += n as u32;
            }
        }
        let local_count = store.run(move |s| s.folder_server_count(fid)).await?;
        if local_count != mb.exists as u64 {
            report.uid_compares += 1;
            let server: HashSet<u32> = crate::sync::commands::uid_search(sess, "ALL").await?;
            drain_unsolicited(sess);
            let local_uids = store.run(move |s| s.folder_uids(fid)).await?;
            let gone: Vec<u32> = local_uids
                .into_iter()
                .filter(|u| !server.contains(u))
                .collect();
            if !gone.is_empty() {
                let n = store.run(move |s| s.remove_uids(fid, Some(&gone))).await?;
                removed += n as u32;
            }
        }
        // 5. Bodies by policy (receipts always: their daticert drives receipt tracking).
        let bodies = self.fetch_bodies(sess, account.id, folder, opts).await?;
        report.bodies += bodies;
        // 6. Save the resync point: UIDNEXT and HIGHESTMODSEQ as of the SELECT (anything newer is
        // fetched by the next pass).
        store
            .run(move |s| {
                s.set_folder_state(fid, server_validity, server_uidnext, server_modseq, Some(1))
            })
            .await?;
        report.added += added as u64;
        report.updated += updated as u64;
        report.removed += removed as u64;
        if added + updated + removed > 0 || bodies > 0 {
            self.emit(SyncEvent::MessagesChanged {
                account: account.id,
                folder_id: fid,
                added,
                updated,
                removed,
            });
        }
        let f = store.run(move |s| s.folder(fid)).await?;
        self.emit(SyncEvent::CountsChanged {
            account: account.id,
            folder_id: fid,
            total: f.total,
            unread: f.unread,
        });
        Ok(())
    }

    pub(super) fn progress(&self, account: AccountId, folder: &str, done: u64, total: u64) {
        self.shared.status.send_modify(|s| {
            s.done = done;
            s.total = total;
        });
        self.emit(SyncEvent::Progress {
            account,
            folder: folder.to_string(),
            done,
            total,
        });
    }
}
