//! Dataverse Web API v9.2 under `{base}/dataverse/<org>/api/data/v9.2/`,
//! standing in for `https://<org>.crm.dynamics.com` (microsoft-facts.md
//! §7): WhoAmI, EntityDefinitions (+ Attributes), businessunits,
//! organizations, accounts and contacts, paging by cookie, no `$skip`.

mod discovery;
mod rows;

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Map, Value};
use uuid::Uuid;

pub use self::discovery::routes as discovery_routes;
use crate::auth::{self, Caller};
use crate::data::Scale;
use crate::faults::Refusal;
use crate::odata::collection::Collection;
use crate::odata::csdl::Model;
use crate::odata::page::{self, PageSpec};
use crate::odata::{query, wire, EdmType};
use crate::resources::Resource;
use crate::store::Shared;
use crate::world::World;

/// Dataverse's default and maximum page size (facts §7).
const MAX_PAGE: usize = 5_000;

pub struct Dataverse {
    model: Arc<Model>,
    organizations: HashMap<String, Organization>,
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

/// Dataverse errors: `{"error":{"code":"0x…","message":"…"}}` (facts §7,
/// fixture docs_webapi_error_with_annotations.json).
enum DataverseError {
    /// 401 with an empty body and a challenge naming the authority and the
    /// resource, so a client can find where to get a token.
    Unauthorized {
        authority: String,
        resource: String,
    },
    NotFound(String),
    /// 0x80060888 is the code Dataverse gives OData query errors.
    Query(String),
    /// 429 for the number-of-requests limit: code and message from the
    /// table in power-apps/developer/data-platform/api-limits (facts §7).
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
    let caller = auth::authenticate(shared, headers, &url, Resource::Dataverse).map_err(|_| {
        DataverseError::Unauthorized {
            authority: format!("{}/{}", shared.authority(), org.tenant),
            resource: url.clone(),
        }
    })?;
    let root = format!("{url}/api/data/v9.2");
    match resource {
        "WhoAmI" | "WhoAmI()" => Ok(who_am_i(&root, org, &caller)),
        "EntityDefinitions" => entity_definitions(dataverse, &root, raw),
        _ => match resource.strip_prefix("EntityDefinitions(LogicalName='") {
            Some(rest) => {
                let logical = rest
                    .strip_suffix("')/Attributes")
                    .ok_or_else(|| DataverseError::NotFound(resource.into()))?;
                attributes(dataverse, &root, logical)
            }
            None => collection(org, &root, resource, raw, headers),
        },
    }
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

fn label(text: &str) -> Value {
    let label = json!({"Label": text, "LanguageCode": 1033, "IsManaged": true,
        "MetadataId": Uuid::new_v5(&Uuid::NAMESPACE_OID, text.as_bytes()), "HasChanged": null});
    json!({"LocalizedLabels": [label.clone()], "UserLocalizedLabel": label})
}

/// `EntityDefinitions[?$select=…]`: the shapes of the fixtures
/// amplabs_metadata_contacts_entity-definition.json; only `$select` is
/// honoured, as the metadata endpoint does not page.
fn entity_definitions(
    dataverse: &Dataverse,
    root: &str,
    raw: Option<&str>,
) -> Result<Response, DataverseError> {
    let select = raw
        .unwrap_or_default()
        .split('&')
        .find_map(|p| p.strip_prefix("$select="))
        .map(|s| s.split(',').map(str::to_string).collect::<Vec<_>>());
    let value: Vec<Value> = dataverse
        .model
        .types
        .iter()
        .map(|t| {
            let display = rows::display_name(&t.name);
            let all = json!({
                "MetadataId": Uuid::new_v5(&Uuid::NAMESPACE_OID, t.name.as_bytes()),
                "LogicalName": t.name,
                "SchemaName": capitalise(&t.name),
                "EntitySetName": t.set_name,
                "PrimaryIdAttribute": t.key.first(),
                "PrimaryNameAttribute": rows::primary_name(&t.name),
                "DisplayName": label(display),
                "DisplayCollectionName": label(&format!("{display}s")),
            });
            match (&select, all) {
                (Some(fields), Value::Object(map)) => {
                    let mut picked: Map<String, Value> = Map::new();
                    picked.insert(
                        "MetadataId".into(),
                        map.get("MetadataId").cloned().unwrap_or(Value::Null),
                    );
                    for f in fields {
                        if let Some(v) = map.get(f) {
                            picked.insert(f.clone(), v.clone());
                        }
                    }
                    Value::Object(picked)
                }
                (_, all) => all,
            }
        })
        .collect();
    let context = match &select {
        Some(fields) => format!("{root}/$metadata#EntityDefinitions({})", fields.join(",")),
        None => format!("{root}/$metadata#EntityDefinitions"),
    };
    Ok(wire::json(
        StatusCode::OK,
        &json!({"@odata.context": context, "value": value}),
        None,
    ))
}

fn capitalise(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// `EntityDefinitions(LogicalName='account')/Attributes`, shaped like
/// fixture amplabs_metadata_contacts_attributes.json.
fn attributes(
    dataverse: &Dataverse,
    root: &str,
    logical: &str,
) -> Result<Response, DataverseError> {
    let entity = dataverse
        .model
        .types
        .iter()
        .find(|t| t.name == logical)
        .ok_or_else(|| {
            DataverseError::NotFound(format!("EntityDefinitions(LogicalName='{logical}')"))
        })?;
    let value: Vec<Value> = entity
        .properties
        .iter()
        .map(|p| {
            let (kind, type_name) = match &p.ty {
                EdmType::Guid if p.name.starts_with('_') => {
                    ("LookupAttributeMetadata", "LookupType")
                }
                EdmType::Guid => ("AttributeMetadata", "UniqueidentifierType"),
                EdmType::Decimal => ("MoneyAttributeMetadata", "MoneyType"),
                EdmType::Int32 if p.name == "statecode" => ("StateAttributeMetadata", "StateType"),
                EdmType::Int32 => ("IntegerAttributeMetadata", "IntegerType"),
                EdmType::Boolean => ("BooleanAttributeMetadata", "BooleanType"),
                EdmType::DateTimeOffset => ("DateTimeAttributeMetadata", "DateTimeType"),
                _ => ("StringAttributeMetadata", "StringType"),
            };
            let logical_name = p.name.trim_start_matches('_').trim_end_matches("_value");
            json!({
                "@odata.type": format!("#Microsoft.Dynamics.CRM.{kind}"),
                "LogicalName": logical_name,
                "SchemaName": capitalise(logical_name),
                "AttributeTypeName": {"Value": type_name},
                "IsPrimaryId": entity.key.contains(&p.name),
                "IsPrimaryName": rows::primary_name(&entity.name) == p.name,
                "DisplayName": label(&rows::attribute_label(logical_name)),
            })
        })
        .collect();
    let context = format!("{root}/$metadata#EntityDefinitions('{logical}')/Attributes");
    Ok(wire::json(
        StatusCode::OK,
        &json!({"@odata.context": context, "value": value}),
        None,
    ))
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
    // Dataverse does not support `$skip` (facts §7, page-results.md).
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
    // With `$top` the service returns that many rows and no next link;
    // otherwise it pages by `odata.maxpagesize` (facts §7).
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
    let body = wire::collection_body(context, page, next_link);
    Ok(wire::json(StatusCode::OK, &body, applied.then_some(size)))
}
