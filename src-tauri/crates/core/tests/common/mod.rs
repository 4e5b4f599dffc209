//! Shared by the core's integration tests and its benchmark
//! (benches/core_bench.rs): the in-process sandbox tenant and the cloud that
//! points at it.
#![allow(dead_code)]
// each test file uses a different part
// Helpers are not #[test] fns, so clippy's test allowance misses them; a
// failed step must fail the test.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use d365_core::dynamics::odata::unseen;
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
        bc_api: Some(e.bc_api),
        fno_url: e.fno_url,
        dataverse_url: e.dataverse_url,
        globaldisco: Some(e.globaldisco),
        bc_resource: None,
        graph: Some(format!("{}/graph", e.base)),
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

/// An OData client for a product with the demo web app's app-only token.
pub fn app_client(s: &SandboxHandle, product: Product) -> d365_core::dynamics::odata::ODataClient {
    app_client_with(
        s,
        product,
        d365_core::dynamics::retry::RetryPolicy::default(),
    )
}

/// `app_client` with its own retry policy.
pub fn app_client_with(
    s: &SandboxHandle,
    product: Product,
    retry: d365_core::dynamics::retry::RetryPolicy,
) -> d365_core::dynamics::odata::ODataClient {
    let (id, secret) = web_app(s);
    let (_, scopes) = scopes_for(s, product, Grant::ClientCredentials);
    let tokens = d365_core::identity::token_cache::TokenCache::new(
        client(s, &id, Some(&secret)),
        Grant::ClientCredentials,
        scopes,
        memory_store(),
        "app",
    );
    d365_core::dynamics::odata::ODataClient::new(
        http::client(Timeout::Normal).unwrap(),
        Arc::new(tokens),
        product,
        Grant::ClientCredentials,
        retry,
    )
}

/// The demo tenant's data service for a product.
pub fn service(s: &SandboxHandle, product: Product) -> d365_core::dynamics::service::Service {
    let environment = match product {
        Product::BusinessCentral => s.endpoints().demo.environment.unwrap(),
        Product::FinanceOperations => fno_url(s),
        Product::Dataverse => s.endpoints().dataverse_url.unwrap(),
    };
    d365_core::dynamics::service::Service::new(product, cloud(s), &tenant(s), &environment)
}

/// Reads every page of a collection, returning rows and the number of pages.
pub async fn read_all(
    client: &d365_core::dynamics::odata::ODataClient,
    url: &url::Url,
    page_size: u32,
) -> (Vec<serde_json::Map<String, serde_json::Value>>, usize) {
    let cancel = tokio_util::sync::CancellationToken::new();
    let mut page = client
        .first_page(
            url,
            &d365_core::dynamics::odata::Query::default(),
            Some(page_size),
            &cancel,
            &unseen,
        )
        .await
        .unwrap();
    let mut rows = std::mem::take(&mut page.rows);
    let mut pages = 1;
    while let Some(next) = page.next.take() {
        page = client
            .next_page(&next, Some(page_size), &cancel, &unseen)
            .await
            .unwrap();
        rows.append(&mut page.rows);
        pages += 1;
    }
    (rows, pages)
}

/// An entity set of the demo tenant's first Business Central company.
pub async fn bc_collection(
    s: &SandboxHandle,
    entity_set: &str,
    query: &d365_core::dynamics::odata::Query,
) -> url::Url {
    let client = app_client(s, Product::BusinessCentral);
    let bc = service(s, Product::BusinessCentral);
    let cancel = tokio_util::sync::CancellationToken::new();
    let list = d365_core::dynamics::discovery::companies(&client, &bc, &cloud(s), &cancel, &unseen)
        .await
        .unwrap();
    bc.entity_set_url(entity_set, Some(&list[0].id), query)
        .unwrap()
}

/// A saved app-only connection to a product of the demo tenant, opened.
pub fn app_connection(s: &SandboxHandle, product: Product) -> d365_core::connection::Connection {
    let environment = match product {
        Product::BusinessCentral => s.endpoints().demo.environment.unwrap(),
        Product::FinanceOperations => fno_url(s),
        Product::Dataverse => s.endpoints().dataverse_url.unwrap(),
    };
    let profile = d365_core::profiles::Profile {
        name: "app".into(),
        product,
        cloud: cloud(s),
        tenant: tenant(s),
        client_id: web_app(s).0,
        registration: d365_core::profiles::Registration::BackgroundService,
        scopes: vec![],
        environment: Some(environment),
        company: None,
        network: Default::default(),
        secret: None,
        setup: None,
        customer: None,
        tags: vec![],
    };
    d365_core::connection::Connection::open(profile, memory_store(), Some(web_app(s).1)).unwrap()
}

/// One sign-in at a time per process (the loopback listener's rule): the
/// tests of one binary that sign in take turns.
pub static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A browser that is the sandbox's robot user, visiting on a task of the
/// test's runtime like a browser process running beside the app.
pub struct RobotBrowser {
    persona: d365_sandbox::robot::Persona,
    visit: std::sync::Mutex<
        Option<
            tokio::task::JoinHandle<
                Result<d365_sandbox::robot::Visit, d365_sandbox::robot::RobotError>,
            >,
        >,
    >,
}

impl RobotBrowser {
    pub fn new(choice: d365_sandbox::robot::Choice) -> Self {
        Self {
            persona: d365_sandbox::robot::Persona {
                choice,
                ..d365_sandbox::robot::Persona::demo()
            },
            visit: std::sync::Mutex::new(None),
        }
    }

    /// Another account of the world, not the demo administrator.
    pub fn as_user(login: &str, password: &str, choice: d365_sandbox::robot::Choice) -> Self {
        Self {
            persona: d365_sandbox::robot::Persona {
                login: login.into(),
                password: password.into(),
                choice,
            },
            visit: std::sync::Mutex::new(None),
        }
    }

    /// Whether the browser was ever opened.
    pub fn opened(&self) -> bool {
        self.visit.lock().unwrap().is_some()
    }

    /// What the robot saw, once its visit ended.
    pub async fn visit(&self) -> d365_sandbox::robot::Visit {
        let visit = self.visit.lock().unwrap().take().unwrap();
        visit.await.unwrap().unwrap()
    }
}

impl d365_core::identity::browser::Browser for RobotBrowser {
    fn open(&self, url: &str) -> Result<(), d365_core::identity::browser::BrowserError> {
        let (url, persona) = (url.to_string(), self.persona.clone());
        let visit = tokio::spawn(async move { d365_sandbox::robot::visit(&url, &persona).await });
        *self.visit.lock().unwrap() = Some(visit);
        Ok(())
    }
}
