//! A saved connection opened the way the GUI and the CLI open it.

mod common;

use common::*;
use d365_core::connection::{ConnectOptions, Connection};
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
    let connection = Connection::open(profile, store, None, ConnectOptions::default()).unwrap();
    let cancel = CancellationToken::new();
    let environments = connection.environments(&cancel, &unseen).await.unwrap();
    assert_eq!(environments.len(), 1);
    let companies = connection.companies(&cancel, &unseen).await.unwrap();
    assert_eq!(companies.len(), 2);
    // One token served both calls.
    assert!(connection.data_tokens().unwrap().current().await.is_some());
}

#[tokio::test]
async fn a_confidential_connection_without_a_saved_secret_says_so() {
    let s = sandbox(World::demo()).await;
    let err = Connection::open(bc_s2s(&s), memory_store(), None, ConnectOptions::default())
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
    let connection = Connection::open(
        profile,
        memory_store(),
        Some(web_app(&s).1),
        ConnectOptions::default(),
    )
    .unwrap();
    let err = connection.data().err().unwrap();
    assert_eq!(err.explain().kind, ErrorKind::InvalidInput);
}
