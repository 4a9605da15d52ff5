//! Adding accounts (`pec_core::accounts::setup`): what is refused, where the password goes, the
//! delegate's login, capabilities, and the login carried over by migration 0003.

use pec_core::accounts::{
    self, AccountError, AccountSetup, CredentialStore, DelegateLogin, MemoryCredentialStore,
    Operation, Permissions, Servers,
};
use pec_core::store::Store;

fn setup(address: &str) -> AccountSetup {
    AccountSetup {
        address: address.into(),
        password: "segreto".into(),
        display_name: Some("Studio".into()),
        servers: Servers {
            imap_host: "imap.example".into(),
            imap_port: 993,
            smtp_host: "smtp.example".into(),
            smtp_port: 465,
            ca_file: None,
        },
        provider: pec_core::accounts::Provider::Custom,
        delegation: None,
    }
}

fn invalid(store: &Store, creds: &dyn CredentialStore, s: AccountSetup) -> String {
    match accounts::add_account(store, creds, &s) {
        Err(AccountError::Invalid(m)) => m,
        other => panic!("expected Invalid for {s:?}, got {other:?}"),
    }
}

#[test]
fn bad_input_is_refused_with_a_reason_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let creds = MemoryCredentialStore::new();
    for bad in [
        "",
        "nobody",
        "@pec.example",
        "a@",
        "a@b@c",
        "a b@pec.example",
    ] {
        assert!(invalid(&store, &creds, setup(bad)).contains("not an address"));
    }
    let mut s = setup("a@pec.example");
    s.password.clear();
    assert_eq!(invalid(&store, &creds, s), "empty password");
    let mut s = setup("a@pec.example");
    s.servers.imap_host = "  ".into();
    assert_eq!(invalid(&store, &creds, s), "empty server host");
    let mut s = setup("a@pec.example");
    s.servers.smtp_port = 0;
    assert_eq!(invalid(&store, &creds, s), "port 0");
    let mut s = setup("a@pec.example");
    s.servers.ca_file = Some(dir.path().join("missing.pem"));
    assert!(invalid(&store, &creds, s).contains("not found"));
    let mut s = setup("a@pec.example");
    s.delegation = Some(DelegateLogin {
        login: " ".into(),
        permissions: Permissions::OWNER,
    });
    assert_eq!(invalid(&store, &creds, s), "empty delegate login");
    assert!(store.accounts().unwrap().is_empty());
    assert!(creds.get("a@pec.example").is_err());
}

#[test]
fn owner_then_delegate_then_removed() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let creds = MemoryCredentialStore::new();
    let id = accounts::add_account(&store, &creds, &setup(" Box@pec.example ")).unwrap();
    let acc = store.account(id).unwrap();
    assert_eq!(acc.config.address, "Box@pec.example");
    assert_eq!(acc.login, "Box@pec.example");
    assert_eq!(creds.get("box@pec.example").unwrap(), "segreto");
    let meta = accounts::account_meta(&store, &acc).unwrap();
    assert_eq!(meta.permissions(), Permissions::OWNER);

    // The same box as a delegate: the login changes, the owner's password is forgotten.
    let reader = Permissions {
        read: true,
        mail_programs: true,
        ..Permissions::default()
    };
    let mut s = setup("box@pec.example");
    s.password = "delega".into();
    s.delegation = Some(DelegateLogin {
        login: "segreteria@pec.example".into(),
        permissions: reader,
    });
    assert_eq!(accounts::add_account(&store, &creds, &s).unwrap(), id);
    let acc = store.account(id).unwrap();
    assert_eq!(acc.login, "segreteria@pec.example");
    assert_eq!(creds.get("segreteria@pec.example").unwrap(), "delega");
    assert!(creds.get("box@pec.example").is_err());
    let meta = accounts::account_meta(&store, &acc).unwrap();
    assert_eq!(meta.delegated, Some(reader));
    let caps = accounts::capabilities(&meta.permissions(), None);
    assert!(caps.can_sync && caps.can_flag && !caps.can_send && !caps.can_move_delete);
    // The server's ACL narrows further: without "r" nothing can be read.
    assert!(!accounts::capabilities(&meta.permissions(), Some("l")).can_read);

    accounts::remove_account(&store, &creds, id).unwrap();
    assert!(store.accounts().unwrap().is_empty());
    assert!(creds.get("segreteria@pec.example").is_err());
    assert!(
        store
            .setting("account.meta:box@pec.example")
            .unwrap()
            .is_none()
    );
}

#[test]
fn migration_0003_keeps_logins_of_existing_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite");
    {
        // A store as the previous release left it: migrations 0001 and 0002 only.
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(include_str!("../migrations/0001_store.sql"))
            .unwrap();
        c.execute_batch(include_str!("../migrations/0002_outbox.sql"))
            .unwrap();
        c.pragma_update(None, "user_version", 2).unwrap();
        for (address, n) in [("owner@pec.example", 1), ("Box@pec.example", 2)] {
            c.execute(
                "INSERT INTO accounts (id, address, imap_host, imap_port, smtp_host, smtp_port, created_at)
                 VALUES (?1, ?2, 'h', 993, 'h', 465, 0)",
                rusqlite::params![n, address],
            )
            .unwrap();
        }
        c.execute(
            "INSERT INTO settings (key, value) VALUES ('ffi.account:box@pec.example',
             '{\"provider\":\"aruba\",\"login\":\"segreteria@pec.example\",\"delegated\":{\"read\":true,\"write\":false,\"send\":true,\"mail_programs\":true,\"settings\":false}}')",
            [],
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let all = store.accounts().unwrap();
    assert_eq!(all[0].login, "owner@pec.example");
    assert_eq!(all[1].login, "segreteria@pec.example");
    let meta = accounts::account_meta(&store, &all[1]).unwrap();
    assert_eq!(meta.provider, "aruba");
    assert!(meta.delegated.is_some_and(|p| p.send && !p.write));
}

#[test]
fn operations_a_reading_delegate_may_not_do_are_refused_before_anything_is_queued() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let creds = MemoryCredentialStore::new();
    let mut s = setup("ufficio@pec.example");
    s.delegation = Some(DelegateLogin {
        login: "lettore@pec.example".into(),
        permissions: Permissions {
            read: true,
            mail_programs: true,
            ..Permissions::default()
        },
    });
    let id = accounts::add_account(&store, &creds, &s).unwrap();
    let account = store.account(id).unwrap();
    accounts::require(&store, &account, Operation::Sync).unwrap();
    for op in [Operation::Send, Operation::MoveDelete] {
        match accounts::require(&store, &account, op) {
            Err(AccountError::NotPermitted(m)) => {
                assert!(m.starts_with("lettore@pec.example may not"), "{m}")
            }
            other => panic!("{op:?}: expected NotPermitted, got {other:?}"),
        }
    }
    // The owner may do everything.
    let owner = accounts::add_account(&store, &creds, &setup("titolare@pec.example")).unwrap();
    let owner = store.account(owner).unwrap();
    for op in [
        Operation::Sync,
        Operation::Send,
        Operation::Flag,
        Operation::MoveDelete,
    ] {
        accounts::require(&store, &owner, op).unwrap();
    }
}

/// The refusals hold for any caller of the core, not only through the facade: changing a message,
/// queueing a PEC, syncing (refused before connecting: the servers here do not exist).
#[tokio::test]
async fn the_core_itself_refuses_what_a_delegate_may_not_do() {
    use pec_core::outbox::{Outbox, OutboxConfig, SendError};
    use pec_core::store::{Action, FolderRole};
    use pec_core::sync::{SyncEngine, SyncError, SyncOptions};
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let creds = std::sync::Arc::new(MemoryCredentialStore::new());
    let delegate = |address: &str, login: &str, permissions| {
        let mut s = setup(address);
        s.delegation = Some(DelegateLogin {
            login: login.into(),
            permissions,
        });
        accounts::add_account(&store, creds.as_ref(), &s).unwrap()
    };
    let reader = delegate(
        "ufficio@pec.example",
        "lettore@pec.example",
        Permissions {
            read: true,
            mail_programs: true,
            ..Permissions::default()
        },
    );
    let inbox = store
        .ensure_folder(reader, "INBOX", Some(FolderRole::Inbox), Some("."))
        .unwrap();
    let raw = b"From: a@pec.example\r\nTo: ufficio@pec.example\r\nSubject: atto\r\n\r\ntesto\r\n";
    let message = pec_core::receive::Receiver::default()
        .import(&store, inbox, raw)
        .unwrap()
        .id;

    let refused = |r: Result<(), AccountError>| matches!(r, Err(AccountError::NotPermitted(_)));
    assert!(refused(accounts::apply_action(
        &store,
        message,
        Action::Delete
    )));
    let trash = store
        .ensure_folder(reader, "Trash", Some(FolderRole::Trash), Some("."))
        .unwrap();
    assert!(refused(accounts::apply_action(
        &store,
        message,
        Action::Move(trash)
    )));
    assert!(matches!(
        accounts::empty_folder(&store, trash),
        Err(AccountError::NotPermitted(_))
    ));
    // Reading includes marking read.
    accounts::apply_action(&store, message, Action::SetSeen(true)).unwrap();

    let outbox = Outbox::new(store.clone(), OutboxConfig::new(dir.path()));
    let draft = pec_core::compose::Draft {
        to: vec![pec_core::compose::Mailbox::new("altro@pec.example")],
        subject: "risposta".into(),
        text: Some("testo".into()),
        ..Default::default()
    };
    match outbox.queue(reader, &draft) {
        Err(SendError::NotPermitted(m)) => assert!(m.contains("may not send"), "{m}"),
        other => panic!("queued for a reading delegate: {other:?}"),
    }
    assert!(outbox.entries(reader).unwrap().is_empty());

    let outsider = delegate(
        "archivio@pec.example",
        "webmail@pec.example",
        Permissions {
            read: true,
            ..Permissions::default()
        },
    );
    let engine = SyncEngine::new(store.clone(), creds.clone());
    match engine.sync_once(outsider, &SyncOptions::default()).await {
        Err(SyncError::NotPermitted(m)) => assert!(m.contains("mail programs"), "{m}"),
        other => panic!("synced without the mail programs permission: {other:?}"),
    }
}
