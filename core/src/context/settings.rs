//! The app's settings, decided here so both apps behave alike (the lock policy is applied by
//! [`super::locking`]).

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

impl DownloadPolicy {
    /// What a sync under this policy downloads.
    pub fn body_policy(self) -> crate::sync::BodyPolicy {
        use crate::sync::BodyPolicy;
        match self {
            DownloadPolicy::ReceiptsOnly => BodyPolicy::ReceiptsOnly,
            DownloadPolicy::Small => BodyPolicy::SMALL,
            DownloadPolicy::All => BodyPolicy::All,
        }
    }
}

impl Settings {
    /// The options of a sync the core runs unasked (the background pass, the live sync): the
    /// defaults with these settings' downloads.
    pub fn sync_options(&self) -> crate::sync::SyncOptions {
        crate::sync::SyncOptions {
            bodies: self.downloads.body_policy(),
            ..crate::sync::SyncOptions::default()
        }
    }
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
        self.shared.settings_saved.send_modify(|n| *n += 1);
        Ok(())
    }

    /// Told each time the settings are saved (what runs on them, the live sync, reads them
    /// again).
    pub(crate) fn settings_saved(&self) -> tokio::sync::watch::Receiver<u64> {
        self.shared.settings_saved.subscribe()
    }
}
