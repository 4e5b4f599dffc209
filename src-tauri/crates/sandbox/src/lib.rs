//! The sandbox tenant: plays Microsoft's side of the wire on 127.0.0.1 under
//! one origin: `/entra`, `/graph`, `/bc`, `/fno/<env>`, `/dataverse/<org>`
//! and `/globaldisco`. It must not import d365-core: it is the other side.

mod authority;
mod bc;
mod bearer;
pub mod cli;
pub mod data;
mod dataverse;
mod directory;
mod entra;
pub mod faults;
mod fno;
mod graph;
mod jwt;
mod keys;
pub mod odata;
mod redirect;
mod reply;
pub mod resources;
pub mod robot;
pub mod roles;
mod scopes;
mod serve;
mod store;
pub mod world;

/// What [`crate::SandboxHandle::verify_access_token`] answers with; tokens
/// are signed and verified in `jwt.rs`.
pub mod tokens {
    pub use crate::jwt::{AccessClaims, TokenError};
}

use std::net::SocketAddr;
use std::sync::Arc;

use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::faults::Faults;
use crate::jwt::{AccessClaims, TokenError, Tokens};
use crate::resources::Resource;
use crate::store::Shared;
use crate::world::{AppRegistration, Platform, World};

pub use crate::directory::SETUP_CLIENT_ID;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("the sandbox could not listen on 127.0.0.1:{port}: {source}")]
    Bind { port: u16, source: std::io::Error },
    #[error("the sandbox signing key did not load: {0}")]
    Keys(String),
    #[error(transparent)]
    World(#[from] world::WorldError),
    #[error("the sandbox's entity model is broken: {0}")]
    Model(String),
}

/// How to start a sandbox beyond its world.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// 0 picks a free port.
    pub port: u16,
    pub scale: data::Scale,
}

/// A running sandbox. Dropping it stops the server.
pub struct SandboxHandle {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
}

/// The line `d365-sandbox` prints on start: where everything is, and the
/// demo credentials of the world's first tenant.
#[derive(Debug, Clone, Serialize)]
pub struct Endpoints {
    pub base: String,
    pub authority: String,
    /// Microsoft Graph: `{graph}/v1.0/…` stands for
    /// `https://graph.microsoft.com/v1.0/…`.
    pub graph: String,
    pub bc_api: String,
    pub fno_url: Option<String>,
    pub dataverse_url: Option<String>,
    pub globaldisco: String,
    pub demo: Demo,
}

/// Credentials that work in the world's first tenant: its confidential app
/// (Web redirect URI and a valid secret), its public app (Mobile and
/// desktop redirect URI, no secret), its first BC environment and user.
#[derive(Debug, Clone, Serialize)]
pub struct Demo {
    pub tenant_id: String,
    pub tenant_domain: String,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub public_client_id: Option<String>,
    pub environment: Option<String>,
    pub user: Option<DemoUser>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DemoUser {
    pub upn: String,
    pub password: String,
}

impl SandboxHandle {
    /// `http://127.0.0.1:<port>`
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The Entra authority the app's custom cloud points at.
    pub fn authority(&self) -> String {
        self.shared.authority()
    }

    /// The world it started from; apps registered while it runs are in
    /// [`SandboxHandle::app_registrations`].
    pub fn world(&self) -> &World {
        &self.shared.world
    }

    pub fn endpoints(&self) -> Endpoints {
        let base = self.base();
        let world = &self.shared.world;
        let first = world.tenants.first();
        let product_url = |resource: Resource, prefix: &str| {
            first
                .and_then(|t| t.products.first_environment(resource))
                .map(|name| format!("{base}/{prefix}/{name}"))
        };
        Endpoints {
            authority: self.authority(),
            graph: format!("{base}/graph"),
            bc_api: format!("{base}/bc"),
            fno_url: product_url(Resource::FinanceOperations, "fno"),
            dataverse_url: product_url(Resource::Dataverse, "dataverse"),
            globaldisco: format!("{base}/globaldisco"),
            demo: demo(world, &self.app_registrations()),
            base,
        }
    }

    /// Verifies a bearer token as a resource server would: signature,
    /// expiry, and that `aud` is `audience`.
    pub fn verify_access_token(
        &self,
        token: &str,
        audience: &str,
    ) -> Result<AccessClaims, TokenError> {
        self.shared.tokens.verify(token, audience)
    }

    /// Every access and refresh token and authorization code handed out so
    /// far: what a secret audit looks for where it must not be.
    pub fn issued_tokens(&self) -> Vec<String> {
        let mut all = self.shared.tokens.issued();
        let store = self.shared.store();
        all.extend(store.refresh_tokens());
        all.extend(store.codes());
        all
    }

    /// Adds an app to a product's own "Microsoft Entra applications" page,
    /// as its administrator would while the sandbox runs.
    pub fn register_in_product(&self, client_id: uuid::Uuid, product: Resource) {
        self.shared.store().register_in_product(client_id, product);
    }

    /// Clicks "Grant admin consent for <tenant>" on the app's API permissions
    /// page in its home tenant, as an administrator would while the sandbox
    /// runs (docs/microsoft.md §4); the way a background service without a
    /// redirect URI gets consent (docs/sandbox-fidelity.md §G1). Works for
    /// apps made through Graph too, replicated or not.
    pub fn grant_admin_consent(&self, client_id: uuid::Uuid) {
        let mut store = self.shared.store();
        let app = store
            .directory()
            .app(client_id)
            .map(|a| a.registration.clone());
        if let Some(app) = app {
            store.grant_admin(app.tenant, client_id, store::Grants::all_required(&app));
        }
    }

    /// Every app registration of the live directory: the world's, then
    /// those created through Microsoft Graph, replicated or not (Microsoft
    /// Graph Command Line Tools, which belongs to no world tenant, too).
    pub fn app_registrations(&self) -> Vec<AppRegistration> {
        self.shared
            .store()
            .directory()
            .apps()
            .map(|a| a.registration.clone())
            .collect()
    }

    /// How long after Graph creates an application or service principal
    /// reads keep answering as if it did not exist (the world's
    /// `directory.replication_seconds`; docs/microsoft.md §9). Takes
    /// effect at once, also for objects created before.
    pub fn set_replication_delay(&self, delay: std::time::Duration) {
        let delay = time::Duration::try_from(delay).unwrap_or(time::Duration::MAX);
        self.shared.store().directory_mut().set_replication(delay);
    }

    /// Replaces the Business Central permission sets of an app (client ID)
    /// or a user (UPN), as its administrator would on the Microsoft Entra
    /// Applications or Users page. Without one that reads data (D365 READ,
    /// D365 BUS FULL ACCESS…), entity reads get BC's 400 permission error
    /// (docs/sandbox-fidelity.md §H3). Everyone starts with one that does.
    pub fn set_bc_permission_sets(&self, principal: &str, sets: &[&str]) {
        let principal = principal.to_ascii_lowercase();
        let principal = match uuid::Uuid::parse_str(&principal) {
            Ok(_) => store::BcPrincipal::App(principal),
            Err(_) => store::BcPrincipal::User(principal),
        };
        let sets = sets.iter().map(|s| s.to_string()).collect();
        self.shared.store().set_bc_permission_sets(principal, sets);
    }

    /// Makes F&O ignore `Prefer: odata.maxpagesize` (pages of 10,000 rows,
    /// no `Preference-Applied`), or honour it again. Microsoft documents
    /// only server-driven paging for F&O, so a client must work both ways
    /// (docs/microsoft.md §6; docs/sandbox-fidelity.md §M4).
    pub fn set_fno_ignores_maxpagesize(&self, ignore: bool) {
        self.shared
            .fno_ignores_maxpagesize
            .store(ignore, std::sync::atomic::Ordering::Relaxed);
    }

    /// Publishes F&O's `SysAADClients` entity (the default) or takes it out
    /// of every environment's `$metadata`: it is undocumented, so a client
    /// must cope without it (docs/microsoft.md §10; docs/sandbox-fidelity.md §H6).
    pub fn set_fno_sysaadclients(&self, published: bool) {
        self.shared
            .fno_without_sysaadclients
            .store(!published, std::sync::atomic::Ordering::Relaxed);
    }

    /// The fault rules in force: set, add, clear, and read their counters
    /// (the same rules as `/sandbox/faults` and the world's `faults`).
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }
}

/// The demo credentials of the world's first tenant, from `apps` (the live
/// directory's, or the world's before the sandbox runs).
fn demo(world: &World, apps: &[AppRegistration]) -> Demo {
    let tenant = world.tenants.first();
    let id = tenant.map(|t| t.id);
    let apps = || apps.iter().filter(move |a| Some(a.tenant) == id);
    let now = time::OffsetDateTime::now_utc();
    let confidential = apps().find_map(|a| {
        let web = a.redirect_uris.all().any(|(p, _)| p == Platform::Web);
        let secret = a.secrets.iter().find(|s| s.expires > now)?;
        web.then(|| (a.client_id.to_string(), secret.value.clone()))
    });
    let public = apps().find(|a| {
        a.secrets.is_empty()
            && a.redirect_uris
                .all()
                .any(|(p, _)| p == Platform::MobileAndDesktop)
    });
    let (client_id, client_secret) = confidential.unzip();
    Demo {
        tenant_id: id.map(|i| i.to_string()).unwrap_or_default(),
        tenant_domain: tenant
            .map(|t| t.initial_domain().to_string())
            .unwrap_or_default(),
        client_id,
        client_secret,
        public_client_id: public.map(|a| a.client_id.to_string()),
        environment: tenant
            .and_then(|t| t.products.first_environment(Resource::BusinessCentral))
            .map(str::to_string),
        user: world
            .users
            .iter()
            .find(|u| Some(u.tenant) == id)
            .map(|u| DemoUser {
                upn: u.upn.clone(),
                password: u.password.clone(),
            }),
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// What each product answers when a fault rule refuses a request, by the
/// path segment it is nested under in [`Sandbox::start_with`].
fn refusals() -> faults::Refusals {
    let by_segment: [(&str, faults::Render); 6] = [
        ("entra", entra::refusal),
        ("graph", graph::refusal),
        ("bc", |refusal, _| bc::refusal(refusal)),
        ("fno", |refusal, _| fno::refusal(refusal)),
        ("dataverse", |refusal, _| dataverse::refusal(refusal)),
        // Global Discovery is a Dataverse service; no throttled capture of
        // it was found, so it answers like the Web API (⚠ inferred).
        ("globaldisco", |refusal, _| dataverse::refusal(refusal)),
    ];
    faults::Refusals::new(by_segment)
}

pub struct Sandbox;

impl Sandbox {
    /// Serves `world` on a free loopback port until the handle is dropped.
    pub async fn start(world: World) -> Result<SandboxHandle, StartError> {
        Sandbox::start_on(world, 0).await
    }

    /// Binds loopback only (port 0 = any free port); never a public
    /// interface.
    pub async fn start_on(world: World, port: u16) -> Result<SandboxHandle, StartError> {
        Sandbox::start_with(
            world,
            Options {
                port,
                ..Options::default()
            },
        )
        .await
    }

    pub async fn start_with(world: World, options: Options) -> Result<SandboxHandle, StartError> {
        let port = options.port;
        world.validate()?;
        let bc = bc::Bc::new(&world, options.scale).map_err(StartError::Model)?;
        let fno = fno::Fno::new(&world, options.scale).map_err(StartError::Model)?;
        let dataverse =
            Arc::new(dataverse::Dataverse::new(&world, options.scale).map_err(StartError::Model)?);
        let tokens = Tokens::new(keys::Keys::load().map_err(StartError::Keys)?);
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|source| StartError::Bind { port, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| StartError::Bind { port, source })?;
        let shared = Arc::new(Shared::new(format!("http://{addr}"), world, tokens));
        let app = axum::Router::new()
            .nest("/entra", entra::routes(shared.clone()))
            .nest("/graph", graph::routes(shared.clone()))
            .nest("/bc", bc::routes(shared.clone(), bc))
            .nest("/fno", fno::routes(shared.clone(), fno))
            .nest(
                "/dataverse",
                dataverse::routes(shared.clone(), dataverse.clone()),
            )
            .nest(
                "/globaldisco",
                dataverse::discovery_routes(shared.clone(), dataverse),
            )
            .layer(axum::middleware::from_fn_with_state(
                (shared.faults.clone(), refusals()),
                faults::inject,
            ))
            // After the layer: the control endpoints are never faulted.
            .merge(faults::routes(shared.faults.clone()));
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(serve::serve(listener, app, stopped));
        Ok(SandboxHandle {
            addr,
            shared,
            stop: Some(stop),
        })
    }
}
