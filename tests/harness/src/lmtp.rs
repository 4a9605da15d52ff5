//! A small LMTP client (RFC 2033) over Dovecot's unix socket: one session can deliver many messages.

use std::path::Path;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, BufWriter};
use tokio::net::UnixStream;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};

use crate::HarnessError;

/// Per-recipient result of one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RcptStatus {
    /// Stored in the mailbox.
    Delivered,
    /// Refused at RCPT (unknown user, over quota, ...) or at end of data, with the server's reply.
    Rejected { code: u16, text: String },
}

impl RcptStatus {
    pub fn is_delivered(&self) -> bool {
        matches!(self, RcptStatus::Delivered)
    }
}

/// An open LMTP session.
pub struct LmtpClient {
    reader: BufReader<OwnedReadHalf>,
    writer: BufWriter<OwnedWriteHalf>,
}

fn lmtp_err(e: impl std::fmt::Display) -> HarnessError {
    HarnessError::Lmtp(e.to_string())
}

impl LmtpClient {
    /// Connect to the socket and greet with LHLO.
    pub async fn connect(socket: &Path) -> Result<LmtpClient, HarnessError> {
        let stream = UnixStream::connect(socket).await?;
        let (r, w) = stream.into_split();
        let mut c = LmtpClient {
            reader: BufReader::new(r),
            writer: BufWriter::new(w),
        };
        let (code, text) = c.reply().await?;
        if code != 220 {
            return Err(lmtp_err(format!("greeting {code} {text}")));
        }
        c.command("LHLO sandbox.local").await?;
        let (code, text) = c.reply().await?;
        if code != 250 {
            return Err(lmtp_err(format!("LHLO {code} {text}")));
        }
        Ok(c)
    }

    async fn command(&mut self, line: &str) -> Result<(), HarnessError> {
        self.writer.write_all(line.as_bytes()).await?;
        self.writer.write_all(b"\r\n").await?;
        self.writer.flush().await?;
        Ok(())
    }

    /// Read one (possibly multi-line) reply.
    async fn reply(&mut self) -> Result<(u16, String), HarnessError> {
        let mut text = String::new();
        loop {
            let mut line = String::new();
            let n = self.reader.read_line(&mut line).await?;
            if n == 0 {
                return Err(lmtp_err("connection closed"));
            }
            let line = line.trim_end();
            if line.len() < 3 {
                return Err(lmtp_err(format!("bad reply line {line:?}")));
            }
            let code: u16 = line[..3].parse().map_err(lmtp_err)?;
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(line.get(4..).unwrap_or(""));
            if line.as_bytes().get(3) != Some(&b'-') {
                return Ok((code, text));
            }
        }
    }

    /// Deliver `data` (a complete RFC 5322 message, any line endings) from `from` to `rcpts`.
    /// Returns one status per recipient, in order.
    pub async fn deliver(
        &mut self,
        from: &str,
        rcpts: &[&str],
        data: &[u8],
    ) -> Result<Vec<RcptStatus>, HarnessError> {
        self.command(&format!("MAIL FROM:<{from}>")).await?;
        let (code, text) = self.reply().await?;
        if code != 250 {
            return Err(lmtp_err(format!("MAIL FROM {code} {text}")));
        }
        let mut statuses = Vec::with_capacity(rcpts.len());
        for r in rcpts {
            self.command(&format!("RCPT TO:<{r}>")).await?;
            let (code, text) = self.reply().await?;
            statuses.push(if code == 250 {
                RcptStatus::Delivered
            } else {
                RcptStatus::Rejected { code, text }
            });
        }
        let accepted = statuses.iter().filter(|s| s.is_delivered()).count();
        if accepted == 0 {
            self.command("RSET").await?;
            self.reply().await?;
            return Ok(statuses);
        }
        self.command("DATA").await?;
        let (code, text) = self.reply().await?;
        if code != 354 {
            return Err(lmtp_err(format!("DATA {code} {text}")));
        }
        write_dot_stuffed(&mut self.writer, data).await?;
        self.writer.flush().await?;
        for st in statuses.iter_mut() {
            if st.is_delivered() {
                let (code, text) = self.reply().await?;
                if code != 250 {
                    *st = RcptStatus::Rejected { code, text };
                }
            }
        }
        Ok(statuses)
    }

    /// Close the session politely.
    pub async fn quit(mut self) -> Result<(), HarnessError> {
        self.command("QUIT").await?;
        let _ = self.reply().await;
        Ok(())
    }
}

/// Write `data` with CRLF line endings and dot-stuffing, followed by the terminating `.` line.
pub async fn write_dot_stuffed<W: tokio::io::AsyncWrite + Unpin>(
    w: &mut W,
    data: &[u8],
) -> std::io::Result<()> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 50 + 8);
    let mut at_line_start = true;
    let mut prev = 0u8;
    for &b in data {
        if at_line_start && b == b'.' {
            out.push(b'.');
        }
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        at_line_start = b == b'\n';
        prev = b;
    }
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    w.write_all(&out).await
}
