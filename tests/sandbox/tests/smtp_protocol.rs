//! The SMTP server at the protocol level: pipelined commands answered in order, dot-unstuffing,
//! AUTH LOGIN, RSET.

use crate::common;

use base64::Engine;
use common::*;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

async fn read_reply<R: tokio::io::AsyncBufRead + Unpin>(r: &mut R) -> (u16, String) {
    let mut all = String::new();
    loop {
        let mut line = String::new();
        let n = tokio::time::timeout(std::time::Duration::from_secs(60), r.read_line(&mut line))
            .await
            .expect("reply in time")
            .unwrap();
        assert!(n > 0, "connection closed");
        all.push_str(&line);
        if line.as_bytes().get(3) == Some(&b' ') {
            return (line[..3].parse().unwrap(), all);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelined_session_with_auth_login_and_dot_stuffing() {
    let Some(sb) = start("smtp_pipelining", fast_options()).await else {
        return;
    };
    let conn = pec_test_harness::tls::connector(&sb.ca_pem()).unwrap();
    let stream = pec_test_harness::tls::connect(&conn, sb.smtp_addr)
        .await
        .unwrap();
    let (r, mut w) = tokio::io::split(stream);
    let mut r = BufReader::new(r);
    assert_eq!(read_reply(&mut r).await.0, 220);
    w.write_all(b"EHLO client.test\r\n").await.unwrap();
    let (code, ehlo) = read_reply(&mut r).await;
    assert_eq!(code, 250);
    for ext in ["PIPELINING", "SIZE", "8BITMIME", "AUTH PLAIN LOGIN"] {
        assert!(ehlo.contains(ext), "{ehlo}");
    }
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    w.write_all(format!("AUTH LOGIN\r\n{}\r\n{}\r\n", b64(U1.0), b64(U1.1)).as_bytes())
        .await
        .unwrap();
    assert_eq!(read_reply(&mut r).await.0, 334);
    assert_eq!(read_reply(&mut r).await.0, 334);
    assert_eq!(read_reply(&mut r).await.0, 235);
    // One write: a refused transaction, RSET, then a full one up to DATA.
    let batch = format!(
        "MAIL FROM:<{u2}>\r\nRSET\r\nMAIL FROM:<{u1}> SIZE=300\r\nRCPT TO:<{u2}>\r\nDATA\r\n",
        u1 = U1.0,
        u2 = U2.0
    );
    w.write_all(batch.as_bytes()).await.unwrap();
    assert_eq!(read_reply(&mut r).await.0, 553);
    assert_eq!(read_reply(&mut r).await.0, 250);
    assert_eq!(read_reply(&mut r).await.0, 250);
    assert_eq!(read_reply(&mut r).await.0, 250);
    assert_eq!(read_reply(&mut r).await.0, 354);
    let body = format!(
        "From: {u1}\r\nTo: {u2}\r\nSubject: pipelining\r\nMessage-ID: <pipe@c>\r\n\r\nprima\r\n..punto iniziale\r\n.\r\nQUIT\r\n",
        u1 = U1.0,
        u2 = U2.0
    );
    w.write_all(body.as_bytes()).await.unwrap();
    let (code, text) = read_reply(&mut r).await;
    assert_eq!(code, 250, "{text}");
    assert_eq!(read_reply(&mut r).await.0, 221);

    let got = wait_inbox(&sb, U2, 1).await;
    let orig = pec(&got[0]).postacert.unwrap();
    let text = String::from_utf8_lossy(&orig);
    assert!(text.contains("\r\nprima\r\n.punto iniziale\r\n"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_proxy_in_front_of_smtp() {
    use lettre::AsyncTransport;
    let Some(sb) = start("smtp_fault_proxy", fast_options()).await else {
        return;
    };
    let proxy = pec_test_harness::FaultProxy::start(sb.smtp_addr)
        .await
        .unwrap();
    let env =
        lettre::address::Envelope::new(Some(U1.0.parse().unwrap()), vec![U2.0.parse().unwrap()])
            .unwrap();
    let raw = |s: &str| {
        format!(
            "From: {}\r\nTo: {}\r\nSubject: {s}\r\nMessage-ID: <{s}@c>\r\n\r\nx\r\n",
            U1.0, U2.0
        )
        .into_bytes()
    };
    let send = |subject: &'static str| {
        let t = transport_at(&sb, proxy.addr().port(), Some(U1));
        let env = env.clone();
        let data = raw(subject);
        async move {
            tokio::time::timeout(std::time::Duration::from_secs(60), t.send_raw(&env, &data))
                .await
                .map_err(|_| "timeout".to_string())
                .and_then(|r| r.map_err(|e| e.to_string()))
        }
    };
    // Cut during the TLS handshake / greeting: the send fails, nothing is submitted.
    proxy.cut_after(Some(200));
    assert!(send("tagliato").await.is_err());
    proxy.heal();
    proxy.refuse(true);
    assert!(send("rifiutato").await.is_err());
    proxy.heal();
    proxy.set_delay(std::time::Duration::from_millis(30));
    send("lento").await.expect("delayed but delivered");
    proxy.heal();
    let got = wait_inbox(&sb, U2, 1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(subject(&got[0]), "POSTA CERTIFICATA: lento");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_restart_cuts_sessions_and_comes_back() {
    let Some(mut sb) = start("provider_restart", fast_options()).await else {
        return;
    };
    let conn = pec_test_harness::tls::connector(&sb.ca_pem()).unwrap();
    let stream = pec_test_harness::tls::connect(&conn, sb.smtp_addr)
        .await
        .unwrap();
    let (r, mut w) = tokio::io::split(stream);
    let mut r = BufReader::new(r);
    assert_eq!(read_reply(&mut r).await.0, 220);
    let mut imap = sb.dovecot.imap_login(U1.0, U1.1).await.unwrap();
    imap.noop().await.unwrap();

    sb.restart().await.unwrap();

    // The old SMTP session is gone (EOF or error on the next command).
    let _ = w.write_all(b"NOOP\r\n").await;
    let mut line = String::new();
    let n = tokio::time::timeout(std::time::Duration::from_secs(30), r.read_line(&mut line))
        .await
        .expect("closed in time")
        .unwrap_or(0);
    assert_eq!(n, 0, "session survived: {line}");
    assert!(imap.noop().await.is_err(), "IMAP session survived");
    // New sessions work on the same ports.
    let msg = format!(
        "From: {}\r\nTo: {}\r\nSubject: dopo riavvio\r\nMessage-ID: <r@c>\r\n\r\nx\r\n",
        U1.0, U2.0
    );
    send_raw(&sb, Some(U1), U1.0, &[U2.0], msg.as_bytes())
        .await
        .unwrap();
    let got = wait_inbox(&sb, U2, 1).await;
    assert_eq!(subject(&got[0]), "POSTA CERTIFICATA: dopo riavvio");
}

/// `Policy::max_recipients`: the RCPT past the limit is answered `452 4.5.3 Too many
/// recipients`, and nothing is accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_recipients_is_452() {
    let mut opts = fast_options();
    opts.policy.max_recipients = 2;
    let Some(sb) = start("too_many_recipients_is_452", opts).await else {
        return;
    };
    let raw = format!(
        "From: {u1}\r\nTo: {u2}, {u3}, {u1}\r\nSubject: troppi\r\nMessage-ID: <troppi@c>\r\n\r\nx\r\n",
        u1 = U1.0,
        u2 = U2.0,
        u3 = U3.0
    );
    let err = send_raw(&sb, Some(U1), U1.0, &[U2.0, U3.0, U1.0], raw.as_bytes())
        .await
        .expect_err("a third recipient is one too many");
    assert!(err.contains("452") && err.contains("4.5.3"), "{err}");
    // Within the limit the same sender goes through.
    send_raw(
        &sb,
        Some(U1),
        U1.0,
        &[U2.0, U3.0],
        raw.replace(&format!(", {}", U1.0), "").as_bytes(),
    )
    .await
    .expect("two recipients are accepted");
}
