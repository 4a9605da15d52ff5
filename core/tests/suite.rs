//! The core's integration tests, one module per file beside this one, built as one test binary
//! (`cargo test -p <crate> --test suite <module>::`): a debug test binary links the whole
//! core (about 50 MB), and one per file filled the CI machine's disk and spent its time linking.
//! The shared helpers are the modules in the folders.

mod imap_proxy;
mod send_support;
mod store_util;

mod account_login_check;
mod accounts_setup;
mod carddav;
mod carddav_kill;
mod contacts_kill;
mod contacts_proofs;
mod context;
mod context_files;
mod encrypted_at_rest;
mod evidence_forgery;
mod fatturapa_conformance;
mod fatturapa_generated;
mod fatturapa_open;
mod fuzz_regressions;
mod hostile_input;
mod pec_conformance;
mod rekey_kill;
mod rem_corpus;
mod robustness;
mod send_crash;
mod send_e2e;
mod send_unknown_outcome;
mod signature_corpus;
mod store_counts;
mod store_import;
mod store_parts;
mod store_receipts;
mod store_search;
mod sync_dovecot;
mod sync_hostile_mail;
mod sync_hostile_server;
mod sync_invoices;
mod sync_kill;
mod sync_part_download;
mod sync_rights;
mod sync_short_answers;

/// The harness's name for the test `name` of the module `module` (its `module_path!()`), for the
/// tests that run one of their own in a child process with `--exact`: a name that matches nothing
/// would run no test at all, and the child would "survive" every kill.
pub fn test_name(module: &str, name: &str) -> String {
    let within_crate = module.split_once("::").map_or("", |(_, rest)| rest);
    format!("{within_crate}::{name}")
}
