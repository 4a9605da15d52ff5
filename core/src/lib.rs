//! `pec-core`: everything the PEC client knows, with no FFI or platform types.
//!
//! Rooms:
//! - [`limits`]: the caps every parser honours (sizes, depths, part counts).
//! - [`corpus`]: where tests and benches find `../shared/corpus` at run time.
//! - [`signature`]: S/MIME (PEC) and CAdES (invoices) verification against a bundled trust list.
//! - [`fatturapa`]: e-invoices (FatturaPA) and SdI messages: open (.xml/.p7m/.eml), typed model, HTML render.

pub mod corpus;
pub mod fatturapa;
pub mod limits;
pub mod signature;
