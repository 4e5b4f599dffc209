//! The Microsoft Graph v1.0 calls "Set it up for me" makes, with an
//! administrator's delegated token (docs/microsoft.md §9). Typed in and out;
//! Graph's own error body is kept for support.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::problem::{ErrorKind, Explain};
use crate::secrets::Secret;

/// A service principal: a resource's (Business Central, Dynamics ERP,
/// Dynamics CRM) or our new app's, in the administrator's tenant.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    /// The object ID grants name (`resourceId`, `clientId`, `principalId`).
    pub id: String,
    pub app_id: String,
    #[serde(default)]
    pub app_roles: Vec<AppRole>,
    #[serde(default)]
    pub oauth2_permission_scopes: Vec<PermissionScope>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRole {
    pub id: String,
    pub value: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionScope {
    pub id: String,
    pub value: Option<String>,
}

/// An app registration, as far as setup reads it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    /// Object ID: what `/applications/{id}` addresses.
    pub id: String,
    /// Application (client) ID.
    pub app_id: String,
    pub display_name: Option<String>,
    #[serde(default)]
    pub password_credentials: Vec<PasswordCredential>,
    #[serde(default)]
    pub public_client: RedirectUris,
    #[serde(default)]
    pub web: RedirectUris,
    #[serde(default)]
    pub required_resource_access: Vec<RequiredResourceAccess>,
}

/// A client secret as Graph lists it: never its value (`secretText` is
/// always null on reads, docs/microsoft.md §9).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordCredential {
    pub key_id: String,
    pub display_name: Option<String>,
    pub hint: Option<String>,
    pub end_date_time: Option<String>,
}

/// What `addPassword` returns: the only time the value is ever readable.
#[derive(Debug)]
pub struct NewPassword {
    pub credential: PasswordCredential,
    pub value: Secret,
}

/// What an app registration is created or completed with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationBody {
    pub display_name: String,
    pub sign_in_audience: &'static str,
    pub public_client: RedirectUris,
    pub web: RedirectUris,
    pub required_resource_access: Vec<RequiredResourceAccess>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RedirectUris {
    #[serde(default)]
    pub redirect_uris: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequiredResourceAccess {
    pub resource_app_id: String,
    #[serde(default)]
    pub resource_access: Vec<ResourceAccess>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceAccess {
    pub id: String,
    /// `Scope` (delegated) or `Role` (application).
    #[serde(rename = "type")]
    pub kind: String,
}

impl ApplicationBody {
    /// This body added to what an existing app already has: an app found
    /// by name may serve something else too, so completing it never takes
    /// a redirect URI or a permission away.
    pub fn added_to(&self, existing: &Application) -> ApplicationBody {
        let union = |ours: &RedirectUris, theirs: &RedirectUris| {
            let mut all = theirs.redirect_uris.clone();
            all.extend(
                ours.redirect_uris
                    .iter()
                    .filter(|u| !theirs.redirect_uris.contains(u))
                    .cloned(),
            );
            RedirectUris { redirect_uris: all }
        };
        let mut access = existing.required_resource_access.clone();
        for ours in &self.required_resource_access {
            match access.iter_mut().find(|a| {
                a.resource_app_id
                    .eq_ignore_ascii_case(&ours.resource_app_id)
            }) {
                Some(theirs) => {
                    for permission in &ours.resource_access {
                        if !theirs.resource_access.contains(permission) {
                            theirs.resource_access.push(permission.clone());
                        }
                    }
                }
                None => access.push(ours.clone()),
            }
        }
        ApplicationBody {
            display_name: self.display_name.clone(),
            sign_in_audience: self.sign_in_audience,
            public_client: union(&self.public_client, &existing.public_client),
            web: union(&self.web, &existing.web),
            required_resource_access: access,
        }
    }
}

/// A tenant-wide delegated grant (`consentType: AllPrincipals`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionGrant {
    pub id: String,
    pub resource_id: String,
    #[serde(default)]
    pub scope: String,
}

/// An application permission given to a service principal.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRoleAssignment {
    pub principal_id: String,
    pub app_role_id: String,
}

/// One of the signed-in person's directory roles.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryRole {
    pub display_name: Option<String>,
    pub role_template_id: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// Graph answered with its error body (docs/microsoft.md §9).
    #[error("Microsoft Graph refused: {message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
        request_id: Option<String>,
    },
    #[error("Microsoft Graph could not be reached.")]
    Unreachable { cause: String },
    #[error("Microsoft Graph sent an answer D365 Connect does not understand.")]
    Unexpected { details: String },
}

impl GraphError {
    /// Entra's replication delay: an object created a moment ago is not yet
    /// readable everywhere (docs/microsoft.md §9, "Errors and replication").
    /// Graph documents coding against `code`, but the two 400s it gives then
    /// ("does not reference a valid application object" for a new app's
    /// service principal; "Invalid value specified for property" for a
    /// grant naming a new one) share `Request_BadRequest` with real
    /// mistakes, so only those messages count. A real mistake waited on
    /// this way still ends when patience does.
    pub fn is_replication_delay(&self) -> bool {
        match self {
            GraphError::Refused { code, message, .. } => {
                code == "Request_ResourceNotFound"
                    || (code == "Request_BadRequest"
                        && (message.contains("does not reference a valid application object")
                            || message.starts_with("Invalid value specified for property")))
            }
            _ => false,
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, GraphError::Refused { status: 404, .. })
    }

    /// The object, grant or assignment exists already: what a re-run
    /// meets. A service principal says "… is already in use" with 409
    /// `Request_MultipleObjectsWithSameKeyValue` (docs/microsoft.md §9).
    pub fn is_already_there(&self) -> bool {
        matches!(self, GraphError::Refused { status: 409, code, .. }
            if code == "Request_MultipleObjectsWithSameKeyValue")
            || matches!(self, GraphError::Refused { status: 400 | 409, message, .. }
            if message.contains("already exists"))
    }

    fn denied(&self) -> bool {
        matches!(self, GraphError::Refused { status: 403, .. })
            || matches!(self, GraphError::Refused { code, .. } if code == "Authorization_RequestDenied")
    }
}

impl Explain for GraphError {
    fn kind(&self) -> ErrorKind {
        match self {
            _ if self.denied() => ErrorKind::AdministratorRequired,
            GraphError::Refused { status: 401, .. } => ErrorKind::SignInExpired,
            GraphError::Refused { status: 429, .. } => ErrorKind::Throttled,
            GraphError::Refused { status: 404, .. } => ErrorKind::NotFound,
            GraphError::Refused { .. } | GraphError::Unexpected { .. } => {
                ErrorKind::ServiceUnavailable
            }
            GraphError::Unreachable { .. } => ErrorKind::Network,
        }
    }

    fn fix(&self) -> String {
        match self.kind() {
            ErrorKind::AdministratorRequired => ADMIN_FIX.into(),
            ErrorKind::SignInExpired => "Sign in again to start setup afresh.".into(),
            ErrorKind::Network => "Check the internet connection (and HTTPS_PROXY if your company uses a proxy), then run setup again: it carries on where it stopped.".into(),
            _ => "Run setup again in a minute: it finds what was already made and carries on. If it keeps happening, copy the details for support.".into(),
        }
    }

    fn details(&self) -> Option<String> {
        match self {
            GraphError::Refused {
                status,
                code,
                message,
                request_id,
            } => Some(format!(
                "HTTP {status} {code}: {message}{}",
                request_id
                    .as_deref()
                    .map(|id| format!(" (request-id {id})"))
                    .unwrap_or_default()
            )),
            GraphError::Unreachable { cause } => Some(cause.clone()),
            GraphError::Unexpected { details } => Some(details.clone()),
        }
    }
}

/// What to do without the needed role; the hand-off pack is the way out.
pub const ADMIN_FIX: &str = "Ask someone with the Cloud Application Administrator or Application Administrator role (Privileged Role Administrator also works) to run \"Set it up for me\", or send them the hand-off pack.";

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ErrorBody,
}

#[derive(Deserialize)]
struct ErrorBody {
    code: String,
    message: String,
    #[serde(rename = "innerError", default)]
    inner: Option<InnerError>,
}

#[derive(Deserialize)]
struct InnerError {
    #[serde(rename = "request-id")]
    request_id: Option<String>,
}

#[derive(Deserialize)]
struct List<T> {
    value: Vec<T>,
    #[serde(rename = "@odata.nextLink")]
    next_link: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AddedPassword {
    key_id: String,
    display_name: Option<String>,
    hint: Option<String>,
    end_date_time: Option<String>,
    secret_text: Option<String>,
}

/// Graph with one administrator's token.
pub struct Graph {
    http: reqwest::Client,
    root: String,
    token: Secret,
}

impl Graph {
    /// `root` is the cloud's Graph root (`https://graph.microsoft.com`).
    pub fn new(http: reqwest::Client, root: &str, token: Secret) -> Self {
        Self {
            http,
            root: format!("{}/v1.0", root.trim_end_matches('/')),
            token,
        }
    }

    /// The signed-in person's directory roles (docs/microsoft.md §11: their
    /// own memberships need only User.Read).
    pub async fn my_directory_roles(&self) -> Result<Vec<DirectoryRole>, GraphError> {
        #[derive(Deserialize)]
        struct Member {
            #[serde(rename = "@odata.type")]
            kind: Option<String>,
            #[serde(flatten)]
            role: DirectoryRole,
        }
        let members: Vec<Member> = self.list(&format!("{}/me/memberOf", self.root)).await?;
        Ok(members
            .into_iter()
            .filter(|m| m.kind.as_deref() == Some("#microsoft.graph.directoryRole"))
            .map(|m| m.role)
            .collect())
    }

    /// `None` when the tenant has no service principal for `app_id`.
    pub async fn service_principal(
        &self,
        app_id: &str,
    ) -> Result<Option<ServicePrincipal>, GraphError> {
        let url = format!(
            "{}/servicePrincipals(appId='{app_id}')?$select=id,appId,appRoles,oauth2PermissionScopes",
            self.root
        );
        self.get_optional(&url).await
    }

    pub async fn create_service_principal(
        &self,
        app_id: &str,
    ) -> Result<ServicePrincipal, GraphError> {
        let url = format!("{}/servicePrincipals", self.root);
        self.send(self.http.post(url).json(&json!({ "appId": app_id })))
            .await
    }

    pub async fn application(&self, object_id: &str) -> Result<Option<Application>, GraphError> {
        self.get_optional(&format!("{}/applications/{object_id}", self.root))
            .await
    }

    pub async fn application_by_client_id(
        &self,
        client_id: &str,
    ) -> Result<Option<Application>, GraphError> {
        self.get_optional(&format!("{}/applications(appId='{client_id}')", self.root))
            .await
    }

    /// Apps with exactly this display name (a re-run finds its own app by name
    /// when its object ID was never saved).
    pub async fn applications_named(&self, name: &str) -> Result<Vec<Application>, GraphError> {
        let mut url = self.url("applications")?;
        url.query_pairs_mut().append_pair(
            "$filter",
            &format!("displayName eq '{}'", name.replace('\'', "''")),
        );
        self.list(url.as_str()).await
    }

    pub async fn create_application(
        &self,
        body: &ApplicationBody,
    ) -> Result<Application, GraphError> {
        let url = format!("{}/applications", self.root);
        self.send(self.http.post(url).json(body)).await
    }

    /// Brings an existing registration up to what setup needs.
    pub async fn update_application(
        &self,
        object_id: &str,
        body: &ApplicationBody,
    ) -> Result<(), GraphError> {
        let url = format!("{}/applications/{object_id}", self.root);
        self.send_empty(self.http.patch(url).json(body)).await
    }

    /// A new client secret ending at `end` (RFC 3339).
    pub async fn add_password(
        &self,
        object_id: &str,
        display_name: &str,
        end: &str,
    ) -> Result<NewPassword, GraphError> {
        let url = format!("{}/applications/{object_id}/addPassword", self.root);
        let body =
            json!({ "passwordCredential": { "displayName": display_name, "endDateTime": end } });
        let added: AddedPassword = self.send(self.http.post(url).json(&body)).await?;
        let value = added.secret_text.ok_or_else(|| GraphError::Unexpected {
            details: "addPassword answered without secretText".into(),
        })?;
        Ok(NewPassword {
            credential: PasswordCredential {
                key_id: added.key_id,
                display_name: added.display_name,
                hint: added.hint,
                end_date_time: added.end_date_time,
            },
            value: Secret::new(value),
        })
    }

    pub async fn remove_password(&self, object_id: &str, key_id: &str) -> Result<(), GraphError> {
        let url = format!("{}/applications/{object_id}/removePassword", self.root);
        self.send_empty(self.http.post(url).json(&json!({ "keyId": key_id })))
            .await
    }

    /// The tenant-wide delegated grants of a client service principal.
    pub async fn tenant_wide_grants(
        &self,
        client_sp: &str,
    ) -> Result<Vec<PermissionGrant>, GraphError> {
        let mut url = self.url("oauth2PermissionGrants")?;
        url.query_pairs_mut().append_pair(
            "$filter",
            &format!("clientId eq '{client_sp}' and consentType eq 'AllPrincipals'"),
        );
        self.list(url.as_str()).await
    }

    pub async fn grant_tenant_wide(
        &self,
        client_sp: &str,
        resource_sp: &str,
        scope: &str,
    ) -> Result<PermissionGrant, GraphError> {
        let url = format!("{}/oauth2PermissionGrants", self.root);
        let body = json!({
            "clientId": client_sp,
            "consentType": "AllPrincipals",
            "resourceId": resource_sp,
            "scope": scope,
        });
        self.send(self.http.post(url).json(&body)).await
    }

    pub async fn update_grant(&self, grant_id: &str, scope: &str) -> Result<(), GraphError> {
        let url = format!("{}/oauth2PermissionGrants/{grant_id}", self.root);
        self.send_empty(self.http.patch(url).json(&json!({ "scope": scope })))
            .await
    }

    /// Who holds application permissions of a resource.
    pub async fn role_assignments(
        &self,
        resource_sp: &str,
    ) -> Result<Vec<AppRoleAssignment>, GraphError> {
        self.list(&format!(
            "{}/servicePrincipals/{resource_sp}/appRoleAssignedTo",
            self.root
        ))
        .await
    }

    pub async fn assign_role(
        &self,
        resource_sp: &str,
        client_sp: &str,
        app_role_id: &str,
    ) -> Result<(), GraphError> {
        let url = format!(
            "{}/servicePrincipals/{resource_sp}/appRoleAssignedTo",
            self.root
        );
        let body = json!({ "principalId": client_sp, "resourceId": resource_sp, "appRoleId": app_role_id });
        let _: serde_json::Value = self.send(self.http.post(url).json(&body)).await?;
        Ok(())
    }

    fn url(&self, path: &str) -> Result<reqwest::Url, GraphError> {
        reqwest::Url::parse(&format!("{}/{path}", self.root)).map_err(|e| GraphError::Unexpected {
            details: format!("bad Graph address: {e}"),
        })
    }

    async fn get_optional<T: DeserializeOwned>(&self, url: &str) -> Result<Option<T>, GraphError> {
        match self.send(self.http.get(url)).await {
            Ok(found) => Ok(Some(found)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every page of a collection (`@odata.nextLink`).
    async fn list<T: DeserializeOwned>(&self, url: &str) -> Result<Vec<T>, GraphError> {
        let mut all = Vec::new();
        let mut next = Some(url.to_string());
        while let Some(url) = next {
            let page: List<T> = self.send(self.http.get(url)).await?;
            all.extend(page.value);
            next = page.next_link;
        }
        Ok(all)
    }

    async fn send_empty(&self, request: reqwest::RequestBuilder) -> Result<(), GraphError> {
        self.respond(request).await.map(drop)
    }

    async fn send<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, GraphError> {
        let body = self.respond(request).await?;
        serde_json::from_slice(&body).map_err(|e| GraphError::Unexpected {
            details: e.to_string(),
        })
    }

    async fn respond(&self, request: reqwest::RequestBuilder) -> Result<bytes::Bytes, GraphError> {
        let response = crate::http::send(request.bearer_auth(self.token.expose()))
            .await
            .map_err(|e| GraphError::Unreachable {
                cause: crate::http::error_chain(&e),
            })?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| GraphError::Unreachable {
                cause: crate::http::error_chain(&e),
            })?;
        if status.is_success() {
            return Ok(body);
        }
        Err(match serde_json::from_slice::<ErrorEnvelope>(&body) {
            Ok(ErrorEnvelope { error }) => GraphError::Refused {
                status: status.as_u16(),
                code: error.code,
                message: error.message,
                request_id: error.inner.and_then(|i| i.request_id),
            },
            Err(_) => GraphError::Unexpected {
                details: format!("HTTP {status}: {}", String::from_utf8_lossy(&body)),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(status: u16, code: &str, message: &str) -> GraphError {
        GraphError::Refused {
            status,
            code: code.into(),
            message: message.into(),
            request_id: None,
        }
    }

    #[test]
    fn replication_is_told_from_real_mistakes() {
        assert!(refused(
            404,
            "Request_ResourceNotFound",
            "Resource 'x' does not exist"
        )
        .is_replication_delay());
        assert!(refused(
            400,
            "Request_BadRequest",
            "The appId 'x' of the service principal does not reference a valid application object."
        )
        .is_replication_delay());
        assert!(refused(
            400,
            "Request_BadRequest",
            "Invalid value specified for property 'clientId' of resource 'OAuth2PermissionGrant'."
        )
        .is_replication_delay());
        assert!(!refused(
            400,
            "Request_BadRequest",
            "Property 'x' does not exist as a declared property."
        )
        .is_replication_delay());
        assert!(!refused(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation."
        )
        .is_replication_delay());
    }

    #[test]
    fn completing_an_app_adds_and_never_takes_away() {
        let access = |resource: &str, ids: &[(&str, &str)]| RequiredResourceAccess {
            resource_app_id: resource.into(),
            resource_access: ids
                .iter()
                .map(|(id, kind)| ResourceAccess {
                    id: (*id).into(),
                    kind: (*kind).into(),
                })
                .collect(),
        };
        let uris = |list: &[&str]| RedirectUris {
            redirect_uris: list.iter().map(|u| u.to_string()).collect(),
        };
        let existing = Application {
            id: "obj".into(),
            app_id: "app".into(),
            display_name: Some("Shared".into()),
            password_credentials: vec![],
            public_client: RedirectUris::default(),
            web: uris(&["https://contoso.example/callback"]),
            required_resource_access: vec![
                access("graph", &[("user-read", "Scope")]),
                access("bc", &[("fin", "Scope")]),
            ],
        };
        let ours = ApplicationBody {
            display_name: "Shared".into(),
            sign_in_audience: "AzureADMyOrg",
            public_client: RedirectUris::default(),
            web: uris(&["http://localhost"]),
            required_resource_access: vec![access("bc", &[("fin", "Scope"), ("api", "Role")])],
        };
        let done = ours.added_to(&existing);
        assert_eq!(
            done.web,
            uris(&["https://contoso.example/callback", "http://localhost"])
        );
        assert_eq!(
            done.required_resource_access,
            vec![
                access("graph", &[("user-read", "Scope")]),
                access("bc", &[("fin", "Scope"), ("api", "Role")])
            ]
        );
    }

    #[test]
    fn a_refusal_for_lack_of_role_points_to_the_administrator() {
        let denied = refused(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        );
        assert_eq!(denied.kind(), ErrorKind::AdministratorRequired);
        assert!(denied.fix().contains("Cloud Application Administrator"));
        assert!(refused(
            409,
            "Request_MultipleObjectsWithSameKeyValue",
            "Permission entry already exists."
        )
        .is_already_there());
        assert!(refused(
            409,
            "Request_MultipleObjectsWithSameKeyValue",
            "The service principal cannot be created, updated, or restored because the service principal name 7d08ad22-98b1-4da3-8144-806099570d08 is already in use."
        )
        .is_already_there());
    }
}
