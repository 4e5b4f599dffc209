use serde::Serialize;
use tauri::{AppHandle, Runtime};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AppInfo {
    pub name: String,
    pub version: String,
}

/// With `D365_STARTUP_PROBE` set, the first `app_info` call (made by the
/// UI once its first frame is painted) prints `ready` on standard output: the
/// startup benchmark (tests/scripts/bench.sh) times the process to it.
static STARTUP_ANNOUNCED: std::sync::Once = std::sync::Once::new();

#[tauri::command]
pub fn app_info<R: Runtime>(app: AppHandle<R>) -> AppInfo {
    if std::env::var_os("D365_STARTUP_PROBE").is_some() {
        STARTUP_ANNOUNCED.call_once(|| println!("ready"));
    }
    let pkg = app.package_info();
    AppInfo {
        name: pkg.name.clone(),
        version: pkg.version.to_string(),
    }
}
