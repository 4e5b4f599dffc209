//! The log file through whole journeys against the sandbox tenant: a
//! person signing in (the authorization code comes back to the loopback
//! listener), a background service, and a wrong secret. The log says what
//! happened, and none of the secret, the codes or the tokens are in it.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns

mod common;

use common::*;
use d365_core::dynamics::odata::unseen;
use d365_core::identity::sign_in::SignInOptions;
use d365_core::log_file::LogFile;
use d365_core::product::Product;
use d365_core::profiles::{Grant, Profile, Registration};
use d365_core::secrets::Secret;
use d365_core::UserError;
use d365_sandbox::robot::Choice;
use d365_sandbox::world::World;
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn the_log_tells_the_journey_and_holds_no_secret_code_or_token() {
    let dir = tempfile::tempdir().unwrap();
    let log = LogFile::start(dir.path(), "journey").unwrap();
    let s = sandbox(World::demo()).await;
    let (client_id, secret) = web_app(&s);
    let cancel = CancellationToken::new();

    // A person signs in through the browser, then reads companies.
    let profile = Profile {
        name: "person".into(),
        product: Product::BusinessCentral,
        cloud: cloud(&s),
        tenant: tenant(&s),
        client_id: client_id.clone(),
        registration: Registration::SignInWithSecret,
        scopes: d365_core::identity::scopes::default_permissions(
            Product::BusinessCentral,
            Grant::Delegated,
        ),
        environment: Some("Production".into()),
        company: None,
        network: Default::default(),
        secret: None,
        setup: None,
        customer: None,
        tags: vec![],
    };
    let person = d365_core::connection::Connection::open(
        profile,
        memory_store(),
        Some(Secret::new(secret.expose())),
    )
    .unwrap();
    let browser = RobotBrowser::new(Choice::Accept);
    person
        .sign_in(&browser, SignInOptions::default(), &cancel, &|_| {})
        .await
        .unwrap();
    browser.visit().await;
    person.companies(&cancel, &unseen).await.unwrap();

    // A background service reads companies too.
    let service = app_connection(&s, Product::BusinessCentral);
    service.companies(&cancel, &unseen).await.unwrap();

    // A wrong secret, explained (and so logged).
    let (_, scopes) = scopes_for(&s, Product::BusinessCentral, Grant::ClientCredentials);
    let wrong = client(&s, &client_id, Some(&Secret::new("not-the-secret")))
        .client_credentials(&scopes)
        .await
        .unwrap_err();
    let explained = UserError::from(wrong);

    let text = String::from_utf8(log.read_all().unwrap()).unwrap();
    for line in [
        "The sign-in listener received the redirect, with an authorization code",
        "/oauth2/v2.0/token answered 200 in",
        "/oauth2/v2.0/token answered 401 in",
        "/companies answered 200 in",
        &format!("InvalidSecret: {}", explained.message),
    ] {
        assert!(text.contains(line), "the log lacks {line:?}:\n{text}");
    }
    let mut secrets = s.issued_tokens();
    assert!(secrets.len() >= 4, "codes and tokens were issued");
    secrets.extend([secret.expose().to_string(), "not-the-secret".into()]);
    for secret in &secrets {
        assert!(
            !text.contains(secret.as_str()),
            "a secret is in the log:\n{text}"
        );
    }
    for never in [
        "code=",
        "state=",
        "Bearer",
        "client_secret",
        "refresh_token",
    ] {
        assert!(!text.contains(never), "{never:?} is in the log:\n{text}");
    }
}
