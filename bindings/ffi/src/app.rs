//! The [`App`] object: one data directory (store + credentials), its accounts, and every query and
//! action the screens need. The facade only converts: the work is `pec-core`'s.

use crate::credentials::{self, CredentialBackend, ForeignStore, SecretStore};
use crate::error::{PecError, Result};
use crate::events::{ChangeListener, DeliveryListener, MenuListener, Subscription};
use crate::runtime::{blocking, rt};
use crate::types::*;
use pec_core::accounts::{self, Account, CredentialStore};
use pec_core::fatturapa::{self, Integrity, RenderStyle};
use pec_core::signature::TrustStore;
use pec_core::store::Store;
use pec_core::{Change, Context};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use tokio::sync::broadcast;

/// The most messages one `apply_all` takes.
const MAX_SELECTION: usize = 10_000;

pub(crate) struct Inner {
    /// The core's root: store, the one sync engine, outbox, trust, change bus.
    pub ctx: Context,
    /// The core's runtime, started when the app opens, so that subscriptions can spawn on it.
    pub rt: &'static tokio::runtime::Runtime,
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
    pub(crate) fn store(&self) -> &Store {
        self.ctx.store()
    }

    pub(crate) fn account_info(&self, acc: Account) -> Result<AccountInfo> {
        let meta = accounts::account_meta(self.store(), &acc)?;
        let permissions = meta.permissions();
        let quota = acc.quota_level().into();
        let denied = accounts::account_denials(self.store(), &acc)?
            .into_iter()
            .map(Into::into)
            .collect();
        Ok(AccountInfo {
            id: acc.id,
            capabilities: accounts::account_capabilities(self.store(), &acc)?.into(),
            address: acc.config.address,
            display_name: acc.config.display_name,
            provider: meta.provider().into(),
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
            denied,
            signature: meta.signature,
            quota,
        })
    }

    pub(crate) fn import_bytes(
        &self,
        account_id: i64,
        folder: Option<String>,
        raw: &[u8],
    ) -> Result<ImportResult> {
        let out = self.ctx.import(account_id, folder.as_deref(), raw)?;
        Ok(ImportResult {
            id: out.id,
            inserted: out.inserted,
        })
    }

    pub(crate) fn account(&self, id: i64) -> Result<AccountInfo> {
        let acc = self.store().account(id)?;
        self.account_info(acc)
    }

    pub(crate) fn menu(&self, account_id: i64) -> Result<Vec<MenuEntry>> {
        Ok(self
            .ctx
            .menu(account_id)?
            .into_iter()
            .map(MenuEntry::from)
            .collect())
    }

    pub(crate) fn page(
        &self,
        account_id: i64,
        view: ViewRef,
        cursor: Option<PageCursor>,
        limit: u32,
        hide_receipts: bool,
    ) -> Result<Page> {
        let page = self.ctx.page(
            account_id,
            view.into_core(),
            cursor.map(|c| (c.date, c.id)),
            limit,
            hide_receipts,
        )?;
        Ok(Page {
            rows: page.rows.into_iter().map(ListRow::from).collect(),
            next: page.next.map(|(date, id)| PageCursor { date, id }),
            total: page.total,
            unread: page.unread,
        })
    }

    pub(crate) fn message_view(&self, id: i64) -> Result<MessageView> {
        Ok(self.ctx.message_view(id)?.into())
    }

    pub(crate) fn delivery(&self, id: i64) -> Result<DeliveryStatus> {
        let d = self.store().message(id)?;
        Ok(DeliveryStatus {
            message_id: id,
            mark: d.summary.delivery.map(Into::into),
            ticks: d.summary.delivery.and_then(|x| x.ticks()),
            recipients: d.recipients.into_iter().map(Into::into).collect(),
            receipts: d.receipts.into_iter().map(Into::into).collect(),
        })
    }

    pub(crate) fn raw_of(&self, id: i64) -> Result<(i64, Vec<u8>)> {
        Ok(self.ctx.raw_message(id)?)
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
    let integrity = match opened.integrity {
        Integrity::NotSigned => InvoiceIntegrity::NotSigned,
        Integrity::SignedIntact { trusted: true } => InvoiceIntegrity::SignedTrusted,
        Integrity::SignedIntact { trusted: false } => InvoiceIntegrity::SignedUntrusted,
    };
    let h = opened.headline(file_name);
    InvoiceView {
        html: fatturapa::render::render_opened(opened, render_style),
        style,
        integrity,
        notification: h.notification,
        supplier: h.supplier,
        number: h.number,
        total: h.total,
        file_name: h.file_name,
    }
}

impl App {
    fn open_with(data_dir: String, creds: Arc<dyn CredentialStore>) -> Result<Arc<App>> {
        App::open_in(data_dir, |dir| Context::open(dir, creds))
    }

    /// Open encrypted with `key`, encrypting a plain store first.
    pub(crate) fn open_encrypted(
        data_dir: String,
        creds: Arc<dyn CredentialStore>,
        key: pec_core::vault::StoreKey,
    ) -> Result<Arc<App>> {
        App::open_in(data_dir, |dir| Context::open_encrypting(dir, creds, key))
    }

    pub(crate) fn open_in(
        data_dir: String,
        open: impl FnOnce(PathBuf) -> pec_core::context::Result<Context>,
    ) -> Result<Arc<App>> {
        if data_dir.trim().is_empty() {
            return Err(PecError::invalid("empty data directory"));
        }
        let rt = rt()?;
        let _entered = rt.enter();
        let ctx = open(PathBuf::from(data_dir))?;
        Ok(Arc::new(App {
            inner: Arc::new(Inner { ctx, rt }),
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
        self.inner.ctx.data_dir().to_string_lossy().into_owned()
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
        self.inner
            .ctx
            .add_provider_anchor(&pem)
            .map_err(|e| PecError::invalid(format!("{pem_path}: {e}")))
    }

    /// Add (or update) an account from a provider preset or a custom server. The password goes to
    /// the credential store, never to the database. Unless `account.offline`, logs in over IMAP
    /// and SMTP first and saves nothing when that fails (`Auth`, `Tls`, `Network`, `Timeout`,
    /// `Permission`).
    pub async fn add_account(&self, account: NewAccount) -> Result<AccountInfo> {
        let verify = !account.offline;
        let setup = account_setup(account)?;
        let inner = self.inner.clone();
        crate::runtime::spawn(async move {
            let id = inner.ctx.add_account(&setup, verify).await?;
            inner.account(id)
        })
        .await
    }

    pub async fn accounts(&self) -> Result<Vec<AccountInfo>> {
        let inner = self.inner.clone();
        blocking(move || {
            inner
                .store()
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
        blocking(move || Ok(inner.ctx.remove_account(account_id)?)).await
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
            Ok(inner
                .ctx
                .find_folder(account_id, &name_or_role)?
                .map(MenuEntry::from))
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
            let (_, raw) = inner.raw_of(message_id)?;
            let opened = fatturapa::open(&raw, &inner.ctx.trust())?;
            Ok(invoice_view(&opened, style, None))
        })
        .await
    }

    /// The invoice file exactly as received (`.xml` or signed `.p7m`), for sharing or saving.
    pub async fn invoice_original(&self, message_id: i64) -> Result<SharedFile> {
        let inner = self.inner.clone();
        blocking(move || {
            let (_, raw) = inner.raw_of(message_id)?;
            let (file_name, data) = fatturapa::invoice_attachment(&raw, &inner.ctx.trust())?;
            Ok(SharedFile {
                mime: pec_core::files::mime_type(&file_name).to_string(),
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
            let rows = inner.ctx.search(account_id, &filters.into())?;
            Ok(rows.into_iter().map(ListRow::from).collect())
        })
        .await
    }

    /// Apply an action locally at once; the sync replays it on the server.
    pub async fn apply(&self, message_id: i64, action: MessageAction) -> Result<()> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.ctx.apply(message_id, action.into())?)).await
    }

    /// Apply an action to several messages (a selection in a list, at most 10,000): to all of
    /// them or, when one is refused (a permission, a folder's rights), to none, with the reason.
    pub async fn apply_all(&self, message_ids: Vec<i64>, action: MessageAction) -> Result<()> {
        if message_ids.len() > MAX_SELECTION {
            return Err(PecError::InvalidInput {
                detail: format!("at most {MAX_SELECTION} messages at once"),
            });
        }
        let inner = self.inner.clone();
        blocking(move || Ok(inner.ctx.apply_all(&message_ids, action.into())?)).await
    }

    /// Mark every unread message of the list `view` of `account_id` read (the whole list, not
    /// the rows loaded; receipts included, hidden or not): one action, all or none; how many.
    pub async fn mark_all_read(&self, account_id: i64, view: ViewRef) -> Result<u32> {
        let inner = self.inner.clone();
        blocking(move || {
            let marked = inner.ctx.mark_all_read(account_id, view.into_core())?;
            Ok(u32::try_from(marked).unwrap_or(u32::MAX))
        })
        .await
    }

    /// What emptying `folder_id` would delete for good (how many messages, receipts and
    /// certified messages among them): asked before [`App::empty_folder`].
    pub async fn emptying(&self, folder_id: i64) -> Result<FolderEmptying> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.ctx.emptying(folder_id)?.into())).await
    }

    /// Empty the trash or the junk folder for good (a menu entry's `emptiable`): here now, on
    /// the server at the next sync; how many went. Another folder is `InvalidInput`; a delegate
    /// without the permission (`empty_folder_needs`), or a folder whose rights forbid it, `Permission`.
    pub async fn empty_folder(&self, folder_id: i64) -> Result<u32> {
        let inner = self.inner.clone();
        blocking(move || {
            let emptied = inner.ctx.empty_folder(folder_id)?;
            Ok(u32::try_from(emptied).unwrap_or(u32::MAX))
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
        let mut rx = self.inner.ctx.changes();
        Arc::new(Subscription::spawn(self.inner.rt, |through| async move {
            loop {
                let change = match rx.recv().await {
                    Ok(ev) => ev.into(),
                    Err(broadcast::error::RecvError::Lagged(_)) => ChangeEvent {
                        kind: ChangeKind::Messages,
                        account_id: None,
                    },
                    Err(broadcast::error::RecvError::Closed) => break,
                };
                if !through.pass(|| listener.on_change(change)) {
                    break;
                }
            }
        }))
    }

    /// The folder menu now, then again whenever it may have changed.
    pub fn subscribe_folder_menu(
        &self,
        account_id: i64,
        listener: Arc<dyn MenuListener>,
    ) -> Arc<Subscription> {
        let inner = self.inner.clone();
        let rx = inner.ctx.changes();
        Arc::new(Subscription::spawn(self.inner.rt, |through| {
            watch(rx, Some(account_id), move || {
                let (inner, listener, through) = (inner.clone(), listener.clone(), through.clone());
                async move {
                    let menu = blocking(move || inner.menu(account_id)).await;
                    through.pass(|| match menu {
                        Ok(m) => listener.on_menu(m),
                        Err(e) => listener.on_error((&e).into()),
                    })
                }
            })
        }))
    }

    /// A sent message's delivery now, then at every receipt.
    pub fn subscribe_delivery(
        &self,
        message_id: i64,
        listener: Arc<dyn DeliveryListener>,
    ) -> Arc<Subscription> {
        let inner = self.inner.clone();
        let rx = inner.ctx.changes();
        let account = inner
            .store()
            .message(message_id)
            .ok()
            .map(|d| d.summary.account_id);
        Arc::new(Subscription::spawn(self.inner.rt, |through| {
            watch(rx, account, move || {
                let (inner, listener, through) = (inner.clone(), listener.clone(), through.clone());
                async move {
                    let delivery = blocking(move || inner.delivery(message_id)).await;
                    through.pass(|| match delivery {
                        Ok(s) => listener.on_delivery(s),
                        Err(e) => listener.on_error((&e).into()),
                    })
                }
            })
        }))
    }
}

/// Run `deliver` once, then after every change of `account` (or of every account), until it
/// returns `false` (its subscription was cancelled) or the change bus closes.
async fn watch<F, Fut>(mut rx: broadcast::Receiver<Change>, account: Option<i64>, deliver: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    if !deliver().await {
        return;
    }
    loop {
        let again = match rx.recv().await {
            Ok(ev) => {
                let ours = ev.account.is_none() || account.is_none() || ev.account == account;
                if ours {
                    // Coalesce bursts (a sync batch) into one delivery.
                    while rx.try_recv().is_ok() {}
                }
                ours
            }
            Err(broadcast::error::RecvError::Lagged(_)) => true,
            Err(broadcast::error::RecvError::Closed) => break,
        };
        if again && !deliver().await {
            break;
        }
    }
}

/// The core's add-account form from the facade's.
fn account_setup(account: NewAccount) -> Result<accounts::AccountSetup> {
    let custom = account.custom.map(|c| accounts::Servers {
        imap_host: c.imap_host,
        imap_port: c.imap_port,
        smtp_host: c.smtp_host,
        smtp_port: c.smtp_port,
        ca_file: c.ca_file.map(PathBuf::from),
    });
    let provider = account.provider.into();
    Ok(accounts::AccountSetup {
        address: account.address,
        password: account.password,
        display_name: account.display_name,
        servers: accounts::providers::servers_for(provider, custom)?,
        provider,
        delegation: account.delegation.map(|d| accounts::DelegateLogin {
            login: d.login,
            permissions: d.permissions.into(),
        }),
    })
}
