//! Contacts as CSV with a header row. Read: the column names of Outlook's and Gmail's exports
//! (and their Italian ones); several addresses or groups in one Gmail cell are split on ` ::: `.
//! Written: Gmail's names, so what we write is read back whole, by us and by Gmail.

use super::vcard::ImportError;
use super::{Contact, looks_like_address};

const NAME: &[&str] = &["name", "full name", "display name", "nome", "nome completo"];
const GIVEN: &[&str] = &["first name", "given name", "nome proprio"];
const FAMILY: &[&str] = &["last name", "family name", "cognome"];
const ORG: &[&str] = &[
    "company",
    "organization 1 - name",
    "organization name",
    "organizzazione",
    "azienda",
    "società",
];
const NOTES: &[&str] = &["notes", "note"];
const GROUPS: &[&str] = &[
    "group membership",
    "categories",
    "gruppi",
    "gruppo",
    "categorie",
];
const TAX: &[&str] = &["tax code", "codice fiscale"];
const VAT: &[&str] = &["vat", "vat number", "partita iva"];
const UID: &[&str] = &["uid"];

/// A column of addresses: Outlook's `E-mail Address`, `E-mail 2 Address`; Gmail's
/// `E-mail 1 - Value`; plain `Email`, `PEC`, `Indirizzo PEC`.
fn is_address_column(h: &str) -> bool {
    (h.starts_with("e-mail") && (h.ends_with("address") || h.ends_with("value")))
        || matches!(
            h,
            "email" | "e-mail" | "pec" | "indirizzo pec" | "indirizzo email"
        )
}

/// The contacts of a CSV file, and the rows that could not be read (by line).
pub fn parse(text: &str) -> (Vec<Contact>, Vec<ImportError>) {
    let rows = records(text);
    let Some(((_, header), rows)) = rows.split_first() else {
        return (Vec::new(), Vec::new());
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let col = |names: &[&str]| header.iter().position(|h| names.contains(&h.as_str()));
    let (name, given, family) = (col(NAME), col(GIVEN), col(FAMILY));
    let (org, notes, groups, tax, vat, uid) = (
        col(ORG),
        col(NOTES),
        col(GROUPS),
        col(TAX),
        col(VAT),
        col(UID),
    );
    let address_cols: Vec<usize> = (0..header.len())
        .filter(|&i| is_address_column(&header[i]))
        .collect();
    let mut contacts = Vec::new();
    let mut errors = Vec::new();
    for (line, row) in rows {
        let cell = |i: Option<usize>| {
            i.and_then(|i| row.get(i))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let addresses: Vec<String> = address_cols
            .iter()
            .filter_map(|&i| row.get(i))
            .flat_map(|c| c.split(":::"))
            .map(|a| a.trim().to_lowercase())
            .filter(|a| !a.is_empty())
            .collect();
        let joined = [cell(given), cell(family)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let name = cell(name)
            .or((!joined.is_empty()).then_some(joined))
            .or_else(|| addresses.first().cloned());
        let c = Contact {
            id: None,
            name: name.unwrap_or_default(),
            addresses,
            organisation: cell(org),
            tax_code: cell(tax),
            vat: cell(vat),
            notes: cell(notes),
            groups: cell(groups).map(|g| split_groups(&g)).unwrap_or_default(),
            uid: cell(uid),
            book: None,
        };
        let c = c.tidied();
        if c.name.is_empty() && c.addresses.is_empty() {
            continue; // an empty row
        }
        match c.check() {
            Ok(()) => contacts.push(c),
            Err(reason) => errors.push(ImportError {
                line: *line,
                reason,
            }),
        }
    }
    (contacts, errors)
}

/// Gmail writes `* myContacts ::: Clienti`; Outlook `Clienti;Fornitori`.
fn split_groups(cell: &str) -> Vec<String> {
    // Control characters read as blanks first, as the contact's tidying would make them: Gmail's
    // system group must be recognised however it was mangled.
    super::controls_as_blanks(cell)
        .split(":::")
        .flat_map(|g| g.split(';'))
        .map(|g| g.trim().trim_start_matches("* ").trim().to_string())
        .filter(|g| !g.is_empty() && g != "myContacts")
        .collect()
}

/// RFC 4180 records with the line each starts on: quoted fields may hold commas, doubled quotes
/// and line breaks.
fn records(text: &str) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    let (mut row, mut field) = (Vec::new(), String::new());
    let (mut quoted, mut line, mut start) = (false, 1, 1);
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                out.push((start, std::mem::take(&mut row)));
                line += 1;
                start = line;
            }
            ('\n', true) => {
                line += 1;
                field.push('\n');
            }
            (c, _) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        out.push((start, row));
    }
    out
}

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `contacts` as CSV with Gmail's column names.
pub fn write(contacts: &[Contact]) -> String {
    let mut out = String::from(
        "Name,E-mail 1 - Value,Organization 1 - Name,Notes,Group Membership,Tax code,VAT,UID\r\n",
    );
    for c in contacts {
        let opt = |v: &Option<String>| quote(v.as_deref().unwrap_or(""));
        let cells = [
            quote(&c.name),
            quote(&c.addresses.join(" ::: ")),
            opt(&c.organisation),
            opt(&c.notes),
            quote(&c.groups.join(" ::: ")),
            opt(&c.tax_code),
            opt(&c.vat),
            opt(&c.uid),
        ];
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Whether `text` looks like an address list (for a file without a known extension).
pub fn looks_like_csv(text: &str) -> bool {
    let first = text.lines().next().unwrap_or("").to_lowercase();
    first.contains(',')
        && (first.contains("mail") || first.contains("name") || first.contains("nome"))
        && !looks_like_address(first.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_we_model_survives_a_round_trip() {
        let c = Contact {
            id: None,
            name: "Rossi, \"Studio\"".into(),
            addresses: vec!["a@pec.example.it".into(), "b@example.org".into()],
            organisation: Some("Studio Associato".into()),
            tax_code: Some("RSSMRA80A01H501U".into()),
            vat: Some("IT01234567890".into()),
            notes: Some("due righe,\nseconda".into()),
            groups: vec!["Clienti".into(), "Fornitori".into()],
            uid: Some("u-1".into()),
            book: None,
        };
        let (back, errors) = parse(&write(std::slice::from_ref(&c)));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(back, vec![c]);
    }

    #[test]
    fn outlook_and_gmail_columns_are_read_and_a_bad_row_is_reported_by_line() {
        let outlook = "First Name,Last Name,E-mail Address,E-mail 2 Address,Company,Categories\r\n\
                       Anna,Bianchi,anna@pec.example.it,ANNA@example.org,ACME,Clienti;Fornitori\r\n\
                       Bad,Row,nota-address,,,\r\n";
        let (contacts, errors) = parse(outlook);
        assert_eq!(contacts.len(), 1);
        assert_eq!(contacts[0].name, "Anna Bianchi");
        assert_eq!(
            contacts[0].addresses,
            ["anna@pec.example.it", "anna@example.org"]
        );
        assert_eq!(contacts[0].groups, ["Clienti", "Fornitori"]);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 3);
        let gmail = "Name,Group Membership,E-mail 1 - Type,E-mail 1 - Value\n\
                     Luca,* myContacts ::: Studio,* Work,luca@pec.example.it ::: luca@example.org\n";
        let (contacts, _) = parse(gmail);
        assert_eq!(contacts[0].addresses.len(), 2);
        assert_eq!(contacts[0].groups, ["Studio"]);
        let mangled = "Name,Group Membership,E-mail 1 - Value\nLuca,*\u{18}myContacts ;Studio,luca@pec.example.it\n";
        assert_eq!(parse(mangled).0[0].groups, ["Studio"]);
    }
}
