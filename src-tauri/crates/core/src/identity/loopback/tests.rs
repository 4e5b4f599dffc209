use std::io::{Read, Write};
use std::net::TcpStream;

use tokio::sync::MutexGuard;
use tokio::task::JoinHandle;

use super::*;
use crate::identity::browser::{Browser, BrowserError};

const STATE: &str = "st-9f2c41aa";

/// A listener with a short timeout, once the previous test's is gone.
async fn bind(timeout: Duration) -> (MutexGuard<'static, ()>, Loopback) {
    let turn = ONE_FLOW_AT_A_TIME.lock().await;
    let loopback = Loopback::bind(LoopbackOptions { port: 0, timeout }).unwrap();
    (turn, loopback)
}

fn waiting(
    loopback: Loopback,
    cancel: &CancellationToken,
) -> JoinHandle<Result<Callback, LoopbackError>> {
    let cancel = cancel.clone();
    tokio::spawn(async move { loopback.wait(&Secret::new(STATE), &cancel).await })
}

struct Answer {
    status: u16,
    body: String,
}

/// One raw HTTP/1.1 request, as a browser (or a hostile page) sends it.
async fn request(port: u16, method: &str, target: &str, host: &str) -> Answer {
    let message = format!(
        "{method} {target} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.write_all(message.as_bytes()).unwrap();
        let mut raw = String::new();
        stream.read_to_string(&mut raw).unwrap();
        let status = raw
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap();
        let body = raw.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
        Answer {
            status,
            body: body.to_string(),
        }
    })
    .await
    .unwrap()
}

async fn get(port: u16, target: &str) -> Answer {
    request(port, "GET", target, &format!("localhost:{port}")).await
}

fn is_closed(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port)).is_err()
}

/// This machine's address on its network, if it has one: where a listener
/// on every interface would be reachable from other machines.
fn network_address() -> Option<std::net::IpAddr> {
    let probe = std::net::UdpSocket::bind(("0.0.0.0", 0)).ok()?;
    // Connecting a UDP socket sends nothing; it only picks the route.
    probe.connect(("192.0.2.1", 9)).ok()?;
    let ip = probe.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[tokio::test]
async fn the_listener_answers_on_127_0_0_1_only() {
    let (_turn, loopback) = bind(Duration::from_millis(500)).await;
    let port = loopback.port();
    assert!(!is_closed(port));
    // Linux routes all of 127.0.0.0/8 to loopback: a listener on every
    // interface would take 127.0.0.2 too, ours must not.
    #[cfg(target_os = "linux")]
    assert!(TcpStream::connect(("127.0.0.2", port)).is_err());
    assert!(TcpStream::connect(("::1", port)).is_err());
    if let Some(ip) = network_address() {
        assert!(
            TcpStream::connect((ip, port)).is_err(),
            "the sign-in listener is reachable from the network at {ip}"
        );
    }
}

#[tokio::test]
async fn the_right_callback_brings_the_code_and_a_signed_in_page() {
    let (_turn, loopback) = bind(Duration::from_secs(10)).await;
    let port = loopback.port();
    assert_eq!(loopback.redirect_uri(), format!("http://localhost:{port}"));
    let wait = waiting(loopback, &CancellationToken::new());

    let page = get(
        port,
        &format!("/?code=0.AXcode&state={STATE}&session_state=s"),
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("You&#39;re signed in"), "{}", page.body);
    assert!(page
        .body
        .contains("close this tab and return to D365 Connect"));

    let callback = wait.await.unwrap().unwrap();
    assert_eq!(callback, Callback::Code(Secret::new("0.AXcode")));
    assert!(
        !format!("{callback:?}").contains("0.AXcode"),
        "the code never prints"
    );
    assert!(is_closed(port), "the listener is gone once the wait ends");
}

#[tokio::test]
async fn wrong_or_missing_state_is_refused_and_the_wait_goes_on() {
    let (_turn, loopback) = bind(Duration::from_secs(10)).await;
    let port = loopback.port();
    let wait = waiting(loopback, &CancellationToken::new());

    for forged in [
        "/?code=evil&state=st-guess".to_string(),
        "/?code=evil".to_string(),
        "/?code=evil&state=".to_string(),
        format!("/?error=access_denied&state={STATE}x"),
        format!("/?code=evil&state={}", &STATE[..STATE.len() - 1]),
    ] {
        let page = get(port, &forged).await;
        assert_eq!(page.status, 400, "{forged}");
        assert!(page.body.contains("not the sign-in"));
    }
    assert!(!wait.is_finished());

    get(port, &format!("/?code=real&state={STATE}")).await;
    assert_eq!(
        wait.await.unwrap().unwrap(),
        Callback::Code(Secret::new("real"))
    );
}

#[tokio::test]
async fn other_paths_methods_and_hosts_are_answered_and_ignored() {
    let (_turn, loopback) = bind(Duration::from_secs(10)).await;
    let port = loopback.port();
    let wait = waiting(loopback, &CancellationToken::new());
    let ours = format!("/?code=c&state={STATE}");

    assert_eq!(get(port, "/favicon.ico").await.status, 404);
    assert_eq!(
        get(port, &format!("/callback?code=c&state={STATE}"))
            .await
            .status,
        404
    );
    let host = format!("localhost:{port}");
    assert_eq!(request(port, "POST", &ours, &host).await.status, 405);
    assert_eq!(request(port, "HEAD", "/", &host).await.status, 405);
    // DNS rebinding: the right request under a foreign name.
    let rebound = request(port, "GET", &ours, &format!("evil.example:{port}")).await;
    assert_eq!(rebound.status, 400);
    assert_eq!(request(port, "GET", &ours, "localhost:1").await.status, 400);
    assert!(!wait.is_finished());

    // 127.0.0.1 is the same listener (docs/microsoft.md §1).
    let page = request(port, "GET", &ours, &format!("127.0.0.1:{port}")).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        wait.await.unwrap().unwrap(),
        Callback::Code(Secret::new("c"))
    );
}

#[tokio::test]
async fn an_error_redirect_ends_the_wait_with_entra_s_error() {
    let (_turn, loopback) = bind(Duration::from_secs(10)).await;
    let port = loopback.port();
    let wait = waiting(loopback, &CancellationToken::new());

    let page = get(
        port,
        &format!(
            "/?error=access_denied&error_subcode=cancel&error_description=\
             AADSTS65004%3A+User+declined+to+consent+%3Cb%3Eto%3C%2Fb%3E+access.&state={STATE}"
        ),
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("did not complete"));
    assert!(page.body.contains("What to do:"));
    assert!(
        page.body
            .contains("declined to consent &lt;b&gt;to&lt;/b&gt; access"),
        "Entra's text is shown escaped: {}",
        page.body
    );

    let err = wait.await.unwrap().unwrap_err();
    let entra = err.entra().unwrap();
    assert_eq!(entra.error, "access_denied");
    assert_eq!(entra.code(), Some(65004));
    assert_eq!(err.kind(), ErrorKind::ConsentDeclined);
    assert!(err.explain().details.unwrap().contains("AADSTS65004"));
    assert!(is_closed(port));
}

#[tokio::test]
async fn admin_consent_is_an_outcome_of_its_own() {
    let (_turn, loopback) = bind(Duration::from_secs(10)).await;
    let port = loopback.port();
    let wait = waiting(loopback, &CancellationToken::new());

    // The v1 success redirect of docs/microsoft.md §4.
    let tenant = "7c2f5e1a-0d3b-4c8e-9a61-c5e0a1b2c3d4";
    let page = get(
        port,
        &format!("/?tenant={tenant}&state={STATE}&admin_consent=True"),
    )
    .await;
    assert!(page.body.contains("Permissions granted"));
    assert_eq!(
        wait.await.unwrap().unwrap(),
        Callback::AdminConsent {
            tenant: tenant.into(),
            scope: None
        }
    );
}

#[tokio::test]
async fn a_declined_v2_admin_consent_is_an_error_despite_admin_consent_true() {
    let (_turn, loopback) = bind(Duration::from_secs(10)).await;
    let port = loopback.port();
    let wait = waiting(loopback, &CancellationToken::new());
    get(
        port,
        &format!(
            "/?admin_consent=True&error=consent_required&error_description=AADSTS65004%3A+declined&state={STATE}"
        ),
    )
    .await;
    let err = wait.await.unwrap().unwrap_err();
    assert_eq!(err.entra().unwrap().error, "consent_required");
}

#[tokio::test]
async fn our_state_without_a_code_ends_the_wait_as_incomplete() {
    let (_turn, loopback) = bind(Duration::from_secs(10)).await;
    let port = loopback.port();
    let wait = waiting(loopback, &CancellationToken::new());
    get(port, &format!("/?state={STATE}&session_state=x")).await;
    let err = wait.await.unwrap().unwrap_err();
    assert!(matches!(err, LoopbackError::Incomplete { .. }));
    let details = err.explain().details.unwrap();
    assert!(details.contains("session_state, state"), "{details}");
    assert!(!details.contains(STATE), "names only, never values");
}

/// Stands for a person who never finishes (or a browser that never shows).
struct NeverArrives;

impl Browser for NeverArrives {
    fn open(&self, _url: &str) -> Result<(), BrowserError> {
        Ok(())
    }
}

#[tokio::test]
async fn nobody_arriving_times_out_and_closes_the_port() {
    let (_turn, loopback) = bind(Duration::from_millis(300)).await;
    let port = loopback.port();
    NeverArrives.open(&loopback.redirect_uri()).unwrap();
    let started = Instant::now();
    let err = loopback
        .wait(&Secret::new(STATE), &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(matches!(err, LoopbackError::TimedOut { .. }), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::SignInTimedOut);
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(is_closed(port));
    assert_eq!(
        LoopbackError::TimedOut {
            after: DEFAULT_TIMEOUT
        }
        .to_string(),
        "The sign-in was not finished within 5 minutes."
    );
}

#[tokio::test]
async fn cancel_ends_the_wait_promptly() {
    let (_turn, loopback) = bind(Duration::from_secs(60)).await;
    let port = loopback.port();
    let cancel = CancellationToken::new();
    let wait = waiting(loopback, &cancel);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    cancel.cancel();
    let err = wait.await.unwrap().unwrap_err();
    assert!(matches!(err, LoopbackError::Cancelled));
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(is_closed(port));
}

#[tokio::test]
async fn one_sign_in_at_a_time_and_the_next_may_start_after() {
    let (_turn, first) = bind(Duration::from_millis(200)).await;
    let second = Loopback::bind(LoopbackOptions::default());
    let err = second.err().unwrap();
    assert!(matches!(err, LoopbackError::FlowInProgress));
    assert_eq!(err.kind(), ErrorKind::FlowInProgress);

    let _ = first
        .wait(&Secret::new(STATE), &CancellationToken::new())
        .await;
    let third = Loopback::bind(LoopbackOptions::default()).unwrap();
    let port = third.port();
    drop(third);
    assert!(is_closed(port), "dropping an unused listener closes it too");
    Loopback::bind(LoopbackOptions::default()).unwrap();
}

#[tokio::test]
async fn dropping_the_wait_stops_the_listener() {
    let (_turn, loopback) = bind(Duration::from_secs(60)).await;
    let port = loopback.port();
    let wait = waiting(loopback, &CancellationToken::new());
    tokio::time::sleep(Duration::from_millis(50)).await;
    wait.abort();
    // The slot is free only once the port has closed.
    let mut next = Loopback::bind(LoopbackOptions::default());
    for _ in 0..200 {
        if next.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        next = Loopback::bind(LoopbackOptions::default());
    }
    assert!(next.is_ok(), "{:?}", next.err());
    assert!(is_closed(port));
}

#[tokio::test]
async fn a_fixed_port_that_is_taken_is_port_in_use() {
    let _turn = ONE_FLOW_AT_A_TIME.lock().await;
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let err = Loopback::bind(LoopbackOptions {
        port,
        ..LoopbackOptions::default()
    })
    .err()
    .unwrap();
    assert!(matches!(err, LoopbackError::PortInUse { port: p } if p == port));
    let explained = err.explain();
    assert_eq!(explained.kind, ErrorKind::PortInUse);
    assert!(explained.message.contains(&port.to_string()));
    assert!(explained.fix.contains("free port"));

    drop(taken);
    let fixed = Loopback::bind(LoopbackOptions {
        port,
        ..LoopbackOptions::default()
    })
    .unwrap();
    assert_eq!(fixed.redirect_uri(), format!("http://localhost:{port}"));
}

#[test]
fn every_page_is_self_contained() {
    let failure = Err(LoopbackError::Entra(Box::new(EntraError::from_redirect(
        "access_denied",
        Some("AADSTS65004: declined"),
    ))));
    let pages = [
        page::outcome(&Ok(Callback::Code(Secret::new("c")))),
        page::outcome(&Ok(Callback::AdminConsent {
            tenant: "t".into(),
            scope: None,
        })),
        page::outcome(&failure),
        page::rejected(),
        page::not_found(),
        page::method_not_allowed(),
    ];
    for page in pages {
        let html = page.html.to_ascii_lowercase();
        assert!(html.starts_with("<!doctype html>"));
        assert!(html.contains("prefers-color-scheme:dark"));
        for external in [
            "http:", "https:", "src=", "href=", "url(", "@import", "<script",
        ] {
            assert!(!html.contains(external), "{external} in {html}");
        }
    }
}
