//! What the sandbox signs must be read by `pec_core::signature` like the real providers' messages:
//! `Valid` under the PEC-provider policy once the sandbox root is configured, `Untrusted` without it,
//! `Invalid` when the content is altered.

use crate::common;

use common::*;
use pec_core::signature::{AnchorRole, Policy, SignatureStatus, TrustStore, verify_detached};

fn parts(raw: &[u8]) -> (Vec<u8>, Vec<u8>) {
    use mail_parser::MimeHeaders;
    let m = mail_parser::MessageParser::default().parse(raw).unwrap();
    let signed = &m.parts[1];
    let content = raw[signed.offset_header as usize..signed.offset_end as usize].to_vec();
    let sig = m
        .parts
        .iter()
        .find(|p| p.attachment_name() == Some("smime.p7s"))
        .unwrap()
        .contents()
        .to_vec();
    (content, sig)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn core_accepts_sandbox_signatures() {
    let Some(sb) = start("core_signature", fast_options()).await else {
        return;
    };
    let msg = format!(
        "From: {u1}\r\nTo: {u2}, nessuno@pec.sandbox.test\r\nSubject: firma\r\nMessage-ID: <firma@c>\r\n\r\ntesto\r\n",
        u1 = U1.0,
        u2 = U2.0
    );
    send_raw(
        &sb,
        Some(U1),
        U1.0,
        &[U2.0, "nessuno@pec.sandbox.test"],
        msg.as_bytes(),
    )
    .await
    .unwrap();
    let mut all = wait_inbox(&sb, U1, 3).await;
    all.extend(wait_inbox(&sb, U2, 1).await);
    let engine = sb.state.engine().unwrap();
    pec_sandbox::sdi::inject_invoice(
        &engine,
        U3.0,
        "IT01234567890_00001.xml",
        b"<FatturaElettronica/>",
    )
    .await
    .unwrap();
    all.extend(wait_inbox(&sb, U3, 1).await);

    let trust = TrustStore::bundled()
        .with_anchor_pem(sb.ca_pem().as_bytes(), AnchorRole::PecProviders)
        .unwrap();
    for raw in &all {
        let (content, sig) = parts(raw);
        let r = verify_detached(&content, &sig, None, &trust, Policy::PecProvider);
        assert_eq!(
            r.status,
            SignatureStatus::Valid,
            "{} {:?}",
            subject(raw),
            r.detail
        );
        let cn = r.signer_cn.unwrap();
        assert!(
            cn == "Posta Certificata SANDBOX PEC S.p.A." || cn == "Posta Certificata Sogei SpA",
            "{cn}"
        );
        assert!(r.provider.is_some());

        let untrusted = verify_detached(
            &content,
            &sig,
            None,
            &TrustStore::bundled(),
            Policy::PecProvider,
        );
        assert_eq!(
            untrusted.status,
            SignatureStatus::Untrusted,
            "{:?}",
            untrusted.detail
        );

        let mut altered = content.clone();
        let pos = altered.len() / 2;
        altered[pos] ^= 0x01;
        let bad = verify_detached(&altered, &sig, None, &trust, Policy::PecProvider);
        assert_eq!(bad.status, SignatureStatus::Invalid);
    }
}
