//! Caps that keep hostile input from exhausting memory or stack.
//!
//! Every parser in the crate checks these before doing work proportional to its input.

/// Largest raw message we parse (bytes). Providers cap PEC at 100 MB; we leave headroom.
pub const MAX_MESSAGE_BYTES: usize = 150 * 1024 * 1024;
/// Deepest nesting of MIME parts / embedded messages (PEC in PEC in PEC ...) we follow.
pub const MAX_NESTING_DEPTH: usize = 16;
/// Most MIME parts we look at in one message, all levels together.
pub const MAX_PARTS: usize = 2_000;
/// Largest XML document (daticert, REM evidence, invoice) we parse (bytes).
pub const MAX_XML_BYTES: usize = 64 * 1024 * 1024;
/// Deepest XML element nesting we accept.
pub const MAX_XML_DEPTH: usize = 64;
