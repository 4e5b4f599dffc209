//! "Replace the secret": a new client secret is made, proven to work, kept
//! in the keychain, and only then the old one is removed, so a connection
//! is never left without a working secret (docs/microsoft.md §9).

use crate::identity::flow::{EntraClient, FlowError};
use crate::identity::scopes;
use crate::problem::{ErrorKind, Explain, UserError};
use crate::profiles::{ClientType, Profile};
use crate::saved_connections::SavedConnections;
use crate::secret_expiry::SecretCredential;
use crate::setup::graph::{Graph, GraphError, PasswordCredential};
use crate::setup::patience::Patience;
use crate::setup::progress::{report, OnSetupEvent, SetupStep, StepState};
use crate::setup::register::SecretLifetime;

#[derive(Debug)]
pub struct Renewed {
    /// The connection as saved with the new secret's expiry.
    pub profile: Profile,
    pub credential: PasswordCredential,
    /// The key ID of the secret removed; `None` when the old one was not
    /// known and was left in place.
    pub removed: Option<String>,
}

/// Which connection's secret to replace.
pub struct Renewal<'a> {
    pub profile: &'a Profile,
    pub lifetime: SecretLifetime,
}

pub async fn renew_secret(
    connections: &SavedConnections,
    graph: &Graph,
    http: reqwest::Client,
    renewal: Renewal<'_>,
    patience: &Patience,
    on_event: OnSetupEvent<'_>,
) -> Result<Renewed, UserError> {
    let Renewal { profile, lifetime } = renewal;
    if profile.registration.client_type() == ClientType::Public {
        return Err(UserError::new(
            ErrorKind::InvalidInput,
            format!(
                "'{}' signs people in without a client secret: there is no secret to replace.",
                profile.name
            ),
            "Nothing to do for this connection.",
        ));
    }
    // The secret in the keychain is removed once the new one works; when its
    // key ID is unknown it stays (something else may use it).
    let old_key_id = profile.secret.as_ref().and_then(|s| s.key_id.as_deref());
    report(
        on_event,
        SetupStep::Secret,
        StepState::Started,
        "Finding the app registration.",
    );
    let app = graph
        .application_by_client_id(&profile.client_id)
        .await?
        .ok_or_else(|| {
            UserError::new(
                ErrorKind::AppNotFound,
                format!("No app with client ID {} is registered in this organization.", profile.client_id),
                "Sign in to the organization the connection uses (the account picker may have chosen another), or run setup again.",
            )
        })?;
    let now = time::OffsetDateTime::now_utc();
    let end = lifetime
        .end(now)
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| {
            UserError::new(
                ErrorKind::Internal,
                "The end date could not be written.",
                "Try again.",
            )
            .with_details(e.to_string())
        })?;
    let added = graph
        .add_password(&app.id, &format!("D365 Connect {}", now.date()), &end)
        .await?;

    // Proven before anything is removed: a new secret can take a moment to
    // reach every Entra server, like a new app.
    let resource = scopes::resource(
        profile.product,
        &profile.cloud,
        profile.environment.as_deref(),
    )?;
    let client = EntraClient::new(
        http,
        &profile.cloud,
        &profile.tenant,
        &profile.client_id,
        Some(&added.value),
    )?;
    let scope = vec![format!("{resource}/.default")];
    patience
        .wait_out(SetupStep::Secret, on_event, not_yet_known, || {
            client.client_credentials(&scope)
        })
        .await?;
    let renewed = Profile {
        secret: SecretCredential::from_graph(
            &added.credential.key_id,
            added.credential.hint.as_deref(),
            added.credential.end_date_time.as_deref(),
        ),
        ..profile.clone()
    };
    connections.save(&renewed, Some(&added.value))?;
    report(
        on_event,
        SetupStep::Secret,
        StepState::Done,
        format!(
            "The new secret works and is in your keychain; it ends on {}.",
            &end[..10]
        ),
    );

    let removed = match old_key_id {
        Some(old)
            if app
                .password_credentials
                .iter()
                .any(|c| c.key_id.eq_ignore_ascii_case(old)) =>
        {
            graph
                .remove_password(&app.id, old)
                .await
                .map_err(|e: GraphError| UserError::from(e))?;
            Some(old.to_string())
        }
        _ => None,
    };
    Ok(Renewed {
        profile: renewed,
        credential: added.credential,
        removed,
    })
}

/// Entra not knowing a just-made secret yet looks like a wrong one.
fn not_yet_known(e: &FlowError) -> bool {
    matches!(e.kind(), ErrorKind::InvalidSecret | ErrorKind::AppNotFound)
}
