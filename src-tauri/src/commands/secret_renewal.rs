//! "Replace the secret" of a saved connection from the desktop: an
//! administrator signs in as for setup, then the core makes a new client
//! secret, proves it, keeps it in the keychain and removes the old one
//! (`d365_core::setup::renew`, as `d365c secret renew` does).

use d365_core::http::{self, Timeout};
use d365_core::identity::browser::SystemBrowser;
use d365_core::identity::sign_in::{SignInEvent, SignInOptions};
use d365_core::profiles::Profile;
use d365_core::setup::admin::{graph_root, AdminSession};
use d365_core::setup::patience::Patience;
use d365_core::setup::progress::SetupEvent;
use d365_core::setup::renew::{renew_secret, Renewal};
use d365_core::UserError;
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::State;
use ts_rs::TS;

use crate::commands::setup::secret_lifetime;
use crate::state::AppState;

/// The connection with its new secret's expiry, and whether the old
/// secret was removed (it stays when the connection did not know which
/// one it was, as after a manual setup).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SecretReplaced {
    pub profile: Profile,
    pub old_removed: bool,
}

#[tauri::command]
pub async fn replace_secret(
    state: State<'_, AppState>,
    name: String,
    secret_months: u32,
    setup_client_id: String,
    operation: String,
    on_sign_in: Channel<SignInEvent>,
    on_progress: Channel<SetupEvent>,
) -> Result<SecretReplaced, UserError> {
    let lifetime = secret_lifetime(secret_months)?;
    let connections = state.saved().await?;
    let profile = connections.load(&name)?;
    graph_root(&profile.cloud)?;
    let http = http::client(Timeout::Normal)?;
    let on_sign_in = |event| {
        let _ = on_sign_in.send(event);
    };
    // References, so the closure's future can own them and `profile`
    // stays here for the renewal.
    let (signing_in, on_sign_in) = (&profile, &on_sign_in);
    let sign_in_http = http.clone();
    let session = state
        .run_operation(&operation, |cancel| async move {
            AdminSession::sign_in(
                sign_in_http,
                &signing_in.cloud,
                &signing_in.tenant,
                setup_client_id.trim(),
                &SystemBrowser,
                SignInOptions::default(),
                &cancel,
                on_sign_in,
            )
            .await
        })
        .await?;
    let graph = session.graph(http.clone(), &profile.cloud)?;
    let on_progress = |event| {
        let _ = on_progress.send(event);
    };
    // Not cancellable once signed in: stopping between making the new
    // secret and keeping it would leave a secret in Entra nobody holds.
    let renewed = renew_secret(
        &connections,
        &graph,
        http,
        Renewal {
            profile: &profile,
            lifetime,
        },
        &Patience::default(),
        &on_progress,
    )
    .await?;
    state.forget(&name).await;
    Ok(SecretReplaced {
        old_removed: renewed.removed.is_some(),
        profile: renewed.profile,
    })
}
