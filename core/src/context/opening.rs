//! What a compose opens with: a new message, a reply or a forward, each with the account's
//! signature under the place where the user writes (the one rule for both apps and `pec`).

use super::{ChangeKind, Context, Result};
use crate::accounts;
use crate::compose::{Draft, Mailbox, reply, signature};
use crate::store::{AccountId, MessageId};

/// Who a compose writes as: the account's address and its signature.
pub(super) struct Writer {
    pub address: String,
    pub signature: Option<String>,
}

impl Context {
    /// Keep `text` as the account's signature (cleaned, at most
    /// [`signature::MAX_SIGNATURE_CHARS`]; an empty text clears it); returns it as kept.
    pub fn set_signature(&self, account: AccountId, text: &str) -> Result<Option<String>> {
        let kept = accounts::set_signature(self.store(), account, text)?;
        self.emit(ChangeKind::Accounts, Some(account));
        Ok(kept)
    }

    /// The account's signature, if it has one.
    pub fn signature(&self, account: AccountId) -> Result<Option<String>> {
        Ok(self.writer(account)?.signature)
    }

    /// Who writes from `account`: its address and its signature.
    pub(super) fn writer(&self, account: AccountId) -> Result<Writer> {
        let account = self.store().account(account)?;
        let signature = accounts::account_meta(self.store(), &account)?.signature;
        Ok(Writer {
            address: account.config.address,
            signature,
        })
    }

    /// The draft a compose of `account` opens with: `start` (recipients picked in the address
    /// book, documents shared to the app) or a blank one, from the account, its text given the
    /// signature when it has none yet.
    pub fn compose_start(&self, account: AccountId, start: Option<Draft>) -> Result<Draft> {
        let writer = self.writer(account)?;
        let mut draft = start.unwrap_or_default();
        draft.from = Some(Mailbox::new(&writer.address));
        let text = draft.text.as_deref().unwrap_or_default();
        draft.text = Some(signature::opening_text(writer.signature.as_deref(), text));
        Ok(draft)
    }

    /// A reply to a stored message, to its real sender (for a PEC envelope: the original's
    /// Reply-To, never posta-certificata@); `all` puts the other recipients in Cc. The
    /// signature, then the quoted original. The body must be here.
    pub fn reply_draft(&self, message: MessageId, all: bool) -> Result<Draft> {
        let (account, raw) = self.raw_message(message)?;
        let writer = self.writer(account)?;
        let draft = reply::reply(&raw, &writer.address, all)?;
        Ok(signed(&writer, draft))
    }

    /// A forward of a stored message with its attachments (for a PEC envelope: the original's);
    /// the recipients are left to the user. The signature, then the original. The body must be
    /// here.
    pub fn forward_draft(&self, message: MessageId) -> Result<Draft> {
        let (account, raw) = self.raw_message(message)?;
        let writer = self.writer(account)?;
        let draft = reply::forward(&raw, &writer.address)?;
        Ok(signed(&writer, draft))
    }
}

/// `draft` with the writer's signature above what its text holds.
fn signed(writer: &Writer, mut draft: Draft) -> Draft {
    let below = draft.text.as_deref().unwrap_or_default();
    draft.text = Some(signature::above(writer.signature.as_deref(), below));
    draft
}
