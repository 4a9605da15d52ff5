//! A small, hardened XML tree for FatturaPA and SdI messages, built on quick-xml.
//!
//! - No DTD: a `<!DOCTYPE` is refused, so no entity can be declared, expanded or fetched.
//! - Only the five predefined entities and character references are resolved.
//! - Input size is capped at [`MAX_XML_BYTES`], nesting at [`MAX_XML_DEPTH`].
//! - A UTF-8 / UTF-16 BOM is honoured; a declared windows-1252 / ISO-8859-1 encoding is decoded;
//!   a file that claims UTF-8 but is not is read as windows-1252 (with a warning) rather than refused.
//! - Element names keep only their local part: FatturaPA namespaces only the root, and files use any
//!   prefix (`p:`, `ns1:`, `q1:`...) or a default namespace.

use crate::limits::{MAX_XML_BYTES, MAX_XML_DEPTH};
use quick_xml::events::Event;
use std::borrow::Cow;

/// Why the bytes are not a usable XML document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    #[error("the file is too large ({size} bytes, the limit is {max})")]
    TooLarge { size: usize, max: usize },
    #[error("the file is empty")]
    Empty,
    #[error("the file declares a DTD (<!DOCTYPE>), which invoices never do: refused for safety")]
    Doctype,
    #[error("the XML nests deeper than {0} levels")]
    TooDeep(usize),
    #[error("the XML uses an undeclared entity &{0};")]
    UnknownEntity(String),
    #[error("the XML is malformed at byte {position}: {message}")]
    Malformed { position: u64, message: String },
    #[error("the XML ends before its root element is closed (truncated file?)")]
    Truncated,
    #[error("the file has no root element")]
    NoRoot,
    #[error("unsupported text encoding {0:?}")]
    Encoding(String),
}

/// One element: local name, attributes (local names), text (concatenated, untrimmed), children.
#[derive(Debug, Clone, Default)]
pub struct Element {
    pub name: String,
    /// Namespace prefix as written (`p` in `p:FatturaElettronica`), empty when none.
    pub prefix: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// First child with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All children with this local name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Follow a `/`-separated path of child names.
    pub fn path(&self, path: &str) -> Option<&Element> {
        let mut cur = self;
        for part in path.split('/') {
            cur = cur.child(part)?;
        }
        Some(cur)
    }

    /// Trimmed text of the child at `path`, `None` when absent or blank.
    pub fn text_at(&self, path: &str) -> Option<String> {
        self.path(path).and_then(|e| e.trimmed())
    }

    /// This element's trimmed text, `None` when blank.
    pub fn trimmed(&self) -> Option<String> {
        let t = self.text.trim();
        (!t.is_empty()).then(|| t.to_string())
    }

    /// Attribute by local name.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The namespace URI bound to this element's prefix by its own `xmlns` attributes.
    pub fn own_namespace(&self) -> Option<&str> {
        let key = if self.prefix.is_empty() {
            "xmlns".to_string()
        } else {
            format!("xmlns:{}", self.prefix)
        };
        self.attrs
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Decode raw bytes to text: BOM, declared encoding, lenient fallback. Returns (text, warning).
pub fn decode(data: &[u8]) -> Result<(Cow<'_, str>, Option<String>), XmlError> {
    if data.len() > MAX_XML_BYTES {
        return Err(XmlError::TooLarge {
            size: data.len(),
            max: MAX_XML_BYTES,
        });
    }
    if let Some(rest) = data.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return Ok(utf8_or_latin(rest));
    }
    if data.starts_with(&[0xFF, 0xFE]) || data.starts_with(&[0xFE, 0xFF]) {
        let enc = if data[0] == 0xFF {
            encoding_rs::UTF_16LE
        } else {
            encoding_rs::UTF_16BE
        };
        let (text, _) = enc.decode_without_bom_handling(&data[2..]);
        return Ok((Cow::Owned(text.into_owned()), None));
    }
    match declared_encoding(data).as_deref() {
        None | Some("utf-8") | Some("utf8") => Ok(utf8_or_latin(data)),
        Some(label) => {
            let enc = encoding_rs::Encoding::for_label(label.as_bytes())
                .ok_or_else(|| XmlError::Encoding(label.to_string()))?;
            if enc == encoding_rs::UTF_8 {
                return Ok(utf8_or_latin(data));
            }
            if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
                // Declared UTF-16 without a BOM yet readable as ASCII: the declaration is wrong.
                return Ok(utf8_or_latin(data));
            }
            let (text, _, _) = enc.decode(data);
            Ok((text, None))
        }
    }
}

fn utf8_or_latin(data: &[u8]) -> (Cow<'_, str>, Option<String>) {
    match std::str::from_utf8(data) {
        Ok(s) => (Cow::Borrowed(s), None),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(data);
            (
                text,
                Some("the file is not valid UTF-8: read as windows-1252".to_string()),
            )
        }
    }
}

/// The `encoding` pseudo-attribute of the XML declaration, lowercased.
fn declared_encoding(data: &[u8]) -> Option<String> {
    let head = &data[..data.len().min(256)];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&head[..end]).ok()?;
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = rest.chars().next()?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    let value = &rest[1..];
    let close = value.find(quote)?;
    Some(value[..close].trim().to_ascii_lowercase())
}

/// Parse decoded text into a tree.
pub fn parse_str(text: &str) -> Result<Element, XmlError> {
    let mut reader = quick_xml::Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.expand_empty_elements = false;
    let mut stack: Vec<Element> = Vec::with_capacity(16);
    let mut root: Option<Element> = None;
    loop {
        let pos = reader.buffer_position();
        let event = reader.read_event().map_err(|e| XmlError::Malformed {
            position: pos,
            message: e.to_string(),
        })?;
        match event {
            Event::Start(start) => {
                if stack.len() >= MAX_XML_DEPTH {
                    return Err(XmlError::TooDeep(MAX_XML_DEPTH));
                }
                if root.is_some() {
                    return Err(XmlError::Malformed {
                        position: pos,
                        message: "content after the root element".into(),
                    });
                }
                stack.push(element_from(&start, pos)?);
            }
            Event::Empty(start) => {
                if stack.len() >= MAX_XML_DEPTH {
                    return Err(XmlError::TooDeep(MAX_XML_DEPTH));
                }
                let el = element_from(&start, pos)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None if root.is_none() => root = Some(el),
                    None => {
                        return Err(XmlError::Malformed {
                            position: pos,
                            message: "content after the root element".into(),
                        });
                    }
                }
            }
            Event::End(_) => {
                let Some(el) = stack.pop() else {
                    return Err(XmlError::Malformed {
                        position: pos,
                        message: "unexpected closing tag".into(),
                    });
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                } else if !t.xml10_content().trim().is_empty() {
                    return Err(XmlError::Malformed {
                        position: pos,
                        message: "text outside the root element".into(),
                    });
                }
            }
            Event::CData(c) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&c.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let ch = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    Ok(None) => {
                        let name = r.xml10_content();
                        match name.as_ref() {
                            "amp" => '&',
                            "lt" => '<',
                            "gt" => '>',
                            "apos" => '\'',
                            "quot" => '"',
                            other => {
                                return Err(XmlError::UnknownEntity(
                                    other.chars().take(64).collect(),
                                ));
                            }
                        }
                    }
                    Err(e) => {
                        return Err(XmlError::Malformed {
                            position: pos,
                            message: e.to_string(),
                        });
                    }
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push(ch);
                }
            }
            Event::DocType(_) => return Err(XmlError::Doctype),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(XmlError::Truncated);
    }
    root.ok_or(XmlError::NoRoot)
}

fn element_from(start: &quick_xml::events::BytesStart<'_>, pos: u64) -> Result<Element, XmlError> {
    let qname = start.name();
    let raw: &str = qname.as_ref();
    let (prefix, name) = match raw.split_once(':') {
        Some((p, n)) => (p.to_string(), n.to_string()),
        None => (String::new(), raw.to_string()),
    };
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| XmlError::Malformed {
            position: pos,
            message: e.to_string(),
        })?;
        let key: &str = attr.key.as_ref();
        let value =
            attr.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| match e {
                    quick_xml::Error::Escape(
                        quick_xml::escape::EscapeError::UnrecognizedEntity(_, name),
                    ) => XmlError::UnknownEntity(name),
                    other => XmlError::Malformed {
                        position: pos,
                        message: other.to_string(),
                    },
                })?;
        // Keep namespace declarations whole (`xmlns:p`), strip prefixes from the others.
        let key = if key.starts_with("xmlns") {
            key.to_string()
        } else {
            key.rsplit(':').next().unwrap_or(key).to_string()
        };
        attrs.push((key, value.into_owned()));
    }
    Ok(Element {
        name,
        prefix,
        attrs,
        text: String::new(),
        children: Vec::new(),
    })
}

/// Decode and parse. Returns the root and an optional decoding warning.
pub fn parse(data: &[u8]) -> Result<(Element, Option<String>), XmlError> {
    if data.len() > MAX_XML_BYTES {
        return Err(XmlError::TooLarge {
            size: data.len(),
            max: MAX_XML_BYTES,
        });
    }
    if data.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(XmlError::Empty);
    }
    let (text, warning) = decode(data)?;
    Ok((parse_str(&text)?, warning))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_bom_and_entities() {
        let doc = "\u{FEFF}<?xml version=\"1.0\"?><?xml-stylesheet href=\"x.xsl\"?><q1:A xmlns:q1=\"urn:x\"><B>a &amp; b &#233;</B><C/></q1:A>";
        let (root, warn) = parse(doc.as_bytes()).expect("parses");
        assert!(warn.is_none());
        assert_eq!(root.name, "A");
        assert_eq!(root.own_namespace(), Some("urn:x"));
        assert_eq!(root.text_at("B").as_deref(), Some("a & b é"));
        assert!(root.child("C").is_some());
    }

    #[test]
    fn windows_1252_declared() {
        let mut doc = b"<?xml version=\"1.0\" encoding=\"windows-1252\"?><A>caff".to_vec();
        doc.push(0xE8);
        doc.extend_from_slice(b" \x80</A>");
        let (root, _) = parse(&doc).expect("parses");
        assert_eq!(root.text, "caffè €");
    }

    #[test]
    fn hostile_inputs() {
        assert_eq!(
            parse(b"<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>").unwrap_err(),
            XmlError::Doctype
        );
        assert_eq!(
            parse(b"<a>&x;</a>").unwrap_err(),
            XmlError::UnknownEntity("x".into())
        );
        assert_eq!(parse(b"<a><b>").unwrap_err(), XmlError::Truncated);
        let deep = "<a>".repeat(MAX_XML_DEPTH + 1);
        assert_eq!(
            parse(deep.as_bytes()).unwrap_err(),
            XmlError::TooDeep(MAX_XML_DEPTH)
        );
        assert!(matches!(
            parse(b"<a></b>").unwrap_err(),
            XmlError::Malformed { .. }
        ));
        assert_eq!(parse(b"  ").unwrap_err(), XmlError::Empty);
    }
}
