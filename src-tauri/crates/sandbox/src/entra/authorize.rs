//! `oauth2/v2.0/authorize`: validates the request, shows the sign-in and
//! consent page, and after the form answers the redirect URI with a code.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use time::OffsetDateTime;
use uuid::Uuid;

use super::aadsts::AadError;
use super::pages::PermissionLine;
use super::{
    check_provisioned, find_app, param, parse_params, parse_scopes, reply_to, signin, Failure,
    Params,
};
use crate::authority::Authority;
use crate::redirect::Match;
use crate::resources::Resource;
use crate::scopes::{ScopeRequest, Wanted};
use crate::store::{ChallengeMethod, FlowKind, Grants, IssuedCode, PendingFlow, Pkce, Shared};
use crate::world::{AppRegistration, User};

pub async fn start(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let params = parse_params(query.unwrap_or_default().as_bytes());
    begin(&shared, &tenant, &params).unwrap_or_else(|failure| failure.respond(&headers))
}

fn begin(shared: &Shared, tenant: &str, params: &Params) -> Result<Response, Failure> {
    // Until the redirect URI is known good, errors are an error page.
    let authority = Authority::resolve(&shared.world, tenant)?;
    let client_id =
        param(params, "client_id").ok_or_else(|| AadError::missing_parameter("client_id"))?;
    let app = find_app(shared, authority, client_id, false)?;
    let (reply, platform) = reply_to(&app, params, Match::Exact)?;
    let fail = |e: AadError| Failure::Redirect(e, reply.clone());

    // A missing response_type is 900144 `invalid_request`, an unsupported
    // one 70005 (docs/sandbox-fidelity.md §M2: MSAL Android's captured
    // redirect; *Entra* `reference-error-codes.md`).
    let response_type = param(params, "response_type")
        .ok_or_else(|| fail(AadError::missing_parameter("response_type")))?;
    if response_type != "code" {
        return Err(fail(AadError::unsupported_response_type(response_type)));
    }
    let scopes = parse_scopes(shared, authority, param(params, "scope")).map_err(fail)?;
    if let Authority::Tenant(id) = authority {
        if let Some(tenant) = shared.world.tenant_by_id(id) {
            check_provisioned(tenant, &scopes).map_err(fail)?;
        }
    }
    check_registered(&app, &scopes).map_err(fail)?;
    // An SPA without PKCE is refused when its code is redeemed
    // (docs/sandbox-fidelity.md §L3), not here.
    let pkce = pkce(params).map_err(fail)?;
    // The sandbox keeps no browser session, so a silent request always
    // needs a sign-in.
    if param(params, "prompt") == Some("none") {
        return Err(fail(AadError::login_required()));
    }
    let flow = PendingFlow {
        authority,
        client_id: app.client_id,
        reply: reply.clone(),
        kind: FlowKind::SignIn {
            platform,
            scopes,
            pkce,
            nonce: param(params, "nonce").map(str::to_string),
        },
        created: OffsetDateTime::now_utc(),
    };
    let id = shared.store().add_flow(flow.clone());
    let hint = param(params, "login_hint").unwrap_or_default();
    Ok(signin::render(shared, &id, &flow, hint, None))
}

/// `.default` means "what the registration lists": a resource it does not
/// list is 650057 (docs/microsoft.md §3 table).
fn check_registered(app: &AppRegistration, scopes: &ScopeRequest) -> Result<(), AadError> {
    match scopes
        .resources
        .iter()
        .find(|r| r.wanted == Wanted::Default && app.required(r.resource).is_none())
    {
        Some(r) => Err(AadError::resource_not_in_registration(
            &app.client_id.to_string(),
            &app.display_name,
            &r.audience,
            r.resource.app_id(),
        )),
        None => Ok(()),
    }
}

/// PKCE parameters: S256 and plain are supported, plain being the default
/// when a challenge comes without a method (docs/microsoft.md §2).
fn pkce(params: &Params) -> Result<Option<Pkce>, AadError> {
    let Some(challenge) = param(params, "code_challenge") else {
        return Ok(None);
    };
    let method = match param(params, "code_challenge_method") {
        None | Some("plain") => ChallengeMethod::Plain,
        Some("S256") => ChallengeMethod::S256,
        Some(_) => return Err(AadError::invalid_challenge_method()),
    };
    Ok(Some(Pkce {
        challenge: challenge.to_string(),
        method,
    }))
}

/// What the consent part of the page lists: OpenID Connect scopes in
/// words, then each resource's permissions, those only an administrator
/// may grant marked so.
pub fn permission_lines(app: &AppRegistration, scopes: &ScopeRequest) -> Vec<PermissionLine> {
    let oidc = scopes.oidc.iter().map(|s| PermissionLine {
        resource: "Sign-in".into(),
        name: s.clone(),
        description: match s.as_str() {
            "openid" => "Sign you in",
            "profile" => "View your basic profile",
            "email" => "View your email address",
            _ => "Maintain access to data you have given it access to",
        }
        .into(),
    });
    let resources = scopes.resources.iter().flat_map(|r| {
        r.permissions(app).into_iter().map(move |p| {
            let description = r.resource.describe_delegated(&p);
            PermissionLine {
                resource: r.resource.display_name().into(),
                description: if r.resource.needs_admin_consent(&p) {
                    format!("{description} (Admin consent required)")
                } else {
                    description.into()
                },
                name: p,
            }
        })
    });
    oidc.chain(resources).collect()
}

/// After a successful sign-in: records consent to whatever the
/// organization had not granted yet (they pressed Accept), for the user or,
/// when an administrator ticked "Consent on behalf of your organization",
/// for everyone; then redirects with a single-use code.
pub fn complete(
    shared: &Shared,
    flow_id: &str,
    flow: &PendingFlow,
    user: &User,
    for_organization: bool,
    headers: &HeaderMap,
) -> Response {
    let FlowKind::SignIn {
        platform,
        scopes,
        pkce,
        nonce,
    } = &flow.kind
    else {
        return Failure::Page(AadError::flow_expired()).respond(headers);
    };
    let fail = |e: AadError| flow.reply.error(&e, headers);
    let (Some(app), Some(tenant)) = (
        shared.app(flow.client_id),
        shared.world.tenant_by_id(user.tenant),
    ) else {
        return fail(AadError::invalid_grant());
    };
    if let Err(e) =
        super::app_usable_in(&app, tenant).and_then(|()| check_provisioned(tenant, scopes))
    {
        shared.store().end_flow(flow_id);
        return fail(e);
    }
    let oid = user.object_id();
    let administrator = user.administers_applications();
    let for_organization = for_organization && administrator;
    // What is missing for the organization (a nil user has no own grants),
    // or for this user.
    let grantee = if for_organization { Uuid::nil() } else { oid };
    let mut store = shared.store();
    let missing: Vec<(Resource, Vec<String>)> = scopes
        .resources
        .iter()
        .map(|r| {
            let granted = store.delegated_granted(tenant.id, app.client_id, grantee, r.resource);
            let missing = r
                .permissions(&app)
                .into_iter()
                .filter(|p| !granted.contains(p))
                .collect();
            (r.resource, missing)
        })
        .collect();
    // A non-administrator asking for something not yet granted that needs
    // an administrator (docs/microsoft.md §9: the directory permissions),
    // or for anything where users may not consent (§4), meets "Need admin
    // approval", AADSTS90094. ⚠ What that page sends back when the person
    // returns to the app is not captured; we send `access_denied` with the
    // 90094 description, as for a refused admin consent.
    let needs_admin = missing.iter().any(|(resource, permissions)| {
        permissions
            .iter()
            .any(|p| !tenant.users_can_consent || resource.needs_admin_consent(p))
    });
    if needs_admin && !administrator {
        store.end_flow(flow_id);
        drop(store);
        return fail(AadError::admin_required(
            &app.client_id.to_string(),
            &app.display_name,
        ));
    }
    for (resource, permissions) in missing {
        if for_organization {
            let mut grants = Grants::default();
            grants
                .delegated
                .insert(resource, permissions.into_iter().collect());
            store.grant_admin(tenant.id, app.client_id, grants);
        } else {
            store.grant_user(tenant.id, app.client_id, oid, resource, permissions);
        }
    }
    let lifetime = time::Duration::seconds(
        i64::try_from(shared.world.lifetimes.authorization_code_seconds).unwrap_or(i64::MAX),
    );
    let code = store.add_code(
        IssuedCode {
            client_id: app.client_id,
            tenant: tenant.id,
            upn: user.upn.clone(),
            redirect_uri: flow.reply.uri.clone(),
            platform: *platform,
            scopes: scopes.clone(),
            pkce: pkce.clone(),
            nonce: nonce.clone(),
            issued: OffsetDateTime::now_utc(),
            redeemed: false,
        },
        lifetime,
    );
    store.end_flow(flow_id);
    drop(store);
    let mut params = vec![("code", code)];
    if let Some(state) = &flow.reply.state {
        params.push(("state", state.clone()));
    }
    params.push(("session_state", Uuid::new_v4().to_string()));
    flow.reply.send(&params)
}
