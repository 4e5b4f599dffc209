//! Harness for end-to-end tests: the real desktop app in a real window under
//! Xvfb, driven through tauri-driver and WebKitWebDriver, and the `d365c`
//! binary as scripts run it. `journey` holds the steps the GUI tests take,
//! `native_dialog` drives the save dialog outside the webview.

pub mod cli;
pub mod desktop;
pub mod journey;
pub mod native_dialog;
pub mod processes;
mod x_screen;

use std::path::{Path, PathBuf};

/// Every file below `dir`, in its folders too.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = vec![];
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// The UTC date `days` from today as `YYYY-MM-DD`: a secret's expiry date
/// as the admin center shows it and `d365c profile add --secret-expires`
/// takes it.
pub fn utc_date_in(days: i64) -> String {
    (time::OffsetDateTime::now_utc().date() + time::Duration::days(days)).to_string()
}

/// The median of benchmark samples (NaN when there are none).
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}
