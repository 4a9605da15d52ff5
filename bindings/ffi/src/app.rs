//! The [`App`] object: one data directory (store + credentials), its accounts, and every query and
//! action the screens need. The facade only converts: the work is `pec-core`'s.

use crate::credentials::{self, CredentialBackend, ForeignStore, SecretStore};
use crate::error::{PecError, Result};
use crate::events::{ChangeListener, DeliveryListener, MenuListener, Subscription};
use crate::presets::{Provider, provider_preset};
use crate::runtime::{blocking, rt};
use crate::types::*;
use pec_core::accounts::{self, Account, CredentialStore};
use pec_core::fatturapa::{self, Document, Integrity, RenderStyle};
use pec_core::signature::{AnchorRole, SignatureStatus, TrustStore};
use pec_core::store::{self, Action, Folder, FolderRole, ListQuery, SearchQuery, Store};
use pec_core::sync::SyncEngine;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use tokio::sync::broadcast;

pub(crate) struct Inner {
    pub data_dir: PathBuf,
    pub store: Store,
    pub creds: Arc<dyn CredentialStore>,
    pub changes: broadcast::Sender<ChangeEvent>,
    /// The core's runtime, started when the app opens, so that subscriptions can spawn on it.
    pub rt: &'static tokio::runtime::Runtime,
    /// Which signers are PEC providers: the bundled trust list plus anchors added explicitly
    /// ([`App::add_signature_test_anchor`]). Never an account's TLS `ca_file`.
    pub signature_trust: std::sync::RwLock<TrustStore>,
    /// The one sync engine of this store, for the app's whole life: its pass lock serialises every
    /// sync (explicit calls, downloads, a background loop) and its status outlives each call.
    pub engine: SyncEngine,
    /// Forwards the engine's changes to the change bus, once for all callers.
    _engine_changes: pec_core::sync::Subscription,
}

/// The application core: open one per data directory and keep it for the process's life.
#[derive(uniffi::Object)]
pub struct App {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) fn bundled_trust() -> &'static TrustStore {
    static T: OnceLock<TrustStore> = OnceLock::new();
    T.get_or_init(TrustStore::bundled)
}

impl Inner {
    pub(crate) fn emit(&self, kind: ChangeKind, account_id: Option<i64>) {
        // No receiver is fine: nobody is watching.
        let _ = self.changes.send(ChangeEvent { kind, account_id });
    }

    pub(crate) fn account_info(&self, acc: Account) -> Result<AccountInfo> {
        let meta = accounts::account_meta(&self.store, &acc)?;
        let permissions = meta.permissions();
        Ok(AccountInfo {
            id: acc.id,
            capabilities: accounts::account_capabilities(&self.store, &acc)?.into(),
            address: acc.config.address,
            display_name: acc.config.display_name,
            provider: Provider::parse(&meta.provider).unwrap_or(Provider::Custom),
            login: acc.login,
            delegated: meta.delegated.is_some(),
            permissions: permissions.into(),
            imap_host: acc.config.imap_host,
            imap_port: acc.config.imap_port,
            smtp_host: acc.config.smtp_host,
            smtp_port: acc.config.smtp_port,
            ca_file: acc.config.ca_file.map(|p| p.to_string_lossy().into_owned()),
            quota_used_kb: acc.quota_used_kb,
            quota_limit_kb: acc.quota_limit_kb,
        })
    }

    /// Store `raw` in the account's folder `folder` (name or role, created when missing; the
    /// inbox when `None`).
    pub(crate) fn import_bytes(
        &self,
        account_id: i64,
        folder: Option<String>,
        raw: &[u8],
    ) -> Result<ImportResult> {
        self.store.account(account_id)?;
        let name = folder.unwrap_or_else(|| "INBOX".into());
        let folder = match self.store.find_folder(account_id, &name)? {
            Some(f) => f.id,
            None => {
                let role = FolderRole::parse(&name.to_ascii_lowercase());
                let name = if role == Some(FolderRole::Inbox) {
                    "INBOX"
                } else {
                    name.as_str()
                };
                self.store
                    .ensure_folder(account_id, name, role, Some("/"))?
            }
        };
        let out = self.store.import_raw(folder, raw)?;
        if out.inserted {
            self.emit(ChangeKind::Messages, Some(account_id));
        }
        Ok(ImportResult {
            id: out.id,
            inserted: out.inserted,
        })
    }

    pub(crate) fn account(&self, id: i64) -> Result<AccountInfo> {
        let acc = self.store.account(id)?;
        self.account_info(acc)
    }

    /// The PEC signature trust for an account's messages: the same for every account, the
    /// bundled list plus explicitly added anchors. An account's TLS `ca_file` only lets the
    /// connection reach its server: a CA trusted for TLS (a corporate proxy, a self-signed test
    /// server) must never make a signer a PEC provider.
    pub(crate) fn trust_for(&self, _account_id: i64) -> TrustStore {
        self.signature_trust()
    }

    pub(crate) fn signature_trust(&self) -> TrustStore {
        self.signature_trust
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn menu(&self, account_id: i64) -> Result<Vec<MenuEntry>> {
        self.store.account(account_id)?;
        let mut folders = self.store.folders(account_id)?;
        folders.sort_by_key(|f| (role_rank(f.role), f.name.to_lowercase()));
        let mut out = Vec::with_capacity(folders.len() + 2);
        let mut virtual_done = false;
        for f in folders {
            if !virtual_done && role_rank(f.role) > role_rank(Some(FolderRole::Inbox)) {
                self.push_virtual(account_id, &mut out)?;
                virtual_done = true;
            }
            out.push(menu_entry(f));
        }
        if !virtual_done {
            self.push_virtual(account_id, &mut out)?;
        }
        Ok(out)
    }

    fn push_virtual(&self, account_id: i64, out: &mut Vec<MenuEntry>) -> Result<()> {
        for view in [ViewRef::Invoices, ViewRef::Receipts] {
            let mut q = ListQuery::new(view.to_core());
            q.account = Some(account_id);
            let (total, unread) = self.store.count(&q)?;
            out.push(MenuEntry {
                view,
                name: String::new(),
                path: String::new(),
                kind: None,
                depth: 0,
                unread,
                total,
            });
        }
        Ok(())
    }

    pub(crate) fn page(
        &self,
        account_id: i64,
        view: ViewRef,
        cursor: Option<PageCursor>,
        limit: u32,
        hide_receipts: bool,
    ) -> Result<Page> {
        let mut q = ListQuery::new(view.to_core());
        q.account = Some(account_id);
        q.hide_receipts = hide_receipts;
        q.limit = limit.clamp(1, pec_core::limits::MAX_PAGE_ROWS);
        q.before = cursor.map(|c| (c.date, c.id));
        let rows = self.store.list(&q)?;
        let next = (rows.len() as u32 == q.limit)
            .then(|| {
                rows.last().map(|r| PageCursor {
                    date: r.date,
                    id: r.id,
                })
            })
            .flatten();
        let (total, unread) = self.store.count(&q)?;
        Ok(Page {
            rows: rows.into_iter().map(ListRow::from).collect(),
            next,
            total,
            unread,
        })
    }

    pub(crate) fn message_view(&self, id: i64) -> Result<MessageView> {
        let d = self.store.message(id)?;
        let raw = self.store.body(id)?;
        let trust = self.trust_for(d.summary.account_id);
        // A body the analyser refuses (too many parts, not a message) is still shown: its text by
        // the plain reader, and why its PEC facts and signature could not be checked.
        let (analysis, analysis_error) = match raw
            .as_deref()
            .map(|r| pec_core::message::analyze(r, &trust))
        {
            None => (None, None),
            Some(Ok(a)) => (Some(a), None),
            Some(Err(e)) => (None, Some(e.to_string())),
        };
        let signature = match &analysis {
            None => SignatureFacts {
                state: SignatureState::NotChecked,
                signer: None,
                signer_email: None,
                provider: None,
                signing_time: None,
                detail: None,
            },
            Some(a) => SignatureFacts {
                state: match a.signature.status {
                    Some(SignatureStatus::Valid) => SignatureState::Valid,
                    Some(SignatureStatus::Invalid) => SignatureState::Invalid,
                    Some(SignatureStatus::Untrusted) => SignatureState::Untrusted,
                    Some(SignatureStatus::Absent) => SignatureState::Absent,
                    None => SignatureState::NotChecked,
                },
                signer: a.signature.signer_cn.clone(),
                signer_email: a.signature.signer_email.clone(),
                provider: a.signature.provider.clone(),
                signing_time: a.signature.signing_time.map(|t| t.timestamp()),
                detail: a.signature.detail.clone(),
            },
        };
        let daticert = analysis.as_ref().and_then(|a| a.daticert.as_ref());
        let pec = PecFacts {
            kind: d.summary.kind.into(),
            // The verified body's daticert decides; the stored row until the body is here.
            receipt_type: analysis
                .as_ref()
                .and_then(|a| a.receipt.map(|r| r.as_str().to_string()))
                .or_else(|| d.summary.receipt_type.clone()),
            certified: analysis.as_ref().is_some_and(|a| a.certified),
            rewrapped: analysis.as_ref().is_some_and(|a| a.rewrapped),
            header_mismatches: analysis
                .as_ref()
                .map(|a| {
                    a.header_mismatches
                        .iter()
                        .map(|x| HeaderMismatch {
                            header: x.header.clone(),
                            header_value: x.header_value.clone(),
                            daticert_value: x.daticert_value.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            identifier: d
                .identificativo
                .clone()
                .or_else(|| daticert.and_then(|c| c.identificativo.clone())),
            issuer: daticert.and_then(|c| c.gestore_emittente.clone()),
            certified_at: daticert.and_then(|c| c.data).map(|t| t.timestamp()),
            original_sender: d.summary.sender_addr.clone(),
            receipt_recipient: d.pec_recipient.clone(),
            error: d.pec_error.clone(),
            signature,
        };
        let body_text = match (&analysis, raw.as_deref()) {
            (Some(a), _) => a.innermost().body_text.clone(),
            (None, Some(raw)) => pec_core::store::ingest::analyze_fallback(raw).body_text,
            (None, None) => None,
        };
        Ok(MessageView {
            folder: d.summary.folder.clone(),
            message_id: d.message_id,
            refers_to: d.ref_message_id,
            pec,
            recipients: d.recipients.into_iter().map(Into::into).collect(),
            receipts: d.receipts.into_iter().map(receipt_row).collect(),
            attachments: d
                .attachments
                .into_iter()
                .map(|a| AttachmentInfo {
                    file_name: a.filename,
                    mime: a.mime,
                    size: a.size,
                    section: a.section,
                })
                .collect(),
            body_text,
            downloaded: raw.is_some(),
            analysis_error,
            labels: d.labels,
            row: d.summary.into(),
        })
    }

    pub(crate) fn delivery(&self, id: i64) -> Result<DeliveryStatus> {
        let d = self.store.message(id)?;
        Ok(DeliveryStatus {
            message_id: id,
            mark: d.summary.delivery.map(Into::into),
            ticks: d.summary.delivery.and_then(|x| x.ticks()),
            recipients: d.recipients.into_iter().map(Into::into).collect(),
            receipts: d.receipts.into_iter().map(receipt_row).collect(),
        })
    }

    pub(crate) fn raw_of(&self, id: i64) -> Result<(i64, Vec<u8>)> {
        let d = self.store.message(id)?;
        let raw = self
            .store
            .body(id)?
            .ok_or_else(|| PecError::NotDownloaded {
                detail: format!("message {id}"),
            })?;
        Ok((d.summary.account_id, raw))
    }
}

fn receipt_row(r: store::ReceiptInfo) -> ReceiptRow {
    ReceiptRow {
        receipt_id: r.receipt_id,
        sent_id: r.sent_id,
        receipt_type: r.receipt_type,
        recipient: r.recipient,
        error: r.error,
        at: r.at,
        certified: r.certified,
    }
}

fn role_rank(role: Option<FolderRole>) -> u8 {
    match role {
        Some(FolderRole::Inbox) => 0,
        Some(FolderRole::Sent) => 2,
        Some(FolderRole::Drafts) => 3,
        Some(FolderRole::Archive) => 4,
        Some(FolderRole::Junk) => 5,
        Some(FolderRole::Trash) => 6,
        None => 7,
    }
}

fn menu_entry(f: Folder) -> MenuEntry {
    let (name, depth) = match f.delimiter.as_deref().filter(|d| !d.is_empty()) {
        Some(delim) => {
            let parts: Vec<&str> = f.name.split(delim).collect();
            (
                parts.last().copied().unwrap_or(&f.name).to_string(),
                parts.len().saturating_sub(1) as u32,
            )
        }
        None => (f.name.clone(), 0),
    };
    MenuEntry {
        view: ViewRef::Folder { id: f.id },
        name,
        path: f.name,
        kind: Some(f.role.into()),
        depth,
        unread: f.unread,
        total: f.total,
    }
}

pub(crate) fn invoice_view(
    opened: &fatturapa::Opened,
    style: InvoiceStyle,
    file_name: Option<String>,
) -> InvoiceView {
    let render_style = match style {
        InvoiceStyle::Compact => RenderStyle::Compact,
        InvoiceStyle::Ministerial => RenderStyle::Ministerial,
    };
    let html = fatturapa::render::render_opened(opened, render_style);
    let integrity = match opened.integrity {
        Integrity::NotSigned => InvoiceIntegrity::NotSigned,
        Integrity::SignedIntact { trusted: true } => InvoiceIntegrity::SignedTrusted,
        Integrity::SignedIntact { trusted: false } => InvoiceIntegrity::SignedUntrusted,
    };
    let (supplier, number, total) = match &opened.document {
        Document::Invoice(inv) => {
            let body = inv.bodies.first();
            (
                Some(inv.header.cedente_prestatore.display_name()),
                body.map(|b| b.documento().numero.clone()),
                body.map(|b| fatturapa::format::amount(&b.total())),
            )
        }
        Document::Notification(_) => (None, None, None),
    };
    let file_name = file_name.or_else(|| match &opened.container {
        fatturapa::Container::Email { attachment, .. } => Some(attachment.clone()),
        _ => None,
    });
    InvoiceView {
        html,
        style,
        integrity,
        notification: matches!(opened.document, Document::Notification(_)),
        supplier,
        number,
        total,
        file_name,
    }
}

fn mime_for(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".p7m") {
        "application/pkcs7-mime"
    } else if lower.ends_with(".xml") {
        "application/xml"
    } else {
        "application/octet-stream"
    }
}

impl App {
    fn open_with(data_dir: String, creds: Arc<dyn CredentialStore>) -> Result<Arc<App>> {
        if data_dir.trim().is_empty() {
            return Err(PecError::invalid("empty data directory"));
        }
        let data_dir = PathBuf::from(data_dir);
        let store = Store::open_in(&data_dir)?;
        let (changes, _) = broadcast::channel(1024);
        let rt = rt()?;
        let engine = SyncEngine::new(store.clone(), creds.clone());
        let _entered = rt.enter();
        let _engine_changes = engine.subscribe(crate::mail::forward_changes(changes.clone()));
        Ok(Arc::new(App {
            inner: Arc::new(Inner {
                data_dir,
                store,
                creds,
                changes,
                rt,
                signature_trust: std::sync::RwLock::new(bundled_trust().clone()),
                engine,
                _engine_changes,
            }),
        }))
    }
}

#[uniffi::export]
impl App {
    /// Open (creating if needed) the data directory with a built-in credential store.
    #[uniffi::constructor]
    pub fn new(data_dir: String, credentials: CredentialBackend) -> Result<Arc<App>> {
        let creds = credentials::builtin(credentials, std::path::Path::new(&data_dir))?;
        App::open_with(data_dir, creds)
    }

    /// Open the data directory with a credential store the shell implements.
    #[uniffi::constructor]
    pub fn with_secret_store(data_dir: String, secrets: Arc<dyn SecretStore>) -> Result<Arc<App>> {
        App::open_with(data_dir, Arc::new(ForeignStore(secrets)))
    }

    pub fn data_dir(&self) -> String {
        self.inner.data_dir.to_string_lossy().into_owned()
    }

    /// Trust the CA certificates of the PEM file at `pem_path` as issuers of PEC provider
    /// signatures, for this `App` only (not saved): for tests and the demo, whose sandbox provider
    /// signs under a test CA. Without it only the bundled AgID/DigitPA trust list makes a signature
    /// `valid`. An account's TLS `ca_file` never does this on its own: trusting a CA to reach a
    /// server says nothing about who may certify PEC evidence. Applies to messages analysed from
    /// now on (sync, import, show, invoices).
    pub fn add_signature_test_anchor(&self, pem_path: String) -> Result<()> {
        let path = std::path::Path::new(&pem_path);
        let pem = pec_core::files::read_capped(path, pec_core::limits::MAX_CA_FILE_BYTES)
            .map_err(|e| crate::files::with_path(path, e.into()))?;
        let trust = self
            .inner
            .signature_trust()
            .with_anchor_pem(&pem, AnchorRole::PecProviders)
            .map_err(|e| PecError::invalid(format!("{pem_path}: {e}")))?;
        self.inner.store.set_signature_trust(trust.clone());
        *self
            .inner
            .signature_trust
            .write()
            .unwrap_or_else(|p| p.into_inner()) = trust;
        Ok(())
    }

    /// Add (or update) an account from a provider preset or a custom server. The password goes to
    /// the credential store, never to the database. Unless `account.offline`, logs in over IMAP
    /// and SMTP first and saves nothing when that fails (`Auth`, `Tls`, `Network`, `Timeout`,
    /// `Permission`).
    pub async fn add_account(&self, account: NewAccount) -> Result<AccountInfo> {
        let offline = account.offline;
        let setup = account_setup(account)?;
        if !offline {
            let probe = setup.clone();
            crate::runtime::spawn(async move {
                accounts::verify(&probe, accounts::LOGIN_CHECK_TIMEOUT).await?;
                Ok(())
            })
            .await?;
        }
        let inner = self.inner.clone();
        blocking(move || {
            let id = accounts::add_account(&inner.store, inner.creds.as_ref(), &setup)?;
            inner.emit(ChangeKind::Accounts, None);
            inner.account(id)
        })
        .await
    }

    pub async fn accounts(&self) -> Result<Vec<AccountInfo>> {
        let inner = self.inner.clone();
        blocking(move || {
            inner
                .store
                .accounts()?
                .into_iter()
                .map(|a| inner.account_info(a))
                .collect()
        })
        .await
    }

    pub async fn account(&self, account_id: i64) -> Result<AccountInfo> {
        let inner = self.inner.clone();
        blocking(move || inner.account(account_id)).await
    }

    /// Remove an account, its messages and its password.
    pub async fn remove_account(&self, account_id: i64) -> Result<()> {
        let inner = self.inner.clone();
        blocking(move || {
            accounts::remove_account(&inner.store, inner.creds.as_ref(), account_id)?;
            inner.emit(ChangeKind::Accounts, None);
            Ok(())
        })
        .await
    }

    /// The folder menu: real folders (inbox first) with unread counts, and the virtual Invoices
    /// and Receipts folders right after the inbox.
    pub async fn folder_menu(&self, account_id: i64) -> Result<Vec<MenuEntry>> {
        let inner = self.inner.clone();
        blocking(move || inner.menu(account_id)).await
    }

    /// One page of a list, newest first: at most `limit` rows, and never more than
    /// `pec_core::limits::MAX_PAGE_ROWS` (500) in one call; pass `next` to continue.
    pub async fn list_page(
        &self,
        account_id: i64,
        view: ViewRef,
        cursor: Option<PageCursor>,
        limit: u32,
    ) -> Result<Page> {
        let inner = self.inner.clone();
        blocking(move || inner.page(account_id, view, cursor, limit, false)).await
    }

    /// [`App::list_page`] with the list's "hide receipts" switch.
    pub async fn list_page_filtered(
        &self,
        account_id: i64,
        view: ViewRef,
        cursor: Option<PageCursor>,
        limit: u32,
        hide_receipts: bool,
    ) -> Result<Page> {
        let inner = self.inner.clone();
        blocking(move || inner.page(account_id, view, cursor, limit, hide_receipts)).await
    }

    /// The folder with this server name (exact, then case-insensitive) or role (`inbox`, `sent`,
    /// `trash`, ...), as its menu entry; `None` when the account has no such folder.
    pub async fn find_folder(
        &self,
        account_id: i64,
        name_or_role: String,
    ) -> Result<Option<MenuEntry>> {
        let inner = self.inner.clone();
        blocking(move || {
            inner.store.account(account_id)?;
            Ok(inner
                .store
                .find_folder(account_id, &name_or_role)?
                .map(menu_entry))
        })
        .await
    }

    /// The message exactly as received (RFC 5322 bytes), for "save as .eml" or sharing.
    pub async fn raw_message(&self, message_id: i64) -> Result<Vec<u8>> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.raw_of(message_id)?.1)).await
    }

    /// The message detail with its PEC facts (signature checked when the body is downloaded).
    pub async fn message(&self, message_id: i64) -> Result<MessageView> {
        let inner = self.inner.clone();
        blocking(move || inner.message_view(message_id)).await
    }

    /// A sent message's per-recipient delivery.
    pub async fn delivery(&self, message_id: i64) -> Result<DeliveryStatus> {
        let inner = self.inner.clone();
        blocking(move || inner.delivery(message_id)).await
    }

    /// The invoice (or SdI notification) carried by a message, rendered in `style`.
    pub async fn invoice_html(&self, message_id: i64, style: InvoiceStyle) -> Result<InvoiceView> {
        let inner = self.inner.clone();
        blocking(move || {
            let (account, raw) = inner.raw_of(message_id)?;
            let opened = fatturapa::open(&raw, &inner.trust_for(account))?;
            Ok(invoice_view(&opened, style, None))
        })
        .await
    }

    /// The invoice file exactly as received (`.xml` or signed `.p7m`), for sharing or saving.
    pub async fn invoice_original(&self, message_id: i64) -> Result<SharedFile> {
        let inner = self.inner.clone();
        blocking(move || {
            let (account, raw) = inner.raw_of(message_id)?;
            let (file_name, data) = fatturapa::invoice_attachment(&raw, &inner.trust_for(account))?;
            Ok(SharedFile {
                mime: mime_for(&file_name).to_string(),
                file_name,
                data,
            })
        })
        .await
    }

    /// Open an invoice file handed to the app (`.xml`, `.xml.p7m`, `.eml`).
    pub async fn open_invoice_file(
        &self,
        file_name: Option<String>,
        data: Vec<u8>,
        style: InvoiceStyle,
    ) -> Result<InvoiceView> {
        crate::files::render_invoice_file(file_name, data, style).await
    }

    /// Full-text search with filters, newest first.
    pub async fn search(
        &self,
        account_id: Option<i64>,
        filters: SearchFilters,
    ) -> Result<Vec<ListRow>> {
        let inner = self.inner.clone();
        blocking(move || {
            let mut q = SearchQuery::parse(&filters.text);
            q.account = account_id;
            q.from.extend(filters.from.filter(|s| !s.trim().is_empty()));
            q.to.extend(filters.to.filter(|s| !s.trim().is_empty()));
            q.subject
                .extend(filters.subject.filter(|s| !s.trim().is_empty()));
            if filters.after.is_some() {
                q.after = filters.after;
            }
            if filters.before.is_some() {
                q.before = filters.before;
            }
            if filters.folder_id.is_some() {
                q.folder = filters.folder_id;
            }
            q.hide_receipts |= filters.hide_receipts;
            if filters.limit > 0 {
                q.limit = filters.limit.min(1000);
            }
            let rows = inner.store.search(&q)?;
            Ok(rows
                .into_iter()
                .filter(|r| !filters.invoices_only || r.is_invoice)
                .map(ListRow::from)
                .collect())
        })
        .await
    }

    /// Apply an action locally at once; the sync replays it on the server.
    pub async fn apply(&self, message_id: i64, action: MessageAction) -> Result<()> {
        let inner = self.inner.clone();
        blocking(move || {
            let account = inner.store.message(message_id)?.summary.account_id;
            let core = match action {
                MessageAction::MarkSeen => Action::SetSeen(true),
                MessageAction::MarkUnseen => Action::SetSeen(false),
                MessageAction::Flag => Action::SetFlagged(true),
                MessageAction::Unflag => Action::SetFlagged(false),
                MessageAction::AddLabel { label } => Action::AddLabel(label),
                MessageAction::RemoveLabel { label } => Action::RemoveLabel(label),
                MessageAction::MoveTo { folder_id } => Action::Move(folder_id),
                MessageAction::Delete => Action::Delete,
            };
            accounts::apply_action(&inner.store, message_id, core)?;
            inner.emit(ChangeKind::Messages, Some(account));
            Ok(())
        })
        .await
    }

    /// Import a raw message (an `.eml` opened from files) into the account's inbox; returns its id.
    pub async fn import_message(&self, account_id: i64, raw: Vec<u8>) -> Result<i64> {
        Ok(self.import_into(account_id, None, raw).await?.id)
    }

    /// Import a raw message into a local folder (name or role; created when missing; the inbox
    /// when `None`). Receipts among imported messages are tracked like synced ones. A message
    /// with the Message-ID of one already there but other bytes is a different message and is
    /// stored beside it; an empty input is refused (`InvalidInput`), one over
    /// `pec_core::limits::MAX_MESSAGE_FILE_BYTES` too (`TooLarge`).
    pub async fn import_into(
        &self,
        account_id: i64,
        folder: Option<String>,
        raw: Vec<u8>,
    ) -> Result<ImportResult> {
        let inner = self.inner.clone();
        blocking(move || {
            crate::files::check_for(&raw, crate::files::FilePurpose::Message)?;
            inner.import_bytes(account_id, folder, &raw)
        })
        .await
    }

    /// [`App::import_into`] of the file at `path`, refused with `TooLarge` before it is read when
    /// over the cap (a device or pipe as soon as it passes it).
    pub async fn import_file(
        &self,
        account_id: i64,
        folder: Option<String>,
        path: String,
    ) -> Result<ImportResult> {
        let inner = self.inner.clone();
        blocking(move || {
            let raw = crate::files::read_for(
                std::path::Path::new(&path),
                crate::files::FilePurpose::Message,
            )?;
            inner.import_bytes(account_id, folder, &raw)
        })
        .await
    }

    /// Every store change, as it happens.
    pub fn subscribe_changes(&self, listener: Arc<dyn ChangeListener>) -> Arc<Subscription> {
        let mut rx = self.inner.changes.subscribe();
        let task = self.inner.rt.spawn(async move {
            loop {
                match rx.recv().await {
                    Ok(ev) => listener.on_change(ev),
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        listener.on_change(ChangeEvent {
                            kind: ChangeKind::Messages,
                            account_id: None,
                        })
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        Arc::new(Subscription::new(task))
    }

    /// The folder menu now, then again whenever it may have changed.
    pub fn subscribe_folder_menu(
        &self,
        account_id: i64,
        listener: Arc<dyn MenuListener>,
    ) -> Arc<Subscription> {
        let inner = self.inner.clone();
        let rx = inner.changes.subscribe();
        let task = self.inner.rt.spawn(watch(rx, Some(account_id), move || {
            let inner = inner.clone();
            let listener = listener.clone();
            async move {
                match blocking(move || inner.menu(account_id)).await {
                    Ok(m) => listener.on_menu(m),
                    Err(e) => listener.on_error((&e).into()),
                }
            }
        }));
        Arc::new(Subscription::new(task))
    }

    /// A sent message's delivery now, then at every receipt.
    pub fn subscribe_delivery(
        &self,
        message_id: i64,
        listener: Arc<dyn DeliveryListener>,
    ) -> Arc<Subscription> {
        let inner = self.inner.clone();
        let rx = inner.changes.subscribe();
        let account = inner
            .store
            .message(message_id)
            .ok()
            .map(|d| d.summary.account_id);
        let task = self.inner.rt.spawn(watch(rx, account, move || {
            let inner = inner.clone();
            let listener = listener.clone();
            async move {
                match blocking(move || inner.delivery(message_id)).await {
                    Ok(s) => listener.on_delivery(s),
                    Err(e) => listener.on_error((&e).into()),
                }
            }
        }));
        Arc::new(Subscription::new(task))
    }
}

/// Run `deliver` once, then after every change of `account` (or of every account).
async fn watch<F, Fut>(mut rx: broadcast::Receiver<ChangeEvent>, account: Option<i64>, deliver: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    deliver().await;
    loop {
        match rx.recv().await {
            Ok(ev) => {
                if ev.account_id.is_none() || account.is_none() || ev.account_id == account {
                    // Coalesce bursts (a sync batch) into one delivery.
                    while rx.try_recv().is_ok() {}
                    deliver().await;
                }
            }
            Err(broadcast::error::RecvError::Lagged(_)) => deliver().await,
            Err(broadcast::error::RecvError::Closed) => break,
        }
    }
}

/// The core's add-account form from the facade's: a preset's servers, or the custom ones.
fn account_setup(account: NewAccount) -> Result<accounts::AccountSetup> {
    let servers = match account.provider {
        Provider::Custom => {
            let c = account
                .custom
                .ok_or_else(|| PecError::invalid("a custom provider needs its servers"))?;
            accounts::Servers {
                imap_host: c.imap_host,
                imap_port: c.imap_port,
                smtp_host: c.smtp_host,
                smtp_port: c.smtp_port,
                ca_file: c.ca_file.map(PathBuf::from),
            }
        }
        p => {
            let preset = provider_preset(p);
            accounts::Servers {
                imap_host: preset.imap_host,
                imap_port: preset.imap_port,
                smtp_host: preset.smtp_host,
                smtp_port: preset.smtp_port,
                ca_file: None,
            }
        }
    };
    Ok(accounts::AccountSetup {
        address: account.address,
        password: account.password,
        display_name: account.display_name,
        servers,
        provider: account.provider.as_str().to_string(),
        delegation: account.delegation.map(|d| accounts::DelegateLogin {
            login: d.login,
            permissions: d.permissions.into(),
        }),
    })
}
