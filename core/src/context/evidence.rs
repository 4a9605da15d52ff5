//! The evidence of a message, exported as files a user keeps or hands to a lawyer: the message
//! exactly as the server holds it (for a received PEC, the provider's signed envelope), the
//! `daticert.xml` it carries, every receipt of a sent PEC exactly as received, and a
//! `SHA256SUMS` file in the coreutils format, so `sha256sum -c SHA256SUMS` proves later that
//! nothing was changed.
//!
//! Bodies not downloaded yet are fetched first (the local copy of a PEC sent from here is the
//! file the outbox submitted): evidence is only worth the bytes as received or sent, never a
//! summary of them.

use super::{Context, Error, Result};
use crate::files::TargetDir;
use crate::message::ReceiptKind;
use crate::message::original::structure;
use crate::store::MessageId;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// What one exported file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceItem {
    /// The message as the server holds it (`.eml`).
    Message,
    /// The certification data the provider attached (`daticert.xml`).
    Daticert,
    /// A receipt of the message (`.eml`); `None` for a kind this version does not know.
    Receipt(Option<ReceiptKind>),
    /// The SHA-256 of every other file (`SHA256SUMS`).
    Checksums,
}

/// One exported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceFile {
    pub item: EvidenceItem,
    pub path: PathBuf,
    pub size: u64,
    /// Lower-case hex SHA-256 of the file's bytes.
    pub sha256: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `daticert.xml` a message carries at its top level (the envelope's or the receipt's, not
/// one inside a forwarded original).
fn daticert_of(raw: &[u8]) -> Option<Vec<u8>> {
    let msg = mail_parser::MessageParser::default().parse(raw)?;
    let st = structure(&msg);
    let idx = st.daticert?;
    Some(msg.parts.get(idx)?.contents().to_vec())
}

/// A receipt's file name: its order, its kind and, for a delivery, the recipient.
fn receipt_name(n: usize, kind: Option<ReceiptKind>, recipient: Option<&str>) -> String {
    let kind = kind.map_or("ricevuta", |k| k.as_str());
    match recipient {
        Some(r) => format!("{n:02}-{kind}-{r}.eml"),
        None => format!("{n:02}-{kind}.eml"),
    }
}

/// Files written so far, and where.
struct Writer {
    dir: TargetDir,
    files: Vec<EvidenceFile>,
}

impl Writer {
    fn put(&mut self, item: EvidenceItem, name: &str, data: &[u8]) -> Result<()> {
        let path = self.dir.write_new(name, "file", data)?;
        self.files.push(EvidenceFile {
            item,
            path,
            size: data.len() as u64,
            sha256: hex(&Sha256::digest(data)),
        });
        Ok(())
    }

    /// `SHA256SUMS`: one `<hex>  <name>` line per file, verifiable with `sha256sum -c`.
    fn checksums(&mut self) -> Result<()> {
        let mut sums = String::new();
        for f in &self.files {
            let name = f.path.file_name().unwrap_or_default().to_string_lossy();
            sums.push_str(&format!("{}  {name}\n", f.sha256));
        }
        self.put(EvidenceItem::Checksums, "SHA256SUMS", sums.as_bytes())
    }
}

impl Context {
    /// The message's bytes, downloaded first when only its headers are here.
    async fn body_or_fetch(&self, message: MessageId) -> Result<Vec<u8>> {
        match self.raw_message(message) {
            Ok((_, raw)) => Ok(raw),
            Err(Error::NotDownloaded(_)) => self.download(message).await,
            Err(e) => Err(e),
        }
    }

    /// Export the evidence of `message` into the folder `dir` (created when missing; existing
    /// files are never replaced: a taken name gets ` (1)`). Returns the files in the order
    /// written, `SHA256SUMS` last.
    pub async fn export_evidence(
        &self,
        message: MessageId,
        dir: &Path,
    ) -> Result<Vec<EvidenceFile>> {
        let detail = self.store().message(message)?;
        let mut out = Writer {
            dir: TargetDir::open(dir)?,
            files: Vec::new(),
        };
        let raw = self.body_or_fetch(message).await?;
        out.put(EvidenceItem::Message, "messaggio.eml", &raw)?;
        if let Some(xml) = daticert_of(&raw) {
            out.put(EvidenceItem::Daticert, "daticert.xml", &xml)?;
        }
        // A receipt's detail lists the receipt itself: it is already the message above.
        let mut receipts = detail.receipts.clone();
        receipts.retain(|r| r.receipt_id != message);
        receipts.sort_by_key(|r| (r.at, r.receipt_id));
        for (n, r) in receipts.iter().enumerate() {
            let raw = self.body_or_fetch(r.receipt_id).await?;
            let name = receipt_name(n + 1, r.receipt_type, r.recipient.as_deref());
            out.put(EvidenceItem::Receipt(r.receipt_type), &name, &raw)?;
        }
        out.checksums()?;
        Ok(out.files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_names_say_order_kind_and_recipient() {
        assert_eq!(
            receipt_name(1, Some(ReceiptKind::Accettazione), None),
            "01-accettazione.eml"
        );
        assert_eq!(
            receipt_name(2, Some(ReceiptKind::AvvenutaConsegna), Some("a@pec.it")),
            "02-avvenuta-consegna-a@pec.it.eml"
        );
        assert_eq!(receipt_name(3, None, None), "03-ricevuta.eml");
    }
}
