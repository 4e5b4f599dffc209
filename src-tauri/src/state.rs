//! What the shell keeps for the life of the app.

use std::sync::Arc;

use d365_core::secrets::{SecretStore, KEYCHAIN_SERVICE};
use d365_core::{ErrorKind, UserError};
use tokio::sync::OnceCell;

#[derive(Default)]
pub struct AppState {
    secrets: OnceCell<Arc<SecretStore>>,
}

impl AppState {
    /// The secret store, opened on first use: probing the OS store is a
    /// blocking D-Bus round trip that must not delay the first window paint.
    pub async fn secrets(&self) -> Result<Arc<SecretStore>, UserError> {
        self.secrets
            .get_or_try_init(|| async {
                tokio::task::spawn_blocking(|| Arc::new(SecretStore::open(KEYCHAIN_SERVICE)))
                    .await
                    .map_err(|e| {
                        UserError::new(
                            ErrorKind::Internal,
                            "D365 Connect could not check your system's secret store.",
                            "Restart the app. If it keeps happening, copy the details for your IT contact.",
                        )
                        .with_details(e.to_string())
                    })
            })
            .await
            .cloned()
    }
}
