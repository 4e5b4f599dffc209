//! Paths the user types: `~/…` means their home folder, as in every file
//! dialog; relative paths are refused rather than written next to wherever
//! the app happened to start.

use std::path::PathBuf;

use d365_core::{ErrorKind, UserError};

pub fn user_path(typed: &str) -> Result<PathBuf, UserError> {
    let typed = typed.trim();
    let path = match typed.strip_prefix("~/").or((typed == "~").then_some("")) {
        Some(rest) => std::env::home_dir()
            .ok_or_else(|| {
                UserError::new(
                    ErrorKind::InvalidInput,
                    "Your home folder is not known on this computer.",
                    "Type the full path, starting with /.",
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
        assert_eq!(
            user_path("/tmp/x.csv").unwrap(),
            PathBuf::from("/tmp/x.csv")
        );
        assert_eq!(
            user_path("x.csv").unwrap_err().kind,
            ErrorKind::InvalidInput
        );
    }
}
