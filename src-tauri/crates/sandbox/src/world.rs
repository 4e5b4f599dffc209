//! The directory the sandbox plays: tenants, app registrations and users,
//! read from a JSON world file (format and example in the crate README) or
//! the built-in CRONUS-style demo world. The world is the starting state:
//! apps registered and consents granted while the sandbox runs live in
//! `directory.rs` and `store.rs`.

use std::path::Path;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use url::Url;
use uuid::Uuid;

use crate::faults::FaultRule;
use crate::resources::Resource;
use crate::roles::{self, DirectoryRole};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct World {
    pub tenants: Vec<Tenant>,
    #[serde(default)]
    pub apps: Vec<AppRegistration>,
    #[serde(default)]
    pub users: Vec<User>,
    #[serde(default)]
    pub lifetimes: Lifetimes,
    #[serde(default)]
    pub directory: DirectorySettings,
    /// Fault injection rules in force at start (crate README, "Fault
    /// injection").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<FaultRule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tenant {
    pub id: Uuid,
    pub display_name: String,
    /// Verified domains; the first is the initial `*.onmicrosoft.com` one.
    pub domains: Vec<String>,
    /// Which Dynamics products are provisioned: a resource that is not here
    /// has no service principal in the tenant (docs/microsoft.md §9, →
    /// AADSTS500011).
    #[serde(default)]
    pub products: Products,
    /// The tenant's user-consent policy: `false` is "Do not allow user
    /// consent", so only an administrator can consent (docs/microsoft.md §4,
    /// docs/sandbox-fidelity.md §M3).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub users_can_consent: bool,
    /// "Users can register applications" (User settings): `false` leaves
    /// app registration to Application Developers and application
    /// administrators. Entra's default is yes (docs/microsoft.md §9).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub users_can_register_apps: bool,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Products {
    pub business_central: Option<ProductEnvironments>,
    pub finance_operations: Option<ProductEnvironments>,
    pub dataverse: Option<ProductEnvironments>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductEnvironments {
    pub environments: Vec<Environment>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    /// BC environment name (`Production`), F&O environment or Dataverse
    /// organization name; the sandbox serves the latter two under
    /// `/fno/<name>` and `/dataverse/<name>`.
    pub name: String,
    /// BC company names, F&O legal entity IDs (`dataAreaId`) or Dataverse
    /// business units; each product has CRONUS-style defaults when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub companies: Vec<String>,
    /// Business Central only: the OData V4 web services published
    /// (`Customers`, `Vendors`, `Chart_of_Accounts`); all three when absent,
    /// none with `[]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_services: Option<Vec<String>>,
}

/// Graph's `signInAudience` values for work and school accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignInAudience {
    /// Single tenant.
    AzureADMyOrg,
    /// Multitenant.
    AzureADMultipleOrgs,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppRegistration {
    pub client_id: Uuid,
    pub display_name: String,
    /// The tenant the app is registered in.
    pub tenant: Uuid,
    pub sign_in_audience: SignInAudience,
    #[serde(default)]
    pub redirect_uris: RedirectUris,
    #[serde(default)]
    pub secrets: Vec<ClientSecret>,
    /// "API permissions" (Graph `requiredResourceAccess`).
    #[serde(default)]
    pub required_permissions: Vec<RequiredPermissions>,
    /// "Grant admin consent for <tenant>" was clicked in the home tenant.
    #[serde(default)]
    pub admin_consent: bool,
    /// Products whose own "Microsoft Entra applications" page lists this
    /// client ID, which S2S needs (docs/microsoft.md §5, §6); for Dataverse,
    /// environments holding an application user for it (§7).
    #[serde(default)]
    pub registered_in_product: Vec<Resource>,
    /// Business Central permission sets on the app's Microsoft Entra
    /// Applications card; left out, it holds one that reads everything
    /// (docs/sandbox-fidelity.md §H3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bc_permission_sets: Option<Vec<String>>,
}

/// Redirect URIs per platform, as on the app's Authentication page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedirectUris {
    #[serde(default)]
    pub web: Vec<String>,
    #[serde(default)]
    pub mobile_and_desktop: Vec<String>,
    #[serde(default)]
    pub spa: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSecret {
    /// The "Secret ID" column of Certificates & secrets.
    pub id: Uuid,
    /// The "Value" column, shown once when the secret is created.
    pub value: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequiredPermissions {
    pub resource: Resource,
    /// Delegated permissions (`type: "Scope"`), e.g. `Financials.ReadWrite.All`.
    #[serde(default)]
    pub delegated: Vec<String>,
    /// Application permissions (`type: "Role"`), e.g. `API.ReadWrite.All`.
    #[serde(default)]
    pub application: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub upn: String,
    pub display_name: String,
    /// What the sandbox sign-in page accepts. Sandbox only: never a real one.
    pub password: String,
    pub tenant: Uuid,
    /// Derived from tenant and UPN when left out, so it is stable.
    #[serde(default)]
    pub object_id: Option<Uuid>,
    /// A Global Administrator (may do everything, including tenant-wide
    /// consent, docs/microsoft.md §4).
    #[serde(default)]
    pub admin: bool,
    /// Other directory roles, by display name or template ID, e.g. "Cloud
    /// Application Administrator" (src/roles.rs lists those known).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Business Central permission sets on the user's card; left out, one
    /// that reads everything (docs/sandbox-fidelity.md §H3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bc_permission_sets: Option<Vec<String>>,
}

/// How the directory behaves while the sandbox runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DirectorySettings {
    /// For this long after an application or service principal is created
    /// through Microsoft Graph, reads do not see it yet, as Entra
    /// replicates writes with a delay (docs/microsoft.md §9, "Errors and
    /// replication"). Objects of the world are replicated from the start.
    pub replication_seconds: u64,
}

impl Default for DirectorySettings {
    fn default() -> Self {
        DirectorySettings {
            replication_seconds: 3,
        }
    }
}

/// Token lifetimes in seconds, like an Entra token lifetime policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Lifetimes {
    /// Authorization codes live about ten minutes (docs/microsoft.md §2 ⚠,
    /// docs/sandbox-fidelity.md §M7).
    pub authorization_code_seconds: u64,
    /// The longest access-token lifetime: each token gets a random one
    /// between 60 minutes and this (docs/sandbox-fidelity.md §L5).
    pub access_token_seconds: u64,
    /// Refresh tokens expire after 90 days without use.
    pub refresh_token_inactive_seconds: u64,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Lifetimes {
            authorization_code_seconds: 600,
            access_token_seconds: 90 * 60,
            refresh_token_inactive_seconds: 90 * 24 * 3600,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WorldError {
    #[error("cannot read the world file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the world file is not valid: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the world is inconsistent: {0}")]
    Invalid(String),
}

impl World {
    pub fn from_json(text: &str) -> Result<World, WorldError> {
        let world: World = serde_json::from_str(text)?;
        world.validate()?;
        Ok(world)
    }

    pub fn load(path: &Path) -> Result<World, WorldError> {
        let text = std::fs::read_to_string(path).map_err(|source| WorldError::Read {
            path: path.display().to_string(),
            source,
        })?;
        World::from_json(&text)
    }

    /// Rejects what the Entra admin center would not let anyone register.
    pub fn validate(&self) -> Result<(), WorldError> {
        let invalid = |msg: String| Err(WorldError::Invalid(msg));
        if self.tenants.is_empty() {
            return invalid("at least one tenant is needed".into());
        }
        for (i, t) in self.tenants.iter().enumerate() {
            if t.domains.is_empty() {
                return invalid(format!("tenant {} has no domain", t.id));
            }
            for other in &self.tenants[i + 1..] {
                if other.id == t.id {
                    return invalid(format!("tenant {} is declared twice", t.id));
                }
                if let Some(d) = other.domains.iter().find(|d| t.owns_domain(d)) {
                    return invalid(format!("domain {d} belongs to two tenants"));
                }
            }
        }
        for app in &self.apps {
            if self.tenant_by_id(app.tenant).is_none() {
                return invalid(format!(
                    "app {} names unknown tenant {}",
                    app.client_id, app.tenant
                ));
            }
            if self
                .apps
                .iter()
                .filter(|a| a.client_id == app.client_id)
                .count()
                > 1
            {
                return invalid(format!("client ID {} is used twice", app.client_id));
            }
            if app.client_id == crate::directory::SETUP_CLIENT_ID {
                return invalid(format!(
                    "client ID {} is Microsoft Graph Command Line Tools, which every tenant already has",
                    app.client_id
                ));
            }
            for (_, uri) in app.redirect_uris.all() {
                check_redirect_uri(uri).map_err(|why| {
                    WorldError::Invalid(format!("app {}: redirect URI {uri}: {why}", app.client_id))
                })?;
            }
            for need in &app.required_permissions {
                for p in &need.delegated {
                    if !need.resource.has_delegated(p) {
                        return invalid(format!(
                            "app {}: {} has no delegated permission {p}",
                            app.client_id,
                            need.resource.display_name()
                        ));
                    }
                }
                for p in &need.application {
                    if !need.resource.has_application(p) {
                        return invalid(format!(
                            "app {}: {} has no application permission {p}",
                            app.client_id,
                            need.resource.display_name()
                        ));
                    }
                }
            }
        }
        for user in &self.users {
            let Some(tenant) = self.tenant_by_id(user.tenant) else {
                return invalid(format!(
                    "user {} names unknown tenant {}",
                    user.upn, user.tenant
                ));
            };
            // A UPN's suffix must be one of the tenant's verified domains.
            let suffix = user.upn.rsplit_once('@').map(|(_, d)| d).unwrap_or("");
            if !tenant.owns_domain(suffix) {
                return invalid(format!(
                    "user {}: {suffix:?} is not a domain of tenant {}",
                    user.upn, tenant.id
                ));
            }
            if let Some(unknown) = user.roles.iter().find(|r| roles::find(r).is_none()) {
                return invalid(format!(
                    "user {}: {unknown:?} is not a directory role the sandbox knows",
                    user.upn
                ));
            }
        }
        Ok(())
    }

    pub fn tenant_by_id(&self, id: Uuid) -> Option<&Tenant> {
        self.tenants.iter().find(|t| t.id == id)
    }

    /// A tenant named by GUID or by any of its domains (case-insensitive).
    pub fn tenant(&self, name: &str) -> Option<&Tenant> {
        match Uuid::parse_str(name) {
            Ok(id) => self.tenant_by_id(id),
            Err(_) => self.tenants.iter().find(|t| t.owns_domain(name)),
        }
    }

    pub fn app(&self, client_id: &str) -> Option<&AppRegistration> {
        self.app_by_id(Uuid::parse_str(client_id).ok()?)
    }

    pub fn app_by_id(&self, client_id: Uuid) -> Option<&AppRegistration> {
        self.apps.iter().find(|a| a.client_id == client_id)
    }

    pub fn user(&self, upn: &str) -> Option<&User> {
        self.users.iter().find(|u| u.upn.eq_ignore_ascii_case(upn))
    }

    /// The built-in demo world: one CRONUS tenant where every happy path
    /// works (admin consent given, both apps registered in BC and F&O).
    pub fn demo() -> World {
        let tenant = Uuid::from_u128(DEMO_TENANT);
        let bc = |delegated: &[&str], application: &[&str]| RequiredPermissions {
            resource: Resource::BusinessCentral,
            delegated: delegated.iter().map(|s| s.to_string()).collect(),
            application: application.iter().map(|s| s.to_string()).collect(),
        };
        let delegated_only = |resource, delegated: &[&str]| RequiredPermissions {
            resource,
            delegated: delegated.iter().map(|s| s.to_string()).collect(),
            application: vec![],
        };
        let shared_permissions = vec![
            delegated_only(Resource::MicrosoftGraph, &["User.Read"]),
            delegated_only(
                Resource::FinanceOperations,
                &["AX.FullAccess", "Odata.FullAccess"],
            ),
            delegated_only(Resource::Dataverse, &["user_impersonation"]),
        ];
        let env = |name: &str| ProductEnvironments {
            environments: vec![Environment {
                name: name.into(),
                companies: vec![],
                web_services: None,
            }],
        };
        World {
            tenants: vec![Tenant {
                id: tenant,
                display_name: "CRONUS Demo".into(),
                domains: vec![DEMO_DOMAIN.into()],
                products: Products {
                    business_central: Some(env(DEMO_BC_ENVIRONMENT)),
                    finance_operations: Some(env("cronus-demo")),
                    dataverse: Some(env("cronus-demo")),
                },
                users_can_consent: true,
                users_can_register_apps: true,
            }],
            apps: vec![
                AppRegistration {
                    client_id: Uuid::from_u128(DEMO_WEB_APP),
                    display_name: "D365 Connect (confidential)".into(),
                    tenant,
                    sign_in_audience: SignInAudience::AzureADMyOrg,
                    redirect_uris: RedirectUris {
                        web: vec!["http://localhost".into()],
                        ..RedirectUris::default()
                    },
                    secrets: vec![ClientSecret {
                        id: Uuid::from_u128(DEMO_SECRET_ID),
                        value: DEMO_SECRET_VALUE.into(),
                        expires: DEMO_SECRET_EXPIRY,
                    }],
                    required_permissions: [
                        vec![bc(
                            &["Financials.ReadWrite.All", "user_impersonation"],
                            &["API.ReadWrite.All", "Automation.ReadWrite.All"],
                        )],
                        shared_permissions.clone(),
                    ]
                    .concat(),
                    admin_consent: true,
                    // Dataverse: an application user in the environment
                    // (docs/microsoft.md §7).
                    registered_in_product: vec![
                        Resource::BusinessCentral,
                        Resource::FinanceOperations,
                        Resource::Dataverse,
                    ],
                    bc_permission_sets: None,
                },
                AppRegistration {
                    client_id: Uuid::from_u128(DEMO_PUBLIC_APP),
                    display_name: "D365 Connect (desktop)".into(),
                    tenant,
                    sign_in_audience: SignInAudience::AzureADMyOrg,
                    redirect_uris: RedirectUris {
                        mobile_and_desktop: vec!["http://localhost".into()],
                        ..RedirectUris::default()
                    },
                    secrets: vec![],
                    required_permissions: [
                        vec![bc(&["Financials.ReadWrite.All", "user_impersonation"], &[])],
                        shared_permissions,
                    ]
                    .concat(),
                    admin_consent: true,
                    // Dataverse: an application user in the environment
                    // (docs/microsoft.md §7).
                    registered_in_product: vec![
                        Resource::BusinessCentral,
                        Resource::FinanceOperations,
                        Resource::Dataverse,
                    ],
                    bc_permission_sets: None,
                },
            ],
            // The administrator first: the demo line and the robot sign in
            // as the first user.
            users: vec![
                User {
                    upn: format!("admin@{DEMO_DOMAIN}"),
                    display_name: "CRONUS Admin".into(),
                    password: DEMO_PASSWORD.into(),
                    tenant,
                    object_id: None,
                    admin: true,
                    roles: vec![],
                    bc_permission_sets: None,
                },
                User {
                    upn: format!("clerk@{DEMO_DOMAIN}"),
                    display_name: "CRONUS Clerk".into(),
                    password: DEMO_CLERK_PASSWORD.into(),
                    tenant,
                    object_id: None,
                    admin: false,
                    roles: vec![],
                    bc_permission_sets: None,
                },
            ],
            lifetimes: Lifetimes::default(),
            directory: DirectorySettings::default(),
            faults: Vec::new(),
        }
    }
}

const DEMO_TENANT: u128 = 0x7c2f5e1a_0d3b_4c8e_9a61_c5e0a1b2c3d4;
const DEMO_DOMAIN: &str = "cronus-demo.onmicrosoft.com";
const DEMO_BC_ENVIRONMENT: &str = "Production";
const DEMO_WEB_APP: u128 = 0x3e9d4b6a_8f21_4d57_b0c3_5a7e9f1d2c40;
const DEMO_PUBLIC_APP: u128 = 0x51c8a2f4_6b3e_4f90_8d17_e2a4c6b8d0f1;
const DEMO_SECRET_ID: u128 = 0x9b0e7d35_2c4a_4e61_a8f3_1d5c7e9b3a02;
/// Shaped like a real secret Value (three characters, `Q~`, 35 more).
const DEMO_SECRET_VALUE: &str = "Cr8Q~sandbox.demo-secret_value.only4demo";
const DEMO_SECRET_EXPIRY: OffsetDateTime = time::macros::datetime!(2099-12-31 0:00 UTC);
const DEMO_PASSWORD: &str = "Cronus-Demo-1";
const DEMO_CLERK_PASSWORD: &str = "Cronus-Clerk-1";

impl Tenant {
    pub fn owns_domain(&self, domain: &str) -> bool {
        self.domains.iter().any(|d| d.eq_ignore_ascii_case(domain))
    }

    pub fn initial_domain(&self) -> &str {
        self.domains.first().map(String::as_str).unwrap_or_default()
    }

    /// Whether the product behind a resource exists in this tenant (Graph
    /// always does).
    pub fn has(&self, resource: Resource) -> bool {
        self.products.of(resource).is_some() || resource == Resource::MicrosoftGraph
    }
}

impl Products {
    pub fn of(&self, resource: Resource) -> Option<&ProductEnvironments> {
        match resource {
            Resource::BusinessCentral => self.business_central.as_ref(),
            Resource::FinanceOperations => self.finance_operations.as_ref(),
            Resource::Dataverse => self.dataverse.as_ref(),
            Resource::MicrosoftGraph => None,
        }
    }

    /// The first environment of a product, as the demo line prints it.
    pub fn first_environment(&self, resource: Resource) -> Option<&str> {
        self.of(resource)?
            .environments
            .first()
            .map(|e| e.name.as_str())
    }
}

/// The platform a redirect URI is registered under. It decides whether a
/// code redemption is public or confidential (docs/microsoft.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Web,
    MobileAndDesktop,
    Spa,
}

impl RedirectUris {
    /// Every registered URI with its platform, in portal order.
    pub fn all(&self) -> impl Iterator<Item = (Platform, &str)> {
        [
            (Platform::Web, &self.web),
            (Platform::MobileAndDesktop, &self.mobile_and_desktop),
            (Platform::Spa, &self.spa),
        ]
        .into_iter()
        .flat_map(|(p, uris)| uris.iter().map(move |u| (p, u.as_str())))
    }
}

impl AppRegistration {
    pub fn is_multitenant(&self) -> bool {
        self.sign_in_audience == SignInAudience::AzureADMultipleOrgs
    }

    pub fn required(&self, resource: Resource) -> Option<&RequiredPermissions> {
        self.required_permissions
            .iter()
            .find(|r| r.resource == resource)
    }
}

impl User {
    pub fn object_id(&self) -> Uuid {
        self.object_id
            .unwrap_or_else(|| Uuid::new_v5(&self.tenant, self.upn.to_ascii_lowercase().as_bytes()))
    }

    /// The user's directory roles: Global Administrator for `admin`, then
    /// `roles` (unknown names were refused by `World::validate`).
    pub fn directory_roles(&self) -> Vec<&'static DirectoryRole> {
        let mut held: Vec<&'static DirectoryRole> = Vec::new();
        let named = self.roles.iter().filter_map(|r| roles::find(r));
        for role in self
            .admin
            .then_some(&roles::GLOBAL_ADMINISTRATOR)
            .into_iter()
            .chain(named)
        {
            if !held.contains(&role) {
                held.push(role);
            }
        }
        held
    }

    /// May grant consent for the whole organization and manage every app
    /// registration (docs/microsoft.md §4, §9).
    pub fn administers_applications(&self) -> bool {
        self.directory_roles()
            .iter()
            .any(|r| r.administers_applications())
    }

    /// May create an app registration in `tenant` (docs/microsoft.md §9).
    pub fn may_register_applications(&self, tenant: &Tenant) -> bool {
        tenant.users_can_register_apps
            || self
                .directory_roles()
                .iter()
                .any(|r| r.registers_applications())
    }
}

/// Registration-time rules of docs/microsoft.md §1: absolute URI, `https`
/// except for localhost, no IPv6 loopback, no fragment, at most 256
/// characters.
pub(crate) fn check_redirect_uri(uri: &str) -> Result<(), &'static str> {
    if uri.len() > 256 {
        return Err("longer than 256 characters");
    }
    let url = Url::parse(uri).map_err(|_| "not an absolute URI")?;
    if url.fragment().is_some() {
        return Err("a fragment is not allowed");
    }
    match url.host() {
        Some(url::Host::Ipv6(_)) => Err("IPv6 loopback [::1] is not supported"),
        _ if url.scheme() == "https" => Ok(()),
        _ if url.scheme() == "http" && crate::redirect::is_loopback(&url) => Ok(()),
        _ => Err("http is only allowed for localhost; use https"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_world_is_valid_and_round_trips_through_json() {
        let world = World::demo();
        world.validate().unwrap();
        let text = serde_json::to_string_pretty(&world).unwrap();
        assert_eq!(World::from_json(&text).unwrap(), world);
    }

    #[test]
    fn tenants_are_found_by_guid_or_any_domain() {
        let world = World::demo();
        let id = world.tenants[0].id.to_string();
        assert!(world.tenant(&id).is_some());
        assert!(world.tenant(&id.to_uppercase()).is_some());
        assert!(world.tenant("CRONUS-demo.onmicrosoft.com").is_some());
        assert!(world.tenant("fabrikam.onmicrosoft.com").is_none());
    }

    #[test]
    fn rejects_what_the_portal_rejects() {
        let mut world = World::demo();
        world.apps[0].redirect_uris.web = vec!["http://app.example.com/cb".into()];
        assert!(matches!(world.validate(), Err(WorldError::Invalid(m)) if m.contains("https")));

        let mut world = World::demo();
        world.apps[0].redirect_uris.web = vec!["http://[::1]/cb".into()];
        assert!(world.validate().is_err());

        let mut world = World::demo();
        world.apps[0].required_permissions[0].application = vec!["Nope.All".into()];
        assert!(world.validate().is_err());

        let mut world = World::demo();
        world.users[0].upn = "someone@fabrikam.com".into();
        assert!(world.validate().is_err());

        let mut world = World::demo();
        world.users[1].roles = vec!["Tenant Wizard".into()];
        assert!(
            matches!(world.validate(), Err(WorldError::Invalid(m)) if m.contains("Tenant Wizard"))
        );

        let mut world = World::demo();
        world.apps[0].client_id = crate::directory::SETUP_CLIENT_ID;
        assert!(world.validate().is_err());
    }

    #[test]
    fn admin_means_global_administrator_and_roles_add_to_it() {
        let world = World::demo();
        let (admin, clerk) = (&world.users[0], &world.users[1]);
        assert_eq!(admin.directory_roles(), [&roles::GLOBAL_ADMINISTRATOR]);
        assert!(admin.administers_applications());
        assert!(clerk.directory_roles().is_empty() && !clerk.administers_applications());

        let mut cloud_admin = clerk.clone();
        cloud_admin.roles = vec!["158c047a-c907-4556-b7ef-446551a6b5f7".into()];
        assert!(cloud_admin.administers_applications());

        let mut tenant = world.tenants[0].clone();
        assert!(clerk.may_register_applications(&tenant));
        tenant.users_can_register_apps = false;
        assert!(!clerk.may_register_applications(&tenant));
        let mut developer = clerk.clone();
        developer.roles = vec!["Application Developer".into()];
        assert!(developer.may_register_applications(&tenant));
        assert!(!developer.administers_applications());
    }

    /// `worlds/fleet.json`: a consultant's customers, one way each for a
    /// connection to be healthy or broken (its README section).
    #[test]
    fn the_fleet_world_is_valid() {
        let world = World::from_json(include_str!("../worlds/fleet.json")).unwrap();
        assert_eq!(world.tenants.len(), 5);
        assert_eq!(world.apps.len(), 5);
        assert_eq!(world.faults.len(), 1, "one tenant throttles");
    }

    #[test]
    fn the_readme_example_is_a_valid_world() {
        let readme = include_str!("../README.md");
        let start = readme.find("```json").unwrap() + "```json".len();
        let end = start + readme[start..].find("```").unwrap();
        World::from_json(&readme[start..end]).unwrap();
    }
}
