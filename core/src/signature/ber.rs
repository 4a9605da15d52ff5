//! A minimal BER walker, used to take the certificates of a SignedData with their exact bytes
//! (the CMS crate re-encodes them, which changes some certificates and breaks their signatures).

/// Deepest nesting the walker follows.
const MAX_DEPTH: usize = 32;

/// One TLV: its tag byte(s), the whole element and its content.
#[derive(Debug, Clone, Copy)]
struct Tlv<'a> {
    tag: u8,
    whole: &'a [u8],
    content: &'a [u8],
}

/// Read the element at the start of `data`. Indefinite lengths are resolved by walking the children.
fn read(data: &[u8], depth: usize) -> Option<Tlv<'_>> {
    if depth > MAX_DEPTH {
        return None;
    }
    let tag = *data.first()?;
    if tag & 0x1f == 0x1f {
        return None; // high tag numbers never occur in the structures we walk
    }
    let first_len = *data.get(1)?;
    let (content_start, content_len) = if first_len < 0x80 {
        (2usize, Some(first_len as usize))
    } else if first_len == 0x80 {
        (2, None)
    } else {
        let n = (first_len & 0x7f) as usize;
        if n > 4 {
            return None;
        }
        let mut len = 0usize;
        for b in data.get(2..2 + n)? {
            len = (len << 8) | *b as usize;
        }
        (2 + n, Some(len))
    };
    match content_len {
        Some(len) => {
            let end = content_start.checked_add(len)?;
            Some(Tlv {
                tag,
                whole: data.get(..end)?,
                content: data.get(content_start..end)?,
            })
        }
        None => {
            if tag & 0x20 == 0 {
                return None; // indefinite length needs a constructed element
            }
            let mut pos = content_start;
            loop {
                let rest = data.get(pos..)?;
                if rest.starts_with(&[0, 0]) {
                    let content = data.get(content_start..pos)?;
                    return Some(Tlv {
                        tag,
                        whole: data.get(..pos + 2)?,
                        content,
                    });
                }
                pos += read(rest, depth + 1)?.whole.len();
            }
        }
    }
}

/// The children of a constructed element's content (stopping at an end-of-contents marker).
fn children(content: &[u8], depth: usize) -> Option<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    let mut rest = content;
    while !rest.is_empty() && !rest.starts_with(&[0, 0]) {
        let tlv = read(rest, depth)?;
        rest = rest.get(tlv.whole.len()..)?;
        out.push(tlv);
    }
    Some(out)
}

/// The exact encodings of the certificates in a CMS ContentInfo(SignedData), in order.
pub(crate) fn certificates(cms: &[u8]) -> Option<Vec<&[u8]>> {
    let content_info = read(cms, 0)?;
    let ci = children(content_info.content, 1)?;
    let explicit = ci.get(1).filter(|t| t.tag == 0xa0)?;
    let signed_data = children(explicit.content, 2)?.into_iter().next()?;
    let sd = children(signed_data.content, 3)?;
    // version, digestAlgorithms, encapContentInfo, then [0] IMPLICIT certificates if present.
    let certs = sd.iter().skip(3).find(|t| t.tag == 0xa0)?;
    Some(
        children(certs.content, 4)?
            .into_iter()
            .filter(|t| t.tag == 0x30)
            .map(|t| t.whole)
            .collect(),
    )
}

/// The same ContentInfo(SignedData) without its `certificates` field, or `None` when there is
/// none or the walk fails. Parsing certificates is most of what the CMS crate spends on a PEC
/// signature, and [`certificates`] reads them with their exact bytes anyway. The outer elements
/// are written again with definite lengths; every other element keeps its bytes.
pub(crate) fn without_certificates(cms: &[u8]) -> Option<Vec<u8>> {
    let content_info = read(cms, 0)?;
    let ci = children(content_info.content, 1)?;
    let oid = ci.first().filter(|t| t.tag == 0x06)?;
    let explicit = ci.get(1).filter(|t| t.tag == 0xa0)?;
    let signed_data = children(explicit.content, 2)?.into_iter().next()?;
    let sd = children(signed_data.content, 3)?;
    let certs = 3 + sd.iter().skip(3).position(|t| t.tag == 0xa0)?;
    let body: Vec<u8> = sd
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != certs)
        .flat_map(|(_, t)| t.whole.iter().copied())
        .collect();
    let mut info = oid.whole.to_vec();
    info.extend(tlv(0xa0, &tlv(0x30, &body)));
    Some(tlv(0x30, &info))
}

/// `tag`, a definite length, `content`.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = vec![tag];
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indefinite_and_definite_lengths_are_walked() {
        // SEQUENCE(indef) { OID, [0](indef) { SEQUENCE { INT, SET{}, SEQUENCE{}, [0]{ SEQ{1}, SEQ{2} } } } }
        let cms = [
            0x30, 0x80, 0x06, 0x01, 0x2a, 0xa0, 0x80, 0x30, 0x11, 0x02, 0x01, 0x01, 0x31, 0x00,
            0x30, 0x00, 0xa0, 0x08, 0x30, 0x02, 0x01, 0x00, 0x30, 0x02, 0x02, 0x00, 0x00, 0x00,
            0x00, 0x00,
        ];
        let certs = certificates(&cms).expect("walk");
        assert_eq!(
            certs,
            vec![&[0x30, 0x02, 0x01, 0x00][..], &[0x30, 0x02, 0x02, 0x00][..]]
        );
    }

    #[test]
    fn the_certificates_are_cut_out_and_the_rest_kept() {
        let cms = [
            0x30, 0x80, 0x06, 0x01, 0x2a, 0xa0, 0x80, 0x30, 0x11, 0x02, 0x01, 0x01, 0x31, 0x00,
            0x30, 0x00, 0xa0, 0x08, 0x30, 0x02, 0x01, 0x00, 0x30, 0x02, 0x02, 0x00, 0x00, 0x00,
            0x00, 0x00,
        ];
        let cut = without_certificates(&cms).expect("walk");
        assert_eq!(
            cut,
            [
                0x30, 0x0e, 0x06, 0x01, 0x2a, 0xa0, 0x09, 0x30, 0x07, 0x02, 0x01, 0x01, 0x31, 0x00,
                0x30, 0x00
            ]
        );
        assert!(certificates(&cut).is_none());
        assert_eq!(tlv(0x04, &[0; 300])[..4], [0x04, 0x82, 0x01, 0x2c]);
    }

    #[test]
    fn garbage_and_truncation_give_none() {
        assert!(certificates(&[]).is_none());
        assert!(certificates(&[0x30, 0x80]).is_none());
        assert!(certificates(&[0x30, 0x85, 1, 2, 3, 4, 5]).is_none());
        let deep: Vec<u8> = std::iter::repeat_n([0x30u8, 0x80], 100).flatten().collect();
        assert!(certificates(&deep).is_none());
        assert!(without_certificates(&deep).is_none());
        assert!(without_certificates(&[0x30, 0x03, 0x02, 0x01]).is_none());
    }
}
