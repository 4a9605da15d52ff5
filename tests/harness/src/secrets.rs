//! A Secret Service of its own for the keyring tests: a private D-Bus session (`dbus-daemon` with
//! no service activation, so nothing else answers) and GNOME Keyring with an unlocked login
//! keyring, in a temporary home. The developer's own keyring is never touched.
//!
//! ```no_run
//! # fn t() -> Result<(), pec_test_harness::HarnessError> {
//! if !pec_test_harness::secrets::secret_service_or_skip("my_test") { return Ok(()) }
//! let ss = pec_test_harness::secrets::SecretService::start()?;
//! // run a child with DBUS_SESSION_BUS_ADDRESS = ss.bus_address()
//! # Ok(()) }
//! ```

use crate::HarnessError;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const DBUS_DAEMON: &str = "/usr/bin/dbus-daemon";
const DBUS_SEND: &str = "/usr/bin/dbus-send";
const KEYRING_DAEMON: &str = "/usr/bin/gnome-keyring-daemon";
const PACKAGES: &str = "apt-get install dbus-daemon dbus-bin gnome-keyring";

/// True when the programs are installed; otherwise prints a skip, or panics with `CI=true`.
pub fn secret_service_or_skip(test: &str) -> bool {
    let missing: Vec<&str> = [DBUS_DAEMON, DBUS_SEND, KEYRING_DAEMON]
        .into_iter()
        .filter(|p| !Path::new(p).is_file())
        .collect();
    if missing.is_empty() {
        return true;
    }
    if crate::in_ci() {
        panic!("{test}: {missing:?} missing and CI=true ({PACKAGES})");
    }
    eprintln!("SKIP {test}: {missing:?} missing ({PACKAGES})");
    false
}

/// The running session bus and keyring; both stop when this is dropped.
pub struct SecretService {
    bus: Child,
    keyring: Child,
    address: String,
    _dir: tempfile::TempDir,
}

impl SecretService {
    pub fn start() -> Result<SecretService, HarnessError> {
        let dir = tempfile::Builder::new().prefix("pec-keyring-").tempdir()?;
        let (bus, address) = start_bus(dir.path())?;
        let keyring = match start_keyring(dir.path(), &address) {
            Ok(k) => k,
            Err(e) => {
                stop(bus);
                return Err(e);
            }
        };
        let ss = SecretService {
            bus,
            keyring,
            address,
            _dir: dir,
        };
        ss.wait_ready()?;
        Ok(ss)
    }

    /// The value of `DBUS_SESSION_BUS_ADDRESS` for a client of this keyring.
    pub fn bus_address(&self) -> &str {
        &self.address
    }

    fn wait_ready(&self) -> Result<(), HarnessError> {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            let out = Command::new(DBUS_SEND)
                .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
                .args([
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .output()?;
            if String::from_utf8_lossy(&out.stdout).contains("boolean true") {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(HarnessError::Timeout(
            "gnome-keyring-daemon on the bus".into(),
        ))
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        let _ = self.keyring.kill();
        let _ = self.keyring.wait();
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// A session bus listening in `dir`, without service activation; its address is the first line
/// it prints once it listens.
fn start_bus(dir: &Path) -> Result<(Child, String), HarnessError> {
    let conf = dir.join("session.conf");
    std::fs::write(&conf, bus_config(&dir.join("bus")))?;
    let mut bus = Command::new(DBUS_DAEMON)
        .arg("--nofork")
        .arg("--print-address=1")
        .arg(format!("--config-file={}", conf.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut line = String::new();
    if let Some(out) = bus.stdout.take() {
        BufReader::new(out).read_line(&mut line)?;
    }
    let address = line.trim().to_string();
    if address.is_empty() {
        stop(bus);
        return Err(HarnessError::Io(std::io::Error::other(
            "dbus-daemon printed no address",
        )));
    }
    Ok((bus, address))
}

fn bus_config(socket: &Path) -> String {
    format!(
        r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
        socket.display()
    )
}

/// GNOME Keyring's secrets component with a login keyring created and unlocked from the
/// password on its standard input, its files under `dir`.
fn start_keyring(dir: &Path, address: &str) -> Result<Child, HarnessError> {
    let home = dir.join("home");
    std::fs::create_dir_all(&home)?;
    let mut keyring = Command::new(KEYRING_DAEMON)
        .args(["--unlock", "--components=secrets", "--foreground"])
        .env("DBUS_SESSION_BUS_ADDRESS", address)
        .env("HOME", &home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_RUNTIME_DIR", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    if let Some(mut stdin) = keyring.stdin.take() {
        stdin.write_all(b"login keyring of the tests")?;
    }
    Ok(keyring)
}
