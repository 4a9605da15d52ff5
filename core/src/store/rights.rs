//! ACL rights (RFC 4314 MYRIGHTS, stored per folder by the sync) enforced on local actions: an
//! action the rights forbid is refused up front with [`StoreError::Forbidden`], never queued to
//! fail at the server later.
//!
//! Unknown rights (server without ACL, folder not yet checked) allow everything: the server
//! still has the last word when the action is replayed.

use super::{Result, StoreError};

/// The rights an action needs on one folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// `s`: set or clear `\Seen`.
    Seen,
    /// `w`: other flags and keywords (`\Flagged`, labels).
    Write,
    /// `t` + `e`: mark `\Deleted` and expunge (delete, move out of, empty).
    Remove,
    /// `i`: insert (move or copy into).
    Insert,
}

impl Need {
    fn letters(self) -> &'static [char] {
        match self {
            Need::Seen => &['s'],
            Need::Write => &['w'],
            Need::Remove => &['t', 'e'],
            Need::Insert => &['i'],
        }
    }
}

/// Whether `rights` grants `r`, reading the obsolete RFC 2086 letters too (`d` = `t` `e` `x`,
/// `c` = `k` `x`).
pub(crate) fn grants(rights: &str, r: char) -> bool {
    rights.contains(r)
        || (matches!(r, 't' | 'e' | 'x') && rights.contains('d'))
        || (matches!(r, 'k' | 'x') && rights.contains('c'))
}

/// Refuse `action` on `folder` unless `rights` (None: unknown) grant what `need` asks.
pub(crate) fn require(folder: &str, rights: Option<&str>, need: Need, action: &str) -> Result<()> {
    let Some(have) = rights else {
        return Ok(());
    };
    for &r in need.letters() {
        if !grants(have, r) {
            return Err(StoreError::Forbidden {
                folder: folder.to_string(),
                action: action.to_string(),
                right: r,
                rights: have.to_string(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rights_letters() {
        assert!(require("INBOX", None, Need::Remove, "delete").is_ok());
        assert!(require("INBOX", Some("lrswipkxtecda"), Need::Remove, "delete").is_ok());
        assert!(require("INBOX", Some("lrs"), Need::Seen, "read").is_ok());
        match require("INBOX", Some("lrs"), Need::Write, "flag") {
            Err(StoreError::Forbidden { right, folder, .. }) => {
                assert_eq!((right, folder.as_str()), ('w', "INBOX"))
            }
            other => panic!("{other:?}"),
        }
        // t without e: still no delete.
        assert!(matches!(
            require("INBOX", Some("lrst"), Need::Remove, "delete"),
            Err(StoreError::Forbidden { right: 'e', .. })
        ));
        // RFC 2086 "d" covers t and e.
        assert!(require("INBOX", Some("lrsd"), Need::Remove, "delete").is_ok());
        assert!(require("INBOX", Some(""), Need::Insert, "move").is_err());
        assert!(grants("c", 'k') && !grants("c", 'i'));
    }
}
