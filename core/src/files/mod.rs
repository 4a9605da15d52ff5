//! Files the user hands us and files we write for them.
//!
//! - [`read`]: every file read by path goes through [`read::read_capped`]: the size is checked
//!   before reading, and a stream of unknown size (a character device, a pipe, a FIFO) is read
//!   with a cap, so `/dev/zero` or a 200 MB attachment gives [`ReadError::TooLarge`] quickly and
//!   never fills memory.
//! - [`write`]: [`write::TargetDir`] writes into a folder without ever replacing an existing
//!   file (unique `name (1).ext` names, created exclusively) or following a link, with names
//!   cleaned and shortened to what file systems take.
//! - [`private`]: the data directory's own files and folders, readable by the user only.

pub mod private;
pub mod read;
pub mod write;

pub use private::{create_private_dir, sync_dir, touch_private, write_atomic};
pub use read::{ReadError, check_len, read_capped, read_stream_capped};
pub use write::{TargetDir, WriteError, clean_file_name};

/// The MIME type a file is sent or shared under, from its name's extension
/// (`application/octet-stream` when unknown).
pub fn mime_type(filename: &str) -> &'static str {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "p7m" => "application/pkcs7-mime",
        "xml" => "application/xml",
        "txt" => "text/plain",
        "html" | "htm" => "text/html",
        "csv" => "text/csv",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "tif" | "tiff" => "image/tiff",
        "zip" => "application/zip",
        "eml" => "message/rfc822",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "odt" => "application/vnd.oasis.opendocument.text",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        _ => "application/octet-stream",
    }
}
