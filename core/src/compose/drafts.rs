//! Drafts and templates kept locally: one JSON file each under `<data_dir>/drafts/` and
//! `<data_dir>/templates/`, written atomically (temp file + rename). The server copy of a draft
//! (IMAP Drafts folder) is written by `outbox::imap::save_draft_to_server`.

use super::Draft;
use std::path::{Path, PathBuf};

/// Which shelf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shelf {
    Drafts,
    Templates,
}

/// Drafts and templates of one data directory.
#[derive(Debug, Clone)]
pub struct DraftStore {
    dir: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    #[error("draft store: {0}")]
    Io(#[from] std::io::Error),
    #[error("draft {0:?} is damaged: {1}")]
    Damaged(String, String),
    #[error("invalid draft name {0:?}")]
    BadName(String),
}

impl DraftStore {
    pub fn new(data_dir: &Path) -> DraftStore {
        DraftStore {
            dir: data_dir.to_path_buf(),
        }
    }

    fn folder(&self, shelf: Shelf) -> PathBuf {
        self.dir.join(match shelf {
            Shelf::Drafts => "drafts",
            Shelf::Templates => "templates",
        })
    }

    fn file(&self, shelf: Shelf, name: &str) -> Result<PathBuf, DraftError> {
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_. ".contains(c))
            || name.starts_with('.')
        {
            return Err(DraftError::BadName(name.into()));
        }
        Ok(self.folder(shelf).join(format!("{name}.json")))
    }

    /// Save (or overwrite) `name`.
    pub fn save(&self, shelf: Shelf, name: &str, draft: &Draft) -> Result<(), DraftError> {
        use std::io::Write;
        let path = self.file(shelf, name)?;
        std::fs::create_dir_all(self.folder(shelf))?;
        let json = serde_json::to_vec_pretty(draft)
            .map_err(|e| DraftError::Damaged(name.into(), e.to_string()))?;
        let tmp = path.with_extension("json.tmp");
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&json)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        Ok(())
    }

    pub fn load(&self, shelf: Shelf, name: &str) -> Result<Draft, DraftError> {
        let bytes = std::fs::read(self.file(shelf, name)?)?;
        serde_json::from_slice(&bytes).map_err(|e| DraftError::Damaged(name.into(), e.to_string()))
    }

    pub fn delete(&self, shelf: Shelf, name: &str) -> Result<(), DraftError> {
        match std::fs::remove_file(self.file(shelf, name)?) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    /// Names on a shelf, sorted.
    pub fn list(&self, shelf: Shelf) -> Result<Vec<String>, DraftError> {
        let mut out = Vec::new();
        let rd = match std::fs::read_dir(self.folder(shelf)) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e.into()),
        };
        for e in rd {
            let name = e?.file_name().to_string_lossy().into_owned();
            if let Some(n) = name.strip_suffix(".json") {
                out.push(n.to_string());
            }
        }
        out.sort();
        Ok(out)
    }

    /// A new draft from template `name` (recipients, subject, bodies, attachments, options).
    pub fn from_template(&self, name: &str) -> Result<Draft, DraftError> {
        self.load(Shelf::Templates, name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::{Attachment, Mailbox, ReceiptType};

    #[test]
    fn drafts_and_templates_round_trip() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = DraftStore::new(dir.path());
        let d = Draft {
            to: vec![Mailbox::new("a@pec.it")],
            subject: "Bozza".into(),
            receipt: ReceiptType::Sintetica,
            attachments: vec![Attachment::from_bytes("x.pdf", vec![1, 2, 3])],
            ..Default::default()
        };
        s.save(Shelf::Drafts, "uno", &d).expect("save");
        s.save(Shelf::Templates, "diffida", &d).expect("save");
        assert_eq!(s.load(Shelf::Drafts, "uno").expect("load"), d);
        assert_eq!(s.from_template("diffida").expect("tpl"), d);
        assert_eq!(s.list(Shelf::Drafts).expect("list"), vec!["uno"]);
        s.delete(Shelf::Drafts, "uno").expect("delete");
        assert!(s.list(Shelf::Drafts).expect("list").is_empty());
        assert!(matches!(
            s.save(Shelf::Drafts, "../evil", &d),
            Err(DraftError::BadName(_))
        ));
    }
}
