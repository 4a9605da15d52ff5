//! QRESYNC (RFC 7162): `ENABLE QRESYNC`, then `SELECT mailbox (QRESYNC (uidvalidity modseq))`, which
//! returns in one round trip the flag changes (`* n FETCH (UID FLAGS MODSEQ)`) and the expunged UIDs
//! (`* VANISHED (EARLIER) uid-set`) since the last pass.
//!
//! async-imap 0.12 has no QRESYNC API, so the SELECT is sent raw and its responses are read here
//! one by one (not through the unsolicited channel, which is bounded and drops on overflow). The
//! VANISHED uid-set is parsed by [`UidSet::parse`] from the raw line: ranges stay ranges (a server
//! may answer `1:4294967295`), reversed ranges (`9:3`) are accepted, garbage is refused rather than
//! guessed at.

use super::conn::ImapSession;
use crate::store::ServerFlags;
use async_imap::imap_proto::{AttributeValue, MailboxDatum, Response, ResponseCode, Status};
use async_imap::types::Flag;

/// A set of UIDs kept as sorted, merged, inclusive ranges (never expanded).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct UidSet {
    ranges: Vec<(u32, u32)>,
}

impl UidSet {
    /// Parse an IMAP uid-set (`1,3:5,9:7`). `*` cannot occur in a server's uid-set and is refused,
    /// as are zero, empty members, numbers over u32 and any other byte. Surrounding whitespace
    /// (including the CRLF) is ignored.
    pub(crate) fn parse(s: &[u8]) -> Option<UidSet> {
        let s = s.trim_ascii();
        if s.is_empty() {
            return None;
        }
        let mut ranges = Vec::new();
        for member in s.split(|b| *b == b',') {
            let mut ends = member.splitn(2, |b| *b == b':');
            let a = number(ends.next()?)?;
            let b = match ends.next() {
                Some(e) => number(e)?,
                None => a,
            };
            ranges.push((a.min(b), a.max(b)));
        }
        ranges.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
        for (a, b) in ranges {
            match merged.last_mut() {
                Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        Some(UidSet { ranges: merged })
    }

    pub(crate) fn contains(&self, uid: u32) -> bool {
        self.ranges
            .binary_search_by(|(a, b)| {
                if uid < *a {
                    std::cmp::Ordering::Greater
                } else if uid > *b {
                    std::cmp::Ordering::Less
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_ok()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    pub(crate) fn extend(&mut self, other: &UidSet) {
        let mut all = std::mem::take(&mut self.ranges);
        all.extend_from_slice(&other.ranges);
        all.sort_unstable();
        for (a, b) in all {
            match self.ranges.last_mut() {
                Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
                _ => self.ranges.push((a, b)),
            }
        }
    }

    /// The members of `uids` in the set.
    pub(crate) fn filter(&self, uids: &[u32]) -> Vec<u32> {
        uids.iter().copied().filter(|u| self.contains(*u)).collect()
    }
}

fn number(s: &[u8]) -> Option<u32> {
    if s.is_empty() || s.len() > 10 || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n: u64 = std::str::from_utf8(s).ok()?.parse().ok()?;
    u32::try_from(n).ok().filter(|n| *n > 0)
}

/// Parse a raw `* VANISHED [(EARLIER)] uid-set` line: `Some((earlier, uids))`, `None` if it is
/// not one (or is malformed).
pub(crate) fn parse_vanished(line: &[u8]) -> Option<(bool, UidSet)> {
    let rest = line.trim_ascii().strip_prefix(b"*")?.trim_ascii_start();
    let kw = b"VANISHED";
    if rest.len() < kw.len() || !rest[..kw.len()].eq_ignore_ascii_case(kw) {
        return None;
    }
    let rest = &rest[kw.len()..];
    if !rest.first().is_some_and(u8::is_ascii_whitespace) {
        return None;
    }
    let rest = rest.trim_ascii_start();
    let earlier = b"(EARLIER)";
    let (is_earlier, set) =
        if rest.len() >= earlier.len() && rest[..earlier.len()].eq_ignore_ascii_case(earlier) {
            (true, &rest[earlier.len()..])
        } else {
            (false, rest)
        };
    Some((is_earlier, UidSet::parse(set)?))
}

/// Quote a mailbox name for a raw command.
pub(crate) fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
}

/// What a SELECT told (with QRESYNC: also what changed since the given modseq).
#[derive(Debug, Default)]
pub(crate) struct Selected {
    pub exists: u32,
    pub uid_validity: Option<u32>,
    pub uid_next: Option<u32>,
    pub highest_modseq: Option<u64>,
    /// UIDs expunged since the modseq given (VANISHED (EARLIER)).
    pub vanished: UidSet,
    /// Flag changes since the modseq given: (uid, modseq, flags).
    pub changed: Vec<(u32, Option<u64>, ServerFlags)>,
}

/// Why a raw command did not succeed.
#[derive(Debug)]
pub(crate) enum RawError {
    /// Tagged NO (e.g. the mailbox is gone).
    No(String),
    Imap(async_imap::error::Error),
}

impl From<async_imap::error::Error> for RawError {
    fn from(e: async_imap::error::Error) -> Self {
        RawError::Imap(e)
    }
}

impl From<std::io::Error> for RawError {
    fn from(e: std::io::Error) -> Self {
        RawError::Imap(async_imap::error::Error::Io(e))
    }
}

/// `ENABLE QRESYNC` (once per session, before the first SELECT that uses it).
pub(crate) async fn enable(sess: &mut ImapSession) -> Result<(), async_imap::error::Error> {
    sess.run_command_and_check_ok("ENABLE QRESYNC").await?;
    while sess.unsolicited_responses.try_recv().is_ok() {}
    Ok(())
}

/// `SELECT name (QRESYNC (uidvalidity modseq))` when `known` is given, else a plain
/// `SELECT name (CONDSTORE)`; every response of the command is read here.
pub(crate) async fn select(
    sess: &mut ImapSession,
    name: &str,
    known: Option<(u32, u64)>,
) -> Result<Selected, RawError> {
    let cmd = match known {
        Some((validity, modseq)) => {
            format!("SELECT {} (QRESYNC ({validity} {modseq}))", quote(name))
        }
        None => format!("SELECT {} (CONDSTORE)", quote(name)),
    };
    let tag = sess.run_command(&cmd).await?;
    let mut out = Selected::default();
    loop {
        let Some(resp) = sess.read_response().await? else {
            return Err(RawError::Imap(async_imap::error::Error::ConnectionLost));
        };
        match resp.parsed() {
            Response::Done {
                tag: t,
                status,
                outcome,
            } if *t == tag => {
                let info = outcome.information.as_deref().unwrap_or("").to_string();
                return match status {
                    Status::Ok => Ok(out),
                    Status::No => Err(RawError::No(info)),
                    _ => Err(RawError::Imap(async_imap::error::Error::Bad(info))),
                };
            }
            Response::Data {
                status: Status::Bye,
                ..
            } => return Err(RawError::Imap(async_imap::error::Error::ConnectionLost)),
            Response::Data { outcome, .. } => match &outcome.code {
                Some(ResponseCode::UidValidity(v)) => out.uid_validity = Some(*v),
                Some(ResponseCode::UidNext(n)) => out.uid_next = Some(*n),
                Some(ResponseCode::HighestModSeq(m)) => out.highest_modseq = Some(*m),
                _ => {}
            },
            Response::MailboxData(MailboxDatum::Exists(n)) => out.exists = *n,
            Response::Vanished { uids, .. } => {
                // Our own parser over the raw line; imap-proto's ranges only if that fails.
                let set = parse_vanished(resp.borrow_owner())
                    .map(|(_, s)| s)
                    .unwrap_or_else(|| {
                        let text = uids
                            .iter()
                            .map(|r| format!("{}:{}", r.start(), r.end()))
                            .collect::<Vec<_>>()
                            .join(",");
                        UidSet::parse(text.as_bytes()).unwrap_or_default()
                    });
                out.vanished.extend(&set);
            }
            Response::Fetch(_, attrs) => {
                let mut uid = None;
                let mut modseq = None;
                let mut flags = None;
                for a in attrs {
                    match a {
                        AttributeValue::Uid(u) => uid = Some(*u),
                        AttributeValue::ModSeq(m) => modseq = Some(*m),
                        AttributeValue::Flags(f) => {
                            flags = Some(super::engine::server_flags(
                                f.iter().map(|s| Flag::from(s.as_ref())),
                            ))
                        }
                        _ => {}
                    }
                }
                if let (Some(uid), Some(flags)) = (uid, flags) {
                    out.changed.push((uid, modseq, flags));
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(s: &str) -> Option<Vec<(u32, u32)>> {
        UidSet::parse(s.as_bytes()).map(|u| u.ranges)
    }

    #[test]
    fn uid_sets_parse_odd_inputs() {
        assert_eq!(ranges("1"), Some(vec![(1, 1)]));
        assert_eq!(ranges("1,2,3:8"), Some(vec![(1, 8)]));
        // Reversed, unordered, overlapping, adjacent.
        assert_eq!(
            ranges("9:7,3,1:2,20:25,24"),
            Some(vec![(1, 3), (7, 9), (20, 25)])
        );
        // The full range stays two numbers.
        assert_eq!(ranges("1:4294967295"), Some(vec![(1, u32::MAX)]));
        assert_eq!(ranges(" 5:6\r\n"), Some(vec![(5, 6)]));
        for bad in [
            "",
            " ",
            ",",
            "1,",
            ",1",
            "1:",
            ":1",
            "1::2",
            "*",
            "1:*",
            "0",
            "0:3",
            "4294967296",
            "99999999999999999999",
            "a",
            "1;2",
            "1 2",
            "-1",
            "+1",
            "1:2:3",
            "１",
        ] {
            assert_eq!(ranges(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn uid_set_membership_and_filter() {
        let s = UidSet::parse(b"3:5,10,4000000000:4294967295").expect("set");
        assert!(s.contains(3) && s.contains(5) && s.contains(10) && s.contains(u32::MAX));
        assert!(!s.contains(1) && !s.contains(6) && !s.contains(11));
        assert_eq!(s.filter(&[1, 3, 4, 6, 10, 12]), vec![3, 4, 10]);
        let mut t = UidSet::parse(b"6:9").expect("set");
        t.extend(&s);
        assert_eq!(t.ranges[0], (3, 10));
    }

    #[test]
    fn vanished_lines() {
        let (earlier, set) = parse_vanished(b"* VANISHED (EARLIER) 1,3:5\r\n").expect("line");
        assert!(earlier);
        assert_eq!(set.ranges, vec![(1, 1), (3, 5)]);
        let (earlier, set) = parse_vanished(b"* vanished 7").expect("line");
        assert!(!earlier);
        assert_eq!(set.ranges, vec![(7, 7)]);
        let (earlier, _) = parse_vanished(b"*  VANISHED   (earlier)   2:1").expect("line");
        assert!(earlier);
        for bad in [
            &b"* VANISHED"[..],
            b"* VANISHED (EARLIER)",
            b"* VANISHED (EARLIER) ",
            b"* VANISHEDX 1",
            b"* VANISHED1",
            b"* 3 EXPUNGE",
            b"VANISHED 1",
            b"* VANISHED (EARLIER) 1:*",
            b"* VANISHED (LATER) 1",
            b"",
            b"\xff\xfe",
        ] {
            assert!(
                parse_vanished(bad).is_none(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn quoting() {
        assert_eq!(quote("INBOX.Cestino"), "\"INBOX.Cestino\"");
        assert_eq!(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }
}
