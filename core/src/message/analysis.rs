//! One level of a message read into a [`PecMessage`], in the order the facts depend on each other:
//! the daticert the signature covers, the kind, the parties, REM evidence, the original (the same
//! analysis one level down), the subject, the receipt's type and error, the correlation keys, the
//! signature's verdict, what the SdI sent.

use super::*;

pub(super) fn analyze_message(
    msg: &Message<'_>,
    ctx: &Ctx<'_>,
    depth: usize,
) -> Result<PecMessage, ParseError> {
    let seen = ctx.parts_seen.get().saturating_add(msg.parts.len());
    ctx.parts_seen.set(seen);
    if seen > MAX_PARTS {
        return Err(ParseError::TooManyParts { max: MAX_PARTS });
    }
    let mut warnings = Vec::new();
    let st = original::structure(msg);
    let signed = signed_part::find_signed(msg);
    let (daticert, daticert_signed) = read_daticert(msg, &st, signed.as_ref(), &mut warnings);

    let x_ricevuta = headers::message_header(msg, "X-Ricevuta");
    let x_trasporto = headers::message_header(msg, "X-Trasporto");
    let rem_type = headers::message_header(msg, "REM-MessageType");
    let (kind, receipt) = kind::classify(
        rem_type.is_some(),
        x_ricevuta.as_deref(),
        x_trasporto.as_deref(),
        daticert.as_ref().map(|d| d.tipo.as_str()),
    );
    let is_pec = matches!(kind, Kind::Envelope | Kind::Anomaly | Kind::Receipt);
    let parties = Parties::read(msg, kind, daticert.as_ref());
    let header_date = msg.date().and_then(headers::to_chrono);
    let date = daticert.as_ref().and_then(|d| d.data).or(header_date);
    let rem = rem_type
        .as_deref()
        .map(|t| rem_info(msg, &st, t, &mut warnings));
    let recipients = recipients(daticert.as_ref(), rem.as_ref(), &parties);
    let has_original = st.original.is_some();
    let original = read_original(msg, &st, ctx, depth, &mut warnings)?;

    let header_subject = msg.subject().map(|s| s.trim().to_string());
    let subject = subject(
        is_pec || kind == Kind::Rem,
        original.as_deref(),
        daticert.as_ref(),
        header_subject.as_deref(),
    );
    let receipt_type = receipt_type(msg, daticert.as_ref(), is_pec);
    let error = error_code(daticert.as_ref(), kind, receipt);
    let correlation = correlation(msg, daticert.as_ref(), rem.as_ref());
    let (signature, rewrapped) = signature(
        ctx,
        signed.as_ref(),
        original.as_deref(),
        date,
        is_pec || kind == Kind::Rem,
    );
    let certified = daticert.is_some()
        && daticert_signed
        && signature.status == Some(crate::signature::SignatureStatus::Valid);
    let outer = header_check::OuterHeaders {
        x_ricevuta: x_ricevuta.as_deref(),
        x_trasporto: x_trasporto.as_deref(),
        subject: header_subject.as_deref(),
        x_riferimento_message_id: correlation.riferimento_message_id.as_deref(),
    };
    let header_mismatches = daticert
        .as_ref()
        .map(|d| header_check::mismatches(&outer, d))
        .unwrap_or_default();
    let sdi = sdi_of(
        &st.attachments,
        original.as_deref(),
        &parties,
        daticert.as_ref(),
    );
    if !warnings.is_empty() {
        tracing::debug!(
            kind = kind.as_str(),
            depth,
            warnings = warnings.len(),
            "message analysed with a degraded view"
        );
    }
    Ok(PecMessage {
        kind,
        receipt,
        receipt_type,
        error,
        error_detail: daticert.as_ref().and_then(|d| d.errore_esteso.clone()),
        subject,
        header_subject,
        from: parties.from,
        sender: parties.sender,
        reply_to: parties.reply_to,
        to: parties.to,
        cc: parties.cc,
        recipients,
        date,
        header_date,
        provider_name: daticert.as_ref().and_then(|d| d.gestore_emittente.clone()),
        correlation,
        daticert,
        signature,
        certified,
        header_mismatches,
        rewrapped,
        has_original,
        original,
        attachments: st.attachments,
        body_text: transfer::body_text(msg),
        sdi,
        rem,
        size: msg.raw_message().len(),
        warnings,
    })
}

/// The daticert.xml the facts come from (the one the signature covers when the message is
/// signed), read; and whether the signature covers it. An unreadable one leaves the headers to
/// speak, with a warning.
fn read_daticert(
    msg: &Message<'_>,
    st: &original::Structure,
    signed: Option<&signed_part::SignedParts<'_>>,
    warnings: &mut Vec<String>,
) -> (Option<Daticert>, bool) {
    let (part, covered) = choose_daticert(msg, st, signed, warnings);
    let daticert = part.and_then(|i| msg.parts.get(i)).and_then(|p| {
        match parse_daticert(&transfer::contents(msg, p)) {
            Ok(d) => Some(d),
            Err(e) => {
                warnings.push(format!("{e}; falling back to headers"));
                None
            }
        }
    });
    (daticert, covered)
}

/// Which daticert.xml part the facts come from, and whether the signature covers it. In a signed
/// message only a daticert inside the signed content counts: one beside it was added by someone
/// else and is ignored (with a warning). An unsigned message's first daticert is used, uncertified.
fn choose_daticert(
    msg: &Message<'_>,
    st: &original::Structure,
    signed: Option<&signed_part::SignedParts<'_>>,
    warnings: &mut Vec<String>,
) -> (Option<usize>, bool) {
    let Some(signed) = signed else {
        return (st.daticert, false);
    };
    let inside = st
        .daticerts
        .iter()
        .copied()
        .find(|&i| signed_part::covers(msg, signed, i));
    if st.daticerts.iter().any(|&i| Some(i) != inside) {
        warnings.push("daticert.xml outside the signed content ignored".into());
    }
    (inside, inside.is_some())
}

/// Who wrote and who received, from the headers; the sender as the daticert certifies it, else
/// as the provider's envelope names it (Reply-To, "per conto di"), else From.
struct Parties {
    from: Option<Mailbox>,
    reply_to: Option<String>,
    to: Vec<Mailbox>,
    cc: Vec<Mailbox>,
    behalf: Option<String>,
    sender: Option<String>,
}

impl Parties {
    fn read(msg: &Message<'_>, kind: Kind, daticert: Option<&Daticert>) -> Parties {
        let from = headers::address_header(msg, "From").into_iter().next();
        let reply_to = headers::address_header(msg, "Reply-To")
            .into_iter()
            .next()
            .map(|m| m.address);
        let behalf = from.as_ref().and_then(headers::on_behalf_of);
        let sender = daticert
            .and_then(|d| d.mittente.clone())
            .or_else(|| match kind {
                Kind::Envelope | Kind::Anomaly | Kind::Rem => reply_to.clone().or(behalf.clone()),
                _ => None,
            })
            .or_else(|| from.as_ref().map(|f| f.address.clone()));
        Parties {
            to: headers::address_header(msg, "To"),
            cc: headers::address_header(msg, "Cc"),
            from,
            reply_to,
            behalf,
            sender,
        }
    }
}

/// A REM message's headers and evidence.
fn rem_info(
    msg: &Message<'_>,
    st: &original::Structure,
    message_type: &str,
    warnings: &mut Vec<String>,
) -> RemInfo {
    let evidence =
        st.evidence.and_then(|i| msg.parts.get(i)).and_then(|p| {
            match rem::parse_evidence(&transfer::contents(msg, p)) {
                Ok(e) => Some(e),
                Err(e) => {
                    warnings.push(e.to_string());
                    None
                }
            }
        });
    let event_header = headers::message_header(msg, "REM-EventIdentifier");
    RemInfo {
        message_type: RemMessageType::parse(message_type),
        event: evidence
            .as_ref()
            .and_then(|e| e.event)
            .or_else(|| event_header.as_deref().and_then(RemEvent::parse)),
        event_header,
        reason_header: headers::message_header(msg, "REM-ReasonIdentifier"),
        ua_message_identifier: headers::message_header(msg, "REM-UAMessageIdentifier"),
        evidence_id: headers::message_header(msg, "REM-Evidence-ID"),
        evidence,
    }
}

/// The recipients: the daticert's, else those the REM evidence names, else To and Cc.
fn recipients(daticert: Option<&Daticert>, rem: Option<&RemInfo>, p: &Parties) -> Vec<Recipient> {
    let evidence = rem
        .and_then(|r| r.evidence.as_ref())
        .map(|e| e.recipients.as_slice())
        .unwrap_or_default();
    let plain = |address: &String| Recipient {
        address: address.clone(),
        tipo: None,
    };
    match daticert {
        Some(d) if !d.destinatari.is_empty() => d.destinatari.clone(),
        _ if !evidence.is_empty() => evidence.iter().map(plain).collect(),
        _ => {
            p.to.iter()
                .chain(&p.cc)
                .map(|m| plain(&m.address))
                .collect()
        }
    }
}

/// The original message inside (postacert.eml, an anomaly's message, a REM original), analysed
/// one level down; `None` past the nesting cap or when it cannot be read (with a warning).
fn read_original(
    msg: &Message<'_>,
    st: &original::Structure,
    ctx: &Ctx<'_>,
    depth: usize,
    warnings: &mut Vec<String>,
) -> Result<Option<Box<PecMessage>>, ParseError> {
    let Some(part) = st.original.and_then(|i| msg.parts.get(i)) else {
        return Ok(None);
    };
    if depth + 1 > MAX_NESTING_DEPTH {
        warnings.push(format!(
            "original not analysed: nesting deeper than {MAX_NESTING_DEPTH} levels"
        ));
        return Ok(None);
    }
    Ok(match &part.body {
        PartType::Message(inner) => Some(Box::new(analyze_message(inner, ctx, depth + 1)?)),
        _ => match parse_mime(&transfer::contents(msg, part)) {
            Ok(inner) => Some(Box::new(analyze_message(&inner, ctx, depth + 1)?)),
            Err(e) => {
                warnings.push(format!("original unreadable: {e}"));
                None
            }
        },
    })
}

/// A certified message's subject is its original's (else the daticert's, else the header's
/// without the provider's prefixes); any other message's is its header's.
fn subject(
    certified_kind: bool,
    original: Option<&PecMessage>,
    daticert: Option<&Daticert>,
    header: Option<&str>,
) -> String {
    if !certified_kind {
        return header.unwrap_or_default().to_string();
    }
    original
        .map(|o| o.subject.clone())
        .or_else(|| daticert.and_then(|d| d.oggetto.clone()))
        .or_else(|| header.map(|s| subject::strip_prefixes(s).to_string()))
        .unwrap_or_default()
}

/// The daticert's error code; else none for an envelope, an acceptance or a delivery.
fn error_code(
    daticert: Option<&Daticert>,
    kind: Kind,
    receipt: Option<ReceiptKind>,
) -> Option<PecErrorCode> {
    daticert.and_then(|d| d.errore).or(match (kind, receipt) {
        (Kind::Envelope, _)
        | (Kind::Receipt, Some(ReceiptKind::Accettazione | ReceiptKind::AvvenutaConsegna)) => {
            Some(PecErrorCode::Nessuno)
        }
        _ => None,
    })
}

/// The keys that tie receipts and evidence to the message they are about.
fn correlation(
    msg: &Message<'_>,
    daticert: Option<&Daticert>,
    rem: Option<&RemInfo>,
) -> Correlation {
    let mut rem_evidence_ids: Vec<String> = Vec::new();
    if let Some(r) = rem {
        let from_header = r.evidence_id.as_deref().map(headers::normalize_message_id);
        let from_xml = r
            .evidence
            .as_ref()
            .and_then(|e| e.evidence_identifier.clone());
        for id in from_header.into_iter().chain(from_xml) {
            if !rem_evidence_ids.contains(&id) {
                rem_evidence_ids.push(id);
            }
        }
    }
    Correlation {
        message_id: headers::message_header(msg, "Message-ID"),
        riferimento_message_id: headers::message_header(msg, "X-Riferimento-Message-ID"),
        identificativo: daticert.and_then(|d| d.identificativo.clone()),
        msgid: daticert.and_then(|d| d.msgid.clone()),
        consegna: daticert.and_then(|d| d.consegna.clone()),
        rem_ua_message_identifier: rem.and_then(|r| {
            r.ua_message_identifier.clone().or_else(|| {
                r.evidence
                    .as_ref()
                    .and_then(|e| e.ua_message_identifier.clone())
            })
        }),
        rem_evidence_ids,
        rem_message_identifier: rem
            .and_then(|r| r.evidence.as_ref())
            .and_then(|e| e.message_identifier.clone()),
    }
}

/// The signature's verdict (under the providers' policy for PEC and REM), and whether it was
/// re-wrapped: a signature below the root, or a PEC forwarded as an attachment, whose verdict is
/// shown flagged.
fn signature(
    ctx: &Ctx<'_>,
    signed: Option<&signed_part::SignedParts<'_>>,
    original: Option<&PecMessage>,
    date: Option<DateTime<FixedOffset>>,
    provider_policy: bool,
) -> (SignatureView, bool) {
    if signed.is_none()
        && let Some(inner) = original.filter(|o| forwarded_pec(o))
    {
        return (inner.signature.clone(), true);
    }
    let rewrapped = signed.is_some_and(|sp| !sp.at_root);
    let view = if ctx.analyzer.verify {
        let at = date.map(|d| d.with_timezone(&Utc));
        let policy = match provider_policy {
            true => Policy::PecProvider,
            false => Policy::Document,
        };
        signed_part::check_found(signed, at, &ctx.analyzer.trust, policy)
    } else if signed.is_some() {
        SignatureView::unchecked()
    } else {
        SignatureView::absent()
    };
    (view, rewrapped)
}

/// An attached message that is itself a signed PEC object (envelope, receipt, anomaly): what a
/// message forwarding a PEC as an attachment carries.
fn forwarded_pec(inner: &PecMessage) -> bool {
    matches!(inner.kind, Kind::Envelope | Kind::Anomaly | Kind::Receipt)
        && inner
            .signature
            .status
            .is_none_or(|s| s != crate::signature::SignatureStatus::Absent)
}

/// The receipt's type: the daticert's word, else (a PEC without one) `X-TipoRicevuta`.
fn receipt_type(
    msg: &Message<'_>,
    daticert: Option<&Daticert>,
    is_pec: bool,
) -> Option<ReceiptType> {
    daticert.and_then(|d| d.ricevuta).or_else(|| {
        is_pec
            .then(|| headers::message_header(msg, "X-TipoRicevuta"))
            .flatten()
            .and_then(|v| ReceiptType::parse(&v))
    })
}

/// [`sdi_info`] from every address that may be the SdI's: From, Reply-To, the real sender of an
/// envelope and the daticert's mittente.
fn sdi_of(
    attachments: &[Attachment],
    original: Option<&PecMessage>,
    parties: &Parties,
    daticert: Option<&Daticert>,
) -> Option<SdiInfo> {
    let from = parties.from.as_ref();
    sdi_info(
        attachments,
        original,
        [
            from.map(|f| f.address.as_str()),
            parties.reply_to.as_deref(),
            parties.behalf.as_deref(),
            daticert.and_then(|d| d.mittente.as_deref()),
        ],
        from.and_then(|f| f.name.as_deref()),
    )
}

/// What the SdI sent: its address among the message's, and the SdI files attached here or in
/// the original.
fn sdi_info(
    attachments: &[Attachment],
    original: Option<&PecMessage>,
    addresses: [Option<&str>; 4],
    from_name: Option<&str>,
) -> Option<SdiInfo> {
    let sdi_address = addresses
        .iter()
        .flatten()
        .find(|a| sdi::is_sdi_address(a))
        .map(|a| a.trim().to_ascii_lowercase())
        .or_else(|| from_name.and_then(sdi::sdi_address_in))
        .or_else(|| {
            original
                .and_then(|o| o.sdi.as_ref())
                .and_then(|s| s.sdi_address.clone())
        });
    let mut files: Vec<SdiFile> = attachments.iter().filter_map(|a| a.sdi.clone()).collect();
    if let Some(inner) = original.and_then(|o| o.sdi.as_ref()) {
        files.extend(inner.files.iter().cloned());
    }
    if sdi_address.is_none() && files.is_empty() {
        return None;
    }
    let notifications = files.iter().filter_map(SdiFile::notification);
    let notification = notifications
        .clone()
        .find(|n| *n != SdiNotification::MT)
        .or_else(|| notifications.clone().next());
    Some(SdiInfo {
        from_sdi: sdi_address.is_some(),
        sdi_address,
        invoice_attached: files.iter().any(SdiFile::is_invoice),
        notification,
        files,
    })
}
