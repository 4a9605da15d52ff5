//! The core's root, called directly (as the facade and any other core caller do): the rules it
//! decides once for every shell hold without the facade.

use crate::store_util;

use pec_core::Context;
use pec_core::accounts::{
    AccountError, AccountSetup, DelegateLogin, MemoryCredentialStore, Permissions, Servers,
};
use pec_core::compose::{Attachment, ComposeError, Draft, Mailbox};
use pec_core::context::{ChangeKind, Error, MenuTarget, SearchForm};
use pec_core::store::{AccountId, Action, FolderRole, View};
use std::sync::Arc;
use std::time::Duration;
use store_util::{TempDir, envelope, plain};

const BOX: &str = "ufficio@pec.example";

fn setup(delegation: Option<DelegateLogin>) -> AccountSetup {
    AccountSetup {
        address: BOX.into(),
        password: "secret".into(),
        display_name: None,
        servers: Servers {
            imap_host: "127.0.0.1".into(),
            imap_port: 1,
            smtp_host: "127.0.0.1".into(),
            smtp_port: 1,
            ca_file: None,
        },
        provider: pec_core::accounts::Provider::Custom,
        delegation,
    }
}

/// A delegate who may do everything but use the box from mail programs (so it may not sync).
fn no_mail_programs() -> DelegateLogin {
    DelegateLogin {
        login: "assistente".into(),
        permissions: Permissions {
            read: true,
            write: true,
            send: true,
            mail_programs: false,
            settings: false,
        },
    }
}

fn open(dir: &TempDir) -> Context {
    Context::open(dir.path(), Arc::new(MemoryCredentialStore::new())).expect("context")
}

/// A Dovecot with these users' boxes (password "secret"); `None` when the machine has none (a
/// skip, or a failure under CI).
async fn dovecot_for(test: &str, users: &[&str]) -> Option<pec_test_harness::Dovecot> {
    use pec_test_harness::{Dovecot, DovecotConfig, FolderLayout, User};
    pec_test_harness::dovecot_or_skip(test)?;
    let config = DovecotConfig {
        users: users.iter().map(|u| User::new(u, "secret")).collect(),
        layout: FolderLayout::Standard,
        ..DovecotConfig::default()
    };
    Some(Dovecot::start(config).await.expect("dovecot"))
}

/// A plain message (not PEC) with `id` delivered to `to`'s inbox.
async fn deliver_plain(dc: &pec_test_harness::Dovecot, to: &str, id: &str) {
    let raw = plain(
        "a@pec.other",
        &[to],
        "Verbale",
        id,
        "Fri, 15 Nov 2024 09:00:00 +0100",
        "testo del verbale",
    );
    let mut lmtp = dc.lmtp().await.expect("lmtp");
    lmtp.deliver("a@pec.other", &[to], &raw)
        .await
        .expect("deliver");
    lmtp.quit().await.expect("quit");
}

/// `address`'s account on `dc`'s IMAP at `port` (a closed port: an unreachable server).
fn on_server(
    dc: &pec_test_harness::Dovecot,
    address: &str,
    port: u16,
    delegation: Option<DelegateLogin>,
) -> AccountSetup {
    AccountSetup {
        address: address.into(),
        servers: Servers {
            imap_port: port,
            ca_file: Some(dc.ca_file().to_path_buf()),
            ..setup(None).servers
        },
        ..setup(delegation)
    }
}

/// Whether `done` came true within a minute (checked every 50 ms).
async fn within_a_minute(mut done: impl FnMut() -> bool) -> bool {
    let waited = tokio::time::timeout(Duration::from_secs(60), async {
        while !done() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    waited.await.is_ok()
}

/// How many messages the server said `account`'s inbox holds (0 before its first pass).
fn inbox_count(ctx: &Context, account: AccountId) -> u64 {
    let inbox = ctx.store().find_folder(account, "INBOX").expect("folder");
    inbox.map_or(0, |f| ctx.store().folder_server_count(f.id).expect("count"))
}

/// A delegate without the write permission is refused a delete by the core itself, before
/// anything changes, and the message stays where it was.
#[tokio::test]
async fn a_delegates_permissions_hold_for_a_direct_core_caller() {
    let dir = TempDir::new("ctx-perm");
    let ctx = open(&dir);
    let reader = DelegateLogin {
        login: "assistente".into(),
        permissions: Permissions {
            read: true,
            write: false,
            send: false,
            mail_programs: true,
            settings: false,
        },
    };
    let account = ctx
        .add_account(&setup(Some(reader)), false)
        .await
        .expect("account");
    let raw = plain(
        BOX,
        &["a@pec.other"],
        "Verbale",
        "m1@x",
        "Fri, 15 Nov 2024 09:00:00 +0100",
        "testo",
    );
    let id = ctx.import(account, None, &raw).expect("import").id;
    let refused = ctx.apply(id, Action::Delete);
    assert!(
        matches!(refused, Err(Error::Account(AccountError::NotPermitted(_)))),
        "{refused:?}"
    );
    assert_eq!(
        ctx.store().message(id).expect("still there").summary.folder,
        "INBOX"
    );
    // What it may do goes through and is announced on the change bus.
    let mut changes = ctx.changes();
    ctx.apply(id, Action::SetSeen(true)).expect("mark read");
    let change = changes.recv().await.expect("change");
    assert_eq!(change.kind, ChangeKind::Messages);
    assert_eq!(change.account, Some(account));
}

/// The menu: inbox, then the virtual Invoices and Receipts with their counts, then the other roles
/// in a fixed order, then the user's folders by name with their depth from the separator.
#[tokio::test]
async fn the_menu_puts_the_virtual_folders_after_the_inbox() {
    let dir = TempDir::new("ctx-menu");
    let ctx = open(&dir);
    let account = ctx.add_account(&setup(None), false).await.expect("account");
    let store = ctx.store();
    for (name, role) in [
        ("INBOX.Clienti.Roma", None),
        ("INBOX.Cestino", Some(FolderRole::Trash)),
        ("INBOX.Clienti", None),
        ("INBOX.Inviata", Some(FolderRole::Sent)),
    ] {
        store
            .ensure_folder(account, name, role, Some("."))
            .expect("folder");
    }
    let invoice = envelope(
        "sdi01@pec.fatturapa.it",
        BOX,
        "Fattura",
        "f1@x",
        "x",
        Some("IT01234567890_00001.xml"),
    );
    // Imported by role word: the inbox is created with its role.
    ctx.import(account, Some("inbox"), &invoice)
        .expect("import");
    let menu = ctx.menu(account).expect("menu");
    let lines: Vec<(MenuTarget, &str, u32)> = menu
        .iter()
        .map(|m| (m.target.clone(), m.name.as_str(), m.depth))
        .collect();
    assert!(
        matches!(lines[0], (MenuTarget::Folder(_), "INBOX", 0)),
        "{lines:?}"
    );
    assert_eq!(menu[0].role, Some(FolderRole::Inbox));
    assert_eq!(menu[1].target, MenuTarget::Invoices);
    assert_eq!(menu[1].total, 1, "{:?}", menu[1]);
    assert_eq!(menu[2].target, MenuTarget::Receipts);
    let rest: Vec<(&str, u32)> = lines[3..].iter().map(|l| (l.1, l.2)).collect();
    assert_eq!(
        rest,
        vec![("Inviata", 1), ("Cestino", 1), ("Clienti", 1), ("Roma", 2)]
    );
    let found = ctx
        .find_folder(account, "sent")
        .expect("find")
        .expect("sent");
    assert_eq!(found.path, "INBOX.Inviata");
    // The invoice is found by the search form's own switch.
    let form = SearchForm {
        invoices_only: true,
        ..SearchForm::default()
    };
    assert_eq!(ctx.search(Some(account), &form).expect("search").len(), 1);
    let page = ctx
        .page(account, View::Invoices, None, 1, false)
        .expect("page");
    assert_eq!((page.rows.len(), page.total), (1, 1));
    assert_eq!(page.next.map(|(_, id)| id), Some(page.rows[0].id));
}

/// A parent folder knows the unread messages of every folder below it, by the server's separator;
/// a sibling whose name merely starts the same is not below.
#[tokio::test]
async fn unread_counts_roll_up_to_parent_folders() {
    let dir = TempDir::new("ctx-rollup");
    let ctx = open(&dir);
    let account = ctx.add_account(&setup(None), false).await.expect("account");
    let store = ctx.store();
    for name in ["INBOX.Clienti", "INBOX.Clienti.Roma", "INBOX.Clientela"] {
        store
            .ensure_folder(account, name, None, Some("."))
            .expect("folder");
    }
    let put = |folder: &str, n: u32| {
        for i in 0..n {
            let raw = plain(
                BOX,
                &["a@pec.other"],
                "x",
                &format!("{folder}-{i}@x"),
                "Fri, 15 Nov 2024 09:00:00 +0100",
                "testo",
            );
            let id = ctx.import(account, Some(folder), &raw).expect("import").id;
            ctx.apply(id, Action::SetSeen(false)).expect("unread");
        }
    };
    put("INBOX", 1);
    put("INBOX.Clienti", 2);
    put("INBOX.Clienti.Roma", 3);
    put("INBOX.Clientela", 4);
    let menu = ctx.menu(account).expect("menu");
    let line = |path: &str| {
        menu.iter()
            .find(|m| m.path == path)
            .map(|m| (m.unread, m.unread_below))
            .unwrap_or_else(|| panic!("{path} missing: {menu:?}"))
    };
    assert_eq!(line("INBOX"), (1, 9));
    assert_eq!(line("INBOX.Clienti"), (2, 3));
    assert_eq!(line("INBOX.Clienti.Roma"), (3, 0));
    assert_eq!(line("INBOX.Clientela"), (4, 0));
}

/// The compose screen's check shows every problem at once, which recipients are certified, and the
/// size × recipients budget against the provider's limit (30 MB by the Italian rule).
#[tokio::test]
async fn a_draft_is_checked_whole_with_its_size_budget() {
    let dir = TempDir::new("ctx-draft");
    let ctx = open(&dir);
    let account = ctx.add_account(&setup(None), false).await.expect("account");
    let mut draft = Draft::new();
    draft.to = vec![
        Mailbox::new("studio@pec.it"),
        Mailbox::new("amico@gmail.com"),
        Mailbox::new("non un indirizzo"),
    ];
    draft.subject = "Contratto".into();
    draft.text = Some("In allegato.".into());
    draft.attachments = vec![
        Attachment::from_bytes("contratto.pdf", vec![b'%'; 12 * 1024 * 1024]),
        Attachment::from_bytes("installa.exe", b"MZ\x90\x00".to_vec()),
    ];
    let c = ctx.check_draft(account, &draft).expect("check");
    let flags: Vec<(&str, bool, bool)> = c
        .recipients
        .iter()
        .map(|r| (r.address.as_str(), r.valid, r.pec))
        .collect();
    assert_eq!(
        flags,
        [
            ("studio@pec.it", true, true),
            ("amico@gmail.com", true, false),
            ("non un indirizzo", false, false),
        ]
    );
    let kinds: Vec<&str> = c
        .problems
        .iter()
        .map(|p| match p {
            ComposeError::InvalidAddress { .. } => "invalid",
            ComposeError::BlockedAttachment { .. } => "blocked",
            ComposeError::TooLarge { .. } => "too-large",
            _ => "other",
        })
        .collect();
    // 12 MiB encode to about 16 MiB; two valid recipients make 32 MiB, over 30 MB.
    assert_eq!(kinds, ["invalid", "blocked", "too-large"]);
    assert_eq!(c.total_bytes, c.estimated_size * 2);
    assert!(
        c.total_bytes > c.limit_bytes,
        "{} > {}",
        c.total_bytes,
        c.limit_bytes
    );
    // One certified recipient and a small file: nothing stops it.
    draft.to = vec![Mailbox::new("studio@pec.it")];
    draft.attachments.truncate(0);
    let c = ctx.check_draft(account, &draft).expect("check");
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    assert!(c.total_bytes < c.limit_bytes);
}

/// The message view says how far its facts are proven: a signed receipt under a trusted
/// provider is certified; the same bytes under the bundled list only are not; a body the
/// analyser refuses is still shown, with the reason.
#[tokio::test]
async fn the_message_view_says_what_is_certified() {
    let dir = TempDir::new("ctx-view");
    let ctx = open(&dir);
    let account = ctx.add_account(&setup(None), false).await.expect("account");
    let receipt = store_util::receipt(
        "accettazione",
        "m1@x",
        "opec.1@pec.example",
        None,
        "nessuno",
        "18:26:32",
        BOX,
    );
    let id = ctx.import(account, None, &receipt).expect("import").id;
    let v = ctx.message_view(id).expect("view");
    assert!(v.downloaded);
    assert_eq!(v.pec.receipt_type.as_deref(), Some("accettazione"));
    assert!(!v.pec.certified, "the sandbox root is not trusted yet");

    ctx.add_provider_anchor(store_util::test_root_pem().as_bytes())
        .expect("anchor");
    let v = ctx.message_view(id).expect("view");
    assert!(v.pec.certified, "{:?}", v.pec);
    assert_eq!(v.pec.identifier.as_deref(), Some("opec.1@pec.example"));

    let hostile =
        store_util::nested_multipart("From: a@pec.example\r\nSubject: profondo\r\n", 10_000);
    let id = ctx.import(account, None, &hostile).expect("import");
    let v = ctx.message_view(id.id).expect("view");
    assert!(v.analysis_error.is_some(), "{v:?}");
    assert!(!v.pec.certified);
    assert!(v.pec.signature.is_none());
    assert!(
        v.body_text.is_some_and(|t| t.contains("fondo")),
        "read plainly"
    );
}

/// The platforms' background pass: every account that may sync, with the settings' downloads;
/// a delegate without "mail programs" is left out, not failed; an unreachable server asks for a
/// retry while the other accounts still sync; a locked store is not touched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_background_pass_syncs_the_accounts_as_the_settings_say() {
    use pec_core::context::{DownloadPolicy, Settings};
    let Some(dc) = dovecot_for("a_background_pass", &[BOX]).await else {
        return;
    };
    for i in 0..3 {
        deliver_plain(&dc, BOX, &format!("bg{i}@x")).await;
    }
    let dir = TempDir::new("ctx-background");
    let ctx = open(&dir);
    let port = dc.imap_addr().port();
    let live = ctx
        .add_account(&on_server(&dc, BOX, port, None), false)
        .await
        .expect("account");
    let delegate = on_server(&dc, "studio@pec.example", port, Some(no_mail_programs()));
    ctx.add_account(&delegate, false).await.expect("delegate");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let gone_port = closed.local_addr().expect("addr").port();
    drop(closed);
    let gone = ctx
        .add_account(
            &on_server(&dc, "altrove@pec.example", gone_port, None),
            false,
        )
        .await
        .expect("unreachable account");

    let receipts_only = Settings {
        downloads: DownloadPolicy::ReceiptsOnly,
        ..Settings::default()
    };
    ctx.set_settings(&receipts_only).expect("settings");
    let pass = ctx.background_pass().await.expect("pass");
    assert!(!pass.locked && pass.retry, "{pass:?}");
    let arrived: Vec<_> = pass.arrived.iter().map(|a| (a.account, a.added)).collect();
    assert_eq!(arrived, vec![(live, 3)], "{pass:?}");
    assert_eq!(pass.arrived[0].name, BOX, "no display name: the address");
    assert!(pass.arrived.iter().all(|a| a.account != gone));
    let inbox = ctx
        .store()
        .find_folder(live, "INBOX")
        .expect("folder")
        .expect("inbox");
    let missing = |ctx: &Context| ctx.store().uids_needing_body(inbox.id, None).expect("n");
    assert_eq!(
        missing(&ctx).len(),
        3,
        "receipts only: plain bodies stay on the server"
    );

    let all = Settings {
        downloads: DownloadPolicy::All,
        ..Settings::default()
    };
    ctx.set_settings(&all).expect("settings");
    let pass = ctx.background_pass().await.expect("pass");
    assert_eq!((pass.added(), pass.arrived.len()), (0, 1), "{pass:?}");
    assert!(missing(&ctx).is_empty(), "all: every body downloaded");

    ctx.lock();
    let pass = ctx.background_pass().await.expect("locked pass");
    assert!(
        pass.locked && pass.arrived.is_empty() && !pass.retry,
        "{pass:?}"
    );
}

/// The foreground sync: every account that may sync is kept current without a call (mail
/// delivered after the start arrives through IDLE), a delegate without "mail programs" is left
/// out, and an account added while it runs is followed too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_sync_keeps_every_account_current_and_follows_new_ones() {
    const SECOND: &str = "segreteria@pec.example";
    let Some(dc) = dovecot_for("a_live_sync", &[BOX, SECOND]).await else {
        return;
    };
    let dir = TempDir::new("ctx-live");
    let ctx = open(&dir);
    let port = dc.imap_addr().port();
    let first = ctx
        .add_account(&on_server(&dc, BOX, port, None), false)
        .await
        .expect("account");
    let delegate = on_server(&dc, "studio@pec.example", port, Some(no_mail_programs()));
    ctx.add_account(&delegate, false).await.expect("delegate");

    let live = ctx.start_live_sync().expect("live");
    assert_eq!(live.accounts(), vec![first], "the delegate is left out");
    // The first pass has run (the inbox exists) before the delivery, so IDLE brings it.
    let has_inbox = || {
        ctx.store()
            .find_folder(first, "INBOX")
            .expect("f")
            .is_some()
    };
    assert!(within_a_minute(has_inbox).await, "a first pass");
    deliver_plain(&dc, BOX, "live1@x").await;
    assert!(
        within_a_minute(|| inbox_count(&ctx, first) == 1).await,
        "delivered while live: arrives unasked"
    );

    deliver_plain(&dc, SECOND, "live2@x").await;
    let second = ctx
        .add_account(&on_server(&dc, SECOND, port, None), false)
        .await
        .expect("second");
    assert!(
        within_a_minute(|| inbox_count(&ctx, second) == 1).await,
        "an account added while live is synced"
    );
    assert_eq!(live.accounts(), vec![first, second]);
    assert!(live.is_running());
    drop(live);
}

/// Settings saved while the live sync runs apply at once: asking for every message offline
/// brings the bodies the previous downloads left on the server, without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_saved_while_live_apply_at_once() {
    use pec_core::context::{DownloadPolicy, Settings};
    let Some(dc) = dovecot_for("settings_while_live", &[BOX]).await else {
        return;
    };
    deliver_plain(&dc, BOX, "later@x").await;
    let dir = TempDir::new("ctx-live-settings");
    let ctx = open(&dir);
    let with = |downloads| Settings {
        downloads,
        ..Settings::default()
    };
    ctx.set_settings(&with(DownloadPolicy::ReceiptsOnly))
        .expect("settings");
    let account = ctx
        .add_account(&on_server(&dc, BOX, dc.imap_addr().port(), None), false)
        .await
        .expect("account");
    let live = ctx.start_live_sync().expect("live");
    let missing = || {
        let inbox = ctx.store().find_folder(account, "INBOX").expect("folder");
        inbox.map(|f| ctx.store().uids_needing_body(f.id, None).expect("n").len())
    };
    assert!(
        within_a_minute(|| missing() == Some(1)).await,
        "receipts only: the message is listed, its body stays on the server"
    );

    ctx.set_settings(&with(DownloadPolicy::All))
        .expect("settings");
    assert!(
        within_a_minute(|| missing() == Some(0)).await,
        "every message offline: the body comes while live"
    );
    assert_eq!(live.accounts(), vec![account]);
}

/// A login the server refused is not tried again while the live sync runs, until the user
/// changes the account: each pass of another account says its quota as an account change, and
/// following those would log in again (and again) with a password known to be wrong.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_sync_does_not_retry_a_refused_login() {
    use pec_core::sync::{SyncErrorKind, SyncEvent};
    use std::sync::atomic::{AtomicUsize, Ordering};
    const WRONG: &str = "segreteria@pec.example";
    let Some(dc) = dovecot_for("refused_login_while_live", &[BOX, WRONG]).await else {
        return;
    };
    let dir = TempDir::new("ctx-live-refused");
    let ctx = open(&dir);
    let port = dc.imap_addr().port();
    let good = ctx
        .add_account(&on_server(&dc, BOX, port, None), false)
        .await
        .expect("account");
    let wrong = AccountSetup {
        password: "not the password".into(),
        ..on_server(&dc, WRONG, port, None)
    };
    let refused = ctx.add_account(&wrong, false).await.expect("account");
    let refusals = Arc::new(AtomicUsize::new(0));
    let counted = refusals.clone();
    let _events = ctx.engine().subscribe(move |ev| {
        if let SyncEvent::Error {
            account,
            kind: SyncErrorKind::Auth,
            ..
        } = ev
            && account == refused
        {
            counted.fetch_add(1, Ordering::SeqCst);
        }
    });

    let live = ctx.start_live_sync().expect("live");
    let refused_once = || refusals.load(Ordering::SeqCst) >= 1 && live.accounts() == [good];
    assert!(within_a_minute(refused_once).await, "{:?}", live.accounts());
    // Three passes of the other account, each with its quota, each waited for.
    for i in 1..=3 {
        deliver_plain(&dc, BOX, &format!("quota{i}@x")).await;
        assert!(within_a_minute(|| inbox_count(&ctx, good) == i).await);
    }
    assert_eq!(refusals.load(Ordering::SeqCst), 1, "logged in once");
    assert_eq!(live.accounts(), vec![good]);
}

/// The account's signature opens every compose: under the place to write in a new message (or
/// one started from the address book), above the quote of a reply and the original of a forward;
/// a draft that already has text keeps it; adding the account again keeps the signature.
#[tokio::test]
async fn the_signature_opens_new_messages_replies_and_forwards() {
    let dir = TempDir::new("ctx-signature");
    let ctx = open(&dir);
    let account = ctx.add_account(&setup(None), false).await.expect("account");
    let blank = ctx.compose_start(account, None).expect("blank");
    assert_eq!(blank.text.as_deref(), Some(""), "no signature yet");

    let kept = ctx
        .set_signature(account, "Avv. Maria Rossi\r\nVia Roma 1, Milano  \r\n")
        .expect("signature");
    assert_eq!(
        kept.as_deref(),
        Some("Avv. Maria Rossi\nVia Roma 1, Milano")
    );
    let sig = "\n\n-- \nAvv. Maria Rossi\nVia Roma 1, Milano";
    let blank = ctx.compose_start(account, None).expect("blank");
    assert_eq!(blank.text.as_deref(), Some(sig));
    assert_eq!(blank.from, Some(Mailbox::new(BOX)));
    let to_someone = Draft {
        to: vec![Mailbox::new("studio@pec.other")],
        ..Draft::default()
    };
    let started = ctx.compose_start(account, Some(to_someone)).expect("to");
    assert_eq!(started.text.as_deref(), Some(sig));
    assert_eq!(started.to, vec![Mailbox::new("studio@pec.other")]);
    let written = Draft {
        text: Some("già scritto".into()),
        ..Draft::default()
    };
    let reopened = ctx.compose_start(account, Some(written)).expect("text");
    assert_eq!(reopened.text.as_deref(), Some("già scritto"));

    let date = "Fri, 20 Nov 2026 09:00:00 +0100";
    let raw = plain(
        "studio@pec.other",
        &[BOX],
        "Udienza",
        "u@x",
        date,
        "Confermo.",
    );
    let message = ctx.import(account, None, &raw).expect("import").id;
    let reply = ctx.reply_draft(message, false).expect("reply");
    let text = reply.text.expect("text");
    assert!(text.starts_with(sig), "{text:?}");
    assert!(
        text.ends_with("> Confermo.\n"),
        "the quote after it: {text:?}"
    );
    let forward = ctx.forward_draft(message).expect("forward");
    let text = forward.text.expect("text");
    assert!(text.starts_with(sig), "{text:?}");
    assert!(text.contains("Messaggio inoltrato"), "{text:?}");

    ctx.add_account(&setup(None), false).await.expect("again");
    assert_eq!(
        ctx.signature(account).expect("kept").as_deref(),
        kept.as_deref()
    );
    let too_long = "x".repeat(pec_core::compose::signature::MAX_SIGNATURE_CHARS + 1);
    assert!(ctx.set_signature(account, &too_long).is_err());
    assert_eq!(ctx.set_signature(account, " \n").expect("cleared"), None);
    let blank = ctx.compose_start(account, None).expect("blank");
    assert_eq!(blank.text.as_deref(), Some(""));
}

/// A template keeps recipients, subject, text, receipt type and priority (not attachments, not
/// the signature); saving a name again, in any case, replaces it; a compose opened from it on an
/// account carries that account's signature; names and numbers are bounded.
#[tokio::test]
async fn a_template_opens_a_compose_with_the_accounts_signature() {
    use pec_core::compose::{Priority, ReceiptType};
    let dir = TempDir::new("ctx-templates");
    let ctx = open(&dir);
    let account = ctx.add_account(&setup(None), false).await.expect("account");
    ctx.set_signature(account, "Studio Bianchi")
        .expect("signature");
    let mut draft = ctx.compose_start(account, None).expect("blank");
    draft.to = vec![Mailbox::new("tribunale@pec.giustizia.it")];
    draft.subject = "Deposito atto".into();
    draft.text = Some(format!(
        "Si deposita l'atto in allegato.{}",
        draft.text.clone().unwrap_or_default()
    ));
    draft.receipt = ReceiptType::Breve;
    draft.priority = Priority::High;
    draft
        .attachments
        .push(Attachment::from_bytes("atto.pdf", b"%PDF-1.4".to_vec()));
    let id = ctx.save_template("Deposito", &draft).expect("saved");
    let again = ctx.save_template("deposito", &draft).expect("replaced");
    assert_eq!(again, id);
    let kept = ctx.templates().expect("templates");
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].name, "deposito");
    let t = &kept[0].draft;
    assert_eq!(t.text.as_deref(), Some("Si deposita l'atto in allegato."));
    assert!(t.attachments.is_empty() && t.from.is_none());

    let opened = ctx.compose_from_template(account, id).expect("opened");
    assert_eq!(opened.to, draft.to);
    assert_eq!(opened.subject, "Deposito atto");
    assert_eq!(
        (opened.receipt, opened.priority),
        (ReceiptType::Breve, Priority::High)
    );
    assert_eq!(
        opened.text.as_deref(),
        Some("Si deposita l'atto in allegato.\n\n-- \nStudio Bianchi")
    );
    assert_eq!(opened.from, Some(Mailbox::new(BOX)));

    for bad in ["", "   ", "due\nrighe", &"x".repeat(101)] {
        assert!(ctx.save_template(bad, &draft).is_err(), "{bad:?}");
    }
    for i in 1..pec_core::context::MAX_TEMPLATES {
        ctx.save_template(&format!("Modello {i}"), &draft)
            .expect("under the cap");
    }
    assert!(ctx.save_template("Uno di troppo", &draft).is_err());
    ctx.save_template("Modello 1", &draft)
        .expect("replacing is not adding");
    ctx.forget_template(id).expect("forget");
    assert!(ctx.compose_from_template(account, id).is_err());
    assert_eq!(
        ctx.templates().expect("templates").len(),
        pec_core::context::MAX_TEMPLATES - 1
    );
}

/// The box's fullness comes from the quota the server reports at each sync: a 1 MiB box with a
/// 940 KiB message is nearly full, and full once 70 KiB more arrive. A background pass tells once
/// per level, and again only after the box had room.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_box_near_its_quota_says_so_once() {
    use pec_core::accounts::QuotaLevel;
    use pec_test_harness::{Dovecot, DovecotConfig, FolderLayout, User};
    if pec_test_harness::dovecot_or_skip("a_box_near_its_quota").is_none() {
        return;
    }
    let user = User {
        quota_mb: Some(1),
        ..User::new(BOX, "secret")
    };
    let config = DovecotConfig {
        users: vec![user],
        layout: FolderLayout::Standard,
        ..DovecotConfig::default()
    };
    let dc = Dovecot::start(config).await.expect("dovecot");
    let dir = TempDir::new("ctx-quota");
    let ctx = open(&dir);
    let port = dc.imap_addr().port();
    let account = ctx
        .add_account(&on_server(&dc, BOX, port, None), false)
        .await
        .expect("account");
    let level = || ctx.store().account(account).expect("account").quota_level();
    let told = || async {
        let pass = ctx.background_pass().await.expect("pass");
        pass.arrived[0].quota_alert
    };
    let fill = |kib: usize, id: &'static str| {
        let date = "Fri, 15 Nov 2024 09:00:00 +0100";
        let raw = plain(
            "a@pec.other",
            &[BOX],
            "Allegati",
            id,
            date,
            &"x".repeat(kib * 1024),
        );
        let dc = &dc;
        async move {
            let mut lmtp = dc.lmtp().await.expect("lmtp");
            lmtp.deliver("a@pec.other", &[BOX], &raw)
                .await
                .expect("deliver");
            lmtp.quit().await.expect("quit");
        }
    };
    assert_eq!(told().await, None);
    assert_eq!(level(), QuotaLevel::Room);

    fill(940, "big@x").await;
    assert_eq!(told().await, Some(QuotaLevel::NearlyFull));
    assert_eq!(level(), QuotaLevel::NearlyFull);
    assert_eq!(told().await, None, "told once");
    fill(70, "more@x").await;
    assert_eq!(told().await, Some(QuotaLevel::Full));
    assert_eq!(told().await, None);

    // Room again (the trash emptied), then nearly full again: told again.
    let inbox = ctx
        .store()
        .find_folder(account, "INBOX")
        .expect("inbox")
        .expect("inbox");
    let page = ctx
        .page(account, View::Folder(inbox.id), None, 50, false)
        .expect("page");
    let ids: Vec<_> = page.rows.iter().map(|r| r.id).collect();
    ctx.apply_all(&ids, Action::Delete).expect("to the trash");
    let trash = ctx
        .store()
        .find_folder(account, "trash")
        .expect("trash")
        .expect("trash");
    ctx.empty_folder(trash.id).expect("emptied");
    assert_eq!(told().await, None);
    assert_eq!(level(), QuotaLevel::Room);
    fill(940, "again@x").await;
    assert_eq!(told().await, Some(QuotaLevel::NearlyFull));
}
