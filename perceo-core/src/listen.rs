//! Binding a TCP listener for the two HTTP servers (`perceo serve`, the dashboard): one way
//! to bind, name a failure and announce readiness.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;

use crate::error::{Error, Result};

/// A stop signal, polled once before the server announces itself.
pub(crate) type Stop = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Binds `addr`, then polls `stop` once (so whatever it sets up, signal handlers, is in
/// place before anyone knows the address) and hands the bound address to `on_ready`.
/// `None` when `stop` had already completed: nothing to serve.
pub(crate) async fn bind(
    addr: SocketAddr,
    stop: &mut Stop,
    on_ready: &mut (dyn FnMut(SocketAddr) + Send),
) -> Result<Option<tokio::net::TcpListener>> {
    let listen_error = |source| Error::Listen {
        address: addr.to_string(),
        source,
    };
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(listen_error)?;
    let bound = listener.local_addr().map_err(listen_error)?;
    if crate::fsutil::stop_requested(stop.as_mut()).await {
        return Ok(None);
    }
    on_ready(bound);
    Ok(Some(listener))
}
