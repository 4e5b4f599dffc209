//! Shared by the core's integration tests: the in-process sandbox tenant and
//! the cloud that points at it.
#![allow(dead_code)]
// each test file uses a different part
// Helpers are not #[test] fns, so clippy's test allowance misses them; a
// failed step must fail the test.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use d365_core::http::{self, Timeout};
use d365_core::identity::cloud::{Cloud, CustomCloud};
use d365_core::identity::flow::EntraClient;
use d365_core::identity::scopes::{request_scopes, resource};
use d365_core::product::Product;
use d365_core::profiles::Grant;
use d365_core::secrets::{Secret, SecretStore};
use d365_sandbox::world::World;
use d365_sandbox::{Endpoints, Sandbox, SandboxHandle};

pub async fn sandbox(world: World) -> SandboxHandle {
    Sandbox::start(world).await.unwrap()
}

pub fn cloud(s: &SandboxHandle) -> Cloud {
    let e: Endpoints = s.endpoints();
    Cloud::Custom(CustomCloud {
        authority: e.authority,
        bc_api: e.bc_api,
        fno_url: e.fno_url,
        dataverse_url: e.dataverse_url,
        globaldisco: e.globaldisco,
        bc_resource: None,
    })
}

pub fn tenant(s: &SandboxHandle) -> String {
    s.endpoints().demo.tenant_id
}

pub fn web_app(s: &SandboxHandle) -> (String, Secret) {
    let demo = s.endpoints().demo;
    (
        demo.client_id.unwrap(),
        Secret::new(demo.client_secret.unwrap()),
    )
}

pub fn public_app(s: &SandboxHandle) -> String {
    s.endpoints().demo.public_client_id.unwrap()
}

pub fn client(s: &SandboxHandle, client_id: &str, secret: Option<&Secret>) -> EntraClient {
    EntraClient::new(
        http::client(Timeout::Normal).unwrap(),
        &cloud(s),
        &tenant(s),
        client_id,
        secret,
    )
    .unwrap()
}

pub fn memory_store() -> Arc<SecretStore> {
    Arc::new(SecretStore::in_memory("d365-connect-tests"))
}

pub fn fno_url(s: &SandboxHandle) -> String {
    s.endpoints().fno_url.unwrap()
}

/// The resource of a product in the demo tenant and the scopes a grant asks
/// for by default.
pub fn scopes_for(s: &SandboxHandle, product: Product, grant: Grant) -> (String, Vec<String>) {
    let env = match product {
        Product::BusinessCentral => None,
        Product::FinanceOperations => s.endpoints().fno_url,
        Product::Dataverse => s.endpoints().dataverse_url,
    };
    let resource = resource(product, &cloud(s), env.as_deref()).unwrap();
    let chosen = d365_core::identity::scopes::default_permissions(product, grant);
    let scopes = request_scopes(product, grant, &resource, &chosen).unwrap();
    (resource, scopes)
}
