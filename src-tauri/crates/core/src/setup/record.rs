//! What "Set it up for me" made, kept in the connection: a re-run finds its
//! app by `object_id`, and the report lists it for the consultant's file.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[ts(export)]
pub struct SetupRecord {
    /// The app's name in Microsoft Entra.
    pub app_name: String,
    /// The app registration's object ID (not its client ID).
    pub object_id: String,
    /// Its enterprise application's (service principal's) object ID.
    pub service_principal_id: String,
    /// Delegated permissions granted for the whole organization.
    #[serde(default)]
    pub delegated: Vec<String>,
    /// Application permissions granted.
    #[serde(default)]
    pub roles: Vec<String>,
    /// What was prepared inside the product, in plain words.
    #[serde(default)]
    pub product_side: Option<String>,
    /// The day setup last ran (ISO date, UTC).
    pub set_up_on: String,
}
