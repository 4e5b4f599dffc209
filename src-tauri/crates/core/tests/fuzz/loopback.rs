//! The sign-in listener driven over TCP with random raw requests: nothing
//! but a GET of `/` with this sign-in's `state` and a localhost `Host` ends
//! the wait, everything else gets an answer, and the real redirect that
//! follows still works.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use d365_core::identity::loopback::{Callback, Loopback, LoopbackOptions};
use d365_core::secrets::Secret;
use proptest::prelude::*;
use tokio_util::sync::CancellationToken;

const STATE: &str = "st-Zq81fuzz";

#[derive(Debug, Clone, PartialEq)]
enum Host {
    Ours,
    OursUpper,
    Ip,
    NoPort,
    OtherPort,
    Rebound,
    Missing,
}

#[derive(Debug, Clone, PartialEq)]
enum State {
    Right,
    /// Ours, then a forged one: the first value counts.
    RightThenForged,
    ForgedThenRight,
    Prefix,
    Longer,
    Missing,
    Empty,
}

#[derive(Debug, Clone)]
enum Request {
    Http {
        method: &'static str,
        path: &'static str,
        state: State,
        host: Host,
        code: String,
    },
    /// Any bytes at all, possibly after a plausible request line.
    Junk(Vec<u8>),
}

impl Request {
    /// What the listener must do with it.
    fn ends_the_wait(&self) -> bool {
        match self {
            Request::Http {
                method,
                path,
                state,
                host,
                ..
            } => {
                *method == "GET"
                    && *path == "/"
                    && matches!(state, State::Right | State::RightThenForged)
                    && matches!(host, Host::Ours | Host::OursUpper | Host::Ip)
            }
            Request::Junk(_) => false,
        }
    }

    fn bytes(&self, port: u16) -> Vec<u8> {
        match self {
            Request::Http {
                method,
                path,
                state,
                host,
                code,
            } => {
                let code: String = url::form_urlencoded::byte_serialize(code.as_bytes()).collect();
                let query = match state {
                    State::Right => format!("state={STATE}&code={code}"),
                    State::RightThenForged => format!("state={STATE}&code={code}&state=forged"),
                    State::ForgedThenRight => format!("state=forged&code={code}&state={STATE}"),
                    State::Prefix => format!("code={code}&state={}", &STATE[..STATE.len() - 1]),
                    State::Longer => format!("code={code}&state={STATE}0"),
                    State::Missing => format!("code={code}"),
                    State::Empty => format!("code={code}&state="),
                };
                let host = match host {
                    Host::Ours => format!("Host: localhost:{port}\r\n"),
                    Host::OursUpper => format!("Host: LocalHost:{port}\r\n"),
                    Host::Ip => format!("Host: 127.0.0.1:{port}\r\n"),
                    Host::NoPort => "Host: localhost\r\n".into(),
                    Host::OtherPort => format!("Host: localhost:{}\r\n", port.wrapping_add(1)),
                    Host::Rebound => format!("Host: evil.example:{port}\r\n"),
                    Host::Missing => String::new(),
                };
                format!("{method} {path}?{query} HTTP/1.1\r\n{host}Connection: close\r\n\r\n")
                    .into_bytes()
            }
            Request::Junk(bytes) => bytes.clone(),
        }
    }
}

fn request() -> impl Strategy<Value = Request> {
    let http = (
        prop::sample::select(vec!["GET", "POST", "HEAD", "get", "OPTIONS", "PUT"]),
        prop::sample::select(vec![
            "/",
            "/x",
            "//",
            "/favicon.ico",
            "/%2F",
            "*",
            "http://localhost/",
        ]),
        prop::sample::select(vec![
            State::Right,
            State::RightThenForged,
            State::ForgedThenRight,
            State::Prefix,
            State::Longer,
            State::Missing,
            State::Empty,
        ]),
        prop::sample::select(vec![
            Host::Ours,
            Host::OursUpper,
            Host::Ip,
            Host::NoPort,
            Host::OtherPort,
            Host::Rebound,
            Host::Missing,
        ]),
        "[a-zA-Z0-9._~ &=+%-]{1,20}",
    )
        .prop_map(|(method, path, state, host, code)| Request::Http {
            method,
            path,
            state,
            host,
            code,
        });
    let junk = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200),
        (
            prop::sample::select(vec![
                "GET /?state=st-Zq81fuzz&code=x HTTP/1.1\r\n",
                "GET / HTTP/1.1\r\n",
                "GET /?state=st-Zq81fuzz&code=x HTTP/9.9\r\n"
            ]),
            prop::collection::vec(any::<u8>(), 0..100)
        )
            .prop_map(|(line, rest)| [line.as_bytes(), &rest].concat()),
    ]
    .prop_map(Request::Junk);
    prop_oneof![3 => http, 1 => junk]
}

/// Sends one request and reads the whole answer (empty if the listener
/// closed without one).
fn send(port: u16, bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(bytes)?;
    // The end of what the "browser" sends, so junk cannot leave the
    // listener waiting for more.
    stream.shutdown(Shutdown::Write)?;
    let mut answer = vec![];
    match stream.read_to_end(&mut answer) {
        Ok(_) => Ok(answer),
        // A reset after junk is an answer too: the listener dropped it.
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => Ok(answer),
        Err(e) => Err(e),
    }
}

proptest! {
    // Each case binds a listener and opens real connections (~10 ms):
    // tests/scripts/fuzz.sh gives it a hundredth of the parsers' cases.
    #![proptest_config(config!(16, "loopback"))]

    #[test]
    fn only_this_sign_in_s_redirect_ends_the_wait(
        requests in prop::collection::vec(request().prop_filter("ends the wait", |r| !r.ends_the_wait()), 1..8),
    ) {
        let runtime = tokio::runtime::Runtime::new().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let loopback = Loopback::bind(LoopbackOptions { port: 0, timeout: Duration::from_secs(60) })
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let port = loopback.port();
        let cancel = CancellationToken::new();
        let wait = runtime.spawn(async move { loopback.wait(&Secret::new(STATE), &cancel).await });

        for request in &requests {
            let answer = send(port, &request.bytes(port)).map_err(|e| TestCaseError::fail(format!("{e} after {request:?}")))?;
            if let Request::Http { .. } = request {
                let head = String::from_utf8_lossy(&answer);
                let status = head.split_whitespace().nth(1).unwrap_or_default();
                prop_assert!(["400", "404", "405"].contains(&status), "{} for {:?}", head, request);
            }
            prop_assert!(!wait.is_finished(), "{:?} ended the wait", request);
        }

        let redirect = format!("GET /?code=real&state={STATE} HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n");
        let answer = send(port, redirect.as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(answer.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&answer));
        let outcome = runtime.block_on(wait).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(outcome.ok(), Some(Callback::Code(Secret::new("real"))));
    }
}
