//! The sync engine: one per data directory. A pass connects, learns the server ([`discovery`]),
//! replays local actions ([`replay`]), then syncs each folder ([`folder`]) through the fetch
//! pipeline ([`fetch`], with [`structure`] for what BODYSTRUCTURE tells); [`idle`] waits on the
//! inbox between passes.

mod discovery;
mod fetch;
mod folder;
mod idle;
mod replay;
mod structure;

use fetch::*;

pub(crate) use structure::attachments_from_structure;
use structure::*;

use super::commands::{Fetched, uid_fetch_each};
use super::conn::{ImapSession, connect, map_imap};
use super::folders::{attribute_words, role_of};
use super::list_status::{self, FolderStatus};
use super::qresync::{self, RawError, Selected};
use super::{SyncError, SyncEvent, SyncStatus};
use crate::accounts::{Account, CredentialStore};
use crate::message::Analyzer;
use crate::receive::{self, Receiver};
use crate::store::{
    AccountId, ActionKind, Folder, FolderRole, ImapMeta, MessageId, ServerFlags, Store,
};
use crate::store::{AttachmentRecord, MessageRecord};
use async_imap::imap_proto::{self, BodyStructure};
use async_imap::types::{Fetch, Flag};
use futures::TryStreamExt;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, watch};

/// When bodies are downloaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyPolicy {
    /// Only receipts (their daticert feeds receipt tracking) and invoice messages up to
    /// [`crate::store::INVOICE_BODY_CAP`] (their file fills the invoices view); the rest on demand.
    ReceiptsOnly,
    /// Receipts plus every message up to this size (bytes).
    UpTo(u64),
    /// Everything (`pec sync --full`, offline mode).
    All,
}

impl BodyPolicy {
    /// The apps' middle setting: ordinary mail reads offline, large attachments wait for a tap.
    pub const SMALL: BodyPolicy = BodyPolicy::UpTo(2 * 1024 * 1024);
}

/// Knobs of one sync pass.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    pub bodies: BodyPolicy,
    /// Rows in the first header batch of the inbox (what the list shows first).
    pub first_batch: usize,
    pub header_batch: usize,
    /// Byte budget of one body FETCH.
    pub body_batch_bytes: u64,
    /// The largest single FETCH response: bodies larger than this are fetched in chunks of this
    /// size, and under [`BodyPolicy::All`] a message up to it comes whole in a backfill batch.
    /// 4 MiB, one batch budget: a chunk then holds no more than a batch does. At 1 MiB the
    /// mailbox's 1–4 MiB PEC messages (scanned contracts, PDFs) took a second pass of their own,
    /// header row first and body later, two in flight outside the batch budget; a full sync's
    /// peak RSS was 8–12 MB higher at the same CPU (docs/performance.md).
    pub chunk_bytes: u64,
    /// Byte budget of one whole-message backfill batch (bodies held in memory at once; the
    /// pipeline holds three: fetched, being analysed, being written). A batch is cut at
    /// `header_batch` messages or at this many bytes, whichever comes first, so a mailbox of
    /// 800 KB PEC messages cannot fill memory. 4 MiB: a full sync's peak RSS falls by about
    /// 20 MB against 16 MiB at the same CPU (docs/performance.md); a batch costs one more round
    /// trip, which the pipeline overlaps with the analysis of the previous one.
    pub whole_batch_bytes: u64,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            bodies: BodyPolicy::ReceiptsOnly,
            first_batch: 50,
            header_batch: 500,
            body_batch_bytes: 4 * 1024 * 1024,
            chunk_bytes: 4 * 1024 * 1024,
            whole_batch_bytes: 4 * 1024 * 1024,
        }
    }
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub folders: u32,
    pub added: u64,
    pub updated: u64,
    pub removed: u64,
    pub bodies: u64,
    pub actions_replayed: u64,
    pub actions_dropped: u64,
    pub uidvalidity_resets: u32,
    /// Folders resynced through `SELECT … (QRESYNC …)` (changes and expunges in one round trip).
    pub qresync_selects: u32,
    /// Folders whose expunges were found by comparing UID lists (servers without QRESYNC, or as a
    /// safety net when the counts still disagree).
    pub uid_compares: u32,
    /// Folders skipped without a SELECT because LIST-STATUS showed them unchanged.
    pub unchanged_by_status: u32,
    /// Time from the start of the pass to the first inbox rows committed (initial sync).
    pub first_rows_after: Option<Duration>,
}

struct Shared {
    store: Store,
    /// Reads fetched messages into records, with the signature trust of the engine's owner.
    receiver: Receiver,
    creds: Arc<dyn CredentialStore>,
    events: broadcast::Sender<SyncEvent>,
    status: watch::Sender<SyncStatus>,
    /// One pass at a time per engine (the background loop and explicit calls share it).
    pass: tokio::sync::Mutex<()>,
}

/// The sync engine of one store (any number of accounts).
#[derive(Clone)]
pub struct SyncEngine {
    shared: Arc<Shared>,
}

/// A subscription to engine events; dropping it stops delivery.
pub struct Subscription {
    task: tokio::task::JoinHandle<()>,
}

impl Subscription {
    pub fn cancel(self) {}
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A running background sync loop; dropping it stops the loop.
pub struct SyncHandle {
    task: tokio::task::JoinHandle<()>,
}

impl SyncHandle {
    pub fn stop(self) {}
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

impl Drop for SyncHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// `1:5,7,9:12` from ascending UIDs.
pub(crate) fn uid_set(uids: &[u32]) -> String {
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out = String::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

pub(crate) fn server_flags<'a>(flags: impl Iterator<Item = Flag<'a>>) -> ServerFlags {
    let mut f = ServerFlags::default();
    for flag in flags {
        match flag {
            Flag::Seen => f.seen = true,
            Flag::Flagged => f.flagged = true,
            Flag::Answered => f.answered = true,
            Flag::Draft => f.draft = true,
            Flag::Deleted => f.deleted = true,
            Flag::Custom(k) if !k.starts_with('\\') => f.keywords.push(k.to_string()),
            _ => {}
        }
    }
    f
}

/// Whether the account may be read with a mail program ([`crate::accounts::require`] of
/// `Operation::Sync`: a delegate without "mail programs" or "read" may not sync or download).
fn may_sync(store: &Store, account: &Account) -> Result<(), SyncError> {
    crate::accounts::require(store, account, crate::accounts::Operation::Sync).map_err(
        |e| match e {
            crate::accounts::AccountError::Store(e) => e.into(),
            other => SyncError::NotPermitted(other.to_string()),
        },
    )
}

#[derive(Default)]
struct Caps {
    condstore: bool,
    qresync: bool,
    list_status: bool,
    special_use: bool,
    mv: bool,
    quota: bool,
    acl: bool,
    uidplus: bool,
}

fn drain_unsolicited(sess: &mut ImapSession) {
    while sess.unsolicited_responses.try_recv().is_ok() {}
}

impl SyncEngine {
    /// An engine over `store`, reading passwords from `creds`, accepting the bundled PEC
    /// provider trust list (see [`SyncEngine::receiver`] to change it).
    pub fn new(store: Store, creds: Arc<dyn CredentialStore>) -> SyncEngine {
        SyncEngine::with_receiver(store, Receiver::default(), creds)
    }

    /// An engine that reads messages with `receiver` (shared with its owner: a trust anchor added
    /// there applies here).
    pub fn with_receiver(
        store: Store,
        receiver: Receiver,
        creds: Arc<dyn CredentialStore>,
    ) -> SyncEngine {
        let (events, _) = broadcast::channel(10_000);
        let (status, _) = watch::channel(SyncStatus::default());
        SyncEngine {
            shared: Arc::new(Shared {
                store,
                receiver,
                creds,
                events,
                status,
                pass: tokio::sync::Mutex::new(()),
            }),
        }
    }

    pub fn store(&self) -> &Store {
        &self.shared.store
    }

    /// How fetched messages are read (and with which signature trust).
    pub fn receiver(&self) -> &Receiver {
        &self.shared.receiver
    }

    /// The current status.
    pub fn status(&self) -> SyncStatus {
        self.shared.status.borrow().clone()
    }

    /// Deliver the current status, then every event, to `listener` (on the current tokio runtime)
    /// until the returned [`Subscription`] is dropped.
    pub fn subscribe(&self, listener: impl Fn(SyncEvent) + Send + Sync + 'static) -> Subscription {
        let mut rx = self.shared.events.subscribe();
        let first = self.status();
        let task = tokio::spawn(async move {
            listener(SyncEvent::Status(first));
            loop {
                match rx.recv().await {
                    Ok(ev) => listener(ev),
                    Err(broadcast::error::RecvError::Lagged(n)) => listener(SyncEvent::Lagged(n)),
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        Subscription { task }
    }

    /// The raw event channel, with the status at subscription time (for Rust consumers).
    pub fn events(&self) -> (SyncStatus, broadcast::Receiver<SyncEvent>) {
        (self.status(), self.shared.events.subscribe())
    }

    pub(super) fn emit(&self, ev: SyncEvent) {
        let _ = self.shared.events.send(ev);
    }

    fn set_status(&self, f: impl FnOnce(&mut SyncStatus)) {
        let mut st = self.status();
        f(&mut st);
        self.shared.status.send_replace(st.clone());
        self.emit(SyncEvent::Status(st));
    }

    /// The account and its password, once its permissions allow reading it with a mail program.
    async fn account(&self, id: AccountId) -> Result<(Account, String), SyncError> {
        let account = self.permitted_account(id).await?;
        let password = self.password(&account)?;
        Ok((account, password))
    }

    /// The account, once [`may_sync`] allows it (one trip to the store for both).
    pub(super) async fn permitted_account(&self, id: AccountId) -> Result<Account, SyncError> {
        self.shared
            .store
            .run(move |s| {
                let account = s.account(id)?;
                Ok(may_sync(s, &account).map(|()| account))
            })
            .await?
    }

    pub(super) fn password(&self, account: &Account) -> Result<String, SyncError> {
        self.shared
            .creds
            .get(&account.login)
            .map_err(|e| SyncError::Credentials(e.to_string()))
    }

    /// Connect and run one full pass over every folder of the account.
    pub async fn sync_once(
        &self,
        account: AccountId,
        opts: &SyncOptions,
    ) -> Result<SyncReport, SyncError> {
        let _pass = self.shared.pass.lock().await;
        self.set_status(|s| {
            s.running = true;
            s.last_error = None;
        });
        let r = super::conn::contained(self.pass(account, opts)).await;
        self.set_status(|s| {
            s.running = false;
            s.folder = None;
            match &r {
                Ok(_) => s.last_sync = Some(crate::store::now()),
                Err(e) => s.last_error = Some((e.kind(), e.to_string())),
            }
        });
        if let Err(e) = &r {
            self.emit(SyncEvent::Error {
                account,
                kind: e.kind(),
                message: e.to_string(),
            });
        }
        r
    }

    async fn pass(
        &self,
        account_id: AccountId,
        opts: &SyncOptions,
    ) -> Result<SyncReport, SyncError> {
        let started = Instant::now();
        let (account, password) = self.account(account_id).await?;
        let mut sess = connect(&account, &password).await?;
        let r = self.pass_on(&mut sess, &account, opts, started).await;
        if r.is_ok() {
            let _ = sess.logout().await;
            // Off the path to the first rows: body files a killed process left behind.
            let swept = self
                .shared
                .store
                .run(|s| s.sweep_orphan_bodies_once())
                .await;
            if let Err(e) = swept {
                tracing::warn!("removing orphaned body files: {e}");
            }
        }
        r
    }

    async fn pass_on(
        &self,
        sess: &mut ImapSession,
        account: &Account,
        opts: &SyncOptions,
        started: Instant,
    ) -> Result<SyncReport, SyncError> {
        let mut caps = self.capabilities(sess).await?;
        if caps.qresync {
            match qresync::enable(sess).await {
                Ok(()) => {}
                Err(async_imap::error::Error::No(_)) | Err(async_imap::error::Error::Bad(_)) => {
                    caps.qresync = false
                }
                Err(e) => return Err(map_imap(e)),
            }
        }
        let mut report = SyncReport::default();
        let (folders, mut statuses) = self.discover(sess, account, &caps).await?;
        let (replayed, dropped) = self.replay(sess, account, &caps).await?;
        report.actions_replayed = replayed;
        report.actions_dropped = dropped;
        if replayed + dropped > 0 {
            // Our own commands changed the server after the STATUS snapshot.
            statuses.clear();
        }
        for folder in folders {
            let status = statuses.get(&folder.name);
            self.sync_folder(
                sess,
                account,
                &folder,
                status,
                &caps,
                opts,
                started,
                &mut report,
            )
            .await?;
            report.folders += 1;
        }
        if caps.quota {
            self.quota(sess, account.id).await?;
        }
        Ok(report)
    }

    /// Run forever: a pass, then IDLE on the inbox until something changes (or 5 minutes), again.
    /// Transient errors reconnect with exponential backoff (1 s … 5 min); authentication and TLS
    /// errors stop the loop after reporting (the user must act). Dropping the handle stops it.
    /// Refused at once when the account may not be read with a mail program; needs a tokio
    /// runtime to spawn on.
    pub fn start(&self, account: AccountId, opts: SyncOptions) -> Result<SyncHandle, SyncError> {
        let store = &self.shared.store;
        may_sync(store, &store.account(account)?)?;
        let engine = self.clone();
        let task = tokio::spawn(async move {
            let mut backoff = Duration::from_secs(1);
            loop {
                match engine.sync_once(account, &opts).await {
                    Ok(_) => {
                        backoff = Duration::from_secs(1);
                        if let Err(e) = engine.idle_inbox(account, Duration::from_secs(300)).await {
                            if !e.is_transient() {
                                break;
                            }
                            tokio::time::sleep(backoff).await;
                        }
                    }
                    Err(e) if e.is_transient() => {
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(Duration::from_secs(300));
                    }
                    Err(_) => break,
                }
            }
        });
        Ok(SyncHandle { task })
    }
}

#[cfg(test)]
mod tests {
    use super::fetch::body_batch_len;
    use super::{SyncOptions, attachments_from_structure, bounded_batch, uid_set};
    use crate::sync::part_fetch::{find_part, parse_section};
    use async_imap::imap_proto::{AttributeValue, BodyStructure, Response};

    fn structure_of(line: &[u8], check: impl FnOnce(&BodyStructure<'_>)) {
        let (_, resp) = Response::parse(line).expect("parse");
        let Response::Fetch(_, attrs) = resp else {
            panic!("not a FETCH")
        };
        let bs = attrs
            .iter()
            .find_map(|a| match a {
                AttributeValue::BodyStructure(b) => Some(b),
                _ => None,
            })
            .expect("BODYSTRUCTURE");
        check(bs);
    }

    /// Sections listed with the attachments are the ones download_part finds, at every nesting.
    #[test]
    fn attachment_sections_match_part_lookup() {
        // multipart/mixed: 1 text, 2 message/rfc822 (single-part PDF body), 3 multipart/mixed
        // (3.1 text, 3.2 zip attachment).
        let line = b"* 1 FETCH (UID 9 BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 10 1 NIL NIL NIL NIL)(\"message\" \"rfc822\" (\"name\" \"postacert.eml\") NIL NIL \"7bit\" 500 (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL) (\"application\" \"pdf\" (\"name\" \"atto.pdf\") NIL NIL \"base64\" 300 NIL (\"attachment\" (\"filename\" \"atto.pdf\")) NIL NIL) 20 NIL (\"attachment\" (\"filename\" \"postacert.eml\")) NIL NIL)((\"text\" \"plain\" NIL NIL NIL \"7bit\" 5 1 NIL NIL NIL NIL)(\"application\" \"zip\" (\"name\" \"IT01234567890_00001.zip\") NIL NIL \"base64\" 400 NIL (\"attachment\" (\"filename\" \"IT01234567890_00001.zip\")) NIL NIL) \"mixed\" (\"boundary\" \"b2\") NIL NIL) \"mixed\" (\"boundary\" \"b1\") NIL NIL))\r\n";
        structure_of(line, |bs| {
            let mut out = Vec::new();
            attachments_from_structure(bs, &mut out);
            let got: Vec<(Option<&str>, Option<&str>)> = out
                .iter()
                .map(|a| (a.filename.as_deref(), a.section.as_deref()))
                .collect();
            assert_eq!(
                got,
                vec![
                    (Some("atto.pdf"), Some("2.1")),
                    (Some("IT01234567890_00001.zip"), Some("3.2")),
                ]
            );
            for a in &out {
                let path = parse_section(a.section.as_deref().expect("section")).expect("valid");
                let part = find_part(bs, &path).expect("found");
                assert!(!matches!(part, BodyStructure::Multipart { .. }));
            }
            assert!(find_part(bs, &[4]).is_none() && find_part(bs, &[3, 3]).is_none());
        });
        // A single-part message: the body is section 1.
        let single = b"* 2 FETCH (UID 10 BODYSTRUCTURE (\"application\" \"pdf\" (\"name\" \"a.pdf\") NIL NIL \"base64\" 100 NIL (\"attachment\" (\"filename\" \"a.pdf\")) NIL NIL))\r\n";
        structure_of(single, |bs| {
            let mut out = Vec::new();
            attachments_from_structure(bs, &mut out);
            assert_eq!(out.len(), 1);
            assert_eq!(out[0].section.as_deref(), Some("1"));
            assert!(find_part(bs, &[1]).is_some() && find_part(bs, &[2]).is_none());
        });
    }

    #[test]
    fn whole_batches_stop_at_their_byte_budget() {
        let mib = 1024 * 1024;
        // 500 PEC messages of 800 KB: 20 per 16 MiB batch, not 500 (400 MB in memory).
        let sizes = std::iter::repeat_n(800 * 1024, 500);
        assert_eq!(bounded_batch(sizes, 16 * mib), 20);
        // Small ones fill the count first; a message over the budget goes alone.
        assert_eq!(
            bounded_batch(std::iter::repeat_n(20_000, 500), 16 * mib),
            500
        );
        assert_eq!(bounded_batch([40 * mib, 1].into_iter(), 16 * mib), 1);
        assert_eq!(bounded_batch([1, 40 * mib].into_iter(), 16 * mib), 1);
        assert_eq!(bounded_batch(std::iter::empty(), 16 * mib), 0);
    }

    #[test]
    fn body_batches_stop_at_their_budget_and_large_bodies_go_alone() {
        let opts = SyncOptions::default();
        let (budget, chunk) = (opts.body_batch_bytes, opts.chunk_bytes);
        let sized = |sizes: &[u64]| -> Vec<(u32, u64)> {
            sizes
                .iter()
                .enumerate()
                .map(|(i, s)| (i as u32, *s))
                .collect()
        };
        assert_eq!(body_batch_len(&sized(&[]), &opts), 0);
        assert_eq!(body_batch_len(&sized(&[10; 5]), &opts), 5);
        assert_eq!(body_batch_len(&sized(&[10; 300]), &opts), 200);
        assert_eq!(body_batch_len(&sized(&[budget / 2; 3]), &opts), 2);
        // Over the chunk size: alone, and it ends the batch before it.
        assert_eq!(body_batch_len(&sized(&[chunk + 1, 10]), &opts), 1);
        assert_eq!(body_batch_len(&sized(&[10, 10, chunk + 1, 10]), &opts), 2);
        // Up to the chunk size, a message over the budget still goes whole, alone.
        assert_eq!(body_batch_len(&sized(&[chunk, 10]), &opts), 1);
    }

    #[test]
    fn uid_sets_compress_ranges() {
        assert_eq!(uid_set(&[5, 1, 2, 3, 7, 9, 10]), "1:3,5,7,9:10");
        assert_eq!(uid_set(&[4]), "4");
        assert_eq!(uid_set(&[]), "");
    }
}
