//! Files written whole or not at all: the content goes to a temporary file
//! beside the target, is synced, then renamed over it, so a crash or a
//! full disk mid-write leaves the old file (or none), never a torn one.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A file being written. Made before the work whose result it will hold,
/// so an unwritable place is known before that work runs.
pub struct AtomicFile {
    path: PathBuf,
    temp: tempfile::NamedTempFile,
}

impl AtomicFile {
    /// Makes the temporary file in `path`'s folder (the current one for a
    /// bare file name). A folder at `path` is refused now, not at the rename.
    pub fn create(path: &Path) -> std::io::Result<Self> {
        if path.is_dir() {
            return Err(std::io::Error::other("it is a folder"));
        }
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let temp = tempfile::Builder::new()
            .prefix(".saving-")
            .tempfile_in(dir)?;
        Ok(Self {
            path: path.to_path_buf(),
            temp,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `content`, syncs it and renames it over the target.
    pub fn commit(mut self, content: &[u8]) -> std::io::Result<()> {
        self.temp.write_all(content)?;
        self.temp.as_file().sync_all()?;
        self.temp.persist(&self.path).map_err(|e| e.error)?;
        // The rename itself is durable only once the folder is synced.
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Ok(dir) = fs::File::open(dir) {
                let _ = dir.sync_all();
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_appears_only_once_committed_and_replaces_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("report.md");
        fs::write(&target, "old").unwrap();
        let file = AtomicFile::create(&target).unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "old");
        file.commit(b"new").unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn a_missing_folder_or_a_folder_as_target_is_refused_before_any_work() {
        let dir = tempfile::tempdir().unwrap();
        assert!(AtomicFile::create(&dir.path().join("no-such").join("r.md")).is_err());
        assert!(AtomicFile::create(dir.path()).is_err());
    }

    #[test]
    fn an_abandoned_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        drop(AtomicFile::create(&dir.path().join("r.md")).unwrap());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
