//! Shared helpers for the sandbox integration tests: start, send with lettre, read with async-imap,
//! inspect PEC messages.

use std::time::{Duration, Instant};

use futures::TryStreamExt;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use mail_parser::{MessageParser, MimeHeaders, PartType};
use pec_sandbox::{Options, Sandbox};

pub const U1: (&str, &str) = ("utente1@pec.sandbox.test", "password1");
pub const U2: (&str, &str) = ("utente2@pec.sandbox.test", "password2");
pub const U3: (&str, &str) = ("utente3@pec.sandbox.test", "password3");
pub const EXT: (&str, &str) = ("esterno@posta.example", "esterno");

/// Start a sandbox, or `None` (skip) when dovecot is missing outside CI.
pub async fn start(test: &str, opts: Options) -> Option<Sandbox> {
    pec_test_harness::dovecot_or_skip(test)?;
    Some(Sandbox::start(opts).await.expect("sandbox starts"))
}

/// A lettre transport to the sandbox's SMTP (implicit TLS, sandbox root only).
pub fn transport(sb: &Sandbox, creds: Option<(&str, &str)>) -> AsyncSmtpTransport<Tokio1Executor> {
    transport_at(sb, sb.smtp_addr.port(), creds)
}

/// A lettre transport to `127.0.0.1:port` (e.g. a fault proxy in front of the sandbox).
pub fn transport_at(
    sb: &Sandbox,
    port: u16,
    creds: Option<(&str, &str)>,
) -> AsyncSmtpTransport<Tokio1Executor> {
    let cert = Certificate::from_pem(sb.ca_pem().as_bytes()).expect("ca pem");
    let tls = TlsParameters::builder("127.0.0.1".to_string())
        .certificate_store(CertificateStore::None)
        .add_root_certificate(cert)
        .build_rustls()
        .expect("tls params");
    let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(port)
        .tls(Tls::Wrapper(tls))
        .timeout(Some(Duration::from_secs(60)));
    if let Some((u, p)) = creds {
        b = b.credentials(Credentials::new(u.to_string(), p.to_string()));
    }
    b.build()
}

/// Send raw bytes with an explicit envelope; returns the SMTP error text on failure.
pub async fn send_raw(
    sb: &Sandbox,
    creds: Option<(&str, &str)>,
    from: &str,
    to: &[&str],
    raw: &[u8],
) -> Result<(), String> {
    let env = lettre::address::Envelope::new(
        Some(from.parse().unwrap()),
        to.iter().map(|t| t.parse().unwrap()).collect(),
    )
    .unwrap();
    let t = transport(sb, creds);
    tokio::time::timeout(Duration::from_secs(120), t.send_raw(&env, raw))
        .await
        .map_err(|_| "timeout".to_string())?
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Send a lettre message.
pub async fn send(sb: &Sandbox, creds: (&str, &str), m: lettre::Message) -> Result<(), String> {
    let t = transport(sb, Some(creds));
    tokio::time::timeout(Duration::from_secs(120), t.send(m))
        .await
        .map_err(|_| "timeout".to_string())?
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Wait (up to 90 s) until `user`'s INBOX holds at least `n` messages; return all of them.
pub async fn wait_inbox(sb: &Sandbox, user: (&str, &str), n: usize) -> Vec<Vec<u8>> {
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut s = sb.dovecot.imap_login(user.0, user.1).await.expect("login");
    loop {
        let mb = s.select("INBOX").await.expect("select");
        if mb.exists as usize >= n {
            let msgs: Vec<_> = s
                .fetch("1:*", "BODY.PEEK[]")
                .await
                .expect("fetch")
                .try_collect()
                .await
                .expect("fetch stream");
            let out: Vec<Vec<u8>> = msgs
                .iter()
                .map(|m| m.body().expect("body").to_vec())
                .collect();
            s.logout().await.ok();
            return out;
        }
        assert!(
            Instant::now() < deadline,
            "{}: {} messages after 90 s, wanted {n}",
            user.0,
            mb.exists
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A top-level header's raw value (trimmed, unfolded), case-insensitive name.
pub fn header(raw: &[u8], name: &str) -> Option<String> {
    let m = MessageParser::default().parse(raw)?;
    m.header_raw(name)
        .map(|v| v.replace("\r\n", "").replace('\n', "").trim().to_string())
}

/// Decoded subject.
pub fn subject(raw: &[u8]) -> String {
    MessageParser::default()
        .parse(raw)
        .and_then(|m| m.subject().map(str::to_string))
        .unwrap_or_default()
}

/// Pick the single message whose X-Ricevuta (or X-Trasporto) is `kind`.
pub fn by_kind<'a>(msgs: &'a [Vec<u8>], header_name: &str, kind: &str) -> Vec<&'a Vec<u8>> {
    msgs.iter()
        .filter(|m| header(m, header_name).as_deref() == Some(kind))
        .collect()
}

/// Structure of a PEC message as a parser sees it.
#[derive(Debug)]
pub struct Pec {
    pub daticert: Option<String>,
    pub postacert: Option<Vec<u8>>,
    pub has_signature: bool,
    pub outer_ctype: String,
    pub alternative: bool,
}

pub fn pec(raw: &[u8]) -> Pec {
    let m = MessageParser::default().parse(raw).expect("parse");
    let outer_ctype = m
        .content_type()
        .map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or("")))
        .unwrap_or_default();
    let mut p = Pec {
        daticert: None,
        postacert: None,
        has_signature: false,
        outer_ctype,
        alternative: false,
    };
    for part in m.parts.iter() {
        let ct = part
            .content_type()
            .map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or("")))
            .unwrap_or_default();
        if ct == "multipart/alternative" {
            p.alternative = true;
        }
        match part.attachment_name() {
            Some("daticert.xml") => {
                p.daticert = Some(String::from_utf8(part.contents().to_vec()).unwrap())
            }
            Some("smime.p7s") => {
                p.has_signature = ct == "application/x-pkcs7-signature";
            }
            Some("postacert.eml") => {
                if let PartType::Message(inner) = &part.body {
                    p.postacert = Some(inner.raw_message().to_vec());
                }
            }
            _ => {}
        }
    }
    p
}

/// Text of the first `<tag>` element in an XML string.
pub fn xml_text(xml: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let s = xml.find(&open)? + open.len();
    let e = xml[s..].find(&format!("</{tag}>"))? + s;
    Some(xml[s..e].to_string())
}

/// Value of attribute `attr` on the first `<tag ...>`.
pub fn xml_attr(xml: &str, tag: &str, attr: &str) -> Option<String> {
    let s = xml.find(&format!("<{tag} "))?;
    let end = xml[s..].find('>')? + s;
    let el = &xml[s..end];
    let a = el.find(&format!("{attr}=\""))? + attr.len() + 2;
    let b = el[a..].find('"')? + a;
    Some(el[a..b].to_string())
}

/// Verify the detached S/MIME signature over the exact signed bytes (CMS signature and digest).
pub fn verify_signature(raw: &[u8]) -> Result<(), String> {
    let m = MessageParser::default().parse(raw).ok_or("parse")?;
    let signed = m.parts.get(1).ok_or("no first part")?;
    let content = &raw[signed.offset_header as usize..signed.offset_end as usize];
    let sig = m
        .parts
        .iter()
        .find(|p| p.attachment_name() == Some("smime.p7s"))
        .ok_or("no smime.p7s")?;
    let sd = cryptographic_message_syntax::SignedData::parse_ber(sig.contents())
        .map_err(|e| e.to_string())?;
    let mut n = 0;
    for signer in sd.signers() {
        signer
            .verify_signature_with_signed_data(&sd)
            .map_err(|e| e.to_string())?;
        // mail-parser's part may or may not include the CRLF that belongs to the next boundary
        // delimiter; the signed entity (RFC 1847) excludes it.
        let stripped = content.strip_suffix(b"\r\n").unwrap_or(content);
        signer
            .verify_message_digest_with_content(content)
            .or_else(|_| signer.verify_message_digest_with_content(stripped))
            .map_err(|e| format!("digest: {e}"))?;
        n += 1;
    }
    if n == 0 {
        return Err("no signer".into());
    }
    Ok(())
}

/// The sandbox options with short slow-domain delays.
pub fn fast_options() -> Options {
    let mut o = Options::default();
    o.policy.slow_preavviso_after = Duration::from_secs(1);
    o.policy.slow_errore_after = Duration::from_secs(2);
    o
}
