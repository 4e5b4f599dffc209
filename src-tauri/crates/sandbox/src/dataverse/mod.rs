//! Dataverse Web API v9.2 under `{base}/dataverse/<org>/api/data/v9.2/`,
//! standing in for `https://<org>.crm.dynamics.com` (docs/microsoft.md
//! §7): WhoAmI, the metadata API (EntityDefinitions, Attributes, choice
//! columns' option sets), businessunits, organizations, accounts and
//! contacts, paging by cookie, no `$skip`, `$count` capped at 5,000, and
//! the service protection headers on every answer.

mod choices;
mod count;
mod discovery;
mod labels;
mod metadata;
mod protection;
mod rows;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use uuid::Uuid;

pub use self::discovery::routes as discovery_routes;
use crate::bearer::{self, AuthFailure, Caller};
use crate::data::Scale;
use crate::faults::Refusal;
use crate::odata::collection::Collection;
use crate::odata::csdl::Model;
use crate::odata::page::{self, Page, PageSpec};
use crate::odata::{query, wire};
use crate::resources::Resource;
use crate::store::Shared;
use crate::world::World;

/// Dataverse's default and maximum page size (docs/microsoft.md §7).
const MAX_PAGE: usize = 5_000;

pub struct Dataverse {
    model: Arc<Model>,
    organizations: HashMap<String, Organization>,
    /// Every caller's service protection window.
    protection: protection::Protection,
}

pub struct Organization {
    pub tenant: Uuid,
    pub name: String,
    pub id: Uuid,
    sets: HashMap<String, Collection>,
}

impl Dataverse {
    pub fn new(world: &World, scale: Scale) -> Result<Dataverse, String> {
        let model = Arc::new(Model::parse(
            "Microsoft.Dynamics.CRM",
            include_str!("model.txt"),
        )?);
        let mut organizations = HashMap::new();
        for tenant in &world.tenants {
            let Some(product) = &tenant.products.dataverse else {
                continue;
            };
            for env in &product.environments {
                let org = rows::organization(&model, tenant.id, env, scale);
                organizations.insert(env.name.to_lowercase(), org);
            }
        }
        Ok(Dataverse {
            model,
            organizations,
            protection: protection::Protection::default(),
        })
    }

    pub fn organizations(&self) -> impl Iterator<Item = &Organization> {
        self.organizations.values()
    }
}

type Ctx = Arc<(Arc<Shared>, Arc<Dataverse>)>;

pub fn routes(shared: Arc<Shared>, dataverse: Arc<Dataverse>) -> Router {
    Router::new()
        .route("/{org}/api/data/v9.2/{*resource}", get(resource))
        .with_state(Arc::new((shared, dataverse)))
}

/// Dataverse errors: `{"error":{"code":"0x…","message":"…"}}` (docs/microsoft.md §7,
/// fixture docs_webapi_error_with_annotations.json).
enum DataverseError {
    /// 401 with an empty body and a challenge naming the authority and the
    /// resource, so a client can find where to get a token.
    Unauthorized {
        authority: String,
        resource: String,
    },
    /// An app-only token for an app with no application user in this
    /// environment: 403 `0x80072560` (docs/microsoft.md §7;
    /// docs/sandbox-fidelity.md §H1, from
    /// microsoft/PowerPlatform-DataverseServiceClient#5 and
    /// MicrosoftDocs/power-platform#2124).
    NotAMember,
    NotFound(String),
    /// 0x80060888 is the code Dataverse gives OData query errors.
    Query(String),
    /// 429 for the number-of-requests limit: code and message from the
    /// table in power-apps/developer/data-platform/api-limits (docs/microsoft.md §7).
    Throttled,
    /// 503 "when the Web API service isn't available"
    /// (webapi/compose-http-requests-handle-errors.md); the article says the
    /// code "is frequently empty" and gives no message, so the status's
    /// reason phrase stands in (⚠ no capture).
    Unavailable,
}

/// What Dataverse answers when it is busy (fault injection).
pub fn refusal(refusal: Refusal) -> Response {
    match refusal {
        Refusal::TooManyRequests => DataverseError::Throttled,
        Refusal::Unavailable => DataverseError::Unavailable,
    }
    .into_response()
}

impl IntoResponse for DataverseError {
    fn into_response(self) -> Response {
        let (status, code, message) = match self {
            DataverseError::Unauthorized {
                authority,
                resource,
            } => {
                let mut r = StatusCode::UNAUTHORIZED.into_response();
                let challenge =
                    format!("Bearer authorization_uri={authority}/oauth2/authorize, resource_id={resource}/");
                if let Ok(v) = HeaderValue::from_str(&challenge) {
                    r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
                }
                return r;
            }
            DataverseError::NotAMember => (
                StatusCode::FORBIDDEN,
                "0x80072560",
                "The user is not a member of the organization.".into(),
            ),
            DataverseError::NotFound(what) => (
                StatusCode::NOT_FOUND,
                "0x80060888",
                format!("Resource not found for the segment '{what}'."),
            ),
            DataverseError::Query(message) => (StatusCode::BAD_REQUEST, "0x80060888", message),
            DataverseError::Throttled => (
                StatusCode::TOO_MANY_REQUESTS,
                "0x80072322",
                "Number of requests exceeded the limit of 6000 over time window of 300 seconds."
                    .into(),
            ),
            DataverseError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "",
                "Service Unavailable".into(),
            ),
        };
        wire::json(
            status,
            &json!({"error": {"code": code, "message": message}}),
            None,
        )
    }
}

async fn resource(
    State(ctx): State<Ctx>,
    Path((org, resource)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let (shared, dataverse) = &*ctx;
    match serve(shared, dataverse, &org, &resource, raw.as_deref(), &headers) {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

fn serve(
    shared: &Shared,
    dataverse: &Dataverse,
    org_name: &str,
    resource: &str,
    raw: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, DataverseError> {
    let org = dataverse
        .organizations
        .get(&org_name.to_lowercase())
        .ok_or_else(|| DataverseError::NotFound(org_name.into()))?;
    let url = format!("{}/dataverse/{org_name}", shared.base);
    let caller =
        bearer::authenticate(shared, headers, &url, Resource::Dataverse).map_err(|e| match e {
            AuthFailure::AppNotRegisteredInProduct => DataverseError::NotAMember,
            _ => DataverseError::Unauthorized {
                authority: format!("{}/{}", shared.authority(), org.tenant),
                resource: url.clone(),
            },
        })?;
    let root = format!("{url}/api/data/v9.2");
    let started = Instant::now();
    let answer = match resource {
        "WhoAmI" | "WhoAmI()" => Ok(who_am_i(&root, org, &caller)),
        "EntityDefinitions" => metadata::entity_definitions(&dataverse.model, &root, raw),
        _ => match resource.strip_prefix("EntityDefinitions(LogicalName='") {
            Some(rest) => metadata::definition(&dataverse.model, &root, rest, raw),
            None => collection(org, &root, resource, raw, headers),
        },
    };
    // Every authenticated request counts against the caller's limits; the
    // headers go on the answers that succeed.
    let remaining = dataverse
        .protection
        .record(&org.name, &caller, started, started.elapsed());
    answer.map(|mut response| {
        remaining.write(response.headers_mut());
        response
    })
}

/// fixture docs_whoami_response.json
fn who_am_i(root: &str, org: &Organization, caller: &Caller) -> Response {
    let body = json!({
        "@odata.context": format!("{root}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse"),
        "BusinessUnitId": rows::root_business_unit(org),
        "UserId": Uuid::new_v5(&org.id, caller.claims.oid.as_bytes()),
        "OrganizationId": org.id,
    });
    wire::json(StatusCode::OK, &body, None)
}

fn collection(
    org: &Organization,
    root: &str,
    set: &str,
    raw: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, DataverseError> {
    let rows = org
        .sets
        .get(set)
        .ok_or_else(|| DataverseError::NotFound(set.into()))?;
    // Dataverse does not support `$skip` (docs/microsoft.md §7, page-results.md).
    let has_skip = raw
        .unwrap_or_default()
        .split('&')
        .any(|p| p.starts_with("$skip=") || p.starts_with("%24skip="));
    if has_skip {
        return Err(DataverseError::Query(
            "The query parameter $skip is not supported".into(),
        ));
    }
    let mut options =
        query::parse(raw, &rows.entity).map_err(|e| DataverseError::Query(e.message))?;
    let context = match &options.select {
        Some(fields) => format!("{root}/$metadata#{set}({})", fields.join(",")),
        None => format!("{root}/$metadata#{set}"),
    };
    // Dataverse returns the primary key even when `$select` leaves it out
    // (fixture docs_contacts_page1_maxpagesize2.json).
    let key = rows::key_property(&rows.entity).to_string();
    if let Some(fields) = options.select.as_mut().filter(|f| !f.contains(&key)) {
        fields.push(key);
    }
    let after = match &options.skiptoken {
        Some(cookie) => Some(
            rows::last_id_in_cookie(cookie)
                .ok_or_else(|| DataverseError::Query("The paging cookie is not valid.".into()))?,
        ),
        None => None,
    };
    // `$top` alone returns that many rows and no next link; with
    // `Prefer: odata.maxpagesize` as well, `$top` is ignored and the
    // service pages (docs/microsoft.md §7; docs/sandbox-fidelity.md §M1,
    // *Dataverse* webapi/query/page-results.md).
    if wire::preferred_page_size(headers).is_some() {
        options.top = None;
    }
    let (size, applied) = match options.top {
        Some(top) => (top.min(MAX_PAGE), false),
        None => wire::page_size(headers, MAX_PAGE),
    };
    let spec = PageSpec {
        size,
        after: after.as_deref(),
        scope: None,
    };
    let page = page::page(rows, &options, &spec)
        .map_err(|_| DataverseError::Query("The paging cookie is not valid.".into()))?;
    let page_number = rows::page_number(options.skiptoken.as_deref()) + 1;
    let next_link = match (&page.next_after, page.rows.first()) {
        (Some(last), Some(first)) if options.top.is_none() => {
            let first_id = first
                .get(rows::key_property(&rows.entity))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let cookie = rows::paging_cookie(&rows.entity, page_number, &first_id, last);
            let mut params = wire::query_without(raw, &[]);
            params.push(format!("$skiptoken={cookie}"));
            Some(format!("{root}/{set}?{}", params.join("&")))
        }
        _ => None,
    };
    // Dataverse counts only up to 5,000; the annotations tell whether
    // there were more, when asked for (count.rs).
    let matching = page.count;
    let page = Page {
        count: count::shown(matching),
        ..page
    };
    let annotations = count::Annotations::from_headers(headers);
    let mut body = wire::collection_body(context, page, next_link);
    if let Some(wanted) = &annotations {
        body = count::annotate(body, wanted.count(matching));
    }
    let mut response = wire::json(StatusCode::OK, &body, applied.then_some(size));
    if let Some(wanted) = &annotations {
        wanted.confirm(response.headers_mut());
    }
    Ok(response)
}
