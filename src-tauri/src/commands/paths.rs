//! Paths the user types: `~/…` (on Windows `~\…` too) means their home
//! folder, as in every file dialog; relative paths are refused rather than
//! written next to wherever the app happened to start.

use std::path::PathBuf;

use d365_core::{ErrorKind, UserError};

/// How a full path starts, said to someone who typed a relative one.
const FULL_PATH_START: &str = if cfg!(windows) {
    "with a drive, such as C:\\"
} else {
    "with /"
};

/// What follows `~` and the folder separator, if the path starts so.
fn under_home(typed: &str) -> Option<&str> {
    let windows_separator = if cfg!(windows) {
        typed.strip_prefix("~\\")
    } else {
        None
    };
    typed
        .strip_prefix("~/")
        .or(windows_separator)
        .or((typed == "~").then_some(""))
}

pub fn user_path(typed: &str) -> Result<PathBuf, UserError> {
    let typed = typed.trim();
    let path = match under_home(typed) {
        Some(rest) => std::env::home_dir()
            .ok_or_else(|| {
                UserError::new(
                    ErrorKind::InvalidInput,
                    "Your home folder is not known on this computer.",
                    format!("Type the full path, starting {FULL_PATH_START}."),
                )
            })?
            .join(rest),
        None => PathBuf::from(typed),
    };
    if !path.is_absolute() {
        return Err(UserError::new(
            ErrorKind::InvalidInput,
            format!("'{typed}' is not a full path."),
            "Type the full path of the file, e.g. ~/Documents/customers.csv.",
        ));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_is_expanded_and_relative_paths_are_refused() {
        let home = std::env::home_dir().unwrap();
        assert_eq!(user_path(" ~/out.csv ").unwrap(), home.join("out.csv"));
        let full = if cfg!(windows) {
            r"C:\x.csv"
        } else {
            "/tmp/x.csv"
        };
        assert_eq!(user_path(full).unwrap(), PathBuf::from(full));
        assert_eq!(
            user_path("x.csv").unwrap_err().kind,
            ErrorKind::InvalidInput
        );
    }
}
