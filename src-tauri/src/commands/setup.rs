//! "Set it up for me" from the Register step: an administrator signs in,
//! setup registers the app and saves the connection, then prepares the
//! product for a background service; or, for someone who is not an
//! administrator, the hand-off pack and its import. The administrator's
//! session stays in `AppState` between commands until `end_setup`.

use d365_core::http::{self, Timeout};
use d365_core::identity::browser::SystemBrowser;
use d365_core::identity::cloud::Cloud;
use d365_core::identity::sign_in::{SignInEvent, SignInOptions};
use d365_core::product::Product;
use d365_core::profiles::{Profile, Registration};
use d365_core::setup::admin::{
    self, graph_root, AdminSession, AdminTask, SetupSignInInfo, GRAPH_COMMAND_LINE_TOOLS,
};
use d365_core::setup::connection::{
    record_product_side, register_and_save, save_imported, SetupForm, SetupSummary,
};
use d365_core::setup::handoff::{self, HandoffPack};
use d365_core::setup::patience::Patience;
use d365_core::setup::plan::default_display_name;
use d365_core::setup::product_side::business_central::{self, EntraApplicationsPage};
use d365_core::setup::product_side::dataverse::{self, SecurityRole};
use d365_core::setup::product_side::fno::{self, FnoUser};
use d365_core::setup::product_side::{as_administrator, ProductApi};
use d365_core::setup::progress::SetupEvent;
use d365_core::setup::register::SecretLifetime;
use d365_core::{ErrorKind, UserError};
use serde::{Deserialize, Serialize};
use tauri::ipc::Channel;
use tauri::State;
use ts_rs::TS;

use crate::commands::paths::user_path;
use crate::state::AppState;

/// What the administrator chose on the Register step's setup form.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct SetupRequest {
    /// The saved connection's name.
    pub name: String,
    pub product: Product,
    pub cloud: Cloud,
    pub tenant: String,
    pub registration: Registration,
    /// The app's name in Microsoft Entra.
    pub app_name: String,
    /// 6, 12 or 24.
    pub secret_months: u32,
    /// BC: environment name; F&O and Dataverse: environment URL.
    pub environment: Option<String>,
    pub company: Option<String>,
}

impl SetupRequest {
    fn form(self) -> Result<SetupForm, UserError> {
        let secret_lifetime = secret_lifetime(self.secret_months)?;
        Ok(SetupForm {
            name: self.name,
            product: self.product,
            cloud: self.cloud,
            tenant: self.tenant,
            registration: self.registration,
            app_name: self.app_name,
            secret_lifetime,
            environment: self.environment,
            company: self.company,
        })
    }
}

/// 6, 12 or 24 months, the lifetimes the UI offers.
pub(crate) fn secret_lifetime(months: u32) -> Result<SecretLifetime, UserError> {
    SecretLifetime::from_months(months).ok_or_else(|| {
        UserError::new(
            ErrorKind::InvalidInput,
            format!("A secret lifetime of {months} months is not offered."),
            "Choose 6, 12 or 24 months.",
        )
    })
}

/// What the setup form starts with.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SetupDefaults {
    pub app_name: String,
    /// The public client the administrator signs in to.
    pub setup_client_id: String,
    /// Why setup cannot run in this cloud, when it cannot.
    pub unavailable: Option<String>,
}

/// What setup made: the saved connection and what Entra holds now.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SetupDone {
    pub profile: Profile,
    pub summary: SetupSummary,
}

/// Finance & Operations' side: automatic when the environment offers the
/// Entra applications entity, with the users the app may act as; else
/// the values to enter by hand.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct FnoProductSide {
    pub automatic: bool,
    pub users: Vec<FnoUser>,
    /// The page and the values to type, when not automatic.
    pub by_hand: Vec<String>,
}

#[tauri::command]
pub fn setup_defaults(product: Product, registration: Registration, cloud: Cloud) -> SetupDefaults {
    SetupDefaults {
        app_name: default_display_name(product, registration),
        setup_client_id: GRAPH_COMMAND_LINE_TOOLS.to_string(),
        unavailable: graph_root(&cloud).err().map(|e| e.to_string()),
    }
}

#[tauri::command]
pub fn setup_sign_in_info(setup_client_id: String, task: AdminTask) -> SetupSignInInfo {
    admin::sign_in_info(setup_client_id.trim(), task)
}

/// The administrator signs in through the system browser; the session is
/// kept for the commands that follow. `cancel_operation(operation)` stops
/// the wait.
#[tauri::command]
pub async fn setup_sign_in(
    state: State<'_, AppState>,
    cloud: Cloud,
    tenant: String,
    setup_client_id: String,
    operation: String,
    on_event: Channel<SignInEvent>,
) -> Result<(), UserError> {
    *state.setup.lock().await = None;
    let http = http::client(Timeout::Normal)?;
    let on_event = |event| {
        let _ = on_event.send(event);
    };
    let session = state
        .run_operation(&operation, |cancel| async move {
            AdminSession::sign_in(
                http,
                &cloud,
                tenant.trim(),
                setup_client_id.trim(),
                &SystemBrowser,
                SignInOptions::default(),
                &cancel,
                &on_event,
            )
            .await
        })
        .await?;
    *state.setup.lock().await = Some(session);
    Ok(())
}

/// Registers (or completes) the app with the administrator's session and
/// saves the connection, its secret going to the keychain only.
#[tauri::command]
pub async fn setup_register(
    state: State<'_, AppState>,
    request: SetupRequest,
    operation: String,
    on_progress: Channel<SetupEvent>,
) -> Result<SetupDone, UserError> {
    let form = request.form()?;
    graph_root(&form.cloud)?;
    let connections = state.saved().await?;
    let http = http::client(Timeout::Normal)?;
    let session = state.setup.lock().await;
    let graph = signed_in(&session)?.graph(http, &form.cloud)?;
    let on_progress = |event| {
        let _ = on_progress.send(event);
    };
    let (profile, summary) = state
        .run_operation(&operation, |cancel| async move {
            // Cancelling mid-way is safe: a re-run finds the app by name
            // and completes it.
            cancel
                .run_until_cancelled(register_and_save(
                    &connections,
                    &graph,
                    &form,
                    &Patience::default(),
                    &on_progress,
                ))
                .await
                .unwrap_or_else(|| Err(cancelled()))
        })
        .await?;
    drop(session);
    state.forget(&profile.name).await;
    Ok(SetupDone { profile, summary })
}

/// Forgets the administrator's session (setup ended, or the wizard
/// started over).
#[tauri::command]
pub async fn end_setup(state: State<'_, AppState>) -> Result<(), UserError> {
    *state.setup.lock().await = None;
    Ok(())
}

/// Business Central's Microsoft Entra Applications page for the saved
/// connection's app.
#[tauri::command]
pub async fn setup_business_central_page(
    state: State<'_, AppState>,
    name: String,
    description: String,
) -> Result<EntraApplicationsPage, UserError> {
    let profile = state.saved().await?.load(&name)?;
    Ok(business_central::entra_applications_page(
        &profile.cloud,
        &profile.tenant,
        // The environment every tenant starts with, as `d365c setup` assumes.
        profile.environment.as_deref().unwrap_or("Production"),
        &profile.client_id,
        &description,
    ))
}

/// Dataverse's security roles, the suggested one first.
#[tauri::command]
pub async fn setup_dataverse_roles(
    state: State<'_, AppState>,
    name: String,
    operation: String,
    on_event: Channel<SignInEvent>,
) -> Result<Vec<SecurityRole>, UserError> {
    let (api, environment, _) = product_api(&state, &name, &operation, &on_event).await?;
    Ok(dataverse::security_roles(&api, &environment).await?)
}

/// Finds or creates the app's application user with the chosen role and
/// notes it in the connection, which it returns.
#[tauri::command]
pub async fn setup_dataverse_user(
    state: State<'_, AppState>,
    name: String,
    role_id: String,
    role_name: String,
    operation: String,
    on_event: Channel<SignInEvent>,
) -> Result<Profile, UserError> {
    let (api, environment, client_id) = product_api(&state, &name, &operation, &on_event).await?;
    let user = dataverse::ensure_application_user(&api, &environment, &client_id, &role_id).await?;
    record(&state, &name, &user.describe(&role_name)).await
}

/// Whether F&O's Microsoft Entra applications page can be filled in for
/// the administrator, and the users the app may act as.
#[tauri::command]
pub async fn setup_fno_options(
    state: State<'_, AppState>,
    name: String,
    app_name: String,
    operation: String,
    on_event: Channel<SignInEvent>,
) -> Result<FnoProductSide, UserError> {
    let (api, environment, client_id) = product_api(&state, &name, &operation, &on_event).await?;
    if !fno::has_entra_applications_entity(&api, &environment).await? {
        return Ok(FnoProductSide {
            automatic: false,
            users: vec![],
            by_hand: fno::by_hand(&client_id, &app_name, None),
        });
    }
    Ok(FnoProductSide {
        automatic: true,
        users: fno::users(&api, &environment).await?,
        by_hand: vec![],
    })
}

/// Adds the app to F&O's Microsoft Entra applications page, acting as
/// `user_id`, and notes it in the connection, which it returns.
#[tauri::command]
pub async fn setup_fno_application(
    state: State<'_, AppState>,
    name: String,
    app_name: String,
    user_id: String,
    operation: String,
    on_event: Channel<SignInEvent>,
) -> Result<Profile, UserError> {
    let (api, environment, client_id) = product_api(&state, &name, &operation, &on_event).await?;
    let mapped =
        fno::ensure_entra_application(&api, &environment, &client_id, &app_name, &user_id).await?;
    record(&state, &name, &fno::describe(&mapped)).await
}

/// Notes in the saved connection what setup prepared inside the product.
async fn record(state: &AppState, name: &str, done: &str) -> Result<Profile, UserError> {
    let profile = record_product_side(&state.saved().await?, name, done)?;
    state.forget(name).await;
    Ok(profile)
}

/// The script, checklist and roles for an administrator to run setup.
#[tauri::command]
pub fn setup_handoff(request: SetupRequest) -> Result<HandoffPack, UserError> {
    let form = request.form()?;
    Ok(pack(&form))
}

/// Writes the hand-off script where the user chose; returns the path.
#[tauri::command]
pub fn save_handoff_script(request: SetupRequest, path: String) -> Result<String, UserError> {
    let path = user_path(&path)?;
    let script = pack(&request.form()?).script;
    std::fs::write(&path, script).map_err(|e| {
        UserError::new(
            ErrorKind::ExportFailed,
            format!("The script could not be saved to {}.", path.display()),
            "Choose a folder you can write to, e.g. ~/Documents.",
        )
        .with_details(e.to_string())
    })?;
    Ok(path.display().to_string())
}

/// The script's output is a few hundred bytes; anything far larger is not it.
const LARGEST_OUTPUT: u64 = 64 * 1024;

/// Saves the connection the form describes with the app (tenant, client
/// ID, secret) from the file the administrator's script wrote.
#[tauri::command]
pub async fn import_handoff(
    state: State<'_, AppState>,
    request: SetupRequest,
    path: String,
) -> Result<Profile, UserError> {
    let form = request.form()?;
    let path = user_path(&path)?;
    let unreadable = |details: String| {
        UserError::new(
            ErrorKind::InvalidInput,
            format!("{} could not be read.", path.display()),
            format!(
                "Check the file's name and folder: it is the {} your administrator sent.",
                handoff::OUTPUT_FILE
            ),
        )
        .with_details(details)
    };
    let size = std::fs::metadata(&path)
        .map_err(|e| unreadable(e.to_string()))?
        .len();
    if size > LARGEST_OUTPUT {
        return Err(unreadable(format!("{size} bytes")));
    }
    let text = std::fs::read_to_string(&path).map_err(|e| unreadable(e.to_string()))?;
    let imported = handoff::read_output(&text)?;
    let profile = save_imported(&state.saved().await?, &form, &imported)?;
    state.forget(&profile.name).await;
    Ok(profile)
}

fn pack(form: &SetupForm) -> HandoffPack {
    handoff::pack(
        &form.plan(),
        &form.cloud,
        form.tenant.trim(),
        form.secret_lifetime,
    )
}

fn signed_in(session: &Option<AdminSession>) -> Result<&AdminSession, UserError> {
    session.as_ref().ok_or_else(signed_out)
}

fn signed_out() -> UserError {
    UserError::new(
        ErrorKind::SignInExpired,
        "The administrator's sign-in for setup has ended.",
        "Choose \"Set it up for me\" again and sign in.",
    )
}

fn cancelled() -> UserError {
    UserError::new(
        ErrorKind::Cancelled,
        "Setup was stopped.",
        "Start it again when you are ready: it carries on where it stopped.",
    )
}

/// The product's API with the administrator's token for the saved
/// connection's environment, that environment, and the app's client ID.
async fn product_api(
    state: &AppState,
    name: &str,
    operation: &str,
    on_event: &Channel<SignInEvent>,
) -> Result<(ProductApi, String, String), UserError> {
    let connection = state.connection(name).await?;
    let product = connection.profile().product;
    let client_id = connection.profile().client_id.clone();
    let resource = connection.resource()?;
    let http = connection.http().clone();
    let mut session = state.setup.lock().await;
    let session = session.as_mut().ok_or_else(signed_out)?;
    let on_event = |event| {
        let _ = on_event.send(event);
    };
    let (on_event, audience) = (&on_event, &resource);
    let api = state
        .run_operation(operation, |cancel| async move {
            as_administrator(
                session,
                http,
                product,
                audience,
                &SystemBrowser,
                SignInOptions::default(),
                &cancel,
                on_event,
            )
            .await
        })
        .await?;
    Ok((api, resource, client_id))
}

#[cfg(test)]
mod tests {
    use d365_core::identity::cloud::CustomCloud;

    use super::*;

    fn request(months: u32) -> SetupRequest {
        SetupRequest {
            name: "Contoso".into(),
            product: Product::BusinessCentral,
            cloud: Cloud::Public,
            tenant: " contoso.onmicrosoft.com ".into(),
            registration: Registration::BackgroundService,
            app_name: "Contoso's app".into(),
            secret_months: months,
            environment: Some("Production".into()),
            company: None,
        }
    }

    #[test]
    fn only_the_offered_secret_lifetimes_are_accepted() {
        assert_eq!(
            request(24).form().unwrap().secret_lifetime,
            SecretLifetime::Months24
        );
        assert_eq!(
            request(36).form().unwrap_err().kind,
            ErrorKind::InvalidInput
        );
    }

    #[test]
    fn setup_is_not_offered_without_a_graph_address() {
        let defaults = setup_defaults(
            Product::Dataverse,
            Registration::BackgroundService,
            Cloud::Public,
        );
        assert!(defaults.unavailable.is_none());
        assert_eq!(defaults.setup_client_id, GRAPH_COMMAND_LINE_TOOLS);
        assert!(defaults.app_name.contains("Dataverse"));
        let custom = Cloud::Custom(CustomCloud {
            authority: "http://127.0.0.1:1/entra".into(),
            bc_api: None,
            fno_url: None,
            dataverse_url: None,
            globaldisco: None,
            bc_resource: None,
            graph: None,
        });
        let defaults = setup_defaults(Product::Dataverse, Registration::BackgroundService, custom);
        assert!(defaults
            .unavailable
            .is_some_and(|why| why.contains("Microsoft Graph")));
    }

    #[test]
    fn the_hand_off_script_is_saved_where_asked_with_the_tenant_trimmed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("register.ps1");
        let written = save_handoff_script(request(6), path.display().to_string()).unwrap();
        assert_eq!(written, path.display().to_string());
        let script = std::fs::read_to_string(&path).unwrap();
        assert!(script.contains("AddMonths(6)"), "{script}");
        assert!(script.contains("contoso.onmicrosoft.com"));
        assert!(!script.contains(" contoso.onmicrosoft.com "));
        assert_eq!(
            save_handoff_script(request(6), "relative.ps1".into())
                .unwrap_err()
                .kind,
            ErrorKind::InvalidInput
        );
    }
}
