//! Live checks of what the user types on the Credentials step.

use d365_core::identity::cloud::Cloud;
use d365_core::identity::input::{self, BcServiceUrl};
use d365_core::product::Product;
use d365_core::UserError;
use serde::Serialize;
use ts_rs::TS;

/// A checked value and what was cleaned on the way ("we removed the quotes").
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CheckedText {
    pub value: String,
    pub notices: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CheckedBcUrl {
    pub url: BcServiceUrl,
    pub notices: Vec<String>,
}

#[tauri::command]
pub fn check_tenant(raw: String) -> Result<CheckedText, UserError> {
    let checked = input::tenant(&raw)?;
    Ok(CheckedText {
        value: checked.value.to_string(),
        notices: checked.notices,
    })
}

#[tauri::command]
pub fn check_client_id(raw: String) -> Result<CheckedText, UserError> {
    let checked = input::client_id(&raw)?;
    Ok(CheckedText {
        value: checked.value,
        notices: checked.notices,
    })
}

/// Checks a pasted secret; only the notices come back, never the value.
#[tauri::command]
pub fn check_secret(raw: String) -> Result<Vec<String>, UserError> {
    Ok(input::client_secret(&raw)?.notices)
}

#[tauri::command]
pub fn read_bc_url(raw: String) -> Result<CheckedBcUrl, UserError> {
    let checked = input::bc_service_url(&raw)?;
    Ok(CheckedBcUrl {
        url: checked.value,
        notices: checked.notices,
    })
}

#[tauri::command]
pub fn check_environment_url(
    product: Product,
    cloud: Cloud,
    raw: String,
) -> Result<CheckedText, UserError> {
    let checked = input::environment_url(product, &cloud, &raw)?;
    Ok(CheckedText {
        value: checked.value,
        notices: checked.notices,
    })
}
