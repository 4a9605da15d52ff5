//! SDI (Sistema di Interscambio) recognition shared by the PEC parser and the invoice engine:
//! naming of invoice and notification files ([`names`]) and recognition of SDI senders ([`sender`]).
//! Pure functions, no I/O; contents are parsed elsewhere.

pub mod names;
pub mod sender;

pub use names::{SdiFile, SdiFileKind, SdiNotification, classify_file_name, is_invoice_file};
pub use sender::{is_sdi_address, sdi_address_in};
