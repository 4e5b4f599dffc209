//! The local listener that receives the sign-in redirect from the browser:
//! the authorization code, Entra's error, or the admin consent answer.
//!
//! It listens on 127.0.0.1 before the browser opens and hands out
//! `http://localhost:<port>`: the registration holds plain
//! `http://localhost`, and Entra ignores the port of localhost redirect
//! URIs (docs/microsoft.md §1). Only a GET on `/` carrying this sign-in's
//! `state` ends the wait. Any web page can make the browser send requests
//! here, so everything else is answered and ignored.

mod page;
mod redirect;

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::identity::diagnose::{diagnose, EntraError};
use crate::problem::{ErrorKind, Explain, UserError};
use crate::secrets::Secret;

/// How long a person has by default to finish in the browser.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// How often the receive loop looks at the clock and the cancel token.
const POLL: Duration = Duration::from_millis(50);

/// `http://localhost:<port>`, which a registration of plain
/// `http://localhost` matches whatever the port (docs/microsoft.md §1).
pub fn redirect_uri(port: u16) -> String {
    format!("http://localhost:{port}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoopbackOptions {
    /// 0 picks any free port.
    pub port: u16,
    pub timeout: Duration,
}

impl Default for LoopbackOptions {
    fn default() -> Self {
        Self {
            port: 0,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// What the browser brought back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callback {
    /// An authorization code, to redeem once with the same redirect URI.
    Code(Secret),
    /// An administrator granted consent for the organization
    /// (docs/microsoft.md §4). For display only: the facts say never to
    /// trust `tenant` for authorization.
    AdminConsent {
        tenant: String,
        /// What was granted, on the v2 endpoint.
        scope: Option<String>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum LoopbackError {
    #[error("Port {port} on this computer is already in use, so D365 Connect cannot receive the sign-in there.")]
    PortInUse { port: u16 },
    #[error("D365 Connect could not listen on this computer for the end of the sign-in.")]
    Unavailable { cause: String },
    #[error("Another sign-in is already waiting for the browser.")]
    FlowInProgress,
    #[error("The sign-in was not finished within {}.", in_words(.after))]
    TimedOut { after: Duration },
    #[error("The sign-in was cancelled.")]
    Cancelled,
    /// Entra's error in the redirect (docs/microsoft.md §3).
    #[error("{0}")]
    Entra(Box<EntraError>),
    #[error("Microsoft sent the browser back without a sign-in code.")]
    Incomplete {
        /// The names of the parameters that came (never their values).
        received: Vec<String>,
    },
}

impl LoopbackError {
    pub fn entra(&self) -> Option<&EntraError> {
        match self {
            LoopbackError::Entra(e) => Some(e),
            _ => None,
        }
    }
}

impl Explain for LoopbackError {
    fn kind(&self) -> ErrorKind {
        match self {
            LoopbackError::PortInUse { .. } => ErrorKind::PortInUse,
            LoopbackError::Unavailable { .. } => ErrorKind::LoopbackUnavailable,
            LoopbackError::FlowInProgress => ErrorKind::FlowInProgress,
            LoopbackError::TimedOut { .. } => ErrorKind::SignInTimedOut,
            LoopbackError::Cancelled => ErrorKind::Cancelled,
            LoopbackError::Entra(e) => diagnose(e).kind,
            LoopbackError::Incomplete { .. } => ErrorKind::SignInFailed,
        }
    }

    fn fix(&self) -> String {
        match self {
            LoopbackError::PortInUse { port } => format!(
                "Close the program that uses port {port}, or let D365 Connect pick a free port. \
                 Microsoft Entra ignores the port of http://localhost redirect URIs, so any port \
                 works with the same app registration."
            ),
            LoopbackError::Unavailable { .. } => {
                "Check that no security software stops programs from listening on 127.0.0.1 \
                 (connections from this computer only), then try again."
                    .into()
            }
            LoopbackError::FlowInProgress => {
                "Finish or cancel the sign-in that is already open, then try again.".into()
            }
            LoopbackError::TimedOut { .. } => {
                "Start the sign-in again and finish it in the browser. If no browser window \
                 appeared, copy the sign-in link and open it yourself."
                    .into()
            }
            LoopbackError::Cancelled => "Start the sign-in again when you are ready.".into(),
            LoopbackError::Entra(e) => diagnose(e).fix,
            LoopbackError::Incomplete { .. } => {
                "Start the sign-in again. If it keeps happening, copy the details for support."
                    .into()
            }
        }
    }

    fn details(&self) -> Option<String> {
        match self {
            LoopbackError::Unavailable { cause } => Some(cause.clone()),
            LoopbackError::Entra(e) => diagnose(e).details,
            LoopbackError::Incomplete { received } => Some(format!(
                "The redirect carried: {}",
                if received.is_empty() {
                    "nothing".to_string()
                } else {
                    received.join(", ")
                }
            )),
            _ => None,
        }
    }

    fn explain(&self) -> UserError {
        match self {
            LoopbackError::Entra(e) => diagnose(e),
            _ => UserError {
                kind: self.kind(),
                message: self.to_string(),
                fix: self.fix(),
                details: self.details(),
                setting: self.setting(),
            },
        }
    }
}

fn in_words(duration: &Duration) -> String {
    match duration.as_secs() {
        60 => "1 minute".into(),
        s if s > 60 && s % 60 == 0 => format!("{} minutes", s / 60),
        1 => "1 second".into(),
        s => format!("{s} seconds"),
    }
}

/// One sign-in at a time per process: with two, the person could finish
/// the one the app is not waiting for.
static FLOW_IN_PROGRESS: AtomicBool = AtomicBool::new(false);

struct FlowSlot;

impl FlowSlot {
    fn take() -> Result<FlowSlot, LoopbackError> {
        FLOW_IN_PROGRESS
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .map(|_| FlowSlot)
            .map_err(|_| LoopbackError::FlowInProgress)
    }
}

impl Drop for FlowSlot {
    fn drop(&mut self) {
        FLOW_IN_PROGRESS.store(false, Ordering::Release);
    }
}

/// tiny_http closes its listening socket on its own accept thread after the
/// server is dropped; this waits (a second at most) until the port refuses
/// connections, so "the listener is gone" holds once the owner is dropped.
struct PortClosedOnDrop(SocketAddr);

impl Drop for PortClosedOnDrop {
    fn drop(&mut self) {
        for _ in 0..100 {
            if TcpStream::connect_timeout(&self.0, POLL).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// A listening loopback port for one sign-in. Dropping it (or the end of
/// [`Loopback::wait`]) closes the port.
pub struct Loopback {
    // Field order is drop order: the server stops, its port is seen
    // closed, and only then may another sign-in start.
    server: tiny_http::Server,
    address: PortClosedOnDrop,
    _slot: FlowSlot,
    timeout: Duration,
}

impl Loopback {
    /// Listens on 127.0.0.1 before the browser is opened, so the redirect
    /// can never arrive at a closed port.
    pub fn bind(options: LoopbackOptions) -> Result<Loopback, LoopbackError> {
        let slot = FlowSlot::take()?;
        let listener =
            TcpListener::bind((Ipv4Addr::LOCALHOST, options.port)).map_err(|e| match e.kind() {
                std::io::ErrorKind::AddrInUse => LoopbackError::PortInUse { port: options.port },
                _ => LoopbackError::Unavailable {
                    cause: e.to_string(),
                },
            })?;
        let unavailable = |cause: String| LoopbackError::Unavailable { cause };
        let addr = listener
            .local_addr()
            .map_err(|e| unavailable(e.to_string()))?;
        let server = tiny_http::Server::from_listener(listener, None)
            .map_err(|e| unavailable(e.to_string()))?;
        Ok(Loopback {
            server,
            address: PortClosedOnDrop(addr),
            _slot: slot,
            timeout: options.timeout,
        })
    }

    pub fn port(&self) -> u16 {
        self.address.0.port()
    }

    /// Send exactly this as `redirect_uri` to both the authorize and the
    /// token endpoint.
    pub fn redirect_uri(&self) -> String {
        redirect_uri(self.port())
    }

    /// Waits for the redirect carrying `expected_state`, until the timeout
    /// or `cancel`. Dropping the returned future stops the wait as well.
    pub async fn wait(
        self,
        expected_state: &Secret,
        cancel: &CancellationToken,
    ) -> Result<Callback, LoopbackError> {
        let state = expected_state.clone();
        let stop = cancel.child_token();
        let stop_when_dropped = stop.clone().drop_guard();
        // tiny_http blocks; its loop polls so cancel and timeout are prompt.
        let outcome = tokio::task::spawn_blocking(move || self.receive(&state, &stop)).await;
        stop_when_dropped.disarm();
        outcome.unwrap_or_else(|e| {
            Err(LoopbackError::Unavailable {
                cause: format!("the listener stopped: {e}"),
            })
        })
    }

    fn receive(self, state: &Secret, stop: &CancellationToken) -> Result<Callback, LoopbackError> {
        let deadline = Instant::now() + self.timeout;
        loop {
            if stop.is_cancelled() {
                return Err(LoopbackError::Cancelled);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(LoopbackError::TimedOut {
                    after: self.timeout,
                });
            }
            let request = self.server.recv_timeout(left.min(POLL)).map_err(|e| {
                LoopbackError::Unavailable {
                    cause: e.to_string(),
                }
            })?;
            if let Some(outcome) = request.and_then(|r| self.answer(r, state)) {
                return outcome;
            }
        }
    }

    /// Answers one request; `Some` when it ends the sign-in.
    fn answer(
        &self,
        request: tiny_http::Request,
        state: &Secret,
    ) -> Option<Result<Callback, LoopbackError>> {
        let verdict = redirect::judge(
            &redirect::Incoming {
                is_get: *request.method() == tiny_http::Method::Get,
                target: request.url(),
                host: request
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv("Host"))
                    .map(|h| h.value.as_str()),
            },
            self.port(),
            state,
        );
        // The path only: the query holds the authorization code.
        let path = request.url().split(['?', '#']).next().unwrap_or_default();
        match verdict {
            redirect::Verdict::Ignore(reply) => {
                tracing::info!("The sign-in listener ignored a request for {path}");
                send(request, reply);
                None
            }
            redirect::Verdict::Finish(outcome) => {
                let with = match &outcome {
                    Ok(Callback::Code(_)) => "an authorization code",
                    Ok(Callback::AdminConsent { .. }) => "admin consent",
                    Err(_) => "an error",
                };
                tracing::info!("The sign-in listener received the redirect, with {with}");
                send(request, page::outcome(&outcome));
                Some(outcome)
            }
        }
    }
}

/// The URL the page was reached by carries the code: keep it out of
/// caches and referrers, and let the page load nothing from anywhere.
const HEADERS: &[(&str, &str)] = &[
    ("Content-Type", "text/html; charset=utf-8"),
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'",
    ),
];

fn send(request: tiny_http::Request, reply: page::Reply) {
    let mut response = tiny_http::Response::from_string(reply.html).with_status_code(reply.status);
    let allow: &[(&str, &str)] = if reply.status == 405 {
        // A 405 must name the methods that work (RFC 9110 §15.5.6).
        &[("Allow", "GET")]
    } else {
        &[]
    };
    for (name, value) in HEADERS.iter().chain(allow) {
        if let Ok(header) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(header);
        }
    }
    // The browser may have gone already; the outcome stands either way.
    let _ = request.respond(response);
}

/// Tests that bind a listener take turns: the process allows one sign-in
/// at a time.
#[cfg(test)]
pub(crate) static ONE_FLOW_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[cfg(test)]
mod tests;
