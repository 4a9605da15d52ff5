//! A small, bounded XML tree for the documents this module reads (daticert.xml, REM evidence).
//!
//! Built on quick-xml's pull reader with no DTD processing and no entity expansion: only the five
//! predefined entities and character references are resolved, anything else stays as written.
//! Element names are kept as local names (namespace prefixes dropped). Size and depth are capped by
//! [`crate::limits`]. Mismatched or missing end tags are tolerated (providers send them), so the
//! tree is best effort; outright syntax errors are reported.

use crate::limits::{MAX_XML_BYTES, MAX_XML_DEPTH};
use quick_xml::events::Event;
use quick_xml::reader::Reader;

/// Why an XML document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    #[error("XML document too large ({0} bytes)")]
    TooLarge(usize),
    #[error("XML nesting deeper than {MAX_XML_DEPTH} levels")]
    TooDeep,
    #[error("not well-formed XML at byte {position}: {message}")]
    Syntax { position: u64, message: String },
    #[error("no root element")]
    NoRoot,
}

/// One element: local name, attributes (local names), concatenated text, children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The value of attribute `name` (local name, case-sensitive as XML is).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// First direct child called `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All direct children called `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Trimmed text of the first direct child called `name`, if non-empty.
    pub fn child_text(&self, name: &str) -> Option<String> {
        self.child(name).and_then(|c| non_empty(&c.text))
    }

    /// Depth-first search for the first descendant (or self) called `name`.
    pub fn find(&self, name: &str) -> Option<&Element> {
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            if e.name == name {
                return Some(e);
            }
            stack.extend(e.children.iter().rev());
        }
        None
    }

    /// All descendants (and self) called `name`, in document order.
    pub fn find_all<'a>(&'a self, name: &str) -> Vec<&'a Element> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            if e.name == name {
                out.push(e);
            }
            stack.extend(e.children.iter().rev());
        }
        out
    }
}

/// Trimmed copy of `s`, `None` when blank.
pub fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn local(name: &str) -> String {
    name.rsplit(':').next().unwrap_or(name).to_string()
}

fn predefined(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    }
}

fn char_ref(name: &str) -> Option<char> {
    let num = name.strip_prefix('#')?;
    let code = match num.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => num.parse::<u32>().ok()?,
    };
    char::from_u32(code)
}

/// Parse `xml` into a tree. Tolerates mismatched end tags and unclosed elements at end of input.
pub fn parse(xml: &[u8]) -> Result<Element, XmlError> {
    if xml.len() > MAX_XML_BYTES {
        return Err(XmlError::TooLarge(xml.len()));
    }
    let mut reader = Reader::from_reader(xml);
    {
        let cfg = reader.config_mut();
        cfg.check_end_names = false;
        cfg.allow_unmatched_ends = true;
        cfg.allow_dangling_amp = true;
        cfg.expand_empty_elements = false;
    }
    let mut buf = Vec::new();
    // stack[0] is a synthetic document node; its children are top-level elements.
    let mut stack: Vec<Element> = vec![Element::default()];
    loop {
        buf.clear();
        let event = match reader.read_event_into(&mut buf) {
            Ok(ev) => ev,
            Err(e) => {
                return Err(XmlError::Syntax {
                    position: reader.error_position(),
                    message: e.to_string(),
                });
            }
        };
        match event {
            Event::Start(start) => {
                if stack.len() > MAX_XML_DEPTH {
                    return Err(XmlError::TooDeep);
                }
                stack.push(element_from(&start));
            }
            Event::Empty(start) => {
                if stack.len() > MAX_XML_DEPTH {
                    return Err(XmlError::TooDeep);
                }
                let el = element_from(&start);
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(el);
                }
            }
            Event::End(end) => {
                let name = local(end.name().as_ref());
                // Close up to the matching open element; ignore a stray end tag.
                if let Some(pos) = stack.iter().skip(1).rposition(|e| e.name == name) {
                    let target = pos + 1;
                    while stack.len() > target {
                        close_top(&mut stack);
                    }
                }
            }
            Event::Text(text) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&text.xml10_content());
                }
            }
            Event::CData(data) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&data);
                }
            }
            Event::GeneralRef(r) => {
                let name = r.into_inner();
                if let Some(top) = stack.last_mut() {
                    match predefined(&name).or_else(|| char_ref(&name)) {
                        Some(c) => top.text.push(c),
                        None => {
                            // No entity expansion: keep the reference as written.
                            top.text.push('&');
                            top.text.push_str(&name);
                            top.text.push(';');
                        }
                    }
                }
            }
            Event::Eof => break,
            // Declarations, processing instructions, comments and DOCTYPE are ignored (no DTD).
            _ => {}
        }
    }
    while stack.len() > 1 {
        close_top(&mut stack);
    }
    stack
        .pop()
        .and_then(|doc| doc.children.into_iter().next())
        .ok_or(XmlError::NoRoot)
}

fn close_top(stack: &mut Vec<Element>) {
    if let Some(done) = stack.pop()
        && let Some(parent) = stack.last_mut()
    {
        parent.children.push(done);
    }
}

fn element_from(start: &quick_xml::events::BytesStart<'_>) -> Element {
    let name = local(start.name().as_ref());
    let attrs = start
        .attributes()
        .with_checks(false)
        .filter_map(Result::ok)
        .map(|a| {
            let key = local(a.key.as_ref());
            let value = match a.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
                Ok(v) => v.into_owned(),
                Err(_) => a.value.to_string(),
            };
            (key, value)
        })
        .collect();
    Element {
        name,
        attrs,
        ..Element::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerates_stray_text_and_keeps_unknown_entities() {
        let el = parse(b"<a x='1'><b>one</b>stray<c>&lt;m&gt; &foo;</c></a>").expect("parses");
        assert_eq!(el.name, "a");
        assert_eq!(el.attr("x"), Some("1"));
        assert_eq!(el.child_text("b").as_deref(), Some("one"));
        assert_eq!(el.child_text("c").as_deref(), Some("<m> &foo;"));
    }

    #[test]
    fn refuses_deep_documents() {
        let mut s = String::new();
        for _ in 0..(MAX_XML_DEPTH + 5) {
            s.push_str("<a>");
        }
        assert_eq!(parse(s.as_bytes()), Err(XmlError::TooDeep));
    }

    #[test]
    fn drops_namespace_prefixes() {
        let el = parse(b"<t:E xmlns:t='u'><t:Id>7</t:Id></t:E>").expect("parses");
        assert_eq!(el.name, "E");
        assert_eq!(el.child_text("Id").as_deref(), Some("7"));
    }

    #[test]
    fn no_root_is_an_error() {
        assert_eq!(parse(b"   "), Err(XmlError::NoRoot));
    }
}
