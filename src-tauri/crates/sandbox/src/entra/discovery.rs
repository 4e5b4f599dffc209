//! The tenant's OpenID Connect discovery document and signing keys.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Json, Response};
use serde_json::json;

use crate::authority::Authority;
use crate::store::Shared;

/// Shaped like the real one (fixtures/entra/msal-go_tenant_openid-configuration_v2.json,
/// same keys): every endpoint sits under `{authority}/{tenant GUID}`; for
/// `common` the issuer keeps Entra's literal `{tenantid}` placeholder. An
/// unknown tenant is AADSTS90002, as live discovery calls show
/// (james-gould/azure-keyvault-emulator#324).
pub async fn openid_configuration(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    let authority = match Authority::resolve(&shared.world, &tenant) {
        Ok(a) => a,
        Err(e) => return e.into_json_response(&headers),
    };
    let t = format!("{}/{}", shared.authority(), authority.segment());
    Json(json!({
        "token_endpoint": format!("{t}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{t}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": issuer(&shared, authority),
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
        "authorization_endpoint": format!("{t}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{t}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{t}/oauth2/v2.0/logout"),
        "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name",
            "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce",
            "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
        "kerberos_endpoint": format!("{t}/kerberos"),
        "tenant_region_scope": "EU",
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    }))
    .into_response()
}

/// `discovery/v2.0/keys`: the JWKS resource servers verify tokens with.
pub async fn keys(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    match Authority::resolve(&shared.world, &tenant) {
        Ok(authority) => {
            Json(shared.tokens.keys().jwks(&issuer(&shared, authority))).into_response()
        }
        Err(e) => e.into_json_response(&headers),
    }
}

/// The v2.0 issuer, also the `iss` of ID tokens.
pub fn issuer(shared: &Shared, authority: Authority) -> String {
    match authority {
        Authority::Tenant(id) => format!("{}/{id}/v2.0", shared.authority()),
        Authority::Common(_) => format!("{}/{{tenantid}}/v2.0", shared.authority()),
    }
}
