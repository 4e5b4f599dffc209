//! The products' bearer check, the resource-server side of a token: every
//! product request needs `Authorization: Bearer <jwt>` signed by the
//! sandbox's key, unexpired, for the product's audience.

use axum::http::{header, HeaderMap};
use uuid::Uuid;

use crate::jwt::{AccessClaims, TokenError};
use crate::resources::Resource;
use crate::store::Shared;

/// Why a request is not authenticated. Products word this differently;
/// each route turns it into its own 401 body.
#[derive(Debug, PartialEq)]
pub enum AuthFailure {
    /// No `Authorization: Bearer` header.
    Missing,
    Token(TokenError),
    /// An app-only token from an app the product's own "Microsoft Entra
    /// applications" page does not list (docs/microsoft.md §5, §6).
    AppNotRegisteredInProduct,
}

pub struct Caller {
    pub claims: AccessClaims,
    pub tenant: Uuid,
}

impl Caller {
    pub fn is_app(&self) -> bool {
        self.claims.idtyp == "app"
    }

    pub fn has_role(&self, role: &str) -> bool {
        self.claims.roles().iter().any(|r| r == role)
    }
}

pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Checks the token for `audience`; for app-only tokens of BC and F&O, also
/// the in-product registration that S2S needs.
pub fn authenticate(
    shared: &Shared,
    headers: &HeaderMap,
    audience: &str,
    product: Resource,
) -> Result<Caller, AuthFailure> {
    let token = bearer(headers).ok_or(AuthFailure::Missing)?;
    let claims = shared
        .tokens
        .verify(token, audience)
        .map_err(AuthFailure::Token)?;
    let tenant =
        Uuid::parse_str(&claims.tid).map_err(|_| AuthFailure::Token(TokenError::Malformed))?;
    let caller = Caller { claims, tenant };
    let needs_registration = matches!(
        product,
        Resource::BusinessCentral | Resource::FinanceOperations
    );
    if caller.is_app() && needs_registration {
        let registered = Uuid::parse_str(&caller.claims.appid)
            .is_ok_and(|app| shared.store().registered_in_product(app, product));
        if !registered {
            return Err(AuthFailure::AppNotRegisteredInProduct);
        }
    }
    Ok(caller)
}
