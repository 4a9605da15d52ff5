//! A part of a message whose whole body is already stored: cut out of the local copy by its IMAP
//! section instead of fetched from the server (no connection, works offline).
//!
//! The section is resolved over mail-parser's tree with IMAP numbering (RFC 3501 §6.4.5: inside a
//! message/rfc822 part, numbers address the parts of the encapsulated message; `1` of a
//! single-part body is the body itself), and the part's encoded body (what `BODY[section]` would
//! return) is decoded with the same streaming decoder as a server download, so both paths write
//! the same bytes.

use super::part_fetch::Decoder;
use mail_parser::{Encoding, Message, MessageParser, MessagePart, PartType};

/// The part at `path` and the message whose raw bytes its offsets index.
fn at<'a>(
    m: &'a Message<'a>,
    part: usize,
    path: &[u32],
    depth: u32,
) -> Option<(&'a Message<'a>, &'a MessagePart<'a>)> {
    let p = m.parts.get(part)?;
    let Some((&first, rest)) = path.split_first() else {
        return Some((m, p));
    };
    if depth > 32 {
        return None;
    }
    let index = usize::try_from(first).ok()?.checked_sub(1)?;
    match &p.body {
        PartType::Multipart(children) => at(m, *children.get(index)? as usize, rest, depth + 1),
        PartType::Message(nested) => match &nested.parts.first()?.body {
            PartType::Multipart(children) => {
                at(nested, *children.get(index)? as usize, rest, depth + 1)
            }
            _ if index == 0 => at(nested, 0, rest, depth + 1),
            _ => None,
        },
        _ => None,
    }
}

/// The decoded bytes of part `path` of `raw`, or `None` when the local copy has no such leaf
/// part (the caller then asks the server).
pub(crate) fn local_part(raw: &[u8], path: &[u32]) -> Option<(String, Vec<u8>, u64)> {
    let msg = MessageParser::default().parse(raw)?;
    let (m, p) = match &msg.parts.first()?.body {
        PartType::Multipart(_) => at(&msg, 0, path, 0)?,
        _ if path == [1] => (&msg, msg.parts.first()?),
        _ => return None,
    };
    if matches!(p.body, PartType::Multipart(_)) {
        return None;
    }
    let encoded = m
        .raw_message
        .get(p.offset_body as usize..p.offset_end as usize)?;
    let encoding = match p.encoding {
        Encoding::Base64 => "base64",
        Encoding::QuotedPrintable => "quoted-printable",
        Encoding::None => "7bit",
    };
    let mut decoder = Decoder::new(encoding);
    let mut out = Vec::with_capacity(encoded.len());
    decoder.push(encoded, &mut out);
    decoder.finish(&mut out);
    Some((encoding.to_string(), out, encoded.len() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RAW: &[u8] = b"From: a@b.it\r\nTo: c@d.it\r\nSubject: x\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"OUT\"\r\n\r\n\
--OUT\r\nContent-Type: text/plain\r\n\r\nbusta\r\n\
--OUT\r\nContent-Type: message/rfc822\r\n\r\n\
From: e@f.it\r\nSubject: y\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"IN\"\r\n\r\n\
--IN\r\nContent-Type: text/plain\r\n\r\ntesto\r\n\
--IN\r\nContent-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n\
JVBERi0xLjQK/wA=\r\n\
--IN\r\nContent-Type: text/plain; name=n.txt\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
caf=C3=A9\r\nriga due=\r\n fine\r\n\
--IN--\r\n\
\r\n--OUT\r\nContent-Type: application/xml; name=daticert.xml\r\n\r\n<a/>\r\n--OUT--\r\n";

    #[test]
    fn sections_of_a_stored_envelope() {
        let get = |p: &[u32]| local_part(RAW, p).map(|(_, b, _)| b);
        assert_eq!(get(&[1]).as_deref(), Some(&b"busta"[..]));
        assert_eq!(get(&[2, 1]).as_deref(), Some(&b"testo"[..]));
        assert_eq!(get(&[2, 2]).as_deref(), Some(&b"%PDF-1.4\n\xff\x00"[..]));
        assert_eq!(
            get(&[2, 3]).as_deref(),
            Some("caf\u{e9}\r\nriga due fine".as_bytes())
        );
        assert_eq!(get(&[3]).as_deref(), Some(&b"<a/>"[..]));
        assert_eq!(get(&[2, 4]), None);
        assert_eq!(get(&[4]), None);
        assert_eq!(get(&[1, 1]), None);
        // A single-part message: "1" is its body.
        let single = b"Subject: s\r\nContent-Type: text/plain\r\n\r\nsolo";
        assert_eq!(
            local_part(single, &[1]).map(|(_, b, _)| b).as_deref(),
            Some(&b"solo"[..])
        );
        assert_eq!(local_part(single, &[2]), None);
    }

    #[test]
    fn imported_attachments_get_the_sections_of_their_parts() {
        let att = |name: &str, mime: &str| crate::store::AttachmentRecord {
            filename: Some(name.into()),
            mime: mime.into(),
            size: 0,
            section: None,
        };
        let mut list = vec![
            att("a.pdf", "application/pdf"),
            att("n.txt", "text/plain"),
            att("missing.bin", "application/octet-stream"),
        ];
        crate::receive::fill_sections(RAW, &mut list);
        let sections: Vec<_> = list.iter().map(|a| a.section.as_deref()).collect();
        assert_eq!(sections, [Some("2.2"), Some("2.3"), None]);
        let get = |s: &str| {
            let path: Vec<u32> = s.split('.').map(|n| n.parse().unwrap()).collect();
            local_part(RAW, &path).map(|(_, b, _)| b)
        };
        assert_eq!(get("2.2").as_deref(), Some(&b"%PDF-1.4\n\xff\x00"[..]));
    }
}
