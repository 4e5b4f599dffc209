//! What an access token says about itself, for display and diagnosis only.
//! The signature is NOT checked here: the service that receives the token
//! does that; we never make a trust decision from these claims.

use base64::Engine;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The claims the token panel and the checks show (docs/microsoft.md §5–7;
/// fixtures/entra/entra-docs_access_token_v1_payload.json).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TokenClaims {
    /// Audience: the API the token is for.
    pub aud: String,
    /// Tenant ID.
    pub tid: Option<String>,
    /// Client ID of the app.
    pub appid: Option<String>,
    /// Delegated permissions, space-separated.
    pub scp: Option<String>,
    /// Application permissions.
    pub roles: Vec<String>,
    /// Expiry, seconds since 1970.
    #[ts(type = "number")]
    pub exp: u64,
    /// The signed-in user.
    pub upn: Option<String>,
}

/// The payload as Entra writes it: v1 and v2 tokens name some claims
/// differently, and v1 tokens carry both `upn` and `unique_name`.
#[derive(Deserialize)]
struct RawClaims {
    #[serde(default)]
    aud: String,
    tid: Option<String>,
    appid: Option<String>,
    azp: Option<String>,
    scp: Option<String>,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    exp: u64,
    upn: Option<String>,
    unique_name: Option<String>,
    preferred_username: Option<String>,
}

impl From<RawClaims> for TokenClaims {
    fn from(r: RawClaims) -> Self {
        Self {
            aud: r.aud,
            tid: r.tid,
            appid: r.appid.or(r.azp),
            scp: r.scp,
            roles: r.roles,
            exp: r.exp,
            upn: r.upn.or(r.preferred_username).or(r.unique_name),
        }
    }
}

impl TokenClaims {
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scp.as_deref().unwrap_or_default().split_whitespace()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("The access token could not be read: {0}")]
pub struct ClaimsError(String);

impl crate::problem::Explain for ClaimsError {
    fn kind(&self) -> crate::problem::ErrorKind {
        crate::problem::ErrorKind::SignInFailed
    }

    fn fix(&self) -> String {
        "Try again. If it keeps happening, copy the details for support.".into()
    }
}

/// Decodes the payload (second part) of a JWT.
pub fn decode(token: &str) -> Result<TokenClaims, ClaimsError> {
    let mut parts = token.split('.');
    let payload = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(_), Some(p), Some(_), None) => p,
        _ => return Err(ClaimsError("it does not have three parts".into())),
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|e| ClaimsError(format!("its payload is not base64url ({e})")))?;
    serde_json::from_slice::<RawClaims>(&bytes)
        .map(TokenClaims::from)
        .map_err(|e| ClaimsError(format!("its payload is not JSON ({e})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!(
            "{}.{}.sig",
            b64(r#"{"alg":"RS256","typ":"JWT"}"#),
            b64(payload)
        )
    }

    #[test]
    fn reads_the_real_v1_payload() {
        let payload = d365_fixtures::text("entra/entra-docs_access_token_v1_payload.json");
        let c = decode(&jwt(&payload)).unwrap();
        assert_eq!(c.aud, "ef1da9d4-ff77-4c3e-a005-840c3f830745");
        assert_eq!(
            c.tid.as_deref(),
            Some("fa15d692-e9c7-4460-a743-29f2956fd429")
        );
        assert_eq!(
            c.appid.as_deref(),
            Some("75dbe77f-10a3-4e59-85fd-8c127544f17c")
        );
        assert_eq!(c.scopes().collect::<Vec<_>>(), ["user_impersonation"]);
        assert_eq!(c.exp, 1537237006);
        assert_eq!(c.upn.as_deref(), Some("abeli@microsoft.com"));
    }

    #[test]
    fn v1_tokens_with_both_upn_and_unique_name_read_fine() {
        let c = decode(&jwt(
            r#"{"aud":"x","upn":"a@b.com","unique_name":"a@b.com","appid":"c"}"#,
        ))
        .unwrap();
        assert_eq!(c.upn.as_deref(), Some("a@b.com"));
    }

    #[test]
    fn reads_v2_names_and_app_roles() {
        let c = decode(&jwt(r#"{"aud":"https://api.businesscentral.dynamics.com","azp":"abc","roles":["API.ReadWrite.All"],"exp":5}"#)).unwrap();
        assert_eq!(c.appid.as_deref(), Some("abc"));
        assert_eq!(c.roles, ["API.ReadWrite.All"]);
        assert_eq!(c.scopes().count(), 0);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bad in ["", "a.b", "a.b.c.d", "a.!!!.c", &jwt("not json")] {
            assert!(decode(bad).is_err(), "{bad}");
        }
    }
}
