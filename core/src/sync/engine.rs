//! The sync engine.

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
    /// Bodies larger than this are fetched in chunks of this size.
    pub chunk_bytes: u64,
    /// Byte budget of one whole-message backfill batch (bodies held in memory at once; the
    /// pipeline holds three: fetched, being analysed, being written). A batch is cut at `header_batch` messages or at this many bytes,
    /// whichever comes first, so a mailbox of 800 KB PEC messages cannot fill memory.
    pub whole_batch_bytes: u64,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            bodies: BodyPolicy::ReceiptsOnly,
            first_batch: 50,
            header_batch: 500,
            body_batch_bytes: 4 * 1024 * 1024,
            chunk_bytes: 1024 * 1024,
            whole_batch_bytes: 16 * 1024 * 1024,
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

fn param<'a>(params: &'a imap_proto::BodyParams<'_>, key: &str) -> Option<&'a str> {
    params
        .as_ref()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_ref())
}

/// IMAP section of child `i` (1-based) under `parent` ("" at the top).
fn child_section(parent: &str, i: usize) -> String {
    if parent.is_empty() {
        i.to_string()
    } else {
        format!("{parent}.{i}")
    }
}

/// Attachments (names, types, sizes, IMAP sections for [`SyncEngine::download_part`]) from
/// BODYSTRUCTURE, looking inside postacert.eml.
pub(crate) fn attachments_from_structure(bs: &BodyStructure<'_>, out: &mut Vec<AttachmentRecord>) {
    match bs {
        BodyStructure::Multipart { .. } => structure_walk(bs, "", out, 0),
        // A single-part message: its body is section 1.
        _ => structure_walk(bs, "1", out, 0),
    }
}

/// `section` is the section of `bs` itself (for a multipart: the prefix of its children).
fn structure_walk(
    bs: &BodyStructure<'_>,
    section: &str,
    out: &mut Vec<AttachmentRecord>,
    depth: u32,
) {
    if depth > 8 {
        return;
    }
    match bs {
        BodyStructure::Multipart { bodies, .. } => {
            for (i, b) in bodies.iter().enumerate() {
                structure_walk(b, &child_section(section, i + 1), out, depth + 1);
            }
        }
        BodyStructure::Message {
            common,
            other,
            body,
            ..
        } => {
            let name = common
                .disposition
                .as_ref()
                .and_then(|d| param(&d.params, "filename"))
                .or_else(|| param(&common.ty.params, "name"));
            if name.is_none_or(|n| n.eq_ignore_ascii_case("postacert.eml")) {
                // Inside an encapsulated message, a multipart body's children are S.1, S.2…; a
                // single-part body is S.1.
                match body.as_ref() {
                    BodyStructure::Multipart { .. } => {
                        structure_walk(body, section, out, depth + 1)
                    }
                    single => structure_walk(single, &child_section(section, 1), out, depth + 1),
                }
            } else {
                out.push(AttachmentRecord {
                    filename: name.map(str::to_string),
                    mime: "message/rfc822".into(),
                    size: other.octets as u64,
                    section: Some(section.to_string()),
                });
            }
        }
        BodyStructure::Basic { common, other, .. } | BodyStructure::Text { common, other, .. } => {
            let is_attachment = common
                .disposition
                .as_ref()
                .is_some_and(|d| d.ty.eq_ignore_ascii_case("attachment"));
            let name = common
                .disposition
                .as_ref()
                .and_then(|d| param(&d.params, "filename"))
                .or_else(|| param(&common.ty.params, "name"));
            if !is_attachment && name.is_none() {
                return;
            }
            let lname = name.unwrap_or("").to_ascii_lowercase();
            if lname == "daticert.xml" || lname == "smime.p7s" {
                return;
            }
            out.push(AttachmentRecord {
                filename: name.map(str::to_string),
                mime: format!(
                    "{}/{}",
                    common.ty.ty.to_ascii_lowercase(),
                    common.ty.subtype.to_ascii_lowercase()
                ),
                size: other.octets as u64,
                section: Some(section.to_string()),
            });
        }
    }
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

/// A header-only record plus what BODYSTRUCTURE tells (attachments, invoice files).
fn header_record(f: &Fetched<'_, '_>) -> Option<(ImapMeta, MessageRecord)> {
    let uid = f.uid()?;
    let mut rec = receive::analyze_header(f.header().unwrap_or_default());
    if let Some(bs) = f.bodystructure() {
        attachments_from_structure(bs, &mut rec.attachments);
        rec.is_invoice = rec.kind() != crate::message::Kind::Receipt
            && rec.attachments.iter().any(|a| {
                a.filename
                    .as_deref()
                    .is_some_and(crate::sdi::is_invoice_file)
            });
    }
    let meta = ImapMeta {
        uid: Some(uid),
        modseq: f.modseq(),
        size: f.size().unwrap_or(0) as u64,
        internal_date: f.internal_date().map(|d| d.timestamp()),
        flags: server_flags(f.flags()),
    };
    Some((meta, rec))
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
        }
        r
    }

    async fn capabilities(&self, sess: &mut ImapSession) -> Result<Caps, SyncError> {
        let caps = sess.capabilities().await.map_err(map_imap)?;
        Ok(Caps {
            condstore: caps.has_str("CONDSTORE") || caps.has_str("QRESYNC"),
            qresync: caps.has_str("QRESYNC") && caps.has_str("ENABLE"),
            list_status: caps.has_str("LIST-STATUS")
                && (caps.has_str("CONDSTORE") || caps.has_str("QRESYNC")),
            special_use: caps.has_str("SPECIAL-USE"),
            mv: caps.has_str("MOVE"),
            quota: caps.has_str("QUOTA"),
            acl: caps.has_str("ACL"),
            uidplus: caps.has_str("UIDPLUS"),
        })
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

    /// LIST, assign roles (SPECIAL-USE, then names), store the folders. Inbox first.
    async fn discover(
        &self,
        sess: &mut ImapSession,
        account: &Account,
        caps: &Caps,
    ) -> Result<(Vec<Folder>, HashMap<String, FolderStatus>), SyncError> {
        drain_unsolicited(sess);
        let pattern = if caps.list_status {
            list_status::pattern(caps.special_use)
        } else {
            "*"
        };
        let names: Vec<(String, Option<String>, Option<FolderRole>, bool)> = {
            let stream = sess.list(Some(""), Some(pattern)).await.map_err(map_imap)?;
            let names: Vec<_> = stream.try_collect().await.map_err(map_imap)?;
            names
                .iter()
                .map(|n| {
                    let attrs = attribute_words(n);
                    let noselect = attrs.iter().any(|a| {
                        a.eq_ignore_ascii_case("\\Noselect")
                            || a.eq_ignore_ascii_case("\\NonExistent")
                    });
                    let delim = n.delimiter().map(str::to_string);
                    let role = role_of(n);
                    (n.name().to_string(), delim, role, noselect)
                })
                .collect()
        };
        let statuses = list_status::collect(sess);
        let id = account.id;
        let mut acl_rights: Vec<(String, String)> = Vec::new();
        let folders = self
            .shared
            .store
            .run(move |s| {
                // Write only what is new or changed: a no-change resync stays read-only here.
                let known = s.folders(id)?;
                let mut wrote = false;
                for (name, delim, role, noselect) in &names {
                    let same = known.iter().any(|k| {
                        &k.name == name
                            && (role.is_none() || k.role == *role)
                            && k.delimiter == *delim
                    });
                    if !noselect && !same {
                        s.ensure_folder(id, name, *role, delim.as_deref())?;
                        wrote = true;
                    }
                }
                let mut f = if wrote { s.folders(id)? } else { known };
                let server: HashSet<&str> = names.iter().map(|n| n.0.as_str()).collect();
                f.retain(|x| server.contains(x.name.as_str()));
                f.sort_by_key(|x| match x.role {
                    Some(FolderRole::Inbox) => 0,
                    Some(FolderRole::Sent) => 1,
                    _ => 2,
                });
                Ok(f)
            })
            .await?;
        // MYRIGHTS: on the first pass, then at most hourly (delegations change rarely; a refused
        // command surfaces as an error anyway).
        let rights_key = format!("rights_checked_at:{id}");
        let rights_due = {
            let key = rights_key.clone();
            let last = self.shared.store.run(move |s| s.setting(&key)).await?;
            let stale = last
                .and_then(|v| v.parse::<i64>().ok())
                .is_none_or(|t| crate::store::now() - t > 3600);
            stale || folders.iter().any(|f| f.myrights.is_none())
        };
        if caps.acl && rights_due {
            for f in &folders {
                if let Some(r) = self.myrights(sess, &f.name).await? {
                    acl_rights.push((f.name.clone(), r));
                }
            }
            let store = self.shared.store.clone();
            let by_id: Vec<(i64, String)> = folders
                .iter()
                .filter_map(|f| {
                    acl_rights
                        .iter()
                        .find(|(n, _)| n == &f.name)
                        .map(|(_, r)| (f.id, r.clone()))
                })
                .collect();
            store
                .run(move |s| {
                    for (id, r) in &by_id {
                        s.set_folder_rights(*id, Some(r))?;
                    }
                    s.set_setting(&rights_key, &crate::store::now().to_string())
                })
                .await?;
        }
        Ok((folders, statuses))
    }

    /// ACL MYRIGHTS for a folder (RFC 4314 letters).
    async fn myrights(
        &self,
        sess: &mut ImapSession,
        folder: &str,
    ) -> Result<Option<String>, SyncError> {
        drain_unsolicited(sess);
        let quoted = format!("\"{}\"", folder.replace('\\', "\\\\").replace('"', "\\\""));
        match sess
            .run_command_and_check_ok(format!("MYRIGHTS {quoted}"))
            .await
        {
            Ok(()) => {}
            Err(async_imap::error::Error::No(_)) => return Ok(None),
            Err(e) => return Err(map_imap(e)),
        }
        let mut rights = None;
        while let Ok(u) = sess.unsolicited_responses.try_recv() {
            if let async_imap::types::UnsolicitedResponse::Other(data) = u
                && let imap_proto::Response::MyRights(m) = data.parsed()
            {
                rights = Some(m.rights.iter().map(|r| char::from(*r)).collect::<String>());
            }
        }
        Ok(rights)
    }

    async fn quota(&self, sess: &mut ImapSession, account: AccountId) -> Result<(), SyncError> {
        let (_roots, quotas) = match sess.get_quota_root("INBOX").await {
            Ok(q) => q,
            Err(async_imap::error::Error::No(_)) => return Ok(()),
            Err(e) => return Err(map_imap(e)),
        };
        drain_unsolicited(sess);
        let storage = quotas
            .iter()
            .flat_map(|q| q.resources.iter())
            .find(|r| matches!(r.name, async_imap::types::QuotaResourceName::Storage));
        if let Some(r) = storage {
            let (used, limit) = (r.usage, r.limit);
            self.shared
                .store
                .run(move |s| {
                    let a = s.account(account)?;
                    if a.quota_used_kb != Some(used) || a.quota_limit_kb != Some(limit) {
                        s.set_quota(account, Some(used), Some(limit))?;
                    }
                    Ok(())
                })
                .await?;
            self.emit(SyncEvent::Quota {
                account,
                used_kb: used,
                limit_kb: limit,
            });
        }
        Ok(())
    }

    /// Replay queued local actions, oldest first. Returns (applied, dropped).
    async fn replay(
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
                            kind: super::SyncErrorKind::Server,
                            message: format!("action on {} refused: {m}", a.folder),
                        });
                    }
                }
                Err(e) => return Err(map_imap(e)),
            }
        }
        Ok((applied, dropped))
    }

    #[allow(clippy::too_many_arguments)]
    async fn sync_folder(
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
                let set =
                    super::commands::uid_search(sess, &format!("UID 1:{}", backfill_below - 1))
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
            let server: HashSet<u32> = super::commands::uid_search(sess, "ALL").await?;
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

    fn progress(&self, account: AccountId, folder: &str, done: u64, total: u64) {
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

    /// Fetch headers (+BODYSTRUCTURE, flags, size) for a UID set and store them in one transaction.
    /// Returns (inserted, already known).
    async fn fetch_headers(
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

    /// One backfill batch fetched whole (`sizes` from [`fetch_sizes`]): small messages with their
    /// bodies in one FETCH, large ones (over the chunk size or the policy limit) header-only
    /// (their bodies come later, in chunks). Returns rows ready to parse and write: `raw` is set
    /// for whole ones. UIDs without a size were expunged meanwhile and are skipped.
    async fn fetch_whole(
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
    async fn fetch_bodies(
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
        if wanted.is_empty() {
            return Ok(0);
        }
        let total = wanted.len() as u64;
        let mut done = 0u64;
        let mut pending: Option<tokio::task::JoinHandle<Result<usize, SyncError>>> = None;
        let mut i = 0;
        while i < wanted.len() {
            // Small messages go in batches up to the byte budget; big ones alone, in chunks.
            let mut batch: Vec<u32> = Vec::new();
            let mut bytes = 0u64;
            while i < wanted.len() {
                let (uid, size) = wanted[i];
                if size > opts.chunk_bytes {
                    if batch.is_empty() {
                        batch.push(uid);
                        i += 1;
                    }
                    break;
                }
                if !batch.is_empty() && (bytes + size > opts.body_batch_bytes || batch.len() >= 200)
                {
                    break;
                }
                batch.push(uid);
                bytes += size;
                i += 1;
            }
            let raws: Vec<FetchedBody> = if batch.len() == 1 && wanted[i - 1].1 > opts.chunk_bytes {
                let uid = batch[0];
                let raw = fetch_chunked(sess, uid, opts.chunk_bytes).await?;
                vec![(uid, ServerFlags::default(), None, raw)]
            } else {
                let mut v = Vec::with_capacity(batch.len());
                let mut stream = sess
                    .uid_fetch(uid_set(&batch), "(UID FLAGS BODY.PEEK[])")
                    .await
                    .map_err(map_imap)?;
                while let Some(f) = stream.try_next().await.map_err(map_imap)? {
                    if let (Some(uid), Some(body)) = (f.uid, f.body()) {
                        v.push((uid, server_flags(f.flags()), f.modseq, body.to_vec()));
                    }
                }
                v
            };
            drain_unsolicited(sess);
            if let Some(p) = pending.take() {
                let n = p.await.map_err(|e| SyncError::Store(e.to_string()))??;
                done += n as u64;
                self.progress(account, &folder.name, done, total);
            }
            let store = self.shared.store.clone();
            let analyzer = self.shared.receiver.analyzer();
            pending = Some(tokio::task::spawn_blocking(move || {
                let items = analyze_batch(&analyzer, raws);
                let n = items.len();
                store.upsert_bodies(fid, &items)?;
                Ok(n)
            }));
        }
        if let Some(p) = pending.take() {
            let n = p.await.map_err(|e| SyncError::Store(e.to_string()))??;
            done += n as u64;
            self.progress(account, &folder.name, done, total);
        }
        Ok(done)
    }

    /// Download one message now (the reader opened it), analyse and cache it.
    pub async fn fetch_body(&self, message: MessageId) -> Result<Vec<u8>, SyncError> {
        super::conn::contained(self.fetch_body_uncontained(message)).await
    }

    /// [`Self::fetch_body`] without the panic containment.
    async fn fetch_body_uncontained(&self, message: MessageId) -> Result<Vec<u8>, SyncError> {
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
        let raw = fetch_chunked(&mut sess, uid, SyncOptions::default().chunk_bytes).await?;
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

    /// Wait on the inbox with IDLE until the server reports a change or `timeout` passes; at once
    /// when the inbox already holds mail the last pass did not see.
    pub async fn idle_inbox(
        &self,
        account: AccountId,
        timeout: Duration,
    ) -> Result<bool, SyncError> {
        super::conn::contained(self.idle_inbox_uncontained(account, timeout)).await
    }

    /// [`Self::idle_inbox`] without the panic containment.
    async fn idle_inbox_uncontained(
        &self,
        account: AccountId,
        timeout: Duration,
    ) -> Result<bool, SyncError> {
        let (acc, password) = self.account(account).await?;
        let mut sess = connect(&acc, &password).await?;
        let inbox = sess.select("INBOX").await.map_err(map_imap)?;
        // Mail that came between the last pass and this SELECT would wait for the IDLE timeout:
        // IDLE reports only what changes after it starts.
        let synced = self
            .shared
            .store
            .run(move |s| Ok(s.find_folder(account, "inbox")?.and_then(|f| f.uidnext)))
            .await?;
        if inbox.uid_next.is_some() && inbox.uid_next != synced {
            let _ = sess.logout().await;
            return Ok(true);
        }
        let mut idle = sess.idle();
        idle.init().await.map_err(map_imap)?;
        let (fut, _stop) = idle.wait_with_timeout(timeout);
        let r = fut.await.map_err(map_imap)?;
        let changed = matches!(r, async_imap::extensions::idle::IdleResponse::NewData(_));
        if let Ok(mut s) = idle.done().await {
            let _ = s.logout().await;
        }
        Ok(changed)
    }
}

/// Largest message a whole-message batch carries with its body.
fn whole_limit(opts: &SyncOptions) -> u64 {
    match opts.bodies {
        BodyPolicy::All => opts.chunk_bytes,
        BodyPolicy::UpTo(n) => n.min(opts.chunk_bytes),
        BodyPolicy::ReceiptsOnly => 0,
    }
}

/// How many of the next messages (their sizes, in order) one batch takes: as many as fit in
/// `budget` bytes, and always at least one (a message over the budget goes alone).
fn bounded_batch(sizes: impl Iterator<Item = u64>, budget: u64) -> usize {
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
async fn fetch_sizes(sess: &mut ImapSession, uids: &[u32]) -> Result<HashMap<u32, u64>, SyncError> {
    let mut sizes = HashMap::with_capacity(uids.len());
    uid_fetch_each(sess, &uid_set(uids), "(UID RFC822.SIZE)", |f| {
        if let (Some(uid), Some(size)) = (f.uid(), f.size()) {
            sizes.insert(uid, u64::from(size));
        }
    })
    .await?;
    Ok(sizes)
}

fn policy_limit(p: BodyPolicy) -> Option<u64> {
    match p {
        BodyPolicy::ReceiptsOnly => Some(0),
        BodyPolicy::UpTo(n) => Some(n),
        BodyPolicy::All => None,
    }
}

async fn store_flags(
    sess: &mut ImapSession,
    uid: &str,
    query: &str,
) -> Result<(), async_imap::error::Error> {
    let stream = sess.uid_store(uid, query).await?;
    let _: Vec<Fetch> = stream.try_collect().await?;
    Ok(())
}

async fn store_flags_seq(
    sess: &mut ImapSession,
    seq: &str,
    query: &str,
) -> Result<(), async_imap::error::Error> {
    let stream = sess.store(seq, query).await?;
    let _: Vec<Fetch> = stream.try_collect().await?;
    Ok(())
}

async fn expunge_uid(
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

/// One message fetched whole: UID, flags, MODSEQ, raw bytes.
type FetchedBody = (u32, ServerFlags, Option<u64>, Vec<u8>);

/// Analyse one fetched batch (MIME parse, PEC analysis, signature check): the two halves of the
/// batch on two threads, since analysis is most of the CPU of a full sync and the writer that
/// follows is single-threaded anyway. Order is kept (UID order), so the caller writes the batch in
/// one transaction exactly as before.
/// A row of a whole-message batch: IMAP facts, the record, and the raw message when fetched whole.
type Whole = (ImapMeta, MessageRecord, Option<Vec<u8>>);

/// Analyse the whole messages of a backfill batch (large ones came header-only and keep their
/// header record); returns the rows and how many bodies they carry.
fn analyse_whole(analyzer: &Analyzer, items: Vec<Whole>) -> (Vec<Whole>, u64) {
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
fn write_batch(store: &Store, folder: i64, items: &[Whole]) -> crate::store::Result<(u32, u32)> {
    let out = store.upsert_batch(folder, items)?;
    let inserted = out.iter().filter(|o| o.inserted).count() as u32;
    Ok((inserted, out.len() as u32 - inserted))
}

fn analyze_batch(
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
fn on_two_threads<T: Send, R: Send>(
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
/// response is larger than a chunk.
async fn fetch_chunked(sess: &mut ImapSession, uid: u32, chunk: u64) -> Result<Vec<u8>, SyncError> {
    let mut raw = Vec::new();
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

#[cfg(test)]
mod tests {
    use super::{attachments_from_structure, bounded_batch, uid_set};
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
    fn uid_sets_compress_ranges() {
        assert_eq!(uid_set(&[5, 1, 2, 3, 7, 9, 10]), "1:3,5,7,9:10");
        assert_eq!(uid_set(&[4]), "4");
        assert_eq!(uid_set(&[]), "");
    }
}
