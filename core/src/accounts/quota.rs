//! How full the box is, from the quota the server reports. A full PEC box refuses incoming
//! certified mail (the sender gets a non-delivery receipt) and the receipts of what it sends, so
//! the apps warn before it happens, with one rule for every shell.

use super::{Account, AccountError, account_meta, setup::save_meta};
use crate::store::Store;
use serde::{Deserialize, Serialize};

/// From this share of the quota on, the box is nearly full.
pub const NEARLY_FULL_PERCENT: u64 = 90;
/// From this share on (or with less than [`FULL_BELOW_KB`] left in a box of more than 50 MiB),
/// the box is full: the next PEC or receipt may not fit.
pub const FULL_PERCENT: u64 = 98;
/// Less room than this is full whatever the share: a receipt with its original is this large.
pub const FULL_BELOW_KB: u64 = 1024;

/// How full a box is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuotaLevel {
    /// The server reports no quota (or not yet).
    Unknown,
    Room,
    NearlyFull,
    Full,
}

/// The level of a box using `used_kb` of `limit_kb`.
pub fn quota_level(used_kb: Option<u64>, limit_kb: Option<u64>) -> QuotaLevel {
    let (Some(used), Some(limit)) = (used_kb, limit_kb.filter(|l| *l > 0)) else {
        return QuotaLevel::Unknown;
    };
    let at_least = |percent: u64| used.saturating_mul(100) >= limit.saturating_mul(percent);
    let left = limit.saturating_sub(used);
    if at_least(FULL_PERCENT) || left < FULL_BELOW_KB.min(limit / 50) {
        QuotaLevel::Full
    } else if at_least(NEARLY_FULL_PERCENT) {
        QuotaLevel::NearlyFull
    } else {
        QuotaLevel::Room
    }
}

impl Account {
    /// How full the box was at the last sync.
    pub fn quota_level(&self) -> QuotaLevel {
        quota_level(self.quota_used_kb, self.quota_limit_kb)
    }
}

/// Whether to tell the user, away from the app, that the box became nearly full or full: once
/// when it reaches each level, not at every pass; again after it had room. The level last told is
/// kept in the account's metadata.
pub fn quota_alert(store: &Store, account: &Account) -> Result<Option<QuotaLevel>, AccountError> {
    let level = account.quota_level();
    let meta = account_meta(store, account)?;
    let (alert, told) = match level {
        QuotaLevel::Unknown => return Ok(None),
        QuotaLevel::Room => (None, None),
        _ if meta.quota_told.is_some_and(|t| t >= level) => return Ok(None),
        _ => (Some(level), Some(level)),
    };
    if told != meta.quota_told {
        let meta = super::AccountMeta {
            quota_told: told,
            ..meta
        };
        save_meta(store, &account.config.address, &meta)?;
    }
    Ok(alert)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_level_follows_the_share_used_and_the_room_left() {
        let gib = 1024 * 1024;
        assert_eq!(quota_level(None, Some(gib)), QuotaLevel::Unknown);
        assert_eq!(quota_level(Some(10), Some(0)), QuotaLevel::Unknown);
        assert_eq!(quota_level(Some(gib / 2), Some(gib)), QuotaLevel::Room);
        assert_eq!(
            quota_level(Some(gib * 89 / 100), Some(gib)),
            QuotaLevel::Room
        );
        assert_eq!(
            quota_level(Some(gib * 9 / 10 + 1), Some(gib)),
            QuotaLevel::NearlyFull
        );
        assert_eq!(
            quota_level(Some(gib * 98 / 100 + 1), Some(gib)),
            QuotaLevel::Full
        );
        assert_eq!(
            quota_level(Some(gib + 5), Some(gib)),
            QuotaLevel::Full,
            "over the quota"
        );
        // A large box is full with less than a megabyte left, whatever the share.
        let big = 100 * gib;
        assert_eq!(quota_level(Some(big - 1000), Some(big)), QuotaLevel::Full);
        // A tiny box is judged by its share alone.
        assert_eq!(quota_level(Some(930), Some(1024)), QuotaLevel::NearlyFull);
        assert_eq!(quota_level(Some(1010), Some(1024)), QuotaLevel::Full);
    }
}
