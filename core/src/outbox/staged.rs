//! Documents picked for a PEC, kept in the data directory until the PEC is queued: sealed with the
//! store's files key when the store is encrypted, so an attachment waiting to be sent is no more
//! readable than the mail. The app streams a picked document in ([`Stage::write`]) and gets an
//! attachment that the checks and the build read back (size without opening, the first bytes
//! for sniffing, the whole content when the message is built). A queued PEC holds its own sealed
//! copy, so its staged files are deleted then; what is left when the app starts again is deleted
//! at open, but for the files of a compose the core keeps ([`crate::Context::keep_compose`]).

use super::{Outbox, SendError};
use crate::compose::{Attachment, AttachmentSource, Draft};
use crate::vault::StoreKey;
use crate::vault::sealed::Sealer;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

type Out = BufWriter<tempfile::NamedTempFile>;

enum Writer {
    Plain(Out),
    Sealed(Box<Sealer<Out>>, Arc<StoreKey>),
}

/// A document being staged; [`Stage::finish`] makes it an attachment.
pub struct Stage {
    name: String,
    writer: Writer,
    written: u64,
}

fn io(e: std::io::Error) -> SendError {
    SendError::Io(e.to_string())
}

impl Stage {
    /// Append the next bytes of the document (refused past the attachment cap).
    pub fn write(&mut self, bytes: &[u8]) -> Result<(), SendError> {
        self.written += bytes.len() as u64;
        if self.written > crate::limits::MAX_ATTACHMENT_BYTES {
            return Err(SendError::Compose(
                crate::compose::ComposeError::AttachmentUnreadable {
                    filename: self.name.clone(),
                    reason: format!(
                        "over the limit of {} bytes",
                        crate::limits::MAX_ATTACHMENT_BYTES
                    ),
                },
            ));
        }
        match &mut self.writer {
            Writer::Plain(w) => w.write_all(bytes),
            Writer::Sealed(w, _) => w.write_all(bytes),
        }
        .map_err(io)
    }

    /// The staged attachment, named as the document was.
    pub fn finish(self) -> Result<Attachment, SendError> {
        let (out, key) = match self.writer {
            Writer::Plain(w) => (w, None),
            Writer::Sealed(w, key) => ((*w).finish().map_err(io)?, Some(key)),
        };
        let tmp = out.into_inner().map_err(|e| io(e.into_error()))?;
        tmp.as_file().sync_all().map_err(io)?;
        let (_, path) = tmp.keep().map_err(|e| io(e.error))?;
        Ok(Attachment {
            filename: self.name,
            mime: None,
            source: match key {
                Some(key) => AttachmentSource::Sealed(path, key),
                None => AttachmentSource::File(path),
            },
        })
    }
}

impl Outbox {
    fn staged_dir(&self) -> PathBuf {
        self.cfg.data_dir.join("staged")
    }

    /// Start staging a document named `name` (only its last path component is kept).
    pub fn stage(&self, name: &str) -> Result<Stage, SendError> {
        let dir = self.staged_dir();
        crate::files::create_private_dir(&dir).map_err(io)?;
        let tmp = tempfile::Builder::new()
            .prefix("staged-")
            .tempfile_in(&dir)
            .map_err(io)?;
        let out = BufWriter::with_capacity(256 * 1024, tmp);
        let writer = match self.store.file_key()? {
            Some(key) => Writer::Sealed(Box::new(Sealer::new(&key, out).map_err(io)?), key),
            None => Writer::Plain(out),
        };
        let name = Path::new(name)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "allegato".into());
        Ok(Stage {
            name,
            writer,
            written: 0,
        })
    }

    /// A staged file named by path (how the facade hands an attachment back) read as sealed with
    /// the store's files key, when it is one.
    pub(crate) fn resolve_staged(&self, draft: &mut Draft) -> Result<(), SendError> {
        let dir = self.staged_dir();
        for a in &mut draft.attachments {
            let AttachmentSource::File(path) = &a.source else {
                continue;
            };
            if path.parent() != Some(dir.as_path()) {
                continue;
            }
            let mut magic = [0u8; 8];
            let sealed = std::fs::File::open(path)
                .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
                .is_ok()
                && crate::vault::sealed::is_sealed(&magic);
            if let (true, Some(key)) = (sealed, self.store.file_key()?) {
                a.source = AttachmentSource::Sealed(path.clone(), key);
            }
        }
        Ok(())
    }

    /// Delete the staged files `draft` used (after it was queued: the outbox has its copy).
    pub(crate) fn drop_staged(&self, draft: &Draft) {
        let dir = self.staged_dir();
        for a in &draft.attachments {
            let path = match &a.source {
                AttachmentSource::Sealed(p, _) | AttachmentSource::File(p) => p,
                AttachmentSource::Bytes(_) => continue,
            };
            if path.parent() == Some(dir.as_path()) {
                let _ = std::fs::remove_file(path);
            }
        }
    }

    /// `bytes` (an attachment the app holds in memory, such as a forward's) as a staged file
    /// named after its content, written once: keeping the same compose again finds it there.
    pub(crate) fn stage_once(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, SendError> {
        use sha2::Digest;
        let hex: String = sha2::Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let path = self.staged_dir().join(format!("kept-{hex}"));
        if path.exists() {
            return Ok(path);
        }
        let mut stage = self.stage(name)?;
        stage.write(bytes)?;
        let staged = match stage.finish()?.source {
            AttachmentSource::Sealed(p, _) | AttachmentSource::File(p) => p,
            AttachmentSource::Bytes(_) => unreachable!("a stage is a file"),
        };
        std::fs::rename(&staged, &path).map_err(io)?;
        Ok(path)
    }

    /// Delete the staged files no kept compose names (at open: a compose outlives the process
    /// only through [`crate::Context::keep_compose`]). Nothing is deleted when the kept composes
    /// cannot be read.
    pub(crate) fn clear_staged(&self) {
        let Ok(kept) = self.kept_files() else {
            return;
        };
        let Ok(entries) = std::fs::read_dir(self.staged_dir()) else {
            return;
        };
        for entry in entries.flatten() {
            if !kept.contains(&entry.path()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// The staged files the kept composes name.
    fn kept_files(&self) -> Result<std::collections::HashSet<PathBuf>, SendError> {
        let drafts: Vec<String> = self.store.read(|c| {
            let mut st = c.prepare("SELECT draft FROM kept_composes")?;
            let rows = st.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        let mut files = std::collections::HashSet::new();
        for json in drafts {
            let draft: Draft =
                serde_json::from_str(&json).map_err(|e| SendError::Io(e.to_string()))?;
            for a in draft.attachments {
                if let AttachmentSource::File(p) = a.source {
                    files.insert(p);
                }
            }
        }
        Ok(files)
    }
}

#[cfg(test)]
mod tests {
    use crate::Context;
    use crate::accounts::MemoryCredentialStore;
    use crate::compose::{ComposeError, Draft, Mailbox};
    use crate::outbox::SendError;
    use crate::vault::StoreKey;
    use std::sync::Arc;

    const SECRET: &[u8] = b"allegato SEGRETO da inviare";

    #[tokio::test]
    async fn a_staged_document_is_sealed_checked_sent_and_then_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let creds = Arc::new(MemoryCredentialStore::default());
        let ctx =
            Context::open_with(dir.path(), creds, Some(StoreKey::generate().unwrap())).unwrap();
        let (account, _) = ctx.queue_sample("prima");
        let outbox = ctx.outbox();
        let mut stage = outbox.stage("../nota riservata.txt").unwrap();
        for piece in SECRET.chunks(5) {
            stage.write(piece).unwrap();
        }
        let attachment = stage.finish().unwrap();
        assert_eq!(attachment.filename, "nota riservata.txt");
        let crate::compose::AttachmentSource::Sealed(path, _) = &attachment.source else {
            panic!("not sealed: {attachment:?}");
        };
        let on_disk = std::fs::read(path).unwrap();
        assert!(!on_disk.windows(7).any(|w| w == b"SEGRETO"));
        assert_eq!(attachment.size().unwrap(), SECRET.len() as u64);

        // An executable is still recognised through the seal.
        let mut exe = outbox.stage("fattura.pdf").unwrap();
        exe.write(b"MZ\x90\x00rest of a program").unwrap();
        let exe = exe.finish().unwrap();
        let draft = |attachments| Draft {
            to: vec![Mailbox::new("b@pec.other")],
            subject: "Con allegato".into(),
            text: Some("testo".into()),
            attachments,
            ..Draft::new()
        };
        let refused = ctx.queue(account, &draft(vec![exe]));
        assert!(
            matches!(
                refused,
                Err(crate::context::Error::Send(SendError::Compose(
                    ComposeError::BlockedAttachment { .. }
                )))
            ),
            "{refused:?}"
        );

        // Handed back by path, as the facade does, it is still read through the seal.
        let by_path = crate::compose::Attachment {
            filename: attachment.filename.clone(),
            mime: None,
            source: crate::compose::AttachmentSource::File(path.clone()),
        };
        let check = ctx
            .check_draft(account, &draft(vec![by_path.clone()]))
            .unwrap();
        assert!(check.problems.is_empty(), "{check:?}");
        let queued = ctx.queue(account, &draft(vec![by_path])).unwrap();
        let row = ctx.outbox().entry(queued.id).unwrap().message_row.unwrap();
        let (_, raw) = ctx.raw_message(row).unwrap();
        let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
        let sent = parsed.attachments().next().unwrap().contents();
        assert_eq!(sent, SECRET);
        assert!(!path.exists(), "deleted once queued");
    }
}
