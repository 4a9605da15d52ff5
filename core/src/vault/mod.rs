//! Data at rest: the store key and what it locks.
//!
//! One random 256-bit [`StoreKey`] per data directory encrypts the SQLite store (SQLCipher) and
//! every file the core keeps beside it ([`sealed`]: the outbox's messages). The core never writes
//! the key anywhere: the apps keep it wrapped by the platform vault (Android Keystore, iOS
//! Keychain, bound to biometrics) and hand it over at unlock; the terminal client derives it from
//! a passphrase ([`passphrase`], Argon2id) or keeps it in the OS keyring.
//!
//! Every copy of the key in this crate is a [`StoreKey`], which zeroes its bytes when dropped, so
//! locking (dropping the store's connections and the key they hold) leaves no copy behind in our
//! memory. SQLCipher keeps its own derived keys inside each connection and wipes them when the
//! connection closes.

pub mod passphrase;
pub mod sealed;

use zeroize::{Zeroize, Zeroizing};

/// Length of a store key in bytes.
pub const KEY_LEN: usize = 32;

/// The key of one data directory. Not `Debug`, not `Clone`: copies are explicit and each is
/// zeroed when dropped.
pub struct StoreKey([u8; KEY_LEN]);

/// Failures about keys.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("a store key has {KEY_LEN} bytes, this one has {0}")]
    Length(usize),
    #[error("the system's random generator failed")]
    Random,
    #[error("passphrase: {0}")]
    Passphrase(String),
}

impl StoreKey {
    /// A fresh random key from the operating system's generator.
    pub fn generate() -> Result<StoreKey, KeyError> {
        use ring::rand::SecureRandom;
        let mut bytes = [0u8; KEY_LEN];
        ring::rand::SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| KeyError::Random)?;
        Ok(StoreKey(bytes))
    }

    /// Copy a key out of `bytes` (the caller zeroes its own buffer).
    pub fn from_slice(bytes: &[u8]) -> Result<StoreKey, KeyError> {
        let arr: [u8; KEY_LEN] = bytes
            .try_into()
            .map_err(|_| KeyError::Length(bytes.len()))?;
        Ok(StoreKey(arr))
    }

    /// The raw bytes, for the shell's vault. The caller owns the copy and must zero it.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.0.to_vec())
    }

    pub(crate) fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// An explicit copy (zeroed when dropped like the original).
    pub fn duplicate(&self) -> StoreKey {
        StoreKey(self.0)
    }

    /// The key in lower-case hex (for the files key kept in the store's settings).
    pub(crate) fn hex(&self) -> Zeroizing<String> {
        let mut hex = Zeroizing::new(String::with_capacity(2 * KEY_LEN));
        for b in &self.0 {
            hex.push(char::from_digit((b >> 4) as u32, 16).unwrap_or('0'));
            hex.push(char::from_digit((b & 15) as u32, 16).unwrap_or('0'));
        }
        hex
    }

    /// SQLCipher's raw-key literal `x'…'`: used as is, without SQLCipher's own key derivation,
    /// since the key is already random (or stretched by Argon2id).
    pub(crate) fn sqlcipher_literal(&self) -> Zeroizing<String> {
        let hex = self.hex();
        let mut literal = Zeroizing::new(String::with_capacity(hex.len() + 3));
        literal.push_str("x'");
        literal.push_str(&hex);
        literal.push('\'');
        literal
    }
}

impl Drop for StoreKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl PartialEq for StoreKey {
    /// Constant-time: keys are compared when a rekey is asked to keep the same key.
    fn eq(&self, other: &StoreKey) -> bool {
        self.0
            .iter()
            .zip(other.0.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

impl Eq for StoreKey {}

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreKey(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_sized_and_print_no_bytes() {
        let a = StoreKey::generate().unwrap();
        let b = StoreKey::generate().unwrap();
        assert!(a != b);
        assert!(a == a.duplicate());
        assert_eq!(format!("{a:?}"), "StoreKey(…)");
        assert_eq!(
            StoreKey::from_slice(&[1; 31]).err(),
            Some(KeyError::Length(31))
        );
        let lit = StoreKey::from_slice(&[0xab; 32])
            .unwrap()
            .sqlcipher_literal();
        assert_eq!(lit.len(), 67);
        assert!(lit.starts_with("x'abab") && lit.ends_with("ab'"));
    }
}
