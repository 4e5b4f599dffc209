//! `servicePrincipals`: the resource APIs of the tenant's products with
//! their app roles and delegated scopes, and the client apps that have one
//! here (docs/microsoft.md §9, "Resolve IDs at run time"). An app made
//! through Graph gets one with `POST /servicePrincipals`.

use axum::http::StatusCode;
use serde_json::{json, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use super::errors::GraphError;
use super::{only_properties, Answer, Call, Key};
use crate::directory::{service_principal_id, Application, Since};
use crate::resources::{Permission, Resource};
use crate::store::Store;
use crate::world::Tenant;

/// What a service principal stands for.
#[derive(Debug, Clone)]
pub enum Principal {
    /// A Microsoft API: exists where its product does (Graph everywhere).
    Resource(Resource),
    /// A client app: registered here, consented to, or Microsoft's own.
    App(Box<Application>),
}

#[derive(Debug, Clone)]
pub struct ServicePrincipal {
    pub id: Uuid,
    pub app_id: Uuid,
    pub principal: Principal,
    pub since: Since,
}

impl ServicePrincipal {
    pub fn display_name(&self) -> &str {
        match &self.principal {
            Principal::Resource(r) => r.display_name(),
            Principal::App(app) => &app.registration.display_name,
        }
    }

    pub fn resource(&self) -> Option<Resource> {
        match self.principal {
            Principal::Resource(r) => Some(r),
            Principal::App(_) => None,
        }
    }

    pub fn app(&self) -> Option<&Application> {
        match &self.principal {
            Principal::App(app) => Some(app),
            Principal::Resource(_) => None,
        }
    }

    fn to_json(&self) -> Value {
        let (app_roles, scopes, names) = match &self.principal {
            Principal::Resource(r) => (
                r.application().iter().map(app_role).collect(),
                r.delegated().iter().map(scope).collect(),
                [self.app_id.to_string()]
                    .into_iter()
                    .chain(resource_uri(*r).map(str::to_string))
                    .collect(),
            ),
            Principal::App(_) => (vec![], vec![], vec![self.app_id.to_string()]),
        };
        json!({
            "id": self.id,
            "accountEnabled": true,
            "appDisplayName": self.display_name(),
            "appId": self.app_id,
            "displayName": self.display_name(),
            "servicePrincipalNames": names,
            "servicePrincipalType": "Application",
            "tags": [],
            "appRoles": app_roles,
            "oauth2PermissionScopes": scopes,
        })
    }
}

/// The resource's URI where it has one; F&O and Dataverse environments
/// are each their own (docs/microsoft.md §6, §7).
fn resource_uri(resource: Resource) -> Option<&'static str> {
    match resource {
        Resource::BusinessCentral => Some(crate::resources::BC_RESOURCE_URI),
        Resource::MicrosoftGraph => Some(Resource::graph_uri()),
        Resource::FinanceOperations | Resource::Dataverse => None,
    }
}

/// An `appRoles` item (*Graph* `resources/approle.md`).
fn app_role(p: &Permission) -> Value {
    json!({
        "allowedMemberTypes": ["Application"],
        "description": p.description,
        "displayName": p.description,
        "id": p.id,
        "isEnabled": true,
        "origin": "Application",
        "value": p.name,
    })
}

/// An `oauth2PermissionScopes` item (*Graph* `resources/permissionscope.md`).
fn scope(p: &Permission) -> Value {
    json!({
        "adminConsentDescription": p.description,
        "adminConsentDisplayName": p.description,
        "id": p.id,
        "isEnabled": true,
        "type": if p.admin_only { "Admin" } else { "User" },
        "userConsentDescription": if p.admin_only { Value::Null } else { p.description.into() },
        "userConsentDisplayName": if p.admin_only { Value::Null } else { p.description.into() },
        "value": p.name,
    })
}

/// A resource API's service principal ID in a tenant.
pub fn resource_id(tenant: Uuid, resource: Resource) -> Uuid {
    service_principal_id(tenant, resource_app_id(resource))
}

fn resource_app_id(resource: Resource) -> Uuid {
    // The IDs in resources.rs are well-formed GUIDs.
    Uuid::parse_str(resource.app_id()).unwrap_or_default()
}

/// Every service principal in the tenant, replicated or not.
pub fn all(store: &Store, tenant: &Tenant) -> Vec<ServicePrincipal> {
    let resources = Resource::ALL
        .into_iter()
        .filter(|r| tenant.has(*r))
        .map(|r| ServicePrincipal {
            id: resource_id(tenant.id, r),
            app_id: resource_app_id(r),
            principal: Principal::Resource(r),
            since: Since::World,
        });
    let apps = store.directory().apps().filter_map(|app| {
        let app_id = app.registration.client_id;
        let since = store.service_principal_since(tenant.id, app_id)?;
        Some(ServicePrincipal {
            id: service_principal_id(tenant.id, app_id),
            app_id,
            principal: Principal::App(Box::new(app.clone())),
            since,
        })
    });
    resources.chain(apps).collect()
}

/// The service principal a key names, as reads see it: 404 when unknown
/// or still within the replication delay.
pub fn find(store: &Store, tenant: &Tenant, key: &Key) -> Result<ServicePrincipal, GraphError> {
    let wanted = Uuid::parse_str(key.text()).map_err(|_| match key {
        Key::Id(id) => GraphError::invalid_object_id(id),
        Key::AppId(id) => GraphError::not_found(id),
    })?;
    all(store, tenant)
        .into_iter()
        .filter(|sp| store.directory().is_replicated(sp.since))
        .find(|sp| match key {
            Key::Id(_) => sp.id == wanted,
            Key::AppId(_) => sp.app_id == wanted,
        })
        .ok_or_else(|| GraphError::not_found(key.text()))
}

/// `GET /servicePrincipals(appId='…')` or `/servicePrincipals/{id}`
/// (*Graph* `serviceprincipal-get.md`).
pub fn get(call: &Call, key: &Key) -> Answer {
    call.caller.require("Application.ReadWrite.All")?;
    let sp = find(&call.shared.store(), &call.caller.tenant, key)?;
    call.entity(StatusCode::OK, "servicePrincipals/$entity", sp.to_json())
}

/// `GET /servicePrincipals?$filter=appId eq '…'`: replicated ones only.
pub fn list(call: &Call) -> Answer {
    call.caller.require("Application.ReadWrite.All")?;
    call.query.allow_filter_on(&["appId", "displayName"])?;
    let store = call.shared.store();
    let items = all(&store, &call.caller.tenant)
        .into_iter()
        .filter(|sp| store.directory().is_replicated(sp.since))
        .map(|sp| sp.to_json())
        .collect();
    drop(store);
    call.collection("servicePrincipals", items)
}

/// `POST /servicePrincipals {"appId"}` (*Graph*
/// `serviceprincipal-post-serviceprincipals.md`): for an application of
/// this tenant, or a multitenant one of another. An appId without a
/// replicated application is NoBackingApplicationObject; one that has a
/// service principal here already is 409 (`Azure/reliable-web-app-pattern-java#185`,
/// `KelvinTegelaar/CIPP#1142`; docs/microsoft.md §9).
pub fn create(call: &Call) -> Answer {
    call.caller.require("Application.ReadWrite.All")?;
    let body = call.body()?;
    only_properties(&body, &["appId"])?;
    let raw = body
        .get("appId")
        .and_then(Value::as_str)
        .ok_or_else(|| GraphError::bad_request("The property 'appId' is required."))?;
    let tenant = &call.caller.tenant;
    let mut store = call.shared.store();
    let app_id = Uuid::parse_str(raw).map_err(|_| GraphError::no_backing_application(raw))?;
    if all(&store, tenant).iter().any(|sp| sp.app_id == app_id) {
        return Err(GraphError::conflict(format!(
            "The service principal cannot be created, updated, or restored because the service principal name {raw} is already in use."
        )));
    }
    let app = store
        .directory()
        .replicated_app(app_id)
        .filter(|a| a.registration.tenant == tenant.id || a.registration.is_multitenant())
        .cloned()
        .ok_or_else(|| GraphError::no_backing_application(raw))?;
    let own = app.registration.tenant == tenant.id && app.owners.contains(&call.caller.user_id());
    if !own {
        call.caller.require_administrator()?;
    }
    let since = Since::At(OffsetDateTime::now_utc());
    if let Some(stored) = store.directory_mut().app_mut(app_id) {
        stored.service_principals.insert(tenant.id, since);
    }
    drop(store);
    let sp = ServicePrincipal {
        id: service_principal_id(tenant.id, app_id),
        app_id,
        principal: Principal::App(Box::new(app)),
        since,
    };
    call.entity(
        StatusCode::CREATED,
        "servicePrincipals/$entity",
        sp.to_json(),
    )
}
