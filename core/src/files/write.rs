//! Writing files into a folder the user chose, safely: a file that exists is never replaced, a
//! link is never followed, and any name a sender chose becomes one the file system takes.
//!
//! Attachment names come from strangers: `../../.bashrc`, 300 characters, control characters, or
//! the same name twice in one message. [`clean_file_name`] keeps the last path component without
//! control characters, shortened to [`MAX_FILE_NAME_BYTES`] with its extension kept;
//! [`TargetDir::create`] then takes the first free name of `name.ext`, `name (1).ext`, ...,
//! creating it exclusively (`O_CREAT | O_EXCL`, which never follows a link at the name) with
//! `O_NOFOLLOW`.

use crate::limits::{MAX_FILE_NAME_BYTES, MAX_NAME_VARIANTS};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The folder (or a folder on the way to it) is a link someone other than the system placed:
    /// following it could write outside the folder the user chose.
    #[error("{0} is a symbolic link: refusing to write through it")]
    LinkInPath(PathBuf),
    /// Every variant of the name is taken.
    #[error("no free file name for {0:?} in the folder")]
    NoFreeName(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A file name safe to create in a folder: the last component of `name` (after `/` or `\`),
/// without control characters, trimmed, at most [`MAX_FILE_NAME_BYTES`] bytes with its
/// extension kept; `fallback` when nothing usable is left (empty, `.`, `..`).
pub fn clean_file_name(name: &str, fallback: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.trim();
    let clean = if clean.is_empty() || clean == "." || clean == ".." {
        fallback
    } else {
        clean
    };
    with_suffix(clean, "")
}

/// `name` with `suffix` (` (1)`) before its extension, shortened so the result fits in
/// [`MAX_FILE_NAME_BYTES`] bytes: the stem is cut at a character boundary, the extension (up to
/// 32 bytes) is kept.
fn with_suffix(name: &str, suffix: &str) -> String {
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 && name.len() - i <= 32 => name.split_at(i),
        _ => (name, ""),
    };
    let room = MAX_FILE_NAME_BYTES.saturating_sub(suffix.len() + ext.len());
    format!("{}{suffix}{ext}", &stem[..stem.floor_char_boundary(room)])
}

/// A folder we write new files into. Opening it creates it when missing and refuses a path
/// through a link that is not the system's own (see [`TargetDir::open`]).
#[derive(Debug, Clone)]
pub struct TargetDir {
    path: PathBuf,
}

impl TargetDir {
    /// Create `path` when missing and check it: neither the folder nor a folder on the way to it
    /// may be a symbolic link (see `refuse_links`), before and after creating it.
    pub fn open(path: &Path) -> Result<TargetDir, WriteError> {
        refuse_links(path)?;
        std::fs::create_dir_all(path).map_err(io(path))?;
        refuse_links(path)?;
        Ok(TargetDir {
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Create a new, empty file named after `name` (cleaned; `name (1).ext` ... when taken) and
    /// return it open for writing with its path. Never replaces or follows anything.
    pub fn create(&self, name: &str, fallback: &str) -> Result<(File, PathBuf), WriteError> {
        let clean = clean_file_name(name, fallback);
        for n in 0..MAX_NAME_VARIANTS {
            let candidate = if n == 0 {
                clean.clone()
            } else {
                with_suffix(&clean, &format!(" ({n})"))
            };
            let path = self.path.join(&candidate);
            match create_new(&path) {
                Ok(f) => return Ok((f, path)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io(&path)(e)),
            }
        }
        Err(WriteError::NoFreeName(clean))
    }

    /// Write `data` to a new file named after `name` (see [`TargetDir::create`]); a failed
    /// write leaves no partial file behind.
    pub fn write_new(
        &self,
        name: &str,
        fallback: &str,
        data: &[u8],
    ) -> Result<PathBuf, WriteError> {
        let (mut file, path) = self.create(name, fallback)?;
        if let Err(e) = file.write_all(data).and_then(|()| file.sync_all()) {
            let _ = std::fs::remove_file(&path);
            return Err(io(&path)(e));
        }
        Ok(path)
    }
}

fn create_new(path: &Path) -> std::io::Result<File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NOFOLLOW);
    }
    opts.open(path)
}

/// Refuse `path` when it, or a folder on the way to it, is a symbolic link, except the system's
/// own links directly under `/` (macOS's `/tmp` → `/private/tmp`, `/bin` → `usr/bin`): a link
/// planted in the path could send the files out of the folder the user chose. A user whose
/// folder is a link of their own passes the resolved path.
fn refuse_links(path: &Path) -> Result<(), WriteError> {
    for p in path.ancestors().filter(|p| !p.as_os_str().is_empty()) {
        let Ok(meta) = std::fs::symlink_metadata(p) else {
            continue;
        };
        let system = p.parent() == Some(Path::new("/"));
        if meta.file_type().is_symlink() && !system {
            return Err(WriteError::LinkInPath(p.to_path_buf()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_paths_and_control_characters() {
        assert_eq!(clean_file_name("../../.bashrc", "x"), ".bashrc");
        assert_eq!(clean_file_name("a\\b\\c.pdf", "x"), "c.pdf");
        assert_eq!(clean_file_name("evil\u{1b}[2J\r\n.pdf", "x"), "evil[2J.pdf");
        assert_eq!(clean_file_name("..", "part-2"), "part-2");
        assert_eq!(clean_file_name(" / ", "part-2"), "part-2");
    }

    #[test]
    fn long_names_are_shortened_keeping_the_extension_and_utf8() {
        let long = format!("{}.pdf", "è".repeat(300));
        let short = clean_file_name(&long, "x");
        assert!(short.len() <= MAX_FILE_NAME_BYTES, "{}", short.len());
        assert!(short.ends_with(".pdf"));
        assert!(short.starts_with('è'));
        let variant = with_suffix(&short, " (12)");
        assert!(variant.len() <= MAX_FILE_NAME_BYTES);
        assert!(variant.ends_with(" (12).pdf"), "{variant}");
    }

    #[test]
    fn existing_files_are_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let t = TargetDir::open(dir.path()).unwrap();
        std::fs::write(dir.path().join("a.pdf"), b"mine").unwrap();
        let p1 = t.write_new("a.pdf", "x", b"one").unwrap();
        let p2 = t.write_new("sub/a.pdf", "x", b"two").unwrap();
        assert_eq!(p1, dir.path().join("a (1).pdf"));
        assert_eq!(p2, dir.path().join("a (2).pdf"));
        assert_eq!(std::fs::read(dir.path().join("a.pdf")).unwrap(), b"mine");
        assert_eq!(std::fs::read(&p2).unwrap(), b"two");
        let long = format!("{}.xml", "n".repeat(300));
        let p = t.write_new(&long, "x", b"3").unwrap();
        assert!(p.file_name().unwrap().len() <= MAX_FILE_NAME_BYTES);
    }

    #[cfg(unix)]
    #[test]
    fn links_are_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let victim = outside.path().join("victim");
        std::fs::write(&victim, b"keep").unwrap();
        // A link planted at the name: the file goes beside it, the victim is untouched.
        std::os::unix::fs::symlink(&victim, dir.path().join("a.txt")).unwrap();
        let t = TargetDir::open(dir.path()).unwrap();
        let p = t.write_new("a.txt", "x", b"new").unwrap();
        assert_eq!(p, dir.path().join("a (1).txt"));
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
        // A planted link as the folder, or on the way to it.
        let link = dir.path().join("out");
        std::os::unix::fs::symlink(outside.path(), &link).unwrap();
        assert!(matches!(
            TargetDir::open(&link),
            Err(WriteError::LinkInPath(_))
        ));
        assert!(matches!(
            TargetDir::open(&link.join("deeper")),
            Err(WriteError::LinkInPath(_))
        ));
        assert!(!outside.path().join("deeper").exists());
    }
}
