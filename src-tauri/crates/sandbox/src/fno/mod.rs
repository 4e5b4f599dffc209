//! Finance & Operations under `{base}/fno/<environment>`, standing in for
//! `https://<env>.operations.dynamics.com` (docs/microsoft.md §6): the
//! `/data/` OData service with `$metadata`, LegalEntities, CustomersV3,
//! VendorsV2 and InventoryProfiles, company-specific rows with
//! `dataAreaId`, and `cross-company=true`; SystemUsers and the Microsoft
//! Entra applications page (`SysAADClients`), which an administrator can
//! fill over OData (access.rs, docs/microsoft.md §10).

mod access;
mod catalog;

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

use crate::bearer::{self, Caller};
use crate::data::{self, company_name, domain_of, seed_of, Address, Person, Scale, Seq};
use crate::faults::Refusal;
use crate::odata::collection::{Collection, KeyScheme};
use crate::odata::csdl::Model;
use crate::odata::page::{self, PageSpec};
use crate::odata::{query, wire, EntityType, Row};
use crate::store::Shared;
use crate::world::World;

/// F&O's server-driven page size (docs/microsoft.md §6).
const MAX_PAGE: usize = 10_000;
/// Contoso demo data companies (`dataAreaId`), the first is the default.
const DEFAULT_COMPANIES: &[(&str, &str)] = &[
    ("usmf", "Contoso Entertainment System USA"),
    ("usrt", "Contoso Retail USA"),
    ("demf", "Contoso Entertainment System Germany"),
    ("gbsi", "Contoso Entertainment Systems UK"),
];

pub struct Fno {
    model: Arc<Model>,
    scale: Scale,
    environments: HashMap<String, FnoEnvironment>,
    /// Written on first request: at large scale it is ~30 MB. With and
    /// without `SysAADClients` (docs/sandbox-fidelity.md §H6).
    metadata: [OnceLock<Arc<String>>; 2],
}

struct FnoEnvironment {
    companies: Vec<String>,
    sets: HashMap<String, Collection>,
    access: access::Access,
}

impl Fno {
    pub fn new(world: &World, scale: Scale) -> Result<Fno, String> {
        let model = Arc::new(Model::parse(
            "Microsoft.Dynamics.DataEntities",
            include_str!("model.txt"),
        )?);
        let mut environments = HashMap::new();
        for tenant in &world.tenants {
            let Some(product) = &tenant.products.finance_operations else {
                continue;
            };
            for env in &product.environments {
                let companies: Vec<(String, String)> = if env.companies.is_empty() {
                    DEFAULT_COMPANIES
                        .iter()
                        .map(|(id, name)| (id.to_string(), name.to_string()))
                        .collect()
                } else {
                    env.companies
                        .iter()
                        .map(|c| (c.to_lowercase(), c.clone()))
                        .collect()
                };
                let sets = model
                    .types
                    .iter()
                    .filter(|t| ![access::USERS, access::ENTRA_APPS].contains(&t.set_name.as_str()))
                    .map(|t| {
                        (
                            t.set_name.clone(),
                            collection(t, &companies, scale, &env.name),
                        )
                    })
                    .collect();
                let default_company = companies.first().map(|(id, _)| id.as_str());
                let access =
                    access::Access::new(world, tenant.id, default_company.unwrap_or_default());
                environments.insert(
                    env.name.to_lowercase(),
                    FnoEnvironment {
                        companies: companies.into_iter().map(|(id, _)| id).collect(),
                        sets,
                        access,
                    },
                );
            }
        }
        Ok(Fno {
            model,
            scale,
            environments,
            metadata: Default::default(),
        })
    }

    fn metadata(&self, with_entra_apps: bool) -> Arc<String> {
        self.metadata[usize::from(with_entra_apps)]
            .get_or_init(|| {
                let extra = catalog::entity_types(&self.model.namespace, self.scale);
                let model = Model {
                    namespace: self.model.namespace.clone(),
                    types: self.published(with_entra_apps).cloned().collect(),
                    enums: self.model.enums.clone(),
                };
                Arc::new(model.metadata_xml_with("Resources", &extra))
            })
            .clone()
    }

    /// The entity types the environment publishes: `SysAADClients` is
    /// public but undocumented and may be missing (docs/microsoft.md §10).
    fn published(&self, with_entra_apps: bool) -> impl Iterator<Item = &EntityType> {
        self.model
            .types
            .iter()
            .filter(move |t| with_entra_apps || t.set_name != access::ENTRA_APPS)
    }

    /// The rows of a published entity set.
    fn rows(&self, env: &FnoEnvironment, set: &str, with_entra_apps: bool) -> Option<Collection> {
        let entity = self
            .published(with_entra_apps)
            .find(|t| t.set_name == set)?;
        env.access
            .collection(set, entity)
            .or_else(|| env.sets.get(set).cloned())
    }
}

/// Whether environments publish `SysAADClients` now
/// (`SandboxHandle::set_fno_sysaadclients`).
fn with_entra_apps(shared: &Shared) -> bool {
    !shared.fno_without_sysaadclients.load(Ordering::Relaxed)
}

fn size(set: &str, scale: Scale) -> usize {
    match (set, scale) {
        // 1,500 per legal entity: more than one page of the app's table.
        ("CustomersV3", Scale::Small) => 6_000,
        ("CustomersV3", Scale::Large) => 100_000,
        ("VendorsV2", Scale::Small) => 800,
        ("VendorsV2", Scale::Large) => 10_000,
        ("InventoryProfiles", _) => 12,
        _ => 0,
    }
}

fn collection(
    entity: &EntityType,
    companies: &[(String, String)],
    scale: Scale,
    environment: &str,
) -> Collection {
    let entity = Arc::new(entity.clone());
    let builder = entity.clone();
    let seed = seed_of(&["fno", environment, &entity.set_name]);
    if entity.set_name == "LegalEntities" {
        let list = companies.to_vec();
        let keys = KeyScheme::Listed {
            property: "LegalEntityId".into(),
            keys: list.iter().map(|(id, _)| id.to_uppercase()).collect(),
        };
        return Collection::new(entity, list.len(), keys, move |i, key| {
            let name = list.get(i).map(|(_, n)| n.as_str()).unwrap_or_default();
            build(&builder, seed, i, key, name)
        });
    }
    let ids: Vec<String> = companies.iter().map(|(id, _)| id.clone()).collect();
    let (property, prefix) = match entity.set_name.as_str() {
        "CustomersV3" => ("CustomerAccount", "CUS-"),
        "VendorsV2" => ("VendorAccountNumber", "VEN-"),
        _ => ("InventoryProfileId", "IP-"),
    };
    let len = size(&entity.set_name, scale);
    Collection::new(
        entity,
        len,
        KeyScheme::numbered(property, prefix),
        move |i, key| {
            // Rows are dealt round-robin to the companies.
            let company = ids
                .get(i % ids.len().max(1))
                .map(String::as_str)
                .unwrap_or("usmf");
            build(&builder, seed, i, key, company)
        },
    )
}

/// One row; `company` is the `dataAreaId` (or the legal entity's name).
fn build(entity: &EntityType, seed: u64, index: usize, key: &str, company: &str) -> Row {
    let mut seq = Seq::new(seed ^ (index as u64).wrapping_mul(0x9E37_79B9));
    let org = company_name(&mut seq);
    let person = Person::random(&mut seq);
    let address = Address::random(&mut seq);
    let phone = data::phone(&mut seq);
    let mut row = Row::new();
    row.insert(
        "@odata.etag".into(),
        json!(format!("W/\"JzEsNTYzNzE0NDU3Njs{index}nJw==\"")),
    );
    for p in &entity.properties {
        let value = match p.name.as_str() {
            "dataAreaId" => json!(company),
            "CustomerAccount" | "VendorAccountNumber" | "InventoryProfileId" | "LegalEntityId" => {
                json!(key)
            }
            "Name" => json!(company),
            "OrganizationName" | "VendorOrganizationName" => json!(org),
            "NameAlias" => json!(org.split_whitespace().next().unwrap_or_default()),
            "CustomerGroupId" => json!(["10", "20", "30", "90"][index % 4]),
            "VendorGroupId" => json!(["10", "20", "50"][index % 3]),
            "SalesCurrencyCode" | "CurrencyCode" => json!("USD"),
            "CreditLimit" => json!([0, 5_000, 25_000, 100_000][index % 4]),
            "PaymentTerms" => json!(["Net30", "Net10", "Net45"][index % 3]),
            "AddressStreet" => json!(address.line1),
            "AddressCity" => json!(address.place.city),
            "AddressState" => json!(address.place.state),
            "AddressZipCode" => json!(address.place.postal_code),
            // F&O uses three-letter ISO codes for countries/regions.
            "AddressCountryRegionId" => json!(iso3(address.place.country)),
            "PrimaryContactEmail" | "PrimaryEmailAddress" => json!(person.email(&domain_of(&org))),
            "PrimaryContactPhone" | "PrimaryPhoneNumber" => json!(phone),
            "PartyType" => json!("Organization"),
            "PersonGender" => json!("Unknown"),
            "Description" => json!(format!("Inventory profile {}", index + 1)),
            _ => json!(""),
        };
        row.insert(p.name.clone(), value);
    }
    row
}

fn iso3(country: &str) -> &'static str {
    match country {
        "US" => "USA",
        "CA" => "CAN",
        "GB" => "GBR",
        "DK" => "DNK",
        "DE" => "DEU",
        "NL" => "NLD",
        "FR" => "FRA",
        _ => "USA",
    }
}

type Ctx = Arc<(Arc<Shared>, Fno)>;

pub fn routes(shared: Arc<Shared>, fno: Fno) -> Router {
    Router::new()
        .route("/{environment}/data", get(data_root))
        .route("/{environment}/data/", get(data_root))
        .route("/{environment}/data/{resource}", get(resource).post(create))
        .with_state(Arc::new((shared, fno)))
}

enum FnoError {
    Unauthorized,
    NotFound,
    Query(String),
    /// A write the caller's F&O roles do not allow. ⚠ No captured body:
    /// the plain envelope.
    Forbidden,
    /// A data entity write that failed in X++, with its infolog; 400 for
    /// validation, 500 for a duplicate key (docs/microsoft.md §10).
    WriteFailed {
        status: u16,
        message: String,
    },
    /// 429 with the resource-based limit's message, verbatim from
    /// data-entities/service-protection-api-limits.md (fixture
    /// fno/docs_service_protection_429_messages.txt). Since 2023-03-31
    /// user-based limits are optional and off by default (same article,
    /// 08/25/2022 revision), so this is the one clients meet. ⚠ The JSON
    /// envelope is not documented; it is the plain one of other F&O errors.
    Throttled,
    /// ⚠ No documented or captured F&O 503 body: the plain envelope with
    /// the status's reason phrase.
    Unavailable,
}

/// What F&O answers when it is busy (fault injection).
pub fn refusal(refusal: Refusal) -> Response {
    match refusal {
        Refusal::TooManyRequests => FnoError::Throttled,
        Refusal::Unavailable => FnoError::Unavailable,
    }
    .into_response()
}

/// `{"error":{"code":"","message":…}}`, F&O's errors outside the OData library.
fn plain_error(status: StatusCode, message: &str) -> Response {
    wire::json(
        status,
        &json!({"error": {"code": "", "message": message}}),
        None,
    )
}

impl IntoResponse for FnoError {
    fn into_response(self) -> Response {
        match self {
            // ⚠ No captured F&O 401 was found: an empty body with a Bearer
            // challenge, as IIS-hosted OData services answer.
            FnoError::Unauthorized => {
                let mut r = StatusCode::UNAUTHORIZED.into_response();
                r.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                r
            }
            FnoError::NotFound => plain_error(
                StatusCode::NOT_FOUND,
                "No HTTP resource was found that matches the request URI.",
            ),
            FnoError::Throttled => plain_error(
                StatusCode::TOO_MANY_REQUESTS,
                "This request could not be processed at this time due to system experiencing high resource utilization.",
            ),
            FnoError::Unavailable => {
                plain_error(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable")
            }
            FnoError::Forbidden => plain_error(StatusCode::FORBIDDEN, "Access denied."),
            FnoError::WriteFailed { status, message } => wire::json(
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                &json!({"error": {"code": "", "message": "An error has occurred.", "innererror": {
                    "message": message,
                    "type": "Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException",
                    "stacktrace": ""}}}),
                None,
            ),
            // ⚠ F&O wraps OData errors as "An error has occurred." with the
            // library's message inside `innererror` (no licensed capture).
            FnoError::Query(message) => wire::json(
                StatusCode::BAD_REQUEST,
                &json!({"error": {"code": "", "message": "An error has occurred.", "innererror": {
                    "message": message, "type": "Microsoft.OData.ODataException", "stacktrace": ""}}}),
                None,
            ),
        }
    }
}

/// The resource is the environment URL without a trailing slash
/// (docs/microsoft.md §6); an app signing in on its own must be on the
/// environment's Microsoft Entra applications page (access.rs).
fn authorize<'a>(
    shared: &Shared,
    fno: &'a Fno,
    environment: &str,
    headers: &HeaderMap,
) -> Result<(&'a FnoEnvironment, Caller), FnoError> {
    let env = fno
        .environments
        .get(&environment.to_lowercase())
        .ok_or(FnoError::NotFound)?;
    let audience = format!("{}/fno/{environment}", shared.base);
    let caller = bearer::verify(shared, headers, &audience).map_err(|_| FnoError::Unauthorized)?;
    if !env.access.admits(shared, &caller) {
        return Err(FnoError::Unauthorized);
    }
    Ok((env, caller))
}

async fn data_root(
    State(ctx): State<Ctx>,
    Path(environment): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (shared, fno) = &*ctx;
    if let Err(e) = authorize(shared, fno, &environment, &headers) {
        return e.into_response();
    }
    let root = format!("{}/fno/{environment}/data", shared.base);
    let value: Vec<Value> = fno
        .published(with_entra_apps(shared))
        .map(|t| json!({"name": t.set_name, "kind": "EntitySet", "url": t.set_name}))
        .collect();
    wire::json(
        StatusCode::OK,
        &json!({"@odata.context": format!("{root}/$metadata"), "value": value}),
        None,
    )
}

async fn resource(
    State(ctx): State<Ctx>,
    Path((environment, resource)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let (shared, fno) = &*ctx;
    let env = match authorize(shared, fno, &environment, &headers) {
        Ok((env, _)) => env,
        Err(e) => return e.into_response(),
    };
    let with_entra_apps = with_entra_apps(shared);
    if resource == "$metadata" {
        let ctx = ctx.clone();
        let xml = tokio::task::spawn_blocking(move || ctx.1.metadata(with_entra_apps)).await;
        return match xml {
            Ok(xml) => wire::xml(StatusCode::OK, xml.to_string()),
            Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        };
    }
    let root = format!("{}/fno/{environment}/data", shared.base);
    let headers = if shared.fno_ignores_maxpagesize.load(Ordering::Relaxed) {
        HeaderMap::new()
    } else {
        headers
    };
    let Some(rows) = fno.rows(env, &resource, with_entra_apps) else {
        return FnoError::NotFound.into_response();
    };
    match query_set(env, &rows, &root, &resource, raw.as_deref(), &headers) {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

/// `POST /data/SysAADClients`, the only write the sandbox's F&O knows:
/// 201 with the record and its `Location` (docs/microsoft.md §10).
async fn create(
    State(ctx): State<Ctx>,
    Path((environment, resource)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (shared, fno) = &*ctx;
    let answer = authorize(shared, fno, &environment, &headers).and_then(|(env, caller)| {
        let entity = fno
            .published(with_entra_apps(shared))
            .find(|t| t.set_name == resource && resource == access::ENTRA_APPS)
            .ok_or(FnoError::NotFound)?;
        let row = env.access.add_app(shared, &caller, entity, &body)?;
        let root = format!("{}/fno/{environment}/data", shared.base);
        let key = row
            .get("AADClientId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let mut body = serde_json::Map::new();
        body.insert(
            "@odata.context".into(),
            json!(format!("{root}/$metadata#{resource}/$entity")),
        );
        body.extend(row);
        let mut response = wire::json(StatusCode::CREATED, &Value::Object(body), None);
        if let Ok(location) = HeaderValue::from_str(&format!("{root}/{resource}('{key}')")) {
            response.headers_mut().insert(header::LOCATION, location);
        }
        Ok(response)
    });
    answer.unwrap_or_else(IntoResponse::into_response)
}

fn query_set(
    env: &FnoEnvironment,
    rows: &Collection,
    root: &str,
    set: &str,
    raw: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, FnoError> {
    let options = query::parse(raw, &rows.entity).map_err(|e| FnoError::Query(e.message))?;
    // Without `cross-company=true` only the user's default company (the
    // first) is returned (docs/microsoft.md §6, odata.md).
    let cross_company = raw
        .unwrap_or_default()
        .split('&')
        .any(|p| p.eq_ignore_ascii_case("cross-company=true"));
    let default_company = env.companies.first().cloned().unwrap_or_default();
    let company_only = move |row: &Row| {
        row.get("dataAreaId")
            .and_then(Value::as_str)
            .is_none_or(|c| c.eq_ignore_ascii_case(&default_company))
    };
    let after = match &options.skiptoken {
        Some(token) => Some(
            decode_token(token)
                .ok_or_else(|| FnoError::Query("The skip token value is not valid.".into()))?,
        ),
        None => None,
    };
    let (size, applied) = wire::page_size(headers, MAX_PAGE);
    let spec = PageSpec {
        size,
        after: after.as_deref(),
        scope: if cross_company {
            None
        } else {
            Some(&company_only)
        },
    };
    let page = page::page(rows, &options, &spec)
        .map_err(|_| FnoError::Query("The skip token value is not valid.".into()))?;
    let next_link = page.next_after.as_ref().map(|last| {
        let mut params = wire::query_without(raw, &[]);
        params.push(format!("$skiptoken={}", URL_SAFE_NO_PAD.encode(last)));
        format!("{root}/{set}?{}", params.join("&"))
    });
    let context = format!("{root}/$metadata#{set}");
    let body = wire::collection_body(context, page, next_link);
    Ok(wire::json(StatusCode::OK, &body, applied.then_some(size)))
}

/// F&O's skip token is opaque to clients; ours wraps the last key.
fn decode_token(token: &str) -> Option<String> {
    String::from_utf8(URL_SAFE_NO_PAD.decode(token).ok()?).ok()
}
