//! Keeps one connection's access token fresh: served from memory while it
//! has time left, refreshed (or, for client credentials, re-requested)
//! before it expires, and "sign in again" when Entra says the stored sign-in
//! is gone. The refresh token lives only in the secret store.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;

use crate::identity::flow::{EntraClient, FlowError, TokenSet};
use crate::problem::{ErrorKind, Explain, UserError};
use crate::profiles::Grant;
use crate::secrets::{Secret, SecretKey, SecretKind, SecretStore, SecretStoreError};

/// Refresh this long before expiry, as MSAL does, so a token never expires
/// between being handed out and reaching the service.
pub const EXPIRY_SKEW: Duration = Duration::from_secs(5 * 60);

#[derive(Debug, thiserror::Error)]
pub enum TokenCacheError {
    #[error("You need to sign in (again) to use this connection.")]
    SignInRequired {
        /// Entra's reason, when the refresh token was rejected.
        because: Option<Box<FlowError>>,
    },
    #[error(transparent)]
    Flow(FlowError),
    #[error(transparent)]
    Store(#[from] SecretStoreError),
}

impl Explain for TokenCacheError {
    fn kind(&self) -> ErrorKind {
        match self {
            TokenCacheError::SignInRequired { .. } => ErrorKind::SignInExpired,
            TokenCacheError::Flow(e) => e.kind(),
            TokenCacheError::Store(e) => e.kind(),
        }
    }

    fn fix(&self) -> String {
        match self {
            TokenCacheError::SignInRequired { .. } => {
                "Choose Sign in; your browser opens the Microsoft sign-in page.".into()
            }
            TokenCacheError::Flow(e) => e.fix(),
            TokenCacheError::Store(e) => e.fix(),
        }
    }

    fn details(&self) -> Option<String> {
        match self {
            TokenCacheError::SignInRequired { because } => {
                because.as_ref().and_then(|e| e.details())
            }
            TokenCacheError::Flow(e) => e.details(),
            TokenCacheError::Store(e) => e.details(),
        }
    }

    fn explain(&self) -> UserError {
        match self {
            TokenCacheError::Flow(e) => e.explain(),
            TokenCacheError::Store(e) => e.explain(),
            TokenCacheError::SignInRequired { .. } => UserError {
                kind: self.kind(),
                message: self.to_string(),
                fix: self.fix(),
                details: self.details(),
                setting: self.setting(),
            },
        }
    }
}

/// The token source of one connection profile and one resource.
pub struct TokenCache {
    client: EntraClient,
    grant: Grant,
    scopes: Vec<String>,
    store: Arc<SecretStore>,
    refresh_key: SecretKey,
    current: Mutex<Option<TokenSet>>,
}

impl TokenCache {
    pub fn new(
        client: EntraClient,
        grant: Grant,
        scopes: Vec<String>,
        store: Arc<SecretStore>,
        profile: &str,
    ) -> Self {
        Self {
            client,
            grant,
            scopes,
            store,
            refresh_key: SecretKey::new(profile, SecretKind::RefreshToken),
            current: Mutex::new(None),
        }
    }

    pub fn client(&self) -> &EntraClient {
        &self.client
    }

    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// Takes the result of an interactive sign-in.
    pub async fn accept(&self, tokens: TokenSet) -> Result<(), TokenCacheError> {
        self.remember_refresh_token(&tokens)?;
        *self.current.lock().await = Some(tokens);
        Ok(())
    }

    /// The current tokens, if any, for the token panel.
    pub async fn current(&self) -> Option<TokenSet> {
        self.current.lock().await.clone()
    }

    /// An access token with at least `EXPIRY_SKEW` left. Concurrent callers
    /// wait for one refresh instead of each starting their own, which would
    /// race on a rotating refresh token.
    pub async fn access_token(&self) -> Result<Secret, TokenCacheError> {
        let mut current = self.current.lock().await;
        if let Some(tokens) = current.as_ref().filter(|t| !t.expires_within(EXPIRY_SKEW)) {
            return Ok(tokens.access_token.clone());
        }
        let fresh = match self.grant {
            Grant::ClientCredentials => self
                .client
                .client_credentials(&self.scopes)
                .await
                .map_err(TokenCacheError::Flow)?,
            Grant::Delegated => self.refresh(current.as_ref()).await?,
        };
        self.remember_refresh_token(&fresh)?;
        let token = fresh.access_token.clone();
        *current = Some(fresh);
        Ok(token)
    }

    async fn refresh(&self, current: Option<&TokenSet>) -> Result<TokenSet, TokenCacheError> {
        let refresh_token = match current.and_then(|t| t.refresh_token.clone()) {
            Some(token) => token,
            None => match self.store.get(&self.refresh_key) {
                Ok(token) => token,
                Err(SecretStoreError::NotFound { .. }) => {
                    return Err(TokenCacheError::SignInRequired { because: None })
                }
                Err(e) => return Err(e.into()),
            },
        };
        match self.client.refresh(&refresh_token, &self.scopes).await {
            Ok(tokens) => Ok(tokens),
            Err(e) if e.needs_new_sign_in() => {
                // The stored sign-in is dead; drop it so the next attempt
                // goes straight to the browser.
                self.store.delete(&self.refresh_key)?;
                Err(TokenCacheError::SignInRequired {
                    because: Some(Box::new(e)),
                })
            }
            Err(e) => Err(TokenCacheError::Flow(e)),
        }
    }

    fn remember_refresh_token(&self, tokens: &TokenSet) -> Result<(), TokenCacheError> {
        if let Some(refresh_token) = &tokens.refresh_token {
            self.store.set(&self.refresh_key, refresh_token)?;
        }
        Ok(())
    }
}
