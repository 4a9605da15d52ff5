//! Forgeries of genuine PEC messages, built at test time, for the evidence tests: the outer
//! header rewritten (which leaves a provider's signature valid, since it covers only the body), the
//! signed envelope re-wrapped the way mailing lists do, or forwarded as an attachment.
//!
//! Inputs are genuine samples read from the corpus at run time or messages the sandbox signed;
//! nothing forged is ever stored in the repository.

/// Where the header block of `raw` ends (the index of the blank line's first byte).
fn header_end(raw: &[u8]) -> usize {
    let crlf = raw.windows(4).position(|w| w == b"\r\n\r\n");
    let lf = raw.windows(2).position(|w| w == b"\n\n");
    match (crlf, lf) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) => a,
        (None, Some(b)) => b,
        (None, None) => raw.len(),
    }
}

/// The line ending `raw` uses.
fn eol(raw: &[u8]) -> &'static str {
    if raw.windows(2).any(|w| w == b"\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

/// `raw` with every top-level header called `name` (and its folded lines) replaced by one
/// `name: value` line; the header is added when missing. The body is left byte for byte.
pub fn set_header(raw: &[u8], name: &str, value: &str) -> Vec<u8> {
    let nl = eol(raw);
    // The header block with its last line break; the blank line starts `raw[end..]`.
    let end = (header_end(raw) + nl.len()).min(raw.len());
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut out = String::new();
    let mut skipping = false;
    let mut replaced = false;
    for line in head.split_inclusive('\n') {
        let folded = line.starts_with(' ') || line.starts_with('\t');
        if skipping && folded {
            continue;
        }
        skipping = false;
        let is_it = line
            .split_once(':')
            .is_some_and(|(n, _)| n.trim().eq_ignore_ascii_case(name));
        if is_it {
            skipping = true;
            if !replaced {
                out.push_str(&format!("{name}: {value}{nl}"));
                replaced = true;
            }
            continue;
        }
        out.push_str(line);
    }
    if !replaced {
        if !out.ends_with('\n') {
            out.push_str(nl);
        }
        out.push_str(&format!("{name}: {value}{nl}"));
    }
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&raw[end..]);
    bytes
}

/// The top-level header lines of `raw` whose names are in `names` (folded lines kept).
fn headers_named(raw: &[u8], names: &[&str]) -> String {
    let end = header_end(raw);
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut out = String::new();
    let mut keep = false;
    for line in head.split_inclusive('\n') {
        let folded = line.starts_with(' ') || line.starts_with('\t');
        if !folded {
            keep = line
                .split_once(':')
                .is_some_and(|(n, _)| names.iter().any(|w| n.trim().eq_ignore_ascii_case(w)));
        }
        if keep {
            out.push_str(line.trim_end_matches(['\r', '\n']));
            out.push_str("\r\n");
        }
    }
    out
}

/// The entity at the top of `raw` as a MIME part: its `Content-*` headers and its body.
fn as_part(raw: &[u8]) -> Vec<u8> {
    let end = header_end(raw);
    let mut out = headers_named(
        raw,
        &["Content-Type", "Content-Transfer-Encoding", "MIME-Version"],
    )
    .into_bytes();
    out.extend_from_slice(&raw[end..]);
    out
}

/// What a mailing list does to a PEC envelope: the PEC headers stay on top, the signed body
/// becomes the first part of a `multipart/mixed` whose second part is the list's footer.
/// `extra_part`, when given, is a whole MIME part (headers and body) added before the signed one.
pub fn rewrap_as_list(raw: &[u8], extra_part: Option<&str>) -> Vec<u8> {
    let keep = headers_named(
        raw,
        &[
            "From",
            "To",
            "Cc",
            "Subject",
            "Date",
            "Message-ID",
            "Reply-To",
            "X-Ricevuta",
            "X-Trasporto",
            "X-Riferimento-Message-ID",
            "X-TipoRicevuta",
        ],
    );
    let b = "list-rewrap-boundary-7f3a";
    let mut out = format!(
        "{keep}List-Id: <soci.lista.example>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"{b}\"\r\n\r\n"
    )
    .into_bytes();
    if let Some(extra) = extra_part {
        out.extend_from_slice(format!("--{b}\r\n{extra}\r\n").as_bytes());
    }
    out.extend_from_slice(format!("--{b}\r\n").as_bytes());
    out.extend_from_slice(&as_part(raw));
    out.extend_from_slice(
        format!(
            "\r\n--{b}\r\nContent-Type: text/plain\r\n\r\n\
             Lista soci: per cancellarsi scrivere a soci-leave@lista.example\r\n--{b}--\r\n"
        )
        .as_bytes(),
    );
    out
}

/// `raw` forwarded by a person as an attached message (`message/rfc822`).
pub fn forward_as_attachment(raw: &[u8]) -> Vec<u8> {
    let b = "fwd-boundary-91c2";
    let mut out = format!(
        "From: Anna <anna@example.com>\r\nTo: bruno@example.com\r\nSubject: Fwd: la ricevuta\r\n\
         Date: Mon, 02 Dec 2024 10:00:00 +0100\r\nMessage-ID: <fwd-1@example.com>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"{b}\"\r\n\r\n--{b}\r\nContent-Type: text/plain\r\n\r\n\
         Ti inoltro la ricevuta.\r\n--{b}\r\nContent-Type: message/rfc822; name=\"ricevuta.eml\"\r\n\
         Content-Disposition: attachment; filename=\"ricevuta.eml\"\r\n\r\n"
    )
    .into_bytes();
    out.extend_from_slice(raw);
    out.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    out
}

/// A daticert.xml attachment part saying `tipo`, to slip beside a provider's signed one.
pub fn daticert_part(tipo: &str, consegna: &str) -> String {
    format!(
        "Content-Type: application/xml; name=\"daticert.xml\"\r\n\
         Content-Disposition: attachment; filename=\"daticert.xml\"\r\n\r\n\
         <?xml version=\"1.0\" encoding=\"UTF-8\"?><postacert tipo=\"{tipo}\" errore=\"nessuno\">\
         <intestazione><mittente>x@pec.example</mittente><destinatari tipo=\"certificato\">{consegna}</destinatari>\
         <oggetto>forged</oggetto></intestazione><dati><gestore-emittente>Forged</gestore-emittente>\
         <identificativo>forged.1@pec.example</identificativo><consegna>{consegna}</consegna></dati></postacert>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_header_replaces_folded_and_keeps_the_body() {
        let raw = b"A: 1\r\nX-Ricevuta: accettazione\r\n  more\r\nB: 2\r\n\r\nbody\r\n";
        let out = set_header(raw, "X-Ricevuta", "avvenuta-consegna");
        assert_eq!(
            out,
            b"A: 1\r\nX-Ricevuta: avvenuta-consegna\r\nB: 2\r\n\r\nbody\r\n".to_vec()
        );
        let added = set_header(b"A: 1\n\nbody\n", "X-New", "v");
        assert_eq!(added, b"A: 1\nX-New: v\n\nbody\n".to_vec());
    }
}
