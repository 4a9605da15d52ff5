//! Files encrypted with the store key: what the core keeps outside SQLite (the outbox's messages,
//! which may be 100 MB and are written as they are built).
//!
//! Format: `PECSEAL1`, a 16-byte random salt, then the content in chunks of 64 KiB, each sealed
//! with AES-256-GCM under a key derived for this file only (HKDF-SHA256 of the store key and the
//! salt), so no nonce is ever reused across files. A chunk's nonce is its index and a flag set on
//! the last chunk only: chunks cannot be reordered, dropped or cut off without the open failing.
//! The header is the associated data of every chunk.

use super::StoreKey;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use std::io::Write;
use std::path::Path;

const MAGIC: &[u8; 8] = b"PECSEAL1";
const SALT_LEN: usize = 16;
const HEADER_LEN: usize = MAGIC.len() + SALT_LEN;
const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;

/// Why a sealed file could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("the file is too large to open here")]
    TooLarge,
    #[error("the file is encrypted and the store is not unlocked")]
    NoKey,
    #[error("the file was not sealed with this key, or it was altered or cut short")]
    Damaged,
}

/// The file's own key. HKDF-SHA256 gives 32 bytes without fail (the length is far under its
/// limit); `None` only if ring said otherwise.
fn file_key(key: &StoreKey, salt: &[u8]) -> Option<LessSafeKey> {
    let prk = ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, salt).extract(key.bytes());
    let okm = prk.expand(&[b"pec sealed file v1"], &AES_256_GCM).ok()?;
    Some(LessSafeKey::new(UnboundKey::from(okm)))
}

fn nonce(index: u32, last: bool) -> Nonce {
    let mut n = [0u8; NONCE_LEN];
    n[7..11].copy_from_slice(&index.to_be_bytes());
    n[11] = u8::from(last);
    Nonce::assume_unique_for_key(n)
}

/// True when `bytes` start like a sealed file.
pub fn is_sealed(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// Writes a sealed file as its content is produced; [`Sealer::finish`] writes the last chunk.
/// Dropping a sealer without finishing leaves a file that does not open (no last chunk).
pub struct Sealer<W: Write> {
    out: W,
    key: LessSafeKey,
    aad: [u8; HEADER_LEN],
    buf: Vec<u8>,
    index: u32,
}

impl<W: Write> Sealer<W> {
    pub fn new(key: &StoreKey, mut out: W) -> std::io::Result<Sealer<W>> {
        use ring::rand::SecureRandom;
        let mut aad = [0u8; HEADER_LEN];
        aad[..MAGIC.len()].copy_from_slice(MAGIC);
        ring::rand::SystemRandom::new()
            .fill(&mut aad[MAGIC.len()..])
            .map_err(|_| std::io::Error::other("random generator failed"))?;
        let file_key = file_key(key, &aad[MAGIC.len()..])
            .ok_or_else(|| std::io::Error::other("key derivation failed"))?;
        out.write_all(&aad)?;
        Ok(Sealer {
            key: file_key,
            out,
            aad,
            buf: Vec::with_capacity(CHUNK + TAG),
            index: 0,
        })
    }

    fn seal_chunk(&mut self, last: bool) -> std::io::Result<()> {
        let n = nonce(self.index, last);
        self.key
            .seal_in_place_append_tag(n, Aad::from(self.aad), &mut self.buf)
            .map_err(|_| std::io::Error::other("encryption failed"))?;
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.index = self
            .index
            .checked_add(1)
            .ok_or_else(|| std::io::Error::other("file too large to seal"))?;
        Ok(())
    }

    /// Seal what is left as the last chunk and hand back the writer (flushed).
    pub fn finish(mut self) -> std::io::Result<W> {
        self.seal_chunk(true)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Write for Sealer<W> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        // A full chunk is sealed only once more data arrives: the last chunk must carry the flag.
        if self.buf.len() == CHUNK && !data.is_empty() {
            self.seal_chunk(false)?;
        }
        let n = data.len().min(CHUNK - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Replace the plain file at `path` (content `plain`) with its sealed copy: a temporary file
/// beside it, fsync, rename, fsync of the folder, so a crash leaves the plain file or the sealed
/// one.
pub fn seal_in_place(path: &Path, key: &StoreKey, plain: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let tmp = tempfile::NamedTempFile::new_in(dir)?;
    let mut sealer = Sealer::new(key, tmp.as_file())?;
    sealer.write_all(plain)?;
    sealer.finish()?.sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    crate::files::sync_dir(dir)
}

/// The length of the content of a sealed file of `sealed_len` bytes, without opening it (`None`:
/// not a length a sealed file can have).
pub fn plain_len(sealed_len: u64) -> Option<u64> {
    let body = sealed_len.checked_sub(HEADER_LEN as u64)?;
    let chunks = body.div_ceil((CHUNK + TAG) as u64).max(1);
    body.checked_sub(chunks * TAG as u64)
}

/// The first bytes (at most one chunk) of the sealed file at `path`, opened with `key`.
pub fn read_head(path: &Path, key: &StoreKey) -> Result<Vec<u8>, SealError> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    let mut first = Vec::with_capacity(HEADER_LEN + CHUNK + TAG);
    file.take((HEADER_LEN + CHUNK + TAG) as u64)
        .read_to_end(&mut first)?;
    let cut = len > first.len() as u64;
    open_prefix(key, first, cut)
}

/// Open a sealed file held in memory.
pub fn open(key: &StoreKey, sealed: Vec<u8>) -> Result<Vec<u8>, SealError> {
    open_prefix(key, sealed, false)
}

/// Open the chunks of `sealed`; `cut` when more chunks follow in the file (then the last one held
/// here is not the file's last and must not carry the flag).
fn open_prefix(key: &StoreKey, mut sealed: Vec<u8>, cut: bool) -> Result<Vec<u8>, SealError> {
    if sealed.len() < HEADER_LEN + TAG || !is_sealed(&sealed) {
        return Err(SealError::Damaged);
    }
    let mut aad = [0u8; HEADER_LEN];
    aad.copy_from_slice(&sealed[..HEADER_LEN]);
    let fkey = file_key(key, &aad[MAGIC.len()..]).ok_or(SealError::Damaged)?;
    let (mut read, mut write, mut index) = (HEADER_LEN, 0usize, 0u32);
    loop {
        let end = (read + CHUNK + TAG).min(sealed.len());
        let held_last = end == sealed.len();
        let plain = fkey
            .open_in_place(
                nonce(index, held_last && !cut),
                Aad::from(aad),
                &mut sealed[read..end],
            )
            .map_err(|_| SealError::Damaged)?
            .len();
        sealed.copy_within(read..read + plain, write);
        write += plain;
        read = end;
        if held_last {
            break;
        }
        index = index.checked_add(1).ok_or(SealError::Damaged)?;
    }
    sealed.truncate(write);
    Ok(sealed)
}

/// The largest sealed file a content of `cap` bytes makes.
pub fn max_sealed_len(cap: u64) -> u64 {
    cap + (HEADER_LEN as u64) + (cap / CHUNK as u64 + 1) * TAG as u64
}

/// Read the file at `path` (content of at most `cap` bytes): opened with `key` when sealed, as
/// is when it is a plain file (written before the store was encrypted).
pub fn read_file(path: &Path, key: Option<&StoreKey>, cap: u64) -> Result<Vec<u8>, SealError> {
    read_file_expecting(path, key, cap, false)
}

/// [`read_file`], refusing a plain file as [`SealError::Damaged`] when `sealed_only` (the file
/// was written sealed, so a plain one in its place is not the one written).
pub fn read_file_expecting(
    path: &Path,
    key: Option<&StoreKey>,
    cap: u64,
    sealed_only: bool,
) -> Result<Vec<u8>, SealError> {
    let bytes = crate::files::read_capped(path, max_sealed_len(cap)).map_err(|e| match e {
        crate::files::ReadError::Io(e) => SealError::Io(e),
        crate::files::ReadError::TooLarge { .. } => SealError::TooLarge,
    })?;
    let content = match (is_sealed(&bytes), sealed_only) {
        (true, _) => open(key.ok_or(SealError::NoKey)?, bytes)?,
        (false, true) => return Err(SealError::Damaged),
        (false, false) => bytes,
    };
    match content.len() as u64 > cap {
        true => Err(SealError::TooLarge),
        false => Ok(content),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seal(key: &StoreKey, data: &[u8], pieces: usize) -> Vec<u8> {
        let mut s = Sealer::new(key, Vec::new()).unwrap();
        for part in data.chunks(pieces.max(1)) {
            s.write_all(part).unwrap();
        }
        s.finish().unwrap()
    }

    #[test]
    fn contents_of_every_size_round_trip_and_hide_their_bytes() {
        let key = StoreKey::generate().unwrap();
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 17] {
            let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            for pieces in [1000, CHUNK, 7 * CHUNK] {
                let sealed = seal(&key, &data, pieces);
                assert!(is_sealed(&sealed));
                assert_eq!(
                    open(&key, sealed).unwrap(),
                    data,
                    "len {len} pieces {pieces}"
                );
            }
        }
        let text = b"Fattura n. 2026/117 del cliente Rossi".repeat(100);
        let sealed = seal(&key, &text, 64);
        assert!(!sealed.windows(7).any(|w| w == b"Fattura"));
    }

    #[test]
    fn a_wrong_key_a_cut_or_a_flipped_bit_is_refused() {
        let key = StoreKey::generate().unwrap();
        let data = vec![7u8; 2 * CHUNK + 5];
        let sealed = seal(&key, &data, 4096);
        let other = StoreKey::generate().unwrap();
        assert!(matches!(
            open(&other, sealed.clone()),
            Err(SealError::Damaged)
        ));
        // Dropping the last chunk leaves two full chunks, neither flagged last.
        let cut = sealed[..HEADER_LEN + 2 * (CHUNK + TAG)].to_vec();
        assert!(matches!(open(&key, cut), Err(SealError::Damaged)));
        for at in [0, 9, HEADER_LEN + 3, sealed.len() - 1] {
            let mut bad = sealed.clone();
            bad[at] ^= 1;
            assert!(open(&key, bad).is_err(), "flip at {at}");
        }
        // Swapping two full chunks breaks their nonces.
        let mut swapped = sealed.clone();
        let (a, b) = (HEADER_LEN, HEADER_LEN + CHUNK + TAG);
        let first = swapped[a..b].to_vec();
        swapped.copy_within(b..b + CHUNK + TAG, a);
        swapped[b..b + CHUNK + TAG].copy_from_slice(&first);
        assert!(open(&key, swapped).is_err());
    }

    #[test]
    fn the_content_length_and_head_come_without_opening_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let key = StoreKey::generate().unwrap();
        for len in [0, 5, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 7] {
            let data: Vec<u8> = (0..len).map(|i| (i % 253) as u8).collect();
            let sealed = seal(&key, &data, 4096);
            assert_eq!(
                plain_len(sealed.len() as u64),
                Some(len as u64),
                "len {len}"
            );
            let path = dir.path().join(format!("f{len}"));
            std::fs::write(&path, &sealed).unwrap();
            let head = read_head(&path, &key).unwrap();
            assert_eq!(head, data[..len.min(CHUNK)], "len {len}");
        }
    }

    #[test]
    fn plain_files_are_read_as_they_are_and_sealed_ones_need_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let key = StoreKey::generate().unwrap();
        std::fs::write(dir.path().join("plain"), b"hello").unwrap();
        std::fs::write(dir.path().join("sealed"), seal(&key, b"hello", 2)).unwrap();
        let read = |name: &str, k: Option<&StoreKey>| read_file(&dir.path().join(name), k, 1 << 20);
        assert_eq!(read("plain", None).unwrap(), b"hello");
        assert_eq!(read("sealed", Some(&key)).unwrap(), b"hello");
        assert!(matches!(read("sealed", None), Err(SealError::NoKey)));
    }
}
