//! Templates ("modelli"): a PEC sent again and again (a notice, a standard request, the same
//! recipients every month) kept by name, to open a compose from. A template keeps recipients,
//! subject, text, receipt type and priority; not attachments (the documents change from one PEC
//! to the next, and a file kept for ever beside the store is what the staged folder avoids), not
//! the sender (it opens on any account) and not the account's signature (each account adds its
//! own when the compose opens).

use super::{Context, Error, Result};
use crate::compose::{Draft, Mailbox, signature};
use crate::store::{AccountId, StoreError};
use rusqlite::OptionalExtension;

/// How many templates are kept at most.
pub const MAX_TEMPLATES: usize = 200;
/// The largest template kept (its JSON: recipients, subject and text).
const MAX_TEMPLATE_BYTES: usize = 256 * 1024;
/// The longest name, in characters.
const MAX_NAME_CHARS: usize = 100;

/// A template as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub id: i64,
    pub name: String,
    pub draft: Draft,
}

/// What a template keeps of a draft.
fn kept_part(draft: &Draft) -> Draft {
    let text = draft.text.as_deref().map(signature::cut);
    Draft {
        to: draft.to.clone(),
        cc: draft.cc.clone(),
        subject: draft.subject.clone(),
        text: text.filter(|t| !t.is_empty()),
        html: draft.html.clone(),
        receipt: draft.receipt,
        priority: draft.priority,
        ..Draft::default()
    }
}

fn checked_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(Error::Invalid(format!(
            "a template needs a name of 1 to {MAX_NAME_CHARS} characters on one line"
        )));
    }
    Ok(name.to_string())
}

impl Context {
    /// Keep `draft` as the template `name` (trimmed; one line of at most 100 characters); a
    /// template of that name, whatever its case, is replaced. Its text is kept without the
    /// signature. Returns its id.
    pub fn save_template(&self, name: &str, draft: &Draft) -> Result<i64> {
        let name = checked_name(name)?;
        let json =
            serde_json::to_string(&kept_part(draft)).map_err(|e| Error::Invalid(e.to_string()))?;
        if json.len() > MAX_TEMPLATE_BYTES {
            return Err(Error::Invalid(format!(
                "a template over {} KiB is not kept",
                MAX_TEMPLATE_BYTES / 1024
            )));
        }
        let now = crate::store::now();
        Ok(self.store().write(|tx| {
            let count: i64 = tx.query_row(
                "SELECT count(*) FROM compose_templates WHERE name <> ?1",
                [&name],
                |r| r.get(0),
            )?;
            if count as usize >= MAX_TEMPLATES {
                return Err(StoreError::Invalid(format!(
                    "at most {MAX_TEMPLATES} templates: remove one first"
                )));
            }
            tx.execute(
                "INSERT INTO compose_templates (name, draft, saved_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO UPDATE SET name = excluded.name, draft = excluded.draft,
                     saved_at = excluded.saved_at",
                rusqlite::params![name, json, now],
            )?;
            Ok(tx.query_row(
                "SELECT id FROM compose_templates WHERE name = ?1",
                [&name],
                |r| r.get(0),
            )?)
        })?)
    }

    /// The templates by name. A row that no longer reads as a draft is skipped.
    pub fn templates(&self) -> Result<Vec<Template>> {
        let rows: Vec<(i64, String, String)> = self.store().read(|c| {
            let mut st = c.prepare_cached(
                "SELECT id, name, draft FROM compose_templates ORDER BY name COLLATE NOCASE",
            )?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, name, json)| {
                let draft = serde_json::from_str(&json).ok()?;
                Some(Template { id, name, draft })
            })
            .collect())
    }

    /// Remove a template.
    pub fn forget_template(&self, id: i64) -> Result<()> {
        self.store().write(|tx| {
            tx.execute("DELETE FROM compose_templates WHERE id = ?1", [id])?;
            Ok(())
        })?;
        Ok(())
    }

    /// A compose of `account` opened from the template `id`: its recipients, subject, receipt
    /// type, priority and text, with the account's signature under the text.
    pub fn compose_from_template(&self, account: AccountId, id: i64) -> Result<Draft> {
        let json: String = self
            .store()
            .read(|c| {
                let sql = "SELECT draft FROM compose_templates WHERE id = ?1";
                Ok(c.query_row(sql, [id], |r| r.get(0)).optional()?)
            })?
            .ok_or_else(|| StoreError::NotFound(format!("template {id}")))?;
        let template: Draft = serde_json::from_str(&json)
            .map_err(|e| Error::Invalid(format!("template {id}: {e}")))?;
        let writer = self.writer(account)?;
        let text = template.text.as_deref().unwrap_or_default();
        let signed = signature::above(writer.signature.as_deref(), "");
        Ok(Draft {
            from: Some(Mailbox::new(&writer.address)),
            text: Some(format!("{text}{signed}")),
            ..template
        })
    }
}
