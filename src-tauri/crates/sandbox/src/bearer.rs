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
    /// An app-only token from an app the product does not know: not on
    /// BC's or F&O's "Microsoft Entra applications" page (docs/microsoft.md
    /// §5, §6), or without an application user in Dataverse (§7).
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

/// Checks the token for `audience` and, for app-only tokens, the
/// in-product registration that S2S needs: BC's and F&O's "Microsoft Entra
/// applications" page, Dataverse's application user (docs/microsoft.md
/// §5–§7; docs/sandbox-fidelity.md §H1).
pub fn authenticate(
    shared: &Shared,
    headers: &HeaderMap,
    audience: &str,
    product: Resource,
) -> Result<Caller, AuthFailure> {
    let caller = verify(shared, headers, audience)?;
    let needs_registration = matches!(
        product,
        Resource::BusinessCentral | Resource::FinanceOperations | Resource::Dataverse
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

/// Only the token: signature, expiry, audience. For services that are not
/// an environment, such as Global Discovery, which has no application users.
pub fn verify(shared: &Shared, headers: &HeaderMap, audience: &str) -> Result<Caller, AuthFailure> {
    let token = bearer(headers).ok_or(AuthFailure::Missing)?;
    let claims = shared
        .tokens
        .verify(token, audience)
        .map_err(AuthFailure::Token)?;
    let tenant =
        Uuid::parse_str(&claims.tid).map_err(|_| AuthFailure::Token(TokenError::Malformed))?;
    Ok(Caller { claims, tenant })
}
