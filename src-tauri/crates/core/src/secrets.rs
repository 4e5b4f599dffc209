//! Client secrets and refresh tokens: kept in the operating system's secret
//! store, never written to disk by us, and never printed.
//!
//! When there is no secret store (a headless server, no D-Bus session), the
//! store falls back to memory for the life of the process and says so in its
//! status, so the UI and the CLI can tell the user.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use serde::Serialize;
use ts_rs::TS;
use zeroize::Zeroizing;

use crate::problem::{ErrorKind, Explain, Setting};

/// The keychain service under which the desktop app and the CLI file their
/// secrets: the app's identifier, so both see the same saved secrets and the
/// user can find them in the OS's own keychain tool.
pub const KEYCHAIN_SERVICE: &str = "com.d365connect.app";

/// A secret value. Debug and Display print `***` so it cannot reach a log, a
/// panic message or a report by accident; the memory is wiped on drop. It is
/// deliberately not `Serialize`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The plain value, for the one place that must send it (a token request
    /// or the secret store). Keep the borrow short.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Which secret a profile keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretKind {
    ClientSecret,
    RefreshToken,
}

impl SecretKind {
    fn slug(self) -> &'static str {
        match self {
            SecretKind::ClientSecret => "client-secret",
            SecretKind::RefreshToken => "refresh-token",
        }
    }
}

/// Where a secret lives: one per connection profile and kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecretKey {
    pub profile: String,
    pub kind: SecretKind,
}

impl SecretKey {
    pub fn new(profile: impl Into<String>, kind: SecretKind) -> Self {
        Self {
            profile: profile.into(),
            kind,
        }
    }

    /// The account name under which the OS store files the secret.
    fn account(&self) -> String {
        format!("{}/{}", self.profile, self.kind.slug())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub enum SecretBackend {
    SecretService,
    MacKeychain,
    WindowsCredentialManager,
    MemoryOnly,
}

/// What the user is told about where their secrets go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SecretStoreStatus {
    pub backend: SecretBackend,
    /// Whether secrets survive closing the app.
    pub persistent: bool,
    /// The store's name in plain words.
    pub label: String,
    /// Something the user should know, or `None` when all is well.
    pub advice: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SecretStoreError {
    #[error("No saved secret was found for the connection '{profile}'.")]
    NotFound { profile: String },
    #[error("The system's secret store refused to {action} the secret.")]
    Refused { action: &'static str, cause: String },
    #[error("The secret is too long or not valid text for the system's secret store.")]
    Unstorable { cause: String },
}

impl Explain for SecretStoreError {
    fn setting(&self) -> Option<Setting> {
        matches!(self, SecretStoreError::NotFound { .. }).then_some(Setting::Secret)
    }

    fn kind(&self) -> ErrorKind {
        match self {
            SecretStoreError::NotFound { .. } => ErrorKind::SecretNotFound,
            SecretStoreError::Refused { .. } => ErrorKind::SecretStoreFailure,
            SecretStoreError::Unstorable { .. } => ErrorKind::InvalidInput,
        }
    }

    fn fix(&self) -> String {
        match self {
            SecretStoreError::NotFound { .. } => "Enter the client secret again.".into(),
            SecretStoreError::Refused { .. } => {
                "Unlock your keychain (on Linux: the login keyring) and try again.".into()
            }
            SecretStoreError::Unstorable { .. } => {
                "Paste the secret's Value exactly as the Entra admin center shows it.".into()
            }
        }
    }

    fn details(&self) -> Option<String> {
        match self {
            SecretStoreError::NotFound { .. } => None,
            SecretStoreError::Refused { cause, .. } | SecretStoreError::Unstorable { cause } => {
                Some(cause.clone())
            }
        }
    }
}

/// The secret store the app uses for its whole life.
pub struct SecretStore {
    service: String,
    backend: Backend,
}

enum Backend {
    Os,
    Memory(Mutex<HashMap<SecretKey, Secret>>),
}

impl SecretStore {
    /// Opens the OS store for `service` (the app's identifier), or the memory
    /// fallback when the OS has none. This talks to the OS (D-Bus on Linux),
    /// so call it off the UI thread; it fails fast when there is no store.
    pub fn open(service: impl Into<String>) -> Self {
        let service = service.into();
        let backend = if os_store_answers(&service) {
            Backend::Os
        } else {
            Backend::Memory(Mutex::new(HashMap::new()))
        };
        Self { service, backend }
    }

    /// A store that never touches the OS, for tests and `--no-keychain` runs.
    pub fn in_memory(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
            backend: Backend::Memory(Mutex::new(HashMap::new())),
        }
    }

    pub fn status(&self) -> SecretStoreStatus {
        match self.backend {
            Backend::Os => {
                let (backend, label) = os_backend();
                SecretStoreStatus {
                    backend,
                    persistent: true,
                    label: label.into(),
                    advice: None,
                }
            }
            Backend::Memory(_) => SecretStoreStatus {
                backend: SecretBackend::MemoryOnly,
                persistent: false,
                label: "Memory only (no secret store found)".into(),
                advice: Some(
                    "This computer has no secret store, so client secrets are kept in memory \
                     for this session only and you will be asked for them again next time. \
                     They are never written to disk."
                        .into(),
                ),
            },
        }
    }

    pub fn set(&self, key: &SecretKey, secret: &Secret) -> Result<(), SecretStoreError> {
        match &self.backend {
            Backend::Os => self
                .entry(key)?
                .set_password(secret.expose())
                .map_err(|e| refused("save", e)),
            Backend::Memory(map) => {
                lock(map).insert(key.clone(), secret.clone());
                Ok(())
            }
        }
    }

    pub fn get(&self, key: &SecretKey) -> Result<Secret, SecretStoreError> {
        let not_found = || SecretStoreError::NotFound {
            profile: key.profile.clone(),
        };
        match &self.backend {
            Backend::Os => match self.entry(key)?.get_password() {
                Ok(value) => Ok(Secret::new(value)),
                Err(keyring::Error::NoEntry) => Err(not_found()),
                Err(e) => Err(refused("read", e)),
            },
            Backend::Memory(map) => lock(map).get(key).cloned().ok_or_else(not_found),
        }
    }

    /// Removes the secret; removing one that is not there is not an error.
    pub fn delete(&self, key: &SecretKey) -> Result<(), SecretStoreError> {
        match &self.backend {
            Backend::Os => match self.entry(key)?.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(e) => Err(refused("delete", e)),
            },
            Backend::Memory(map) => {
                lock(map).remove(key);
                Ok(())
            }
        }
    }

    fn entry(&self, key: &SecretKey) -> Result<keyring::Entry, SecretStoreError> {
        keyring::Entry::new(&self.service, &key.account()).map_err(|e| {
            SecretStoreError::Unstorable {
                cause: e.to_string(),
            }
        })
    }
}

/// A poisoned lock only means another thread panicked mid-insert; the map
/// itself is still a valid map, so keep using it.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn refused(action: &'static str, e: keyring::Error) -> SecretStoreError {
    SecretStoreError::Refused {
        action,
        cause: e.to_string(),
    }
}

/// Asks the OS store for an entry that does not exist: "no entry" proves the
/// store is there and unlocked; `PlatformFailure` / `NoStorageAccess` (no
/// D-Bus, no Secret Service, locked) mean we must fall back to memory.
fn os_store_answers(service: &str) -> bool {
    match keyring::Entry::new(service, "d365-connect/probe") {
        Ok(entry) => matches!(entry.get_password(), Ok(_) | Err(keyring::Error::NoEntry)),
        Err(_) => false,
    }
}

fn os_backend() -> (SecretBackend, &'static str) {
    if cfg!(target_os = "macos") {
        (SecretBackend::MacKeychain, "macOS Keychain")
    } else if cfg!(target_os = "windows") {
        (
            SecretBackend::WindowsCredentialManager,
            "Windows Credential Manager",
        )
    } else {
        (
            SecretBackend::SecretService,
            "Secret Service (GNOME Keyring or KWallet)",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints_its_value() {
        let s = Secret::new("p4ss~w0rd.value");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        let nested = Some(SecretKey::new("acme", SecretKind::ClientSecret));
        assert!(!format!("{nested:?} {s:#?}").contains("p4ss"));
        assert_eq!(s.expose(), "p4ss~w0rd.value");
    }

    #[test]
    fn memory_store_round_trips_and_says_it_is_not_persistent() {
        let store = SecretStore::in_memory("test.d365connect");
        let key = SecretKey::new("contoso", SecretKind::ClientSecret);
        assert!(matches!(
            store.get(&key),
            Err(SecretStoreError::NotFound { .. })
        ));
        store.set(&key, &Secret::new("value-1")).unwrap();
        assert_eq!(store.get(&key).unwrap().expose(), "value-1");
        store.delete(&key).unwrap();
        store.delete(&key).unwrap();
        assert!(store.get(&key).is_err());

        let status = store.status();
        assert_eq!(status.backend, SecretBackend::MemoryOnly);
        assert!(!status.persistent);
        assert!(status
            .advice
            .is_some_and(|a| a.contains("never written to disk")));
    }

    #[test]
    fn secrets_of_different_kinds_and_profiles_do_not_collide() {
        let store = SecretStore::in_memory("test.d365connect");
        let a = SecretKey::new("a", SecretKind::ClientSecret);
        let b = SecretKey::new("a", SecretKind::RefreshToken);
        let c = SecretKey::new("c", SecretKind::ClientSecret);
        store.set(&a, &Secret::new("1")).unwrap();
        store.set(&b, &Secret::new("2")).unwrap();
        store.set(&c, &Secret::new("3")).unwrap();
        assert_eq!(store.get(&a).unwrap().expose(), "1");
        assert_eq!(store.get(&b).unwrap().expose(), "2");
        assert_eq!(store.get(&c).unwrap().expose(), "3");
        assert_ne!(a.account(), b.account());
    }

    #[test]
    fn not_found_explains_itself_without_the_secret() {
        let err = SecretStoreError::NotFound {
            profile: "contoso".into(),
        }
        .explain();
        assert_eq!(err.kind, ErrorKind::SecretNotFound);
        assert!(err.message.contains("contoso"));
        // Where to enter it is the adapter's to say (the app's step, d365c's flag).
        assert_eq!(err.setting, Some(crate::problem::Setting::Secret));
        assert!(
            !err.fix.contains("step") && !err.fix.contains("d365c"),
            "{}",
            err.fix
        );
    }
}
