//! Where the store's passphrase comes from: `--passphrase-stdin` (the first line of standard
//! input; a command that reads standard input too gets what follows), the `PEC_PASSPHRASE`
//! environment variable (for scripts and tests: other processes of the same user may read a
//! process's environment, so it is the less safe way), or a prompt without echo on a terminal.

use std::io::IsTerminal;
use std::sync::OnceLock;

static FROM_STDIN: OnceLock<bool> = OnceLock::new();

/// `--passphrase-stdin` was given.
pub fn read_from_stdin() {
    let _ = FROM_STDIN.set(true);
}

/// True when the passphrase comes on standard input: it is then used even when the OS keyring
/// holds the key, since the input that follows it belongs to the command.
pub fn given_on_stdin() -> bool {
    FROM_STDIN.get().is_some()
}

fn stdin_line(what: &str) -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("{what}: {e}"))?;
    let line = line.trim_end_matches(['\r', '\n']).to_string();
    if line.is_empty() {
        return Err(format!("{what}: the first line of standard input is empty"));
    }
    Ok(line)
}

fn prompt(text: &str) -> Result<String, String> {
    rpassword::prompt_password(text).map_err(|e| format!("passphrase: {e}"))
}

/// The passphrase of the store; `new` when it is being created (a prompt then asks twice).
pub fn passphrase(new: bool) -> Result<String, String> {
    static GOT: OnceLock<String> = OnceLock::new();
    if let Some(p) = GOT.get() {
        return Ok(p.clone());
    }
    let p = if FROM_STDIN.get().is_some() {
        stdin_line("--passphrase-stdin")?
    } else if let Some(p) = std::env::var("PEC_PASSPHRASE")
        .ok()
        .filter(|p| !p.is_empty())
    {
        p
    } else if std::io::stdin().is_terminal() {
        if new {
            confirmed("New passphrase for the store: ")?
        } else {
            prompt("Passphrase of the store: ")?
        }
    } else {
        return Err(
            "the store is encrypted: give its passphrase (PEC_PASSPHRASE, --passphrase-stdin, or run on a terminal)"
                .into(),
        );
    };
    Ok(GOT.get_or_init(|| p).clone())
}

/// A new passphrase for `pec rekey`: the next line of standard input with `--passphrase-stdin`,
/// `PEC_NEW_PASSPHRASE`, or asked twice on a terminal.
pub fn new_passphrase() -> Result<String, String> {
    if FROM_STDIN.get().is_some() {
        return stdin_line("the new passphrase");
    }
    if let Some(p) = std::env::var("PEC_NEW_PASSPHRASE")
        .ok()
        .filter(|p| !p.is_empty())
    {
        return Ok(p);
    }
    if std::io::stdin().is_terminal() {
        return confirmed("New passphrase: ");
    }
    Err("no new passphrase (PEC_NEW_PASSPHRASE, --passphrase-stdin, or run on a terminal)".into())
}

fn confirmed(text: &str) -> Result<String, String> {
    let first = prompt(text)?;
    if first.is_empty() {
        return Err("the passphrase is empty".into());
    }
    if prompt("Again: ")? != first {
        return Err("the two passphrases differ".into());
    }
    Ok(first)
}
