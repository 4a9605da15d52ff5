//! Invoices delivered by the sandbox SDI (real FatturaPA files from the corpus in a signed PEC
//! envelope, delivered to Dovecot) are synced, opened and written to the invoices table with the
//! message; the "received invoices" view lists them with their details. A tampered `.p7m` keeps
//! its message in the view but gets no details. Skips without Dovecot or the corpus (fails under
//! CI=true).

use pec_core::accounts::{CredentialStore, MemoryCredentialStore};
use pec_core::store::{ListQuery, Store, View};
use pec_core::sync::{SyncEngine, SyncOptions};
use pec_sandbox::{Options, Sandbox};

use crate::store_util;
use std::sync::Arc;

const U1: (&str, &str) = ("utente1@pec.sandbox.test", "password1");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn synced_invoices_fill_the_invoices_table() {
    let Some(corpus) = pec_test_harness::corpus::corpus_for_test() else {
        return;
    };
    if pec_test_harness::dovecot_or_skip("sync_invoices").is_none() {
        return;
    }
    let dotnet = corpus.join("fatturapa/dotnet");
    let read = |name: &str| std::fs::read(dotnet.join(name)).expect("corpus file");
    let plain_xml = read("IT01234567890_FPR02.xml");
    let signed = read("IT02182030391_31.xml.p7m");
    let tampered = read("IT02182030391_31_tampered.xml.p7m");

    let sb = Sandbox::start(Options::default()).await.expect("sandbox");
    let engine_sb = sb.state.engine().expect("engine");
    for (name, content) in [
        ("IT01234567890_FPR02.xml", &plain_xml),
        ("IT02182030391_31.xml.p7m", &signed),
        // A correctly named file whose content was altered after signing.
        ("IT02182030391_33.xml.p7m", &tampered),
    ] {
        pec_sandbox::sdi::inject_invoice(&engine_sb, U1.0, name, content)
            .await
            .expect("inject");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_in(dir.path()).expect("store");
    let account = store
        .add_account(&store_util::sandbox_account(&sb, U1.0))
        .expect("account");
    let creds = Arc::new(MemoryCredentialStore::new());
    creds.set(U1.0, U1.1).expect("creds");
    let engine = SyncEngine::new(store.clone(), creds);
    // The default policy (receipts only) still downloads invoice messages.
    let r = engine
        .sync_once(account, &SyncOptions::default())
        .await
        .expect("sync");
    assert!(r.bodies >= 3, "{r:?}");

    let page = store
        .list_with_invoices(&ListQuery::new(View::Invoices))
        .expect("invoices view");
    assert_eq!(page.len(), 3, "{page:#?}");
    let by_file = |f: &str| {
        page.iter()
            .flat_map(|i| i.invoices.iter())
            .find(|r| r.invoice.filename == f)
            .map(|r| r.invoice.clone())
    };
    let fpr = by_file("IT01234567890_FPR02.xml").expect("plain xml invoice");
    assert_eq!(fpr.number.as_deref(), Some("123"));
    assert_eq!(fpr.date.as_deref(), Some("2014-12-18"));
    assert_eq!(fpr.seller.as_deref(), Some("SOCIETA' ALPHA SRL"));
    assert_eq!(fpr.seller_vat.as_deref(), Some("IT01234567890"));
    assert_eq!(fpr.doc_type.as_deref(), Some("TD01"));
    assert_eq!(fpr.currency.as_deref(), Some("EUR"));
    assert!(!fpr.signed);
    // The same figures the FatturaPA reader gives for the file itself.
    let trust = pec_core::signature::TrustStore::bundled();
    for (row, bytes) in [
        (&fpr, &plain_xml),
        (
            &by_file("IT02182030391_31.xml.p7m").expect("signed invoice"),
            &signed,
        ),
    ] {
        let opened = pec_core::fatturapa::open(bytes, &trust).expect("open");
        let inv = opened.invoice().expect("invoice");
        let d = inv.bodies[0].documento();
        assert_eq!(row.number.as_deref(), Some(d.numero.as_str()));
        assert_eq!(row.date, Some(d.data.format("%Y-%m-%d").to_string()));
        assert_eq!(
            row.total,
            Some(
                inv.bodies
                    .iter()
                    .map(|b| b.total())
                    .sum::<rust_decimal::Decimal>()
                    .to_string()
            )
        );
        assert_eq!(row.seller_vat, inv.header.cedente_prestatore.fiscal_id());
        assert_eq!(row.documents as usize, inv.bodies.len());
        assert!(row.total.is_some() && row.seller.is_some());
    }
    assert!(by_file("IT02182030391_31.xml.p7m").expect("signed").signed);
    // The altered file: its message is listed, with no details taken from it.
    assert!(by_file("IT02182030391_33.xml.p7m").is_none());
    assert_eq!(page.iter().filter(|i| i.invoices.is_empty()).count(), 1);

    // Rows belong to their message: a resync neither duplicates nor loses them.
    engine
        .sync_once(account, &SyncOptions::default())
        .await
        .expect("resync");
    let again = store
        .list_with_invoices(&ListQuery::new(View::Invoices))
        .expect("invoices view");
    assert_eq!(again, page);
    store.check_integrity().expect("integrity");
}
