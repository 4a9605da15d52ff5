//! Delegated logins on the wire, through the facade against the sandbox provider: a delegate adds
//! the owner's box with its own username and password, syncs it and sends as the owner; a
//! delegate without `send` gets `PecError::Permission`, whether it declared the permission or not;
//! an action the folder's ACL rights forbid (`StoreError::Forbidden`) is `PecError::Permission` too.

use pec_ffi::{
    App, BodyDownload, ComposeDraft, CredentialBackend, Delegation, MessageAction, NewAccount,
    PecError, Permissions, Provider, SendStep, ViewRef,
};
use pec_sandbox::{Options, Sandbox};
use pec_test_harness::{Delegate, DelegatePerms};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common;
use common::{sandbox_account, sandbox_servers};

const OWNER: &str = "utente1@pec.sandbox.test";
const OTHER: &str = "utente2@pec.sandbox.test";
const SECRETARY: &str = "segreteria@pec.sandbox.test";
const READER: &str = "lettore@pec.sandbox.test";

fn delegate(username: &str, perms: &str) -> Delegate {
    Delegate {
        owner: OWNER.into(),
        username: username.into(),
        password: format!("delega-{}", username.split('@').next().unwrap_or_default()),
        perms: DelegatePerms::parse(perms).expect("perms"),
    }
}

fn perms(read: bool, send: bool) -> Permissions {
    Permissions {
        read,
        write: false,
        send,
        mail_programs: true,
        settings: false,
    }
}

async fn add(sb: &Sandbox, app: &App, login: &str, password: &str, p: Permissions) -> i64 {
    add_with(sb, app, login, password, p, false)
        .await
        .expect("add account")
}

/// [`add`], saved without the login check when `offline`.
async fn add_with(
    sb: &Sandbox,
    app: &App,
    login: &str,
    password: &str,
    p: Permissions,
    offline: bool,
) -> Result<i64, PecError> {
    let info = app
        .add_account(NewAccount {
            provider: Provider::Custom,
            address: OWNER.into(),
            password: password.into(),
            display_name: None,
            custom: Some(sandbox_servers(sb, true)),
            delegation: Some(Delegation {
                login: login.into(),
                permissions: p,
            }),
            offline,
        })
        .await?;
    assert_eq!(info.address, OWNER);
    assert_eq!(info.login, login);
    assert!(info.delegated);
    Ok(info.id)
}

fn draft(subject: &str) -> ComposeDraft {
    ComposeDraft {
        to: vec![OTHER.into()],
        cc: vec![],
        subject: subject.into(),
        text: "Inviato dalla segreteria.".into(),
        attachments: vec![],
        receipt: None,
        in_reply_to: None,
        bcc: vec![],
        html: None,
        priority: None,
        signature: None,
        references: vec![],
    }
}

fn app(dir: &std::path::Path) -> Arc<App> {
    App::new(
        dir.to_string_lossy().into_owned(),
        CredentialBackend::Memory,
    )
    .expect("app")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delegate_logs_in_with_its_own_username_syncs_and_sends() {
    if pec_test_harness::dovecot_or_skip("delegate_logs_in_with_its_own_username").is_none() {
        return;
    }
    let sb = Sandbox::start(Options {
        delegates: vec![
            delegate(SECRETARY, "read,send,programs"),
            delegate(READER, "read,programs"),
        ],
        ..Options::default()
    })
    .await
    .expect("sandbox");

    // The secretary: own username and password (the owner's would be "password1").
    let dir = tempfile::tempdir().expect("tmp");
    let app = app(dir.path());
    // The sandbox's receipts are signed under its test CA: trusted explicitly for the ticks.
    app.add_signature_test_anchor(sb.state.ca_file.to_string_lossy().into_owned())
        .expect("test anchor");
    let id = add(&sb, &app, SECRETARY, "delega-segreteria", perms(true, true)).await;
    let info = app.account(id).await.expect("account");
    assert!(info.capabilities.can_sync && info.capabilities.can_send);
    assert!(!info.capabilities.can_move_delete);
    let sync = app
        .sync(id, BodyDownload::ReceiptsOnly, None)
        .await
        .expect("the delegate's IMAP login opens the owner's box");
    assert!(sync.folders >= 1, "{sync:?}");

    // It sends as the owner; the receipts land in the owner's box, read with the delegate's login.
    let sent = app
        .send(id, draft("Dalla segreteria"), None)
        .await
        .expect("send");
    assert!(sent.submitted, "{sent:?}");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        app.refresh_receipts(id).await.expect("receipts");
        let s = app.send_status(sent.outbox_id).await.expect("status");
        if s.step == SendStep::Delivered {
            break s;
        }
        assert!(Instant::now() < deadline, "never delivered: {s:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert_eq!(status.ticks, Some(2));
    assert_eq!(status.recipients[0].address, OTHER);

    // The recipient got a certified message whose real sender is the owner's box.
    let them = tempfile::tempdir().expect("tmp");
    let theirs = self::app(them.path());
    let info = theirs
        .add_account(sandbox_account(&sb, OTHER, "password2"))
        .await
        .expect("owner account");
    assert_eq!(info.login, OTHER);
    theirs
        .sync(info.id, BodyDownload::ReceiptsOnly, None)
        .await
        .expect("sync");
    let inbox = theirs
        .list_page(info.id, ViewRef::Inbox, None, 50)
        .await
        .expect("inbox");
    let row = inbox
        .rows
        .iter()
        .find(|r| r.subject == "Dalla segreteria")
        .unwrap_or_else(|| panic!("not delivered: {:?}", inbox.rows));
    assert_eq!(row.sender_address.as_deref(), Some(OWNER));

    // A wrong password for the delegate's login is an authentication error, not a network one:
    // when adding, and at sync for an account saved offline.
    let bad = tempfile::tempdir().expect("tmp");
    let bad_app = self::app(bad.path());
    let refused = add_with(
        &sb,
        &bad_app,
        SECRETARY,
        "password1",
        perms(true, true),
        false,
    )
    .await;
    assert!(matches!(refused, Err(PecError::Auth { .. })), "{refused:?}");
    let bad_id = add_with(
        &sb,
        &bad_app,
        SECRETARY,
        "password1",
        perms(true, true),
        true,
    )
    .await
    .expect("saved offline");
    match bad_app.sync(bad_id, BodyDownload::ReceiptsOnly, None).await {
        Err(PecError::Auth { .. }) => {}
        other => panic!("expected Auth, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delegate_without_send_gets_a_permission_error() {
    if pec_test_harness::dovecot_or_skip("delegate_without_send").is_none() {
        return;
    }
    let sb = Sandbox::start(Options {
        delegates: vec![delegate(READER, "read,programs")],
        ..Options::default()
    })
    .await
    .expect("sandbox");

    // Declared as it is (read only): it syncs, and the facade refuses to send before any SMTP.
    let dir = tempfile::tempdir().expect("tmp");
    let app = app(dir.path());
    let id = add(&sb, &app, READER, "delega-lettore", perms(true, false)).await;
    let info = app.account(id).await.expect("account");
    assert!(info.capabilities.can_sync);
    assert!(!info.capabilities.can_send && !info.capabilities.can_compose);
    app.sync(id, BodyDownload::ReceiptsOnly, None)
        .await
        .expect("the reader's IMAP login works");
    match app.send(id, draft("Non permesso"), None).await {
        Err(PecError::Permission { detail }) => assert!(detail.contains(READER), "{detail}"),
        other => panic!("expected Permission, got {other:?}"),
    }

    // Declared wrongly (send), the provider refuses MAIL FROM (553 not owned by user): the same
    // typed error, and the message is not retried.
    let dir2 = tempfile::tempdir().expect("tmp");
    let app2 = self::app(dir2.path());
    let id2 = add(&sb, &app2, READER, "delega-lettore", perms(true, true)).await;
    match app2.send(id2, draft("Non permesso 2"), None).await {
        Err(PecError::Permission { detail }) => {
            assert!(detail.contains("not owned"), "{detail}")
        }
        other => panic!("expected Permission from the provider, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_delegate_is_refused_by_the_folder_rights_with_a_permission_error() {
    if pec_test_harness::dovecot_or_skip("read_only_delegate_folder_rights").is_none() {
        return;
    }
    let Some(corpus) = pec_test_harness::corpus::corpus_for_test() else {
        return;
    };
    let sb = Sandbox::start(Options {
        delegates: vec![delegate(READER, "read,programs")],
        ..Options::default()
    })
    .await
    .expect("sandbox");
    let name = "IT02182030391_31.xml.p7m";
    let invoice = std::fs::read(corpus.join("fatturapa/dotnet").join(name)).expect("corpus");
    pec_sandbox::sdi::inject_invoice(&sb.state.engine().expect("engine"), OWNER, name, &invoice)
        .await
        .expect("inject invoice");

    // The reader's ACL on the owner's box is "lrs": it may mark read, not flag.
    let dir = tempfile::tempdir().expect("tmp");
    let app = app(dir.path());
    let id = add(&sb, &app, READER, "delega-lettore", perms(true, false)).await;
    app.sync(id, BodyDownload::ReceiptsOnly, None)
        .await
        .expect("sync");
    let page = app
        .list_page(id, ViewRef::Inbox, None, 50)
        .await
        .expect("inbox");
    let msg = page.rows.first().expect("the invoice message").id;
    app.apply(msg, MessageAction::MarkSeen)
        .await
        .expect("\"s\" is granted");
    match app.apply(msg, MessageAction::Flag).await {
        Err(e @ PecError::Permission { .. }) => {
            assert_eq!(pec_ffi::error_code(e.clone()), "permission");
            assert!(e.to_string().contains("\"w\""), "{e}");
        }
        other => panic!("expected Permission from the folder's rights, got {other:?}"),
    }
    let after = app.message(msg).await.expect("message");
    assert!(after.row.seen && !after.row.flagged, "{:?}", after.row);
}
