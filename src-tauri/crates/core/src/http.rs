//! The one HTTP client every call uses (token requests and Dynamics data), so
//! TLS, proxy, redirect and timeout policy is decided in one place.

use std::time::Duration;

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
