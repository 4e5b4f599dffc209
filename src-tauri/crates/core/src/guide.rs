//! The app-registration guide: numbered steps in the Entra admin center's
//! own words, a page to open for each, and every value the user must paste.
//! It replaces the vendors' click-by-click pages (docs/architecture.md, "Why"); the GUI
//! shows it and `d365c` can print it.

use serde::Serialize;
use ts_rs::TS;

use crate::identity::cloud::Cloud;
use crate::identity::scopes::{default_permissions, permissions_for, Access};
use crate::product::Product;
pub use crate::profiles::Registration;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CopyValue {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct GuideStep {
    pub title: String,
    /// What to do, one action per line, quoting the admin center's labels.
    pub actions: Vec<String>,
    /// The page to open in the browser, when there is one.
    pub open: Option<String>,
    pub copy: Vec<CopyValue>,
}

/// The redirect URI to register: plain `http://localhost`; Entra ignores
/// the port of a localhost URI and we bind any free one (docs/microsoft.md §1).
pub const REDIRECT_URI: &str = "http://localhost";
/// What we suggest calling the app registration.
pub const APP_NAME: &str = "D365 Connect";

/// The portals that host the app registration pages
/// (docs/microsoft.md §8: portal.azure.us, portal.azure.cn).
const PORTALS: [&str; 3] = [
    "https://entra.microsoft.com",
    "https://portal.azure.us",
    "https://portal.azure.cn",
];

/// Business Central's web client: setup's link to its Microsoft Entra
/// Applications page (docs/microsoft.md §10).
const PRODUCT_PAGES: [&str; 1] = ["https://businesscentral.dynamics.com"];

/// The portal of each cloud.
fn portal(cloud: &Cloud) -> &'static str {
    match cloud {
        Cloud::UsGov => PORTALS[1],
        Cloud::China => PORTALS[2],
        Cloud::Public | Cloud::Custom(_) => PORTALS[0],
    }
}

/// Whether `url` is a page of one of the portals the guide (or setup)
/// links to: the only pages the app opens on their behalf.
pub fn is_portal_page(url: &str) -> bool {
    PORTALS.iter().chain(&PRODUCT_PAGES).any(|portal| {
        url.strip_prefix(portal)
            .is_some_and(|rest| rest.starts_with('/'))
    })
}

/// A blade of the registered app, or the app list when the client ID is
/// not known yet.
fn app_page(cloud: &Cloud, client_id: Option<&str>, blade: &str) -> String {
    let base = format!("{}/#view/Microsoft_AAD_RegisteredApps", portal(cloud));
    match client_id {
        Some(id) => format!("{base}/ApplicationMenuBlade/~/{blade}/appId/{id}"),
        None => format!("{base}/ApplicationsListBlade"),
    }
}

fn step(title: &str, actions: &[String], open: Option<String>, copy: Vec<CopyValue>) -> GuideStep {
    GuideStep {
        title: title.into(),
        actions: actions.to_vec(),
        open,
        copy,
    }
}

fn copy(label: &str, value: &str) -> CopyValue {
    CopyValue {
        label: label.into(),
        value: value.into(),
    }
}

/// The steps for a product, registration kind and cloud. `client_id` makes
/// the later links open the app's own pages.
pub fn steps(
    product: Product,
    registration: Registration,
    cloud: &Cloud,
    client_id: Option<&str>,
) -> Vec<GuideStep> {
    let mut guide = vec![
        register_step(registration, cloud),
        step(
            "Copy the app's IDs",
            &[
                "On the app's “Overview” page, copy “Application (client) ID” and “Directory (tenant) ID”.".into(),
                "Paste them on the Credentials step of D365 Connect.".into(),
            ],
            Some(app_page(cloud, client_id, "Overview")),
            vec![],
        ),
    ];
    if registration != Registration::SignInWithoutSecret {
        guide.push(step(
            "Create a client secret",
            &[
                "Open “Certificates & secrets” › “Client secrets” › “+ New client secret”.".into(),
                "Description: type “D365 Connect”; Expires: pick what your company allows; select “Add”.".into(),
                "Copy the “Value” column right away — not the “Secret ID”. The Value is shown only once.".into(),
            ],
            Some(app_page(cloud, client_id, "Credentials")),
            vec![copy("Description", APP_NAME)],
        ));
    }
    guide.push(permissions_step(product, registration, cloud, client_id));
    guide.push(step(
        "Grant admin consent",
        &[
            "On “API permissions”, select “Grant admin consent for <your organization>” and confirm.".into(),
            "This needs a Global, Cloud Application or Application Administrator. If you are not one, D365 Connect can open the admin consent page for them later.".into(),
        ],
        Some(app_page(cloud, client_id, "CallAnAPI")),
        vec![],
    ));
    if registration == Registration::BackgroundService {
        guide.push(product_side_step(product, client_id));
    }
    guide
}

/// New registration: name, single tenant, and the redirect URI of the
/// platform a person's sign-in needs (none for a background service).
fn register_step(registration: Registration, cloud: &Cloud) -> GuideStep {
    let platform = match registration {
        Registration::SignInWithoutSecret => Some("Public client/native (mobile & desktop)"),
        Registration::SignInWithSecret => Some("Web"),
        Registration::BackgroundService => None,
    };
    let mut actions = vec![
        "Select “+ New registration”.".to_string(),
        format!("Name: type “{APP_NAME}” (or your own name)."),
        "Supported account types: “Accounts in this organizational directory only (Single tenant)”.".into(),
    ];
    let mut copy_values = vec![copy("Name", APP_NAME)];
    match platform {
        Some(platform) => {
            actions.push(format!(
                "Redirect URI: choose “{platform}” and enter {REDIRECT_URI}."
            ));
            copy_values.push(copy("Redirect URI", REDIRECT_URI));
        }
        None => actions
            .push("Redirect URI: leave it empty; a background service does not need one.".into()),
    }
    actions.push("Select “Register”.".into());
    step(
        "Register the app in Microsoft Entra",
        &actions,
        Some(app_page(cloud, None, "Overview")),
        copy_values,
    )
}

/// The product's API permissions of the kind the sign-in uses.
fn permissions_step(
    product: Product,
    registration: Registration,
    cloud: &Cloud,
    client_id: Option<&str>,
) -> GuideStep {
    let (api_name, _) = product.entra_api();
    let grant = registration.grant();
    let access = Access::from(grant);
    let has_own_kind = permissions_for(product, access).next().is_some();
    // Without application permissions (F&O, Dataverse) the API is still
    // added, by a delegated permission, so the tenant knows the app uses it.
    let listed = if has_own_kind {
        access
    } else {
        Access::Delegated
    };
    let mut wanted = default_permissions(product, grant);
    if wanted.is_empty() {
        wanted = permissions_for(product, listed)
            .filter(|p| p.default)
            .map(|p| p.name.to_string())
            .collect();
    }
    if wanted.is_empty() {
        wanted = permissions_for(product, listed)
            .map(|p| p.name.to_string())
            .collect();
    }
    let ticked = wanted
        .iter()
        .map(|p| format!("“{p}”"))
        .collect::<Vec<_>>()
        .join(" and ");
    let kind_label = match access {
        Access::Delegated => "Delegated permissions",
        Access::Application => "Application permissions",
    };
    let mut actions = vec![
        "Open “API permissions” › “+ Add a permission”.".into(),
        format!("Find “{api_name}” (under “Microsoft APIs” or “APIs my organization uses”)."),
    ];
    if has_own_kind {
        actions.push(format!(
            "Choose “{kind_label}”, tick {ticked}, then select “Add permissions”."
        ));
    } else {
        actions.push(format!(
            "{api_name} has no application permissions: under “Delegated permissions” tick {ticked}, then select “Add permissions”; the app's own access is granted inside the product (last step).",
        ));
    }
    step(
        "Add the API permissions",
        &actions,
        Some(app_page(cloud, client_id, "CallAnAPI")),
        wanted.iter().map(|p| copy("Permission", p)).collect(),
    )
}

/// Apps signing in on their own must also be allowed inside the product
/// (docs/microsoft.md §5 BC, §6 F&O, §7 Dataverse application users).
fn product_side_step(product: Product, client_id: Option<&str>) -> GuideStep {
    let id = client_id.unwrap_or("the Application (client) ID");
    let actions: Vec<String> = match product {
        Product::BusinessCentral => vec![
            "In Business Central, search for “Microsoft Entra Applications” and select “New”.".into(),
            format!("Client ID: {id}; Description: “{APP_NAME}”; State: “Enabled”."),
            "Under “User Permission Sets”, add a set that can read the data the integration needs, for example D365 READ. Not SUPER; automation sets such as D365 AUTOMATION alone cannot read data.".into(),
            "Do this in every environment the app should reach.".into(),
        ],
        Product::FinanceOperations => vec![
            "In Finance & Operations, open System administration › Setup › “Microsoft Entra applications” and select “New”.".into(),
            format!("Client Id: {id}; Name: “{APP_NAME}”; User ID: the service account whose roles the app gets."),
            "Select “Save”.".into(),
        ],
        Product::Dataverse => vec![
            "In the Power Platform admin center, open Environments › your environment › Settings › Users + permissions › “Application users”.".into(),
            format!("Select “+ New app user”, add the app {id} and pick the business unit."),
            "Assign a security role that can read the tables you need, then select “Create”.".into(),
        ],
    };
    let copy_values = client_id
        .map(|id| vec![copy("Client ID", id)])
        .unwrap_or_default();
    step(
        &format!("Allow the app inside {}", product.display_name()),
        &actions,
        None,
        copy_values,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles(steps: &[GuideStep]) -> Vec<&str> {
        steps.iter().map(|s| s.title.as_str()).collect()
    }

    #[test]
    fn a_public_sign_in_needs_no_secret_and_registers_mobile_and_desktop() {
        let steps = steps(
            Product::BusinessCentral,
            Registration::SignInWithoutSecret,
            &Cloud::Public,
            None,
        );
        assert!(!titles(&steps).contains(&"Create a client secret"));
        assert!(steps[0]
            .actions
            .iter()
            .any(|a| a.contains("Public client/native (mobile & desktop)")));
        assert!(steps[0]
            .copy
            .contains(&copy("Redirect URI", "http://localhost")));
        let permissions = steps
            .iter()
            .find(|s| s.title == "Add the API permissions")
            .unwrap();
        assert!(permissions
            .copy
            .contains(&copy("Permission", "Financials.ReadWrite.All")));
        assert_eq!(
            steps[0].open.as_deref(),
            Some("https://entra.microsoft.com/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade")
        );
    }

    #[test]
    fn a_background_service_gets_a_secret_app_permissions_and_the_product_side_step() {
        let id = "3e9d4b6a-8f21-4d57-b0c3-5a7e9f1d2c40";
        let steps = steps(
            Product::BusinessCentral,
            Registration::BackgroundService,
            &Cloud::Public,
            Some(id),
        );
        assert_eq!(
            titles(&steps),
            [
                "Register the app in Microsoft Entra",
                "Copy the app's IDs",
                "Create a client secret",
                "Add the API permissions",
                "Grant admin consent",
                "Allow the app inside Business Central"
            ]
        );
        assert!(steps[2]
            .actions
            .iter()
            .any(|a| a.contains("not the “Secret ID”")));
        assert!(steps[3]
            .actions
            .iter()
            .any(|a| a.contains("“Application permissions”") && a.contains("API.ReadWrite.All")));
        assert!(steps[5]
            .actions
            .iter()
            .any(|a| a.contains("Microsoft Entra Applications")));
        assert_eq!(
            steps[3].open.as_deref(),
            Some(format!("https://entra.microsoft.com/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/CallAnAPI/appId/{id}").as_str())
        );
    }

    #[test]
    fn products_without_application_permissions_say_where_access_is_granted() {
        for product in [Product::FinanceOperations, Product::Dataverse] {
            let steps = steps(
                product,
                Registration::BackgroundService,
                &Cloud::UsGov,
                None,
            );
            assert!(
                steps[3]
                    .actions
                    .iter()
                    .any(|a| a.contains("no application permissions")),
                "{product:?}"
            );
            assert!(
                !steps[3].copy.is_empty(),
                "a delegated permission to add: {product:?}"
            );
            assert!(steps
                .last()
                .unwrap()
                .title
                .starts_with("Allow the app inside"));
            assert!(steps[0]
                .open
                .as_deref()
                .unwrap()
                .starts_with("https://portal.azure.us/"));
        }
    }

    #[test]
    fn only_the_portals_pages_count_as_portal_pages() {
        for cloud in [Cloud::Public, Cloud::UsGov, Cloud::China] {
            assert!(
                is_portal_page(&app_page(&cloud, None, "Overview")),
                "{cloud:?}"
            );
        }
        assert!(is_portal_page(
            "https://businesscentral.dynamics.com/contoso.onmicrosoft.com/Production/?page=9860"
        ));
        for other in [
            "https://entra.microsoft.com.evil.example/",
            "https://businesscentral.dynamics.com.evil.example/?page=9860",
            "http://entra.microsoft.com/",
            "https://login.microsoftonline.com/x",
            "file:///etc/passwd",
        ] {
            assert!(!is_portal_page(other), "{other}");
        }
    }
}
