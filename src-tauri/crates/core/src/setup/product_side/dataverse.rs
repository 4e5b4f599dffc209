//! Dataverse's side of a background service: an application user for the
//! app in the environment, holding a security role the administrator picks
//! (docs/microsoft.md §7, §10). Global Discovery lists the environments
//! with the administrator's token (§7: it is a user-only service).

use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use crate::problem::{ErrorKind, UserError};
use crate::setup::product_side::api::{ProductApi, ProductSideError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SecurityRole {
    pub id: String,
    pub name: String,
    /// Offered first: reads what an integration needs without running the
    /// environment. System Administrator is never preselected.
    pub suggested: bool,
}

/// Roles made for back-end services that read every table without
/// administering the environment (docs/microsoft.md §10); the first one
/// present is suggested. Basic User and System Customizer read only the
/// records the app owns, which an integration rarely wants.
const LEAST_PRIVILEGED: [&str; 2] = ["Service Reader", "Service Writer"];

#[derive(Deserialize)]
struct Rows<T> {
    value: Vec<T>,
}

#[derive(Deserialize)]
struct BusinessUnit {
    businessunitid: String,
}

#[derive(Deserialize)]
struct Role {
    roleid: String,
    name: String,
}

#[derive(Deserialize)]
struct SystemUser {
    systemuserid: String,
}

fn api_root(environment: &str) -> String {
    format!("{}/api/data/v9.2", environment.trim_end_matches('/'))
}

async fn root_business_unit(api: &ProductApi, root: &str) -> Result<String, ProductSideError> {
    let url = format!(
        "{root}/businessunits?$select=businessunitid,name&$filter=_parentbusinessunitid_value eq null"
    );
    let units: Rows<BusinessUnit> = api.get(&url).await?;
    units
        .value
        .into_iter()
        .next()
        .map(|u| u.businessunitid)
        .ok_or_else(|| ProductSideError::Unexpected {
            product: "Dataverse",
            details: "the environment lists no root business unit".into(),
        })
}

/// The security roles of the environment's root business unit, the
/// suggested one first.
pub async fn security_roles(
    api: &ProductApi,
    environment: &str,
) -> Result<Vec<SecurityRole>, ProductSideError> {
    let root = api_root(environment);
    let unit = root_business_unit(api, &root).await?;
    let url = format!("{root}/roles?$select=roleid,name&$filter=_businessunitid_value eq {unit}");
    let roles: Rows<Role> = api.get(&url).await?;
    let suggested = LEAST_PRIVILEGED
        .iter()
        .find(|name| roles.value.iter().any(|r| r.name == **name));
    let mut list: Vec<SecurityRole> = roles
        .value
        .into_iter()
        .map(|r| SecurityRole {
            suggested: suggested.is_some_and(|s| *s == r.name),
            id: r.roleid,
            name: r.name,
        })
        .collect();
    list.sort_by(|a, b| b.suggested.cmp(&a.suggested).then(a.name.cmp(&b.name)));
    Ok(list)
}

/// The role the administrator named, or else the suggested one.
pub fn choose_role<'r>(
    roles: &'r [SecurityRole],
    wanted: Option<&str>,
) -> Result<&'r SecurityRole, UserError> {
    match wanted {
        Some(name) => roles
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(name.trim())),
        None => roles.iter().find(|r| r.suggested),
    }
    .ok_or_else(|| {
        UserError::new(
            ErrorKind::InvalidInput,
            "Choose the security role of the app's application user.",
            format!(
                "Roles in this environment: {}.",
                roles
                    .iter()
                    .map(|r| r.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })
}

/// What the environment holds for the app once setup is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationUser {
    pub id: String,
    /// False when an earlier run had made it already.
    pub created: bool,
}

impl ApplicationUser {
    /// What setup did, for the progress line and the connection's record.
    pub fn describe(&self, role: &str) -> String {
        format!(
            "{} the application user with the role {role}.",
            if self.created { "Created" } else { "Found" }
        )
    }
}

/// Finds or creates the app's application user and gives it `role_id`.
/// There is one application user per app per environment (§7), so a re-run
/// finds it by `applicationid` instead of making another.
pub async fn ensure_application_user(
    api: &ProductApi,
    environment: &str,
    client_id: &str,
    role_id: &str,
) -> Result<ApplicationUser, ProductSideError> {
    let root = api_root(environment);
    let existing: Rows<SystemUser> = api
        .get(&format!(
            "{root}/systemusers?$select=systemuserid&$filter=applicationid eq {client_id}"
        ))
        .await?;
    let user = match existing.value.into_iter().next() {
        Some(user) => ApplicationUser {
            id: user.systemuserid,
            created: false,
        },
        None => {
            let unit = root_business_unit(api, &root).await?;
            // accessmode 4 is "Non-interactive", what application users are.
            let body = json!({
                "applicationid": client_id,
                "businessunitid@odata.bind": format!("/businessunits({unit})"),
                "accessmode": 4,
                "isdisabled": false,
            });
            let written = api.post(&format!("{root}/systemusers"), &body).await?;
            let id = written
                .entity_id
                .as_deref()
                .and_then(key_of)
                .or_else(|| {
                    written
                        .body
                        .get("systemuserid")?
                        .as_str()
                        .map(str::to_string)
                })
                .ok_or_else(|| ProductSideError::Unexpected {
                    product: "Dataverse",
                    details: "the new application user came back without its ID".into(),
                })?;
            ApplicationUser { id, created: true }
        }
    };
    let body = json!({ "@odata.id": format!("{root}/roles({role_id})") });
    match api
        .post(
            &format!(
                "{root}/systemusers({})/systemuserroles_association/$ref",
                user.id
            ),
            &body,
        )
        .await
    {
        // Associating a role the user already holds is refused as a
        // duplicate key; a re-run treats it as done.
        Err(ProductSideError::Refused { message, .. })
            if message.to_ascii_lowercase().contains("duplicate")
                || message.to_ascii_lowercase().contains("already exists") => {}
        Err(e) => return Err(e),
        Ok(_) => {}
    }
    Ok(user)
}

/// The key inside `…/systemusers(<id>)`.
fn key_of(entity_id: &str) -> Option<String> {
    let start = entity_id.rfind('(')? + 1;
    let end = entity_id[start..].find(')')? + start;
    Some(entity_id[start..end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_key_of_an_entity_id_header() {
        assert_eq!(
            key_of("https://org.crm.dynamics.com/api/data/v9.2/systemusers(00000000-0000-0000-0000-000000000001)").as_deref(),
            Some("00000000-0000-0000-0000-000000000001")
        );
        assert_eq!(key_of("nonsense"), None);
    }
}
