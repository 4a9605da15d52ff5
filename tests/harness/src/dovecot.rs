//! A real Dovecot (Debian `dovecot-imapd` + `dovecot-lmtpd`) on loopback, configured from scratch in
//! its own directory: implicit-TLS IMAP on a free port, LMTP on a unix socket, passwd-file users,
//! QUOTA (count backend), ACL (global ACL file, used for delegated access), SPECIAL-USE folders in the
//! standard or the Aruba layout.
//!
//! Delegation: a delegate logs in with its own username and password; its passdb entry renames the
//! session to the owner's mailbox (`user=OWNER`) and sets `acl_user` to the delegate, so the ACL plugin
//! checks the delegate's rights (`user=DELEGATE` lines of the global ACL file) instead of the owner's.
//! Without the "programs" permission the entry carries `nologin`: IMAP login is refused.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use crate::lmtp::LmtpClient;
use crate::pki::Pki;
use crate::{HarnessError, free_port, tls};

/// A mailbox owner.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct User {
    pub address: String,
    pub password: String,
    /// Per-user quota in MiB (else the config default).
    #[serde(default)]
    pub quota_mb: Option<u64>,
}

impl User {
    pub fn new(address: &str, password: &str) -> User {
        User {
            address: address.to_string(),
            password: password.to_string(),
            quota_mb: None,
        }
    }
}

/// The five permissions business PEC boxes grant to delegates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DelegatePerms {
    /// Read messages and folders.
    pub read: bool,
    /// Create/move/delete messages and folders, drafts.
    pub write: bool,
    /// Submit messages as the owner.
    pub send: bool,
    /// Use mail programs (IMAP/SMTP) at all.
    pub programs: bool,
    /// Change mailbox settings (recorded; the sandbox has no settings service to guard).
    pub settings: bool,
}

impl DelegatePerms {
    /// Parse `read,write,send,programs,settings` (any subset, comma separated).
    pub fn parse(s: &str) -> Result<DelegatePerms, String> {
        let mut p = DelegatePerms::default();
        for w in s.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            match w {
                "read" => p.read = true,
                "write" => p.write = true,
                "send" => p.send = true,
                "programs" => p.programs = true,
                "settings" => p.settings = true,
                other => return Err(format!("unknown permission {other:?}")),
            }
        }
        Ok(p)
    }

    /// Dovecot ACL rights string for these permissions.
    pub fn acl_rights(&self) -> String {
        let mut r = String::new();
        if self.read || self.write {
            r.push_str("lrs");
        }
        if self.write {
            r.push_str("wtipekxa");
        }
        r
    }
}

/// A delegate login onto an owner's mailbox.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Delegate {
    pub owner: String,
    pub username: String,
    pub password: String,
    pub perms: DelegatePerms,
}

/// Folder names and hierarchy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FolderLayout {
    /// `/` separator, no prefix: INBOX, Sent, Drafts, Trash, Junk, Archive.
    #[default]
    Standard,
    /// Aruba webmail style: `.` separator under `INBOX.`: INBOX.Inviata, INBOX.Bozze, INBOX.Cestino,
    /// INBOX.Spam, INBOX.Archivio.
    Aruba,
}

impl FolderLayout {
    /// (name as seen by clients, special-use flag) for each auto-created folder.
    pub fn folders(&self) -> &'static [(&'static str, &'static str)] {
        match self {
            FolderLayout::Standard => &[
                ("Sent", "\\Sent"),
                ("Drafts", "\\Drafts"),
                ("Trash", "\\Trash"),
                ("Junk", "\\Junk"),
                ("Archive", "\\Archive"),
            ],
            FolderLayout::Aruba => &[
                ("INBOX.Inviata", "\\Sent"),
                ("INBOX.Bozze", "\\Drafts"),
                ("INBOX.Cestino", "\\Trash"),
                ("INBOX.Spam", "\\Junk"),
                ("INBOX.Archivio", "\\Archive"),
            ],
        }
    }

    /// Hierarchy separator.
    pub fn separator(&self) -> char {
        match self {
            FolderLayout::Standard => '/',
            FolderLayout::Aruba => '.',
        }
    }
}

/// How to build the server.
#[derive(Debug, Clone, Default)]
pub struct DovecotConfig {
    pub users: Vec<User>,
    pub delegates: Vec<Delegate>,
    pub layout: FolderLayout,
    /// Default quota per mailbox in MiB (0 = 1 GiB).
    pub quota_mb: u64,
    /// Keep everything under this directory instead of a temporary one (removed on drop).
    pub dir: Option<PathBuf>,
    /// Use this PKI (shared with the PEC sandbox) instead of generating one.
    pub pki: Option<Arc<Pki>>,
    /// Replace the post-login IMAP capability list (`imap_capability`), e.g. to play a server
    /// without CONDSTORE/QRESYNC. The list replaces everything, plugins' QUOTA and ACL included
    /// (list them if wanted; the commands keep working either way). `None`: Dovecot's full list.
    pub imap_capability: Option<String>,
}

impl DovecotConfig {
    pub fn with_users(users: Vec<User>) -> DovecotConfig {
        DovecotConfig {
            users,
            ..DovecotConfig::default()
        }
    }
}

/// A running Dovecot. Dropping it stops the server and removes its temporary directory.
pub struct Dovecot {
    dir: PathBuf,
    _tmp: Option<tempfile::TempDir>,
    bin: PathBuf,
    conf: PathBuf,
    imap_port: u16,
    child: Option<Child>,
    pki: Arc<Pki>,
    ca_file: PathBuf,
    config: DovecotConfig,
}

impl std::fmt::Debug for Dovecot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dovecot")
            .field("dir", &self.dir)
            .field("imap_port", &self.imap_port)
            .finish_non_exhaustive()
    }
}

/// uid/gid and user names the server runs as.
struct Identity {
    internal_user: String,
    login_user: String,
    mail_uid: u32,
    mail_gid: u32,
}

fn lookup_passwd(name: &str) -> Option<(u32, u32)> {
    let text = std::fs::read_to_string("/etc/passwd").ok()?;
    text.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        if f.len() >= 4 && f[0] == name {
            Some((f[2].parse().ok()?, f[3].parse().ok()?))
        } else {
            None
        }
    })
}

fn own_ids() -> (u32, u32) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| -> u32 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("Uid:"), field("Gid:"))
}

fn identity() -> Identity {
    let (uid, gid) = own_ids();
    if uid == 0 {
        // Dovecot refuses root for login processes and mail access: use its packaged users.
        let (muid, mgid) = lookup_passwd("dovecot").unwrap_or((65534, 65534));
        Identity {
            internal_user: "dovecot".into(),
            login_user: if lookup_passwd("dovenull").is_some() {
                "dovenull".into()
            } else {
                "nobody".into()
            },
            mail_uid: muid,
            mail_gid: mgid,
        }
    } else {
        let name = std::env::var("USER").unwrap_or_else(|_| {
            let out = Command::new("id").arg("-un").output().ok();
            out.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
                .unwrap_or_default()
        });
        Identity {
            internal_user: name.clone(),
            login_user: name,
            mail_uid: uid,
            mail_gid: gid,
        }
    }
}

/// Can `uid`/`gid` enter the directory `meta` describes? (Owner, group, then other execute bit;
/// supplementary groups and ACLs are not considered.)
fn can_enter(meta: &std::fs::Metadata, uid: u32, gid: u32) -> bool {
    use std::os::unix::fs::MetadataExt;
    let mode = meta.mode();
    if uid == 0 {
        true
    } else if meta.uid() == uid {
        mode & 0o100 != 0
    } else if meta.gid() == gid {
        mode & 0o010 != 0
    } else {
        mode & 0o001 != 0
    }
}

/// Dovecot's unprivileged processes (auth, mail, login) must reach `dir`: a data folder under a
/// directory they cannot enter (a 0700 home, say) lets the master start and then fails every
/// login with "Temporary authentication failure". Refuse at start, naming the directory.
fn reachable_by_dovecot(dir: &Path, id: &Identity) -> Result<(), HarnessError> {
    let dir = std::fs::canonicalize(dir)?;
    let mut users = vec![(id.internal_user.clone(), id.mail_uid, id.mail_gid)];
    if let Some((uid, gid)) = lookup_passwd(&id.login_user) {
        users.push((id.login_user.clone(), uid, gid));
    }
    for ancestor in dir.ancestors() {
        let meta = std::fs::metadata(ancestor)?;
        for (name, uid, gid) in &users {
            if !can_enter(&meta, *uid, *gid) {
                use std::os::unix::fs::MetadataExt;
                return Err(HarnessError::Dovecot(format!(
                    "{}: Dovecot runs its processes as {name} (uid {uid}), which cannot enter {} \
                     (mode {:o}, owner uid {}): every login would fail with \
                     \"Temporary authentication failure\". Use a folder every user can reach \
                     (e.g. under /tmp), or allow entry (chmod o+x {})",
                    dir.display(),
                    ancestor.display(),
                    meta.mode() & 0o7777,
                    meta.uid(),
                    ancestor.display()
                )));
            }
        }
    }
    Ok(())
}

impl Dovecot {
    /// Generate the configuration, start Dovecot, and wait until IMAP and LMTP answer.
    pub async fn start(config: DovecotConfig) -> Result<Dovecot, HarnessError> {
        let bin = crate::dovecot_binary()
            .ok_or_else(|| HarnessError::Dovecot("dovecot binary not found".into()))?;
        let (dir, tmp) = match &config.dir {
            Some(d) => {
                std::fs::create_dir_all(d)?;
                (d.clone(), None)
            }
            None => {
                let t = tempfile::Builder::new().prefix("pec-dovecot-").tempdir()?;
                (t.path().to_path_buf(), Some(t))
            }
        };
        let pki = match &config.pki {
            Some(p) => p.clone(),
            None => Arc::new(Pki::generate()?),
        };
        let ca_file = dir.join("ca.pem");
        std::fs::write(&ca_file, pki.root_pem())?;
        let mut dc = Dovecot {
            dir,
            _tmp: tmp,
            bin,
            conf: PathBuf::new(),
            imap_port: 0,
            child: None,
            pki,
            ca_file,
            config,
        };
        dc.write_files()?;
        reachable_by_dovecot(&dc.dir, &identity())?;
        let mut last = None;
        for _ in 0..5 {
            dc.imap_port = free_port()?;
            dc.write_conf()?;
            match dc.spawn_and_wait().await {
                Ok(()) => return Ok(dc),
                Err(e) => {
                    dc.stop();
                    last = Some(e);
                }
            }
        }
        Err(last.unwrap_or_else(|| HarnessError::Dovecot("could not start".into())))
    }

    fn write_files(&mut self) -> Result<(), HarnessError> {
        use std::os::unix::fs::PermissionsExt;
        let id = identity();
        // Login processes (dovenull) must traverse to base_dir; mail processes must write mail/.
        std::fs::set_permissions(&self.dir, std::fs::Permissions::from_mode(0o755))?;
        let mail = self.dir.join("mail");
        std::fs::create_dir_all(&mail)?;
        std::os::unix::fs::chown(&mail, Some(id.mail_uid), Some(id.mail_gid))?;
        std::fs::create_dir_all(self.dir.join("run"))?;
        let server = self.pki.server_cert()?;
        std::fs::write(self.dir.join("server.pem"), &server.cert_pem)?;
        std::fs::write(self.dir.join("server.key"), &server.key_pem)?;
        std::fs::set_permissions(
            self.dir.join("server.key"),
            std::fs::Permissions::from_mode(0o600),
        )?;
        self.write_users()
    }

    /// (Re)write the passdb, userdb and ACL files from the current configuration.
    fn write_users(&self) -> Result<(), HarnessError> {
        let mut passdb = String::new();
        let mut userdb = String::new();
        for u in &self.config.users {
            passdb.push_str(&format!("{}:{{PLAIN}}{}::::::\n", u.address, u.password));
            let extra = match u.quota_mb {
                Some(q) => format!("userdb_quota_rule=*:storage={q}M"),
                None => String::new(),
            };
            userdb.push_str(&format!("{}:::::::{}\n", u.address, extra));
        }
        let mut acl = String::from("* owner lrwstipekxa\n");
        for d in &self.config.delegates {
            let mut extra = format!("user={} userdb_acl_user={}", d.owner, d.username);
            if !d.perms.programs {
                extra.push_str(" nologin reason=Accesso_con_programmi_di_posta_non_abilitato");
            }
            passdb.push_str(&format!(
                "{}:{{PLAIN}}{}::::::{}\n",
                d.username, d.password, extra
            ));
            let rights = d.perms.acl_rights();
            acl.push_str(&format!("* user={} {}\n", d.username, rights));
        }
        std::fs::write(self.dir.join("passwd"), passdb)?;
        std::fs::write(self.dir.join("users"), userdb)?;
        std::fs::write(self.dir.join("global-acl"), acl)?;
        Ok(())
    }

    fn write_conf(&mut self) -> Result<(), HarnessError> {
        let id = identity();
        let d = self.dir.display().to_string();
        let quota = if self.config.quota_mb == 0 {
            1024
        } else {
            self.config.quota_mb
        };
        let instance = format!(
            "pec-{}",
            self.dir.file_name().and_then(|n| n.to_str()).unwrap_or("x")
        );
        let layout = self.config.layout;
        let mut mailboxes = String::new();
        for (name, flag) in layout.folders() {
            // Names in the namespace section are relative to its prefix.
            let name = name.strip_prefix("INBOX.").unwrap_or(name);
            mailboxes.push_str(&format!(
                "  mailbox \"{name}\" {{\n    special_use = {flag}\n    auto = subscribe\n  }}\n"
            ));
        }
        let (sep, prefix) = match layout {
            FolderLayout::Standard => ("/", ""),
            FolderLayout::Aruba => (".", "INBOX."),
        };
        let conf = format!(
            r#"# generated by pec-test-harness
base_dir = {d}/run
state_dir = {d}/run/state
instance_name = {instance}
log_path = {d}/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
shutdown_clients = yes
ssl = required
ssl_cert = <{d}/server.pem
ssl_key = <{d}/server.key
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login
auth_username_format = %Lu
# A refused login answers at once (the default waits 2 s): tests count refusals without waiting.
auth_failure_delay = 0
default_internal_user = {iu}
default_internal_group = {iu}
default_login_user = {lu}
first_valid_uid = 0
mail_uid = {uid}
mail_gid = {gid}
mail_location = mdbox:{d}/mail/%d/%n
mail_fsync = never
mdbox_rotate_size = 16M
mail_max_userip_connections = 200
mail_plugins = quota acl
lmtp_rcpt_check_quota = yes
namespace inbox {{
  inbox = yes
  separator = {sep}
  prefix = {prefix}
{mailboxes}}}
passdb {{
  driver = passwd-file
  args = {d}/passwd
}}
userdb {{
  driver = passwd-file
  args = {d}/users
  default_fields = uid={uid} gid={gid} home={d}/mail/%d/%n
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {port}
    ssl = yes
  }}
}}
service lmtp {{
  unix_listener lmtp {{
    mode = 0666
  }}
}}
protocol imap {{
  mail_plugins = $mail_plugins imap_quota imap_acl
{capability}}}
plugin {{
  quota = count:User quota
  quota_vsizes = yes
  quota_rule = *:storage={quota}M
  acl = vfile:{d}/global-acl
}}
"#,
            iu = id.internal_user,
            lu = id.login_user,
            uid = id.mail_uid,
            gid = id.mail_gid,
            port = self.imap_port,
            capability = match &self.config.imap_capability {
                Some(c) => format!("  imap_capability = {c}\n"),
                None => String::new(),
            },
        );
        self.conf = self.dir.join("dovecot.conf");
        std::fs::write(&self.conf, conf)?;
        Ok(())
    }

    async fn spawn_and_wait(&mut self) -> Result<(), HarnessError> {
        let _ = std::fs::remove_file(self.dir.join("run/master.pid"));
        let out = std::fs::File::create(self.dir.join("dovecot.stdout"))?;
        let err = out.try_clone()?;
        let child = Command::new(&self.bin)
            .arg("-F")
            .arg("-c")
            .arg(&self.conf)
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()?;
        self.child = Some(child);
        self.wait_ready(Duration::from_secs(60)).await
    }

    async fn wait_ready(&mut self, limit: Duration) -> Result<(), HarnessError> {
        let deadline = Instant::now() + limit;
        let connector = tls::connector(&self.pki.root_pem())?;
        loop {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                return Err(HarnessError::Dovecot(format!(
                    "dovecot exited with {status}: {}",
                    self.log_tail()
                )));
            }
            let imap_ok = probe_imap(&connector, self.imap_addr()).await.is_ok();
            let lmtp_ok = imap_ok
                && match LmtpClient::connect(&self.lmtp_socket()).await {
                    Ok(c) => c.quit().await.is_ok(),
                    Err(_) => false,
                };
            if imap_ok && lmtp_ok {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(HarnessError::Timeout(format!(
                    "dovecot not ready after {limit:?}: {}",
                    self.log_tail()
                )));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The last lines of the server log (for error messages).
    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.join("dovecot.log")).unwrap_or_default()
            + &std::fs::read_to_string(self.dir.join("dovecot.stdout")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }

    /// Stop the server (SIGTERM, then SIGKILL after 10 s) and wait for it.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Mail processes outlive the master: remember them and kill them afterwards.
            let children = descendants(child.id());
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                match child.try_wait() {
                    Ok(Some(_)) => break,
                    Ok(None) if Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(20))
                    }
                    _ => {
                        let _ = child.kill();
                        let _ = child.wait();
                        break;
                    }
                }
            }
            for pid in children {
                let _ = Command::new("kill")
                    .arg("-KILL")
                    .arg(pid.to_string())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
            }
        }
    }

    /// Stop and start again on the same port with the same mail (clients see a server restart).
    pub async fn restart(&mut self) -> Result<(), HarnessError> {
        self.stop();
        // Wait until the old processes released the port.
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpListener::bind(("127.0.0.1", self.imap_port)).is_err() {
            if Instant::now() > deadline {
                return Err(HarnessError::Timeout("IMAP port not released".into()));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.spawn_and_wait().await
    }

    /// Add a user (or replace its password) while running: passwd files are re-read on each login.
    pub fn add_user(&mut self, user: User) -> Result<(), HarnessError> {
        self.config.users.retain(|u| u.address != user.address);
        self.config.users.push(user);
        self.write_users()
    }

    /// Add a delegate while running.
    pub fn add_delegate(&mut self, delegate: Delegate) -> Result<(), HarnessError> {
        self.config
            .delegates
            .retain(|d| d.username != delegate.username);
        self.config.delegates.push(delegate);
        self.write_users()
    }

    /// `127.0.0.1:PORT` of implicit-TLS IMAP.
    pub fn imap_addr(&self) -> std::net::SocketAddr {
        std::net::SocketAddr::from(([127, 0, 0, 1], self.imap_port))
    }

    /// Path of the generated `dovecot.conf` (for `doveadm -c`).
    pub fn conf_path(&self) -> &Path {
        &self.conf
    }

    /// Path of the LMTP unix socket.
    pub fn lmtp_socket(&self) -> PathBuf {
        self.dir.join("run/lmtp")
    }

    /// Path of the root CA PEM that signs the server certificate.
    pub fn ca_file(&self) -> &Path {
        &self.ca_file
    }

    /// The PKI (root, CA1): the PEC sandbox signs with it too.
    pub fn pki(&self) -> &Arc<Pki> {
        &self.pki
    }

    /// The server's working directory (config, logs, mail).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Configured users.
    pub fn users(&self) -> &[User] {
        &self.config.users
    }

    /// Configured delegates.
    pub fn delegates(&self) -> &[Delegate] {
        &self.config.delegates
    }

    /// Folder layout.
    pub fn layout(&self) -> FolderLayout {
        self.config.layout
    }

    /// A TLS connector trusting the sandbox root.
    pub fn tls_connector(&self) -> Result<tokio_rustls::TlsConnector, HarnessError> {
        tls::connector(&self.pki.root_pem())
    }

    /// Open a logged-in IMAP session.
    pub async fn imap_login(
        &self,
        user: &str,
        password: &str,
    ) -> Result<async_imap::Session<TlsStream<TcpStream>>, HarnessError> {
        imap_login(&self.tls_connector()?, self.imap_addr(), user, password).await
    }

    /// The messages in `user`'s inbox whose subject holds `subject`, as the server keeps them.
    pub async fn inbox_by_subject(
        &self,
        user: &str,
        password: &str,
        subject: &str,
    ) -> Result<Vec<Vec<u8>>, HarnessError> {
        use futures::TryStreamExt;
        let imap = |e: async_imap::error::Error| HarnessError::Imap(e.to_string());
        let mut s = self.imap_login(user, password).await?;
        s.select("INBOX").await.map_err(imap)?;
        let query = format!("SUBJECT \"{}\"", subject.replace(['"', '\\'], ""));
        let uids = s.uid_search(&query).await.map_err(imap)?;
        let mut found = Vec::new();
        for uid in uids {
            let fetched: Vec<_> = s
                .uid_fetch(uid.to_string(), "BODY.PEEK[]")
                .await
                .map_err(imap)?
                .try_collect()
                .await
                .map_err(imap)?;
            found.extend(fetched.iter().filter_map(|f| f.body().map(<[u8]>::to_vec)));
        }
        let _ = s.logout().await;
        Ok(found)
    }

    /// Open an LMTP session for direct delivery.
    pub async fn lmtp(&self) -> Result<LmtpClient, HarnessError> {
        LmtpClient::connect(&self.lmtp_socket()).await
    }
}

/// Log in over implicit TLS to any IMAP address (e.g. through a [`crate::FaultProxy`]).
pub async fn imap_login(
    connector: &tokio_rustls::TlsConnector,
    addr: std::net::SocketAddr,
    user: &str,
    password: &str,
) -> Result<async_imap::Session<TlsStream<TcpStream>>, HarnessError> {
    let stream = tls::connect(connector, addr).await?;
    let mut client = async_imap::Client::new(stream);
    let greeting = client
        .read_response()
        .await
        .map_err(|e| HarnessError::Imap(e.to_string()))?;
    if greeting.is_none() {
        return Err(HarnessError::Imap("no greeting".into()));
    }
    client
        .login(user, password)
        .await
        .map_err(|(e, _)| HarnessError::Imap(e.to_string()))
}

async fn probe_imap(
    connector: &tokio_rustls::TlsConnector,
    addr: std::net::SocketAddr,
) -> Result<(), HarnessError> {
    let fut = async {
        let stream = tls::connect(connector, addr).await?;
        let mut r = BufReader::new(stream);
        let mut line = String::new();
        // Dovecot may first say "Waiting for authentication process to respond..".
        for _ in 0..5 {
            line.clear();
            if r.read_line(&mut line).await? == 0 {
                break;
            }
            if line.contains("ready") {
                r.get_mut().write_all(b"a LOGOUT\r\n").await?;
                return Ok(());
            }
        }
        Err(HarnessError::Dovecot(format!(
            "unexpected greeting {line:?}"
        )))
    };
    tokio::time::timeout(Duration::from_secs(5), fut)
        .await
        .map_err(|_| HarnessError::Timeout("IMAP probe".into()))?
}

/// All descendants of `root` (from /proc), children first.
fn descendants(root: u32) -> Vec<u32> {
    let mut parent_of: Vec<(u32, u32)> = Vec::new();
    if let Ok(rd) = std::fs::read_dir("/proc") {
        for e in rd.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
                continue;
            };
            // pid (comm) state ppid ...: comm may contain spaces, so split after the last ')'.
            let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
                continue;
            };
            if let Some(ppid) = rest.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
                parent_of.push((pid, ppid));
            }
        }
    }
    let mut out = Vec::new();
    let mut frontier = vec![root];
    while let Some(p) = frontier.pop() {
        for &(pid, ppid) in &parent_of {
            if ppid == p && !out.contains(&pid) {
                out.push(pid);
                frontier.push(pid);
            }
        }
    }
    out
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        self.stop();
    }
}
