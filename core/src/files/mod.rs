//! Files the user hands us and files we write for them.
//!
//! - [`read`]: every file read by path goes through [`read::read_capped`]: the size is checked
//!   before reading, and a stream of unknown size (a character device, a pipe, a FIFO) is read
//!   with a cap, so `/dev/zero` or a 200 MB attachment gives [`ReadError::TooLarge`] quickly and
//!   never fills memory.
//! - [`write`]: [`write::TargetDir`] writes into a folder without ever replacing an existing
//!   file (unique `name (1).ext` names, created exclusively) or following a link, with names
//!   cleaned and shortened to what file systems take.

pub mod read;
pub mod write;

pub use read::{ReadError, check_len, read_capped, read_stream_capped};
pub use write::{TargetDir, WriteError, clean_file_name};
