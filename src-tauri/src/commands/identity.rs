//! Signing in from the window: the system browser, live stages, Cancel.

use d365_core::guide;
use d365_core::identity::browser::{Browser, SystemBrowser};
use d365_core::identity::flow::ConsentEndpoint;
use d365_core::identity::sign_in::{ConsentGranted, SignInEvent, SignInOptions};
use d365_core::UserError;
use tauri::ipc::Channel;
use tauri::State;

use d365_core::identity::verdict::TokenInfo;

use crate::commands::checks::read_token;
use crate::state::AppState;

/// Signs the user in through the system browser, then reads the token for
/// the token panel. `cancel_operation(operation)` stops the wait.
#[tauri::command]
pub async fn sign_in(
    state: State<'_, AppState>,
    name: String,
    operation: String,
    on_event: Channel<SignInEvent>,
) -> Result<TokenInfo, UserError> {
    let connection = state.connection(&name).await?;
    let on_event = |event| {
        let _ = on_event.send(event);
    };
    state
        .run_operation(&operation, |cancel| async move {
            let options = SignInOptions::default();
            connection
                .sign_in(&SystemBrowser, options, &cancel, &on_event)
                .await
        })
        .await?;
    read_token(&state, &name).await
}

/// Opens the admin consent page (v2) and waits for the administrator.
#[tauri::command]
pub async fn admin_consent(
    state: State<'_, AppState>,
    name: String,
    operation: String,
    on_event: Channel<SignInEvent>,
) -> Result<ConsentGranted, UserError> {
    let connection = state.connection(&name).await?;
    let on_event = |event| {
        let _ = on_event.send(event);
    };
    let granted = state
        .run_operation(&operation, |cancel| async move {
            let options = SignInOptions::default();
            connection
                .admin_consent(
                    ConsentEndpoint::V2,
                    &SystemBrowser,
                    options,
                    &cancel,
                    &on_event,
                )
                .await
        })
        .await?;
    Ok(granted)
}

/// Opens one of the guide's Microsoft pages. Only https pages of the
/// Entra and Azure portals: the window cannot open anything else.
#[tauri::command]
pub fn open_in_browser(url: String) -> Result<(), UserError> {
    if !guide::is_portal_page(&url) {
        return Err(UserError::new(
            d365_core::ErrorKind::InvalidInput,
            "D365 Connect only opens Microsoft's admin pages.",
            "Open the page yourself if you trust it.",
        ));
    }
    Ok(SystemBrowser.open(&url)?)
}
