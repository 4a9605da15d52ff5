//! The one door to the core: every store, account and network command drives `pec_ffi::App`,
//! the same facade the Android and iOS apps use. The store is encrypted with a key stretched from
//! the user's passphrase ([`crate::passphrase`]), and the account passwords live inside it; a
//! plain store written before encryption opens as it is, with its passwords in 0600 files under
//! `<data-dir>/credentials/`, until `pec encrypt`.

use pec_ffi::{AccountInfo, App, CredentialBackend, PecError, StoreState};
use std::future::Future;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

static SIGNATURE_TEST_ANCHOR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// `--signature-test-anchor PEM`: trusted for PEC signatures by every `App` this process opens
/// and by `pec inspect`.
pub fn set_signature_test_anchor(pem: std::path::PathBuf) {
    let _ = SIGNATURE_TEST_ANCHOR.set(pem);
}

/// The `--signature-test-anchor` given on the command line, if any.
pub fn signature_test_anchor() -> Option<String> {
    SIGNATURE_TEST_ANCHOR
        .get()
        .map(|p| p.to_string_lossy().into_owned())
}

/// Open the data directory (created encrypted when missing), with `--signature-test-anchor`
/// applied.
pub fn open(data_dir: &Path) -> Result<Arc<App>, String> {
    let dir = data_dir.to_string_lossy().into_owned();
    let state = pec_ffi::store_state(dir.clone()).map_err(|e| opening(data_dir, &e))?;
    let app = match state {
        StoreState::Plain => {
            App::new(dir, CredentialBackend::File).map_err(|e| opening(data_dir, &e))?
        }
        StoreState::Encrypted if !crate::passphrase::given_on_stdin() => {
            match with_kept_key(data_dir)? {
                Some(app) => app,
                None => open_with_passphrase(data_dir, state)?,
            }
        }
        StoreState::Encrypted | StoreState::Missing => open_with_passphrase(data_dir, state)?,
    };
    if let Some(pem) = signature_test_anchor() {
        app.add_signature_test_anchor(pem.clone())
            .map_err(|e| format!("--signature-test-anchor {pem}: {e}"))?;
    }
    Ok(app)
}

/// Open the encrypted store with its passphrase (created when `Missing`).
pub fn open_with_passphrase(data_dir: &Path, state: StoreState) -> Result<Arc<App>, String> {
    let dir = data_dir.to_string_lossy().into_owned();
    let passphrase = crate::passphrase::passphrase(state == StoreState::Missing)?;
    App::with_passphrase(dir, CredentialBackend::Store, passphrase)
        .map_err(|e| opening(data_dir, &e))
}

/// Open with the key `pec unlock` kept in the OS keyring, if there is one. A kept key that no
/// longer opens the store (changed elsewhere) is removed, and the passphrase is asked instead.
fn with_kept_key(data_dir: &Path) -> Result<Option<Arc<App>>, String> {
    let Some(key) = crate::keyring::kept_key(data_dir) else {
        return Ok(None);
    };
    let dir = data_dir.to_string_lossy().into_owned();
    match App::with_kept_key(dir, CredentialBackend::Store, key.to_vec()) {
        Ok(app) => Ok(Some(app)),
        Err(PecError::WrongKey | PecError::InvalidInput { .. }) => {
            let _ = crate::keyring::forget_key(data_dir);
            Ok(None)
        }
        Err(e) => Err(opening(data_dir, &e)),
    }
}

/// Why the data directory did not open, in words for the terminal.
pub fn opening(data_dir: &Path, e: &PecError) -> String {
    let why = match e {
        PecError::WrongKey => "wrong passphrase: nothing was changed".to_string(),
        PecError::StoreDamaged { detail } => format!(
            "the store is damaged ({detail}): `pec recover` rebuilds it keeping the accounts and the outbox, then `pec sync`"
        ),
        other => other.to_string(),
    };
    format!("{}: {why}", data_dir.display())
}

/// Run a facade call to completion on the core's runtime.
pub fn block<T>(fut: impl Future<Output = Result<T, PecError>>) -> Result<T, PecError> {
    pec_ffi::runtime::rt()?.block_on(fut)
}

/// The account named by `--account`, else the first one.
pub fn resolve_account(app: &App, address: Option<&str>) -> Result<AccountInfo, String> {
    let accounts = block(app.accounts()).map_err(|e| e.to_string())?;
    match address {
        Some(a) => accounts
            .into_iter()
            .find(|x| x.address.eq_ignore_ascii_case(a.trim()))
            .ok_or_else(|| format!("no account {a} (pec account add …)")),
        None => accounts.into_iter().next().ok_or_else(|| {
            "no account yet (pec account add ADDRESS --imap HOST:PORT --smtp HOST:PORT --password-stdin)"
                .into()
        }),
    }
}

/// A command's outcome as its exit code: success, or failure with the reason on standard error.
pub fn exit(done: Result<(), impl std::fmt::Display>) -> ExitCode {
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

/// One line on standard error (control characters neutralised: details can quote a sender's
/// text) and a failure exit code.
pub fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!(
        "pec: {}",
        pec_ffi::text::terminal_safe(&msg.to_string(), false)
    );
    ExitCode::FAILURE
}

/// Print a JSON value, pretty. A closed pipe (`| head`) is not an error worth a panic.
pub fn print_json(v: &impl serde::Serialize) -> Result<(), String> {
    use std::io::Write;
    let s = serde_json::to_string_pretty(v).map_err(|e| e.to_string())?;
    let _ = writeln!(std::io::stdout().lock(), "{s}");
    Ok(())
}
