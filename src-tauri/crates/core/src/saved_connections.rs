//! The life cycle of a saved connection with its secrets: saving it with
//! its client secret, renaming and duplicating (the secrets move or are
//! copied with it) and removing it with both of its secrets. The desktop app and
//! `d365c` both go through here, so a connection and its keychain entries
//! never drift apart.

use std::sync::Arc;

use crate::problem::{ErrorKind, Explain, UserError};
use crate::profiles::{Profile, ProfileError, ProfileStore};
use crate::secrets::{Secret, SecretKey, SecretKind, SecretStore, SecretStoreError};

#[derive(Debug, thiserror::Error)]
pub enum SavedConnectionError {
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error(transparent)]
    Secret(#[from] SecretStoreError),
    #[error("There is already a connection called '{name}'.")]
    NameTaken { name: String },
}

impl Explain for SavedConnectionError {
    fn kind(&self) -> ErrorKind {
        self.explain().kind
    }

    fn fix(&self) -> String {
        self.explain().fix
    }

    fn explain(&self) -> UserError {
        match self {
            Self::Profile(e) => e.explain(),
            Self::Secret(e) => e.explain(),
            Self::NameTaken { .. } => UserError::new(
                ErrorKind::InvalidInput,
                self.to_string(),
                "Choose another name.",
            ),
        }
    }
}

/// What a connection keeps in the keychain: its client secret, and a
/// person's refresh token (which belongs to the sign-in, not the app).
const BOTH: [SecretKind; 2] = [SecretKind::ClientSecret, SecretKind::RefreshToken];

pub struct SavedConnections {
    profiles: ProfileStore,
    secrets: Arc<SecretStore>,
}

impl SavedConnections {
    pub fn new(profiles: ProfileStore, secrets: Arc<SecretStore>) -> Self {
        Self { profiles, secrets }
    }

    pub fn secrets(&self) -> &Arc<SecretStore> {
        &self.secrets
    }

    pub fn load(&self, name: &str) -> Result<Profile, SavedConnectionError> {
        Ok(self.profiles.load(name)?)
    }

    /// Saves a connection; its client secret, when given, goes to the
    /// keychain only.
    pub fn save(
        &self,
        profile: &Profile,
        secret: Option<&Secret>,
    ) -> Result<(), SavedConnectionError> {
        self.profiles.save(profile)?;
        if let Some(secret) = secret {
            self.secrets.set(
                &SecretKey::new(&profile.name, SecretKind::ClientSecret),
                secret,
            )?;
        }
        Ok(())
    }

    /// Removes a connection and both of its secrets.
    pub fn remove(&self, name: &str) -> Result<(), SavedConnectionError> {
        self.profiles.load(name)?;
        for kind in BOTH {
            self.secrets.delete(&SecretKey::new(name, kind))?;
        }
        Ok(self.profiles.remove(name)?)
    }

    /// Renames a connection; its secret and its stored sign-in move along.
    pub fn rename(&self, from: &str, to: &str) -> Result<(), SavedConnectionError> {
        self.copy(from, to, &BOTH)?;
        for kind in BOTH {
            self.secrets.delete(&SecretKey::new(from, kind))?;
        }
        self.profiles.move_last_check(from, to)?;
        Ok(self.profiles.remove(from)?)
    }

    /// Copies a connection under a new name with its client secret; the
    /// copy signs in afresh (a sign-in belongs to one connection).
    pub fn duplicate(&self, from: &str, to: &str) -> Result<(), SavedConnectionError> {
        self.copy(from, to, &[SecretKind::ClientSecret])
    }

    fn copy(&self, from: &str, to: &str, kinds: &[SecretKind]) -> Result<(), SavedConnectionError> {
        let mut profile = self.profiles.load(from)?;
        match self.profiles.load(to) {
            Err(ProfileError::NotFound { .. }) => {}
            // Not a name at all: say which characters a name may have.
            Err(e @ ProfileError::BadName { .. }) => return Err(e.into()),
            _ => return Err(SavedConnectionError::NameTaken { name: to.into() }),
        }
        profile.name = to.to_string();
        self.profiles.save(&profile)?;
        for kind in kinds {
            match self.secrets.get(&SecretKey::new(from, *kind)) {
                Ok(secret) => self.secrets.set(&SecretKey::new(to, *kind), &secret)?,
                Err(SecretStoreError::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::fleet::Verdict;
    use crate::last_check::LastCheck;
    use crate::profiles::Registration;

    fn saved() -> (tempfile::TempDir, SavedConnections) {
        let dir = tempfile::tempdir().unwrap();
        let book = SavedConnections::new(
            ProfileStore::at(dir.path()),
            Arc::new(SecretStore::in_memory("saved-connections-tests")),
        );
        (dir, book)
    }

    /// A connection with a secret, so the keychain has something to keep.
    fn profile(name: &str) -> Profile {
        Profile {
            registration: Registration::SignInWithSecret,
            ..crate::test_fixtures::profile(name)
        }
    }

    fn secret_of(book: &SavedConnections, name: &str, kind: SecretKind) -> Option<String> {
        book.secrets()
            .get(&SecretKey::new(name, kind))
            .ok()
            .map(|s| s.expose().to_string())
    }

    fn signed_in(book: &SavedConnections, name: &str) {
        book.save(&profile(name), Some(&Secret::new("value~1")))
            .unwrap();
        let refresh = SecretKey::new(name, SecretKind::RefreshToken);
        book.secrets().set(&refresh, &Secret::new("rt")).unwrap();
    }

    #[test]
    fn rename_moves_both_secrets_and_duplicate_copies_only_the_client_secret() {
        let (_dir, book) = saved();
        signed_in(&book, "a");
        book.duplicate("a", "b").unwrap();
        assert_eq!(
            secret_of(&book, "b", SecretKind::ClientSecret).as_deref(),
            Some("value~1")
        );
        assert_eq!(secret_of(&book, "b", SecretKind::RefreshToken), None);
        book.rename("a", "c").unwrap();
        assert_eq!(
            secret_of(&book, "c", SecretKind::RefreshToken).as_deref(),
            Some("rt")
        );
        assert_eq!(secret_of(&book, "a", SecretKind::ClientSecret), None);
        let names: Vec<String> = book
            .profiles
            .entries()
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, ["b", "c"]);
    }

    #[test]
    fn the_last_check_follows_a_rename_is_not_copied_and_goes_with_a_delete() {
        let (_dir, book) = saved();
        signed_in(&book, "a");
        let check = LastCheck {
            at: "2026-12-05T09:00:00Z".into(),
            verdict: Verdict::Warnings,
            passed: 15,
            warnings: 1,
            failed: 0,
            skipped: 0,
        };
        book.profiles.record_check("a", &check).unwrap();
        let last = |name: &str| {
            book.profiles
                .entries()
                .unwrap()
                .into_iter()
                .find(|e| e.name == name)
                .and_then(|e| e.last_check)
        };
        assert_eq!(last("a").as_ref(), Some(&check));
        book.duplicate("a", "b").unwrap();
        assert_eq!(last("b"), None, "a copy has not been checked");
        book.rename("a", "c").unwrap();
        assert_eq!(last("c").as_ref(), Some(&check));
        book.remove("c").unwrap();
        signed_in(&book, "c");
        assert_eq!(
            last("c"),
            None,
            "a new connection of the same name starts unchecked"
        );
    }

    #[test]
    fn a_taken_name_is_refused_and_nothing_moves() {
        let (_dir, book) = saved();
        signed_in(&book, "a");
        signed_in(&book, "b");
        let err = book.rename("a", "b").unwrap_err();
        assert!(
            matches!(err, SavedConnectionError::NameTaken { .. }),
            "{err}"
        );
        assert_eq!(
            secret_of(&book, "a", SecretKind::RefreshToken).as_deref(),
            Some("rt")
        );
    }

    #[test]
    fn a_name_that_cannot_be_one_is_not_called_taken() {
        let (_dir, book) = saved();
        signed_in(&book, "a");
        let err = book.duplicate("a", "a (copy)").unwrap_err();
        assert!(
            matches!(
                err,
                SavedConnectionError::Profile(ProfileError::BadName { .. })
            ),
            "{err}"
        );
    }

    #[test]
    fn remove_takes_both_secrets_and_an_unknown_name_says_so() {
        let (_dir, book) = saved();
        signed_in(&book, "a");
        book.remove("a").unwrap();
        assert_eq!(secret_of(&book, "a", SecretKind::ClientSecret), None);
        assert_eq!(secret_of(&book, "a", SecretKind::RefreshToken), None);
        assert_eq!(
            book.remove("a").unwrap_err().kind(),
            ErrorKind::ProfileNotFound
        );
    }
}
