//! Nothing readable at rest: after a sync, a send, an attachment download and a draft against the
//! PEC sandbox on an encrypted store, no file of the data directory holds a known subject, body
//! word, attachment content or invoice number, in plain text or in base64. Skips without Dovecot
//! (fails under CI=true).

use base64::Engine as _;
use pec_core::Context;
use pec_core::accounts::{CredentialStore, MemoryCredentialStore};
use pec_core::compose::{Attachment, Draft, Mailbox};
use pec_core::store::{ListQuery, View};
use pec_core::sync::{BodyPolicy, SyncOptions};
use pec_core::vault::StoreKey;
use pec_sandbox::{Options, Sandbox};

use crate::store_util;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const U1: (&str, &str) = ("utente1@pec.sandbox.test", "password1");
const SUBJECT: &str = "Verbale QZXW-9183";
const BODY_WORD: &str = "parolaunicaXYZQ";
const ATTACHMENT: &str = "allegatoSEGRETOQ77";
const INVOICE_NUMBER: &str = "FT-ZQXW-4711";
const DRAFT_WORD: &str = "bozzatestoUNICOQ";

/// `needle` as it may lie on disk: as is, and in base64 at each of the three alignments (the
/// characters that depend on the needle's bytes only).
fn forms(needle: &str) -> Vec<Vec<u8>> {
    let mut out = vec![needle.as_bytes().to_vec()];
    for pad in 0..3usize {
        let mut bytes = vec![b'x'; pad];
        bytes.extend_from_slice(needle.as_bytes());
        let enc = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let (from, to) = (pad.div_ceil(3) * 4, (pad + needle.len()) / 3 * 4);
        out.push(enc.as_bytes()[from..to].to_vec());
    }
    out
}

/// Every file under `dir` holding one of the needles' forms.
fn files_holding(dir: &Path, needles: &[&str]) -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap_or_default();
            for needle in needles {
                if forms(needle)
                    .iter()
                    .any(|f| bytes.windows(f.len()).any(|w| w == f.as_slice()))
                {
                    found.push((path.clone(), needle.to_string()));
                }
            }
        }
    }
    found
}

#[cfg(unix)]
fn assert_private(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        let mode = entry.metadata().expect("meta").permissions().mode() & 0o777;
        if path.is_dir() {
            assert_eq!(mode, 0o700, "{}", path.display());
            assert_private(&path);
        } else {
            assert_eq!(mode, 0o600, "{}", path.display());
        }
    }
}

fn invoice() -> Vec<u8> {
    let xml = pec_core::fatturapa::synth::invoice_xml(2);
    let start = xml.find("<Numero>").expect("number") + "<Numero>".len();
    let end = start + xml[start..].find("</Numero>").expect("end");
    format!("{}{INVOICE_NUMBER}{}", &xml[..start], &xml[end..]).into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_readable_in_the_data_directory_after_sync_send_download_and_draft() {
    if pec_test_harness::dovecot_or_skip("encrypted_at_rest").is_none() {
        return;
    }
    let sb = Sandbox::start(Options::default()).await.expect("sandbox");
    let sandbox_engine = sb.state.engine().expect("engine");
    pec_sandbox::sdi::inject_invoice(&sandbox_engine, U1.0, "IT01234567890_ZQX01.xml", &invoice())
        .await
        .expect("inject invoice");

    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let creds = Arc::new(MemoryCredentialStore::new());
    creds.set(U1.0, U1.1).expect("creds");
    let key = StoreKey::generate().expect("key");
    let ctx = Context::open_with(&data, creds, Some(key)).expect("context");
    let account = ctx
        .store()
        .add_account(&store_util::sandbox_account(&sb, U1.0))
        .expect("account");

    // Send a PEC to the box itself, with an attachment.
    let draft = Draft {
        to: vec![Mailbox::new(U1.0)],
        subject: SUBJECT.into(),
        text: Some(format!("Testo con {BODY_WORD} dentro.")),
        attachments: vec![Attachment::from_bytes(
            "nota.txt",
            format!("contenuto {ATTACHMENT} riservato").into_bytes(),
        )],
        ..Draft::new()
    };
    let sent = ctx.send(account, &draft).await.expect("send");
    assert!(sent.submitted);

    // Sync the receipts and headers; download the attachment of the delivered envelope.
    ctx.sync(account, &SyncOptions::default())
        .await
        .expect("sync");
    let inbox = ctx
        .store()
        .list(&ListQuery::new(View::Folder(
            ctx.store()
                .find_folder(account, "INBOX")
                .expect("q")
                .expect("inbox")
                .id,
        )))
        .expect("inbox");
    let delivered = inbox
        .iter()
        .find(|m| {
            m.subject
                .as_deref()
                .is_some_and(|s| s.contains("QZXW-9183"))
        })
        .expect("the envelope in the inbox");
    let detail = ctx.store().message(delivered.id).expect("detail");
    let part = detail
        .attachments
        .iter()
        .find(|a| a.filename.as_deref() == Some("nota.txt"))
        .and_then(|a| a.section.clone())
        .expect("attachment section");
    let outside = tempfile::tempdir().expect("outside");
    let dest = outside.path().join("nota.txt");
    ctx.engine()
        .download_part(delivered.id, &part, &dest)
        .await
        .expect("download");

    // A draft on the server, then everything downloaded for offline reading.
    let note = Draft {
        to: vec![Mailbox::new("b@pec.other")],
        subject: "Bozza".into(),
        text: Some(DRAFT_WORD.into()),
        ..Draft::new()
    };
    ctx.save_draft(account, &note).await.expect("draft");
    let all = SyncOptions {
        bodies: BodyPolicy::All,
        ..SyncOptions::default()
    };
    ctx.sync(account, &all).await.expect("full sync");

    // The store holds all of it, readable through the key...
    let hits = ctx
        .search(
            Some(account),
            &pec_core::context::SearchForm {
                text: BODY_WORD.into(),
                ..Default::default()
            },
        )
        .expect("search");
    assert!(!hits.is_empty(), "the body word is searchable");
    let invoices = ctx
        .store()
        .list_with_invoices(&ListQuery::new(View::Invoices))
        .expect("invoices");
    let numbers: Vec<_> = invoices
        .iter()
        .flat_map(|i| i.invoices.iter())
        .filter_map(|r| r.invoice.number.clone())
        .collect();
    assert_eq!(numbers, [INVOICE_NUMBER]);
    let drafts = ctx
        .store()
        .find_folder(account, "drafts")
        .expect("q")
        .expect("drafts");
    let draft_rows = ctx
        .store()
        .list(&ListQuery::new(View::Folder(drafts.id)))
        .expect("drafts");
    let (_, raw) = ctx.raw_message(draft_rows[0].id).expect("draft bytes");
    assert!(String::from_utf8_lossy(&raw).contains(DRAFT_WORD));

    // ...and no file of the data directory shows any of it, open or locked.
    let needles = [SUBJECT, BODY_WORD, ATTACHMENT, INVOICE_NUMBER, DRAFT_WORD];
    assert_eq!(files_holding(&data, &needles), []);
    ctx.lock();
    assert_eq!(files_holding(&data, &needles), []);
    #[cfg(unix)]
    assert_private(&data);
    // The scan itself finds what is there: the downloaded copy, outside the data directory.
    assert_eq!(
        files_holding(outside.path(), &needles),
        [(dest, ATTACHMENT.to_string())]
    );
}
