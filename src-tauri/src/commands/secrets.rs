use d365_core::secrets::SecretStoreStatus;
use d365_core::UserError;
use tauri::State;

use crate::state::AppState;

/// Which secret store is active, so the Credentials step can tell the user
/// whether their secret will be remembered.
#[tauri::command]
pub async fn secret_store_status(
    state: State<'_, AppState>,
) -> Result<SecretStoreStatus, UserError> {
    Ok(state.secrets().await?.status())
}
