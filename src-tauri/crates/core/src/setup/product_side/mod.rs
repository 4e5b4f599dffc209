//! The product's own side of setup for a background service: what Entra
//! consent cannot give (docs/microsoft.md §10).

pub mod api;
pub mod business_central;
pub mod dataverse;
pub mod fno;

pub use api::{ProductApi, ProductSideError};

use tokio_util::sync::CancellationToken;

use crate::identity::browser::Browser;
use crate::identity::sign_in::{OnEvent, SignInOptions};
use crate::problem::UserError;
use crate::product::Product;
use crate::setup::admin::AdminSession;

/// The product's API with the administrator's own token for `resource`
/// (the environment URL): from the setup sign-in's refresh token when
/// Entra allows, else through the browser once more (one resource per
/// token, docs/microsoft.md §2).
#[allow(clippy::too_many_arguments)]
pub async fn as_administrator(
    session: &mut AdminSession,
    http: reqwest::Client,
    product: Product,
    resource: &str,
    browser: &dyn Browser,
    options: SignInOptions,
    cancel: &CancellationToken,
    on_event: OnEvent<'_>,
) -> Result<ProductApi, UserError> {
    let token = match session.token_for(resource).await? {
        Some(token) => token,
        None => {
            session
                .sign_in_for(resource, browser, options, cancel, on_event)
                .await?
        }
    };
    Ok(ProductApi::new(http, product, token))
}
