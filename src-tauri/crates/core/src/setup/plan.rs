//! What an app registration must hold for a product and a way of signing
//! in: its platform and redirect URI, and the permissions it lists and gets
//! consent for (docs/microsoft.md §2, §9). Permission names come from
//! `identity::scopes`; their IDs are looked up on the resource's service
//! principal at run time, never trusted from a table alone.

use crate::guide::REDIRECT_URI;
use crate::identity::scopes::{self, Access};
use crate::product::Product;
use crate::profiles::Registration;

/// Who may sign in to the app (Graph `signInAudience`): setup registers
/// single-tenant apps only.
pub const SINGLE_TENANT: &str = "AzureADMyOrg";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationPlan {
    pub product: Product,
    pub registration: Registration,
    pub display_name: String,
    /// "Mobile and desktop applications" redirect URIs: a person signs in
    /// without a secret.
    pub public_client_redirects: Vec<String>,
    /// "Web" redirect URIs: the app has a secret. A background service gets
    /// one too, so the admin consent link of the hand-off pack can land
    /// somewhere (docs/microsoft.md §4: admin consent needs a redirect URI).
    pub web_redirects: Vec<String>,
    /// Permission names on the product's resource, with their kind.
    pub permissions: Vec<(&'static str, Access)>,
}

impl RegistrationPlan {
    pub fn new(product: Product, registration: Registration, display_name: &str) -> Self {
        let redirect = vec![REDIRECT_URI.to_string()];
        let (public_client_redirects, web_redirects) = match registration {
            Registration::SignInWithoutSecret => (redirect, vec![]),
            Registration::SignInWithSecret | Registration::BackgroundService => (vec![], redirect),
        };
        Self {
            product,
            registration,
            display_name: display_name.trim().to_string(),
            public_client_redirects,
            web_redirects,
            permissions: permissions(product, registration),
        }
    }

    /// Whether the app needs a client secret.
    pub fn needs_secret(&self) -> bool {
        self.registration != Registration::SignInWithoutSecret
    }

    pub fn delegated(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.of(Access::Delegated)
    }

    pub fn application(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.of(Access::Application)
    }

    fn of(&self, access: Access) -> impl Iterator<Item = &'static str> + '_ {
        self.permissions
            .iter()
            .filter(move |(_, a)| *a == access)
            .map(|(name, _)| *name)
    }
}

/// The name an app gets unless the admin types another: says what it is
/// for, so whoever finds it in the Entra admin center later knows.
pub fn default_display_name(product: Product, registration: Registration) -> String {
    let how = match registration {
        Registration::SignInWithoutSecret | Registration::SignInWithSecret => "people sign in",
        Registration::BackgroundService => "background service",
    };
    format!("D365 Connect - {} ({how})", product.short_name())
}

/// The product's default permissions for the way of signing in. Products
/// with no application permissions (F&O, Dataverse) authorize a background
/// service inside the product (docs/microsoft.md §6, §7); Microsoft's
/// server-to-server walkthrough for Dataverse still lists its delegated
/// permission, so that is kept. F&O documents its delegated scope only as
/// the resource (§6 ⚠), so a person's sign-in lists both data permissions
/// that `.default` then asks for.
fn permissions(product: Product, registration: Registration) -> Vec<(&'static str, Access)> {
    let grant = registration.grant();
    let access = Access::from(grant);
    let mut chosen: Vec<(&'static str, Access)> = scopes::permissions_for(product, access)
        .filter(|p| p.default)
        .map(|p| (p.name, p.access))
        .collect();
    match (product, registration) {
        (Product::FinanceOperations, Registration::SignInWithoutSecret)
        | (Product::FinanceOperations, Registration::SignInWithSecret) => {
            chosen = ["AX.FullAccess", "Odata.FullAccess"]
                .into_iter()
                .map(|name| (name, Access::Delegated))
                .collect();
        }
        (Product::Dataverse, Registration::BackgroundService) => {
            chosen.push(("user_impersonation", Access::Delegated));
        }
        _ => {}
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_without_secret_gets_a_public_client_and_delegated_permissions() {
        let plan = RegistrationPlan::new(
            Product::BusinessCentral,
            Registration::SignInWithoutSecret,
            " Contoso ",
        );
        assert_eq!(plan.display_name, "Contoso");
        assert_eq!(plan.public_client_redirects, ["http://localhost"]);
        assert!(plan.web_redirects.is_empty());
        assert!(!plan.needs_secret());
        assert_eq!(
            plan.delegated().collect::<Vec<_>>(),
            ["Financials.ReadWrite.All"]
        );
        assert_eq!(plan.application().count(), 0);
    }

    #[test]
    fn a_background_service_has_a_secret_web_redirect_and_application_permissions() {
        let plan = RegistrationPlan::new(
            Product::BusinessCentral,
            Registration::BackgroundService,
            "x",
        );
        assert!(plan.needs_secret());
        assert_eq!(plan.web_redirects, ["http://localhost"]);
        assert_eq!(
            plan.application().collect::<Vec<_>>(),
            ["API.ReadWrite.All"]
        );
        assert_eq!(plan.delegated().count(), 0);
    }

    #[test]
    fn products_without_app_roles_list_what_their_guides_list() {
        let dataverse =
            RegistrationPlan::new(Product::Dataverse, Registration::BackgroundService, "x");
        assert_eq!(dataverse.application().count(), 0);
        assert_eq!(
            dataverse.delegated().collect::<Vec<_>>(),
            ["user_impersonation"]
        );
        let fno = RegistrationPlan::new(
            Product::FinanceOperations,
            Registration::BackgroundService,
            "x",
        );
        assert!(fno.permissions.is_empty());
        let fno_people = RegistrationPlan::new(
            Product::FinanceOperations,
            Registration::SignInWithSecret,
            "x",
        );
        assert_eq!(
            fno_people.delegated().collect::<Vec<_>>(),
            ["AX.FullAccess", "Odata.FullAccess"]
        );
    }

    #[test]
    fn default_names_say_what_the_app_is_for() {
        assert_eq!(
            default_display_name(Product::Dataverse, Registration::BackgroundService),
            "D365 Connect - Dataverse (background service)"
        );
    }
}
