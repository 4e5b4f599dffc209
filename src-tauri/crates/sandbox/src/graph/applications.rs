//! `applications`: app registrations of the caller's tenant, created,
//! completed and given secrets through Graph (docs/microsoft.md §9, "The
//! calls, in order"). A new app is a normal app to the sandbox's Entra once
//! replicated: sign-in with its redirect URIs, client credentials with its
//! secrets.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use rand::Rng;
use serde_json::{json, Map, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use super::errors::{timestamp, GraphError};
use super::{no_content, only_properties, Answer, Call, Key};
use crate::directory::{Application, Directory, SecretDetails, Since};
use crate::resources::Resource;
use crate::store::Store;
use crate::world::{
    check_redirect_uri, AppRegistration, ClientSecret, RedirectUris, RequiredPermissions,
    SignInAudience,
};

/// The properties the sandbox models; Graph has many more.
const PROPERTIES: &[&str] = &[
    "displayName",
    "signInAudience",
    "isFallbackPublicClient",
    "publicClient",
    "web",
    "spa",
    "requiredResourceAccess",
];

/// An application of the caller's tenant as reads see it: 404 when unknown
/// or within the replication delay (docs/microsoft.md §9).
fn find<'s>(store: &'s Store, tenant: Uuid, key: &Key) -> Result<&'s Application, GraphError> {
    let wanted = Uuid::parse_str(key.text()).map_err(|_| match key {
        Key::Id(id) => GraphError::invalid_object_id(id),
        Key::AppId(id) => GraphError::not_found(id),
    })?;
    store
        .directory()
        .apps()
        .filter(|a| a.registration.tenant == tenant && store.directory().is_replicated(a.created))
        .find(|a| match key {
            Key::Id(_) => a.object_id == wanted,
            Key::AppId(_) => a.registration.client_id == wanted,
        })
        .ok_or_else(|| GraphError::not_found(key.text()))
}

/// An application's owners and application administrators may change it
/// (docs/microsoft.md §9).
fn check_may_manage(call: &Call, app: &Application) -> Result<(), GraphError> {
    if app.owners.contains(&call.caller.user_id()) {
        Ok(())
    } else {
        call.caller.require_administrator()
    }
}

/// `GET /applications/{id}`, `/applications(appId='…')` (*Graph*
/// `application-get.md`).
pub fn get(call: &Call, key: &Key) -> Answer {
    call.caller.require("Application.ReadWrite.All")?;
    let store = call.shared.store();
    let item = to_json(find(&store, call.caller.tenant.id, key)?, store.directory());
    drop(store);
    call.entity(StatusCode::OK, "applications/$entity", item)
}

/// `GET /applications?$filter=displayName eq '…'`: replicated ones only.
pub fn list(call: &Call) -> Answer {
    call.caller.require("Application.ReadWrite.All")?;
    call.query.allow_filter_on(&["displayName", "appId"])?;
    let store = call.shared.store();
    let directory = store.directory();
    let items = directory
        .apps()
        .filter(|a| {
            a.registration.tenant == call.caller.tenant.id && directory.is_replicated(a.created)
        })
        .map(|a| to_json(a, directory))
        .collect();
    drop(store);
    call.collection("applications", items)
}

/// `POST /applications` (*Graph* `application-post-applications.md`):
/// anyone where users may register apps, else an Application Developer
/// or administrator; the creator owns it.
pub fn create(call: &Call) -> Answer {
    call.caller.require("Application.ReadWrite.All")?;
    if !call
        .caller
        .user
        .may_register_applications(&call.caller.tenant)
    {
        return Err(GraphError::denied());
    }
    let body = call.body()?;
    let changes = Changes::parse(&body)?;
    let display_name = changes
        .display_name
        .clone()
        .ok_or_else(|| GraphError::bad_request("The property 'displayName' is required."))?;
    let mut app = Application {
        registration: AppRegistration {
            client_id: Uuid::new_v4(),
            display_name,
            tenant: call.caller.tenant.id,
            // ⚠ Graph's own default differs; the sandbox has work and
            // school accounts only.
            sign_in_audience: SignInAudience::AzureADMyOrg,
            redirect_uris: RedirectUris::default(),
            secrets: vec![],
            required_permissions: vec![],
            admin_consent: false,
            registered_in_product: vec![],
        },
        object_id: Uuid::new_v4(),
        is_fallback_public_client: None,
        owners: vec![call.caller.user_id()],
        created: Since::At(OffsetDateTime::now_utc()),
        service_principals: BTreeMap::new(),
        everywhere: false,
        secret_details: BTreeMap::new(),
        roles_assigned: BTreeMap::new(),
    };
    changes.apply(&mut app);
    let mut store = call.shared.store();
    let item = to_json(&app, store.directory());
    store.directory_mut().add(app);
    drop(store);
    call.entity(StatusCode::CREATED, "applications/$entity", item)
}

/// `PATCH /applications/{id}` with any property of the POST → 204; a
/// collection given replaces the old one (*Graph* `application-update.md`).
pub fn update(call: &Call, key: &Key) -> Answer {
    call.caller.require("Application.ReadWrite.All")?;
    let body = call.body()?;
    let changes = Changes::parse(&body)?;
    let mut store = call.shared.store();
    let app = find(&store, call.caller.tenant.id, key)?;
    check_may_manage(call, app)?;
    let client_id = app.registration.client_id;
    if let Some(app) = store.directory_mut().app_mut(client_id) {
        changes.apply(app);
    }
    drop(store);
    no_content()
}

/// `POST /applications/{id}/addPassword` (*Graph* `application-addpassword.md`):
/// a new secret, returned this once, that works at the token endpoint at
/// once; without `endDateTime` it lives two years.
pub fn add_password(call: &Call, key: &Key) -> Answer {
    call.caller.require("Application.ReadWrite.All")?;
    let body = call.body()?;
    only_properties(&body, &["passwordCredential"])?;
    let wanted = match body.get("passwordCredential") {
        Some(Value::Object(p)) => p.clone(),
        None | Some(Value::Null) => Map::new(),
        Some(_) => return Err(GraphError::unreadable_body()),
    };
    only_properties(&wanted, &["displayName", "endDateTime", "startDateTime"])?;
    let start = match wanted.get("startDateTime") {
        Some(v) => date(v, "startDateTime")?,
        None => OffsetDateTime::now_utc(),
    };
    let end = match wanted.get("endDateTime") {
        Some(v) => date(v, "endDateTime")?,
        None => start + time::Duration::days(2 * 365),
    };
    if end <= start {
        return Err(GraphError::bad_request(
            "The endDateTime of a password credential must be after its startDateTime.",
        ));
    }
    let display_name = wanted
        .get("displayName")
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut store = call.shared.store();
    let app = find(&store, call.caller.tenant.id, key)?;
    check_may_manage(call, app)?;
    let client_id = app.registration.client_id;
    let secret = ClientSecret {
        id: Uuid::new_v4(),
        value: secret_text(),
        expires: end,
    };
    let details = SecretDetails {
        display_name,
        start,
    };
    let mut item = credential(&secret, &details);
    item["secretText"] = secret.value.clone().into();
    if let Some(app) = store.directory_mut().app_mut(client_id) {
        app.secret_details.insert(secret.id, details);
        app.registration.secrets.push(secret);
    }
    drop(store);
    call.entity(StatusCode::OK, "microsoft.graph.passwordCredential", item)
}

/// `POST /applications/{id}/removePassword {"keyId"}` → 204; the secret
/// stops working (AADSTS7000215). ⚠ The answer for an unknown `keyId` is
/// not documented; the sandbox says 400.
pub fn remove_password(call: &Call, key: &Key) -> Answer {
    call.caller.require("Application.ReadWrite.All")?;
    let body = call.body()?;
    only_properties(&body, &["keyId"])?;
    let key_id = body
        .get("keyId")
        .and_then(Value::as_str)
        .and_then(|k| Uuid::parse_str(k).ok())
        .ok_or_else(|| GraphError::bad_request("The property 'keyId' must be a GUID."))?;
    let mut store = call.shared.store();
    let app = find(&store, call.caller.tenant.id, key)?;
    check_may_manage(call, app)?;
    if !app.registration.secrets.iter().any(|s| s.id == key_id) {
        return Err(GraphError::bad_request(format!(
            "No password credential with keyId '{key_id}' was found on the application."
        )));
    }
    let client_id = app.registration.client_id;
    if let Some(app) = store.directory_mut().app_mut(client_id) {
        app.registration.secrets.retain(|s| s.id != key_id);
        app.secret_details.remove(&key_id);
    }
    drop(store);
    no_content()
}

/// What a POST or PATCH body sets; `None` leaves a property as it is.
struct Changes {
    display_name: Option<String>,
    sign_in_audience: Option<SignInAudience>,
    is_fallback_public_client: Option<Option<bool>>,
    public_client: Option<Vec<String>>,
    web: Option<Vec<String>>,
    spa: Option<Vec<String>>,
    required: Option<Vec<RequiredPermissions>>,
}

impl Changes {
    fn parse(body: &Map<String, Value>) -> Result<Changes, GraphError> {
        only_properties(body, PROPERTIES)?;
        let text = |name: &str| -> Result<Option<String>, GraphError> {
            match body.get(name) {
                None => Ok(None),
                Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.clone())),
                Some(_) => Err(GraphError::invalid_reference(name, "Application")),
            }
        };
        let sign_in_audience = match text("signInAudience")?.as_deref() {
            None => None,
            Some("AzureADMyOrg") => Some(SignInAudience::AzureADMyOrg),
            Some("AzureADMultipleOrgs") => Some(SignInAudience::AzureADMultipleOrgs),
            // Personal Microsoft accounts are not modelled
            // (docs/sandbox-fidelity.md §L15).
            Some(_) => {
                return Err(GraphError::invalid_reference(
                    "signInAudience",
                    "Application",
                ))
            }
        };
        let is_fallback_public_client = match body.get("isFallbackPublicClient") {
            None => None,
            Some(Value::Null) => Some(None),
            Some(Value::Bool(b)) => Some(Some(*b)),
            Some(_) => {
                return Err(GraphError::invalid_reference(
                    "isFallbackPublicClient",
                    "Application",
                ))
            }
        };
        Ok(Changes {
            display_name: text("displayName")?,
            sign_in_audience,
            is_fallback_public_client,
            public_client: redirect_uris(body, "publicClient", "PublicClientApplication")?,
            web: redirect_uris(body, "web", "WebApplication")?,
            spa: redirect_uris(body, "spa", "SpaApplication")?,
            required: body
                .get("requiredResourceAccess")
                .map(required_permissions)
                .transpose()?,
        })
    }

    fn apply(self, app: &mut Application) {
        let registration = &mut app.registration;
        if let Some(name) = self.display_name {
            registration.display_name = name;
        }
        if let Some(audience) = self.sign_in_audience {
            registration.sign_in_audience = audience;
        }
        if let Some(fallback) = self.is_fallback_public_client {
            app.is_fallback_public_client = fallback;
        }
        let uris = &mut registration.redirect_uris;
        for (new, old) in [
            (self.public_client, &mut uris.mobile_and_desktop),
            (self.web, &mut uris.web),
            (self.spa, &mut uris.spa),
        ] {
            if let Some(new) = new {
                *old = new;
            }
        }
        if let Some(required) = self.required {
            registration.required_permissions = required;
        }
    }
}

/// `{"redirectUris": […]}` of one platform, checked as the admin center
/// checks them (docs/microsoft.md §1).
fn redirect_uris(
    body: &Map<String, Value>,
    property: &str,
    resource: &str,
) -> Result<Option<Vec<String>>, GraphError> {
    let Some(platform) = body.get(property) else {
        return Ok(None);
    };
    let invalid = || GraphError::invalid_reference("redirectUris", resource);
    let platform = platform.as_object().ok_or_else(invalid)?;
    only_properties(platform, &["redirectUris"])?;
    let uris: Vec<String> = match platform.get("redirectUris") {
        None => vec![],
        Some(Value::Array(items)) => items
            .iter()
            .map(|u| u.as_str().map(str::to_string).ok_or_else(invalid))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(invalid()),
    };
    for uri in &uris {
        check_redirect_uri(uri).map_err(|why| {
            GraphError::bad_request(format!("The redirect URI '{uri}' is not valid: {why}."))
        })?;
    }
    Ok(Some(uris))
}

/// `requiredResourceAccess` to permission names per resource. Graph stores
/// any IDs; the sandbox checks each against the resource's service
/// principal so a wrong ID fails early (docs/sandbox-fidelity.md §L15).
fn required_permissions(value: &Value) -> Result<Vec<RequiredPermissions>, GraphError> {
    let invalid =
        |property: &str| GraphError::invalid_reference(property, "RequiredResourceAccess");
    let items = value
        .as_array()
        .ok_or_else(|| invalid("requiredResourceAccess"))?;
    let mut all: Vec<RequiredPermissions> = Vec::new();
    for item in items {
        let item = item
            .as_object()
            .ok_or_else(|| invalid("requiredResourceAccess"))?;
        only_properties(item, &["resourceAppId", "resourceAccess"])?;
        let resource = item
            .get("resourceAppId")
            .and_then(Value::as_str)
            .and_then(Resource::by_app_id)
            .ok_or_else(|| invalid("resourceAppId"))?;
        let index = match all.iter().position(|r| r.resource == resource) {
            Some(i) => i,
            None => {
                all.push(RequiredPermissions {
                    resource,
                    delegated: vec![],
                    application: vec![],
                });
                all.len() - 1
            }
        };
        let accesses = item
            .get("resourceAccess")
            .and_then(Value::as_array)
            .ok_or_else(|| invalid("resourceAccess"))?;
        for access in accesses {
            let id = access.get("id").and_then(Value::as_str).unwrap_or_default();
            let (list, permissions) = match access.get("type").and_then(Value::as_str) {
                Some("Scope") => (&mut all[index].delegated, resource.delegated()),
                Some("Role") => (&mut all[index].application, resource.application()),
                _ => return Err(invalid("resourceAccess")),
            };
            let name = permissions
                .iter()
                .find(|p| p.id.eq_ignore_ascii_case(id))
                .map(|p| p.name.to_string())
                .ok_or_else(|| invalid("resourceAccess"))?;
            if !list.contains(&name) {
                list.push(name);
            }
        }
    }
    Ok(all)
}

fn date(value: &Value, property: &str) -> Result<OffsetDateTime, GraphError> {
    value
        .as_str()
        .and_then(|s| OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok())
        .ok_or_else(|| GraphError::invalid_reference(property, "PasswordCredential"))
}

/// A secret shaped like Entra's: three characters, `Q~`, 35 more; 40 in
/// all (docs/microsoft.md §9: 16 to 64).
fn secret_text() -> String {
    const HEAD: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const TAIL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.~-";
    let mut rng = rand::thread_rng();
    let mut pick = |set: &[u8]| char::from(set[rng.gen_range(0..set.len())]);
    let head: String = (0..3).map(|_| pick(HEAD)).collect();
    let tail: String = (0..35).map(|_| pick(TAIL)).collect();
    format!("{head}Q~{tail}")
}

/// A `passwordCredential` as reads show it: no `secretText`, the `hint`
/// its first three characters (*Graph* `resources/passwordcredential.md`).
fn credential(secret: &ClientSecret, details: &SecretDetails) -> Value {
    json!({
        "customKeyIdentifier": null,
        "displayName": details.display_name,
        "endDateTime": timestamp(secret.expires),
        "hint": secret.value.chars().take(3).collect::<String>(),
        "keyId": secret.id,
        "secretText": null,
        "startDateTime": timestamp(details.start),
    })
}

fn to_json(app: &Application, directory: &Directory) -> Value {
    let r = &app.registration;
    let required: Vec<Value> = r
        .required_permissions
        .iter()
        .map(|need| {
            let ids = |names: &[String], permissions: &[crate::resources::Permission], kind| {
                names
                    .iter()
                    .filter_map(|n| permissions.iter().find(|p| p.name == n))
                    .map(|p| json!({"id": p.id, "type": kind}))
                    .collect::<Vec<Value>>()
            };
            let mut access = ids(&need.delegated, need.resource.delegated(), "Scope");
            access.extend(ids(&need.application, need.resource.application(), "Role"));
            json!({"resourceAppId": need.resource.app_id(), "resourceAccess": access})
        })
        .collect();
    let passwords: Vec<Value> = r
        .secrets
        .iter()
        .map(|s| {
            let details = app
                .secret_details
                .get(&s.id)
                .cloned()
                .unwrap_or(SecretDetails {
                    display_name: None,
                    start: directory.started,
                });
            credential(s, &details)
        })
        .collect();
    json!({
        "id": app.object_id,
        "appId": r.client_id,
        "createdDateTime": timestamp(directory.created_at(app.created)),
        "displayName": r.display_name,
        "signInAudience": r.sign_in_audience,
        "isFallbackPublicClient": app.is_fallback_public_client,
        "identifierUris": [],
        "tags": [],
        "publicClient": {"redirectUris": r.redirect_uris.mobile_and_desktop},
        "web": {"redirectUris": r.redirect_uris.web},
        "spa": {"redirectUris": r.redirect_uris.spa},
        "requiredResourceAccess": required,
        "keyCredentials": [],
        "passwordCredentials": passwords,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_look_like_entras() {
        let s = secret_text();
        assert_eq!(s.len(), 40);
        assert_eq!(&s[3..5], "Q~");
        assert_ne!(secret_text(), s);
    }

    #[test]
    fn required_resource_access_names_permissions_by_id() {
        let rra = json!([{
            "resourceAppId": "996def3d-b36c-4153-8607-a6fd3c01b89f",
            "resourceAccess": [
                {"id": "2fb13c28-9d89-417f-9af2-ec3065bc16e6", "type": "Scope"},
                {"id": "a42b0b75-311e-488d-b67e-8fe84f924341", "type": "Role"}
            ]
        }]);
        let got = required_permissions(&rra).unwrap();
        assert_eq!(got[0].resource, Resource::BusinessCentral);
        assert_eq!(got[0].delegated, ["Financials.ReadWrite.All"]);
        assert_eq!(got[0].application, ["API.ReadWrite.All"]);

        // A scope ID given as a role is refused.
        let wrong = json!([{
            "resourceAppId": "996def3d-b36c-4153-8607-a6fd3c01b89f",
            "resourceAccess": [{"id": "2fb13c28-9d89-417f-9af2-ec3065bc16e6", "type": "Role"}]
        }]);
        assert!(required_permissions(&wrong).is_err());
    }
}
