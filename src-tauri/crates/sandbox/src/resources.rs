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
    /// The permission's ID on the resource's service principal
    /// (`oauth2PermissionScopes[].id` or `appRoles[].id`), docs/microsoft.md §9.
    pub id: &'static str,
    /// What the consent page says.
    pub description: &'static str,
    /// Only an administrator may consent to it (Graph's scope `type:
    /// "Admin"`); app roles always need one.
    pub admin_only: bool,
}

/// A delegated permission any user may consent to.
const fn user(name: &'static str, id: &'static str, description: &'static str) -> Permission {
    Permission {
        name,
        id,
        description,
        admin_only: false,
    }
}

/// A delegated permission that needs an administrator's consent, or an
/// application permission (app role).
const fn admin(name: &'static str, id: &'static str, description: &'static str) -> Permission {
    Permission {
        name,
        id,
        description,
        admin_only: true,
    }
}

/// Business Central's resource URI: token audience and scope prefix
/// (docs/microsoft.md §5). The sandbox issues it even though it serves BC
/// under its own URL.
pub const BC_RESOURCE_URI: &str = "https://api.businesscentral.dynamics.com";
const GRAPH_RESOURCE_URI: &str = "https://graph.microsoft.com";

// IDs: docs/microsoft.md §9, "Permission IDs".
const BC_DELEGATED: &[Permission] = &[
    user(
        "Financials.ReadWrite.All",
        "2fb13c28-9d89-417f-9af2-ec3065bc16e6",
        "Access Dynamics 365 Business Central as you",
    ),
    user(
        "user_impersonation",
        "bce0976a-cb0b-473b-8800-84eda9f8e447",
        "Access Dynamics 365 Business Central as you",
    ),
];
const BC_APPLICATION: &[Permission] = &[
    admin(
        "API.ReadWrite.All",
        "a42b0b75-311e-488d-b67e-8fe84f924341",
        "Access to APIs and webservices",
    ),
    admin(
        "Automation.ReadWrite.All",
        "d365bc00-a990-0000-00bc-160000000001",
        "Access to automation APIs",
    ),
    admin(
        "AdminCenter.ReadWrite.All",
        "a20fe46f-4f63-4666-8e0e-9b882d90b837",
        "Access to the admin center API",
    ),
    admin(
        "app_access",
        "3983b928-ed40-4111-bbad-e7910cf234bd",
        "Access Business Central as an application",
    ),
];
const ERP_DELEGATED: &[Permission] = &[
    user(
        "AX.FullAccess",
        "6397893c-2260-496b-a41d-2f1f15b16ff3",
        "Access Dynamics AX online as organization users",
    ),
    user(
        "CustomService.FullAccess",
        "ad8b4a5c-eecd-431a-a46f-33c060012ae1",
        "Access Dynamics AX Custom Service",
    ),
    user(
        "Odata.FullAccess",
        "a849e696-ce45-464a-81de-e5c5b45519c1",
        "Access Dynamics AX data",
    ),
];
/// ⚠ Community guides tick this app role; no source gives its ID, so the
/// sandbox made one up (docs/microsoft.md §9, "Permission IDs"). Clients
/// must read IDs from the service principal, never hard-code this one.
const ERP_APPLICATION: &[Permission] = &[admin(
    "Connector.FullAccess",
    "8d4e2b6f-1c0a-4e3d-9b57-f0a5c3e1d215",
    "Connector access to Dynamics ERP",
)];
const CRM_DELEGATED: &[Permission] = &[user(
    "user_impersonation",
    "78ce3f0f-a1ce-49c2-8cde-64b5c0896db4",
    "Access Common Data Service as organization users",
)];
/// The three directory permissions "Set it up for me" signs in with need
/// an administrator (docs/microsoft.md §9, "What the signed-in
/// administrator needs").
const GRAPH_DELEGATED: &[Permission] = &[
    user(
        "User.Read",
        "e1fe6dd8-ba31-4d61-89e7-88639da4683d",
        "Sign you in and read your profile",
    ),
    user(
        "Financials.ReadWrite.All",
        "f534bf13-55d4-45a9-8f3c-c92fe64d6131",
        "Read and write financials data",
    ),
    admin(
        "Application.ReadWrite.All",
        "bdfbf15f-ee85-4955-8675-146e8e5296b5",
        "Read and write all applications",
    ),
    admin(
        "AppRoleAssignment.ReadWrite.All",
        "84bccea3-f856-4a8a-967b-dbe0a3d53a64",
        "Manage app permission grants and app role assignments",
    ),
    admin(
        "DelegatedPermissionGrant.ReadWrite.All",
        "41ce6ca6-6826-4807-84f1-1c82854f7ee5",
        "Manage all delegated permission grants",
    ),
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

    /// Application permissions (app roles), docs/microsoft.md §9: BC's,
    /// and ERP's `Connector.FullAccess` (⚠ made-up ID). Dataverse has none;
    /// the sandbox gives Graph none, so no app can call it app-only.
    pub fn application(self) -> &'static [Permission] {
        match self {
            Resource::BusinessCentral => BC_APPLICATION,
            Resource::FinanceOperations => ERP_APPLICATION,
            _ => &[],
        }
    }

    pub fn has_delegated(self, name: &str) -> bool {
        self.delegated().iter().any(|p| p.name == name)
    }

    pub fn has_application(self, name: &str) -> bool {
        self.application().iter().any(|p| p.name == name)
    }

    /// Whether consenting to a delegated permission needs an administrator.
    pub fn needs_admin_consent(self, name: &str) -> bool {
        self.delegated()
            .iter()
            .any(|p| p.name == name && p.admin_only)
    }

    /// The resource whose first-party application ID this is.
    pub fn by_app_id(app_id: &str) -> Option<Resource> {
        Resource::ALL
            .into_iter()
            .find(|r| r.app_id().eq_ignore_ascii_case(app_id))
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
        if let Some(r) = Resource::by_app_id(uri) {
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
