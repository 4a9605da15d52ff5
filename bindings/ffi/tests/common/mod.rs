//! The account form for the sandbox provider, shared by the facade's sandbox tests.

use pec_ffi::{CustomServer, NewAccount, Provider};
use pec_sandbox::Sandbox;

/// The sandbox's servers on loopback; its CA file only when `ca` (without it the login fails TLS).
pub fn sandbox_servers(sb: &Sandbox, ca: bool) -> CustomServer {
    CustomServer {
        imap_host: "127.0.0.1".into(),
        imap_port: sb.imap_addr().port(),
        smtp_host: "127.0.0.1".into(),
        smtp_port: sb.smtp_addr.port(),
        ca_file: ca.then(|| sb.state.ca_file.to_string_lossy().into_owned()),
    }
}

/// The form a user fills in for `address` on the sandbox: its own login, checked before saving.
pub fn sandbox_account(sb: &Sandbox, address: &str, password: &str) -> NewAccount {
    NewAccount {
        provider: Provider::Custom,
        address: address.into(),
        password: password.into(),
        display_name: None,
        custom: Some(sandbox_servers(sb, true)),
        delegation: None,
        offline: false,
    }
}
