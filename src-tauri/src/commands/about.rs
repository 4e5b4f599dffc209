//! The About box: the version, the licences of what the app bundles, the
//! proxy settings it uses, and its log, to open or to save a copy of for a
//! support request.

use d365_core::proxy::ProxySettings;
use d365_core::{ErrorKind, UserError};
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};
use ts_rs::TS;

use crate::licences::Licences;
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct About {
    pub name: String,
    pub version: String,
    /// D365 Connect's own licence.
    pub licence: String,
    pub proxy: ProxySettings,
    /// The log being written, which "Open" and "Show in folder" accept.
    pub log_file: Option<String>,
    /// Why there is no log, when there is none.
    pub log_problem: Option<UserError>,
    pub licences: Licences,
}

#[tauri::command]
pub fn about<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<About, UserError> {
    let licences = Licences::bundled().map_err(|e| {
        UserError::new(
            ErrorKind::Internal,
            "D365 Connect could not read its list of licences.",
            "Reinstall D365 Connect.",
        )
        .with_details(e.to_string())
    })?;
    let (log_file, log_problem) = match state.log() {
        Ok(log) => (Some(log.path().display().to_string()), None),
        Err(problem) => (None, Some(problem)),
    };
    Ok(About {
        name: app.package_info().name.clone(),
        version: env!("CARGO_PKG_VERSION").into(),
        licence: env!("CARGO_PKG_LICENSE").into(),
        proxy: ProxySettings::from_environment(),
        log_file,
        log_problem,
        licences,
    })
}

/// Writes the whole log (older parts first) where the person chose.
#[tauri::command]
pub async fn save_log_copy(state: State<'_, AppState>, path: String) -> Result<(), UserError> {
    let path = super::paths::user_path(&path)?;
    let log = state.log()?;
    let target = path.clone();
    tokio::task::spawn_blocking(move || log.copy_to(&target))
        .await
        .map_err(|e| {
            UserError::new(
                ErrorKind::Internal,
                "Saving the copy of the log stopped unexpectedly.",
                "Try again.",
            )
            .with_details(e.to_string())
        })??;
    state.saved_files.remember(&path);
    Ok(())
}

#[cfg(test)]
mod tests {
    /// The About box says Cargo's version; the bundles and the window say
    /// tauri.conf.json's. They must be one.
    #[test]
    fn the_version_is_the_same_everywhere() {
        let conf = crate::security_review::json("tauri.conf.json");
        assert_eq!(conf["version"], env!("CARGO_PKG_VERSION"));
    }
}
