#![allow(clippy::unwrap_used)] // helpers outside #[test] fns
//! The validation checks against the sandbox tenant: a healthy world passes
//! every check that applies, and each broken world fails the right check
//! with its fix and skips what depends on it.

mod common;

use common::*;
use d365_core::checks::{run, CheckResult, Status};
use d365_core::connection::Connection;
use d365_core::identity::sign_in::SignInOptions;
use d365_core::product::Product;
use d365_core::profiles::{Grant, Profile, Registration};
use d365_core::report::{Render, Report};
use d365_core::secret_expiry::SecretCredential;
use d365_core::secrets::Secret;
use d365_sandbox::robot::Choice;
use d365_sandbox::world::World;
use time::{Duration, OffsetDateTime};
use tokio_util::sync::CancellationToken;
use Status::*;

fn profile(s: &d365_sandbox::SandboxHandle, product: Product) -> Profile {
    Profile {
        name: "check-me".into(),
        product,
        cloud: cloud(s),
        tenant: tenant(s),
        client_id: demo_web_app().0,
        registration: Registration::BackgroundService,
        scopes: vec![],
        environment: Some(match product {
            Product::BusinessCentral => "Production".into(),
            Product::FinanceOperations => fno_url(s),
            Product::Dataverse => s.endpoints().dataverse_url.unwrap_or_default(),
        }),
        company: None,
        network: Default::default(),
        secret: Some(secret_expiring_in(365)),
        setup: None,
        customer: None,
        tags: vec![],
    }
}

/// The secret's expiry as the admin saved it, `days` from today (UTC).
fn secret_expiring_in(days: i64) -> SecretCredential {
    SecretCredential {
        key_id: Some(World::demo().apps[0].secrets[0].id.to_string()),
        hint: None,
        expires_on: OffsetDateTime::now_utc().date() + Duration::days(days),
    }
}

/// The demo world's confidential app, known before a test breaks it.
fn demo_web_app() -> (String, Secret) {
    let app = &World::demo().apps[0];
    (
        app.client_id.to_string(),
        Secret::new(app.secrets[0].value.clone()),
    )
}

fn open(profile: Profile, secret: Option<Secret>) -> Connection {
    Connection::open(profile, memory_store(), secret).unwrap()
}

async fn results_of(connection: &Connection) -> Vec<CheckResult> {
    let seen = std::sync::Mutex::new(0);
    let results = run(connection, &CancellationToken::new(), &|_| {
        *seen.lock().unwrap() += 1;
    })
    .await;
    assert_eq!(
        *seen.lock().unwrap(),
        results.len(),
        "each result is reported as it comes"
    );
    results
}

async fn check(profile: Profile, secret: Secret) -> Vec<CheckResult> {
    results_of(&open(profile, Some(secret))).await
}

fn statuses(results: &[CheckResult]) -> Vec<(&str, Status)> {
    results.iter().map(|r| (r.id.as_str(), r.status)).collect()
}

fn find<'r>(results: &'r [CheckResult], id: &str) -> &'r CheckResult {
    results
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no check '{id}' in {:?}", statuses(results)))
}

/// The first failing check is `id`, its fix says `fix_says`, and every
/// check after it is skipped.
fn fails_then_skips(results: &[CheckResult], id: &str, fix_says: &str) {
    let at = results.iter().position(|r| r.id == id).unwrap();
    assert!(
        results[..at].iter().all(|r| r.status != Fail),
        "{:?}",
        statuses(results)
    );
    let failed = &results[at];
    assert_eq!(failed.status, Fail, "{failed:?}");
    let fix = failed.fix.as_deref().unwrap_or_default();
    assert!(fix.contains(fix_says), "fix of {id}: {fix}");
    assert!(
        results[at + 1..].iter().all(|r| r.status == Skip),
        "{:?}",
        statuses(results)
    );
}

#[tokio::test]
async fn a_working_business_central_app_passes_every_check_that_applies() {
    let s = sandbox(World::demo()).await;
    let got = check(profile(&s, Product::BusinessCentral), web_app(&s).1).await;
    assert_eq!(
        statuses(&got),
        [
            ("tenant", Pass),
            ("client-id", Pass),
            ("secret", Pass),
            ("secret-expiry", Pass),
            ("app", Pass),
            ("token", Pass),
            ("consent", Pass),
            ("verdict", Pass),
            ("environments", Pass),
            ("in-product", Pass),
            ("companies", Pass),
            ("read", Pass),
            ("read-vendors", Pass),
            ("read-items", Pass),
            ("read-salesInvoices", Pass),
            ("read-generalLedgerEntries", Pass),
        ]
    );
    assert!(find(&got, "consent").detail.contains("API.ReadWrite.All"));
}

#[tokio::test]
async fn fno_has_no_environment_list_and_passes_the_rest() {
    let s = sandbox(World::demo()).await;
    let got = check(profile(&s, Product::FinanceOperations), web_app(&s).1).await;
    let ids: Vec<&str> = got.iter().map(|r| r.id.as_str()).collect();
    assert!(!ids.contains(&"environments") && !ids.contains(&"headroom"));
    // F&O has no application permissions: access is given inside F&O.
    assert_eq!(find(&got, "consent").status, Skip);
    assert!(
        got.iter().all(|r| r.id == "consent" || r.status == Pass),
        "{:?}",
        statuses(&got)
    );
}

/// docs/sandbox-fidelity.md §M6: Global Discovery refuses app-only tokens
/// (docs/microsoft.md §7), so the environment check says why it cannot
/// list them and everything else passes with the URL given.
#[tokio::test]
async fn an_app_only_dataverse_connection_skips_the_environment_list_and_passes() {
    let s = sandbox(World::demo()).await;
    let got = check(profile(&s, Product::Dataverse), web_app(&s).1).await;
    let environments = find(&got, "environments");
    assert_eq!(environments.status, Skip, "{environments:?}");
    assert!(environments.detail.contains("signed-in user"));
    assert!(
        got.iter()
            .all(|r| ["consent", "environments"].contains(&r.id.as_str()) || r.status == Pass),
        "{:?}",
        statuses(&got)
    );
}

#[tokio::test]
async fn dataverse_reports_the_service_protection_headroom() {
    let s = sandbox(World::demo()).await;
    let got = check(profile(&s, Product::Dataverse), web_app(&s).1).await;
    let headroom = find(&got, "headroom");
    assert_eq!(headroom.status, Pass, "{headroom:?}");
    assert!(
        headroom.detail.contains("of 6000 requests left"),
        "{}",
        headroom.detail
    );
}

#[tokio::test]
async fn an_unknown_tenant_fails_first_and_skips_everything_else() {
    let s = sandbox(World::demo()).await;
    let p = Profile {
        tenant: "nobody.onmicrosoft.com".into(),
        ..profile(&s, Product::BusinessCentral)
    };
    let got = check(p, web_app(&s).1).await;
    fails_then_skips(&got, "tenant", "tenant");
    assert!(got[1].detail.starts_with("Not checked because the tenant"));
}

#[tokio::test]
async fn a_tenant_id_or_a_product_id_given_as_client_id_is_named() {
    let s = sandbox(World::demo()).await;
    for (client_id, says) in [
        (tenant(&s), "Directory (tenant) ID"),
        (
            "996def3d-b36c-4153-8607-a6fd3c01b89f".to_string(),
            "Microsoft's own ID of Business Central",
        ),
        ("my-app".to_string(), ""),
    ] {
        let p = Profile {
            client_id,
            ..profile(&s, Product::BusinessCentral)
        };
        let got = check(p, web_app(&s).1).await;
        fails_then_skips(&got, "client-id", "Application (client) ID");
        assert!(find(&got, "client-id").detail.contains(says));
    }
}

#[tokio::test]
async fn a_secret_id_pasted_as_the_secret_is_caught_before_entra_is_asked() {
    let s = sandbox(World::demo()).await;
    let secret_id = Secret::new("9b0e7d35-2c4a-4e61-a8f3-1d5c7e9b3a02");
    let got = check(profile(&s, Product::BusinessCentral), secret_id).await;
    fails_then_skips(&got, "secret", "copy the Value column");
}

#[tokio::test]
async fn a_wrong_secret_fails_the_app_check() {
    let s = sandbox(World::demo()).await;
    let wrong = Secret::new("wrongQ~0123456789abcdefghijklmnopqrstuvw");
    let got = check(profile(&s, Product::BusinessCentral), wrong).await;
    assert_eq!(find(&got, "secret").status, Pass);
    fails_then_skips(&got, "app", "Value");
}

#[tokio::test]
async fn an_expired_secret_fails_the_app_check() {
    // Through the world file's own format, as a consultant would write it.
    let mut world = serde_json::to_value(World::demo()).unwrap();
    world["apps"][0]["secrets"][0]["expires"] = "2024-01-31T00:00:00Z".into();
    let s = sandbox(World::from_json(&world.to_string()).unwrap()).await;
    let got = check(profile(&s, Product::BusinessCentral), demo_web_app().1).await;
    fails_then_skips(&got, "app", "New client secret");
    assert!(find(&got, "app").detail.contains("expired"), "{got:?}");
}

#[tokio::test]
async fn a_secret_expiring_in_ten_days_warns_and_the_connection_still_passes() {
    let s = sandbox(World::demo()).await;
    let p = Profile {
        secret: Some(secret_expiring_in(10)),
        ..profile(&s, Product::BusinessCentral)
    };
    let got = check(p.clone(), web_app(&s).1).await;
    let expiry = find(&got, "secret-expiry");
    assert_eq!(expiry.status, Warn, "{expiry:?}");
    assert!(expiry.detail.contains("expires in 10 days"), "{expiry:?}");
    assert!(expiry
        .fix
        .as_deref()
        .unwrap()
        .starts_with("Replace the secret before"));
    assert!(
        got.iter()
            .all(|r| r.id == "secret-expiry" || r.status == Pass),
        "{:?}",
        statuses(&got)
    );
    assert!(Report::new(&p, got, std::time::SystemTime::now()).passed);
}

#[tokio::test]
async fn a_secret_past_its_saved_expiry_fails_before_entra_refuses_it() {
    let mut world = serde_json::to_value(World::demo()).unwrap();
    let yesterday = OffsetDateTime::now_utc() - Duration::days(1);
    world["apps"][0]["secrets"][0]["expires"] = yesterday
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
        .into();
    let s = sandbox(World::from_json(&world.to_string()).unwrap()).await;
    let p = Profile {
        secret: Some(secret_expiring_in(-1)),
        ..profile(&s, Product::BusinessCentral)
    };
    let got = check(p, demo_web_app().1).await;
    let first_failure = got.iter().find(|r| r.status == Fail).unwrap();
    assert_eq!(first_failure.id, "secret-expiry", "{:?}", statuses(&got));
    assert!(first_failure.detail.contains("expired yesterday"));
    assert!(first_failure
        .fix
        .as_deref()
        .unwrap()
        .contains("New client secret"));
    assert_eq!(find(&got, "app").status, Fail, "Entra refuses it too");
}

#[tokio::test]
async fn a_secret_without_a_saved_expiry_skips_that_check_only() {
    let s = sandbox(World::demo()).await;
    let p = Profile {
        secret: None,
        setup: None,
        ..profile(&s, Product::BusinessCentral)
    };
    let got = check(p, web_app(&s).1).await;
    assert_eq!(find(&got, "secret-expiry").status, Skip);
    assert_eq!(find(&got, "app").status, Pass, "{:?}", statuses(&got));
}

#[tokio::test]
async fn an_app_missing_from_the_tenant_fails_the_app_check() {
    let mut world = World::demo();
    world.apps.remove(0);
    let s = sandbox(world).await;
    let got = check(profile(&s, Product::BusinessCentral), demo_web_app().1).await;
    fails_then_skips(&got, "app", "Application (client) ID");
}

#[tokio::test]
async fn missing_admin_consent_fails_consent_and_the_verdict() {
    let mut world = World::demo();
    world.apps[0].admin_consent = false;
    let s = sandbox(world).await;
    let got = check(profile(&s, Product::BusinessCentral), web_app(&s).1).await;
    assert_eq!(find(&got, "token").status, Pass);
    let consent = find(&got, "consent");
    assert_eq!(consent.status, Fail, "{consent:?}");
    assert!(consent
        .fix
        .as_deref()
        .unwrap()
        .contains("Grant admin consent"));
    assert_eq!(find(&got, "verdict").status, Fail);
}

#[tokio::test]
async fn an_app_missing_inside_bc_fails_in_product_with_the_steps() {
    let mut world = World::demo();
    world.apps[0].registered_in_product.clear();
    let s = sandbox(world).await;
    let p = profile(&s, Product::BusinessCentral);
    let got = check(p.clone(), web_app(&s).1).await;
    fails_then_skips(&got, "in-product", "Microsoft Entra Applications");

    let report = Report::new(&p, got, std::time::SystemTime::now());
    assert!(!report.passed);
    let md = report.to_markdown();
    assert!(
        md.contains("| Fail | The app is registered inside Business Central |"),
        "{md}"
    );
    assert!(
        !md.contains(web_app(&s).1.expose()),
        "no secret in the report"
    );
}

#[tokio::test]
async fn an_app_missing_inside_fno_fails_in_product_with_the_fno_page() {
    let mut world = World::demo();
    world.apps[0].registered_in_product.clear();
    let s = sandbox(world).await;
    let got = check(profile(&s, Product::FinanceOperations), web_app(&s).1).await;
    fails_then_skips(
        &got,
        "in-product",
        "System administration › Setup › Microsoft Entra applications",
    );
}

#[tokio::test]
async fn an_unknown_environment_fails_with_the_ones_there_are() {
    let s = sandbox(World::demo()).await;
    let p = Profile {
        environment: Some("Sandbox2".into()),
        ..profile(&s, Product::BusinessCentral)
    };
    let got = check(p, web_app(&s).1).await;
    fails_then_skips(&got, "environments", "Production");
    assert!(find(&got, "environments").detail.contains("'Sandbox2'"));
}

fn delegated_public(s: &d365_sandbox::SandboxHandle) -> Profile {
    Profile {
        client_id: public_app(s),
        registration: Registration::SignInWithoutSecret,
        scopes: d365_core::identity::scopes::default_permissions(
            Product::BusinessCentral,
            Grant::Delegated,
        ),
        ..profile(s, Product::BusinessCentral)
    }
}

#[tokio::test]
async fn a_signed_in_public_client_passes_and_its_redirect_uri_is_checked() {
    let _turn = TURN.lock().await;
    let s = sandbox(World::demo()).await;
    let connection = open(delegated_public(&s), None);
    let browser = RobotBrowser::new(Choice::Accept);
    connection
        .sign_in(
            &browser,
            SignInOptions::default(),
            &CancellationToken::new(),
            &|_| {},
        )
        .await
        .unwrap();
    browser.visit().await;
    let got = results_of(&connection).await;
    let ids: Vec<&str> = got.iter().map(|r| r.id.as_str()).collect();
    assert!(["secret", "secret-expiry", "app", "in-product"]
        .iter()
        .all(|id| !ids.contains(id)));
    assert!(got.iter().all(|r| r.status == Pass), "{:?}", statuses(&got));
    assert!(find(&got, "consent")
        .detail
        .contains("Financials.ReadWrite.All"));
}

#[tokio::test]
async fn a_redirect_uri_that_is_not_registered_is_found_without_signing_in() {
    let mut world = World::demo();
    world.apps[1].redirect_uris.mobile_and_desktop = vec!["http://localhost/elsewhere".into()];
    let s = sandbox(world).await;
    let got = results_of(&open(delegated_public(&s), None)).await;
    let redirect = find(&got, "redirect-uri");
    assert_eq!(redirect.status, Fail, "{redirect:?}");
    assert!(
        redirect.details.as_deref().unwrap().contains("AADSTS50011"),
        "{redirect:?}"
    );
    fails_then_skips(&got, "redirect-uri", "redirect URI");
}

/// docs/sandbox-fidelity.md §H1: Dataverse refuses an app with no
/// application user (403 0x80072560); the in-product check says where to
/// add one.
#[tokio::test]
async fn a_dataverse_app_without_an_application_user_fails_in_product() {
    let mut world = World::demo();
    world.apps[0].registered_in_product.clear();
    let s = sandbox(world).await;
    let got = check(profile(&s, Product::Dataverse), web_app(&s).1).await;
    fails_then_skips(&got, "in-product", "Application users");
    let failed = find(&got, "in-product");
    assert!(failed
        .title
        .starts_with("The app has an application user in Dataverse"));
    let fix = failed.fix.as_deref().unwrap();
    assert!(
        fix.contains("+ New app user") && fix.contains("security role"),
        "{fix}"
    );
    assert!(failed.details.as_deref().unwrap().contains("0x80072560"));
}

#[tokio::test]
async fn a_dataverse_app_with_an_application_user_passes_in_product() {
    let s = sandbox(World::demo()).await;
    let got = check(profile(&s, Product::Dataverse), web_app(&s).1).await;
    assert_eq!(
        find(&got, "in-product").status,
        Pass,
        "{:?}",
        statuses(&got)
    );
}

/// docs/sandbox-fidelity.md §H2: without admin consent BC refuses the
/// token; the checks say "grant admin consent", not "register inside BC".
#[tokio::test]
async fn missing_admin_consent_is_not_blamed_on_the_bc_registration() {
    let mut world = World::demo();
    world.apps[0].admin_consent = false;
    let s = sandbox(world).await;
    let got = check(profile(&s, Product::BusinessCentral), web_app(&s).1).await;
    assert_eq!(find(&got, "consent").status, Fail);
    let in_product = find(&got, "in-product");
    assert_ne!(in_product.status, Fail, "{in_product:?}");
    assert!(
        !in_product
            .fix
            .as_deref()
            .unwrap_or_default()
            .contains("Microsoft Entra Applications"),
        "{in_product:?}"
    );
    let companies = find(&got, "companies");
    assert_eq!(companies.status, Fail, "{:?}", statuses(&got));
    let fix = companies.fix.as_deref().unwrap();
    assert!(fix.contains("Grant admin consent"), "{fix}");
    assert!(!fix.contains("Microsoft Entra Applications"), "{fix}");
}

/// docs/sandbox-fidelity.md §H3: a registered app without a permission set
/// that reads data is refused with BC's 400 permission message.
#[tokio::test]
async fn a_bc_app_without_a_reading_permission_set_fails_the_read() {
    let s = sandbox(World::demo()).await;
    s.set_bc_permission_sets(&web_app(&s).0, &["D365 AUTOMATION"]);
    let got = check(profile(&s, Product::BusinessCentral), web_app(&s).1).await;
    assert_eq!(find(&got, "in-product").status, Pass);
    assert_eq!(find(&got, "companies").status, Pass);
    fails_then_skips(&got, "read", "D365 READ");
    let fix = find(&got, "read").fix.clone().unwrap();
    assert!(fix.contains("Microsoft Entra Applications page"), "{fix}");
    assert!(!fix.contains("filter"), "{fix}");
}
