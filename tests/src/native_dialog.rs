//! The platform's save dialog, driven as a person drives it. On Linux the
//! app opens GTK's file chooser (tauri-plugin-dialog through rfd): a
//! separate X11 window that WebDriver cannot see. `xdotool` finds it by its
//! title, types into its Name field and presses its keys; the screenshot is
//! of the whole X screen, since WebDriver's shows only the webview.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// An open save dialog on an X display.
pub struct SaveDialog {
    display: String,
    window: String,
}

impl SaveDialog {
    /// Waits for the dialog whose title starts with `title`.
    pub fn wait(display: &str, title: &str, within: Duration) -> Result<Self, String> {
        let pattern = format!("^{}", regex_escape(title));
        let deadline = Instant::now() + within;
        loop {
            let found = xdotool(display, &["search", "--onlyvisible", "--name", &pattern])?;
            if let Some(window) = found.lines().next() {
                return Ok(Self {
                    display: display.to_string(),
                    window: window.to_string(),
                });
            }
            if Instant::now() >= deadline {
                return Err(format!("no save dialog titled {title:?} within {within:?}"));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Types `path` (absolute: GTK takes a full path in the Name field
    /// over the folder shown) and presses Enter; waits until the dialog
    /// has gone.
    pub fn save_as(&self, path: &Path) -> Result<(), String> {
        self.keys(&["ctrl+a"])?;
        xdotool(
            &self.display,
            &["type", "--delay", "20", &path.display().to_string()],
        )?;
        self.keys(&["Return"])?;
        self.gone()
    }

    /// Takes the name and folder the dialog suggests.
    pub fn accept(&self) -> Result<(), String> {
        self.keys(&["Return"])?;
        self.gone()
    }

    /// Closes the dialog without saving.
    pub fn cancel(&self) -> Result<(), String> {
        self.keys(&["Escape"])?;
        self.gone()
    }

    /// Keys go to the focused window: without a window manager on Xvfb
    /// nobody else gives the dialog the focus.
    fn keys(&self, keys: &[&str]) -> Result<(), String> {
        xdotool(&self.display, &["windowfocus", "--sync", &self.window])?;
        let mut args = vec!["key", "--clearmodifiers"];
        args.extend_from_slice(keys);
        xdotool(&self.display, &args).map(drop)
    }

    fn gone(&self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            // Destroyed or hidden, it is no longer among the visible windows.
            let visible = xdotool(&self.display, &["search", "--onlyvisible", "--name", "."])?;
            if !visible.lines().any(|w| w == self.window) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err("the save dialog is still open (an overwrite question or an error?)".into())
    }

    /// Saves a PNG of the X screen, the dialog over the app's window.
    pub fn screenshot(&self, dir: &Path, name: &str) -> Result<PathBuf, String> {
        let path = dir.join(format!("{name}.png"));
        crate::x_screen::save_png(&self.display, &path)?;
        Ok(path)
    }
}

fn xdotool(display: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new("xdotool")
        .args(args)
        .env("DISPLAY", display)
        .output()
        .map_err(|e| format!("xdotool (tests/scripts/setup.sh installs it): {e}"))?;
    // `search` exits 1 when nothing matches, which is an answer.
    let nothing_found = args[0] == "search" && out.stdout.is_empty();
    if !out.status.success() && !nothing_found {
        return Err(format!(
            "xdotool {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `title` as a regular expression matching itself.
fn regex_escape(title: &str) -> String {
    let mut escaped = String::new();
    for c in title.chars() {
        if "\\.^$|?*+()[]{}".contains(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}
