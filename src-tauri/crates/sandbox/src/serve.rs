//! Serves the router over HTTP/1.1 with hyper, as `axum::serve` does, plus
//! what axum cannot do: close a connection without answering (the `drop`
//! fault). axum's services never fail and always send headers, so a
//! response marked by [`no_answer`] is turned into a service error here;
//! hyper then closes the connection without writing a byte, and the client
//! sees the connection end before any response.

use std::time::Duration;

use axum::response::Response;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::Request;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tower::ServiceExt;

/// Marks a response that must not be sent.
#[derive(Debug, Clone, Copy)]
struct NoAnswer;

#[derive(Debug, thiserror::Error)]
#[error("the connection was dropped on purpose (fault injection)")]
struct Dropped;

/// A response that closes the connection instead of being sent.
pub fn no_answer() -> Response {
    let mut response = Response::default();
    response.extensions_mut().insert(NoAnswer);
    response
}

/// Accept fails on transient conditions (a reset before accept, too many
/// open files); like `axum::serve`, wait a moment and accept again.
const ACCEPT_RETRY: Duration = Duration::from_millis(100);

/// Serves until `stop` fires (or its sender is dropped), then lets the
/// open connections finish.
pub async fn serve(listener: TcpListener, app: Router, stop: oneshot::Receiver<()>) {
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    tokio::time::sleep(ACCEPT_RETRY).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let app = app.clone();
        let service = service_fn(move |request| answer(app.clone(), request));
        let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
        tokio::spawn(graceful.watch(connection));
    }
    graceful.shutdown().await;
}

async fn answer(app: Router, request: Request<Incoming>) -> Result<Response, Dropped> {
    let Ok(response) = app.oneshot(request).await;
    match response.extensions().get::<NoAnswer>() {
        Some(NoAnswer) => Err(Dropped),
        None => Ok(response),
    }
}
