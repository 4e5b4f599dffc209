//! How a command ends: what it prints and which exit code scripts see
//! (0 ok, 1 check failed, 2 usage or input, 3 sign-in, 4 service).

use std::process::ExitCode;

use d365_core::problem::Setting;
use d365_core::{ErrorKind, UserError};
use serde::Serialize;

pub const CHECK_FAILED: u8 = 1;
pub const USAGE: u8 = 2;
pub const AUTH: u8 = 3;
pub const SERVICE: u8 = 4;

/// The exit code for a kind of problem.
pub fn exit_code(kind: ErrorKind) -> u8 {
    use ErrorKind::*;
    match kind {
        InvalidInput | SecretIdNotValue | ProfileNotFound | CompanyRequired | BadQuery => USAGE,
        SecretStoreUnavailable
        | SecretStoreFailure
        | SecretNotFound
        | TenantNotFound
        | TenantRequired
        | AppNotFound
        | RedirectUriMismatch
        | SpaRedirectType
        | PublicClientWithSecret
        | SecretRequired
        | InvalidSecret
        | SecretExpired
        | ConsentRequired
        | ConsentDeclined
        | AdministratorRequired
        | PermissionMissing
        | ResourceNotInTenant
        | InvalidScope
        | InvalidRequest
        | UserNotInTenant
        | UserNotAssigned
        | MfaRequired
        | BlockedByPolicy
        | SignInExpired
        | FirstPartyAppId
        | SignInFailed
        | AppNotRegisteredInProduct
        | TokenRejected
        | PermissionDenied => AUTH,
        _ => SERVICE,
    }
}

/// Prints a problem (to stderr as text, or to stdout as the `{kind,
/// message, fix, details, setting}` JSON) and returns its exit code.
/// `profile` names the connection in the "Where" line.
pub fn fail(error: UserError, profile: Option<&str>, json: bool) -> ExitCode {
    if json {
        print_json(&serde_json::json!({ "error": error }));
    } else {
        eprintln!("Error: {}", error.message);
        eprintln!("What to do: {}", error.fix);
        if let Some(setting) = error.setting {
            eprintln!("Where: {}", place(setting, profile.unwrap_or("NAME")));
        }
        if let Some(details) = &error.details {
            eprintln!("Details: {details}");
        }
    }
    ExitCode::from(exit_code(error.kind))
}

/// Where a d365c user changes a connection's setting.
pub fn place(setting: Setting, profile: &str) -> String {
    let flag = match setting {
        Setting::Cloud => "--cloud",
        Setting::Tenant => "--tenant ID",
        Setting::Secret => "--secret-stdin --secret-expires YYYY-MM-DD",
        Setting::SecretExpiry => "--secret-expires YYYY-MM-DD",
        Setting::Permissions => "--scopes",
        Setting::Environment => {
            return format!("`d365c environments {profile}` lists them; save one with `d365c profile add {profile} … --environment NAME`.")
        }
        Setting::Company => {
            return format!("`d365c companies {profile}` lists them; save one with `d365c profile add {profile} … --company ID`.")
        }
        Setting::LongTimeout => "--long-timeout",
    };
    format!("`d365c profile add {profile} … {flag}`.")
}

pub fn print_json<T: Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("Could not format the answer as JSON: {e}"),
    }
}

/// A usage problem found by the CLI itself (not by clap).
pub fn usage(message: impl Into<String>, fix: impl Into<String>) -> UserError {
    UserError::new(ErrorKind::InvalidInput, message, fix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_to_the_documented_exit_codes() {
        assert_eq!(exit_code(ErrorKind::InvalidInput), USAGE);
        assert_eq!(exit_code(ErrorKind::InvalidSecret), AUTH);
        assert_eq!(exit_code(ErrorKind::AppNotRegisteredInProduct), AUTH);
        assert_eq!(exit_code(ErrorKind::Throttled), SERVICE);
        assert_eq!(exit_code(ErrorKind::Network), SERVICE);
    }
}
