//! One folder's pass: select (QRESYNC or CONDSTORE when offered), forget the UIDs of a folder
//! whose UIDVALIDITY changed, fetch new messages, backfill older ones newest first (through the
//! fetch pipeline), apply flag changes, drop what the server expunged, fetch the bodies the policy
//! asks for, and save the point the next pass resumes from.

use super::*;

/// What one folder's pass works with once the folder is selected.
struct Pass<'a> {
    account: &'a Account,
    folder: &'a Folder,
    caps: &'a Caps,
    opts: &'a SyncOptions,
    /// UIDVALIDITY and UIDNEXT as the SELECT reported them.
    validity: Option<u32>,
    uidnext: Option<u32>,
    /// What a header FETCH asks for (MODSEQ with CONDSTORE).
    fetch_items: &'static str,
}

impl<'a> Pass<'a> {
    fn new(
        account: &'a Account,
        folder: &'a Folder,
        caps: &'a Caps,
        opts: &'a SyncOptions,
        mb: &Selected,
    ) -> Self {
        Pass {
            account,
            folder,
            caps,
            opts,
            validity: mb.uid_validity,
            uidnext: mb.uid_next,
            fetch_items: if caps.condstore {
                "(UID FLAGS RFC822.SIZE INTERNALDATE BODYSTRUCTURE MODSEQ BODY.PEEK[HEADER])"
            } else {
                "(UID FLAGS RFC822.SIZE INTERNALDATE BODYSTRUCTURE BODY.PEEK[HEADER])"
            },
        }
    }

    fn fid(&self) -> i64 {
        self.folder.id
    }
}

/// What the store holds of a selected folder, against what the SELECT said.
struct Known {
    /// Messages with a server copy.
    count: u64,
    /// Backfilled to the first UID and nothing changed since the last pass (same UIDVALIDITY,
    /// UIDNEXT, HIGHESTMODSEQ and message count): no new message, flag or expunge to ask about.
    unchanged: bool,
    /// Some message still waits for the body the policy wants.
    needs_bodies: bool,
}

/// Messages added, updated and removed by a pass.
#[derive(Default)]
struct Counts {
    added: u32,
    updated: u32,
    removed: u32,
}

impl Counts {
    fn add(&mut self, (added, updated): (u32, u32)) {
        self.added += added;
        self.updated += updated;
    }
}

/// The server's UIDs under `below`, newest first.
async fn uids_below(sess: &mut ImapSession, below: u32) -> Result<Vec<u32>, SyncError> {
    let set = crate::sync::commands::uid_search(sess, &format!("UID 1:{}", below - 1)).await?;
    let mut uids: Vec<u32> = set.into_iter().filter(|u| *u < below).collect();
    drain_unsolicited(sess);
    uids.sort_unstable_by(|a, b| b.cmp(a));
    Ok(uids)
}

/// A stage of the whole-message pipeline: its task, the lowest UID of its batch, the batch's size.
type Stage<T> = Option<(tokio::task::JoinHandle<T>, u32, usize)>;

/// The backfill's batches behind the fetch: one being analysed, the one before it being written.
#[derive(Default)]
struct Pipeline {
    analysing: Stage<(Vec<Whole>, u64)>,
    writing: Stage<crate::store::Result<(u32, u32)>>,
}

fn joined<T>(r: Result<T, tokio::task::JoinError>) -> Result<T, SyncError> {
    r.map_err(|e| SyncError::Store(e.to_string()))
}

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
        if self
            .unchanged_by_status(folder, status, opts, report)
            .await?
        {
            return Ok(());
        }
        let Some((mut mb, via_qresync)) = self.select(sess, folder, caps).await? else {
            return Ok(());
        };
        if via_qresync {
            report.qresync_selects += 1;
        }
        let p = Pass::new(account, folder, caps, opts, &mb);
        let server_modseq = mb.highest_modseq.filter(|_| caps.condstore);
        let mut local = folder.clone();
        // UIDVALIDITY changed: every UID we hold is meaningless.
        if local.uidvalidity.is_some() && p.validity.is_some() && local.uidvalidity != p.validity {
            self.forget_uids(&p, &mut local, report).await?;
        }
        let known = self.known(&p, &local, &mb, server_modseq).await?;
        if known.unchanged && !known.needs_bodies {
            return Ok(());
        }
        self.set_status(|s| {
            s.folder = Some(folder.name.clone());
            s.done = 0;
            s.total = mb.exists as u64;
        });
        let mut counts = Counts::default();
        // 1. New messages since the last pass (UID >= stored UIDNEXT).
        if let Some(next) = local.uidnext
            && p.uidnext.is_none_or(|n| n > next)
        {
            let range = format!("{next}:*");
            counts.add(
                self.fetch_headers(sess, p.fid(), &range, p.fetch_items, Some(next))
                    .await?,
            );
        }
        // 2. Initial sync / resumed backfill: newest first, the first batch small.
        let backfill_below = match (local.uidnext, local.backfill_uid) {
            (None, _) => p.uidnext.unwrap_or(u32::MAX),
            (Some(_), Some(b)) if b > 1 => b,
            _ => 0,
        };
        if backfill_below > 1 && mb.exists > 0 {
            let from = (backfill_below, known.count);
            self.backfill(sess, &p, &local, from, started, report, &mut counts)
                .await?;
        }
        // 3. Flag changes on known messages.
        if local.uidnext.is_some() && !known.unchanged {
            counts.updated += self
                .flag_changes(sess, &p, &local, via_qresync, &mut mb)
                .await?;
        }
        // 4. Messages the server expunged.
        counts.removed += self.expunged(sess, &p, &mb, via_qresync, report).await?;
        // 5. Bodies by policy (receipts always: their daticert drives receipt tracking).
        let bodies = self.fetch_bodies(sess, account.id, folder, opts).await?;
        report.bodies += bodies;
        self.finish_folder(&p, server_modseq, counts, bodies, report)
            .await
    }

    /// What the store holds of the selected folder (`local`, its UIDs already forgotten when
    /// UIDVALIDITY changed), against the SELECT's `mb`.
    async fn known(
        &self,
        p: &Pass<'_>,
        local: &Folder,
        mb: &Selected,
        server_modseq: Option<u64>,
    ) -> Result<Known, SyncError> {
        let store = self.shared.store.clone();
        let fid = p.fid();
        let count = store.run(move |s| s.folder_server_count(fid)).await?;
        let complete = local.backfill_uid == Some(1)
            || (local.uidnext.is_some() && local.backfill_uid.is_none());
        let unchanged = complete
            && local.uidvalidity == p.validity
            && local.uidnext == p.uidnext
            && server_modseq.is_some()
            && local.highestmodseq == server_modseq
            && count == mb.exists as u64;
        let policy = policy_limit(p.opts.bodies);
        let needs_bodies = store.run(move |s| s.needs_bodies(fid, policy)).await?;
        Ok(Known {
            count,
            unchanged,
            needs_bodies,
        })
    }

    /// LIST-STATUS says nothing changed and no body is due: no SELECT at all.
    async fn unchanged_by_status(
        &self,
        folder: &Folder,
        status: Option<&FolderStatus>,
        opts: &SyncOptions,
        report: &mut SyncReport,
    ) -> Result<bool, SyncError> {
        let Some(st) = status else {
            return Ok(false);
        };
        let fid = folder.id;
        let policy = policy_limit(opts.bodies);
        let (count, needs) = self
            .shared
            .store
            .run(move |s| Ok((s.folder_server_count(fid)?, s.needs_bodies(fid, policy)?)))
            .await?;
        if !needs && st.unchanged(folder, count) {
            report.unchanged_by_status += 1;
            return Ok(true);
        }
        Ok(false)
    }

    /// SELECT the folder: with QRESYNC and a previous complete pass, the SELECT itself reports flag
    /// changes and expunges since our HIGHESTMODSEQ; else a CONDSTORE (or plain) SELECT. `None`
    /// when the server refuses the folder (skipped, not an error); the flag says whether the
    /// server applied our QRESYNC parameters (only if the UIDVALIDITY still matches).
    async fn select(
        &self,
        sess: &mut ImapSession,
        folder: &Folder,
        caps: &Caps,
    ) -> Result<Option<(Selected, bool)>, SyncError> {
        let known = match (caps.qresync, folder.uidvalidity, folder.highestmodseq) {
            (true, Some(v), Some(m)) => Some((v, m)),
            _ => None,
        };
        let mb: Selected = if caps.qresync {
            match qresync::select(sess, &folder.name, known).await {
                Ok(m) => m,
                Err(RawError::No(m)) => {
                    tracing::warn!(folder = %folder.name, "cannot select: {m}");
                    return Ok(None);
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
                    return Ok(None);
                }
                Err(e) => return Err(map_imap(e)),
            }
        };
        drain_unsolicited(sess);
        let via_qresync = known.is_some_and(|(v, _)| mb.uid_validity == Some(v));
        Ok(Some((mb, via_qresync)))
    }

    /// The folder's UIDVALIDITY changed: drop every message we hold of it and start over.
    async fn forget_uids(
        &self,
        p: &Pass<'_>,
        local: &mut Folder,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        let fid = p.fid();
        let store = &self.shared.store;
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
            account: p.account.id,
            folder_id: fid,
            added: 0,
            updated: 0,
            removed: n as u32,
        });
        Ok(())
    }

    /// Record how far the backfill stands: UIDs below `resume` are still to fetch (1: done).
    async fn resume_at(&self, p: &Pass<'_>, resume: u32) -> Result<(), SyncError> {
        let (fid, validity, uidnext) = (p.fid(), p.validity, p.uidnext);
        self.shared
            .store
            .run(move |s| s.set_folder_state(fid, validity, uidnext, None, Some(resume)))
            .await?;
        Ok(())
    }

    /// The messages below `from.0`, newest first, the first batch small so the first rows show
    /// at once (`from.1`: how many the folder holds already, for the progress). With a body
    /// policy, batches after the first come down whole (headers and bodies in one FETCH, small
    /// messages only; large ones get headers now and chunked bodies later), cut at
    /// `header_batch` messages or `whole_batch_bytes`. The next batch is fetched while the
    /// previous one is analysed and the one before it written; the resume point moves only after
    /// a batch is committed, so a crash resumes where the store stands.
    #[allow(clippy::too_many_arguments)]
    async fn backfill(
        &self,
        sess: &mut ImapSession,
        p: &Pass<'_>,
        local: &Folder,
        from: (u32, u64),
        started: Instant,
        report: &mut SyncReport,
        counts: &mut Counts,
    ) -> Result<(), SyncError> {
        let (below, held) = from;
        let uids = uids_below(sess, below).await?;
        let total = uids.len() as u64 + held;
        let mut done = held;
        if local.uidnext.is_none() {
            self.resume_at(p, below).await?;
        }
        let (opts, fid) = (p.opts, p.fid());
        let mut pipeline = Pipeline::default();
        let with_bodies = opts.bodies != BodyPolicy::ReceiptsOnly;
        let mut sizes = KnownSizes::default();
        let mut first = true;
        let mut pos = 0;
        while pos < uids.len() {
            let n = if first {
                opts.first_batch
            } else {
                opts.header_batch
            }
            .max(1);
            let mut end = (pos + n).min(uids.len());
            if first || !with_bodies {
                let batch = &uids[pos..end];
                pos = end;
                let last = pos >= uids.len();
                let got = self.headers_batch(sess, p, batch, last).await?;
                counts.add(got);
                done += batch.len() as u64;
                if first {
                    self.first_rows(p, got, started, report);
                }
                first = false;
                self.progress(p.account.id, &p.folder.name, done, total);
                continue;
            }
            sizes.cover(sess, &uids, pos, end).await?;
            end = pos + whole_batch_len(&uids[pos..end], sizes.get(), opts);
            let batch = &uids[pos..end];
            pos = end;
            let low = batch.iter().copied().min().unwrap_or(1);
            let items = self
                .fetch_whole(sess, batch, sizes.get(), p.fetch_items, p.caps, opts)
                .await?;
            sizes.forget(batch);
            let committed = self
                .push(p, &mut pipeline, items, (low, batch.len()), report, counts)
                .await?;
            if committed > 0 {
                done += committed;
                self.progress(p.account.id, &p.folder.name, done, total);
            }
        }
        done += self.drain(fid, pipeline, report, counts).await?;
        if with_bodies {
            self.resume_at(p, 1).await?;
            self.progress(p.account.id, &p.folder.name, done, total);
        }
        Ok(())
    }

    /// A fetched batch (`at`: its lowest UID and its size) into the pipeline: the batch written
    /// before the previous one is committed and becomes the resume point, the previous one goes
    /// to the writer, this one to the analysis. Batches commit in order, newest first. Returns
    /// how many messages were committed.
    async fn push(
        &self,
        p: &Pass<'_>,
        pipeline: &mut Pipeline,
        items: Vec<Whole>,
        at: (u32, usize),
        report: &mut SyncReport,
        counts: &mut Counts,
    ) -> Result<u64, SyncError> {
        let mut committed = 0;
        if let Some((h, low, len)) = pipeline.writing.take() {
            counts.add(joined(h.await)??);
            self.resume_at(p, low).await?;
            committed = len as u64;
        }
        if let Some((h, low, len)) = pipeline.analysing.take() {
            let (items, bodies) = joined(h.await)?;
            report.bodies += bodies;
            let (store, fid) = (self.shared.store.clone(), p.fid());
            let w = tokio::task::spawn_blocking(move || write_batch(&store, fid, &items));
            pipeline.writing = Some((w, low, len));
        }
        let analyzer = self.shared.receiver.analyzer();
        let a = tokio::task::spawn_blocking(move || analyse_whole(&analyzer, items));
        pipeline.analysing = Some((a, at.0, at.1));
        Ok(committed)
    }

    /// The pipeline's last two batches written, in order, once the fetches are done: how many
    /// messages they held.
    async fn drain(
        &self,
        fid: i64,
        pipeline: Pipeline,
        report: &mut SyncReport,
        counts: &mut Counts,
    ) -> Result<u64, SyncError> {
        let mut done = 0;
        if let Some((h, _, len)) = pipeline.writing {
            counts.add(joined(h.await)??);
            done += len as u64;
        }
        if let Some((h, _, len)) = pipeline.analysing {
            let (items, bodies) = joined(h.await)?;
            report.bodies += bodies;
            let got = self
                .shared
                .store
                .run(move |s| write_batch(s, fid, &items))
                .await?;
            counts.add(got);
            done += len as u64;
        }
        Ok(done)
    }

    /// One batch of the backfill fetched headers only, and the resume point moved past it (to 1
    /// after the last batch).
    async fn headers_batch(
        &self,
        sess: &mut ImapSession,
        p: &Pass<'_>,
        batch: &[u32],
        last: bool,
    ) -> Result<(u32, u32), SyncError> {
        let got = self
            .fetch_headers(sess, p.fid(), &uid_set(batch), p.fetch_items, None)
            .await?;
        let low = batch.iter().copied().min().unwrap_or(1);
        self.resume_at(p, if last { 1 } else { low }).await?;
        Ok(got)
    }

    /// The first batch is in: the lists can show it (and the inbox's time to first rows is noted).
    fn first_rows(&self, p: &Pass<'_>, got: (u32, u32), started: Instant, report: &mut SyncReport) {
        if p.folder.role == Some(FolderRole::Inbox) && report.first_rows_after.is_none() {
            report.first_rows_after = Some(started.elapsed());
        }
        self.emit(SyncEvent::MessagesChanged {
            account: p.account.id,
            folder_id: p.fid(),
            added: got.0,
            updated: got.1,
            removed: 0,
        });
    }

    /// Flag changes on known messages: those the QRESYNC SELECT reported, else a FETCH of the
    /// flags (changed since our HIGHESTMODSEQ with CONDSTORE). How many were updated.
    async fn flag_changes(
        &self,
        sess: &mut ImapSession,
        p: &Pass<'_>,
        local: &Folder,
        via_qresync: bool,
        mb: &mut Selected,
    ) -> Result<u32, SyncError> {
        let updates = if via_qresync {
            std::mem::take(&mut mb.changed)
        } else {
            let items = match (p.caps.condstore, local.highestmodseq) {
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
            updates
        };
        if updates.is_empty() {
            return Ok(0);
        }
        let fid = p.fid();
        let n = self
            .shared
            .store
            .run(move |s| s.apply_server_flags(fid, &updates))
            .await?;
        Ok(n as u32)
    }

    /// Messages the server expunged: VANISHED (EARLIER) from the QRESYNC SELECT; then, if the
    /// counts still disagree (no QRESYNC, or a server that forgot its expunge history), a
    /// comparison of UID lists. How many were removed.
    async fn expunged(
        &self,
        sess: &mut ImapSession,
        p: &Pass<'_>,
        mb: &Selected,
        via_qresync: bool,
        report: &mut SyncReport,
    ) -> Result<u32, SyncError> {
        let (store, fid) = (&self.shared.store, p.fid());
        let mut removed = 0;
        if via_qresync && !mb.vanished.is_empty() {
            let local_uids = store.run(move |s| s.folder_uids(fid)).await?;
            let gone = mb.vanished.filter(&local_uids);
            if !gone.is_empty() {
                removed += store.run(move |s| s.remove_uids(fid, Some(&gone))).await? as u32;
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
                removed += store.run(move |s| s.remove_uids(fid, Some(&gone))).await? as u32;
            }
        }
        Ok(removed)
    }

    /// Save the resync point (UIDNEXT and HIGHESTMODSEQ as of the SELECT: anything newer is
    /// fetched by the next pass), add the counts to the report and tell the lists.
    async fn finish_folder(
        &self,
        p: &Pass<'_>,
        modseq: Option<u64>,
        counts: Counts,
        bodies: u64,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        let (store, fid) = (&self.shared.store, p.fid());
        let (validity, uidnext) = (p.validity, p.uidnext);
        store
            .run(move |s| s.set_folder_state(fid, validity, uidnext, modseq, Some(1)))
            .await?;
        report.added += counts.added as u64;
        report.updated += counts.updated as u64;
        report.removed += counts.removed as u64;
        if counts.added + counts.updated + counts.removed > 0 || bodies > 0 {
            self.emit(SyncEvent::MessagesChanged {
                account: p.account.id,
                folder_id: fid,
                added: counts.added,
                updated: counts.updated,
                removed: counts.removed,
            });
        }
        let f = store.run(move |s| s.folder(fid)).await?;
        self.emit(SyncEvent::CountsChanged {
            account: p.account.id,
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

/// How many of `uids` the next whole-message batch takes: as many as fit in the byte budget,
/// counting a message over the size limit by its headers only (it comes header-only now).
fn whole_batch_len(uids: &[u32], sizes: &HashMap<u32, u64>, opts: &SyncOptions) -> usize {
    let limit = whole_limit(opts);
    bounded_batch(
        uids.iter().map(|u| {
            let size = sizes.get(u).copied().unwrap_or(u64::MAX);
            if size <= limit { size } else { 0 }
        }),
        opts.whole_batch_bytes,
    )
}
