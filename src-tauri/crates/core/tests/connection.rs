//! A saved connection opened the way the GUI and the CLI open it.

mod common;

use common::*;
use d365_core::connection::Connection;
use d365_core::dynamics::odata::unseen;
use d365_core::problem::{ErrorKind, Explain};
use d365_core::product::Product;
use d365_core::profiles::{Profile, Registration};
use d365_core::secrets::{SecretKey, SecretKind};
use d365_sandbox::world::World;
use tokio_util::sync::CancellationToken;

fn bc_s2s(s: &d365_sandbox::SandboxHandle) -> Profile {
    Profile {
        name: "cronus-bc".into(),
        product: Product::BusinessCentral,
        cloud: cloud(s),
        tenant: tenant(s),
        client_id: web_app(s).0,
        registration: Registration::BackgroundService,
        scopes: vec![],
        environment: Some("Production".into()),
        company: None,
        network: Default::default(),
        secret: None,
        setup: None,
        customer: None,
        tags: vec![],
    }
}

#[tokio::test]
async fn a_saved_app_connection_lists_environments_and_companies_with_the_keychain_secret() {
    let s = sandbox(World::demo()).await;
    let store = memory_store();
    let profile = bc_s2s(&s);
    store
        .set(
            &SecretKey::new(&profile.name, SecretKind::ClientSecret),
            &web_app(&s).1,
        )
        .unwrap();
    let connection = Connection::open(profile, store, None).unwrap();
    let cancel = CancellationToken::new();
    let environments = connection.environments(&cancel, &unseen).await.unwrap();
    assert_eq!(environments.len(), 1);
    let companies = connection.companies(&cancel, &unseen).await.unwrap();
    assert_eq!(companies.len(), 2);
    // One token served both calls.
    assert!(connection.data_tokens().unwrap().current().await.is_some());
}

/// A company named by a pasted service address (`ODataV4/Company('…')`,
/// docs/microsoft.md §5) is settled to the ID every read needs; a name
/// that is not exactly one of the environment's is refused with the ones
/// there are (BC's company names are case-sensitive).
#[tokio::test]
async fn a_company_saved_by_name_is_settled_to_its_id() {
    let s = sandbox(World::demo()).await;
    let cancel = CancellationToken::new();
    let named = |company: &str| {
        let profile = Profile {
            company: Some(company.into()),
            ..bc_s2s(&s)
        };
        Connection::open(profile, memory_store(), Some(web_app(&s).1)).unwrap()
    };
    let mut connection = named("CRONUS USA, Inc.");
    let settled = connection.settle_company(&cancel, &unseen).await.unwrap();
    let company = settled.unwrap();
    assert_eq!(company.name, "CRONUS USA, Inc.");
    assert_eq!(
        connection.profile().company.as_deref(),
        Some(company.id.as_str())
    );
    assert!(
        connection
            .settle_company(&cancel, &unseen)
            .await
            .unwrap()
            .is_none(),
        "an ID needs no settling"
    );
    let url = connection
        .entity_set_url("customers", &Default::default(), None)
        .unwrap();
    assert!(
        url.path().contains(&format!("companies({})", company.id)),
        "{url}"
    );

    let mut wrong = named("cronus usa, inc.");
    let error = wrong
        .settle_company(&cancel, &unseen)
        .await
        .unwrap_err()
        .explain();
    assert_eq!(error.kind, ErrorKind::CompanyRequired);
    assert!(
        error.message.contains("“cronus usa, inc.”"),
        "{}",
        error.message
    );
    assert!(
        error.fix.contains("CRONUS USA, Inc., My Company"),
        "{}",
        error.fix
    );
}

#[tokio::test]
async fn a_confidential_connection_without_a_saved_secret_says_so() {
    let s = sandbox(World::demo()).await;
    let err = Connection::open(bc_s2s(&s), memory_store(), None)
        .err()
        .unwrap();
    assert_eq!(err.explain().kind, ErrorKind::SecretNotFound);
}

#[tokio::test]
async fn fno_without_an_environment_url_cannot_get_a_token() {
    let s = sandbox(World::demo()).await;
    let profile = Profile {
        product: Product::FinanceOperations,
        environment: None,
        ..bc_s2s(&s)
    };
    let connection = Connection::open(profile, memory_store(), Some(web_app(&s).1)).unwrap();
    let err = connection.data().err().unwrap();
    assert_eq!(err.explain().kind, ErrorKind::InvalidInput);
}

#[tokio::test]
async fn the_profile_decides_whether_a_dropped_connection_is_tried_again() {
    let s = sandbox(World::demo()).await;
    let drop_once = || {
        let rule = serde_json::json!([
            { "route": "/bc/v2.0/**/companies", "fault": { "kind": "drop" }, "when": { "first": 1 } }
        ]);
        s.faults().set(serde_json::from_value(rule).unwrap());
    };
    let cancel = CancellationToken::new();
    for retry_failed in [true, false] {
        drop_once();
        let mut profile = bc_s2s(&s);
        profile.network.retry_failed = retry_failed;
        let connection = Connection::open(profile, memory_store(), Some(web_app(&s).1)).unwrap();
        let listed = connection.companies(&cancel, &unseen).await;
        match retry_failed {
            true => assert_eq!(listed.unwrap().len(), 2),
            false => assert_eq!(listed.unwrap_err().explain().kind, ErrorKind::Network),
        }
    }
}

/// docs/sandbox-fidelity.md §M6: Global Discovery lists a signed-in user's
/// environments only (docs/microsoft.md §7), so an app-only Dataverse
/// connection lists the environment URL it was given, and without one
/// says the URL must be entered.
#[tokio::test]
async fn an_app_only_dataverse_connection_lists_its_own_url_without_global_discovery() {
    let s = sandbox(World::demo()).await;
    let cancel = CancellationToken::new();
    let dv = s.endpoints().dataverse_url.unwrap();
    let mut profile = app_connection(&s, Product::Dataverse).profile().clone();
    let connection =
        Connection::open(profile.clone(), memory_store(), Some(web_app(&s).1)).unwrap();
    let environments = connection.environments(&cancel, &unseen).await.unwrap();
    let ids: Vec<&str> = environments.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, [dv.as_str()]);

    profile.environment = None;
    let connection = Connection::open(profile, memory_store(), Some(web_app(&s).1)).unwrap();
    let err = connection
        .environments(&cancel, &unseen)
        .await
        .unwrap_err()
        .explain();
    assert_eq!(err.kind, ErrorKind::InvalidInput, "{err:?}");
    assert_eq!(err.setting, Some(d365_core::problem::Setting::Environment));
    assert!(err.fix.contains("environment URL"), "{}", err.fix);
}
