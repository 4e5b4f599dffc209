//! Server-to-server tokens against the sandbox tenant: the right audience
//! and roles, the token cache, and Entra's secret errors explained.

mod common;

use common::*;
use d365_core::identity::claims;
use d365_core::identity::cloud::{Cloud, CustomCloud};
use d365_core::identity::token_cache::TokenCache;
use d365_core::problem::{ErrorKind, Explain};
use d365_core::product::Product;
use d365_core::profiles::Grant;
use d365_core::secrets::Secret;
use d365_sandbox::world::World;

#[tokio::test]
async fn business_central_token_has_bc_audience_and_the_granted_roles() {
    let s = sandbox(World::demo()).await;
    let (id, secret) = web_app(&s);
    let (resource, scopes) = scopes_for(&s, Product::BusinessCentral, Grant::ClientCredentials);
    let tokens = client(&s, &id, Some(&secret))
        .client_credentials(&scopes)
        .await
        .unwrap();
    s.verify_access_token(tokens.access_token.expose(), &resource)
        .unwrap();
    let claims = claims::decode(tokens.access_token.expose()).unwrap();
    assert_eq!(claims.aud, "https://api.businesscentral.dynamics.com");
    assert!(
        claims.roles.iter().any(|r| r == "API.ReadWrite.All"),
        "{claims:?}"
    );
    assert!(
        tokens.refresh_token.is_none(),
        "client credentials never get a refresh token"
    );
}

#[tokio::test]
async fn finance_and_operations_token_is_for_the_environment_url() {
    let s = sandbox(World::demo()).await;
    let (id, secret) = web_app(&s);
    let (resource, scopes) = scopes_for(&s, Product::FinanceOperations, Grant::ClientCredentials);
    assert_eq!(resource, fno_url(&s));
    let tokens = client(&s, &id, Some(&secret))
        .client_credentials(&scopes)
        .await
        .unwrap();
    s.verify_access_token(tokens.access_token.expose(), &resource)
        .unwrap();
}

#[tokio::test]
async fn wrong_secret_and_secret_id_are_explained_as_invalid_secret() {
    let s = sandbox(World::demo()).await;
    let (id, _) = web_app(&s);
    let secret_id = s.world().apps[0].secrets[0].id.to_string();
    let (_, scopes) = scopes_for(&s, Product::BusinessCentral, Grant::ClientCredentials);
    for wrong in ["not-the-secret", secret_id.as_str()] {
        let err = client(&s, &id, Some(&Secret::new(wrong)))
            .client_credentials(&scopes)
            .await
            .unwrap_err();
        assert_eq!(err.entra().and_then(|e| e.code()), Some(7000215));
        let explained = err.explain();
        assert_eq!(explained.kind, ErrorKind::InvalidSecret);
        assert!(explained.fix.contains("Value"), "{}", explained.fix);
        assert!(
            explained
                .details
                .as_deref()
                .unwrap_or_default()
                .contains("AADSTS7000215"),
            "Entra's own text is kept for Details: {explained:?}"
        );
        assert!(
            !format!("{err:?}{explained:?}").contains(wrong),
            "a secret leaked"
        );
    }
}

#[tokio::test]
async fn no_secret_for_a_web_app_is_explained() {
    let s = sandbox(World::demo()).await;
    let (id, _) = web_app(&s);
    let (_, scopes) = scopes_for(&s, Product::BusinessCentral, Grant::ClientCredentials);
    let err = client(&s, &id, None)
        .client_credentials(&scopes)
        .await
        .unwrap_err();
    assert_eq!(err.explain().kind, ErrorKind::SecretRequired);
}

#[tokio::test]
async fn the_cache_serves_a_token_until_it_nears_expiry() {
    let s = sandbox(World::demo()).await;
    let (id, secret) = web_app(&s);
    let (_, scopes) = scopes_for(&s, Product::BusinessCentral, Grant::ClientCredentials);
    let cache = TokenCache::new(
        client(&s, &id, Some(&secret)),
        Grant::ClientCredentials,
        scopes,
        memory_store(),
        "bc-s2s",
    );
    let first = cache.access_token().await.unwrap();
    let second = cache.access_token().await.unwrap();
    assert_eq!(first.expose(), second.expose(), "served from memory");
}

#[tokio::test]
async fn client_credentials_simply_rerun_when_the_token_is_short_lived() {
    let mut world = World::demo();
    // Shorter than the cache's five-minute skew: every use needs a new token.
    world.lifetimes.access_token_seconds = 120;
    let s = sandbox(world).await;
    let (id, secret) = web_app(&s);
    let (_, scopes) = scopes_for(&s, Product::BusinessCentral, Grant::ClientCredentials);
    let cache = TokenCache::new(
        client(&s, &id, Some(&secret)),
        Grant::ClientCredentials,
        scopes,
        memory_store(),
        "bc-s2s",
    );
    let first = cache.access_token().await.unwrap();
    let second = cache.access_token().await.unwrap();
    assert_ne!(first.expose(), second.expose());
}

#[tokio::test]
async fn an_unreachable_authority_is_a_network_problem() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let cloud = Cloud::Custom(CustomCloud {
        authority: format!("http://127.0.0.1:{port}/entra"),
        bc_api: Some(format!("http://127.0.0.1:{port}/bc")),
        fno_url: None,
        dataverse_url: None,
        globaldisco: Some(format!("http://127.0.0.1:{port}/globaldisco")),
        bc_resource: None,
        graph: None,
    });
    let client = d365_core::identity::flow::EntraClient::new(
        d365_core::http::client(d365_core::http::Timeout::Normal).unwrap(),
        &cloud,
        "contoso.onmicrosoft.com",
        "3e9d4b6a-0000-0000-0000-000000000000",
        Some(&Secret::new("x")),
    )
    .unwrap();
    let err = client
        .client_credentials(&["https://api.businesscentral.dynamics.com/.default".into()])
        .await
        .unwrap_err();
    let explained = err.explain();
    assert_eq!(explained.kind, ErrorKind::Network);
    assert!(explained
        .details
        .unwrap()
        .to_lowercase()
        .contains("connect"));
}
