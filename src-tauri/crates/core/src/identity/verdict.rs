//! "This token can (or cannot) call <product> because …": the token panel's
//! and the checks' reading of a token's claims. Display only — the service
//! that receives the token is the one that verifies it.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use ts_rs::TS;

use crate::identity::claims::TokenClaims;
use crate::identity::scopes::{permissions_for, Access};
use crate::product::Product;
use crate::profiles::Grant;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TokenVerdict {
    pub usable: bool,
    /// One plain sentence.
    pub summary: String,
    /// Each problem found, with what to do about it.
    pub problems: Vec<String>,
    /// Things that are fine but worth knowing.
    pub notes: Vec<String>,
    /// None of the product's permissions is in the token: nobody consented
    /// to them, and an administrator's consent is the fix.
    pub missing_permissions: bool,
}

/// A token as the token panel and `d365c token` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TokenInfo {
    pub claims: TokenClaims,
    pub verdict: TokenVerdict,
}

/// What the token was meant for.
pub struct Expected<'a> {
    pub product: Product,
    pub grant: Grant,
    /// The resource (audience) the data calls need.
    pub resource: &'a str,
    /// The tenant as the profile names it (GUID or domain).
    pub tenant: &'a str,
}

pub fn verdict(claims: &TokenClaims, expected: &Expected<'_>, now: SystemTime) -> TokenVerdict {
    let product = expected.product.display_name();
    let mut problems = vec![];
    let mut notes = vec![];
    let same_resource = |a: &str, b: &str| {
        a.trim_end_matches('/')
            .eq_ignore_ascii_case(b.trim_end_matches('/'))
    };
    if !same_resource(&claims.aud, expected.resource) {
        problems.push(format!(
            "It is for '{}', not for {product} ('{}'): ask for a token for {product}'s resource.",
            claims.aud, expected.resource
        ));
    }
    let now_secs = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    if claims.exp <= now_secs {
        problems.push("It has expired: sign in again or refresh it.".into());
    }
    if let Some(tid) = &claims.tid {
        let names_a_guid = expected.tenant.len() == 36 && expected.tenant.contains('-');
        if names_a_guid && !tid.eq_ignore_ascii_case(expected.tenant) {
            problems.push(format!(
                "It was issued by tenant {tid}, not by {}: check the connection's tenant.",
                expected.tenant
            ));
        }
    }
    let missing_permissions = !permission_check(claims, expected, &mut problems, &mut notes);
    let usable = problems.is_empty();
    let summary = if usable {
        format!("This token can call {product}.")
    } else {
        format!("This token cannot call {product}.")
    };
    TokenVerdict {
        usable,
        summary,
        problems,
        notes,
        missing_permissions,
    }
}

/// Delegated tokens need one of the product's delegated permissions in
/// `scp`; app-only tokens one of its application permissions in `roles`
/// where the product has any (docs/microsoft.md §5–7, §9). False when the
/// token carries none of them.
fn permission_check(
    claims: &TokenClaims,
    expected: &Expected<'_>,
    problems: &mut Vec<String>,
    notes: &mut Vec<String>,
) -> bool {
    let product = expected.product.display_name();
    match expected.grant {
        Grant::Delegated => {
            let known: Vec<&str> = permissions_for(expected.product, Access::Delegated)
                .map(|p| p.name)
                .collect();
            if !claims.scopes().any(|s| known.contains(&s)) {
                problems.push(format!(
                    "It carries none of {product}'s permissions ({}): add one under API permissions and consent to it.",
                    known.join(", ")
                ));
                return false;
            }
        }
        Grant::ClientCredentials => {
            let known: Vec<&str> = permissions_for(expected.product, Access::Application)
                .map(|p| p.name)
                .collect();
            if known.is_empty() {
                notes.push(format!(
                    "{product} grants apps access inside the product: the app must be set up there (F&O: 'Microsoft Entra applications'; Dataverse: an application user)."
                ));
            } else if !claims.roles.iter().any(|r| known.contains(&r.as_str())) {
                problems.push(format!(
                    "It carries none of {product}'s application permissions ({}): add one under API permissions and grant admin consent.",
                    known.join(", ")
                ));
                return false;
            } else if expected.product == Product::BusinessCentral {
                notes.push("Business Central also needs the app on its 'Microsoft Entra Applications' page, with permission sets.".into());
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const BC: &str = "https://api.businesscentral.dynamics.com";
    const TENANT: &str = "7c2f5e1a-0d3b-4c8e-9a61-c5e0a1b2c3d4";

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn claims(aud: &str, scp: Option<&str>, roles: &[&str]) -> TokenClaims {
        TokenClaims {
            aud: aud.into(),
            tid: Some(TENANT.into()),
            appid: Some("app".into()),
            scp: scp.map(str::to_string),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            exp: 2_000,
            upn: None,
        }
    }

    fn expect(grant: Grant) -> Expected<'static> {
        Expected {
            product: Product::BusinessCentral,
            grant,
            resource: BC,
            tenant: TENANT,
        }
    }

    #[test]
    fn a_good_delegated_bc_token_can_call_bc() {
        let v = verdict(
            &claims(BC, Some("Financials.ReadWrite.All"), &[]),
            &expect(Grant::Delegated),
            at(1_000),
        );
        assert!(v.usable, "{v:?}");
        assert_eq!(v.summary, "This token can call Business Central.");
    }

    #[test]
    fn wrong_audience_expiry_and_missing_scope_are_each_named() {
        let v = verdict(
            &claims("https://graph.microsoft.com/", Some("User.Read"), &[]),
            &expect(Grant::Delegated),
            at(3_000),
        );
        assert!(!v.usable);
        assert_eq!(v.problems.len(), 3, "{v:?}");
        assert!(v.problems[0].contains("graph.microsoft.com"));
        assert!(v.problems[1].contains("expired"));
        assert!(v.problems[2].contains("Financials.ReadWrite.All"));
    }

    #[test]
    fn an_app_token_needs_a_bc_role_and_gets_the_registration_note() {
        let without = verdict(
            &claims(BC, None, &[]),
            &expect(Grant::ClientCredentials),
            at(1),
        );
        assert!(!without.usable);
        assert!(without.missing_permissions, "consent is the fix");
        let with = verdict(
            &claims(BC, None, &["API.ReadWrite.All"]),
            &expect(Grant::ClientCredentials),
            at(1),
        );
        assert!(with.usable);
        assert!(!with.missing_permissions);
        assert!(with.notes[0].contains("Microsoft Entra Applications"));
    }

    #[test]
    fn another_tenants_token_is_flagged_and_trailing_slashes_do_not_matter() {
        let mut c = claims(&format!("{BC}/"), Some("user_impersonation"), &[]);
        c.tid = Some("00000000-0000-0000-0000-000000000001".into());
        let v = verdict(&c, &expect(Grant::Delegated), at(1));
        assert_eq!(v.problems.len(), 1, "{v:?}");
        assert!(v.problems[0].contains("issued by tenant"));
    }
}
