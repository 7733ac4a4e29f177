//! The HTTP listener: accepts connections and serves the router on each,
//! closing connections that are slow to send a request.
//!
//! A client that opens a connection and then sends nothing, or half a
//! request line, or keeps a connection alive without asking anything more,
//! would otherwise hold one of the server's sockets for ever; a few hundred
//! such clients would use them all. Each connection must send a complete
//! request header within [`ListenerLimits::header_timeout`], counted from
//! when it opens and, on a kept-alive connection, from the end of the
//! previous answer; otherwise it is closed.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::ServiceExt;

/// How long the listener waits on a client.
#[derive(Debug, Clone, Copy)]
pub struct ListenerLimits {
    /// Longest wait for a complete request header: from the connection's
    /// opening, and on a kept-alive connection from the end of the previous
    /// answer (so an idle kept-alive connection is closed after it too).
    pub header_timeout: Duration,
}

impl Default for ListenerLimits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(20),
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then stops
/// accepting, lets every request in flight finish and returns.
///
/// Each request carries the client's address as
/// [`ConnectInfo<SocketAddr>`], as `axum::serve` would give it.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ListenerLimits,
    shutdown: impl Future<Output = ()> + Send,
) {
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors, most often: wait for some to
                    // be freed rather than spin.
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        while connections.try_join_next().is_some() {}
        let _ = stream.set_nodelay(true);
        connections.spawn(serve_connection(
            stream,
            remote,
            app.clone(),
            limits,
            stop_rx.clone(),
        ));
    }
    drop(listener);
    let _ = stop_tx.send(true);
    while connections.join_next().await.is_some() {}
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    remote: SocketAddr,
    app: Router,
    limits: ListenerLimits,
    mut stop: watch::Receiver<bool>,
) {
    let service = hyper::service::service_fn(move |mut request: hyper::Request<_>| {
        request.extensions_mut().insert(ConnectInfo(remote));
        app.clone().oneshot(request)
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    let mut connection = std::pin::pin!(connection);
    // The server only ever says "stop" once, so any change means stop.
    let finished = tokio::select! {
        result = connection.as_mut() => Some(result),
        _ = stop.changed() => None,
    };
    let result = match finished {
        Some(result) => result,
        None => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(e) = result {
        // A client that went away or was too slow is no fault of the server.
        tracing::debug!(%remote, error = %e, "connection closed");
    }
}
