//! Entra's AADSTS errors: one constructor per code the sandbox produces,
//! with Entra's own wording, and the three ways they reach a client — the
//! token endpoint's JSON body, the authorize redirect, and the HTML error
//! page.
//!
//! Body shape (docs/microsoft.md §3; fixtures/entra/msal-dotnet_token_error_*):
//! `error`, `error_description` = "AADSTSnnnn: …\r\nTrace ID: …\r\nCorrelation
//! ID: …\r\nTimestamp: …", `error_codes` [int], `timestamp`, `trace_id`,
//! `correlation_id`, `error_uri`.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use serde_json::{json, Value};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq)]
pub struct AadError {
    pub status: StatusCode,
    /// The OAuth `error` value clients are told to switch on.
    pub error: &'static str,
    pub code: u32,
    pub message: String,
}

/// Where an error happened, as the error page and body report it.
pub struct Trace {
    pub trace_id: Uuid,
    pub correlation_id: Uuid,
    pub timestamp: String,
}

impl Trace {
    /// Entra echoes a GUID `client-request-id` header as the correlation ID
    /// (MSAL sends one); otherwise it makes one up.
    pub fn new(headers: &HeaderMap) -> Trace {
        let correlation_id = headers
            .get("client-request-id")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| Uuid::parse_str(v).ok())
            .unwrap_or_else(Uuid::new_v4);
        Trace {
            trace_id: Uuid::new_v4(),
            correlation_id,
            timestamp: entra_timestamp(OffsetDateTime::now_utc()),
        }
    }
}

/// `2023-06-07 08:06:56Z`, as in every error body and description.
pub fn entra_timestamp(t: OffsetDateTime) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]Z");
    t.format(&format).unwrap_or_default()
}

impl AadError {
    fn new(status: StatusCode, error: &'static str, code: u32, message: impl Into<String>) -> Self {
        AadError {
            status,
            error,
            code,
            message: message.into(),
        }
    }

    fn bad_request(error: &'static str, code: u32, message: impl Into<String>) -> Self {
        AadError::new(StatusCode::BAD_REQUEST, error, code, message)
    }

    /// `invalid_client` answers 401 (the live 7000215 body in
    /// OfficeDev/microsoft-365-agents-toolkit#8621 came with HTTP 401).
    fn invalid_client(code: u32, message: impl Into<String>) -> Self {
        AadError::new(StatusCode::UNAUTHORIZED, "invalid_client", code, message)
    }

    /// "AADSTSnnnn: message\r\nTrace ID: …\r\nCorrelation ID: …\r\nTimestamp: …"
    pub fn description(&self, trace: &Trace) -> String {
        format!(
            "AADSTS{}: {}\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {}",
            self.code, self.message, trace.trace_id, trace.correlation_id, trace.timestamp
        )
    }

    pub fn error_uri(&self) -> String {
        format!("https://login.microsoftonline.com/error?code={}", self.code)
    }

    /// `error_subcode` on authorize redirects: `cancel` for 65004. Derived
    /// from the code (not stored) so a `Failure` stays small.
    pub fn subcode(&self) -> Option<&'static str> {
        (self.code == 65004).then_some("cancel")
    }

    /// `suberror` in the token endpoint's body: live 65001 bodies carry
    /// `consent_required`, which MSAL clients read (docs/sandbox-fidelity.md §L2).
    pub fn suberror(&self) -> Option<&'static str> {
        (self.code == 65001).then_some("consent_required")
    }

    /// The token endpoint's JSON body; `suberror` only when Entra sends
    /// one (docs/microsoft.md §3: "sometimes `suberror` and `claims`").
    pub fn body(&self, trace: &Trace) -> Value {
        let mut body = json!({
            "error": self.error,
            "error_description": self.description(trace),
            "error_codes": [self.code],
            "timestamp": trace.timestamp,
            "trace_id": trace.trace_id,
            "correlation_id": trace.correlation_id,
            "error_uri": self.error_uri(),
        });
        if let Some(suberror) = self.suberror() {
            body["suberror"] = suberror.into();
        }
        body
    }

    pub fn into_json_response(self, headers: &HeaderMap) -> Response {
        let trace = Trace::new(headers);
        (self.status, Json(self.body(&trace))).into_response()
    }

    // ---- Tenants and apps -------------------------------------------------

    /// 90002 (docs/microsoft.md §3 table). `invalid_tenant` as live bodies show it
    /// (microsoftgraph/windowsupdates-webapplication-sample#6, 2023;
    /// james-gould/azure-keyvault-emulator#324, 2025); the MSAL fixture's
    /// `invalid_grant` comes from a unit test.
    pub fn tenant_not_found(tenant: &str) -> Self {
        AadError::bad_request(
            "invalid_tenant",
            90002,
            format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are \
                 signing into the correct cloud. Check with your subscription administrator, this may \
                 happen if there are no active subscriptions for the tenant."
            ),
        )
    }

    /// 700016 (docs/microsoft.md §3 table): unknown client ID, or an app not present in
    /// this tenant (single-tenant app elsewhere, or never consented here).
    pub fn app_not_found(client_id: &str, tenant_name: &str) -> Self {
        AadError::bad_request(
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory '{tenant_name}'. \
                 This can happen if the application has not been installed by the administrator of the \
                 tenant or consented to by any user in the tenant. You may have sent your authentication \
                 request to the wrong tenant."
            ),
        )
    }

    /// 7000229: client credentials for an app that has no service principal
    /// in the tenant, e.g. one made through Graph before `POST
    /// /servicePrincipals` (docs/microsoft.md §9; the live 401 body quoted
    /// in the Teams SDK's deployment guide, "Missing Service Principal in
    /// the Tenant").
    pub fn service_principal_missing(client_id: &str, tenant_id: &str) -> Self {
        AadError::invalid_client(
            7000229,
            format!(
                "The client application {client_id} is missing service principal in the tenant \
                 {tenant_id}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119"
            ),
        )
    }

    /// 50194 (docs/microsoft.md §3 table): a single-tenant app used with `/common`.
    pub fn single_tenant_app_on_common(client_id: &str, name: &str) -> Self {
        AadError::bad_request(
            "invalid_request",
            50194,
            format!(
                "Application '{client_id}'({name}) is not configured as a multi-tenant application. \
                 Usage of the /common endpoint is not supported for such applications created after \
                 '10/15/2018'. Use a tenant-specific endpoint or configure the application to be \
                 multi-tenant."
            ),
        )
    }

    /// 9001023: Microsoft's error table now gives this text to 9001023; the
    /// older 90010 is what an MSAL fixture still shows
    /// (docs/sandbox-fidelity.md §L3; docs/microsoft.md §3, the tenant segment).
    pub fn grant_not_supported_on_common() -> Self {
        AadError::bad_request(
            "invalid_request",
            9001023,
            "The grant type is not supported over the /common or /consumers endpoints. Please use the \
             /organizations or tenant-specific endpoint.",
        )
    }

    // ---- Redirect URIs (docs/microsoft.md §1) ----------------------------------------

    /// 50011: the redirect URI is not registered (docs/microsoft.md §1, §3 table).
    pub fn redirect_uri_mismatch(redirect_uri: &str, client_id: &str) -> Self {
        AadError::bad_request(
            "invalid_request",
            50011,
            format!(
                "The redirect URI '{redirect_uri}' specified in the request does not match the redirect \
                 URIs configured for the application '{client_id}'. Make sure the redirect URI sent in \
                 the request matches one added to your application in the Azure portal. Navigate to \
                 https://aka.ms/redirectUriMismatchError to learn more about how to fix this."
            ),
        )
    }

    /// 500113 (docs/microsoft.md §3 table): the app has no redirect URI at all.
    pub fn no_reply_address_registered() -> Self {
        AadError::bad_request(
            "invalid_request",
            500113,
            "No reply address is registered for the application.",
        )
    }

    /// 900971 (docs/microsoft.md §3 table).
    pub fn no_reply_address_provided() -> Self {
        AadError::bad_request("invalid_request", 900971, "No reply address provided.")
    }

    /// At /token the redirect_uri must be the one used at /authorize
    /// (docs/microsoft.md §1). ⚠ code number from community reports.
    pub fn redirect_uri_differs(sent: &str, at_authorize: &str) -> Self {
        AadError::bad_request(
            "invalid_grant",
            500112,
            format!(
                "The reply address '{sent}' does not match the reply address '{at_authorize}' provided \
                 when requesting Authorization code."
            ),
        )
    }

    // ---- Client authentication (docs/microsoft.md §2) --------------------------------

    /// 7000215, with the live wording that points at Value vs Secret ID
    /// (docs/microsoft.md §3 table; OfficeDev/microsoft-365-agents-toolkit#8621).
    pub fn invalid_secret(client_id: &str) -> Self {
        AadError::invalid_client(
            7000215,
            format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the \
                 client secret value, not the client secret ID, for a secret added to app '{client_id}'."
            ),
        )
    }

    /// 7000222 (docs/microsoft.md §3 table).
    pub fn secret_expired(client_id: &str) -> Self {
        AadError::invalid_client(
            7000222,
            format!(
                "The provided client secret keys for app '{client_id}' are expired. Visit the Azure portal \
                 to create new keys for your app: https://aka.ms/NewClientSecret, or consider using \
                 certificate credentials for added security: https://aka.ms/certCreds"
            ),
        )
    }

    /// 700025 (docs/microsoft.md §2).
    pub fn public_client_sent_secret() -> Self {
        AadError::invalid_client(
            700025,
            "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
        )
    }

    /// 7000216: client credentials with no credential at all, as live
    /// reports show it (docs/sandbox-fidelity.md §L3; `MicrosoftDocs/azure-docs#30777`,
    /// docs/microsoft.md §3 second table). ⚠ The captures give only the code
    /// and text; `invalid_client` (401) is assumed from its sibling 7000218.
    pub fn client_credentials_secret_missing() -> Self {
        AadError::invalid_client(
            7000216,
            "'client_assertion', 'client_secret' or 'request' is required for the \
             'client_credentials' grant type.",
        )
    }

    /// 7000218 (docs/microsoft.md §2; fixture msal-dotnet_token_error_AADSTS7000218_invalid_client.json).
    pub fn secret_missing() -> Self {
        AadError::invalid_client(
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        )
    }

    /// 9002327 (docs/microsoft.md §2): SPA redirect URI, redeemed without `Origin`.
    pub fn spa_needs_cross_origin() -> Self {
        AadError::bad_request(
            "invalid_request",
            9002327,
            "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via \
             cross-origin requests.",
        )
    }

    /// 9002325: an SPA must use PKCE (companion of 9002327, docs/microsoft.md §2 ⚠).
    /// Its text is about redemption, so the token endpoint answers it
    /// (docs/sandbox-fidelity.md §L3).
    pub fn spa_needs_pkce() -> Self {
        AadError::bad_request(
            "invalid_request",
            9002325,
            "Proof Key for Code Exchange is required for cross-origin authorization code redemption.",
        )
    }

    // ---- Scopes and resources --------------------------------------------

    /// 70011 (docs/microsoft.md §3 table).
    pub fn invalid_scope(scope: &str) -> Self {
        AadError::bad_request(
            "invalid_scope",
            70011,
            format!(
                "The provided value for the input parameter 'scope' is not valid. The scope '{scope}' is \
                 not valid."
            ),
        )
    }

    /// 1002012: client credentials take only `<resource>/.default`
    /// (docs/microsoft.md §5: "token scope …/.default (both delegated and S2S)").
    pub fn client_credentials_need_default(scope: &str) -> Self {
        AadError::bad_request(
            "invalid_scope",
            1002012,
            format!(
                "The provided value for scope {scope} is not valid. Client credential flows must have a \
                 scope value with /.default suffixed to the resource identifier (application ID URI)."
            ),
        )
    }

    /// 700022 (docs/microsoft.md §3 table): one resource per token request.
    pub fn more_than_one_resource(scope: &str) -> Self {
        AadError::bad_request(
            "invalid_scope",
            700022,
            format!(
                "The provided value for the input parameter scope is not valid because it contains more \
                 than one resource. Scope {scope} is not valid."
            ),
        )
    }

    /// 500011 (fixture msal-dotnet_token_error_AADSTS500011_invalid_resource.json).
    pub fn resource_not_found(resource: &str, tenant_name: &str) -> Self {
        AadError::bad_request(
            "invalid_resource",
            500011,
            format!(
                "The resource principal named {resource} was not found in the tenant named {tenant_name}. \
                 This can happen if the application has not been installed by the administrator of the \
                 tenant or consented to by any user in the tenant. You might have sent your \
                 authentication request to the wrong tenant."
            ),
        )
    }

    /// 650057 (docs/microsoft.md §3 table): `.default` for a resource the registration
    /// does not list under API permissions.
    pub fn resource_not_in_registration(
        client_id: &str,
        name: &str,
        resource: &str,
        resource_app_id: &str,
    ) -> Self {
        AadError::bad_request(
            "invalid_client",
            650057,
            format!(
                "Invalid resource. The client has requested access to a resource which is not listed in \
                 the requested permissions in the client's application registration. Client app ID: \
                 {client_id}({name}). Resource value from request: {resource}. Resource app ID: \
                 {resource_app_id}."
            ),
        )
    }

    // ---- Consent (docs/microsoft.md §3 table, §4) ------------------------------------

    /// 65001: a non-interactive request for permissions nobody consented to
    /// (its body carries a `suberror`, see `suberror`).
    pub fn consent_missing(client_id: &str, name: &str) -> Self {
        AadError::bad_request(
            "invalid_grant",
            65001,
            format!(
                "The user or administrator has not consented to use the application with ID \
                 '{client_id}' named '{name}'. Send an interactive authorization request for this user \
                 and resource."
            ),
        )
    }

    /// 65004: the user pressed Cancel on the consent page.
    pub fn user_declined() -> Self {
        AadError::bad_request(
            "access_denied",
            65004,
            "User declined to consent to access the app.",
        )
    }

    /// 50058: `prompt=none` with no signed-in session (the sandbox keeps none).
    pub fn login_required() -> Self {
        AadError::bad_request(
            "login_required",
            50058,
            "A silent sign-in request was sent but no user is signed in.",
        )
    }

    // ---- Codes, PKCE and refresh tokens ----------------------------------

    /// 50148: a code bound to a PKCE challenge, redeemed without a verifier
    /// (text as in AzureAD/microsoft-authentication-library-for-js#5044,
    /// seen when no verifier was sent: pennersr/django-allauth#2916).
    pub fn code_verifier_missing() -> Self {
        AadError::bad_request(
            "invalid_grant",
            50148,
            "The code_verifier does not match the code_challenge supplied in the authorization request \
             for PKCE.",
        )
    }

    /// 501481: a verifier that does not hash to the challenge
    /// (AzureAD/microsoft-authentication-library-for-js#2694).
    pub fn code_verifier_mismatch() -> Self {
        AadError::bad_request(
            "invalid_grant",
            501481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
        )
    }

    /// 50149 (entra-docs reference-error-codes.md).
    pub fn invalid_challenge_method() -> Self {
        AadError::bad_request(
            "invalid_request",
            50149,
            "Invalid Code_Challenge_method parameter.",
        )
    }

    /// 54005 (docs/microsoft.md §3 table).
    pub fn code_already_redeemed() -> Self {
        AadError::bad_request(
            "invalid_grant",
            54005,
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an \
             existing refresh token.",
        )
    }

    /// 70008 (docs/microsoft.md §3 table; fixture msal-dotnet_token_error_AADSTS70002_70008_invalid_grant.json).
    pub fn code_expired() -> Self {
        AadError::bad_request(
            "invalid_grant",
            70008,
            "The provided authorization code or refresh token has expired due to inactivity. Send a new \
             interactive authorization request for this user and resource.",
        )
    }

    /// 700082 ExpiredOrRevokedGrantInactiveToken, for a refresh token unused
    /// for longer than its inactive lifetime (*Entra* `reference-error-codes.md`;
    /// docs/sandbox-fidelity.md §L3). 70008 stays for expired codes.
    pub fn refresh_token_expired(issued: OffsetDateTime, inactive_seconds: u64) -> Self {
        let d = inactive_seconds;
        AadError::bad_request(
            "invalid_grant",
            700082,
            format!(
                "The refresh token has expired due to inactivity. The token was issued on {} and was \
                 inactive for {}.{:02}:{:02}:{:02}.",
                issued
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default(),
                d / 86400,
                d % 86400 / 3600,
                d % 3600 / 60,
                d % 60
            ),
        )
    }

    /// 70000: a code or refresh token the sandbox never issued, or issued to
    /// another client or tenant.
    pub fn invalid_grant() -> Self {
        AadError::bad_request(
            "invalid_grant",
            70000,
            "Provided grant is invalid or malformed.",
        )
    }

    /// 700005 InvalidGrantRedeemAgainstWrongTenant: a code issued in one
    /// tenant redeemed at another's address (*Entra* `reference-error-codes.md`;
    /// docs/sandbox-fidelity.md §L3).
    pub fn code_for_another_tenant() -> Self {
        AadError::bad_request(
            "invalid_grant",
            700005,
            "Provided Authorization Code is intended to use against other tenant, thus rejected.",
        )
    }

    // ---- Availability ----------------------------------------------------

    /// 503 `temporarily_unavailable` ("The server is temporarily too busy
    /// to handle the request", v2-oauth2-auth-code-flow.md error table) with
    /// 90006 ExternalServerRetryableError, "The service is temporarily
    /// unavailable." (reference-error-codes.md). ⚠ The pairing with HTTP 503
    /// is inferred: MSAL only says Entra "may respond with an HTTP 5xx"
    /// (microsoft-authentication-library-for-dotnet wiki, Client Throttling).
    pub fn temporarily_unavailable() -> Self {
        AadError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            90006,
            "The service is temporarily unavailable.",
        )
    }

    // ---- Request shape ----------------------------------------------------

    /// 900144 (docs/microsoft.md §3 table).
    pub fn missing_parameter(name: &str) -> Self {
        AadError::bad_request(
            "invalid_request",
            900144,
            format!("The request body must contain the following parameter: '{name}'."),
        )
    }

    /// 70003.
    pub fn unsupported_grant_type(grant: &str) -> Self {
        AadError::bad_request(
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{grant}'."),
        )
    }

    /// 70005 (reference-error-codes.md: UnsupportedResponseType).
    pub fn unsupported_response_type(response_type: &str) -> Self {
        AadError::bad_request(
            "unsupported_response_type",
            70005,
            format!("response_type '{response_type}' is not enabled for the application."),
        )
    }

    /// 50089: the sign-in page's flow token is unknown or too old.
    pub fn flow_expired() -> Self {
        AadError::bad_request(
            "invalid_request",
            50089,
            "Flow token expired - Authentication Failed. Have the user try signing-in again.",
        )
    }

    /// Only an administrator may grant tenant-wide consent (docs/microsoft.md §4).
    pub fn admin_required(client_id: &str, name: &str) -> Self {
        AadError::bad_request(
            "access_denied",
            90094,
            format!(
                "The grant requires admin permission. '{name}' ({client_id}) needs permission to access \
                 resources in your organization that only an admin can grant."
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_has_the_fixture_keys_and_a_crlf_description() {
        let trace = Trace::new(&HeaderMap::new());
        let body = AadError::tenant_not_found("x").body(&trace);
        let description = body["error_description"].as_str().unwrap();
        assert!(description.starts_with("AADSTS90002: Tenant 'x' not found."));
        assert!(description.contains("\r\nTrace ID: "));
        assert!(description.contains("\r\nCorrelation ID: "));
        assert!(description.contains("\r\nTimestamp: "));
        assert_eq!(body["error_codes"][0], 90002);
        assert_eq!(
            body["error_uri"],
            "https://login.microsoftonline.com/error?code=90002"
        );
    }

    #[test]
    fn echoes_a_client_request_id_as_correlation_id() {
        let mut headers = HeaderMap::new();
        let id = "6347d33d-941a-4c35-9912-a9cf54fb1b3e";
        headers.insert("client-request-id", id.parse().unwrap());
        assert_eq!(Trace::new(&headers).correlation_id.to_string(), id);
    }

    #[test]
    fn timestamps_look_like_entras() {
        let t = time::macros::datetime!(2023-06-07 08:06:56 UTC);
        assert_eq!(entra_timestamp(t), "2023-06-07 08:06:56Z");
    }
}
