//! The address book for both apps and `pec`: contacts, groups, the correspondents seen in mail,
//! what each address proved, completion for recipient fields, import and export.

use crate::app::App;
use crate::error::{PecError, Result};
use crate::runtime::blocking;
use pec_core::contacts as core;
use pec_core::context::{ContactFormat, ImportReport};

/// A saved contact. `id` is `None` for one not saved yet.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct ContactCard {
    pub id: Option<i64>,
    pub name: String,
    /// In the user's order; a group sends to the first certified one, else the first.
    pub addresses: Vec<String>,
    pub organisation: Option<String>,
    pub tax_code: Option<String>,
    pub vat: Option<String>,
    pub notes: Option<String>,
    pub groups: Vec<String>,
    /// The CardDAV address book it is kept in (`addressBooks`); `None`: on this device only.
    /// Set on a new contact (or a device's one) to keep it in that book.
    #[uniffi(default)]
    pub book: Option<i64>,
}

impl From<core::Contact> for ContactCard {
    fn from(c: core::Contact) -> Self {
        ContactCard {
            id: c.id,
            name: c.name,
            addresses: c.addresses,
            organisation: c.organisation,
            tax_code: c.tax_code,
            vat: c.vat,
            notes: c.notes,
            groups: c.groups,
            book: c.book,
        }
    }
}

impl From<ContactCard> for core::Contact {
    fn from(c: ContactCard) -> Self {
        core::Contact {
            id: c.id,
            name: c.name,
            addresses: c.addresses,
            organisation: c.organisation,
            tax_code: c.tax_code,
            vat: c.vat,
            notes: c.notes,
            groups: c.groups,
            uid: None,
            book: c.book,
        }
    }
}

/// What the mail proves about an address; the most recent proof decides.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum, serde::Serialize)]
#[serde(tag = "pec", rename_all = "kebab-case")]
pub enum PecProof {
    /// A certified delivery receipt named it (`at`: the last one).
    Certified { at: i64 },
    /// Mail from it arrived as an anomaly: not a PEC address.
    NotPec { at: i64 },
    /// A certified error or non-acceptance receipt named it, with the provider's reason.
    Failed { at: i64, reason: String },
    /// Nothing proved yet.
    Unknown,
}

impl PecProof {
    /// The word scripts read: `certified`, `not-pec`, `failed`, `unknown`.
    pub fn word(&self) -> &'static str {
        match self {
            PecProof::Certified { .. } => "certified",
            PecProof::NotPec { .. } => "not-pec",
            PecProof::Failed { .. } => "failed",
            PecProof::Unknown => "unknown",
        }
    }
}

impl From<core::PecState> for PecProof {
    fn from(s: core::PecState) -> Self {
        match s {
            core::PecState::Certified { at } => PecProof::Certified { at },
            core::PecState::NotPec { at } => PecProof::NotPec { at },
            core::PecState::Failed { at, reason } => PecProof::Failed { at, reason },
            core::PecState::Unknown => PecProof::Unknown,
        }
    }
}

/// An address with its proof.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ProvenAddress {
    pub address: String,
    pub proof: PecProof,
}

/// A row of the address book: a saved contact, or a correspondent seen in mail (`saved` false).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PersonRow {
    /// Who the row is, the same from page to page and across reloads: a list's item key.
    pub key: String,
    /// Its name, or its address when mail gave none (`named` false: show the address once).
    pub name: String,
    pub named: bool,
    pub saved: bool,
    pub contact: Option<ContactCard>,
    pub addresses: Vec<ProvenAddress>,
    pub groups: Vec<String>,
    /// Messages from or to it, for a correspondent.
    pub uses: i64,
    pub last_used: Option<i64>,
    /// What the contact form opens with: the saved contact, or this correspondent ready to save
    /// (no name when mail gave none).
    pub card: ContactCard,
}

impl From<core::Person> for PersonRow {
    fn from(p: core::Person) -> Self {
        PersonRow {
            card: p.card().into(),
            key: p.key(),
            named: p.named(),
            saved: p.saved_contact(),
            name: p.name,
            contact: p.contact.map(ContactCard::from),
            addresses: p
                .addresses
                .into_iter()
                .map(|a| ProvenAddress {
                    address: a.address,
                    proof: a.state.into(),
                })
                .collect(),
            groups: p.groups,
            uses: p.uses,
            last_used: p.last_used,
        }
    }
}

/// Where a page of the address book ends: the next page starts after this person (see
/// `App::people_page`). Opaque to the shells: they hand back what the last page gave.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum PeopleCursor {
    Contact { name: String, id: i64 },
    Correspondent { last_used: i64, uses: i64, id: i64 },
}

impl From<core::PeopleCursor> for PeopleCursor {
    fn from(c: core::PeopleCursor) -> Self {
        match c {
            core::PeopleCursor::Contact { name, id } => PeopleCursor::Contact { name, id },
            core::PeopleCursor::Correspondent {
                last_used,
                uses,
                id,
            } => PeopleCursor::Correspondent {
                last_used,
                uses,
                id,
            },
        }
    }
}

impl From<PeopleCursor> for core::PeopleCursor {
    fn from(c: PeopleCursor) -> Self {
        match c {
            PeopleCursor::Contact { name, id } => core::PeopleCursor::Contact { name, id },
            PeopleCursor::Correspondent {
                last_used,
                uses,
                id,
            } => core::PeopleCursor::Correspondent {
                last_used,
                uses,
                id,
            },
        }
    }
}

/// A page of the address book, and where the next one starts (`None`: the list ends here).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PeoplePage {
    pub people: Vec<PersonRow>,
    pub next: Option<PeopleCursor>,
}

/// A completion for a recipient field.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct AddressSuggestion {
    /// Its name, or its address when mail gave none (`named` false: show the address once).
    pub name: String,
    pub named: bool,
    pub address: String,
    pub contact_id: Option<i64>,
    pub organisation: Option<String>,
    pub proof: PecProof,
}

/// A group (a recipient list) and its members' names.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct GroupInfo {
    pub id: i64,
    pub name: String,
    pub members: Vec<String>,
}

/// The two address-book file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ContactFileFormat {
    VCard,
    Csv,
}

impl From<ContactFileFormat> for ContactFormat {
    fn from(f: ContactFileFormat) -> Self {
        match f {
            ContactFileFormat::VCard => ContactFormat::VCard,
            ContactFileFormat::Csv => ContactFormat::Csv,
        }
    }
}

/// An entry an import skipped: the line it starts on and why.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct ContactImportError {
    pub line: u32,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct ContactImport {
    pub imported: u32,
    pub merged: u32,
    pub skipped: u32,
    pub errors: Vec<ContactImportError>,
}

impl From<ImportReport> for ContactImport {
    fn from(r: ImportReport) -> Self {
        ContactImport {
            imported: r.imported,
            merged: r.merged,
            skipped: r.skipped,
            errors: r
                .errors
                .into_iter()
                .map(|e| ContactImportError {
                    line: u32::try_from(e.line).unwrap_or(u32::MAX),
                    reason: e.reason,
                })
                .collect(),
        }
    }
}

/// The largest address-book file read at once.
const MAX_CONTACTS_FILE: usize = 32 * 1024 * 1024;

#[uniffi::export]
impl App {
    /// Saved contacts, then the correspondents not saved (most recently used first), each address
    /// with what it proved.
    pub async fn people(&self) -> Result<Vec<PersonRow>> {
        let inner = self.inner.clone();
        blocking(move || {
            Ok(inner
                .ctx
                .store()
                .people()?
                .into_iter()
                .map(PersonRow::from)
                .collect())
        })
        .await
    }

    /// Up to `limit` rows (at most 500) of [`App::people`]'s list after `after` (from the start
    /// with none): the address book screen reads a page as it scrolls, passing the last page's
    /// `next` until it is none. Mail that arrives meanwhile repeats no one.
    pub async fn people_page(&self, after: Option<PeopleCursor>, limit: u32) -> Result<PeoplePage> {
        let inner = self.inner.clone();
        blocking(move || {
            let after = after.map(core::PeopleCursor::from);
            let limit = limit.min(500) as usize;
            let page = inner.ctx.store().people_page(after.as_ref(), limit)?;
            Ok(PeoplePage {
                people: page.people.into_iter().map(PersonRow::from).collect(),
                next: page.next.map(PeopleCursor::from),
            })
        })
        .await
    }

    /// The saved contacts only, by name (without what their addresses proved: see `people`).
    pub async fn contacts(&self) -> Result<Vec<ContactCard>> {
        let inner = self.inner.clone();
        blocking(move || {
            let contacts = inner.ctx.store().contacts()?;
            Ok(contacts.into_iter().map(ContactCard::from).collect())
        })
        .await
    }

    /// Save a contact (`id` None) or replace the one with its id; the id.
    pub async fn save_contact(&self, contact: ContactCard) -> Result<i64> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.ctx.save_contact(&contact.into())?)).await
    }

    pub async fn remove_contact(&self, contact_id: i64) -> Result<()> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.ctx.store().remove_contact(contact_id)?)).await
    }

    pub async fn groups(&self) -> Result<Vec<GroupInfo>> {
        let inner = self.inner.clone();
        blocking(move || {
            let groups = inner.ctx.store().groups()?;
            Ok(groups
                .into_iter()
                .map(|g| GroupInfo {
                    id: g.id,
                    name: g.name,
                    members: g.members,
                })
                .collect())
        })
        .await
    }

    pub async fn add_group(&self, name: String) -> Result<i64> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.ctx.store().add_group(&name)?)).await
    }

    pub async fn remove_group(&self, name: String) -> Result<()> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.ctx.store().remove_group(&name)?)).await
    }

    /// Put a contact in a group (created when missing), or take it out.
    pub async fn set_group_member(
        &self,
        group: String,
        contact_id: i64,
        member: bool,
    ) -> Result<()> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.ctx.store().set_member(&group, contact_id, member)?)).await
    }

    /// Completions of what is typed in a recipient field: contacts first, then correspondents.
    pub async fn suggest_addresses(
        &self,
        typed: String,
        limit: u32,
    ) -> Result<Vec<AddressSuggestion>> {
        let inner = self.inner.clone();
        blocking(move || {
            let found = inner.ctx.store().suggest(&typed, limit.min(100) as usize)?;
            Ok(found
                .into_iter()
                .map(|s| AddressSuggestion {
                    named: s.named(),
                    name: s.name,
                    address: s.address,
                    contact_id: s.contact_id,
                    organisation: s.organisation,
                    proof: s.state.into(),
                })
                .collect())
        })
        .await
    }

    /// Import a vCard (3 or 4) or CSV file's bytes (UTF-8): duplicates merged by address, bad
    /// entries reported by line and skipped.
    pub async fn import_contacts(
        &self,
        data: Vec<u8>,
        format: ContactFileFormat,
    ) -> Result<ContactImport> {
        if data.len() > MAX_CONTACTS_FILE {
            return Err(PecError::TooLarge {
                detail: "address book".into(),
                limit: MAX_CONTACTS_FILE as u64,
            });
        }
        let text = String::from_utf8(data)
            .map_err(|_| PecError::invalid("the address book is not UTF-8 text"))?;
        let inner = self.inner.clone();
        blocking(move || Ok(inner.ctx.import_contacts(&text, format.into())?.into())).await
    }

    /// Import the phone's own contacts, as vCards from the platform's contacts store: only
    /// those with an e-mail address come in (the rest count as `skipped`), merged with what is
    /// already saved.
    pub async fn import_phone_contacts(&self, vcards: Vec<u8>) -> Result<ContactImport> {
        if vcards.len() > MAX_CONTACTS_FILE {
            return Err(PecError::TooLarge {
                detail: "the phone's contacts".into(),
                limit: MAX_CONTACTS_FILE as u64,
            });
        }
        // Phones write some fields in legacy encodings: what is not UTF-8 is replaced, the rest
        // of the card still reads.
        let text = String::from_utf8_lossy(&vcards).into_owned();
        let inner = self.inner.clone();
        blocking(move || Ok(inner.ctx.import_phone_contacts(&text)?.into())).await
    }

    /// Every saved contact as a vCard 3.0 or CSV file.
    pub async fn export_contacts(&self, format: ContactFileFormat) -> Result<String> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.ctx.export_contacts(format.into())?)).await
    }

    /// Recipients with group names replaced by their members' addresses.
    pub async fn expand_recipients(&self, recipients: Vec<String>) -> Result<Vec<String>> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.ctx.expand_recipients(&recipients)?)).await
    }
}
