//! The message being written, kept as the user types. Android and iOS end an app's process in
//! the background without asking (a file picker or a phone call is enough), and what was typed
//! would be gone: the compose screens hand their draft to the core as it changes, and the next
//! start opens it again. Its attachments stay in the staged folder while a kept compose names
//! them (a forward's, held in memory, are staged once, named after their content). Queueing the
//! PEC deletes the kept copy in the same transaction ([`Context::send_kept`]), so a restart can
//! neither lose the message nor offer to send it twice; leaving the screen forgets it.

use super::{Context, Error, Result};
use crate::compose::{AttachmentSource, Draft};
use crate::store::AccountId;

/// The largest draft kept (its text and attachment names; attachments are files beside it).
const MAX_KEPT_DRAFT_BYTES: usize = 8 * 1024 * 1024;

/// A compose the core kept, as its screen last handed it over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptCompose {
    pub id: i64,
    pub account: AccountId,
    pub draft: Draft,
    /// Unix seconds.
    pub saved_at: i64,
}

impl Context {
    /// Keep `draft`, written on `account`'s compose screen: a new kept compose (`kept` none)
    /// or the one with that id. Returns its id. A compose already queued or forgotten is not
    /// kept again (the same id comes back), so a late save cannot bring back a message sent.
    pub fn keep_compose(
        &self,
        account: AccountId,
        kept: Option<i64>,
        draft: &Draft,
    ) -> Result<i64> {
        self.store().account(account)?;
        let mut draft = draft.clone();
        for a in &mut draft.attachments {
            match &a.source {
                AttachmentSource::Bytes(bytes) => {
                    let path = self.outbox().stage_once(&a.filename, bytes)?;
                    a.source = AttachmentSource::File(path);
                }
                AttachmentSource::Sealed(path, _) => {
                    a.source = AttachmentSource::File(path.clone())
                }
                AttachmentSource::File(_) => {}
            }
        }
        let json = serde_json::to_string(&draft).map_err(|e| Error::Invalid(e.to_string()))?;
        if json.len() > MAX_KEPT_DRAFT_BYTES {
            return Err(Error::Invalid(format!(
                "a draft over {MAX_KEPT_DRAFT_BYTES} bytes is not kept"
            )));
        }
        let now = crate::store::now();
        Ok(self.store().write(|tx| {
            if let Some(id) = kept {
                tx.execute(
                    "UPDATE kept_composes SET draft = ?1, saved_at = ?2 WHERE id = ?3 AND account_id = ?4",
                    rusqlite::params![json, now, id, account],
                )?;
                return Ok(id);
            }
            tx.execute(
                "INSERT INTO kept_composes (account_id, draft, saved_at) VALUES (?1, ?2, ?3)",
                rusqlite::params![account, json, now],
            )?;
            Ok(tx.last_insert_rowid())
        })?)
    }

    /// The composes kept, the most recent first (what the apps open again at start). A row
    /// that no longer reads as a draft is skipped.
    pub fn kept_composes(&self) -> Result<Vec<KeptCompose>> {
        let rows: Vec<(i64, AccountId, String, i64)> = self.store().read(|c| {
            let mut st = c.prepare_cached(
                "SELECT id, account_id, draft, saved_at FROM kept_composes ORDER BY saved_at DESC, id DESC",
            )?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, account, json, saved_at)| {
                let draft = serde_json::from_str(&json).ok()?;
                Some(KeptCompose {
                    id,
                    account,
                    draft,
                    saved_at,
                })
            })
            .collect())
    }

    /// Forget a kept compose (the user left its screen). Its staged files go at the next start.
    pub fn forget_compose(&self, id: i64) -> Result<()> {
        self.store().write(|tx| {
            tx.execute("DELETE FROM kept_composes WHERE id = ?1", [id])?;
            Ok(())
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::Context;
    use crate::accounts::MemoryCredentialStore;
    use crate::compose::{Attachment, AttachmentSource, Draft, Mailbox};
    use crate::vault::StoreKey;
    use std::sync::Arc;

    /// A compose kept as it was typed comes back when the app starts again, with a picked
    /// document and a forward's attachment still there (sealed on disk); queueing it forgets it
    /// in the same transaction, and a keep that comes late does not bring it back.
    #[tokio::test]
    async fn a_kept_compose_outlives_the_process_and_goes_when_queued() {
        let dir = tempfile::tempdir().unwrap();
        let key = StoreKey::generate().unwrap();
        let open = || {
            let creds = Arc::new(MemoryCredentialStore::default());
            Context::open_with(dir.path(), creds, Some(key.duplicate())).unwrap()
        };
        let ctx = open();
        let (account, _) = ctx.queue_sample("prima");
        let mut stage = ctx.outbox().stage("relazione.pdf").unwrap();
        stage.write(b"%PDF-1.4 relazione RISERVATA").unwrap();
        let picked = stage.finish().unwrap();
        let forwarded = Attachment {
            filename: "verbale.txt".into(),
            mime: None,
            source: AttachmentSource::Bytes(b"verbale RISERVATO".to_vec()),
        };
        let mut draft = Draft {
            to: vec![Mailbox::new("b@pec.other")],
            subject: "Ricorso".into(),
            text: Some("Gentile avvocato,".into()),
            attachments: vec![picked, forwarded],
            ..Draft::default()
        };
        let kept = ctx.keep_compose(account, None, &draft).unwrap();
        draft.text = Some("Gentile avvocato, in allegato".into());
        assert_eq!(ctx.keep_compose(account, Some(kept), &draft).unwrap(), kept);
        drop(ctx);

        let ctx = open();
        let again = ctx.kept_composes().unwrap();
        assert_eq!(again.len(), 1, "one compose, kept twice");
        assert_eq!((again[0].id, again[0].account), (kept, account));
        let back = &again[0].draft;
        assert_eq!(back.text.as_deref(), Some("Gentile avvocato, in allegato"));
        let names: Vec<_> = back
            .attachments
            .iter()
            .map(|a| a.filename.as_str())
            .collect();
        assert_eq!(names, ["relazione.pdf", "verbale.txt"]);
        for a in &back.attachments {
            let AttachmentSource::File(path) = &a.source else {
                panic!("{a:?}")
            };
            let on_disk = std::fs::read(path).expect("kept through the start");
            assert!(!on_disk.windows(8).any(|w| w == b"RISERVAT"), "sealed");
        }

        let queued = ctx.queue_kept(account, back, Some(kept)).unwrap();
        assert!(ctx.kept_composes().unwrap().is_empty(), "queued: forgotten");
        let row = ctx
            .outbox()
            .entry(queued.id)
            .unwrap()
            .message_row
            .expect("row");
        let sent = ctx.outbox().copy_of(row).unwrap().expect("the queued copy");
        let sent = String::from_utf8_lossy(&sent).into_owned();
        assert!(sent.contains("in allegato"), "the text as last kept");
        ctx.keep_compose(account, Some(kept), back).unwrap();
        assert!(
            ctx.kept_composes().unwrap().is_empty(),
            "a late keep is not a new compose"
        );

        let other = ctx.keep_compose(account, None, &Draft::default()).unwrap();
        ctx.forget_compose(other).unwrap();
        assert!(ctx.kept_composes().unwrap().is_empty());
    }
}
