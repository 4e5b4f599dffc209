//! Saving where the person chooses, and showing them what was saved: the
//! platform's save dialog, opened in their Documents folder with a name
//! that says what the file is, then "Open" and "Show in folder".
//!
//! The dialog and the opener are called from here rather than from the
//! page: the window keeps no plugin permission (security_review.rs), the
//! suggested name follows the core's one rule, and only files the app saved
//! can be opened (`SavedFiles`).

use std::path::{Path, PathBuf};

use d365_core::export::ExportFormat;
use d365_core::file_names::suggested_file_name;
use d365_core::report::ReportFormat;
use d365_core::{ErrorKind, UserError};
use serde::Deserialize;
use tauri::{AppHandle, Manager, Runtime, State, WebviewWindow};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;
use ts_rs::TS;

use crate::state::AppState;

/// What is about to be saved, which decides the dialog's title, the
/// suggested name and its extension.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
#[serde(tag = "kind")]
pub enum SaveTarget {
    /// Rows of `entity` read through the connection.
    Export {
        connection: String,
        entity: String,
        format: ExportFormat,
    },
    /// The connection's check report.
    Report {
        connection: String,
        format: ReportFormat,
    },
    /// The report of "Check all": every saved connection.
    FleetReport { format: ReportFormat },
    /// A copy of the app's log, for a support request.
    Log,
}

impl SaveTarget {
    fn title(&self) -> String {
        match self {
            Self::Export { entity, .. } => format!("Export {entity}"),
            Self::Report { .. } => "Save the check report".to_string(),
            Self::FleetReport { .. } => "Save the report of every connection".to_string(),
            Self::Log => "Save a copy of the log".to_string(),
        }
    }

    fn file_name(&self, today: time::Date) -> String {
        match self {
            Self::Export {
                connection,
                entity,
                format,
            } => suggested_file_name(connection, entity, today, format.extension()),
            Self::Report { connection, format } => {
                suggested_file_name(connection, "check report", today, format.extension())
            }
            Self::FleetReport { format } => {
                suggested_file_name("All connections", "check report", today, format.extension())
            }
            Self::Log => suggested_file_name("D365 Connect", "log", today, "log"),
        }
    }

    /// The dialog's file type filter: its name and extension.
    fn filter(&self) -> (&'static str, &'static str) {
        match self {
            Self::Export { format, .. } => {
                let name = match format {
                    ExportFormat::Csv => "CSV",
                    ExportFormat::JsonLines => "JSON Lines",
                };
                (name, format.extension())
            }
            Self::Report { format, .. } | Self::FleetReport { format } => {
                let name = match format {
                    ReportFormat::Html => "Web page",
                    ReportFormat::Markdown => "Markdown",
                    ReportFormat::Json => "JSON",
                };
                (name, format.extension())
            }
            Self::Log => ("Log", "log"),
        }
    }
}

/// Asks where to save with the platform's save dialog (which itself asks
/// before replacing a file); `None` when the person cancels.
#[tauri::command]
pub async fn choose_save_path<R: Runtime>(
    app: AppHandle<R>,
    window: WebviewWindow<R>,
    target: SaveTarget,
) -> Result<Option<String>, UserError> {
    let (name, extension) = target.filter();
    let mut dialog = app
        .dialog()
        .file()
        .set_parent(&window)
        .set_title(target.title())
        .set_file_name(target.file_name(local_today()))
        .add_filter(name, &[extension]);
    if let Some(folder) = default_folder(&app) {
        dialog = dialog.set_directory(folder);
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    dialog.save_file(move |chosen| {
        let _ = tx.send(chosen);
    });
    let chosen = rx.await.map_err(|_| {
        UserError::new(
            ErrorKind::DesktopUnavailable,
            "The save dialog closed without an answer.",
            "Try again.",
        )
    })?;
    let Some(chosen) = chosen else {
        return Ok(None);
    };
    let unreadable = || {
        UserError::new(
            ErrorKind::InvalidInput,
            "D365 Connect cannot save to that place.",
            "Choose a folder on this computer, with a name of letters, digits and spaces.",
        )
    };
    let path = chosen.into_path().map_err(|_| unreadable())?;
    path.into_os_string()
        .into_string()
        .map(Some)
        .map_err(|_| unreadable())
}

/// Opens a saved file with the program the desktop uses for its type.
#[tauri::command]
pub async fn open_saved_file<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
) -> Result<(), UserError> {
    let open = |app: &AppHandle<R>, file: &Path| {
        app.opener()
            .open_path(file.display().to_string(), None::<&str>)
    };
    let not_opened = |file: &Path| {
        UserError::new(
            ErrorKind::DesktopUnavailable,
            format!("No program on this computer opened {}.", file_name(file)),
            format!(
                "Open it from your file manager: it is in {}.",
                folder(file).display()
            ),
        )
    };
    on_saved_file(app, &state, &path, open, not_opened).await
}

/// Shows a saved file in the file manager, selected. Where no file manager
/// answers on D-Bus (minimal Linux desktops), its folder is opened instead.
#[tauri::command]
pub async fn show_saved_file<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
) -> Result<(), UserError> {
    let show = |app: &AppHandle<R>, file: &Path| {
        let opener = app.opener();
        opener
            .reveal_item_in_dir(file)
            .or_else(|_| opener.open_path(folder(file).display().to_string(), None::<&str>))
    };
    let not_shown = |file: &Path| {
        UserError::new(
            ErrorKind::DesktopUnavailable,
            "Your file manager could not be opened.",
            format!("The file is {}.", file.display()),
        )
    };
    on_saved_file(app, &state, &path, show, not_shown).await
}

/// Runs a desktop call on a file the app saved, off the async workers
/// (revealing is a blocking D-Bus round trip); when it fails, `problem`
/// says so with the cause as details.
async fn on_saved_file<R: Runtime>(
    app: AppHandle<R>,
    state: &AppState,
    path: &str,
    call: fn(&AppHandle<R>, &Path) -> Result<(), tauri_plugin_opener::Error>,
    problem: fn(&Path) -> UserError,
) -> Result<(), UserError> {
    let file = state.saved_files.get(path)?;
    let target = file.clone();
    let cause = match tokio::task::spawn_blocking(move || call(&app, &target)).await {
        Ok(Ok(())) => return Ok(()),
        Ok(Err(e)) => e.to_string(),
        Err(e) => e.to_string(),
    };
    Err(problem(&file).with_details(cause))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn folder(path: &Path) -> &Path {
    path.parent().unwrap_or(path)
}

/// Documents, else Downloads, else home: the first that exists.
fn default_folder<R: Runtime>(app: &AppHandle<R>) -> Option<PathBuf> {
    let paths = app.path();
    [paths.document_dir(), paths.download_dir(), paths.home_dir()]
        .into_iter()
        .flatten()
        .find(|folder| folder.is_dir())
}

/// Today on this computer's calendar, which is the date people expect in
/// a file name (UTC if the local time zone cannot be read).
fn local_today() -> time::Date {
    use chrono::Datelike;
    let today = chrono::Local::now().date_naive();
    u16::try_from(today.ordinal())
        .ok()
        .and_then(|day| time::Date::from_ordinal_date(today.year(), day).ok())
        .unwrap_or_else(|| time::OffsetDateTime::now_utc().date())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_suggested_name_follows_the_target_and_its_format() {
        let day = date!(2026 - 12 - 05);
        let export = SaveTarget::Export {
            connection: "Contoso BC".into(),
            entity: "customers".into(),
            format: ExportFormat::JsonLines,
        };
        assert_eq!(
            export.file_name(day),
            "Contoso BC - customers - 2026-12-05.jsonl"
        );
        assert_eq!(export.filter(), ("JSON Lines", "jsonl"));
        let report = SaveTarget::Report {
            connection: "Contoso BC".into(),
            format: ReportFormat::Html,
        };
        assert_eq!(
            report.file_name(day),
            "Contoso BC - check report - 2026-12-05.html"
        );
        assert_eq!(report.filter(), ("Web page", "html"));
        let fleet = SaveTarget::FleetReport {
            format: ReportFormat::Json,
        };
        assert_eq!(
            fleet.file_name(day),
            "All connections - check report - 2026-12-05.json"
        );
        assert_eq!(fleet.filter(), ("JSON", "json"));
        assert_eq!(
            SaveTarget::Log.file_name(day),
            "D365 Connect - log - 2026-12-05.log"
        );
        assert_eq!(SaveTarget::Log.filter(), ("Log", "log"));
    }

    #[test]
    fn today_is_a_real_date() {
        let today = local_today();
        let utc = time::OffsetDateTime::now_utc().date();
        // Local time is at most a day either side of UTC.
        assert!((today - utc).whole_days().abs() <= 1, "{today} vs {utc}");
    }
}
