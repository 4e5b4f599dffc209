//! Opening the sign-in page in a browser: the person's own browser, or a
//! given program (the CLI's `--browser-cmd`, the end-to-end tests' robot).
//! Opening never waits for the person; the loopback listener does.

use std::process::{Command, Stdio};

use crate::problem::{ErrorKind, Explain};

pub trait Browser: Send + Sync {
    /// Opens `url` and returns as soon as the browser has been started.
    fn open(&self, url: &str) -> Result<(), BrowserError>;
}

/// Never carries the URL: it holds the sign-in's `state`.
#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    #[error("D365 Connect could not open your web browser.")]
    NoSystemBrowser { cause: String },
    #[error("The browser program '{program}' could not be started.")]
    ProgramFailed { program: String, cause: String },
}

impl Explain for BrowserError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::BrowserUnavailable
    }

    fn fix(&self) -> String {
        let copy = "copy the sign-in link and open it in a browser yourself; D365 Connect keeps \
                    waiting for you to finish signing in.";
        match self {
            BrowserError::NoSystemBrowser { .. } => format!("Please {copy}"),
            BrowserError::ProgramFailed { .. } => format!(
                "Check the program name (the BROWSER environment variable or --browser-cmd), \
                 or {copy}"
            ),
        }
    }

    fn details(&self) -> Option<String> {
        match self {
            BrowserError::NoSystemBrowser { cause } | BrowserError::ProgramFailed { cause, .. } => {
                Some(cause.clone())
            }
        }
    }
}

/// The person's default browser. A `BROWSER` environment variable wins, as
/// it does for most Unix tools; the `open` crate ignores it (its docs say
/// so), so it is read here.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemBrowser;

impl Browser for SystemBrowser {
    fn open(&self, url: &str) -> Result<(), BrowserError> {
        match std::env::var("BROWSER") {
            Ok(value) if !value.trim().is_empty() => open_with_browser_var(&value, url),
            // `that_detached` watches the opener briefly, so a desktop
            // without any browser is still reported.
            _ => open::that_detached(url).map_err(|e| BrowserError::NoSystemBrowser {
                cause: e.to_string(),
            }),
        }
    }
}

/// `BROWSER` lists commands separated like `PATH`; the first that starts
/// is used. When it is set, nothing else is tried: whoever set it (a test,
/// a headless server) does not want a desktop browser to appear.
fn open_with_browser_var(value: &str, url: &str) -> Result<(), BrowserError> {
    let mut last_error = None;
    for browser in browser_var_commands(value) {
        match browser.open(url) {
            Ok(()) => return Ok(()),
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.unwrap_or_else(|| BrowserError::ProgramFailed {
        program: value.to_string(),
        cause: "BROWSER names no program".into(),
    }))
}

fn browser_var_commands(value: &str) -> Vec<CommandBrowser> {
    let separator = if cfg!(windows) { ';' } else { ':' };
    value
        .split(separator)
        .filter_map(CommandBrowser::from_command_line)
        .collect()
}

/// A program that opens the URL: `program args… URL`, or with the URL in
/// place of a `%s` argument when the command line was parsed and has one
/// (the `BROWSER` convention of xdg-utils and Python's webbrowser).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandBrowser {
    program: String,
    args: Vec<String>,
    url_in_placeholder: bool,
}

const URL_PLACEHOLDER: &str = "%s";

impl CommandBrowser {
    /// Runs `program args… URL`.
    pub fn new(program: impl Into<String>, args: impl IntoIterator<Item = String>) -> Self {
        Self {
            program: program.into(),
            args: args.into_iter().collect(),
            url_in_placeholder: false,
        }
    }

    /// A command line such as `firefox --new-window` or `browser %s`,
    /// split on whitespace (no quoting); `None` when it is blank.
    pub fn from_command_line(line: &str) -> Option<Self> {
        let mut words = line.split_whitespace().map(str::to_string);
        let program = words.next()?;
        let args: Vec<String> = words.collect();
        let url_in_placeholder = args.iter().any(|a| a.contains(URL_PLACEHOLDER));
        Some(Self {
            program,
            args,
            url_in_placeholder,
        })
    }

    fn args_for(&self, url: &str) -> Vec<String> {
        if self.url_in_placeholder {
            self.args
                .iter()
                .map(|a| a.replace(URL_PLACEHOLDER, url))
                .collect()
        } else {
            let mut args = self.args.clone();
            args.push(url.to_string());
            args
        }
    }
}

impl Browser for CommandBrowser {
    fn open(&self, url: &str) -> Result<(), BrowserError> {
        let mut child = Command::new(&self.program)
            .args(self.args_for(url))
            .stdin(Stdio::null())
            // A browser's chatter must not mix with the CLI's own output;
            // its errors still reach stderr.
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| BrowserError::ProgramFailed {
                program: self.program.clone(),
                cause: e.to_string(),
            })?;
        // Nobody waits for the person; this thread only reaps the program
        // when it ends so it leaves no zombie process behind.
        std::thread::spawn(move || child.wait());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browser_var_lists_commands_like_path_with_an_optional_placeholder() {
        let separator = if cfg!(windows) { ";" } else { ":" };
        let commands =
            browser_var_commands(&format!("firefox --new-tab{separator} {separator}w3m %s"));
        assert_eq!(commands.len(), 2, "blank entries are skipped");
        assert_eq!(
            commands[0].args_for("http://x/?a=1"),
            ["--new-tab", "http://x/?a=1"]
        );
        assert_eq!(commands[1].program, "w3m");
        assert_eq!(commands[1].args_for("http://x/"), ["http://x/"]);
    }

    #[test]
    fn a_given_program_gets_the_url_last_even_with_a_percent_s_argument() {
        let browser = CommandBrowser::new("sh", ["-c".to_string(), "printf %s".to_string()]);
        assert_eq!(browser.args_for("u"), ["-c", "printf %s", "u"]);
    }

    #[test]
    fn a_missing_program_is_reported_without_the_url() {
        let url = "http://localhost/?state=secret-state";
        let err = CommandBrowser::new("d365-no-such-browser-program", [])
            .open(url)
            .unwrap_err();
        let explained = err.explain();
        assert_eq!(explained.kind, ErrorKind::BrowserUnavailable);
        assert!(explained.message.contains("d365-no-such-browser-program"));
        assert!(explained.fix.contains("copy the sign-in link"));
        assert!(!format!("{err:?} {explained:?}").contains("secret-state"));
        assert!(open_with_browser_var(" ", url).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_program_is_started_with_the_url_and_not_waited_for() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("url");
        // Writes its last argument, then lingers: `open` must not wait.
        let script = "printf '%s' \"$1\" > \"$0\"; sleep 3";
        let browser = CommandBrowser::new(
            "sh",
            [
                "-c".to_string(),
                script.to_string(),
                out.display().to_string(),
            ],
        );
        let started = std::time::Instant::now();
        browser.open("http://localhost:1/?code=x").unwrap();
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        let mut written = String::new();
        for _ in 0..200 {
            written = std::fs::read_to_string(&out).unwrap_or_default();
            if !written.is_empty() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert_eq!(written, "http://localhost:1/?code=x");
    }
}
