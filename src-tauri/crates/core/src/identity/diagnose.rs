//! Entra's error bodies, explained: what happened in plain words and what to
//! change, with Entra's own text kept for the "Details" disclosure.
//!
//! Codes and meanings: docs/microsoft.md §3 ("AADSTS table"). Entra's docs
//! say to react on `error`, not to parse `error_description`; the AADSTS
//! code comes from `error_codes`, and only the explanation depends on it.

use serde::{Deserialize, Serialize};

use crate::problem::{ErrorKind, Setting, UserError};

/// The JSON body of an Entra token-endpoint error (docs/microsoft.md §3;
/// fixtures/entra/msal-dotnet_token_error_*.json).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntraError {
    pub error: String,
    #[serde(default)]
    pub error_description: String,
    #[serde(default)]
    pub error_codes: Vec<u64>,
    #[serde(default)]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub trace_id: Option<String>,
    #[serde(default)]
    pub correlation_id: Option<String>,
    #[serde(default)]
    pub error_uri: Option<String>,
}

impl EntraError {
    /// Parses a token-endpoint error body; `None` if it is not one.
    pub fn from_json(body: &str) -> Option<Self> {
        serde_json::from_str::<Self>(body)
            .ok()
            .filter(|e| !e.error.is_empty())
    }

    /// From the `error` / `error_description` pair of an authorize or admin
    /// consent redirect; the code is read from the description's
    /// `AADSTSnnnn:` prefix since redirects carry no `error_codes`.
    pub fn from_redirect(error: &str, description: Option<&str>) -> Self {
        let description = description.unwrap_or_default().to_string();
        let code = description
            .strip_prefix("AADSTS")
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|digits| digits.parse().ok());
        Self {
            error: error.to_string(),
            error_description: description,
            error_codes: code.into_iter().collect(),
            ..Self::default()
        }
    }

    pub fn code(&self) -> Option<u64> {
        self.error_codes.first().copied()
    }

    /// Whether the stored sign-in is gone for good and only a new
    /// interactive sign-in helps (docs/microsoft.md §3: `invalid_grant`,
    /// AADSTS70043 refresh token expired by policy, 700082 expired by
    /// inactivity).
    pub fn needs_new_sign_in(&self) -> bool {
        self.error == "invalid_grant"
            || self
                .error_codes
                .iter()
                .any(|code| matches!(code, 70043 | 700082 | 70008 | 50173))
    }
}

impl std::fmt::Display for EntraError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error, self.error_description)
    }
}

/// Lets the oauth2 crate parse Entra's full error body (with `error_codes`,
/// `trace_id` …) instead of the three RFC 6749 fields.
impl oauth2::ErrorResponse for EntraError {}

/// How a background service gets admin consent: it has no redirect URI
/// for Entra's consent page to answer to (AADSTS500113, docs/microsoft.md
/// §3 table; docs/sandbox-fidelity.md §G1), so an administrator grants it
/// on the app's API permissions page.
pub const GRANT_IN_ADMIN_CENTER: &str = "An administrator (Global or Cloud Application Administrator) opens the Microsoft Entra admin center › App registrations › your app › API permissions and clicks 'Grant admin consent for' followed by the organization's name.";

struct Row {
    codes: &'static [u64],
    kind: ErrorKind,
    message: &'static str,
    fix: &'static str,
}

/// One row per line of the AADSTS table in docs/microsoft.md §3.
const TABLE: &[Row] = &[
    Row { codes: &[50011], kind: ErrorKind::RedirectUriMismatch,
        message: "Microsoft refused to send you back to D365 Connect: the app registration does not list this redirect URI.",
        fix: "In the Entra admin center open the app › Authentication and add the redirect URI exactly as shown here (same scheme, host, path and letter case), under the right platform: 'Mobile and desktop applications' for sign-in without a secret, 'Web' if you use a secret." },
    Row { codes: &[500113], kind: ErrorKind::RedirectUriMismatch,
        message: "The app registration has no redirect URI at all.",
        fix: "In the Entra admin center open the app › Authentication › Add a platform, and add the redirect URI shown here. A background service needs none: grant its consent on the app's API permissions page instead ('Grant admin consent for' followed by the organization's name)." },
    Row { codes: &[900971], kind: ErrorKind::RedirectUriMismatch,
        message: "The sign-in request did not say where to send you back.",
        fix: "Start the sign-in again from D365 Connect. If it keeps happening, copy the details for support." },
    Row { codes: &[700016], kind: ErrorKind::AppNotFound,
        message: "Microsoft Entra does not know this client ID in this tenant.",
        fix: "Check the Application (client) ID and the tenant on the app's Overview page. If the app was registered in another tenant, make it multitenant ('Accounts in any organizational directory') or register it in this tenant." },
    Row { codes: &[700025], kind: ErrorKind::PublicClientWithSecret,
        message: "The app is registered for sign-in without a secret (a public client), but a client secret was sent.",
        fix: "Clear the client secret in D365 Connect, or register the redirect URI under the 'Web' platform if your company requires a secret." },
    Row { codes: &[7000218], kind: ErrorKind::SecretRequired,
        message: "The app is registered as a web (confidential) app, so Microsoft needs a client secret, and none was sent.",
        fix: "Enter the client secret's Value, or move the redirect URI to the 'Mobile and desktop applications' platform to sign in without a secret." },
    // Client credentials with no credential at all: live reports give 7000216,
    // not 7000218 (docs/microsoft.md §3 second table; docs/sandbox-fidelity.md §L3).
    Row { codes: &[7000216], kind: ErrorKind::SecretRequired,
        message: "Microsoft needs a client secret to connect as a background service, and none was sent.",
        fix: "Enter the client secret's Value (Certificates & secrets; the Value is shown only right after you create it)." },
    Row { codes: &[7000215], kind: ErrorKind::InvalidSecret,
        message: "Microsoft rejected the client secret.",
        fix: "In Certificates & secrets copy the secret's Value (not the Secret ID). The Value is shown only right after you create it: if it is hidden now, create a new secret and paste its Value." },
    Row { codes: &[7000222], kind: ErrorKind::SecretExpired,
        message: "The client secret has expired.",
        fix: "In the Entra admin center open the app › Certificates & secrets › New client secret, then paste the new Value here." },
    Row { codes: &[65001], kind: ErrorKind::ConsentRequired,
        message: "Nobody has agreed (consented) yet to let this app use these permissions.",
        fix: "Sign in and accept the permissions, or ask an administrator to grant admin consent: D365 Connect can open the admin consent page for you." },
    Row { codes: &[65004], kind: ErrorKind::ConsentDeclined,
        message: "The permissions were declined on the consent page.",
        fix: "Start again and choose Accept. If you may not accept, ask an administrator to grant admin consent for the organization." },
    Row { codes: &[90094, 90095], kind: ErrorKind::ConsentRequired,
        message: "Your organization lets only administrators approve these permissions.",
        fix: "An administrator (Global or Cloud Application Administrator) must grant consent for the organization; D365 Connect can open the admin consent page for them. Then sign in again." },
    Row { codes: &[650057], kind: ErrorKind::PermissionMissing,
        message: "The app registration does not ask for permission to use this Dynamics 365 product.",
        fix: "In the Entra admin center open the app › API permissions › Add a permission and add the product's API (for example 'Dynamics 365 Business Central' or 'Dynamics CRM'), then grant consent." },
    Row { codes: &[650056, 65005], kind: ErrorKind::PermissionMissing,
        message: "A permission this connection needs is not listed on the app registration, or not consented.",
        fix: "Add the permission under API permissions, then grant admin consent." },
    Row { codes: &[500011], kind: ErrorKind::ResourceNotInTenant,
        message: "This Dynamics 365 product was not found in the tenant.",
        fix: "Check the tenant (is the product set up in this one?) and that the product's address is typed correctly." },
    Row { codes: &[70011], kind: ErrorKind::InvalidScope,
        message: "Microsoft did not accept the permissions (scopes) that were asked for.",
        fix: "Keep the product's default permissions; each sign-in may ask for one product only." },
    Row { codes: &[700022], kind: ErrorKind::InvalidScope,
        message: "Permissions for more than one product were asked for in one go.",
        fix: "Ask for one product's permissions per sign-in (D365 Connect does this for you when you keep the defaults)." },
    Row { codes: &[90002], kind: ErrorKind::TenantNotFound,
        message: "Microsoft Entra does not know this tenant.",
        fix: "Check the tenant ID or domain for typos, and that you picked the right cloud (Public, US Government or China)." },
    Row { codes: &[90023, 9002313, 900144], kind: ErrorKind::InvalidRequest,
        message: "Microsoft said the sign-in request was incomplete or malformed.",
        fix: "Start again. If it keeps happening, copy the details and send them to support." },
    Row { codes: &[50194], kind: ErrorKind::TenantRequired,
        message: "The app is registered for one organization only, so the sign-in must name that tenant.",
        fix: "Enter your tenant ID or domain instead of 'common', or make the app multitenant." },
    Row { codes: &[90010, 9001023, 90130], kind: ErrorKind::TenantRequired,
        message: "This kind of sign-in is not supported on a shared sign-in address.",
        fix: "Enter your tenant ID or domain." },
    Row { codes: &[50020], kind: ErrorKind::UserNotInTenant,
        message: "The signed-in account does not belong to this tenant.",
        fix: "Sign in with an account of this organization, or ask an administrator to invite yours as a guest." },
    Row { codes: &[50034], kind: ErrorKind::UserNotInTenant,
        message: "That user account does not exist in this tenant.",
        fix: "Check the account name for typos and that it belongs to this tenant." },
    Row { codes: &[50076, 50079], kind: ErrorKind::MfaRequired,
        message: "Your organization requires multi-factor authentication for this sign-in.",
        fix: "Sign in interactively and complete the extra verification; register an MFA method first if you have none." },
    Row { codes: &[53003], kind: ErrorKind::BlockedByPolicy,
        message: "A Conditional Access policy of your organization blocked this sign-in.",
        fix: "Ask your administrator to review the Conditional Access policies for this app, user and device." },
    Row { codes: &[50105], kind: ErrorKind::UserNotAssigned,
        message: "Your account is not assigned to this app, and the app requires assignment.",
        fix: "Ask an administrator to assign you (or your group) in Enterprise applications › the app › Users and groups." },
    Row { codes: &[50148, 501481], kind: ErrorKind::InvalidRequest,
        message: "The sign-in could not be completed: the security check (PKCE) did not match.",
        fix: "Start the sign-in again from D365 Connect." },
    Row { codes: &[54005], kind: ErrorKind::InvalidRequest,
        message: "The sign-in code was already used.",
        fix: "Start the sign-in again; each code works once." },
    Row { codes: &[70008, 700082, 50173, 70043], kind: ErrorKind::SignInExpired,
        message: "Your sign-in has expired or was revoked.",
        fix: "Sign in again." },
    Row { codes: &[65002], kind: ErrorKind::FirstPartyAppId,
        message: "A Microsoft-owned app ID cannot be used to connect to this product.",
        fix: "Register your own app in the Entra admin center and use its client ID." },
    Row { codes: &[9002326, 9002327], kind: ErrorKind::SpaRedirectType,
        message: "The redirect URI is registered as a 'Single-page application', which a desktop app cannot use.",
        fix: "In Authentication, remove the URI from 'Single-page application' and add it under 'Mobile and desktop applications' (or 'Web' with a secret)." },
];

/// Explains an Entra error for a person. Unknown codes fall back on the
/// `error` value, which Entra documents as the stable part.
pub fn diagnose(e: &EntraError) -> UserError {
    let row = e
        .error_codes
        .iter()
        .find_map(|code| TABLE.iter().find(|r| r.codes.contains(code)));
    let user_error = match row {
        Some(r) => UserError::new(r.kind, r.message, r.fix),
        None => by_error_value(&e.error),
    };
    let user_error = match setting_of(user_error.kind) {
        Some(setting) => user_error.at(setting),
        None => user_error,
    };
    user_error.with_details(details(e))
}

/// The connection setting an Entra refusal asks to change, if any.
fn setting_of(kind: ErrorKind) -> Option<Setting> {
    match kind {
        ErrorKind::TenantNotFound | ErrorKind::TenantRequired => Some(Setting::Tenant),
        ErrorKind::InvalidSecret | ErrorKind::SecretExpired | ErrorKind::SecretRequired => {
            Some(Setting::Secret)
        }
        ErrorKind::InvalidScope => Some(Setting::Permissions),
        _ => None,
    }
}

fn by_error_value(error: &str) -> UserError {
    match error {
        "access_denied" => UserError::new(
            ErrorKind::ConsentDeclined,
            "The sign-in was cancelled or the permissions were declined.",
            "Start again and accept the permissions, or ask an administrator to grant admin consent.",
        ),
        "consent_required" | "interaction_required" | "login_required" => UserError::new(
            ErrorKind::ConsentRequired,
            "Microsoft needs you to sign in or accept permissions again.",
            "Start the sign-in again.",
        ),
        "invalid_client" => UserError::new(
            ErrorKind::InvalidSecret,
            "Microsoft did not accept the app's credentials.",
            "Check the client ID and the client secret's Value.",
        ),
        "invalid_grant" => UserError::new(ErrorKind::SignInExpired, "Your sign-in is no longer valid.", "Sign in again."),
        "invalid_scope" => UserError::new(
            ErrorKind::InvalidScope,
            "Microsoft did not accept the permissions that were asked for.",
            "Keep the product's default permissions.",
        ),
        "temporarily_unavailable" | "server_error" => UserError::new(
            ErrorKind::ServiceUnavailable,
            "Microsoft's sign-in service is having trouble right now.",
            "Wait a minute and try again.",
        ),
        _ => UserError::new(
            ErrorKind::SignInFailed,
            "Microsoft refused the sign-in.",
            "Read the details below; copy them for your administrator if the fix is not clear.",
        ),
    }
}

/// Entra's own words for the Details disclosure, with the IDs support asks for.
fn details(e: &EntraError) -> String {
    let mut out = format!("{}: {}", e.error, e.error_description.trim());
    for (label, value) in [
        ("Trace ID", &e.trace_id),
        ("Correlation ID", &e.correlation_id),
        ("Timestamp", &e.timestamp),
        ("More", &e.error_uri),
    ] {
        if let Some(v) = value {
            if !out.contains(v.as_str()) {
                out.push_str(&format!("\n{label}: {v}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_of_the_facts_table_has_a_plain_explanation() {
        let codes = [
            50011, 500113, 900971, 700016, 700025, 7000218, 7000215, 7000222, 65001, 65004, 90094,
            90095, 650057, 650056, 65005, 500011, 70011, 700022, 90002, 90023, 9002313, 900144,
            50194, 90010, 9001023, 90130, 50020, 50034, 50076, 50079, 53003, 50105, 50148, 501481,
            54005, 70008, 700082, 50173, 65002, 9002326, 9002327,
        ];
        for code in codes {
            let e = EntraError {
                error: "invalid_request".into(),
                error_description: format!("AADSTS{code}: something"),
                error_codes: vec![code],
                ..EntraError::default()
            };
            let d = diagnose(&e);
            assert_ne!(d.kind, ErrorKind::SignInFailed, "code {code} fell through");
            assert!(
                !d.message.contains("AADSTS") && !d.fix.is_empty(),
                "code {code}"
            );
            assert!(d
                .details
                .as_deref()
                .is_some_and(|x| x.contains(&format!("AADSTS{code}"))));
        }
    }

    #[test]
    fn real_invalid_client_body_maps_to_secret_required() {
        let e = EntraError::from_json(&d365_fixtures::text(
            "entra/msal-dotnet_token_error_AADSTS7000218_invalid_client.json",
        ))
        .unwrap();
        assert_eq!(e.code(), Some(7000218));
        let d = diagnose(&e);
        assert_eq!(d.kind, ErrorKind::SecretRequired);
        let details = d.details.unwrap();
        assert!(details.starts_with("invalid_client: AADSTS7000218"));
        assert!(details.contains("3d483b09-1198-4acb-929f-c648674e32bd"));
    }

    #[test]
    fn real_tenant_not_found_and_invalid_resource_bodies() {
        let d = diagnose(
            &EntraError::from_json(&d365_fixtures::text(
                "entra/msal-dotnet_token_error_AADSTS90002_tenant_not_found.json",
            ))
            .unwrap(),
        );
        assert_eq!(d.kind, ErrorKind::TenantNotFound);
        let d = diagnose(
            &EntraError::from_json(&d365_fixtures::text(
                "entra/msal-dotnet_token_error_AADSTS500011_invalid_resource.json",
            ))
            .unwrap(),
        );
        assert_eq!(d.kind, ErrorKind::ResourceNotInTenant);
    }

    #[test]
    fn redirect_errors_read_the_code_from_the_description() {
        let e = EntraError::from_redirect(
            "consent_required",
            Some("AADSTS65004: User declined to consent to access the app.\r\nTrace ID: x"),
        );
        assert_eq!(e.code(), Some(65004));
        assert_eq!(diagnose(&e).kind, ErrorKind::ConsentDeclined);
        let e = EntraError::from_redirect("access_denied", None);
        assert_eq!(diagnose(&e).kind, ErrorKind::ConsentDeclined);
    }

    #[test]
    fn not_an_entra_body() {
        assert!(EntraError::from_json("<html>502</html>").is_none());
        assert!(EntraError::from_json("{\"error\":\"\"}").is_none());
        assert_eq!(
            diagnose(&EntraError {
                error: "weird".into(),
                ..EntraError::default()
            })
            .kind,
            ErrorKind::SignInFailed
        );
    }
}
