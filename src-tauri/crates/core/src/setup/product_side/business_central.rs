//! Business Central's side of a background service. Microsoft offers no
//! API for the "Microsoft Entra Applications" page (page 9860), so setup
//! opens that page in the chosen environment with the values to enter,
//! then checks again until BC accepts the app (docs/microsoft.md §10).

use serde::Serialize;
use ts_rs::TS;

use crate::identity::cloud::Cloud;

/// Permission sets that let an integration read data; never SUPER, which
/// BC refuses for apps anyway (docs/microsoft.md §5).
pub const PERMISSION_SETS: [&str; 2] = ["D365 READ", "D365 BUS FULL ACCESS"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct EntraApplicationsPage {
    /// The page in the environment's web client; `None` where the cloud's
    /// web client address is not known.
    pub url: Option<String>,
    pub client_id: String,
    pub description: String,
    /// What to assign: the first reads everything, the second also writes.
    pub permission_sets: Vec<String>,
    pub steps: Vec<String>,
}

/// The deep link grammar is `https://businesscentral.dynamics.com/{tenant}/{environment}/?page=9860`
/// (docs/microsoft.md §10).
pub fn entra_applications_page(
    cloud: &Cloud,
    tenant: &str,
    environment: &str,
    client_id: &str,
    description: &str,
) -> EntraApplicationsPage {
    let url = matches!(cloud, Cloud::Public).then(|| {
        let mut url = url::Url::parse("https://businesscentral.dynamics.com/").ok()?;
        url.path_segments_mut()
            .ok()?
            .extend([tenant, environment, ""]);
        url.query_pairs_mut().append_pair("page", "9860");
        Some(url.to_string())
    });
    let url = url.flatten();
    // Without a link the page is found the way BC's own docs say: its
    // search ("Tell me", Alt+Q).
    let open = if url.is_some() {
        "Open Microsoft Entra Applications in Business Central (the button below opens it)."
    } else {
        "In Business Central, search (Alt+Q) for Microsoft Entra Applications and open it."
    };
    EntraApplicationsPage {
        url,
        client_id: client_id.to_string(),
        description: description.to_string(),
        permission_sets: PERMISSION_SETS.map(String::from).to_vec(),
        steps: vec![
            open.into(),
            "Choose New, paste the Client ID and type the Description.".into(),
            "Set State to Enabled.".into(),
            format!(
                "Under User Permission Sets add {} (or {} if the integration also writes).",
                PERMISSION_SETS[0], PERMISSION_SETS[1]
            ),
            "Come back here and choose Check again.".into(),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_page_9860_of_the_environment_in_the_public_cloud_only() {
        let page = entra_applications_page(
            &Cloud::Public,
            "contoso.onmicrosoft.com",
            "My Sandbox",
            "id",
            "d",
        );
        assert_eq!(
            page.url.as_deref(),
            Some("https://businesscentral.dynamics.com/contoso.onmicrosoft.com/My%20Sandbox/?page=9860")
        );
        assert!(page.steps[0].contains("button below"));
        let china = entra_applications_page(&Cloud::China, "t", "e", "id", "d");
        assert!(china.url.is_none());
        assert!(
            china.steps[0].contains("search (Alt+Q)"),
            "no button to point at: {}",
            china.steps[0]
        );
        assert!(page.permission_sets.iter().all(|s| s != "SUPER"));
    }
}
