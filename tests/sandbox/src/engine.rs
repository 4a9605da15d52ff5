//! The provider's brain: checks a submission, issues accettazione or non accettazione, delivers
//! envelopes by LMTP, sends one delivery receipt per recipient, handles slow domains, external
//! recipients, anomalies and the SDI stand-in.

use mail_parser::MimeHeaders;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use pec_test_harness::{Delegate, LmtpClient, RcptStatus};

use crate::SandboxError;
use crate::pec::{
    Destinatario, Errore, Original, Provider, TipoRicevuta, italy_now, postacert_eml, received,
};
use crate::receipts::{self, Failure};

/// The test file every antivirus flags.
pub const EICAR_MARK: &[u8] = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE";

/// Domains and limits.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Domains {
    /// Certified domain of the sandbox's own mailboxes.
    pub pec_domain: String,
    /// A certified domain whose provider never delivers (preavviso, then errore-consegna).
    pub slow_domain: String,
    /// Suffix of "certified" domains: an unknown domain with it gets errore no-dominio.
    pub certified_suffix: String,
    /// Non-certified domain whose mailboxes live in the same Dovecot (to read external deliveries).
    pub external_domain: String,
    /// SDI address (certified, handled by the second provider).
    pub sdi_address: String,
    /// Domain of the SDI's provider (signs SDI envelopes and the consegna of mail to the SDI).
    pub sdi_provider_domain: String,
}

impl Default for Domains {
    fn default() -> Self {
        Domains {
            pec_domain: "pec.sandbox.test".into(),
            slow_domain: "lento.sandbox.test".into(),
            certified_suffix: ".sandbox.test".into(),
            external_domain: "posta.example".into(),
            sdi_address: "sdi01@pec.fatturapa.it".into(),
            sdi_provider_domain: "pcert.sogei.it".into(),
        }
    }
}

/// Provider policy knobs.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Policy {
    /// Message size × number of recipients must stay within this (bytes).
    pub max_total_bytes: u64,
    /// Hard SMTP limit per message (SIZE, 552 beyond it).
    pub max_message_bytes: u64,
    /// Recipients per message: RCPT beyond this many is answered `452 4.5.3 Too many
    /// recipients` (RFC 5321 §4.5.3.1.10), as providers cap the recipients of one PEC.
    #[serde(default = "default_max_recipients")]
    pub max_recipients: usize,
    /// Attachment extensions refused with a non accettazione.
    pub blocked_extensions: Vec<String>,
    /// Delay before the preavviso for the slow domain (real rule: 12 h).
    pub slow_preavviso_after: Duration,
    /// Delay before the final errore-consegna for the slow domain (real rule: 24 h).
    pub slow_errore_after: Duration,
}

fn default_max_recipients() -> usize {
    100
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_total_bytes: 30 * 1024 * 1024,
            max_message_bytes: 100 * 1024 * 1024,
            max_recipients: default_max_recipients(),
            blocked_extensions: ["exe", "bat", "cmd", "com", "pif", "scr", "vbs", "js", "jar"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            slow_preavviso_after: Duration::from_secs(5),
            slow_errore_after: Duration::from_secs(10),
        }
    }
}

/// Where a recipient goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Local,
    Slow,
    NoDomain,
    External,
    Sdi,
}

/// The running provider.
pub struct Engine {
    pub domains: Domains,
    pub policy: Policy,
    pub provider: Provider,
    pub sdi_provider: Provider,
    pub lmtp_socket: PathBuf,
    /// address → password of the sandbox's own mailbox owners.
    pub users: HashMap<String, String>,
    pub delegates: Vec<Delegate>,
    lmtp_lock: tokio::sync::Mutex<Option<LmtpClient>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("domains", &self.domains)
            .finish_non_exhaustive()
    }
}

/// SMTP-visible outcome of a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    pub text: String,
}

impl Reply {
    fn new(code: u16, text: impl Into<String>) -> Reply {
        Reply {
            code,
            text: text.into(),
        }
    }
}

/// Lower-cased bare address from `Name <a@b>` or `a@b`.
pub fn bare_address(s: &str) -> String {
    let s = s.trim();
    let inner = match (s.rfind('<'), s.rfind('>')) {
        (Some(a), Some(b)) if a < b => &s[a + 1..b],
        _ => s,
    };
    inner.trim().to_ascii_lowercase()
}

fn domain_of(addr: &str) -> &str {
    addr.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
}

fn header_raw<'a>(msg: &'a mail_parser::Message<'a>, name: &str) -> Option<String> {
    msg.header_raw(name)
        .map(|v| v.trim().replace("\r\n", "").replace('\n', ""))
}

fn addresses(msg: &mail_parser::Message<'_>, name: &str) -> Vec<String> {
    let Some(h) = msg.header(name) else {
        return Vec::new();
    };
    match h {
        mail_parser::HeaderValue::Address(a) => a
            .iter()
            .filter_map(|x| x.address.as_deref())
            .map(|s| s.to_ascii_lowercase())
            .collect(),
        _ => Vec::new(),
    }
}

impl Engine {
    pub fn new(
        domains: Domains,
        policy: Policy,
        provider: Provider,
        sdi_provider: Provider,
        lmtp_socket: PathBuf,
        users: HashMap<String, String>,
        delegates: Vec<Delegate>,
    ) -> Engine {
        Engine {
            domains,
            policy,
            provider,
            sdi_provider,
            lmtp_socket,
            users,
            delegates,
            lmtp_lock: tokio::sync::Mutex::new(None),
        }
    }

    /// Classify a recipient address.
    pub fn route(&self, addr: &str) -> Route {
        let d = domain_of(addr);
        if addr.eq_ignore_ascii_case(&self.domains.sdi_address) {
            Route::Sdi
        } else if d == self.domains.pec_domain {
            Route::Local
        } else if d == self.domains.slow_domain {
            Route::Slow
        } else if d.ends_with(&self.domains.certified_suffix) {
            Route::NoDomain
        } else {
            Route::External
        }
    }

    /// Deliver by LMTP (one shared session, reconnected on error).
    pub async fn deliver(
        &self,
        from: &str,
        rcpts: &[&str],
        data: &[u8],
    ) -> Result<Vec<RcptStatus>, SandboxError> {
        let mut guard = self.lmtp_lock.lock().await;
        for attempt in 0..2 {
            if guard.is_none() {
                *guard = Some(LmtpClient::connect(&self.lmtp_socket).await?);
            }
            let client = guard.as_mut().expect("connected");
            match client.deliver(from, rcpts, data).await {
                Ok(st) => return Ok(st),
                Err(e) if attempt == 0 => {
                    tracing::warn!("LMTP error, reconnecting: {e}");
                    *guard = None;
                }
                Err(e) => return Err(e.into()),
            }
        }
        unreachable!("loop returns")
    }

    async fn deliver_one(&self, from: &str, rcpt: &str, data: &[u8]) {
        match self.deliver(from, &[rcpt], data).await {
            Ok(st) if st.iter().all(|s| s.is_delivered()) => {}
            Ok(st) => tracing::warn!("delivery to {rcpt} refused: {st:?}"),
            Err(e) => tracing::error!("delivery to {rcpt} failed: {e}"),
        }
    }

    /// Which mailbox an authenticated login may send as: its own, or an owner's via a delegate
    /// with the "send" permission.
    pub fn may_send_as(&self, login: &str, sender: &str) -> bool {
        let login = login.to_ascii_lowercase();
        let sender = sender.to_ascii_lowercase();
        if self.users.contains_key(&login) {
            return login == sender;
        }
        self.delegates.iter().any(|d| {
            d.username.eq_ignore_ascii_case(&login)
                && d.owner.eq_ignore_ascii_case(&sender)
                && d.perms.send
                && d.perms.programs
        })
    }

    /// Check SMTP credentials: owners, and delegates with the "programs" permission.
    pub fn authenticate(&self, user: &str, password: &str) -> bool {
        let user = user.to_ascii_lowercase();
        if let Some(p) = self.users.get(&user) {
            return p == password;
        }
        self.delegates.iter().any(|d| {
            d.username.eq_ignore_ascii_case(&user) && d.password == password && d.perms.programs
        })
    }

    /// Build the daticert view of a parsed original.
    pub fn original(&self, sender: &str, raw: &[u8]) -> Result<Original, SandboxError> {
        let msg = mail_parser::MessageParser::default()
            .parse(raw)
            .ok_or_else(|| SandboxError::Message("unparsable message".into()))?;
        let mut destinatari = Vec::new();
        for a in addresses(&msg, "To")
            .into_iter()
            .chain(addresses(&msg, "Cc"))
        {
            let certificato = !matches!(self.route(&a), Route::External);
            if !destinatari.iter().any(|d: &Destinatario| d.address == a) {
                destinatari.push(Destinatario {
                    address: a,
                    certificato,
                });
            }
        }
        let reply_to = addresses(&msg, "Reply-To")
            .into_iter()
            .next()
            .unwrap_or_else(|| sender.to_string());
        Ok(Original {
            mittente: sender.to_string(),
            destinatari,
            risposte: reply_to,
            oggetto: msg.subject().unwrap_or("").to_string(),
            msgid: msg
                .message_id()
                .map(|m| format!("<{m}>"))
                .unwrap_or_default(),
            raw: raw.to_vec(),
            to_header: header_raw(&msg, "To").unwrap_or_default(),
            cc_header: header_raw(&msg, "Cc"),
        })
    }

    /// Find a reason to refuse the message (non accettazione), if any.
    fn refusal(
        &self,
        msg: &mail_parser::Message<'_>,
        raw: &[u8],
        rcpts: &[String],
        orig: &Original,
    ) -> Option<(Errore, String)> {
        let name = &self.provider.name;
        // Virus first: it takes precedence over everything.
        let infected = raw.windows(EICAR_MARK.len()).any(|w| w == EICAR_MARK)
            || msg.attachments().any(|a| {
                a.contents()
                    .windows(EICAR_MARK.len())
                    .any(|w| w == EICAR_MARK)
            });
        if infected {
            return Some((
                Errore::Virus,
                format!("5.7.1 - {name} - virus rilevato nel messaggio (Eicar-Test-Signature)"),
            ));
        }
        if msg.header("Bcc").is_some() {
            return Some((
                Errore::Altro,
                format!("5.7.1 - {name} - destinatari in copia nascosta (Bcc) non ammessi"),
            ));
        }
        let header_rcpts: Vec<&str> = orig
            .destinatari
            .iter()
            .map(|d| d.address.as_str())
            .collect();
        if let Some(extra) = rcpts.iter().find(|r| !header_rcpts.contains(&r.as_str())) {
            return Some((
                Errore::Altro,
                format!(
                    "5.7.1 - {name} - destinatario {extra} non presente in To o Cc (copia nascosta non ammessa)"
                ),
            ));
        }
        if let Some(missing) = header_rcpts.iter().find(|h| !rcpts.iter().any(|r| r == *h)) {
            return Some((
                Errore::Altro,
                format!(
                    "5.7.1 - {name} - destinatario {missing} in intestazione ma non nella busta SMTP"
                ),
            ));
        }
        let total = raw.len() as u64 * rcpts.len().max(1) as u64;
        if total > self.policy.max_total_bytes {
            return Some((
                Errore::Altro,
                format!(
                    "5.3.4 - {name} - superamento della dimensione massima consentita ({} byte per {} destinatari oltre il limite di {} byte)",
                    raw.len(),
                    rcpts.len(),
                    self.policy.max_total_bytes
                ),
            ));
        }
        for a in msg.attachments() {
            if let Some(n) = a.attachment_name() {
                let ext = n.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
                if let Some(ext) = ext
                    && self.policy.blocked_extensions.contains(&ext)
                {
                    return Some((
                        Errore::Altro,
                        format!("5.7.1 - {name} - tipo di allegato non ammesso ({n})"),
                    ));
                }
            }
        }
        None
    }

    /// Handle an authenticated submission after DATA. `sender` is the MAIL FROM (already checked
    /// against the login).
    pub async fn submit(self: &Arc<Self>, sender: &str, rcpts: &[String], raw: Vec<u8>) -> Reply {
        let sender = sender.to_ascii_lowercase();
        let Some(msg) = mail_parser::MessageParser::default().parse(&raw) else {
            return Reply::new(554, "5.6.0 Message could not be parsed");
        };
        let from = addresses(&msg, "From");
        if from.len() != 1 || from[0] != sender {
            return Reply::new(
                553,
                "5.7.1 Sender address rejected: From header not owned by user",
            );
        }
        let orig = match self.original(&sender, &raw) {
            Ok(o) => o,
            Err(e) => return Reply::new(554, format!("5.6.0 {e}")),
        };
        let at = italy_now();
        let id = self.provider.new_identificativo(&at);
        let refusal = self.refusal(&msg, &raw, rcpts, &orig);
        let tipo = msg
            .header_raw("X-TipoRicevuta")
            .map(TipoRicevuta::parse)
            .unwrap_or(TipoRicevuta::Completa);
        drop(msg);
        if let Some((errore, reason)) = refusal {
            match receipts::non_accettazione(&self.provider, &orig, &id, &at, errore, &reason) {
                Ok(m) => {
                    self.deliver_one(&self.provider.address(), &sender, &m)
                        .await
                }
                Err(e) => return Reply::new(451, format!("4.3.0 {e}")),
            }
            return Reply::new(250, format!("2.0.0 Ok: non accettato {id}"));
        }
        match receipts::accettazione(&self.provider, &orig, &id, &at) {
            Ok(m) => {
                self.deliver_one(&self.provider.address(), &sender, &m)
                    .await
            }
            Err(e) => return Reply::new(451, format!("4.3.0 {e}")),
        }
        let engine = self.clone();
        let id2 = id.clone();
        tokio::spawn(async move {
            if let Err(e) = engine.transport(orig, id2, tipo).await {
                tracing::error!("transport failed: {e}");
            }
        });
        Reply::new(250, format!("2.0.0 Ok: queued as {id}"))
    }

    /// Build the envelope, deliver it, and send the receipts.
    async fn transport(
        self: Arc<Self>,
        orig: Original,
        id: String,
        tipo: TipoRicevuta,
    ) -> Result<(), SandboxError> {
        let at = italy_now();
        let recv = received(
            "client.sandbox.test",
            &format!("smtps.{}", self.domains.pec_domain),
            orig.destinatari
                .first()
                .map(|d| d.address.as_str())
                .unwrap_or(""),
            &at,
        );
        let postacert = postacert_eml(&orig, &id, &recv);
        let envelope =
            receipts::busta_trasporto(&self.provider, &orig, &id, &at, tipo, &postacert, &[])?;
        let cc: Vec<String> = match &orig.cc_header {
            Some(_) => {
                let msg = mail_parser::MessageParser::default().parse(&orig.raw);
                msg.map(|m| addresses(&m, "Cc")).unwrap_or_default()
            }
            None => Vec::new(),
        };
        let name = self.provider.name.clone();
        for d in orig.destinatari.clone() {
            let rcpt = d.address.clone();
            let is_cc = cc.contains(&rcpt);
            match self.route(&rcpt) {
                Route::Local => {
                    let st = self
                        .deliver(&orig.mittente, &[rcpt.as_str()], &envelope)
                        .await?;
                    let at = italy_now();
                    match &st[0] {
                        RcptStatus::Delivered => {
                            self.consegna(
                                &self.provider,
                                &orig,
                                &id,
                                &at,
                                &rcpt,
                                tipo,
                                is_cc,
                                &postacert,
                            )
                            .await?;
                        }
                        RcptStatus::Rejected { code, text } => {
                            let (errore, esteso) =
                                if text.to_ascii_lowercase().contains("quota") || *code == 552 {
                                    (Errore::Altro, format!("5.2.2 - {name} - casella piena"))
                                } else {
                                    (
                                        Errore::NoDest,
                                        format!("5.1.1 - {name} - indirizzo non valido"),
                                    )
                                };
                            let m = receipts::errore_consegna(
                                &self.provider,
                                &orig,
                                &id,
                                &at,
                                &rcpt,
                                errore,
                                &esteso,
                                Failure::Immediate,
                            )?;
                            self.deliver_one(&self.provider.address(), &orig.mittente, &m)
                                .await;
                        }
                    }
                }
                Route::NoDomain => {
                    let m = receipts::errore_consegna(
                        &self.provider,
                        &orig,
                        &id,
                        &italy_now(),
                        &rcpt,
                        Errore::NoDominio,
                        &format!("5.1.2 - {name} - dominio non valido"),
                        Failure::Immediate,
                    )?;
                    self.deliver_one(&self.provider.address(), &orig.mittente, &m)
                        .await;
                }
                Route::Slow => {
                    let engine = self.clone();
                    let orig = orig.clone();
                    let id = id.clone();
                    tokio::spawn(async move {
                        if let Err(e) = engine.slow(orig, id, rcpt).await {
                            tracing::error!("slow domain: {e}");
                        }
                    });
                }
                Route::External => {
                    // Sent as ordinary mail: no receipt. Local mailboxes of the external test
                    // domain receive it; other domains are dropped (the sandbox has no Internet).
                    if domain_of(&rcpt) == self.domains.external_domain {
                        let _ = self
                            .deliver(&orig.mittente, &[rcpt.as_str()], &envelope)
                            .await?;
                    }
                }
                Route::Sdi => {
                    let at = italy_now();
                    self.consegna(
                        &self.sdi_provider,
                        &orig,
                        &id,
                        &at,
                        &rcpt,
                        tipo,
                        is_cc,
                        &postacert,
                    )
                    .await?;
                    crate::sdi::receive(&self, &orig).await?;
                }
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn consegna(
        &self,
        provider: &Provider,
        orig: &Original,
        id: &str,
        at: &chrono::DateTime<chrono::FixedOffset>,
        rcpt: &str,
        tipo: TipoRicevuta,
        is_cc: bool,
        postacert: &[u8],
    ) -> Result<(), SandboxError> {
        // Cc recipients' receipts never carry the original: they are sintetica.
        let effective = if is_cc { TipoRicevuta::Sintetica } else { tipo };
        let breve;
        let original = match effective {
            TipoRicevuta::Completa => Some(postacert),
            TipoRicevuta::Breve => {
                breve = receipts::breve_original(postacert);
                Some(breve.as_slice())
            }
            TipoRicevuta::Sintetica => None,
        };
        let m = receipts::avvenuta_consegna(provider, orig, id, at, rcpt, effective, original)?;
        self.deliver_one(&provider.address(), &orig.mittente, &m)
            .await;
        Ok(())
    }

    async fn slow(
        self: Arc<Self>,
        orig: Original,
        id: String,
        rcpt: String,
    ) -> Result<(), SandboxError> {
        let name = self.provider.name.clone();
        tokio::time::sleep(self.policy.slow_preavviso_after).await;
        let m = receipts::errore_consegna(
            &self.provider,
            &orig,
            &id,
            &italy_now(),
            &rcpt,
            Errore::Altro,
            &format!(
                "4.4.7 - {name} - messaggio non ancora consegnato entro il primo limite temporale"
            ),
            Failure::Preavviso,
        )?;
        self.deliver_one(&self.provider.address(), &orig.mittente, &m)
            .await;
        let rest = self
            .policy
            .slow_errore_after
            .saturating_sub(self.policy.slow_preavviso_after);
        tokio::time::sleep(rest).await;
        let m = receipts::errore_consegna(
            &self.provider,
            &orig,
            &id,
            &italy_now(),
            &rcpt,
            Errore::Altro,
            &format!("5.4.7 - {name} - superamento del tempo massimo di consegna"),
            Failure::TempoMassimo,
        )?;
        self.deliver_one(&self.provider.address(), &orig.mittente, &m)
            .await;
        Ok(())
    }

    /// Unauthenticated inbound mail for local PEC mailboxes: wrap it in a busta di anomalia.
    pub async fn inbound(&self, sender: &str, rcpts: &[String], raw: Vec<u8>) -> Reply {
        let sender = sender.to_ascii_lowercase();
        let orig = match self.original(&sender, &raw) {
            Ok(o) => o,
            Err(e) => return Reply::new(554, format!("5.6.0 {e}")),
        };
        let at = italy_now();
        for r in rcpts {
            let m = match receipts::anomalia(&self.provider, &orig, &at, r) {
                Ok(m) => m,
                Err(e) => return Reply::new(451, format!("4.3.0 {e}")),
            };
            match self.deliver(&sender, &[r.as_str()], &m).await {
                Ok(st) if st[0].is_delivered() => {}
                Ok(st) => return Reply::new(550, format!("5.1.1 {st:?}")),
                Err(e) => return Reply::new(451, format!("4.3.0 {e}")),
            }
        }
        Reply::new(250, "2.0.0 Ok: delivered as anomalia")
    }
}
