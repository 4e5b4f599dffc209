//! `oauth2/v2.0/token`: authorization_code (with PKCE), client_credentials
//! and refresh_token grants.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Json, Response};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use super::aadsts::AadError;
use super::{
    check_provisioned, check_single_resource, find_app, param, parse_params, parse_scopes, Params,
};
use crate::authority::Authority;
use crate::jwt::{AccessTokenSpec, IdTokenSpec, Subject};
use crate::redirect::{self, Match};
use crate::resources::Resource;
use crate::scopes::{ResourceScope, ScopeRequest, Wanted, OIDC_SCOPES};
use crate::store::{ChallengeMethod, IssuedRefresh, Pkce, Shared};
use crate::world::{AppRegistration, Platform, Tenant, User};

pub async fn token(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = parse_params(&body);
    match redeem(&shared, &tenant, &params, &headers) {
        // Token responses must not be cached (RFC 6749 §5.1), as Entra's
        // are not.
        Ok(body) => ([(header::CACHE_CONTROL, "no-store, no-cache")], Json(body)).into_response(),
        Err(e) => e.into_json_response(&headers),
    }
}

/// The client's credentials from the body (`client_secret_post`) or the
/// `Authorization: Basic` header (`client_secret_basic`); both are in the
/// discovery document.
struct Client {
    id: Option<String>,
    secret: Option<String>,
    /// An `Origin` header marks a cross-origin (browser) redemption.
    cross_origin: bool,
}

impl Client {
    fn from(params: &Params, headers: &HeaderMap) -> Client {
        let basic = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Basic "))
            .and_then(|b| STANDARD.decode(b.trim()).ok())
            .and_then(|raw| String::from_utf8(raw).ok())
            .and_then(|pair| {
                // RFC 6749 §2.3.1: both halves are form-urlencoded.
                let (id, secret) = pair.split_once(':')?;
                let decode = |s: &str| {
                    url::form_urlencoded::parse(format!("x={s}").as_bytes())
                        .next()
                        .map(|(_, v)| v.into_owned())
                };
                Some((decode(id)?, decode(secret)?))
            });
        let (basic_id, basic_secret) = basic.unzip();
        Client {
            id: param(params, "client_id").map(str::to_string).or(basic_id),
            secret: param(params, "client_secret")
                .map(str::to_string)
                .or(basic_secret),
            cross_origin: headers.contains_key(header::ORIGIN),
        }
    }
}

fn redeem(
    shared: &Shared,
    tenant: &str,
    params: &Params,
    headers: &HeaderMap,
) -> Result<Value, AadError> {
    let authority = Authority::resolve(&shared.world, tenant)?;
    let grant =
        param(params, "grant_type").ok_or_else(|| AadError::missing_parameter("grant_type"))?;
    let client = Client::from(params, headers);
    let client_id = client
        .id
        .clone()
        .ok_or_else(|| AadError::missing_parameter("client_id"))?;
    match grant {
        "authorization_code" => authorization_code(shared, authority, &client_id, &client, params),
        "client_credentials" => client_credentials(shared, authority, &client_id, &client, params),
        "refresh_token" => refresh_token(shared, authority, &client_id, &client, params),
        other => Err(AadError::unsupported_grant_type(other)),
    }
}

fn authorization_code(
    shared: &Shared,
    authority: Authority,
    client_id: &str,
    client: &Client,
    params: &Params,
) -> Result<Value, AadError> {
    let app = &find_app(shared, authority, client_id, true)?;
    let code_value = param(params, "code").ok_or_else(|| AadError::missing_parameter("code"))?;
    let redirect_uri =
        param(params, "redirect_uri").ok_or_else(|| AadError::missing_parameter("redirect_uri"))?;
    let (platform, _) = redirect::find(app.redirect_uris.all(), redirect_uri, Match::Exact)
        .ok_or_else(|| AadError::redirect_uri_mismatch(redirect_uri, client_id))?;
    let confidential = authenticate_client(app, platform, client)?;

    let lifetime = seconds(shared.world.lifetimes.authorization_code_seconds);
    let issued = {
        let mut store = shared.store();
        let code = store
            .code_mut(code_value)
            .filter(|c| c.client_id == app.client_id)
            .ok_or_else(AadError::invalid_grant)?;
        // A code redeemed at another tenant's address is 700005
        // (docs/sandbox-fidelity.md §L3).
        if !(authority == Authority::Tenant(code.tenant)
            || matches!(authority, Authority::Common(_)))
        {
            return Err(AadError::code_for_another_tenant());
        }
        // Codes are single-use (54005) and short-lived (70008),
        // docs/microsoft.md §2 and §3 table.
        if code.redeemed {
            return Err(AadError::code_already_redeemed());
        }
        if OffsetDateTime::now_utc() - code.issued >= lifetime {
            return Err(AadError::code_expired());
        }
        // The same redirect_uri at /token as at /authorize (docs/microsoft.md §1).
        if code.redirect_uri != redirect_uri {
            return Err(AadError::redirect_uri_differs(
                redirect_uri,
                &code.redirect_uri,
            ));
        }
        match &code.pkce {
            Some(pkce) => check_pkce(pkce, param(params, "code_verifier"))?,
            // An SPA's code must have used PKCE: 9002325 at redemption
            // (docs/microsoft.md §2 ⚠; docs/sandbox-fidelity.md §L3).
            None if code.platform == Platform::Spa => return Err(AadError::spa_needs_pkce()),
            None => {}
        }
        code.redeemed = true;
        code.clone()
    };

    let scopes = narrowed_scopes(shared, authority, params, &issued.scopes)?;
    let (tenant, user) = tenant_and_user(shared, issued.tenant, &issued.upn)?;
    let grant = UserGrant {
        tenant,
        app,
        user,
        platform: issued.platform,
        confidential,
        nonce: issued.nonce.as_deref(),
    };
    user_tokens(shared, &grant, &scopes, scopes.wants("offline_access"))
}

/// PKCE, docs/microsoft.md §2 and §3 table: a missing verifier is 50148, one that does
/// not match the challenge 501481.
/// A redemption may name scopes (one resource) or fall back to those the
/// code or refresh token was issued for.
fn narrowed_scopes(
    shared: &Shared,
    authority: Authority,
    params: &Params,
    issued: &ScopeRequest,
) -> Result<ScopeRequest, AadError> {
    match param(params, "scope") {
        Some(raw) => {
            let asked = parse_scopes(shared, authority, Some(raw))?;
            check_single_resource(raw, &asked)?;
            Ok(asked)
        }
        None => Ok(issued.clone()),
    }
}

fn check_pkce(pkce: &Pkce, verifier: Option<&str>) -> Result<(), AadError> {
    let verifier = verifier.ok_or_else(AadError::code_verifier_missing)?;
    let derived = match pkce.method {
        ChallengeMethod::Plain => verifier.to_string(),
        ChallengeMethod::S256 => URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
    };
    if derived == pkce.challenge {
        Ok(())
    } else {
        Err(AadError::code_verifier_mismatch())
    }
}

fn client_credentials(
    shared: &Shared,
    authority: Authority,
    client_id: &str,
    client: &Client,
    params: &Params,
) -> Result<Value, AadError> {
    // Fixture msal-dotnet_token_error_AADSTS90010_invalid_request.json.
    let Authority::Tenant(tenant_id) = authority else {
        return Err(AadError::grant_not_supported_on_common());
    };
    let app = &find_app(shared, authority, client_id, true)?;
    // No credential at all is 7000216 for this grant
    // (docs/sandbox-fidelity.md §L3).
    let secret = client
        .secret
        .as_deref()
        .ok_or_else(AadError::client_credentials_secret_missing)?;
    check_secret(app, secret)?;
    if !shared
        .store()
        .has_service_principal(tenant_id, app.client_id)
    {
        return Err(AadError::service_principal_missing(
            &app.client_id.to_string(),
            &tenant_id.to_string(),
        ));
    }

    let raw = param(params, "scope").ok_or_else(|| AadError::missing_parameter("scope"))?;
    // Client credentials take `<resource>/.default` only (docs/microsoft.md §5).
    let scopes = parse_scopes(shared, authority, Some(raw)).map_err(|e| match e.code {
        70011 => AadError::client_credentials_need_default(raw),
        _ => e,
    })?;
    if !scopes.oidc.is_empty() || scopes.resources.iter().any(|r| r.wanted != Wanted::Default) {
        return Err(AadError::client_credentials_need_default(raw));
    }
    check_single_resource(raw, &scopes)?;
    let tenant = shared
        .world
        .tenant_by_id(tenant_id)
        .ok_or_else(|| AadError::tenant_not_found(&tenant_id.to_string()))?;
    check_provisioned(tenant, &scopes)?;
    let target = scopes.token_resource();
    // Without admin consent the token is still issued, just without a
    // `roles` claim; the resource then refuses it.
    let roles = shared
        .store()
        .roles_granted(tenant.id, app.client_id, target.resource);
    let lifetime = access_token_lifetime(shared.world.lifetimes.access_token_seconds);
    let access_token = shared
        .tokens
        .issue_access(AccessTokenSpec {
            tenant,
            app,
            audience: &target.audience,
            subject: Subject::App { roles },
            confidential: true,
            lifetime_seconds: lifetime,
        })
        .map_err(|_| AadError::invalid_grant())?;
    Ok(json!({
        "token_type": "Bearer",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access_token,
    }))
}

fn refresh_token(
    shared: &Shared,
    authority: Authority,
    client_id: &str,
    client: &Client,
    params: &Params,
) -> Result<Value, AadError> {
    let app = &find_app(shared, authority, client_id, true)?;
    let value = param(params, "refresh_token")
        .ok_or_else(|| AadError::missing_parameter("refresh_token"))?;
    let rt = shared
        .store()
        .refresh_token(value)
        .filter(|rt| rt.client_id == app.client_id)
        .filter(|rt| {
            authority == Authority::Tenant(rt.tenant) || matches!(authority, Authority::Common(_))
        })
        .ok_or_else(AadError::invalid_grant)?;
    let confidential = authenticate_client(app, rt.platform, client)?;
    // Refresh tokens expire after their inactive time (70008, docs/microsoft.md §3 table).
    let inactive = shared.world.lifetimes.refresh_token_inactive_seconds;
    if OffsetDateTime::now_utc() - rt.issued >= seconds(inactive) {
        return Err(AadError::refresh_token_expired(rt.issued, inactive));
    }
    let scopes = narrowed_scopes(shared, authority, params, &rt.scopes)?;
    let (tenant, user) = tenant_and_user(shared, rt.tenant, &rt.upn)?;
    let grant = UserGrant {
        tenant,
        app,
        user,
        platform: rt.platform,
        confidential,
        nonce: None,
    };
    // Every refresh returns a new refresh token; the old one stays valid
    // until it expires: Microsoft "doesn't revoke old refresh tokens when
    // used to fetch new access tokens" (entra-docs refresh-tokens.md).
    user_tokens(shared, &grant, &scopes, true)
}

/// Client authentication follows the platform of the redirect URI (docs/microsoft.md
/// §2): Web is confidential and needs a secret (7000218); Mobile and
/// desktop and SPA are public and must not send one (700025); SPA codes are
/// redeemed cross-origin only (9002327). Returns whether a secret was used.
fn authenticate_client(
    app: &AppRegistration,
    platform: Platform,
    client: &Client,
) -> Result<bool, AadError> {
    match (platform, client.secret.as_deref()) {
        (Platform::Web, None) => Err(AadError::secret_missing()),
        (Platform::Web, Some(secret)) => check_secret(app, secret).map(|()| true),
        (Platform::MobileAndDesktop | Platform::Spa, Some(_)) => {
            Err(AadError::public_client_sent_secret())
        }
        (Platform::Spa, None) if !client.cross_origin => Err(AadError::spa_needs_cross_origin()),
        (Platform::MobileAndDesktop | Platform::Spa, None) => Ok(false),
    }
}

/// A secret is its Value; anything else — the Secret ID included, or a
/// secret removed through Graph — is 7000215; an expired one 7000222
/// (docs/microsoft.md §3 table).
fn check_secret(app: &AppRegistration, secret: &str) -> Result<(), AadError> {
    let client_id = app.client_id.to_string();
    match app.secrets.iter().find(|s| s.value == secret) {
        None => Err(AadError::invalid_secret(&client_id)),
        Some(s) if s.expires <= OffsetDateTime::now_utc() => {
            Err(AadError::secret_expired(&client_id))
        }
        Some(_) => Ok(()),
    }
}

fn tenant_and_user<'w>(
    shared: &'w Shared,
    tenant: uuid::Uuid,
    upn: &str,
) -> Result<(&'w Tenant, &'w User), AadError> {
    match (shared.world.tenant_by_id(tenant), shared.world.user(upn)) {
        (Some(t), Some(u)) => Ok((t, u)),
        _ => Err(AadError::invalid_grant()),
    }
}

struct UserGrant<'a> {
    tenant: &'a Tenant,
    app: &'a AppRegistration,
    user: &'a User,
    platform: Platform,
    confidential: bool,
    nonce: Option<&'a str>,
}

/// Tokens for a signed-in user: an access token for the first resource
/// asked for (v2.0 issues one resource per token), an ID token with
/// `openid`, a refresh token with `offline_access`. Permissions nobody
/// consented to are 65001 (docs/microsoft.md §3 table).
fn user_tokens(
    shared: &Shared,
    grant: &UserGrant<'_>,
    scopes: &ScopeRequest,
    with_refresh_token: bool,
) -> Result<Value, AadError> {
    let UserGrant {
        tenant, app, user, ..
    } = *grant;
    check_provisioned(tenant, scopes)?;
    let target: ResourceScope = scopes.token_resource();
    let granted = shared.store().delegated_granted(
        tenant.id,
        app.client_id,
        user.object_id(),
        target.resource,
    );
    if !target.permissions(app).iter().all(|p| granted.contains(p)) {
        return Err(AadError::consent_missing(
            &app.client_id.to_string(),
            &app.display_name,
        ));
    }
    let mut scp: Vec<String> = granted.into_iter().collect();
    if target.resource == Resource::MicrosoftGraph {
        scp.extend(
            scopes
                .oidc
                .iter()
                .filter(|s| *s != "offline_access")
                .cloned(),
        );
    }
    let lifetime = access_token_lifetime(shared.world.lifetimes.access_token_seconds);
    let access_token = shared
        .tokens
        .issue_access(AccessTokenSpec {
            tenant,
            app,
            audience: &target.audience,
            subject: Subject::User {
                user,
                scp: scp.clone(),
            },
            confidential: grant.confidential,
            lifetime_seconds: lifetime,
        })
        .map_err(|_| AadError::invalid_grant())?;
    let granted_scope: Vec<String> = scp
        .iter()
        .filter(|s| !OIDC_SCOPES.contains(&s.as_str()))
        .map(|p| target.qualify(p))
        .chain(scopes.oidc.iter().cloned())
        .collect();
    let mut body = json!({
        "token_type": "Bearer",
        "scope": granted_scope.join(" "),
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access_token,
    });
    if with_refresh_token {
        body["refresh_token"] = shared
            .store()
            .add_refresh_token(IssuedRefresh {
                client_id: app.client_id,
                tenant: tenant.id,
                upn: user.upn.clone(),
                platform: grant.platform,
                scopes: scopes.clone(),
                issued: OffsetDateTime::now_utc(),
            })
            .into();
    }
    if scopes.wants("openid") {
        let id_token = shared
            .tokens
            .issue_id_token(IdTokenSpec {
                issuer: super::discovery::issuer(shared, Authority::Tenant(tenant.id)),
                tenant,
                app,
                user,
                nonce: grant.nonce,
                lifetime_seconds: lifetime,
            })
            .map_err(|_| AadError::invalid_grant())?;
        body["id_token"] = id_token.into();
    }
    Ok(body)
}

/// Microsoft gives each access token a random lifetime between 60 and 90
/// minutes, 75 on average (*Entra* `access-tokens.md`, "Token lifetime";
/// docs/sandbox-fidelity.md §L5). The world's value is the longest: each
/// token gets between 60 minutes (or that value, if shorter) and it, so a
/// test that sets a short lifetime still gets exactly that.
fn access_token_lifetime(longest: u64) -> u64 {
    let shortest = longest.min(60 * 60);
    let spread = longest - shortest;
    // Random like Entra's; a fresh UUID's bits are random enough for this.
    let random = uuid::Uuid::new_v4().as_u128() % (u128::from(spread) + 1);
    shortest + u64::try_from(random).unwrap_or(0)
}

fn seconds(s: u64) -> Duration {
    Duration::seconds(i64::try_from(s).unwrap_or(i64::MAX))
}
