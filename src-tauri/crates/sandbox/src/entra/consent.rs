//! Admin consent, docs/microsoft.md §4: v1 `{tenant}/adminconsent` grants
//! everything the registration lists; v2 `{tenant}/v2.0/adminconsent`
//! grants the `scope` asked for (`.default` = everything listed). An
//! administrator signs in on the same page as the authorize flow.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use time::OffsetDateTime;

use super::aadsts::AadError;
use super::pages::PermissionLine;
use super::{
    check_provisioned, find_app, param, parse_params, parse_scopes, reply_to, signin, Failure,
};
use crate::authority::Authority;
use crate::redirect::Match;
use crate::scopes::{ScopeRequest, Wanted};
use crate::store::{FlowKind, Grants, PendingFlow, Shared};
use crate::world::{AppRegistration, User};

pub async fn start_v1(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    begin(&shared, &tenant, query, false).unwrap_or_else(|f| f.respond(&headers))
}

pub async fn start_v2(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    begin(&shared, &tenant, query, true).unwrap_or_else(|f| f.respond(&headers))
}

fn begin(
    shared: &Shared,
    tenant: &str,
    query: Option<String>,
    v2: bool,
) -> Result<Response, Failure> {
    let params = parse_params(query.unwrap_or_default().as_bytes());
    let authority = Authority::resolve(&shared.world, tenant)?;
    let client_id =
        param(&params, "client_id").ok_or_else(|| AadError::missing_parameter("client_id"))?;
    let app = find_app(shared, authority, client_id, false)?;
    // The redirect URI must match a registered one, which "can have
    // additional path segments" (docs/microsoft.md §4).
    let (reply, _) = reply_to(&app, &params, Match::AllowExtraPath)?;
    let v2_scope = if v2 {
        let raw = param(&params, "scope").unwrap_or_default();
        let scopes = parse_scopes(shared, authority, Some(raw))
            .map_err(|e| Failure::Redirect(e, reply.clone()))?;
        Some((raw.to_string(), scopes))
    } else {
        None
    };
    let flow = PendingFlow {
        authority,
        client_id: app.client_id,
        reply,
        kind: FlowKind::AdminConsent { v2_scope },
        created: OffsetDateTime::now_utc(),
    };
    let id = shared.store().add_flow(flow.clone());
    Ok(signin::render(shared, &id, &flow, "", None))
}

/// What the admin is asked to grant: with no v2 scope, or `.default`,
/// every delegated and application permission of the registration.
fn grants_asked(app: &AppRegistration, v2_scopes: Option<&ScopeRequest>) -> Grants {
    match v2_scopes {
        Some(scopes) if scopes.resources.iter().all(|r| r.wanted != Wanted::Default) => {
            let mut grants = Grants::default();
            for r in &scopes.resources {
                grants
                    .delegated
                    .entry(r.resource)
                    .or_default()
                    .extend(r.permissions(app));
            }
            grants
        }
        _ => Grants::all_required(app),
    }
}

pub fn permission_lines(
    app: &AppRegistration,
    v2_scopes: Option<&ScopeRequest>,
) -> Vec<PermissionLine> {
    let grants = grants_asked(app, v2_scopes);
    let delegated = grants.delegated.iter().flat_map(|(r, perms)| {
        perms.iter().map(|p| PermissionLine {
            resource: format!("{} (delegated)", r.display_name()),
            name: p.clone(),
            description: r.describe_delegated(p).into(),
        })
    });
    let roles = grants.roles.iter().flat_map(|(r, perms)| {
        perms.iter().map(|p| PermissionLine {
            resource: format!("{} (application)", r.display_name()),
            name: p.clone(),
            description: r.describe_application(p).into(),
        })
    });
    delegated.chain(roles).collect()
}

/// After the administrator signed in and pressed Accept.
pub fn complete(
    shared: &Shared,
    flow_id: &str,
    flow: &PendingFlow,
    user: &User,
    headers: &HeaderMap,
) -> Response {
    let FlowKind::AdminConsent { v2_scope } = &flow.kind else {
        return Failure::Page(AadError::flow_expired()).respond(headers);
    };
    let (Some(app), Some(tenant)) = (
        shared.app(flow.client_id),
        shared.world.tenant_by_id(user.tenant),
    ) else {
        return Failure::Page(AadError::flow_expired()).respond(headers);
    };
    // Only an administrator can grant for the organization: Privileged
    // Role, Cloud Application or Application Administrator, or a Global
    // Administrator (docs/microsoft.md §4).
    if !user.administers_applications() {
        let e = AadError::admin_required(&app.client_id.to_string(), &app.display_name);
        return signin::render(
            shared,
            flow_id,
            flow,
            &user.upn,
            Some(&format!("AADSTS{}: {}", e.code, e.message)),
        );
    }
    shared.store().end_flow(flow_id);
    let v2_scopes = v2_scope.as_ref().map(|(_, s)| s);
    let checked = super::app_usable_in(&app, tenant).and_then(|()| match v2_scopes {
        Some(scopes) => check_provisioned(tenant, scopes),
        None => Ok(()),
    });
    if let Err(e) = checked {
        return flow.reply.error(&e, headers);
    }
    shared
        .store()
        .grant_admin(tenant.id, app.client_id, grants_asked(&app, v2_scopes));
    // Success redirects, docs/microsoft.md §4: v1 `tenant, state, admin_consent=True`;
    // v2 `admin_consent=True, tenant, scope, state`.
    let tenant_id = tenant.id.to_string();
    match v2_scope {
        None => {
            let mut params = vec![("tenant", tenant_id)];
            if let Some(state) = &flow.reply.state {
                params.push(("state", state.clone()));
            }
            params.push(("admin_consent", "True".into()));
            flow.reply.send(&params)
        }
        Some((raw, _)) => flow.reply.send_with_state(vec![
            ("admin_consent", "True".into()),
            ("tenant", tenant_id),
            ("scope", raw.clone()),
        ]),
    }
}
