//! Delegated sign-in end to end against the sandbox tenant: the browser
//! (the robot user) signs in, the code comes back to the loopback listener
//! and is redeemed; then refresh, rotation, re-consent and admin consent.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use d365_core::connection::Connection;
use d365_core::dynamics::odata::unseen;
use d365_core::identity::claims;
use d365_core::identity::flow::ConsentEndpoint;
use d365_core::identity::sign_in::{SignInEvent, SignInOptions, SignInStage};
use d365_core::problem::{ErrorKind, Explain};
use d365_core::product::Product;
use d365_core::profiles::{Grant, Profile, Registration};
use d365_core::secrets::{Secret, SecretKey, SecretKind, SecretStore};
use d365_sandbox::robot::Choice;
use d365_sandbox::world::World;
use d365_sandbox::SandboxHandle;
use tokio_util::sync::CancellationToken;

fn delegated(s: &SandboxHandle, product: Product, public: bool) -> Profile {
    Profile {
        name: format!("{product:?}-{}", if public { "public" } else { "web" }),
        product,
        cloud: cloud(s),
        tenant: tenant(s),
        client_id: if public { public_app(s) } else { web_app(s).0 },
        registration: if public {
            Registration::SignInWithoutSecret
        } else {
            Registration::SignInWithSecret
        },
        scopes: d365_core::identity::scopes::default_permissions(product, Grant::Delegated),
        environment: match product {
            Product::BusinessCentral => Some("Production".into()),
            _ => None,
        },
        company: None,
        network: Default::default(),
        secret: None,
        setup: None,
        customer: None,
        tags: vec![],
    }
}

fn open(profile: Profile, store: Arc<SecretStore>, secret: Option<Secret>) -> Connection {
    Connection::open(profile, store, secret).unwrap()
}

/// Signs in with the robot; returns the stages seen.
async fn sign_in(
    connection: &Connection,
    choice: Choice,
) -> (
    Result<(), d365_core::connection::ConnectError>,
    Vec<SignInStage>,
) {
    let seen = Mutex::new(vec![]);
    let browser = RobotBrowser::new(choice);
    let result = connection
        .sign_in(
            &browser,
            SignInOptions::default(),
            &CancellationToken::new(),
            &|e: SignInEvent| seen.lock().unwrap().push(e.stage),
        )
        .await;
    browser.visit().await;
    (result, seen.into_inner().unwrap())
}

#[tokio::test]
async fn business_central_with_a_confidential_app_signs_in_and_reads_companies() {
    let _turn = TURN.lock().await;
    let s = sandbox(World::demo()).await;
    let store = memory_store();
    let connection = open(
        delegated(&s, Product::BusinessCentral, false),
        store.clone(),
        Some(web_app(&s).1),
    );
    let (result, stages) = sign_in(&connection, Choice::Accept).await;
    result.unwrap();
    use SignInStage::*;
    assert_eq!(stages, [Listening, BrowserOpened, CodeReceived, Done]);
    let token = connection
        .data_tokens()
        .unwrap()
        .access_token()
        .await
        .unwrap();
    let c = claims::decode(token.expose()).unwrap();
    assert_eq!(c.aud, "https://api.businesscentral.dynamics.com");
    assert!(c.scopes().any(|s| s == "Financials.ReadWrite.All"), "{c:?}");
    assert!(c.upn.is_some());
    let key = SecretKey::new(&connection.profile().name, SecretKind::RefreshToken);
    assert!(
        store.get(&key).is_ok(),
        "the refresh token is in the keychain"
    );
    let companies = connection
        .companies(&CancellationToken::new(), &unseen)
        .await
        .unwrap();
    assert_eq!(companies.len(), 2);
}

#[tokio::test]
async fn business_central_with_a_public_app_needs_no_secret() {
    let _turn = TURN.lock().await;
    let s = sandbox(World::demo()).await;
    let connection = open(
        delegated(&s, Product::BusinessCentral, true),
        memory_store(),
        None,
    );
    sign_in(&connection, Choice::Accept).await.0.unwrap();
    assert!(connection
        .companies(&CancellationToken::new(), &unseen)
        .await
        .is_ok());
}

#[tokio::test]
async fn a_secret_sent_for_a_public_app_or_missing_for_a_web_app_is_diagnosed() {
    let _turn = TURN.lock().await;
    let s = sandbox(World::demo()).await;
    // The user said "my app has a secret" for the desktop registration.
    let mut public_as_web = delegated(&s, Product::BusinessCentral, true);
    public_as_web.registration = Registration::SignInWithSecret;
    let connection = open(
        public_as_web,
        memory_store(),
        Some(Secret::new("some-secret")),
    );
    let err = sign_in(&connection, Choice::Accept).await.0.unwrap_err();
    assert_eq!(err.explain().kind, ErrorKind::PublicClientWithSecret);
    // And the reverse: the Web registration without its secret.
    let mut web_as_public = delegated(&s, Product::BusinessCentral, false);
    web_as_public.registration = Registration::SignInWithoutSecret;
    let connection = open(web_as_public, memory_store(), None);
    let err = sign_in(&connection, Choice::Accept).await.0.unwrap_err();
    assert_eq!(err.explain().kind, ErrorKind::SecretRequired);
}

#[tokio::test]
async fn declining_on_the_consent_page_is_explained() {
    let _turn = TURN.lock().await;
    let s = sandbox(World::demo()).await;
    let connection = open(
        delegated(&s, Product::BusinessCentral, true),
        memory_store(),
        None,
    );
    let (result, stages) = sign_in(&connection, Choice::Cancel).await;
    assert_eq!(
        result.unwrap_err().explain().kind,
        ErrorKind::ConsentDeclined
    );
    assert!(!stages.contains(&SignInStage::Done));
}

#[tokio::test]
async fn dataverse_signs_in_to_discovery_then_reads_the_chosen_environment() {
    let _turn = TURN.lock().await;
    let s = sandbox(World::demo()).await;
    let store = memory_store();
    let mut profile = delegated(&s, Product::Dataverse, true);
    let connection = open(profile.clone(), store.clone(), None);
    sign_in(&connection, Choice::Accept).await.0.unwrap();
    let environments = connection
        .environments(&CancellationToken::new(), &unseen)
        .await
        .unwrap();
    assert_eq!(environments.len(), 1);
    // The environment is chosen and saved; the same sign-in (its refresh
    // token) now gets a token for the environment, without the browser.
    profile.environment = Some(environments[0].id.clone());
    let chosen = open(profile, store, None);
    let units = chosen
        .companies(&CancellationToken::new(), &unseen)
        .await
        .unwrap();
    assert!(!units.is_empty());
}

#[tokio::test]
async fn tokens_are_refreshed_before_expiry_and_the_rotated_refresh_token_is_kept() {
    let _turn = TURN.lock().await;
    let mut world = World::demo();
    world.lifetimes.access_token_seconds = 120; // inside the 5-minute skew
    let s = sandbox(world).await;
    let store = memory_store();
    let connection = open(
        delegated(&s, Product::BusinessCentral, true),
        store.clone(),
        None,
    );
    sign_in(&connection, Choice::Accept).await.0.unwrap();
    let key = SecretKey::new(&connection.profile().name, SecretKind::RefreshToken);
    let first_refresh = store.get(&key).unwrap();
    let tokens = connection.data_tokens().unwrap();
    let a = tokens.access_token().await.unwrap();
    let b = tokens.access_token().await.unwrap();
    assert_ne!(a.expose(), b.expose(), "each use refreshed");
    assert_ne!(
        store.get(&key).unwrap().expose(),
        first_refresh.expose(),
        "rotated and saved"
    );
}

#[tokio::test]
async fn an_expired_sign_in_asks_to_sign_in_again_and_forgets_the_dead_refresh_token() {
    let _turn = TURN.lock().await;
    let mut world = World::demo();
    world.lifetimes.access_token_seconds = 120;
    world.lifetimes.refresh_token_inactive_seconds = 0;
    let s = sandbox(world).await;
    let store = memory_store();
    let connection = open(
        delegated(&s, Product::BusinessCentral, true),
        store.clone(),
        None,
    );
    sign_in(&connection, Choice::Accept).await.0.unwrap();
    let err = connection
        .data_tokens()
        .unwrap()
        .access_token()
        .await
        .unwrap_err();
    assert_eq!(err.explain().kind, ErrorKind::SignInExpired);
    assert!(err
        .explain()
        .details
        .unwrap_or_default()
        .contains("AADSTS700082"));
    let key = SecretKey::new(&connection.profile().name, SecretKind::RefreshToken);
    assert!(store.get(&key).is_err(), "the dead refresh token is gone");
    // A new interactive sign-in works again.
    sign_in(&connection, Choice::Accept).await.0.unwrap();
}

#[tokio::test]
async fn without_any_sign_in_a_delegated_connection_says_sign_in() {
    let s = sandbox(World::demo()).await;
    let connection = open(
        delegated(&s, Product::BusinessCentral, true),
        memory_store(),
        None,
    );
    let err = connection
        .data_tokens()
        .unwrap()
        .access_token()
        .await
        .unwrap_err();
    assert_eq!(err.explain().kind, ErrorKind::SignInExpired);
}

#[tokio::test]
async fn admin_consent_granted_and_declined() {
    let _turn = TURN.lock().await;
    let s = sandbox(World::demo()).await;
    let connection = open(
        delegated(&s, Product::BusinessCentral, true),
        memory_store(),
        None,
    );
    for endpoint in [ConsentEndpoint::V1, ConsentEndpoint::V2] {
        let browser = RobotBrowser::new(Choice::Accept);
        let granted = connection
            .admin_consent(
                endpoint,
                &browser,
                SignInOptions::default(),
                &CancellationToken::new(),
                &|_| {},
            )
            .await
            .unwrap();
        browser.visit().await;
        assert_eq!(granted.tenant, tenant(&s));
    }
    let browser = RobotBrowser::new(Choice::Cancel);
    let err = connection
        .admin_consent(
            ConsentEndpoint::V2,
            &browser,
            SignInOptions::default(),
            &CancellationToken::new(),
            &|_| {},
        )
        .await
        .unwrap_err();
    browser.visit().await;
    let kind = err.explain().kind;
    assert!(
        matches!(
            kind,
            ErrorKind::ConsentDeclined | ErrorKind::ConsentRequired
        ),
        "{kind:?}"
    );
}

#[tokio::test]
async fn a_browser_that_cannot_open_hands_over_the_link_and_cancel_ends_the_wait() {
    let _turn = TURN.lock().await;
    let s = sandbox(World::demo()).await;
    let connection = open(
        delegated(&s, Product::BusinessCentral, true),
        memory_store(),
        None,
    );
    struct NoBrowser;
    impl d365_core::identity::browser::Browser for NoBrowser {
        fn open(&self, _: &str) -> Result<(), d365_core::identity::browser::BrowserError> {
            Err(
                d365_core::identity::browser::BrowserError::NoSystemBrowser {
                    cause: "headless".into(),
                },
            )
        }
    }
    let cancel = CancellationToken::new();
    let link = Mutex::new(None);
    let on_event = |e: SignInEvent| {
        if e.stage == SignInStage::BrowserUnavailable {
            *link.lock().unwrap() = e.url.clone();
            cancel.cancel();
        }
    };
    let err = connection
        .sign_in(&NoBrowser, SignInOptions::default(), &cancel, &on_event)
        .await
        .unwrap_err();
    assert_eq!(err.explain().kind, ErrorKind::Cancelled);
    let link = link.into_inner().unwrap().unwrap();
    assert!(
        link.contains("/oauth2/v2.0/authorize?") && link.contains("code_challenge_method=S256"),
        "{link}"
    );
}

#[tokio::test]
async fn nothing_secret_is_written_to_the_config_folder() {
    let _turn = TURN.lock().await;
    let s = sandbox(World::demo()).await;
    let dir = tempfile::tempdir().unwrap();
    let profiles = d365_core::profiles::ProfileStore::at(dir.path());
    let store = memory_store();
    let profile = delegated(&s, Product::BusinessCentral, false);
    profiles.save(&profile).unwrap();
    let secret = web_app(&s).1;
    let connection = open(profile.clone(), store.clone(), Some(secret.clone()));
    sign_in(&connection, Choice::Accept).await.0.unwrap();
    let access = connection
        .data_tokens()
        .unwrap()
        .access_token()
        .await
        .unwrap();
    let refresh = store
        .get(&SecretKey::new(&profile.name, SecretKind::RefreshToken))
        .unwrap();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for secret in [secret.expose(), access.expose(), refresh.expose()] {
            assert!(!text.contains(secret), "a secret reached the config folder");
        }
    }
}

/// docs/sandbox-fidelity.md §G1: a background service has no redirect URI,
/// so Entra's admin consent page would end in AADSTS500113; the app sends
/// the administrator to the admin center instead of opening the browser.
#[tokio::test]
async fn a_background_service_is_sent_to_the_admin_center_for_consent() {
    let _turn = TURN.lock().await;
    let s = sandbox(World::demo()).await;
    let mut profile = delegated(&s, Product::BusinessCentral, false);
    profile.registration = Registration::BackgroundService;
    profile.scopes = d365_core::identity::scopes::default_permissions(
        Product::BusinessCentral,
        Grant::ClientCredentials,
    );
    let connection = open(profile, memory_store(), Some(web_app(&s).1));
    let browser = RobotBrowser::new(Choice::Accept);
    let err = connection
        .admin_consent(
            ConsentEndpoint::V2,
            &browser,
            SignInOptions::default(),
            &CancellationToken::new(),
            &|_| {},
        )
        .await
        .unwrap_err();
    assert!(
        !browser.opened(),
        "no consent page for a background service"
    );
    let e = err.explain();
    assert_eq!(e.kind, ErrorKind::ConsentRequired);
    assert!(e.fix.contains("'Grant admin consent for'"), "{}", e.fix);
    assert!(e.fix.contains("API permissions"), "{}", e.fix);
}

/// docs/microsoft.md §4: where users may not consent, a plain user's
/// sign-in that needs consent is refused with AADSTS90094; the fix hands
/// over to an administrator, who can grant consent for the organization.
#[tokio::test]
async fn where_users_cannot_consent_an_administrator_must_grant_it() {
    let _turn = TURN.lock().await;
    let mut world = World::demo();
    world.tenants[0].users_can_consent = false;
    world.apps[1].admin_consent = false;
    let mut jo = world.users[0].clone();
    jo.upn = format!("jo@{}", world.tenants[0].domains[0]);
    jo.admin = false;
    jo.password = "Jo-Plain-1".into();
    world.users.push(jo.clone());
    let s = sandbox(world).await;
    let connection = open(
        delegated(&s, Product::BusinessCentral, true),
        memory_store(),
        None,
    );
    let browser = RobotBrowser::as_user(&jo.upn, &jo.password, Choice::Accept);
    let err = connection
        .sign_in(
            &browser,
            SignInOptions::default(),
            &CancellationToken::new(),
            &|_| {},
        )
        .await
        .unwrap_err();
    browser.visit().await;
    let e = err.explain();
    assert_eq!(e.kind, ErrorKind::ConsentRequired, "{e:?}");
    assert!(
        e.fix.contains("administrator") && e.fix.contains("consent for the organization"),
        "{}",
        e.fix
    );

    // The administrator's admin consent (the Connect step's card) lets Jo in.
    let browser = RobotBrowser::new(Choice::Accept);
    connection
        .admin_consent(
            ConsentEndpoint::V2,
            &browser,
            SignInOptions::default(),
            &CancellationToken::new(),
            &|_| {},
        )
        .await
        .unwrap();
    browser.visit().await;
    let browser = RobotBrowser::as_user(&jo.upn, &jo.password, Choice::Accept);
    let result = connection
        .sign_in(
            &browser,
            SignInOptions::default(),
            &CancellationToken::new(),
            &|_| {},
        )
        .await;
    browser.visit().await;
    result.unwrap();
}
