//! The data layer's one error type, and the products' error bodies (JSON
//! and XML) explained in plain words.

use std::time::Duration;

use quick_xml::events::Event;
use serde::Deserialize;

use crate::identity::scopes::{permissions_for, Access};
use crate::identity::token_cache::TokenCacheError;
use crate::problem::{ErrorKind, Explain, Setting, UserError};
use crate::product::Product;
use crate::profiles::Grant;

/// `{"error":{"code","message"}}` (BC, Dataverse; F&O wraps the real
/// message in `innererror`) or `<error><code/><message/></error>` (BC's
/// `NoEnvironment`, fixtures/bc/amplabs_err-missing-environment.xml).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}

#[derive(Deserialize)]
struct JsonEnvelope {
    error: JsonError,
}

#[derive(Deserialize)]
struct JsonError {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    innererror: Option<InnerError>,
}

#[derive(Deserialize)]
struct InnerError {
    #[serde(default)]
    message: String,
}

impl ErrorBody {
    pub fn parse(body: &[u8]) -> Option<ErrorBody> {
        Self::from_json(body).or_else(|| Self::from_xml(body))
    }

    fn from_json(body: &[u8]) -> Option<ErrorBody> {
        let JsonError {
            code,
            message,
            innererror,
        } = serde_json::from_slice::<JsonEnvelope>(body).ok()?.error;
        // F&O says only "An error has occurred." outside; the cause is inside.
        let message = match innererror {
            Some(inner) if !inner.message.is_empty() => format!("{message} {}", inner.message),
            _ => message,
        };
        Some(ErrorBody { code, message })
    }

    fn from_xml(body: &[u8]) -> Option<ErrorBody> {
        let mut reader = quick_xml::Reader::from_reader(body);
        let mut found = ErrorBody::default();
        let mut saw_error = false;
        // The element being read and its text so far, entities still escaped.
        let mut open: Option<String> = None;
        let mut text = String::new();
        loop {
            match reader.read_event().ok()? {
                Event::Start(e) => {
                    let name = e.local_name().as_ref().to_string();
                    saw_error |= name == "error";
                    open = Some(name);
                    text.clear();
                }
                Event::Text(t) => text.push_str(&t.xml10_content()),
                Event::GeneralRef(r) => {
                    text.push('&');
                    text.push_str(&r.xml10_content());
                    text.push(';');
                }
                Event::End(_) => {
                    let value = quick_xml::escape::unescape(text.trim()).ok()?.into_owned();
                    match open.take().as_deref() {
                        Some("code") => found.code = value,
                        Some("message") => found.message = value,
                        _ => {}
                    }
                    text.clear();
                }
                Event::Eof => break,
                _ => {}
            }
        }
        saw_error.then_some(found)
    }
}

/// A failed answer from a product, with what is needed to explain it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceFailure {
    pub product: Product,
    pub status: u16,
    pub body: Option<ErrorBody>,
    /// The app the token was for, named in the fix when the product does
    /// not know it.
    pub client_id: String,
    pub grant: Grant,
    /// An app-only token carrying none of the product's application
    /// permissions (`roles`): admin consent was never granted.
    pub no_app_roles: bool,
    /// Raw text when the body was not an error body (e.g. a proxy's page).
    pub raw: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{}", explain_service(.0).message)]
    Service(Box<ServiceFailure>),
    #[error("The environment '{name}' does not exist in this tenant.")]
    EnvironmentNotFound {
        name: String,
        available: Vec<String>,
    },
    #[error("{product} is busy and asked D365 Connect to slow down.")]
    Throttled {
        product: &'static str,
        retry_after: Option<Duration>,
    },
    #[error("{host} could not be reached.")]
    Network { host: String, cause: String },
    #[error("{product} did not answer in time.")]
    Timeout { product: &'static str },
    #[error("Stopped.")]
    Cancelled,
    #[error("{product} has no table called '{name}' in this environment.")]
    UnknownEntity { product: &'static str, name: String },
    #[error(transparent)]
    Token(#[from] TokenCacheError),
    #[error("{product} sent an answer D365 Connect does not understand.")]
    Unexpected {
        product: &'static str,
        details: String,
    },
}

impl Explain for DataError {
    fn kind(&self) -> ErrorKind {
        self.explain().kind
    }

    fn fix(&self) -> String {
        self.explain().fix
    }

    fn details(&self) -> Option<String> {
        self.explain().details
    }

    fn explain(&self) -> UserError {
        let plain = |kind, fix: &str| UserError::new(kind, self.to_string(), fix);
        match self {
            DataError::Service(failure) => explain_service(failure),
            DataError::EnvironmentNotFound { available, .. } => {
                let fix = if available.is_empty() {
                    "No environments were found for you in this tenant: check the tenant, and that your account (or the app) has access to the product.".to_string()
                } else {
                    format!(
                        "Environments you can use: {}. Pick one of them for this connection.",
                        available.join(", ")
                    )
                };
                plain(ErrorKind::EnvironmentNotFound, &fix).at(Setting::Environment)
            }
            DataError::Throttled { retry_after, .. } => {
                let fix = match retry_after {
                    Some(wait) => format!(
                        "Try again in {} minutes, or ask for fewer rows at a time.",
                        wait.as_secs().div_ceil(60).max(1)
                    ),
                    None => "Try again in a few minutes, or ask for fewer rows at a time.".into(),
                };
                plain(ErrorKind::Throttled, &fix)
            }
            DataError::Network { cause, .. } => plain(
                ErrorKind::Network,
                "Check the internet connection (and the HTTPS_PROXY setting if your company uses a proxy), then try again.",
            )
            .with_details(cause.clone()),
            DataError::Timeout { .. } => plain(
                ErrorKind::Timeout,
                "Try again with a filter or fewer columns, or allow this connection a long timeout.",
            )
            .at(Setting::LongTimeout),
            DataError::Cancelled => plain(ErrorKind::Cancelled, "Start again when you are ready."),
            DataError::UnknownEntity { .. } => plain(
                ErrorKind::NotFound,
                "Refresh the list of tables and pick again.",
            ),
            DataError::Token(e) => e.explain(),
            DataError::Unexpected { details, .. } => plain(
                ErrorKind::ServiceUnavailable,
                "Try again in a minute. If it keeps happening, copy the details for support.",
            )
            .with_details(details.clone()),
        }
    }
}

/// The products' own error codes and HTTP statuses, in plain words. Codes:
/// BC docs/microsoft.md §5 and fixtures/bc; Dataverse §7; F&O §6.
fn explain_service(f: &ServiceFailure) -> UserError {
    let product = f.product.display_name();
    let code = f.body.as_ref().map(|b| b.code.as_str()).unwrap_or_default();
    let message_text = f
        .body
        .as_ref()
        .map(|b| b.message.as_str())
        .unwrap_or_default();
    let (kind, message, fix) = match (f.status, code) {
        // BC refuses an app token without API.ReadWrite.All with the same
        // 401 as an unregistered app (docs/sandbox-fidelity.md §H2); the
        // token tells the two apart, and consent comes first.
        (401, _) if f.grant == Grant::ClientCredentials && f.no_app_roles => (
            ErrorKind::ConsentRequired,
            format!("{product} refused the app: its token carries none of {product}'s application permissions, because nobody has granted admin consent."),
            format!(
                "In the Microsoft Entra admin center open App registrations › your app › API permissions, add {product}'s application permission ({}) and click 'Grant admin consent'. Or use Grant admin consent in D365 Connect (d365c consent).",
                permissions_for(f.product, Access::Application)
                    .map(|p| p.name)
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        ),
        (401, "Authentication_InvalidCredentials") if f.grant == Grant::ClientCredentials => (
            ErrorKind::AppNotRegisteredInProduct,
            format!("{product} rejected the app's sign-in: this app is not registered inside {product}."),
            format!(
                "In {product} open 'Microsoft Entra Applications', choose New, enter the client ID {}, set State to Enabled and assign permission sets that can read the data (for example D365 READ; not SUPER). Do this in each environment.",
                f.client_id
            ),
        ),
        // F&O answers an app missing from its "Microsoft Entra applications"
        // page (the S2S access list, docs/microsoft.md §6) with a bare 401;
        // an app-only token is fresh and for this environment, so that is
        // by far the likeliest reason.
        (401, _) if f.grant == Grant::ClientCredentials && f.product == Product::FinanceOperations => (
            ErrorKind::AppNotRegisteredInProduct,
            format!("{product} refused the app: it is most likely not registered inside {product}."),
            format!(
                "In {product} open System administration › Setup › Microsoft Entra applications, choose New, enter the client ID {}, a name, and the user the app acts as (its roles decide what it may read). Do this in each environment.",
                f.client_id
            ),
        ),
        (401, "Authentication_InvalidCredentials") => (
            ErrorKind::PermissionDenied,
            format!("{product} rejected your account."),
            format!("Check that your user exists in {product}, is enabled and has a license, then sign in again."),
        ),
        (401, _) => (
            ErrorKind::TokenRejected,
            format!("{product} did not accept the sign-in token."),
            format!("Sign in again. If it keeps happening, open the token panel: the token must be for {product}, for this tenant, and not expired."),
        ),
        // Dataverse refuses an app with no application user in the
        // environment (docs/microsoft.md §7; docs/sandbox-fidelity.md §H1).
        (403, "0x80072560") if f.grant == Grant::ClientCredentials => (
            ErrorKind::AppNotRegisteredInProduct,
            format!("{product} refused the app: it has no application user in this environment."),
            format!(
                "In the Power Platform admin center open Manage › Environments › the environment › Settings › Users + permissions › Application users, choose + New app user, add the app (client ID {}), pick the business unit and a security role that can read the data, then Create. Do this in each environment.",
                f.client_id
            ),
        ),
        (403, _) => (
            ErrorKind::PermissionDenied,
            format!("{product} says you (or the app) may not read this."),
            match f.product {
                Product::BusinessCentral => "Ask a Business Central administrator for a permission set that includes this data.".into(),
                Product::FinanceOperations => "Ask a Finance & Operations administrator for a security role that includes this data entity.".into(),
                Product::Dataverse => "Ask a Dataverse administrator for a security role that can read this table.".into(),
            },
        ),
        (_, "NoEnvironment") => (
            ErrorKind::EnvironmentNotFound,
            format!("The {product} environment does not exist in this tenant."),
            "Pick an environment from the list for this connection.".into(),
        ),
        (_, "BadRequest_ResourceNotFound") | (404, _) => (
            ErrorKind::NotFound,
            format!("{product} could not find this table, company or record."),
            "Refresh the list of tables and companies and pick again.".into(),
        ),
        (_, "0x80072322" | "0x80072321") => (
            ErrorKind::Throttled,
            format!("{product} is busy and asked D365 Connect to slow down."),
            "Try again in a few minutes, or ask for fewer rows at a time.".into(),
        ),
        // BC's answer to a registered user or app without a permission set
        // for the data (docs/microsoft.md §5; docs/sandbox-fidelity.md §H3).
        (400, _) if message_text.starts_with("You do not have the following permissions") => (
            ErrorKind::PermissionDenied,
            format!("{product} says you (or the app) may not read this."),
            "Assign a permission set that can read this (for example D365 READ) to the app or user in Business Central (Microsoft Entra Applications page for an app, Users for a person).".into(),
        ),
        (400, _) => (
            ErrorKind::BadQuery,
            format!("{product} did not accept the query."),
            "Check the filter and sort: the details say what the service did not understand.".into(),
        ),
        (status, _) if status >= 500 => (
            ErrorKind::ServiceUnavailable,
            format!("{product} had a problem answering (HTTP {status})."),
            "Try again in a minute. If it keeps happening, check the service health page of your tenant.".into(),
        ),
        (status, _) => (
            ErrorKind::ServiceUnavailable,
            format!("{product} refused the request (HTTP {status})."),
            "Copy the details and send them to support.".into(),
        ),
    };
    let details = match (&f.body, &f.raw) {
        (Some(body), _) => Some(format!("HTTP {} {}: {}", f.status, body.code, body.message)),
        (None, Some(raw)) => Some(format!("HTTP {}: {raw}", f.status)),
        (None, None) => Some(format!("HTTP {}", f.status)),
    };
    UserError {
        kind,
        message,
        fix,
        details,
        setting: (kind == ErrorKind::EnvironmentNotFound).then_some(Setting::Environment),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use d365_fixtures::text;

    fn failure(product: Product, status: u16, body: &str, grant: Grant) -> ServiceFailure {
        ServiceFailure {
            product,
            status,
            body: ErrorBody::parse(body.as_bytes()),
            client_id: "3e9d4b6a-8f21-4d57-b0c3-5a7e9f1d2c40".into(),
            grant,
            no_app_roles: false,
            raw: None,
        }
    }

    #[test]
    fn reads_bc_json_and_xml_bodies() {
        let json = ErrorBody::parse(text("bc/amplabs_write_contacts_not-found.json").as_bytes());
        assert_eq!(json.unwrap().code, "BadRequest_ResourceNotFound");
        let xml =
            ErrorBody::parse(text("bc/amplabs_err-missing-environment.xml").as_bytes()).unwrap();
        assert_eq!(xml.code, "NoEnvironment");
        assert_eq!(xml.message, "Environment does not exist.");
        assert_eq!(ErrorBody::parse(b"<html>proxy</html>"), None);
        let escaped = ErrorBody::parse(
            b"<error><code>X</code><message>Tom &amp; Jerry&apos;s</message></error>",
        );
        assert_eq!(escaped.unwrap().message, "Tom & Jerry's");
        assert_eq!(ErrorBody::parse(b"\xff\xfe garbage"), None);
    }

    #[test]
    fn reads_dataverse_and_fno_bodies() {
        let dv =
            ErrorBody::parse(text("dataverse/docs_webapi_error_with_annotations.json").as_bytes());
        assert_eq!(dv.unwrap().code, "0x80040265");
        let fno = ErrorBody::parse(
            br#"{"error":{"code":"","message":"An error has occurred.","innererror":{"message":"Resource not found for the segment 'Nope'.","type":"","stacktrace":""}}}"#,
        )
        .unwrap();
        assert!(fno.message.ends_with("segment 'Nope'."), "{}", fno.message);
    }

    #[test]
    fn an_app_missing_inside_bc_or_fno_gets_the_registration_steps() {
        let bc = r#"{"error":{"code":"Authentication_InvalidCredentials","message":"The server has rejected the client credentials.  CorrelationId:  1."}}"#;
        for (product, body, page) in [
            (Product::BusinessCentral, bc, "Microsoft Entra Applications"),
            // F&O's 401 has no body.
            (
                Product::FinanceOperations,
                "",
                "Setup › Microsoft Entra applications",
            ),
        ] {
            let e = explain_service(&failure(product, 401, body, Grant::ClientCredentials));
            assert_eq!(e.kind, ErrorKind::AppNotRegisteredInProduct, "{product:?}");
            assert!(e.fix.contains(page), "{}", e.fix);
            assert!(e.fix.contains("3e9d4b6a-8f21-4d57-b0c3-5a7e9f1d2c40"));
        }
        let delegated = explain_service(&failure(
            Product::FinanceOperations,
            401,
            "",
            Grant::Delegated,
        ));
        assert_eq!(delegated.kind, ErrorKind::TokenRejected);
    }

    /// docs/sandbox-fidelity.md §H1, body from docs/microsoft.md §7.
    #[test]
    fn dataverse_without_an_application_user_gets_the_admin_center_steps() {
        let body = r#"{"error":{"code":"0x80072560","message":"The user is not a member of the organization."}}"#;
        let e = explain_service(&failure(
            Product::Dataverse,
            403,
            body,
            Grant::ClientCredentials,
        ));
        assert_eq!(e.kind, ErrorKind::AppNotRegisteredInProduct);
        for step in [
            "Power Platform admin center",
            "Manage › Environments",
            "Users + permissions › Application users",
            "+ New app user",
            "business unit",
            "security role",
        ] {
            assert!(e.fix.contains(step), "{step}: {}", e.fix);
        }
        // A person without a role is still told about roles.
        let delegated = explain_service(&failure(Product::Dataverse, 403, body, Grant::Delegated));
        assert_eq!(delegated.kind, ErrorKind::PermissionDenied);
    }

    /// docs/sandbox-fidelity.md §H2: a token without roles means consent.
    #[test]
    fn a_bc_401_for_a_token_without_roles_asks_for_admin_consent() {
        let bc = r#"{"error":{"code":"Authentication_InvalidCredentials","message":"The server has rejected the client credentials.  CorrelationId:  1."}}"#;
        let mut f = failure(Product::BusinessCentral, 401, bc, Grant::ClientCredentials);
        f.no_app_roles = true;
        let e = explain_service(&f);
        assert_eq!(e.kind, ErrorKind::ConsentRequired);
        assert!(
            e.fix.contains("Grant admin consent") && e.fix.contains("API.ReadWrite.All"),
            "{}",
            e.fix
        );
    }

    /// docs/sandbox-fidelity.md §H3, body of docs/microsoft.md §5.
    #[test]
    fn a_bc_permission_message_is_permission_denied() {
        let body = r#"{"error":{"code":"Internal_ServerError","message":"You do not have the following permissions on Page APIV2 - Customers: Execute.\r\n\r\nTo view details about your permissions, see the Effective Permissions page.  CorrelationId:  1."}}"#;
        for grant in [Grant::ClientCredentials, Grant::Delegated] {
            let e = explain_service(&failure(Product::BusinessCentral, 400, body, grant));
            assert_eq!(e.kind, ErrorKind::PermissionDenied);
            assert!(
                e.fix.contains("D365 READ") && !e.fix.contains("filter"),
                "{}",
                e.fix
            );
        }
    }

    #[test]
    fn statuses_and_codes_map_to_kinds() {
        let cases = [
            (
                Product::BusinessCentral,
                401,
                "{}",
                ErrorKind::TokenRejected,
            ),
            (Product::Dataverse, 403, "{}", ErrorKind::PermissionDenied),
            (
                Product::BusinessCentral,
                404,
                r#"{"error":{"code":"BadRequest_ResourceNotFound","message":"x"}}"#,
                ErrorKind::NotFound,
            ),
            (
                Product::BusinessCentral,
                400,
                r#"{"error":{"code":"BadRequest","message":"x"}}"#,
                ErrorKind::BadQuery,
            ),
            (
                Product::Dataverse,
                400,
                r#"{"error":{"code":"0x80060888","message":"x"}}"#,
                ErrorKind::BadQuery,
            ),
            (
                Product::Dataverse,
                429,
                r#"{"error":{"code":"0x80072322","message":"x"}}"#,
                ErrorKind::Throttled,
            ),
            (
                Product::FinanceOperations,
                500,
                "oops",
                ErrorKind::ServiceUnavailable,
            ),
        ];
        for (product, status, body, kind) in cases {
            let e = explain_service(&failure(product, status, body, Grant::Delegated));
            assert_eq!(e.kind, kind, "{status} {body}");
            assert!(!e.fix.is_empty());
        }
    }

    #[test]
    fn a_missing_environment_lists_the_ones_there_are() {
        let e = DataError::EnvironmentNotFound {
            name: "Sandbox2".into(),
            available: vec!["Production".into(), "Sandbox".into()],
        }
        .explain();
        assert_eq!(
            e.message,
            "The environment 'Sandbox2' does not exist in this tenant."
        );
        assert!(e.fix.contains("Production, Sandbox"));
    }
}
