//! `pec-core`: everything the PEC client knows, with no FFI or platform types.
//!
//! Rooms:
//! - [`limits`]: the caps every parser honours (sizes, depths, part counts).
//! - [`corpus`]: where tests and benches find `../shared/corpus` at run time.
//! - [`signature`]: S/MIME (PEC) and CAdES (invoices) verification against a bundled trust list.
//! - [`message`]: raw RFC 5322 bytes to one read-only view (kind, daticert, original, REM, keys, signature).
//! - [`sdi`]: SDI file-name classification and SDI sender recognition (shared with invoices).
//! - [`fatturapa`]: e-invoices (FatturaPA) and SdI messages: open (.xml/.p7m/.eml), typed model, HTML render.

pub mod corpus;
pub mod fatturapa;
pub mod limits;
pub mod message;
pub mod sdi;
pub mod signature;
