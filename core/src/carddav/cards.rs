//! Cards between the server and the store: what we read from a server's vCard, and the vCard we
//! upload for an edited contact. An edit rewrites only the properties we model (name, e-mail
//! addresses, organisation, notes, categories, tax code and VAT number) and keeps every other
//! property of the server's card as it was (phones, postal addresses, photos, what other apps
//! wrote), in the card's own vCard version.

use super::RemoteCard;
use crate::contacts::{Contact, vcard};
use calcard::vcard::{VCard, VCardProperty, VCardValue, VCardVersion};

/// The server's card `text` at `href`, read.
pub(crate) fn read(href: &str, etag: Option<String>, text: &str) -> Result<RemoteCard, String> {
    let card = VCard::parse(text).map_err(|_| format!("{href}: not a valid vCard"))?;
    let contact = vcard::contact(&card).map_err(|why| format!("{href}: {why}"))?;
    Ok(RemoteCard {
        href: href.to_string(),
        etag,
        card: text.to_string(),
        contact,
    })
}

/// The properties an edit rewrites (the rest of the server's card is kept).
fn modelled(p: &VCardProperty, name_changed: bool) -> bool {
    match p {
        VCardProperty::Fn
        | VCardProperty::Email
        | VCardProperty::Org
        | VCardProperty::Note
        | VCardProperty::Categories
        | VCardProperty::Version => true,
        // The structured name is the server's unless the name itself was changed here.
        VCardProperty::N => name_changed,
        VCardProperty::Other(n) => ["X-TAX-CODE", "X-VAT", "X-CODICE-FISCALE", "X-PARTITA-IVA"]
            .iter()
            .any(|x| n.eq_ignore_ascii_case(x)),
        _ => false,
    }
}

/// The vCard to upload for `contact`: `original` (the server's card) with the modelled
/// properties replaced, or a new card.
pub(crate) fn upload_text(contact: &Contact, original: Option<&str>) -> String {
    let ours = vcard::card(contact);
    let Some(old) = original.and_then(|t| VCard::parse(t).ok()) else {
        let mut out = String::new();
        let _ = ours.write_to(&mut out, VCardVersion::V3_0);
        return out;
    };
    let version = version_of(&old);
    let name_changed = vcard::contact(&old).map_or(true, |c| c.name != contact.name);
    let mut entries: Vec<_> = old
        .entries
        .into_iter()
        .filter(|e| !modelled(&e.name, name_changed))
        .collect();
    let has = |entries: &[calcard::vcard::VCardEntry], p: &VCardProperty| {
        entries.iter().any(|e| &e.name == p)
    };
    for e in ours.entries {
        // The card's UID and structured name stay the server's when it has them.
        let keep_old = matches!(e.name, VCardProperty::Uid | VCardProperty::N);
        if keep_old && has(&entries, &e.name) {
            continue;
        }
        entries.push(e);
    }
    let mut out = String::new();
    let _ = VCard { entries }.write_to(&mut out, version);
    out
}

fn version_of(card: &VCard) -> VCardVersion {
    let v = card
        .entries
        .iter()
        .find(|e| e.name == VCardProperty::Version)
        .and_then(|e| e.values.first())
        .and_then(|v| match v {
            VCardValue::Text(t) => Some(t.trim().to_string()),
            _ => None,
        });
    match v.as_deref() {
        Some("4.0") => VCardVersion::V4_0,
        _ => VCardVersion::V3_0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVER: &str = "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:uuid:1\r\nFN:Anna Verdi\r\n\
        N:Verdi;Anna;;;\r\nTEL;TYPE=cell:+39 333 1234567\r\nEMAIL:anna@pec.example.it\r\n\
        NOTE:vecchia\r\nX-SOCIAL:anna\r\nEND:VCARD\r\n";

    #[test]
    fn an_edit_keeps_what_we_do_not_model_and_the_cards_version() {
        let mut c = read("/a.vcf", None, SERVER).unwrap().contact;
        c.notes = Some("nuova".into());
        c.addresses.push("anna@example.org".into());
        let text = upload_text(&c, Some(SERVER));
        assert!(text.contains("VERSION:4.0"), "{text}");
        assert!(text.contains("+39 333 1234567"), "{text}");
        assert!(text.contains("X-SOCIAL:anna"), "{text}");
        assert!(text.contains("N:Verdi;Anna;;;"), "{text}");
        assert_eq!(text.matches("UID:").count(), 1, "{text}");
        assert_eq!(text.matches("VERSION:").count(), 1, "{text}");
        let back = read("/a.vcf", None, &text).unwrap().contact;
        assert!(back.same_fields(&c), "{back:?}");
        assert!(!text.contains("vecchia"));
    }

    #[test]
    fn a_renamed_contact_gets_its_new_structured_name() {
        let mut c = read("/a.vcf", None, SERVER).unwrap().contact;
        c.name = "Anna Bianchi".into();
        let text = upload_text(&c, Some(SERVER));
        assert!(!text.contains("N:Verdi;Anna"), "{text}");
        assert_eq!(
            read("/a.vcf", None, &text).unwrap().contact.name,
            "Anna Bianchi"
        );
    }
}
