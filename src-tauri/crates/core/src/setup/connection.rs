//! Setup's result as a saved connection: the profile the rest of the
//! wizard (Connect, Environment, Browse, Check) proves, with the new
//! secret in the keychain only.

use serde::Serialize;
use ts_rs::TS;

use crate::identity::cloud::Cloud;
use crate::identity::scopes::default_permissions;
use crate::problem::UserError;
use crate::product::Product;
use crate::profiles::{Profile, Registration};
use crate::saved_connections::SavedConnections;
use crate::secret_expiry::SecretCredential;
use crate::setup::graph::Graph;
use crate::setup::handoff::ImportedApp;
use crate::setup::patience::Patience;
use crate::setup::plan::RegistrationPlan;
use crate::setup::progress::OnSetupEvent;
use crate::setup::record::SetupRecord;
use crate::setup::register::{register, RegisterRequest, Registered, SecretLifetime};
use time::OffsetDateTime;

/// What the administrator chose before signing in.
#[derive(Debug, Clone)]
pub struct SetupForm {
    /// The saved connection's name.
    pub name: String,
    pub product: Product,
    pub cloud: Cloud,
    pub tenant: String,
    pub registration: Registration,
    /// The app's name in Entra.
    pub app_name: String,
    pub secret_lifetime: SecretLifetime,
    pub environment: Option<String>,
    pub company: Option<String>,
}

impl SetupForm {
    pub fn plan(&self) -> RegistrationPlan {
        RegistrationPlan::new(self.product, self.registration, &self.app_name)
    }
}

/// What setup made, for the screen, `d365c` and the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SetupSummary {
    pub client_id: String,
    pub object_id: String,
    pub service_principal_id: String,
    /// The app was found from an earlier run and completed.
    pub reused: bool,
    pub delegated: Vec<String>,
    pub roles: Vec<String>,
    /// When the secret made now ends (RFC 3339); `None` when none was made.
    pub secret_expires: Option<String>,
}

impl From<&Registered> for SetupSummary {
    fn from(r: &Registered) -> Self {
        Self {
            client_id: r.client_id.clone(),
            object_id: r.object_id.clone(),
            service_principal_id: r.service_principal_id.clone(),
            reused: r.reused,
            delegated: r.delegated_granted.clone(),
            roles: r.roles_granted.clone(),
            secret_expires: r
                .secret
                .as_ref()
                .and_then(|s| s.credential.end_date_time.clone()),
        }
    }
}

/// Registers (or completes) the app and saves the connection, its secret
/// going straight into the keychain. A connection of the same name that an
/// earlier run saved points at its app, so a re-run completes that app and
/// keeps a secret the app still lists.
pub async fn register_and_save(
    connections: &SavedConnections,
    graph: &Graph,
    form: &SetupForm,
    patience: &Patience,
    on_event: OnSetupEvent<'_>,
) -> Result<(Profile, SetupSummary), UserError> {
    let name = form.name.trim();
    let earlier = connections.load(name).ok();
    let request = RegisterRequest {
        plan: form.plan(),
        known_object_id: earlier
            .as_ref()
            .and_then(|p| p.setup.as_ref())
            .map(|s| s.object_id.clone()),
        known_secret_key_id: earlier
            .as_ref()
            .and_then(|p| p.secret.as_ref())
            .and_then(|s| s.key_id.clone()),
        secret_lifetime: form.secret_lifetime,
    };
    let registered = register(graph, &request, patience, on_event).await?;
    let secret = match &registered.secret {
        Some(made) => SecretCredential::from_graph(
            &made.credential.key_id,
            made.credential.hint.as_deref(),
            made.credential.end_date_time.as_deref(),
        ),
        None => earlier.as_ref().and_then(|p| p.secret.clone()),
    };
    let profile = Profile {
        name: name.to_string(),
        product: form.product,
        cloud: form.cloud.clone(),
        tenant: form.tenant.trim().to_string(),
        client_id: registered.client_id.clone(),
        registration: form.registration,
        scopes: default_permissions(form.product, form.registration.grant()),
        environment: form.environment.clone(),
        company: form.company.clone(),
        network: earlier.as_ref().map(|p| p.network).unwrap_or_default(),
        secret,
        setup: Some(SetupRecord {
            app_name: form.plan().display_name,
            object_id: registered.object_id.clone(),
            service_principal_id: registered.service_principal_id.clone(),
            delegated: registered.delegated_granted.clone(),
            roles: registered.roles_granted.clone(),
            product_side: None,
            set_up_on: OffsetDateTime::now_utc().date().to_string(),
        }),
        // A re-run keeps how the consultant filed the connection.
        customer: earlier.as_ref().and_then(|p| p.customer.clone()),
        tags: earlier.as_ref().map(|p| p.tags.clone()).unwrap_or_default(),
    };
    let value = registered.secret.as_ref().map(|s| &s.value);
    connections.save(&profile, value)?;
    Ok((profile, SetupSummary::from(&registered)))
}

/// Notes in the connection what setup prepared inside the product.
pub fn record_product_side(
    connections: &SavedConnections,
    name: &str,
    done: &str,
) -> Result<Profile, UserError> {
    let mut profile = connections.load(name)?;
    if let Some(record) = profile.setup.as_mut() {
        record.product_side = Some(done.to_string());
    }
    connections.save(&profile, None)?;
    Ok(profile)
}

/// Saves the connection from the file the hand-off script wrote: the
/// administrator's tenant and app, the secret into the keychain only.
pub fn save_imported(
    connections: &SavedConnections,
    form: &SetupForm,
    imported: &ImportedApp,
) -> Result<Profile, UserError> {
    let secret = imported.secret_key_id.as_deref().and_then(|key| {
        SecretCredential::from_graph(
            key,
            imported.secret_hint.as_deref(),
            imported.secret_expires.as_deref(),
        )
    });
    let profile = Profile {
        name: form.name.trim().to_string(),
        product: form.product,
        cloud: form.cloud.clone(),
        tenant: imported.tenant.clone(),
        client_id: imported.client_id.clone(),
        registration: form.registration,
        scopes: default_permissions(form.product, form.registration.grant()),
        environment: form.environment.clone(),
        company: form.company.clone(),
        network: Default::default(),
        secret,
        setup: None,
        customer: None,
        tags: vec![],
    };
    connections.save(&profile, imported.secret.as_ref())?;
    Ok(profile)
}
