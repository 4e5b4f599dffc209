//! "Set it up for me" against the sandbox tenant (docs/microsoft.md §9–§11):
//! an administrator signs in once through the robot, setup registers the
//! app through Graph, and the saved connection then passes its checks.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use d365_core::checks::{run, Status};
use d365_core::connection::Connection;
use d365_core::identity::flow::EntraClient;
use d365_core::identity::sign_in::SignInOptions;
use d365_core::problem::ErrorKind;
use d365_core::product::Product;
use d365_core::profiles::{ProfileStore, Registration};
use d365_core::saved_connections::SavedConnections;
use d365_core::secrets::{SecretKey, SecretKind, SecretStore};
use d365_core::setup::admin::{AdminSession, GRAPH_COMMAND_LINE_TOOLS};
use d365_core::setup::connection::{register_and_save, SetupForm};
use d365_core::setup::graph::Graph;
use d365_core::setup::patience::Patience;
use d365_core::setup::plan::default_display_name;
use d365_core::setup::product_side::{as_administrator, dataverse, fno, ProductApi};
use d365_core::setup::progress::{SetupEvent, StepState};
use d365_core::setup::register::SecretLifetime;
use d365_core::setup::renew::{renew_secret, Renewal};
use d365_core::UserError;
use d365_sandbox::resources::Resource;
use d365_sandbox::robot::Choice;
use d365_sandbox::world::World;
use d365_sandbox::SandboxHandle;
use tokio_util::sync::CancellationToken;

/// Quick waits: the sandbox's replication delay is a second or two.
fn patience() -> Patience {
    Patience::doubling(Duration::from_millis(250), Duration::from_secs(1), 20)
}

struct Setup {
    connections: SavedConnections,
    secrets: Arc<SecretStore>,
    _dir: tempfile::TempDir,
    events: Arc<Mutex<Vec<SetupEvent>>>,
}

impl Setup {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let secrets = memory_store();
        Self {
            connections: SavedConnections::new(ProfileStore::at(dir.path()), secrets.clone()),
            secrets,
            _dir: dir,
            events: Arc::default(),
        }
    }

    fn waits(&self) -> usize {
        let events = self.events.lock().unwrap();
        events
            .iter()
            .filter(|e| e.state == StepState::Waiting)
            .count()
    }
}

fn form(s: &SandboxHandle, name: &str, product: Product, registration: Registration) -> SetupForm {
    let environment = match product {
        Product::BusinessCentral => "Production".to_string(),
        Product::FinanceOperations => fno_url(s),
        Product::Dataverse => s.endpoints().dataverse_url.unwrap(),
    };
    SetupForm {
        name: name.into(),
        product,
        cloud: cloud(s),
        tenant: tenant(s),
        registration,
        app_name: default_display_name(product, registration),
        secret_lifetime: SecretLifetime::Months12,
        environment: Some(environment),
        company: None,
    }
}

async fn admin_session(
    s: &SandboxHandle,
    browser: &RobotBrowser,
) -> Result<AdminSession, UserError> {
    let http = d365_core::http::client(Default::default()).unwrap();
    Ok(AdminSession::sign_in(
        http,
        &cloud(s),
        &tenant(s),
        GRAPH_COMMAND_LINE_TOOLS,
        browser,
        SignInOptions::default(),
        &CancellationToken::new(),
        &|_| {},
    )
    .await?)
}

fn graph(s: &SandboxHandle, session: &AdminSession) -> Graph {
    let http = d365_core::http::client(Default::default()).unwrap();
    session.graph(http, &cloud(s)).unwrap()
}

/// A fresh connection store and the demo administrator signed in for
/// setup, with Entra replicating at once.
async fn administrator(s: &SandboxHandle) -> (Setup, RobotBrowser, AdminSession) {
    s.set_replication_delay(Duration::ZERO);
    let browser = RobotBrowser::new(Choice::AcceptForOrganization);
    let session = admin_session(s, &browser).await.unwrap();
    (Setup::new(), browser, session)
}

async fn set_up(
    s: &SandboxHandle,
    setup: &Setup,
    session: &AdminSession,
    form: &SetupForm,
) -> Result<
    (
        d365_core::profiles::Profile,
        d365_core::setup::connection::SetupSummary,
    ),
    UserError,
> {
    let events = setup.events.clone();
    let on_event = move |e: SetupEvent| events.lock().unwrap().push(e);
    register_and_save(
        &setup.connections,
        &graph(s, session),
        form,
        &patience(),
        &on_event,
    )
    .await
}

async fn checks_pass(setup: &Setup, name: &str) {
    let profile = setup.connections.load(name).unwrap();
    let secret = setup
        .secrets
        .get(&SecretKey::new(name, SecretKind::ClientSecret))
        .ok();
    let connection = Connection::open(profile, memory_store(), secret).unwrap();
    let results = run(&connection, &CancellationToken::new(), &|_| {}).await;
    let failed: Vec<_> = results
        .iter()
        .filter(|r| r.status == Status::Fail)
        .map(|r| format!("{}: {} {:?}", r.id, r.detail, r.details))
        .collect();
    assert!(failed.is_empty(), "checks failed: {failed:#?}");
}

#[tokio::test]
async fn business_central_background_service_from_sign_in_to_passing_checks() {
    let _turn = TURN.lock().await;
    let s = sandbox(World::demo()).await;
    s.set_replication_delay(Duration::from_secs(1));
    let setup = Setup::new();
    let browser = RobotBrowser::new(Choice::AcceptForOrganization);
    let session = admin_session(&s, &browser).await.unwrap();
    let form = form(
        &s,
        "bc-service",
        Product::BusinessCentral,
        Registration::BackgroundService,
    );
    let (profile, summary) = set_up(&s, &setup, &session, &form).await.unwrap();

    assert!(!summary.reused);
    assert_eq!(summary.roles, ["API.ReadWrite.All"]);
    assert!(
        setup.waits() > 0,
        "Entra's replication delay shows as waiting"
    );
    let record = profile.setup.as_ref().unwrap();
    assert_eq!(record.object_id, summary.object_id);
    let credential = profile.secret.as_ref().unwrap();
    assert!(credential.key_id.is_some());
    let days = credential.expiry_today().days_left;
    assert!(
        (360..=367).contains(&days),
        "a 12-month secret: {days} days"
    );

    // The app's own token carries the role granted through Graph.
    let secret = setup
        .secrets
        .get(&SecretKey::new("bc-service", SecretKind::ClientSecret))
        .unwrap();
    let http = d365_core::http::client(Default::default()).unwrap();
    let app = EntraClient::new(
        http,
        &cloud(&s),
        &tenant(&s),
        &summary.client_id,
        Some(&secret),
    )
    .unwrap();
    let token = app
        .client_credentials(&["https://api.businesscentral.dynamics.com/.default".into()])
        .await
        .unwrap();
    let claims = s
        .verify_access_token(
            token.access_token.expose(),
            "https://api.businesscentral.dynamics.com",
        )
        .unwrap();
    assert!(
        format!("{claims:?}").contains("API.ReadWrite.All"),
        "{claims:?}"
    );

    // Business Central has no API for its Entra applications page: the
    // admin adds the app there, then the checks pass.
    let client_id = uuid::Uuid::parse_str(&summary.client_id).unwrap();
    s.register_in_product(client_id, Resource::BusinessCentral);
    checks_pass(&setup, "bc-service").await;
}

#[tokio::test]
async fn a_rerun_completes_the_same_app_and_keeps_its_secret() {
    let _turn = TURN.lock().await;
    let s = sandbox(World::demo()).await;
    let (setup, _browser, session) = administrator(&s).await;
    let form = form(
        &s,
        "people",
        Product::BusinessCentral,
        Registration::SignInWithSecret,
    );
    let (first, _) = set_up(&s, &setup, &session, &form).await.unwrap();
    let (second, summary) = set_up(&s, &setup, &session, &form).await.unwrap();

    assert!(summary.reused, "found by the saved object ID");
    assert_eq!(first.client_id, second.client_id);
    assert_eq!(
        first.secret, second.secret,
        "the keychain's secret is still listed, so kept"
    );
    let named = s
        .app_registrations()
        .into_iter()
        .filter(|a| a.display_name == form.app_name)
        .count();
    assert_eq!(named, 1, "no duplicate app");

    // A connection saved elsewhere (no object ID) still finds it by name.
    let elsewhere = Setup::new();
    let (_, again) = set_up(&s, &elsewhere, &session, &form).await.unwrap();
    assert!(again.reused);
    assert_eq!(again.client_id, first.client_id);
}

/// A second connection set up moments after the first finds the app by
/// name while Entra has not yet copied its service principal everywhere:
/// the read misses it and creating it again is refused as "already in
/// use" (what CI met once). Setup waits for the copy instead of failing.
#[tokio::test]
async fn a_rerun_moments_later_waits_for_the_service_principal_to_show() {
    let _turn = TURN.lock().await;
    let s = sandbox(World::demo()).await;
    let (setup, _browser, session) = administrator(&s).await;
    s.set_replication_delay(Duration::from_secs(3));
    let first = form(
        &s,
        "first",
        Product::FinanceOperations,
        Registration::BackgroundService,
    );
    let (made, _) = set_up(&s, &setup, &session, &first).await.unwrap();
    let elsewhere = Setup::new();
    let second = SetupForm {
        name: "second".into(),
        ..first
    };
    let (found, summary) = set_up(&s, &elsewhere, &session, &second).await.unwrap();

    assert!(summary.reused, "the same app, found by name");
    assert_eq!(made.client_id, found.client_id);
    assert!(
        elsewhere.waits() > 0,
        "the service principal was still being copied, and setup waited"
    );
}

#[tokio::test]
async fn someone_without_the_role_is_stopped_before_anything_is_made() {
    let _turn = TURN.lock().await;
    let s = sandbox(World::demo()).await;
    s.set_replication_delay(Duration::ZERO);
    // Without consent for the organization, Entra wants an administrator.
    let clerk = RobotBrowser::as_user(
        "clerk@cronus-demo.onmicrosoft.com",
        "Cronus-Clerk-1",
        Choice::Accept,
    );
    let refused = admin_session(&s, &clerk).await.err().unwrap();
    assert_eq!(refused.kind, ErrorKind::ConsentRequired, "{refused:?}");

    // After an administrator consented for everyone, the clerk signs in,
    // and Graph shows no role that may register and consent.
    let admin = RobotBrowser::new(Choice::AcceptForOrganization);
    admin_session(&s, &admin).await.unwrap();
    let clerk = RobotBrowser::as_user(
        "clerk@cronus-demo.onmicrosoft.com",
        "Cronus-Clerk-1",
        Choice::Accept,
    );
    let session = admin_session(&s, &clerk).await.unwrap();
    let before = s.app_registrations().len();
    let setup = Setup::new();
    let form = form(
        &s,
        "clerk",
        Product::BusinessCentral,
        Registration::BackgroundService,
    );
    let error = set_up(&s, &setup, &session, &form).await.err().unwrap();
    assert_eq!(error.kind, ErrorKind::AdministratorRequired);
    assert!(
        error.fix.contains("Cloud Application Administrator"),
        "{}",
        error.fix
    );
    assert_eq!(s.app_registrations().len(), before, "nothing half-made");
    assert!(setup.connections.load("clerk").is_err());
}

/// A background service for `product` set up by the demo administrator,
/// with the product's API as that administrator, for the product side.
async fn product_side(
    s: &SandboxHandle,
    name: &str,
    product: Product,
) -> (Setup, String, String, ProductApi) {
    let (setup, browser, mut session) = administrator(s).await;
    let form = form(s, name, product, Registration::BackgroundService);
    let (profile, summary) = set_up(s, &setup, &session, &form).await.unwrap();
    let environment = profile.environment.clone().unwrap();
    let http = d365_core::http::client(Default::default()).unwrap();
    let api = as_administrator(
        &mut session,
        http,
        product,
        &environment,
        &browser,
        SignInOptions::default(),
        &CancellationToken::new(),
        &|_| {},
    )
    .await
    .unwrap();
    (setup, environment, summary.client_id, api)
}

#[tokio::test]
async fn dataverse_background_service_gets_its_application_user_and_role() {
    let _turn = TURN.lock().await;
    let s = sandbox(World::demo()).await;
    let (setup, environment, client_id, api) =
        product_side(&s, "dv-service", Product::Dataverse).await;
    let roles = dataverse::security_roles(&api, &environment).await.unwrap();
    assert_eq!(
        roles[0].name, "Service Reader",
        "the least privileged reader first"
    );
    assert!(roles
        .iter()
        .all(|r| !(r.suggested && r.name == "System Administrator")));
    let user = dataverse::ensure_application_user(&api, &environment, &client_id, &roles[0].id)
        .await
        .unwrap();
    assert!(user.created);
    let again = dataverse::ensure_application_user(&api, &environment, &client_id, &roles[0].id)
        .await
        .unwrap();
    assert_eq!(
        again,
        d365_core::setup::product_side::dataverse::ApplicationUser {
            created: false,
            ..user
        }
    );
    checks_pass(&setup, "dv-service").await;
}

#[tokio::test]
async fn fno_background_service_is_added_to_its_entra_applications_page() {
    let _turn = TURN.lock().await;
    let s = sandbox(World::demo()).await;
    let (setup, environment, client_id, api) =
        product_side(&s, "fno-service", Product::FinanceOperations).await;
    assert!(fno::has_entra_applications_entity(&api, &environment)
        .await
        .unwrap());
    let users = fno::users(&api, &environment).await.unwrap();
    assert!(users.iter().any(|u| u.id == "Integration"), "{users:?}");
    let mapped = fno::ensure_entra_application(
        &api,
        &environment,
        &client_id,
        "Contoso connector",
        "Integration",
    )
    .await
    .unwrap();
    assert_eq!(mapped, "Integration");
    checks_pass(&setup, "fno-service").await;

    s.set_fno_sysaadclients(false);
    assert!(
        !fno::has_entra_applications_entity(&api, &environment)
            .await
            .unwrap(),
        "then the guided step"
    );
}

#[tokio::test]
async fn a_renewed_secret_works_and_the_old_one_is_removed() {
    let _turn = TURN.lock().await;
    let s = sandbox(World::demo()).await;
    let (setup, _browser, session) = administrator(&s).await;
    let form = form(
        &s,
        "renew",
        Product::BusinessCentral,
        Registration::BackgroundService,
    );
    let (profile, _) = set_up(&s, &setup, &session, &form).await.unwrap();
    let key = SecretKey::new("renew", SecretKind::ClientSecret);
    let old = setup.secrets.get(&key).unwrap();

    let http = d365_core::http::client(Default::default()).unwrap();
    let renewed = renew_secret(
        &setup.connections,
        &graph(&s, &session),
        http.clone(),
        Renewal {
            profile: &profile,
            lifetime: SecretLifetime::Months6,
        },
        &patience(),
        &|_| {},
    )
    .await
    .unwrap();
    let old_key = profile.secret.as_ref().unwrap().key_id.clone();
    assert_eq!(renewed.removed, old_key);
    let saved = setup.connections.load("renew").unwrap();
    assert_eq!(saved, renewed.profile, "what was saved is what is returned");
    assert_eq!(
        saved.secret.as_ref().unwrap().key_id.as_deref(),
        Some(renewed.credential.key_id.as_str())
    );
    let new = setup.secrets.get(&key).unwrap();
    assert_ne!(new.expose(), old.expose());

    let token = |secret| {
        let client = EntraClient::new(
            http.clone(),
            &cloud(&s),
            &tenant(&s),
            &profile.client_id,
            Some(secret),
        )
        .unwrap();
        async move {
            client
                .client_credentials(&["https://api.businesscentral.dynamics.com/.default".into()])
                .await
        }
    };
    assert!(token(&new).await.is_ok());
    let refused = token(&old).await.err().unwrap();
    assert_eq!(
        d365_core::problem::Explain::kind(&refused),
        ErrorKind::InvalidSecret
    );

    // A connection that signs people in without a secret has none to
    // replace: refused before Entra is asked for anything.
    let public = d365_core::profiles::Profile {
        registration: Registration::SignInWithoutSecret,
        ..saved
    };
    let refused = renew_secret(
        &setup.connections,
        &graph(&s, &session),
        http,
        Renewal {
            profile: &public,
            lifetime: SecretLifetime::Months6,
        },
        &patience(),
        &|_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidInput);
    assert_eq!(
        s.app_registrations()
            .into_iter()
            .find(|a| a.client_id.to_string() == public.client_id)
            .unwrap()
            .secrets
            .len(),
        1,
        "no secret was added"
    );
}
