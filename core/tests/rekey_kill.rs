//! Encrypting a plain store and changing a store's key, killed with SIGKILL at random points: after
//! every kill exactly one of the old and the new key opens the store, with everything in it
//! (60 trials: 30 encryptions of a plain store, 30 key changes back and forth).
//!
//! The child is this test binary re-executed on the ignored `rekey_child` entry point.

use pec_core::store::{Store, StoreError, rekey};
use pec_core::vault::StoreKey;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const MESSAGES: usize = 2_000;

fn key_a() -> StoreKey {
    StoreKey::from_slice(&[0xA1; 32]).expect("key")
}

fn key_b() -> StoreKey {
    StoreKey::from_slice(&[0xB2; 32]).expect("key")
}

/// Which key opens `path` now (`None`: it is plain), trying plain, A and B.
fn opener(path: &Path) -> Option<Option<StoreKey>> {
    for key in [None, Some(key_a()), Some(key_b())] {
        let dup = key.as_ref().map(|k| k.duplicate());
        match Store::open_with(path, dup) {
            Ok(_) => return Some(key),
            Err(StoreError::KeyNeeded | StoreError::WrongKey | StoreError::NotEncrypted) => {}
            Err(e) => panic!("{}: {e}", path.display()),
        }
    }
    None
}

/// Child process: encrypt the plain store with A, or change the key A ⇄ B forever, until killed.
#[test]
#[ignore = "child process of rekey_killed_at_random_points (run by it, not alone)"]
fn rekey_child() {
    let Some(path) = std::env::var_os("PEC_REKEY_CHILD_STORE") else {
        panic!("run only by rekey_killed_at_random_points");
    };
    let path = PathBuf::from(path);
    match opener(&path).expect("some key opens it") {
        None => rekey::rekey_file(&path, None, &key_a()).expect("encrypt"),
        Some(mut current) => loop {
            let next = if current == key_a() { key_b() } else { key_a() };
            rekey::rekey_file(&path, Some(&current), &next).expect("rekey");
            current = next;
        },
    }
}

/// xorshift: reproducible "random" kill delays from a seed printed on failure.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

fn messages(store: &Store) -> usize {
    store
        .list(&pec_core::store::ListQuery {
            limit: 1_000_000,
            ..pec_core::store::ListQuery::new(pec_core::store::View::All)
        })
        .expect("list")
        .len()
}

/// Run the child on `path`, kill it after `delay`; true when a copy under way was left behind.
fn kill_after(path: &Path, delay: Duration) -> bool {
    let exe = std::env::current_exe().expect("exe");
    let mut child = std::process::Command::new(exe)
        .args([
            "--ignored",
            "--exact",
            &crate::test_name(module_path!(), "rekey_child"),
            "--test-threads=1",
        ])
        .env("PEC_REKEY_CHILD_STORE", path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn child");
    std::thread::sleep(delay);
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    let mut next = path.as_os_str().to_owned();
    next.push(".next");
    Path::new(&next).exists()
}

#[test]
fn rekey_killed_at_random_points() {
    let seed0 = std::env::var("PEC_REKEY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        })
        | 1;
    let mut seed = seed0;
    let tmp = tempfile::tempdir().expect("tmp");
    let original = tmp.path().join("original");
    drop(pec_core::synth::build(&original, MESSAGES).expect("synthetic store"));
    let plain_copy = |trial: usize| {
        let dir = tmp.path().join(format!("trial-{trial}"));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("store.sqlite");
        std::fs::copy(original.join("store.sqlite"), &path).expect("copy");
        path
    };
    // How long one encryption takes here: kills land anywhere from the child's start to twice it.
    let probe = plain_copy(999);
    let t = Instant::now();
    rekey::rekey_file(&probe, None, &key_a()).expect("encrypt");
    let span = (t.elapsed().as_millis() as u64 * 2).max(50) + 50;

    let (mut cut_mid_copy, mut finished) = (0, 0);
    let keyed = plain_copy(1000);
    for trial in 0..60 {
        let migrating = trial < 30;
        let path = if migrating {
            plain_copy(trial)
        } else {
            keyed.clone()
        };
        let before = opener(&path).expect("opens before");
        let delay = Duration::from_millis(next(&mut seed) % span);
        cut_mid_copy += usize::from(kill_after(&path, delay));
        let after = opener(&path)
            .unwrap_or_else(|| panic!("trial {trial}: no key opens the store, seed {seed0}"));
        let store = Store::open_with(&path, after.as_ref().map(|k| k.duplicate())).expect("reopen");
        store.check_integrity().expect("integrity");
        assert_eq!(messages(&store), MESSAGES, "trial {trial}, seed {seed0}");
        finished += usize::from(after != before);
        if migrating {
            assert!(after.is_none() || after == Some(key_a()), "trial {trial}");
        }
    }
    eprintln!("60 trials: {cut_mid_copy} killed during a copy, {finished} changed key");
    // The kills landed both before and after the rename (else this would prove little).
    assert!(
        cut_mid_copy > 0,
        "no kill landed during a copy, seed {seed0}"
    );
    assert!(finished > 0, "no trial finished a change, seed {seed0}");
}
