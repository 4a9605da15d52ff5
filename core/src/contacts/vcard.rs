//! vCard 3 and 4 in and out, through calcard. Each card is parsed on its own, so a malformed one
//! is reported with the line it starts on and skipped, and the rest are still read.
//!
//! Mapping: `FN` (else `N` as "given family", else the first address) is the name; every `EMAIL`; `ORG`'s first
//! part; `NOTE`; `UID`; `CATEGORIES` are the groups; the tax code and VAT number are `X-TAX-CODE`
//! and `X-VAT` (also read from `X-CODICE-FISCALE` and `X-PARTITA-IVA`). Written as vCard 3.0,
//! which phones and webmails import most widely.

use super::{Contact, looks_like_address};
use calcard::vcard::{VCard, VCardEntry, VCardProperty, VCardValue, VCardVersion};

/// A card or row that was skipped, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// 1-based line of the input where it starts.
    pub line: usize,
    pub reason: String,
}

/// The contacts of a `.vcf` file, and the cards that could not be read.
pub fn parse(text: &str) -> (Vec<Contact>, Vec<ImportError>) {
    let mut contacts = Vec::new();
    let mut errors = Vec::new();
    for (line, card) in cards(text) {
        match VCard::parse(&card) {
            Ok(vcard) => match contact(&vcard) {
                Ok(c) => contacts.push(c),
                Err(reason) => errors.push(ImportError { line, reason }),
            },
            Err(_) => errors.push(ImportError {
                line,
                reason: "not a valid vCard".into(),
            }),
        }
    }
    (contacts, errors)
}

/// Each `BEGIN:VCARD` … `END:VCARD` block with the line it starts on; a block never ended is
/// given to the parser as it is (and reported by it).
fn cards(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        // Only the end is trimmed: a line starting with a space or tab continues the one before
        // (a folded value may well read "BEGIN:VCARD").
        let upper = line.trim_end().to_ascii_uppercase();
        if upper == "BEGIN:VCARD" {
            if let Some(open) = current.take() {
                out.push(open);
            }
            current = Some((i + 1, String::new()));
        }
        if let Some((_, card)) = current.as_mut() {
            card.push_str(line);
            card.push_str("\r\n");
        }
        if upper == "END:VCARD"
            && let Some(done) = current.take()
        {
            out.push(done);
        }
    }
    out.extend(current);
    out
}

fn texts(v: &VCard, name: &VCardProperty) -> Vec<String> {
    v.entries
        .iter()
        .filter(|e| &e.name == name)
        .flat_map(|e| e.values.iter().filter_map(text))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

fn text(value: &VCardValue) -> Option<String> {
    match value {
        VCardValue::Text(t) => Some(t.clone()),
        VCardValue::Component(parts) => {
            let parts: Vec<&str> = parts
                .iter()
                .map(|p| p.trim())
                .filter(|p| !p.is_empty())
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        }
        _ => None,
    }
}

/// `N` (family; given; additional; prefixes; suffixes) as "given family".
fn structured_name(v: &VCard) -> Option<String> {
    let entry = v.entries.iter().find(|e| e.name == VCardProperty::N)?;
    let parts: Vec<String> = entry
        .values
        .iter()
        .flat_map(|value| match value {
            VCardValue::Component(parts) => parts.clone(),
            VCardValue::Text(t) => vec![t.clone()],
            _ => Vec::new(),
        })
        .collect();
    let family = parts.first().map(|s| s.trim()).unwrap_or("");
    let given = parts.get(1).map(|s| s.trim()).unwrap_or("");
    let name = format!("{given} {family}").trim().to_string();
    (!name.is_empty()).then_some(name)
}

fn other(v: &VCard, names: &[&str]) -> Option<String> {
    v.entries
        .iter()
        .find(|e| matches!(&e.name, VCardProperty::Other(n) if names.iter().any(|x| n.eq_ignore_ascii_case(x))))
        .and_then(|e| e.values.iter().find_map(text))
}

pub(crate) fn contact(v: &VCard) -> Result<Contact, String> {
    let addresses: Vec<String> = texts(v, &VCardProperty::Email)
        .into_iter()
        .map(|a| a.trim_start_matches("mailto:").to_lowercase())
        .collect();
    if let Some(bad) = addresses.iter().find(|a| !looks_like_address(a)) {
        return Err(format!("not an e-mail address: {bad}"));
    }
    let name = texts(v, &VCardProperty::Fn)
        .into_iter()
        .next()
        .or_else(|| structured_name(v))
        .or_else(|| addresses.first().cloned())
        .ok_or("no name and no address")?;
    let groups = texts(v, &VCardProperty::Categories);
    let c = Contact {
        id: None,
        name,
        addresses,
        organisation: v
            .entries
            .iter()
            .find(|e| e.name == VCardProperty::Org)
            .and_then(|e| match e.values.first() {
                Some(VCardValue::Component(parts)) => parts.first().cloned(),
                Some(other) => text(other),
                None => None,
            })
            .filter(|o| !o.trim().is_empty()),
        tax_code: other(v, &["X-TAX-CODE", "X-CODICE-FISCALE"]),
        vat: other(v, &["X-VAT", "X-PARTITA-IVA"]),
        notes: texts(v, &VCardProperty::Note).into_iter().next(),
        groups,
        uid: texts(v, &VCardProperty::Uid).into_iter().next(),
        book: None,
    };
    let c = c.tidied();
    c.check()?;
    Ok(c)
}

/// `contacts` as one vCard 3.0 file.
pub fn write(contacts: &[Contact]) -> String {
    let mut out = String::new();
    for c in contacts {
        let card = card(c);
        // Writing into a String cannot fail.
        let _ = card.write_to(&mut out, VCardVersion::V3_0);
    }
    out
}

pub(crate) fn card(c: &Contact) -> VCard {
    let entry =
        |name: VCardProperty, value: &str| VCardEntry::new(name).with_value(value.to_string());
    let mut entries = vec![
        entry(VCardProperty::Fn, &c.name),
        // N's five components (family; given; additional; prefixes; suffixes) are values of
        // their own: a Component is a comma list inside one of them.
        VCardEntry::new(VCardProperty::N).with_values(
            std::iter::once(c.name.clone())
                .chain(std::iter::repeat_n(String::new(), 4))
                .map(VCardValue::Text)
                .collect(),
        ),
    ];
    entries.extend(c.addresses.iter().map(|a| entry(VCardProperty::Email, a)));
    let optional = [
        (VCardProperty::Org, &c.organisation),
        (VCardProperty::Note, &c.notes),
        (VCardProperty::Uid, &c.uid),
        (VCardProperty::Other("X-TAX-CODE".into()), &c.tax_code),
        (VCardProperty::Other("X-VAT".into()), &c.vat),
    ];
    for (name, value) in optional {
        if let Some(v) = value {
            entries.push(entry(name, v));
        }
    }
    if !c.groups.is_empty() {
        entries.push(
            VCardEntry::new(VCardProperty::Categories).with_values(
                c.groups
                    .iter()
                    .map(|g| VCardValue::Text(g.clone()))
                    .collect(),
            ),
        );
    }
    VCard { entries }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> Contact {
        Contact {
            id: None,
            name: "Studio Rossi, Bianchi & C.".into(),
            addresses: vec![
                "studio.rossi@pec.example.it".into(),
                "info@rossi.example".into(),
            ],
            organisation: Some("Studio Associato".into()),
            tax_code: Some("RSSMRA80A01H501U".into()),
            vat: Some("IT01234567890".into()),
            notes: Some("Riceve solo PEC; tel. 06 1234;\nsecondo piano".into()),
            groups: vec!["Clienti".into(), "Fornitori, ufficio".into()],
            uid: Some("urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1".into()),
            book: None,
        }
    }

    #[test]
    fn every_field_we_model_survives_a_round_trip() {
        let (back, errors) = parse(&write(&[full()]));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(back, vec![full()]);
    }

    #[test]
    fn the_structured_name_is_written_with_semicolons() {
        let text = write(&[full()]);
        assert!(
            text.contains("N:Studio Rossi\\, Bianchi & C.;;;;\r\n"),
            "{text}"
        );
    }

    #[test]
    fn control_characters_and_runs_of_blanks_are_tidied_on_reading() {
        let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Anna    Verdi\r\nNOTE:uno\\r\\ndue\u{1}\r\n\
                    CATEGORIES:Clienti   Roma\r\nEND:VCARD\r\n";
        let (c, _) = parse(text);
        assert_eq!(c[0].name, "Anna Verdi");
        assert_eq!(c[0].notes.as_deref(), Some("uno\ndue"));
        assert_eq!(c[0].groups, ["Clienti Roma"]);
    }

    #[test]
    fn a_folded_line_that_reads_begin_vcard_starts_no_card() {
        let c = Contact {
            name: format!("{}BEGIN:VCARD", "x".repeat(70)),
            ..full()
        };
        let (back, errors) = parse(&write(std::slice::from_ref(&c)));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(back, vec![c]);
    }

    #[test]
    fn a_bad_card_is_reported_by_line_and_the_rest_are_read() {
        let text = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Anna\r\nEMAIL:anna@pec.example\r\nEND:VCARD\r\n\
                    BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Rotto\r\nEMAIL:non un indirizzo\r\nEND:VCARD\r\n\
                    BEGIN:VCARD\r\nVERSION:3.0\r\nN:Verdi;Luca;;;\r\nEMAIL;TYPE=INTERNET:LUCA@Example.org\r\nEND:VCARD\r\n";
        let (contacts, errors) = parse(text);
        assert_eq!(contacts.len(), 2);
        assert_eq!(contacts[1].name, "Luca Verdi");
        assert_eq!(contacts[1].addresses, ["luca@example.org"]);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 6);
    }
}
