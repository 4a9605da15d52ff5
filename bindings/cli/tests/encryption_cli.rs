//! The encrypted store from the terminal: a plain data directory encrypted by `pec encrypt`
//! (its password files moved inside), opened only with its passphrase from the environment or
//! standard input, re-keyed by `pec rekey`, and rebuilt by `pec recover` once damaged.

use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

use crate::common;

/// `pec --data-dir DIR ARGS` with exactly the passphrase variables given, and `input` on
/// standard input.
fn run(dir: &Path, env: &[(&str, &str)], input: &str, args: &[&str]) -> Output {
    let mut c = common::pec_command(dir);
    c.env_remove("PEC_PASSPHRASE")
        .env_remove("PEC_NEW_PASSPHRASE");
    c.envs(env.iter().copied()).args(args);
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn pec");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn accounts(out: &Output) -> Vec<String> {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    rows.as_array()
        .expect("array")
        .iter()
        .map(|r| r["address"].as_str().expect("address").to_string())
        .collect()
}

fn stderr(out: &Output) -> String {
    assert!(!out.status.success(), "succeeded: {out:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_plain_directory_is_encrypted_opened_by_its_passphrase_only_and_rekeyed() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    // A data directory written before encryption: a plain store and a 0600 password file.
    {
        use pec_core::accounts::{AccountConfig, CredentialStore, FileCredentialStore};
        let store = pec_core::store::Store::open_in(dir).expect("plain store");
        store
            .add_account(&AccountConfig::offline("studio@pec.example"))
            .expect("account");
        FileCredentialStore::new(dir)
            .set("studio@pec.example", "Sup3r-Segreta!")
            .expect("password file");
    }
    let list = ["account", "list", "--json"];
    assert_eq!(accounts(&run(dir, &[], "", &list)), ["studio@pec.example"]);

    let first = [("PEC_PASSPHRASE", "prima frase")];
    let out = run(dir, &first, "", &["encrypt", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["encrypted"], true);
    let files = |d: &Path| -> Vec<Vec<u8>> {
        walk(d)
            .into_iter()
            .map(|p| std::fs::read(p).expect("read"))
            .collect()
    };
    for bytes in files(dir) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("Sup3r-Segreta!") && !text.contains("studio@pec"));
    }

    // Only the passphrase opens it: none, a wrong one, then the environment and standard input.
    assert!(stderr(&run(dir, &[], "", &list)).contains("PEC_PASSPHRASE"));
    let wrong = [("PEC_PASSPHRASE", "sbagliata")];
    assert!(stderr(&run(dir, &wrong, "", &list)).contains("wrong passphrase"));
    assert_eq!(
        accounts(&run(dir, &first, "", &list)),
        ["studio@pec.example"]
    );
    let mut stdin_list = vec!["--passphrase-stdin"];
    stdin_list.extend(list);
    assert_eq!(
        accounts(&run(dir, &[], "prima frase\n", &stdin_list)),
        ["studio@pec.example"]
    );
    assert!(stderr(&run(dir, &first, "", &["encrypt"])).contains("encrypted already"));

    // rekey: the new passphrase from the environment, then from the next line of standard input.
    let new = [
        ("PEC_PASSPHRASE", "prima frase"),
        ("PEC_NEW_PASSPHRASE", "seconda frase"),
    ];
    let out = run(dir, &new, "", &["rekey", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stderr(&run(dir, &first, "", &list)).contains("wrong passphrase"));
    let out = run(
        dir,
        &[],
        "seconda frase\nterza frase\n",
        &["--passphrase-stdin", "rekey"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let third = [("PEC_PASSPHRASE", "terza frase")];
    assert_eq!(
        accounts(&run(dir, &third, "", &list)),
        ["studio@pec.example"]
    );
    assert!(!dir.join("store.kdf.next").exists());

    // A store cut short is reported with the way out; `pec recover` keeps the account.
    let store = dir.join("store.sqlite");
    let len = std::fs::metadata(&store).expect("store").len();
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&store)
        .expect("open");
    file.set_len(len * 6 / 10 - 100).expect("cut");
    let why = stderr(&run(dir, &third, "", &list));
    assert!(
        why.contains("damaged") && why.contains("pec recover"),
        "{why}"
    );
    let wrong = [("PEC_PASSPHRASE", "sbagliata")];
    assert!(stderr(&run(dir, &wrong, "", &["recover"])).contains("wrong passphrase"));
    let out = run(dir, &third, "", &["recover", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["accounts"], 1, "{v}");
    assert_eq!(
        accounts(&run(dir, &third, "", &list)),
        ["studio@pec.example"]
    );
}

/// `pec unlock` keeps the store key in a real keyring (GNOME Keyring on a private session bus):
/// commands then need no passphrase until `pec lock`; a rekey updates the kept key; a kept key
/// that stopped opening the store (rekeyed where the keyring was out of reach) is dropped and
/// the passphrase asked; a passphrase given on standard input is used, not the kept key.
#[test]
fn the_keyring_keeps_the_store_key_from_unlock_to_lock() {
    use pec_test_harness::secrets::{SecretService, secret_service_or_skip};
    if !secret_service_or_skip("the_keyring_keeps_the_store_key_from_unlock_to_lock") {
        return;
    }
    let keyring = SecretService::start().expect("keyring");
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = &tmp.path().join("data");
    let first = [("PEC_PASSPHRASE", "prima frase")];
    let list = ["account", "list", "--json"];
    assert!(accounts(&run(dir, &first, "", &list)).is_empty());
    let json = |out: Output| -> serde_json::Value {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("json")
    };
    // Out of the keyring's reach, unlock says why; inside it, it keeps the key.
    assert!(stderr(&run(dir, &first, "", &["unlock"])).contains("keyring"));
    common::use_keyring(dir, keyring.bus_address());
    assert_eq!(
        json(run(dir, &first, "", &["lock", "--json"]))["was_unlocked"],
        false
    );
    assert!(stderr(&run(dir, &[], "", &["unlock"])).contains("PEC_PASSPHRASE"));
    assert!(stderr(&run(dir, &[("PEC_PASSPHRASE", "no")], "", &["unlock"])).contains("wrong"));
    assert_eq!(
        json(run(dir, &first, "", &["unlock", "--json"]))["unlocked"],
        true
    );
    assert!(accounts(&run(dir, &[], "", &list)).is_empty());
    let mut stdin_list = vec!["--passphrase-stdin"];
    stdin_list.extend(list);
    assert!(stderr(&run(dir, &[], "sbagliata\n", &stdin_list)).contains("wrong passphrase"));

    // A rekey keeps it unlocked under the new key; lock ends it.
    let second = [
        ("PEC_PASSPHRASE", "prima frase"),
        ("PEC_NEW_PASSPHRASE", "seconda"),
    ];
    assert!(run(dir, &second, "", &["rekey"]).status.success());
    assert!(accounts(&run(dir, &[], "", &list)).is_empty());
    assert_eq!(
        json(run(dir, &[], "", &["lock", "--json"]))["was_unlocked"],
        true
    );
    assert!(stderr(&run(dir, &[], "", &list)).contains("PEC_PASSPHRASE"));

    // A kept key the store no longer opens with is dropped, and the passphrase asked.
    let now = [("PEC_PASSPHRASE", "seconda")];
    assert!(run(dir, &now, "", &["unlock"]).status.success());
    let third = [
        ("PEC_PASSPHRASE", "seconda"),
        ("PEC_NEW_PASSPHRASE", "terza"),
        ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus"),
    ];
    assert!(run(dir, &third, "", &["rekey"]).status.success());
    assert!(stderr(&run(dir, &[], "", &list)).contains("PEC_PASSPHRASE"));
    assert!(accounts(&run(dir, &[("PEC_PASSPHRASE", "terza")], "", &list)).is_empty());
    assert_eq!(
        json(run(dir, &[], "", &["lock", "--json"]))["was_unlocked"],
        false
    );
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
