//! `pec sync --live`: what the apps run while on screen (every account that may sync kept
//! current through IDLE, the address books at the settings' interval), printing each message that
//! arrives in an inbox, until interrupted or `--for` seconds have passed.

use crate::facade::{block, fail};
use crate::out::say;
use pec_ffi::{App, ChangeEvent, ChangeKind, ChangeListener, ViewRef};
use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The newest inbox rows looked at on each change (more arriving in one pass are counted).
const NEWEST: u32 = 50;

struct Forward(mpsc::Sender<i64>);

impl ChangeListener for Forward {
    fn on_change(&self, change: ChangeEvent) {
        if change.kind == ChangeKind::Messages
            && let Some(account) = change.account_id
        {
            let _ = self.0.send(account);
        }
    }
}

pub fn run(app: &App, seconds: Option<u64>) -> ExitCode {
    let (tx, rx) = mpsc::channel();
    let subscription = app.subscribe_changes(std::sync::Arc::new(Forward(tx)));
    let live = match app.start_live_sync() {
        Ok(l) => l,
        Err(e) => return fail(format!("live sync: {e}")),
    };
    let accounts = match block(app.accounts()) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let mut known = HashSet::new();
    for account in &accounts {
        new_rows(app, account.id, &mut known);
    }
    say!("live: {} accounts kept in sync", live.accounts().len());
    let deadline = seconds.map(|s| Instant::now() + Duration::from_secs(s));
    loop {
        let wait = deadline.map_or(Duration::from_secs(3600), |d| {
            d.saturating_duration_since(Instant::now())
        });
        match rx.recv_timeout(wait) {
            Ok(account) => {
                let address = accounts
                    .iter()
                    .find(|a| a.id == account)
                    .map(|a| &a.address);
                for (sender, subject) in new_rows(app, account, &mut known) {
                    say!(
                        "{}: {sender} — {subject}",
                        address.map_or("?", |a| a.as_str())
                    );
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) if deadline.is_some() => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    live.stop();
    drop(subscription);
    ExitCode::SUCCESS
}

/// Sender and subject of the inbox rows of `account` not seen before (all of them are recorded).
fn new_rows(app: &App, account: i64, known: &mut HashSet<i64>) -> Vec<(String, String)> {
    let Ok(page) = block(app.list_page(account, ViewRef::Inbox, None, NEWEST)) else {
        return Vec::new();
    };
    page.rows
        .into_iter()
        .filter(|r| known.insert(r.id))
        .map(|r| (r.sender, r.subject))
        .collect()
}
