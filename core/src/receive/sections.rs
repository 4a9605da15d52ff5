//! The IMAP sections of a stored message's parts, for attachments of messages with no server
//! copy (local imports): served from the stored body exactly like a synced message's.

use mail_parser::{Message, MessageParser, PartType};

/// Give the attachments of a stored message the IMAP sections of their parts, so a message with
/// no server copy (a local import) has its attachments served from its stored body exactly like
/// a synced one's. Each attachment takes the first leaf part not yet taken with the same file name
/// (and MIME type when it has no name); attachments that already have a section keep it.
pub fn fill_sections(raw: &[u8], attachments: &mut [crate::store::AttachmentRecord]) {
    let Some(msg) = MessageParser::default().parse(raw) else {
        return;
    };
    let mut leaves = Vec::new();
    match &msg.parts.first().map(|p| &p.body) {
        Some(PartType::Multipart(_)) => collect(&msg, 0, "", 0, &mut leaves),
        Some(_) => leaves.push(("1".to_string(), part_name(&msg, 0), part_mime(&msg, 0))),
        None => return,
    }
    for a in attachments.iter_mut().filter(|a| a.section.is_none()) {
        let pos = leaves.iter().position(|(_, name, mime)| match &a.filename {
            Some(f) => name.as_deref() == Some(f.as_str()),
            None => name.is_none() && *mime == a.mime,
        });
        if let Some(pos) = pos {
            a.section = Some(leaves.remove(pos).0);
        }
    }
}

type Leaf = (String, Option<String>, String);

/// The parts under multipart `part` of `m`, depth first, with their IMAP sections.
fn collect(m: &Message<'_>, part: usize, prefix: &str, depth: u32, out: &mut Vec<Leaf>) {
    let Some(PartType::Multipart(children)) = m.parts.get(part).map(|p| &p.body) else {
        return;
    };
    if depth > 32 {
        return;
    }
    for (i, &child) in children.iter().enumerate() {
        let section = if prefix.is_empty() {
            (i + 1).to_string()
        } else {
            format!("{prefix}.{}", i + 1)
        };
        let child = child as usize;
        match m.parts.get(child).map(|p| &p.body) {
            Some(PartType::Multipart(_)) => collect(m, child, &section, depth + 1, out),
            Some(PartType::Message(nested)) => {
                out.push((section.clone(), part_name(m, child), part_mime(m, child)));
                match nested.parts.first().map(|p| &p.body) {
                    Some(PartType::Multipart(_)) => collect(nested, 0, &section, depth + 1, out),
                    Some(_) => out.push((
                        format!("{section}.1"),
                        part_name(nested, 0),
                        part_mime(nested, 0),
                    )),
                    None => {}
                }
            }
            Some(_) => out.push((section, part_name(m, child), part_mime(m, child))),
            None => {}
        }
    }
}

fn part_name(m: &Message<'_>, part: usize) -> Option<String> {
    use mail_parser::MimeHeaders;
    m.parts.get(part)?.attachment_name().map(str::to_string)
}

fn part_mime(m: &Message<'_>, part: usize) -> String {
    m.parts
        .get(part)
        .map_or_else(|| "application/octet-stream".into(), super::mime_of)
}
