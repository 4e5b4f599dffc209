//! The browser round trip of a delegated sign-in, end to end against the
//! in-process sandbox: the loopback listener is bound, a robot user opens
//! the authorize URL as the browser, signs in and is sent back to the
//! listener. (Code redemption is identity::flow's, tested there.)

// Helpers are not #[test] fns, so clippy's test allowance misses them; a
// failed step must fail the test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use d365_core::identity::browser::Browser;
use d365_core::identity::loopback::{Callback, Loopback, LoopbackError, LoopbackOptions};
use d365_core::problem::{ErrorKind, Explain};
use d365_core::secrets::Secret;
use d365_sandbox::robot::{Choice, Visit};
use d365_sandbox::world::World;
use d365_sandbox::SandboxHandle;
use tokio_util::sync::CancellationToken;

const VERIFIER: &str = "plain-verifier-is-fine-for-this-test-0123456789-abcdefghijk";

/// The desktop app's authorize request, by hand: public client, PKCE plain.
fn authorize_url(s: &SandboxHandle, redirect_uri: &str, state: &Secret) -> String {
    let mut url = url::Url::parse(&cloud(s).authorize_url(&tenant(s))).unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", &public_app(s))
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", redirect_uri)
        .append_pair(
            "scope",
            "https://api.businesscentral.dynamics.com/.default offline_access",
        )
        .append_pair("state", state.expose())
        .append_pair("code_challenge", VERIFIER)
        .append_pair("code_challenge_method", "plain");
    url.to_string()
}

async fn sign_in(choice: Choice) -> (Result<Callback, LoopbackError>, Visit) {
    let _turn = TURN.lock().await;
    let s = sandbox(World::demo()).await;
    let loopback = Loopback::bind(LoopbackOptions::default()).unwrap();
    let state = Secret::new(format!("e2e-state-{choice:?}"));
    let browser = RobotBrowser::new(choice);
    browser
        .open(&authorize_url(&s, &loopback.redirect_uri(), &state))
        .unwrap();
    let outcome = loopback.wait(&state, &CancellationToken::new()).await;
    (outcome, browser.visit().await)
}

#[tokio::test]
async fn the_browser_brings_the_code_back_to_the_listener() {
    let (outcome, visit) = sign_in(Choice::Accept).await;
    let Callback::Code(code) = outcome.unwrap() else {
        panic!("expected a code");
    };
    let delivery = visit.delivery().unwrap();
    assert_eq!(delivery.param("code"), Some(code.expose()));
    assert_eq!(delivery.param("state"), Some("e2e-state-Accept"));
    assert!(visit.reached_the_app());
    assert!(visit.text.contains("You're signed in"), "{}", visit.text);
}

#[tokio::test]
async fn declining_comes_back_as_entra_s_access_denied() {
    let (outcome, visit) = sign_in(Choice::Cancel).await;
    let err = outcome.unwrap_err();
    let entra = err.entra().unwrap();
    assert_eq!(entra.error, "access_denied");
    assert_eq!(entra.code(), Some(65004));
    assert_eq!(err.kind(), ErrorKind::ConsentDeclined);
    assert!(visit.reached_the_app());
    assert!(visit.text.contains("did not complete"), "{}", visit.text);
    assert!(visit.text.contains("Accept"), "the page says what to do");
}

#[tokio::test]
async fn admin_consent_comes_back_to_the_listener_too() {
    let _turn = TURN.lock().await;
    let s = sandbox(World::demo()).await;
    let loopback = Loopback::bind(LoopbackOptions::default()).unwrap();
    let state = Secret::new("e2e-consent");
    let mut url = url::Url::parse(&cloud(&s).admin_consent_v1_url(&tenant(&s))).unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", &public_app(&s))
        .append_pair("redirect_uri", &loopback.redirect_uri())
        .append_pair("state", state.expose());
    let browser = RobotBrowser::new(Choice::Accept);
    browser.open(url.as_str()).unwrap();
    let outcome = loopback.wait(&state, &CancellationToken::new()).await;
    assert_eq!(
        outcome.unwrap(),
        Callback::AdminConsent {
            tenant: tenant(&s),
            scope: None
        }
    );
    assert!(browser.visit().await.text.contains("Permissions granted"));
}
