//! Which Microsoft cloud a connection talks to. Every URL the app calls is
//! derived from here; nothing else in the code base hard-codes a host.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Endpoints of a cloud that is not one of Microsoft's named ones: the
/// sandbox tenant, or a test double. Paths under each base follow Microsoft's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CustomCloud {
    /// e.g. `http://127.0.0.1:8400/entra`; endpoints are `{authority}/{tenant}/…`.
    pub authority: String,
    /// Business Central API root (`{bc_api}/v2.0/{tenant}/{environment}/api/v2.0`);
    /// only a Business Central connection needs it.
    #[serde(default)]
    pub bc_api: Option<String>,
    /// Finance & Operations environment URL.
    pub fno_url: Option<String>,
    /// Dataverse environment URL.
    pub dataverse_url: Option<String>,
    /// Dataverse Global Discovery root; without it a Dataverse connection
    /// needs its environment URL.
    #[serde(default)]
    pub globaldisco: Option<String>,
    /// The token audience to ask for per product, when it differs from the
    /// API URL (the sandbox issues Microsoft's real audiences).
    #[serde(default)]
    pub bc_resource: Option<String>,
    /// Microsoft Graph root, for "Set it up for me" (docs/microsoft.md §9);
    /// without it setup is not offered for this cloud.
    #[serde(default)]
    pub graph: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(tag = "kind", content = "custom")]
pub enum Cloud {
    #[default]
    Public,
    UsGov,
    China,
    Custom(CustomCloud),
}

/// Business Central's resource, the same in the token audience and the scope
/// (docs/microsoft.md §5).
const BC_RESOURCE: &str = "https://api.businesscentral.dynamics.com";

impl Cloud {
    pub fn display_name(&self) -> &'static str {
        match self {
            Cloud::Public => "Public (most companies)",
            Cloud::UsGov => "US Government",
            Cloud::China => "China (operated by 21Vianet)",
            Cloud::Custom(_) => "Custom endpoints",
        }
    }

    /// The Entra authority host (docs/microsoft.md §8).
    pub fn authority(&self) -> &str {
        match self {
            Cloud::Public => "https://login.microsoftonline.com",
            Cloud::UsGov => "https://login.microsoftonline.us",
            Cloud::China => "https://login.partner.microsoftonline.cn",
            Cloud::Custom(c) => c.authority.trim_end_matches('/'),
        }
    }

    pub fn authorize_url(&self, tenant: &str) -> String {
        format!("{}/{tenant}/oauth2/v2.0/authorize", self.authority())
    }

    pub fn token_url(&self, tenant: &str) -> String {
        format!("{}/{tenant}/oauth2/v2.0/token", self.authority())
    }

    pub fn discovery_url(&self, tenant: &str) -> String {
        format!(
            "{}/{tenant}/v2.0/.well-known/openid-configuration",
            self.authority()
        )
    }

    /// v1 admin consent (docs/microsoft.md §4).
    pub fn admin_consent_v1_url(&self, tenant: &str) -> String {
        format!("{}/{tenant}/adminconsent", self.authority())
    }

    /// v2 admin consent (docs/microsoft.md §4).
    pub fn admin_consent_v2_url(&self, tenant: &str) -> String {
        format!("{}/{tenant}/v2.0/adminconsent", self.authority())
    }

    /// Business Central's API root; `None` where Microsoft documents no BC
    /// endpoint for the cloud (docs/microsoft.md §8: "not found").
    pub fn bc_api(&self) -> Option<&str> {
        match self {
            Cloud::Public => Some(BC_RESOURCE),
            Cloud::UsGov | Cloud::China => None,
            Cloud::Custom(c) => c.bc_api.as_deref().map(|api| api.trim_end_matches('/')),
        }
    }

    /// The audience of a Business Central token.
    pub fn bc_resource(&self) -> Option<&str> {
        match self {
            Cloud::Custom(c) => c.bc_resource.as_deref().or(Some(BC_RESOURCE)),
            _ => self.bc_api(),
        }
    }

    /// Dataverse Global Discovery (docs/microsoft.md §7, §8; for US
    /// Government the GCC High host, the one commercial tenants cannot use).
    pub fn globaldisco(&self) -> Option<&str> {
        match self {
            Cloud::Public => Some("https://globaldisco.crm.dynamics.com"),
            Cloud::UsGov => Some("https://globaldisco.crm.microsoftdynamics.us"),
            Cloud::China => Some("https://globaldisco.crm.dynamics.cn"),
            Cloud::Custom(c) => c.globaldisco.as_deref().map(|g| g.trim_end_matches('/')),
        }
    }

    /// Microsoft Graph's root in this cloud (docs/microsoft.md §8: the
    /// national deployments); `None` for custom endpoints without one.
    pub fn graph_url(&self) -> Option<&str> {
        match self {
            Cloud::Public => Some("https://graph.microsoft.com"),
            Cloud::UsGov => Some("https://graph.microsoft.us"),
            Cloud::China => Some("https://microsoftgraph.chinacloudapi.cn"),
            Cloud::Custom(c) => c.graph.as_deref().map(|g| g.trim_end_matches('/')),
        }
    }

    /// The audience of a Graph token: the public root in custom clouds too,
    /// as the sandbox issues Microsoft's real audiences.
    pub fn graph_resource(&self) -> &str {
        match self {
            Cloud::Custom(_) => "https://graph.microsoft.com",
            other => other.graph_url().unwrap_or("https://graph.microsoft.com"),
        }
    }

    /// Host suffixes a Dataverse environment URL may have in this cloud
    /// (docs/microsoft.md §7, §8). Empty for a custom cloud: any host.
    pub fn dataverse_host_suffixes(&self) -> &'static [&'static str] {
        match self {
            // crm.dynamics.com, crm4.dynamics.com, … and crm9 (GCC).
            Cloud::Public => &[".dynamics.com"],
            Cloud::UsGov => &[".crm.microsoftdynamics.us", ".crm.appsplatform.us"],
            Cloud::China => &[".crm.dynamics.cn"],
            Cloud::Custom(_) => &[],
        }
    }

    /// Host suffixes of a Finance & Operations environment (docs/microsoft.md
    /// §6; sovereign F&O hosts are not documented, so any https host there).
    pub fn fno_host_suffixes(&self) -> &'static [&'static str] {
        match self {
            Cloud::Public => &[".operations.dynamics.com"],
            Cloud::UsGov | Cloud::China | Cloud::Custom(_) => &[],
        }
    }

    /// Whether plain http is acceptable: only for the loopback sandbox.
    pub fn allows_http(&self) -> bool {
        matches!(self, Cloud::Custom(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sandbox() -> Cloud {
        Cloud::Custom(CustomCloud {
            authority: "http://127.0.0.1:9/entra/".into(),
            bc_api: Some("http://127.0.0.1:9/bc".into()),
            fno_url: None,
            dataverse_url: None,
            globaldisco: Some("http://127.0.0.1:9/globaldisco".into()),
            bc_resource: None,
            graph: Some("http://127.0.0.1:9/graph/".into()),
        })
    }

    #[test]
    fn graph_has_a_root_per_national_cloud_and_keeps_its_audience_in_custom_ones() {
        assert_eq!(Cloud::UsGov.graph_url(), Some("https://graph.microsoft.us"));
        assert_eq!(sandbox().graph_url(), Some("http://127.0.0.1:9/graph"));
        assert_eq!(sandbox().graph_resource(), "https://graph.microsoft.com");
    }

    #[test]
    fn entra_endpoints_sit_under_authority_and_tenant() {
        let c = Cloud::Public;
        assert_eq!(
            c.token_url("contoso.onmicrosoft.com"),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
        );
        assert_eq!(
            Cloud::China.authorize_url("t"),
            "https://login.partner.microsoftonline.cn/t/oauth2/v2.0/authorize"
        );
        let s = sandbox();
        assert_eq!(
            s.authorize_url("t"),
            "http://127.0.0.1:9/entra/t/oauth2/v2.0/authorize"
        );
        assert_eq!(
            s.discovery_url("t"),
            "http://127.0.0.1:9/entra/t/v2.0/.well-known/openid-configuration"
        );
        assert_eq!(
            s.admin_consent_v2_url("t"),
            "http://127.0.0.1:9/entra/t/v2.0/adminconsent"
        );
    }

    #[test]
    fn business_central_is_only_known_in_the_public_cloud() {
        assert_eq!(Cloud::Public.bc_api(), Some(BC_RESOURCE));
        assert_eq!(Cloud::UsGov.bc_api(), None);
        assert_eq!(sandbox().bc_api(), Some("http://127.0.0.1:9/bc"));
        // The sandbox serves BC under its own URL but issues the real audience.
        assert_eq!(sandbox().bc_resource(), Some(BC_RESOURCE));
    }

    #[test]
    fn serializes_with_a_kind_tag_for_profiles() {
        let json = serde_json::to_value(Cloud::UsGov).unwrap();
        assert_eq!(json, serde_json::json!({ "kind": "UsGov" }));
        let back: Cloud = serde_json::from_value(serde_json::to_value(sandbox()).unwrap()).unwrap();
        assert_eq!(back, sandbox());
    }
}
