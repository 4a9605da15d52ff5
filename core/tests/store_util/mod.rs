//! Helpers shared by the store and sync tests: temporary directories and synthetic PEC messages.
#![allow(dead_code)]

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
    pec_core::accounts::AccountConfig {
        address: address.into(),
        display_name: None,
        imap_host: "localhost".into(),
        imap_port: 993,
        smtp_host: "localhost".into(),
        smtp_port: 465,
        ca_file: None,
    }
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

/// A PEC receipt (`X-Ricevuta: tipo`) carrying a daticert.xml.
pub fn receipt(
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
