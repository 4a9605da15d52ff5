//! A TCP fault proxy to put in front of IMAP or SMTP (TLS passes through untouched: the client still
//! verifies the server certificate for 127.0.0.1).
//!
//! Faults, all changeable while running:
//! - `cut_after(Some(n))`: each new connection is closed after `n` bytes have gone server→client
//!   (or `cut_after_client_bytes` for client→server);
//! - `set_delay(d)`: every chunk in either direction waits `d` first;
//! - `refuse(true)`: new connections are accepted and closed at once;
//! - `kill_connections()`: close every open connection now;
//! - `set_upstream(addr)`: point at another server (e.g. after a restart on a new port).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

const NONE: u64 = u64::MAX;

struct Control {
    upstream: Mutex<SocketAddr>,
    cut_server_bytes: AtomicU64,
    cut_client_bytes: AtomicU64,
    delay_ms: AtomicU64,
    refuse: AtomicBool,
    accepted: AtomicUsize,
    kill: watch::Sender<u64>,
}

/// A running proxy; dropping it stops accepting and closes its connections.
pub struct FaultProxy {
    addr: SocketAddr,
    ctl: Arc<Control>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for FaultProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultProxy")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl FaultProxy {
    /// Listen on a free loopback port and forward to `upstream`.
    pub async fn start(upstream: SocketAddr) -> std::io::Result<FaultProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (kill, _) = watch::channel(0u64);
        let ctl = Arc::new(Control {
            upstream: Mutex::new(upstream),
            cut_server_bytes: AtomicU64::new(NONE),
            cut_client_bytes: AtomicU64::new(NONE),
            delay_ms: AtomicU64::new(0),
            refuse: AtomicBool::new(false),
            accepted: AtomicUsize::new(0),
            kill,
        });
        let c = ctl.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    continue;
                };
                c.accepted.fetch_add(1, Ordering::SeqCst);
                if c.refuse.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let c2 = c.clone();
                tokio::spawn(async move {
                    let _ = serve(client, c2).await;
                });
            }
        });
        Ok(FaultProxy { addr, ctl, task })
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Close new connections after `n` bytes server→client (`None`: never).
    pub fn cut_after(&self, n: Option<u64>) {
        self.ctl
            .cut_server_bytes
            .store(n.unwrap_or(NONE), Ordering::SeqCst);
    }

    /// Close new connections after `n` bytes client→server (`None`: never).
    pub fn cut_after_client_bytes(&self, n: Option<u64>) {
        self.ctl
            .cut_client_bytes
            .store(n.unwrap_or(NONE), Ordering::SeqCst);
    }

    /// Delay every forwarded chunk.
    pub fn set_delay(&self, d: Duration) {
        self.ctl
            .delay_ms
            .store(d.as_millis() as u64, Ordering::SeqCst);
    }

    /// Refuse (accept and close) new connections.
    pub fn refuse(&self, on: bool) {
        self.ctl.refuse.store(on, Ordering::SeqCst);
    }

    /// Close every open connection.
    pub fn kill_connections(&self) {
        self.ctl.kill.send_modify(|g| *g += 1);
    }

    /// Forward new connections to another address.
    pub fn set_upstream(&self, upstream: SocketAddr) {
        *self.ctl.upstream.lock().expect("proxy lock") = upstream;
    }

    /// Connections accepted so far (refused ones included).
    pub fn accepted(&self) -> usize {
        self.ctl.accepted.load(Ordering::SeqCst)
    }

    /// Back to a transparent proxy.
    pub fn heal(&self) {
        self.cut_after(None);
        self.cut_after_client_bytes(None);
        self.set_delay(Duration::ZERO);
        self.refuse(false);
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.kill_connections();
        self.task.abort();
    }
}

async fn serve(client: TcpStream, ctl: Arc<Control>) -> std::io::Result<()> {
    let upstream = *ctl.upstream.lock().expect("proxy lock");
    let server = TcpStream::connect(upstream).await?;
    let mut kill = ctl.kill.subscribe();
    kill.borrow_and_update();
    let (cr, cw) = client.into_split();
    let (sr, sw) = server.into_split();
    let up = pump(
        cr,
        sw,
        ctl.cut_client_bytes.load(Ordering::SeqCst),
        ctl.clone(),
    );
    let down = pump(sr, cw, ctl.cut_server_bytes.load(Ordering::SeqCst), ctl);
    tokio::select! {
        _ = async { tokio::join!(up, down) } => {},
        _ = kill.changed() => {},
    }
    Ok(())
}

async fn pump(
    mut r: tokio::net::tcp::OwnedReadHalf,
    mut w: tokio::net::tcp::OwnedWriteHalf,
    limit: u64,
    ctl: Arc<Control>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    let mut sent: u64 = 0;
    loop {
        let n = match r.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let delay = ctl.delay_ms.load(Ordering::SeqCst);
        if delay > 0 {
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
        let allowed = if limit == NONE {
            n
        } else {
            (limit.saturating_sub(sent) as usize).min(n)
        };
        if allowed > 0 && w.write_all(&buf[..allowed]).await.is_err() {
            break;
        }
        sent += allowed as u64;
        if allowed < n || (limit != NONE && sent >= limit) {
            break;
        }
    }
    let _ = w.shutdown().await;
}
