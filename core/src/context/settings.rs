//! The app's settings and its lock, decided here so both apps behave alike: the shells only
//! report going to the background and coming back, and ask the platform to authenticate when
//! told to.

use super::{Context, Error, Result};
use serde::{Deserialize, Serialize};

/// When the app locks after leaving the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LockPolicy {
    /// As soon as it leaves the screen.
    Immediately,
    /// After this many minutes away.
    AfterMinutes(u32),
    /// Never (the device's own lock is the only one).
    Never,
}

/// How much of each message the background sync downloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DownloadPolicy {
    /// Receipts (and invoices); other bodies when opened.
    ReceiptsOnly,
    /// Receipts and every message up to 2 MB.
    Small,
    /// Everything (offline use).
    All,
}

/// The settings screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub lock: LockPolicy,
    /// Lists open with receipts hidden.
    pub hide_receipts: bool,
    /// Minutes between background syncs (at least 15: the platforms' own floor).
    pub sync_minutes: u32,
    pub downloads: DownloadPolicy,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            lock: LockPolicy::AfterMinutes(5),
            hide_receipts: false,
            sync_minutes: 15,
            downloads: DownloadPolicy::Small,
        }
    }
}

const KEY: &str = "app.settings";

impl Context {
    /// The saved settings, or the defaults.
    pub fn settings(&self) -> Result<Settings> {
        Ok(self
            .store()
            .setting(KEY)?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default())
    }

    /// Save the settings; an interval under 15 minutes is refused (the platforms would not honour
    /// it).
    pub fn set_settings(&self, settings: &Settings) -> Result<()> {
        if settings.sync_minutes < 15 {
            return Err(Error::Invalid(
                "background sync runs at most every 15 minutes".into(),
            ));
        }
        let json = serde_json::to_string(settings).map_err(|e| Error::Invalid(e.to_string()))?;
        self.store().set_setting(KEY, &json)?;
        Ok(())
    }

    /// The app left the screen at `now_ms` (a monotonic clock of the shell, in milliseconds).
    pub fn went_to_background(&self, now_ms: i64) {
        *self.lock_state() = Some(now_ms);
    }

    /// The app is back on screen at `now_ms`: true when it must lock (ask the platform to
    /// authenticate before drawing anything). A clock that went backwards (a reboot resets a
    /// monotonic clock) locks, since the time away is unknown.
    pub fn came_to_foreground(&self, now_ms: i64) -> Result<bool> {
        let since = self.lock_state().take();
        let Some(since) = since else {
            return Ok(false);
        };
        Ok(match self.settings()?.lock {
            LockPolicy::Never => false,
            LockPolicy::Immediately => true,
            LockPolicy::AfterMinutes(minutes) => {
                now_ms < since || now_ms - since >= i64::from(minutes) * 60_000
            }
        })
    }

    fn lock_state(&self) -> std::sync::MutexGuard<'_, Option<i64>> {
        self.shared
            .background_since
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_lock_follows_the_policy_and_distrusts_a_clock_gone_back() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = Context::open(
            dir.path(),
            std::sync::Arc::new(crate::accounts::MemoryCredentialStore::new()),
        )
        .unwrap();
        assert_eq!(ctx.settings().unwrap(), Settings::default());
        // Coming back without having left (a cold start is the shell's own lock): no lock.
        assert!(!ctx.came_to_foreground(1_000).unwrap());
        // Five minutes by default.
        ctx.went_to_background(1_000);
        assert!(!ctx.came_to_foreground(1_000 + 4 * 60_000).unwrap());
        ctx.went_to_background(1_000);
        assert!(ctx.came_to_foreground(1_000 + 5 * 60_000).unwrap());
        ctx.went_to_background(10_000);
        assert!(ctx.came_to_foreground(5_000).unwrap(), "clock went back");

        let mut s = Settings {
            lock: LockPolicy::Immediately,
            ..Settings::default()
        };
        ctx.set_settings(&s).unwrap();
        ctx.went_to_background(1_000);
        assert!(ctx.came_to_foreground(1_001).unwrap());
        s.lock = LockPolicy::Never;
        s.hide_receipts = true;
        ctx.set_settings(&s).unwrap();
        ctx.went_to_background(1_000);
        assert!(!ctx.came_to_foreground(i64::MAX).unwrap());
        assert_eq!(ctx.settings().unwrap(), s);
        s.sync_minutes = 5;
        assert!(ctx.set_settings(&s).is_err());
    }
}
