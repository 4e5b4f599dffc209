//! Saved connections: list, save (secret to the keychain), rename,
//! duplicate, delete. The life cycle is the core's (`SavedConnections`);
//! the shell only forgets the open connection a change makes stale.

use d365_core::identity::input;
use d365_core::profiles::{Profile, ProfileEntry, ProfileStore};
use d365_core::secret_expiry::{SecretCredential, SecretExpiry};
use d365_core::UserError;
use tauri::State;

use crate::state::AppState;

#[tauri::command]
pub async fn list_profiles() -> Result<Vec<ProfileEntry>, UserError> {
    Ok(ProfileStore::open_default()?.entries()?)
}

/// Saves a profile; a secret, when given, is checked like on the
/// Credentials step and goes to the keychain only.
#[tauri::command]
pub async fn save_profile(
    state: State<'_, AppState>,
    profile: Profile,
    secret: Option<String>,
) -> Result<(), UserError> {
    let secret = match secret.filter(|s| !s.trim().is_empty()) {
        Some(raw) => Some(input::client_secret(&raw)?.value),
        None => None,
    };
    let profile = Profile {
        secret: profile.secret.map(SecretCredential::checked).transpose()?,
        ..profile
    };
    state.saved().await?.save(&profile, secret.as_ref())?;
    state.forget(&profile.name).await;
    Ok(())
}

/// How soon a secret expires, by the core's one rule, for the start page,
/// the token panel and the Credentials step.
#[tauri::command]
pub async fn secret_expiry(credential: SecretCredential) -> Result<SecretExpiry, UserError> {
    Ok(credential.expiry_today())
}

#[tauri::command]
pub async fn delete_profile(state: State<'_, AppState>, name: String) -> Result<(), UserError> {
    state.saved().await?.remove(&name)?;
    state.forget(&name).await;
    Ok(())
}

#[tauri::command]
pub async fn rename_profile(
    state: State<'_, AppState>,
    from: String,
    to: String,
) -> Result<(), UserError> {
    state.saved().await?.rename(&from, &to)?;
    state.forget(&from).await;
    Ok(())
}

#[tauri::command]
pub async fn duplicate_profile(
    state: State<'_, AppState>,
    from: String,
    to: String,
) -> Result<(), UserError> {
    Ok(state.saved().await?.duplicate(&from, &to)?)
}
