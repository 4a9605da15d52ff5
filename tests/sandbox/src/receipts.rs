//! The messages a PEC provider sends: busta di trasporto, ricevute, avvisi, busta di anomalia.
//! Texts follow the Aruba 2018 samples (accettazione, consegna) and the errore-consegna sample.

use chrono::{DateTime, FixedOffset};
use mail_parser::MimeHeaders;
use sha2::Digest;

use crate::SandboxError;
use crate::pec::{
    Errore, Original, Outer, Provider, Tipo, TipoRicevuta, build_signed, daticert, encode_header,
    rfc5322,
};

fn date_line(at: &DateTime<FixedOffset>) -> String {
    format!(
        "Il giorno {} alle ore {} ({})",
        at.format("%d/%m/%Y"),
        at.format("%H:%M:%S"),
        at.format("%z")
    )
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn html_page(title: &str, body: &str) -> String {
    format!(
        "<html>\n<head><title>{title}</title></head>\n<body>\n<h3>{title}</h3>\n<hr><br>\n{body}</body>\n</html>\n"
    )
}

fn receipt_headers(
    p: &Provider,
    subject: &str,
    orig: &Original,
    at: &DateTime<FixedOffset>,
    x_ricevuta: &str,
) -> Vec<(String, String)> {
    let mut h = vec![("Subject".to_string(), encode_header(subject))];
    if !orig.msgid.is_empty() {
        h.push(("X-Riferimento-Message-ID".into(), orig.msgid.clone()));
    }
    h.push(("Date".into(), rfc5322(at)));
    h.push(("To".into(), orig.mittente.clone()));
    h.push(("X-Ricevuta".into(), x_ricevuta.into()));
    h.push(("From".into(), p.address()));
    h
}

fn dest_list(orig: &Original) -> String {
    orig.destinatari
        .iter()
        .map(|d| {
            format!(
                "{} (\"{}\")",
                d.address,
                if d.certificato {
                    "posta certificata"
                } else {
                    "posta ordinaria"
                }
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Ricevuta di accettazione (no postacert.eml).
pub fn accettazione(
    p: &Provider,
    orig: &Original,
    id: &str,
    at: &DateTime<FixedOffset>,
) -> Result<Vec<u8>, SandboxError> {
    let first = orig
        .destinatari
        .first()
        .map(|d| d.address.clone())
        .unwrap_or_default();
    let text = format!(
        "-- Ricevuta di accettazione del messaggio indirizzato a {first} (\"posta certificata\") --\n\n{} il messaggio con Oggetto\n\"{}\" inviato da \"{}\"\ned indirizzato a:\n{}\nè stato accettato dal sistema ed inoltrato.\nIdentificativo del messaggio: {id}\nL'allegato daticert.xml contiene informazioni di servizio sulla trasmissione\n",
        date_line(at),
        orig.oggetto,
        orig.mittente,
        dest_list(orig)
    );
    let html = html_page(
        "Ricevuta di accettazione",
        &format!(
            "{} il messaggio<br>\n&quot;{}&quot; proveniente da &quot;{}&quot;<br>\ned indirizzato a:<br>\n{}\n<br><br>\nIl messaggio &egrave; stato accettato dal sistema ed inoltrato.<br>\nIdentificativo messaggio: {id}<br>\n",
            date_line(at),
            html_escape(&orig.oggetto),
            html_escape(&orig.mittente),
            html_escape(&dest_list(orig)).replace('\n', "<br>\n")
        ),
    );
    let d = daticert(
        p,
        Tipo::Accettazione,
        Errore::Nessuno,
        orig,
        at,
        id,
        None,
        None,
        None,
    );
    build_signed(
        p,
        &Outer {
            headers: receipt_headers(
                p,
                &format!("ACCETTAZIONE: {}", orig.oggetto),
                orig,
                at,
                "accettazione",
            ),
            message_id: p.new_receipt_message_id(at),
            text_plain: text,
            text_html: html,
            daticert: Some(d),
            postacert: None,
        },
    )
}

/// Avviso di non accettazione (`errore` virus or altro), with the reason in errore-esteso.
pub fn non_accettazione(
    p: &Provider,
    orig: &Original,
    id: &str,
    at: &DateTime<FixedOffset>,
    errore: Errore,
    reason: &str,
) -> Result<Vec<u8>, SandboxError> {
    let virus = errore == Errore::Virus;
    let subject = if virus {
        format!("AVVISO DI NON ACCETTAZIONE PER VIRUS: {}", orig.oggetto)
    } else {
        format!("AVVISO DI NON ACCETTAZIONE: {}", orig.oggetto)
    };
    let text = format!(
        "--Avviso di non accettazione del messaggio--\n\n{} nel messaggio con Oggetto\n\"{}\" inviato da \"{}\"\nè stato rilevato un problema che ne impedisce l'accettazione\na causa di {}.\nIl messaggio non è stato accettato.\nIdentificativo del messaggio: {id}\n",
        date_line(at),
        orig.oggetto,
        orig.mittente,
        reason
    );
    let html = html_page(
        "Avviso di non accettazione",
        &format!(
            "{} nel messaggio<br>\n&quot;{}&quot; proveniente da &quot;{}&quot;<br>\n&egrave; stato rilevato un problema che ne impedisce l'accettazione a causa di <b>{}</b>.<br>\nIl messaggio non &egrave; stato accettato.<br>\nIdentificativo messaggio: {id}<br>\n",
            date_line(at),
            html_escape(&orig.oggetto),
            html_escape(&orig.mittente),
            html_escape(reason)
        ),
    );
    let d = daticert(
        p,
        Tipo::NonAccettazione,
        errore,
        orig,
        at,
        id,
        None,
        None,
        Some(reason),
    );
    build_signed(
        p,
        &Outer {
            headers: receipt_headers(p, &subject, orig, at, "non-accettazione"),
            message_id: p.new_receipt_message_id(at),
            text_plain: text,
            text_html: html,
            daticert: Some(d),
            postacert: None,
        },
    )
}

/// Ricevuta di avvenuta consegna for one recipient. `postacert` is the original (completa), the
/// original with attachments replaced by hashes (breve), or None (sintetica, Cc recipients).
#[allow(clippy::too_many_arguments)]
pub fn avvenuta_consegna(
    p: &Provider,
    orig: &Original,
    id: &str,
    at: &DateTime<FixedOffset>,
    rcpt: &str,
    tipo: TipoRicevuta,
    postacert: Option<&[u8]>,
) -> Result<Vec<u8>, SandboxError> {
    let mut text = format!(
        "-- Ricevuta di avvenuta consegna del messaggio indirizzato a {rcpt} \"posta certificata\" --\n\n{} il messaggio con Oggetto\n\"{}\" inviato da \"{}\"\ned indirizzato a \"{rcpt}\"\nè stato correttamente consegnato al destinatario.\nIdentificativo del messaggio: {id}\n",
        date_line(at),
        orig.oggetto,
        orig.mittente
    );
    if postacert.is_some() {
        text.push_str("Il messaggio originale è incluso in allegato, per aprirlo cliccare sul file \"postacert.eml\" (nella webmail o in alcuni client di posta l'allegato potrebbe avere come nome l'oggetto del messaggio originale).\n");
    }
    text.push_str("L'allegato daticert.xml contiene informazioni di servizio sulla trasmissione\n");
    let html = html_page(
        "Ricevuta di avvenuta consegna",
        &format!(
            "{} il messaggio<br>\n&quot;{}&quot; proveniente da &quot;{}&quot;<br>\ned indirizzato a &quot;{}&quot;<br>\n&egrave; stato consegnato nella casella di destinazione.<br>\nIdentificativo messaggio: {id}<br>\n",
            date_line(at),
            html_escape(&orig.oggetto),
            html_escape(&orig.mittente),
            html_escape(rcpt)
        ),
    );
    let d = daticert(
        p,
        Tipo::AvvenutaConsegna,
        Errore::Nessuno,
        orig,
        at,
        id,
        Some(tipo),
        Some(rcpt),
        None,
    );
    build_signed(
        p,
        &Outer {
            headers: receipt_headers(
                p,
                &format!("CONSEGNA: {}", orig.oggetto),
                orig,
                at,
                "avvenuta-consegna",
            ),
            message_id: p.new_receipt_message_id(at),
            text_plain: text,
            text_html: html,
            daticert: Some(d),
            postacert,
        },
    )
}

/// Which delivery-failure notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Immediate errore-consegna (no-dest, no-dominio, virus, altro).
    Immediate,
    /// preavviso-errore-consegna: not delivered within the first time limit (12 h).
    Preavviso,
    /// errore-consegna after the final time limit (24 h).
    TempoMassimo,
}

/// Avviso di mancata consegna (or its preavviso) for one recipient.
#[allow(clippy::too_many_arguments)]
pub fn errore_consegna(
    p: &Provider,
    orig: &Original,
    id: &str,
    at: &DateTime<FixedOffset>,
    rcpt: &str,
    errore: Errore,
    esteso: &str,
    kind: Failure,
) -> Result<Vec<u8>, SandboxError> {
    let (subject, x_ric, tipo, title) = match kind {
        Failure::Immediate if errore == Errore::Virus => (
            format!("AVVISO DI MANCATA CONSEGNA PER VIRUS: {}", orig.oggetto),
            "errore-consegna",
            Tipo::ErroreConsegna,
            "Avviso di mancata consegna per virus",
        ),
        Failure::Immediate => (
            format!("AVVISO DI MANCATA CONSEGNA: {}", orig.oggetto),
            "errore-consegna",
            Tipo::ErroreConsegna,
            "Avviso di mancata consegna",
        ),
        Failure::Preavviso => (
            format!(
                "AVVISO DI MANCATA CONSEGNA PER SUP. TEMPO MASSIMO: {}",
                orig.oggetto
            ),
            "preavviso-errore-consegna",
            Tipo::PreavvisoErroreConsegna,
            "Preavviso di mancata consegna",
        ),
        Failure::TempoMassimo => (
            format!(
                "AVVISO DI MANCATA CONSEGNA PER SUP. TEMPO MASSIMO: {}",
                orig.oggetto
            ),
            "errore-consegna",
            Tipo::ErroreConsegna,
            "Avviso di mancata consegna per superamento tempo massimo",
        ),
    };
    let outcome = match kind {
        Failure::Preavviso => {
            "Il messaggio non è stato ancora consegnato: il sistema continuerà a tentare la consegna."
        }
        _ => "Il messaggio è stato rifiutato dal sistema.",
    };
    let text = format!(
        "--{title} del messaggio--\n\n{} nel messaggio con Oggetto\n\"{}\" inviato da \"{}\"\ne destinato all'utente\n\"{rcpt}\"\nè stato rilevato il seguente errore:\n{esteso}\n{outcome}\nIdentificativo del messaggio: {id}\n",
        date_line(at),
        orig.oggetto,
        orig.mittente
    );
    let html = html_page(
        title,
        &format!(
            "{} nel messaggio<br>\n&quot;{}&quot; proveniente da &quot;{}&quot;<br>\ne destinato all'utente &quot;{}&quot;<br>\n&egrave; stato rilevato un errore: <b>{}</b><br>\n{}<br>\nIdentificativo messaggio: {id}<br>\n",
            date_line(at),
            html_escape(&orig.oggetto),
            html_escape(&orig.mittente),
            html_escape(rcpt),
            html_escape(esteso),
            html_escape(outcome)
                .replace('è', "&egrave;")
                .replace('à', "&agrave;")
        ),
    );
    let d = daticert(
        p,
        tipo,
        errore,
        orig,
        at,
        id,
        None,
        Some(rcpt),
        Some(esteso),
    );
    build_signed(
        p,
        &Outer {
            headers: receipt_headers(p, &subject, orig, at, x_ric),
            message_id: p.new_receipt_message_id(at),
            text_plain: text,
            text_html: html,
            daticert: Some(d),
            postacert: None,
        },
    )
}

/// Busta di trasporto: what the recipients get.
pub fn busta_trasporto(
    p: &Provider,
    orig: &Original,
    id: &str,
    at: &DateTime<FixedOffset>,
    tipo_ricevuta: TipoRicevuta,
    postacert: &[u8],
    extra_headers: &[(String, String)],
) -> Result<Vec<u8>, SandboxError> {
    let dest = orig
        .destinatari
        .iter()
        .map(|d| d.address.clone())
        .collect::<Vec<_>>()
        .join("\n");
    let text = format!(
        "--Questo è un Messaggio di Posta Certificata--\n\n{} il messaggio con Oggetto\n\"{}\" è stato inviato dal mittente \"{}\"\ne indirizzato a:\n{dest}\nIl messaggio originale è incluso in allegato, per aprirlo cliccare sul file \"postacert.eml\" (nella webmail o in alcuni client di posta l'allegato potrebbe avere come nome l'oggetto del messaggio originale).\nL'allegato daticert.xml contiene informazioni di servizio sulla trasmissione\nL'identificativo univoco di questo messaggio è: {id}\n",
        date_line(at),
        orig.oggetto,
        orig.mittente
    );
    let html = html_page(
        "Messaggio di posta certificata",
        &format!(
            "{} il messaggio<br>\n&quot;{}&quot; &egrave; stato inviato da &quot;{}&quot;<br>\nindirizzato a:<br>\n{}<br>\nIl messaggio originale &egrave; incluso in allegato.<br>\nIdentificativo messaggio: {id}<br>\n",
            date_line(at),
            html_escape(&orig.oggetto),
            html_escape(&orig.mittente),
            html_escape(&dest).replace('\n', "<br>\n")
        ),
    );
    let d = daticert(
        p,
        Tipo::PostaCertificata,
        Errore::Nessuno,
        orig,
        at,
        id,
        Some(tipo_ricevuta),
        None,
        None,
    );
    let mut h: Vec<(String, String)> = extra_headers.to_vec();
    h.push((
        "Subject".into(),
        encode_header(&format!("POSTA CERTIFICATA: {}", orig.oggetto)),
    ));
    if !orig.msgid.is_empty() {
        h.push(("X-Riferimento-Message-ID".into(), orig.msgid.clone()));
    }
    h.push(("Date".into(), rfc5322(at)));
    h.push(("Reply-To".into(), orig.risposte.clone()));
    h.push(("X-Trasporto".into(), "posta-certificata".into()));
    h.push(("To".into(), orig.to_header.clone()));
    if let Some(cc) = &orig.cc_header {
        h.push(("Cc".into(), cc.clone()));
    }
    h.push((
        "From".into(),
        format!("\"Per conto di: {}\" <{}>", orig.mittente, p.address()),
    ));
    h.push(("X-TipoRicevuta".into(), tipo_ricevuta.as_str().into()));
    build_signed(
        p,
        &Outer {
            headers: h,
            message_id: id.to_string(),
            text_plain: text,
            text_html: html,
            daticert: Some(d),
            postacert: Some(postacert),
        },
    )
}

/// Busta di anomalia: non-certified mail received for a PEC mailbox, wrapped and signed. It carries
/// the original as postacert.eml and no daticert.xml (the DTD has no "anomalia" type).
pub fn anomalia(
    p: &Provider,
    orig: &Original,
    at: &DateTime<FixedOffset>,
    rcpt: &str,
) -> Result<Vec<u8>, SandboxError> {
    let id = p.new_identificativo(at);
    let text = format!(
        "--Anomalia nel messaggio--\n\n{} è stato ricevuto il messaggio \"{}\"\nproveniente da \"{}\" e indirizzato a:\n{rcpt}\nTali dati non sono stati certificati per il seguente errore:\nil messaggio non è un messaggio di posta certificata.\nIl messaggio originale è incluso in allegato.\nIdentificativo messaggio: {id}\n",
        date_line(at),
        orig.oggetto,
        orig.mittente
    );
    let html = html_page(
        "Anomalia nel messaggio",
        &format!(
            "{} &egrave; stato ricevuto il messaggio<br>\n&quot;{}&quot; proveniente da &quot;{}&quot;<br>\nindirizzato a: {}<br>\nTali dati non sono stati certificati: il messaggio non &egrave; un messaggio di posta certificata.<br>\nIl messaggio originale &egrave; incluso in allegato.<br>\n",
            date_line(at),
            html_escape(&orig.oggetto),
            html_escape(&orig.mittente),
            html_escape(rcpt)
        ),
    );
    let mut h = vec![(
        "Subject".to_string(),
        encode_header(&format!("ANOMALIA MESSAGGIO: {}", orig.oggetto)),
    )];
    if !orig.msgid.is_empty() {
        h.push(("X-Riferimento-Message-ID".into(), orig.msgid.clone()));
    }
    h.push(("Date".into(), rfc5322(at)));
    h.push(("Reply-To".into(), orig.risposte.clone()));
    h.push(("X-Trasporto".into(), "errore".into()));
    h.push(("To".into(), orig.to_header.clone()));
    h.push((
        "From".into(),
        format!("\"Per conto di: {}\" <{}>", orig.mittente, p.address()),
    ));
    build_signed(
        p,
        &Outer {
            headers: h,
            message_id: id,
            text_plain: text,
            text_html: html,
            daticert: None,
            postacert: Some(&orig.raw),
        },
    )
}

/// The original for a "breve" receipt: every attachment replaced by a small text part carrying its
/// SHA-256 (`<name>.hash`), the rest untouched.
pub fn breve_original(postacert: &[u8]) -> Vec<u8> {
    let Some(msg) = mail_parser::MessageParser::default().parse(postacert) else {
        return postacert.to_vec();
    };
    let mut ranges: Vec<(usize, usize, Vec<u8>)> = Vec::new();
    for part in msg.parts.iter() {
        let is_leaf = matches!(
            part.body,
            mail_parser::PartType::Binary(_)
                | mail_parser::PartType::InlineBinary(_)
                | mail_parser::PartType::Text(_)
                | mail_parser::PartType::Html(_)
        );
        let name = part.attachment_name();
        let is_attachment = name.is_some()
            || part
                .content_disposition()
                .is_some_and(|d| d.ctype().eq_ignore_ascii_case("attachment"));
        if !is_leaf || !is_attachment || part.offset_header == 0 {
            continue;
        }
        let name = name.unwrap_or("allegato").to_string();
        let digest = sha2::Sha256::digest(part.contents());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let slice = &postacert[part.offset_header as usize..part.offset_end as usize];
        let mut rep = format!(
            "Content-Type: text/plain; charset=\"us-ascii\"; name=\"{name}.hash\"\r\nContent-Disposition: attachment; filename=\"{name}.hash\"\r\nContent-Transfer-Encoding: 7bit\r\n\r\nSHA-256 {hex} {name}\r\n"
        )
        .into_bytes();
        if !slice.ends_with(b"\r\n") {
            rep.truncate(rep.len() - 2);
        }
        ranges.push((part.offset_header as usize, part.offset_end as usize, rep));
    }
    ranges.sort_by_key(|r| std::cmp::Reverse(r.0));
    let mut out = postacert.to_vec();
    for (s, e, rep) in ranges {
        if s < e && e <= out.len() {
            out.splice(s..e, rep);
        }
    }
    out
}
