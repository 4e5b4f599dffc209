//! Dataverse Web API v9.2 under `{base}/dataverse/<org>/api/data/v9.2/`,
//! standing in for `https://<org>.crm.dynamics.com` (docs/microsoft.md
//! §7): WhoAmI, the metadata API (EntityDefinitions, Attributes, choice
//! columns' option sets), businessunits, organizations, roles,
//! systemusers, accounts and contacts, paging by cookie, no `$skip`,
//! `$count` capped at 5,000, and the service protection headers on every
//! answer. An administrator can add application users and give them
//! roles (security.rs, writes.rs; docs/microsoft.md §10).

mod choices;
mod count;
mod discovery;
mod labels;
mod metadata;
mod protection;
mod rows;
mod security;
mod writes;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use uuid::Uuid;

pub use self::discovery::routes as discovery_routes;
use self::security::{Access, Principal, Privilege};
use crate::bearer;
use crate::data::Scale;
use crate::faults::Refusal;
use crate::odata::collection::Collection;
use crate::odata::csdl::Model;
use crate::odata::page::{self, Page, PageSpec};
use crate::odata::{query, wire};
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
    /// Users and their roles, which change while the sandbox runs.
    directory: Mutex<security::Directory>,
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
                security::seed(&org, world);
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
        .route(
            "/{org}/api/data/v9.2/{*resource}",
            get(resource).post(writes::post),
        )
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
    /// An app-only caller whose application user holds no role: 403
    /// `0x80042f09` "UserNotAssignedRoles" (docs/microsoft.md §10).
    NoRoles(Uuid),
    /// 403 `0x80040220` with the principal and the privilege it lacks
    /// (security.rs writes the message).
    MissingPrivilege(String),
    /// A role that reads only the caller's own rows, asked for one row:
    /// 403 `0x80048306` ("Principal with ID … does not have … right(s)",
    /// docs/microsoft.md §10).
    NoAccessRight {
        principal: Uuid,
        record: String,
        entity: String,
    },
    /// 404 `0x80040217` "<table> With Id = <id> Does Not Exist".
    DoesNotExist {
        entity: String,
        id: String,
    },
    /// 412 `0x80040237`: a record with the same key exists.
    Duplicate(&'static str),
    /// 400 `0x80048d19`: the body cannot be read as that table's record;
    /// `table` is the entity set, `inner` the exception behind it.
    BadPayload {
        table: String,
        inner: String,
    },
    /// 400 `0x80040216` "An unexpected error occurred.", what a create
    /// without its business unit gets (docs/microsoft.md §10, ⚠ 2018 report).
    Unexpected,
    /// 404 with an empty code: no such operation for this HTTP method.
    NoSuchOperation(String),
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
            DataverseError::NoRoles(user) => (
                StatusCode::FORBIDDEN,
                "0x80042f09",
                format!("The user with id {user} has not been assigned any roles. They need a role with the prvReadUser privilege."),
            ),
            DataverseError::MissingPrivilege(message) => {
                (StatusCode::FORBIDDEN, "0x80040220", message)
            }
            DataverseError::NoAccessRight {
                principal,
                record,
                entity,
            } => (
                StatusCode::FORBIDDEN,
                "0x80048306",
                format!("Principal with ID {principal} does not have ReadAccess right(s) for record with ID {record} of entity {entity}."),
            ),
            DataverseError::DoesNotExist { entity, id } => (
                StatusCode::NOT_FOUND,
                "0x80040217",
                format!("{entity} With Id = {id} Does Not Exist"),
            ),
            DataverseError::Duplicate(message) => {
                (StatusCode::PRECONDITION_FAILED, "0x80040237", message.into())
            }
            DataverseError::BadPayload { table, inner } => (
                StatusCode::BAD_REQUEST,
                "0x80048d19",
                format!("Error identified in Payload provided by the user for Entity :'{table}', For more information on this error please follow this help link https://go.microsoft.com/fwlink/?linkid=2195293  ---->  InnerException : {inner}"),
            ),
            DataverseError::Unexpected => (
                StatusCode::BAD_REQUEST,
                "0x80040216",
                "An unexpected error occurred.".into(),
            ),
            DataverseError::NoSuchOperation(url) => (
                StatusCode::NOT_FOUND,
                "",
                format!("No HTTP resource was found that matches the request URI '{url}'."),
            ),
            // Microsoft's "Troubleshoot Dataverse Web API client errors"
            // (docs/microsoft.md §10).
            DataverseError::NotFound(what) => (
                StatusCode::NOT_FOUND,
                "0x8006088a",
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
    let answer = admit(shared, dataverse, &org, &headers).and_then(|request| {
        counted(dataverse, &request, || {
            read(dataverse, &request, &resource, raw.as_deref(), &headers)
        })
    });
    answer.unwrap_or_else(IntoResponse::into_response)
}

/// An authenticated request to one organization, and who is asking.
struct Admitted<'a> {
    org: &'a Organization,
    /// `{base}/dataverse/<org>/api/data/v9.2`
    root: String,
    caller: bearer::Caller,
    principal: Principal,
}

/// Finds the organization and the caller: a valid token for the
/// environment (else 401 with a challenge), then the systemuser behind it
/// (security.rs: 403 `0x80072560` or `0x80042f09` for app-only callers).
fn admit<'a>(
    shared: &Shared,
    dataverse: &'a Dataverse,
    org_name: &str,
    headers: &HeaderMap,
) -> Result<Admitted<'a>, DataverseError> {
    let org = dataverse
        .organizations
        .get(&org_name.to_lowercase())
        .ok_or_else(|| DataverseError::NotFound(org_name.into()))?;
    let url = format!("{}/dataverse/{org_name}", shared.base);
    let caller =
        bearer::verify(shared, headers, &url).map_err(|_| DataverseError::Unauthorized {
            authority: format!("{}/{}", shared.authority(), org.tenant),
            resource: url.clone(),
        })?;
    let principal = security::principal(org, shared, &caller)?;
    Ok(Admitted {
        org,
        root: format!("{url}/api/data/v9.2"),
        caller,
        principal,
    })
}

/// Every admitted request counts against the caller's limits; the
/// headers go on the answers that succeed.
fn counted(
    dataverse: &Dataverse,
    request: &Admitted<'_>,
    answer: impl FnOnce() -> Result<Response, DataverseError>,
) -> Result<Response, DataverseError> {
    let started = Instant::now();
    let answer = answer();
    let remaining = dataverse.protection.record(
        &request.org.name,
        &request.caller,
        started,
        started.elapsed(),
    );
    answer.map(|mut response| {
        remaining.write(response.headers_mut());
        response
    })
}

fn read(
    dataverse: &Dataverse,
    request: &Admitted<'_>,
    resource: &str,
    raw: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, DataverseError> {
    let Admitted { org, root, .. } = request;
    if let Some(rest) = resource.strip_prefix("EntityDefinitions(LogicalName='") {
        return metadata::definition(&dataverse.model, root, rest, raw);
    }
    match resource {
        "WhoAmI" | "WhoAmI()" => return Ok(who_am_i(root, org, &request.principal)),
        "EntityDefinitions" => return metadata::entity_definitions(&dataverse.model, root, raw),
        _ => {}
    }
    let not_found = || DataverseError::NotFound(resource.into());
    let (set, key, navigation) = parse_path(resource).ok_or_else(not_found)?;
    let rows = match set {
        "systemusers" => {
            let entity = dataverse.model.entity_by_set(set).ok_or_else(not_found)?;
            security::users(org, Arc::new(entity.clone()))
        }
        _ => org.sets.get(set).cloned().ok_or_else(not_found)?,
    };
    let reads = match Privilege::read(set) {
        Some(privilege) => match request.principal.reads() {
            Access::None => return Err(security::missing(&request.principal, &privilege)),
            access => access,
        },
        None => Access::Organization,
    };
    match (key, navigation) {
        (None, None) => {
            let own_only = reads == Access::User;
            collection(&rows, root, set, set, raw, headers, own_only)
        }
        (Some(key), None) if reads == Access::User => Err(DataverseError::NoAccessRight {
            principal: request.principal.id,
            record: key.into(),
            entity: rows.entity.name.clone(),
        }),
        (Some(key), None) => entity(&rows, root, set, key, raw),
        (Some(key), Some("systemuserroles_association")) if set == "systemusers" => {
            let roles = security::roles_of(org, key)?;
            collection(&roles, root, resource, "roles", raw, headers, false)
        }
        _ => Err(not_found()),
    }
}

/// `set`, `set(key)` or `set(key)/navigation`.
fn parse_path(resource: &str) -> Option<(&str, Option<&str>, Option<&str>)> {
    let (head, navigation) = match resource.split_once('/') {
        Some((head, rest)) => (head, Some(rest)),
        None => (resource, None),
    };
    match head.split_once('(') {
        Some((set, rest)) => {
            let key = rest.strip_suffix(')')?;
            Some((set, Some(key.trim_matches(['{', '}'])), navigation))
        }
        None if navigation.is_none() => Some((head, None, None)),
        None => None,
    }
}

/// fixture docs_whoami_response.json; the ids are the caller's systemuser
/// and its business unit.
fn who_am_i(root: &str, org: &Organization, principal: &Principal) -> Response {
    let body = json!({
        "@odata.context": format!("{root}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse"),
        "BusinessUnitId": principal.business_unit,
        "UserId": principal.id,
        "OrganizationId": org.id,
    });
    wire::json(StatusCode::OK, &body, None)
}

/// One row by its key, `$select` applied (the key always comes back).
fn entity(
    rows: &Collection,
    root: &str,
    set: &str,
    key: &str,
    raw: Option<&str>,
) -> Result<Response, DataverseError> {
    let options = query::parse(raw, &rows.entity).map_err(|e| DataverseError::Query(e.message))?;
    let index = rows
        .index_of(key)
        .ok_or_else(|| DataverseError::DoesNotExist {
            entity: rows.entity.name.clone(),
            id: key.into(),
        })?;
    let row = rows.row(index);
    let id_name = rows::key_property(&rows.entity);
    let context = match &options.select {
        Some(fields) => format!("{root}/$metadata#{set}({})/$entity", fields.join(",")),
        None => format!("{root}/$metadata#{set}/$entity"),
    };
    let mut body = serde_json::Map::new();
    body.insert("@odata.context".into(), json!(context));
    for (name, value) in row {
        let wanted = options.select.as_ref().is_none_or(|fields| {
            name.starts_with('@') || name == id_name || fields.contains(&name)
        });
        if wanted {
            body.insert(name, value);
        }
    }
    Ok(wire::json(StatusCode::OK, &Value::Object(body), None))
}

/// A page of `rows`. `path` is what the next link repeats, `set` what the
/// context names; `own_rows_only` keeps the rows the caller owns, none in
/// the sandbox (a user-level role, security.rs).
fn collection(
    rows: &Collection,
    root: &str,
    path: &str,
    set: &str,
    raw: Option<&str>,
    headers: &HeaderMap,
    own_rows_only: bool,
) -> Result<Response, DataverseError> {
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
    let nobody_owns = |_: &crate::odata::Row| false;
    let spec = PageSpec {
        size,
        after: after.as_deref(),
        scope: own_rows_only.then_some(&nobody_owns as _),
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
            Some(format!("{root}/{path}?{}", params.join("&")))
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
