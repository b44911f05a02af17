//! Accepting connections with limits: the server's own accept loop around
//! hyper, because `axum::serve` has no header-read timeout and no caps.
//!
//! - A client that does not finish sending its request header within
//!   `header_read_timeout` is disconnected (slow-header attacks held
//!   connections forever).
//! - At most `max_connections` connections at once, and at most
//!   `max_per_address` from one client address. A connection over a cap is
//!   closed at once, before anything is read from it, and counted in
//!   `outpost_connections_refused_total`. An upgraded websocket keeps its
//!   place until it closes: the count travels with the socket
//!   ([`CountedStream`]).
//! - On shutdown no new connection is accepted and open HTTP connections
//!   finish their current request.

use std::collections::HashMap;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// The limits of the accept loop (`outpost-server serve --help`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_connections: usize,
    pub max_per_address: usize,
    pub header_read_timeout: Duration,
}

/// Open connections, in all and per client address.
#[derive(Debug, Default)]
struct Counts {
    total: usize,
    by_addr: HashMap<IpAddr, usize>,
}

/// One connection's place in [`Counts`], given back when it is dropped.
#[derive(Debug)]
struct Slot {
    counts: Arc<Mutex<Counts>>,
    addr: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut c = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        c.total = c.total.saturating_sub(1);
        if let Some(n) = c.by_addr.get_mut(&self.addr) {
            *n -= 1;
            if *n == 0 {
                c.by_addr.remove(&self.addr);
            }
        }
        metrics::gauge!("outpost_http_connections").set(c.total as f64);
    }
}

/// Takes a place for a connection from `addr`, or `None` over a cap.
fn admit(counts: &Arc<Mutex<Counts>>, addr: IpAddr, limits: &Limits) -> Option<Slot> {
    let mut c = counts.lock().unwrap_or_else(|e| e.into_inner());
    let here = c.by_addr.get(&addr).copied().unwrap_or(0);
    if c.total >= limits.max_connections || here >= limits.max_per_address {
        return None;
    }
    c.total += 1;
    *c.by_addr.entry(addr).or_insert(0) += 1;
    metrics::gauge!("outpost_http_connections").set(c.total as f64);
    Some(Slot {
        counts: counts.clone(),
        addr,
    })
}

/// A TCP stream that holds its connection's place in the counts, so an
/// upgraded websocket (which takes the stream over from hyper) still counts.
#[derive(Debug)]
pub struct CountedStream {
    inner: TcpStream,
    _slot: Slot,
}

impl AsyncRead for CountedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for CountedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// Serves `router` on `listener` until `shutdown`, within `limits`.
pub async fn serve(
    listener: TcpListener,
    router: axum::Router,
    limits: Limits,
    shutdown: CancellationToken,
) {
    let counts = Arc::new(Mutex::new(Counts::default()));
    let tasks = tokio_util::task::TaskTracker::new();
    loop {
        let (stream, peer) = tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // out of descriptors, or the peer left before accept:
                    // wait a moment instead of spinning
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Some(slot) = admit(&counts, peer.ip(), &limits) else {
            metrics::counter!("outpost_connections_refused_total").increment(1);
            drop(stream); // closed before anything is read
            continue;
        };
        let _ = stream.set_nodelay(true);
        let io = TokioIo::new(CountedStream {
            inner: stream,
            _slot: slot,
        });
        let service = TowerToHyperService::new(router.clone());
        let stop = shutdown.clone();
        let header_timeout = limits.header_read_timeout;
        tasks.spawn(async move {
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(io, service)
                .with_upgrades();
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                result = conn.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!(error = %e, "http connection ended with an error");
                    }
                    return;
                }
                _ = stop.cancelled() => conn.as_mut().graceful_shutdown(),
            }
            let _ = conn.await;
        });
    }
    drop(listener);
    tasks.close();
    // requests in flight finish; websocket sessions end on the same signal
    let _ = tokio::time::timeout(Duration::from_secs(10), tasks.wait()).await;
}
