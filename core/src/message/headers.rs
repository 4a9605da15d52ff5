//! Header access that works the way PEC needs it: names matched ASCII case-insensitively
//! (`X-Tiporicevuta` exists in the wild), values read from the raw bytes and unfolded, addresses and
//! dates converted to plain types.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use mail_parser::{Address, Header, HeaderValue, Message};
use serde::Serialize;

/// A mailbox: display name and address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mailbox {
    pub name: Option<String>,
    pub address: String,
}

/// Unfold and trim a raw header value; invalid UTF-8 is replaced, not rejected.
pub fn unfold(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        let line = line.trim_end();
        if i > 0 {
            out.push(' ');
            out.push_str(line.trim_start());
        } else {
            out.push_str(line);
        }
    }
    out.trim().to_string()
}

fn find<'a, 'x>(headers: &'a [Header<'x>], name: &str) -> Option<&'a Header<'x>> {
    headers.iter().find(|h| h.name().eq_ignore_ascii_case(name))
}

/// The raw (unfolded) value of the first header called `name` in `headers`, whose offsets point
/// into `raw`. Empty values count as absent.
pub fn raw_value(headers: &[Header<'_>], raw: &[u8], name: &str) -> Option<String> {
    let h = find(headers, name)?;
    let bytes = raw.get(h.offset_start as usize..h.offset_end as usize)?;
    let v = unfold(bytes);
    (!v.is_empty()).then_some(v)
}

/// Top-level header of `msg` (case-insensitive), raw and unfolded.
pub fn message_header(msg: &Message<'_>, name: &str) -> Option<String> {
    raw_value(msg.headers(), &msg.raw_message, name)
}

/// All mailboxes of an address header value.
pub fn mailboxes(value: Option<&HeaderValue<'_>>) -> Vec<Mailbox> {
    let Some(addr) = value.and_then(HeaderValue::as_address) else {
        return Vec::new();
    };
    let list: Vec<_> = match addr {
        Address::List(l) => l.iter().collect(),
        Address::Group(g) => g.iter().flat_map(|g| g.addresses.iter()).collect(),
    };
    list.into_iter()
        .filter_map(|a| {
            let address = a.address.as_deref()?.trim().to_string();
            (!address.is_empty()).then(|| Mailbox {
                name: a
                    .name
                    .as_deref()
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(String::from),
                address,
            })
        })
        .collect()
}

/// Mailboxes of the top-level header `name` (known address headers only: From, To, Cc, Reply-To...).
pub fn address_header(msg: &Message<'_>, name: &str) -> Vec<Mailbox> {
    mailboxes(find(msg.headers(), name).map(|h| h.value()))
}

/// Convert mail-parser's date to a timezone-aware chrono timestamp.
pub fn to_chrono(d: &mail_parser::DateTime) -> Option<DateTime<FixedOffset>> {
    let secs = i32::from(d.tz_hour) * 3600 + i32::from(d.tz_minute) * 60;
    let offset = FixedOffset::east_opt(if d.tz_before_gmt { -secs } else { secs })?;
    let naive = NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))?
        .and_hms_opt(u32::from(d.hour), u32::from(d.minute), u32::from(d.second))?;
    offset.from_local_datetime(&naive).single()
}

/// The real sender named in an envelope's From display name: `"Per conto di: x@y" <...>` (PEC) or
/// `"On behalf of: x@y" <...>` (REM).
pub fn on_behalf_of(from: &Mailbox) -> Option<String> {
    let name = from.name.as_deref()?;
    for lead in ["per conto di:", "on behalf of:"] {
        if name.len() >= lead.len()
            && name
                .as_bytes()
                .get(..lead.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(lead.as_bytes()))
        {
            let rest = name.get(lead.len()..)?.trim();
            let rest = rest.trim_start_matches('<').trim_end_matches('>').trim();
            return (!rest.is_empty()).then(|| rest.to_string());
        }
    }
    None
}

/// `<id@host>` → `id@host` (trimmed); used to compare Message-IDs from headers and daticert.
pub fn normalize_message_id(id: &str) -> String {
    id.trim()
        .trim_start_matches("&lt;")
        .trim_end_matches("&gt;")
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfolds() {
        assert_eq!(unfold(b" a\r\n\tb \r\n c"), "a b c");
    }

    #[test]
    fn behalf() {
        let m = Mailbox {
            name: Some("Per conto di: sdi48@pec.fatturapa.it".into()),
            address: "posta-certificata@pcert.sogei.it".into(),
        };
        assert_eq!(on_behalf_of(&m).as_deref(), Some("sdi48@pec.fatturapa.it"));
        let r = Mailbox {
            name: Some("On behalf of: a@b.it".into()),
            address: "rem-service@x".into(),
        };
        assert_eq!(on_behalf_of(&r).as_deref(), Some("a@b.it"));
        let plain = Mailbox {
            name: Some("Mario".into()),
            address: "m@x".into(),
        };
        assert_eq!(on_behalf_of(&plain), None);
    }

    #[test]
    fn message_ids() {
        assert_eq!(normalize_message_id(" <a@b> "), "a@b");
    }
}
