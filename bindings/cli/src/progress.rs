//! The one-line progress bar of `pec sync` and `pec save`, on standard error. Callers draw it only
//! when standard error is a terminal (never when piped, never with `--json`).

use std::io::Write;

/// Redraw the line: label, bar, done/total.
pub fn draw(label: &str, done: u64, total: u64) {
    const WIDTH: u64 = 30;
    // Nothing to do (total 0) is a full bar.
    let filled = done
        .min(total)
        .saturating_mul(WIDTH)
        .checked_div(total)
        .unwrap_or(WIDTH) as usize;
    let mut err = std::io::stderr().lock();
    let _ = write!(
        err,
        "\r\x1b[2K{:<20.20} [{}{}] {}/{}",
        label,
        "#".repeat(filled),
        " ".repeat(WIDTH as usize - filled),
        done,
        total
    );
    let _ = err.flush();
}

/// Erase the line (before printing a result).
pub fn clear() {
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "\r\x1b[2K");
    let _ = err.flush();
}
