//! The log a person can open, or attach to a support request: when the app
//! started and which version, what it was asked to do, each HTTP request's
//! method, host, path, status and time (`http::send`), and the problems it
//! met. Only D365 Connect's own events are written: a library's debug log
//! would hold headers. What never goes in, and why, is in docs/support.md.
//!
//! The file is `<folder>/<name>.log`; past 1 MiB it moves to `<name>.log.1`
//! (the one before to `.2`), so the log never takes more than about 3 MiB.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use file_rotate::compression::Compression;
use file_rotate::suffix::AppendCount;
use file_rotate::{ContentLimit, FileRotate};
use tracing::Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

use crate::atomic_file::AtomicFile;
use crate::problem::{ErrorKind, Explain};

/// Bytes written to a file before it is moved aside.
const LIMIT: usize = 1024 * 1024;
/// Files moved aside that are kept.
const KEPT: usize = 2;
/// The crates whose events are written: the core, the app, `d365c`.
const OURS: [&str; 3] = ["d365_core", "d365_connect", "d365c"];

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("D365 Connect could not write its log in {folder}.")]
    Folder {
        folder: String,
        #[source]
        cause: std::io::Error,
    },
    #[error("D365 Connect could not read its log.")]
    Read(#[source] std::io::Error),
    #[error("D365 Connect could not save a copy of its log to {path}.")]
    Copy {
        path: String,
        #[source]
        cause: std::io::Error,
    },
}

impl Explain for LogError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Internal
    }

    fn fix(&self) -> String {
        match self {
            Self::Folder { .. } => {
                "Check that your user may write to that folder. D365 Connect works without its log."
            }
            Self::Read(_) => "Restart D365 Connect, then try again.",
            Self::Copy { .. } => "Choose another folder, such as your Documents.",
        }
        .into()
    }

    fn details(&self) -> Option<String> {
        match self {
            Self::Folder { cause, .. } | Self::Read(cause) | Self::Copy { cause, .. } => {
                Some(cause.to_string())
            }
        }
    }
}

/// This process's log.
#[derive(Debug, Clone)]
pub struct LogFile {
    path: PathBuf,
}

impl LogFile {
    /// Sends this process's events to `<folder>/<name>.log` from now on.
    /// A process has one log: a second call keeps the first.
    pub fn start(folder: &Path, name: &str) -> Result<Self, LogError> {
        let (log, writer) = Self::open(folder, name, LIMIT)?;
        let only_ours = OURS.iter().fold(Targets::new(), |targets, crate_name| {
            targets.with_target(*crate_name, Level::INFO)
        });
        let file = tracing_subscriber::fmt::layer()
            .with_writer(Mutex::new(writer))
            .with_ansi(false)
            .with_target(false)
            .with_filter(only_ours);
        // Fails only when a log is already set, which is then kept.
        let _ = tracing_subscriber::registry().with(file).try_init();
        Ok(log)
    }

    /// `d365c`'s log folder: `logs` in the OS's folder for the user's
    /// application data (on Linux `~/.local/share/d365connect/logs`).
    pub fn cli_folder() -> Option<PathBuf> {
        directories::ProjectDirs::from("com", "d365connect", "D365 Connect")
            .map(|dirs| dirs.data_local_dir().join("logs"))
    }

    fn open(
        folder: &Path,
        name: &str,
        limit: usize,
    ) -> Result<(Self, FileRotate<AppendCount>), LogError> {
        // Made here: file-rotate would panic where it cannot make it.
        std::fs::create_dir_all(folder).map_err(|cause| LogError::Folder {
            folder: folder.display().to_string(),
            cause,
        })?;
        let path = folder.join(format!("{name}.log"));
        let writer = FileRotate::new(
            &path,
            AppendCount::new(KEPT),
            ContentLimit::BytesSurpassed(limit),
            Compression::None,
            None,
        );
        Ok((Self { path }, writer))
    }

    /// The file being written now.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The whole log, oldest first: the files moved aside, then this one.
    pub fn read_all(&self) -> Result<Vec<u8>, LogError> {
        let mut all = vec![];
        for n in (1..=KEPT).rev() {
            let mut older = self.path.clone().into_os_string();
            older.push(format!(".{n}"));
            match std::fs::read(PathBuf::from(older)) {
                Ok(bytes) => all.extend(bytes),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(LogError::Read(e)),
            }
        }
        all.extend(std::fs::read(&self.path).map_err(LogError::Read)?);
        Ok(all)
    }

    /// Writes the whole log to `path`, whole or not at all.
    pub fn copy_to(&self, path: &Path) -> Result<(), LogError> {
        let content = self.read_all()?;
        let copy = |cause| LogError::Copy {
            path: path.display().to_string(),
            cause,
        };
        AtomicFile::create(path)
            .and_then(|file| file.commit(&content))
            .map_err(copy)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn the_log_is_bounded_and_read_back_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        let (log, mut writer) = LogFile::open(&dir.path().join("logs"), "app", 100).unwrap();
        for n in 0..50 {
            writeln!(writer, "line {n:02} of the log, about thirty bytes").unwrap();
        }
        let files = std::fs::read_dir(dir.path().join("logs")).unwrap().count();
        assert_eq!(files, 1 + KEPT, "the current file and {KEPT} older ones");
        let all = String::from_utf8(log.read_all().unwrap()).unwrap();
        let numbers: Vec<u32> = all.lines().map(|l| l[5..7].parse().unwrap()).collect();
        assert!(numbers.windows(2).all(|w| w[1] == w[0] + 1), "{numbers:?}");
        assert_eq!(numbers.last(), Some(&49));
        assert!(all.len() < 100 * (1 + KEPT) + 3 * 42, "{} bytes", all.len());

        let copy = dir.path().join("copy.log");
        log.copy_to(&copy).unwrap();
        assert_eq!(std::fs::read_to_string(&copy).unwrap(), all);
    }

    #[test]
    fn a_folder_that_cannot_be_made_is_explained() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a file");
        std::fs::write(&file, "").unwrap();
        let err = LogFile::start(&file.join("logs"), "app").unwrap_err();
        assert!(matches!(err, LogError::Folder { .. }), "{err:?}");
        assert!(err.explain().fix.contains("works without its log"));
    }

    #[test]
    fn a_copy_to_a_folder_is_refused_and_nothing_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let (log, mut writer) = LogFile::open(dir.path(), "app", LIMIT).unwrap();
        writeln!(writer, "started").unwrap();
        let err = log.copy_to(dir.path()).unwrap_err();
        assert!(matches!(err, LogError::Copy { .. }), "{err:?}");
    }
}
