//! A delegated sign-in from start to token: the loopback listener bound
//! first, the system browser opened at the authorize URL, the redirect
//! awaited, the code redeemed; and admin consent through the same path.
//! Each stage is reported so the UI can show live progress.

use serde::Serialize;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::identity::browser::Browser;
use crate::identity::flow::{ConsentEndpoint, EntraClient, FlowError, TokenSet};
use crate::identity::loopback::{Callback, Loopback, LoopbackError, LoopbackOptions};
use crate::problem::{ErrorKind, Explain, UserError};
use crate::secrets::Secret;

/// Where a sign-in is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub enum SignInStage {
    /// The listener is ready for Microsoft's redirect.
    Listening,
    /// The browser shows Microsoft's page.
    BrowserOpened,
    /// No browser could be opened: the user opens `url` by hand.
    BrowserUnavailable,
    /// Microsoft sent the browser back with a code (or consent).
    CodeReceived,
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SignInEvent {
    pub stage: SignInStage,
    /// The sign-in link, when the user may need to open it themselves.
    pub url: Option<String>,
}

/// How a sign-in listens: any free port and five minutes, unless a test
/// or a locked-down machine needs otherwise.
pub type SignInOptions = LoopbackOptions;

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error(transparent)]
    Loopback(#[from] LoopbackError),
    #[error(transparent)]
    Flow(#[from] FlowError),
    #[error("Microsoft sent back an answer for a different kind of sign-in.")]
    UnexpectedAnswer,
}

impl Explain for SignInError {
    fn kind(&self) -> ErrorKind {
        self.explain().kind
    }

    fn fix(&self) -> String {
        self.explain().fix
    }

    fn explain(&self) -> UserError {
        match self {
            SignInError::Loopback(e) => e.explain(),
            SignInError::Flow(e) => e.explain(),
            SignInError::UnexpectedAnswer => UserError::new(
                ErrorKind::SignInFailed,
                self.to_string(),
                "Start again from D365 Connect, and finish in the same browser tab.",
            ),
        }
    }
}

pub type OnEvent<'a> = &'a (dyn Fn(SignInEvent) + Send + Sync);

fn event(stage: SignInStage) -> SignInEvent {
    SignInEvent { stage, url: None }
}

/// Binds the listener, opens `url_for(redirect_uri)` in the browser (or
/// reports the URL to copy) and waits for the answer.
async fn round_trip(
    browser: &dyn Browser,
    options: SignInOptions,
    state_and_url: impl FnOnce(&str) -> Result<(Secret, String), FlowError>,
    cancel: &CancellationToken,
    on_event: OnEvent<'_>,
) -> Result<Callback, SignInError> {
    // Listening before the browser opens, so no redirect can be missed.
    let loopback = Loopback::bind(options)?;
    on_event(event(SignInStage::Listening));
    let (state, url) = state_and_url(&loopback.redirect_uri())?;
    match browser.open(&url) {
        Ok(()) => on_event(event(SignInStage::BrowserOpened)),
        Err(_) => on_event(SignInEvent {
            stage: SignInStage::BrowserUnavailable,
            url: Some(url),
        }),
    }
    let callback = loopback.wait(&state, cancel).await?;
    on_event(event(SignInStage::CodeReceived));
    Ok(callback)
}

/// A delegated sign-in: authorization code with PKCE S256 through the
/// browser and the loopback listener, then the code redeemed with the same
/// redirect URI (docs/microsoft.md §1, §2).
pub async fn sign_in(
    client: &EntraClient,
    scopes: &[String],
    browser: &dyn Browser,
    options: SignInOptions,
    cancel: &CancellationToken,
    on_event: OnEvent<'_>,
) -> Result<TokenSet, SignInError> {
    let mut pending = None;
    let callback = round_trip(
        browser,
        options,
        |redirect_uri| {
            let request = client.authorize(scopes, redirect_uri)?;
            let answer = (request.state.clone(), request.url.clone());
            pending = Some(request);
            Ok(answer)
        },
        cancel,
        on_event,
    )
    .await?;
    let (Callback::Code(code), Some(request)) = (callback, pending) else {
        return Err(SignInError::UnexpectedAnswer);
    };
    let tokens = client.redeem(&code, request).await?;
    on_event(event(SignInStage::Done));
    Ok(tokens)
}

/// What an administrator granted (for display only, docs/microsoft.md §4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ConsentGranted {
    pub tenant: String,
    pub scope: Option<String>,
}

/// Admin consent through the same listener (docs/microsoft.md §4).
pub async fn admin_consent(
    client: &EntraClient,
    endpoint: ConsentEndpoint,
    scopes: &[String],
    browser: &dyn Browser,
    options: SignInOptions,
    cancel: &CancellationToken,
    on_event: OnEvent<'_>,
) -> Result<ConsentGranted, SignInError> {
    let callback = round_trip(
        browser,
        options,
        |redirect_uri| {
            let (url, state) = client.admin_consent(endpoint, redirect_uri, scopes)?;
            Ok((state, url))
        },
        cancel,
        on_event,
    )
    .await?;
    let Callback::AdminConsent { tenant, scope } = callback else {
        return Err(SignInError::UnexpectedAnswer);
    };
    on_event(event(SignInStage::Done));
    Ok(ConsentGranted { tenant, scope })
}
