//! Transfer decoding on demand.
//!
//! The analysis parses a message with its parts' `Content-Transfer-Encoding` ignored
//! ([`lean_parser`]): mail-parser would otherwise decode every base64 and quoted-printable part
//! while parsing, a fifth of a full sync's instructions, for attachments whose names, types and
//! sizes are all the analysis needs. The few parts whose bytes it reads (daticert.xml, the
//! signature, REM evidence, a text or HTML body, an invoice, an encoded original) are decoded
//! when read, by parsing the part's own entity (its headers and body as transmitted) with
//! mail-parser's default parser: a part decodes exactly as in a full parse, charset included.
//!
//! Every reader of a part's bytes in the analysis goes through [`contents`] or [`text`], which
//! also accept a fully decoded parse (then they borrow what mail-parser decoded). A message
//! holding a `message/rfc822` part sent encoded is parsed with decoding instead
//! ([`holds_encoded_message`]), so a nested message in the analysis's parse is always a message.

use super::headers::raw_value;
use mail_parser::{
    HeaderName, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType,
};
use std::borrow::Cow;

/// The analysis's parser: mail-parser's default header parsers (which it applies only while its
/// map is empty, hence listed here), transfer encodings left as transmitted, and `Received`
/// kept raw (nothing reads it parsed; its tokenizer ran on every hop of every message).
pub(crate) fn lean_parser() -> MessageParser {
    use HeaderName as H;
    let lists = [
        H::ListArchive,
        H::ListHelp,
        H::ListId,
        H::ListOwner,
        H::ListPost,
        H::ListSubscribe,
        H::ListUnsubscribe,
    ];
    let parser = MessageParser::new()
        .with_mime_headers()
        .with_date_headers()
        .with_address_headers()
        .with_message_ids()
        .header_id(H::ReturnPath)
        .header_text(H::Subject)
        .header_text(H::Comments)
        .header_comma_separated(H::Keywords)
        .header_comma_separated(H::ContentLanguage)
        .header_raw(H::Received)
        .ignore_header(H::ContentTransferEncoding);
    lists
        .into_iter()
        .fold(parser, |p, name| p.header_address(name))
}

/// Whether a lean parse went wrong: a `message/rfc822` (or `message/global`) part sent in
/// base64 or quoted-printable, which mail-parser, seeing no transfer encoding, read as a message
/// nested as is; its encoded text then swallows the parts after it. Such a message is parsed
/// again with decoding (rare: providers send the original as 7bit or 8bit). The first such part
/// is always seen, as everything before it parsed normally.
pub(crate) fn holds_encoded_message(msg: &Message<'_>) -> bool {
    let mut stack = vec![msg];
    while let Some(m) = stack.pop() {
        for part in &m.parts {
            let declared = part.content_type().is_some_and(|ct| {
                ct.ctype().eq_ignore_ascii_case("message")
                    && ct.subtype().is_some_and(|s| {
                        s.eq_ignore_ascii_case("rfc822") || s.eq_ignore_ascii_case("global")
                    })
            });
            if (declared || part.message().is_some()) && is_encoded(m, part) {
                return true;
            }
            if let Some(inner) = part.message() {
                stack.push(inner);
            }
        }
    }
    false
}

/// A transfer encoding a part still holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    Base64,
    QuotedPrintable,
}

/// The transfer encoding `part` of `msg` still holds: it declares base64 or quoted-printable and
/// was parsed by [`lean_parser`], which leaves that header's value empty (a decoding parse keeps
/// it as text, and has decoded the part or kept it as sent).
fn pending(msg: &Message<'_>, part: &MessagePart<'_>) -> Option<Pending> {
    let cte = part
        .headers
        .iter()
        .find(|h| h.name == HeaderName::ContentTransferEncoding)?;
    if !matches!(cte.value, HeaderValue::Empty) {
        return None;
    }
    let value = raw_value(&part.headers, &msg.raw_message, "Content-Transfer-Encoding")?;
    if value.eq_ignore_ascii_case("base64") {
        Some(Pending::Base64)
    } else if value.eq_ignore_ascii_case("quoted-printable") {
        Some(Pending::QuotedPrintable)
    } else {
        None
    }
}

/// Whether `part` of `msg` still holds its transfer encoding (see [`pending`]).
pub(crate) fn is_encoded(msg: &Message<'_>, part: &MessagePart<'_>) -> bool {
    pending(msg, part).is_some()
}

/// The part's entity decoded: its headers and body, parsed with transfer decoding.
fn decoded_entity<'a>(msg: &'a Message<'_>, part: &MessagePart<'_>) -> Option<Message<'a>> {
    let entity = msg
        .raw_message
        .get(part.offset_header as usize..part.offset_end as usize)?;
    MessageParser::default().parse(entity)
}

/// The decoded bytes of `part` (a text part's as UTF-8 text, as `MessagePart::contents`).
pub(crate) fn contents<'a>(msg: &'a Message<'_>, part: &'a MessagePart<'_>) -> Cow<'a, [u8]> {
    match pending(msg, part) {
        None => Cow::Borrowed(part.contents()),
        Some(encoding) => decoded(msg, part, encoding),
    }
}

/// [`contents`] of a part that still holds `encoding`.
fn decoded<'a>(
    msg: &'a Message<'_>,
    part: &'a MessagePart<'_>,
    encoding: Pending,
) -> Cow<'a, [u8]> {
    if encoding == Pending::Base64
        && let PartType::Binary(body) | PartType::InlineBinary(body) = &part.body
        && let Some(bytes) = base64_binary(body)
    {
        return Cow::Owned(bytes);
    }
    let Some(mut entity) = decoded_entity(msg, part).filter(|e| !e.parts.is_empty()) else {
        return Cow::Borrowed(part.contents());
    };
    Cow::Owned(match entity.parts.swap_remove(0).body {
        PartType::Text(t) | PartType::Html(t) => t.into_owned().into_bytes(),
        PartType::Binary(b) | PartType::InlineBinary(b) => b.into_owned(),
        PartType::Message(m) => m.raw_message.into_owned(),
        PartType::Multipart(_) => Vec::new(),
    })
}

/// A binary part's base64 `body` decoded by the `base64` crate, a third of mail-parser's cost
/// per byte (the signature and daticert.xml of every message pass here). `None` for text the
/// strict decoder refuses or mail-parser reads otherwise (a short last group without padding,
/// which it drops): those decode as mail-parser does.
fn base64_binary(body: &[u8]) -> Option<Vec<u8>> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    let compact: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .collect();
    if !compact.len().is_multiple_of(4) {
        return None;
    }
    base64::Engine::decode(&LENIENT, compact).ok()
}

/// The text of a text or HTML part, decoded (HTML stays HTML).
pub(crate) fn text<'a>(msg: &'a Message<'_>, part: &'a MessagePart<'_>) -> Option<Cow<'a, str>> {
    if !is_encoded(msg, part) {
        return match &part.body {
            PartType::Text(t) | PartType::Html(t) => Some(Cow::Borrowed(t.as_ref())),
            _ => None,
        };
    }
    let mut entity = decoded_entity(msg, part).filter(|e| !e.parts.is_empty())?;
    match entity.parts.swap_remove(0).body {
        PartType::Text(t) | PartType::Html(t) => Some(Cow::Owned(t.into_owned())),
        _ => None,
    }
}

/// The message's first text body, as `Message::body_text(0)`: an HTML-only body turned to text.
pub(crate) fn body_text(msg: &Message<'_>) -> Option<String> {
    let part = msg.parts.get(*msg.text_body.first()? as usize)?;
    let text = text(msg, part)?;
    Some(match part.body {
        PartType::Html(_) => mail_parser::decoders::html::html_to_text(&text),
        _ => text.into_owned(),
    })
}

/// The decoded size of a part, without decoding base64: what its alphabet's characters hold
/// (a part that is not valid base64 counts as its transmitted bytes, as mail-parser keeps it).
pub(crate) fn decoded_size(msg: &Message<'_>, part: &MessagePart<'_>) -> usize {
    let Some(encoding) = pending(msg, part) else {
        return part.contents().len();
    };
    // The transmitted text (a text part's `contents` went through its charset).
    let body = msg
        .raw_message
        .get(part.offset_body as usize..part.offset_end as usize)
        .unwrap_or_default();
    let counted = (encoding == Pending::Base64)
        .then(|| base64_len(body))
        .flatten();
    counted.unwrap_or_else(|| decoded(msg, part, encoding).len())
}

/// The decoded length of MIME base64 text, counted as mail-parser decodes a part: every `=`
/// ends a group, so each run of alphabet characters before one gives six bits per character in
/// whole bytes; after the last `=` only whole groups of four count (a short last group without
/// padding is dropped). `None` when a byte is neither of the alphabet, nor padding, nor white
/// space (mail-parser then keeps the part as transmitted).
fn base64_len(text: &[u8]) -> Option<usize> {
    let mut bytes = 0;
    let mut start = 0;
    for end in memchr::memchr_iter(b'=', text) {
        bytes += sextets(&text[start..end])? * 6 / 8;
        start = end + 1;
    }
    Some(bytes + sextets(&text[start..])? / 4 * 3)
}

/// The base64 alphabet characters of `run` (which holds no `=`), or `None` for a foreign byte.
/// Counted without a branch per byte, into a byte-wide counter per block of 128, which the
/// compiler turns into 16-byte vector steps: ten times the plain loop, over the megabytes of
/// attachments a full sync names.
fn sextets(run: &[u8]) -> Option<usize> {
    let mut count = 0usize;
    let mut foreign = 0u8;
    for block in run.chunks(128) {
        let mut n = 0u8;
        for &b in block {
            let letter = (b | 0x20).wrapping_sub(b'a') < 26;
            let sextet = letter | (b.wrapping_sub(b'0') < 10) | (b == b'+') | (b == b'/');
            let space = (b == b' ') | (b == b'\t') | (b == b'\r') | (b == b'\n');
            n += sextet as u8;
            foreign |= !(sextet | space) as u8;
        }
        count += n as usize;
    }
    (foreign == 0).then_some(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSG: &str = "From: a@x\r\nMIME-Version: 1.0\r\n\
        Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
        --b\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\
        Content-Transfer-Encoding: quoted-printable\r\n\r\nperch=E9 s=EC\r\n\
        --b\r\nContent-Type: application/octet-stream; name=\"a.bin\"\r\n\
        Content-Transfer-Encoding: base64\r\n\r\nAAECAwQF\r\nBgc=\r\n\
        --b\r\nContent-Type: application/octet-stream; name=\"c.bin\"\r\n\
        Content-Transfer-Encoding: 7bit\r\n\r\nchiaro\r\n\
        --b--\r\n";

    fn both() -> (Message<'static>, Message<'static>) {
        let lean = lean_parser().parse(MSG.as_bytes()).expect("lean");
        let full = MessageParser::default()
            .parse(MSG.as_bytes())
            .expect("full");
        (lean, full)
    }

    #[test]
    fn a_lean_parse_reads_every_part_as_the_full_parse_decodes_it() {
        let (lean, full) = both();
        assert_eq!(lean.parts.len(), full.parts.len());
        for (l, f) in lean.parts.iter().zip(&full.parts) {
            assert_eq!(contents(&lean, l), contents(&full, f));
            assert_eq!(contents(&full, f), f.contents());
            assert_eq!(decoded_size(&lean, l), f.contents().len());
            assert_eq!(text(&lean, l), text(&full, f));
        }
        assert_eq!(body_text(&lean), full.body_text(0).map(Cow::into_owned));
        assert_eq!(body_text(&lean).as_deref(), Some("perché sì"));
        assert_eq!(
            contents(&lean, &lean.parts[2]).as_ref(),
            &[0, 1, 2, 3, 4, 5, 6, 7]
        );
    }

    #[test]
    fn the_lean_parse_leaves_encoded_parts_undecoded() {
        let (lean, _) = both();
        assert!(is_encoded(&lean, &lean.parts[2]));
        assert_eq!(lean.parts[2].contents(), b"AAECAwQF\r\nBgc=");
        assert!(!is_encoded(&lean, &lean.parts[3]));
    }

    #[test]
    fn base64_length_counts_sextets_and_refuses_foreign_bytes() {
        assert_eq!(base64_len(b"AAECAwQF\r\nBgc="), Some(8));
        assert_eq!(base64_len(b"QQ=="), Some(1));
        assert_eq!(base64_len(b""), Some(0));
        assert_eq!(base64_len(b"QQ*="), None);
        // Each `=` closes a group; a short last group without padding is dropped, as
        // mail-parser decodes a part.
        for text in ODD_BASE64 {
            let raw = binary_entity(text);
            let full = MessageParser::default().parse(&raw).expect("full");
            let size = full.parts[0].contents().len();
            assert_eq!(base64_len(text.as_bytes()), Some(size), "{text}");
        }
    }

    /// Padding in the middle, a short last group with and without padding.
    const ODD_BASE64: [&str; 5] = [
        "QQ==QQ==",
        "QUJD=QQ",
        "QUI=\r\nQUJDRA==",
        "AAECAwQFBgc",
        "QUJDRA",
    ];

    fn binary_entity(base64_body: &str) -> Vec<u8> {
        format!(
            "From: a@x\r\nContent-Type: application/octet-stream\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{base64_body}\r\n"
        )
        .into_bytes()
    }

    #[test]
    fn binary_parts_decode_alike_whichever_decoder_takes_them() {
        for body in ODD_BASE64.iter().chain(&["AAECAwQF\r\nBgc=", "AAE*"]) {
            let raw = binary_entity(body);
            let full = MessageParser::default().parse(&raw).expect("full");
            let lean = lean_parser().parse(&raw).expect("lean");
            assert_eq!(
                contents(&lean, &lean.parts[0]),
                full.parts[0].contents(),
                "{body}"
            );
        }
    }

    #[test]
    fn an_original_sent_in_base64_is_detected_so_it_can_be_parsed_decoded() {
        use base64::Engine as _;
        let inner =
            "From: b@y\r\nSubject: dentro\r\nContent-Type: text/plain\r\n\r\ntesto: interno\r\n";
        let b64 = base64::engine::general_purpose::STANDARD.encode(inner);
        let raw = format!(
            "From: a@x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
             --b\r\nContent-Type: message/rfc822; name=\"postacert.eml\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{b64}\r\n\
             --b\r\nContent-Type: application/pkcs7-signature; name=\"smime.p7s\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--b--\r\n"
        );
        let lean = lean_parser().parse(raw.as_bytes()).expect("lean");
        assert!(holds_encoded_message(&lean));
        let full = MessageParser::default()
            .parse(raw.as_bytes())
            .expect("full");
        assert!(!holds_encoded_message(&full));
        assert_eq!(full.parts.len(), 3);
        let (plain, _) = both();
        assert!(!holds_encoded_message(&plain));
    }
}
