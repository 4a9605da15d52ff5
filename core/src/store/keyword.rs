//! Labels as IMAP keywords. A keyword is an atom (no spaces, no `(){%*"\]`, ASCII only), while a
//! user's label is any short text ("Cliente Rossi", "Società"). Labels travel as keywords in the
//! modified UTF-7 of IMAP folder names (RFC 3501 §5.1.3), with a space as any other character
//! outside the atom set: `Cliente Rossi` is `Cliente&ACA-Rossi`. Keywords that other programs
//! set (`$Forwarded`, `NonJunk`) read as themselves.

use super::{Result, StoreError};
use base64::Engine as _;

const B64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::IMAP_MUTF7,
    base64::engine::general_purpose::NO_PAD,
);

/// Longest keyword we write (servers cap atoms; Dovecot takes far more).
const MAX_KEYWORD: usize = 200;

fn plain(c: char) -> bool {
    c.is_ascii_graphic() && !"(){%*\"\\]&".contains(c)
}

/// The keyword that carries `label`; `Invalid` for an empty or too long one.
pub fn keyword_of(label: &str) -> Result<String> {
    let label = label.trim();
    let mut out = String::with_capacity(label.len());
    let mut run: Vec<u16> = Vec::new();
    let flush = |run: &mut Vec<u16>, out: &mut String| {
        if run.is_empty() {
            return;
        }
        let bytes: Vec<u8> = run.iter().flat_map(|u| u.to_be_bytes()).collect();
        out.push('&');
        out.push_str(&B64.encode(bytes));
        out.push('-');
        run.clear();
    };
    for c in label.chars() {
        if plain(c) {
            flush(&mut run, &mut out);
            out.push(c);
        } else if c == '&' {
            flush(&mut run, &mut out);
            out.push_str("&-");
        } else {
            let mut units = [0u16; 2];
            run.extend_from_slice(c.encode_utf16(&mut units));
        }
    }
    flush(&mut run, &mut out);
    if out.is_empty() || out.len() > MAX_KEYWORD {
        return Err(StoreError::Invalid(format!(
            "label {label:?}: empty or longer than {MAX_KEYWORD} bytes as a keyword"
        )));
    }
    Ok(out)
}

/// The label a keyword carries: decoded when it is modified UTF-7 that [`keyword_of`] would
/// write again the same way, else the keyword itself.
pub fn label_of(keyword: &str) -> String {
    decode(keyword)
        .filter(|label| keyword_of(label).is_ok_and(|k| k == keyword))
        .unwrap_or_else(|| keyword.to_string())
}

fn decode(keyword: &str) -> Option<String> {
    let mut out = String::with_capacity(keyword.len());
    let mut rest = keyword;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let end = after.find('-')?;
        if end == 0 {
            out.push('&');
        } else {
            let bytes = B64.decode(&after[..end]).ok()?;
            if bytes.len() % 2 != 0 {
                return None;
            }
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|b| u16::from_be_bytes([b[0], b[1]]))
                .collect();
            out.push_str(&String::from_utf16(&units).ok()?);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip_through_keywords() {
        for label in [
            "Cliente Rossi",
            "Società & figli",
            "Pratica (2026)",
            "urgente",
            "日本",
        ] {
            let k = keyword_of(label).unwrap();
            assert!(
                k.bytes()
                    .all(|b| b.is_ascii_graphic() && !b"(){%*\"\\]".contains(&b)),
                "{k}"
            );
            assert_eq!(label_of(&k), label);
        }
        assert_eq!(keyword_of("Cliente Rossi").unwrap(), "Cliente&ACA-Rossi");
        assert_eq!(keyword_of("a&b").unwrap(), "a&-b");
    }

    #[test]
    fn other_programs_keywords_read_as_themselves() {
        for k in ["$Forwarded", "NonJunk", "a&b", "x&ZZZ", "&Jjo"] {
            assert_eq!(label_of(k), k);
        }
        assert!(keyword_of("   ").is_err());
        assert!(keyword_of(&"é".repeat(200)).is_err());
    }
}
