//! "Try the sandbox tenant": the sandbox starts inside the app, on
//! loopback, and the wizard is pre-filled with its demo app.

use d365_core::identity::cloud::{Cloud, CustomCloud};
use d365_core::{ErrorKind, UserError};
use d365_sandbox::data::Scale;
use d365_sandbox::world::World;
use d365_sandbox::{Options, Sandbox};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::state::AppState;

/// What the wizard fills in for the sandbox tenant.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SandboxTenant {
    pub cloud: Cloud,
    pub tenant: String,
    /// The demo app with a secret (Web platform).
    pub client_id: Option<String>,
    /// Its secret: the sandbox's published demo value, usable nowhere else.
    pub client_secret: Option<String>,
    /// The demo app without a secret (Mobile and desktop).
    pub public_client_id: Option<String>,
    pub bc_environment: Option<String>,
    pub fno_url: Option<String>,
    pub dataverse_url: Option<String>,
    /// The account to sign in with on the sandbox's page.
    pub user: Option<String>,
    pub password: Option<String>,
}

/// Starts (or reuses) the sandbox. `large` gives 100,000 customers and
/// sales invoices, for trying the table with real volume.
#[tauri::command]
pub async fn start_sandbox(
    state: State<'_, AppState>,
    large: bool,
) -> Result<SandboxTenant, UserError> {
    let scale = if large { Scale::Large } else { Scale::Small };
    let mut running = state.sandbox.lock().await;
    if running.as_ref().is_some_and(|(_, at)| *at != scale) {
        // Another size was asked for: the old one stops when dropped.
        *running = None;
    }
    if running.is_none() {
        let options = Options { port: 0, scale };
        let sandbox = Sandbox::start_with(World::demo(), options)
            .await
            .map_err(|e| {
                UserError::new(
                    ErrorKind::Internal,
                    "The sandbox tenant could not start.",
                    "Close other programs that use many network ports, then try again.",
                )
                .with_details(e.to_string())
            })?;
        *running = Some((sandbox, scale));
    }
    let Some((sandbox, _)) = running.as_ref() else {
        return Err(UserError::new(
            ErrorKind::Internal,
            "The sandbox tenant is not running.",
            "Try again.",
        ));
    };
    let e = sandbox.endpoints();
    Ok(SandboxTenant {
        cloud: Cloud::Custom(CustomCloud {
            authority: e.authority,
            bc_api: Some(e.bc_api),
            fno_url: e.fno_url.clone(),
            dataverse_url: e.dataverse_url.clone(),
            globaldisco: Some(e.globaldisco),
            bc_resource: None,
            graph: Some(format!("{}/graph", e.base)),
        }),
        tenant: e.demo.tenant_id,
        client_id: e.demo.client_id,
        client_secret: e.demo.client_secret,
        public_client_id: e.demo.public_client_id,
        bc_environment: e.demo.environment,
        fno_url: e.fno_url,
        dataverse_url: e.dataverse_url,
        user: e.demo.user.as_ref().map(|u| u.upn.clone()),
        password: e.demo.user.map(|u| u.password),
    })
}
