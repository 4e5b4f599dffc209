//! Microsoft Graph v1.0 under `{base}/graph/v1.0`, standing in for
//! `https://graph.microsoft.com/v1.0`: the directory calls that register an
//! app end to end (docs/microsoft.md §9) — applications and their secrets,
//! service principals, delegated grants, app role assignments, and the
//! signed-in user's directory roles. Everything else answers Graph's
//! "Resource not found for the segment" error.

mod applications;
mod assignments;
mod caller;
mod errors;
mod grants;
mod me;
mod query;
mod service_principals;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use serde_json::{Map, Value};

use self::caller::Caller;
use self::errors::GraphError;
use self::query::Query;
use crate::store::Shared;

pub use self::errors::refusal;

pub fn routes(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1.0/{*path}", any(handle))
        .with_state(shared)
}

type Answer = Result<Response, GraphError>;

/// One authenticated Graph request.
pub struct Call<'a> {
    pub shared: &'a Shared,
    pub caller: Caller,
    pub query: Query,
    body: &'a [u8],
}

impl Call<'_> {
    /// `{base}/graph/v1.0`, where `@odata.context` points.
    pub fn root(&self) -> String {
        format!("{}/graph/v1.0", self.shared.base)
    }

    /// The JSON object sent as the body.
    pub fn body(&self) -> Result<Map<String, Value>, GraphError> {
        match serde_json::from_slice(self.body) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(GraphError::unreadable_body()),
        }
    }

    /// One entity, with its `@odata.context` first.
    pub fn entity(&self, status: StatusCode, context: &str, item: Value) -> Answer {
        let mut body = Map::new();
        body.insert(
            "@odata.context".into(),
            Value::String(format!("{}/$metadata#{context}", self.root())),
        );
        if let Value::Object(fields) = self.query.project(item) {
            body.extend(fields);
        }
        Ok(crate::odata::wire::json(status, &Value::Object(body), None))
    }

    /// A collection, filtered and projected by the query.
    pub fn collection(&self, context: &str, items: Vec<Value>) -> Answer {
        let value: Vec<Value> = items
            .into_iter()
            .filter(|item| self.query.matches(item))
            .map(|item| self.query.project(item))
            .collect();
        let body = serde_json::json!({
            "@odata.context": format!("{}/$metadata#{context}", self.root()),
            "value": value,
        });
        Ok(crate::odata::wire::json(StatusCode::OK, &body, None))
    }
}

/// 204, what Graph answers to an update or a removal.
fn no_content() -> Answer {
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Refuses properties outside `known` (the ones the sandbox models).
fn only_properties(body: &Map<String, Value>, known: &[&str]) -> Result<(), GraphError> {
    match body.keys().find(|k| !known.contains(&k.as_str())) {
        Some(unknown) => Err(GraphError::unknown_property(unknown)),
        None => Ok(()),
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    Path(path): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    answer(&shared, &method, &path, raw.as_deref(), &headers, &body)
        .unwrap_or_else(|e| e.into_response(&headers))
}

fn answer(
    shared: &Shared,
    method: &Method,
    path: &str,
    raw_query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Answer {
    let caller = Caller::authenticate(shared, headers)?;
    let call = Call {
        shared,
        caller,
        query: Query::parse(raw_query)?,
        body,
    };
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let Some(address) = Address::parse(&segments) else {
        let first = segments.first().copied().unwrap_or_default();
        return Err(GraphError::segment_not_found(first));
    };
    route(&call, method, &address)
}

/// The entity set a path starts with.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Set {
    Applications,
    ServicePrincipals,
    Grants,
    Me,
}

/// How a path names one object: by its object ID (`applications/{id}`)
/// or by its application ID (`applications(appId='{appId}')`).
#[derive(Debug, Clone, PartialEq)]
pub enum Key {
    Id(String),
    AppId(String),
}

impl Key {
    /// As error messages quote it.
    pub fn text(&self) -> &str {
        match self {
            Key::Id(id) | Key::AppId(id) => id,
        }
    }
}

#[derive(Debug, PartialEq)]
struct Address<'a> {
    set: Set,
    key: Option<Key>,
    rest: &'a [&'a str],
}

impl<'a> Address<'a> {
    /// Segment names compare without regard to case, as Graph's do.
    fn parse(segments: &'a [&'a str]) -> Option<Address<'a>> {
        let (first, rest) = segments.split_first()?;
        let (name, key) = match first.split_once('(') {
            Some((name, inner)) => (name, Some(Key::parse(inner.strip_suffix(')')?)?)),
            None => (*first, None),
        };
        let set = [
            ("applications", Set::Applications),
            ("servicePrincipals", Set::ServicePrincipals),
            ("oauth2PermissionGrants", Set::Grants),
            ("me", Set::Me),
        ]
        .into_iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, set)| set)?;
        let (key, rest) = match (key, rest.split_first()) {
            (None, Some((id, more))) if set != Set::Me => (Some(Key::Id(id.to_string())), more),
            (key, _) => (key, rest),
        };
        Some(Address { set, key, rest })
    }
}

impl Key {
    /// `appId='…'`, `'…'` or a bare ID.
    fn parse(inner: &str) -> Option<Key> {
        let unquote = |v: &str| v.trim().trim_matches('\'').to_string();
        match inner.split_once('=') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("appId") => {
                Some(Key::AppId(unquote(value)))
            }
            Some(_) => None,
            None => Some(Key::Id(unquote(inner))),
        }
    }
}

fn route(call: &Call, method: &Method, address: &Address) -> Answer {
    let rest: Vec<String> = address
        .rest
        .iter()
        .map(|s| s.to_ascii_lowercase())
        .collect();
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    let key = address.key.as_ref();
    match (address.set, key, rest.as_slice()) {
        (Set::Me, None, ["memberof"]) if method == Method::GET => me::member_of(call),
        (Set::Applications, None, []) => match *method {
            Method::GET => applications::list(call),
            Method::POST => applications::create(call),
            _ => Err(GraphError::method_not_allowed()),
        },
        (Set::Applications, Some(key), []) => match *method {
            Method::GET => applications::get(call, key),
            Method::PATCH => applications::update(call, key),
            _ => Err(GraphError::method_not_allowed()),
        },
        (Set::Applications, Some(key), ["addpassword"]) if method == Method::POST => {
            applications::add_password(call, key)
        }
        (Set::Applications, Some(key), ["removepassword"]) if method == Method::POST => {
            applications::remove_password(call, key)
        }
        (Set::ServicePrincipals, None, []) => match *method {
            Method::GET => service_principals::list(call),
            Method::POST => service_principals::create(call),
            _ => Err(GraphError::method_not_allowed()),
        },
        (Set::ServicePrincipals, Some(key), []) if method == Method::GET => {
            service_principals::get(call, key)
        }
        (Set::ServicePrincipals, Some(key), ["approleassignedto"]) => match *method {
            Method::GET => assignments::list(call, key),
            Method::POST => assignments::create(call, key),
            _ => Err(GraphError::method_not_allowed()),
        },
        (Set::Grants, None, []) => match *method {
            Method::GET => grants::list(call),
            Method::POST => grants::create(call),
            _ => Err(GraphError::method_not_allowed()),
        },
        (Set::Grants, Some(Key::Id(id)), []) if method == Method::PATCH => grants::update(call, id),
        (_, _, []) => Err(GraphError::method_not_allowed()),
        (_, _, [segment, ..]) => Err(GraphError::segment_not_found(segment)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse<'a>(segments: &'a [&'a str]) -> Option<Address<'a>> {
        Address::parse(segments)
    }

    #[test]
    fn paths_name_sets_and_keys_as_graph_does() {
        let a = parse(&["applications(appId='a-1')", "addPassword"]).unwrap();
        assert_eq!(a.set, Set::Applications);
        assert_eq!(a.key, Some(Key::AppId("a-1".into())));
        assert_eq!(a.rest, ["addPassword"]);

        let a = parse(&["servicePrincipals", "sp-1", "appRoleAssignedTo"]).unwrap();
        assert_eq!(a.key, Some(Key::Id("sp-1".into())));
        assert_eq!(a.rest, ["appRoleAssignedTo"]);

        let a = parse(&["ServicePrincipals(AppId='x')"]).unwrap();
        assert_eq!(a.set, Set::ServicePrincipals);
        assert_eq!(a.key, Some(Key::AppId("x".into())));

        let a = parse(&["me", "memberOf"]).unwrap();
        assert_eq!((a.set, a.key, a.rest), (Set::Me, None, &["memberOf"][..]));

        assert_eq!(parse(&["oauth2PermissionGrants"]).unwrap().key, None);
        assert!(parse(&["users"]).is_none());
        assert!(parse(&["applications(displayName='x')"]).is_none());
    }
}
