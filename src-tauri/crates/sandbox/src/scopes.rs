//! The v2.0 `scope` parameter: OpenID Connect scopes plus permissions named
//! `<resource URI>/<permission>` or `<resource URI>/.default`; a bare name
//! is a Microsoft Graph permission (docs/microsoft.md §5, §9).

use crate::resources::Resource;
use crate::world::AppRegistration;

/// Scopes that are about the sign-in itself, not a resource.
pub const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];

#[derive(Debug, Clone, PartialEq)]
pub struct ScopeRequest {
    pub oidc: Vec<String>,
    /// One entry per resource URI, in request order.
    pub resources: Vec<ResourceScope>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResourceScope {
    pub resource: Resource,
    /// The resource URI as asked for: it becomes the token's `aud`.
    pub audience: String,
    pub wanted: Wanted,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Wanted {
    /// `<resource>/.default`: the app's statically registered permissions.
    Default,
    Named(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ScopeError {
    Missing,
    /// The offending scope (→ AADSTS70011).
    Invalid(String),
    /// A resource URI no service principal answers to (→ AADSTS500011).
    UnknownResource(String),
}

pub fn parse(raw: &str, base: &str) -> Result<ScopeRequest, ScopeError> {
    let mut request = ScopeRequest {
        oidc: vec![],
        resources: vec![],
    };
    for scope in raw.split_whitespace() {
        if let Some(oidc) = OIDC_SCOPES.iter().find(|s| s.eq_ignore_ascii_case(scope)) {
            if !request.oidc.iter().any(|s| s == oidc) {
                request.oidc.push(oidc.to_string());
            }
            continue;
        }
        let (uri, permission) = match scope.rsplit_once('/') {
            Some((uri, p)) => (uri.trim_end_matches('/').to_string(), p),
            None => (Resource::graph_uri().to_string(), scope),
        };
        let resource = Resource::identify(&uri, base)
            .ok_or_else(|| ScopeError::UnknownResource(uri.clone()))?;
        let wanted = if permission == ".default" {
            Wanted::Default
        } else if resource.has_delegated(permission) {
            Wanted::Named(vec![permission.to_string()])
        } else {
            return Err(ScopeError::Invalid(scope.to_string()));
        };
        match request
            .resources
            .iter_mut()
            .find(|r| r.audience.eq_ignore_ascii_case(&uri))
        {
            None => request.resources.push(ResourceScope {
                resource,
                audience: uri,
                wanted,
            }),
            Some(existing) => match (&mut existing.wanted, wanted) {
                (Wanted::Named(names), Wanted::Named(more)) => {
                    for n in more {
                        if !names.contains(&n) {
                            names.push(n);
                        }
                    }
                }
                (Wanted::Default, Wanted::Default) => {}
                // `.default` cannot be combined with named permissions of
                // the same resource.
                _ => return Err(ScopeError::Invalid(scope.to_string())),
            },
        }
    }
    if request.oidc.is_empty() && request.resources.is_empty() {
        return Err(ScopeError::Missing);
    }
    Ok(request)
}

impl ScopeRequest {
    pub fn wants(&self, oidc_scope: &str) -> bool {
        self.oidc.iter().any(|s| s == oidc_scope)
    }

    /// The resource a token is for: the one asked for, or Graph when only
    /// OpenID Connect scopes were (the v2.0 endpoint's default).
    pub fn token_resource(&self) -> ResourceScope {
        self.resources
            .first()
            .cloned()
            .unwrap_or_else(|| ResourceScope {
                resource: Resource::MicrosoftGraph,
                audience: Resource::graph_uri().to_string(),
                wanted: Wanted::Named(vec![]),
            })
    }
}

impl ResourceScope {
    /// The delegated permissions asked for: `.default` means the ones the
    /// registration lists for this resource.
    pub fn permissions(&self, app: &AppRegistration) -> Vec<String> {
        match &self.wanted {
            Wanted::Default => app
                .required(self.resource)
                .map(|r| r.delegated.clone())
                .unwrap_or_default(),
            Wanted::Named(names) => names.clone(),
        }
    }

    /// A permission as the token response's `scope` lists it: Graph's bare,
    /// other resources' prefixed with the resource URI.
    pub fn qualify(&self, permission: &str) -> String {
        if self.resource == Resource::MicrosoftGraph {
            permission.to_string()
        } else {
            format!("{}/{permission}", self.audience)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "http://127.0.0.1:9";

    #[test]
    fn splits_oidc_scopes_from_resource_permissions() {
        let r = parse(
            "openid offline_access https://api.businesscentral.dynamics.com/Financials.ReadWrite.All \
             https://api.businesscentral.dynamics.com/user_impersonation",
            BASE,
        )
        .unwrap();
        assert_eq!(r.oidc, ["openid", "offline_access"]);
        assert_eq!(r.resources.len(), 1);
        assert_eq!(r.resources[0].resource, Resource::BusinessCentral);
        assert_eq!(
            r.resources[0].wanted,
            Wanted::Named(vec![
                "Financials.ReadWrite.All".into(),
                "user_impersonation".into()
            ])
        );
    }

    #[test]
    fn a_bare_permission_is_graphs() {
        let r = parse("Financials.ReadWrite.All", BASE).unwrap();
        assert_eq!(r.resources[0].resource, Resource::MicrosoftGraph);
    }

    #[test]
    fn reports_missing_invalid_and_unknown() {
        assert_eq!(parse("  ", BASE), Err(ScopeError::Missing));
        assert_eq!(
            parse("https://api.businesscentral.dynamics.com/Nope", BASE),
            Err(ScopeError::Invalid(
                "https://api.businesscentral.dynamics.com/Nope".into()
            ))
        );
        assert_eq!(
            parse("https://api.businesscentral.dynamic.com/.default", BASE),
            Err(ScopeError::UnknownResource(
                "https://api.businesscentral.dynamic.com".into()
            ))
        );
        assert!(matches!(
            parse(
                "https://api.businesscentral.dynamics.com/.default https://api.businesscentral.dynamics.com/user_impersonation",
                BASE
            ),
            Err(ScopeError::Invalid(_))
        ));
    }

    #[test]
    fn two_resources_stay_two() {
        let r = parse(
            "https://api.businesscentral.dynamics.com/.default https://graph.microsoft.com/User.Read",
            BASE,
        )
        .unwrap();
        assert_eq!(r.resources.len(), 2);
    }
}
