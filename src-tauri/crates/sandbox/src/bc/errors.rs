//! Business Central's error bodies (docs/microsoft.md §5 and the fixtures
//! in tests/fixtures/bc/): JSON `{"error":{"code","message"}}` whose message
//! ends in `  CorrelationId:  <guid>.`, and the XML `NoEnvironment` error.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::json;
use uuid::Uuid;

use crate::odata::wire;

#[derive(Debug)]
pub enum BcError {
    Unauthorized,
    /// fixture amplabs_err-missing-environment.xml
    NoEnvironment,
    /// fixture amplabs_write_contacts_not-found.json
    ResourceNotFound(String),
    /// A malformed query (fixture amplabs_read_balance-sheets_error-since.json).
    BadRequest(String),
    /// A registered app or user without a permission set that reads this
    /// page: HTTP 400 `Internal_ServerError` (docs/microsoft.md §5;
    /// docs/sandbox-fidelity.md §H3, body captured in
    /// MicrosoftDocs/dynamics365smb-devitpro-pb#1966). Holds the page name.
    NoPermission(String),
    /// Admin center API: the caller may not manage environments.
    AdminForbidden,
    /// `odata.maxpagesize` above the online maximum of 20,000: HTTP 413
    /// (docs/microsoft.md §5; docs/sandbox-fidelity.md §M5, *BC*
    /// webservices/Server-Driven-Paging-in-OData-Web-Services.md,
    /// administration/operational-limits-online.md). ⚠ No body is documented
    /// or captured: code and text are ours. Holds the size asked for.
    PageSizeTooLarge(usize),
    /// 429 when a limit of operational-limits-online.md is exceeded
    /// (docs/microsoft.md §5; learn.microsoft.com/dynamics365/business-central/dev-itpro/
    /// api-reference/v2.0/dynamics-rate-limits). Microsoft documents no body;
    /// code and text are those quoted in "Mastering Microsoft Dynamics 365
    /// Business Central" (Demiliani, Tacconi; Packt 2019, ch. 12) for the
    /// 100-simultaneous-requests limit ⚠ community source.
    TooManyRequests,
    /// 503 "Service Temporarily Unavailable", which BC sends with
    /// `Retry-After` (dev-itpro/includes/include-http-status-error-codes.md).
    /// No body is documented or captured: the catch-all code `Unknown` of
    /// webservices/dynamics-error-codes.md and the status's short name.
    Unavailable,
}

impl BcError {
    pub fn into_response(self) -> Response {
        let correlation = Uuid::new_v4();
        let (status, code, message) = match self {
            BcError::NoEnvironment => {
                return wire::xml(
                    StatusCode::NOT_FOUND,
                    concat!(
                        "<error xmlns=\"http://docs.oasis-open.org/odata/ns/metadata\">\n",
                        "    <code>NoEnvironment</code>\n",
                        "    <message>Environment does not exist.</message>\n",
                        "</error>"
                    )
                    .into(),
                )
            }
            BcError::AdminForbidden => return admin_forbidden(),
            // "The server has rejected the client credentials." is what BC
            // answers for a missing or disabled in-product registration
            // (docs/microsoft.md §5: dynamics365smb-devitpro-pb#3172, nav-docker#570);
            // BC maps every NavInvalidCredentialException to this code.
            BcError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "Authentication_InvalidCredentials",
                "The server has rejected the client credentials.".to_string(),
            ),
            BcError::ResourceNotFound(segment) => (
                StatusCode::NOT_FOUND,
                "BadRequest_ResourceNotFound",
                format!("Resource not found for the segment '{segment}'."),
            ),
            BcError::BadRequest(message) => (StatusCode::BAD_REQUEST, "BadRequest", message),
            BcError::PageSizeTooLarge(asked) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "RequestEntityTooLarge",
                format!("The requested page size {asked} exceeds the maximum page size of 20000."),
            ),
            BcError::NoPermission(page) => (
                StatusCode::BAD_REQUEST,
                "Internal_ServerError",
                format!("You do not have the following permissions on Page {page}: Execute.\r\n\r\nTo view details about your permissions, see the Effective Permissions page. To report a problem, refer to the following server session ID: '130'."),
            ),
            BcError::TooManyRequests => (
                StatusCode::TOO_MANY_REQUESTS,
                "Application_TooManyRequests",
                "Too many requests reached. Actual (101). Maximum (100).".to_string(),
            ),
            BcError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Unknown",
                "Service Temporarily Unavailable".to_string(),
            ),
        };
        let body = json!({"error": {
            "code": code,
            "message": format!("{message}  CorrelationId:  {correlation}."),
        }});
        let mut response = wire::json(status, &body, None);
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// The admin center API's own error shape: `{code, message, target,
/// extensionData, clientError}` (docs/microsoft.md §5). No captured 403 was found, so
/// the message is ours, written to say what to do.
fn admin_forbidden() -> Response {
    let body = json!({
        "code": "Unauthorized",
        "message": "The caller is not authorized to access the admin center API. Sign in as a Business Central administrator, or grant the app AdminCenter.ReadWrite.All and add it on the admin center's Microsoft Entra apps page.",
        "target": null,
        "extensionData": {},
        "clientError": [],
    });
    wire::json(StatusCode::FORBIDDEN, &body, None)
}
