//! The address book as the shells use it: import and export (duplicates merged by address or
//! vCard UID), and group names in a recipient list expanded to their members, so the checks
//! before sending count every member.

use super::{Context, Error, Result};
use crate::contacts::vcard::ImportError;
use crate::contacts::{Contact, csv, vcard};

/// The two address-book file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactFormat {
    VCard,
    Csv,
}

impl ContactFormat {
    /// From a file name: `.csv` is CSV, anything else vCard.
    pub fn of_file(name: &str) -> ContactFormat {
        if name.to_ascii_lowercase().ends_with(".csv") {
            ContactFormat::Csv
        } else {
            ContactFormat::VCard
        }
    }
}

/// What an import did: new contacts, contacts found again and completed, entries skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub imported: u32,
    pub merged: u32,
    pub skipped: u32,
    pub errors: Vec<ImportError>,
}

impl Context {
    /// Import an address book. A contact already saved (same vCard UID, or any address in
    /// common) is completed with what the file adds, never duplicated; a malformed entry is
    /// reported by line and skipped. Each contact is written in its own transaction, so an
    /// import cut short is finished by running it again.
    pub fn import_contacts(&self, text: &str, format: ContactFormat) -> Result<ImportReport> {
        let (contacts, errors) = match format {
            ContactFormat::VCard => vcard::parse(text),
            ContactFormat::Csv => csv::parse(text),
        };
        self.import_parsed(contacts, errors)
    }

    /// Import the phone's own contacts (vCards, as the platform's contacts store writes them).
    /// Only those with an e-mail address come in: a PEC address book has no use for a card with
    /// a phone number alone, and the phone's hundreds of them would bury the rest. The others
    /// count as skipped, without an error each. Imported again later, a contact is merged, not
    /// doubled.
    pub fn import_phone_contacts(&self, vcards: &str) -> Result<ImportReport> {
        let (contacts, errors) = vcard::parse(vcards);
        let (with_address, without): (Vec<_>, Vec<_>) =
            contacts.into_iter().partition(|c| !c.addresses.is_empty());
        let mut report = self.import_parsed(with_address, errors)?;
        report.skipped += without.len() as u32;
        Ok(report)
    }

    fn import_parsed(
        &self,
        contacts: Vec<Contact>,
        errors: Vec<ImportError>,
    ) -> Result<ImportReport> {
        let mut report = ImportReport {
            skipped: errors.len() as u32,
            errors,
            ..ImportReport::default()
        };
        for c in contacts {
            match self.store().find_contact(&c)? {
                Some(old) => {
                    let id = old.id.unwrap_or_default();
                    let merged = old.clone().merged(&c);
                    if merged != old {
                        self.store().update_contact(id, &merged)?;
                    }
                    report.merged += 1;
                }
                None => {
                    self.store().add_contact(&c)?;
                    report.imported += 1;
                }
            }
        }
        Ok(report)
    }

    /// Every saved contact as a file of `format`.
    pub fn export_contacts(&self, format: ContactFormat) -> Result<String> {
        let contacts = self.store().contacts()?;
        Ok(match format {
            ContactFormat::VCard => vcard::write(&contacts),
            ContactFormat::Csv => csv::write(&contacts),
        })
    }

    /// `recipients` with each group name replaced by its members' addresses (in order, without
    /// repeats). Anything else is kept as it is: the draft's checks say what is wrong with it.
    pub fn expand_recipients(&self, recipients: &[String]) -> Result<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        let mut add = |a: String| {
            if !out.iter().any(|x| x.eq_ignore_ascii_case(&a)) {
                out.push(a);
            }
        };
        for r in recipients {
            let r = r.trim();
            if r.contains('@') {
                add(r.to_string());
                continue;
            }
            match self.store().group_addresses(r)? {
                Some(members) if !members.is_empty() => members.into_iter().for_each(&mut add),
                Some(_) => {
                    return Err(Error::Invalid(format!(
                        "the group {r} has no member with an address"
                    )));
                }
                None => add(r.to_string()),
            }
        }
        Ok(out)
    }

    /// Save `contact`, or replace the saved one with its id.
    pub fn save_contact(&self, contact: &Contact) -> Result<i64> {
        Ok(match contact.id {
            Some(id) => {
                self.store().update_contact(id, contact)?;
                id
            }
            None => self.store().add_contact(contact)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::MemoryCredentialStore;
    use std::sync::Arc;

    /// The phone's cards come in when they have an address, the others are counted as skipped
    /// without an error each, and a second import merges instead of doubling.
    #[tokio::test]
    async fn the_phones_contacts_come_in_with_an_address_only() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = Context::open(dir.path(), Arc::new(MemoryCredentialStore::default())).unwrap();
        let phone = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Anna Verdi\r\nTEL:+39 06 1234\r\nEMAIL;TYPE=WORK:anna@pec.example.it\r\nEND:VCARD\r\n\
                     BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Idraulico\r\nTEL:+39 333 1234567\r\nEND:VCARD\r\n\
                     BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Mamma\r\nTEL:+39 333 7654321\r\nEND:VCARD\r\n";
        let first = ctx.import_phone_contacts(phone).unwrap();
        assert_eq!((first.imported, first.merged, first.skipped), (1, 0, 2));
        assert!(first.errors.is_empty(), "{:?}", first.errors);
        let again = ctx.import_phone_contacts(phone).unwrap();
        assert_eq!((again.imported, again.merged, again.skipped), (0, 1, 2));
        let names: Vec<_> = ctx
            .store()
            .contacts()
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(names, ["Anna Verdi"]);
    }

    #[tokio::test]
    async fn an_import_merges_by_address_and_groups_expand_to_their_members() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = Context::open(dir.path(), Arc::new(MemoryCredentialStore::default())).unwrap();
        let file = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Anna\r\nEMAIL:anna@pec.example.it\r\nCATEGORIES:Studio\r\nEND:VCARD\r\n\
                    BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Luca\r\nEMAIL:luca@pec.example.it\r\nCATEGORIES:Studio\r\nEND:VCARD\r\n\
                    BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n";
        let first = ctx.import_contacts(file, ContactFormat::VCard).unwrap();
        assert_eq!((first.imported, first.merged, first.skipped), (2, 0, 1));
        assert_eq!(first.errors[0].line, 13);
        let csv = "Name,E-mail Address,Company\r\nAnna V.,ANNA@pec.example.it,Studio Verdi\r\n";
        let again = ctx.import_contacts(csv, ContactFormat::Csv).unwrap();
        assert_eq!((again.imported, again.merged), (0, 1));
        let anna = &ctx.store().contacts().unwrap()[0];
        assert_eq!(
            (anna.name.as_str(), anna.organisation.as_deref()),
            ("Anna", Some("Studio Verdi"))
        );

        let to = ctx
            .expand_recipients(&[
                "studio".into(),
                "luca@pec.example.it".into(),
                "x@pec.example.it".into(),
            ])
            .unwrap();
        assert_eq!(
            to,
            [
                "anna@pec.example.it",
                "luca@pec.example.it",
                "x@pec.example.it"
            ]
        );
        assert_eq!(
            ctx.expand_recipients(&["nessuno".into()]).unwrap(),
            ["nessuno"]
        );
        ctx.store().add_group("Vuoto").unwrap();
        assert!(ctx.expand_recipients(&["vuoto".into()]).is_err());

        let back = ctx.export_contacts(ContactFormat::VCard).unwrap();
        let (contacts, errors) = vcard::parse(&back);
        assert!(errors.is_empty());
        assert_eq!(contacts.len(), 2);
    }
}
