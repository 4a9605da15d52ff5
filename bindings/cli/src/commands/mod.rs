pub mod account;
pub mod import;
pub mod inspect;
pub mod ls;
pub mod search;
pub mod show;
pub mod sync;
