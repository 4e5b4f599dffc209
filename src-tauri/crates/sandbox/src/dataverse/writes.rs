//! The Web API writes an administrator's setup makes (docs/microsoft.md
//! §10): creating an application user (`POST systemusers`) and giving a
//! user a security role (`POST
//! systemusers(<id>)/systemuserroles_association/$ref`). Who may do it is
//! security.rs's business; this is the wire.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::security::{self, NewApplicationUser};
use super::{admit, counted, entity, parse_path, Admitted, Ctx, Dataverse, DataverseError};
use crate::odata::EntityType;
use crate::store::Shared;

/// What an application user is: Non-interactive (SystemUser reference).
const NON_INTERACTIVE: i64 = 4;

pub async fn post(
    State(ctx): State<Ctx>,
    Path((org, resource)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (shared, dataverse) = &*ctx;
    let answer = admit(shared, dataverse, &org, &headers).and_then(|request| {
        counted(dataverse, &request, || {
            write(
                shared,
                dataverse,
                &request,
                &resource,
                raw.as_deref(),
                &headers,
                &body,
            )
        })
    });
    answer.unwrap_or_else(IntoResponse::into_response)
}

fn write(
    shared: &Shared,
    dataverse: &Dataverse,
    request: &Admitted<'_>,
    resource: &str,
    raw: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, DataverseError> {
    match parse_path(resource) {
        Some(("systemusers", None, None)) => {
            let user = dataverse
                .model
                .entity_by_set("systemusers")
                .ok_or_else(|| DataverseError::NotFound(resource.into()))?;
            create_user(shared, request, user, raw, headers, body)
        }
        Some(("systemusers", Some(user), Some("systemuserroles_association/$ref"))) => {
            let role = role_reference(body)?;
            security::assign_role(request.org, &request.principal, user, &role)?;
            Ok(no_content(None))
        }
        // Anything else is not a write the sandbox knows; Microsoft's
        // troubleshooting page shows this answer for a wrong method
        // (docs/microsoft.md §10).
        _ => Err(DataverseError::NoSuchOperation(format!(
            "{}/{resource}",
            request.root
        ))),
    }
}

/// 204 No Content with `OData-EntityId` unless the client sends `Prefer:
/// return=representation`, then 201 with the record
/// (webapi/create-entity-web-api.md, docs/microsoft.md §10).
fn create_user(
    shared: &Shared,
    request: &Admitted<'_>,
    user: &EntityType,
    raw: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, DataverseError> {
    let new = new_application_user(user, body)?;
    let id =
        security::create_application_user(request.org, shared, &request.principal, &new, &now())?;
    let location = format!("{}/systemusers({id})", request.root);
    if !wants_representation(headers) {
        return Ok(no_content(Some(&location)));
    }
    let rows = security::users(request.org, Arc::new(user.clone()));
    let mut response = entity(&rows, &request.root, "systemusers", &id.to_string(), raw)?;
    *response.status_mut() = StatusCode::CREATED;
    let headers = response.headers_mut();
    headers.insert(
        "preference-applied",
        HeaderValue::from_static("return=representation"),
    );
    if let Ok(v) = HeaderValue::from_str(&location) {
        headers.insert("odata-entityid", v);
    }
    Ok(response)
}

fn no_content(entity_id: Option<&str>) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert("odata-version", HeaderValue::from_static("4.0"));
    if let Some(v) = entity_id.and_then(|e| HeaderValue::from_str(e).ok()) {
        headers.insert("odata-entityid", v);
    }
    response
}

fn wants_representation(headers: &HeaderMap) -> bool {
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim().eq_ignore_ascii_case("return=representation"))
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
        ))
        .unwrap_or_default()
}

fn payload(table: &str, inner: String) -> DataverseError {
    DataverseError::BadPayload {
        table: table.into(),
        inner,
    }
}

fn json_object(table: &str, body: &[u8]) -> Result<Map<String, Value>, DataverseError> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(fields)) => Ok(fields),
        Ok(_) => Err(payload(
            table,
            "Microsoft.OData.ODataException: The payload is not a JSON object.".into(),
        )),
        Err(e) => Err(payload(
            table,
            format!("Microsoft.OData.ODataException: Invalid JSON. {e}"),
        )),
    }
}

/// The body of `POST systemusers`, with the errors the Web API gives for
/// unknown properties, wrong types and unknown navigation properties
/// (Microsoft's "Troubleshoot Dataverse Web API client errors",
/// docs/microsoft.md §10). Only application users can be created here.
fn new_application_user(
    user: &EntityType,
    body: &[u8],
) -> Result<NewApplicationUser, DataverseError> {
    let table = "systemusers";
    let fields = json_object(table, body)?;
    let mismatch = |value: &Value, ty: &str| {
        payload(
            table,
            format!("Microsoft.OData.ODataException: Cannot convert the literal '{}' to the expected type '{ty}'.", literal(value)),
        )
    };
    let mut application = None;
    let mut business_unit = None;
    let mut accessmode = NON_INTERACTIVE;
    let mut disabled = false;
    for (name, value) in &fields {
        match name.as_str() {
            "applicationid" => {
                let id = value.as_str().and_then(|s| Uuid::parse_str(s).ok());
                application = Some(id.ok_or_else(|| mismatch(value, "Edm.Guid"))?);
            }
            "accessmode" => {
                accessmode = value.as_i64().ok_or_else(|| mismatch(value, "Edm.Int32"))?;
            }
            "isdisabled" => {
                disabled = value
                    .as_bool()
                    .ok_or_else(|| mismatch(value, "Edm.Boolean"))?;
            }
            "businessunitid@odata.bind" => {
                business_unit = Some(bound_id(value, "businessunits").ok_or_else(|| {
                    payload(table, format!("Microsoft.OData.ODataException: The value '{}' of 'businessunitid@odata.bind' is not a valid entity reference.", literal(value)))
                })?);
            }
            n if n.starts_with('@') => {}
            n if n.ends_with("@odata.bind") => {
                let property = n.trim_end_matches("@odata.bind");
                return Err(payload(table, format!("Microsoft.OData.ODataException: An undeclared property '{property}' which only has property annotations in the payload but no property value was found in the payload. In OData, only declared navigation properties and declared named streams can be represented as properties without values.")));
            }
            n if !n.starts_with('_') && user.property(n).is_some() => {}
            n => {
                return Err(payload(
                    table,
                    format!(
                    "Microsoft.Crm.CrmException: Invalid property '{n}' was found in entity '{}'.",
                    user.qualified_name()
                ),
                ))
            }
        }
    }
    match (application, business_unit) {
        (Some(application), Some(business_unit)) => Ok(NewApplicationUser {
            application,
            business_unit,
            accessmode,
            disabled,
        }),
        _ => Err(DataverseError::Unexpected),
    }
}

/// `/businessunits(<id>)`, `businessunits(<id>)` or the absolute URL.
fn bound_id(value: &Value, set: &str) -> Option<String> {
    let (_, rest) = value.as_str()?.rsplit_once(&format!("{set}("))?;
    let id = rest.strip_suffix(')')?.trim_matches(['{', '}']);
    Uuid::parse_str(id).ok().map(|u| u.to_string())
}

/// The role of `{"@odata.id": "<org>/api/data/v9.2/roles(<id>)"}`.
fn role_reference(body: &[u8]) -> Result<String, DataverseError> {
    let table = "systemuserroles_association";
    let fields = json_object(table, body)?;
    let target = fields.get("@odata.id").unwrap_or(&Value::Null);
    bound_id(target, "roles").ok_or_else(|| {
        payload(
            table,
            format!("Microsoft.OData.ODataException: The value '{}' of '@odata.id' is not a valid entity reference.", literal(target)),
        )
    })
}

fn literal(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
