//! `oauth2PermissionGrants`: delegated consent, for the whole tenant
//! (`AllPrincipals`) or one user (`Principal`). A grant made here is what
//! later delegated tokens of the app carry, with no consent to give on the
//! sign-in page (docs/microsoft.md §9: "take effect at once"). Grants live
//! in the store next to those given on the sign-in and admin consent pages;
//! this is Graph's view of them.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use uuid::Uuid;

use super::errors::GraphError;
use super::service_principals::{self, ServicePrincipal};
use super::{no_content, only_properties, Answer, Call, Key};
use crate::directory::service_principal_id;
use crate::resources::Resource;
use crate::store::{Grants, Store};
use crate::world::Tenant;

/// One grant: a client, a resource, and a user unless tenant-wide.
struct Grant {
    client: Uuid,
    resource: Resource,
    principal: Option<Uuid>,
    scopes: BTreeSet<String>,
}

impl Grant {
    /// Graph's grant IDs are the client's, the resource's and (for one
    /// user) the user's object IDs, base64url-encoded in .NET's byte order
    /// (seen in `Azure/azure-cli#20974`; ⚠ undocumented, so clients treat
    /// them as opaque).
    fn id(&self, tenant: Uuid) -> String {
        let mut bytes = Vec::with_capacity(48);
        bytes.extend(service_principal_id(tenant, self.client).to_bytes_le());
        bytes.extend(service_principals::resource_id(tenant, self.resource).to_bytes_le());
        if let Some(user) = self.principal {
            bytes.extend(user.to_bytes_le());
        }
        URL_SAFE_NO_PAD.encode(bytes)
    }

    fn to_json(&self, tenant: Uuid) -> Value {
        json!({
            "clientId": service_principal_id(tenant, self.client),
            "consentType": if self.principal.is_some() { "Principal" } else { "AllPrincipals" },
            "id": self.id(tenant),
            "principalId": self.principal,
            "resourceId": service_principals::resource_id(tenant, self.resource),
            "scope": self.scopes.iter().cloned().collect::<Vec<_>>().join(" "),
        })
    }
}

/// Every delegated grant in the tenant.
fn all(store: &Store, tenant: Uuid) -> Vec<Grant> {
    let tenant_wide = store.admin_grants(tenant).flat_map(|(client, grants)| {
        grants
            .delegated
            .iter()
            .map(move |(resource, scopes)| Grant {
                client,
                resource: *resource,
                principal: None,
                scopes: scopes.clone(),
            })
    });
    let personal = store
        .user_grants(tenant)
        .flat_map(|(client, user, grants)| {
            grants.iter().map(move |(resource, scopes)| Grant {
                client,
                resource: *resource,
                principal: Some(user),
                scopes: scopes.clone(),
            })
        });
    // An empty set is what remains of a grant with nothing delegated.
    tenant_wide
        .chain(personal)
        .filter(|g| !g.scopes.is_empty())
        .collect()
}

/// `GET /oauth2PermissionGrants?$filter=clientId eq '…' and consentType eq
/// 'AllPrincipals'` (*Graph* `oauth2permissiongrant-list.md`).
pub fn list(call: &Call) -> Answer {
    call.caller
        .require("DelegatedPermissionGrant.ReadWrite.All")?;
    call.query
        .allow_filter_on(&["clientId", "consentType", "resourceId", "principalId"])?;
    let tenant = call.caller.tenant.id;
    let items = all(&call.shared.store(), tenant)
        .iter()
        .map(|g| g.to_json(tenant))
        .collect();
    call.collection("oauth2PermissionGrants", items)
}

/// `POST /oauth2PermissionGrants` (*Graph* `oauth2permissiongrant-post.md`;
/// docs/microsoft.md §9 step 4): only application administrators; a client
/// service principal still within the replication delay is an invalid
/// `clientId`; a second grant for the same client, resource and user is 409
/// "Permission entry already exists." (`hashicorp/terraform-provider-azuread#690`).
pub fn create(call: &Call) -> Answer {
    call.caller
        .require("DelegatedPermissionGrant.ReadWrite.All")?;
    call.caller.require_administrator()?;
    let body = call.body()?;
    only_properties(
        &body,
        &[
            "clientId",
            "consentType",
            "resourceId",
            "principalId",
            "scope",
        ],
    )?;
    let text = |name: &str| body.get(name).and_then(Value::as_str).unwrap_or_default();
    let invalid = |name: &str| GraphError::invalid_reference(name, "OAuth2PermissionGrant");
    let tenant = &call.caller.tenant;
    let mut store = call.shared.store();
    let client = client_of(&store, tenant, text("clientId")).ok_or_else(|| invalid("clientId"))?;
    let resource = service_principals::find(&store, tenant, &Key::Id(text("resourceId").into()))
        .ok()
        .and_then(|sp| sp.resource())
        .ok_or_else(|| invalid("resourceId"))?;
    let principal = match text("consentType") {
        "AllPrincipals" => None,
        "Principal" => {
            Some(user_in(call, tenant, text("principalId")).ok_or_else(|| invalid("principalId"))?)
        }
        _ => return Err(invalid("consentType")),
    };
    let scopes = scope_values(resource, text("scope"))?;
    if all(&store, tenant.id)
        .iter()
        .any(|g| g.client == client && g.resource == resource && g.principal == principal)
    {
        return Err(GraphError::conflict("Permission entry already exists."));
    }
    match principal {
        None => {
            let mut grants = Grants::default();
            grants.delegated.insert(resource, scopes.clone());
            store.grant_admin(tenant.id, client, grants);
        }
        Some(user) => store.grant_user(tenant.id, client, user, resource, scopes.clone()),
    }
    drop(store);
    let grant = Grant {
        client,
        resource,
        principal,
        scopes,
    };
    call.entity(
        StatusCode::CREATED,
        "oauth2PermissionGrants/$entity",
        grant.to_json(tenant.id),
    )
}

/// `PATCH /oauth2PermissionGrants/{id} {"scope"}` → 204: the grant's
/// scopes become these (*Graph* `oauth2permissiongrant-update.md`).
pub fn update(call: &Call, id: &str) -> Answer {
    call.caller
        .require("DelegatedPermissionGrant.ReadWrite.All")?;
    call.caller.require_administrator()?;
    let body = call.body()?;
    only_properties(&body, &["scope"])?;
    let tenant = call.caller.tenant.id;
    let mut store = call.shared.store();
    let grant = all(&store, tenant)
        .into_iter()
        .find(|g| g.id(tenant) == id)
        .ok_or_else(|| GraphError::not_found(id))?;
    let raw = body
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let scopes = scope_values(grant.resource, raw)?;
    store.set_delegated(
        tenant,
        grant.client,
        grant.principal,
        grant.resource,
        scopes,
    );
    drop(store);
    no_content()
}

/// The client app behind a service principal ID, as reads see it.
fn client_of(store: &Store, tenant: &Tenant, sp_id: &str) -> Option<Uuid> {
    service_principals::find(store, tenant, &Key::Id(sp_id.into()))
        .ok()
        .as_ref()
        .and_then(ServicePrincipal::app)
        .map(|app| app.registration.client_id)
}

fn user_in(call: &Call, tenant: &Tenant, id: &str) -> Option<Uuid> {
    let id = Uuid::parse_str(id).ok()?;
    call.shared
        .world
        .users
        .iter()
        .any(|u| u.tenant == tenant.id && u.object_id() == id)
        .then_some(id)
}

/// Space-separated scope values, each one the resource has (⚠ Graph's
/// own check is not documented; the sandbox refuses unknown values,
/// docs/sandbox-fidelity.md §L15).
fn scope_values(resource: Resource, raw: &str) -> Result<BTreeSet<String>, GraphError> {
    raw.split_whitespace()
        .map(|s| {
            resource
                .has_delegated(s)
                .then(|| s.to_string())
                .ok_or_else(|| GraphError::invalid_reference("scope", "OAuth2PermissionGrant"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grant_ids_encode_the_object_ids() {
        let tenant = Uuid::from_u128(7);
        let grant = Grant {
            client: Uuid::from_u128(1),
            resource: Resource::BusinessCentral,
            principal: None,
            scopes: BTreeSet::new(),
        };
        let bytes = URL_SAFE_NO_PAD.decode(grant.id(tenant)).unwrap();
        assert_eq!(bytes.len(), 32);
        let client_sp = Uuid::from_slice_le(&bytes[..16]).unwrap();
        assert_eq!(client_sp, service_principal_id(tenant, Uuid::from_u128(1)));
        let personal = Grant {
            principal: Some(Uuid::from_u128(9)),
            ..grant
        };
        assert_eq!(
            URL_SAFE_NO_PAD.decode(personal.id(tenant)).unwrap().len(),
            48
        );
    }
}
