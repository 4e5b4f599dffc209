//! The Entra half of setup, through Graph (docs/microsoft.md §9): check the
//! person's role, find the product's API, create or complete the app, its
//! service principal and secret, and grant tenant-wide consent. Re-running
//! finds what exists (by the saved object ID, then by name) and completes
//! it, so an interrupted setup never leaves a duplicate behind.

use time::OffsetDateTime;

use crate::identity::scopes::Access;
use crate::setup::admin::ADMIN_ROLES;
use crate::setup::error::SetupError;
use crate::setup::graph::{
    Application, ApplicationBody, Graph, GraphError, NewPassword, RedirectUris,
    RequiredResourceAccess, ResourceAccess, ServicePrincipal,
};
use crate::setup::patience::Patience;
use crate::setup::plan::{RegistrationPlan, SINGLE_TENANT};
use crate::setup::progress::{report, OnSetupEvent, SetupStep, StepState};

/// How long a new client secret lives: the Entra admin center offers up to
/// 24 months and Microsoft recommends less than 12 (docs/microsoft.md §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecretLifetime {
    Months6,
    #[default]
    Months12,
    Months24,
}

impl SecretLifetime {
    pub fn from_months(months: u32) -> Option<Self> {
        match months {
            6 => Some(Self::Months6),
            12 => Some(Self::Months12),
            24 => Some(Self::Months24),
            _ => None,
        }
    }

    pub fn months(self) -> u32 {
        match self {
            Self::Months6 => 6,
            Self::Months12 => 12,
            Self::Months24 => 24,
        }
    }

    /// The end date from `now`, month arithmetic clamped to the month's
    /// last day (31 August + 6 months is 28 or 29 February).
    pub fn end(self, now: OffsetDateTime) -> OffsetDateTime {
        let total = now.month() as u32 - 1 + self.months();
        let year = now.year() + (total / 12) as i32;
        let month = time::Month::try_from((total % 12 + 1) as u8).unwrap_or(time::Month::December);
        let day = now.day().min(month.length(year));
        time::Date::from_calendar_date(year, month, day)
            .map(|date| now.replace_date(date))
            .unwrap_or(now)
    }
}

/// What a run of setup starts from.
#[derive(Debug, Clone)]
pub struct RegisterRequest {
    pub plan: RegistrationPlan,
    /// The object ID a previous run saved, when there was one.
    pub known_object_id: Option<String>,
    /// The key ID of the secret the keychain already holds for this app:
    /// when the app still lists it, no new secret is made.
    pub known_secret_key_id: Option<String>,
    pub secret_lifetime: SecretLifetime,
}

/// What setup made or found in Entra. The secret's value is in `secret`
/// only when one was made now.
#[derive(Debug)]
pub struct Registered {
    pub object_id: String,
    pub client_id: String,
    pub service_principal_id: String,
    /// The app existed and was completed rather than created.
    pub reused: bool,
    pub secret: Option<NewPassword>,
    pub delegated_granted: Vec<String>,
    pub roles_granted: Vec<String>,
}

/// Runs the Entra half of setup with an administrator's Graph client.
pub async fn register(
    graph: &Graph,
    request: &RegisterRequest,
    patience: &Patience,
    on_event: OnSetupEvent<'_>,
) -> Result<Registered, SetupError> {
    check_role(graph, on_event).await?;
    let plan = &request.plan;
    let resource = find_product(graph, plan, on_event).await?;
    let body = application_body(plan, &resource)?;

    report(
        on_event,
        SetupStep::Register,
        StepState::Started,
        "Looking for an app from an earlier setup.",
    );
    let (app, reused) = match find_existing(graph, request).await? {
        Some(app) => {
            let completed = body.added_to(&app);
            patience
                .wait_out(
                    SetupStep::Register,
                    on_event,
                    GraphError::is_replication_delay,
                    || graph.update_application(&app.id, &completed),
                )
                .await?;
            (app, true)
        }
        None => (graph.create_application(&body).await?, false),
    };
    report(
        on_event,
        SetupStep::Register,
        StepState::Done,
        format!(
            "{} the app '{}' (client ID {}).",
            if reused { "Completed" } else { "Created" },
            plan.display_name,
            app.app_id
        ),
    );

    let sp = service_principal(graph, &app, patience, on_event).await?;
    let secret = secret(graph, request, &app, reused, patience, on_event).await?;
    let (delegated_granted, roles_granted) =
        consent(graph, plan, &resource, &sp, patience, on_event).await?;
    Ok(Registered {
        object_id: app.id,
        client_id: app.app_id,
        service_principal_id: sp.id,
        reused,
        secret,
        delegated_granted,
        roles_granted,
    })
}

/// Stops before anything is made when the person cannot finish: a half-made
/// app is worse than none (docs/microsoft.md §9, roles).
async fn check_role(graph: &Graph, on_event: OnSetupEvent<'_>) -> Result<(), SetupError> {
    report(
        on_event,
        SetupStep::CheckRole,
        StepState::Started,
        "Checking your administrator role.",
    );
    let roles = graph.my_directory_roles().await?;
    let held = roles.iter().find_map(|role| {
        let id = role.role_template_id.as_deref()?;
        ADMIN_ROLES
            .iter()
            .find(|(template, _)| template.eq_ignore_ascii_case(id))
            .map(|(_, name)| *name)
    });
    let Some(name) = held else {
        return Err(SetupError::NotAdministrator {
            roles: roles.into_iter().filter_map(|r| r.display_name).collect(),
        });
    };
    report(
        on_event,
        SetupStep::CheckRole,
        StepState::Done,
        format!("You are a {name}."),
    );
    Ok(())
}

/// The product's API in this tenant, with its permission IDs by name.
async fn find_product(
    graph: &Graph,
    plan: &RegistrationPlan,
    on_event: OnSetupEvent<'_>,
) -> Result<ServicePrincipal, SetupError> {
    let (api_name, app_id) = plan.product.entra_api();
    report(
        on_event,
        SetupStep::FindProduct,
        StepState::Started,
        format!("Looking for {api_name} in your organization."),
    );
    let resource = graph
        .service_principal(app_id)
        .await?
        .ok_or(SetupError::ProductNotInTenant { api: api_name })?;
    report(
        on_event,
        SetupStep::FindProduct,
        StepState::Done,
        format!("Found {api_name}."),
    );
    Ok(resource)
}

/// The registration Graph creates or brings up to date. Every permission
/// is looked up by name on the resource (docs/microsoft.md §9).
fn application_body(
    plan: &RegistrationPlan,
    resource: &ServicePrincipal,
) -> Result<ApplicationBody, SetupError> {
    let resource_access = plan
        .permissions
        .iter()
        .map(|(name, access)| {
            permission_id(resource, name, *access).map(|id| ResourceAccess {
                id,
                kind: match access {
                    Access::Delegated => "Scope",
                    Access::Application => "Role",
                }
                .to_string(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ApplicationBody {
        display_name: plan.display_name.clone(),
        sign_in_audience: SINGLE_TENANT,
        public_client: RedirectUris {
            redirect_uris: plan.public_client_redirects.clone(),
        },
        web: RedirectUris {
            redirect_uris: plan.web_redirects.clone(),
        },
        required_resource_access: if resource_access.is_empty() {
            vec![]
        } else {
            vec![RequiredResourceAccess {
                resource_app_id: resource.app_id.clone(),
                resource_access,
            }]
        },
    })
}

fn permission_id(
    resource: &ServicePrincipal,
    name: &str,
    access: Access,
) -> Result<String, SetupError> {
    let found = match access {
        Access::Delegated => resource
            .oauth2_permission_scopes
            .iter()
            .find(|s| s.value.as_deref() == Some(name))
            .map(|s| s.id.clone()),
        Access::Application => resource
            .app_roles
            .iter()
            .find(|r| r.value.as_deref() == Some(name))
            .map(|r| r.id.clone()),
    };
    found.ok_or_else(|| SetupError::PermissionUnknown {
        name: name.to_string(),
    })
}

/// The app of an earlier run: by saved object ID, then by its name.
async fn find_existing(
    graph: &Graph,
    request: &RegisterRequest,
) -> Result<Option<Application>, SetupError> {
    if let Some(id) = &request.known_object_id {
        if let Some(app) = graph.application(id).await? {
            return Ok(Some(app));
        }
    }
    let mut named = graph.applications_named(&request.plan.display_name).await?;
    match named.len() {
        0 | 1 => Ok(named.pop()),
        count => Err(SetupError::AmbiguousName {
            name: request.plan.display_name.clone(),
            count,
        }),
    }
}

async fn service_principal(
    graph: &Graph,
    app: &Application,
    patience: &Patience,
    on_event: OnSetupEvent<'_>,
) -> Result<ServicePrincipal, SetupError> {
    report(
        on_event,
        SetupStep::ServicePrincipal,
        StepState::Started,
        "Adding the app to your organization's enterprise applications.",
    );
    // A service principal made moments ago (by an earlier run) can be
    // missing from the read yet refuse creation as "already in use": both
    // mean "wait for Entra to catch up", so every try reads first.
    let sp = patience
        .wait_out(
            SetupStep::ServicePrincipal,
            on_event,
            |e: &GraphError| e.is_replication_delay() || e.is_already_there(),
            || async {
                match graph.service_principal(&app.app_id).await? {
                    Some(sp) => Ok(sp),
                    None => graph.create_service_principal(&app.app_id).await,
                }
            },
        )
        .await?;
    report(
        on_event,
        SetupStep::ServicePrincipal,
        StepState::Done,
        "The app is an enterprise application of your organization.",
    );
    Ok(sp)
}

async fn secret(
    graph: &Graph,
    request: &RegisterRequest,
    app: &Application,
    reused: bool,
    patience: &Patience,
    on_event: OnSetupEvent<'_>,
) -> Result<Option<NewPassword>, SetupError> {
    if !request.plan.needs_secret() {
        return Ok(None);
    }
    let kept = reused
        && request.known_secret_key_id.as_deref().is_some_and(|key| {
            app.password_credentials
                .iter()
                .any(|c| c.key_id.eq_ignore_ascii_case(key))
        });
    if kept {
        report(
            on_event,
            SetupStep::Secret,
            StepState::Done,
            "The secret in your keychain is still valid for this app.",
        );
        return Ok(None);
    }
    report(
        on_event,
        SetupStep::Secret,
        StepState::Started,
        "Making a client secret.",
    );
    let now = OffsetDateTime::now_utc();
    let end = request.secret_lifetime.end(now);
    let end_text = end
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| SetupError::Internal(e.to_string()))?;
    let label = format!("D365 Connect {}", now.date());
    let added = patience
        .wait_out(
            SetupStep::Secret,
            on_event,
            GraphError::is_replication_delay,
            || graph.add_password(&app.id, &label, &end_text),
        )
        .await?;
    report(
        on_event,
        SetupStep::Secret,
        StepState::Done,
        format!(
            "Made a secret valid for {} months, until {}; it goes straight into your keychain.",
            request.secret_lifetime.months(),
            end.date()
        ),
    );
    Ok(Some(added))
}

/// Tenant-wide consent, as "Grant admin consent for <tenant>" gives:
/// delegated permissions in one grant per resource, application
/// permissions one assignment each (docs/microsoft.md §9).
async fn consent(
    graph: &Graph,
    plan: &RegistrationPlan,
    resource: &ServicePrincipal,
    sp: &ServicePrincipal,
    patience: &Patience,
    on_event: OnSetupEvent<'_>,
) -> Result<(Vec<String>, Vec<String>), SetupError> {
    report(
        on_event,
        SetupStep::Consent,
        StepState::Started,
        "Granting consent for your organization.",
    );
    let delegated: Vec<String> = plan.delegated().map(String::from).collect();
    if !delegated.is_empty() {
        let wanted = delegated.join(" ");
        let existing = patience
            .wait_out(
                SetupStep::Consent,
                on_event,
                GraphError::is_replication_delay,
                || graph.tenant_wide_grants(&sp.id),
            )
            .await?;
        match existing.iter().find(|g| g.resource_id == resource.id) {
            Some(grant) => {
                let mut scopes: Vec<&str> = grant.scope.split_whitespace().collect();
                let missing: Vec<&str> = delegated
                    .iter()
                    .map(String::as_str)
                    .filter(|d| !scopes.contains(d))
                    .collect();
                if !missing.is_empty() {
                    scopes.extend(missing);
                    graph.update_grant(&grant.id, &scopes.join(" ")).await?;
                }
            }
            None => {
                patience
                    .wait_out(
                        SetupStep::Consent,
                        on_event,
                        GraphError::is_replication_delay,
                        || graph.grant_tenant_wide(&sp.id, &resource.id, &wanted),
                    )
                    .await?;
            }
        }
    }
    let roles: Vec<String> = plan.application().map(String::from).collect();
    if !roles.is_empty() {
        let held = graph.role_assignments(&resource.id).await?;
        for name in &roles {
            let role_id = permission_id(resource, name, Access::Application)?;
            if held
                .iter()
                .any(|a| a.principal_id == sp.id && a.app_role_id == role_id)
            {
                continue;
            }
            let assigned = patience
                .wait_out(
                    SetupStep::Consent,
                    on_event,
                    GraphError::is_replication_delay,
                    || graph.assign_role(&resource.id, &sp.id, &role_id),
                )
                .await;
            match assigned {
                Err(e) if !e.is_already_there() => return Err(e.into()),
                _ => {}
            }
        }
    }
    let all: Vec<&str> = delegated.iter().chain(&roles).map(String::as_str).collect();
    report(
        on_event,
        SetupStep::Consent,
        StepState::Done,
        if all.is_empty() {
            "Nothing to consent to in Microsoft Entra: the product grants access itself.".into()
        } else {
            format!("Granted for your organization: {}.", all.join(", "))
        },
    );
    Ok((delegated, roles))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn secret_lifetimes_end_on_the_same_day_or_the_months_last() {
        let now = datetime!(2026-12-04 10:00 UTC);
        assert_eq!(
            SecretLifetime::Months12.end(now),
            datetime!(2027-12-04 10:00 UTC)
        );
        assert_eq!(
            SecretLifetime::Months6.end(now),
            datetime!(2027-06-04 10:00 UTC)
        );
        assert_eq!(
            SecretLifetime::Months24.end(now),
            datetime!(2028-12-04 10:00 UTC)
        );
        let end_of_august = datetime!(2027-08-31 0:00 UTC);
        assert_eq!(
            SecretLifetime::Months6.end(end_of_august),
            datetime!(2028-02-29 0:00 UTC)
        );
        assert_eq!(SecretLifetime::from_months(7), None);
    }
}
