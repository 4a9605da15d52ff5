//! A list kept current by differences (`pec_core::context::window`): the shell receives the rows
//! first, then only rows removed, inserted at their place and updated, never the whole list again
//! for a tick or a new message.

use crate::app::{App, Inner};
use crate::error::Result;
use crate::events::{Gate, Subscription};
use crate::runtime::blocking;
use crate::types::{ErrorEvent, ListRow, ViewRef};
use pec_core::context::window::{WindowCounts, WindowSpec, WindowState, WindowUpdate};
use std::sync::{Arc, Mutex};
use tokio::sync::{Notify, broadcast};

/// The counts that go with a list, and how it is filtered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct ListCounts {
    pub total: u32,
    pub unread: u32,
    /// More rows follow the last one shown (`ListWatch::load_more`).
    pub has_more: bool,
    pub hide_receipts: bool,
    /// The list is a folder that may be emptied at once (`App::empty_folder`): the trash or the
    /// junk folder with messages, its rights permitting; whether this login may is
    /// `empty_folder_needs()` in `AccountInfo::denied`.
    pub emptiable: bool,
}

/// A row to insert at `index` (of the list as it is after the removals and earlier insertions).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ListInsert {
    pub index: u32,
    pub row: ListRow,
}

/// What a watched list became.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ListUpdate {
    /// Draw these rows (the first update, or rows that came back in another order).
    Reset {
        rows: Vec<ListRow>,
        counts: ListCounts,
    },
    /// Remove the rows `removed` (ids), insert `inserted` in order, replace `updated` (same id).
    Changes {
        removed: Vec<i64>,
        inserted: Vec<ListInsert>,
        updated: Vec<ListRow>,
        counts: ListCounts,
    },
}

/// Receives a watched list's updates, from the core's threads.
#[uniffi::export(foreign)]
pub trait ListListener: Send + Sync {
    fn on_update(&self, update: ListUpdate);
    fn on_error(&self, error: ErrorEvent);
}

fn counts(c: WindowCounts, hide_receipts: bool) -> ListCounts {
    ListCounts {
        total: c.total,
        unread: c.unread,
        has_more: c.has_more,
        hide_receipts,
        emptiable: c.emptiable,
    }
}

fn update_of(u: WindowUpdate, hide_receipts: bool) -> ListUpdate {
    match u {
        WindowUpdate::Reset(s) => ListUpdate::Reset {
            rows: s.rows.into_iter().map(ListRow::from).collect(),
            counts: counts(s.counts, hide_receipts),
        },
        WindowUpdate::Changes {
            removed,
            inserted,
            updated,
            counts: c,
        } => ListUpdate::Changes {
            removed,
            inserted: inserted
                .into_iter()
                .map(|(index, row)| ListInsert {
                    index,
                    row: row.into(),
                })
                .collect(),
            updated: updated.into_iter().map(ListRow::from).collect(),
            counts: counts(c, hide_receipts),
        },
    }
}

/// A watched list: its rows follow the store until cancelled (or dropped).
#[derive(uniffi::Object)]
pub struct ListWatch {
    spec: Arc<Mutex<WindowSpec>>,
    poke: Arc<Notify>,
    page: u32,
    task: Subscription,
}

impl ListWatch {
    fn change(&self, f: impl FnOnce(&mut WindowSpec)) {
        f(&mut self.spec.lock().unwrap_or_else(|p| p.into_inner()));
        self.poke.notify_one();
    }
}

#[uniffi::export]
impl ListWatch {
    /// Show one more page (the new rows arrive as insertions).
    pub fn load_more(&self) {
        let page = self.page;
        self.change(|s| s.limit = s.limit.saturating_add(page));
    }

    /// The list's "hide receipts" switch (receipts leave or come back as removals and insertions).
    pub fn set_hide_receipts(&self, hide: bool) {
        self.change(|s| s.hide_receipts = hide);
    }

    /// Stop delivering. Idempotent.
    pub fn cancel(&self) {
        self.task.cancel();
    }

    pub fn is_active(&self) -> bool {
        self.task.is_active()
    }
}

/// Keep the list of `spec` current for `listener` until the task is aborted.
async fn run(
    inner: Arc<Inner>,
    spec: Arc<Mutex<WindowSpec>>,
    poke: Arc<Notify>,
    listener: Arc<dyn ListListener>,
    through: Gate,
) {
    let mut rx = inner.ctx.changes();
    let mut shown: Option<WindowState> = None;
    loop {
        let now = spec.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let hide = now.hide_receipts;
        let before = shown.take();
        let ctx_inner = inner.clone();
        let result = blocking(move || {
            Ok(match &before {
                None => {
                    let (state, update) = ctx_inner.ctx.window_reset(&now)?;
                    (state, Some(update))
                }
                Some(old) => ctx_inner.ctx.window_update(&now, &old.rows, old.counts)?,
            })
        })
        .await;
        let open = match result {
            Ok((state, update)) => {
                shown = Some(state);
                match update {
                    Some(u) => through.pass(|| listener.on_update(update_of(u, hide))),
                    None => true,
                }
            }
            Err(e) => through.pass(|| listener.on_error((&e).into())),
        };
        if !open {
            break;
        }
        let account = spec.lock().unwrap_or_else(|p| p.into_inner()).account;
        if !wait(&mut rx, &poke, account).await {
            break;
        }
    }
}

/// Wait for a change of `account` (bursts coalesced) or a poke; `false` when the bus closed.
async fn wait(rx: &mut broadcast::Receiver<pec_core::Change>, poke: &Notify, account: i64) -> bool {
    loop {
        tokio::select! {
            ev = rx.recv() => match ev {
                Ok(ev) if ev.kind != pec_core::context::ChangeKind::Accounts
                    && ev.account.is_none_or(|a| a == account) => {
                    while rx.try_recv().is_ok() {}
                    return true;
                }
                Ok(_) => continue,
                Err(broadcast::error::RecvError::Lagged(_)) => return true,
                Err(broadcast::error::RecvError::Closed) => return false,
            },
            _ = poke.notified() => return true,
        }
    }
}

#[uniffi::export]
impl App {
    /// Watch the first `page_size` rows of a list: its rows now, then only what changes (rows
    /// removed, inserted at their place, updated). `hide_receipts` `None` takes the settings'
    /// default. More rows with `ListWatch::load_more`.
    pub async fn watch_list(
        &self,
        account_id: i64,
        view: ViewRef,
        page_size: u32,
        hide_receipts: Option<bool>,
        listener: Arc<dyn ListListener>,
    ) -> Result<Arc<ListWatch>> {
        let inner = self.inner.clone();
        let hide = match hide_receipts {
            Some(h) => h,
            None => {
                let i = inner.clone();
                blocking(move || Ok(i.ctx.settings()?.hide_receipts)).await?
            }
        };
        let page = page_size.clamp(1, pec_core::limits::MAX_PAGE_ROWS);
        let spec = Arc::new(Mutex::new(WindowSpec {
            account: account_id,
            view: view.into_core(),
            hide_receipts: hide,
            limit: page,
        }));
        let poke = Arc::new(Notify::new());
        let (run_spec, run_poke) = (spec.clone(), poke.clone());
        let task = Subscription::spawn(inner.rt, |through| {
            run(inner.clone(), run_spec, run_poke, listener, through)
        });
        Ok(Arc::new(ListWatch {
            spec,
            poke,
            page,
            task,
        }))
    }
}
