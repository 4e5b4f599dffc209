//! Saved connections: list, save (secret to the keychain), rename,
//! duplicate, delete.

use d365_core::identity::input;
use d365_core::problem::Explain;
use d365_core::profiles::Profile;
use d365_core::secrets::{SecretKey, SecretKind};
use d365_core::UserError;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::state::AppState;

/// One saved connection, or why its file could not be read.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ProfileEntry {
    pub name: String,
    pub profile: Option<Profile>,
    pub problem: Option<UserError>,
}

#[tauri::command]
pub async fn list_profiles(state: State<'_, AppState>) -> Result<Vec<ProfileEntry>, UserError> {
    let entries = state.profiles()?.list()?;
    Ok(entries
        .into_iter()
        .map(|entry| match entry {
            Ok(profile) => ProfileEntry {
                name: profile.name.clone(),
                profile: Some(profile),
                problem: None,
            },
            Err(e) => ProfileEntry {
                name: e.to_string(),
                profile: None,
                problem: Some(e.explain()),
            },
        })
        .collect())
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
    state.profiles()?.save(&profile)?;
    if let Some(secret) = secret {
        state.secrets().await?.set(
            &SecretKey::new(&profile.name, SecretKind::ClientSecret),
            &secret,
        )?;
    }
    state.forget(&profile.name).await;
    Ok(())
}

#[tauri::command]
pub async fn delete_profile(state: State<'_, AppState>, name: String) -> Result<(), UserError> {
    let store = state.secrets().await?;
    for kind in [SecretKind::ClientSecret, SecretKind::RefreshToken] {
        store.delete(&SecretKey::new(&name, kind))?;
    }
    state.profiles()?.remove(&name)?;
    state.forget(&name).await;
    Ok(())
}

/// Copies a profile under a new name. `keep_original: false` renames it:
/// the secret and the stored sign-in move along.
async fn copy_profile(
    state: &AppState,
    from: &str,
    to: &str,
    keep_original: bool,
) -> Result<(), UserError> {
    let profiles = state.profiles()?;
    let mut profile = profiles.load(from)?;
    if profiles.load(to).is_ok() {
        return Err(UserError::new(
            d365_core::ErrorKind::InvalidInput,
            format!("There is already a connection called '{to}'."),
            "Choose another name.",
        ));
    }
    profile.name = to.to_string();
    profiles.save(&profile)?;
    let store = state.secrets().await?;
    let kinds: &[SecretKind] = if keep_original {
        &[SecretKind::ClientSecret]
    } else {
        &[SecretKind::ClientSecret, SecretKind::RefreshToken]
    };
    for kind in kinds {
        if let Ok(secret) = store.get(&SecretKey::new(from, *kind)) {
            store.set(&SecretKey::new(to, *kind), &secret)?;
            if !keep_original {
                store.delete(&SecretKey::new(from, *kind))?;
            }
        }
    }
    if !keep_original {
        profiles.remove(from)?;
        state.forget(from).await;
    }
    Ok(())
}

#[tauri::command]
pub async fn rename_profile(
    state: State<'_, AppState>,
    from: String,
    to: String,
) -> Result<(), UserError> {
    copy_profile(&state, &from, &to, false).await
}

#[tauri::command]
pub async fn duplicate_profile(
    state: State<'_, AppState>,
    from: String,
    to: String,
) -> Result<(), UserError> {
    copy_profile(&state, &from, &to, true).await
}
