//! The files D365 Connect saved since it started (exports, reports, copies
//! of its log) and the log it writes. "Open" and "Show in folder" act on
//! these only, so the page cannot ask the desktop to open any other file on
//! the computer.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use d365_core::{ErrorKind, UserError};

#[derive(Default)]
pub struct SavedFiles(Mutex<HashSet<PathBuf>>);

impl SavedFiles {
    pub fn remember(&self, path: &Path) {
        self.lock().insert(path.to_path_buf());
    }

    /// `path` if the app saved it and it is still there.
    pub fn get(&self, path: &str) -> Result<PathBuf, UserError> {
        let path = PathBuf::from(path);
        if !self.lock().contains(&path) {
            return Err(UserError::new(
                ErrorKind::NotFound,
                "D365 Connect opens only the files it saved since it started.",
                "Open the file from your file manager.",
            ));
        }
        if !path.is_file() {
            return Err(UserError::new(
                ErrorKind::NotFound,
                format!("{} is no longer there.", path.display()),
                "It was moved or deleted after it was saved. Save it again.",
            ));
        }
        Ok(path)
    }

    fn lock(&self) -> MutexGuard<'_, HashSet<PathBuf>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_saved_files_that_are_still_there_are_given() {
        let dir = tempfile::tempdir().unwrap();
        let saved = dir.path().join("saved.csv");
        std::fs::write(&saved, "a\n").unwrap();
        let files = SavedFiles::default();
        let text = saved.display().to_string();
        assert_eq!(files.get(&text).unwrap_err().kind, ErrorKind::NotFound);
        files.remember(&saved);
        assert_eq!(files.get(&text).unwrap(), saved);
        std::fs::remove_file(&saved).unwrap();
        let gone = files.get(&text).unwrap_err();
        assert!(gone.message.contains("no longer there"), "{gone:?}");
    }
}
