//! Folder roles: SPECIAL-USE attributes first, then name rules for providers without them
//! (Aruba `INBOX.Inviata`, Italian and English names).

use crate::store::FolderRole;
use async_imap::types::{Name, NameAttribute};

/// The attributes of a LIST entry as their wire words (`\Sent`, `\Noselect`, extensions).
pub fn attribute_words(entry: &Name) -> Vec<String> {
    entry
        .attributes()
        .iter()
        .map(|a| match a {
            NameAttribute::Sent => "\\Sent".to_string(),
            NameAttribute::Trash => "\\Trash".to_string(),
            NameAttribute::Drafts => "\\Drafts".to_string(),
            NameAttribute::Junk => "\\Junk".to_string(),
            NameAttribute::Archive => "\\Archive".to_string(),
            NameAttribute::NoSelect => "\\Noselect".to_string(),
            NameAttribute::Extension(e) => e.to_string(),
            _ => String::new(),
        })
        .collect()
}

/// The role of a LIST entry: INBOX by its name, then SPECIAL-USE, then the name rules.
pub fn role_of(entry: &Name) -> Option<FolderRole> {
    if entry.name().eq_ignore_ascii_case("INBOX") {
        return Some(FolderRole::Inbox);
    }
    role_from_special_use(attribute_words(entry).iter().map(String::as_str))
        .or_else(|| role_from_name(entry.name(), entry.delimiter()))
}

/// Among LIST entries, the folder with `role`: one marked by SPECIAL-USE first, else one whose
/// name says it (the same rules the sync uses to give folders their roles).
pub fn folder_with_role(entries: &[Name], role: FolderRole) -> Option<String> {
    let special_use = |e: &&Name| {
        role_from_special_use(attribute_words(e).iter().map(String::as_str)) == Some(role)
    };
    entries
        .iter()
        .find(special_use)
        .or_else(|| entries.iter().find(|e| role_of(e) == Some(role)))
        .map(|e| e.name().to_string())
}

/// Role from the SPECIAL-USE attribute names (`\Sent`, `\Trash`, …), case-insensitive.
pub fn role_from_special_use<'a>(attrs: impl IntoIterator<Item = &'a str>) -> Option<FolderRole> {
    for a in attrs {
        let role = match a.trim_start_matches('\\').to_ascii_lowercase().as_str() {
            "sent" => FolderRole::Sent,
            "trash" => FolderRole::Trash,
            "drafts" => FolderRole::Drafts,
            "junk" => FolderRole::Junk,
            "archive" => FolderRole::Archive,
            _ => continue,
        };
        return Some(role);
    }
    None
}

/// Role from the folder name (last path component, any separator), for servers without SPECIAL-USE.
pub fn role_from_name(name: &str, delimiter: Option<&str>) -> Option<FolderRole> {
    if name.eq_ignore_ascii_case("INBOX") {
        return Some(FolderRole::Inbox);
    }
    let leaf = match delimiter.filter(|d| !d.is_empty()) {
        Some(d) => name.rsplit(d).next().unwrap_or(name),
        None => name,
    };
    let leaf = leaf.trim().to_lowercase();
    Some(match leaf.as_str() {
        "inviata" | "inviati" | "posta inviata" | "sent" | "sent items" | "sent messages"
        | "sent mail" => FolderRole::Sent,
        "cestino" | "trash" | "deleted" | "deleted items" | "deleted messages" | "eliminati"
        | "posta eliminata" => FolderRole::Trash,
        "bozze" | "drafts" | "draft" => FolderRole::Drafts,
        "spam" | "junk" | "posta indesiderata" | "indesiderata" | "junk e-mail" => FolderRole::Junk,
        "archivio" | "archive" | "archives" => FolderRole::Archive,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aruba_and_standard_names() {
        assert_eq!(
            role_from_name("INBOX.Inviata", Some(".")),
            Some(FolderRole::Sent)
        );
        assert_eq!(
            role_from_name("INBOX.Cestino", Some(".")),
            Some(FolderRole::Trash)
        );
        assert_eq!(
            role_from_name("INBOX/Bozze", Some("/")),
            Some(FolderRole::Drafts)
        );
        assert_eq!(
            role_from_name("Posta inviata", None),
            Some(FolderRole::Sent)
        );
        assert_eq!(role_from_name("inbox", None), Some(FolderRole::Inbox));
        assert_eq!(role_from_name("INBOX.Clienti", Some(".")), None);
        assert_eq!(
            role_from_special_use(["\\Noselect", "\\Sent"]),
            Some(FolderRole::Sent)
        );
        assert_eq!(role_from_special_use(["\\HasNoChildren"]), None);
    }
}
