//! The owned element tree the daticert and REM readers walk, read by the core's one XML reader in
//! its lenient mode ([`crate::xml::Tree::parse_lenient`]): providers send end tags that do not
//! match and unknown entities, and their documents are still read as far as they make sense.
//! Size and depth are capped by [`crate::limits`]; element and attribute names are local names.

pub use crate::xml::XmlError;

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

/// Parse `xml` into a tree, tolerating what providers send (see the module's notes).
pub fn parse(xml: &[u8]) -> Result<Element, XmlError> {
    let (text, _) = crate::xml::decode(xml).map_err(|e| match e {
        XmlError::Empty => XmlError::NoRoot,
        other => other,
    })?;
    let tree = crate::xml::Tree::parse_lenient(&text)?;
    Ok(owned(tree.root()))
}

/// The owned copy of `e` and its descendants (recursion bounded by the reader's depth cap).
fn owned(e: crate::xml::Element<'_>) -> Element {
    Element {
        name: e.name().to_string(),
        attrs: e
            .attributes()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        text: e.text().to_string(),
        children: e.children().map(owned).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::MAX_XML_DEPTH;

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
        assert_eq!(parse(s.as_bytes()), Err(XmlError::TooDeep(MAX_XML_DEPTH)));
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
