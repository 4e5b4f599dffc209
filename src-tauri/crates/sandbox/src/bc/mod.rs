//! Business Central online under `{base}/bc`, standing in for
//! `https://api.businesscentral.dynamics.com` (docs/microsoft.md §5):
//! the environments API, the admin center's environment list, API v2.0
//! (`/v2.0/{tenant}/{environment}/api/v2.0/…`, tenant optional) and OData
//! V4 web services (`…/ODataV4/Company('…')/…`).

mod errors;
mod rows;
mod web_services;

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use uuid::Uuid;

use self::errors::BcError;
use self::rows::CompanyData;
use crate::bearer::{self, Caller};
use crate::data::{seed_of, IdSpace, Scale};
use crate::faults::Refusal;
use crate::odata::collection::Collection;
use crate::odata::csdl::Model;
use crate::odata::page::{self, PageSpec};
use crate::odata::{query, wire, Row};
use crate::resources::{Resource, BC_RESOURCE_URI};
use crate::store::{BcPrincipal, Shared};
use crate::world::World;

/// BC's fixed server page size online (docs/microsoft.md §5).
const MAX_PAGE: usize = 20_000;
const DEFAULT_COMPANIES: &[&str] = &["CRONUS USA, Inc.", "My Company"];

pub struct Bc {
    model: Arc<Model>,
    environments: Vec<BcEnvironment>,
}

struct BcEnvironment {
    tenant: Uuid,
    name: String,
    companies: Vec<CompanyData>,
    /// The OData V4 `$metadata`: the company set and the published pages.
    web_services: Model,
}

impl Bc {
    pub fn new(world: &World, scale: Scale) -> Result<Bc, String> {
        // Property names, types and order of API v2.0, taken from
        // fixtures/bc/rebelpl_metadata.xml (tests/bc.rs checks they match).
        let model = Arc::new(Model::parse("Microsoft.NAV", include_str!("model.txt"))?);
        let pages = web_services::catalog()?;
        let mut environments = Vec::new();
        for tenant in &world.tenants {
            let Some(product) = &tenant.products.business_central else {
                continue;
            };
            for env in &product.environments {
                let ids = IdSpace::new(seed_of(&[&tenant.id.to_string(), &env.name]));
                let names: Vec<&str> = if env.companies.is_empty() {
                    DEFAULT_COMPANIES.to_vec()
                } else {
                    env.companies.iter().map(String::as_str).collect()
                };
                let services = env.web_services.clone().unwrap_or_else(|| {
                    web_services::DEFAULT_SERVICES
                        .iter()
                        .map(|s| s.to_string())
                        .collect()
                });
                let published = web_services::published(&pages, &services)?;
                let companies = names
                    .iter()
                    .enumerate()
                    .map(|(i, name)| {
                        let company = rows::company(&model, ids.id(i).to_string(), name, scale);
                        let services = web_services::pages(&published, &company);
                        company.with_web_services(services)
                    })
                    .collect();
                environments.push(BcEnvironment {
                    tenant: tenant.id,
                    name: env.name.clone(),
                    companies,
                    web_services: published,
                });
            }
        }
        Ok(Bc {
            model,
            environments,
        })
    }

    /// Environment names are case-insensitive in BC URLs.
    fn environment(&self, tenant: Uuid, name: &str) -> Option<&BcEnvironment> {
        self.environments
            .iter()
            .find(|e| e.tenant == tenant && e.name.eq_ignore_ascii_case(name))
    }
}

type Ctx = Arc<(Arc<Shared>, Bc)>;

pub fn routes(shared: Arc<Shared>, bc: Bc) -> Router {
    Router::new()
        .route("/environments/v1.2", get(environments))
        .route(
            "/admin/{version}/applications/{family}/environments",
            get(admin_environments),
        )
        .route("/v2.0/{*rest}", get(odata))
        .with_state(Arc::new((shared, bc)))
}

/// What BC answers when it is busy (fault injection).
pub fn refusal(refusal: Refusal) -> Response {
    match refusal {
        Refusal::TooManyRequests => BcError::TooManyRequests,
        Refusal::Unavailable => BcError::Unavailable,
    }
    .into_response()
}

fn caller(shared: &Shared, headers: &HeaderMap) -> Result<Caller, BcError> {
    bearer::authenticate(shared, headers, BC_RESOURCE_URI, Resource::BusinessCentral)
        .map_err(|_| BcError::Unauthorized)
}

/// `GET /environments/v1.2` (docs/microsoft.md §5: webservices/api-get-environments.md):
/// the environments of the caller's tenant.
async fn environments(State(ctx): State<Ctx>, headers: HeaderMap) -> Response {
    let (shared, bc) = &*ctx;
    match caller(shared, &headers) {
        Ok(caller) => {
            let value: Vec<Value> = bc
                .environments
                .iter()
                .filter(|e| e.tenant == caller.tenant)
                .map(|e| {
                    json!({
                        "aadTenantId": e.tenant,
                        "applicationFamily": "BusinessCentral",
                        "type": environment_type(&e.name),
                        "name": e.name,
                        "countryCode": "US",
                        "webServiceUrl": format!("{}/bc/v2.0/{}/{}", shared.base, e.tenant, e.name),
                        "webClientLoginUrl": format!("https://businesscentral.dynamics.com/{}/{}", e.tenant, e.name),
                        "ringName": "PROD",
                    })
                })
                .collect();
            wire::json(StatusCode::OK, &json!({ "value": value }), None)
        }
        Err(e) => e.into_response(),
    }
}

/// The admin center API's environment list (docs/microsoft.md §5): a BC admin user, or
/// an app holding AdminCenter.ReadWrite.All.
async fn admin_environments(
    State(ctx): State<Ctx>,
    Path((version, family)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (shared, bc) = &*ctx;
    let caller = match caller(shared, &headers) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let known_version = version
        .strip_prefix("v2.")
        .and_then(|minor| minor.parse::<u32>().ok())
        .is_some_and(|minor| minor <= 29);
    if !known_version || !family.eq_ignore_ascii_case("BusinessCentral") {
        return BcError::ResourceNotFound(format!("{version}/applications/{family}"))
            .into_response();
    }
    let allowed = if caller.is_app() {
        caller.has_role("AdminCenter.ReadWrite.All")
    } else {
        caller
            .claims
            .upn
            .as_deref()
            .and_then(|upn| shared.world.user(upn))
            .is_some_and(|u| u.admin)
    };
    if !allowed {
        return BcError::AdminForbidden.into_response();
    }
    let value: Vec<Value> = bc
        .environments
        .iter()
        .filter(|e| e.tenant == caller.tenant)
        .map(|e| {
            json!({
                "friendlyName": e.name,
                "type": environment_type(&e.name),
                "name": e.name,
                "countryCode": "US",
                "applicationFamily": "BusinessCentral",
                "aadTenantId": e.tenant,
                "applicationVersion": "26.0.30643.32100",
                "status": "Active",
                "webClientLoginUrl": format!("https://businesscentral.dynamics.com/{}/{}", e.tenant, e.name),
                "webServiceUrl": format!("{}/bc/v2.0/{}/{}", shared.base, e.tenant, e.name),
                "locationName": "United States",
                "geoName": "United States",
                "ringName": "PROD",
            })
        })
        .collect();
    wire::json(StatusCode::OK, &json!({ "value": value }), None)
}

fn environment_type(name: &str) -> &'static str {
    if name.to_ascii_lowercase().contains("sandbox") {
        "Sandbox"
    } else {
        "Production"
    }
}

/// Where a `/v2.0/…` URL points.
struct Target<'a> {
    /// The URL up to and including `api/v2.0` or `ODataV4`, for contexts
    /// and next links.
    root: String,
    environment: &'a BcEnvironment,
    api: Api,
    tail: Vec<&'a str>,
}

enum Api {
    V2,
    ODataV4,
}

impl Target<'_> {
    /// API v2.0's model, or the environment's published web services.
    fn model<'m>(&'m self, bc: &'m Bc) -> &'m Model {
        match self.api {
            Api::V2 => &bc.model,
            Api::ODataV4 => &self.environment.web_services,
        }
    }

    /// A company's rows of `set` in this API.
    fn rows<'c>(&self, company: &'c CompanyData, set: &str) -> Option<&'c Collection> {
        match self.api {
            Api::V2 => company.set(set),
            Api::ODataV4 => company.web_service(set),
        }
    }

    /// Where `set` of `company` lives under the root, for contexts and links.
    fn company_path(&self, company: &CompanyData, set: &str) -> String {
        match self.api {
            Api::V2 => format!("companies({})/{set}", company.id),
            Api::ODataV4 => format!("Company('{}')/{set}", company.name.replace('\'', "''")),
        }
    }
}

async fn odata(
    State(ctx): State<Ctx>,
    Path(rest): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let (shared, bc) = &*ctx;
    match serve(shared, bc, &rest, raw.as_deref(), &headers) {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

fn serve(
    shared: &Shared,
    bc: &Bc,
    rest: &str,
    raw: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, BcError> {
    let caller = caller(shared, headers)?;
    // An app token needs API.ReadWrite.All for the APIs and web services
    // (docs/microsoft.md §5); without admin consent it carries no roles.
    // ⚠ BC's exact answer to that is not captured: its S2S failures are all
    // 401 Authentication_InvalidCredentials (docs/sandbox-fidelity.md §H2).
    if caller.is_app() && !caller.has_role("API.ReadWrite.All") {
        return Err(BcError::Unauthorized);
    }
    let target = resolve(shared, bc, &caller, rest)?;
    // Companies list without a data permission set; entity reads need one
    // (docs/microsoft.md §5, docs/sandbox-fidelity.md §H3).
    let may_read = shared.store().bc_may_read(&principal(&caller));
    let tail = target.tail.clone();
    match (&target.api, tail.as_slice()) {
        (_, [] | [""]) => Ok(service_document(bc, &target)),
        (_, ["$metadata"]) => Ok(wire::xml(
            StatusCode::OK,
            target.model(bc).metadata_xml("NAV"),
        )),
        (Api::V2, ["companies"]) | (Api::ODataV4, [web_services::COMPANY_SET]) => {
            collection(&target, None, "companies", raw, headers)
        }
        (Api::V2, [company]) if company.starts_with("companies(") => {
            let company = company_by_segment(&target, company)?;
            Ok(company_entity(&target, company))
        }
        (Api::V2, [company, set]) if company.starts_with("companies(") => {
            let company = company_by_segment(&target, company)?;
            entity_or_set(&target, company, set, raw, headers, may_read)
        }
        (Api::ODataV4, [company, set]) if company.starts_with("Company(") => {
            let company = company_by_odatav4_segment(&target, company)?;
            entity_or_set(&target, company, set, raw, headers, may_read)
        }
        // `…/api/v2.0/customers?company={id}` (docs/microsoft.md §5).
        (Api::V2, [set]) => {
            let id =
                company_parameter(raw).ok_or_else(|| BcError::ResourceNotFound((*set).into()))?;
            let company = target
                .environment
                .companies
                .iter()
                .find(|c| c.id.eq_ignore_ascii_case(&id))
                .ok_or_else(|| BcError::ResourceNotFound("companies".into()))?;
            entity_or_set(&target, company, set, raw, headers, may_read)
        }
        (_, [first, ..]) => Err(BcError::ResourceNotFound((*first).into())),
    }
}

/// Who BC checks permission sets for: the app of an app-only token, else
/// the signed-in user.
fn principal(caller: &Caller) -> BcPrincipal {
    if caller.is_app() {
        BcPrincipal::App(caller.claims.appid.to_ascii_lowercase())
    } else {
        BcPrincipal::User(
            caller
                .claims
                .upn
                .as_deref()
                .unwrap_or(&caller.claims.oid)
                .to_ascii_lowercase(),
        )
    }
}

/// The page behind an entity set, as BC names it in permission errors:
/// API v2.0's `salesInvoices` is page "APIV2 - Sales Invoices"
/// (docs/microsoft.md §5: "Page APIV2 - Customers"); an OData V4 web
/// service is named by its service name.
fn page_name(api: &Api, set: &str) -> String {
    match api {
        Api::ODataV4 => set.to_string(),
        Api::V2 => {
            let mut words = String::new();
            for (i, c) in set.chars().enumerate() {
                if i == 0 {
                    words.extend(c.to_uppercase());
                } else {
                    if c.is_uppercase() {
                        words.push(' ');
                    }
                    words.push(c);
                }
            }
            format!("APIV2 - {words}")
        }
    }
}

/// `{tenant}/{environment}/api/v2.0/…` or `{environment}/api/v2.0/…` (the
/// tenant then comes from the token), likewise for `ODataV4`.
fn resolve<'a>(
    shared: &Shared,
    bc: &'a Bc,
    caller: &Caller,
    rest: &'a str,
) -> Result<Target<'a>, BcError> {
    let segments: Vec<&str> = rest.split('/').collect();
    let api_at = segments
        .iter()
        .position(|s| *s == "api" || *s == "ODataV4")
        .ok_or(BcError::NoEnvironment)?;
    let (tenant, environment) = match &segments[..api_at] {
        [environment] => (caller.tenant, *environment),
        [tenant, environment] => {
            let named = shared.world.tenant(tenant).ok_or(BcError::Unauthorized)?;
            if named.id != caller.tenant {
                return Err(BcError::Unauthorized);
            }
            (named.id, *environment)
        }
        _ => return Err(BcError::NoEnvironment),
    };
    let environment = bc
        .environment(tenant, environment)
        .ok_or(BcError::NoEnvironment)?;
    let (api, tail_at) = match segments.get(api_at..api_at + 2) {
        Some(["api", "v2.0"]) => (Api::V2, api_at + 2),
        _ if segments[api_at] == "ODataV4" => (Api::ODataV4, api_at + 1),
        _ => {
            let segment = segments.get(api_at + 1).copied().unwrap_or("api");
            return Err(BcError::ResourceNotFound(segment.into()));
        }
    };
    let root = format!("{}/bc/v2.0/{}", shared.base, segments[..tail_at].join("/"));
    Ok(Target {
        root,
        environment,
        api,
        tail: segments[tail_at..].to_vec(),
    })
}

fn service_document(bc: &Bc, target: &Target<'_>) -> Response {
    let value: Vec<Value> = target
        .model(bc)
        .types
        .iter()
        .map(|t| json!({"name": t.set_name, "kind": "EntitySet", "url": t.set_name}))
        .collect();
    let body = json!({"@odata.context": format!("{}/$metadata", target.root), "value": value});
    wire::json(StatusCode::OK, &body, None)
}

fn company_by_segment<'a>(target: &Target<'a>, segment: &str) -> Result<&'a CompanyData, BcError> {
    let id =
        key_of(segment, "companies").ok_or_else(|| BcError::ResourceNotFound(segment.into()))?;
    target
        .environment
        .companies
        .iter()
        .find(|c| c.id.eq_ignore_ascii_case(id))
        .ok_or_else(|| BcError::ResourceNotFound("companies".into()))
}

/// `Company('CRONUS USA, Inc.')` (name, case-sensitive) or
/// `Company(Id=<guid>)` (docs/microsoft.md §5, across-how-publish-web-service.md).
fn company_by_odatav4_segment<'a>(
    target: &Target<'a>,
    segment: &str,
) -> Result<&'a CompanyData, BcError> {
    let key =
        key_of(segment, "Company").ok_or_else(|| BcError::ResourceNotFound(segment.into()))?;
    let companies = &target.environment.companies;
    let found = match key.strip_prefix("Id=") {
        Some(id) => companies.iter().find(|c| c.id.eq_ignore_ascii_case(id)),
        None => {
            let name = key
                .strip_prefix('\'')
                .and_then(|k| k.strip_suffix('\''))
                .map(|k| k.replace("''", "'"));
            companies.iter().find(|c| Some(&c.name) == name.as_ref())
        }
    };
    found.ok_or_else(|| BcError::ResourceNotFound("Company".into()))
}

/// `name(key)` → `key`.
fn key_of<'s>(segment: &'s str, name: &str) -> Option<&'s str> {
    segment
        .strip_prefix(name)?
        .strip_prefix('(')?
        .strip_suffix(')')
}

fn company_parameter(raw: Option<&str>) -> Option<String> {
    raw?.split('&')
        .find_map(|p| p.strip_prefix("company=").map(str::to_string))
}

fn company_entity(target: &Target<'_>, company: &CompanyData) -> Response {
    let mut row = company_row(company);
    row.insert(
        "@odata.context".into(),
        json!(format!("{}/$metadata#companies/$entity", target.root)),
    );
    wire::json(StatusCode::OK, &Value::Object(row), None)
}

/// A company as `GET companies` lists it (fixture rebelpl_companies.json).
fn company_row(company: &CompanyData) -> serde_json::Map<String, Value> {
    let mut row = serde_json::Map::new();
    for (k, v) in [
        ("id", json!(company.id)),
        ("systemVersion", json!("26.0.30643.32100")),
        ("timestamp", json!(4006)),
        ("name", json!(company.name)),
        ("displayName", json!(company.name)),
        ("businessProfileId", json!("")),
        ("systemCreatedAt", json!("2025-03-24T02:08:05.067Z")),
        (
            "systemCreatedBy",
            json!("00000000-0000-0000-0000-000000000001"),
        ),
        ("systemModifiedAt", json!("2025-03-24T02:08:05.067Z")),
        (
            "systemModifiedBy",
            json!("00000000-0000-0000-0000-000000000001"),
        ),
    ] {
        row.insert(k.into(), v);
    }
    row
}

/// `customers` or `customers({id})` in a company.
fn entity_or_set(
    target: &Target<'_>,
    company: &CompanyData,
    segment: &str,
    raw: Option<&str>,
    headers: &HeaderMap,
    may_read: bool,
) -> Result<Response, BcError> {
    let (set, key) = match segment.split_once('(') {
        Some((set, key)) => (set, key.strip_suffix(')')),
        None => (segment, None),
    };
    let rows = target
        .rows(company, set)
        .ok_or_else(|| BcError::ResourceNotFound(set.into()))?;
    if !may_read {
        return Err(BcError::NoPermission(page_name(&target.api, set)));
    }
    match key {
        None => collection(target, Some(company), set, raw, headers),
        Some(key) => {
            let index = rows
                .index_of(key.trim_matches('\''))
                .ok_or_else(|| BcError::ResourceNotFound(set.into()))?;
            let mut row = serde_json::Map::new();
            row.insert(
                "@odata.context".into(),
                json!(format!(
                    "{}/$metadata#{}/$entity",
                    target.root,
                    target.company_path(company, set)
                )),
            );
            row.extend(rows.row(index));
            Ok(wire::json(StatusCode::OK, &Value::Object(row), None))
        }
    }
}

fn collection(
    target: &Target<'_>,
    company: Option<&CompanyData>,
    set: &str,
    raw: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, BcError> {
    let Some(company) = company else {
        return Ok(companies(target));
    };
    let rows = target
        .rows(company, set)
        .ok_or_else(|| BcError::ResourceNotFound(set.into()))?;
    let options = query::parse(raw, &rows.entity).map_err(|e| BcError::BadRequest(e.message))?;
    // Online, a page size above the maximum is refused, not capped
    // (docs/microsoft.md §5; docs/sandbox-fidelity.md §M5).
    if let Some(asked) = wire::preferred_page_size(headers).filter(|&n| n > MAX_PAGE) {
        return Err(BcError::PageSizeTooLarge(asked));
    }
    let (size, applied) = wire::page_size(headers, MAX_PAGE);
    let spec = PageSpec {
        size,
        after: options.skiptoken.as_deref(),
        scope: None,
    };
    let page = page::page(rows, &options, &spec)
        .map_err(|_| BcError::BadRequest("The skip token is not valid.".into()))?;
    let path = target.company_path(company, set);
    let next_link = page.next_after.clone().map(|last| {
        // The real link: `…/customers?aid=FIN&$skiptoken=<SystemId>` (fixture).
        let mut params = wire::query_without(raw, &["aid"]);
        params.push("aid=FIN".into());
        params.push(format!("$skiptoken={last}"));
        format!("{}/{path}?{}", target.root, params.join("&"))
    });
    let context = format!(
        "{}/$metadata#{}",
        target.root,
        context_path(&path, &options.select)
    );
    let body = wire::collection_body(context, page, next_link);
    Ok(wire::json(StatusCode::OK, &body, applied.then_some(size)))
}

/// `companies(id)/customers` or, with `$select`, `…/customers(id,number)`.
fn context_path(path: &str, select: &Option<Vec<String>>) -> String {
    match select {
        Some(fields) => format!("{path}({})", fields.join(",")),
        None => path.to_string(),
    }
}

fn companies(target: &Target<'_>) -> Response {
    let (set, row): (&str, fn(&CompanyData) -> Row) = match target.api {
        Api::V2 => ("companies", company_row),
        Api::ODataV4 => (web_services::COMPANY_SET, web_services::company_row),
    };
    let value: Vec<Value> = target
        .environment
        .companies
        .iter()
        .map(|c| Value::Object(row(c)))
        .collect();
    let body = json!({
        "@odata.context": format!("{}/$metadata#{set}", target.root),
        "value": value,
    });
    wire::json(StatusCode::OK, &body, None)
}
