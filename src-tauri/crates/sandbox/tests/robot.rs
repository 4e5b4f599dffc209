//! The robot user against the sandbox: it signs in, accepts or declines,
//! and takes the redirect to a stand-in for the app's loopback listener;
//! and `d365-sandbox-browser`, the same as a program.

// Helpers are not #[test] fns, so clippy's test allowance misses them; a
// failed step must fail the test.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;

use axum::http::Method;
use common::*;
use d365_sandbox::robot::{visit, Choice, Ending, Persona};
use d365_sandbox::SandboxHandle;

fn sign_in_url(s: &SandboxHandle, app: &LoopbackApp, extra: &[(&str, &str)]) -> String {
    let client_id = public_app(s);
    let challenge = s256(VERIFIER);
    let mut params = public_params(&client_id, &app.redirect_uri, &challenge);
    params.extend_from_slice(extra);
    authorize_url(s, &tenant(s), &params)
}

#[tokio::test]
async fn accepting_delivers_the_code_to_the_app() {
    let s = demo().await;
    let app = LoopbackApp::start().await;
    let visit = visit(&sign_in_url(&s, &app, &[]), &Persona::demo())
        .await
        .unwrap();
    assert!(visit.reached_the_app(), "{visit}");
    assert_eq!(visit.status, 200);
    assert_eq!(visit.text, "Thank you, app here.");
    let delivery = visit.delivery().unwrap();
    assert_eq!(delivery.redirect_uri, format!("{}/", app.redirect_uri));
    assert_eq!(delivery.param("state"), Some("st-123"));
    let code = delivery.param("code").unwrap();

    let (method, params) = app.only_request();
    assert_eq!(method, Method::GET);
    assert_eq!(params["code"], code);
    assert_eq!(params["state"], "st-123");
    for shown in [format!("{visit:?}"), visit.to_string()] {
        assert!(
            !shown.contains(code) && !shown.contains("st-123"),
            "{shown}"
        );
    }
}

#[tokio::test]
async fn declining_delivers_access_denied() {
    let s = demo().await;
    let app = LoopbackApp::start().await;
    let persona = Persona {
        choice: Choice::Cancel,
        ..Persona::demo()
    };
    let visit = visit(&sign_in_url(&s, &app, &[]), &persona).await.unwrap();
    assert!(visit.reached_the_app());
    let delivery = visit.delivery().unwrap();
    assert_eq!(delivery.param("error"), Some("access_denied"));
    assert!(delivery
        .param("error_description")
        .unwrap()
        .starts_with("AADSTS65004:"));
    assert!(visit
        .to_string()
        .contains("error access_denied: AADSTS65004"));
    assert_eq!(app.only_request().1["error"], "access_denied");
}

#[tokio::test]
async fn a_wrong_password_is_refused_on_the_page_and_nothing_is_delivered() {
    let s = demo().await;
    let app = LoopbackApp::start().await;
    let persona = Persona {
        password: "not-it".into(),
        ..Persona::demo()
    };
    assert!(!format!("{persona:?}").contains("not-it"));
    let visit = visit(&sign_in_url(&s, &app, &[]), &persona).await.unwrap();
    match &visit.ending {
        Ending::Refused { message } => assert!(message.contains("AADSTS50126"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert!(!visit.reached_the_app());
    assert!(app.seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn an_unknown_app_gets_entra_s_error_page() {
    let s = demo().await;
    let app = LoopbackApp::start().await;
    let url = authorize_url(
        &s,
        &tenant(&s),
        &public_params(
            "00000000-0000-0000-0000-00000000beef",
            &app.redirect_uri,
            "x",
        ),
    );
    let visit = visit(&url, &Persona::demo()).await.unwrap();
    assert!(matches!(visit.ending, Ending::ErrorPage), "{visit:?}");
    assert_eq!(visit.status, 400);
    assert!(visit.text.contains("AADSTS700016"), "{}", visit.text);
    assert!(!visit.reached_the_app());
}

#[tokio::test]
async fn form_post_is_submitted_to_the_app() {
    let s = demo().await;
    let app = LoopbackApp::start().await;
    let url = sign_in_url(&s, &app, &[("response_mode", "form_post")]);
    let visit = visit(&url, &Persona::demo()).await.unwrap();
    assert!(visit.reached_the_app(), "{visit}");
    let (method, params) = app.only_request();
    assert_eq!(method, Method::POST);
    assert_eq!(params["state"], "st-123");
    assert_eq!(
        Some(params["code"].as_str()),
        visit.delivery().unwrap().param("code")
    );
}

#[tokio::test]
async fn admin_consent_is_delivered_like_a_sign_in() {
    let s = demo().await;
    let app = LoopbackApp::start().await;
    let mut url =
        url::Url::parse(&format!("{}/{}/adminconsent", s.authority(), tenant(&s))).unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", &public_app(&s))
        .append_pair("redirect_uri", &app.redirect_uri)
        .append_pair("state", "consent-1");
    let visit = visit(url.as_str(), &Persona::demo()).await.unwrap();
    let delivery = visit.delivery().unwrap();
    assert_eq!(delivery.param("admin_consent"), Some("True"));
    assert_eq!(delivery.param("tenant"), Some(tenant(&s).as_str()));
}

/// Runs the program while this test's runtime keeps serving.
async fn browser_program(args: Vec<String>) -> (Option<i32>, String) {
    tokio::task::spawn_blocking(move || {
        let out = Command::new(env!("CARGO_BIN_EXE_d365-sandbox-browser"))
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn the_program_signs_in_as_the_demo_user_by_default() {
    let s = demo().await;
    let app = LoopbackApp::start().await;
    let (code, stderr) = browser_program(vec![sign_in_url(&s, &app, &[])]).await;
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("the app answered 200"), "{stderr}");
    assert!(app.only_request().1.contains_key("code"));
}

#[tokio::test]
async fn the_program_declines_or_fails_as_told() {
    let s = demo().await;
    let app = LoopbackApp::start().await;
    let url = sign_in_url(&s, &app, &[]);
    let (code, stderr) = browser_program(vec!["--decline".into(), url.clone()]).await;
    assert_eq!(code, Some(0), "the browser's part worked: {stderr}");
    assert_eq!(app.only_request().1["error"], "access_denied");

    let (upn, _) = user(&s);
    let wrong = vec![
        "--login".into(),
        upn,
        "--password".into(),
        "nope".into(),
        url,
    ];
    let (code, stderr) = browser_program(wrong).await;
    assert_eq!(code, Some(1));
    assert!(stderr.contains("refused"), "{stderr}");
    assert!(!stderr.contains("nope"));

    let (code, _) = browser_program(vec![]).await;
    assert_eq!(code, Some(2), "a missing URL is a usage error");
}

/// With `--for-organization` the program ticks "Consent on behalf of your
/// organization": where users may not consent (docs/microsoft.md §4), the
/// administrator's consent then lets a plain user in, and without the tick
/// it does not.
#[tokio::test]
async fn the_program_can_consent_for_the_organization() {
    let clerk = Persona {
        login: "clerk@cronus-demo.onmicrosoft.com".into(),
        password: "Cronus-Clerk-1".into(),
        ..Persona::demo()
    };
    for (flags, clerk_gets_in) in [(vec![], false), (vec!["--for-organization"], true)] {
        let mut world = d365_sandbox::world::World::demo();
        world.tenants[0].users_can_consent = false;
        world.apps[1].admin_consent = false;
        let s = start(world).await;
        let app = LoopbackApp::start().await;
        let mut args: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
        args.push(sign_in_url(&s, &app, &[]));
        let (code, stderr) = browser_program(args).await;
        assert_eq!(code, Some(0), "{stderr}");
        assert!(app.only_request().1.contains_key("code"));

        let app = LoopbackApp::start().await;
        let visit = visit(&sign_in_url(&s, &app, &[]), &clerk).await.unwrap();
        let params = app.only_request().1;
        assert_eq!(
            params.contains_key("code"),
            clerk_gets_in,
            "{flags:?}: {visit}"
        );
    }
}
