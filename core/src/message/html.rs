//! The HTML a user reads, made safe to show: the HTML body of the message (for a PEC envelope,
//! of its original), cleaned by ammonia (no script, no style sheet, no form, no event handler,
//! links opened without referrer) and with every remote resource removed, so that opening a
//! certified message never tells its sender when, where or whether it was read. The shells draw
//! it in a view that loads nothing from the network either.

use super::original::structure;
use super::transfer;
use mail_parser::{Message, MessageParser, PartType};
use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// HTML bodies larger than this are shown as text instead (cleaning cost grows with the size).
pub const MAX_HTML_BYTES: usize = 4 * 1024 * 1024;

/// A message's HTML, safe to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafeHtml {
    pub html: String,
    /// Remote images and other resources removed (what a mail client would have loaded).
    pub blocked_remote: u32,
}

/// The first HTML part of `msg`'s body, when it has one (not text turned into HTML).
fn html_part<'a>(msg: &'a Message<'_>) -> Option<Cow<'a, str>> {
    let part = msg.parts.get(*msg.html_body.first()? as usize)?;
    match &part.body {
        PartType::Html(_) => transfer::text(msg, part),
        _ => None,
    }
}

fn is_remote(url: &str) -> bool {
    let u = url.trim_start().to_ascii_lowercase();
    u.starts_with("http:")
        || u.starts_with("https:")
        || u.starts_with("//")
        || u.starts_with("ftp:")
}

/// Clean `html`: what may run or load is removed, remote resources counted.
pub fn sanitise(html: &str) -> SafeHtml {
    let blocked = Arc::new(AtomicU32::new(0));
    let counter = blocked.clone();
    let cleaned = ammonia::Builder::default()
        .url_schemes(HashSet::from(["http", "https", "mailto", "tel"]))
        .link_rel(Some("noopener noreferrer nofollow"))
        .attribute_filter(move |_element, attribute, value| {
            let loads = matches!(
                attribute,
                "src" | "srcset" | "background" | "poster" | "lowsrc"
            );
            if loads && value.split(',').any(is_remote) {
                counter.fetch_add(1, Ordering::Relaxed);
                return None;
            }
            Some(value.into())
        })
        .clean(html)
        .to_string();
    SafeHtml {
        html: cleaned,
        blocked_remote: blocked.load(Ordering::Relaxed),
    }
}

/// The HTML a user reads in `raw`, cleaned; `None` for a message without an HTML body (or one
/// over [`MAX_HTML_BYTES`]), which is shown as text.
pub fn readable_html(raw: &[u8]) -> Option<SafeHtml> {
    readable_html_in(&MessageParser::default().parse(raw)?)
}

/// [`readable_html`] of a message already parsed (the message screen's analysis parses it once).
pub(crate) fn readable_html_in(msg: &Message<'_>) -> Option<SafeHtml> {
    let st = structure(msg);
    let original = st
        .original
        .and_then(|i| msg.parts.get(i))
        .and_then(|p| p.message());
    let html = html_part(original.unwrap_or(msg))?;
    (html.len() <= MAX_HTML_BYTES).then(|| sanitise(&html))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_remote_images_are_removed_links_stay() {
        let s = sanitise(
            "<p onclick=\"x()\">Ciao <script>alert(1)</script><img src=\"https://t.example/pixel.gif\">\
             <img src=\"cid:logo\"><a href=\"https://ente.gov.it\">sito</a><style>p{}</style>\
             <form action=\"https://x\"><input></form></p>",
        );
        assert_eq!(s.blocked_remote, 1);
        for gone in [
            "script",
            "onclick",
            "pixel.gif",
            "<style",
            "<form",
            "<input",
        ] {
            assert!(!s.html.contains(gone), "{gone} in {}", s.html);
        }
        assert!(
            s.html.contains("href=\"https://ente.gov.it\""),
            "{}",
            s.html
        );
        assert!(s.html.contains("noreferrer"), "{}", s.html);
    }

    #[test]
    fn the_html_of_an_envelope_is_its_originals() {
        let raw = "From: posta-certificata@pec.example\r\nSubject: POSTA CERTIFICATA: x\r\n\
            MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
            --b1\r\nContent-Type: text/plain\r\n\r\nMessaggio di posta certificata\r\n\
            --b1\r\nContent-Type: message/rfc822; name=\"postacert.eml\"\r\n\
            Content-Disposition: attachment; filename=\"postacert.eml\"\r\n\r\n\
            From: a@pec.example\r\nSubject: x\r\nMIME-Version: 1.0\r\n\
            Content-Type: text/html; charset=utf-8\r\n\r\n<p>Gentile <b>cliente</b></p>\r\n\
            --b1--\r\n";
        let h = readable_html(raw.as_bytes()).expect("html");
        assert!(h.html.contains("<b>cliente</b>"), "{}", h.html);
        let plain = "From: a@x\r\nSubject: t\r\n\r\nsolo testo\r\n";
        assert_eq!(readable_html(plain.as_bytes()), None);
    }
}
