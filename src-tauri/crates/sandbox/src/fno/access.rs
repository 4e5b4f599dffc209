//! Who may call an F&O environment: its users (`SystemUsers`) and the
//! *Microsoft Entra applications* page (`SysAADClients`), which admits an
//! app signing in on its own and names the F&O user it acts as
//! (docs/microsoft.md §6, §10; docs/sandbox-fidelity.md §H6).
//!
//! The sandbox knows one security role: `Admin` is System administrator,
//! as is every world administrator signing in (they map to `Admin`).

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::FnoError;
use crate::bearer::Caller;
use crate::odata::collection::Collection;
use crate::odata::{EntityType, Row};
use crate::resources::Resource;
use crate::store::Shared;
use crate::world::World;

pub const USERS: &str = "SystemUsers";
pub const ENTRA_APPS: &str = "SysAADClients";
const ADMIN: &str = "Admin";
/// The service user the world's apps are mapped to: not an administrator.
const INTEGRATION: &str = "Integration";
/// F&O user IDs hold at most 20 characters.
const USER_ID_LENGTH: usize = 20;
/// The entity's name in messages (⚠ inferred: public entity
/// `SysAADClient` over table SysAADClientTable).
const ENTITY: &str = "SysAADClientEntity";

struct FnoUser {
    id: String,
    name: String,
    alias: String,
    /// The world user signing in as this user (its object id).
    person: Option<Uuid>,
}

struct EntraApp {
    client_id: String,
    name: String,
    user: String,
}

/// One environment's users and Microsoft Entra applications.
pub struct Access {
    users: Vec<FnoUser>,
    /// Default company of new users.
    company: String,
    apps: Mutex<Vec<EntraApp>>,
}

impl Access {
    /// `Admin` (the tenant's administrators), one user per other person,
    /// the `Integration` user, and the world's apps that may call F&O
    /// mapped to `Integration`.
    pub fn new(world: &World, tenant: Uuid, company: &str) -> Access {
        let domain = world
            .tenant_by_id(tenant)
            .map(|t| t.initial_domain().to_string())
            .unwrap_or_default();
        let people: Vec<_> = world.users.iter().filter(|u| u.tenant == tenant).collect();
        let admin_alias = people
            .iter()
            .find(|u| u.admin)
            .map(|u| u.upn.clone())
            .unwrap_or_else(|| format!("admin@{domain}"));
        let mut users = vec![FnoUser {
            id: ADMIN.into(),
            name: ADMIN.into(),
            alias: admin_alias,
            person: None,
        }];
        for person in people.iter().filter(|u| !u.admin) {
            let local = person.upn.split('@').next().unwrap_or_default();
            users.push(FnoUser {
                id: local.chars().take(USER_ID_LENGTH).collect(),
                name: person.display_name.clone(),
                alias: person.upn.clone(),
                person: Some(person.object_id()),
            });
        }
        users.push(FnoUser {
            id: INTEGRATION.into(),
            name: "Integration user".into(),
            alias: format!("integration@{domain}"),
            person: None,
        });
        let apps = world
            .apps
            .iter()
            .filter(|a| {
                a.tenant == tenant
                    && a.registered_in_product
                        .contains(&Resource::FinanceOperations)
            })
            .map(|a| EntraApp {
                client_id: a.client_id.to_string(),
                name: a.display_name.clone(),
                user: INTEGRATION.into(),
            })
            .collect();
        Access {
            users,
            company: company.into(),
            apps: Mutex::new(apps),
        }
    }

    fn apps(&self) -> MutexGuard<'_, Vec<EntraApp>> {
        self.apps.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn app(&self, client_id: &str) -> Option<String> {
        self.apps()
            .iter()
            .find(|a| a.client_id.eq_ignore_ascii_case(client_id))
            .map(|a| a.user.clone())
    }

    /// Whether an app-only caller is on the Microsoft Entra applications
    /// page, or was put on every environment's with
    /// `SandboxHandle::register_in_product`. Anyone else gets 401
    /// (docs/microsoft.md §6).
    pub fn admits(&self, shared: &Shared, caller: &Caller) -> bool {
        if !caller.is_app() {
            return true;
        }
        let client_id = &caller.claims.appid;
        self.app(client_id).is_some()
            || Uuid::parse_str(client_id).is_ok_and(|app| {
                shared
                    .store()
                    .registered_in_product(app, Resource::FinanceOperations)
            })
    }

    /// The F&O user a caller acts as: a person's own (administrators are
    /// `Admin`), an app's mapped user.
    fn user_of(&self, shared: &Shared, caller: &Caller) -> Option<String> {
        if caller.is_app() {
            return self.app(&caller.claims.appid);
        }
        let oid = Uuid::parse_str(&caller.claims.oid).ok()?;
        let person = shared.world.users.iter().find(|u| u.object_id() == oid)?;
        if person.admin {
            return Some(ADMIN.into());
        }
        self.users
            .iter()
            .find(|u| u.person == Some(oid))
            .map(|u| u.id.clone())
    }

    /// The rows of `SystemUsers` or `SysAADClients`, if `set` is one.
    pub fn collection(&self, set: &str, entity: &EntityType) -> Option<Collection> {
        let rows: Vec<Row> = match set {
            USERS => self
                .users
                .iter()
                .map(|u| self.user_row(entity, u))
                .collect(),
            ENTRA_APPS => self.apps().iter().map(|a| app_row(entity, a)).collect(),
            _ => return None,
        };
        Some(Collection::of_rows(Arc::new(entity.clone()), rows))
    }

    fn user_row(&self, entity: &EntityType, u: &FnoUser) -> Row {
        // The shape of users created by d365bap.tools' Add-FscmUser.ps1
        // (docs/microsoft.md §10): claims users of sts.windows.net.
        row(entity, &u.id, |name| match name {
            "UserID" => json!(u.id),
            "UserName" => json!(u.name),
            "Alias" | "Email" => json!(u.alias),
            "Enabled" => json!(true),
            "NetworkDomain" => json!("https://sts.windows.net/"),
            "AccountType" => json!("ClaimsUser"),
            "Company" => json!(self.company),
            _ => Value::Null,
        })
    }

    /// `POST /data/SysAADClients`: what the page's New button does.
    /// Only a System administrator may (⚠ 403 body not captured); the user
    /// must exist (400) and the client ID must not be listed yet (500),
    /// worded as F&O's data entity writes word them (docs/microsoft.md
    /// §10, ⚠ messages inferred from other entities' captures).
    pub fn add_app(
        &self,
        shared: &Shared,
        caller: &Caller,
        entity: &EntityType,
        body: &[u8],
    ) -> Result<Row, FnoError> {
        let is_admin = self
            .user_of(shared, caller)
            .is_some_and(|u| u.eq_ignore_ascii_case(ADMIN));
        if !is_admin {
            return Err(FnoError::Forbidden);
        }
        let fields = new_app(entity, body)?;
        let field = |name: &str| {
            fields
                .get(name)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let (client_id, name, user) = (field("AADClientId"), field("Name"), field("UserId"));
        for (value, label) in [(&client_id, "Client Id"), (&user, "User ID")] {
            if value.is_empty() {
                return Err(write_failed(
                    400,
                    &format!("Warning: Field '{label}' must be filled in.; Warning: validateWrite failed on data source 'SysAADClientTable (SysAADClientTable)'"),
                ));
            }
        }
        let user = self
            .users
            .iter()
            .find(|u| u.id.eq_ignore_ascii_case(&user))
            .map(|u| u.id.clone())
            .ok_or_else(|| {
                write_failed(
                    400,
                    &format!("Warning: The value '{user}' in field 'User ID' is not found in the related table 'Users'.; Warning: validateField failed on field '{ENTITY}.UserId'"),
                )
            })?;
        let mut apps = self.apps();
        if apps
            .iter()
            .any(|a| a.client_id.eq_ignore_ascii_case(&client_id))
        {
            return Err(write_failed(
                500,
                &format!("Info: Cannot create a record in Microsoft Entra applications (SysAADClientTable). Client Id: {client_id}, {name}.\nThe record already exists."),
            ));
        }
        let app = EntraApp {
            client_id,
            name,
            user,
        };
        let created = app_row(entity, &app);
        apps.push(app);
        Ok(created)
    }
}

fn app_row(entity: &EntityType, a: &EntraApp) -> Row {
    row(entity, &a.client_id, |name| match name {
        "AADClientId" => json!(a.client_id),
        "Name" => json!(a.name),
        "UserId" => json!(a.user),
        _ => Value::Null,
    })
}

/// A row in `$metadata` order with an etag like F&O's.
fn row(entity: &EntityType, key: &str, value: impl Fn(&str) -> Value) -> Row {
    let mut row = Row::new();
    let tag = crate::data::seed_of(&[&entity.name, key]) % 1_000_000_000;
    row.insert(
        "@odata.etag".into(),
        json!(format!("W/\"JzEsNTYzNzE0NDU3Njs{tag}nJw==\"")),
    );
    for p in &entity.properties {
        row.insert(p.name.clone(), value(&p.name));
    }
    row
}

/// The fields of the body, as strings. Unknown properties and other
/// types are the OData library's errors (⚠ wording of ODL 7).
fn new_app(entity: &EntityType, body: &[u8]) -> Result<Map<String, Value>, FnoError> {
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
        return Err(FnoError::Query(
            "The request body is not a valid JSON object.".into(),
        ));
    };
    let mut strings = Map::new();
    for (name, value) in fields {
        if name.starts_with('@') {
            continue;
        }
        if entity.property(&name).is_none() {
            return Err(FnoError::Query(format!(
                "The property '{name}' does not exist on type '{}'. Make sure to only use property names that are defined by the type or mark the type as open type.",
                entity.qualified_name()
            )));
        }
        let Value::String(text) = value else {
            return Err(FnoError::Query(format!(
                "Cannot convert a primitive value to the expected type 'Edm.String'. See the inner exception for more details. ({name})"
            )));
        };
        strings.insert(name, Value::String(text));
    }
    Ok(strings)
}

/// F&O's wrapped write error: "Write failed for table row of type …
/// Infolog: …" (captures of other entities, docs/microsoft.md §10).
fn write_failed(status: u16, infolog: &str) -> FnoError {
    FnoError::WriteFailed {
        status,
        message: format!("Write failed for table row of type '{ENTITY}'. Infolog: {infolog}."),
    }
}
