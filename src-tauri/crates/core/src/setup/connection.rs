//! Setup's result as a saved connection: the profile the rest of the
//! wizard (Connect, Environment, Browse, Check) proves, with the new
//! secret in the keychain only.

use serde::Serialize;
use ts_rs::TS;

use crate::identity::cloud::Cloud;
use crate::identity::scopes::default_permissions;
use crate::problem::UserError;
use crate::product::Product;
use crate::profiles::{NetworkSettings, Profile, Registration};
use crate::saved_connections::SavedConnections;
use crate::setup::graph::Graph;
use crate::setup::patience::Patience;
use crate::setup::plan::RegistrationPlan;
use crate::setup::progress::OnSetupEvent;
use crate::setup::register::{register, RegisterRequest, Registered, SecretLifetime};

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
/// going straight into the keychain.
pub async fn register_and_save(
    connections: &SavedConnections,
    graph: &Graph,
    form: &SetupForm,
    patience: &Patience,
    on_event: OnSetupEvent<'_>,
) -> Result<(Profile, SetupSummary), UserError> {
    let request = RegisterRequest {
        plan: form.plan(),
        known_object_id: None,
        known_secret_key_id: None,
        secret_lifetime: form.secret_lifetime,
    };
    let registered = register(graph, &request, patience, on_event).await?;
    let profile = Profile {
        name: form.name.trim().to_string(),
        product: form.product,
        cloud: form.cloud.clone(),
        tenant: form.tenant.trim().to_string(),
        client_id: registered.client_id.clone(),
        registration: form.registration,
        scopes: default_permissions(form.product, form.registration.grant()),
        environment: form.environment.clone(),
        company: form.company.clone(),
        network: NetworkSettings::default(),
    };
    let secret = registered.secret.as_ref().map(|s| &s.value);
    connections.save(&profile, secret)?;
    Ok((profile, SetupSummary::from(&registered)))
}
