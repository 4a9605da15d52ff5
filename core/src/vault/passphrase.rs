//! A store key from a passphrase, for the terminal client when the OS has no keyring.
//!
//! Argon2id (RFC 9106) with 64 MiB, 3 passes, 1 lane: about a tenth of a second on a laptop, and
//! memory-hard so a stolen data directory is expensive to attack offline. The parameters and the
//! random salt are kept in a small file beside the store (`store.kdf`, JSON); they are not secret.
//! A rekey writes the new file under another name first (see [`crate::store::rekey`]), so a crash
//! leaves a file that matches whichever store survived.

use super::{KeyError, StoreKey};
use serde::{Deserialize, Serialize};
use std::path::Path;
use zeroize::Zeroizing;

/// Argon2id parameters and salt of one data directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Always `argon2id`; a file naming another function is refused.
    pub kdf: String,
    pub memory_kib: u32,
    pub passes: u32,
    pub lanes: u32,
    /// 16 random bytes, base64.
    pub salt: String,
}

/// The parameters used for new data directories.
const MEMORY_KIB: u32 = 64 * 1024;
const PASSES: u32 = 3;
const LANES: u32 = 1;
/// Bounds on what a params file may ask for (a hostile file must not make us allocate gigabytes).
const MAX_MEMORY_KIB: u32 = 1024 * 1024;
const MAX_PASSES: u32 = 16;

impl KdfParams {
    /// Fresh parameters with a new random salt.
    pub fn generate() -> Result<KdfParams, KeyError> {
        use base64::Engine;
        use ring::rand::SecureRandom;
        let mut salt = [0u8; 16];
        ring::rand::SystemRandom::new()
            .fill(&mut salt)
            .map_err(|_| KeyError::Random)?;
        Ok(KdfParams {
            kdf: "argon2id".into(),
            memory_kib: MEMORY_KIB,
            passes: PASSES,
            lanes: LANES,
            salt: base64::engine::general_purpose::STANDARD.encode(salt),
        })
    }

    /// Stretch `passphrase` into the store key.
    pub fn derive(&self, passphrase: &str) -> Result<StoreKey, KeyError> {
        use base64::Engine;
        let bad = |m: &str| KeyError::Passphrase(m.to_string());
        if self.kdf != "argon2id" {
            return Err(bad("unknown key derivation function"));
        }
        if passphrase.is_empty() {
            return Err(bad("the passphrase is empty"));
        }
        if self.memory_kib > MAX_MEMORY_KIB || self.passes > MAX_PASSES || self.lanes != 1 {
            return Err(bad("key derivation parameters out of range"));
        }
        let salt = base64::engine::general_purpose::STANDARD
            .decode(&self.salt)
            .map_err(|_| bad("the salt is not base64"))?;
        let params = argon2::Params::new(self.memory_kib, self.passes, self.lanes, Some(32))
            .map_err(|e| bad(&e.to_string()))?;
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut out = Zeroizing::new([0u8; 32]);
        argon
            .hash_password_into(passphrase.as_bytes(), &salt, out.as_mut())
            .map_err(|e| bad(&e.to_string()))?;
        StoreKey::from_slice(out.as_ref())
    }

    /// Read a params file; `None` when there is none.
    pub fn read(path: &Path) -> Result<Option<KdfParams>, KeyError> {
        match crate::files::read_capped(path, 4096) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| KeyError::Passphrase(format!("{}: {e}", path.display()))),
            Err(crate::files::ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok(None)
            }
            Err(e) => Err(KeyError::Passphrase(format!("{}: {e}", path.display()))),
        }
    }

    /// Write the params file atomically (temporary file, fsync, rename, fsync of the folder).
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        crate::files::write_atomic(path, &json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> KdfParams {
        KdfParams {
            memory_kib: 64,
            passes: 1,
            ..KdfParams::generate().unwrap()
        }
    }

    #[test]
    fn the_same_passphrase_and_salt_give_the_same_key_and_nothing_else_does() {
        let p = cheap();
        let a = p.derive("correct horse").unwrap();
        assert!(a == p.derive("correct horse").unwrap());
        assert!(a != p.derive("correct horsf").unwrap());
        let other_salt = KdfParams {
            salt: cheap().salt,
            ..p.clone()
        };
        assert!(a != other_salt.derive("correct horse").unwrap());
        assert!(p.derive("").is_err());
    }

    #[test]
    fn a_hostile_params_file_is_refused_before_any_work() {
        let huge = KdfParams {
            memory_kib: u32::MAX,
            ..cheap()
        };
        assert!(matches!(huge.derive("x"), Err(KeyError::Passphrase(_))));
        let other = KdfParams {
            kdf: "md5".into(),
            ..cheap()
        };
        assert!(other.derive("x").is_err());
    }

    #[test]
    fn params_round_trip_through_their_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.kdf");
        assert_eq!(KdfParams::read(&path).unwrap(), None);
        let p = cheap();
        p.write(&path).unwrap();
        assert_eq!(KdfParams::read(&path).unwrap(), Some(p));
        std::fs::write(&path, b"{not json").unwrap();
        assert!(KdfParams::read(&path).is_err());
    }
}
