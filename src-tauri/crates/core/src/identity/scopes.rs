//! What a connection asks Entra for: the product's resource, its permissions
//! in plain words (for the guide and the permissions step), and the exact
//! scope string of a token request — one resource per request, as Entra
//! requires.

use serde::Serialize;
use ts_rs::TS;

use crate::identity::cloud::Cloud;
use crate::problem::{ErrorKind, Explain, Setting};
use crate::product::Product;
use crate::profiles::Grant;

/// Whether a permission is used by a signed-in person or by the app alone;
/// the Entra admin center calls them "Delegated permissions" and
/// "Application permissions".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub enum Access {
    Delegated,
    Application,
}

impl From<Grant> for Access {
    /// A person's sign-in asks for delegated permissions, a background
    /// service holds application permissions.
    fn from(grant: Grant) -> Self {
        match grant {
            Grant::Delegated => Self::Delegated,
            Grant::ClientCredentials => Self::Application,
        }
    }
}

/// One API permission as the Entra admin center lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Permission {
    /// The value Entra shows and the scope suffix, e.g. `Financials.ReadWrite.All`.
    pub name: &'static str,
    /// The permission's GUID on the resource's service principal
    /// (docs/microsoft.md §9), for Graph automation and for matching `roles`.
    pub id: &'static str,
    pub access: Access,
    /// What it lets D365 Connect do, for a non-technical admin.
    pub plain: &'static str,
    /// Ticked unless the user changes it.
    pub default: bool,
    /// Why it reaches further than connecting software to the data needs,
    /// shown next to it.
    pub caution: Option<&'static str>,
}

const fn permission(
    name: &'static str,
    id: &'static str,
    access: Access,
    plain: &'static str,
    default: bool,
) -> Permission {
    Permission {
        name,
        id,
        access,
        plain,
        default,
        caution: None,
    }
}

impl Permission {
    const fn with_caution(self, caution: &'static str) -> Permission {
        Permission {
            caution: Some(caution),
            ..self
        }
    }
}

use Access::{Application, Delegated};

/// Business Central (docs/microsoft.md §5, IDs §9).
const BUSINESS_CENTRAL: &[Permission] = &[
    permission(
        "Financials.ReadWrite.All",
        "2fb13c28-9d89-417f-9af2-ec3065bc16e6",
        Delegated,
        "Read and change Business Central data as the person who signs in, with that person's permissions.",
        true,
    ),
    permission(
        "user_impersonation",
        "bce0976a-cb0b-473b-8800-84eda9f8e447",
        Delegated,
        "Use Business Central web services as the person who signs in. Only needed by older integrations.",
        false,
    ),
    permission(
        "API.ReadWrite.All",
        "a42b0b75-311e-488d-b67e-8fe84f924341",
        Application,
        "Let the app read and change data through the APIs and web services without a person signing in. The app must also be added in Business Central.",
        true,
    ),
    permission(
        "Automation.ReadWrite.All",
        "d365bc00-a990-0000-00bc-160000000001",
        Application,
        "Let the app run setup tasks such as installing extensions and managing users (automation APIs).",
        false,
    )
    .with_caution("More than reading and writing data: the app could install extensions and change users and their permissions. Add it only if the integration's vendor asks for it."),
    permission(
        "AdminCenter.ReadWrite.All",
        "a20fe46f-4f63-4666-8e0e-9b882d90b837",
        Application,
        "Let the app list and manage environments in the Business Central admin center.",
        false,
    )
    .with_caution("More than data: the app could create, copy, restore or delete whole environments. Add it only for an administration tool."),
];

/// "Microsoft Dynamics ERP" (docs/microsoft.md §6, IDs §9 ⚠ community
/// mapping). It has no application permissions: server-to-server access is
/// granted inside F&O on the "Microsoft Entra applications" page.
const FINANCE_OPERATIONS: &[Permission] = &[
    permission(
        "Odata.FullAccess",
        "a849e696-ce45-464a-81de-e5c5b45519c1",
        Delegated,
        "Read and change data through the OData data entities as the person who signs in.",
        false,
    ),
    permission(
        "AX.FullAccess",
        "6397893c-2260-496b-a41d-2f1f15b16ff3",
        Delegated,
        "Use Finance & Operations as the person who signs in.",
        false,
    )
    // ⚠ Whether OData reads work with Odata.FullAccess alone is not
    // documented (docs/microsoft.md §6): a caution, not a refusal.
    .with_caution("Reaches everything the person can do in Finance & Operations, beyond the data entities that Odata.FullAccess covers."),
    permission(
        "CustomService.FullAccess",
        "ad8b4a5c-eecd-431a-a46f-33c060012ae1",
        Delegated,
        "Call custom services as the person who signs in.",
        false,
    ),
];

/// "Dynamics CRM" (docs/microsoft.md §7, ID §9). No application
/// permissions: an app signs in as an application user added per environment.
const DATAVERSE: &[Permission] = &[permission(
    "user_impersonation",
    "78ce3f0f-a1ce-49c2-8cde-64b5c0896db4",
    Delegated,
    "Read and change Dataverse data as the person who signs in, with that person's security roles.",
    true,
)];

/// The sign-in scopes added to every delegated request: `offline_access`
/// for a refresh token, `openid profile` so the token names the user.
const SIGN_IN_SCOPES: [&str; 3] = ["openid", "profile", "offline_access"];

pub fn permissions(product: Product) -> &'static [Permission] {
    match product {
        Product::BusinessCentral => BUSINESS_CENTRAL,
        Product::FinanceOperations => FINANCE_OPERATIONS,
        Product::Dataverse => DATAVERSE,
    }
}

/// The permissions of one kind, for the permissions step.
pub fn permissions_for(
    product: Product,
    access: Access,
) -> impl Iterator<Item = &'static Permission> {
    permissions(product)
        .iter()
        .filter(move |p| p.access == access)
}

/// The names ticked by default for a grant.
pub fn default_permissions(product: Product, grant: Grant) -> Vec<String> {
    permissions_for(product, access_of(grant))
        .filter(|p| p.default)
        .map(|p| p.name.to_string())
        .collect()
}

fn access_of(grant: Grant) -> Access {
    match grant {
        Grant::Delegated => Delegated,
        Grant::ClientCredentials => Application,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("{product} needs the environment's address to sign in.")]
    EnvironmentUrlMissing { product: &'static str },
    #[error("{cloud} has no documented Business Central service.")]
    NoBusinessCentral { cloud: &'static str },
    #[error("'{name}' is not a {product} permission.")]
    UnknownPermission { name: String, product: &'static str },
    #[error("These custom endpoints have no Dataverse Global Discovery address, so environments cannot be listed.")]
    NoGlobalDiscovery,
}

impl Explain for ScopeError {
    fn setting(&self) -> Option<Setting> {
        Some(match self {
            ScopeError::EnvironmentUrlMissing { .. } | ScopeError::NoGlobalDiscovery => {
                Setting::Environment
            }
            ScopeError::NoBusinessCentral { .. } => Setting::Cloud,
            ScopeError::UnknownPermission { .. } => Setting::Permissions,
        })
    }

    fn kind(&self) -> ErrorKind {
        match self {
            ScopeError::EnvironmentUrlMissing { .. }
            | ScopeError::NoBusinessCentral { .. }
            | ScopeError::NoGlobalDiscovery => ErrorKind::InvalidInput,
            ScopeError::UnknownPermission { .. } => ErrorKind::InvalidScope,
        }
    }

    fn fix(&self) -> String {
        match self {
            ScopeError::EnvironmentUrlMissing { .. } => {
                "Paste the environment URL, for example https://contoso.operations.dynamics.com or https://contoso.crm.dynamics.com.".into()
            }
            ScopeError::NoBusinessCentral { .. } => {
                "Choose the Public cloud, or enter custom endpoints.".into()
            }
            ScopeError::UnknownPermission { .. } => {
                "Pick permissions from the product's list.".into()
            }
            ScopeError::NoGlobalDiscovery => {
                "Paste the environment URL, or add the Global Discovery root to the custom endpoints.".into()
            }
        }
    }
}

/// The resource (token audience) a product's data calls need. F&O and
/// Dataverse use the environment URL without a trailing slash
/// (docs/microsoft.md §6, §7); Business Central one URI for all tenants (§5).
pub fn resource(
    product: Product,
    cloud: &Cloud,
    environment_url: Option<&str>,
) -> Result<String, ScopeError> {
    match product {
        Product::BusinessCentral => {
            cloud
                .bc_resource()
                .map(str::to_string)
                .ok_or(ScopeError::NoBusinessCentral {
                    cloud: cloud.display_name(),
                })
        }
        Product::FinanceOperations | Product::Dataverse => environment_url
            .map(|url| url.trim().trim_end_matches('/').to_string())
            .filter(|url| !url.is_empty())
            .ok_or(ScopeError::EnvironmentUrlMissing {
                product: product.display_name(),
            }),
    }
}

/// The `scope` parameter of a token or authorize request for one resource.
///
/// Client credentials always ask for `<resource>/.default` (the app's
/// granted application permissions; docs/microsoft.md §5). Delegated
/// requests name each chosen permission, or `.default` when none is chosen
/// (everything the registration lists), plus the sign-in scopes.
pub fn request_scopes(
    product: Product,
    grant: Grant,
    resource: &str,
    chosen: &[String],
) -> Result<Vec<String>, ScopeError> {
    let default = || vec![format!("{resource}/.default")];
    match grant {
        Grant::ClientCredentials => Ok(default()),
        Grant::Delegated => {
            let mut scopes = if chosen.is_empty() {
                default()
            } else {
                chosen
                    .iter()
                    .map(|name| qualify(product, resource, name))
                    .collect::<Result<Vec<_>, _>>()?
            };
            scopes.extend(SIGN_IN_SCOPES.iter().map(|s| s.to_string()));
            Ok(scopes)
        }
    }
}

fn qualify(product: Product, resource: &str, name: &str) -> Result<String, ScopeError> {
    permissions_for(product, Delegated)
        .find(|p| p.name.eq_ignore_ascii_case(name.trim()))
        .map(|p| format!("{resource}/{}", p.name))
        .ok_or_else(|| ScopeError::UnknownPermission {
            name: name.to_string(),
            product: product.display_name(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BC: &str = "https://api.businesscentral.dynamics.com";

    #[test]
    fn client_credentials_ask_for_dot_default_only() {
        let scopes = request_scopes(
            Product::BusinessCentral,
            Grant::ClientCredentials,
            BC,
            &["Financials.ReadWrite.All".into()],
        )
        .unwrap();
        assert_eq!(scopes, [format!("{BC}/.default")]);
    }

    #[test]
    fn delegated_names_each_permission_on_one_resource_plus_sign_in_scopes() {
        let chosen = default_permissions(Product::BusinessCentral, Grant::Delegated);
        let scopes =
            request_scopes(Product::BusinessCentral, Grant::Delegated, BC, &chosen).unwrap();
        assert_eq!(
            scopes,
            [
                format!("{BC}/Financials.ReadWrite.All"),
                "openid".into(),
                "profile".into(),
                "offline_access".into()
            ]
        );
    }

    #[test]
    fn delegated_with_nothing_chosen_uses_dot_default() {
        let env = "https://contoso.operations.dynamics.com";
        let scopes =
            request_scopes(Product::FinanceOperations, Grant::Delegated, env, &[]).unwrap();
        assert_eq!(scopes[0], format!("{env}/.default"));
    }

    #[test]
    fn an_application_permission_is_not_a_delegated_scope() {
        let err = request_scopes(
            Product::BusinessCentral,
            Grant::Delegated,
            BC,
            &["API.ReadWrite.All".into()],
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidScope);
    }

    #[test]
    fn environment_resources_lose_their_trailing_slash() {
        let r = resource(
            Product::Dataverse,
            &Cloud::Public,
            Some("https://contoso.crm.dynamics.com/ "),
        );
        assert_eq!(r.unwrap(), "https://contoso.crm.dynamics.com");
        let missing = resource(Product::FinanceOperations, &Cloud::Public, Some("  "));
        assert_eq!(missing.unwrap_err().kind(), ErrorKind::InvalidInput);
    }

    #[test]
    fn business_central_has_one_resource_and_none_in_sovereign_clouds() {
        assert_eq!(
            resource(Product::BusinessCentral, &Cloud::Public, None).unwrap(),
            BC
        );
        assert!(resource(Product::BusinessCentral, &Cloud::China, None).is_err());
    }

    #[test]
    fn every_product_offers_a_default_delegated_permission_or_dot_default() {
        assert_eq!(
            default_permissions(Product::BusinessCentral, Grant::ClientCredentials),
            ["API.ReadWrite.All"]
        );
        assert_eq!(
            default_permissions(Product::Dataverse, Grant::Delegated),
            ["user_impersonation"]
        );
        // F&O documents its scope only as the resource (⚠ docs/microsoft.md §6), so the
        // request falls back to `.default`.
        assert!(default_permissions(Product::FinanceOperations, Grant::Delegated).is_empty());
    }
}
