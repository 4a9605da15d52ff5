//! The harness against a real Dovecot: TLS login, QUOTA, ACL delegation, SPECIAL-USE layouts, LMTP,
//! restart and the fault proxy.

use std::time::Duration;

use futures::TryStreamExt;
use pec_test_harness::{
    Delegate, DelegatePerms, Dovecot, DovecotConfig, FaultProxy, FolderLayout, RcptStatus, User,
    dovecot::imap_login,
};

const OWNER: &str = "titolare@pec.sandbox.test";

fn config(layout: FolderLayout) -> DovecotConfig {
    DovecotConfig {
        users: vec![
            User::new(OWNER, "pw-owner"),
            User {
                quota_mb: Some(1),
                ..User::new("piccola@pec.sandbox.test", "pw-small")
            },
        ],
        delegates: vec![
            Delegate {
                owner: OWNER.into(),
                username: "lettore@pec.sandbox.test".into(),
                password: "pw-r".into(),
                perms: DelegatePerms::parse("read,programs").unwrap(),
            },
            Delegate {
                owner: OWNER.into(),
                username: "scrittore@pec.sandbox.test".into(),
                password: "pw-w".into(),
                perms: DelegatePerms::parse("read,write,programs").unwrap(),
            },
            Delegate {
                owner: OWNER.into(),
                username: "senzaprogrammi@pec.sandbox.test".into(),
                password: "pw-n".into(),
                perms: DelegatePerms::parse("read,write,send").unwrap(),
            },
        ],
        layout,
        ..DovecotConfig::default()
    }
}

fn msg(subject: &str) -> Vec<u8> {
    format!(
        "From: a@posta.example\r\nTo: {OWNER}\r\nSubject: {subject}\r\nMessage-ID: <{subject}@t>\r\n\r\nbody\r\n"
    )
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_lmtp_quota_specialuse_acl() {
    if pec_test_harness::dovecot_or_skip("login_lmtp_quota_specialuse_acl").is_none() {
        return;
    }
    let dc = Dovecot::start(config(FolderLayout::Standard))
        .await
        .unwrap();

    // Bad password is refused.
    assert!(dc.imap_login(OWNER, "wrong").await.is_err());

    // LMTP delivery, unknown user refused at RCPT.
    let mut lmtp = dc.lmtp().await.unwrap();
    let st = lmtp
        .deliver(
            "a@posta.example",
            &[OWNER, "nessuno@pec.sandbox.test"],
            &msg("one"),
        )
        .await
        .unwrap();
    assert_eq!(st[0], RcptStatus::Delivered);
    assert!(matches!(st[1], RcptStatus::Rejected { code, .. } if code >= 500));
    // Over quota is refused for the 1 MiB box.
    let big = [msg("big"), vec![b'x'; 2 * 1024 * 1024], b"\r\n".to_vec()].concat();
    let st = lmtp
        .deliver("a@posta.example", &["piccola@pec.sandbox.test"], &big)
        .await
        .unwrap();
    assert!(!st[0].is_delivered(), "{st:?}");
    lmtp.quit().await.unwrap();

    let mut s = dc.imap_login(OWNER, "pw-owner").await.unwrap();
    let caps = s.capabilities().await.unwrap();
    for c in ["QUOTA", "ACL", "SPECIAL-USE", "UIDPLUS", "CONDSTORE"] {
        assert!(caps.has_str(c), "missing {c}");
    }
    let names: Vec<_> = s
        .list(Some(""), Some("*"))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let sent = names.iter().find(|n| n.name() == "Sent").expect("Sent");
    assert!(
        sent.attributes()
            .iter()
            .any(|a| format!("{a:?}").contains("Sent"))
    );
    let mb = s.select("INBOX").await.unwrap();
    assert_eq!(mb.exists, 1);
    let (_, quotas) = s.get_quota_root("INBOX").await.unwrap();
    assert!(!quotas.is_empty());
    s.logout().await.unwrap();

    // Read-only delegate sees the owner's INBOX and cannot append.
    let mut r = dc
        .imap_login("lettore@pec.sandbox.test", "pw-r")
        .await
        .unwrap();
    let mb = r.select("INBOX").await.unwrap();
    assert_eq!(mb.exists, 1);
    assert!(
        r.append("INBOX", None, None, msg("from-reader"))
            .await
            .is_err()
    );
    assert!(r.create("Nuova").await.is_err());
    r.logout().await.unwrap();

    // Read+write delegate can append and create folders.
    let mut w = dc
        .imap_login("scrittore@pec.sandbox.test", "pw-w")
        .await
        .unwrap();
    w.append("INBOX", None, None, msg("from-writer"))
        .await
        .unwrap();
    w.create("Pratiche").await.unwrap();
    w.logout().await.unwrap();

    // Without "programs" the delegate cannot log in at all.
    assert!(
        dc.imap_login("senzaprogrammi@pec.sandbox.test", "pw-n")
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aruba_layout_and_restart_and_proxy() {
    if pec_test_harness::dovecot_or_skip("aruba_layout_and_restart_and_proxy").is_none() {
        return;
    }
    let mut dc = Dovecot::start(config(FolderLayout::Aruba)).await.unwrap();
    let mut s = dc.imap_login(OWNER, "pw-owner").await.unwrap();
    let names: Vec<_> = s
        .list(Some(""), Some("*"))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let all: Vec<String> = names.iter().map(|n| n.name().to_string()).collect();
    for f in ["INBOX.Inviata", "INBOX.Bozze", "INBOX.Cestino"] {
        assert!(all.contains(&f.to_string()), "{f} missing in {all:?}");
    }
    assert!(names.iter().all(|n| n.delimiter() == Some(".")));
    s.logout().await.unwrap();

    // Fault proxy: transparent, then cut, then refuse.
    let proxy = FaultProxy::start(dc.imap_addr()).await.unwrap();
    let conn = dc.tls_connector().unwrap();
    let mut s = imap_login(&conn, proxy.addr(), OWNER, "pw-owner")
        .await
        .unwrap();
    s.noop().await.unwrap();
    proxy.kill_connections();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(s.noop().await.is_err(), "killed connection still works");
    proxy.cut_after(Some(40));
    assert!(
        imap_login(&conn, proxy.addr(), OWNER, "pw-owner")
            .await
            .is_err()
    );
    proxy.heal();
    proxy.refuse(true);
    assert!(
        imap_login(&conn, proxy.addr(), OWNER, "pw-owner")
            .await
            .is_err()
    );
    proxy.heal();
    proxy.set_delay(Duration::from_millis(20));
    let mut s = imap_login(&conn, proxy.addr(), OWNER, "pw-owner")
        .await
        .unwrap();
    s.noop().await.unwrap();
    proxy.heal();

    // Restart: the session dies, a new login works and the mail is still there.
    let mut lmtp = dc.lmtp().await.unwrap();
    lmtp.deliver("a@posta.example", &[OWNER], &msg("before-restart"))
        .await
        .unwrap();
    lmtp.quit().await.unwrap();
    dc.restart().await.unwrap();
    assert!(s.noop().await.is_err(), "session survived the restart");
    let mut s = imap_login(&conn, proxy.addr(), OWNER, "pw-owner")
        .await
        .unwrap();
    let mb = s.select("INBOX").await.unwrap();
    assert_eq!(mb.exists, 1);
    s.logout().await.unwrap();
}
