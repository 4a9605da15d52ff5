//! The one XML reader of the core: a small, hardened tree built on quick-xml, for FatturaPA and SdI
//! messages ([`Tree::parse`], strict) and for what PEC providers write (daticert.xml, REM
//! evidence: [`Tree::parse_lenient`]).
//!
//! - No DTD: a `<!DOCTYPE` is refused (strict) or skipped (lenient); no entity is ever declared,
//!   expanded or fetched.
//! - Only the five predefined entities and character references are resolved; the lenient reader
//!   keeps any other reference as written instead of refusing the document.
//! - The lenient reader also tolerates what providers send: end tags that do not match (closed up
//!   to the element they name, stray ones ignored), elements left open at the end, a dangling `&`,
//!   text or elements after the root (ignored), malformed attributes (skipped).
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

/// How forgiving a parse is: invoices are refused when not well formed; providers' documents are
/// read as far as they make sense.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Strict,
    Lenient,
}

/// Sentinel for "no node".
const NONE: u32 = u32::MAX;

struct Node<'a> {
    /// Qualified name as written (`p:FatturaElettronica`).
    qname: Cow<'a, str>,
    /// Byte offset of the local name in `qname` (after the prefix and ':').
    local: u32,
    /// Concatenated character data (whitespace between child elements is dropped).
    text: Cow<'a, str>,
    attrs: std::ops::Range<u32>,
    first_child: u32,
    last_child: u32,
    next_sibling: u32,
}

/// A parsed document: nodes in one flat vector, names and text borrowed from the decoded input
/// whenever possible (no allocation per element).
pub struct Tree<'a> {
    nodes: Vec<Node<'a>>,
    attrs: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

/// A handle on one element of a [`Tree`].
#[derive(Clone, Copy)]
pub struct Element<'d> {
    tree: &'d Tree<'d>,
    id: u32,
}

impl std::fmt::Debug for Element<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Element")
            .field("name", &self.qname())
            .finish_non_exhaustive()
    }
}

impl<'d> Element<'d> {
    fn node(self) -> &'d Node<'d> {
        &self.tree.nodes[self.id as usize]
    }

    /// Qualified name as written.
    pub fn qname(self) -> &'d str {
        &self.node().qname
    }

    /// Local name (prefix removed).
    pub fn name(self) -> &'d str {
        let node = self.node();
        node.qname.get(node.local as usize..).unwrap_or("")
    }

    /// Namespace prefix as written, empty when none.
    pub fn prefix(self) -> &'d str {
        self.qname().rsplit_once(':').map_or("", |(p, _)| p)
    }

    /// Raw character data (untrimmed).
    pub fn text(self) -> &'d str {
        &self.node().text
    }

    /// All child elements.
    pub fn children(self) -> impl Iterator<Item = Element<'d>> {
        let tree = self.tree;
        let mut cur = self.node().first_child;
        std::iter::from_fn(move || {
            if cur == NONE {
                return None;
            }
            let el = Element { tree, id: cur };
            cur = tree.nodes[cur as usize].next_sibling;
            Some(el)
        })
    }

    /// First child with this local name.
    pub fn child(self, name: &str) -> Option<Element<'d>> {
        self.children().find(|c| c.name() == name)
    }

    /// All children with this local name.
    pub fn children_named(self, name: &str) -> impl Iterator<Item = Element<'d>> {
        self.children().filter(move |c| c.name() == name)
    }

    /// Follow a `/`-separated path of child names.
    pub fn path(self, path: &str) -> Option<Element<'d>> {
        let mut cur = self;
        for part in path.split('/') {
            cur = cur.child(part)?;
        }
        Some(cur)
    }

    /// Trimmed text of the child at `path`, borrowed; `None` when absent or blank.
    pub fn text_ref(self, path: &str) -> Option<&'d str> {
        let t = self.path(path)?.text().trim();
        (!t.is_empty()).then_some(t)
    }

    /// Trimmed text of the child at `path`, `None` when absent or blank.
    pub fn text_at(self, path: &str) -> Option<String> {
        self.text_ref(path).map(str::to_string)
    }

    /// This element's trimmed text, `None` when blank.
    pub fn trimmed(self) -> Option<String> {
        let t = self.text().trim();
        (!t.is_empty()).then(|| t.to_string())
    }

    fn attr_pairs(self) -> &'d [(Cow<'d, str>, Cow<'d, str>)] {
        let r = &self.node().attrs;
        &self.tree.attrs[r.start as usize..r.end as usize]
    }

    /// Every attribute by local name, in document order (namespace declarations excluded).
    pub fn attributes(self) -> impl Iterator<Item = (&'d str, &'d str)> {
        self.attr_pairs()
            .iter()
            .filter(|(k, _)| !k.starts_with("xmlns"))
            .map(|(k, v)| {
                let local = k.rsplit_once(':').map_or(k.as_ref(), |(_, l)| l);
                (local, v.as_ref())
            })
    }

    /// Attribute by local name (namespace declarations excluded).
    pub fn attr(self, name: &str) -> Option<&'d str> {
        self.attr_pairs()
            .iter()
            .find(|(k, _)| {
                !k.starts_with("xmlns") && k.rsplit_once(':').map_or(k.as_ref(), |(_, l)| l) == name
            })
            .map(|(_, v)| v.as_ref())
    }

    /// The namespace URI bound to this element's prefix by its own `xmlns` attributes.
    pub fn own_namespace(self) -> Option<&'d str> {
        let prefix = self.prefix();
        self.attr_pairs()
            .iter()
            .find(|(k, _)| {
                if prefix.is_empty() {
                    k == "xmlns"
                } else {
                    k.strip_prefix("xmlns:") == Some(prefix)
                }
            })
            .map(|(_, v)| v.as_ref())
    }
}

/// `s` re-borrowed from `src` when it is a slice of it (quick-xml hands out names borrowed from
/// the event, which itself borrows from `src`).
fn reborrow<'a>(src: &'a str, s: &str) -> Cow<'a, str> {
    let off = (s.as_ptr() as usize).wrapping_sub(src.as_ptr() as usize);
    match off.checked_add(s.len()).and_then(|end| src.get(off..end)) {
        Some(sub) if sub.as_ptr() == s.as_ptr() => Cow::Borrowed(sub),
        _ => Cow::Owned(s.to_string()),
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
    if data.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(XmlError::Empty);
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
            if enc == encoding_rs::UTF_8
                || enc == encoding_rs::UTF_16LE
                || enc == encoding_rs::UTF_16BE
            {
                // UTF-16 declared without a BOM yet readable as ASCII: the declaration is wrong.
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

fn malformed(position: u64, message: impl Into<String>) -> XmlError {
    XmlError::Malformed {
        position,
        message: message.into(),
    }
}

impl<'a> Tree<'a> {
    /// The root element.
    pub fn root(&self) -> Element<'_> {
        Element { tree: self, id: 0 }
    }

    /// Parse decoded text, refusing anything not well formed (invoices).
    pub fn parse(text: &'a str) -> Result<Tree<'a>, XmlError> {
        Tree::parse_in(text, Mode::Strict)
    }

    /// Parse decoded text the way providers' documents need (see the module's notes).
    pub fn parse_lenient(text: &'a str) -> Result<Tree<'a>, XmlError> {
        Tree::parse_in(text, Mode::Lenient)
    }

    fn parse_in(text: &'a str, mode: Mode) -> Result<Tree<'a>, XmlError> {
        let lenient = mode == Mode::Lenient;
        let mut reader = quick_xml::Reader::from_str(text);
        let config = reader.config_mut();
        config.check_end_names = !lenient;
        config.allow_unmatched_ends = lenient;
        config.allow_dangling_amp = lenient;
        config.expand_empty_elements = false;
        let mut tree = Tree {
            nodes: Vec::with_capacity(text.len() / 40 + 4),
            attrs: Vec::new(),
        };
        let mut stack: Vec<u32> = Vec::with_capacity(MAX_XML_DEPTH);
        let mut root_done = false;
        loop {
            let pos = reader.buffer_position();
            let event = reader
                .read_event()
                .map_err(|e| malformed(pos, e.to_string()))?;
            match event {
                Event::Start(_) | Event::Empty(_) if root_done && lenient => break,
                Event::Start(start) | Event::Empty(start) if root_done => {
                    let _ = start;
                    return Err(malformed(pos, "content after the root element"));
                }
                Event::Start(start) => {
                    if stack.len() >= MAX_XML_DEPTH {
                        return Err(XmlError::TooDeep(MAX_XML_DEPTH));
                    }
                    let id = tree.push_node(text, &start, pos, stack.last().copied(), mode)?;
                    stack.push(id);
                }
                Event::Empty(start) => {
                    if stack.len() >= MAX_XML_DEPTH {
                        return Err(XmlError::TooDeep(MAX_XML_DEPTH));
                    }
                    tree.push_node(text, &start, pos, stack.last().copied(), mode)?;
                    root_done = stack.is_empty();
                }
                Event::End(end) if lenient => {
                    // Close up to the open element this tag names; a stray one changes nothing.
                    let local = end.local_name();
                    let name: &str = local.as_ref();
                    if let Some(at) = stack
                        .iter()
                        .rposition(|&id| tree.root_at(id).name() == name)
                    {
                        stack.truncate(at);
                        root_done = stack.is_empty();
                    }
                }
                Event::End(_) => {
                    if stack.pop().is_none() {
                        return Err(malformed(pos, "unexpected closing tag"));
                    }
                    root_done = stack.is_empty();
                }
                Event::Text(t) => {
                    let content = t.xml10_content();
                    match stack.last() {
                        Some(&top) => tree.push_text(top, content),
                        None if content.trim().is_empty() || lenient => {}
                        None => return Err(malformed(pos, "text outside the root element")),
                    }
                }
                Event::CData(c) => {
                    if let Some(&top) = stack.last() {
                        let node = &mut tree.nodes[top as usize];
                        node.text.to_mut().push_str(&c.xml10_content());
                    }
                }
                Event::GeneralRef(r) => {
                    let name = r.xml10_content();
                    let ch = match r.resolve_char_ref() {
                        Ok(Some(c)) => Some(c),
                        Ok(None) => match name.as_ref() {
                            "amp" => Some('&'),
                            "lt" => Some('<'),
                            "gt" => Some('>'),
                            "apos" => Some('\''),
                            "quot" => Some('"'),
                            _ if lenient => None,
                            other => {
                                return Err(XmlError::UnknownEntity(
                                    other.chars().take(64).collect(),
                                ));
                            }
                        },
                        Err(_) if lenient => None,
                        Err(e) => return Err(malformed(pos, e.to_string())),
                    };
                    if let Some(&top) = stack.last() {
                        let text = tree.nodes[top as usize].text.to_mut();
                        match ch {
                            Some(c) => text.push(c),
                            // No entity expansion: the reference stays as written.
                            None => {
                                text.push('&');
                                text.push_str(&name);
                                text.push(';');
                            }
                        }
                    }
                }
                Event::DocType(_) if lenient => {}
                Event::DocType(_) => return Err(XmlError::Doctype),
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
                Event::Eof => break,
            }
        }
        if !stack.is_empty() && !lenient {
            return Err(XmlError::Truncated);
        }
        if tree.nodes.is_empty() {
            return Err(XmlError::NoRoot);
        }
        Ok(tree)
    }

    /// The element with this id.
    fn root_at(&self, id: u32) -> Element<'_> {
        Element { tree: self, id }
    }

    fn push_node(
        &mut self,
        src: &'a str,
        start: &quick_xml::events::BytesStart<'_>,
        pos: u64,
        parent: Option<u32>,
        mode: Mode,
    ) -> Result<u32, XmlError> {
        let lenient = mode == Mode::Lenient;
        let qname = start.name();
        let qname = reborrow(src, qname.as_ref());
        let attr_start = self.attrs.len() as u32;
        let mut attributes = start.attributes();
        attributes.with_checks(!lenient);
        for attr in attributes {
            let attr = match attr {
                Ok(a) => a,
                Err(_) if lenient => continue,
                Err(e) => return Err(malformed(pos, e.to_string())),
            };
            let key: &str = attr.key.as_ref();
            let key = reborrow(src, key);
            let value = match attr.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
                Ok(v) => v,
                Err(_) if lenient => Cow::Owned(attr.value.to_string()),
                Err(quick_xml::Error::Escape(
                    quick_xml::escape::EscapeError::UnrecognizedEntity(_, name),
                )) => return Err(XmlError::UnknownEntity(name)),
                Err(other) => return Err(malformed(pos, other.to_string())),
            };
            let value = match value {
                Cow::Borrowed(v) => reborrow(src, v),
                Cow::Owned(v) => Cow::Owned(v),
            };
            self.attrs.push((key, value));
        }
        let id =
            u32::try_from(self.nodes.len()).map_err(|_| malformed(pos, "too many elements"))?;
        let local = qname.rfind(':').map_or(0, |i| i + 1) as u32;
        self.nodes.push(Node {
            qname,
            local,
            text: Cow::Borrowed(""),
            attrs: attr_start..self.attrs.len() as u32,
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
        });
        if let Some(p) = parent {
            let pnode = &mut self.nodes[p as usize];
            if pnode.text.trim().is_empty() {
                pnode.text = Cow::Borrowed("");
            }
            let prev = pnode.last_child;
            pnode.last_child = id;
            if prev == NONE {
                pnode.first_child = id;
            } else {
                self.nodes[prev as usize].next_sibling = id;
            }
        } else if id != 0 {
            return Err(malformed(pos, "content after the root element"));
        }
        Ok(id)
    }

    fn push_text(&mut self, id: u32, content: Cow<'a, str>) {
        let node = &mut self.nodes[id as usize];
        if node.first_child != NONE && content.trim().is_empty() {
            return;
        }
        if node.text.is_empty() {
            node.text = content;
        } else {
            node.text.to_mut().push_str(&content);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What providers send is read by the lenient reader and refused by the strict one.
    #[test]
    fn lenient_reads_what_providers_send_and_strict_refuses_it() {
        let cases: [&str; 5] = [
            "<postacert><a>uno</b><c>due</c></postacert>",
            "<postacert><a>&foo; &#xZZ;</a></postacert>",
            "<!DOCTYPE postacert><postacert><a>x</a></postacert>",
            "<postacert><a>aperto",
            "<postacert><a>x</a></postacert><altro/>testo",
        ];
        for doc in cases {
            assert!(Tree::parse(doc).is_err(), "strict accepted {doc:?}");
            let tree = Tree::parse_lenient(doc).unwrap_or_else(|e| panic!("{doc:?}: {e}"));
            assert_eq!(tree.root().name(), "postacert", "{doc:?}");
        }
        let tree = Tree::parse_lenient("<p><a>uno</b><c>due</c></a></p>").expect("lenient");
        let a = tree.root().child("a").expect("a");
        assert_eq!(
            a.text_ref("c"),
            Some("due"),
            "a stray end tag closes nothing"
        );
        let tree = Tree::parse_lenient("<p><a>&foo; &amp;</a></p>").expect("lenient");
        assert_eq!(tree.root().text_ref("a"), Some("&foo; &"));
    }

    fn parse(data: &[u8]) -> Result<(String, Option<String>), XmlError> {
        let (text, warning) = decode(data)?;
        let tree = Tree::parse(&text)?;
        let root = tree.root();
        Ok((
            format!(
                "{}|{}|{:?}|{:?}",
                root.name(),
                root.text().trim(),
                root.text_at("B"),
                root.own_namespace()
            ),
            warning,
        ))
    }

    #[test]
    fn prefixes_bom_and_entities() {
        let doc = "\u{FEFF}<?xml version=\"1.0\"?><?xml-stylesheet href=\"x.xsl\"?><q1:A xmlns:q1=\"urn:x\" versione=\"FPR12\">\n  <B>a &amp; b &#233;</B>\n  <C/>\n</q1:A>";
        let (text, _) = decode(doc.as_bytes()).expect("decode");
        let tree = Tree::parse(&text).expect("parses");
        let root = tree.root();
        assert_eq!(root.name(), "A");
        assert_eq!(root.prefix(), "q1");
        assert_eq!(root.own_namespace(), Some("urn:x"));
        assert_eq!(root.attr("versione"), Some("FPR12"));
        assert_eq!(root.text(), "", "whitespace between children is dropped");
        assert_eq!(root.text_at("B").as_deref(), Some("a & b é"));
        assert!(root.child("C").is_some());
        assert_eq!(root.children().count(), 2);
    }

    #[test]
    fn windows_1252_declared() {
        let mut doc = b"<?xml version=\"1.0\" encoding=\"windows-1252\"?><A>caff".to_vec();
        doc.push(0xE8);
        doc.extend_from_slice(b" \x80</A>");
        assert_eq!(parse(&doc).expect("parses").0, "A|caffè €|None|None");
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
        assert_eq!(
            parse(b"<a b=\"&x;\"/>").unwrap_err(),
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
        assert!(matches!(
            parse(b"<a/><b/>").unwrap_err(),
            XmlError::Malformed { .. }
        ));
        assert!(matches!(
            parse(b"<a></a>text").unwrap_err(),
            XmlError::Malformed { .. }
        ));
        assert_eq!(parse(b"  ").unwrap_err(), XmlError::Empty);
        assert_eq!(
            parse(b"<?xml version=\"1.0\"?>").unwrap_err(),
            XmlError::NoRoot
        );
    }
}
