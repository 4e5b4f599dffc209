//! Microsoft Entra ID v2.0 endpoints.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

pub fn routes(authority: String) -> Router {
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .with_state(authority)
}

/// The tenant's OpenID Connect discovery document, shaped like the real one
/// (tests/fixtures/entra/msal-go_tenant_openid-configuration_v2.json):
/// every endpoint sits under `{authority}/{tenant}`.
async fn openid_configuration(
    State(authority): State<String>,
    Path(tenant): Path<String>,
) -> Json<Value> {
    let t = format!("{authority}/{tenant}");
    Json(json!({
        "token_endpoint": format!("{t}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{t}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": format!("{t}/v2.0"),
        "request_uri_parameter_supported": false,
        "authorization_endpoint": format!("{t}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{t}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{t}/oauth2/v2.0/logout"),
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce",
            "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
        "tenant_region_scope": "EU",
        "cloud_instance_name": "microsoftonline.com",
    }))
}
