//! Does the tenant exist in this cloud? Entra's OpenID discovery document
//! answers without any credentials, and names the tenant's GUID in its
//! issuer (fixtures/entra/msal-go_tenant_openid-configuration_v2.json).

use serde::Deserialize;

use crate::identity::cloud::Cloud;
use crate::identity::diagnose::EntraError;
use crate::identity::flow::FlowError;

#[derive(Deserialize)]
struct Discovery {
    issuer: String,
}

/// The tenant's GUID, read from the issuer `…/{tenant id}/v2.0`.
pub async fn tenant_id(
    http: &reqwest::Client,
    cloud: &Cloud,
    tenant: &str,
) -> Result<String, FlowError> {
    let url = cloud.discovery_url(tenant);
    let response = crate::http::send(http.get(&url))
        .await
        .map_err(|e| FlowError::Unreachable {
            host: cloud.authority().to_string(),
            cause: crate::http::error_chain(&e),
        })?;
    let status = response.status();
    let body = response.bytes().await.map_err(|e| FlowError::Unreachable {
        host: cloud.authority().to_string(),
        cause: crate::http::error_chain(&e),
    })?;
    if !status.is_success() {
        let text = String::from_utf8_lossy(&body);
        return Err(match EntraError::from_json(&text) {
            Some(e) => FlowError::Entra(Box::new(e)),
            None => FlowError::Unexpected {
                details: format!("HTTP {status} from {url}"),
            },
        });
    }
    let discovery: Discovery =
        serde_json::from_slice(&body).map_err(|e| FlowError::Unexpected {
            details: format!("{e} (from {url})"),
        })?;
    discovery
        .issuer
        .trim_end_matches('/')
        .trim_end_matches("/v2.0")
        .rsplit('/')
        .next()
        .map(str::to_string)
        .ok_or(FlowError::Unexpected {
            details: format!("issuer '{}' names no tenant", discovery.issuer),
        })
}
