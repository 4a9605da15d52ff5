//! The account's signature: the lines under the place where the user writes in a new message, a
//! reply or a forward, after the `-- ` line that mail programs recognise (RFC 3676 §4.3). It is
//! put in the text when compose opens, so the user sees it and may change it for one message.

/// The longest signature kept, in characters: a name, a role, an address, a VAT number and a
/// few lines more, not a document.
pub const MAX_SIGNATURE_CHARS: usize = 1_000;

/// Why a signature is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the signature is too long: at most {max} characters")]
    TooLong { max: usize },
}

/// The signature as kept: line ends made `\n`, other control characters and blanks at the
/// ends of lines dropped, empty lines around it trimmed; `None` when nothing is left.
pub fn normalized(text: &str) -> Result<Option<String>, SignatureError> {
    let unified = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<String> = unified
        .split('\n')
        .map(|line| {
            let kept: String = line
                .chars()
                .filter(|c| !c.is_control() || *c == '\t')
                .collect();
            kept.trim_end().to_string()
        })
        .collect();
    let joined = lines.join("\n");
    let trimmed = joined.trim_matches('\n');
    if trimmed.trim().is_empty() {
        return Ok(None);
    }
    if trimmed.chars().count() > MAX_SIGNATURE_CHARS {
        return Err(SignatureError::TooLong {
            max: MAX_SIGNATURE_CHARS,
        });
    }
    Ok(Some(trimmed.to_string()))
}

/// `below` (a reply's quote, a forward's original; empty for a new message) with the signature
/// above it, under two empty lines where the user writes.
pub fn above(signature: Option<&str>, below: &str) -> String {
    match signature {
        Some(s) => format!("\n\n-- \n{s}{below}"),
        None => below.to_string(),
    }
}

/// The text a compose opens with: a text already there is left as it is (a reply, a draft
/// reopened); an empty one gets the signature.
pub fn opening_text(signature: Option<&str>, text: &str) -> String {
    if text.trim().is_empty() {
        above(signature, "")
    } else {
        text.to_string()
    }
}

/// `text` without its signature: what comes before its first `-- ` line, with the blank lines
/// and spaces at its end dropped.
pub fn cut(text: &str) -> String {
    let mut kept = String::new();
    for line in text.split_inclusive('\n') {
        if line.trim_end_matches(['\r', '\n']) == "-- " {
            break;
        }
        kept.push_str(line);
    }
    kept.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_is_kept_clean_and_bounded() {
        let typed = "\r\n  Avv. Maria Rossi  \r\nVia Roma 1\u{7}, Milano\t \r\n\r\n";
        assert_eq!(
            normalized(typed).unwrap().as_deref(),
            Some("  Avv. Maria Rossi\nVia Roma 1, Milano")
        );
        assert_eq!(normalized(" \n\t\n").unwrap(), None);
        let long = "x".repeat(MAX_SIGNATURE_CHARS + 1);
        assert_eq!(
            normalized(&long),
            Err(SignatureError::TooLong {
                max: MAX_SIGNATURE_CHARS
            })
        );
        let at_most = "è".repeat(MAX_SIGNATURE_CHARS);
        assert!(
            normalized(&at_most).unwrap().is_some(),
            "characters, not bytes"
        );
    }

    #[test]
    fn the_signature_goes_under_the_place_to_write_and_above_a_quote() {
        let sig = Some("Maria Rossi");
        assert_eq!(opening_text(sig, ""), "\n\n-- \nMaria Rossi");
        assert_eq!(
            above(sig, "\n\na@x ha scritto:\n> ciao\n"),
            "\n\n-- \nMaria Rossi\n\na@x ha scritto:\n> ciao\n"
        );
        assert_eq!(opening_text(sig, "già scritto"), "già scritto");
        assert_eq!(opening_text(None, ""), "");
        assert_eq!(
            cut("Gentile collega,\nin allegato.\n\n-- \nMaria\n-- \n"),
            "Gentile collega,\nin allegato."
        );
        assert_eq!(cut("\n\n-- \nMaria"), "");
        assert_eq!(cut("--\nnon una firma"), "--\nnon una firma");
    }
}
