//! PEC message construction: identificativi, daticert.xml, buste di trasporto, ricevute, anomalie,
//! S/MIME signature. Layout, header order and texts follow the Aruba 2018 samples in
//! `shared/corpus/pec/OCA_l10n-italy/16.0` (see tests/README.md).

use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine;
use chrono::{DateTime, Datelike, FixedOffset, TimeZone, Utc};
use cryptographic_message_syntax::asn1::rfc5652::OID_ID_DATA;
use cryptographic_message_syntax::{Bytes, Oid, SignedDataBuilder, SignerBuilder};
use pec_test_harness::ProviderSigner;
use x509_certificate::{CapturedX509Certificate, InMemorySigningKeyPair};

use crate::SandboxError;

static SEQ: AtomicU64 = AtomicU64::new(1);

fn next_seq() -> u64 {
    SEQ.fetch_add(1, Ordering::SeqCst)
}

/// A provider that signs envelopes and receipts.
pub struct Provider {
    /// "SANDBOX PEC S.p.A." (daticert `gestore-emittente`).
    pub name: String,
    /// Domain of `posta-certificata@...` and of the identificativi.
    pub domain: String,
    key: InMemorySigningKeyPair,
    cert: CapturedX509Certificate,
    ca1: CapturedX509Certificate,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("name", &self.name)
            .field("domain", &self.domain)
            .finish_non_exhaustive()
    }
}

impl Provider {
    pub fn from_signer(s: &ProviderSigner) -> Result<Provider, SandboxError> {
        let key = InMemorySigningKeyPair::from_pkcs8_der(&s.leaf.key_der)
            .map_err(|e| SandboxError::Crypto(e.to_string()))?;
        let cert = CapturedX509Certificate::from_der(s.leaf.cert_der.clone())
            .map_err(|e| SandboxError::Crypto(e.to_string()))?;
        let ca1 = CapturedX509Certificate::from_der(s.ca1_der.clone())
            .map_err(|e| SandboxError::Crypto(e.to_string()))?;
        Ok(Provider {
            name: s.name.clone(),
            domain: s.domain.clone(),
            key,
            cert,
            ca1,
        })
    }

    /// `posta-certificata@<domain>`.
    pub fn address(&self) -> String {
        format!("posta-certificata@{}", self.domain)
    }

    /// Detached CMS signature (DER) over `content`.
    pub fn sign(&self, content: &[u8]) -> Result<Vec<u8>, SandboxError> {
        let der = SignedDataBuilder::default()
            .content_type(Oid(Bytes::copy_from_slice(OID_ID_DATA.as_ref())))
            .content_external(content.to_vec())
            .signer(SignerBuilder::new(&self.key, self.cert.clone()))
            .build_der()
            .map_err(|e| SandboxError::Crypto(e.to_string()))?;
        // The builder re-encodes certificates (adding NULL algorithm parameters), which breaks
        // their signatures: put the exact DER of the signer and CA1 back in.
        replace_certificates(
            &der,
            &[self.ca1.constructed_data(), self.cert.constructed_data()],
        )
        .ok_or_else(|| SandboxError::Crypto("unexpected CMS layout".into()))
    }

    /// A new PEC identificativo, Aruba style: `opec<node>.<yyyymmddhhmmss>.<pid>.<seq>.1.<n>@<domain>`.
    pub fn new_identificativo(&self, at: &DateTime<FixedOffset>) -> String {
        let seq = next_seq();
        format!(
            "opec210.{}.{:05}.{}.1.{}@{}",
            at.format("%Y%m%d%H%M%S"),
            std::process::id() % 100_000,
            seq,
            (seq * 7 + 13) % 97,
            self.domain
        )
    }

    /// Message-ID of a receipt (differs from the identificativo, as at Aruba).
    pub fn new_receipt_message_id(&self, at: &DateTime<FixedOffset>) -> String {
        let seq = next_seq();
        format!(
            "opec210.{}.{:05}.{}.1.{}.{}@{}",
            at.format("%Y%m%d%H%M%S"),
            std::process::id() % 100_000,
            seq,
            seq % 1000,
            (seq * 11 + 5) % 97,
            self.domain
        )
    }
}

/// (tag, header length, content length) of the DER TLV at the start of `d`.
fn tlv(d: &[u8]) -> Option<(u8, usize, usize)> {
    let tag = *d.first()?;
    let l0 = *d.get(1)? as usize;
    if l0 < 0x80 {
        return Some((tag, 2, l0));
    }
    let n = l0 & 0x7f;
    if n == 0 || n > 4 {
        return None;
    }
    let mut len = 0usize;
    for i in 0..n {
        len = (len << 8) | *d.get(2 + i)? as usize;
    }
    Some((tag, 2 + n, len))
}

fn der_wrap(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(content);
    out
}

fn children(d: &[u8]) -> Option<Vec<&[u8]>> {
    let mut out = Vec::new();
    let mut rest = d;
    while !rest.is_empty() {
        let (_, h, l) = tlv(rest)?;
        if rest.len() < h + l {
            return None;
        }
        out.push(&rest[..h + l]);
        rest = &rest[h + l..];
    }
    Some(out)
}

/// Rebuild ContentInfo(SignedData) with `certs` (exact DER) as its certificate set.
fn replace_certificates(der: &[u8], certs: &[&[u8]]) -> Option<Vec<u8>> {
    let (_, h, l) = tlv(der)?;
    let ci = children(der.get(h..h + l)?)?;
    let (oid, explicit) = (ci.first()?, ci.get(1)?);
    let (_, eh, el) = tlv(explicit)?;
    let sd = &explicit[eh..eh + el];
    let (_, sh, sl) = tlv(sd)?;
    let items = children(&sd[sh..sh + sl])?;
    let mut body = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if item.first() == Some(&0xA0) {
            continue;
        }
        body.extend_from_slice(item);
        if i == 2 {
            body.extend_from_slice(&der_wrap(0xA0, &certs.concat()));
        }
    }
    let signed_data = der_wrap(0x30, &body);
    let mut ci_body = oid.to_vec();
    ci_body.extend_from_slice(&der_wrap(0xA0, &signed_data));
    Some(der_wrap(0x30, &ci_body))
}

/// Italian civil time (CET/CEST, EU rule), as providers stamp it.
pub fn italy_now() -> DateTime<FixedOffset> {
    italy_time(Utc::now())
}

fn last_sunday(year: i32, month: u32) -> DateTime<Utc> {
    let mut d = Utc
        .with_ymd_and_hms(year, month, 31, 1, 0, 0)
        .single()
        .expect("valid date");
    while d.weekday() != chrono::Weekday::Sun {
        d -= chrono::Duration::days(1);
    }
    d
}

/// Convert to Italian civil time.
pub fn italy_time(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    let start = last_sunday(t.year(), 3);
    let end = last_sunday(t.year(), 10);
    let hours = if t >= start && t < end { 2 } else { 1 };
    t.with_timezone(&FixedOffset::east_opt(hours * 3600).expect("offset"))
}

/// RFC 5322 date as providers write it: `Tue, 13 Nov 2018 16:39:26 +0100`.
pub fn rfc5322(t: &DateTime<FixedOffset>) -> String {
    t.format("%a, %-d %b %Y %H:%M:%S %z").to_string()
}

/// XML escaping for text and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '"' => o.push_str("&quot;"),
            c => o.push(c),
        }
    }
    o
}

/// Encode a header value as RFC 2047 when it is not plain ASCII.
pub fn encode_header(value: &str) -> String {
    if value.is_ascii() {
        value.to_string()
    } else {
        format!(
            "=?UTF-8?B?{}?=",
            base64::engine::general_purpose::STANDARD.encode(value.as_bytes())
        )
    }
}

/// Receipt kinds (daticert `tipo`) the sandbox issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tipo {
    Accettazione,
    NonAccettazione,
    AvvenutaConsegna,
    ErroreConsegna,
    PreavvisoErroreConsegna,
    PostaCertificata,
}

impl Tipo {
    pub fn as_str(self) -> &'static str {
        match self {
            Tipo::Accettazione => "accettazione",
            Tipo::NonAccettazione => "non-accettazione",
            Tipo::AvvenutaConsegna => "avvenuta-consegna",
            Tipo::ErroreConsegna => "errore-consegna",
            Tipo::PreavvisoErroreConsegna => "preavviso-errore-consegna",
            Tipo::PostaCertificata => "posta-certificata",
        }
    }
}

/// daticert `errore`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Errore {
    Nessuno,
    NoDest,
    NoDominio,
    Virus,
    Altro,
}

impl Errore {
    pub fn as_str(self) -> &'static str {
        match self {
            Errore::Nessuno => "nessuno",
            Errore::NoDest => "no-dest",
            Errore::NoDominio => "no-dominio",
            Errore::Virus => "virus",
            Errore::Altro => "altro",
        }
    }
}

/// Receipt type the sender chose (`X-TipoRicevuta`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TipoRicevuta {
    Completa,
    Breve,
    Sintetica,
}

impl TipoRicevuta {
    pub fn parse(s: &str) -> TipoRicevuta {
        match s.trim().to_ascii_lowercase().as_str() {
            "breve" => TipoRicevuta::Breve,
            "sintetica" => TipoRicevuta::Sintetica,
            _ => TipoRicevuta::Completa,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            TipoRicevuta::Completa => "completa",
            TipoRicevuta::Breve => "breve",
            TipoRicevuta::Sintetica => "sintetica",
        }
    }
}

/// One `<destinatari>` entry.
#[derive(Debug, Clone)]
pub struct Destinatario {
    pub address: String,
    pub certificato: bool,
}

/// What the original message says, as daticert needs it.
#[derive(Debug, Clone)]
pub struct Original {
    /// Envelope/From sender.
    pub mittente: String,
    /// To and Cc recipients in header order.
    pub destinatari: Vec<Destinatario>,
    /// Reply-To (or the sender).
    pub risposte: String,
    pub oggetto: String,
    /// The client's Message-ID with angle brackets (may be empty).
    pub msgid: String,
    /// The original bytes (CRLF).
    pub raw: Vec<u8>,
    /// Original To and Cc header values (unfolded), for the envelope headers.
    pub to_header: String,
    pub cc_header: Option<String>,
}

/// daticert.xml content, Aruba layout (4-space indent, LF line ends, `<ricevuta tipo="x" />`).
#[allow(clippy::too_many_arguments)]
pub fn daticert(
    provider: &Provider,
    tipo: Tipo,
    errore: Errore,
    orig: &Original,
    at: &DateTime<FixedOffset>,
    identificativo: &str,
    ricevuta: Option<TipoRicevuta>,
    consegna: Option<&str>,
    errore_esteso: Option<&str>,
) -> String {
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(&format!(
        "<postacert tipo=\"{}\" errore=\"{}\">\n",
        tipo.as_str(),
        errore.as_str()
    ));
    x.push_str("    <intestazione>\n");
    x.push_str(&format!(
        "        <mittente>{}</mittente>\n",
        xml_escape(&orig.mittente)
    ));
    for d in &orig.destinatari {
        x.push_str(&format!(
            "        <destinatari tipo=\"{}\">{}</destinatari>\n",
            if d.certificato {
                "certificato"
            } else {
                "esterno"
            },
            xml_escape(&d.address)
        ));
    }
    x.push_str(&format!(
        "        <risposte>{}</risposte>\n",
        xml_escape(&orig.risposte)
    ));
    x.push_str(&format!(
        "        <oggetto>{}</oggetto>\n",
        xml_escape(&orig.oggetto)
    ));
    x.push_str("    </intestazione>\n");
    x.push_str("    <dati>\n");
    x.push_str(&format!(
        "        <gestore-emittente>{}</gestore-emittente>\n",
        xml_escape(&provider.name)
    ));
    x.push_str(&format!("        <data zona=\"{}\">\n", at.format("%z")));
    x.push_str(&format!(
        "            <giorno>{}</giorno>\n",
        at.format("%d/%m/%Y")
    ));
    x.push_str(&format!(
        "            <ora>{}</ora>\n",
        at.format("%H:%M:%S")
    ));
    x.push_str("        </data>\n");
    x.push_str(&format!(
        "        <identificativo>{}</identificativo>\n",
        xml_escape(identificativo)
    ));
    if !orig.msgid.is_empty() {
        x.push_str(&format!(
            "        <msgid>{}</msgid>\n",
            xml_escape(&orig.msgid)
        ));
    }
    if let Some(r) = ricevuta {
        x.push_str(&format!("        <ricevuta tipo=\"{}\" />\n", r.as_str()));
    }
    if let Some(c) = consegna {
        x.push_str(&format!("        <consegna>{}</consegna>\n", xml_escape(c)));
    }
    if let Some(e) = errore_esteso {
        x.push_str(&format!(
            "        <errore-esteso>{}</errore-esteso>\n",
            xml_escape(e)
        ));
    }
    x.push_str("    </dati>\n");
    x.push_str("</postacert>\n");
    x
}

/// Quoted-printable encoding (iso-8859-1 text), 76-column soft breaks, CRLF line ends.
pub fn quoted_printable_latin1(text: &str) -> String {
    let mut out = String::new();
    for line in text.split('\n') {
        let mut cur = String::new();
        let bytes: Vec<u8> = line
            .chars()
            .map(|c| {
                if (c as u32) < 256 {
                    c as u32 as u8
                } else {
                    b'?'
                }
            })
            .collect();
        let n = bytes.len();
        for (i, &b) in bytes.iter().enumerate() {
            let last = i + 1 == n;
            let enc = if b == b'='
                || b >= 127
                || (b < 32 && b != b'\t')
                || (last && (b == b' ' || b == b'\t'))
            {
                format!("={b:02X}")
            } else {
                (b as char).to_string()
            };
            if cur.len() + enc.len() > 75 {
                out.push_str(&cur);
                out.push_str("=\r\n");
                cur.clear();
            }
            cur.push_str(&enc);
        }
        out.push_str(&cur);
        out.push_str("\r\n");
    }
    out
}

fn base64_lines(data: &[u8], width: usize) -> String {
    let enc = base64::engine::general_purpose::STANDARD.encode(data);
    let mut out = String::with_capacity(enc.len() + enc.len() / width * 2 + 2);
    for chunk in enc.as_bytes().chunks(width) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ascii"));
        out.push_str("\r\n");
    }
    out
}

/// Normalise any line endings to CRLF.
pub fn to_crlf(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 40);
    let mut prev = 0u8;
    for &b in data {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        prev = b;
    }
    out
}

/// What goes into one signed PEC message.
pub struct Outer<'a> {
    /// Top-level headers, in order, before MIME-Version/Content-Type/Message-ID.
    pub headers: Vec<(String, String)>,
    pub message_id: String,
    pub text_plain: String,
    pub text_html: String,
    pub daticert: Option<String>,
    /// postacert.eml (CRLF bytes) or None.
    pub postacert: Option<&'a [u8]>,
}

/// Assemble and sign: `multipart/signed` ⊃ `multipart/mixed` ⊃ (`multipart/alternative`,
/// daticert.xml, postacert.eml) + smime.p7s. Returns CRLF bytes.
pub fn build_signed(provider: &Provider, o: &Outer<'_>) -> Result<Vec<u8>, SandboxError> {
    let t = Utc::now().timestamp();
    let pid = std::process::id();
    let n = next_seq();
    let mixed = format!("----------=_{t}-{pid}-{n}");
    let alt = format!("----------=_{t}-{pid}-{}", n + 1);
    let signed_b = format!("----{:032X}", rand_u128(n));

    let mut inner: Vec<u8> = Vec::new();
    let mut w = |s: &str| inner.extend_from_slice(s.as_bytes());
    w(&format!(
        "Content-Type: multipart/mixed; boundary=\"{mixed}\"\r\nContent-Transfer-Encoding: binary\r\nMIME-Version: 1.0\r\n\r\n"
    ));
    w(&format!("--{mixed}\r\n"));
    w(&format!(
        "Content-Type: multipart/alternative;\r\n boundary=\"{alt}\"\r\nContent-Transfer-Encoding: binary\r\n\r\n"
    ));
    w(&format!("--{alt}\r\n"));
    w(
        "Content-Type: text/plain; charset=\"iso-8859-1\"\r\nContent-Disposition: inline\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n",
    );
    w(&quoted_printable_latin1(&o.text_plain));
    w(&format!("\r\n--{alt}\r\n"));
    w(
        "Content-Type: text/html; charset=\"iso-8859-1\"\r\nContent-Disposition: inline\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n",
    );
    w(&quoted_printable_latin1(&o.text_html));
    w(&format!("\r\n--{alt}--\r\n"));
    if let Some(d) = &o.daticert {
        w(&format!("\r\n--{mixed}\r\n"));
        w(
            "Content-Type: application/xml; name=\"daticert.xml\"\r\nContent-Disposition: inline; filename=\"daticert.xml\"\r\nContent-Transfer-Encoding: base64\r\n\r\n",
        );
        w(&base64_lines(d.as_bytes(), 60));
    }
    if let Some(p) = o.postacert {
        w(&format!("\r\n--{mixed}\r\n"));
        let cte = if p.is_ascii() { "7bit" } else { "8bit" };
        w(&format!(
            "Content-Type: message/rfc822; name=\"postacert.eml\"\r\nContent-Disposition: inline; filename=\"postacert.eml\"\r\nContent-Transfer-Encoding: {cte}\r\n\r\n"
        ));
        inner.extend_from_slice(p);
        if !p.ends_with(b"\r\n") {
            inner.extend_from_slice(b"\r\n");
        }
    }
    inner.extend_from_slice(format!("\r\n--{mixed}--\r\n").as_bytes());

    let sig = provider.sign(&inner)?;

    let mut out: Vec<u8> = Vec::with_capacity(inner.len() + sig.len() * 2 + 2048);
    for (k, v) in &o.headers {
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(b"MIME-Version: 1.0\r\n");
    out.extend_from_slice(format!("Content-Type: multipart/signed; protocol=\"application/x-pkcs7-signature\"; micalg=\"sha-256\"; boundary=\"{signed_b}\"\r\n").as_bytes());
    out.extend_from_slice(format!("Message-ID: <{}>\r\n", o.message_id).as_bytes());
    out.extend_from_slice(b"\r\nThis is an S/MIME signed message\r\n\r\n");
    out.extend_from_slice(format!("--{signed_b}\r\n").as_bytes());
    out.extend_from_slice(&inner);
    out.extend_from_slice(format!("\r\n--{signed_b}\r\n").as_bytes());
    out.extend_from_slice(b"Content-Type: application/x-pkcs7-signature; name=\"smime.p7s\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"smime.p7s\"\r\n\r\n");
    out.extend_from_slice(base64_lines(&sig, 64).as_bytes());
    out.extend_from_slice(format!("\r\n--{signed_b}--\r\n").as_bytes());
    Ok(out)
}

fn rand_u128(salt: u64) -> u128 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(salt);
    h.write_u128(Utc::now().timestamp_nanos_opt().unwrap_or(0) as u128);
    let a = h.finish();
    h.write_u64(a);
    ((a as u128) << 64) | h.finish() as u128
}

/// A `Received:` line as the provider's SMTP front end writes it.
pub fn received(from_host: &str, by: &str, rcpt: &str, at: &DateTime<FixedOffset>) -> String {
    let id = format!("{:012X}", rand_u128(next_seq()) & 0xFFFF_FFFF_FFFF);
    format!(
        "from {from_host} (localhost [127.0.0.1])\r\n\t(using TLSv1.3)\r\n\tby {by} (pec-sandbox) with ESMTPSA id {id}\r\n\tfor <{rcpt}>; {}",
        rfc5322(at)
    )
}

/// The original as it travels inside postacert.eml: a `Received:` line first, the client's
/// Message-ID replaced by the identificativo and the original one kept in `X-Riferimento-Message-ID`
/// (as in the Aruba samples).
pub fn postacert_eml(orig: &Original, identificativo: &str, received_line: &str) -> Vec<u8> {
    let raw = &orig.raw;
    let split = find_header_end(raw);
    let (head, body) = raw.split_at(split);
    let mut out = Vec::with_capacity(raw.len() + 400);
    out.extend_from_slice(format!("Received: {received_line}\r\n").as_bytes());
    // Copy headers except Message-ID (and any folded continuation of it).
    let text = String::from_utf8_lossy(head);
    let mut skipping = false;
    for line in text.split_inclusive("\r\n") {
        if line == "\r\n" {
            continue;
        }
        let cont = line.starts_with(' ') || line.starts_with('\t');
        if !cont {
            skipping = line.to_ascii_lowercase().starts_with("message-id:")
                || line
                    .to_ascii_lowercase()
                    .starts_with("x-riferimento-message-id:")
                || line.to_ascii_lowercase().starts_with("bcc:");
        }
        if !skipping {
            out.extend_from_slice(line.as_bytes());
        }
    }
    out.extend_from_slice(format!("Message-ID: <{identificativo}>\r\n").as_bytes());
    if !orig.msgid.is_empty() {
        out.extend_from_slice(format!("X-Riferimento-Message-ID: {}\r\n", orig.msgid).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// Index just after the blank line that ends the header block (or the end).
pub fn find_header_end(raw: &[u8]) -> usize {
    if raw.starts_with(b"\r\n") {
        return 2;
    }
    raw.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 4)
        .unwrap_or(raw.len())
}
