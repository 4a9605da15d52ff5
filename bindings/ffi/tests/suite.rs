//! The facade's tests, one module per file beside this one, built as one test binary
//! (`cargo test -p <crate> --test suite <module>::`): a debug test binary links the whole
//! core (about 50 MB), and one per file filled the CI machine's disk and spent its time linking.
//! The shared helpers are the modules in the folders.

mod common;

mod account_check;
mod delegate_sandbox;
mod one_engine;
mod subscriptions;
