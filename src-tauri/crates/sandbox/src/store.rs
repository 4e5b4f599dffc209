//! What changes while the sandbox runs: the directory of apps
//! (`directory.rs`), consents (service principals and grants), sign-in
//! flows waiting for the form, authorization codes and refresh tokens.
//! Everything is in memory; a restart starts from the world.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::AtomicBool;
use std::sync::{Mutex, MutexGuard, PoisonError};

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::authority::Authority;
use crate::directory::{Directory, Since};
use crate::faults::Faults;
use crate::jwt::Tokens;
use crate::reply::ReplyTo;
use crate::resources::Resource;
use crate::scopes::ScopeRequest;
use crate::world::{AppRegistration, Platform, World};

/// Everything a request handler needs.
pub struct Shared {
    /// `http://127.0.0.1:<port>`
    pub base: String,
    pub world: World,
    pub tokens: Tokens,
    /// Starts as the world's `faults`; changed at run time.
    pub faults: Faults,
    /// F&O ignores `odata.maxpagesize` and pages at 10,000 rows: whether it
    /// honours the preference is undocumented (docs/sandbox-fidelity.md §M4).
    pub fno_ignores_maxpagesize: AtomicBool,
    /// F&O publishes no `SysAADClients` entity, as some environments
    /// (docs/sandbox-fidelity.md §H6).
    pub fno_without_sysaadclients: AtomicBool,
    store: Mutex<Store>,
}

impl Shared {
    pub fn new(base: String, world: World, tokens: Tokens) -> Shared {
        let store = Store::seeded(&world);
        Shared {
            base,
            faults: Faults::new(world.faults.clone()),
            world,
            tokens,
            fno_ignores_maxpagesize: AtomicBool::new(false),
            fno_without_sysaadclients: AtomicBool::new(false),
            store: Mutex::new(store),
        }
    }

    /// `{base}/entra`, the authority every Entra URL hangs off.
    pub fn authority(&self) -> String {
        format!("{}/entra", self.base)
    }

    /// A handler panicking while holding the lock must not take the whole
    /// sandbox down: the data stays usable.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Permissions granted to one app, per resource.
#[derive(Debug, Clone, Default)]
pub struct Grants {
    pub delegated: BTreeMap<Resource, BTreeSet<String>>,
    pub roles: BTreeMap<Resource, BTreeSet<String>>,
}

impl Grants {
    /// Everything the registration asks for: what admin consent grants.
    pub fn all_required(app: &AppRegistration) -> Grants {
        let mut grants = Grants::default();
        for need in &app.required_permissions {
            grants
                .delegated
                .entry(need.resource)
                .or_default()
                .extend(need.delegated.iter().cloned());
            grants
                .roles
                .entry(need.resource)
                .or_default()
                .extend(need.application.iter().cloned());
        }
        grants
    }

    fn merge(&mut self, other: Grants) {
        for (r, p) in other.delegated {
            self.delegated.entry(r).or_default().extend(p);
        }
        for (r, p) in other.roles {
            self.roles.entry(r).or_default().extend(p);
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeMethod {
    Plain,
    S256,
}

#[derive(Debug, Clone)]
pub struct Pkce {
    pub challenge: String,
    pub method: ChallengeMethod,
}

/// A sign-in or admin-consent page waiting for its form.
#[derive(Debug, Clone)]
pub struct PendingFlow {
    pub authority: Authority,
    pub client_id: Uuid,
    pub reply: ReplyTo,
    pub kind: FlowKind,
    pub created: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub enum FlowKind {
    SignIn {
        platform: Platform,
        scopes: ScopeRequest,
        pkce: Option<Pkce>,
        nonce: Option<String>,
    },
    /// `v2_scope` is `None` for the v1 endpoint.
    AdminConsent {
        v2_scope: Option<(String, ScopeRequest)>,
    },
}

#[derive(Debug, Clone)]
pub struct IssuedCode {
    pub client_id: Uuid,
    pub tenant: Uuid,
    pub upn: String,
    pub redirect_uri: String,
    pub platform: Platform,
    pub scopes: ScopeRequest,
    pub pkce: Option<Pkce>,
    pub nonce: Option<String>,
    pub issued: OffsetDateTime,
    pub redeemed: bool,
}

#[derive(Debug, Clone)]
pub struct IssuedRefresh {
    pub client_id: Uuid,
    pub tenant: Uuid,
    pub upn: String,
    pub platform: Platform,
    pub scopes: ScopeRequest,
    pub issued: OffsetDateTime,
}

/// How long a sign-in page stays usable.
const FLOW_LIFETIME: Duration = Duration::minutes(15);
/// Redeemed codes are remembered this long after expiry, so reuse is
/// reported as reuse (54005) and not as an unknown code.
const CODE_MEMORY: Duration = Duration::minutes(10);

pub struct Store {
    directory: Directory,
    admin: HashMap<(Uuid, Uuid), Grants>,
    user: HashMap<(Uuid, Uuid, Uuid), BTreeMap<Resource, BTreeSet<String>>>,
    flows: HashMap<String, PendingFlow>,
    codes: HashMap<String, IssuedCode>,
    refresh_tokens: HashMap<String, IssuedRefresh>,
    /// Apps listed on a product's own "Microsoft Entra applications" page:
    /// the world's, and those an administrator adds while it runs.
    in_product: BTreeSet<(Uuid, Resource)>,
    /// Permission sets assigned in Business Central, on its Microsoft Entra
    /// Applications page (apps) or Users page (people); whoever is not
    /// listed holds a set that reads everything (docs/sandbox-fidelity.md §H3).
    bc_permission_sets: HashMap<BcPrincipal, Vec<String>>,
}

/// Whom BC assigns permission sets to: an app by client ID, a person by
/// user name (both lower case).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BcPrincipal {
    App(String),
    User(String),
}

/// Sets that read business data (docs/microsoft.md §5: D365 READ, D365 BUS
/// FULL ACCESS); automation sets such as D365 AUTOMATION do not.
const BC_READING_SETS: &[&str] = &[
    "D365 READ",
    "D365 BUS FULL ACCESS",
    "D365 FULL ACCESS",
    "SUPER",
];

impl Store {
    fn seeded(world: &World) -> Store {
        let mut store = Store {
            directory: Directory::seeded(world),
            admin: HashMap::new(),
            user: HashMap::new(),
            flows: HashMap::new(),
            codes: HashMap::new(),
            refresh_tokens: HashMap::new(),
            in_product: BTreeSet::new(),
            bc_permission_sets: HashMap::new(),
        };
        for app in world.apps.iter().filter(|a| a.admin_consent) {
            store.grant_admin(app.tenant, app.client_id, Grants::all_required(app));
        }
        for app in &world.apps {
            for product in &app.registered_in_product {
                store.in_product.insert((app.client_id, *product));
            }
            if let Some(sets) = &app.bc_permission_sets {
                let principal = BcPrincipal::App(app.client_id.to_string());
                store.bc_permission_sets.insert(principal, sets.clone());
            }
        }
        for user in &world.users {
            if let Some(sets) = &user.bc_permission_sets {
                let principal = BcPrincipal::User(user.upn.to_ascii_lowercase());
                store.bc_permission_sets.insert(principal, sets.clone());
            }
        }
        store
    }

    pub fn registered_in_product(&self, client_id: Uuid, product: Resource) -> bool {
        self.in_product.contains(&(client_id, product))
    }

    /// What an administrator does on the product's "Microsoft Entra
    /// applications" page.
    pub fn register_in_product(&mut self, client_id: Uuid, product: Resource) {
        self.in_product.insert((client_id, product));
    }

    /// What a BC administrator does on the Microsoft Entra Applications or
    /// Users page: replaces the principal's permission sets.
    pub fn set_bc_permission_sets(&mut self, principal: BcPrincipal, sets: Vec<String>) {
        self.bc_permission_sets.insert(principal, sets);
    }

    /// Whether BC lets the principal read entity sets.
    pub fn bc_may_read(&self, principal: &BcPrincipal) -> bool {
        self.bc_permission_sets.get(principal).is_none_or(|sets| {
            sets.iter()
                .any(|s| BC_READING_SETS.iter().any(|r| r.eq_ignore_ascii_case(s)))
        })
    }

    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    pub fn directory_mut(&mut self) -> &mut Directory {
        &mut self.directory
    }

    /// Since when an app has a service principal in a tenant: created
    /// there (admin center, Graph), or by someone there consenting to it.
    pub fn service_principal_since(&self, tenant: Uuid, client_id: Uuid) -> Option<Since> {
        let app = self.directory.app(client_id)?;
        if app.everywhere {
            return Some(Since::World);
        }
        let consented = self.admin.contains_key(&(tenant, client_id))
            || self
                .user
                .keys()
                .any(|(t, c, _)| *t == tenant && *c == client_id);
        app.service_principals
            .get(&tenant)
            .copied()
            .or(consented.then_some(Since::World))
    }

    /// An app "exists" in a tenant when its service principal does.
    pub fn has_service_principal(&self, tenant: Uuid, client_id: Uuid) -> bool {
        self.service_principal_since(tenant, client_id).is_some()
    }

    /// Tenant-wide grants in a tenant, by client ID.
    pub fn admin_grants(&self, tenant: Uuid) -> impl Iterator<Item = (Uuid, &Grants)> {
        self.admin
            .iter()
            .filter(move |((t, _), _)| *t == tenant)
            .map(|((_, client), grants)| (*client, grants))
    }

    /// Users' own delegated grants in a tenant: client ID, user object ID,
    /// permissions per resource.
    pub fn user_grants(
        &self,
        tenant: Uuid,
    ) -> impl Iterator<Item = (Uuid, Uuid, &BTreeMap<Resource, BTreeSet<String>>)> {
        self.user
            .iter()
            .filter(move |((t, _, _), _)| *t == tenant)
            .map(|((_, client, user), grants)| (*client, *user, grants))
    }

    /// Replaces a grant's delegated permissions for one resource (Graph's
    /// PATCH of an oauth2PermissionGrant): tenant-wide without `user`.
    pub fn set_delegated(
        &mut self,
        tenant: Uuid,
        client_id: Uuid,
        user: Option<Uuid>,
        resource: Resource,
        permissions: BTreeSet<String>,
    ) {
        let per_resource = match user {
            None => &mut self.admin.entry((tenant, client_id)).or_default().delegated,
            Some(user) => self.user.entry((tenant, client_id, user)).or_default(),
        };
        per_resource.insert(resource, permissions);
    }

    pub fn delegated_granted(
        &self,
        tenant: Uuid,
        client_id: Uuid,
        user: Uuid,
        resource: Resource,
    ) -> BTreeSet<String> {
        let admin = self
            .admin
            .get(&(tenant, client_id))
            .and_then(|g| g.delegated.get(&resource));
        let own = self
            .user
            .get(&(tenant, client_id, user))
            .and_then(|g| g.get(&resource));
        admin.into_iter().chain(own).flatten().cloned().collect()
    }

    pub fn roles_granted(&self, tenant: Uuid, client_id: Uuid, resource: Resource) -> Vec<String> {
        self.admin
            .get(&(tenant, client_id))
            .and_then(|g| g.roles.get(&resource))
            .map(|r| r.iter().cloned().collect())
            .unwrap_or_default()
    }

    pub fn grant_user(
        &mut self,
        tenant: Uuid,
        client_id: Uuid,
        user: Uuid,
        resource: Resource,
        permissions: impl IntoIterator<Item = String>,
    ) {
        self.user
            .entry((tenant, client_id, user))
            .or_default()
            .entry(resource)
            .or_default()
            .extend(permissions);
    }

    pub fn grant_admin(&mut self, tenant: Uuid, client_id: Uuid, grants: Grants) {
        self.admin
            .entry((tenant, client_id))
            .or_default()
            .merge(grants);
    }

    pub fn add_flow(&mut self, flow: PendingFlow) -> String {
        let now = OffsetDateTime::now_utc();
        self.flows.retain(|_, f| now - f.created < FLOW_LIFETIME);
        let id = crate::jwt::opaque(24);
        self.flows.insert(id.clone(), flow);
        id
    }

    pub fn flow(&self, id: &str) -> Option<PendingFlow> {
        self.flows
            .get(id)
            .filter(|f| OffsetDateTime::now_utc() - f.created < FLOW_LIFETIME)
            .cloned()
    }

    pub fn end_flow(&mut self, id: &str) {
        self.flows.remove(id);
    }

    pub fn add_code(&mut self, code: IssuedCode, lifetime: Duration) -> String {
        let now = code.issued;
        self.codes
            .retain(|_, c| now - c.issued < lifetime.saturating_add(CODE_MEMORY));
        let id = crate::jwt::opaque(48);
        self.codes.insert(id.clone(), code);
        id
    }

    pub fn code_mut(&mut self, code: &str) -> Option<&mut IssuedCode> {
        self.codes.get_mut(code)
    }

    pub fn add_refresh_token(&mut self, rt: IssuedRefresh) -> String {
        let id = crate::jwt::opaque(64);
        self.refresh_tokens.insert(id.clone(), rt);
        id
    }

    /// Every refresh token handed out, for the tests' secret audit.
    pub fn refresh_tokens(&self) -> Vec<String> {
        self.refresh_tokens.keys().cloned().collect()
    }

    /// The authorization codes handed out and still remembered.
    pub fn codes(&self) -> Vec<String> {
        self.codes.keys().cloned().collect()
    }

    pub fn refresh_token(&self, token: &str) -> Option<IssuedRefresh> {
        self.refresh_tokens.get(token).cloned()
    }
}
