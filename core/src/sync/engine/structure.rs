//! What BODYSTRUCTURE tells before a body is fetched: the attachments (names, types, sizes, IMAP
//! sections, looking inside postacert.eml) and the header-only record a message starts as.

use super::*;

pub(super) fn param<'a>(params: &'a imap_proto::BodyParams<'_>, key: &str) -> Option<&'a str> {
    params
        .as_ref()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_ref())
}

/// IMAP section of child `i` (1-based) under `parent` ("" at the top).
pub(super) fn child_section(parent: &str, i: usize) -> String {
    if parent.is_empty() {
        i.to_string()
    } else {
        format!("{parent}.{i}")
    }
}

/// Attachments (names, types, sizes, IMAP sections for [`SyncEngine::download_part`]) from
/// BODYSTRUCTURE, looking inside postacert.eml.
pub(crate) fn attachments_from_structure(bs: &BodyStructure<'_>, out: &mut Vec<AttachmentRecord>) {
    match bs {
        BodyStructure::Multipart { .. } => structure_walk(bs, "", out, 0),
        // A single-part message: its body is section 1.
        _ => structure_walk(bs, "1", out, 0),
    }
}

/// `section` is the section of `bs` itself (for a multipart: the prefix of its children).
pub(super) fn structure_walk(
    bs: &BodyStructure<'_>,
    section: &str,
    out: &mut Vec<AttachmentRecord>,
    depth: u32,
) {
    if depth > 8 {
        return;
    }
    match bs {
        BodyStructure::Multipart { bodies, .. } => {
            for (i, b) in bodies.iter().enumerate() {
                structure_walk(b, &child_section(section, i + 1), out, depth + 1);
            }
        }
        BodyStructure::Message {
            common,
            other,
            body,
            ..
        } => {
            let name = common
                .disposition
                .as_ref()
                .and_then(|d| param(&d.params, "filename"))
                .or_else(|| param(&common.ty.params, "name"));
            if name.is_none_or(|n| n.eq_ignore_ascii_case("postacert.eml")) {
                // Inside an encapsulated message, a multipart body's children are S.1, S.2…; a
                // single-part body is S.1.
                match body.as_ref() {
                    BodyStructure::Multipart { .. } => {
                        structure_walk(body, section, out, depth + 1)
                    }
                    single => structure_walk(single, &child_section(section, 1), out, depth + 1),
                }
            } else {
                out.push(AttachmentRecord {
                    filename: name.map(str::to_string),
                    mime: "message/rfc822".into(),
                    size: other.octets as u64,
                    section: Some(section.to_string()),
                });
            }
        }
        BodyStructure::Basic { common, other, .. } | BodyStructure::Text { common, other, .. } => {
            let is_attachment = common
                .disposition
                .as_ref()
                .is_some_and(|d| d.ty.eq_ignore_ascii_case("attachment"));
            let name = common
                .disposition
                .as_ref()
                .and_then(|d| param(&d.params, "filename"))
                .or_else(|| param(&common.ty.params, "name"));
            if !is_attachment && name.is_none() {
                return;
            }
            let lname = name.unwrap_or("").to_ascii_lowercase();
            if lname == "daticert.xml" || lname == "smime.p7s" {
                return;
            }
            out.push(AttachmentRecord {
                filename: name.map(str::to_string),
                mime: format!(
                    "{}/{}",
                    common.ty.ty.to_ascii_lowercase(),
                    common.ty.subtype.to_ascii_lowercase()
                ),
                size: other.octets as u64,
                section: Some(section.to_string()),
            });
        }
    }
}

/// A header-only record plus what BODYSTRUCTURE tells (attachments, invoice files).
pub(super) fn header_record(f: &Fetched<'_, '_>) -> Option<(ImapMeta, MessageRecord)> {
    let uid = f.uid()?;
    let mut rec = receive::analyze_header(f.header().unwrap_or_default());
    if let Some(bs) = f.bodystructure() {
        attachments_from_structure(bs, &mut rec.attachments);
        rec.is_invoice = rec.kind() != crate::message::Kind::Receipt
            && rec.attachments.iter().any(|a| {
                a.filename
                    .as_deref()
                    .is_some_and(crate::sdi::is_invoice_file)
            });
    }
    let meta = ImapMeta {
        uid: Some(uid),
        modseq: f.modseq(),
        size: f.size().unwrap_or(0) as u64,
        internal_date: f.internal_date().map(|d| d.timestamp()),
        flags: server_flags(f.flags()),
    };
    Some((meta, rec))
}
