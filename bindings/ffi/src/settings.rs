//! The settings screen and the app lock: the core decides, the shells report and draw.

use crate::app::App;
use crate::error::Result;
use crate::runtime::blocking;
use pec_core::context;

/// When the app locks after leaving the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum LockPolicy {
    Immediately,
    AfterMinutes {
        minutes: u32,
    },
    /// Only the device's own lock.
    Never,
}

/// How much the background sync downloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum DownloadPolicy {
    /// Receipts (and invoices); other bodies when opened.
    ReceiptsOnly,
    /// Receipts and every message up to 2 MB.
    Small,
    /// Everything (offline use).
    All,
}

/// The settings screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct AppSettings {
    pub lock: LockPolicy,
    /// Lists open with receipts hidden.
    pub hide_receipts: bool,
    /// Minutes between background syncs (15 at least).
    pub sync_minutes: u32,
    pub downloads: DownloadPolicy,
}

impl From<context::Settings> for AppSettings {
    fn from(s: context::Settings) -> Self {
        AppSettings {
            lock: match s.lock {
                context::LockPolicy::Immediately => LockPolicy::Immediately,
                context::LockPolicy::AfterMinutes(minutes) => LockPolicy::AfterMinutes { minutes },
                context::LockPolicy::Never => LockPolicy::Never,
            },
            hide_receipts: s.hide_receipts,
            sync_minutes: s.sync_minutes,
            downloads: match s.downloads {
                context::DownloadPolicy::ReceiptsOnly => DownloadPolicy::ReceiptsOnly,
                context::DownloadPolicy::Small => DownloadPolicy::Small,
                context::DownloadPolicy::All => DownloadPolicy::All,
            },
        }
    }
}

impl From<AppSettings> for context::Settings {
    fn from(s: AppSettings) -> Self {
        context::Settings {
            lock: match s.lock {
                LockPolicy::Immediately => context::LockPolicy::Immediately,
                LockPolicy::AfterMinutes { minutes } => context::LockPolicy::AfterMinutes(minutes),
                LockPolicy::Never => context::LockPolicy::Never,
            },
            hide_receipts: s.hide_receipts,
            sync_minutes: s.sync_minutes,
            downloads: match s.downloads {
                DownloadPolicy::ReceiptsOnly => context::DownloadPolicy::ReceiptsOnly,
                DownloadPolicy::Small => context::DownloadPolicy::Small,
                DownloadPolicy::All => context::DownloadPolicy::All,
            },
        }
    }
}

#[uniffi::export]
impl App {
    /// The saved settings (the defaults until changed).
    pub async fn settings(&self) -> Result<AppSettings> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.ctx.settings()?.into())).await
    }

    /// Save the settings (`InvalidInput` for a sync interval under 15 minutes).
    pub async fn set_settings(&self, settings: AppSettings) -> Result<()> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.ctx.set_settings(&settings.into())?)).await
    }

    /// The app left the screen at `now_ms`: a monotonic clock of the platform in milliseconds
    /// (Android `SystemClock.elapsedRealtime()`, iOS `ProcessInfo.systemUptime × 1000`). With
    /// the policy "immediately" the core locks at once.
    pub fn went_to_background(&self, now_ms: i64) {
        self.inner.ctx.went_to_background(now_ms);
    }

    /// The app is back on screen at `now_ms` (the same clock): true when the core is locked and
    /// the shell must show the lock screen, ask the platform to authenticate and call
    /// [`App::unlock`] before drawing the mailbox. A clock that went backwards locks.
    pub fn came_to_foreground(&self, now_ms: i64) -> bool {
        self.inner.ctx.came_to_foreground(now_ms)
    }
}
