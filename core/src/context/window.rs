//! A list as a screen shows it: the first rows of one view, kept current by differences.
//!
//! A shell that re-reads a list at every change redraws every row and loses its scroll position
//! and animations. Instead the window holds the rows it last gave, reads the view again when
//! the store changes, and hands over only what differs: rows removed, rows inserted at their
//! place, rows whose content changed (a tick, a read mark). Rows never move in a list ordered by
//! date, so removals and insertions always describe the change; a list whose common rows came
//! back in another order is given whole again ([`WindowUpdate::Reset`]).

use super::{Context, Result};
use crate::store::{AccountId, MessageId, MessageSummary, View};
use std::collections::{HashMap, HashSet};

/// Rows a window may hold at most (a user scrolling further loads pages of a search instead).
pub const MAX_WINDOW_ROWS: u32 = 10_000;

/// Which list a window shows and how much of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowSpec {
    pub account: AccountId,
    pub view: View,
    pub hide_receipts: bool,
    /// Rows shown (the first page, more after each "load more").
    pub limit: u32,
}

/// The counts that go with a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WindowCounts {
    pub total: u32,
    pub unread: u32,
    /// The view has rows after the last one shown.
    pub has_more: bool,
    /// The view is a folder that may be emptied at once ([`crate::store::Folder::emptiable`]).
    pub emptiable: bool,
}

/// The rows of a window now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowState {
    pub rows: Vec<MessageSummary>,
    pub counts: WindowCounts,
}

/// How the rows a shell shows become the current ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WindowUpdate {
    /// Draw these rows (the first state, or common rows in another order).
    Reset(WindowState),
    /// Remove the rows `removed`, then insert each of `inserted` at its index (in the order
    /// given, ascending), then replace the rows in `updated` (same id): the result is the
    /// current list.
    Changes {
        removed: Vec<MessageId>,
        inserted: Vec<(u32, MessageSummary)>,
        updated: Vec<MessageSummary>,
        counts: WindowCounts,
    },
}

impl WindowUpdate {
    /// Nothing to redraw.
    pub fn is_empty(&self) -> bool {
        matches!(self, WindowUpdate::Changes { removed, inserted, updated, .. }
            if removed.is_empty() && inserted.is_empty() && updated.is_empty())
    }
}

/// Rows removed, inserted (at their index) and updated between two states of a list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RowChanges {
    pub removed: Vec<MessageId>,
    pub inserted: Vec<(u32, MessageSummary)>,
    pub updated: Vec<MessageSummary>,
}

/// The changes that turn `old` into `new`, or `None` when their common rows are not in the
/// same order (then only a reset describes it).
pub fn diff(old: &[MessageSummary], new: &[MessageSummary]) -> Option<RowChanges> {
    let new_ids: HashSet<MessageId> = new.iter().map(|r| r.id).collect();
    let old_rows: HashMap<MessageId, &MessageSummary> = old.iter().map(|r| (r.id, r)).collect();
    let removed: Vec<MessageId> = old
        .iter()
        .map(|r| r.id)
        .filter(|id| !new_ids.contains(id))
        .collect();
    let kept_old = old.iter().filter(|r| new_ids.contains(&r.id)).map(|r| r.id);
    let kept_new = new
        .iter()
        .filter(|r| old_rows.contains_key(&r.id))
        .map(|r| r.id);
    if !kept_old.eq(kept_new) {
        return None;
    }
    let mut inserted = Vec::new();
    let mut updated = Vec::new();
    for (i, row) in new.iter().enumerate() {
        match old_rows.get(&row.id) {
            None => inserted.push((i as u32, row.clone())),
            Some(before) if *before != row => updated.push(row.clone()),
            Some(_) => {}
        }
    }
    Some(RowChanges {
        removed,
        inserted,
        updated,
    })
}

/// `rows` after `update` (what a shell does with it; the tests check that it gives the current
/// list).
pub fn apply(rows: &mut Vec<MessageSummary>, update: &WindowUpdate) {
    match update {
        WindowUpdate::Reset(state) => *rows = state.rows.clone(),
        WindowUpdate::Changes {
            removed,
            inserted,
            updated,
            ..
        } => {
            rows.retain(|r| !removed.contains(&r.id));
            for (i, row) in inserted {
                rows.insert((*i as usize).min(rows.len()), row.clone());
            }
            for row in updated {
                if let Some(slot) = rows.iter_mut().find(|r| r.id == row.id) {
                    *slot = row.clone();
                }
            }
        }
    }
}

impl Context {
    /// The first `spec.limit` rows of the view (at most [`MAX_WINDOW_ROWS`]), read in pages.
    pub fn window(&self, spec: &WindowSpec) -> Result<WindowState> {
        let want = spec.limit.clamp(1, MAX_WINDOW_ROWS) as usize;
        let mut rows = Vec::with_capacity(want.min(1000));
        let mut cursor = None;
        let mut counts = WindowCounts::default();
        loop {
            let room = (want - rows.len()) as u32;
            let page = self.page(
                spec.account,
                spec.view.clone(),
                cursor,
                room,
                spec.hide_receipts,
            )?;
            counts.total = page.total;
            counts.unread = page.unread;
            rows.extend(page.rows);
            cursor = page.next;
            if rows.len() >= want || cursor.is_none() {
                break;
            }
        }
        counts.has_more = cursor.is_some();
        counts.emptiable = self.emptiable(spec.account, &spec.view)?;
        Ok(WindowState { rows, counts })
    }

    /// Whether `view` is a folder of `account` that may be emptied now.
    fn emptiable(&self, account: AccountId, view: &View) -> Result<bool> {
        let folder = match view {
            View::Folder(id) => Some(self.store().folder(*id)?),
            View::Role(role) => self.store().find_folder(account, role.as_str())?,
            _ => None,
        };
        Ok(folder.is_some_and(|f| f.emptiable()))
    }

    /// A window's first update: its rows now.
    pub fn window_reset(&self, spec: &WindowSpec) -> Result<(WindowState, WindowUpdate)> {
        let state = self.window(spec)?;
        Ok((state.clone(), WindowUpdate::Reset(state)))
    }

    /// What changed in a window since it showed `shown`, and its rows now. The update is empty
    /// when nothing did (no redraw).
    pub fn window_update(
        &self,
        spec: &WindowSpec,
        shown: &[MessageSummary],
        shown_counts: WindowCounts,
    ) -> Result<(WindowState, Option<WindowUpdate>)> {
        let state = self.window(spec)?;
        let update = match diff(shown, &state.rows) {
            None => Some(WindowUpdate::Reset(state.clone())),
            Some(c) => {
                let u = WindowUpdate::Changes {
                    removed: c.removed,
                    inserted: c.inserted,
                    updated: c.updated,
                    counts: state.counts,
                };
                (!u.is_empty() || state.counts != shown_counts).then_some(u)
            }
        };
        Ok((state, update))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Kind;

    fn row(id: MessageId, date: i64, seen: bool) -> MessageSummary {
        MessageSummary {
            id,
            account_id: 1,
            folder_id: 1,
            folder: "INBOX".into(),
            uid: None,
            kind: Kind::Plain,
            receipt_type: None,
            from_addr: None,
            from_name: None,
            sender_addr: None,
            subject: Some(format!("m{id}")),
            original_subject: None,
            date,
            size: 0,
            seen,
            flagged: false,
            has_attachments: false,
            is_invoice: false,
            delivery: None,
            preview: None,
            first_recipient: None,
            recipients: 0,
            draft: false,
        }
    }

    /// Lists ordered newest first, as the store gives them.
    fn list(ids: &[(MessageId, bool)]) -> Vec<MessageSummary> {
        ids.iter()
            .map(|&(id, seen)| row(id, 1000 - id, seen))
            .collect()
    }

    #[test]
    fn changes_turn_the_old_rows_into_the_new_ones() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..500 {
            let pick = |next: &mut dyn FnMut() -> u64| -> Vec<(MessageId, bool)> {
                let mut out = Vec::new();
                for id in 1..=20 {
                    let (keep, seen) = (!next().is_multiple_of(3), next().is_multiple_of(2));
                    if keep {
                        out.push((id, seen));
                    }
                }
                out
            };
            let old = list(&pick(&mut next));
            let new = list(&pick(&mut next));
            let c = diff(&old, &new).expect("same order");
            let update = WindowUpdate::Changes {
                removed: c.removed,
                inserted: c.inserted,
                updated: c.updated,
                counts: WindowCounts::default(),
            };
            let mut shown = old.clone();
            apply(&mut shown, &update);
            assert_eq!(shown, new);
        }
    }

    #[test]
    fn a_new_message_is_one_insertion_and_a_read_mark_one_update() {
        let old = list(&[(2, false), (3, false)]);
        let new = list(&[(1, false), (2, true), (3, false)]);
        let RowChanges {
            removed,
            inserted,
            updated,
        } = diff(&old, &new).expect("diff");
        assert!(removed.is_empty());
        assert_eq!(
            inserted.iter().map(|(i, r)| (*i, r.id)).collect::<Vec<_>>(),
            vec![(0, 1)]
        );
        assert_eq!(updated.iter().map(|r| r.id).collect::<Vec<_>>(), vec![2]);
    }

    #[test]
    fn common_rows_in_another_order_need_a_reset() {
        let old = list(&[(1, false), (2, false)]);
        let mut new = old.clone();
        new.reverse();
        assert!(diff(&old, &new).is_none());
    }
}
