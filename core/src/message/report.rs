//! A report of what an analysed file is, for people ([`describe`]) and as JSON ([`facts_json`]):
//! what `pec inspect` prints and a "technical details" screen can show.

use super::{Daticert, Document, Kind, PartRole, PecMessage, RemEvidence};
use serde_json::{Map, Value, json};

fn put(map: &mut Map<String, Value>, key: &str, value: Option<impl Into<Value>>) {
    if let Some(v) = value {
        map.insert(key.to_string(), v.into());
    }
}

/// The facts of one analysed file as a JSON object: exactly the keys of the corpus's
/// `pec/expected.toml`, where they apply (`kind`, `receipt`, `receipt_type`, `error`,
/// `identificativo`, `msgid`, `riferimento_message_id`, `has_original`, `signature`, `signer_cn`,
/// `provider`, `subject`, `date`, `recipients`, `rem_event`, `sdi_notification`,
/// `invoice_attached`), plus for messages the evidence checks `certified`, `rewrapped` and
/// `header_mismatches` (`[{header, header_value, daticert_value}]`). A bare daticert's
/// `provider` is its `gestore-emittente` (a message's is the signer's domain).
pub fn facts_json(doc: &Document) -> Map<String, Value> {
    let mut m = Map::new();
    match doc {
        Document::Message(msg) => message_json(&mut m, msg),
        Document::Daticert(d) => daticert_json(&mut m, d),
        Document::Evidence(e) => evidence_json(&mut m, e),
    }
    m
}

fn message_json(m: &mut Map<String, Value>, msg: &PecMessage) {
    let is_pec = matches!(msg.kind, Kind::Envelope | Kind::Anomaly | Kind::Receipt);
    m.insert("kind".into(), msg.kind.as_str().into());
    put(m, "receipt", msg.receipt.map(|r| r.as_str()));
    if is_pec {
        m.insert(
            "receipt_type".into(),
            msg.receipt_type.map_or("none", |r| r.as_str()).into(),
        );
    }
    put(m, "error", msg.error.map(|e| e.as_str()));
    put(m, "identificativo", msg.correlation.identificativo.clone());
    put(m, "msgid", msg.correlation.msgid.clone());
    put(
        m,
        "riferimento_message_id",
        msg.correlation.riferimento_message_id.clone(),
    );
    m.insert("has_original".into(), msg.has_original.into());
    put(m, "signature", msg.signature.status.map(|s| s.as_str()));
    put(m, "signer_cn", msg.signature.signer_cn.clone());
    put(m, "provider", msg.signature.provider.clone());
    m.insert("certified".into(), msg.certified.into());
    m.insert("rewrapped".into(), msg.rewrapped.into());
    m.insert(
        "header_mismatches".into(),
        Value::Array(
            msg.header_mismatches
                .iter()
                .map(|x| {
                    json!({"header": x.header, "header_value": x.header_value,
                           "daticert_value": x.daticert_value})
                })
                .collect(),
        ),
    );
    m.insert("subject".into(), msg.subject.clone().into());
    put(m, "date", msg.date.map(|d| d.to_rfc3339()));
    m.insert(
        "recipients".into(),
        Value::Array(
            msg.recipients
                .iter()
                .map(|r| json!({"address": r.address, "tipo": r.tipo.map(|t| t.as_str())}))
                .collect(),
        ),
    );
    put(
        m,
        "rem_event",
        msg.rem.as_ref().and_then(|r| r.event).map(|e| e.as_str()),
    );
    put(
        m,
        "sdi_notification",
        msg.sdi
            .as_ref()
            .and_then(|s| s.notification)
            .map(|n| n.as_str()),
    );
    m.insert(
        "invoice_attached".into(),
        msg.sdi.as_ref().is_some_and(|s| s.invoice_attached).into(),
    );
}

fn daticert_json(m: &mut Map<String, Value>, d: &Daticert) {
    let kind = if d.receipt.is_some() {
        Some("receipt")
    } else if d.tipo.eq_ignore_ascii_case("posta-certificata") {
        Some("envelope")
    } else {
        None
    };
    put(m, "kind", kind);
    put(m, "receipt", d.receipt.map(|r| r.as_str()));
    m.insert(
        "receipt_type".into(),
        d.ricevuta.map_or("none", |r| r.as_str()).into(),
    );
    put(m, "error", d.errore.map(|e| e.as_str()));
    put(m, "identificativo", d.identificativo.clone());
    put(m, "msgid", d.msgid.clone());
    put(m, "provider", d.gestore_emittente.clone());
    put(m, "subject", d.oggetto.clone());
    put(m, "date", d.data.map(|t| t.to_rfc3339()));
    m.insert(
        "recipients".into(),
        Value::Array(
            d.destinatari
                .iter()
                .map(|r| json!({"address": r.address, "tipo": r.tipo.map(|t| t.as_str())}))
                .collect(),
        ),
    );
}

fn evidence_json(m: &mut Map<String, Value>, e: &RemEvidence) {
    m.insert("kind".into(), "rem".into());
    put(m, "rem_event", e.event.map(|ev| ev.as_str()));
    put(m, "date", e.event_time.map(|t| t.to_rfc3339()));
    m.insert(
        "recipients".into(),
        Value::Array(
            e.recipients
                .iter()
                .map(|r| json!({"address": r, "tipo": Value::Null}))
                .collect(),
        ),
    );
}

fn line(out: &mut String, label: &str, value: impl AsRef<str>) {
    let v = value.as_ref();
    if !v.is_empty() {
        out.push_str(&format!("  {label:<16}{v}\n"));
    }
}

fn opt(v: Option<&str>) -> &str {
    v.unwrap_or("")
}

/// The analysis for people: one `  label          value` line per fact, the original message of an
/// envelope indented below it.
pub fn describe(doc: &Document) -> String {
    let mut out = String::new();
    match doc {
        Document::Message(msg) => message_human(&mut out, msg, 0),
        Document::Daticert(d) => {
            line(&mut out, "document", "daticert.xml");
            line(&mut out, "tipo", &d.tipo);
            line(&mut out, "errore", opt(d.errore_raw.as_deref()));
            line(&mut out, "mittente", opt(d.mittente.as_deref()));
            for r in &d.destinatari {
                line(
                    &mut out,
                    "destinatario",
                    format!("{} ({})", r.address, r.tipo.map_or("?", |t| t.as_str())),
                );
            }
            line(&mut out, "oggetto", opt(d.oggetto.as_deref()));
            line(&mut out, "gestore", opt(d.gestore_emittente.as_deref()));
            line(
                &mut out,
                "data",
                d.data.map(|t| t.to_rfc3339()).unwrap_or_default(),
            );
            line(&mut out, "identificativo", opt(d.identificativo.as_deref()));
            line(&mut out, "msgid", opt(d.msgid.as_deref()));
            line(&mut out, "ricevuta", d.ricevuta.map_or("", |r| r.as_str()));
            line(&mut out, "consegna", opt(d.consegna.as_deref()));
            line(&mut out, "errore-esteso", opt(d.errore_esteso.as_deref()));
        }
        Document::Evidence(e) => {
            line(&mut out, "document", "REM evidence");
            line(
                &mut out,
                "event",
                e.event.map_or(e.event_uri.as_str(), |ev| ev.as_str()),
            );
            line(&mut out, "reason", opt(e.reason_code.as_deref()));
            for d in &e.reason_details {
                line(&mut out, "detail", d);
            }
            line(
                &mut out,
                "time",
                e.event_time.map(|t| t.to_rfc3339()).unwrap_or_default(),
            );
            line(
                &mut out,
                "evidence id",
                opt(e.evidence_identifier.as_deref()),
            );
            line(&mut out, "sender", opt(e.sender.as_deref()));
            line(&mut out, "recipients", e.recipients.join(", "));
            line(
                &mut out,
                "ua message id",
                opt(e.ua_message_identifier.as_deref()),
            );
        }
    }
    out
}

fn message_human(out: &mut String, msg: &PecMessage, level: usize) {
    let mut kind = msg.kind.as_str().to_string();
    if let Some(r) = msg.receipt {
        kind.push_str(&format!(": {r}"));
    }
    if let Some(t) = msg.receipt_type {
        kind.push_str(&format!(" ({t})"));
    }
    if let Some(e) = msg.error.filter(|e| e.as_str() != "nessuno") {
        kind.push_str(&format!(", error {e}"));
    }
    line(out, "kind", kind);
    line(out, "subject", &msg.subject);
    line(out, "sender", opt(msg.sender.as_deref()));
    let recipients: Vec<String> = msg
        .recipients
        .iter()
        .map(|r| match r.tipo {
            Some(t) => format!("{} ({t})", r.address),
            None => r.address.clone(),
        })
        .collect();
    line(out, "recipients", recipients.join(", "));
    line(
        out,
        "date",
        msg.date.map(|d| d.to_rfc3339()).unwrap_or_default(),
    );
    line(out, "provider", opt(msg.provider_name.as_deref()));
    line(
        out,
        "identificativo",
        opt(msg.correlation.identificativo.as_deref()),
    );
    line(out, "msgid", opt(msg.correlation.msgid.as_deref()));
    line(
        out,
        "riferimento",
        opt(msg.correlation.riferimento_message_id.as_deref()),
    );
    line(out, "consegna", opt(msg.correlation.consegna.as_deref()));
    line(out, "error detail", opt(msg.error_detail.as_deref()));
    if let Some(status) = msg.signature.status {
        let mut sig = status.as_str().to_string();
        if let Some(cn) = &msg.signature.signer_cn {
            sig.push_str(&format!(", signed by {cn}"));
        }
        if let Some(p) = &msg.signature.provider {
            sig.push_str(&format!(" ({p})"));
        }
        if let Some(d) = msg
            .signature
            .detail
            .as_deref()
            .filter(|_| status.as_str() != "valid")
        {
            sig.push_str(&format!(": {d}"));
        }
        if msg.rewrapped {
            sig.push_str(" (found inside a re-wrapped or forwarded message)");
        }
        line(out, "signature", sig);
    }
    if matches!(msg.kind, Kind::Envelope | Kind::Anomaly | Kind::Receipt) {
        line(
            out,
            "certified",
            if msg.certified {
                "yes: facts from the signed daticert.xml"
            } else {
                "no: not proven by a valid provider signature"
            },
        );
    }
    for x in &msg.header_mismatches {
        line(
            out,
            "TAMPERED",
            format!(
                "{}: {:?} but the daticert says {:?}",
                x.header, x.header_value, x.daticert_value
            ),
        );
    }
    if let Some(rem) = &msg.rem {
        let mut s = format!("{:?}", rem.message_type).to_lowercase();
        if let Some(ev) = rem.event {
            s.push_str(&format!(", event {}", ev.as_str()));
        }
        if let Some(code) = rem.evidence.as_ref().and_then(|e| e.reason_code.as_deref()) {
            s.push_str(&format!(", reason {code}"));
        }
        line(out, "REM", s);
        line(
            out,
            "REM UA msg id",
            opt(msg.correlation.rem_ua_message_identifier.as_deref()),
        );
    }
    if let Some(sdi) = &msg.sdi {
        let mut s = String::new();
        if let Some(a) = &sdi.sdi_address {
            s.push_str(&format!("from {a}; "));
        }
        if let Some(n) = sdi.notification {
            s.push_str(&format!("notification {}; ", n.as_str()));
        }
        s.push_str(if sdi.invoice_attached {
            "invoice attached"
        } else {
            "no invoice"
        });
        line(out, "SDI", s);
    }
    for a in &msg.attachments {
        line(
            out,
            "attachment",
            format!(
                "{} ({}, {} bytes{})",
                a.name.as_deref().unwrap_or("(unnamed)"),
                a.content_type,
                a.size,
                match a.role {
                    PartRole::Content => "",
                    PartRole::Daticert => ", daticert",
                    PartRole::Original => ", original",
                    PartRole::Signature => ", signature",
                    PartRole::RemEvidence => ", REM evidence",
                }
            ),
        );
    }
    for w in &msg.warnings {
        line(out, "warning", w);
    }
    if let Some(orig) = &msg.original {
        out.push_str(&format!("  original (level {}):\n", level + 1));
        let mut inner = String::new();
        message_human(&mut inner, orig, level + 1);
        for l in inner.lines() {
            out.push_str("    ");
            out.push_str(l);
            out.push('\n');
        }
    }
}
