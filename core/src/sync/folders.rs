//! Folder roles: SPECIAL-USE attributes first, then name rules for providers without them
//! (Aruba `INBOX.Inviata`, Italian and English names).

use crate::store::FolderRole;

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
