//! Text from strangers (subjects, display names, bodies, attachment names) made safe to print on
//! a terminal. A sender controls those bytes: an escape sequence can clear the screen, move the
//! cursor, set the window title, or, with a CR/LF inside a subject, draw a fake `From:` line.

/// `text` with every control character replaced by a visible stand-in: C0 controls by their
/// Unicode control pictures (ESC → `␛`, CR → `␍`), DEL by `␡`, C1 controls and the bidirectional
/// overrides (which reorder what follows them, e.g. U+202E in `fattura<U+202E>fdp.exe`) by `�`. With `multiline`
/// (bodies, reports) `\n` and `\t` stay; without it (subjects, names, file names: one line each)
/// they are replaced too, so a field can never start a line of its own; a CRLF line end of a
/// multi-line text is a line break, a lone CR is not. For human output only: JSON output stays
/// exact.
pub fn terminal_safe(text: &str, multiline: bool) -> String {
    if !text.chars().any(|c| needs_stand_in(c, multiline)) {
        return text.to_string();
    }
    let text = if multiline {
        std::borrow::Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    text.chars()
        .map(|c| {
            if !needs_stand_in(c, multiline) {
                c
            } else if (c as u32) < 0x20 {
                char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}')
            } else if c == '\u{7f}' {
                '\u{2421}'
            } else {
                '\u{FFFD}'
            }
        })
        .collect()
}

fn needs_stand_in(c: char, multiline: bool) -> bool {
    match c {
        '\n' | '\t' => !multiline,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_line_breaks_are_neutralised() {
        let subject = "Fattura\r\nFrom: banca@pec.it\u{1b}[2J\u{1b}]0;titolo\u{7}";
        let one = terminal_safe(subject, false);
        assert_eq!(one, "Fattura␍␊From: banca@pec.it␛[2J␛]0;titolo␇");
        assert!(!one.contains(['\r', '\n', '\u{1b}']));
        let body = terminal_safe("riga 1\n\triga 2\r\n\u{9b}31m\u{7f}\rfalsa", true);
        assert_eq!(body, "riga 1\n\triga 2\n\u{FFFD}31m␡␍falsa");
        assert_eq!(terminal_safe("a\u{202e}fdp.exe", false), "a\u{FFFD}fdp.exe");
        assert_eq!(terminal_safe("Perché è così", false), "Perché è così");
    }
}
