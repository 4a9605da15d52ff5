//! SDI mailboxes: `sdiNN@pec.fatturapa.it`.

/// The domain the SDI sends from.
pub const SDI_DOMAIN: &str = "pec.fatturapa.it";

/// True for `sdi<digits>@pec.fatturapa.it` (case-insensitive, optional angle brackets/blanks).
pub fn is_sdi_address(address: &str) -> bool {
    let a = address
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    let Some((local, domain)) = a.rsplit_once('@') else {
        return false;
    };
    let Some(digits) = local
        .get(..3)
        .filter(|p| p.eq_ignore_ascii_case("sdi"))
        .and_then(|_| local.get(3..))
    else {
        return false;
    };
    !digits.is_empty()
        && digits.len() <= 4
        && digits.bytes().all(|b| b.is_ascii_digit())
        && domain.eq_ignore_ascii_case(SDI_DOMAIN)
}

/// Find an SDI address inside free text such as `"Per conto di: sdi48@pec.fatturapa.it"`.
pub fn sdi_address_in(text: &str) -> Option<String> {
    text.split(|c: char| {
        c.is_whitespace() || matches!(c, '<' | '>' | '"' | ',' | ';' | ':' | '(' | ')')
    })
    .find(|w| is_sdi_address(w))
    .map(|w| w.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_sdi_mailboxes() {
        assert!(is_sdi_address("sdi48@pec.fatturapa.it"));
        assert!(is_sdi_address("<SDI03@PEC.FATTURAPA.IT>"));
        assert!(!is_sdi_address("sdi@pec.fatturapa.it"));
        assert!(!is_sdi_address("sdi48@fatturapa.it"));
        assert!(!is_sdi_address("mario@pec.fatturapa.it"));
        assert!(!is_sdi_address("sdi48x@pec.fatturapa.it"));
        assert_eq!(
            sdi_address_in("Per conto di: sdi48@pec.fatturapa.it").as_deref(),
            Some("sdi48@pec.fatturapa.it")
        );
        assert_eq!(sdi_address_in("Per conto di: a@b.it"), None);
    }
}
