//! The network half of the context: sync through the one engine, send through the outbox.

use super::{ChangeKind, Context, Error, Result};
use crate::compose::Draft;
use crate::outbox::{FailureKind, Outbox, OutboxConfig, OutboxId, Queued, SendStatus};
use crate::store::AccountId;
use crate::store::MessageId;
use crate::sync::{BodyPolicy, SyncHandle, SyncOptions, SyncReport};

/// The provider refused a message for good at submission; `kind` says why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct SendRefusal {
    pub kind: FailureKind,
    pub detail: String,
}

/// What [`Context::send`] did with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendOutcome {
    pub queued: Queued,
    /// The local copy in the store (list row), to follow its ticks.
    pub message_row: Option<MessageId>,
    /// The provider took it (now, or an earlier attempt proved to have reached it).
    pub submitted: bool,
}

impl Context {
    /// The outbox of this data directory.
    pub fn outbox(&self) -> Outbox {
        Outbox::new(self.store().clone(), OutboxConfig::new(self.data_dir()))
    }

    /// One pass over every folder of `account`, serialised with every other pass.
    pub async fn sync(&self, account: AccountId, opts: &SyncOptions) -> Result<SyncReport> {
        let report = self.engine().sync_once(account, opts).await?;
        self.emit(ChangeKind::Folders, Some(account));
        self.emit(ChangeKind::Messages, Some(account));
        Ok(report)
    }

    /// Keep `account` in sync without being asked (a pass, then IDLE on the inbox, again) until
    /// the handle is dropped. Needs a tokio runtime.
    pub fn start_background_sync(
        &self,
        account: AccountId,
        opts: SyncOptions,
    ) -> Result<SyncHandle> {
        Ok(self.engine().start(account, opts)?)
    }

    /// Fetch new receipts: a pass of the engine that downloads receipt bodies only (their
    /// per-recipient effect is applied as they are stored). Returns how many messages arrived.
    pub async fn refresh_receipts(&self, account: AccountId) -> Result<u64> {
        let opts = SyncOptions {
            bodies: BodyPolicy::ReceiptsOnly,
            ..SyncOptions::default()
        };
        let report = self.engine().sync_once(account, &opts).await?;
        if report.added > 0 || report.updated > 0 {
            self.emit(ChangeKind::Delivery, Some(account));
            self.emit(ChangeKind::Messages, Some(account));
        }
        Ok(report.added)
    }

    /// Download one message's body (the detail screen of a header-only row).
    pub async fn download(&self, message: MessageId) -> Result<Vec<u8>> {
        Ok(self.engine().fetch_body(message).await?)
    }

    /// The compose screen's live check of a draft sent from `account`: every problem, the
    /// recipients (certified or not) and the size budget under the account's provider rules.
    pub fn check_draft(
        &self,
        account: AccountId,
        draft: &Draft,
    ) -> Result<crate::compose::ComposeCheck> {
        Ok(self.outbox().check(account, draft)?)
    }

    /// Validate and queue a PEC (persisted: never lost) once the account may send.
    pub fn queue(&self, account: AccountId, draft: &Draft) -> Result<Queued> {
        self.queue_kept(account, draft, None)
    }

    /// [`Context::queue`] a draft of a kept compose (see [`Context::keep_compose`]), forgetting
    /// it in the same transaction.
    pub fn queue_kept(
        &self,
        account: AccountId,
        draft: &Draft,
        kept: Option<i64>,
    ) -> Result<Queued> {
        let queued = self.outbox().queue_kept(account, draft, kept)?;
        self.outbox().drop_staged(draft);
        self.emit(ChangeKind::Messages, Some(account));
        Ok(queued)
    }

    /// Queue a PEC and submit it. A network failure leaves it queued (`submitted` false: a later
    /// [`Context::send_pending`] retries); a refusal by the provider is [`Error::Refused`].
    pub async fn send(&self, account: AccountId, draft: &Draft) -> Result<SendOutcome> {
        self.send_kept(account, draft, None).await
    }

    /// [`Context::send`] a draft of a kept compose, forgetting it in the transaction that
    /// queues the PEC.
    pub async fn send_kept(
        &self,
        account: AccountId,
        draft: &Draft,
        kept: Option<i64>,
    ) -> Result<SendOutcome> {
        let queued = {
            let (ctx, draft) = (self.clone(), draft.clone());
            tokio::task::spawn_blocking(move || ctx.queue_kept(account, &draft, kept))
                .await
                .map_err(|e| crate::store::StoreError::Task(e.to_string()))??
        };
        let report = self.outbox().process(account, self.credentials()).await?;
        self.emit(ChangeKind::Delivery, Some(account));
        let entry = self.outbox().entry(queued.id)?;
        let submitted =
            report.submitted.contains(&queued.id) || report.recovered.contains(&queued.id);
        if !submitted && report.rejected.contains(&queued.id) {
            return Err(Error::Refused(SendRefusal {
                kind: entry.error_kind.unwrap_or(FailureKind::Other),
                detail: entry
                    .error
                    .or_else(|| report.errors.first().cloned())
                    .unwrap_or_else(|| "refused by the provider".into()),
            }));
        }
        Ok(SendOutcome {
            queued,
            message_row: entry.message_row,
            submitted,
        })
    }

    /// Save a draft in the account's Drafts folder on the server, where the webmail and the next
    /// sync find it (a draft is written into the box: a delegate needs the write permission).
    pub async fn save_draft(&self, account: AccountId, draft: &Draft) -> Result<()> {
        let acct = self.store().account(account)?;
        crate::accounts::require(self.store(), &acct, crate::accounts::Operation::SAVE_DRAFT)?;
        self.outbox()
            .save_draft_to_server(account, self.credentials(), draft)
            .await?;
        self.emit(ChangeKind::Messages, Some(account));
        Ok(())
    }

    /// A saved draft (a message of the Drafts folder) reopened to go on writing.
    pub fn resume_draft(&self, message: MessageId) -> Result<Draft> {
        let (_, raw) = self.raw_message(message)?;
        Ok(crate::compose::reply::resume(&raw)?)
    }

    /// Submit what is due in the outbox; returns how many reached the provider.
    pub async fn send_pending(&self, account: AccountId) -> Result<usize> {
        let r = self.outbox().process(account, self.credentials()).await?;
        self.emit(ChangeKind::Delivery, Some(account));
        Ok(r.submitted.len() + r.recovered.len())
    }

    /// A sent PEC's status and per-recipient timeline.
    pub fn send_status(&self, id: OutboxId) -> Result<SendStatus> {
        Ok(self.outbox().status(id)?)
    }
}
