//! `pec-core`: everything the PEC client knows, with no FFI or platform types.
//!
//! Rooms:
//! - [`limits`]: the caps every parser honours (sizes, depths, part counts).
//! - [`corpus`]: where tests and benches find `../shared/corpus` at run time.
//! - [`signature`]: S/MIME (PEC) and CAdES (invoices) verification against a bundled trust list.

pub mod corpus;
pub mod limits;
pub mod signature;
