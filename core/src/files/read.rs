//! Bounded reads: the one way the crate and its facade read a file given by path.

use std::io::Read;
use std::path::Path;

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file is over `limit` bytes (`size` when known before reading: a regular file).
    #[error("{} is over the limit of {limit} bytes", size.map_or("the input".to_string(), |s| format!("{s} bytes")))]
    TooLarge { size: Option<u64>, limit: u64 },
    /// The file could not be opened or read.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Refuse a length over `limit` (for bytes already in memory, e.g. handed over by an app).
pub fn check_len(len: usize, limit: u64) -> Result<(), ReadError> {
    let len = len as u64;
    if len > limit {
        return Err(ReadError::TooLarge {
            size: Some(len),
            limit,
        });
    }
    Ok(())
}

/// Read the whole file at `path`, refusing it when over `limit` bytes.
///
/// A regular file's size is checked before a byte is read (a sparse 200 MB file is refused at
/// once); anything else (character device, pipe, FIFO, `/proc` file) is read with a cap of
/// `limit + 1` bytes, so at most `limit` bytes are ever held.
pub fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_file() {
        if meta.len() > limit {
            return Err(ReadError::TooLarge {
                size: Some(meta.len()),
                limit,
            });
        }
        // A regular file may still grow while it is read: the cap below holds either way.
        return read_into(file, limit, meta.len());
    }
    read_into(file, limit, 0)
}

/// Read a stream (standard input) to its end, refusing it when over `limit` bytes.
pub fn read_stream_capped(stream: impl Read, limit: u64) -> Result<Vec<u8>, ReadError> {
    read_into(stream, limit, 0)
}

fn read_into(stream: impl Read, limit: u64, expected: u64) -> Result<Vec<u8>, ReadError> {
    let hint = usize::try_from(expected.min(limit)).unwrap_or(0);
    let mut buf = Vec::with_capacity(hint);
    stream.take(limit.saturating_add(1)).read_to_end(&mut buf)?;
    if buf.len() as u64 > limit {
        return Err(ReadError::TooLarge { size: None, limit });
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sparse_file_over_the_limit_is_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big");
        std::fs::File::create(&p)
            .unwrap()
            .set_len(200 * 1024 * 1024)
            .unwrap();
        match read_capped(&p, 100 * 1024 * 1024) {
            Err(ReadError::TooLarge { size, limit }) => {
                assert_eq!(size, Some(200 * 1024 * 1024));
                assert_eq!(limit, 100 * 1024 * 1024);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_endless_device_stops_at_the_limit() {
        match read_capped(Path::new("/dev/zero"), 1024 * 1024) {
            Err(ReadError::TooLarge { size: None, limit }) => assert_eq!(limit, 1024 * 1024),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn files_and_streams_up_to_the_limit_are_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"12345").unwrap();
        assert_eq!(read_capped(&p, 5).unwrap(), b"12345");
        assert!(matches!(
            read_capped(&p, 4),
            Err(ReadError::TooLarge { size: Some(5), .. })
        ));
        assert_eq!(read_stream_capped(&b"abc"[..], 3).unwrap(), b"abc");
        assert!(read_stream_capped(&b"abcd"[..], 3).is_err());
        assert!(check_len(3, 3).is_ok() && check_len(4, 3).is_err());
        assert!(matches!(
            read_capped(&dir.path().join("missing"), 5),
            Err(ReadError::Io(_))
        ));
    }
}
