//! Connection profiles: everything needed to reconnect except secrets, as
//! one JSON file per profile in the OS config dir. Shared by the desktop app
//! and `d365c`. Secrets and refresh tokens live in the keychain (`secrets`),
//! keyed by the profile's name; a profile has no field that could hold one.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::atomic_file::AtomicFile;
use crate::identity::cloud::Cloud;
use crate::last_check::LastCheck;
use crate::problem::{ErrorKind, Explain, UserError};
use crate::product::Product;
use crate::secret_expiry::SecretCredential;
use crate::setup::record::SetupRecord;

/// Where last checks are kept, under the profiles' folder (`list` reads
/// only the folder's own files).
const CHECKS_DIR: &str = "checks";

/// How the connection gets its token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum Grant {
    /// A person signs in through the browser.
    Delegated,
    /// A background service uses the app's own secret.
    ClientCredentials,
}

/// Whether the app registration has a secret (Web platform) or not
/// (Mobile and desktop); docs/microsoft.md §2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum ClientType {
    Public,
    Confidential,
}

/// How the app signs in: the answer to "Will a person sign in, or does a
/// background service connect?" (docs/architecture.md, "Register the
/// app"). Only the grant and client type pairs that can work exist: client
/// credentials are the app signing in with its own secret, so a public
/// client (no secret, docs/microsoft.md §2) is never a background service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum Registration {
    /// A person signs in; no secret ("Mobile and desktop applications").
    SignInWithoutSecret,
    /// A person signs in; the company requires a secret ("Web").
    SignInWithSecret,
    /// A background service with its own secret (client credentials).
    BackgroundService,
}

impl Registration {
    /// The registration of a grant and client type, when they can work
    /// together.
    pub fn of(grant: Grant, client_type: ClientType) -> Option<Self> {
        match (grant, client_type) {
            (Grant::Delegated, ClientType::Public) => Some(Self::SignInWithoutSecret),
            (Grant::Delegated, ClientType::Confidential) => Some(Self::SignInWithSecret),
            (Grant::ClientCredentials, ClientType::Confidential) => Some(Self::BackgroundService),
            (Grant::ClientCredentials, ClientType::Public) => None,
        }
    }

    pub fn grant(self) -> Grant {
        match self {
            Self::BackgroundService => Grant::ClientCredentials,
            Self::SignInWithoutSecret | Self::SignInWithSecret => Grant::Delegated,
        }
    }

    pub fn client_type(self) -> ClientType {
        match self {
            Self::SignInWithoutSecret => ClientType::Public,
            Self::SignInWithSecret | Self::BackgroundService => ClientType::Confidential,
        }
    }
}

/// How patient the connection is with a slow or failing service: the two
/// settings integration tools such as SmartConnect offer as "Allow Long
/// Timeout" and "Allow Retry of Failed Requests". Throttling (429, 503) is
/// always waited out, whatever these say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct NetworkSettings {
    /// A request may run 10 minutes instead of 1 (BC's own operations may
    /// run 8, docs/microsoft.md §5).
    pub long_timeout: bool,
    /// 502, 504, dropped connections and timeouts are tried again.
    pub retry_failed: bool,
}

impl Default for NetworkSettings {
    fn default() -> Self {
        Self {
            long_timeout: false,
            retry_failed: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Profile {
    pub name: String,
    pub product: Product,
    pub cloud: Cloud,
    pub tenant: String,
    pub client_id: String,
    pub registration: Registration,
    pub scopes: Vec<String>,
    pub environment: Option<String>,
    /// The company's ID. A BC company may be saved by name (from a pasted
    /// service address) until `Connection::settle_company` finds its ID.
    pub company: Option<String>,
    pub network: NetworkSettings,
    /// The client secret's ID and expiry, when known; only read where the
    /// registration has a secret. The secret itself is in the keychain.
    pub secret: Option<SecretCredential>,
    /// What "Set it up for me" made for this connection, for a re-run and
    /// the report; `None` for an app registered by hand.
    pub setup: Option<SetupRecord>,
    /// The customer the connection belongs to, for a consultant's fleet
    /// report (`d365c check --all`).
    pub customer: Option<String>,
    /// Labels that pick a group of connections (`d365c check --tag T`),
    /// kept as typed; compared ignoring case.
    pub tags: Vec<String>,
}

impl Profile {
    pub fn grant(&self) -> Grant {
        self.registration.grant()
    }

    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t.eq_ignore_ascii_case(tag.trim()))
    }

    pub fn client_type(&self) -> ClientType {
        self.registration.client_type()
    }
}

/// A profile as written: `registration`, or the separate `grant` and
/// `client_type` that profiles saved before it carry.
#[derive(Deserialize)]
struct StoredProfile {
    name: String,
    product: Product,
    #[serde(default)]
    cloud: Cloud,
    tenant: String,
    client_id: String,
    registration: Option<Registration>,
    grant: Option<Grant>,
    client_type: Option<ClientType>,
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    environment: Option<String>,
    #[serde(default)]
    company: Option<String>,
    #[serde(default)]
    network: NetworkSettings,
    #[serde(default)]
    secret: Option<SecretCredential>,
    #[serde(default)]
    setup: Option<SetupRecord>,
    #[serde(default)]
    customer: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
}

impl<'de> Deserialize<'de> for Profile {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::try_from(StoredProfile::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

impl TryFrom<StoredProfile> for Profile {
    type Error = &'static str;

    fn try_from(stored: StoredProfile) -> Result<Self, Self::Error> {
        let registration = match (stored.registration, stored.grant, stored.client_type) {
            (Some(registration), _, _) => registration,
            (None, Some(grant), Some(client_type)) => Registration::of(grant, client_type)
                .ok_or("a background service needs an app with a secret")?,
            _ => return Err("it does not say how the app signs in"),
        };
        Ok(Self {
            name: stored.name,
            product: stored.product,
            cloud: stored.cloud,
            tenant: stored.tenant,
            client_id: stored.client_id,
            registration,
            scopes: stored.scopes,
            environment: stored.environment,
            company: stored.company,
            network: stored.network,
            secret: stored.secret,
            setup: stored.setup,
            customer: stored.customer,
            tags: stored.tags,
        })
    }
}

/// Tags as typed for a connection: trimmed, none empty, each once (ignoring
/// case, the first spelling kept), so `--tag` finds what was saved.
pub fn clean_tags(typed: &[String]) -> Result<Vec<String>, UserError> {
    let mut tags: Vec<String> = Vec::new();
    for tag in typed.iter().map(|t| t.trim()) {
        if tag.is_empty() || tag.chars().count() > 64 {
            return Err(UserError::new(
                ErrorKind::InvalidInput,
                format!("'{tag}' cannot be used as a tag."),
                "Use 1 to 64 characters, e.g. --tag retail.",
            ));
        }
        if !tags.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
            tags.push(tag.to_string());
        }
    }
    Ok(tags)
}

/// One saved connection, or why its file could not be read.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ProfileEntry {
    pub name: String,
    pub profile: Option<Profile>,
    pub problem: Option<UserError>,
    pub last_check: Option<LastCheck>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("'{name}' cannot be used as a connection name.")]
    BadName { name: String },
    #[error("There is no saved connection called '{name}'.")]
    NotFound { name: String },
    #[error("The saved connection '{name}' could not be read.")]
    Corrupt { name: String, cause: String },
    #[error("D365 Connect could not {action} its settings folder {path}.")]
    Io {
        action: &'static str,
        path: PathBuf,
        cause: String,
    },
    #[error("This computer has no settings folder for D365 Connect.")]
    NoConfigDir,
}

impl ProfileError {
    /// The connection the problem is about, when it is about one.
    pub fn connection(&self) -> Option<&str> {
        match self {
            ProfileError::BadName { name }
            | ProfileError::NotFound { name }
            | ProfileError::Corrupt { name, .. } => Some(name),
            ProfileError::Io { .. } | ProfileError::NoConfigDir => None,
        }
    }
}

impl Explain for ProfileError {
    fn kind(&self) -> ErrorKind {
        match self {
            ProfileError::BadName { .. } => ErrorKind::InvalidInput,
            ProfileError::NotFound { .. } => ErrorKind::ProfileNotFound,
            ProfileError::Corrupt { .. } | ProfileError::Io { .. } | ProfileError::NoConfigDir => {
                ErrorKind::ProfileStorage
            }
        }
    }

    fn fix(&self) -> String {
        match self {
            ProfileError::BadName { .. } => "Use 1 to 64 letters, digits, spaces, dots, dashes or underscores.".into(),
            ProfileError::NotFound { .. } => "Pick one of the saved connections, or create a new one.".into(),
            ProfileError::Corrupt { .. } => "Delete this connection and create it again; your other connections are not affected.".into(),
            ProfileError::Io { .. } => "Check that your home folder is not full or read-only, then try again.".into(),
            ProfileError::NoConfigDir => "Set the HOME (or XDG_CONFIG_HOME) environment variable and start again.".into(),
        }
    }

    fn details(&self) -> Option<String> {
        match self {
            ProfileError::Corrupt { cause, .. } | ProfileError::Io { cause, .. } => {
                Some(cause.clone())
            }
            _ => None,
        }
    }
}

/// The folder of saved connections.
pub struct ProfileStore {
    dir: PathBuf,
}

impl ProfileStore {
    /// `<OS config dir>/D365 Connect/profiles` (on Linux
    /// `$XDG_CONFIG_HOME/d365-connect/profiles`).
    pub fn open_default() -> Result<Self, ProfileError> {
        let dirs = directories::ProjectDirs::from("com", "d365connect", "D365 Connect")
            .ok_or(ProfileError::NoConfigDir)?;
        Ok(Self::at(dirs.config_dir().join("profiles")))
    }

    pub fn at(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every saved connection, by name. A file that cannot be read is
    /// reported rather than silently skipped.
    pub fn list(&self) -> Result<Vec<Result<Profile, ProfileError>>, ProfileError> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.io("read", &self.dir, e)),
        };
        let mut names: Vec<String> = entries
            .filter_map(|entry| entry.ok())
            .filter_map(|entry| {
                entry
                    .file_name()
                    .to_str()?
                    .strip_suffix(".json")
                    .map(str::to_string)
            })
            .filter(|name| valid_name(name))
            .collect();
        names.sort_by_key(|n| n.to_lowercase());
        Ok(names.iter().map(|n| self.load(n)).collect())
    }

    /// `list` as the start page and `d365c profile list` show it: an
    /// unreadable file keeps its place, with its problem.
    pub fn entries(&self) -> Result<Vec<ProfileEntry>, ProfileError> {
        Ok(self
            .list()?
            .into_iter()
            .map(|entry| match entry {
                Ok(profile) => ProfileEntry {
                    name: profile.name.clone(),
                    last_check: self.last_check(&profile.name),
                    profile: Some(profile),
                    problem: None,
                },
                Err(e) => ProfileEntry {
                    name: e.to_string(),
                    profile: None,
                    problem: Some(e.explain()),
                    last_check: None,
                },
            })
            .collect())
    }

    pub fn load(&self, name: &str) -> Result<Profile, ProfileError> {
        let path = self.path_of(name)?;
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ProfileError::NotFound { name: name.into() })
            }
            Err(e) => return Err(self.io("read", &path, e)),
        };
        let profile: Profile = serde_json::from_str(&text).map_err(|e| ProfileError::Corrupt {
            name: name.into(),
            cause: e.to_string(),
        })?;
        Ok(profile)
    }

    /// Writes the profile atomically (`AtomicFile`): a crash mid-save leaves
    /// either the old profile or the new one, never a torn file.
    pub fn save(&self, profile: &Profile) -> Result<(), ProfileError> {
        let path = self.path_of(&profile.name)?;
        fs::create_dir_all(&self.dir).map_err(|e| self.io("create", &self.dir, e))?;
        let json = serde_json::to_vec_pretty(profile).map_err(|e| ProfileError::Corrupt {
            name: profile.name.clone(),
            cause: e.to_string(),
        })?;
        AtomicFile::create(&path)
            .and_then(|file| file.commit(&json))
            .map_err(|e| self.io("write to", &self.dir, e))
    }

    pub fn remove(&self, name: &str) -> Result<(), ProfileError> {
        let path = self.path_of(name)?;
        match fs::remove_file(&path) {
            Ok(()) => {
                // A leftover status line would show on a new connection
                // of the same name; there is nothing else to do about it.
                let _ = fs::remove_file(self.check_path(name)?);
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(ProfileError::NotFound { name: name.into() })
            }
            Err(e) => Err(self.io("delete from", &path, e)),
        }
    }

    /// Keeps how the connection's last check came out.
    pub fn record_check(&self, name: &str, check: &LastCheck) -> Result<(), ProfileError> {
        let path = self.check_path(name)?;
        let dir = self.dir.join(CHECKS_DIR);
        fs::create_dir_all(&dir).map_err(|e| self.io("create", &dir, e))?;
        let json = serde_json::to_vec_pretty(check).map_err(|e| ProfileError::Corrupt {
            name: name.into(),
            cause: e.to_string(),
        })?;
        AtomicFile::create(&path)
            .and_then(|file| file.commit(&json))
            .map_err(|e| self.io("write to", &dir, e))
    }

    /// How the last check came out; `None` when never checked, or when its
    /// record cannot be read (a status line, not worth an error).
    pub fn last_check(&self, name: &str) -> Option<LastCheck> {
        let text = fs::read_to_string(self.check_path(name).ok()?).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// A renamed connection keeps its last check.
    pub fn move_last_check(&self, from: &str, to: &str) -> Result<(), ProfileError> {
        let (from, to) = (self.check_path(from)?, self.check_path(to)?);
        match fs::rename(&from, &to) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(self.io("move in", &from, e)),
            _ => Ok(()),
        }
    }

    fn check_path(&self, name: &str) -> Result<PathBuf, ProfileError> {
        if valid_name(name) {
            Ok(self.dir.join(CHECKS_DIR).join(format!("{name}.json")))
        } else {
            Err(ProfileError::BadName { name: name.into() })
        }
    }

    fn path_of(&self, name: &str) -> Result<PathBuf, ProfileError> {
        if valid_name(name) {
            Ok(self.dir.join(format!("{name}.json")))
        } else {
            Err(ProfileError::BadName { name: name.into() })
        }
    }

    fn io(&self, action: &'static str, path: &Path, e: std::io::Error) -> ProfileError {
        ProfileError::Io {
            action,
            path: path.to_path_buf(),
            cause: e.to_string(),
        }
    }
}

/// Names become file names: no separators, no leading dot, nothing a shell
/// or another OS would trip on.
fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.chars().count())
        && !name.starts_with(['.', ' '])
        && !name.ends_with(' ')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | '-' | '_'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_fixtures::profile;

    #[test]
    fn saves_loads_lists_and_removes() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::at(dir.path().join("profiles"));
        assert!(store.list().unwrap().is_empty());
        store.save(&profile("Contoso prod")).unwrap();
        store.save(&profile("acme")).unwrap();
        let mut changed = profile("acme");
        changed.environment = Some("Sandbox".into());
        store.save(&changed).unwrap();

        assert_eq!(store.load("acme").unwrap(), changed);
        let names: Vec<String> = store
            .list()
            .unwrap()
            .into_iter()
            .map(|p| p.unwrap().name)
            .collect();
        assert_eq!(names, ["acme", "Contoso prod"]);
        let leftovers: Vec<_> = fs::read_dir(store.dir())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(".saving-"))
            .collect();
        assert!(leftovers.is_empty(), "temp files left behind");

        store.remove("acme").unwrap();
        assert!(matches!(
            store.load("acme"),
            Err(ProfileError::NotFound { .. })
        ));
        assert!(matches!(
            store.remove("acme"),
            Err(ProfileError::NotFound { .. })
        ));
    }

    #[test]
    fn profiles_saved_with_grant_and_client_type_still_load_unless_they_cannot_work() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::at(dir.path());
        let earlier = |grant: &str, client_type: &str| {
            format!(
                r#"{{"name":"old","product":"BusinessCentral","tenant":"t","client_id":"c",
                   "grant":"{grant}","client_type":"{client_type}"}}"#
            )
        };
        fs::write(
            dir.path().join("old.json"),
            earlier("ClientCredentials", "Confidential"),
        )
        .unwrap();
        assert_eq!(
            store.load("old").unwrap().registration,
            Registration::BackgroundService
        );
        fs::write(
            dir.path().join("old.json"),
            earlier("ClientCredentials", "Public"),
        )
        .unwrap();
        let Err(ProfileError::Corrupt { cause, .. }) = store.load("old") else {
            panic!("a service without a secret loaded");
        };
        assert!(
            cause.contains("background service needs an app with a secret"),
            "{cause}"
        );
    }

    #[test]
    fn a_secrets_expiry_is_saved_and_profiles_from_before_it_or_tags_load_without() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::at(dir.path());
        let mut with_expiry = profile("service");
        with_expiry.registration = Registration::BackgroundService;
        with_expiry.secret = Some(SecretCredential::typed("2027-06-01", None).unwrap());
        store.save(&with_expiry).unwrap();
        let text = fs::read_to_string(dir.path().join("service.json")).unwrap();
        assert!(text.contains(r#""expires_on": "2027-06-01""#), "{text}");
        assert_eq!(store.load("service").unwrap(), with_expiry);

        fs::write(
            dir.path().join("old.json"),
            r#"{"name":"old","product":"BusinessCentral","tenant":"t","client_id":"c",
               "registration":"BackgroundService"}"#,
        )
        .unwrap();
        let old = store.load("old").unwrap();
        assert_eq!((old.secret, old.customer, old.tags), (None, None, vec![]));
    }

    #[test]
    fn customer_and_tags_are_saved_and_tags_are_cleaned() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::at(dir.path());
        let mut tagged = profile("contoso");
        tagged.customer = Some("Contoso Ltd".into());
        tagged.tags = clean_tags(&[" retail ".into(), "EU".into(), "eu".into()]).unwrap();
        assert_eq!(tagged.tags, ["retail", "EU"]);
        assert!(tagged.has_tag("Retail") && !tagged.has_tag("us"));
        store.save(&tagged).unwrap();
        assert_eq!(store.load("contoso").unwrap(), tagged);
        assert!(clean_tags(&["  ".into()]).is_err());
    }

    #[test]
    fn only_the_pairs_that_can_work_have_a_registration() {
        for grant in [Grant::Delegated, Grant::ClientCredentials] {
            for client_type in [ClientType::Public, ClientType::Confidential] {
                match Registration::of(grant, client_type) {
                    Some(r) => assert_eq!((r.grant(), r.client_type()), (grant, client_type)),
                    None => assert_eq!(
                        (grant, client_type),
                        (Grant::ClientCredentials, ClientType::Public)
                    ),
                }
            }
        }
    }

    #[test]
    fn names_cannot_escape_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::at(dir.path());
        for bad in [
            "",
            "../x",
            "a/b",
            ".hidden",
            "a\\b",
            " lead",
            &"x".repeat(65),
        ] {
            assert!(
                matches!(store.save(&profile(bad)), Err(ProfileError::BadName { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_corrupt_file_is_reported_not_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::at(dir.path());
        store.save(&profile("good")).unwrap();
        fs::write(dir.path().join("torn.json"), "{\"name\": \"torn\", ").unwrap();
        let listed = store.list().unwrap();
        assert_eq!(listed.len(), 2);
        let err = store.load("torn").unwrap_err().explain();
        assert_eq!(err.kind, ErrorKind::ProfileStorage);
        assert!(err.details.is_some());
    }
}
