//! The CLI's standard output. Human output goes through [`say!`]: each
//! argument is one field (a subject, a name, a file name) printed on one line, and the whole text
//! has its control characters neutralised (`pec_ffi::text::terminal_safe`), so a sender's escape
//! sequences or CR/LF never reach the terminal (and [`emit`] for text without a line break). Pass fields as arguments (`say!("{}", subject)`),
//! not captured in the format string, so each is held to one line. Bodies and reports, which
//! have lines of their own, go through [`text`]. JSON goes out exact through [`json_line`] and
//! `facade::print_json`. `println!` and `print!` are refused by clippy (`clippy.toml`).

use pec_ffi::text::terminal_safe;
use std::fmt::{self, Display};
use std::io::Write;

/// One field of a line: shown without control characters or line breaks; honours width and
/// precision (`{:<30.30}`).
pub struct Field<'a, T: ?Sized>(pub &'a T);

impl<T: Display + ?Sized> Display for Field<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&terminal_safe(&self.0.to_string(), false))
    }
}

impl<T: fmt::Debug + ?Sized> fmt::Debug for Field<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&terminal_safe(&format!("{:?}", self.0), false))
    }
}

/// Write human output (a closed pipe, `| head`, is not worth a panic).
pub fn emit(text: &str, newline: bool) {
    let safe = terminal_safe(text, true);
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(safe.as_bytes());
    if newline {
        let _ = out.write_all(b"\n");
    }
}

/// Multi-line text (a message body, a report): line breaks and tabs kept, every other control
/// character neutralised.
pub fn text(body: &str) {
    emit(body, true);
}

/// One line of JSON, exact.
pub fn json_line(value: impl Display) {
    let _ = writeln!(std::io::stdout().lock(), "{value}");
}

/// Raw bytes for a file-like output (HTML): exact when redirected, neutralised on a terminal.
pub fn document(text: &str) {
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal() {
        emit(text, false);
    } else {
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
    }
}

/// `println!` for human output: every argument a one-line [`Field`], the whole line neutralised.
macro_rules! say {
    () => { $crate::out::emit("", true) };
    ($fmt:literal) => { $crate::out::emit(&format!($fmt), true) };
    ($fmt:literal, $($arg:expr),+ $(,)?) => {
        $crate::out::emit(&format!($fmt, $($crate::out::Field(&$arg)),+), true)
    };
}

pub(crate) use say;
