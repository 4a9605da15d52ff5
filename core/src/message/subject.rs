//! The original subject: provider prefixes removed, however many are stacked.

/// Fixed prefixes written by PEC providers (compared ASCII case-insensitively, colon included).
const FIXED: &[&str] = &[
    "POSTA CERTIFICATA:",
    "ACCETTAZIONE:",
    "CONSEGNA:",
    "ANOMALIA MESSAGGIO:",
    "PRESA IN CARICO:",
    "PROBLEMA DI SICUREZZA:",
    "RILEVAZIONE VIRUS:",
    "EXTERNAL:",
];

/// What may follow `AVVISO DI ` in a provider notice.
const AVVISO_KINDS: &[&str] = &[
    "NON ACCETTAZIONE",
    "MANCATA CONSEGNA",
    "ACCETTAZIONE",
    "CONSEGNA",
    "PRESA IN CARICO",
    "RILEVAZIONE VIRUS",
    "ANOMALIA",
];

/// Remove every stacked provider prefix: the fixed ones, `AVVISO DI …:` (non accettazione, mancata
/// consegna, per virus, per superamento tempo massimo, ...) and the REM ones (`REM Dispatch:`,
/// `REM ContentConsignment:`, ...).
pub fn strip_prefixes(subject: &str) -> &str {
    let mut s = subject.trim();
    while let Some(rest) = strip_one(s) {
        s = rest.trim_start();
    }
    s
}

/// True when `subject` starts with a provider prefix.
pub fn has_prefix(subject: &str) -> bool {
    strip_one(subject.trim()).is_some()
}

fn strip_one(s: &str) -> Option<&str> {
    for p in FIXED {
        if starts_with_ci(s, p) {
            return s.get(p.len()..);
        }
    }
    // "AVVISO DI <words>:" and "REM <Word>:" - the prefix itself contains no colon.
    for (lead, max_words) in [("AVVISO DI ", 12usize), ("REM ", 1)] {
        if starts_with_ci(s, lead) {
            let after = s.get(lead.len()..)?;
            let colon = after.find(':')?;
            let words = after.get(..colon)?;
            let word_count = words.split_whitespace().count();
            let known_avviso =
                lead != "AVVISO DI " || AVVISO_KINDS.iter().any(|k| starts_with_ci(words, k));
            let plausible = known_avviso
                && word_count >= 1
                && word_count <= max_words
                && words
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == ' ' || c == '.' || c == '-');
            if plausible {
                return after.get(colon + 1..);
            }
        }
    }
    None
}

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len()
        && s.as_bytes()
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_pec_prefixes() {
        assert_eq!(
            strip_prefixes("POSTA CERTIFICATA: Re: archetipo"),
            "Re: archetipo"
        );
        assert_eq!(strip_prefixes("ACCETTAZIONE: test private"), "test private");
        assert_eq!(strip_prefixes("CONSEGNA: a: b"), "a: b");
        assert_eq!(
            strip_prefixes("AVVISO DI MANCATA CONSEGNA: Test PEC"),
            "Test PEC"
        );
        assert_eq!(
            strip_prefixes("AVVISO DI MANCATA CONSEGNA PER SUP. TEMPO MASSIMO: x"),
            "x"
        );
        assert_eq!(
            strip_prefixes("AVVISO DI NON ACCETTAZIONE PER VIRUS: y"),
            "y"
        );
        assert_eq!(strip_prefixes("ANOMALIA MESSAGGIO: z"), "z");
        assert_eq!(
            strip_prefixes("POSTA CERTIFICATA: POSTA CERTIFICATA: CONSEGNA: deep"),
            "deep"
        );
        assert_eq!(strip_prefixes("posta certificata: lower"), "lower");
    }

    #[test]
    fn strips_rem_prefixes() {
        assert_eq!(strip_prefixes("REM Dispatch: Oggetto"), "Oggetto");
        assert_eq!(strip_prefixes("REM ContentConsignmentFailure: x"), "x");
        assert_eq!(strip_prefixes("EXTERNAL: hi"), "hi");
    }

    #[test]
    fn leaves_ordinary_subjects() {
        assert_eq!(strip_prefixes("Re: meeting"), "Re: meeting");
        assert_eq!(
            strip_prefixes("REM meeting tomorrow at 10: ok"),
            "REM meeting tomorrow at 10: ok"
        );
        assert_eq!(strip_prefixes("Avviso di pagamento"), "Avviso di pagamento");
        assert_eq!(
            strip_prefixes("Avviso di pagamento: luglio"),
            "Avviso di pagamento: luglio"
        );
        assert!(!has_prefix("Invio File 7339338"));
    }
}
