//! The SMTP server at the protocol level: pipelined commands answered in order, dot-unstuffing,
//! AUTH LOGIN, RSET.

mod common;

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
