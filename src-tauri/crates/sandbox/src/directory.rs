//! The live directory: app registrations and the tenants their service
//! principals exist in, seeded from the world and changed while the sandbox
//! runs (Microsoft Graph, `src/graph/`). Entra's pages and token endpoint
//! read apps from here. Entra replicates writes with a delay, so for a few
//! seconds after Graph creates an app or a service principal nobody sees
//! it yet (docs/microsoft.md §9, "Errors and replication"; a fixed delay,
//! where Microsoft's varies: docs/sandbox-fidelity.md §M8).

use std::collections::BTreeMap;

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::resources::Resource;
use crate::store::Shared;
use crate::world::{AppRegistration, RedirectUris, RequiredPermissions, SignInAudience, World};

/// Microsoft Graph Command Line Tools, Microsoft Graph PowerShell's
/// multitenant public client, which "Set it up for me" signs the
/// administrator in with before the customer's own app exists
/// (docs/microsoft.md §9 "Microsoft's own public clients", §11).
pub const SETUP_CLIENT_ID: Uuid = Uuid::from_u128(0x14d82eec_204b_4c2f_b7e8_296a70dab67e);

/// The Microsoft tenant that owns it: ⚠ the `appOwnerOrganizationId` of
/// one captured service principal (docs/microsoft.md §11). It is not a
/// tenant of any world.
const SETUP_CLIENT_HOME: Uuid = Uuid::from_u128(0xcdc5aeea_15c5_4db6_b079_fcadd2505dc2);

/// When a directory object came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    /// Declared by the world: replicated before anyone asks.
    World,
    At(OffsetDateTime),
}

/// An application object (Graph `application`) with its registration.
#[derive(Debug, Clone)]
pub struct Application {
    pub registration: AppRegistration,
    /// Graph's `id`, which is not the client ID (`appId`).
    pub object_id: Uuid,
    pub is_fallback_public_client: Option<bool>,
    /// Object IDs of the users who own it: whoever created it through Graph.
    pub owners: Vec<Uuid>,
    pub created: Since,
    /// Tenants where its service principal was created: the home tenant
    /// for an app of the world (the admin center creates both), after
    /// `POST /servicePrincipals` for one made through Graph. Consent
    /// creates one as well (`Store::service_principal_since`).
    pub service_principals: BTreeMap<Uuid, Since>,
    /// Microsoft's own client, present in every tenant.
    pub everywhere: bool,
    /// Graph's view of each secret, by its key ID (the Secret ID).
    pub secret_details: BTreeMap<Uuid, SecretDetails>,
    /// When each app role was granted through Graph, by tenant, resource
    /// and role name.
    pub roles_assigned: BTreeMap<(Uuid, Resource, String), OffsetDateTime>,
}

/// What Graph reports about a secret beyond its value and expiry.
#[derive(Debug, Clone)]
pub struct SecretDetails {
    pub display_name: Option<String>,
    pub start: OffsetDateTime,
}

pub struct Directory {
    /// In the world's order, then in order of creation.
    apps: Vec<Application>,
    replication: Duration,
    /// When the sandbox started: the creation time shown for what the
    /// world declares.
    pub started: OffsetDateTime,
}

impl Directory {
    pub fn seeded(world: &World) -> Directory {
        let started = OffsetDateTime::now_utc();
        let mut apps: Vec<Application> = world
            .apps
            .iter()
            .map(|registration| Application {
                // Stable per client ID, so a world always has the same IDs.
                object_id: Uuid::new_v5(&registration.client_id, b"application"),
                is_fallback_public_client: None,
                owners: Vec::new(),
                created: Since::World,
                service_principals: BTreeMap::from([(registration.tenant, Since::World)]),
                everywhere: false,
                secret_details: registration
                    .secrets
                    .iter()
                    .map(|s| {
                        let details = SecretDetails {
                            display_name: None,
                            start: started,
                        };
                        (s.id, details)
                    })
                    .collect(),
                roles_assigned: BTreeMap::new(),
                registration: registration.clone(),
            })
            .collect();
        apps.push(setup_client());
        Directory {
            apps,
            replication: seconds(world.directory.replication_seconds),
            started,
        }
    }

    pub fn set_replication(&mut self, delay: Duration) {
        self.replication = delay;
    }

    /// Whether reads see an object created `since`.
    pub fn is_replicated(&self, since: Since) -> bool {
        match since {
            Since::World => true,
            Since::At(at) => OffsetDateTime::now_utc() - at >= self.replication,
        }
    }

    pub fn created_at(&self, since: Since) -> OffsetDateTime {
        match since {
            Since::World => self.started,
            Since::At(at) => at,
        }
    }

    /// Every application, replicated or not.
    pub fn apps(&self) -> impl Iterator<Item = &Application> {
        self.apps.iter()
    }

    /// An application by client ID, replicated or not: writes see it.
    pub fn app(&self, client_id: Uuid) -> Option<&Application> {
        self.apps
            .iter()
            .find(|a| a.registration.client_id == client_id)
    }

    pub fn app_mut(&mut self, client_id: Uuid) -> Option<&mut Application> {
        self.apps
            .iter_mut()
            .find(|a| a.registration.client_id == client_id)
    }

    /// An application by client ID as reads see it: not within the
    /// replication delay.
    pub fn replicated_app(&self, client_id: Uuid) -> Option<&Application> {
        self.app(client_id)
            .filter(|a| self.is_replicated(a.created))
    }

    pub fn add(&mut self, app: Application) {
        self.apps.push(app);
    }
}

/// A service principal's object ID in a tenant, stable per pair. App-only
/// tokens carry it as `oid` and `sub`.
pub fn service_principal_id(tenant: Uuid, app_id: Uuid) -> Uuid {
    Uuid::new_v5(&tenant, app_id.as_bytes())
}

impl Shared {
    /// The app a client ID names, as Entra's sign-in and token endpoints
    /// see it: unknown while it is within the replication delay.
    pub fn app(&self, client_id: Uuid) -> Option<AppRegistration> {
        self.store()
            .directory()
            .replicated_app(client_id)
            .map(|a| a.registration.clone())
    }
}

/// Microsoft Graph Command Line Tools as every tenant sees it. Its static
/// list names the Graph permissions of docs/microsoft.md §9 and the
/// Dynamics resources, so that `<resource>/.default` works for it once
/// someone consented (⚠ Microsoft's real list is not published;
/// docs/sandbox-fidelity.md §M9).
fn setup_client() -> Application {
    let permissions = |resource, delegated: &[&str]| RequiredPermissions {
        resource,
        delegated: delegated.iter().map(|s| s.to_string()).collect(),
        application: vec![],
    };
    let registration = AppRegistration {
        client_id: SETUP_CLIENT_ID,
        display_name: "Microsoft Graph Command Line Tools".into(),
        tenant: SETUP_CLIENT_HOME,
        sign_in_audience: SignInAudience::AzureADMultipleOrgs,
        redirect_uris: RedirectUris {
            mobile_and_desktop: vec!["http://localhost".into()],
            ..RedirectUris::default()
        },
        secrets: vec![],
        required_permissions: vec![
            permissions(
                Resource::MicrosoftGraph,
                &[
                    "User.Read",
                    "Application.ReadWrite.All",
                    "AppRoleAssignment.ReadWrite.All",
                    "DelegatedPermissionGrant.ReadWrite.All",
                ],
            ),
            permissions(
                Resource::BusinessCentral,
                &["Financials.ReadWrite.All", "user_impersonation"],
            ),
            permissions(
                Resource::FinanceOperations,
                &[
                    "AX.FullAccess",
                    "Odata.FullAccess",
                    "CustomService.FullAccess",
                ],
            ),
            permissions(Resource::Dataverse, &["user_impersonation"]),
        ],
        admin_consent: false,
        registered_in_product: vec![],
    };
    Application {
        object_id: Uuid::new_v5(&SETUP_CLIENT_ID, b"application"),
        is_fallback_public_client: Some(true),
        owners: Vec::new(),
        created: Since::World,
        service_principals: BTreeMap::new(),
        everywhere: true,
        secret_details: BTreeMap::new(),
        roles_assigned: BTreeMap::new(),
        registration,
    }
}

pub fn seconds(s: u64) -> Duration {
    Duration::seconds(i64::try_from(s).unwrap_or(i64::MAX))
}
