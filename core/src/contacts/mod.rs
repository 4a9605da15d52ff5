//! The address book: contacts with several addresses (PEC and ordinary), organisation, tax code,
//! VAT number and notes; groups, which are recipient lists; the correspondents seen in mail; and
//! what the mail proves about each address (see [`PecState`]). Stored by
//! [`crate::store::Store`] (`store/contacts.rs`); imported and exported as vCard ([`vcard`]) and
//! CSV ([`csv`]).

pub mod csv;
pub(crate) mod suggest;
pub mod vcard;

/// A saved contact. `addresses` in the user's order; the first PEC one is what a group sends to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    /// `None` until stored.
    pub id: Option<i64>,
    pub name: String,
    pub addresses: Vec<String>,
    pub organisation: Option<String>,
    pub tax_code: Option<String>,
    pub vat: Option<String>,
    pub notes: Option<String>,
    pub groups: Vec<String>,
    /// The vCard UID, kept so an export imported again updates instead of duplicating.
    pub uid: Option<String>,
    /// The CardDAV address book the contact is kept in (`None`: on this device only). Set on a
    /// new contact, or on a local one, to upload it there.
    pub book: Option<i64>,
}

impl Contact {
    /// Why this contact cannot be saved, if it cannot: a name (or an address to name it by) and
    /// addresses that look like addresses.
    pub fn check(&self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err("a contact needs a name".into());
        }
        if let Some(bad) = self.addresses.iter().find(|a| !looks_like_address(a)) {
            return Err(format!("not an e-mail address: {bad}"));
        }
        if self.name.len() > 1000 || self.addresses.len() > 100 {
            return Err("too long".into());
        }
        Ok(())
    }

    /// The contact as the book keeps it: one-line fields without control characters or runs of
    /// blanks, notes without carriage returns or control characters other than line breaks and
    /// tabs. What a phone's or a server's card carries beyond that is noise, and an export must
    /// read back exactly as it was written.
    pub fn tidied(mut self) -> Contact {
        let line = |s: &str| {
            controls_as_blanks(s)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        let opt = |v: Option<String>| v.map(|s| line(&s)).filter(|s| !s.is_empty());
        self.name = line(&self.name);
        self.addresses = self.addresses.iter().map(|a| line(a)).collect();
        self.groups = self
            .groups
            .iter()
            .map(|g| line(g))
            .filter(|g| !g.is_empty())
            .collect();
        self.organisation = opt(self.organisation);
        self.tax_code = opt(self.tax_code);
        self.vat = opt(self.vat);
        self.uid = opt(self.uid);
        self.notes = self
            .notes
            .map(|n| {
                n.chars()
                    .filter(|c| *c != '\r')
                    .map(|c| {
                        if c.is_control() && c != '\n' && c != '\t' {
                            ' '
                        } else {
                            c
                        }
                    })
                    .collect::<String>()
                    .trim()
                    .to_string()
            })
            .filter(|n| !n.is_empty());
        self
    }

    /// The same contact with `other`'s addresses, groups and missing fields added (an import
    /// that found it again by address).
    pub fn merged(mut self, other: &Contact) -> Contact {
        for a in &other.addresses {
            if !self.addresses.iter().any(|x| x.eq_ignore_ascii_case(a)) {
                self.addresses.push(a.clone());
            }
        }
        for g in &other.groups {
            if !self.groups.iter().any(|x| x.eq_ignore_ascii_case(g)) {
                self.groups.push(g.clone());
            }
        }
        let fill = |mine: &mut Option<String>, theirs: &Option<String>| {
            if mine.as_deref().is_none_or(str::is_empty) {
                mine.clone_from(theirs);
            }
        };
        fill(&mut self.organisation, &other.organisation);
        fill(&mut self.tax_code, &other.tax_code);
        fill(&mut self.vat, &other.vat);
        fill(&mut self.notes, &other.notes);
        fill(&mut self.uid, &other.uid);
        self
    }
}

/// `s` with every control character read as a blank.
pub(crate) fn controls_as_blanks(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// `local@domain.tld`, no spaces or angle brackets: what the address book accepts.
pub fn looks_like_address(a: &str) -> bool {
    let a = a.trim();
    let Some((local, domain)) = a.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !a.chars().any(|c| c.is_whitespace() || "<>,;\"".contains(c))
}

/// The fields a person edits, without where the contact is kept: what tells a real change from
/// the same card seen again.
impl Contact {
    pub fn same_fields(&self, other: &Contact) -> bool {
        let lower = |v: &[String]| {
            v.iter()
                .map(|x| x.trim().to_lowercase())
                .collect::<Vec<_>>()
        };
        let mut mine = lower(&self.groups);
        let mut theirs = lower(&other.groups);
        mine.sort();
        theirs.sort();
        self.name == other.name
            && lower(&self.addresses) == lower(&other.addresses)
            && self.organisation == other.organisation
            && self.tax_code == other.tax_code
            && self.vat == other.vat
            && self.notes == other.notes
            && mine == theirs
    }
}

/// A group: a recipient list of contacts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: i64,
    pub name: String,
    /// The members' names.
    pub members: Vec<String>,
}

/// What the mail proves about an address. The most recent proof decides: a certified delivery
/// receipt naming it (certified), a certified error or non-acceptance receipt (failed, with the
/// provider's reason), or mail from it that arrived as an anomaly (not PEC).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PecState {
    Certified {
        at: i64,
    },
    NotPec {
        at: i64,
    },
    Failed {
        at: i64,
        reason: String,
    },
    #[default]
    Unknown,
}

/// One address of a person, with what it proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonAddress {
    pub address: String,
    pub state: PecState,
}

/// A row of the address book: a saved contact, or a correspondent seen in mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub contact: Option<Contact>,
    pub name: String,
    pub addresses: Vec<PersonAddress>,
    pub groups: Vec<String>,
    /// Messages from or to it (correspondents; 0 for a contact never seen in mail).
    pub uses: i64,
    pub last_used: Option<i64>,
    /// Where it stands in the address book's order: the next page starts after it.
    pub place: PeopleCursor,
}

/// A place in the address book's order: saved contacts by name (without case) then id, then the
/// correspondents not saved, the most recently used first, then the most used, then by id. A page
/// continues after a place rather than at a count of rows, so mail that moves a correspondent up
/// between two pages can neither repeat a row nor make deep pages slower than the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeopleCursor {
    Contact { name: String, id: i64 },
    Correspondent { last_used: i64, uses: i64, id: i64 },
}

/// A page of the address book, and where the next one starts (`None`: this was the last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeoplePage {
    pub people: Vec<Person>,
    pub next: Option<PeopleCursor>,
}

impl Person {
    pub(crate) fn saved(c: Contact) -> Person {
        Person {
            name: c.name.clone(),
            addresses: c
                .addresses
                .iter()
                .map(|a| PersonAddress {
                    address: a.clone(),
                    state: PecState::Unknown,
                })
                .collect(),
            groups: c.groups.clone(),
            place: PeopleCursor::Contact {
                name: c.name.clone(),
                id: c.id.unwrap_or_default(),
            },
            contact: Some(c),
            uses: 0,
            last_used: None,
        }
    }

    /// A correspondent (row `id`), named by its address when mail gave no name.
    pub(crate) fn seen(
        id: i64,
        address: String,
        name: Option<String>,
        uses: i64,
        last: i64,
    ) -> Person {
        Person {
            name: name.unwrap_or_else(|| address.clone()),
            addresses: vec![PersonAddress {
                address,
                state: PecState::Unknown,
            }],
            groups: Vec::new(),
            contact: None,
            uses,
            last_used: Some(last),
            place: PeopleCursor::Correspondent {
                last_used: last,
                uses,
                id,
            },
        }
    }

    /// Who the row is, for a list's identity: the same person keeps it from page to page and
    /// across reloads (a saved contact by its id, a correspondent by its row).
    pub fn key(&self) -> String {
        match &self.place {
            PeopleCursor::Contact { id, .. } => format!("c{id}"),
            PeopleCursor::Correspondent { id, .. } => format!("r{id}"),
        }
    }

    /// Whether `name` is a name, not just the address a nameless correspondent is called by:
    /// the screens then show the address once.
    pub fn named(&self) -> bool {
        self.addresses.iter().all(|a| a.address != self.name)
    }

    pub fn saved_contact(&self) -> bool {
        self.contact.is_some()
    }

    /// The contact the address book's form opens with: the saved one, or this correspondent
    /// ready to save, without a name when mail gave none (its name is then its address: the
    /// form asks for one).
    pub fn card(&self) -> Contact {
        if let Some(c) = &self.contact {
            return c.clone();
        }
        Contact {
            name: if self.named() {
                self.name.clone()
            } else {
                String::new()
            },
            addresses: self.addresses.iter().map(|a| a.address.clone()).collect(),
            ..Contact::default()
        }
    }
}

/// A completion: who, the address to use, and whether it is a saved contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub name: String,
    pub address: String,
    pub contact_id: Option<i64>,
    pub organisation: Option<String>,
    pub state: PecState,
}

impl Suggestion {
    /// Whether `name` is a name, not just the address of a correspondent mail gave none for.
    pub fn named(&self) -> bool {
        self.name != self.address
    }
}
