//! The `{tenant}` segment of an Entra URL, resolved: one tenant, or
//! `common` / `organizations`. Kept below the store, which remembers it for
//! a sign-in in progress; Entra resolves it from the path (`entra/mod.rs`).

use uuid::Uuid;

use crate::world::World;

/// The `{tenant}` path segment, resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authority {
    Tenant(Uuid),
    /// `common` or `organizations`: the signed-in user's tenant decides.
    /// (The sandbox has work and school accounts only, so both behave
    /// alike.)
    Common(&'static str),
}

impl Authority {
    /// How Entra names the directory in messages.
    pub fn label(self, world: &World) -> String {
        match self {
            Authority::Tenant(id) => world
                .tenant_by_id(id)
                .map(|t| t.display_name.clone())
                .unwrap_or_else(|| id.to_string()),
            Authority::Common(name) => name.to_string(),
        }
    }

    /// The path segment endpoints are advertised under: the tenant GUID, as
    /// Entra's discovery document does even when asked by domain.
    pub fn segment(self) -> String {
        match self {
            Authority::Tenant(id) => id.to_string(),
            Authority::Common(name) => name.to_string(),
        }
    }
}
