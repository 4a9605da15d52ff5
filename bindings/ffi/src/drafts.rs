//! Reply and forward: the core builds the draft from the stored original
//! (`pec_core::compose::reply`); here it becomes the compose screen's [`ComposeDraft`]. And the
//! compose the core keeps as the user types (`pec_core::Context::keep_compose`), so an app the
//! system closed opens it again.

use crate::app::App;
use crate::error::{PecError, Result};
use crate::mail::ComposeDraft;
use crate::runtime::blocking;
use crate::types::HostPort;
use pec_core::compose::reply::ReplyError;
use pec_core::compose::{AttachmentSource, Draft, Mailbox, Priority};

impl From<ReplyError> for PecError {
    fn from(e: ReplyError) -> Self {
        PecError::Unreadable {
            detail: e.to_string(),
        }
    }
}

/// `Name <address>` (the name quoted when it holds specials), or the bare address.
fn mailbox_text(m: &Mailbox) -> String {
    match m.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        None => m.address.clone(),
        Some(n) if n.contains([',', ';', '<', '>', '"', '@', ':']) => {
            format!("\"{}\" <{}>", n.replace(['"', '\\'], ""), m.address)
        }
        Some(n) => format!("{n} <{}>", m.address),
    }
}

fn compose_of(d: Draft) -> ComposeDraft {
    let attachments = d
        .attachments
        .into_iter()
        .map(|a| {
            let (data, path) = match a.source {
                AttachmentSource::Bytes(b) => (b, None),
                AttachmentSource::File(p) | AttachmentSource::Sealed(p, _) => {
                    (Vec::new(), Some(p.to_string_lossy().into_owned()))
                }
            };
            crate::mail::OutgoingAttachment {
                file_name: a.filename,
                mime: a.mime,
                data,
                path,
            }
        })
        .collect();
    ComposeDraft {
        to: d.to.iter().map(mailbox_text).collect(),
        cc: d.cc.iter().map(mailbox_text).collect(),
        subject: d.subject,
        text: d.text.unwrap_or_default(),
        attachments,
        receipt: Some(d.receipt.into()),
        in_reply_to: d.in_reply_to,
        bcc: d.bcc.iter().map(mailbox_text).collect(),
        html: d.html,
        priority: (d.priority != Priority::Normal).then(|| d.priority.into()),
        signature: d.signature,
        references: d.references,
    }
}

/// A template ("modello"): a PEC sent again and again, kept by name, to open a compose from.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ComposeTemplate {
    pub id: i64,
    pub name: String,
    /// Recipients, subject, text, receipt type and priority (no attachments, no signature).
    pub draft: ComposeDraft,
}

/// A compose the core kept as its screen handed it over, to open again.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct KeptCompose {
    pub id: i64,
    pub account_id: i64,
    pub draft: ComposeDraft,
    /// Unix seconds.
    pub saved_at: i64,
}

#[uniffi::export]
impl App {
    /// Keep the draft of `account_id`'s compose screen as it changes (a new kept compose with
    /// `kept` none, else that one); its id. Attachments held in memory are staged once. A
    /// compose already sent or forgotten is not kept again.
    pub async fn keep_compose(
        &self,
        account_id: i64,
        kept: Option<i64>,
        draft: ComposeDraft,
    ) -> Result<i64> {
        let draft = crate::mail::draft_of(draft);
        let inner = self.inner.clone();
        blocking(move || Ok(inner.ctx.keep_compose(account_id, kept, &draft)?)).await
    }

    /// The composes kept, the most recent first: what the app opens again after the system
    /// closed it while the user was writing.
    pub async fn kept_composes(&self) -> Result<Vec<KeptCompose>> {
        let inner = self.inner.clone();
        blocking(move || {
            Ok(inner
                .ctx
                .kept_composes()?
                .into_iter()
                .map(|k| KeptCompose {
                    id: k.id,
                    account_id: k.account,
                    draft: compose_of(k.draft),
                    saved_at: k.saved_at,
                })
                .collect())
        })
        .await
    }

    /// Forget a kept compose: the user left its screen without sending.
    pub async fn forget_compose(&self, kept: i64) -> Result<()> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.ctx.forget_compose(kept)?)).await
    }

    /// A reply to a stored message, addressed to its real sender (for a PEC envelope: the
    /// original's Reply-To, never posta-certificata@); `all` puts the other recipients in Cc.
    /// The text opens with the account's signature, then the quoted original. The body must be
    /// downloaded (`download`).
    pub async fn reply_draft(&self, message_id: i64, all: bool) -> Result<ComposeDraft> {
        let inner = self.inner.clone();
        blocking(move || Ok(compose_of(inner.ctx.reply_draft(message_id, all)?))).await
    }

    /// The draft a compose of `account_id` opens with: `start` (addresses picked in the address
    /// book, documents shared to the app) or a blank one, its empty text given the account's
    /// signature. A draft with text (a reply, a saved draft) is left as it is.
    pub async fn compose_start(
        &self,
        account_id: i64,
        start: Option<ComposeDraft>,
    ) -> Result<ComposeDraft> {
        let inner = self.inner.clone();
        blocking(move || {
            let start = start.map(crate::mail::draft_of);
            Ok(compose_of(inner.ctx.compose_start(account_id, start)?))
        })
        .await
    }

    /// Keep what a compose holds as the template `name` (one line, at most 100 characters; the
    /// same name in any case is replaced; at most 200 templates, else `InvalidInput`): its
    /// recipients, subject, text without the signature, receipt type and priority. Returns its id.
    pub async fn save_template(&self, name: String, draft: ComposeDraft) -> Result<i64> {
        let inner = self.inner.clone();
        blocking(move || {
            Ok(inner
                .ctx
                .save_template(&name, &crate::mail::draft_of(draft))?)
        })
        .await
    }

    /// The templates, by name.
    pub async fn templates(&self) -> Result<Vec<ComposeTemplate>> {
        let inner = self.inner.clone();
        blocking(move || {
            Ok(inner
                .ctx
                .templates()?
                .into_iter()
                .map(|t| ComposeTemplate {
                    id: t.id,
                    name: t.name,
                    draft: compose_of(t.draft),
                })
                .collect())
        })
        .await
    }

    /// Remove a template.
    pub async fn forget_template(&self, template_id: i64) -> Result<()> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.ctx.forget_template(template_id)?)).await
    }

    /// What a compose of `account_id` opens with from the template: its recipients, subject,
    /// receipt type, priority and text, with the account's signature under the text.
    pub async fn compose_from_template(
        &self,
        account_id: i64,
        template_id: i64,
    ) -> Result<ComposeDraft> {
        let inner = self.inner.clone();
        blocking(move || {
            Ok(compose_of(
                inner.ctx.compose_from_template(account_id, template_id)?,
            ))
        })
        .await
    }

    /// Keep `text` as the account's signature (line ends and blanks cleaned; at most 1,000
    /// characters, else `InvalidInput`; an empty text clears it); returns it as kept. A local
    /// setting: a delegate needs no permission for it.
    pub async fn set_signature(&self, account_id: i64, text: String) -> Result<Option<String>> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.ctx.set_signature(account_id, &text)?)).await
    }

    /// A saved draft (`ListRow.draft`) reopened in compose, as it was saved. The body must be
    /// downloaded (`download`).
    pub async fn resume_draft(&self, message_id: i64) -> Result<ComposeDraft> {
        let inner = self.inner.clone();
        blocking(move || Ok(compose_of(inner.ctx.resume_draft(message_id)?))).await
    }

    /// Save a draft in the account's Drafts folder on the server (the webmail sees it; the next
    /// sync lists it with `ListRow.draft`). A delegate needs the write permission.
    pub async fn save_draft(&self, account_id: i64, draft: ComposeDraft) -> Result<()> {
        let draft = crate::mail::draft_of(draft);
        let inner = self.inner.clone();
        crate::runtime::spawn(async move { Ok(inner.ctx.save_draft(account_id, &draft).await?) })
            .await
    }

    /// A forward of a stored message with its attachments (for a PEC envelope: the original's);
    /// the recipients are left to the user. The text opens with the account's signature, then
    /// the original. The body must be downloaded (`download`).
    pub async fn forward_draft(&self, message_id: i64) -> Result<ComposeDraft> {
        let inner = self.inner.clone();
        blocking(move || Ok(compose_of(inner.ctx.forward_draft(message_id)?))).await
    }
}

/// Split a typed server `host:port` (IPv6 as `[::1]:993`).
#[uniffi::export]
pub fn parse_host_port(text: String) -> Result<HostPort> {
    let (host, port) = pec_core::accounts::parse_host_port(text.trim())?;
    Ok(HostPort { host, port })
}
