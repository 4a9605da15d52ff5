//! Receipt tracking: attachment by correlation keys, per-recipient states, order independence,
//! receipts that arrive before (or without) their sent message.

use crate::store_util;

use pec_core::accounts::AccountConfig;
use pec_core::receive::Receiver;
use pec_core::store::{DeliveryState, DeliverySummary, FolderRole, ImapMeta, Store};
use store_util::{TempDir, plain, receipt, signed, unsigned_receipt};

const ME: &str = "me@pec.example";
const A: &str = "alice@pec.other";
const B: &str = "bob@pec.other";
const MID: &str = "sent-1@client";
const IDENT: &str = "opec.2024.1@pec.example";

fn setup(dir: &TempDir) -> (Store, i64, i64, i64) {
    let store = Store::open_in(dir.path()).expect("open");
    let acc = store
        .add_account(&AccountConfig::offline(ME))
        .expect("account");
    let inbox = store
        .ensure_folder(acc, "INBOX", Some(FolderRole::Inbox), Some("."))
        .expect("inbox");
    let sent = store
        .ensure_folder(acc, "INBOX.Inviata", Some(FolderRole::Sent), Some("."))
        .expect("sent");
    (store, acc, inbox, sent)
}

fn sent_message() -> Vec<u8> {
    plain(
        ME,
        &[A, B],
        "Prova",
        MID,
        "Thu, 14 Nov 2024 18:26:00 +0100",
        "testo",
    )
}

#[derive(Clone, Copy, Debug)]
enum Item {
    Sent,
    Acc,
    ConsA,
    ConsB,
}

fn put(store: &Store, inbox: i64, sent: i64, item: Item) -> i64 {
    put_with(&store_util::trusted(), store, inbox, sent, item)
}

/// [`put`] read by `receiver` (its trust decides which receipts are certified).
fn put_with(receiver: &Receiver, store: &Store, inbox: i64, sent: i64, item: Item) -> i64 {
    let (folder, raw) = match item {
        Item::Sent => (sent, sent_message()),
        Item::Acc => (
            inbox,
            receipt("accettazione", MID, IDENT, None, "nessuno", "18:26:32", ME),
        ),
        Item::ConsA => (
            inbox,
            receipt(
                "avvenuta-consegna",
                MID,
                IDENT,
                Some(A),
                "nessuno",
                "18:26:40",
                ME,
            ),
        ),
        Item::ConsB => (
            inbox,
            receipt(
                "avvenuta-consegna",
                MID,
                IDENT,
                Some(B),
                "nessuno",
                "18:26:50",
                ME,
            ),
        ),
    };
    receiver.import(store, folder, &raw).expect("import").id
}

fn permutations(items: &[Item]) -> Vec<Vec<Item>> {
    if items.len() <= 1 {
        return vec![items.to_vec()];
    }
    let mut out = Vec::new();
    for i in 0..items.len() {
        let mut rest = items.to_vec();
        let first = rest.remove(i);
        for mut p in permutations(&rest) {
            p.insert(0, first);
            out.push(p);
        }
    }
    out
}

#[test]
fn every_arrival_order_gives_the_same_states() {
    for order in permutations(&[Item::Sent, Item::Acc, Item::ConsA, Item::ConsB]) {
        let dir = TempDir::new("receipts-order");
        let (store, acc, inbox, sent_folder) = setup(&dir);
        let mut sent_id = None;
        for item in &order {
            let id = put(&store, inbox, sent_folder, *item);
            if matches!(item, Item::Sent) {
                sent_id = Some(id);
            }
        }
        let sent_id = sent_id.expect("sent inserted");
        let d = store.message(sent_id).expect("detail");
        assert_eq!(
            d.summary.delivery,
            Some(DeliverySummary::Delivered),
            "order {order:?}"
        );
        assert_eq!(d.receipts.len(), 3, "order {order:?}");
        assert_eq!(d.identificativo.as_deref(), Some(IDENT));
        for r in &d.recipients {
            assert_eq!(
                r.state,
                DeliveryState::Delivered,
                "{} in order {order:?}",
                r.address
            );
            assert!(r.accepted_at.is_some() && r.delivered_at.is_some());
        }
        assert!(
            store.pending_receipts(acc).expect("pending").is_empty(),
            "order {order:?}"
        );
        store.check_integrity().expect("integrity");
    }
}

/// The outbox keeps a local copy of what it sends; the server's Sent copy syncs later, in any
/// order with the receipts. Whatever that order, the Sent copy ends up holding every receipt
/// (none stranded on the local copy), so the status and the list agree.
#[test]
fn receipts_follow_the_sent_copy_whatever_the_folder_order() {
    for order in permutations(&[Item::Sent, Item::Acc, Item::ConsA, Item::ConsB]) {
        let dir = TempDir::new("receipts-copies");
        let (store, acc, inbox, sent_folder) = setup(&dir);
        let outbox = store
            .ensure_folder(acc, "Outbox", None, None)
            .expect("local folder");
        let local = store_util::trusted()
            .import(&store, outbox, &sent_message())
            .expect("local copy")
            .id;
        let mut sent_id = None;
        for item in &order {
            let id = put(&store, inbox, sent_folder, *item);
            if matches!(item, Item::Sent) {
                sent_id = Some(id);
            }
        }
        let sent_id = sent_id.expect("sent");
        let d = store.message(sent_id).expect("detail");
        assert_eq!(d.receipts.len(), 3, "order {order:?}");
        assert!(
            d.receipts.iter().all(|r| r.sent_id == Some(sent_id)),
            "order {order:?}: {:?}",
            d.receipts
        );
        assert_eq!(d.identificativo.as_deref(), Some(IDENT), "order {order:?}");
        // Both copies show the same delivery, recipient by recipient.
        for copy in [sent_id, local] {
            let c = store.message(copy).expect("copy");
            assert_eq!(
                c.summary.delivery,
                Some(DeliverySummary::Delivered),
                "copy {copy}, order {order:?}"
            );
            assert_eq!(c.receipts.len(), 3, "copy {copy}, order {order:?}");
            assert!(
                c.recipients
                    .iter()
                    .all(|r| r.state == DeliveryState::Delivered),
                "copy {copy}, order {order:?}: {:?}",
                c.recipients
            );
        }
        store.check_integrity().expect("integrity");
    }
}

#[test]
fn one_tick_then_partial_then_two_ticks() {
    let dir = TempDir::new("receipts-ticks");
    let (store, _acc, inbox, sent_folder) = setup(&dir);
    let sent = put(&store, inbox, sent_folder, Item::Sent);
    let summary = |s: &Store| s.message(sent).expect("detail").summary.delivery;
    assert_eq!(summary(&store), Some(DeliverySummary::Sent));
    assert_eq!(summary(&store).and_then(DeliverySummary::ticks), Some(0));
    put(&store, inbox, sent_folder, Item::Acc);
    assert_eq!(summary(&store), Some(DeliverySummary::Accepted));
    assert_eq!(summary(&store).and_then(DeliverySummary::ticks), Some(1));
    put(&store, inbox, sent_folder, Item::ConsA);
    assert_eq!(summary(&store), Some(DeliverySummary::Partial));
    put(&store, inbox, sent_folder, Item::ConsB);
    assert_eq!(summary(&store), Some(DeliverySummary::Delivered));
    assert_eq!(summary(&store).and_then(DeliverySummary::ticks), Some(2));
}

#[test]
fn failure_and_warning_per_recipient() {
    let dir = TempDir::new("receipts-fail");
    let (store, _acc, inbox, sent_folder) = setup(&dir);
    let sent = put(&store, inbox, sent_folder, Item::Sent);
    put(&store, inbox, sent_folder, Item::Acc);
    store_util::trusted()
        .import(
            &store,
            inbox,
            &receipt(
                "preavviso-errore-consegna",
                MID,
                IDENT,
                Some(B),
                "altro",
                "19:00:00",
                ME,
            ),
        )
        .expect("preavviso");
    let d = store.message(sent).expect("detail");
    assert_eq!(d.summary.delivery, Some(DeliverySummary::Warning));
    let b = d.recipients.iter().find(|r| r.address == B).expect("bob");
    assert_eq!(b.state, DeliveryState::Warning);
    // A later delivery overrides the warning.
    put(&store, inbox, sent_folder, Item::ConsB);
    put(&store, inbox, sent_folder, Item::ConsA);
    assert_eq!(
        store.message(sent).expect("d").summary.delivery,
        Some(DeliverySummary::Delivered)
    );

    // Another message: A delivered, B failed → error mark; B carries the reason.
    let dir2 = TempDir::new("receipts-fail2");
    let (store, _acc, inbox, sent_folder) = setup(&dir2);
    let sent = put(&store, inbox, sent_folder, Item::Sent);
    put(&store, inbox, sent_folder, Item::ConsA);
    store_util::trusted()
        .import(
            &store,
            inbox,
            &receipt(
                "errore-consegna",
                MID,
                IDENT,
                Some(B),
                "no-dest",
                "19:00:00",
                ME,
            ),
        )
        .expect("errore");
    let d = store.message(sent).expect("detail");
    assert_eq!(d.summary.delivery, Some(DeliverySummary::Failed));
    assert_eq!(d.summary.delivery.and_then(DeliverySummary::ticks), None);
    let b = d.recipients.iter().find(|r| r.address == B).expect("bob");
    assert_eq!(b.state, DeliveryState::Failed);
    assert!(
        b.detail.as_deref().is_some_and(|e| e.contains("5.1.1")),
        "{:?}",
        b.detail
    );
    let a = d.recipients.iter().find(|r| r.address == A).expect("alice");
    assert_eq!(a.state, DeliveryState::Delivered);
}

#[test]
fn non_accettazione_fails_every_recipient() {
    let dir = TempDir::new("receipts-nonacc");
    let (store, _acc, inbox, sent_folder) = setup(&dir);
    let sent = put(&store, inbox, sent_folder, Item::Sent);
    store_util::trusted()
        .import(
            &store,
            inbox,
            &receipt(
                "non-accettazione",
                MID,
                IDENT,
                None,
                "altro",
                "18:27:00",
                ME,
            ),
        )
        .expect("non-acc");
    let d = store.message(sent).expect("detail");
    assert_eq!(d.summary.delivery, Some(DeliverySummary::Failed));
    assert!(
        d.recipients
            .iter()
            .all(|r| r.state == DeliveryState::Failed)
    );
}

#[test]
fn receipt_for_unknown_message_is_kept_and_attached_later() {
    let dir = TempDir::new("receipts-pending");
    let (store, acc, inbox, sent_folder) = setup(&dir);
    let r = put(&store, inbox, sent_folder, Item::ConsA);
    let pending = store.pending_receipts(acc).expect("pending");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].receipt_id, r);
    assert_eq!(pending[0].recipient.as_deref(), Some(A));
    // Reopen (as after a restart): still pending, then the sent message arrives.
    drop(store);
    let store = Store::open_in(dir.path()).expect("reopen");
    assert_eq!(store.pending_receipts(acc).expect("pending").len(), 1);
    let sent = put(&store, inbox, sent_folder, Item::Sent);
    assert!(store.pending_receipts(acc).expect("pending").is_empty());
    let d = store.message(sent).expect("detail");
    assert_eq!(d.receipts.len(), 1);
    assert_eq!(d.summary.delivery, Some(DeliverySummary::Partial));
    // Seen from the receipt, it points at its sent message.
    let rd = store.message(r).expect("receipt detail");
    assert_eq!(rd.receipts.first().and_then(|x| x.sent_id), Some(sent));
}

#[test]
fn receipt_by_identificativo_only() {
    // A receipt with no Message-ID reference still attaches through the identificativo learnt
    // from the accettazione.
    let dir = TempDir::new("receipts-ident");
    let (store, _acc, inbox, sent_folder) = setup(&dir);
    let sent = put(&store, inbox, sent_folder, Item::Sent);
    put(&store, inbox, sent_folder, Item::Acc);
    let raw = unsigned_receipt(
        "avvenuta-consegna",
        "unrelated@x",
        IDENT,
        Some(A),
        "nessuno",
        "18:30:00",
        ME,
    );
    let text = String::from_utf8(raw).expect("utf8");
    let text = text
        .replace("X-Riferimento-Message-ID: <unrelated@x>\r\n", "")
        .replace("<msgid>&lt;unrelated@x&gt;</msgid>", "");
    store_util::trusted()
        .import(&store, inbox, &signed(text.as_bytes()))
        .expect("import");
    let d = store.message(sent).expect("detail");
    assert_eq!(d.receipts.len(), 2);
    let a = d.recipients.iter().find(|r| r.address == A).expect("alice");
    assert_eq!(a.state, DeliveryState::Delivered);
}

#[test]
fn removing_a_receipt_recomputes_the_state() {
    let dir = TempDir::new("receipts-remove");
    let (store, _acc, inbox, sent_folder) = setup(&dir);
    let sent = put(&store, inbox, sent_folder, Item::Sent);
    let meta = |uid| ImapMeta {
        uid: Some(uid),
        size: 10,
        ..Default::default()
    };
    let raw = receipt(
        "avvenuta-consegna",
        MID,
        IDENT,
        Some(A),
        "nessuno",
        "18:26:40",
        ME,
    );
    store
        .upsert_message(inbox, &meta(7), &store_util::trusted().record(&raw), None)
        .expect("receipt");
    assert_eq!(
        store.message(sent).expect("d").summary.delivery,
        Some(DeliverySummary::Partial)
    );
    store.remove_uids(inbox, Some(&[7])).expect("expunge");
    assert_eq!(
        store.message(sent).expect("d").summary.delivery,
        Some(DeliverySummary::Sent)
    );
    store.check_integrity().expect("integrity");
}

#[test]
fn corpus_receipts_attach_to_their_sent_message() {
    let Some(corpus) = pec_test_harness::corpus::corpus_for_test() else {
        return;
    };
    let base = corpus.join("pec/OCA_l10n-italy/7.0");
    let dir = TempDir::new("receipts-corpus");
    let (store, acc, inbox, sent_folder) = setup(&dir);
    let acc_raw = std::fs::read(base.join("message2_accettazione")).expect("corpus accettazione");
    let cons_raw = std::fs::read(base.join("message2_consegna")).expect("corpus consegna");
    let r1 = store_util::trusted()
        .import(&store, inbox, &acc_raw)
        .expect("import")
        .id;
    let r2 = store_util::trusted()
        .import(&store, inbox, &cons_raw)
        .expect("import")
        .id;
    assert_eq!(store.pending_receipts(acc).expect("pending").len(), 2);
    let rd = store.message(r2).expect("detail");
    assert_eq!(
        rd.summary.receipt_type.as_deref(),
        Some("avvenuta-consegna")
    );
    // Analysed by pec_core::message: the provider signature is checked (valid per expected.toml).
    assert_eq!(rd.signature.as_deref(), Some("valid"));
    let consegna = rd.pec_recipient.clone().expect("daticert consegna");
    let mid = "1415985992.182905912399292.346704098667155-openerp-private@elbati-Vostro-3550";
    let sent = store_util::trusted()
        .import(
            &store,
            sent_folder,
            &plain(
                "thinkstudio@pec.it",
                &[&consegna],
                "test private",
                mid,
                "Fri, 14 Nov 2014 18:26:00 +0100",
                "x",
            ),
        )
        .expect("sent")
        .id;
    let d = store.message(sent).expect("detail");
    let ids: Vec<i64> = d.receipts.iter().map(|r| r.receipt_id).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&r1) && ids.contains(&r2));
    assert_eq!(
        d.identificativo.as_deref(),
        Some("opec275.20141114182632.23219.07.1.48@pec.aruba.it")
    );
    assert_eq!(d.summary.delivery, Some(DeliverySummary::Delivered));
}

#[test]
fn unsigned_receipts_are_listed_but_give_no_tick() {
    let dir = TempDir::new("receipts-unsigned");
    let (store, _acc, inbox, sent_folder) = setup(&dir);
    let sent = put(&store, inbox, sent_folder, Item::Sent);
    for raw in [
        unsigned_receipt("accettazione", MID, IDENT, None, "nessuno", "18:26:32", ME),
        unsigned_receipt(
            "avvenuta-consegna",
            MID,
            IDENT,
            Some(A),
            "nessuno",
            "18:26:40",
            ME,
        ),
        unsigned_receipt(
            "avvenuta-consegna",
            MID,
            IDENT,
            Some(B),
            "nessuno",
            "18:26:50",
            ME,
        ),
    ] {
        store_util::trusted()
            .import(&store, inbox, &raw)
            .expect("import");
    }
    let d = store.message(sent).expect("detail");
    assert_eq!(d.receipts.len(), 3, "kept and attached");
    assert!(d.receipts.iter().all(|r| !r.certified));
    assert_eq!(d.summary.delivery, Some(DeliverySummary::Sent));
    assert!(d.recipients.iter().all(|r| r.state == DeliveryState::Sent));
}

#[test]
fn signed_receipts_under_an_untrusted_root_give_no_tick() {
    let dir = TempDir::new("receipts-untrusted");
    let (store, _acc, inbox, sent_folder) = setup(&dir);
    // The bundled list only: the test provider is not a PEC provider here.
    let bundled = Receiver::default();
    let sent = put_with(&bundled, &store, inbox, sent_folder, Item::Sent);
    put_with(&bundled, &store, inbox, sent_folder, Item::Acc);
    put_with(&bundled, &store, inbox, sent_folder, Item::ConsA);
    let d = store.message(sent).expect("detail");
    assert_eq!(d.receipts.len(), 2);
    assert_eq!(d.summary.delivery, Some(DeliverySummary::Sent));
}

#[test]
fn forged_x_ricevuta_leaves_no_delivered_tick_before_or_after_the_body() {
    let dir = TempDir::new("receipts-forged");
    let (store, _acc, inbox, sent_folder) = setup(&dir);
    let sent = put(&store, inbox, sent_folder, Item::Sent);
    // A genuine (signed) accettazione whose outer header claims a delivery.
    let genuine = receipt("accettazione", MID, IDENT, None, "nessuno", "18:26:32", ME);
    let forged = pec_test_harness::forge::set_header(
        &pec_test_harness::forge::set_header(&genuine, "X-Ricevuta", "avvenuta-consegna"),
        "Subject",
        "CONSEGNA: Prova",
    );
    let header_end = forged
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header")
        + 4;
    let meta = ImapMeta {
        uid: Some(9),
        size: forged.len() as u64,
        ..Default::default()
    };
    // Header-only first (the sync's first pass): unverified, no tick.
    let head = pec_core::receive::analyze_header(&forged[..header_end]);
    assert_eq!(head.receipt_type.as_deref(), Some("avvenuta-consegna"));
    store
        .upsert_message(inbox, &meta, &head, None)
        .expect("header row");
    let d = store.message(sent).expect("detail");
    assert_eq!(d.summary.delivery, Some(DeliverySummary::Sent));
    assert!(d.recipients.iter().all(|r| r.state == DeliveryState::Sent));
    // The body is verified: the signed daticert says accettazione, one tick, not two.
    let full = store_util::trusted().record(&forged);
    assert!(full.certified);
    assert_eq!(full.header_mismatches.len(), 2);
    store
        .upsert_message(inbox, &meta, &full, Some(&forged))
        .expect("full row");
    let d = store.message(sent).expect("detail");
    assert_eq!(d.summary.delivery, Some(DeliverySummary::Accepted));
    assert_eq!(d.receipts.len(), 1);
    assert_eq!(
        d.receipts[0].receipt_type,
        Some(pec_core::message::ReceiptKind::Accettazione)
    );
    assert!(d.receipts[0].certified);
    assert!(
        d.recipients
            .iter()
            .all(|r| r.state == DeliveryState::Accepted)
    );
}
