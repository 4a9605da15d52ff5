//! Helpers shared by the store and sync tests: temporary directories and synthetic PEC messages.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

/// A fresh empty directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let p = std::env::temp_dir().join(format!(
            "pec-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }
    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An account on loopback servers, for stores that never connect.
pub fn account_config(address: &str) -> pec_core::accounts::AccountConfig {
    pec_core::accounts::AccountConfig::offline(address)
}

/// A small deterministic generator (xorshift64) for seeded hostile inputs: the same seed gives the
/// same input on every machine.
pub struct XorShift(pub u64);

impl XorShift {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// An account on a loopback IMAP server at `imap` (a Dovecot or a proxy in front of it) whose
/// certificate chains to `ca`.
pub fn loopback_account(
    address: &str,
    imap: std::net::SocketAddr,
    ca: &std::path::Path,
) -> pec_core::accounts::AccountConfig {
    pec_core::accounts::AccountConfig {
        imap_host: imap.ip().to_string(),
        imap_port: imap.port(),
        smtp_host: imap.ip().to_string(),
        ca_file: Some(ca.to_path_buf()),
        ..account_config(address)
    }
}

/// The account of `address` on the PEC sandbox `sb`: its IMAP and SMTP servers, its CA for TLS.
pub fn sandbox_account(
    sb: &pec_sandbox::Sandbox,
    address: &str,
) -> pec_core::accounts::AccountConfig {
    pec_core::accounts::AccountConfig {
        smtp_host: sb.smtp_addr.ip().to_string(),
        smtp_port: sb.smtp_addr.port(),
        ..loopback_account(address, sb.imap_addr(), &sb.state.ca_file)
    }
}

/// A message whose body is `depth` multiparts nested in one another, `headers` (each ending in
/// CRLF) on top.
pub fn nested_multipart(headers: &str, depth: usize) -> Vec<u8> {
    let mut m = format!("{headers}MIME-Version: 1.0\r\n");
    for i in 0..depth {
        m.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"
        ));
    }
    m.push_str("Content-Type: text/plain\r\n\r\nfondo\r\n");
    for i in (0..depth).rev() {
        m.push_str(&format!("--b{i}--\r\n"));
    }
    m.into_bytes()
}

/// A plain message as the client sends it.
pub fn plain(
    from: &str,
    to: &[&str],
    subject: &str,
    message_id: &str,
    date: &str,
    body: &str,
) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {}\r\nSubject: {subject}\r\nMessage-ID: <{message_id}>\r\nDate: {date}\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n",
        to.join(", ")
    )
    .into_bytes()
}

/// A PEC receipt (`X-Ricevuta: tipo`) carrying a daticert.xml, signed by the test provider (a
/// store trusts it only with [`test_trust`]).
pub fn receipt(
    tipo: &str,
    ref_mid: &str,
    ident: &str,
    consegna: Option<&str>,
    errore: &str,
    ora: &str,
    sender: &str,
) -> Vec<u8> {
    signed(&unsigned_receipt(
        tipo, ref_mid, ident, consegna, errore, ora, sender,
    ))
}

/// The same receipt without a signature: what anyone can write.
pub fn unsigned_receipt(
    tipo: &str,
    ref_mid: &str,
    ident: &str,
    consegna: Option<&str>,
    errore: &str,
    ora: &str,
    sender: &str,
) -> Vec<u8> {
    let prefix = match tipo {
        "accettazione" => "ACCETTAZIONE",
        "avvenuta-consegna" => "CONSEGNA",
        "errore-consegna" => "AVVISO DI MANCATA CONSEGNA",
        "preavviso-errore-consegna" => "AVVISO DI MANCATA CONSEGNA PER SUP. TEMPO MASSIMO",
        "non-accettazione" => "AVVISO DI NON ACCETTAZIONE",
        _ => "RICEVUTA",
    };
    let consegna_xml = consegna
        .map(|c| format!("<consegna>{c}</consegna>"))
        .unwrap_or_default();
    let esteso = if errore == "nessuno" {
        String::new()
    } else {
        "<errore-esteso>5.1.1 - indirizzo non valido</errore-esteso>".into()
    };
    let daticert = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<postacert tipo=\"{tipo}\" errore=\"{errore}\">\
         <intestazione><mittente>{sender}</mittente><destinatari tipo=\"certificato\">{}</destinatari>\
         <risposte>{sender}</risposte><oggetto>Prova</oggetto></intestazione>\
         <dati><gestore-emittente>Sandbox PEC</gestore-emittente>\
         <data zona=\"+0100\"><giorno>14/11/2024</giorno><ora>{ora}</ora></data>\
         <identificativo>{ident}</identificativo><msgid>&lt;{ref_mid}&gt;</msgid>{consegna_xml}{esteso}</dati></postacert>",
        consegna.unwrap_or("x@pec.example")
    );
    format!(
        "From: posta-certificata@pec.example\r\nTo: {sender}\r\nSubject: {prefix}: Prova\r\n\
         Message-ID: <{tipo}-{ident}-{}@pec.example>\r\nDate: Thu, 14 Nov 2024 18:26:32 +0100\r\n\
         X-Ricevuta: {tipo}\r\nX-Riferimento-Message-ID: <{ref_mid}>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\n\
         Ricevuta {tipo}\r\n--b1\r\nContent-Type: application/xml; name=\"daticert.xml\"\r\n\
         Content-Disposition: attachment; filename=\"daticert.xml\"\r\n\r\n{daticert}\r\n--b1--\r\n",
        consegna.unwrap_or("all")
    )
    .into_bytes()
}

/// A transport envelope with an original message (and optionally an SDI invoice attachment).
pub fn envelope(
    sender: &str,
    to: &str,
    subject: &str,
    ident: &str,
    body: &str,
    invoice: Option<&str>,
) -> Vec<u8> {
    let inv = invoice
        .map(|name| {
            format!(
                "--b2\r\nContent-Type: application/xml; name=\"{name}\"\r\n\
                 Content-Disposition: attachment; filename=\"{name}\"\r\n\r\n<FatturaElettronica/>\r\n"
            )
        })
        .unwrap_or_default();
    format!(
        "From: \"Per conto di: {sender}\" <posta-certificata@pec.example>\r\nReply-To: {sender}\r\nTo: {to}\r\n\
         Subject: POSTA CERTIFICATA: {subject}\r\nMessage-ID: <{ident}>\r\nDate: Fri, 15 Nov 2024 09:00:00 +0100\r\n\
         X-Trasporto: posta-certificata\r\nX-Riferimento-Message-ID: <orig-{ident}>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\n\
         Messaggio di posta certificata\r\n--b1\r\nContent-Type: message/rfc822; name=\"postacert.eml\"\r\n\
         Content-Disposition: attachment; filename=\"postacert.eml\"\r\n\r\n\
         From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <orig-{ident}>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b2\"\r\n\r\n--b2\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         {body}\r\n{inv}--b2--\r\n\r\n--b1--\r\n"
    )
    .into_bytes()
}

/// The test PEC provider: a signer under a fresh test root, trusted by [`test_trust`] only.
struct TestProvider {
    root_pem: String,
    provider: pec_sandbox::pec::Provider,
}

fn test_provider() -> &'static TestProvider {
    static P: std::sync::OnceLock<TestProvider> = std::sync::OnceLock::new();
    P.get_or_init(|| {
        let pki = pec_test_harness::Pki::generate().expect("test PKI");
        let signer = pki
            .provider_signer("Sandbox PEC", "pec.example")
            .expect("provider signer");
        TestProvider {
            root_pem: pki.root_pem(),
            provider: pec_sandbox::pec::Provider::from_signer(&signer).expect("provider"),
        }
    })
}

/// A receiver that trusts the test provider (see [`test_trust`]).
pub fn trusted() -> pec_core::receive::Receiver {
    static R: std::sync::OnceLock<pec_core::receive::Receiver> = std::sync::OnceLock::new();
    R.get_or_init(|| pec_core::receive::Receiver::new(test_trust()))
        .clone()
}

/// The test provider's root certificate (PEM), for callers that add it as an anchor themselves.
pub fn test_root_pem() -> String {
    test_provider().root_pem.clone()
}

/// The bundled trust list plus the test provider's root, explicitly, as a PEC-provider anchor.
pub fn test_trust() -> pec_core::signature::TrustStore {
    pec_core::signature::TrustStore::bundled()
        .with_anchor_pem(
            test_provider().root_pem.as_bytes(),
            pec_core::signature::AnchorRole::PecProviders,
        )
        .expect("test root")
}

/// `raw` (CRLF, a `Content-Type` header and a body) signed by the test provider: the outer
/// headers stay outside, the content becomes the first part of a `multipart/signed`.
pub fn signed(raw: &[u8]) -> Vec<u8> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header block");
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let body = &raw[end + 4..];
    let (mut outer, mut content_headers) = (String::new(), String::new());
    let mut in_content = false;
    for line in head.split("\r\n") {
        if !(line.starts_with(' ') || line.starts_with('\t')) {
            let name = line
                .split(':')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            in_content = name.starts_with("content-");
            if name == "mime-version" {
                continue;
            }
        }
        let target = if in_content {
            &mut content_headers
        } else {
            &mut outer
        };
        target.push_str(line);
        target.push_str("\r\n");
    }
    let mut content = format!("{content_headers}\r\n").into_bytes();
    // S/MIME signs the canonical form: CRLF line ends (a bare LF would be rewritten in transit).
    let body = String::from_utf8_lossy(body)
        .replace("\r\n", "\n")
        .replace('\n', "\r\n");
    content.extend_from_slice(body.as_bytes());
    // The CRLF before the next boundary belongs to the delimiter, not to the signed content.
    while content.ends_with(b"\r\n") {
        content.truncate(content.len() - 2);
    }
    let p7s = test_provider().provider.sign(&content).expect("sign");
    let b64 = base64_lines(&p7s);
    let mut out = format!(
        "{outer}MIME-Version: 1.0\r\nContent-Type: multipart/signed; protocol=\"application/x-pkcs7-signature\"; \
         micalg=\"sha-256\"; boundary=\"signed-b\"\r\n\r\n--signed-b\r\n"
    )
    .into_bytes();
    out.extend_from_slice(&content);
    out.extend_from_slice(
        format!(
            "\r\n--signed-b\r\nContent-Type: application/x-pkcs7-signature; name=\"smime.p7s\"\r\n\
             Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"smime.p7s\"\r\n\r\n\
             {b64}\r\n--signed-b--\r\n"
        )
        .as_bytes(),
    );
    out
}

fn base64_lines(data: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(data);
    b64.as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n")
}
