//! On-demand download of one MIME part (a large attachment the user opens or shares), in chunks,
//! resumable after a cut connection or a kill.
//!
//! Design: a PEC envelope is verified over its exact bytes (the S/MIME signature covers the whole
//! signed body), so verification always needs the whole raw message; the sync fetches it whole
//! for small messages (and, in chunks, for large ones under the `All` policy or when the reader
//! opens one with [`SyncEngine::fetch_body`]). Part download is the other path: it serves what
//! the UI opens or shares (a 25 MB invoice zip or PDF inside `postacert.eml`) without first
//! pulling the whole envelope onto a phone, and says nothing about the signature. Its bytes are
//! never used to verify anything.
//!
//! How: `UID FETCH uid (BODYSTRUCTURE)` locates the section and its transfer encoding, then
//! `UID FETCH uid (BODY.PEEK[section]<offset.length>)` chunk by chunk; every chunk is committed to
//! the store on its own ([`Store::put_part_chunk`]), so a kill loses at most one chunk and the next
//! call resumes where the store stands. The finished part is decoded (base64, quoted-printable)
//! while streaming chunks to a temporary file next to the destination, renamed into place at the
//! end: one chunk in memory at a time, never the whole part.
//!
//! Progress: [`SyncEvent::PartProgress`] through the engine's events, in encoded bytes: once at the
//! start (what is already stored), after each committed chunk (so never more often than one chunk,
//! and what it says is what a resume would start from), and `done == total` at the end on every
//! successful path, the local ones included, so a progress bar always completes.

use super::conn::{connect, map_imap};
use super::engine::SyncEngine;
use super::{SyncError, SyncEvent};
use crate::store::{MessageId, StoreError};
use async_imap::imap_proto::{BodyStructure, ContentEncoding, SectionPath};
use futures::TryStreamExt;
use std::io::Write;
use std::path::Path;

/// Default chunk size of part downloads.
pub const PART_CHUNK_BYTES: u64 = 256 * 1024;

/// Why a part could not be downloaded.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum PartError {
    /// `section` is not an IMAP section number (`1`, `1.3.2`).
    #[error("invalid section {0:?}")]
    InvalidSection(String),
    /// The message has no server copy (local import or not yet uploaded).
    #[error("message {0} has no server copy")]
    NoServerCopy(MessageId),
    /// The message has no such part.
    #[error("message {message} has no part {section}")]
    NoSuchPart { message: MessageId, section: String },
    /// The section is a multipart container, not a leaf part.
    #[error("part {0} is a container, not a file")]
    NotALeaf(String),
    /// The message is gone from the server or its folder was recreated (UIDVALIDITY changed):
    /// sync, then retry.
    #[error("message changed on the server: {0}")]
    Changed(String),
    /// The server sent a different number of bytes than BODYSTRUCTURE announced.
    #[error("part {section}: expected {expected} bytes, got {got}")]
    Truncated {
        section: String,
        expected: u64,
        got: u64,
    },
    /// Writing the destination file failed.
    #[error("writing {path}: {message}")]
    Io { path: String, message: String },
    /// Connection, authentication, server refusal, store (retry per [`SyncError::is_transient`]).
    #[error(transparent)]
    Sync(#[from] SyncError),
}

impl From<StoreError> for PartError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(m) => PartError::Changed(m),
            other => PartError::Sync(other.into()),
        }
    }
}

/// What a part download did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartDownload {
    pub section: String,
    /// Content-Transfer-Encoding of the part (lower case).
    pub encoding: String,
    /// Bytes on the wire (encoded), as BODYSTRUCTURE announced.
    pub encoded_size: u64,
    /// Bytes written to the destination (decoded).
    pub decoded_size: u64,
    /// Encoded bytes already in the store when this call started (a resumed download).
    pub resumed_from: u64,
    /// Encoded bytes fetched from the server by this call.
    pub fetched: u64,
}

/// `"1.3.2"` → `[1, 3, 2]`.
pub(crate) fn parse_section(s: &str) -> Option<Vec<u32>> {
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    s.split('.')
        .map(|p| {
            if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            p.parse::<u32>().ok().filter(|n| *n > 0)
        })
        .collect()
}

/// The part at `path` (IMAP numbering: inside a message/rfc822 part, numbers address the parts of
/// the encapsulated message; "1" of a single-part body is the body itself).
pub(crate) fn find_part<'a, 'b>(
    bs: &'a BodyStructure<'b>,
    path: &[u32],
) -> Option<&'a BodyStructure<'b>> {
    fn inner<'a, 'b>(
        bs: &'a BodyStructure<'b>,
        path: &[u32],
        depth: u32,
    ) -> Option<&'a BodyStructure<'b>> {
        if depth > 32 {
            return None;
        }
        let Some((&first, rest)) = path.split_first() else {
            return Some(bs);
        };
        match bs {
            BodyStructure::Multipart { bodies, .. } => {
                let child = bodies.get(usize::try_from(first).ok()?.checked_sub(1)?)?;
                inner(child, rest, depth + 1)
            }
            BodyStructure::Message { body, .. } => match body.as_ref() {
                BodyStructure::Multipart { .. } => inner(body, path, depth + 1),
                single if first == 1 => inner(single, rest, depth + 1),
                _ => None,
            },
            _ => None,
        }
    }
    match bs {
        BodyStructure::Multipart { .. } => inner(bs, path, 0),
        single if path == [1] => Some(single),
        _ => None,
    }
}

fn leaf_info(bs: &BodyStructure<'_>) -> Option<(String, u64)> {
    let other = match bs {
        BodyStructure::Basic { other, .. }
        | BodyStructure::Text { other, .. }
        | BodyStructure::Message { other, .. } => other,
        BodyStructure::Multipart { .. } => return None,
    };
    let enc = match &other.transfer_encoding {
        ContentEncoding::SevenBit => "7bit".to_string(),
        ContentEncoding::EightBit => "8bit".to_string(),
        ContentEncoding::Binary => "binary".to_string(),
        ContentEncoding::Base64 => "base64".to_string(),
        ContentEncoding::QuotedPrintable => "quoted-printable".to_string(),
        ContentEncoding::Other(o) => o.to_ascii_lowercase(),
    };
    Some((enc, u64::from(other.octets)))
}

/// Streaming Content-Transfer-Encoding decoder: feed encoded chunks cut anywhere.
pub(crate) enum Decoder {
    Identity,
    Base64(Vec<u8>),
    QuotedPrintable(Vec<u8>),
}

impl Decoder {
    pub(crate) fn new(encoding: &str) -> Decoder {
        match encoding {
            "base64" => Decoder::Base64(Vec::new()),
            "quoted-printable" => Decoder::QuotedPrintable(Vec::new()),
            _ => Decoder::Identity,
        }
    }

    /// Decode what can be decoded of `input` (plus what was carried over) into `out`.
    pub(crate) fn push(&mut self, input: &[u8], out: &mut Vec<u8>) {
        match self {
            Decoder::Identity => out.extend_from_slice(input),
            Decoder::Base64(carry) => {
                carry.extend(input.iter().copied().filter(|b| {
                    b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/' || *b == b'='
                }));
                let whole = carry.len() / 4 * 4;
                b64_decode(&carry[..whole], out);
                carry.drain(..whole);
            }
            Decoder::QuotedPrintable(carry) => {
                carry.extend_from_slice(input);
                // Decode complete lines only: a soft break or =XX may straddle chunks.
                if let Some(end) = carry.iter().rposition(|b| *b == b'\n') {
                    qp_decode(&carry[..=end], out);
                    carry.drain(..=end);
                }
            }
        }
    }

    /// Flush what is left at the end of the part.
    pub(crate) fn finish(&mut self, out: &mut Vec<u8>) {
        match self {
            Decoder::Identity => {}
            Decoder::Base64(carry) => {
                // A truncated final quad: decode what it holds, padding it.
                if !carry.is_empty() {
                    let mut quad = std::mem::take(carry);
                    quad.retain(|b| *b != b'=');
                    if quad.len() >= 2 {
                        while quad.len() % 4 != 0 {
                            quad.push(b'=');
                        }
                        b64_decode(&quad, out);
                    }
                }
            }
            Decoder::QuotedPrintable(carry) => {
                let rest = std::mem::take(carry);
                qp_decode(&rest, out);
            }
        }
    }
}

/// Decode whole quads; padding in the middle (concatenated encodings) is tolerated quad by quad,
/// an invalid quad is skipped (bad input never panics, and the rest of the file survives).
fn b64_decode(data: &[u8], out: &mut Vec<u8>) {
    use base64::Engine;
    let engine = base64::engine::general_purpose::STANDARD;
    // decode_vec leaves garbage behind on error: decode into a scratch buffer first.
    if let Ok(v) = engine.decode(data) {
        out.extend_from_slice(&v);
        return;
    }
    for quad in data.chunks(4) {
        if let Ok(v) = engine.decode(quad) {
            out.extend_from_slice(&v);
        }
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn qp_decode(data: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        if b == b'=' {
            // Soft line break: "=" then optional whitespace then CRLF/LF.
            let mut j = i + 1;
            while j < data.len() && (data[j] == b' ' || data[j] == b'\t') {
                j += 1;
            }
            if j < data.len() && data[j] == b'\r' && data.get(j + 1) == Some(&b'\n') {
                i = j + 2;
                continue;
            }
            if j < data.len() && data[j] == b'\n' {
                i = j + 1;
                continue;
            }
            if let (Some(h), Some(l)) = (
                data.get(i + 1).copied().and_then(hex),
                data.get(i + 2).copied().and_then(hex),
            ) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
            out.push(b);
            i += 1;
        } else {
            out.push(b);
            i += 1;
        }
    }
}

impl SyncEngine {
    /// Download part `section` of `message` (IMAP numbering, e.g. `"2"` or `"1.3.2"` inside
    /// `postacert.eml`) and write it, decoded, to `dest` (replaced atomically). Resumes a download
    /// cut short before; a part already complete in the store, or a part of a message whose whole
    /// body is stored (cut out of it, [`super::part_local`]), is written without contacting the
    /// server. See the module docs for why this never replaces whole-message fetch for PEC
    /// verification.
    pub async fn download_part(
        &self,
        message: MessageId,
        section: &str,
        dest: &Path,
    ) -> Result<PartDownload, PartError> {
        self.download_part_with(message, section, dest, PART_CHUNK_BYTES)
            .await
    }

    /// [`SyncEngine::download_part`] with a chosen chunk size (at least 1 KiB).
    pub async fn download_part_with(
        &self,
        message: MessageId,
        section: &str,
        dest: &Path,
        chunk: u64,
    ) -> Result<PartDownload, PartError> {
        super::conn::contained(self.download_part_with_uncontained(message, section, dest, chunk))
            .await
    }

    /// [`Self::download_part_with`] without the panic containment.
    async fn download_part_with_uncontained(
        &self,
        message: MessageId,
        section: &str,
        dest: &Path,
        chunk: u64,
    ) -> Result<PartDownload, PartError> {
        let chunk = chunk.max(1024);
        let path =
            parse_section(section).ok_or_else(|| PartError::InvalidSection(section.into()))?;
        let store = self.store().clone();
        let d = store.run(move |s| s.message(message)).await?;
        let account_id = d.summary.account_id;
        let account = self.permitted_account(account_id).await?;
        let progress = |done: u64, total: u64| {
            self.emit(SyncEvent::PartProgress {
                account: account_id,
                message,
                section: section.to_string(),
                done,
                total,
            })
        };
        let sec = section.to_string();
        let cached = store.run(move |s| s.part_progress(message, &sec)).await?;
        if let Some(p) = cached.filter(|p| p.complete) {
            let decoded = export(self, message, section, &p.encoding, dest).await?;
            progress(p.size, p.size);
            return Ok(PartDownload {
                section: section.into(),
                encoding: p.encoding,
                encoded_size: p.size,
                decoded_size: decoded,
                resumed_from: p.have,
                fetched: 0,
            });
        }
        if let Some(done) = from_local_body(self, message, section, &path, dest).await? {
            progress(done.encoded_size, done.encoded_size);
            return Ok(done);
        }
        let uid = d.summary.uid.ok_or(PartError::NoServerCopy(message))?;
        let fid = d.summary.folder_id;
        let folder = store.run(move |s| s.folder(fid)).await?;
        let password = self.password(&account)?;
        let mut sess = connect(&account, &password).await?;
        let mb = sess.examine(&d.summary.folder).await.map_err(|e| match e {
            async_imap::error::Error::No(m) => PartError::Changed(m),
            other => PartError::Sync(map_imap(other)),
        })?;
        if folder.uidvalidity.is_some() && mb.uid_validity != folder.uidvalidity {
            return Err(PartError::Changed(format!(
                "{}: UIDVALIDITY changed",
                d.summary.folder
            )));
        }
        // Locate the part.
        let (encoding, size) = {
            let mut stream = sess
                .uid_fetch(uid.to_string(), "(UID BODYSTRUCTURE)")
                .await
                .map_err(map_imap)?;
            let mut found: Option<Result<(String, u64), PartError>> = None;
            while let Some(f) = stream.try_next().await.map_err(map_imap)? {
                if f.uid != Some(uid) {
                    continue;
                }
                if let Some(bs) = f.bodystructure() {
                    found = Some(match find_part(bs, &path) {
                        None => Err(PartError::NoSuchPart {
                            message,
                            section: section.into(),
                        }),
                        Some(p) => leaf_info(p).ok_or_else(|| PartError::NotALeaf(section.into())),
                    });
                }
            }
            found.ok_or_else(|| PartError::Changed(format!("UID {uid} is gone")))??
        };
        while sess.unsolicited_responses.try_recv().is_ok() {}
        let sec = section.to_string();
        let enc = encoding.clone();
        let validity = mb.uid_validity;
        let stored = store
            .run(move |s| s.begin_part(message, &sec, uid, validity, &enc, size))
            .await?;
        let resumed_from = stored.have;
        let mut have = stored.have;
        progress(have, size);
        let mut fetched = 0u64;
        let section_path = SectionPath::Part(path.clone(), None);
        if !stored.complete {
            loop {
                let mut data: Vec<u8> = Vec::new();
                {
                    let mut stream = sess
                        .uid_fetch(
                            uid.to_string(),
                            format!("(UID BODY.PEEK[{section}]<{have}.{chunk}>)"),
                        )
                        .await
                        .map_err(map_imap)?;
                    while let Some(f) = stream.try_next().await.map_err(map_imap)? {
                        if f.uid == Some(uid)
                            && let Some(b) = f.section(&section_path)
                        {
                            data = b.to_vec();
                        }
                    }
                }
                while sess.unsolicited_responses.try_recv().is_ok() {}
                let got = data.len() as u64;
                let last = got < chunk || have + got >= size;
                let sec = section.to_string();
                let offset = have;
                store
                    .run(move |s| s.put_part_chunk(message, &sec, offset, &data, last))
                    .await?;
                have += got;
                fetched += got;
                progress(have, size);
                if last {
                    break;
                }
            }
        }
        let _ = sess.logout().await;
        if have != size {
            // Keep nothing that disagrees with the structure: the next call starts over.
            let sec = section.to_string();
            store.run(move |s| s.drop_part(message, &sec)).await?;
            return Err(PartError::Truncated {
                section: section.into(),
                expected: size,
                got: have,
            });
        }
        let decoded = export(self, message, section, &encoding, dest).await?;
        Ok(PartDownload {
            section: section.into(),
            encoding,
            encoded_size: size,
            decoded_size: decoded,
            resumed_from,
            fetched,
        })
    }
}

/// When the whole message is stored, cut the part out of it (no server), written like a download.
/// `None` when there is no stored body or it has no such leaf part (then the server decides).
async fn from_local_body(
    engine: &SyncEngine,
    message: MessageId,
    section: &str,
    path: &[u32],
    dest: &Path,
) -> Result<Option<PartDownload>, PartError> {
    let Some(raw) = engine.store().run(move |s| s.body(message)).await? else {
        return Ok(None);
    };
    let path = path.to_vec();
    let dest = dest.to_path_buf();
    let section = section.to_string();
    tokio::task::spawn_blocking(move || -> Result<Option<PartDownload>, PartError> {
        let Some((encoding, bytes, encoded_size)) = super::part_local::local_part(&raw, &path)
        else {
            return Ok(None);
        };
        let io = |e: std::io::Error| PartError::Io {
            path: dest.display().to_string(),
            message: e.to_string(),
        };
        let dir = match dest.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(io)?;
        tmp.write_all(&bytes).map_err(io)?;
        tmp.as_file().sync_all().map_err(io)?;
        tmp.persist(&dest).map_err(|e| io(e.error))?;
        Ok(Some(PartDownload {
            section,
            encoding,
            encoded_size,
            decoded_size: bytes.len() as u64,
            resumed_from: 0,
            fetched: 0,
        }))
    })
    .await
    .map_err(|e| PartError::Sync(SyncError::Store(e.to_string())))?
}

/// Decode the stored chunks into a temporary file next to `dest`, then rename it into place.
async fn export(
    engine: &SyncEngine,
    message: MessageId,
    section: &str,
    encoding: &str,
    dest: &Path,
) -> Result<u64, PartError> {
    let store = engine.store().clone();
    {
        let section = section.to_string();
        store
            .run(move |s| s.touch_part_and_evict(message, &section))
            .await?;
    }
    let section = section.to_string();
    let encoding = encoding.to_string();
    let dest = dest.to_path_buf();
    let io = |path: &Path, e: std::io::Error| PartError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    tokio::task::spawn_blocking(move || -> Result<u64, PartError> {
        let dir = match dest.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(|e| io(&dir, e))?;
        let mut decoder = Decoder::new(&encoding);
        let mut buf = Vec::new();
        let mut written = 0u64;
        let mut write_err: Option<std::io::Error> = None;
        store
            .read_part_chunks(message, &section, |chunk| {
                buf.clear();
                decoder.push(chunk, &mut buf);
                if let Err(e) = tmp.write_all(&buf) {
                    write_err = Some(e);
                    return Err(StoreError::Invalid("write failed".into()));
                }
                written += buf.len() as u64;
                Ok(())
            })
            .map_err(|e| match write_err.take() {
                Some(w) => io(&dest, w),
                None => PartError::from(e),
            })?;
        buf.clear();
        decoder.finish(&mut buf);
        tmp.write_all(&buf).map_err(|e| io(&dest, e))?;
        written += buf.len() as u64;
        tmp.as_file().sync_all().map_err(|e| io(&dest, e))?;
        tmp.persist(&dest).map_err(|e| io(&dest, e.error))?;
        Ok(written)
    })
    .await
    .map_err(|e| PartError::Sync(SyncError::Store(e.to_string())))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections() {
        assert_eq!(parse_section("1"), Some(vec![1]));
        assert_eq!(parse_section("1.3.2"), Some(vec![1, 3, 2]));
        for bad in [
            "", "0", "1.", ".1", "1..2", "a", "1.0", "HEADER", "1.TEXT", "-1", "999999",
        ] {
            assert_eq!(parse_section(bad), None, "{bad:?}");
        }
    }

    fn decode_in_chunks(enc: &str, input: &[u8], step: usize) -> Vec<u8> {
        let mut d = Decoder::new(enc);
        let mut out = Vec::new();
        for c in input.chunks(step.max(1)) {
            d.push(c, &mut out);
        }
        d.finish(&mut out);
        out
    }

    #[test]
    fn streaming_base64_any_cut() {
        use base64::Engine;
        let data: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
        let enc = base64::engine::general_purpose::STANDARD.encode(&data);
        // Wrapped at 76 with CRLF, as mail is.
        let wrapped: Vec<u8> = enc
            .as_bytes()
            .chunks(76)
            .flat_map(|l| l.iter().copied().chain(*b"\r\n"))
            .collect();
        for step in [1, 3, 4, 5, 77, 78, 1000, 100_000] {
            assert_eq!(decode_in_chunks("base64", &wrapped, step), data, "{step}");
        }
        // Concatenated encodings with padding in the middle; garbage bytes in between.
        assert_eq!(decode_in_chunks("base64", b"QQ==\r\nQkM=", 3), b"ABC");
        assert_eq!(decode_in_chunks("base64", b"QU*JD!", 2), b"ABC");
        // Truncated last quad: what it holds.
        assert_eq!(decode_in_chunks("base64", b"QUJDRA", 4), b"ABCD");
    }

    #[test]
    fn streaming_quoted_printable_any_cut() {
        let input = b"caf=C3=A9 e soft=\r\nbreak =3D ok\r\nend=\nx = y=4";
        for step in [1, 2, 3, 7, 100] {
            assert_eq!(
                decode_in_chunks("quoted-printable", input, step),
                "caf\u{e9} e softbreak = ok\r\nendx = y=4".as_bytes(),
                "{step}"
            );
        }
    }
}
