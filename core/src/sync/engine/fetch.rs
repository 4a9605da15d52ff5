//! The fetch pipeline: headers, whole messages in byte-bounded batches (fetch the next batch,
//! analyse this one on two threads, write the previous one), bodies on demand, large messages in
//! chunks.

use super::*;

/// Largest message a whole-message batch carries with its body.
pub(super) fn whole_limit(opts: &SyncOptions) -> u64 {
    match opts.bodies {
        BodyPolicy::All => opts.chunk_bytes,
        BodyPolicy::UpTo(n) => n.min(opts.chunk_bytes),
        BodyPolicy::ReceiptsOnly => 0,
    }
}

/// How many of the next messages (their sizes, in order) one batch takes: as many as fit in
/// `budget` bytes, and always at least one (a message over the budget goes alone).
pub(super) fn bounded_batch(sizes: impl Iterator<Item = u64>, budget: u64) -> usize {
    let mut bytes = 0u64;
    let mut n = 0;
    for size in sizes {
        if n > 0 && bytes.saturating_add(size) > budget {
            break;
        }
        bytes = bytes.saturating_add(size);
        n += 1;
    }
    n
}

/// `RFC822.SIZE` of each UID of `uids` the server still has.
pub(super) async fn fetch_sizes(
    sess: &mut ImapSession,
    uids: &[u32],
) -> Result<HashMap<u32, u64>, SyncError> {
    let mut sizes = HashMap::with_capacity(uids.len());
    uid_fetch_each(sess, &uid_set(uids), "(UID RFC822.SIZE)", |f| {
        if let (Some(uid), Some(size)) = (f.uid(), f.size()) {
            sizes.insert(uid, u64::from(size));
        }
    })
    .await?;
    Ok(sizes)
}

/// The sizes (RFC822.SIZE) the backfill cuts its batches by, asked one window (`header_batch`
/// UIDs) at a time and kept until their batch is fetched: a batch takes only part of a window,
/// and asking the whole window again for every batch asked for each size about twice.
#[derive(Default)]
pub(super) struct KnownSizes {
    sizes: HashMap<u32, u64>,
    /// `uids[..asked]` have been asked for.
    asked: usize,
}

impl KnownSizes {
    /// Make the sizes of `uids[pos..end]` known, asking the server for the next window when
    /// they are not.
    pub async fn cover(
        &mut self,
        sess: &mut ImapSession,
        uids: &[u32],
        pos: usize,
        end: usize,
    ) -> Result<(), SyncError> {
        if end > self.asked {
            let from = self.asked.max(pos);
            let to = (from + (end - pos)).min(uids.len());
            self.sizes.extend(fetch_sizes(sess, &uids[from..to]).await?);
            self.asked = to;
        }
        Ok(())
    }

    pub fn get(&self) -> &HashMap<u32, u64> {
        &self.sizes
    }

    /// Drop the sizes of a batch that has been fetched.
    pub fn forget(&mut self, batch: &[u32]) {
        for uid in batch {
            self.sizes.remove(uid);
        }
    }
}

pub(super) fn policy_limit(p: BodyPolicy) -> Option<u64> {
    match p {
        BodyPolicy::ReceiptsOnly => Some(0),
        BodyPolicy::UpTo(n) => Some(n),
        BodyPolicy::All => None,
    }
}

/// One message fetched whole: UID, flags, MODSEQ, raw bytes.
pub(super) type FetchedBody = (u32, ServerFlags, Option<u64>, Vec<u8>);

/// A row of a whole-message batch: IMAP facts, the record, and the raw message when fetched whole.
pub(super) type Whole = (ImapMeta, MessageRecord, Option<Vec<u8>>);

/// Analyse the whole messages of a backfill batch (large ones came header-only and keep their
/// header record); returns the rows and how many bodies they carry.
pub(super) fn analyse_whole(analyzer: &Analyzer, items: Vec<Whole>) -> (Vec<Whole>, u64) {
    let bodies = items.iter().filter(|i| i.2.is_some()).count() as u64;
    let items = on_two_threads(
        items,
        |i| i.2.as_ref().map_or(0, Vec::len),
        |(meta, rec, raw)| match raw {
            Some(raw) => (meta, receive::analyze_with(analyzer, &raw), Some(raw)),
            None => (meta, rec, None),
        },
    );
    (items, bodies)
}

/// Write an analysed batch in one transaction: (inserted, updated).
pub(super) fn write_batch(
    store: &Store,
    folder: i64,
    items: &[Whole],
) -> crate::store::Result<(u32, u32)> {
    let out = store.upsert_batch(folder, items)?;
    let inserted = out.iter().filter(|o| o.inserted).count() as u32;
    Ok((inserted, out.len() as u32 - inserted))
}

/// Analyse one fetched batch (MIME parse, PEC analysis, signature check): the two halves of the
/// batch on two threads, since analysis is most of the CPU of a full sync and the writer that
/// follows is single-threaded anyway. Order is kept (UID order), so the caller writes the batch in
/// one transaction exactly as before.
pub(super) fn analyze_batch(
    analyzer: &Analyzer,
    raws: Vec<FetchedBody>,
) -> Vec<(ImapMeta, MessageRecord, Option<Vec<u8>>)> {
    on_two_threads(
        raws,
        |r| r.3.len(),
        |(uid, flags, modseq, raw)| {
            let rec = receive::analyze_with(analyzer, &raw);
            let meta = ImapMeta {
                uid: Some(uid),
                modseq,
                size: raw.len() as u64,
                internal_date: None,
                flags,
            };
            (meta, rec, Some(raw))
        },
    )
}

/// `items.map(f)` on two threads, order kept: split at half the weight (bytes), not half the
/// count, since a few large messages dominate a batch.
pub(super) fn on_two_threads<T: Send, R: Send>(
    items: Vec<T>,
    weight: impl Fn(&T) -> usize,
    f: impl Fn(T) -> R + Sync,
) -> Vec<R> {
    let mut first = items;
    if first.len() < 2 {
        return first.into_iter().map(f).collect();
    }
    let total: usize = first.iter().map(&weight).sum();
    let mut acc = 0;
    let mut at = first.len() - 1;
    for (i, item) in first.iter().enumerate() {
        acc += weight(item);
        if acc * 2 >= total {
            at = (i + 1).min(first.len() - 1);
            break;
        }
    }
    let second = first.split_off(at);
    let f = &f;
    std::thread::scope(|scope| {
        let other = scope.spawn(move || second.into_iter().map(f).collect::<Vec<_>>());
        let mut out: Vec<R> = first.into_iter().map(f).collect();
        match other.join() {
            Ok(rest) => out.extend(rest),
            Err(panic) => std::panic::resume_unwind(panic),
        }
        out
    })
}

/// The whole message in chunks of `chunk` bytes (`BODY.PEEK[]<offset.length>`), so no single
/// response is larger than a chunk. `size` (RFC822.SIZE, as the server said) is reserved up
/// front, so a large message is not copied into ever larger buffers as its chunks arrive.
pub(super) async fn fetch_chunked(
    sess: &mut ImapSession,
    uid: u32,
    chunk: u64,
    size: u64,
) -> Result<Vec<u8>, SyncError> {
    let mut raw = Vec::new();
    // The server's word only: a size it inflates costs address space, and never an abort.
    let _ = raw.try_reserve_exact(size.min(crate::limits::MAX_MESSAGE_BYTES as u64) as usize);
    loop {
        let offset = raw.len();
        let mut got = 0usize;
        {
            let mut stream = sess
                .uid_fetch(
                    uid.to_string(),
                    format!("(UID BODY.PEEK[]<{offset}.{chunk}>)"),
                )
                .await
                .map_err(map_imap)?;
            while let Some(f) = stream.try_next().await.map_err(map_imap)? {
                if f.uid == Some(uid)
                    && let Some(b) = f.body()
                {
                    got = b.len();
                    raw.extend_from_slice(b);
                }
            }
        }
        drain_unsolicited(sess);
        if (got as u64) < chunk {
            break;
        }
    }
    if raw.is_empty() {
        return Err(SyncError::Server(format!("UID {uid}: no such message")));
    }
    Ok(raw)
}

/// How many of `wanted` (UID, size; in order) the next body FETCH takes: small messages up to
/// the byte budget and 200 at most; a message over the chunk size alone, fetched in chunks.
pub(super) fn body_batch_len(wanted: &[(u32, u64)], opts: &SyncOptions) -> usize {
    let chunked = |size: &u64| *size > opts.chunk_bytes;
    if wanted.first().is_some_and(|(_, size)| chunked(size)) {
        return 1;
    }
    let small = wanted
        .iter()
        .map(|(_, size)| *size)
        .take_while(|s| !chunked(s));
    bounded_batch(small.take(200), opts.body_batch_bytes)
}

/// The bodies of one batch of [`body_batch_len`]: one FETCH, or the chunks of a large message.
async fn fetch_body_batch(
    sess: &mut ImapSession,
    batch: &[(u32, u64)],
    opts: &SyncOptions,
) -> Result<Vec<FetchedBody>, SyncError> {
    if let [(uid, size)] = *batch
        && size > opts.chunk_bytes
    {
        let raw = fetch_chunked(sess, uid, opts.chunk_bytes, size).await?;
        return Ok(vec![(uid, ServerFlags::default(), None, raw)]);
    }
    let uids: Vec<u32> = batch.iter().map(|(uid, _)| *uid).collect();
    let mut raws = Vec::with_capacity(batch.len());
    let mut stream = sess
        .uid_fetch(uid_set(&uids), "(UID FLAGS BODY.PEEK[])")
        .await
        .map_err(map_imap)?;
    while let Some(f) = stream.try_next().await.map_err(map_imap)? {
        if let (Some(uid), Some(body)) = (f.uid, f.body()) {
            raws.push((uid, server_flags(f.flags()), f.modseq, body.to_vec()));
        }
    }
    drop(stream);
    drain_unsolicited(sess);
    Ok(raws)
}

impl SyncEngine {
    /// Fetch headers (+BODYSTRUCTURE, flags, size) for a UID set and store them in one transaction.
    /// Returns (inserted, already known).
    pub(super) async fn fetch_headers(
        &self,
        sess: &mut ImapSession,
        folder: i64,
        set: &str,
        items: &str,
        min_uid: Option<u32>,
    ) -> Result<(u32, u32), SyncError> {
        let mut batch = Vec::new();
        uid_fetch_each(sess, set, items, |f| {
            if let Some((meta, rec)) = header_record(f)
                && min_uid.is_none_or(|m| meta.uid.is_some_and(|u| u >= m))
            {
                batch.push((meta, rec, None));
            }
        })
        .await?;
        if batch.is_empty() {
            return Ok((0, 0));
        }
        let out = self
            .shared
            .store
            .run(move |s| s.upsert_batch(folder, &batch))
            .await?;
        let inserted = out.iter().filter(|o| o.inserted).count() as u32;
        Ok((inserted, out.len() as u32 - inserted))
    }

    /// One backfill batch fetched whole (`sizes` from [`KnownSizes`]): small messages with their
    /// bodies in one FETCH, large ones (over the chunk size or the policy limit) header-only
    /// (their bodies come later, in chunks). Returns rows ready to parse and write: `raw` is set
    /// for whole ones. UIDs without a size were expunged meanwhile and are skipped.
    pub(super) async fn fetch_whole(
        &self,
        sess: &mut ImapSession,
        batch: &[u32],
        sizes: &HashMap<u32, u64>,
        header_items: &str,
        caps: &Caps,
        opts: &SyncOptions,
    ) -> Result<Vec<(ImapMeta, MessageRecord, Option<Vec<u8>>)>, SyncError> {
        let limit = whole_limit(opts);
        let (mut small, mut large) = (Vec::new(), Vec::new());
        for uid in batch {
            match sizes.get(uid) {
                Some(size) if *size <= limit => small.push(*uid),
                Some(_) => large.push(*uid),
                None => {}
            }
        }
        let mut out = Vec::with_capacity(batch.len());
        if !small.is_empty() {
            let items = if caps.condstore {
                "(UID FLAGS RFC822.SIZE INTERNALDATE MODSEQ BODY.PEEK[])"
            } else {
                "(UID FLAGS RFC822.SIZE INTERNALDATE BODY.PEEK[])"
            };
            uid_fetch_each(sess, &uid_set(&small), items, |f| {
                let (Some(uid), Some(body)) = (f.uid(), f.body()) else {
                    return;
                };
                let meta = ImapMeta {
                    uid: Some(uid),
                    modseq: f.modseq(),
                    size: f.size().map(u64::from).unwrap_or(body.len() as u64),
                    internal_date: f.internal_date().map(|d| d.timestamp()),
                    flags: server_flags(f.flags()),
                };
                out.push((meta, MessageRecord::default(), Some(body.to_vec())));
            })
            .await?;
        }
        if !large.is_empty() {
            uid_fetch_each(sess, &uid_set(&large), header_items, |f| {
                if let Some((meta, rec)) = header_record(f) {
                    out.push((meta, rec, None));
                }
            })
            .await?;
        }
        Ok(out)
    }

    /// Download, analyse and store bodies the policy asks for, newest first, pipelined: the next
    /// FETCH runs while the previous batch is parsed and written.
    pub(super) async fn fetch_bodies(
        &self,
        sess: &mut ImapSession,
        account: AccountId,
        folder: &Folder,
        opts: &SyncOptions,
    ) -> Result<u64, SyncError> {
        let fid = folder.id;
        let limit = policy_limit(opts.bodies);
        let wanted = self
            .shared
            .store
            .run(move |s| s.uids_needing_body(fid, limit))
            .await?;
        let total = wanted.len() as u64;
        let mut done = 0u64;
        let mut pending: Option<tokio::task::JoinHandle<Result<usize, SyncError>>> = None;
        let mut rest = wanted.as_slice();
        while !rest.is_empty() {
            let n = body_batch_len(rest, opts);
            let (batch, after) = rest.split_at(n);
            rest = after;
            let raws = fetch_body_batch(sess, batch, opts).await?;
            if let Some(p) = pending.take() {
                done += p.await.map_err(|e| SyncError::Store(e.to_string()))?? as u64;
                self.progress(account, &folder.name, done, total);
            }
            let store = self.shared.store.clone();
            let analyzer = self.shared.receiver.analyzer();
            pending = Some(tokio::task::spawn_blocking(move || {
                let items = analyze_batch(&analyzer, raws);
                store.upsert_bodies(fid, &items)?;
                Ok(items.len())
            }));
        }
        if let Some(p) = pending.take() {
            done += p.await.map_err(|e| SyncError::Store(e.to_string()))?? as u64;
            self.progress(account, &folder.name, done, total);
        }
        Ok(done)
    }

    /// Download one message now (the reader opened it), analyse and cache it.
    pub async fn fetch_body(&self, message: MessageId) -> Result<Vec<u8>, SyncError> {
        crate::sync::conn::contained(self.fetch_body_uncontained(message)).await
    }

    /// [`Self::fetch_body`] without the panic containment.
    pub(super) async fn fetch_body_uncontained(
        &self,
        message: MessageId,
    ) -> Result<Vec<u8>, SyncError> {
        let store = self.shared.store.clone();
        if let Some(raw) = store.run(move |s| s.body(message)).await? {
            return Ok(raw);
        }
        let d = store.run(move |s| s.message(message)).await?;
        let uid = d
            .summary
            .uid
            .ok_or_else(|| SyncError::Store(format!("message {message} has no server copy yet")))?;
        let (account, password) = self.account(d.summary.account_id).await?;
        let mut sess = connect(&account, &password).await?;
        sess.examine(&d.summary.folder).await.map_err(map_imap)?;
        let chunk = SyncOptions::default().chunk_bytes;
        let raw = fetch_chunked(&mut sess, uid, chunk, d.summary.size).await?;
        let _ = sess.logout().await;
        let fid = d.summary.folder_id;
        let raw2 = raw.clone();
        let receiver = self.shared.receiver.clone();
        store
            .run(move |s| {
                let rec = receiver.record(&raw2);
                let meta = ImapMeta {
                    uid: Some(uid),
                    size: raw2.len() as u64,
                    ..Default::default()
                };
                s.upsert_bodies(fid, &[(meta, rec, Some(raw2))])
            })
            .await?;
        Ok(raw)
    }
}
