//! The sign-in + consent page shared by authorize and admin consent, and
//! the POST of its form.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use super::aadsts::{AadError, Trace};
use super::pages::{self, SignInPage};
use super::{authorize, consent, param, parse_params, Failure};
use crate::authority::Authority;
use crate::jwt::v1_issuer;
use crate::store::{FlowKind, PendingFlow, Shared};
use crate::world::User;

/// Renders the page for a pending flow, after a failed attempt with
/// `message` and the login typed so far.
pub fn render(
    shared: &Shared,
    flow_id: &str,
    flow: &PendingFlow,
    login: &str,
    message: Option<&str>,
) -> Response {
    let Some(app) = shared.app(flow.client_id) else {
        return Failure::Page(AadError::flow_expired()).respond(&HeaderMap::new());
    };
    let base = format!("{}/{}", shared.authority(), flow.authority.segment());
    let (heading, action, permissions) = match &flow.kind {
        FlowKind::SignIn { scopes, .. } => (
            "Sign in",
            format!("{base}/oauth2/v2.0/authorize"),
            authorize::permission_lines(&app, scopes),
        ),
        FlowKind::AdminConsent { v2_scope } => (
            "Permissions requested · Accept for your organization",
            match v2_scope {
                None => format!("{base}/adminconsent"),
                Some(_) => format!("{base}/v2.0/adminconsent"),
            },
            consent::permission_lines(&app, v2_scope.as_ref().map(|(_, s)| s)),
        ),
    };
    let already_granted = match (&flow.kind, flow.authority) {
        (FlowKind::SignIn { scopes, .. }, Authority::Tenant(tenant)) => {
            let store = shared.store();
            scopes.resources.iter().all(|r| {
                // A nil user has no own grants: this is the organization's.
                let granted =
                    store.delegated_granted(tenant, app.client_id, uuid::Uuid::nil(), r.resource);
                r.permissions(&app).iter().all(|p| granted.contains(p))
            })
        }
        _ => false,
    };
    // Entra offers the box to administrators on the consent page
    // (docs/microsoft.md §11); the sandbox's one page shows it before
    // anyone signed in, and ignores it for anyone else
    // (docs/sandbox-fidelity.md §L16).
    let offers_organization_consent =
        matches!(flow.kind, FlowKind::SignIn { .. }) && !already_granted && !permissions.is_empty();
    pages::sign_in(&SignInPage {
        heading,
        app_name: &app.display_name,
        tenant_label: &flow.authority.label(&shared.world),
        permissions: &permissions,
        action: &action,
        flow: flow_id,
        login_hint: login,
        message,
        already_granted,
        offers_organization_consent,
    })
}

/// The form field of "Consent on behalf of your organization".
pub const ORGANIZATION_CONSENT_FIELD: &str = "consent_for_organization";

/// POST of the page's form: `flow`, `login`, `passwd`, `action`
/// (`accept` or `cancel`), and the organization box when ticked.
pub async fn submit(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = parse_params(&body);
    let flow_id = param(&form, "flow").unwrap_or_default();
    let Some(flow) = shared.store().flow(flow_id) else {
        return pages::error_page(&AadError::flow_expired(), &Trace::new(&headers));
    };
    if param(&form, "action") == Some("cancel") {
        shared.store().end_flow(flow_id);
        return cancel(&flow, &headers);
    }
    let login = param(&form, "login").unwrap_or_default();
    let password = param(&form, "passwd").unwrap_or_default();
    match authenticate(&shared, &flow, login, password) {
        Err(message) => render(&shared, flow_id, &flow, login, Some(&message)),
        Ok(user) => match flow.kind {
            FlowKind::SignIn { .. } => {
                let for_organization = param(&form, ORGANIZATION_CONSENT_FIELD) == Some("true");
                authorize::complete(&shared, flow_id, &flow, user, for_organization, &headers)
            }
            FlowKind::AdminConsent { .. } => {
                consent::complete(&shared, flow_id, &flow, user, &headers)
            }
        },
    }
}

/// Cancel on the page: the user declined (65004, docs/microsoft.md §3 table), or for
/// admin consent the v1 / v2 decline redirects of docs/microsoft.md §4.
fn cancel(flow: &PendingFlow, headers: &HeaderMap) -> Response {
    match &flow.kind {
        FlowKind::SignIn { .. } => flow.reply.error(&AadError::user_declined(), headers),
        FlowKind::AdminConsent { v2_scope: None } => flow.reply.send_with_state(vec![
            ("error", "permission_denied".into()),
            ("error_description", "The admin canceled the request".into()),
        ]),
        FlowKind::AdminConsent { v2_scope: Some(_) } => {
            let declined = AadError::user_declined();
            flow.reply.send_with_state(vec![
                ("admin_consent", "True".into()),
                ("error", "consent_required".into()),
                (
                    "error_description",
                    declined.description(&Trace::new(headers)),
                ),
            ])
        }
    }
}

/// Checks the typed account against the world; the messages are the sign-in
/// page's own (AADSTS50034 unknown user, 50020 user of another tenant,
/// 50126 wrong password).
fn authenticate<'w>(
    shared: &'w Shared,
    flow: &PendingFlow,
    login: &str,
    password: &str,
) -> Result<&'w User, String> {
    let Some(user) = shared.world.user(login) else {
        return Err(
            "This username may be incorrect. Make sure you typed it correctly. Otherwise, contact your \
             admin. (AADSTS50034)"
                .into(),
        );
    };
    if let Authority::Tenant(tenant) = flow.authority {
        if user.tenant != tenant {
            return Err(format!(
                "AADSTS50020: User account '{}' from identity provider '{}' does not exist in tenant \
                 '{}' and cannot access the application '{}' in that tenant. The account needs to be \
                 added as an external user in the tenant first. Sign out and sign in again with a \
                 different Microsoft Entra user account.",
                user.upn,
                v1_issuer(user.tenant),
                flow.authority.label(&shared.world),
                flow.client_id
            ));
        }
    }
    if user.password != password {
        return Err(
            "Your account or password is incorrect. If you don't remember your password, reset it \
             now. (AADSTS50126)"
                .into(),
        );
    }
    Ok(user)
}
