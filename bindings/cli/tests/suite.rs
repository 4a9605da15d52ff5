//! The `pec` terminal client's tests, one module per file beside this one, built as one test binary
//! (`cargo test -p <crate> --test suite <module>::`): a debug test binary links the whole
//! core (about 50 MB), and one per file filled the CI machine's disk and spent its time linking.
//! The shared helpers are the modules in the folders.

mod common;

mod account_check_cli;
mod actions_cli;
mod carddav_cli;
mod contacts_cli;
mod encryption_cli;
mod evidence_cli;
mod files_cli;
mod inspect_cli;
mod invoice_cli;
mod parts_cli;
mod send_cli;
mod send_refusals_cli;
mod store_cli;
