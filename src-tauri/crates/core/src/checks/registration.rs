//! Checks of the app registration in Microsoft Entra: tenant, client ID,
//! secret, redirect URI, consent and the token it yields.

use crate::checks::{Found, Status};
use crate::connection::Connection;
use crate::identity::authorize_probe::{self, ProbeAnswer};
use crate::identity::diagnose::diagnose;
use crate::identity::scopes::{permissions_for, request_scopes, Access};
use crate::identity::verdict::TokenInfo;
use crate::identity::{input, tenant};
use crate::problem::{ErrorKind, Explain, Setting, UserError};
use crate::product::Product;
use crate::profiles::{Grant, Profile};
use crate::secret_expiry::{replace_secret_fix, ExpiryState, SecretCredential, WARNING_DAYS};
use crate::secrets::Secret;
use time::OffsetDateTime;

/// Entra's OpenID discovery document names the tenant without any
/// credentials.
pub async fn tenant(connection: &Connection) -> Found {
    let profile = connection.profile();
    match tenant::tenant_id(connection.http(), &profile.cloud, &profile.tenant).await {
        Ok(id) => Found::pass(format!("Microsoft Entra knows it as {id}.")),
        Err(e) => Found::fail(e.explain()),
    }
}

/// A GUID, and not one of the other GUIDs the Entra admin center shows
/// nearby: the tenant's (Directory ID) or the product's own application ID
/// (on the API permissions page).
pub fn client_id(profile: &Profile) -> Found {
    let id = match input::client_id(&profile.client_id) {
        Ok(checked) => checked.value,
        Err(e) => return Found::fail(e.explain()),
    };
    let fail = |message: String| {
        Found::fail(UserError::new(
            ErrorKind::InvalidInput,
            message,
            "In the Microsoft Entra admin center open App registrations › your app › Overview and copy 'Application (client) ID'.",
        ))
    };
    if id.eq_ignore_ascii_case(&profile.tenant) {
        return fail(format!(
            "The client ID {id} is the tenant's Directory (tenant) ID, not the app's."
        ));
    }
    if let Some(product) = Product::ALL
        .into_iter()
        .find(|p| p.entra_api().1.eq_ignore_ascii_case(&id))
    {
        return fail(format!(
            "The client ID {id} is Microsoft's own ID of {} ('{}'), not your app's.",
            product.display_name(),
            product.entra_api().0
        ));
    }
    Found::pass(format!("{id} is a well-formed application ID."))
}

/// The Value of a client secret, not its Secret ID (the most common
/// mistake, AADSTS7000215) and of the length Entra makes them (16–64
/// characters, Graph addPassword; docs/microsoft.md §9).
pub fn secret_shape(secret: Option<&Secret>) -> Found {
    let Some(secret) = secret else {
        return Found::fail(
            UserError::new(
                ErrorKind::SecretNotFound,
                "This connection has no client secret.",
                "Enter the client secret's Value for this connection.",
            )
            .at(Setting::Secret),
        );
    };
    if let Err(e) = input::client_secret(secret.expose()) {
        return Found::fail(e.explain());
    }
    let length = secret.expose().chars().count();
    if !(16..=64).contains(&length) {
        return Found::warn(
            format!("The secret is {length} characters long; Microsoft Entra makes secrets of 16 to 64."),
            "Check that you copied the whole Value from Certificates & secrets.",
        );
    }
    Found::pass(format!(
        "It looks like a secret Value ({length} characters), not a Secret ID."
    ))
}

/// The secret's expiry date as saved with the connection, on the day of
/// `now` (`secret_expiry` holds the rule): a warning from `WARNING_DAYS`
/// days before, a failure once it has passed.
pub fn secret_expiry(credential: Option<&SecretCredential>, now: OffsetDateTime) -> Found {
    let Some(credential) = credential else {
        return Found {
            status: Status::Skip,
            detail: "D365 Connect does not know when this secret expires.".into(),
            fix: Some(format!(
                "Save the secret's Expires date (under Certificates & secrets) with this connection, to be warned {WARNING_DAYS} days before it stops working."
            )),
            details: None,
            setting: Some(Setting::SecretExpiry),
        };
    };
    let expiry = credential.expiry(now);
    let detail = format!("The client secret {}.", expiry.describe());
    match expiry.state {
        ExpiryState::Fine => Found::pass(detail),
        ExpiryState::ExpiringSoon => {
            Found::warn(detail, replace_secret_fix(&expiry)).at(Setting::Secret)
        }
        ExpiryState::Expired => Found::fail(
            UserError::new(
                ErrorKind::SecretExpired,
                detail,
                replace_secret_fix(&expiry),
            )
            .at(Setting::Secret),
        ),
    }
}

/// Asks Entra for an app-only token: that proves the app exists in the
/// tenant and the secret is valid and unexpired, whatever grant the
/// connection uses. (A public client has no secret to prove; the
/// redirect-URI check finds a missing app for it.)
pub async fn app_and_secret(connection: &Connection) -> Found {
    let profile = connection.profile();
    let probe = async {
        let resource = connection.resource()?;
        let scopes = request_scopes(profile.product, Grant::ClientCredentials, &resource, &[])?;
        connection.entra()?.client_credentials(&scopes).await?;
        Ok::<_, crate::connection::ConnectError>(())
    };
    match probe.await {
        Ok(()) => Found::pass(format!(
            "Microsoft Entra accepted the app {} and its secret.",
            profile.client_id
        )),
        Err(e) => Found::fail(e.explain()),
    }
}

/// An anonymous look at the sign-in Entra would start for this app and
/// the loopback redirect URI D365 Connect uses.
pub async fn redirect_uri(connection: &Connection) -> Found {
    let probe = async {
        let resource = connection.sign_in_resource()?;
        let scopes = connection.scopes_for(&resource)?;
        let request = connection.entra()?.authorize(
            &scopes,
            &crate::identity::loopback::redirect_uri(PROBE_PORT),
        )?;
        Ok::<_, crate::connection::ConnectError>(
            authorize_probe::probe(connection.http(), &request.url).await?,
        )
    };
    match probe.await {
        Ok(ProbeAnswer::Trusted) => Found::pass(
            "Microsoft Entra accepts http://localhost as this app's redirect URI and would show the sign-in page.",
        ),
        Ok(ProbeAnswer::Refused(error)) => Found::fail(diagnose(&error)),
        Err(e) => Found::fail(e.explain()),
    }
}

/// Any port: Entra ignores the port of a localhost redirect URI
/// (docs/microsoft.md §1), and nothing listens during the probe.
const PROBE_PORT: u16 = 53100;

/// Consent shows in the token: delegated permissions in `scp`, application
/// permissions in `roles`. Without a token, Entra's refusal may itself say
/// that consent is missing.
pub fn consent(profile: &Profile, token: Option<&Result<TokenInfo, UserError>>) -> Found {
    let product = profile.product.display_name();
    let claims = match token {
        Some(Ok(info)) => &info.claims,
        Some(Err(e))
            if matches!(
                e.kind,
                ErrorKind::ConsentRequired | ErrorKind::PermissionMissing
            ) =>
        {
            return Found::fail(e.clone())
        }
        _ => return Found::skip("There is no token to read the consent from."),
    };
    let (access, granted): (Access, Vec<&str>) = match profile.grant() {
        Grant::Delegated => (Access::Delegated, claims.scopes().collect()),
        Grant::ClientCredentials => (
            Access::Application,
            claims.roles.iter().map(String::as_str).collect(),
        ),
    };
    let known: Vec<&str> = permissions_for(profile.product, access)
        .map(|p| p.name)
        .collect();
    if known.is_empty() {
        return Found::skip(format!(
            "{product} has no application permissions to consent to; access is given inside {product}."
        ));
    }
    let consented: Vec<&str> = granted
        .iter()
        .copied()
        .filter(|g| known.contains(g))
        .collect();
    if !consented.is_empty() {
        return Found::pass(format!("Consented: {}.", consented.join(", ")));
    }
    let fix = match profile.grant() {
        Grant::ClientCredentials => format!(
            "List {product}'s application permission ({}) under the app's API permissions. {}",
            known.join(" or "),
            crate::identity::diagnose::GRANT_IN_ADMIN_CENTER
        ),
        Grant::Delegated => format!(
            "Add {product}'s delegated permission ({}) under API permissions, then sign in again and accept, or have an administrator grant consent for the organization.",
            known.join(" or ")
        ),
    };
    Found {
        status: Status::Fail,
        detail: format!("The token carries none of {product}'s permissions: nobody has consented to them for this app."),
        fix: Some(fix),
        details: None,
        setting: None,
    }
}

/// The token panel's verdict: audience, tenant, expiry, permissions.
pub fn verdict(info: &TokenInfo) -> Found {
    let judged = &info.verdict;
    let detail = std::iter::once(judged.summary.as_str())
        .chain(judged.notes.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ");
    if judged.usable {
        Found::pass(detail)
    } else {
        Found {
            status: Status::Fail,
            detail,
            fix: Some(judged.problems.join(" ")),
            details: None,
            setting: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    const NOW: OffsetDateTime = datetime!(2026-05-01 09:00 UTC);

    fn expiring(on: time::Date) -> Found {
        let credential = SecretCredential {
            key_id: None,
            hint: None,
            expires_on: on,
        };
        secret_expiry(Some(&credential), NOW)
    }

    #[test]
    fn a_secret_far_from_expiry_passes_with_its_date() {
        let found = expiring(date!(2026 - 12 - 31));
        assert_eq!(found.status, Status::Pass);
        assert_eq!(
            found.detail,
            "The client secret expires in 244 days (on 2026-12-31)."
        );
        assert_eq!(found.fix, None);
    }

    #[test]
    fn a_secret_expiring_within_thirty_days_warns_to_replace_it_before_the_date() {
        let found = expiring(date!(2026 - 05 - 11));
        assert_eq!(found.status, Status::Warn);
        assert_eq!(
            found.detail,
            "The client secret expires in 10 days (on 2026-05-11)."
        );
        let fix = found.fix.unwrap();
        assert!(
            fix.starts_with("Replace the secret before 2026-05-11"),
            "{fix}"
        );
        assert_eq!(found.setting, Some(Setting::Secret));
    }

    #[test]
    fn an_expired_secret_fails_with_the_same_action() {
        let found = expiring(date!(2026 - 04 - 30));
        assert_eq!(found.status, Status::Fail);
        assert_eq!(
            found.detail,
            "The client secret expired yesterday (2026-04-30)."
        );
        assert!(found.fix.unwrap().contains("New client secret"));
        assert_eq!(found.setting, Some(Setting::Secret));
    }

    #[test]
    fn an_unknown_expiry_is_skipped_saying_where_to_save_it() {
        let found = secret_expiry(None, NOW);
        assert_eq!(found.status, Status::Skip);
        assert!(found.fix.unwrap().contains("Expires date"));
        assert_eq!(found.setting, Some(Setting::SecretExpiry));
    }
}
