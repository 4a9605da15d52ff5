//! WebDAV requests to a CardDAV server: our rustls configuration (ring; the platform verifier or
//! the book's CA file), basic authentication, no automatic redirects (a redirected PROPFIND must
//! stay a PROPFIND; discovery follows them itself), bodies capped at [`MAX_DAV_BYTES`].

use crate::limits::MAX_DAV_BYTES;
use crate::sync::SyncError;
use reqwest::{Method, StatusCode, Url};
use std::time::Duration;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// A server's answer.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: StatusCode,
    pub etag: Option<String>,
    pub location: Option<String>,
    pub body: String,
}

/// What a request sends besides its method and URL.
#[derive(Debug, Default)]
pub(crate) struct Request<'a> {
    pub depth: Option<&'a str>,
    pub if_match: Option<&'a str>,
    pub if_none_match: bool,
    /// (content type, body)
    pub body: Option<(&'a str, String)>,
}

/// A client for one server and user.
pub(crate) struct Dav {
    client: reqwest::Client,
    user: String,
    password: String,
}

impl Dav {
    pub fn new(user: &str, password: &str, ca_file: Option<&str>) -> Result<Dav, SyncError> {
        let tls = crate::sync::conn::tls_config(ca_file.map(std::path::Path::new))?;
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("pec/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SyncError::Tls(e.to_string()))?;
        Ok(Dav {
            client,
            user: user.to_string(),
            password: password.to_string(),
        })
    }

    /// Send `method` to `url`. 401 is [`SyncError::Auth`], 403 [`SyncError::NotPermitted`];
    /// every other status is the caller's to read.
    pub async fn send(
        &self,
        method: &str,
        url: &Url,
        req: Request<'_>,
    ) -> Result<Reply, SyncError> {
        check_scheme(url)?;
        let method = Method::from_bytes(method.as_bytes())
            .map_err(|e| SyncError::Protocol(e.to_string()))?;
        let mut b = self
            .client
            .request(method, url.clone())
            .basic_auth(&self.user, Some(&self.password));
        if let Some(d) = req.depth {
            b = b.header("Depth", d);
        }
        if let Some(tag) = req.if_match {
            b = b.header("If-Match", tag);
        }
        if req.if_none_match {
            b = b.header("If-None-Match", "*");
        }
        if let Some((ct, body)) = req.body {
            b = b.header("Content-Type", ct).body(body);
        }
        let mut res = b.send().await.map_err(classify)?;
        let status = res.status();
        match status {
            StatusCode::UNAUTHORIZED => {
                return Err(SyncError::Auth(format!("{url}: user or password refused")));
            }
            StatusCode::FORBIDDEN => {
                return Err(SyncError::NotPermitted(format!("{url}: access refused")));
            }
            _ => {}
        }
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let etag = header("etag");
        let location = header("location");
        let mut body = Vec::new();
        while let Some(chunk) = res.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > MAX_DAV_BYTES {
                return Err(SyncError::Protocol(format!(
                    "{url}: the answer is larger than {MAX_DAV_BYTES} bytes"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Reply {
            status,
            etag,
            location,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }
}

/// HTTPS, or plain HTTP to this machine only: a password never crosses a network in clear.
fn check_scheme(url: &Url) -> Result<(), SyncError> {
    let loopback = matches!(
        url.host_str(),
        Some("localhost" | "127.0.0.1" | "[::1]" | "::1")
    );
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        other => Err(SyncError::Tls(format!(
            "{url}: {other} is not encrypted; an address book needs https"
        ))),
    }
}

/// A failed request as the sync's errors: TLS when rustls refused, else the network.
fn classify(e: reqwest::Error) -> SyncError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(s) = source {
        if s.downcast_ref::<tokio_rustls::rustls::Error>().is_some() {
            return SyncError::Tls(e.to_string());
        }
        source = s.source();
    }
    if e.is_timeout() {
        return SyncError::Network(format!("timed out: {e}"));
    }
    SyncError::Network(chain(&e))
}

/// An error with its causes (reqwest's own message is often just "error sending request").
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
