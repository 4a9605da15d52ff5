//! `pec-core`: everything the PEC client knows, with no FFI or platform types.
//!
//! Rooms:
//! - [`limits`]: the caps every parser honours (sizes, depths, part counts).
//! - [`corpus`]: where tests and benches find `../shared/corpus` at run time.

pub mod corpus;
pub mod limits;
