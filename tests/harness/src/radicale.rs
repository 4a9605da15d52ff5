//! A real Radicale (Debian `radicale`, a CardDAV and CalDAV server) on loopback for the address
//! book tests: HTTPS with the test PKI's server certificate, users from a plain htpasswd file,
//! one address book per user (`/USER/rubrica/`) created on disk before the start. A second
//! client (`put_card`, `delete_card`, `card_names`) edits the books as another phone would.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::pki::Pki;
use crate::{HarnessError, free_port, in_ci};

/// The address book every user has.
pub const BOOK: &str = "rubrica";
/// The second book of [`Radicale::start_with_read_only_book`], which its owner may only read
/// (as the company directory a provider publishes).
pub const READ_ONLY_BOOK: &str = "sola-lettura";

/// Path of the `radicale` launcher, if installed (Debian's runs on the system Python).
pub fn radicale_binary() -> Option<PathBuf> {
    ["/usr/bin/radicale", "/usr/local/bin/radicale"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

/// The launcher, or `None` after printing a skip message; panics in CI, where a missing server
/// is a failure.
pub fn radicale_or_skip(test: &str) -> Option<PathBuf> {
    match radicale_binary() {
        Some(p) => Some(p),
        None if in_ci() => {
            panic!("{test}: radicale is not installed and CI=true (apt-get install radicale)")
        }
        None => {
            eprintln!("SKIP {test}: radicale is not installed (apt-get install radicale)");
            None
        }
    }
}

/// A running Radicale; dropping it stops the server and removes its directory.
pub struct Radicale {
    dir: PathBuf,
    _tmp: tempfile::TempDir,
    port: u16,
    child: Option<Child>,
    ca_file: PathBuf,
    http: reqwest::Client,
}

impl std::fmt::Debug for Radicale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Radicale")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl Radicale {
    /// Start a server for `users` (address or name, password), each with an empty address book.
    pub async fn start(users: &[(&str, &str)]) -> Result<Radicale, HarnessError> {
        Radicale::start_in(users, &[]).await
    }

    /// As [`Radicale::start`], and each user also has [`READ_ONLY_BOOK`] holding `cards`
    /// (file name, vCard), which it may read and not change.
    pub async fn start_with_read_only_book(
        users: &[(&str, &str)],
        cards: &[(&str, &str)],
    ) -> Result<Radicale, HarnessError> {
        Radicale::start_in(users, cards).await
    }

    async fn start_in(
        users: &[(&str, &str)],
        read_only: &[(&str, &str)],
    ) -> Result<Radicale, HarnessError> {
        let bin = radicale_binary()
            .ok_or_else(|| HarnessError::Radicale("radicale is not installed".into()))?;
        let tmp = tempfile::Builder::new().prefix("pec-radicale-").tempdir()?;
        let dir = tmp.path().to_path_buf();
        let pki = Arc::new(Pki::generate()?);
        let server = pki.server_cert()?;
        std::fs::write(dir.join("server.pem"), &server.cert_pem)?;
        std::fs::write(dir.join("server.key"), &server.key_pem)?;
        let ca_file = dir.join("ca.pem");
        std::fs::write(&ca_file, pki.root_pem())?;
        let mut htpasswd = String::new();
        for (user, password) in users {
            htpasswd.push_str(&format!("{user}:{password}\n"));
            let book = dir
                .join("collections/collection-root")
                .join(user)
                .join(BOOK);
            std::fs::create_dir_all(&book)?;
            std::fs::write(
                book.join(".Radicale.props"),
                r#"{"tag": "VADDRESSBOOK", "D:displayname": "Rubrica"}"#,
            )?;
            if !read_only.is_empty() {
                let ro = book.with_file_name(READ_ONLY_BOOK);
                std::fs::create_dir_all(&ro)?;
                std::fs::write(
                    ro.join(".Radicale.props"),
                    r#"{"tag": "VADDRESSBOOK", "D:displayname": "Aziendale"}"#,
                )?;
                for (name, card) in read_only {
                    std::fs::write(ro.join(name), card)?;
                }
            }
        }
        // The first matching section decides: the read-only book, then everything of the owner.
        std::fs::write(
            dir.join("rights"),
            format!(
                "[read-only]\nuser: .+\ncollection: {{user}}/{READ_ONLY_BOOK}(/.*)?\npermissions: Rr\n\n\
                 [owner]\nuser: .+\ncollection: {{user}}(/.*)?\npermissions: RrWw\n\n\
                 [root]\nuser: .+\ncollection:\npermissions: R\n"
            ),
        )?;
        std::fs::write(dir.join("users"), htpasswd)?;
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(crate::tls::client_config(&pki.root_pem())?)
            .build()
            .map_err(|e| HarnessError::Tls(e.to_string()))?;
        let mut r = Radicale {
            dir,
            _tmp: tmp,
            port: 0,
            child: None,
            ca_file,
            http,
        };
        let mut last = None;
        for _ in 0..5 {
            r.port = free_port()?;
            match r.spawn_and_wait(&bin).await {
                Ok(()) => return Ok(r),
                Err(e) => {
                    r.stop();
                    last = Some(e);
                }
            }
        }
        Err(last.unwrap_or_else(|| HarnessError::Timeout("radicale".into())))
    }

    async fn spawn_and_wait(&mut self, bin: &Path) -> Result<(), HarnessError> {
        let d = self.dir.display();
        let config = format!(
            "[server]\nhosts = 127.0.0.1:{port}\nssl = True\ncertificate = {d}/server.pem\n\
             key = {d}/server.key\n\n[auth]\ntype = htpasswd\nhtpasswd_filename = {d}/users\n\
             htpasswd_encryption = plain\n\n[storage]\nfilesystem_folder = {d}/collections\n\n\
             [rights]\ntype = from_file\nfile = {d}/rights\n\n[web]\ntype = none\n\n[logging]\nlevel = warning\n",
            port = self.port
        );
        std::fs::write(self.dir.join("config"), config)?;
        let log = std::fs::File::create(self.dir.join("radicale.log"))?;
        let child = Command::new(bin)
            .arg("--config")
            .arg(self.dir.join("config"))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|c| c.try_wait()) {
                return Err(HarnessError::Radicale(format!(
                    "radicale exited ({status}): {}",
                    self.log_tail()
                )));
            }
            if tokio::net::TcpStream::connect(self.addr()).await.is_ok() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(HarnessError::Timeout("radicale did not listen".into()))
    }

    /// The last lines of the server's log.
    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.join("radicale.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().rev().take(30).collect();
        lines.into_iter().rev().collect::<Vec<_>>().join("\n")
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// The server's root, which a user gives the app (discovery finds the books).
    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}/", self.port)
    }

    /// The address book of `user`.
    pub fn book_url(&self, user: &str) -> String {
        format!("{}{user}/{BOOK}/", self.url())
    }

    /// The CA that signed the server's certificate.
    pub fn ca_file(&self) -> &Path {
        &self.ca_file
    }

    /// Stop the server (the books stay on disk).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Write card `name` (`NAME.vcf`) into `user`'s book as another client; its new ETag.
    pub async fn put_card(
        &self,
        user: (&str, &str),
        name: &str,
        card: &str,
    ) -> Result<Option<String>, HarnessError> {
        let res = self
            .http
            .put(format!("{}{name}.vcf", self.book_url(user.0)))
            .basic_auth(user.0, Some(user.1))
            .header("Content-Type", "text/vcard; charset=utf-8")
            .body(card.to_string())
            .send()
            .await
            .map_err(|e| HarnessError::Io(std::io::Error::other(e)))?;
        if !res.status().is_success() {
            return Err(HarnessError::Io(std::io::Error::other(format!(
                "PUT {name}: {}",
                res.status()
            ))));
        }
        Ok(res
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string))
    }

    /// Delete card `name` from `user`'s book as another client.
    pub async fn delete_card(&self, user: (&str, &str), name: &str) -> Result<(), HarnessError> {
        let res = self
            .http
            .delete(format!("{}{name}.vcf", self.book_url(user.0)))
            .basic_auth(user.0, Some(user.1))
            .send()
            .await
            .map_err(|e| HarnessError::Io(std::io::Error::other(e)))?;
        if !res.status().is_success() {
            return Err(HarnessError::Io(std::io::Error::other(format!(
                "DELETE {name}: {}",
                res.status()
            ))));
        }
        Ok(())
    }

    /// The cards in `user`'s book, as the server stores them (file name, text), by name.
    pub fn cards_on_disk(&self, user: &str) -> Result<Vec<(String, String)>, HarnessError> {
        let book = self
            .dir
            .join("collections/collection-root")
            .join(user)
            .join(BOOK);
        let mut out = Vec::new();
        for entry in std::fs::read_dir(book)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type()?.is_file() && !name.starts_with('.') {
                out.push((name, std::fs::read_to_string(entry.path())?));
            }
        }
        out.sort();
        Ok(out)
    }
}

impl Drop for Radicale {
    fn drop(&mut self) {
        self.stop();
    }
}
