//! Records shaped for screens. Every timestamp is Unix seconds (UTC); shells format them.

use crate::presets::Provider;
use pec_core::accounts;
use pec_core::store::{
    self, DeliveryState, DeliverySummary, FolderRole, Kind, MessageSummary, RecipientState,
};

/// The five permissions a business PEC box grants a delegate (multi-user access).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, uniffi::Record, serde::Serialize, serde::Deserialize,
)]
pub struct Permissions {
    /// Read messages and folders.
    pub read: bool,
    /// Move, delete, flag, file messages; drafts.
    pub write: bool,
    /// Send as the owner.
    pub send: bool,
    /// Use mail programs (IMAP/SMTP) at all: without it this client cannot connect.
    pub mail_programs: bool,
    /// Change mailbox settings.
    pub settings: bool,
}

impl Permissions {
    pub const OWNER: Permissions = Permissions {
        read: true,
        write: true,
        send: true,
        mail_programs: true,
        settings: true,
    };
}

impl From<Permissions> for accounts::Permissions {
    fn from(p: Permissions) -> Self {
        accounts::Permissions {
            read: p.read,
            write: p.write,
            send: p.send,
            mail_programs: p.mail_programs,
            settings: p.settings,
        }
    }
}

impl From<accounts::Permissions> for Permissions {
    fn from(p: accounts::Permissions) -> Self {
        Permissions {
            read: p.read,
            write: p.write,
            send: p.send,
            mail_programs: p.mail_programs,
            settings: p.settings,
        }
    }
}

/// A delegated login onto someone else's box: the delegate's own username and what it may do.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize, serde::Deserialize)]
pub struct Delegation {
    pub login: String,
    pub permissions: Permissions,
}

/// What the UI may offer for an account (permissions, intersected with the server's ACL rights on
/// the inbox when the server reports them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct Capabilities {
    pub can_read: bool,
    pub can_sync: bool,
    pub can_move_delete: bool,
    pub can_flag: bool,
    pub can_compose: bool,
    pub can_send: bool,
    pub can_edit_settings: bool,
}

impl From<accounts::Capabilities> for Capabilities {
    fn from(c: accounts::Capabilities) -> Self {
        Capabilities {
            can_read: c.can_read,
            can_sync: c.can_sync,
            can_move_delete: c.can_move_delete,
            can_flag: c.can_flag,
            can_compose: c.can_compose,
            can_send: c.can_send,
            can_edit_settings: c.can_edit_settings,
        }
    }
}

/// A server typed by hand (provider `Custom`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CustomServer {
    pub imap_host: String,
    pub imap_port: u16,
    pub smtp_host: String,
    pub smtp_port: u16,
    /// Extra trust anchor (PEM file) for a server with a private CA, e.g. the sandbox.
    pub ca_file: Option<String>,
}

/// The add-account form.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct NewAccount {
    pub provider: Provider,
    /// The PEC address of the box (the owner's, for a delegated login).
    pub address: String,
    pub password: String,
    pub display_name: Option<String>,
    /// Required for `Provider::Custom`, ignored otherwise.
    pub custom: Option<CustomServer>,
    /// Set when logging in as a delegate of `address`.
    pub delegation: Option<Delegation>,
    /// Save without logging in first (scripts, or setting up with no network). By default
    /// `addAccount` logs in over IMAP and SMTP and refuses with the reason (`Auth`, `Tls`,
    /// `Network`, `Timeout`, `Permission`) before anything is saved.
    #[uniffi(default)]
    pub offline: bool,
}

/// An account as the account list and settings screens show it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct AccountInfo {
    pub id: i64,
    pub address: String,
    pub display_name: Option<String>,
    pub provider: Provider,
    /// The username used to log in (the address, or the delegate's username).
    pub login: String,
    pub delegated: bool,
    pub permissions: Permissions,
    pub capabilities: Capabilities,
    pub imap_host: String,
    pub imap_port: u16,
    pub smtp_host: String,
    pub smtp_port: u16,
    /// The extra trust anchor (PEM file) of a custom server, when one was given.
    pub ca_file: Option<String>,
    pub quota_used_kb: Option<u64>,
    pub quota_limit_kb: Option<u64>,
    /// What this login may not do, and why: what a delegate sees beside a disabled action.
    pub denied: Vec<DeniedAction>,
    /// The lines a new message, a reply or a forward opens with (`App::set_signature`).
    pub signature: Option<String>,
    /// How full the box was at the last sync (the core's rule: nearly full from 90%).
    pub quota: QuotaLevel,
}

/// How full a box is. A full PEC box refuses incoming certified mail (the sender gets a
/// non-delivery receipt) and the receipts of what it sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuotaLevel {
    /// The server reports no quota (or not yet).
    Unknown,
    Room,
    NearlyFull,
    Full,
}

impl From<accounts::QuotaLevel> for QuotaLevel {
    fn from(q: accounts::QuotaLevel) -> Self {
        match q {
            accounts::QuotaLevel::Unknown => QuotaLevel::Unknown,
            accounts::QuotaLevel::Room => QuotaLevel::Room,
            accounts::QuotaLevel::NearlyFull => QuotaLevel::NearlyFull,
            accounts::QuotaLevel::Full => QuotaLevel::Full,
        }
    }
}

/// Something a user does with an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountAction {
    /// Read the box (sync, download).
    Sync,
    Send,
    /// Mark read or unread, flag, label.
    Flag,
    MoveDelete,
    EditSettings,
}

/// One of the five permissions of a delegation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PermissionKind {
    Read,
    Write,
    Send,
    MailPrograms,
    Settings,
}

/// An action the login may not take: the permission its delegation lacks, or the server's rights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct DeniedAction {
    pub action: AccountAction,
    /// The first permission the delegation lacks for it; `None` when the server's rights (ACL)
    /// are why.
    pub missing: Option<PermissionKind>,
}

impl From<accounts::Operation> for AccountAction {
    fn from(op: accounts::Operation) -> Self {
        use accounts::Operation;
        match op {
            Operation::Sync => AccountAction::Sync,
            Operation::Send => AccountAction::Send,
            Operation::Flag => AccountAction::Flag,
            Operation::MoveDelete => AccountAction::MoveDelete,
            Operation::EditSettings => AccountAction::EditSettings,
        }
    }
}

impl From<(accounts::Operation, accounts::Denial)> for DeniedAction {
    fn from((op, denial): (accounts::Operation, accounts::Denial)) -> Self {
        use accounts::{Denial, Permission};
        DeniedAction {
            action: op.into(),
            missing: match denial {
                Denial::Missing(p) => Some(match p {
                    Permission::Read => PermissionKind::Read,
                    Permission::Write => PermissionKind::Write,
                    Permission::Send => PermissionKind::Send,
                    Permission::MailPrograms => PermissionKind::MailPrograms,
                    Permission::Settings => PermissionKind::Settings,
                }),
                Denial::ServerRights => None,
            },
        }
    }
}

/// What a message action needs of the account: the [`DeniedAction::action`] to look for in
/// [`AccountInfo::denied`] before offering it (the core's rule, `accounts::Operation::of_action`).
#[uniffi::export]
pub fn action_needs(action: MessageAction) -> AccountAction {
    accounts::Operation::of_action(&action.into()).into()
}

/// What emptying a folder (`App::empty_folder`) needs of the account: the [`DeniedAction::action`]
/// to look for in [`AccountInfo::denied`] before offering it (the core's rule,
/// `accounts::Operation::EMPTY_FOLDER`).
#[uniffi::export]
pub fn empty_folder_needs() -> AccountAction {
    accounts::Operation::EMPTY_FOLDER.into()
}

/// Why this login may not start a message (new, reply, reply all, forward), from its
/// [`AccountInfo::denied`]: only when it may neither send nor save a draft (the core's rule,
/// `accounts::compose_denial`); `None` when composing is offered.
#[uniffi::export]
pub fn compose_refusal(denied: Vec<DeniedAction>) -> Option<DeniedAction> {
    accounts::compose_denial(|op| {
        let action = AccountAction::from(op);
        denied.iter().find(|d| d.action == action).copied()
    })
}

/// What a folder is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FolderKind {
    Inbox,
    Sent,
    Drafts,
    Trash,
    Junk,
    Archive,
    /// The local outbox: PECs queued on this device, not yet submitted.
    Outbox,
    /// A folder of the user's own.
    Other,
}

impl From<Option<FolderRole>> for FolderKind {
    fn from(r: Option<FolderRole>) -> Self {
        match r {
            Some(FolderRole::Inbox) => FolderKind::Inbox,
            Some(FolderRole::Sent) => FolderKind::Sent,
            Some(FolderRole::Drafts) => FolderKind::Drafts,
            Some(FolderRole::Trash) => FolderKind::Trash,
            Some(FolderRole::Junk) => FolderKind::Junk,
            Some(FolderRole::Archive) => FolderKind::Archive,
            None => FolderKind::Other,
        }
    }
}

/// What a list shows: a real folder, a folder by role, or a virtual folder.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum, serde::Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ViewRef {
    Folder {
        id: i64,
    },
    Inbox,
    Sent,
    /// Virtual: received invoices (SDI files).
    Invoices,
    /// Virtual: every PEC receipt.
    Receipts,
    /// Virtual: the sent PEC not delivered (a delivery failed, or the provider warned it may).
    Undelivered,
    /// Every message of the account.
    All,
    /// Virtual: the messages with this label (as the user wrote it).
    Label {
        name: String,
    },
}

impl ViewRef {
    pub(crate) fn into_core(self) -> store::View {
        match self {
            ViewRef::Folder { id } => store::View::Folder(id),
            ViewRef::Inbox => store::View::Role(FolderRole::Inbox),
            ViewRef::Sent => store::View::Role(FolderRole::Sent),
            ViewRef::Invoices => store::View::Invoices,
            ViewRef::Receipts => store::View::Receipts,
            ViewRef::Undelivered => store::View::Undelivered,
            ViewRef::All => store::View::All,
            ViewRef::Label { name } => store::View::Label(name),
        }
    }
}

/// One line of the folder menu. Virtual folders have `kind = None`: the shell labels them from
/// `view` (Invoices, Receipts) in its own language.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct MenuEntry {
    pub view: ViewRef,
    /// The server's folder name (last path component); empty for virtual folders.
    pub name: String,
    /// Full IMAP path.
    pub path: String,
    pub kind: Option<FolderKind>,
    /// Nesting level (0 = top).
    pub depth: u32,
    pub unread: u32,
    /// Unread messages in the folders below (all levels), for a collapsed parent.
    pub unread_below: u32,
    pub total: u32,
    /// It has messages and may be emptied at once (`App::empty_folder`): the trash or the junk
    /// folder, its rights permitting. Whether this login may is `empty_folder_needs()` in
    /// `AccountInfo::denied`.
    pub emptiable: bool,
}

/// What emptying a folder deletes for good, for the question asked before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct FolderEmptying {
    pub messages: u32,
    /// Receipts among them: the proof of acceptance or delivery each carries goes with it.
    pub receipts: u32,
    /// Certified messages among them (PEC, REM).
    pub certified: u32,
}

impl From<pec_core::store::Emptying> for FolderEmptying {
    fn from(e: pec_core::store::Emptying) -> Self {
        FolderEmptying {
            messages: e.messages,
            receipts: e.receipts,
            certified: e.certified,
        }
    }
}

/// Which receipt a PEC receipt is (`X-Ricevuta`, daticert `tipo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum, serde::Serialize)]
pub enum ReceiptKind {
    /// The sender's provider accepted the message: one tick.
    #[serde(rename = "accettazione")]
    Accettazione,
    /// The sender's provider refused it.
    #[serde(rename = "non-accettazione")]
    NonAccettazione,
    /// The recipient's provider took charge of it.
    #[serde(rename = "presa-in-carico")]
    PresaInCarico,
    /// Delivered to one recipient's box: two ticks when every recipient has one.
    #[serde(rename = "avvenuta-consegna")]
    AvvenutaConsegna,
    /// Delivery to one recipient failed.
    #[serde(rename = "errore-consegna")]
    ErroreConsegna,
    /// Delivery to one recipient is late and may fail.
    #[serde(rename = "preavviso-errore-consegna")]
    PreavvisoErroreConsegna,
    /// A virus was found: not delivered.
    #[serde(rename = "rilevazione-virus")]
    RilevazioneVirus,
    /// A receipt whose kind this version does not know.
    #[serde(rename = "sconosciuta")]
    Unknown,
}

impl ReceiptKind {
    /// The word on the wire (`avvenuta-consegna`), for logs and the terminal.
    pub fn as_str(self) -> &'static str {
        match pec_core::message::ReceiptKind::try_from(self) {
            Ok(k) => k.as_str(),
            Err(()) => "sconosciuta",
        }
    }

    /// The kind named by a stored or received word; `Unknown` for any other word.
    pub fn of_word(word: &str) -> ReceiptKind {
        pec_core::message::ReceiptKind::parse(word).map_or(ReceiptKind::Unknown, Into::into)
    }
}

impl From<pec_core::message::ReceiptKind> for ReceiptKind {
    fn from(k: pec_core::message::ReceiptKind) -> Self {
        use pec_core::message::ReceiptKind as K;
        match k {
            K::Accettazione => ReceiptKind::Accettazione,
            K::NonAccettazione => ReceiptKind::NonAccettazione,
            K::PresaInCarico => ReceiptKind::PresaInCarico,
            K::AvvenutaConsegna => ReceiptKind::AvvenutaConsegna,
            K::ErroreConsegna => ReceiptKind::ErroreConsegna,
            K::PreavvisoErroreConsegna => ReceiptKind::PreavvisoErroreConsegna,
            K::RilevazioneVirus => ReceiptKind::RilevazioneVirus,
        }
    }
}

impl TryFrom<ReceiptKind> for pec_core::message::ReceiptKind {
    type Error = ();
    fn try_from(k: ReceiptKind) -> Result<Self, ()> {
        use pec_core::message::ReceiptKind as K;
        Ok(match k {
            ReceiptKind::Accettazione => K::Accettazione,
            ReceiptKind::NonAccettazione => K::NonAccettazione,
            ReceiptKind::PresaInCarico => K::PresaInCarico,
            ReceiptKind::AvvenutaConsegna => K::AvvenutaConsegna,
            ReceiptKind::ErroreConsegna => K::ErroreConsegna,
            ReceiptKind::PreavvisoErroreConsegna => K::PreavvisoErroreConsegna,
            ReceiptKind::RilevazioneVirus => K::RilevazioneVirus,
            ReceiptKind::Unknown => return Err(()),
        })
    }
}

/// The PEC nature of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageKind {
    /// Ordinary mail (and what this client sends).
    Plain,
    /// A certified message received (the provider's transport envelope).
    Certified,
    /// Non-certified mail wrapped by the provider (anomaly).
    Anomaly,
    /// A PEC receipt.
    Receipt,
    /// A REM (European) message or evidence.
    Rem,
}

impl From<Kind> for MessageKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Plain => MessageKind::Plain,
            Kind::Envelope => MessageKind::Certified,
            Kind::Anomaly => MessageKind::Anomaly,
            Kind::Receipt => MessageKind::Receipt,
            Kind::Rem => MessageKind::Rem,
        }
    }
}

/// A sent message's delivery at a glance: the list's ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryMark {
    /// Sent, no receipt yet (no tick).
    Sent,
    /// Accepted by the sender's provider (one tick).
    Accepted,
    /// Some recipients delivered (one tick).
    Partial,
    /// Every certified recipient delivered (two ticks).
    Delivered,
    /// A delay warning, nothing final yet.
    Warning,
    /// Not accepted, or a delivery failed.
    Failed,
}

impl From<DeliverySummary> for DeliveryMark {
    fn from(d: DeliverySummary) -> Self {
        match d {
            DeliverySummary::Sent => DeliveryMark::Sent,
            DeliverySummary::Accepted => DeliveryMark::Accepted,
            DeliverySummary::Partial => DeliveryMark::Partial,
            DeliverySummary::Delivered => DeliveryMark::Delivered,
            DeliverySummary::Warning => DeliveryMark::Warning,
            DeliverySummary::Failed => DeliveryMark::Failed,
        }
    }
}

/// One row of a message list.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct ListRow {
    pub id: i64,
    pub account_id: i64,
    pub folder_id: i64,
    /// Display name, else address; for a certified message the real sender ("per conto di").
    pub sender: String,
    pub sender_address: Option<String>,
    /// Subject without the provider's prefixes.
    pub subject: String,
    pub date: i64,
    pub kind: MessageKind,
    /// Which receipt, for receipts.
    pub receipt_type: Option<ReceiptKind>,
    pub delivery: Option<DeliveryMark>,
    /// 0, 1 or 2 ticks; `None` for no mark or the warning/error marks.
    pub ticks: Option<u8>,
    pub invoice: bool,
    pub attachments: bool,
    pub seen: bool,
    pub flagged: bool,
    pub preview: Option<String>,
    /// The folder's server name.
    pub folder: String,
    /// Size on the server, bytes.
    pub size: u64,
    /// The From header as received (`posta-certificata@<provider>` on a PEC envelope).
    pub from_name: Option<String>,
    pub from_address: Option<String>,
    /// The Subject header as received (with the provider's prefix, e.g. `POSTA CERTIFICATA: `).
    pub raw_subject: Option<String>,
    /// The original message's subject, for envelopes and receipts.
    pub original_subject: Option<String>,
    /// The real sender ("per conto di") of an envelope, an anomaly or a REM message.
    pub original_sender: Option<String>,
    /// The server's UID in the folder (`None` for local-only messages such as the outbox).
    pub uid: Option<u32>,
    /// For a message sent from here: its first recipient (by name when it has one), what a list
    /// of sent mail shows instead of the user's own address; `None` otherwise.
    pub to: Option<String>,
    /// For a message sent from here: its number of recipients (0 otherwise).
    pub recipient_count: u32,
    /// A saved draft: open it with `resume_draft` in compose.
    pub draft: bool,
}

impl From<MessageSummary> for ListRow {
    fn from(m: MessageSummary) -> Self {
        let kind = MessageKind::from(m.kind);
        let sender_address = if kind == MessageKind::Certified {
            m.sender_addr.clone().or(m.from_addr.clone())
        } else {
            m.from_addr.clone()
        };
        let sender = if kind == MessageKind::Certified && m.sender_addr.is_some() {
            m.sender_addr.clone().unwrap_or_default()
        } else {
            m.from_name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .or(m.from_addr.clone())
                .unwrap_or_default()
        };
        ListRow {
            id: m.id,
            account_id: m.account_id,
            folder_id: m.folder_id,
            sender,
            sender_address,
            subject: m
                .original_subject
                .clone()
                .or(m.subject.clone())
                .unwrap_or_default(),
            date: m.date,
            kind,
            receipt_type: m.receipt_type.as_deref().map(ReceiptKind::of_word),
            delivery: m.delivery.map(DeliveryMark::from),
            ticks: m.delivery.and_then(|d| d.ticks()),
            invoice: m.is_invoice,
            attachments: m.has_attachments,
            seen: m.seen,
            flagged: m.flagged,
            preview: m.preview,
            folder: m.folder,
            size: m.size,
            from_name: m.from_name,
            from_address: m.from_addr,
            raw_subject: m.subject,
            original_subject: m.original_subject,
            original_sender: m.sender_addr,
            uid: m.uid,
            to: m.first_recipient,
            recipient_count: m.recipients,
            draft: m.draft,
        }
    }
}

/// Where the next page starts: the last row's (date, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct PageCursor {
    pub date: i64,
    pub id: i64,
}

/// A page of a list, with the view's counts.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct Page {
    pub rows: Vec<ListRow>,
    /// `None` on the last page.
    pub next: Option<PageCursor>,
    pub total: u32,
    pub unread: u32,
}

/// The result of a PEC signature check, as the detail screen shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureState {
    /// Verifies and chains to a PEC provider at the message's date.
    Valid,
    /// Present and does not verify: altered or corrupt.
    Invalid,
    /// Content intact, signer not vouched for.
    Untrusted,
    /// No signature.
    Absent,
    /// The body is not downloaded yet: nothing checked.
    NotChecked,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct SignatureFacts {
    pub state: SignatureState,
    pub signer: Option<String>,
    pub signer_email: Option<String>,
    /// The PEC provider's domain (from the signer) when it is one.
    pub provider: Option<String>,
    pub signing_time: Option<i64>,
    /// Why it is not valid, in plain words.
    pub detail: Option<String>,
}

/// A recipient's delivery step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStep {
    Sent,
    Accepted,
    Delivered,
    Warning,
    Failed,
}

impl From<DeliveryState> for DeliveryStep {
    fn from(s: DeliveryState) -> Self {
        match s {
            DeliveryState::Sent => DeliveryStep::Sent,
            DeliveryState::Accepted => DeliveryStep::Accepted,
            DeliveryState::Delivered => DeliveryStep::Delivered,
            DeliveryState::Warning => DeliveryStep::Warning,
            DeliveryState::Failed => DeliveryStep::Failed,
        }
    }
}

/// One recipient's timeline.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct RecipientTimeline {
    pub address: String,
    pub name: Option<String>,
    /// `to`, `cc` or `bcc`.
    pub field: String,
    /// True for a PEC box, false for ordinary mail, `None` while unknown.
    pub certified: Option<bool>,
    pub state: DeliveryStep,
    pub accepted_at: Option<i64>,
    pub delivered_at: Option<i64>,
    pub warning_at: Option<i64>,
    pub failed_at: Option<i64>,
    pub detail: Option<String>,
}

impl From<RecipientState> for RecipientTimeline {
    fn from(r: RecipientState) -> Self {
        RecipientTimeline {
            certified: r.certified(),
            address: r.address,
            name: r.name,
            field: r.field,
            state: r.state.into(),
            accepted_at: r.accepted_at,
            delivered_at: r.delivered_at,
            warning_at: r.warning_at,
            failed_at: r.failed_at,
            detail: r.detail,
        }
    }
}

/// A receipt attached to a sent message.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct ReceiptRow {
    pub receipt_id: i64,
    /// The sent message the receipt belongs to, once matched.
    pub sent_id: Option<i64>,
    pub receipt_type: ReceiptKind,
    pub recipient: Option<String>,
    pub error: Option<String>,
    pub at: Option<i64>,
    /// Proven by the provider's valid signature over its daticert. Uncertified receipts
    /// (header-only so far, unsigned, untrusted signer) are listed but give no tick.
    pub certified: bool,
}

/// An outer header that contradicts the signed daticert: the message was altered after the
/// provider sent it (the facts shown follow the daticert).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct HeaderMismatch {
    /// `X-Ricevuta`, `X-Trasporto`, `Subject` or `X-Riferimento-Message-ID`.
    pub header: String,
    pub header_value: String,
    /// What the daticert says instead (its `tipo`, or its `msgid`).
    pub daticert_value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct AttachmentInfo {
    pub file_name: Option<String>,
    pub mime: String,
    pub size: u64,
    /// The IMAP section (`"2"`, `"1.3.2"` inside `postacert.eml`) to pass to
    /// `App::download_attachment`; `None` for messages with no server copy (local imports).
    pub section: Option<String>,
}

/// The PEC facts of a message.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct PecFacts {
    pub kind: MessageKind,
    /// The receipt's kind: from the verified body's daticert, else (header-only) the stored row.
    pub receipt_type: Option<ReceiptKind>,
    /// The facts are certified: a valid PEC-provider signature covers the daticert they come
    /// from. False without a body ("unverified until the body is checked"), for unsigned
    /// messages and for untrusted or broken signatures: show such facts, never as evidence.
    pub certified: bool,
    /// The signature was found below a re-wrapping layer (a list's `multipart/mixed`, a forward
    /// as attachment): the outer layer is not covered by it.
    pub rewrapped: bool,
    /// Outer headers that contradict the daticert: a tampering sign to show prominently.
    pub header_mismatches: Vec<HeaderMismatch>,
    /// The provider's message identifier (daticert `identificativo`).
    pub identifier: Option<String>,
    /// The provider that issued the envelope or receipt (daticert `gestore-emittente`).
    pub issuer: Option<String>,
    /// The provider's timestamp (daticert `data`).
    pub certified_at: Option<i64>,
    /// The real sender of a certified message.
    pub original_sender: Option<String>,
    /// The recipient a delivery receipt speaks of.
    pub receipt_recipient: Option<String>,
    pub error: Option<String>,
    pub signature: SignatureFacts,
}

/// The message detail screen.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct MessageView {
    pub row: ListRow,
    pub message_id: Option<String>,
    /// The Message-ID a receipt or reply refers to (`X-Riferimento-Message-ID`, `In-Reply-To`).
    pub refers_to: Option<String>,
    pub folder: String,
    pub pec: PecFacts,
    /// For a PEC sent from this mailbox: what its certified receipts prove (its own copy has no
    /// provider signature: the banner shows this instead of `pec.signature`).
    pub sent: Option<SentProof>,
    /// Per-recipient timeline (sent messages); the addressees otherwise.
    pub recipients: Vec<RecipientTimeline>,
    pub receipts: Vec<ReceiptRow>,
    pub attachments: Vec<AttachmentInfo>,
    /// Plain text of the (original) message; `None` until the body is downloaded.
    pub body_text: Option<String>,
    /// Its HTML body, cleaned (no script, no form) and with every remote resource removed; draw
    /// it in a view that loads nothing from the network. `None`: show `body_text`.
    pub html: Option<String>,
    /// Remote images and resources removed from `html` (the sender would have seen them load).
    pub remote_blocked: u32,
    pub downloaded: bool,
    /// Why the downloaded body could not be analysed (too many MIME parts, not a message): its
    /// PEC facts and signature are then not checked, and `body_text` comes from a plain reading.
    /// `None` when it was analysed or is not downloaded.
    pub analysis_error: Option<String>,
    pub labels: Vec<String>,
}

/// What the certified receipts of a sent PEC prove so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct SentProof {
    /// The sender's provider accepted it.
    pub accepted: bool,
    pub recipients: u32,
    /// Recipients with a certified delivery receipt.
    pub delivered: u32,
    pub failed: u32,
    /// The one sentence the banner says, decided here so every shell says the same.
    pub verdict: SentVerdict,
}

/// What a sent PEC's receipts prove, from the worst: any failure first, then delivered to all,
/// to some, accepted only, nothing yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SentVerdict {
    /// At least one recipient's delivery failed (`failed` of `recipients`).
    Failed,
    /// A certified delivery receipt for every recipient.
    Delivered,
    /// Delivered to `delivered` of `recipients` so far.
    PartlyDelivered,
    /// The sender's provider accepted it; no delivery yet.
    Accepted,
    /// Not even the acceptance receipt yet.
    Waiting,
}

impl SentVerdict {
    fn of(p: &pec_core::context::SentProof) -> SentVerdict {
        if p.failed > 0 {
            SentVerdict::Failed
        } else if p.recipients > 0 && p.delivered == p.recipients {
            SentVerdict::Delivered
        } else if p.delivered > 0 {
            SentVerdict::PartlyDelivered
        } else if p.accepted {
            SentVerdict::Accepted
        } else {
            SentVerdict::Waiting
        }
    }
}

impl From<pec_core::context::SentProof> for SentProof {
    fn from(p: pec_core::context::SentProof) -> Self {
        SentProof {
            accepted: p.accepted,
            recipients: p.recipients,
            delivered: p.delivered,
            failed: p.failed,
            verdict: SentVerdict::of(&p),
        }
    }
}

#[cfg(test)]
mod sent_verdict_tests {
    use super::*;

    fn verdict(accepted: bool, recipients: u32, delivered: u32, failed: u32) -> SentVerdict {
        let p = pec_core::context::SentProof {
            accepted,
            recipients,
            delivered,
            failed,
        };
        SentProof::from(p).verdict
    }

    #[test]
    fn a_failure_outweighs_deliveries_and_all_delivered_outweighs_some() {
        assert_eq!(verdict(true, 3, 2, 1), SentVerdict::Failed);
        assert_eq!(verdict(true, 3, 3, 0), SentVerdict::Delivered);
        assert_eq!(verdict(true, 3, 1, 0), SentVerdict::PartlyDelivered);
        assert_eq!(verdict(true, 3, 0, 0), SentVerdict::Accepted);
        assert_eq!(verdict(false, 3, 0, 0), SentVerdict::Waiting);
        assert_eq!(verdict(false, 0, 0, 0), SentVerdict::Waiting);
    }
}

/// The two invoice layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InvoiceStyle {
    /// A paper-invoice layout.
    Compact,
    /// Every section of the official SdI stylesheet.
    Ministerial,
}

/// Whether the invoice shown is the invoice that was signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceIntegrity {
    /// Plain XML: nothing vouches for it.
    NotSigned,
    /// Signature verifies and the signer chains to a trusted anchor.
    SignedTrusted,
    /// Signature verifies (content intact), signer not vouched for.
    SignedUntrusted,
}

/// An invoice (or SdI notification) rendered for a web view.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct InvoiceView {
    /// Self-contained HTML (no remote content).
    pub html: String,
    pub style: InvoiceStyle,
    pub integrity: InvoiceIntegrity,
    /// True for an SdI notification (receipt of the exchange system) rather than an invoice.
    pub notification: bool,
    /// Supplier (cedente/prestatore) name, for invoices.
    pub supplier: Option<String>,
    /// Document number of the first body, for invoices.
    pub number: Option<String>,
    /// Total of the first body, formatted (Italian style), for invoices.
    pub total: Option<String>,
    /// The attachment's name inside the message, when it came from one.
    pub file_name: Option<String>,
}

/// A server address typed as `host:port`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct HostPort {
    pub host: String,
    pub port: u16,
}

/// What importing one message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct ImportResult {
    /// The message's id (the existing one when it was already there).
    pub id: i64,
    /// False when the same message was already in the folder.
    pub inserted: bool,
}

/// A file to hand to the platform's share sheet or save dialog.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SharedFile {
    pub file_name: String,
    pub mime: String,
    pub data: Vec<u8>,
}

/// Search form. `text` uses the search-box syntax (`from:`, `to:`, `subject:`, `body:`,
/// `after:YYYY-MM-DD`, `before:`, `in:folder`, "quoted phrases"); the other fields add to it.
#[derive(Debug, Clone, PartialEq, Eq, Default, uniffi::Record)]
pub struct SearchFilters {
    pub text: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub subject: Option<String>,
    pub after: Option<i64>,
    pub before: Option<i64>,
    pub folder_id: Option<i64>,
    pub hide_receipts: bool,
    pub invoices_only: bool,
    pub limit: u32,
}

/// Things a user does to a message. Applied locally at once, replayed on the server by the sync.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum MessageAction {
    MarkSeen,
    MarkUnseen,
    Flag,
    Unflag,
    AddLabel {
        label: String,
    },
    RemoveLabel {
        label: String,
    },
    MoveTo {
        folder_id: i64,
    },
    /// To the trash (or expunged when already there).
    Delete,
}

/// What changed in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Accounts,
    Folders,
    Messages,
    /// Receipts arrived: some sent message's delivery changed.
    Delivery,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct ChangeEvent {
    pub kind: ChangeKind,
    /// `None` for changes of every account (e.g. the account list).
    pub account_id: Option<i64>,
}

/// A sent message's delivery: what the send screen and the detail screen watch.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct DeliveryStatus {
    pub message_id: i64,
    pub mark: Option<DeliveryMark>,
    pub ticks: Option<u8>,
    pub recipients: Vec<RecipientTimeline>,
    pub receipts: Vec<ReceiptRow>,
}

/// Where the app's sync stands ([`crate::App::sync_status`]).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct SyncState {
    /// A pass is under way (passes never overlap: one engine per app).
    pub running: bool,
    /// The folder being synced.
    pub folder: Option<String>,
    pub done: u64,
    pub total: u64,
    /// Unix time of the last successful pass.
    pub last_sync: Option<i64>,
    /// Why the last pass failed, cleared by the next one that starts.
    pub last_error: Option<ErrorEvent>,
}

/// An error delivered to a listener (listeners receive data, not exceptions).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize)]
pub struct ErrorEvent {
    /// The stable code of [`crate::PecError`] (`network`, `auth`, ...).
    pub code: String,
    pub detail: String,
}

impl From<&crate::PecError> for ErrorEvent {
    fn from(e: &crate::PecError) -> Self {
        ErrorEvent {
            code: e.code().to_string(),
            detail: e.to_string(),
        }
    }
}

impl From<pec_core::context::MenuItem> for MenuEntry {
    fn from(m: pec_core::context::MenuItem) -> Self {
        use pec_core::context::MenuTarget;
        let (view, kind) = match m.target {
            MenuTarget::Folder(id) if m.outbox => {
                (ViewRef::Folder { id }, Some(FolderKind::Outbox))
            }
            MenuTarget::Folder(id) => (ViewRef::Folder { id }, Some(m.role.into())),
            MenuTarget::Invoices => (ViewRef::Invoices, None),
            MenuTarget::Receipts => (ViewRef::Receipts, None),
            MenuTarget::Undelivered => (ViewRef::Undelivered, None),
            MenuTarget::Label(name) => (ViewRef::Label { name }, None),
        };
        MenuEntry {
            view,
            name: m.name,
            path: m.path,
            kind,
            depth: m.depth,
            unread: m.unread,
            unread_below: m.unread_below,
            total: m.total,
            emptiable: m.emptiable,
        }
    }
}

impl From<store::ReceiptInfo> for ReceiptRow {
    fn from(r: store::ReceiptInfo) -> Self {
        ReceiptRow {
            receipt_id: r.receipt_id,
            sent_id: r.sent_id,
            receipt_type: r.receipt_type.map_or(ReceiptKind::Unknown, Into::into),
            recipient: r.recipient,
            error: r.error,
            at: r.at,
            certified: r.certified,
        }
    }
}

impl From<Option<pec_core::message::SignatureView>> for SignatureFacts {
    fn from(s: Option<pec_core::message::SignatureView>) -> Self {
        use pec_core::signature::SignatureStatus;
        let Some(s) = s else {
            return SignatureFacts {
                state: SignatureState::NotChecked,
                signer: None,
                signer_email: None,
                provider: None,
                signing_time: None,
                detail: None,
            };
        };
        SignatureFacts {
            state: match s.status {
                Some(SignatureStatus::Valid) => SignatureState::Valid,
                Some(SignatureStatus::Invalid) => SignatureState::Invalid,
                Some(SignatureStatus::Untrusted) => SignatureState::Untrusted,
                Some(SignatureStatus::Absent) => SignatureState::Absent,
                None => SignatureState::NotChecked,
            },
            signer: s.signer_cn,
            signer_email: s.signer_email,
            provider: s.provider,
            signing_time: s.signing_time.map(|t| t.timestamp()),
            detail: s.detail,
        }
    }
}

impl From<pec_core::context::PecFacts> for PecFacts {
    fn from(p: pec_core::context::PecFacts) -> Self {
        PecFacts {
            kind: p.kind.into(),
            receipt_type: p.receipt_type.as_deref().map(ReceiptKind::of_word),
            certified: p.certified,
            rewrapped: p.rewrapped,
            header_mismatches: p
                .header_mismatches
                .into_iter()
                .map(|x| HeaderMismatch {
                    header: x.header,
                    header_value: x.header_value,
                    daticert_value: x.daticert_value,
                })
                .collect(),
            identifier: p.identifier,
            issuer: p.issuer,
            certified_at: p.certified_at,
            original_sender: p.original_sender,
            receipt_recipient: p.receipt_recipient,
            error: p.error,
            signature: p.signature.into(),
        }
    }
}

impl From<pec_core::context::MessageView> for MessageView {
    fn from(v: pec_core::context::MessageView) -> Self {
        let d = v.detail;
        MessageView {
            folder: d.summary.folder.clone(),
            message_id: d.message_id,
            refers_to: d.ref_message_id,
            pec: v.pec.into(),
            sent: v.sent.map(Into::into),
            recipients: d.recipients.into_iter().map(Into::into).collect(),
            receipts: d.receipts.into_iter().map(Into::into).collect(),
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
            body_text: v.body_text,
            remote_blocked: v.html.as_ref().map_or(0, |h| h.blocked_remote),
            html: v.html.map(|h| h.html),
            downloaded: v.downloaded,
            analysis_error: v.analysis_error,
            labels: d.labels,
            row: d.summary.into(),
        }
    }
}

impl From<SearchFilters> for pec_core::context::SearchForm {
    fn from(f: SearchFilters) -> Self {
        pec_core::context::SearchForm {
            text: f.text,
            from: f.from,
            to: f.to,
            subject: f.subject,
            after: f.after,
            before: f.before,
            folder: f.folder_id,
            hide_receipts: f.hide_receipts,
            invoices_only: f.invoices_only,
            limit: f.limit,
        }
    }
}

impl From<MessageAction> for store::Action {
    fn from(a: MessageAction) -> Self {
        use store::Action;
        match a {
            MessageAction::MarkSeen => Action::SetSeen(true),
            MessageAction::MarkUnseen => Action::SetSeen(false),
            MessageAction::Flag => Action::SetFlagged(true),
            MessageAction::Unflag => Action::SetFlagged(false),
            MessageAction::AddLabel { label } => Action::AddLabel(label),
            MessageAction::RemoveLabel { label } => Action::RemoveLabel(label),
            MessageAction::MoveTo { folder_id } => Action::Move(folder_id),
            MessageAction::Delete => Action::Delete,
        }
    }
}

impl From<pec_core::ChangeKind> for ChangeKind {
    fn from(k: pec_core::ChangeKind) -> Self {
        match k {
            pec_core::ChangeKind::Accounts => ChangeKind::Accounts,
            pec_core::ChangeKind::Folders => ChangeKind::Folders,
            pec_core::ChangeKind::Messages => ChangeKind::Messages,
            pec_core::ChangeKind::Delivery => ChangeKind::Delivery,
        }
    }
}

impl From<pec_core::Change> for ChangeEvent {
    fn from(c: pec_core::Change) -> Self {
        ChangeEvent {
            kind: c.kind.into(),
            account_id: c.account,
        }
    }
}
