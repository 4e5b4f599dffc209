#![allow(clippy::unwrap_used)] // helpers outside #[test] fns
//! The validation checks against the sandbox tenant, passing and failing
//! for real causes, and the report built from them.

mod common;

use common::*;
use d365_core::checks::{run, Status};
use d365_core::connection::{ConnectOptions, Connection};
use d365_core::product::Product;
use d365_core::profiles::{ClientType, Grant, Profile};
use d365_core::report::Report;
use d365_core::secrets::Secret;
use d365_sandbox::world::World;
use tokio_util::sync::CancellationToken;

fn profile(s: &d365_sandbox::SandboxHandle, product: Product) -> Profile {
    Profile {
        name: "check-me".into(),
        product,
        cloud: cloud(s),
        tenant: tenant(s),
        client_id: web_app(s).0,
        grant: Grant::ClientCredentials,
        client_type: ClientType::Confidential,
        scopes: vec![],
        environment: Some(match product {
            Product::BusinessCentral => "Production".into(),
            Product::FinanceOperations => fno_url(s),
            Product::Dataverse => s.endpoints().dataverse_url.unwrap_or_default(),
        }),
        company: None,
    }
}

async fn statuses(profile: Profile, secret: Secret) -> Vec<(String, Status)> {
    let connection = Connection::open(
        profile,
        memory_store(),
        Some(secret),
        ConnectOptions::default(),
    )
    .unwrap();
    let seen = std::sync::Mutex::new(0);
    let results = run(&connection, &CancellationToken::new(), &|_| {
        *seen.lock().unwrap() += 1;
    })
    .await;
    assert_eq!(
        *seen.lock().unwrap(),
        results.len(),
        "each result is reported as it comes"
    );
    results.into_iter().map(|r| (r.id, r.status)).collect()
}

fn ids(statuses: &[(String, Status)]) -> Vec<Status> {
    statuses.iter().map(|(_, s)| *s).collect()
}

#[tokio::test]
async fn a_working_business_central_app_passes_every_check() {
    let s = sandbox(World::demo()).await;
    let got = statuses(profile(&s, Product::BusinessCentral), web_app(&s).1).await;
    assert_eq!(ids(&got), [Status::Pass; 10], "{got:?}");
    // The key entities beyond the first are probed one by one.
    let probed: Vec<&str> = got
        .iter()
        .map(|(id, _)| id.as_str())
        .filter(|id| id.starts_with("read-"))
        .collect();
    assert_eq!(
        probed,
        [
            "read-vendors",
            "read-items",
            "read-salesInvoices",
            "read-generalLedgerEntries"
        ]
    );
}

#[tokio::test]
async fn fno_skips_the_environment_list_and_passes_the_rest() {
    let s = sandbox(World::demo()).await;
    let got = statuses(profile(&s, Product::FinanceOperations), web_app(&s).1).await;
    use Status::*;
    assert_eq!(
        ids(&got),
        [Pass, Pass, Pass, Skip, Pass, Pass, Pass, Pass],
        "{got:?}"
    );
}

#[tokio::test]
async fn an_app_missing_inside_bc_fails_at_companies_and_skips_the_read() {
    let mut world = World::demo();
    world.apps[0].registered_in_product.clear();
    let s = sandbox(world).await;
    let p = profile(&s, Product::BusinessCentral);
    let connection = Connection::open(
        p.clone(),
        memory_store(),
        Some(web_app(&s).1),
        ConnectOptions::default(),
    )
    .unwrap();
    let results = run(&connection, &CancellationToken::new(), &|_| {}).await;
    use Status::*;
    let got: Vec<Status> = results.iter().map(|r| r.status).collect();
    assert_eq!(got[..2], [Pass, Pass]);
    let companies = results.iter().find(|r| r.id == "companies").unwrap();
    assert_eq!(companies.status, Fail);
    assert!(companies
        .fix
        .as_deref()
        .unwrap()
        .contains("Microsoft Entra Applications"));
    assert_eq!(results.last().unwrap().status, Skip);

    let report = Report::new(&p, results, std::time::SystemTime::now());
    assert!(!report.passed);
    let md = report.to_markdown();
    assert!(
        md.contains("| Fail | The environment answers and lists its companies |"),
        "{md}"
    );
    assert!(
        !md.contains(&web_app(&s).1.expose().to_string()),
        "no secret in the report"
    );
}

#[tokio::test]
async fn an_unknown_tenant_fails_first_and_skips_everything_else() {
    let s = sandbox(World::demo()).await;
    let p = Profile {
        tenant: "nobody.onmicrosoft.com".into(),
        ..profile(&s, Product::BusinessCentral)
    };
    let got = statuses(p, web_app(&s).1).await;
    assert_eq!(got[0].1, Status::Fail);
    assert!(got[1..].iter().all(|(_, s)| *s == Status::Skip), "{got:?}");
}

#[tokio::test]
async fn a_wrong_secret_fails_the_token_check() {
    let s = sandbox(World::demo()).await;
    let got = statuses(profile(&s, Product::BusinessCentral), Secret::new("wrong")).await;
    assert_eq!(got[0].1, Status::Pass);
    assert_eq!(got[1].1, Status::Fail);
    assert!(got[2..].iter().all(|(_, s)| *s == Status::Skip));
}
