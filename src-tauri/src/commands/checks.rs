//! The token panel, the checks and the report.

use std::time::{Instant, SystemTime};

use d365_core::checks::fleet::{self, Outcome, Selection};
use d365_core::checks::{self, CheckResult};
use d365_core::connection::Connection;
use d365_core::identity::verdict::TokenInfo;
use d365_core::last_check::{self, LastCheck};
use d365_core::profiles::{Profile, ProfileStore};
use d365_core::report::fleet::FleetReport;
use d365_core::report::{Report, ReportFile, ReportFormat};
use d365_core::{ErrorKind, UserError};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::State;
use ts_rs::TS;

use crate::state::AppState;

/// Gets (or reuses) the connection's token and reads it for the token
/// panel. A delegated connection without a sign-in answers `SignInExpired`.
#[tauri::command]
pub async fn token_info(state: State<'_, AppState>, name: String) -> Result<TokenInfo, UserError> {
    read_token(&state, &name).await
}

pub async fn read_token(state: &AppState, name: &str) -> Result<TokenInfo, UserError> {
    let connection = state.connection(name).await?;
    Ok(connection.token_info().await?)
}

/// Runs every check, sending each result as it finishes.
#[tauri::command]
pub async fn run_checks(
    state: State<'_, AppState>,
    name: String,
    on_result: Channel<CheckResult>,
) -> Result<Report, UserError> {
    let report = check(&state, &name, &|result| {
        let _ = on_result.send(result.clone());
    })
    .await?;
    Ok(report)
}

/// Runs every check and keeps the report for `save_report`.
async fn check(
    state: &AppState,
    name: &str,
    on_result: &(dyn Fn(&CheckResult) + Send + Sync),
) -> Result<Report, UserError> {
    let connection = state.connection(name).await?;
    let cancel = tokio_util::sync::CancellationToken::new();
    let results = checks::run(&connection, &cancel, on_result).await;
    let report = Report::new(connection.profile(), results, SystemTime::now());
    last_check::note(name, &report);
    state
        .reports
        .lock()
        .await
        .insert(name.to_string(), report.clone());
    Ok(report)
}

/// Writes the report of the last check run where the user chose (running
/// the checks first when there has been none), whole or not at all.
#[tauri::command]
pub async fn save_report(
    state: State<'_, AppState>,
    name: String,
    format: ReportFormat,
    path: String,
) -> Result<Report, UserError> {
    let path = super::paths::user_path(&path)?;
    let file = ReportFile::create(&path, Some(format))?;
    let last = state.reports.lock().await.get(&name).cloned();
    let report = match last {
        Some(report) => report,
        None => check(&state, &name, &|_| {}).await?,
    };
    // A few kilobytes: written and synced in place.
    file.write(&report)?;
    state.saved_files.remember(&path);
    Ok(report)
}

/// One connection of "Check all", sent as it finishes.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct FleetRow {
    pub name: String,
    pub last_check: Option<LastCheck>,
    /// Why its checks could not run.
    pub problem: Option<UserError>,
}

/// Checks every saved connection a few at a time, as `d365c check --all`
/// does, sending each as it finishes.
/// Answers the fleet in one sentence ("3 passed, 1 failed").
#[tauri::command]
pub async fn check_all(
    state: State<'_, AppState>,
    on_row: Channel<FleetRow>,
) -> Result<String, UserError> {
    let members = fleet::select(&ProfileStore::open_default()?, &Selection::All)?;
    let secrets = state.secrets().await?;
    let open = |profile: Profile| {
        Connection::open(profile, secrets.clone(), None).map_err(UserError::from)
    };
    let started = Instant::now();
    let outcomes = fleet::run(
        members,
        fleet::DEFAULT_JOBS,
        &open,
        &tokio_util::sync::CancellationToken::new(),
        &|outcome: &Outcome| {
            let last_check = outcome.report.as_ref().map(|report| {
                last_check::note(&outcome.name, report);
                LastCheck::of(report)
            });
            let _ = on_row.send(FleetRow {
                name: outcome.name.clone(),
                last_check,
                problem: outcome.problem.clone(),
            });
        },
    )
    .await;
    let millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let report = FleetReport::new(&outcomes, millis, SystemTime::now());
    let summary = report.summary.describe();
    *state.fleet_report.lock().await = Some(report);
    Ok(summary)
}

/// Writes the last "Check all" report where the user chose, whole or not
/// at all.
#[tauri::command]
pub async fn save_fleet_report(
    state: State<'_, AppState>,
    format: ReportFormat,
    path: String,
) -> Result<(), UserError> {
    let path = super::paths::user_path(&path)?;
    let Some(report) = state.fleet_report.lock().await.clone() else {
        return Err(UserError::new(
            ErrorKind::InvalidInput,
            "There is no report of every connection yet.",
            "Press \"Check all\" on the start page first.",
        ));
    };
    ReportFile::create(&path, Some(format))?.write(&report)?;
    state.saved_files.remember(&path);
    Ok(())
}
