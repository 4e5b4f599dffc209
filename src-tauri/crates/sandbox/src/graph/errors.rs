//! Microsoft Graph's error body: one `error` object with `code`, `message`
//! and `innerError` (`date`, `request-id`, `client-request-id`), as *Graph*
//! `concepts/errors.md` defines it and live directory errors show it
//! (docs/microsoft.md §9, "Errors and replication"). Clients are told to
//! switch on `code` only; several messages come from community captures
//! (⚠ docs/sandbox-fidelity.md §L14).

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::faults::Refusal;
use crate::odata::wire;

#[derive(Debug, Clone, PartialEq)]
pub struct GraphError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl GraphError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> GraphError {
        GraphError {
            status,
            code,
            message: message.into(),
        }
    }

    /// 401 for a missing or unusable bearer token. ⚠ The messages are
    /// those clients commonly report; Microsoft documents only the code.
    pub fn unauthenticated(message: &str) -> GraphError {
        GraphError::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
        )
    }

    /// 403 for a missing scope or directory role (docs/microsoft.md §9).
    pub fn denied() -> GraphError {
        GraphError::new(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )
    }

    /// 404 for an unknown object, or one still within the replication
    /// delay (docs/microsoft.md §9).
    pub fn not_found(id: &str) -> GraphError {
        GraphError::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!(
                "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
            ),
        )
    }

    pub fn bad_request(message: impl Into<String>) -> GraphError {
        GraphError::new(StatusCode::BAD_REQUEST, "Request_BadRequest", message)
    }

    /// `POST /servicePrincipals` for an appId without a (replicated)
    /// application: the NoBackingApplicationObject error of
    /// docs/microsoft.md §9.
    pub fn no_backing_application(app_id: &str) -> GraphError {
        GraphError::bad_request(format!(
            "The appId '{app_id}' of the service principal does not reference a valid application object."
        ))
    }

    /// A reference to an object that does not exist (yet): what a grant
    /// naming a just-created service principal gets (⚠ wording from
    /// public retry code, docs/microsoft.md §9).
    pub fn invalid_reference(property: &str, resource: &str) -> GraphError {
        GraphError::bad_request(format!(
            "Invalid value specified for property '{property}' of resource '{resource}'."
        ))
    }

    pub fn invalid_object_id(id: &str) -> GraphError {
        GraphError::bad_request(format!("Invalid object identifier '{id}'."))
    }

    /// A property the sandbox does not model, worded as Graph words an
    /// unknown one (⚠ docs/sandbox-fidelity.md §L15).
    pub fn unknown_property(name: &str) -> GraphError {
        GraphError::bad_request(format!(
            "Property '{name}' does not exist as a declared property or extension property."
        ))
    }

    /// 409: the object exists already (docs/microsoft.md §9).
    pub fn conflict(message: impl Into<String>) -> GraphError {
        GraphError::new(
            StatusCode::CONFLICT,
            "Request_MultipleObjectsWithSameKeyValue",
            message,
        )
    }

    pub fn unreadable_body() -> GraphError {
        GraphError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
        )
    }

    pub fn unsupported_query() -> GraphError {
        GraphError::new(
            StatusCode::BAD_REQUEST,
            "Request_UnsupportedQuery",
            "Unsupported Query.",
        )
    }

    pub fn invalid_filter() -> GraphError {
        GraphError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Invalid filter clause",
        )
    }

    pub fn segment_not_found(segment: &str) -> GraphError {
        GraphError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!("Resource not found for the segment '{segment}'."),
        )
    }

    pub fn method_not_allowed() -> GraphError {
        GraphError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "Request_BadRequest",
            "Specified HTTP method is not allowed for the request target.",
        )
    }

    /// The body, with a `client-request-id` echoed when the client sent a
    /// GUID one (as Graph does), else the request ID.
    pub fn into_response(self, headers: &HeaderMap) -> Response {
        let request_id = Uuid::new_v4();
        let client_request_id = headers
            .get("client-request-id")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| Uuid::parse_str(v).ok())
            .unwrap_or(request_id);
        let body = json!({
            "error": {
                "code": self.code,
                "message": self.message,
                "innerError": {
                    "date": graph_date(OffsetDateTime::now_utc()),
                    "request-id": request_id,
                    "client-request-id": client_request_id,
                }
            }
        });
        let mut response = wire::json(self.status, &body, None);
        for (name, id) in [
            ("request-id", request_id),
            ("client-request-id", client_request_id),
        ] {
            if let Ok(value) = HeaderValue::from_str(&id.to_string()) {
                response.headers_mut().insert(name, value);
            }
        }
        response
    }
}

/// What Graph answers when busy (fault injection): 429 with the
/// directory's throttling code, 503 with `serviceNotAvailable` (*Graph*
/// `concepts/errors.md`). ⚠ The 429 code is the one directory clients
/// retry on in public code; no capture shows its full body.
pub fn refusal(refusal: Refusal, headers: &HeaderMap) -> Response {
    let error = match refusal {
        Refusal::TooManyRequests => GraphError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Request_ThrottledTemporarily",
            "Your request is throttled temporarily. Please try after a few seconds.",
        ),
        Refusal::Unavailable => GraphError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "serviceNotAvailable",
            "The service is not available. Try the request again after a delay.",
        ),
    };
    error.into_response(headers)
}

/// `2024-12-05T12:07:47`, as in live `innerError.date` values.
fn graph_date(t: OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    t.format(&format).unwrap_or_default()
}

/// Graph's timestamps (`createdDateTime`, `startDateTime`…): RFC 3339 in UTC.
pub fn timestamp(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_look_like_graphs() {
        let t = time::macros::datetime!(2024-12-05 12:07:47.123 UTC);
        assert_eq!(graph_date(t), "2024-12-05T12:07:47");
    }
}
