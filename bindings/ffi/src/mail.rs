//! Sync and send: the network half of the facade (pec-core's `sync` and `outbox`, converted).

use crate::app::App;
use crate::error::{PecError, Result};
use crate::events::Subscription;
use crate::runtime::blocking;
use crate::types::{ErrorEvent, SyncState};
use pec_core::compose::{self, Attachment, Draft, Mailbox, Priority, ReceiptType};
use pec_core::outbox::{self, SendState, SendStatus};
use pec_core::sync::{BodyPolicy, SyncError, SyncEvent, SyncOptions};
use std::sync::Arc;
use std::time::Duration;

/// Progress of a sync, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct SyncProgress {
    pub account_id: i64,
    pub folder: String,
    pub done: u64,
    pub total: u64,
}

/// What one sync pass did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct SyncSummary {
    pub folders: u32,
    pub added: u64,
    pub updated: u64,
    pub removed: u64,
    pub bodies: u64,
    pub actions_replayed: u64,
    /// Milliseconds from the start to the first inbox rows (initial sync).
    pub first_rows_ms: Option<u64>,
}

/// Sync progress and errors.
#[uniffi::export(foreign)]
pub trait SyncListener: Send + Sync {
    fn on_progress(&self, progress: SyncProgress);
    fn on_error(&self, error: ErrorEvent);
}

/// How much to download.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum BodyDownload {
    /// Receipts only; other bodies on demand.
    ReceiptsOnly,
    /// Receipts and every message up to 2 MB (the default of the apps).
    Small,
    /// Everything (offline mode, `pec sync --full`).
    All,
}

/// An attachment to send.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OutgoingAttachment {
    pub file_name: String,
    pub mime: Option<String>,
    /// The content, when the app holds it in memory (empty when `path` is given).
    pub data: Vec<u8>,
    /// A file the core reads when it builds the message, so the app never holds it whole:
    /// what `attachment_from_path` gives. `data` is ignored when this is set.
    #[uniffi(default)]
    pub path: Option<String>,
}

/// The compose screen.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ComposeDraft {
    /// `Name <address>` or a bare address.
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub text: String,
    pub attachments: Vec<OutgoingAttachment>,
    /// The receipt asked of the provider; `completa` when `None`.
    pub receipt: Option<RequestedReceipt>,
    /// Message-ID this replies to (without angle brackets).
    pub in_reply_to: Option<String>,
    /// Refused when not empty: PEC has no hidden recipients (kept so no input is dropped silently).
    #[uniffi(default)]
    pub bcc: Vec<String>,
    /// An HTML alternative of `text`.
    #[uniffi(default)]
    pub html: Option<String>,
    /// `Normal` when `None`.
    #[uniffi(default)]
    pub priority: Option<MessagePriority>,
    /// Appended to the bodies after "-- ".
    #[uniffi(default)]
    pub signature: Option<String>,
    /// Message-IDs of the thread (without angle brackets), oldest first.
    #[uniffi(default)]
    pub references: Vec<String>,
}

/// The delivery receipt a sender asks for (`X-TipoRicevuta`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum RequestedReceipt {
    /// The receipt carries the whole message (the default).
    Completa,
    /// The receipt carries hashes of the message's parts instead.
    Breve,
    /// The receipt carries the certification data only.
    Sintetica,
}

impl RequestedReceipt {
    /// `completa`, `breve` or `sintetica`, any case.
    pub fn parse(word: &str) -> Option<RequestedReceipt> {
        ReceiptType::parse(&word.trim().to_ascii_lowercase()).map(Into::into)
    }
}

impl From<ReceiptType> for RequestedReceipt {
    fn from(r: ReceiptType) -> Self {
        match r {
            ReceiptType::Completa => RequestedReceipt::Completa,
            ReceiptType::Breve => RequestedReceipt::Breve,
            ReceiptType::Sintetica => RequestedReceipt::Sintetica,
        }
    }
}

impl From<RequestedReceipt> for ReceiptType {
    fn from(r: RequestedReceipt) -> Self {
        match r {
            RequestedReceipt::Completa => ReceiptType::Completa,
            RequestedReceipt::Breve => ReceiptType::Breve,
            RequestedReceipt::Sintetica => ReceiptType::Sintetica,
        }
    }
}

/// A message's priority (`X-Priority` / `Importance`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum MessagePriority {
    High,
    Normal,
    Low,
}

impl MessagePriority {
    /// `high`/`alta`, `normal`/`normale`, `low`/`bassa`, any case.
    pub fn parse(word: &str) -> Option<MessagePriority> {
        Priority::parse(word).map(Into::into)
    }
}

impl From<Priority> for MessagePriority {
    fn from(p: Priority) -> Self {
        match p {
            Priority::High => MessagePriority::High,
            Priority::Normal => MessagePriority::Normal,
            Priority::Low => MessagePriority::Low,
        }
    }
}

impl From<MessagePriority> for Priority {
    fn from(p: MessagePriority) -> Self {
        match p {
            MessagePriority::High => Priority::High,
            MessagePriority::Normal => Priority::Normal,
            MessagePriority::Low => Priority::Low,
        }
    }
}

/// Why a draft cannot be sent yet (the compose screen translates the kind; `detail` names the
/// address or file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum DraftProblemKind {
    NoRecipients,
    /// PEC has no hidden recipients.
    BccNotAllowed,
    InvalidAddress,
    NoSender,
    /// A program or script: providers refuse it.
    BlockedAttachment,
    AttachmentUnreadable,
    /// Size × recipients over the provider's limit.
    TooLarge,
    TooManyRecipients,
    BadSubject,
    HtmlWithoutText,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DraftProblem {
    pub kind: DraftProblemKind,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DraftRecipient {
    pub address: String,
    pub valid: bool,
    /// A known certified domain: a delivery receipt will come back for it.
    pub pec: bool,
    /// The texts of `ComposeDraft.to` and `cc` that name this recipient, as they were given
    /// (`Mario Rossi <mario@pec.it>`): how the screen finds the check of each chip.
    pub inputs: Vec<String>,
}

/// The compose screen's live check of a draft ([`App::check_draft`]).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DraftCheck {
    pub recipients: Vec<DraftRecipient>,
    pub estimated_size: u64,
    /// Size × valid recipients: what the provider's limit is about.
    pub total_bytes: u64,
    pub limit_bytes: u64,
    pub max_recipients: u32,
    /// Empty when the draft can be sent.
    pub problems: Vec<DraftProblem>,
    /// How full the sender's box is: nearly full or full, the receipts of this PEC may not
    /// reach it.
    pub sender_quota: crate::types::QuotaLevel,
}

impl DraftCheck {
    /// The core's check of a draft whose To and Cc texts were `inputs` (To then Cc).
    fn of(
        c: compose::ComposeCheck,
        inputs: &[String],
        sender_quota: crate::types::QuotaLevel,
    ) -> Self {
        use compose::ComposeError as E;
        DraftCheck {
            recipients: c
                .recipients
                .into_iter()
                .map(|r| DraftRecipient {
                    inputs: r
                        .inputs
                        .iter()
                        .filter_map(|&i| inputs.get(i).cloned())
                        .collect(),
                    address: r.address,
                    valid: r.valid,
                    pec: r.pec,
                })
                .collect(),
            estimated_size: c.estimated_size,
            total_bytes: c.total_bytes,
            limit_bytes: c.limit_bytes,
            max_recipients: c.max_recipients,
            problems: c
                .problems
                .into_iter()
                .map(|p| DraftProblem {
                    kind: match &p {
                        E::NoRecipients => DraftProblemKind::NoRecipients,
                        E::BccNotAllowed { .. } => DraftProblemKind::BccNotAllowed,
                        E::InvalidAddress { .. } => DraftProblemKind::InvalidAddress,
                        E::NoSender => DraftProblemKind::NoSender,
                        E::BlockedAttachment { .. } => DraftProblemKind::BlockedAttachment,
                        E::AttachmentUnreadable { .. } => DraftProblemKind::AttachmentUnreadable,
                        E::TooLarge { .. } => DraftProblemKind::TooLarge,
                        E::TooManyRecipients { .. } => DraftProblemKind::TooManyRecipients,
                        E::BadSubject => DraftProblemKind::BadSubject,
                        E::HtmlWithoutText => DraftProblemKind::HtmlWithoutText,
                        _ => DraftProblemKind::Other,
                    },
                    detail: p.to_string(),
                })
                .collect(),
            sender_quota,
        }
    }
}

/// What `send` did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct SendResult {
    pub outbox_id: i64,
    /// The local copy in the store (list row id), to watch its ticks with `subscribe_delivery`.
    pub message_row: Option<i64>,
    pub message_id: String,
    pub submitted: bool,
    /// Non-blocking remarks (e.g. a recipient that may not be a PEC box).
    pub warnings: Vec<String>,
}

/// One state of a sent PEC or of one of its recipients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SendStep {
    Queued,
    Sending,
    Submitted,
    Accepted,
    Delivered,
    Failed,
    Warning,
    Rejected,
}

impl From<SendState> for SendStep {
    fn from(s: SendState) -> Self {
        match s {
            SendState::Queued => SendStep::Queued,
            SendState::Sending => SendStep::Sending,
            SendState::Submitted => SendStep::Submitted,
            SendState::Accepted => SendStep::Accepted,
            SendState::Delivered => SendStep::Delivered,
            SendState::Failed => SendStep::Failed,
            SendState::Warning => SendStep::Warning,
            SendState::Rejected => SendStep::Rejected,
        }
    }
}

/// What a step of a send's timeline says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimelineStep {
    Queued,
    /// An attempt claimed the message.
    Sending,
    Submitted,
    /// Not submitted (network, temporary refusal): tried again later.
    Retry,
    /// The outcome of an attempt is not known until the server is checked.
    Unknown,
    /// A server check proved an earlier attempt reached the provider.
    Recovered,
    Rejected,
    /// The copy was stored in the server's Sent folder.
    SentCopy,
    Accepted,
    Delivered,
    Failed,
    Warning,
}

impl TimelineStep {
    /// The word the terminal client prints (`sent-copy`).
    pub fn as_str(self) -> &'static str {
        outbox::EventKind::from(self).as_str()
    }
}

impl From<outbox::EventKind> for TimelineStep {
    fn from(k: outbox::EventKind) -> Self {
        use outbox::EventKind as K;
        match k {
            K::Queued => TimelineStep::Queued,
            K::Sending => TimelineStep::Sending,
            K::Submitted => TimelineStep::Submitted,
            K::Retry => TimelineStep::Retry,
            K::Unknown => TimelineStep::Unknown,
            K::Recovered => TimelineStep::Recovered,
            K::Rejected => TimelineStep::Rejected,
            K::SentCopy => TimelineStep::SentCopy,
            K::Accepted => TimelineStep::Accepted,
            K::Delivered => TimelineStep::Delivered,
            K::Failed => TimelineStep::Failed,
            K::Warning => TimelineStep::Warning,
        }
    }
}

impl From<TimelineStep> for outbox::EventKind {
    fn from(k: TimelineStep) -> Self {
        use outbox::EventKind as K;
        match k {
            TimelineStep::Queued => K::Queued,
            TimelineStep::Sending => K::Sending,
            TimelineStep::Submitted => K::Submitted,
            TimelineStep::Retry => K::Retry,
            TimelineStep::Unknown => K::Unknown,
            TimelineStep::Recovered => K::Recovered,
            TimelineStep::Rejected => K::Rejected,
            TimelineStep::SentCopy => K::SentCopy,
            TimelineStep::Accepted => K::Accepted,
            TimelineStep::Delivered => K::Delivered,
            TimelineStep::Failed => K::Failed,
            TimelineStep::Warning => K::Warning,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct TimelineEvent {
    pub kind: TimelineStep,
    pub at: i64,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct SendRecipient {
    pub address: String,
    pub step: SendStep,
    pub reason: Option<String>,
    pub certified: Option<bool>,
    pub events: Vec<TimelineEvent>,
}

/// A sent PEC's status: the send screen's timeline.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct SendStatusView {
    pub outbox_id: i64,
    /// The account it is sent from.
    pub account_id: i64,
    pub message_id: String,
    pub subject: Option<String>,
    pub step: SendStep,
    /// 0 (sent), 1 (accepted) or 2 (every certified recipient delivered); `None` on failure.
    pub ticks: Option<u8>,
    pub error: Option<String>,
    pub attempts: u32,
    pub recipients: Vec<SendRecipient>,
    pub events: Vec<TimelineEvent>,
    /// True when nothing more will change (delivered, failed or rejected everywhere).
    pub finished: bool,
}

fn events(v: Vec<outbox::EventView>) -> Vec<TimelineEvent> {
    v.into_iter()
        .map(|e| TimelineEvent {
            kind: e.kind.into(),
            at: e.at,
            detail: e.detail,
        })
        .collect()
}

impl From<SendStatus> for SendStatusView {
    fn from(s: SendStatus) -> Self {
        SendStatusView {
            outbox_id: s.id,
            account_id: s.account_id,
            message_id: s.message_id,
            subject: s.subject,
            step: s.state.into(),
            ticks: s.ticks,
            error: s.error,
            attempts: s.attempts,
            finished: s.finished,
            recipients: s
                .recipients
                .into_iter()
                .map(|r| SendRecipient {
                    address: r.address,
                    step: r.state.into(),
                    reason: r.reason,
                    certified: r.certified,
                    events: events(r.events),
                })
                .collect(),
            events: events(s.events),
        }
    }
}

/// A sent PEC's status, on every change.
#[uniffi::export(foreign)]
pub trait SendListener: Send + Sync {
    fn on_status(&self, status: SendStatusView);
    fn on_error(&self, error: ErrorEvent);
}

/// What the core downloads for `bodies`: the same three choices as the settings' downloads.
fn body_policy(bodies: BodyDownload) -> BodyPolicy {
    use pec_core::context::DownloadPolicy;
    match bodies {
        BodyDownload::ReceiptsOnly => DownloadPolicy::ReceiptsOnly,
        BodyDownload::Small => DownloadPolicy::Small,
        BodyDownload::All => DownloadPolicy::All,
    }
    .body_policy()
}

/// A running background sync ([`App::start_background_sync`]).
#[derive(uniffi::Object)]
pub struct BackgroundSync {
    handle: std::sync::Mutex<Option<pec_core::sync::SyncHandle>>,
}

#[uniffi::export]
impl BackgroundSync {
    /// End the loop (a pass under way is cut; what it committed stays).
    pub fn stop(&self) {
        if let Ok(mut handle) = self.handle.lock() {
            handle.take();
        }
    }

    /// False once stopped, or ended by an error the user must fix (`App::sync_status` says which).
    pub fn is_running(&self) -> bool {
        self.handle
            .lock()
            .map(|h| h.as_ref().is_some_and(|h| !h.is_finished()))
            .unwrap_or(false)
    }
}

/// A sync error as listeners and `sync_status` see it: the code is the one
/// [`crate::PecError::code`] gives the same failure thrown, the detail the engine's message.
pub(crate) fn error_event(kind: pec_core::sync::SyncErrorKind, message: String) -> ErrorEvent {
    let code = PecError::from(SyncError::of_kind(kind, String::new())).code();
    ErrorEvent {
        code: code.into(),
        detail: message,
    }
}

pub(crate) fn draft_of(d: ComposeDraft) -> Draft {
    let mut draft = Draft::new();
    draft.to = d.to.iter().map(|s| Mailbox::parse(s)).collect();
    draft.cc = d.cc.iter().map(|s| Mailbox::parse(s)).collect();
    draft.subject = d.subject;
    draft.text = Some(d.text);
    draft.receipt = d.receipt.map(Into::into).unwrap_or(ReceiptType::Completa);
    draft.in_reply_to = d.in_reply_to;
    draft.bcc = d.bcc.iter().map(|s| Mailbox::parse(s)).collect();
    draft.html = d.html;
    draft.priority = d.priority.map(Into::into).unwrap_or_default();
    draft.signature = d.signature.filter(|s| !s.is_empty());
    draft.references = d.references;
    draft.attachments = d
        .attachments
        .into_iter()
        .map(|a| {
            let mut att = match a.path {
                Some(path) => Attachment {
                    filename: a.file_name,
                    mime: None,
                    source: pec_core::compose::AttachmentSource::File(path.into()),
                },
                None => Attachment::from_bytes(a.file_name, a.data),
            };
            att.mime = a.mime;
            att
        })
        .collect();
    draft
}

#[uniffi::export]
impl App {
    /// One sync pass over every folder, with progress. Emits store changes as it goes.
    pub async fn sync(
        &self,
        account_id: i64,
        bodies: BodyDownload,
        listener: Option<Arc<dyn SyncListener>>,
    ) -> Result<SyncSummary> {
        let inner = self.inner.clone();
        crate::runtime::spawn(async move {
            // This call's listener hears this account's progress and errors; the changes reach
            // the change bus through the context.
            let _sub = inner.ctx.engine().subscribe(move |ev| {
                let Some(l) = &listener else { return };
                match ev {
                    SyncEvent::Progress {
                        account,
                        folder,
                        done,
                        total,
                    } if account == account_id => l.on_progress(SyncProgress {
                        account_id: account,
                        folder,
                        done,
                        total,
                    }),
                    SyncEvent::Error {
                        account,
                        kind,
                        message,
                    } if account == account_id => l.on_error(error_event(kind, message)),
                    _ => {}
                }
            });
            let opts = SyncOptions {
                bodies: body_policy(bodies),
                ..SyncOptions::default()
            };
            let report = inner.ctx.sync(account_id, &opts).await?;
            Ok(SyncSummary {
                folders: report.folders,
                added: report.added,
                updated: report.updated,
                removed: report.removed,
                bodies: report.bodies,
                actions_replayed: report.actions_replayed,
                first_rows_ms: report.first_rows_after.map(|d| d.as_millis() as u64),
            })
        })
        .await
    }

    /// Keep `account` in sync without being asked: a pass, then IDLE on the inbox until the server
    /// reports a change (or five minutes pass), again; network errors retry with backoff (1 s to
    /// 5 min), a refused login or certificate stops it (the status says why). For an app in the
    /// foreground or a platform background task; `stop()` (or dropping it) ends it. Changes reach
    /// `subscribe_changes` as after `sync`.
    pub fn start_background_sync(
        &self,
        account_id: i64,
        bodies: BodyDownload,
    ) -> Result<Arc<BackgroundSync>> {
        let _entered = self.inner.rt.enter();
        let handle = self.inner.ctx.start_background_sync(
            account_id,
            SyncOptions {
                bodies: body_policy(bodies),
                ..SyncOptions::default()
            },
        )?;
        Ok(Arc::new(BackgroundSync {
            handle: std::sync::Mutex::new(Some(handle)),
        }))
    }

    /// Where the sync stands: the app has one engine, so this is every caller's pass (running or
    /// not, the folder and progress, the last success and the last error).
    pub fn sync_status(&self) -> SyncState {
        let s = self.inner.ctx.engine().status();
        SyncState {
            running: s.running,
            folder: s.folder,
            done: s.done,
            total: s.total,
            last_sync: s.last_sync,
            last_error: s
                .last_error
                .map(|(kind, message)| error_event(kind, message)),
        }
    }

    /// Download one message's body (for the detail screen of a header-only row).
    pub async fn download(&self, message_id: i64) -> Result<()> {
        let inner = self.inner.clone();
        crate::runtime::spawn(async move {
            inner.ctx.download(message_id).await?;
            Ok(())
        })
        .await
    }

    /// Validate, queue (persisted: never lost) and submit a PEC. A network failure leaves it in
    /// the outbox (`submitted = false`); `send_pending` retries. `kept`: the compose the core
    /// keeps for this screen (`keep_compose`), forgotten in the transaction that queues the PEC.
    #[uniffi::method(default(kept = None))]
    pub async fn send(
        &self,
        account_id: i64,
        draft: ComposeDraft,
        kept: Option<i64>,
    ) -> Result<SendResult> {
        let draft = draft_of(draft);
        let inner = self.inner.clone();
        crate::runtime::spawn(async move {
            let out = inner.ctx.send_kept(account_id, &draft, kept).await?;
            Ok(SendResult {
                outbox_id: out.queued.id,
                message_row: out.message_row,
                message_id: out.queued.message_id,
                submitted: out.submitted,
                warnings: out.queued.warnings.iter().map(|w| w.to_string()).collect(),
            })
        })
        .await
    }

    /// Validate and queue a PEC without contacting the server (`send_pending` submits it).
    pub async fn queue(&self, account_id: i64, draft: ComposeDraft) -> Result<SendResult> {
        let draft = draft_of(draft);
        let inner = self.inner.clone();
        blocking(move || {
            let queued = inner.ctx.queue(account_id, &draft)?;
            let entry = inner.ctx.outbox().entry(queued.id)?;
            Ok(SendResult {
                outbox_id: queued.id,
                message_row: entry.message_row,
                message_id: queued.message_id,
                submitted: false,
                warnings: queued.warnings.iter().map(|w| w.to_string()).collect(),
            })
        })
        .await
    }

    /// The compose screen's live check of a draft from `account_id`: every problem at once, each
    /// recipient (valid, certified), and the size × recipients budget against the provider's limit.
    pub async fn check_draft(&self, account_id: i64, draft: ComposeDraft) -> Result<DraftCheck> {
        let inputs: Vec<String> = draft.to.iter().chain(&draft.cc).cloned().collect();
        let draft = draft_of(draft);
        let inner = self.inner.clone();
        blocking(move || {
            let checked = inner.ctx.check_draft(account_id, &draft)?;
            let quota = inner.store().account(account_id)?.quota_level();
            Ok(DraftCheck::of(checked, &inputs, quota.into()))
        })
        .await
    }

    /// The outbox entry named by its number or its Message-ID (with or without angle brackets).
    pub async fn find_outbox(&self, key: String) -> Result<i64> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.ctx.outbox().find(&key)?)).await
    }

    /// Override the size rule (size × recipients, in MB) the outbox enforces for this account,
    /// e.g. a provider contract above the preset's figure.
    pub async fn set_send_limit(&self, account_id: i64, max_total_mb: u32) -> Result<()> {
        let inner = self.inner.clone();
        blocking(move || {
            inner.store().account(account_id)?;
            let outbox = inner.ctx.outbox();
            let mut preset = outbox.preset(account_id)?;
            preset.max_total_bytes = u64::from(max_total_mb) * 1024 * 1024;
            Ok(outbox.set_preset(account_id, &preset)?)
        })
        .await
    }

    /// Retry what is due in the outbox.
    pub async fn send_pending(&self, account_id: i64) -> Result<u32> {
        let inner = self.inner.clone();
        crate::runtime::spawn(async move { Ok(inner.ctx.send_pending(account_id).await? as u32) })
            .await
    }

    /// Fetch new mail with receipt bodies (a pass of the app's one sync engine); returns how many
    /// messages arrived.
    pub async fn refresh_receipts(&self, account_id: i64) -> Result<u32> {
        let inner = self.inner.clone();
        crate::runtime::spawn(
            async move { Ok(inner.ctx.refresh_receipts(account_id).await? as u32) },
        )
        .await
    }

    /// A sent PEC's timeline.
    pub async fn send_status(&self, outbox_id: i64) -> Result<SendStatusView> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.ctx.send_status(outbox_id)?.into())).await
    }

    /// Watch a sent PEC: its status now, then on every change, fetching receipts from the server
    /// every `poll_seconds` (0 = only on changes found by a sync) until it is finished.
    pub fn subscribe_send_status(
        &self,
        outbox_id: i64,
        poll_seconds: u32,
        listener: Arc<dyn SendListener>,
    ) -> Arc<Subscription> {
        let inner = self.inner.clone();
        let mut rx = inner.ctx.changes();
        let rt = inner.rt;
        Arc::new(Subscription::spawn(rt, |through| async move {
            let mut last: Option<SendStatusView> = None;
            loop {
                let status = {
                    let inner = inner.clone();
                    blocking(move || Ok(SendStatusView::from(inner.ctx.send_status(outbox_id)?)))
                        .await
                };
                let s = match status {
                    Ok(s) => s,
                    Err(e) => {
                        through.pass(|| listener.on_error((&e).into()));
                        break;
                    }
                };
                let (finished, account) = (s.finished, s.account_id);
                if last.as_ref() != Some(&s) {
                    last = Some(s.clone());
                    if !through.pass(|| listener.on_status(s)) {
                        break;
                    }
                }
                if finished {
                    break;
                }
                if poll_seconds == 0 {
                    let _ = rx.recv().await;
                    continue;
                }
                tokio::select! {
                    _ = rx.recv() => {}
                    _ = tokio::time::sleep(Duration::from_secs(poll_seconds as u64)) => {
                        if let Err(e) = inner.ctx.refresh_receipts(account).await {
                            through.pass(|| listener.on_error((&PecError::from(e)).into()));
                        }
                    }
                }
            }
        }))
    }
}

/// Validate a draft without sending (the compose screen's live check). Returns the warnings.
#[uniffi::export]
pub fn validate_draft(from_address: String, draft: ComposeDraft) -> Result<Vec<String>> {
    let mut d = draft_of(draft);
    d.from = Some(Mailbox::new(from_address.clone()));
    let preset = compose::ProviderPreset::for_address(&from_address);
    compose::validate(&d, &preset)
        .map(|v| v.warnings.iter().map(|w| w.to_string()).collect())
        .map_err(|e| PecError::invalid(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A listener's error code is the code of the same failure thrown.
    #[test]
    fn listener_codes_are_the_thrown_codes() {
        let all = [
            SyncError::Auth("a".into()),
            SyncError::NotPermitted("p".into()),
            SyncError::Tls("t".into()),
            SyncError::Network("n".into()),
            SyncError::Server("s".into()),
            SyncError::Protocol("x".into()),
            SyncError::Credentials("c".into()),
            SyncError::NotFound("f".into()),
            SyncError::Store("d".into()),
        ];
        for e in all {
            let thrown = PecError::from(e.clone());
            assert_eq!(
                error_event(e.kind(), e.to_string()).code,
                thrown.code(),
                "{e:?}"
            );
        }
    }
}
