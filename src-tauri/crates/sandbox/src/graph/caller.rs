//! Who is calling Microsoft Graph: the bearer token checked as Graph
//! checks it (signature, expiry, audience Microsoft Graph), the signed-in
//! user behind it, and the scopes it carries (docs/microsoft.md §9, "What
//! the signed-in administrator needs").

use axum::http::HeaderMap;
use uuid::Uuid;

use super::errors::GraphError;
use crate::bearer;
use crate::jwt::TokenError;
use crate::resources::Resource;
use crate::store::Shared;
use crate::world::{Tenant, User};

/// A delegated caller: the user, their tenant and the token's `scp`.
pub struct Caller {
    pub tenant: Tenant,
    pub user: User,
    scopes: Vec<String>,
}

impl Caller {
    /// Graph accepts its URI or its application ID as the audience. An
    /// app-only token holds no Graph app role in the sandbox (none are
    /// modelled), so it is refused like a token without permissions.
    pub fn authenticate(shared: &Shared, headers: &HeaderMap) -> Result<Caller, GraphError> {
        let token = bearer::bearer(headers)
            .ok_or_else(|| GraphError::unauthenticated("Access token is empty."))?;
        let claims = shared
            .tokens
            .verify(token, Resource::graph_uri())
            .or_else(|_| {
                shared
                    .tokens
                    .verify(token, Resource::MicrosoftGraph.app_id())
            })
            .map_err(|e| {
                GraphError::unauthenticated(match e {
                    TokenError::Expired => "Lifetime validation failed, the token is expired.",
                    TokenError::WrongAudience => {
                        "Access token validation failure. Invalid audience."
                    }
                    _ => "Access token validation failure.",
                })
            })?;
        if claims.idtyp == "app" {
            return Err(GraphError::denied());
        }
        let invalid = || GraphError::unauthenticated("Access token validation failure.");
        let tenant_id = Uuid::parse_str(&claims.tid).map_err(|_| invalid())?;
        let oid = Uuid::parse_str(&claims.oid).map_err(|_| invalid())?;
        let tenant = shared.world.tenant_by_id(tenant_id).ok_or_else(invalid)?;
        let user = shared
            .world
            .users
            .iter()
            .find(|u| u.tenant == tenant_id && u.object_id() == oid)
            .ok_or_else(invalid)?;
        Ok(Caller {
            tenant: tenant.clone(),
            user: user.clone(),
            scopes: claims.scopes().into_iter().map(str::to_string).collect(),
        })
    }

    /// The token must carry `scope` (403 otherwise).
    pub fn require(&self, scope: &str) -> Result<(), GraphError> {
        if self.scopes.iter().any(|s| s.eq_ignore_ascii_case(scope)) {
            Ok(())
        } else {
            Err(GraphError::denied())
        }
    }

    /// The user must administer applications: Global, Privileged Role,
    /// Cloud Application or Application Administrator (docs/microsoft.md §9).
    pub fn require_administrator(&self) -> Result<(), GraphError> {
        if self.user.administers_applications() {
            Ok(())
        } else {
            Err(GraphError::denied())
        }
    }

    pub fn user_id(&self) -> Uuid {
        self.user.object_id()
    }
}
