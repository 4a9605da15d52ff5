//! The command-line contract: `pec-sandbox up` prints one JSON ready line; `inject-invoice` and
//! `seed` work against the running instance through DIR/state.json.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        // SIGTERM so the sandbox stops its Dovecot cleanly.
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.0.id().to_string())
            .status();
        for _ in 0..200 {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn up_prints_ready_line_and_commands_use_state() {
    if pec_test_harness::dovecot_or_skip("cli").is_none() {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_pec-sandbox");
    let dir = tempfile::tempdir().unwrap();
    let mut child = Child(
        Command::new(bin)
            .args(["up", "--dir"])
            .arg(dir.path())
            .args([
                "--accounts",
                "2",
                "--aruba-folders",
                "--delegate",
                "utente1@pec.sandbox.test:assistente@pec.sandbox.test:read,send,programs",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let v: serde_json::Value = serde_json::from_str(line.trim()).expect("one JSON line");
    for k in ["imap", "smtp", "ca_file", "sdi_address"] {
        assert!(v[k].is_string(), "missing {k} in {line}");
    }
    assert!(v["imap"].as_str().unwrap().starts_with("127.0.0.1:"));
    assert!(v["smtp"].as_str().unwrap().starts_with("127.0.0.1:"));
    let ca = std::fs::read_to_string(v["ca_file"].as_str().unwrap()).unwrap();
    assert!(ca.contains("BEGIN CERTIFICATE"));
    let accounts = v["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 2);
    assert_eq!(accounts[0]["address"], "utente1@pec.sandbox.test");
    assert!(accounts[0]["password"].is_string());

    let invoice = dir.path().join("IT01234567890_00007.xml");
    std::fs::write(
        &invoice,
        "<?xml version=\"1.0\"?><p:FatturaElettronica versione=\"FPR12\" xmlns:p=\"http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2\"/>",
    )
    .unwrap();
    let out = Command::new(bin)
        .args(["inject-invoice", "--dir"])
        .arg(dir.path())
        .args(["--account", "utente2@pec.sandbox.test"])
        .arg(&invoice)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(bin)
        .args(["seed", "--dir"])
        .arg(dir.path())
        .args(["--account", "utente2@pec.sandbox.test", "--messages", "20"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["messages"], 20);

    // Read back over IMAP with the Aruba layout (INBOX.Inviata etc.).
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use futures::TryStreamExt;
        let conn = pec_test_harness::tls::connector(&ca).unwrap();
        let addr = v["imap"].as_str().unwrap().parse().unwrap();
        let mut s = pec_test_harness::dovecot::imap_login(
            &conn,
            addr,
            "utente2@pec.sandbox.test",
            accounts[1]["password"].as_str().unwrap(),
        )
        .await
        .unwrap();
        let mb = s.select("INBOX").await.unwrap();
        assert_eq!(mb.exists, 21);
        let names: Vec<_> = s
            .list(Some(""), Some("*"))
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        assert!(names.iter().any(|n| n.name() == "INBOX.Inviata"));
        s.logout().await.ok();
        // The delegate reads the owner's mailbox with its own credentials.
        let delegates: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("delegates.json")).unwrap(),
        )
        .unwrap();
        let pw = delegates[0]["password"].as_str().unwrap();
        let mut s =
            pec_test_harness::dovecot::imap_login(&conn, addr, "assistente@pec.sandbox.test", pw)
                .await
                .unwrap();
        s.select("INBOX").await.unwrap();
        s.logout().await.ok();
    });
}
