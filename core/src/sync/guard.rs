//! A bound on what an IMAP server can make us buffer.
//!
//! async-imap reads a whole response (every line and literal of it) into memory before imap-proto
//! parses it, so a server that sends an endless line or announces a 10 GB literal `{10000000000}`
//! would grow our memory without end; imap-proto parses nested parenthesised lists by recursion,
//! so a BODYSTRUCTURE a few hundred levels deep overflows the stack and aborts the process.
//! [`Guarded`] sits between the TLS stream and async-imap and watches the bytes as they arrive: a
//! line longer than [`MAX_IMAP_LINE_BYTES`] outside literals, a literal announced larger than
//! [`MAX_IMAP_LITERAL_BYTES`], or parentheses (outside quoted strings and literals) nested deeper
//! than [`MAX_IMAP_NESTING`] end the session with a [`Refused`] read error before async-imap
//! parses them; the sync reports it as a protocol error. Both IMAP paths (sync and outbox) connect
//! through it.

use crate::limits::{MAX_IMAP_LINE_BYTES, MAX_IMAP_LITERAL_BYTES, MAX_IMAP_NESTING};
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Why the guard ended a session.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("the server sent a response line longer than {0} bytes")]
    LineTooLong(usize),
    #[error("the server announced a {0}-byte literal, over the limit of {1} bytes")]
    LiteralTooLarge(u64, u64),
    #[error("the server sent a response nested deeper than {0} parentheses")]
    TooDeep(usize),
    #[error("the server sent `{0}`, which the IMAP parser cannot read")]
    Unreadable(&'static str),
}

/// Server text that makes imap-proto 0.17 panic: `INTERNALDATE NIL` unwraps a `None` (found by
/// the `imap_responses` fuzz target). Refused before async-imap parses it; any panic left is
/// contained by [`super::contained`].
const PARSER_PANICS: &[u8] = b"INTERNALDATE NIL";

/// Where the scanner is in the server's byte stream.
#[derive(Debug, Default)]
pub(crate) struct Scanner {
    /// Bytes of the current line so far (outside literals).
    line: usize,
    /// Inside a literal: bytes still to pass unexamined.
    literal_left: u64,
    /// The tail of the line seen so far matches `{digits[+]}` (optionally followed by `\r`):
    /// the announced size.
    brace: Brace,
    /// Open parentheses of the current response, outside quoted strings.
    depth: usize,
    quote: Quote,
    /// Bytes of [`PARSER_PANICS`] matched so far, outside quoted strings.
    panic_matched: usize,
}

/// Whether the scanner is inside an IMAP quoted string (where parentheses are text).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Quote {
    #[default]
    Out,
    In,
    /// After a backslash inside a quoted string.
    Escaped,
}

#[derive(Debug, Default, Clone, Copy)]
enum Brace {
    #[default]
    None,
    Digits(u64),
    Closed(u64),
    ClosedCr(u64),
}

impl Scanner {
    pub(crate) fn scan(&mut self, mut bytes: &[u8]) -> Result<(), Refused> {
        while !bytes.is_empty() {
            if self.literal_left > 0 {
                let n = bytes
                    .len()
                    .min(usize::try_from(self.literal_left).unwrap_or(usize::MAX));
                self.literal_left -= n as u64;
                bytes = bytes.get(n..).unwrap_or_default();
                continue;
            }
            let Some((&b, rest)) = bytes.split_first() else {
                break;
            };
            bytes = rest;
            self.byte(b)?;
        }
        Ok(())
    }

    fn byte(&mut self, b: u8) -> Result<(), Refused> {
        if b == b'\n' {
            if let Brace::Closed(n) | Brace::ClosedCr(n) = self.brace {
                if n > MAX_IMAP_LITERAL_BYTES {
                    return Err(Refused::LiteralTooLarge(n, MAX_IMAP_LITERAL_BYTES));
                }
                self.literal_left = n;
            } else {
                // The response ends here; one carried on past a literal keeps its depth.
                self.depth = 0;
            }
            self.line = 0;
            self.brace = Brace::None;
            self.quote = Quote::Out;
            self.panic_matched = 0;
            return Ok(());
        }
        self.line += 1;
        if self.line > MAX_IMAP_LINE_BYTES {
            return Err(Refused::LineTooLong(MAX_IMAP_LINE_BYTES));
        }
        self.nesting(b)?;
        self.brace = match (self.brace, b) {
            (_, b'{') => Brace::Digits(0),
            (Brace::Digits(n), b'0'..=b'9') => {
                Brace::Digits(n.saturating_mul(10).saturating_add(u64::from(b - b'0')))
            }
            (Brace::Digits(n), b'+') => Brace::Digits(n),
            (Brace::Digits(n), b'}') => Brace::Closed(n),
            (Brace::Closed(n), b'\r') => Brace::ClosedCr(n),
            _ => Brace::None,
        };
        Ok(())
    }
}

impl Scanner {
    fn nesting(&mut self, b: u8) -> Result<(), Refused> {
        if self.quote == Quote::Out {
            self.panic_matched = match PARSER_PANICS.get(self.panic_matched) {
                Some(want) if want.eq_ignore_ascii_case(&b) => self.panic_matched + 1,
                _ => usize::from(PARSER_PANICS.first() == Some(&b.to_ascii_uppercase())),
            };
            if self.panic_matched == PARSER_PANICS.len() {
                return Err(Refused::Unreadable("INTERNALDATE NIL"));
            }
        }
        self.quote = match (self.quote, b) {
            (Quote::Out, b'"') | (Quote::Escaped, _) => Quote::In,
            (Quote::In, b'\\') => Quote::Escaped,
            (Quote::In, b'"') => Quote::Out,
            (Quote::Out, b'(') => {
                self.depth += 1;
                if self.depth > MAX_IMAP_NESTING {
                    return Err(Refused::TooDeep(MAX_IMAP_NESTING));
                }
                Quote::Out
            }
            (Quote::Out, b')') => {
                self.depth = self.depth.saturating_sub(1);
                Quote::Out
            }
            (q, _) => q,
        };
        Ok(())
    }
}

/// A stream whose incoming bytes are held to the limits above.
#[derive(Debug)]
pub struct Guarded<S> {
    inner: S,
    scanner: Scanner,
}

impl<S> Guarded<S> {
    pub fn new(inner: S) -> Self {
        Guarded {
            inner,
            scanner: Scanner::default(),
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Guarded<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            let new = buf.filled().get(before..).unwrap_or_default();
            if let Err(refused) = this.scanner.scan(new) {
                return Poll::Ready(Err(std::io::Error::other(refused)));
            }
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Guarded<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, data)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// The guard's refusal inside an I/O error, if that is what it is.
pub fn refusal(e: &std::io::Error) -> Option<&Refused> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<Refused>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(chunks: &[&[u8]]) -> Result<(), Refused> {
        let mut s = Scanner::default();
        chunks.iter().try_for_each(|c| s.scan(c))
    }

    #[test]
    fn literals_pass_unexamined_and_lines_reset() {
        let literal = vec![b'x'; MAX_IMAP_LINE_BYTES + 10];
        let head = b"* 1 FETCH (BODY[] {".to_vec();
        let size = format!("{}}}\r\n", literal.len());
        assert_eq!(
            scan(&[
                &head,
                size.as_bytes(),
                &literal,
                b")\r\n",
                b"a1 OK done\r\n"
            ]),
            Ok(())
        );
        // A literal size split across reads, and the non-synchronising form.
        assert_eq!(
            scan(&[b"* 1 FETCH (BODY[] {1", b"2+}\r", b"\nhello world!)\r\n"]),
            Ok(())
        );
    }

    #[test]
    fn deep_parentheses_are_refused_but_not_in_quotes_or_literals() {
        let deep = |n: usize| format!("* 1 FETCH (BODYSTRUCTURE {}\r\n", "(".repeat(n));
        assert_eq!(
            scan(&[deep(MAX_IMAP_NESTING).as_bytes()]),
            Err(Refused::TooDeep(MAX_IMAP_NESTING))
        );
        assert_eq!(scan(&[deep(MAX_IMAP_NESTING - 1).as_bytes()]), Ok(()));
        // Each response starts again from zero.
        let half = deep(MAX_IMAP_NESTING / 2 + 1);
        assert_eq!(scan(&[half.as_bytes(), half.as_bytes()]), Ok(()));
        // Parentheses in quoted strings (escaped quotes too) and in literals are text.
        let quoted = format!("* 1 FETCH (ENVELOPE (\"a\\\"{}\"))\r\n", "(".repeat(1000));
        assert_eq!(scan(&[quoted.as_bytes()]), Ok(()));
        let literal = "(".repeat(1000);
        let size = format!("* 1 FETCH (BODY[] {{{}}}\r\n", literal.len());
        assert_eq!(
            scan(&[size.as_bytes(), literal.as_bytes(), b")\r\n"]),
            Ok(())
        );
        // A response carried on past a literal keeps its depth.
        let opened = format!("* 1 FETCH {}{{1}}\r\n", "(".repeat(MAX_IMAP_NESTING));
        assert_eq!(
            scan(&[opened.as_bytes(), b"x", b" (\r\n"]),
            Err(Refused::TooDeep(MAX_IMAP_NESTING))
        );
    }

    #[test]
    fn text_that_panics_the_parser_is_refused_wherever_reads_split_it() {
        let line = b"* 1 FETCH (UID 1 internaldate nil)\r\n";
        for cut in 0..line.len() {
            let (a, b) = line.split_at(cut);
            assert_eq!(
                scan(&[a, b]),
                Err(Refused::Unreadable("INTERNALDATE NIL")),
                "{cut}"
            );
        }
        assert_eq!(
            scan(&[b"* 1 FETCH (INTERNALDATE \"01-Jan-2024 10:00:00 +0100\")\r\n"]),
            Ok(())
        );
        assert_eq!(
            scan(&[b"* OK [ALERT] \"INTERNALDATE NIL\" quoted\r\n"]),
            Ok(())
        );
    }

    #[test]
    fn an_endless_line_is_refused() {
        let chunk = vec![b'a'; 64 * 1024];
        let mut s = Scanner::default();
        let mut refused = None;
        for _ in 0..(MAX_IMAP_LINE_BYTES / chunk.len() + 2) {
            if let Err(e) = s.scan(&chunk) {
                refused = Some(e);
                break;
            }
        }
        assert_eq!(refused, Some(Refused::LineTooLong(MAX_IMAP_LINE_BYTES)));
    }

    #[test]
    fn a_huge_literal_is_refused_before_its_bytes() {
        assert_eq!(
            scan(&[b"* 1 FETCH (BODY[] {10000000000}\r\n"]),
            Err(Refused::LiteralTooLarge(
                10_000_000_000,
                MAX_IMAP_LITERAL_BYTES
            ))
        );
        // Digits that overflow saturate, and are refused as well.
        assert!(scan(&[b"* 1 FETCH (BODY[] {99999999999999999999999999}\r\n"]).is_err());
        // Braces that do not end the line are plain text.
        assert_eq!(
            scan(&[b"* OK [ALERT] {5} is not a literal here\r\n"]),
            Ok(())
        );
    }
}
