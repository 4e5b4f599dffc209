//! Global Discovery under `{base}/globaldisco`, standing in for
//! `https://globaldisco.crm.dynamics.com` (docs/microsoft.md §7,
//! discovery-service.md): `GET api/discovery/v2.0/Instances` lists the
//! caller's Dataverse environments; `Instances(UniqueName='x')` still
//! answers with an array; `$select` narrows the fields (fixture
//! docs_globaldisco_instances_select_response.json).

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Map, Value};

use super::{Dataverse, Organization};
use crate::bearer;
use crate::odata::wire;
use crate::store::Shared;

type Ctx = Arc<(Arc<Shared>, Arc<Dataverse>)>;

pub fn routes(shared: Arc<Shared>, dataverse: Arc<Dataverse>) -> Router {
    Router::new()
        .route("/api/discovery/v2.0/{resource}", get(instances))
        .with_state(Arc::new((shared, dataverse)))
}

async fn instances(
    State(ctx): State<Ctx>,
    Path(resource): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let (shared, dataverse) = &*ctx;
    let audience = format!("{}/globaldisco", shared.base);
    let caller = match bearer::verify(shared, &headers, &audience) {
        Ok(c) => c,
        Err(_) => return StatusCode::UNAUTHORIZED.into_response(),
    };
    // The service lists the environments of a calling *user*; an app has
    // none to list (docs/microsoft.md §7; docs/sandbox-fidelity.md §M6,
    // *Dataverse* discovery-service.md). ⚠ Microsoft's answer to an
    // app-only token is not documented or captured: 403 with the OData
    // error envelope, code and text ours.
    if caller.is_app() {
        let body = json!({"error": {
            "code": "Forbidden",
            "message": "Global Discovery lists the environments of a signed-in user. An application token has none: use the environment URL.",
        }});
        return wire::json(StatusCode::FORBIDDEN, &body, None);
    }
    // String filters are case-sensitive here (docs/microsoft.md §7).
    let unique_name = match resource.as_str() {
        "Instances" => None,
        other => match other
            .strip_prefix("Instances(UniqueName='")
            .and_then(|r| r.strip_suffix("')"))
        {
            Some(name) => Some(name.to_string()),
            None => return StatusCode::NOT_FOUND.into_response(),
        },
    };
    let select: Option<Vec<String>> = raw
        .as_deref()
        .unwrap_or_default()
        .split('&')
        .find_map(|p| {
            p.strip_prefix("$select=")
                .or_else(|| p.strip_prefix("%24select="))
        })
        .map(|s| s.split(',').map(str::to_string).collect());
    let mut orgs: Vec<&Organization> = dataverse
        .organizations()
        .filter(|o| o.tenant == caller.tenant)
        .filter(|o| unique_name.as_ref().is_none_or(|n| *n == o.name))
        .collect();
    orgs.sort_by(|a, b| a.name.cmp(&b.name));
    let value: Vec<Value> = orgs
        .iter()
        .map(|o| instance(shared, o, select.as_deref()))
        .collect();
    let root = format!("{audience}/api/discovery/v2.0");
    let context = match &select {
        Some(fields) => format!("{root}/$metadata#Instances({})", fields.join(",")),
        None => format!("{root}/$metadata#Instances"),
    };
    wire::json(
        StatusCode::OK,
        &json!({"@odata.context": context, "value": value}),
        None,
    )
}

fn instance(shared: &Shared, org: &Organization, select: Option<&[String]>) -> Value {
    let url = format!("{}/dataverse/{}", shared.base, org.name);
    let all = [
        ("ApiUrl", json!(url)),
        ("EnvironmentId", json!(org.id)),
        ("FriendlyName", json!(format!("{} (sandbox)", org.name))),
        ("Id", json!(org.id)),
        ("IsUserSysAdmin", json!(true)),
        ("LastUpdated", json!("2026-01-15T08:00:00Z")),
        ("OrganizationType", json!(0)),
        ("Purpose", json!("")),
        ("Region", json!("NA")),
        ("State", json!(0)),
        ("TenantId", json!(org.tenant)),
        ("UniqueName", json!(org.name)),
        ("Url", json!(url)),
        ("UrlName", json!(org.name)),
        ("Version", json!("9.2.25101.00000")),
    ];
    let row: Map<String, Value> = all
        .into_iter()
        .filter(|(k, _)| select.is_none_or(|s| s.iter().any(|f| f == k)))
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    Value::Object(row)
}
