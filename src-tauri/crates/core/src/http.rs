//! The one HTTP client every call uses (token requests and Dynamics data), so
//! TLS, proxy, redirect and timeout policy is decided in one place.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use crate::problem::{ErrorKind, Explain};

/// How long one request may take. Dynamics can legitimately run for minutes
/// on a big query (Business Central's operation timeout is 8 minutes,
/// docs/microsoft.md §5), so "long" is an explicit user choice, like
/// SmartConnect's "Allow Long Timeout".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Timeout {
    #[default]
    Normal,
    Long,
}

impl Timeout {
    pub fn duration(self) -> Duration {
        match self {
            Timeout::Normal => Duration::from_secs(60),
            Timeout::Long => Duration::from_secs(10 * 60),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("D365 Connect could not prepare its network connection.")]
pub struct HttpSetupError(#[source] reqwest::Error);

impl Explain for HttpSetupError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Internal
    }

    fn fix(&self) -> String {
        "Restart D365 Connect. If it keeps happening, check the HTTPS_PROXY setting of this computer.".into()
    }

    fn details(&self) -> Option<String> {
        Some(self.0.to_string())
    }
}

/// Builds the client. Redirects are off: a token endpoint that redirects is
/// misconfigured or hostile, and following it would resend credentials
/// (the oauth2 crate's own advice). Proxies come from `HTTPS_PROXY`,
/// `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY`, which reqwest reads by default;
/// the OS trust store is added to the bundled roots so TLS-inspecting
/// corporate proxies work as they do in the user's browser.
pub fn client(timeout: Timeout) -> Result<reqwest::Client, HttpSetupError> {
    reqwest::Client::builder()
        .use_rustls_tls()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(20))
        .timeout(timeout.duration())
        .user_agent(concat!("D365Connect/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(HttpSetupError)
}

/// Sends a request built on one of `client`'s clients and logs it.
pub async fn send(request: reqwest::RequestBuilder) -> reqwest::Result<reqwest::Response> {
    let (client, request) = request.build_split();
    let request = request?;
    let line = RequestLine::of(&request);
    let started = Instant::now();
    let answer = client.execute(request).await;
    match &answer {
        Ok(response) => line.answered(response.status().as_u16(), started),
        Err(e) => line.failed(e, started),
    }
    answer
}

/// The oauth2 crate's token requests, sent by the app's client and logged
/// like every other request: `.request_async(&http::OAuthHttp(client))`.
pub struct OAuthHttp(pub reqwest::Client);

type OAuthAnswer = Result<oauth2::HttpResponse, oauth2::HttpClientError<reqwest::Error>>;

impl<'c> oauth2::AsyncHttpClient<'c> for OAuthHttp {
    type Error = oauth2::HttpClientError<reqwest::Error>;
    type Future = Pin<Box<dyn Future<Output = OAuthAnswer> + Send + Sync + 'c>>;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        let uri = request.uri();
        let line = RequestLine::new(
            request.method().as_str(),
            uri.host(),
            uri.port_u16(),
            uri.path(),
        );
        let started = Instant::now();
        let answer = self.0.call(request);
        Box::pin(async move {
            let answer = answer.await;
            match &answer {
                Ok(response) => line.answered(response.status().as_u16(), started),
                Err(oauth2::HttpClientError::Reqwest(e)) => line.failed(e, started),
                Err(_) => line.failed_because("its answer could not be read", started),
            }
            answer
        })
    }
}

/// What the log says of a request: its method, host and path only. The
/// query (an authorization code, a filter on someone's data), the headers
/// (the bearer token) and the body (secrets, tokens) never go in.
struct RequestLine {
    method: String,
    place: String,
}

impl RequestLine {
    fn of(request: &reqwest::Request) -> Self {
        let url = request.url();
        Self::new(
            request.method().as_str(),
            url.host_str(),
            url.port(),
            url.path(),
        )
    }

    fn new(method: &str, host: Option<&str>, port: Option<u16>, path: &str) -> Self {
        let port = port.map(|p| format!(":{p}")).unwrap_or_default();
        Self {
            method: method.to_string(),
            place: format!("{}{port}{path}", host.unwrap_or_default()),
        }
    }

    fn answered(&self, status: u16, started: Instant) {
        let millis = started.elapsed().as_millis();
        let Self { method, place } = self;
        tracing::info!("{method} {place} answered {status} in {millis} ms");
    }

    /// Said from the error's kind: its text holds the whole URL, query too.
    fn failed(&self, error: &reqwest::Error, started: Instant) {
        let why = if error.is_timeout() {
            "it timed out"
        } else if error.is_connect() {
            "no connection could be made"
        } else if error.is_body() || error.is_decode() {
            "its answer could not be read"
        } else {
            "it could not be sent"
        };
        self.failed_because(why, started);
    }

    fn failed_because(&self, why: &str, started: Instant) {
        let millis = started.elapsed().as_millis();
        let Self { method, place } = self;
        tracing::warn!("{method} {place} failed after {millis} ms: {why}");
    }
}

/// "client error: error sending request: connection refused" rather than
/// just the outermost layer, for an error's details.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_is_longer_than_normal() {
        assert!(Timeout::Long.duration() > Timeout::Normal.duration());
    }

    /// What the log would hold, written to memory.
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl Captured {
        /// Captures this thread's log until the guard is dropped.
        fn start() -> (Self, tracing::subscriber::DefaultGuard) {
            let captured = Self::default();
            let writer = captured.clone();
            let log = tracing_subscriber::fmt()
                .with_writer(move || writer.clone())
                .with_ansi(false)
                .finish();
            (captured, tracing::subscriber::set_default(log))
        }

        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_request_is_logged_without_its_query_headers_or_body() {
        let (captured, _log) = Captured::start();
        let server = crate::test_fixtures::answer_once(
            "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n".into(),
        );
        let request = client(Timeout::Normal)
            .unwrap()
            .post(format!(
                "http://{server}/oauth2/token?code=the-code&state=s"
            ))
            .bearer_auth("the-token")
            .body("client_secret=the-secret");
        send(request).await.unwrap();
        let text = captured.text();
        assert!(
            text.contains(&format!("POST {server}/oauth2/token answered 204 in ")),
            "{text}"
        );
        for secret in ["the-code", "state", "the-token", "the-secret"] {
            assert!(!text.contains(secret), "{secret} is in {text}");
        }
    }

    #[tokio::test]
    async fn a_request_that_cannot_connect_is_logged_by_its_kind_only() {
        let (captured, _log) = Captured::start();
        // A port nothing listens on: bound, then closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let request = client(Timeout::Normal)
            .unwrap()
            .get(format!("http://127.0.0.1:{port}/data?$filter=secret"));
        assert!(send(request).await.is_err());
        let text = captured.text();
        assert!(
            text.contains(&format!("GET 127.0.0.1:{port}/data failed after"))
                && text.contains("no connection could be made"),
            "{text}"
        );
        assert!(!text.contains("filter"), "{text}");
    }

    #[tokio::test]
    async fn redirects_are_not_followed() {
        let server = crate::test_fixtures::answer_once(
            "HTTP/1.1 302 Found\r\nLocation: http://example.invalid/\r\nContent-Length: 0\r\n\r\n"
                .into(),
        );
        let response = client(Timeout::Normal)
            .unwrap()
            .get(format!("http://{server}/"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 302);
    }
}
