//! Microsoft Entra ID v2.0 under `{authority}/{tenant}/…`, where the tenant
//! is a GUID, one of its domains, or `common` / `organizations`.

mod aadsts;
mod authorize;
mod consent;
mod discovery;
mod pages;
mod signin;
mod token;

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use url::Url;
use uuid::Uuid;

use self::aadsts::{AadError, Trace};
use crate::authority::Authority;
use crate::faults::Refusal;
use crate::reply::{ReplyTo, ResponseMode};
use crate::store::Shared;
use crate::world::{AppRegistration, Tenant, World};

pub fn routes(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(discovery::openid_configuration),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(discovery::keys))
        .route(
            "/{tenant}/oauth2/v2.0/authorize",
            get(authorize::start).post(signin::submit),
        )
        .route("/{tenant}/oauth2/v2.0/token", post(token::token))
        .route(
            "/{tenant}/adminconsent",
            get(consent::start_v1).post(signin::submit),
        )
        .route(
            "/{tenant}/v2.0/adminconsent",
            get(consent::start_v2).post(signin::submit),
        )
        .with_state(shared)
}

/// What Entra answers when it is busy (fault injection). Throttled token
/// requests get 429 with a bare "Too Many Requests" body that is not
/// Entra's JSON (learn.microsoft.com/entra/msal/dotnet/advanced/
/// client-and-server-throttling; the body as MSAL.NET reports it in
/// AzureAD/microsoft-authentication-library-for-dotnet#2855).
pub fn refusal(refusal: Refusal, headers: &HeaderMap) -> Response {
    match refusal {
        Refusal::TooManyRequests => {
            (StatusCode::TOO_MANY_REQUESTS, "Too Many Requests").into_response()
        }
        Refusal::Unavailable => AadError::temporarily_unavailable().into_json_response(headers),
    }
}

/// Resolving the `{tenant}` segment is Entra's (the type sits below the
/// store, in `authority.rs`).
impl Authority {
    /// Unknown tenants are AADSTS90002 (docs/microsoft.md §3 table).
    pub fn resolve(world: &World, segment: &str) -> Result<Authority, AadError> {
        match segment.to_ascii_lowercase().as_str() {
            "common" => Ok(Authority::Common("common")),
            "organizations" => Ok(Authority::Common("organizations")),
            _ => world
                .tenant(segment)
                .map(|t| Authority::Tenant(t.id))
                .ok_or_else(|| AadError::tenant_not_found(segment)),
        }
    }
}

/// The app a `client_id` names, as seen from an authority. With
/// `must_exist_here`, a multitenant app must already have a service
/// principal in the tenant (it does once someone there consented). An app
/// still within the replication delay is not known yet (700016).
pub fn find_app(
    shared: &Shared,
    authority: Authority,
    client_id: &str,
    must_exist_here: bool,
) -> Result<AppRegistration, AadError> {
    let not_found = || AadError::app_not_found(client_id, &authority.label(&shared.world));
    let id = Uuid::parse_str(client_id).map_err(|_| not_found())?;
    let (app, here) = {
        let store = shared.store();
        let app = store
            .directory()
            .replicated_app(id)
            .map(|a| a.registration.clone())
            .ok_or_else(not_found)?;
        let here = match authority {
            Authority::Tenant(tenant) => store.has_service_principal(tenant, id),
            Authority::Common(_) => false,
        };
        (app, here)
    };
    match authority {
        Authority::Tenant(tenant) => {
            let visible =
                app.tenant == tenant || (app.is_multitenant() && (!must_exist_here || here));
            if visible {
                Ok(app)
            } else {
                Err(not_found())
            }
        }
        // docs/microsoft.md §3 table: 50194 for a single-tenant app on /common.
        Authority::Common(_) if !app.is_multitenant() => Err(
            AadError::single_tenant_app_on_common(client_id, &app.display_name),
        ),
        Authority::Common(_) => Ok(app),
    }
}

/// Checks the user's tenant against the app: a single-tenant app signs in
/// only its own users (700016, docs/microsoft.md §3 table).
pub fn app_usable_in(app: &AppRegistration, tenant: &Tenant) -> Result<(), AadError> {
    if app.tenant == tenant.id || app.is_multitenant() {
        Ok(())
    } else {
        Err(AadError::app_not_found(
            &app.client_id.to_string(),
            &tenant.display_name,
        ))
    }
}

/// Answering on a redirect URI is Entra's (the type sits below the store,
/// in `reply.rs`).
impl ReplyTo {
    /// Sends `params` as given (callers place `state` where Entra does).
    pub fn send(&self, params: &[(&str, String)]) -> Response {
        let Ok(mut url) = Url::parse(&self.uri) else {
            // Only URIs that matched a registration get here.
            return StatusCode::BAD_REQUEST.into_response();
        };
        match self.mode {
            ResponseMode::Query => {
                url.query_pairs_mut()
                    .extend_pairs(params.iter().map(|(k, v)| (*k, v.as_str())));
            }
            ResponseMode::Fragment => {
                let encoded = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(params.iter().map(|(k, v)| (*k, v.as_str())))
                    .finish();
                url.set_fragment(Some(&encoded));
            }
            ResponseMode::FormPost => return pages::form_post(url.as_str(), params),
        }
        (StatusCode::FOUND, [(header::LOCATION, url.to_string())]).into_response()
    }

    /// `params` followed by `state`, the usual order.
    pub fn send_with_state(&self, mut params: Vec<(&str, String)>) -> Response {
        if let Some(state) = &self.state {
            params.push(("state", state.clone()));
        }
        self.send(&params)
    }

    /// The authorize-endpoint error redirect (docs/microsoft.md §3): `error`,
    /// `error_subcode` when there is one, `error_description`, `error_uri`,
    /// `state`, in the order of live redirects (docs/sandbox-fidelity.md §M2:
    /// MSAL Android's captured 900144 redirect, and public 50058, 50105,
    /// 65004 and 500011 captures).
    pub fn error(&self, error: &AadError, headers: &HeaderMap) -> Response {
        let trace = Trace::new(headers);
        let mut params = vec![("error", error.error.to_string())];
        if let Some(sub) = error.subcode() {
            params.push(("error_subcode", sub.to_string()));
        }
        params.push(("error_description", error.description(&trace)));
        params.push(("error_uri", error.error_uri()));
        self.send_with_state(params)
    }
}

/// How an interactive endpoint fails: before the redirect URI is trusted,
/// Entra shows its own error page; after, it redirects (docs/microsoft.md §3).
pub enum Failure {
    Page(AadError),
    Redirect(AadError, ReplyTo),
}

impl From<AadError> for Failure {
    fn from(e: AadError) -> Failure {
        Failure::Page(e)
    }
}

impl Failure {
    pub fn respond(self, headers: &HeaderMap) -> Response {
        match self {
            Failure::Page(e) => pages::error_page(&e, &Trace::new(headers)),
            Failure::Redirect(e, reply) => reply.error(&e, headers),
        }
    }
}

/// Query or form parameters; repeated names keep the first value.
pub type Params = HashMap<String, String>;

pub fn parse_params(raw: &[u8]) -> Params {
    let mut params = Params::new();
    for (k, v) in url::form_urlencoded::parse(raw) {
        params
            .entry(k.into_owned())
            .or_insert_with(|| v.into_owned());
    }
    params
}

pub fn param<'p>(params: &'p Params, name: &str) -> Option<&'p str> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}

/// The request's redirect URI checked against the registration, or the
/// error page Entra shows when it cannot trust it (docs/microsoft.md §1, §3 table:
/// 500113, 900971, 50011).
pub fn reply_to(
    app: &AppRegistration,
    params: &Params,
    how: crate::redirect::Match,
) -> Result<(ReplyTo, crate::world::Platform), AadError> {
    if app.redirect_uris.all().next().is_none() {
        return Err(AadError::no_reply_address_registered());
    }
    let uri = param(params, "redirect_uri").ok_or_else(AadError::no_reply_address_provided)?;
    let (platform, _) = crate::redirect::find(app.redirect_uris.all(), uri, how)
        .ok_or_else(|| AadError::redirect_uri_mismatch(uri, &app.client_id.to_string()))?;
    let reply = ReplyTo {
        uri: uri.to_string(),
        state: param(params, "state").map(str::to_string),
        mode: ResponseMode::parse(param(params, "response_mode")),
    };
    Ok((reply, platform))
}

/// The `scope` parameter, with each parse failure turned into Entra's
/// error: 900144 missing, 70011 invalid (docs/microsoft.md §3 table), 500011 for a
/// resource URI no service principal answers to.
pub fn parse_scopes(
    shared: &Shared,
    authority: Authority,
    raw: Option<&str>,
) -> Result<crate::scopes::ScopeRequest, AadError> {
    use crate::scopes::ScopeError;
    crate::scopes::parse(raw.unwrap_or_default(), &shared.base).map_err(|e| match e {
        ScopeError::Missing => AadError::missing_parameter("scope"),
        ScopeError::Invalid(scope) => AadError::invalid_scope(&scope),
        ScopeError::UnknownResource(uri) => {
            AadError::resource_not_found(&uri, &authority.label(&shared.world))
        }
    })
}

/// A resource whose product is not provisioned in the tenant has no
/// service principal there: 500011 (docs/microsoft.md §3 table, §9).
pub fn check_provisioned(
    tenant: &Tenant,
    scopes: &crate::scopes::ScopeRequest,
) -> Result<(), AadError> {
    match scopes.resources.iter().find(|r| !tenant.has(r.resource)) {
        Some(r) => Err(AadError::resource_not_found(
            &r.audience,
            &tenant.display_name,
        )),
        None => Ok(()),
    }
}

/// One resource per token request (700022, docs/microsoft.md §3 table).
pub fn check_single_resource(
    raw: &str,
    scopes: &crate::scopes::ScopeRequest,
) -> Result<(), AadError> {
    if scopes.resources.len() > 1 {
        Err(AadError::more_than_one_resource(raw))
    } else {
        Ok(())
    }
}
