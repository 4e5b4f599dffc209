//! The registration guide and the permissions step.

use d365_core::guide::{self, GuideStep, Registration};
use d365_core::identity::cloud::Cloud;
use d365_core::identity::scopes::{self, Permission};
use d365_core::product::Product;

#[tauri::command]
pub fn registration_guide(
    product: Product,
    registration: Registration,
    cloud: Cloud,
    client_id: Option<String>,
) -> Vec<GuideStep> {
    guide::steps(product, registration, &cloud, client_id.as_deref())
}

/// The permissions of the kind the registration's sign-in uses, defaults
/// marked.
#[tauri::command]
pub fn permissions(product: Product, registration: Registration) -> Vec<Permission> {
    scopes::permissions_for(product, registration.grant().into())
        .copied()
        .collect()
}
