//! `servicePrincipals/{id}/appRoleAssignedTo`: application permissions
//! granted to client apps on a resource API. An assignment made here is
//! what later client-credentials tokens of the app carry in `roles`
//! (docs/microsoft.md §9 step 5). Like delegated grants, assignments live
//! in the store; this is Graph's view of them.

use axum::http::StatusCode;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use super::errors::{timestamp, GraphError};
use super::service_principals;
use super::{only_properties, Answer, Call, Key};
use crate::directory::service_principal_id;
use crate::resources::{Permission, Resource};
use crate::store::{Grants, Store};

/// One app role held by a client on a resource.
struct Assignment<'r> {
    client: Uuid,
    client_name: String,
    resource: Resource,
    role: &'r Permission,
    created: OffsetDateTime,
}

impl Assignment<'_> {
    /// Graph's assignment IDs start with the principal's object ID in
    /// .NET's byte order (seen in
    /// `microsoftgraph/microsoft-graph-docs-contrib#8669`); the rest is
    /// derived here from resource and role (⚠ opaque to clients).
    fn id(&self, tenant: Uuid) -> String {
        let resource = service_principals::resource_id(tenant, self.resource);
        let rest = Uuid::new_v5(&resource, self.role.id.as_bytes());
        let mut bytes = service_principal_id(tenant, self.client)
            .to_bytes_le()
            .to_vec();
        bytes.extend(rest.to_bytes_le());
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// *Graph* `resources/approleassignment.md`.
    fn to_json(&self, tenant: Uuid) -> Value {
        json!({
            "id": self.id(tenant),
            "deletedDateTime": null,
            "appRoleId": self.role.id,
            "createdDateTime": timestamp(self.created),
            "principalDisplayName": self.client_name,
            "principalId": service_principal_id(tenant, self.client),
            "principalType": "ServicePrincipal",
            "resourceDisplayName": self.resource.display_name(),
            "resourceId": service_principals::resource_id(tenant, self.resource),
        })
    }
}

/// The app roles granted on `resource` in the tenant, by any consent.
fn on(store: &Store, tenant: Uuid, resource: Resource) -> Vec<Assignment<'static>> {
    let directory = store.directory();
    store
        .admin_grants(tenant)
        .flat_map(|(client, grants)| {
            let app = directory.app(client);
            let roles = grants.roles.get(&resource).into_iter().flatten();
            roles.filter_map(move |name| {
                let role = resource
                    .application()
                    .iter()
                    .find(|p| p.name == name.as_str())?;
                let created = app
                    .and_then(|a| a.roles_assigned.get(&(tenant, resource, name.clone())))
                    .copied()
                    .unwrap_or(directory.started);
                Some(Assignment {
                    client,
                    client_name: app
                        .map(|a| a.registration.display_name.clone())
                        .unwrap_or_default(),
                    resource,
                    role,
                    created,
                })
            })
        })
        .collect()
}

/// `GET /servicePrincipals/{id}/appRoleAssignedTo` (*Graph*
/// `serviceprincipal-list-approleassignedto.md`). A client app exposes no
/// roles here, so its list is empty.
pub fn list(call: &Call, key: &Key) -> Answer {
    read_scope(call)?;
    let tenant = call.caller.tenant.id;
    let store = call.shared.store();
    let resource = service_principals::find(&store, &call.caller.tenant, key)?.resource();
    let items = match resource {
        Some(resource) => on(&store, tenant, resource)
            .iter()
            .map(|a| a.to_json(tenant))
            .collect(),
        None => vec![],
    };
    drop(store);
    call.collection("appRoleAssignments", items)
}

/// Reading assignments needs either permission.
fn read_scope(call: &Call) -> Result<(), GraphError> {
    call.caller
        .require("AppRoleAssignment.ReadWrite.All")
        .or_else(|_| call.caller.require("Application.ReadWrite.All"))
}

/// `POST /servicePrincipals/{resource SP id}/appRoleAssignedTo` (*Graph*
/// `serviceprincipal-post-approleassignedto.md`): an application
/// administrator, with AppRoleAssignment.ReadWrite.All and an Application
/// permission besides (live answers refuse it without one:
/// `microsoftgraph/microsoft-graph-docs#12833`). A client service
/// principal still within the replication delay is not found (404); the
/// same role twice is 400 "Permission being assigned already exists on the
/// object." (⚠ the text every public retry script matches; no Microsoft
/// page shows it; docs/microsoft.md §9).
pub fn create(call: &Call, key: &Key) -> Answer {
    call.caller.require("AppRoleAssignment.ReadWrite.All")?;
    call.caller.require("Application.ReadWrite.All")?;
    call.caller.require_administrator()?;
    let body = call.body()?;
    only_properties(&body, &["principalId", "resourceId", "appRoleId"])?;
    let text = |name: &str| body.get(name).and_then(Value::as_str).unwrap_or_default();
    let tenant = &call.caller.tenant;
    let mut store = call.shared.store();
    let resource_sp = service_principals::find(&store, tenant, key)?;
    let resource = resource_sp.resource();
    if !text("resourceId").eq_ignore_ascii_case(&resource_sp.id.to_string()) {
        return Err(GraphError::invalid_reference(
            "resourceId",
            "AppRoleAssignment",
        ));
    }
    let principal_id = text("principalId");
    let client = service_principals::find(&store, tenant, &Key::Id(principal_id.into()))
        .map_err(|_| GraphError::not_found(principal_id))?;
    let client_app = client
        .app()
        .ok_or_else(|| GraphError::invalid_reference("principalId", "AppRoleAssignment"))?;
    let client_id = client_app.registration.client_id;
    let client_name = client_app.registration.display_name.clone();
    let role = resource.and_then(|r| {
        r.application()
            .iter()
            .find(|p| p.id.eq_ignore_ascii_case(text("appRoleId")))
            .map(|p| (r, p))
    });
    let Some((resource, role)) = role else {
        return Err(GraphError::bad_request(format!(
            "Permission being assigned was not found on application '{}'.",
            resource_sp.app_id
        )));
    };
    if on(&store, tenant.id, resource)
        .iter()
        .any(|a| a.client == client_id && a.role.id == role.id)
    {
        return Err(GraphError::bad_request(
            "Permission being assigned already exists on the object.",
        ));
    }
    let mut grants = Grants::default();
    grants
        .roles
        .entry(resource)
        .or_default()
        .insert(role.name.to_string());
    store.grant_admin(tenant.id, client_id, grants);
    let created = OffsetDateTime::now_utc();
    if let Some(app) = store.directory_mut().app_mut(client_id) {
        app.roles_assigned
            .insert((tenant.id, resource, role.name.to_string()), created);
    }
    drop(store);
    let assignment = Assignment {
        client: client_id,
        client_name,
        resource,
        role,
        created,
    };
    call.entity(
        StatusCode::CREATED,
        &format!(
            "servicePrincipals('{}')/appRoleAssignedTo/$entity",
            resource_sp.id
        ),
        assignment.to_json(tenant.id),
    )
}
