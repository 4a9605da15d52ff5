//! What the core's root finds and writes about one message: where it may be moved, the SdI's
//! messages about the invoice it carries, and its evidence exported as files.

use crate::store_util;

use pec_core::Context;
use pec_core::accounts::{AccountConfig, MemoryCredentialStore};
use pec_core::context::window::WindowSpec;
use pec_core::context::{BuyerOutcome, EvidenceItem, MenuTarget, SentProof};
use pec_core::sdi::SdiNotification;
use pec_core::store::{AccountId, Action, FolderRole, View};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use store_util::{TempDir, envelope, plain, receipt};

const BOX: &str = "ufficio@pec.example";

fn open(dir: &TempDir) -> (Context, AccountId) {
    let ctx = Context::open(dir.path(), Arc::new(MemoryCredentialStore::new())).expect("context");
    let account = ctx
        .store()
        .add_account(&AccountConfig::offline(BOX))
        .expect("account");
    (ctx, account)
}

/// A message carrying XML files named as the SdI names them.
fn with_files(subject: &str, message_id: &str, date: &str, files: &[(&str, &str)]) -> Vec<u8> {
    let mut m = format!(
        "From: sdi01@pec.fatturapa.it\r\nTo: {BOX}\r\nSubject: {subject}\r\nMessage-ID: <{message_id}>\r\n\
         Date: {date}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain\r\n\r\n{subject}\r\n"
    );
    for (name, xml) in files {
        m.push_str(&format!(
            "--b1\r\nContent-Type: application/xml; name=\"{name}\"\r\n\
             Content-Disposition: attachment; filename=\"{name}\"\r\n\r\n{xml}\r\n"
        ));
    }
    m.push_str("--b1--\r\n");
    m.into_bytes()
}

const NS: &str = "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fattura/messaggi/v1.0";

fn rc(name: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><ns3:RicevutaConsegna xmlns:ns3=\"{NS}\" versione=\"1.0\">\
         <IdentificativoSdI>7001</IdentificativoSdI><NomeFile>{name}</NomeFile>\
         <DataOraRicezione>2026-11-20T10:00:00.000+01:00</DataOraRicezione>\
         <DataOraConsegna>2026-11-20T10:05:00.000+01:00</DataOraConsegna>\
         <MessageId>1</MessageId></ns3:RicevutaConsegna>"
    )
}

fn ne_refused(name: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><ns3:NotificaEsito xmlns:ns3=\"{NS}\" versione=\"1.0\">\
         <IdentificativoSdI>7001</IdentificativoSdI><NomeFile>{name}</NomeFile>\
         <EsitoCommittente><IdentificativoSdI>7001</IdentificativoSdI><Esito>EC02</Esito>\
         <Descrizione>Importo errato</Descrizione></EsitoCommittente>\
         <MessageId>2</MessageId></ns3:NotificaEsito>"
    )
}

/// The notifications about an invoice are found by the invoice's file name wherever they
/// arrived, each once, oldest first, with what they say; another invoice's are not.
#[tokio::test]
async fn an_invoice_lists_the_sdi_messages_about_it() {
    let dir = TempDir::new("ctx-notices");
    let (ctx, account) = open(&dir);
    let name = "IT01234567890_00001.xml";
    let invoice = pec_core::fatturapa::synth::invoice_xml(1);
    let sent = ctx
        .import(
            account,
            Some("sent"),
            &with_files(
                "Fattura",
                "f1@x",
                "Fri, 20 Nov 2026 09:00:00 +0100",
                &[(name, &invoice)],
            ),
        )
        .expect("invoice")
        .id;
    let date = |h: u32| format!("Fri, 20 Nov 2026 {h:02}:00:00 +0100");
    let notices = [
        ("n1@x", date(11), "IT01234567890_00001_RC_001.xml", rc(name)),
        (
            "n2@x",
            date(12),
            "IT01234567890_00001_NE_001.xml",
            ne_refused(name),
        ),
        // Another invoice's receipt: a name that starts the same is not enough.
        (
            "n3@x",
            date(13),
            "IT01234567890_00002_RC_001.xml",
            rc("IT01234567890_00002.xml"),
        ),
    ];
    for (mid, date, file, xml) in &notices {
        ctx.import(
            account,
            None,
            &with_files("Notifica", mid, date, &[(file, xml)]),
        )
        .expect("notice");
    }
    // The same receipt copied into another folder is listed once.
    let (mid, when, file, xml) = &notices[0];
    ctx.import(
        account,
        Some("Archivio"),
        &with_files("Notifica", mid, when, &[(file, xml)]),
    )
    .expect("copy");

    let found = ctx.invoice_notices(sent).expect("notices");
    let kinds: Vec<SdiNotification> = found.iter().map(|n| n.kind).collect();
    assert_eq!(
        kinds,
        vec![SdiNotification::RC, SdiNotification::NE],
        "{found:?}"
    );
    assert!(found.iter().all(|n| n.read));
    assert_eq!(
        found[0].when.as_deref(),
        Some("2026-11-20T10:05:00.000+01:00")
    );
    assert_eq!(found[0].at, Some(1_795_165_500));
    assert_eq!(found[1].outcome, Some(BuyerOutcome::Refused));
    // A message without an invoice has no notices.
    let other = ctx
        .import(
            account,
            None,
            &plain(BOX, &["a@pec.example"], "Ciao", "p@x", &date(9), "testo"),
        )
        .expect("plain")
        .id;
    assert!(ctx.invoice_notices(other).expect("none").is_empty());
}

/// A message may be moved to every real folder but its own and those whose rights refuse new
/// messages.
#[tokio::test]
async fn move_targets_leave_out_the_folder_and_the_closed_ones() {
    let dir = TempDir::new("ctx-move");
    let (ctx, account) = open(&dir);
    let store = ctx.store();
    store
        .ensure_folder(account, "INBOX", Some(FolderRole::Inbox), Some("/"))
        .expect("inbox");
    store
        .ensure_folder(account, "Cestino", Some(FolderRole::Trash), Some("/"))
        .expect("trash");
    let closed = store
        .ensure_folder(account, "Condivisa", None, Some("/"))
        .expect("shared");
    store
        .set_folder_rights(closed, Some("lrs"))
        .expect("rights");
    store
        .ensure_folder(account, "Clienti", None, Some("/"))
        .expect("user folder");
    let raw = plain(
        BOX,
        &["a@pec.example"],
        "Verbale",
        "m@x",
        "Fri, 20 Nov 2026 09:00:00 +0100",
        "t",
    );
    let id = ctx.import(account, None, &raw).expect("import").id;
    let names: Vec<String> = ctx
        .move_targets(id)
        .expect("targets")
        .into_iter()
        .map(|m| m.path)
        .collect();
    assert_eq!(names, vec!["Cestino", "Clienti"]);
}

/// A sent PEC's evidence: the message as sent, every receipt as received, and SHA256SUMS in the
/// coreutils format; a receipt's own export carries its daticert.xml; a second export into the
/// same folder replaces nothing.
#[tokio::test]
async fn evidence_is_the_bytes_received_with_their_checksums() {
    let dir = TempDir::new("ctx-evidence");
    let (ctx, account) = open(&dir);
    ctx.add_provider_anchor(store_util::test_root_pem().as_bytes())
        .expect("anchor");
    let sent_raw = plain(
        BOX,
        &["a@pec.other"],
        "Prova",
        "m1@x",
        "Thu, 14 Nov 2024 18:26:00 +0100",
        "testo",
    );
    let sent = ctx
        .import(account, Some("sent"), &sent_raw)
        .expect("sent")
        .id;
    let accepted = receipt(
        "accettazione",
        "m1@x",
        "opec.1@pec.example",
        None,
        "nessuno",
        "18:26:32",
        BOX,
    );
    let delivered = receipt(
        "avvenuta-consegna",
        "m1@x",
        "opec.1@pec.example",
        Some("a@pec.other"),
        "nessuno",
        "18:27:00",
        BOX,
    );
    let accepted_id = ctx.import(account, None, &accepted).expect("acc").id;
    ctx.import(account, None, &delivered).expect("del");

    // The sent copy's proof is its certified receipts; a receipt itself is no sent PEC.
    let view = ctx.message_view(sent).expect("view");
    assert_eq!(
        view.sent,
        Some(SentProof {
            accepted: true,
            recipients: 1,
            delivered: 1,
            failed: 0
        })
    );
    assert_eq!(ctx.message_view(accepted_id).expect("receipt").sent, None);
    // A list of sent mail names the recipient, not the user.
    let row = ctx.store().message(sent).expect("row").summary;
    assert_eq!(
        (row.first_recipient.as_deref(), row.recipients),
        (Some("a@pec.other"), 1)
    );
    let receipt_row = ctx.store().message(accepted_id).expect("row").summary;
    assert_eq!(
        (receipt_row.first_recipient, receipt_row.recipients),
        (None, 0)
    );

    let out = TempDir::new("ctx-evidence-out");
    let files = ctx.export_evidence(sent, out.path()).await.expect("export");
    let items: Vec<EvidenceItem> = files.iter().map(|f| f.item).collect();
    use pec_core::message::ReceiptKind::*;
    assert_eq!(
        items,
        vec![
            EvidenceItem::Message,
            EvidenceItem::Receipt(Some(Accettazione)),
            EvidenceItem::Receipt(Some(AvvenutaConsegna)),
            EvidenceItem::Checksums,
        ]
    );
    let read = |i: usize| std::fs::read(&files[i].path).expect("file");
    assert_eq!(read(0), sent_raw);
    assert_eq!(read(1), accepted);
    assert_eq!(read(2), delivered);
    let sums = String::from_utf8(read(3)).expect("utf-8");
    for f in &files[..3] {
        let bytes = std::fs::read(&f.path).expect("file");
        let name = f.path.file_name().unwrap().to_string_lossy();
        let line = format!("{:x}  {name}\n", Sha256::digest(&bytes));
        assert!(sums.contains(&line), "{sums} lacks {line}");
    }
    assert!(
        files[2]
            .path
            .ends_with("02-avvenuta-consegna-a@pec.other.eml"),
        "{:?}",
        files[2].path
    );

    let again = ctx
        .export_evidence(accepted_id, out.path())
        .await
        .expect("receipt export");
    let names: Vec<String> = again
        .iter()
        .map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        vec!["messaggio (1).eml", "daticert.xml", "SHA256SUMS (1)"]
    );
    assert_eq!(
        std::fs::read(&files[0].path).expect("first"),
        sent_raw,
        "not replaced"
    );
    let xml = std::fs::read_to_string(&again[1].path).expect("daticert");
    assert!(xml.contains("<postacert tipo=\"accettazione\""), "{xml}");
}

/// The local copy of a PEC queued here has its bytes (the file the outbox submits): its evidence
/// and its invoice's notifications do not wait for the server's Sent copy.
#[tokio::test]
async fn a_queued_pec_is_readable_before_the_server_has_it() {
    let dir = TempDir::new("ctx-queued");
    let (ctx, account) = open(&dir);
    let draft = pec_core::compose::Draft {
        to: vec![pec_core::compose::Mailbox::new("a@pec.other")],
        subject: "Verbale in coda".into(),
        text: Some("testo".into()),
        ..Default::default()
    };
    let queued = ctx.queue(account, &draft).expect("queue");
    let row = ctx
        .outbox()
        .entry(queued.id)
        .expect("entry")
        .message_row
        .expect("local copy");
    let (_, raw) = ctx.raw_message(row).expect("bytes of the local copy");
    let view = ctx.message_view(row).expect("view");
    assert!(view.downloaded && view.body_text.is_some_and(|t| t.contains("testo")));
    assert_eq!(
        view.sent.map(|p| (p.accepted, p.recipients)),
        Some((false, 1))
    );
    assert!(String::from_utf8_lossy(&raw).contains("Verbale in coda"));
    // Search looks in the server's folders: the queue is searched only when asked for.
    let form = |folder| pec_core::context::SearchForm {
        text: "coda".into(),
        folder,
        ..Default::default()
    };
    assert!(
        ctx.search(Some(account), &form(None))
            .expect("search")
            .is_empty()
    );
    let outbox = ctx.store().message(row).expect("row").summary.folder_id;
    assert_eq!(
        ctx.search(Some(account), &form(Some(outbox)))
            .expect("search")
            .len(),
        1
    );
    let out = TempDir::new("ctx-queued-out");
    let files = ctx.export_evidence(row, out.path()).await.expect("export");
    assert_eq!(std::fs::read(&files[0].path).expect("file"), raw);
}

/// An HTML message is shown cleaned, with its remote images removed and counted; its text
/// stays for the list's preview and for readers without HTML.
#[tokio::test]
async fn html_mail_is_shown_without_remote_content() {
    let dir = TempDir::new("ctx-html");
    let (ctx, account) = open(&dir);
    let raw = format!(
        "From: a@pec.example\r\nTo: {BOX}\r\nSubject: Newsletter\r\nMessage-ID: <h@x>\r\n\
         Date: Fri, 20 Nov 2026 09:00:00 +0100\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/alternative; boundary=\"a\"\r\n\r\n\
         --a\r\nContent-Type: text/plain\r\n\r\nCiao\r\n\
         --a\r\nContent-Type: text/html\r\n\r\n<p>Ciao<img src=\"https://t.example/p.gif\"><script>x()</script></p>\r\n--a--\r\n"
    );
    let id = ctx
        .import(account, None, raw.as_bytes())
        .expect("import")
        .id;
    let view = ctx.message_view(id).expect("view");
    let html = view.html.expect("html");
    assert_eq!(html.blocked_remote, 1);
    assert!(!html.html.contains("t.example") && !html.html.contains("script"));
    assert!(view.body_text.is_some_and(|t| t.contains("Ciao")));
}

/// The user's labels close the menu, each a view of its messages with its counts; the keywords
/// mail programs set for themselves are not labels.
#[tokio::test]
async fn labels_are_views_in_the_menu() {
    let dir = TempDir::new("ctx-labels");
    let (ctx, account) = open(&dir);
    let date = "Fri, 20 Nov 2026 09:00:00 +0100";
    let a = ctx
        .import(
            account,
            None,
            &plain(BOX, &["x@pec.example"], "Uno", "l1@x", date, "t"),
        )
        .expect("a")
        .id;
    ctx.import(
        account,
        None,
        &plain(BOX, &["x@pec.example"], "Due", "l2@x", date, "t"),
    )
    .expect("b");
    ctx.apply(a, pec_core::store::Action::AddLabel("Cliente Rossi".into()))
        .expect("label");
    ctx.apply(a, pec_core::store::Action::AddLabel("$Forwarded".into()))
        .expect("program keyword");
    let menu = ctx.menu(account).expect("menu");
    let labels: Vec<(MenuTarget, u32)> = menu
        .iter()
        .filter(|m| matches!(m.target, MenuTarget::Label(_)))
        .map(|m| (m.target.clone(), m.total))
        .collect();
    assert_eq!(labels, vec![(MenuTarget::Label("Cliente Rossi".into()), 1)]);
    let page = ctx
        .page(
            account,
            View::Label("Cliente Rossi".into()),
            None,
            50,
            false,
        )
        .expect("page");
    assert_eq!((page.rows.len(), page.total), (1, 1));
    assert_eq!(page.rows[0].id, a);
}

/// A selection is acted on whole or not at all: when one message's folder refuses the action
/// (its rights), the others stay as they were too.
#[tokio::test]
async fn a_selection_refused_for_one_message_changes_none() {
    let dir = TempDir::new("ctx-apply-all");
    let (ctx, account) = open(&dir);
    let store = ctx.store();
    store
        .ensure_folder(account, "Cestino", Some(FolderRole::Trash), Some("/"))
        .expect("trash");
    let shared = store
        .ensure_folder(account, "Condivisa", None, Some("/"))
        .expect("shared");
    let message = |id: &str| {
        let date = "Fri, 20 Nov 2026 09:00:00 +0100";
        plain(BOX, &["a@pec.example"], "Verbale", id, date, "t")
    };
    let mine = ctx.import(account, None, &message("a@x")).expect("a").id;
    let theirs = ctx
        .import(account, Some("Condivisa"), &message("b@x"))
        .expect("b")
        .id;
    store
        .set_folder_rights(shared, Some("lrs"))
        .expect("rights: no deleting");
    let folder_of = |id| store.message(id).expect("message").summary.folder_id;
    let inbox = folder_of(mine);

    let refused = ctx.apply_all(&[mine, theirs], Action::Delete);
    assert!(refused.is_err(), "{refused:?}");
    assert_eq!(
        (folder_of(mine), folder_of(theirs)),
        (inbox, shared),
        "none moved"
    );

    ctx.apply_all(&[mine], Action::Delete)
        .expect("alone: allowed");
    assert_ne!(folder_of(mine), inbox);
}

/// Only the trash and the junk folder are emptied at once; the question before it counts what
/// goes for good, receipts and certified messages among it.
#[tokio::test]
async fn only_the_trash_is_emptied_and_what_goes_is_counted_first() {
    let dir = TempDir::new("ctx-empty");
    let (ctx, account) = open(&dir);
    let store = ctx.store();
    let trash = store
        .ensure_folder(account, "Cestino", Some(FolderRole::Trash), Some("/"))
        .expect("trash");
    let date = "Fri, 20 Nov 2026 09:00:00 +0100";
    let note = plain(BOX, &["a@pec.example"], "Appunto", "n@x", date, "t");
    let kept = ctx.import(account, None, &note).expect("inbox").id;
    let pec = envelope("a@pec.example", BOX, "Atto", "e@x", "testo", None);
    let accepted = receipt(
        "accettazione",
        "m1@x",
        "opec.1@pec.example",
        None,
        "nessuno",
        "18:26:32",
        BOX,
    );
    for raw in [&note, &pec, &accepted] {
        ctx.import(account, Some("Cestino"), raw).expect("trash");
    }
    let emptiable = |name: &str| {
        let menu = ctx.menu(account).expect("menu");
        menu.iter().find(|m| m.path == name).expect(name).emptiable
    };
    assert!(emptiable("Cestino"));
    assert!(!emptiable("INBOX"));
    let listed = |view| {
        let spec = WindowSpec {
            account,
            view,
            hide_receipts: true,
            limit: 50,
        };
        ctx.window(&spec).expect("window").counts.emptiable
    };
    assert!(listed(View::Folder(trash)), "a list of the trash offers it");
    assert!(listed(View::Role(FolderRole::Trash)));
    assert!(!listed(View::Role(FolderRole::Inbox)));
    assert!(!listed(View::Receipts));
    let counts = ctx.emptying(trash).expect("counts");
    assert_eq!(
        (counts.messages, counts.receipts, counts.certified),
        (3, 1, 1)
    );

    let inbox = store.message(kept).expect("kept").summary.folder_id;
    let refused = ctx.empty_folder(inbox);
    assert!(refused.is_err(), "the inbox emptied: {refused:?}");
    assert!(store.message(kept).is_ok(), "nothing went from the inbox");

    assert_eq!(ctx.empty_folder(trash).expect("empty"), 3);
    assert_eq!(ctx.emptying(trash).expect("counts").messages, 0);
    assert!(!emptiable("Cestino"), "nothing left to empty");
    assert!(!listed(View::Folder(trash)));
    assert!(store.message(kept).is_ok());
}

/// A sent PEC whose delivery failed is in the virtual folder of the undelivered, which the menu
/// shows only while there are some; a delivered one is not.
#[tokio::test]
async fn a_failed_delivery_is_listed_among_the_undelivered() {
    let dir = TempDir::new("ctx-undelivered");
    let (ctx, account) = open(&dir);
    ctx.add_provider_anchor(store_util::test_root_pem().as_bytes())
        .expect("anchor");
    let undelivered = |ctx: &Context| {
        let menu = ctx.menu(account).expect("menu");
        let line = menu.iter().find(|m| m.target == MenuTarget::Undelivered);
        let page = ctx
            .page(account, View::Undelivered, None, 50, false)
            .expect("page");
        (
            line.map(|l| l.total),
            page.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        )
    };
    let date = "Thu, 14 Nov 2024 18:26:00 +0100";
    let sent = |id: &str| {
        let raw = plain(BOX, &["a@pec.other"], "Atto", id, date, "testo");
        ctx.import(account, Some("sent"), &raw).expect("sent").id
    };
    let (good, bad) = (sent("ok@x"), sent("ko@x"));
    assert_eq!(
        undelivered(&ctx),
        (None, vec![]),
        "no line while none failed"
    );

    let receipts = [
        ("accettazione", "ok@x", None, "nessuno"),
        ("avvenuta-consegna", "ok@x", Some("a@pec.other"), "nessuno"),
        ("accettazione", "ko@x", None, "nessuno"),
        ("errore-consegna", "ko@x", Some("a@pec.other"), "no-dest"),
    ];
    for (i, (tipo, of, to, error)) in receipts.into_iter().enumerate() {
        let ident = format!("opec.{of}");
        let raw = receipt(tipo, of, &ident, to, error, &format!("18:2{i}:00"), BOX);
        ctx.import(account, None, &raw).expect("receipt");
    }
    assert_eq!(undelivered(&ctx), (Some(1), vec![bad]));
    assert!(!undelivered(&ctx).1.contains(&good));
}
