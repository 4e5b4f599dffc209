//! The one shape every error takes when it leaves the core for a person:
//! what happened, what to do next, and the raw details for whoever helps them.

use schemars::JsonSchema;
use serde::Serialize;
use ts_rs::TS;

/// What kind of problem this is. The UI and the CLI switch on it (icons,
/// exit codes, which follow-up action to offer); people read `message`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub enum ErrorKind {
    // What the user typed.
    InvalidInput,
    SecretIdNotValue,
    // The keychain.
    SecretStoreUnavailable,
    SecretStoreFailure,
    SecretNotFound,
    // Saved connections.
    ProfileNotFound,
    ProfileStorage,
    // Microsoft Entra (docs/microsoft.md §3).
    TenantNotFound,
    TenantRequired,
    AppNotFound,
    RedirectUriMismatch,
    SpaRedirectType,
    PublicClientWithSecret,
    SecretRequired,
    InvalidSecret,
    SecretExpired,
    ConsentRequired,
    ConsentDeclined,
    PermissionMissing,
    ResourceNotInTenant,
    InvalidScope,
    InvalidRequest,
    UserNotInTenant,
    UserNotAssigned,
    MfaRequired,
    BlockedByPolicy,
    SignInExpired,
    FirstPartyAppId,
    SignInFailed,
    /// The person lacks the directory role setup needs.
    AdministratorRequired,
    ServiceUnavailable,
    // The browser round trip of a sign-in on this computer.
    BrowserUnavailable,
    PortInUse,
    LoopbackUnavailable,
    FlowInProgress,
    SignInTimedOut,
    // This computer's desktop: its save dialog, the programs that open
    // files, its file manager.
    DesktopUnavailable,
    // The network between this computer and Microsoft.
    Network,
    Timeout,
    Cancelled,
    // Dynamics 365 data (docs/microsoft.md §5–7).
    CompanyRequired,
    EnvironmentNotFound,
    AppNotRegisteredInProduct,
    TokenRejected,
    PermissionDenied,
    NotFound,
    BadQuery,
    Throttled,
    ExportFailed,
    Internal,
}

/// The connection setting a fix asks to change. The core's words say what
/// to change; each adapter says where (the app names its wizard step,
/// `d365c` its command and flag), so nobody is sent to a place their tool
/// does not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS, JsonSchema)]
#[ts(export)]
pub enum Setting {
    Cloud,
    Tenant,
    Secret,
    /// The date the client secret expires on.
    SecretExpiry,
    Permissions,
    Environment,
    Company,
    LongTimeout,
}

/// A problem explained for a non-technical admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct UserError {
    pub kind: ErrorKind,
    /// What happened, in plain words.
    pub message: String,
    /// What to do next.
    pub fix: String,
    /// The service's or library's own text, shown under "Details".
    pub details: Option<String>,
    /// The setting `fix` asks to change, when it is one.
    pub setting: Option<Setting>,
}

impl UserError {
    pub fn new(kind: ErrorKind, message: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            fix: fix.into(),
            details: None,
            setting: None,
        }
    }

    /// Names the setting the fix is about.
    pub fn at(mut self, setting: Setting) -> Self {
        self.setting = Some(setting);
        self
    }

    pub fn with_details(mut self, details: impl Into<String>) -> Self {
        self.details = Some(details.into());
        self
    }
}

impl std::fmt::Display for UserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.message, self.fix)
    }
}

impl std::error::Error for UserError {}

/// Lets `?` turn any layer's error into the one the UI and CLI show, and
/// writes it in the log: its kind and message, which are made for the
/// screen and hold no secret (the details may quote a service's answer).
impl<E: Explain> From<E> for UserError {
    fn from(error: E) -> Self {
        let error = error.explain();
        tracing::warn!("{:?}: {}", error.kind, error.message);
        error
    }
}

/// Implemented by every layer's error type so it can explain itself in the
/// `UserError` shape without each adapter re-inventing the wording.
pub trait Explain: std::error::Error {
    fn kind(&self) -> ErrorKind;
    fn fix(&self) -> String;
    fn details(&self) -> Option<String> {
        None
    }
    fn setting(&self) -> Option<Setting> {
        None
    }

    fn explain(&self) -> UserError {
        UserError {
            kind: self.kind(),
            message: self.to_string(),
            fix: self.fix(),
            details: self.details(),
            setting: self.setting(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_the_ipc_error_shape() {
        let err = UserError::new(
            ErrorKind::InvalidInput,
            "The tenant is empty.",
            "Type your tenant ID.",
        )
        .with_details("tenant=''");
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "kind": "InvalidInput",
                "message": "The tenant is empty.",
                "fix": "Type your tenant ID.",
                "details": "tenant=''",
                "setting": null
            })
        );
    }
}
