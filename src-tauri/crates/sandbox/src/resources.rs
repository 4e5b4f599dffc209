//! The Microsoft resources (APIs) a token can be for, their permissions and
//! how a scope's resource URI names them.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    BusinessCentral,
    FinanceOperations,
    Dataverse,
    MicrosoftGraph,
}

pub struct Permission {
    pub name: &'static str,
    /// What the consent page says.
    pub description: &'static str,
}

const fn perm(name: &'static str, description: &'static str) -> Permission {
    Permission { name, description }
}

/// Business Central's resource URI: token audience and scope prefix
/// (docs/microsoft.md §5). The sandbox issues it even though it serves BC
/// under its own URL.
pub const BC_RESOURCE_URI: &str = "https://api.businesscentral.dynamics.com";
const GRAPH_RESOURCE_URI: &str = "https://graph.microsoft.com";

const BC_DELEGATED: &[Permission] = &[
    perm(
        "Financials.ReadWrite.All",
        "Access Dynamics 365 Business Central as you",
    ),
    perm(
        "user_impersonation",
        "Access Dynamics 365 Business Central as you",
    ),
];
const BC_APPLICATION: &[Permission] = &[
    perm("API.ReadWrite.All", "Access to APIs and webservices"),
    perm("Automation.ReadWrite.All", "Access to automation APIs"),
    perm(
        "AdminCenter.ReadWrite.All",
        "Access to the admin center API",
    ),
    perm("app_access", "Access Business Central as an application"),
];
const ERP_DELEGATED: &[Permission] = &[
    perm(
        "AX.FullAccess",
        "Access Dynamics AX online as organization users",
    ),
    perm(
        "CustomService.FullAccess",
        "Access Dynamics AX Custom Service",
    ),
    perm("Odata.FullAccess", "Access Dynamics AX data"),
];
const CRM_DELEGATED: &[Permission] = &[perm(
    "user_impersonation",
    "Access Common Data Service as organization users",
)];
const GRAPH_DELEGATED: &[Permission] = &[
    perm("User.Read", "Sign you in and read your profile"),
    perm("Financials.ReadWrite.All", "Read and write financials data"),
];

impl Resource {
    pub const ALL: [Resource; 4] = [
        Resource::BusinessCentral,
        Resource::FinanceOperations,
        Resource::Dataverse,
        Resource::MicrosoftGraph,
    ];

    /// The resource's first-party application ID (docs/microsoft.md §9).
    pub fn app_id(self) -> &'static str {
        match self {
            Resource::BusinessCentral => "996def3d-b36c-4153-8607-a6fd3c01b89f",
            Resource::FinanceOperations => "00000015-0000-0000-c000-000000000000",
            Resource::Dataverse => "00000007-0000-0000-c000-000000000000",
            Resource::MicrosoftGraph => "00000003-0000-0000-c000-000000000000",
        }
    }

    /// The name the portal's "API permissions" list shows.
    pub fn display_name(self) -> &'static str {
        match self {
            Resource::BusinessCentral => "Dynamics 365 Business Central",
            Resource::FinanceOperations => "Microsoft Dynamics ERP",
            Resource::Dataverse => "Dynamics CRM",
            Resource::MicrosoftGraph => "Microsoft Graph",
        }
    }

    /// Delegated permissions (docs/microsoft.md §9). Graph lists its own
    /// `Financials.ReadWrite.All`: the trap of a bare scope name.
    pub fn delegated(self) -> &'static [Permission] {
        match self {
            Resource::BusinessCentral => BC_DELEGATED,
            Resource::FinanceOperations => ERP_DELEGATED,
            Resource::Dataverse => CRM_DELEGATED,
            Resource::MicrosoftGraph => GRAPH_DELEGATED,
        }
    }

    /// Application permissions (app roles), docs/microsoft.md §9: only BC
    /// has any among the Dynamics resources.
    pub fn application(self) -> &'static [Permission] {
        match self {
            Resource::BusinessCentral => BC_APPLICATION,
            _ => &[],
        }
    }

    pub fn has_delegated(self, name: &str) -> bool {
        self.delegated().iter().any(|p| p.name == name)
    }

    pub fn has_application(self, name: &str) -> bool {
        self.application().iter().any(|p| p.name == name)
    }

    pub fn describe_delegated(self, name: &str) -> &'static str {
        self.delegated()
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.description)
            .unwrap_or("")
    }

    pub fn describe_application(self, name: &str) -> &'static str {
        self.application()
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.description)
            .unwrap_or("")
    }

    /// The resource named by a scope's resource part. Business Central and
    /// Graph keep Microsoft's URIs; F&O and Dataverse resources are their
    /// environment URLs (docs/microsoft.md §6, §7), which for the sandbox
    /// are `{base}/fno/<env>`, `{base}/dataverse/<org>`; Global Discovery
    /// belongs to Dynamics CRM (§7). A resource may also be named by its
    /// application ID.
    pub fn identify(uri: &str, base: &str) -> Option<Resource> {
        let uri = uri.trim_end_matches('/');
        if let Some(r) = Resource::ALL
            .into_iter()
            .find(|r| r.app_id().eq_ignore_ascii_case(uri))
        {
            return Some(r);
        }
        if uri.eq_ignore_ascii_case(BC_RESOURCE_URI) {
            return Some(Resource::BusinessCentral);
        }
        if uri.eq_ignore_ascii_case(GRAPH_RESOURCE_URI) {
            return Some(Resource::MicrosoftGraph);
        }
        let rest = uri.strip_prefix(base)?;
        let named = |prefix: &str| {
            rest.strip_prefix(prefix)
                .is_some_and(|name| !name.is_empty() && !name.contains('/'))
        };
        if named("/fno/") {
            Some(Resource::FinanceOperations)
        } else if named("/dataverse/") || rest == "/globaldisco" {
            Some(Resource::Dataverse)
        } else {
            None
        }
    }

    /// The audience of Graph tokens when only OpenID Connect scopes were
    /// asked for.
    pub fn graph_uri() -> &'static str {
        GRAPH_RESOURCE_URI
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "http://127.0.0.1:8400";

    #[test]
    fn identifies_microsoft_and_sandbox_resource_uris() {
        let id = |u: &str| Resource::identify(u, BASE);
        assert_eq!(
            id("https://api.businesscentral.dynamics.com"),
            Some(Resource::BusinessCentral)
        );
        assert_eq!(
            id("https://api.businesscentral.dynamics.com/"),
            Some(Resource::BusinessCentral)
        );
        assert_eq!(
            id("996def3d-b36c-4153-8607-a6fd3c01b89f"),
            Some(Resource::BusinessCentral)
        );
        assert_eq!(
            id("http://127.0.0.1:8400/fno/cronus-demo"),
            Some(Resource::FinanceOperations)
        );
        assert_eq!(
            id("http://127.0.0.1:8400/dataverse/cronus"),
            Some(Resource::Dataverse)
        );
        assert_eq!(
            id("http://127.0.0.1:8400/globaldisco"),
            Some(Resource::Dataverse)
        );
        assert_eq!(
            id("https://graph.microsoft.com"),
            Some(Resource::MicrosoftGraph)
        );
        assert_eq!(id("https://api.businesscentral.dynamic.com"), None);
        assert_eq!(id("http://127.0.0.1:8400/fno/"), None);
        assert_eq!(id("http://127.0.0.1:8400/bc"), None);
    }
}
