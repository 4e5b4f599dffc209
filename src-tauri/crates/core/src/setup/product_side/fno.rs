//! Finance & Operations' side of a background service: the app's client ID
//! on the "Microsoft Entra applications" page, mapped to an F&O user. The
//! page is the `SysAADClients` entity, public but undocumented
//! (docs/microsoft.md §10), so setup uses it only when `$metadata` lists
//! it and otherwise shows the exact values to enter by hand.

use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use crate::problem::{ErrorKind, UserError};
use crate::setup::product_side::api::{ProductApi, ProductSideError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FnoUser {
    pub id: String,
    pub name: String,
}

#[derive(Deserialize)]
struct Rows<T> {
    value: Vec<T>,
}

#[derive(Deserialize)]
struct SystemUser {
    #[serde(rename = "UserID")]
    user_id: String,
    #[serde(rename = "UserName", default)]
    user_name: String,
    #[serde(rename = "Enabled", default = "enabled")]
    enabled: bool,
}

fn enabled() -> bool {
    true
}

#[derive(Deserialize)]
struct Client {
    #[serde(rename = "UserId", default)]
    user_id: String,
}

fn data(environment: &str) -> String {
    format!("{}/data", environment.trim_end_matches('/'))
}

/// Whether the environment offers the Entra applications entity.
pub async fn has_entra_applications_entity(
    api: &ProductApi,
    environment: &str,
) -> Result<bool, ProductSideError> {
    let metadata = api
        .get_text(&format!("{}/$metadata", data(environment)))
        .await?;
    Ok(metadata.contains("Name=\"SysAADClients\""))
}

/// Enabled users, for the administrator to pick the one the app acts as.
pub async fn users(api: &ProductApi, environment: &str) -> Result<Vec<FnoUser>, ProductSideError> {
    let url = format!(
        "{}/SystemUsers?$select=UserID,UserName,Enabled",
        data(environment)
    );
    let rows: Rows<SystemUser> = api.get(&url).await?;
    Ok(rows
        .value
        .into_iter()
        .filter(|u| u.enabled)
        .map(|u| FnoUser {
            name: if u.user_name.is_empty() {
                u.user_id.clone()
            } else {
                u.user_name
            },
            id: u.user_id,
        })
        .collect())
}

/// The user the administrator named. Never a default: the app acts with
/// this user's rights.
pub fn choose_user<'u>(
    users: &'u [FnoUser],
    wanted: Option<&str>,
) -> Result<&'u FnoUser, UserError> {
    wanted
        .and_then(|id| users.iter().find(|u| u.id.eq_ignore_ascii_case(id.trim())))
        .ok_or_else(|| {
            UserError::new(
                ErrorKind::InvalidInput,
                "Choose the Finance & Operations user the app acts as: ideally one made for integrations, holding only the roles it needs.",
                format!(
                    "Users in this environment: {}.",
                    users.iter().map(|u| u.id.as_str()).collect::<Vec<_>>().join(", ")
                ),
            )
        })
}

/// What setup did, for the progress line and the connection's record.
pub fn describe(user_id: &str) -> String {
    format!("The app is on the Microsoft Entra applications page, acting as {user_id}.")
}

/// The values to enter by hand where the environment offers no API for
/// its Microsoft Entra applications page.
pub fn by_hand(client_id: &str, name: &str, user_id: Option<&str>) -> Vec<String> {
    vec![
        "System administration > Setup > Microsoft Entra applications > New".into(),
        format!("Client ID: {client_id}"),
        format!("Name: {name}"),
        format!(
            "User ID: {}",
            user_id.unwrap_or("a user made for integrations")
        ),
    ]
}

/// Adds the client ID mapped to `user_id`, unless an earlier run did.
/// Returns the user it is mapped to.
pub async fn ensure_entra_application(
    api: &ProductApi,
    environment: &str,
    client_id: &str,
    display_name: &str,
    user_id: &str,
) -> Result<String, ProductSideError> {
    let url = format!(
        "{}/SysAADClients?$filter=AADClientId eq '{client_id}'",
        data(environment)
    );
    let existing: Rows<Client> = api.get(&url).await?;
    if let Some(client) = existing.value.into_iter().next() {
        return Ok(client.user_id);
    }
    // The page's Name column holds 60 characters at most (⚠ EDT length
    // inferred); longer names are cut rather than refused.
    let name: String = display_name.chars().take(60).collect();
    let body = json!({ "AADClientId": client_id, "Name": name, "UserId": user_id });
    api.post(&format!("{}/SysAADClients", data(environment)), &body)
        .await?;
    Ok(user_id.to_string())
}
