//! The entry the `imap_responses` fuzz target and its stable replay (`core/fuzz/entries.rs`) call:
//! not an API for the apps.

use super::engine::attachments_from_structure;
use super::guard::Scanner;
use super::part_fetch::{find_part, parse_section};
use super::qresync::parse_vanished;
use async_imap::imap_proto::{AttributeValue, Response};

/// Feed `data` as if a server had sent it through what a sync does with a server's bytes: the
/// guard first (as it sees the bytes before async-imap does), then imap-proto's parser response
/// by response, then our readers of what it parsed: BODYSTRUCTURE to attachments and back to each
/// attachment's part by its section, and `VANISHED` lines. Returns how many responses parsed,
/// or the first inconsistency found between our readers (a bug to fix).
pub fn server_bytes(data: &[u8]) -> Result<usize, String> {
    if Scanner::default().scan(data).is_err() {
        return Ok(0);
    }
    for line in data.split(|b| *b == b'\n') {
        let _ = parse_vanished(line);
    }
    let mut rest = data;
    let mut parsed = 0;
    while let Ok((remaining, response)) = Response::parse(rest) {
        parsed += 1;
        read(&response)?;
        if remaining.len() >= rest.len() {
            break;
        }
        rest = remaining;
    }
    Ok(parsed)
}

fn read(response: &Response<'_>) -> Result<(), String> {
    let Response::Fetch(_, attributes) = response else {
        return Ok(());
    };
    for attribute in attributes {
        if let AttributeValue::BodyStructure(structure) = attribute {
            let mut found = Vec::new();
            attachments_from_structure(structure, &mut found);
            for section in found.iter().filter_map(|a| a.section.as_deref()) {
                let path = parse_section(section).unwrap_or_default();
                if find_part(structure, &path).is_none() {
                    return Err(format!("attachment section {section} leads to no part"));
                }
            }
        }
    }
    Ok(())
}
