//! Who may do what in a Dataverse environment: its users (the tenant's
//! people and the application users an administrator adds), their security
//! roles, and the checks the Web API makes with them (docs/microsoft.md §7,
//! §10; docs/sandbox-fidelity.md §H1, §H5).
//!
//! Modelled: an app-only caller needs an application user (else
//! `0x80072560`) holding at least one role (else `0x80042f09`); what the
//! roles let it read; and that creating users and assigning roles needs
//! System Administrator. People read every row whatever their roles.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, MutexGuard, PoisonError};

use serde_json::{json, Value};
use uuid::Uuid;

use super::{choices, DataverseError, Organization};
use crate::bearer::Caller;
use crate::odata::collection::Collection;
use crate::odata::{EntityType, Row};
use crate::resources::Resource;
use crate::store::Shared;
use crate::world::World;

/// How much of a table a role reads. Ordered: the widest of a user's
/// roles wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    /// No read privilege: the request is refused (0x80040220).
    None,
    /// Only rows the user owns; sandbox rows belong to nobody.
    User,
    Organization,
}

pub struct RoleKind {
    pub name: &'static str,
    /// Access to business tables (accounts, contacts).
    reads: Access,
    /// Creates users and assigns roles (prvCreateUser, prvAssignRole).
    administers: bool,
}

const fn role(name: &'static str, reads: Access, administers: bool) -> RoleKind {
    RoleKind {
        name,
        reads,
        administers,
    }
}

/// The predefined roles of an environment with a Dataverse database, with
/// their documented privileges: "Read (self)" is user level, "Service
/// Reader" reads every table, Environment Maker, Delegate and Support User
/// have no access to business records. MicrosoftDocs/power-platform
/// `power-platform/admin/database-security.md` ("Predefined security
/// roles"). Dataverse copies every role into every business unit.
pub const ROLES: &[RoleKind] = &[
    role("System Administrator", Access::Organization, true),
    role("System Customizer", Access::User, false),
    role("Basic User", Access::User, false),
    role("Service Reader", Access::Organization, false),
    role("Service Writer", Access::Organization, false),
    role("Delegate", Access::None, false),
    role("Support User", Access::None, false),
    role("Environment Maker", Access::None, false),
];
const SYSTEM_ADMINISTRATOR: usize = 0;
const BASIC_USER: usize = 2;
/// The role the sandbox gives the world's apps: read-only, for a backend
/// service, as Microsoft advises least privilege for S2S apps
/// (docs/microsoft.md §10).
const SERVICE_READER: usize = 3;

/// The role of row `index` of `roles`: roles are listed business unit by
/// business unit, all of [`ROLES`] in each.
pub fn role_of(index: usize) -> &'static RoleKind {
    &ROLES[index % ROLES.len()]
}

/// Which business unit row `index` of `roles` belongs to.
pub fn business_unit_of_role(index: usize) -> usize {
    index / ROLES.len()
}

/// `accessmode` of people (Read-Write) and application users
/// (Non-interactive), SystemUser table reference.
const READ_WRITE: i64 = 0;
const NON_INTERACTIVE: i64 = 4;
/// When the world's users were added to the environment.
const SEEDED_ON: &str = "2024-01-08T09:00:00Z";

struct SystemUser {
    id: Uuid,
    application: Option<Uuid>,
    fullname: String,
    domainname: String,
    accessmode: i64,
    disabled: bool,
    business_unit: String,
    object_id: Option<Uuid>,
    created: String,
}

/// An environment's users and the roles (row indices of `roles`) each holds.
#[derive(Default)]
pub struct Directory {
    users: Vec<SystemUser>,
    roles: BTreeMap<Uuid, BTreeSet<usize>>,
}

/// What an application user is created with (`POST systemusers`).
pub struct NewApplicationUser {
    pub application: Uuid,
    pub business_unit: String,
    pub accessmode: i64,
    pub disabled: bool,
}

/// A person's systemuserid; WhoAmI answers the same.
pub fn person_id(org: &Organization, oid: &str) -> Uuid {
    Uuid::new_v5(&org.id, oid.as_bytes())
}

fn application_user_id(org: &Organization, app: Uuid) -> Uuid {
    Uuid::new_v5(&org.id, format!("application/{app}").as_bytes())
}

fn directory(org: &Organization) -> MutexGuard<'_, Directory> {
    org.directory.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The root business unit: the first one.
fn root_business_unit(org: &Organization) -> String {
    org.sets
        .get("businessunits")
        .filter(|s| !s.is_empty())
        .map(|s| s.key(0))
        .unwrap_or_default()
}

/// The world's people of the org's tenant (World admins are System
/// Administrators, everyone else a Basic User) and the world's apps that
/// have an application user here (`registered_in_product: dataverse`,
/// holding Service Reader).
pub fn seed(org: &Organization, world: &World) {
    let root = root_business_unit(org);
    let domain = world
        .tenant_by_id(org.tenant)
        .map(|t| t.initial_domain().to_string())
        .unwrap_or_default();
    let mut dir = directory(org);
    for user in world.users.iter().filter(|u| u.tenant == org.tenant) {
        let oid = user.object_id();
        let id = person_id(org, &oid.to_string());
        dir.users.push(SystemUser {
            id,
            application: None,
            fullname: user.display_name.clone(),
            domainname: user.upn.clone(),
            accessmode: READ_WRITE,
            disabled: false,
            business_unit: root.clone(),
            object_id: Some(oid),
            created: SEEDED_ON.into(),
        });
        let role = if user.admin {
            SYSTEM_ADMINISTRATOR
        } else {
            BASIC_USER
        };
        dir.roles.entry(id).or_default().insert(role);
    }
    let apps = world.apps.iter().filter(|a| {
        a.tenant == org.tenant && a.registered_in_product.contains(&Resource::Dataverse)
    });
    for app in apps {
        let new = NewApplicationUser {
            application: app.client_id,
            business_unit: root.clone(),
            accessmode: NON_INTERACTIVE,
            disabled: false,
        };
        let id = dir.add_application_user(org, &new, &app.display_name, &domain, SEEDED_ON);
        dir.roles.entry(id).or_default().insert(SERVICE_READER);
    }
}

impl Directory {
    fn add_application_user(
        &mut self,
        org: &Organization,
        new: &NewApplicationUser,
        app_name: &str,
        domain: &str,
        created: &str,
    ) -> Uuid {
        let id = application_user_id(org, new.application);
        // Dataverse prefixes an application user's name with "#"
        // (MicrosoftDocs/power-platform#930). ⚠ The user name's form is
        // the sandbox's.
        self.users.push(SystemUser {
            id,
            application: Some(new.application),
            fullname: format!("# {app_name}"),
            domainname: format!("{}@{domain}", new.application),
            accessmode: new.accessmode,
            disabled: new.disabled,
            business_unit: new.business_unit.clone(),
            object_id: None,
            created: created.into(),
        });
        id
    }

    fn application_user(&self, app: Uuid) -> Option<&SystemUser> {
        self.users.iter().find(|u| u.application == Some(app))
    }

    /// An app added through `SandboxHandle::register_in_product` while the
    /// sandbox runs gets its application user (with Service Reader) in
    /// every environment the first time it is looked up.
    fn application_user_or_registered(
        &mut self,
        org: &Organization,
        shared: &Shared,
        app: Uuid,
    ) -> Option<&SystemUser> {
        let known = self.application_user(app).is_some();
        if !known
            && shared
                .store()
                .registered_in_product(app, Resource::Dataverse)
        {
            let new = NewApplicationUser {
                application: app,
                business_unit: root_business_unit(org),
                accessmode: NON_INTERACTIVE,
                disabled: false,
            };
            let name = app_name(shared, app);
            let domain = tenant_domain(shared, org);
            let id = self.add_application_user(org, &new, &name, &domain, SEEDED_ON);
            self.roles.entry(id).or_default().insert(SERVICE_READER);
        }
        self.application_user(app)
    }
}

fn app_name(shared: &Shared, app: Uuid) -> String {
    shared
        .world
        .app_by_id(app)
        .map(|a| a.display_name.clone())
        .unwrap_or_else(|| app.to_string())
}

fn tenant_domain(shared: &Shared, org: &Organization) -> String {
    shared
        .world
        .tenant_by_id(org.tenant)
        .map(|t| t.initial_domain().to_string())
        .unwrap_or_default()
}

/// The caller as Dataverse sees it: a systemuser and its roles.
pub struct Principal {
    pub id: Uuid,
    pub business_unit: String,
    is_app: bool,
    object_id: String,
    accessmode: i64,
    roles: Vec<usize>,
}

impl Principal {
    /// How much of a business table the caller reads. People are not
    /// checked (docs/sandbox-fidelity.md §H5).
    pub fn reads(&self) -> Access {
        if !self.is_app {
            return Access::Organization;
        }
        self.roles
            .iter()
            .map(|&r| role_of(r).reads)
            .max()
            .unwrap_or(Access::None)
    }

    fn administers(&self) -> bool {
        self.roles.iter().any(|&r| role_of(r).administers)
    }
}

/// Resolves the caller. An app-only caller needs an application user in
/// this environment, else 403 `0x80072560` (docs/microsoft.md §7), and a
/// role, else 403 `0x80042f09` (docs/microsoft.md §10). A person the
/// environment does not list is let in as before, without roles.
pub fn principal(
    org: &Organization,
    shared: &Shared,
    caller: &Caller,
) -> Result<Principal, DataverseError> {
    let mut dir = directory(org);
    if caller.is_app() {
        let app = Uuid::parse_str(&caller.claims.appid).map_err(|_| DataverseError::NotAMember)?;
        let user = dir
            .application_user_or_registered(org, shared, app)
            .ok_or(DataverseError::NotAMember)?;
        let (id, business_unit, accessmode) =
            (user.id, user.business_unit.clone(), user.accessmode);
        let roles: Vec<usize> = dir
            .roles
            .get(&id)
            .map(|r| r.iter().copied().collect())
            .unwrap_or_default();
        if roles.is_empty() {
            return Err(DataverseError::NoRoles(id));
        }
        return Ok(Principal {
            id,
            business_unit,
            is_app: true,
            object_id: caller.claims.oid.clone(),
            accessmode,
            roles,
        });
    }
    let id = person_id(org, &caller.claims.oid);
    let user = dir.users.iter().find(|u| u.id == id);
    Ok(Principal {
        id,
        business_unit: user
            .map(|u| u.business_unit.clone())
            .unwrap_or_else(|| root_business_unit(org)),
        is_app: false,
        object_id: caller.claims.oid.clone(),
        accessmode: user.map_or(READ_WRITE, |u| u.accessmode),
        roles: dir
            .roles
            .get(&id)
            .map(|r| r.iter().copied().collect())
            .unwrap_or_default(),
    })
}

/// A privilege the sandbox checks, as the error names it.
pub struct Privilege {
    name: &'static str,
    id: Uuid,
    /// The table's object type code and logical and display names.
    otc: u32,
    entity: &'static str,
    localized: &'static str,
}

impl Privilege {
    /// prvRead<Table> of a business table, for the refusal of a role
    /// without read access. prvReadAccount's ID is the one Microsoft's
    /// on-premises monitoring docs quote; ⚠ prvReadContact's is made up.
    pub fn read(table: &str) -> Option<Privilege> {
        Some(match table {
            "accounts" => Privilege {
                name: "prvReadAccount",
                id: Uuid::from_u128(0x886b280c_6396_4d56_a0a3_2c1b0a50ceb0),
                otc: 1,
                entity: "account",
                localized: "Account",
            },
            "contacts" => Privilege {
                name: "prvReadContact",
                id: Uuid::new_v5(&Uuid::NAMESPACE_OID, b"prvReadContact"),
                otc: 2,
                entity: "contact",
                localized: "Contact",
            },
            _ => return None,
        })
    }

    /// Creating a user: "403 prvCreateUser missing" is what a person who
    /// is not System Administrator meets (docs/microsoft.md §10). ⚠ Its ID
    /// is made up.
    fn create_user() -> Privilege {
        Privilege {
            name: "prvCreateUser",
            id: Uuid::new_v5(&Uuid::NAMESPACE_OID, b"prvCreateUser"),
            otc: 8,
            entity: "systemuser",
            localized: "User",
        }
    }

    /// Assigning a role, with the ID public code checks for it
    /// (docs/microsoft.md §10).
    fn assign_role() -> Privilege {
        Privilege {
            name: "prvAssignRole",
            id: Uuid::from_u128(0x836d6c7b_cf1d_47f0_8021_8e41091c489c),
            otc: 1036,
            entity: "role",
            localized: "Security Role",
        }
    }
}

/// 403 `0x80040220`, worded as the service words it today (a 2025
/// capture on the Dynamics community forum, docs/microsoft.md §10). ⚠
/// The privilege counts are illustrative.
pub fn missing(principal: &Principal, privilege: &Privilege) -> DataverseError {
    let mode = choices::of("systemuser", "accessmode")
        .and_then(|c| c.label_of(principal.accessmode))
        .unwrap_or_default();
    let p = privilege;
    DataverseError::MissingPrivilege(format!(
        "Principal user (Id={id}, type=8, roleCount={roles}, privilegeCount={count}, accessMode='{access} {mode}', AADObjectId='{oid}', MetadataCachePrivilegesCount=12471, businessUnitId={bu}), is missing {name} privilege (Id={pid}) on OTC={otc} for entity '{entity}' (LocalizedName='{localized}'). context.Caller={id}. Consider adding missed privilege to one of the principal (user/team) roles.",
        id = principal.id,
        roles = principal.roles.len(),
        count = principal.roles.len() * 420,
        access = principal.accessmode,
        oid = principal.object_id,
        bu = principal.business_unit,
        name = p.name,
        pid = p.id,
        otc = p.otc,
        entity = p.entity,
        localized = p.localized,
    ))
}

/// `systemusers`, as the directory holds them now.
pub fn users(org: &Organization, entity: Arc<EntityType>) -> Collection {
    let dir = directory(org);
    let rows: Vec<Row> = dir.users.iter().map(|u| user_row(&entity, u)).collect();
    Collection::of_rows(entity, rows)
}

/// `systemusers(<id>)/systemuserroles_association`: the roles' rows.
pub fn roles_of(org: &Organization, user: &str) -> Result<Collection, DataverseError> {
    let roles = org
        .sets
        .get("roles")
        .ok_or_else(|| DataverseError::NotFound("roles".into()))?;
    let id = known_user(org, user)?;
    let held: Vec<usize> = directory(org)
        .roles
        .get(&id)
        .map(|r| r.iter().copied().collect())
        .unwrap_or_default();
    let rows = held.into_iter().map(|i| roles.row(i)).collect();
    Ok(Collection::of_rows(roles.entity.clone(), rows))
}

fn known_user(org: &Organization, user: &str) -> Result<Uuid, DataverseError> {
    let does_not_exist = || DataverseError::DoesNotExist {
        entity: "systemuser".into(),
        id: user.to_string(),
    };
    let id = Uuid::parse_str(user).map_err(|_| does_not_exist())?;
    directory(org)
        .users
        .iter()
        .any(|u| u.id == id)
        .then_some(id)
        .ok_or_else(does_not_exist)
}

fn user_row(entity: &EntityType, u: &SystemUser) -> Row {
    let mut row = Row::new();
    row.insert(
        "@odata.etag".into(),
        json!(format!("W/\"{}\"", 5_000_000 + u.id.as_u128() % 1_000_000)),
    );
    for p in &entity.properties {
        let value = match p.name.as_str() {
            "systemuserid" => json!(u.id),
            "fullname" => json!(u.fullname),
            "domainname" => json!(u.domainname),
            "applicationid" => json!(u.application),
            "accessmode" => json!(u.accessmode),
            "isdisabled" => json!(u.disabled),
            "_businessunitid_value" => json!(u.business_unit),
            "azureactivedirectoryobjectid" => json!(u.object_id),
            "createdon" => json!(u.created),
            _ => Value::Null,
        };
        row.insert(p.name.clone(), value);
    }
    row
}

/// `POST systemusers`: only System Administrators create users (403
/// `0x80040220` prvCreateUser otherwise), and an app has at most one
/// application user per environment: a second one is 412 `0x80040237`
/// (docs/microsoft.md §10). Returns the new user's id.
pub fn create_application_user(
    org: &Organization,
    shared: &Shared,
    principal: &Principal,
    new: &NewApplicationUser,
    created: &str,
) -> Result<Uuid, DataverseError> {
    if !principal.administers() {
        return Err(missing(principal, &Privilege::create_user()));
    }
    let units = org
        .sets
        .get("businessunits")
        .ok_or_else(|| DataverseError::NotFound("businessunits".into()))?;
    if units.index_of(&new.business_unit).is_none() {
        return Err(DataverseError::DoesNotExist {
            entity: "businessunit".into(),
            id: new.business_unit.clone(),
        });
    }
    let mut dir = directory(org);
    if dir
        .application_user_or_registered(org, shared, new.application)
        .is_some()
    {
        return Err(DataverseError::Duplicate(
            "A record with matching key values already exists.",
        ));
    }
    let name = app_name(shared, new.application);
    let domain = tenant_domain(shared, org);
    Ok(dir.add_application_user(org, new, &name, &domain, created))
}

/// `POST systemusers(<id>)/systemuserroles_association/$ref`: only System
/// Administrators assign roles (403 `0x80040220` prvAssignRole
/// otherwise); both records must exist (404 `0x80040217`); a role already
/// held is a duplicate key (412 `0x80040237`, ⚠ inferred). Modern business
/// units let a role of any business unit be assigned
/// (MicrosoftDocs/power-platform#2208).
pub fn assign_role(
    org: &Organization,
    principal: &Principal,
    user: &str,
    role: &str,
) -> Result<(), DataverseError> {
    if !principal.administers() {
        return Err(missing(principal, &Privilege::assign_role()));
    }
    let id = known_user(org, user)?;
    let index = org
        .sets
        .get("roles")
        .and_then(|roles| roles.index_of(role))
        .ok_or_else(|| DataverseError::DoesNotExist {
            entity: "role".into(),
            id: role.to_string(),
        })?;
    let mut dir = directory(org);
    if !dir.roles.entry(id).or_default().insert(index) {
        return Err(DataverseError::Duplicate("Cannot insert duplicate key."));
    }
    Ok(())
}
