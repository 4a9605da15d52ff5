//! Submission through SMTP (lettre), results read over IMAP (async-imap): envelope, accettazione,
//! avvenuta-consegna for every receipt type, asserted on the real bytes.

use crate::common;

use common::*;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Attachment, MultiPart, SinglePart, header::ContentType};

const PDF: &[u8] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\ncontratto di prova\n";

fn attachment(raw: &[u8], name: &str) -> Option<Vec<u8>> {
    use mail_parser::MimeHeaders;
    let m = mail_parser::MessageParser::default().parse(raw)?;
    m.attachments()
        .find(|a| a.attachment_name() == Some(name))
        .map(|a| a.contents().to_vec())
}

fn message(
    to: &[&str],
    cc: &[&str],
    subject: &str,
    msgid: &str,
    tipo: Option<&str>,
) -> lettre::Message {
    let mut b = lettre::Message::builder()
        .from(U1.0.parse().unwrap())
        .subject(subject)
        .message_id(Some(msgid.to_string()));
    for t in to {
        b = b.to(t.parse().unwrap());
    }
    for c in cc {
        b = b.cc(c.parse().unwrap());
    }
    let mut m = b
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(
                    "Buongiorno,\r\n.riga che inizia con un punto\r\nsaluti".to_string(),
                ))
                .singlepart(
                    Attachment::new("contratto.pdf".into())
                        .body(PDF.to_vec(), ContentType::parse("application/pdf").unwrap()),
                ),
        )
        .unwrap();
    if let Some(t) = tipo {
        m.headers_mut().insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("X-TipoRicevuta"),
            t.to_string(),
        ));
    }
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completa_envelope_accettazione_consegna_and_cc_sintetica() {
    let Some(sb) = start("completa", fast_options()).await else {
        return;
    };
    let msgid = "<prova-completa-1@client.test>";
    send(
        &sb,
        U1,
        message(&[U2.0], &[U3.0], "Contratto fornitura", msgid, None),
    )
    .await
    .expect("send accepted");

    // Sender: accettazione + one avvenuta-consegna per recipient.
    let sent = wait_inbox(&sb, U1, 3).await;
    assert_eq!(sent.len(), 3);
    let acc = by_kind(&sent, "X-Ricevuta", "accettazione");
    assert_eq!(acc.len(), 1);
    let acc = acc[0];
    assert_eq!(subject(acc), "ACCETTAZIONE: Contratto fornitura");
    assert_eq!(
        header(acc, "From").unwrap(),
        "posta-certificata@pec.sandbox.test"
    );
    assert_eq!(header(acc, "To").unwrap(), U1.0);
    assert_eq!(header(acc, "X-Riferimento-Message-ID").unwrap(), msgid);
    let p = pec(acc);
    assert_eq!(p.outer_ctype, "multipart/signed");
    assert!(p.has_signature && p.alternative);
    assert!(p.postacert.is_none(), "accettazione carries no original");
    let d = p.daticert.expect("daticert");
    assert_eq!(xml_attr(&d, "postacert", "tipo").unwrap(), "accettazione");
    assert_eq!(xml_attr(&d, "postacert", "errore").unwrap(), "nessuno");
    assert_eq!(xml_text(&d, "mittente").unwrap(), U1.0);
    assert!(d.contains(&format!(
        "<destinatari tipo=\"certificato\">{}</destinatari>",
        U2.0
    )));
    assert!(d.contains(&format!(
        "<destinatari tipo=\"certificato\">{}</destinatari>",
        U3.0
    )));
    assert_eq!(
        xml_text(&d, "gestore-emittente").unwrap(),
        "SANDBOX PEC S.p.A."
    );
    assert_eq!(
        xml_text(&d, "msgid").unwrap(),
        "&lt;prova-completa-1@client.test&gt;"
    );
    let ident = xml_text(&d, "identificativo").unwrap();
    assert!(
        ident.starts_with("opec") && ident.ends_with("@pec.sandbox.test"),
        "{ident}"
    );
    let zona = xml_attr(&d, "data", "zona").unwrap();
    assert!(zona == "+0100" || zona == "+0200", "{zona}");
    verify_signature(acc).expect("accettazione signature");

    let cons = by_kind(&sent, "X-Ricevuta", "avvenuta-consegna");
    assert_eq!(cons.len(), 2);
    for c in &cons {
        assert_eq!(subject(c), "CONSEGNA: Contratto fornitura");
        verify_signature(c).expect("consegna signature");
        let p = pec(c);
        let d = p.daticert.clone().unwrap();
        assert_eq!(xml_text(&d, "identificativo").unwrap(), ident);
        let to = xml_text(&d, "consegna").unwrap();
        if to == U2.0 {
            assert!(d.contains("<ricevuta tipo=\"completa\" />"));
            let orig = p.postacert.expect("completa carries the original");
            assert_eq!(header(&orig, "Message-ID").unwrap(), format!("<{ident}>"));
            assert_eq!(header(&orig, "X-Riferimento-Message-ID").unwrap(), msgid);
            let text = String::from_utf8_lossy(&orig);
            assert!(text.contains("contratto.pdf"));
        } else {
            assert_eq!(to, U3.0);
            // Cc recipients' receipts do not carry the original.
            assert!(d.contains("<ricevuta tipo=\"sintetica\" />"));
            assert!(p.postacert.is_none());
        }
    }

    // Recipients: the busta di trasporto.
    for u in [U2, U3] {
        let got = wait_inbox(&sb, u, 1).await;
        let env = &got[0];
        assert_eq!(subject(env), "POSTA CERTIFICATA: Contratto fornitura");
        assert_eq!(header(env, "X-Trasporto").unwrap(), "posta-certificata");
        assert_eq!(
            header(env, "From").unwrap(),
            "\"Per conto di: utente1@pec.sandbox.test\" <posta-certificata@pec.sandbox.test>"
        );
        assert_eq!(header(env, "Reply-To").unwrap(), U1.0);
        assert_eq!(header(env, "X-Riferimento-Message-ID").unwrap(), msgid);
        assert_eq!(header(env, "X-TipoRicevuta").unwrap(), "completa");
        assert_eq!(header(env, "Message-ID").unwrap(), format!("<{ident}>"));
        assert!(header(env, "X-Ricevuta").is_none());
        let p = pec(env);
        assert!(p.has_signature && p.alternative);
        let d = p.daticert.unwrap();
        assert_eq!(
            xml_attr(&d, "postacert", "tipo").unwrap(),
            "posta-certificata"
        );
        assert_eq!(xml_text(&d, "identificativo").unwrap(), ident);
        assert_eq!(xml_text(&d, "oggetto").unwrap(), "Contratto fornitura");
        let orig = p.postacert.expect("postacert.eml");
        let text = String::from_utf8_lossy(&orig);
        assert!(text.contains("\r\n..riga che inizia") || text.contains("riga che inizia"));
        assert!(
            !text.contains("\n..riga"),
            "dot-unstuffing must remove the extra dot"
        );
        // Canonical CRLF everywhere in the signed message.
        assert!(
            !env.windows(2).any(|w| w[1] == b'\n' && w[0] != b'\r'),
            "bare LF"
        );
        verify_signature(env).expect("envelope signature");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn breve_and_sintetica() {
    let Some(sb) = start("breve_and_sintetica", fast_options()).await else {
        return;
    };
    send(
        &sb,
        U1,
        message(&[U2.0], &[], "Breve", "<breve@client.test>", Some("breve")),
    )
    .await
    .unwrap();
    send(
        &sb,
        U1,
        message(
            &[U2.0],
            &[],
            "Sintetica",
            "<sint@client.test>",
            Some("sintetica"),
        ),
    )
    .await
    .unwrap();
    let sent = wait_inbox(&sb, U1, 4).await;
    let cons = by_kind(&sent, "X-Ricevuta", "avvenuta-consegna");
    assert_eq!(cons.len(), 2);
    for c in cons {
        let p = pec(c);
        let d = p.daticert.unwrap();
        verify_signature(c).unwrap();
        if subject(c) == "CONSEGNA: Breve" {
            assert!(d.contains("<ricevuta tipo=\"breve\" />"));
            let orig = String::from_utf8_lossy(&p.postacert.expect("breve carries the original"))
                .to_string();
            assert!(
                orig.contains("contratto.pdf.hash"),
                "attachment replaced by its hash"
            );
            assert!(orig.contains("SHA-256 "));
            assert!(
                attachment(orig.as_bytes(), "contratto.pdf").is_none(),
                "attachment must be gone"
            );
        } else {
            assert_eq!(subject(c), "CONSEGNA: Sintetica");
            assert!(d.contains("<ricevuta tipo=\"sintetica\" />"));
            assert!(p.postacert.is_none());
        }
    }
    let got = wait_inbox(&sb, U2, 2).await;
    let tipi: Vec<String> = got
        .iter()
        .map(|m| header(m, "X-TipoRicevuta").unwrap())
        .collect();
    assert!(tipi.contains(&"breve".to_string()) && tipi.contains(&"sintetica".to_string()));
    // The recipient always gets the full original.
    for m in &got {
        let orig = pec(m).postacert.unwrap();
        assert_eq!(attachment(&orig, "contratto.pdf").unwrap(), PDF);
    }
}
