//! Signing and verifying the sandbox's JWTs: v1.0 access tokens, the
//! version Dynamics resources accept (claims as in
//! fixtures/entra/entra-docs_access_token_v1_payload.json), and v2.0 ID
//! tokens (fixtures/entra/entra-docs_access_token_v2_payload.json for the
//! common claims). Entra's token endpoint is `entra/token.rs`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::keys::{Keys, KEY_ID};
use crate::world::{AppRegistration, Tenant, User};

/// The claims of a sandbox access token. Optional claims appear only for
/// the kind of token that carries them: `scp`, `upn`, names for a user;
/// `roles` for an app (and only when granted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub aud: String,
    pub iss: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    pub aio: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amr: Option<Vec<String>>,
    pub appid: String,
    /// "0" public client, "1" client secret.
    pub appidacr: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    pub idp: String,
    /// "user" or "app".
    pub idtyp: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipaddr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub oid: String,
    pub rh: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scp: Option<String>,
    pub sub: String,
    pub tid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unique_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    pub uti: String,
    pub ver: String,
}

impl AccessClaims {
    pub fn scopes(&self) -> Vec<&str> {
        self.scp
            .as_deref()
            .map(|s| s.split(' ').collect())
            .unwrap_or_default()
    }

    pub fn roles(&self) -> &[String] {
        self.roles.as_deref().unwrap_or_default()
    }
}

/// Who a token speaks for.
pub enum Subject<'a> {
    User { user: &'a User, scp: Vec<String> },
    App { roles: Vec<String> },
}

pub struct AccessTokenSpec<'a> {
    pub tenant: &'a Tenant,
    pub app: &'a AppRegistration,
    /// The resource URI, as asked for in the scope.
    pub audience: &'a str,
    pub subject: Subject<'a>,
    /// Whether the client authenticated with a secret (`appidacr` "1").
    pub confidential: bool,
    pub lifetime_seconds: u64,
}

pub struct IdTokenSpec<'a> {
    pub issuer: String,
    pub tenant: &'a Tenant,
    pub app: &'a AppRegistration,
    pub user: &'a User,
    pub nonce: Option<&'a str>,
    pub lifetime_seconds: u64,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TokenError {
    #[error("the token is not a well-formed JWT")]
    Malformed,
    #[error("the token's signature is not valid")]
    BadSignature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token is for another audience")]
    WrongAudience,
    #[error("the token could not be signed: {0}")]
    Signing(String),
}

/// The v1.0 issuer: `https://sts.windows.net/{tid}/` (v1 fixture).
pub fn v1_issuer(tenant: Uuid) -> String {
    format!("https://sts.windows.net/{tenant}/")
}

pub struct Tokens {
    keys: Keys,
    /// Every access token issued, for the tests' secret audit.
    issued: std::sync::Mutex<Vec<String>>,
}

impl Tokens {
    pub fn new(keys: Keys) -> Tokens {
        Tokens {
            keys,
            issued: std::sync::Mutex::default(),
        }
    }

    pub fn issued(&self) -> Vec<String> {
        self.issued
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    pub fn issue_access(&self, spec: AccessTokenSpec<'_>) -> Result<String, TokenError> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let tid = spec.tenant.id;
        let app_id = spec.app.client_id.to_string();
        let mut claims = AccessClaims {
            aud: spec.audience.to_string(),
            iss: v1_issuer(tid),
            iat: now,
            nbf: now,
            exp: now.saturating_add(i64::try_from(spec.lifetime_seconds).unwrap_or(i64::MAX)),
            acr: None,
            aio: opaque(24),
            amr: None,
            appid: app_id.clone(),
            appidacr: if spec.confidential { "1" } else { "0" }.into(),
            family_name: None,
            given_name: None,
            idp: v1_issuer(tid),
            idtyp: "app".into(),
            ipaddr: None,
            name: None,
            oid: String::new(),
            rh: "0.sandbox".into(),
            roles: None,
            scp: None,
            sub: String::new(),
            tid: tid.to_string(),
            unique_name: None,
            upn: None,
            uti: opaque(16),
            ver: "1.0".into(),
        };
        match spec.subject {
            Subject::User { user, scp } => {
                let oid = user.object_id().to_string();
                let (given, family) = split_name(&user.display_name);
                claims.acr = Some("1".into());
                claims.amr = Some(vec!["pwd".into()]);
                claims.family_name = family;
                claims.given_name = given;
                claims.idtyp = "user".into();
                claims.ipaddr = Some("127.0.0.1".into());
                claims.name = Some(user.display_name.clone());
                claims.sub = pairwise_subject(&oid, &app_id);
                claims.oid = oid;
                claims.scp = Some(scp.join(" "));
                claims.unique_name = Some(user.upn.clone());
                claims.upn = Some(user.upn.clone());
            }
            Subject::App { roles } => {
                // An app token's oid and sub are the client's service
                // principal in this tenant.
                let sp =
                    crate::directory::service_principal_id(tid, spec.app.client_id).to_string();
                claims.oid = sp.clone();
                claims.sub = sp;
                claims.roles = (!roles.is_empty()).then_some(roles);
            }
        }
        let token = self.sign(&claims)?;
        self.issued
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(token.clone());
        Ok(token)
    }

    pub fn issue_id_token(&self, spec: IdTokenSpec<'_>) -> Result<String, TokenError> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let oid = spec.user.object_id().to_string();
        let app_id = spec.app.client_id.to_string();
        let mut claims = serde_json::json!({
            "aud": app_id,
            "iss": spec.issuer,
            "iat": now,
            "nbf": now,
            "exp": now.saturating_add(i64::try_from(spec.lifetime_seconds).unwrap_or(i64::MAX)),
            "aio": opaque(24),
            "name": spec.user.display_name,
            "oid": oid,
            "preferred_username": spec.user.upn,
            "rh": "0.sandbox",
            "sub": pairwise_subject(&oid, &app_id),
            "tid": spec.tenant.id,
            "uti": opaque(16),
            "ver": "2.0",
        });
        if let Some(nonce) = spec.nonce {
            claims["nonce"] = nonce.into();
        }
        self.sign(&claims)
    }

    fn sign<T: Serialize>(&self, claims: &T) -> Result<String, TokenError> {
        // Entra's header: typ JWT, alg RS256, x5t and kid of the signing key.
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(KEY_ID.into());
        header.x5t = Some(KEY_ID.into());
        jsonwebtoken::encode(&header, claims, &self.keys.encoding)
            .map_err(|e| TokenError::Signing(e.to_string()))
    }

    /// What a resource server does with a bearer token: signature, expiry
    /// (no clock skew: the sandbox shares the clock) and audience.
    pub fn verify(&self, token: &str, audience: &str) -> Result<AccessClaims, TokenError> {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = 0;
        validation.validate_nbf = true;
        validation.set_audience(&[audience.trim_end_matches('/')]);
        validation.set_required_spec_claims(&["exp", "nbf", "aud"]);
        jsonwebtoken::decode::<AccessClaims>(token, &self.keys.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                ErrorKind::InvalidSignature => TokenError::BadSignature,
                ErrorKind::ExpiredSignature => TokenError::Expired,
                ErrorKind::ImmatureSignature => TokenError::NotYetValid,
                ErrorKind::InvalidAudience => TokenError::WrongAudience,
                _ => TokenError::Malformed,
            })
    }
}

/// `sub` is pairwise: the same user looks different to different apps.
fn pairwise_subject(oid: &str, app_id: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(format!("{oid}:{app_id}")))
}

fn split_name(display_name: &str) -> (Option<String>, Option<String>) {
    match display_name.split_once(' ') {
        Some((given, family)) => (Some(given.into()), Some(family.into())),
        None => (Some(display_name.into()), None),
    }
}

/// Random base64url text for opaque values (codes, refresh tokens, `uti`).
pub fn opaque(bytes: usize) -> String {
    let data: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    URL_SAFE_NO_PAD.encode(data)
}
