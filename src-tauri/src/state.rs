//! What the shell keeps for the life of the app: the secret store, the
//! profile folder, open connections, open tables, running operations, the
//! in-process sandbox tenant, the administrator's setup session, the
//! files saved and the log.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use d365_core::connection::Connection;
use d365_core::dynamics::odata::Cursor;
use d365_core::log_file::LogFile;
use d365_core::profiles::ProfileStore;
use d365_core::saved_connections::SavedConnections;
use d365_core::secrets::{SecretStore, KEYCHAIN_SERVICE};
use d365_core::setup::admin::AdminSession;
use d365_core::{ErrorKind, UserError};
use d365_sandbox::SandboxHandle;
use serde_json::value::RawValue;
use tokio::sync::{Mutex, OnceCell};
use tokio_util::sync::CancellationToken;

/// A table the Browse step is scrolling through: where its next page is.
/// The cursor (Microsoft's nextLink) never leaves the backend.
pub struct OpenTable {
    pub connection: Arc<Connection>,
    /// Every row loaded so far, as the service's JSON text. The WebView asks
    /// for the rows in view (`table_rows`) instead of holding them all: at
    /// 100,000 rows a JavaScript object each cost it half a gigabyte.
    pub rows: Vec<Box<RawValue>>,
    pub next: Option<Cursor>,
    pub page_size: u32,
}

#[derive(Default)]
pub struct AppState {
    secrets: OnceCell<Arc<SecretStore>>,
    connections: Mutex<HashMap<String, Arc<Connection>>>,
    pub tables: Mutex<HashMap<u64, OpenTable>>,
    /// The last check run's report per profile, saved without checking again.
    pub reports: Mutex<HashMap<String, d365_core::report::Report>>,
    /// The last "Check all" run's report, for `save_fleet_report`.
    pub fleet_report: Mutex<Option<d365_core::report::fleet::FleetReport>>,
    operations: std::sync::Mutex<HashMap<String, CancellationToken>>,
    /// The in-process sandbox tenant and the data size it was started with.
    pub sandbox: Mutex<Option<(SandboxHandle, d365_sandbox::data::Scale)>>,
    /// The administrator signed in for "Set it up for me", from the
    /// sign-in until setup ends or the wizard starts over.
    pub setup: Mutex<Option<AdminSession>>,
    /// Exports and reports saved since the app started, and the log.
    pub saved_files: crate::saved_files::SavedFiles,
    /// The log file, or why it could not be written; set once at start.
    log: std::sync::OnceLock<Result<LogFile, UserError>>,
    next_id: AtomicU64,
}

impl AppState {
    /// The secret store, opened on first use: probing the OS store is a
    /// blocking D-Bus round trip that must not delay the first window paint.
    pub async fn secrets(&self) -> Result<Arc<SecretStore>, UserError> {
        self.secrets
            .get_or_try_init(|| async {
                tokio::task::spawn_blocking(|| Arc::new(SecretStore::open(KEYCHAIN_SERVICE)))
                    .await
                    .map_err(|e| {
                        UserError::new(
                            ErrorKind::Internal,
                            "D365 Connect could not check your system's secret store.",
                            "Restart the app. If it keeps happening, copy the details for your IT contact.",
                        )
                        .with_details(e.to_string())
                    })
            })
            .await
            .cloned()
    }

    /// The saved connections with their secrets.
    pub async fn saved(&self) -> Result<SavedConnections, UserError> {
        Ok(SavedConnections::new(
            ProfileStore::open_default()?,
            self.secrets().await?,
        ))
    }

    /// The open connection of a saved profile, opened on first use. Saving
    /// or deleting the profile forgets it (`forget`).
    pub async fn connection(&self, name: &str) -> Result<Arc<Connection>, UserError> {
        let mut open = self.connections.lock().await;
        if let Some(connection) = open.get(name) {
            return Ok(connection.clone());
        }
        let saved = self.saved().await?;
        let connection = Arc::new(Connection::open(
            saved.load(name)?,
            saved.secrets().clone(),
            None,
        )?);
        open.insert(name.to_string(), connection.clone());
        Ok(connection)
    }

    /// Drops a profile's open connection (and its tokens in memory) and its
    /// last report, which no longer describes it.
    pub async fn forget(&self, name: &str) {
        self.connections.lock().await.remove(name);
        self.reports.lock().await.remove(name);
    }

    /// Keeps the log (or why there is none) for the About box; "Open" and
    /// "Show in folder" may then act on it like on a saved file.
    pub fn keep_log(&self, log: Result<LogFile, UserError>) {
        if let Ok(log) = &log {
            self.saved_files.remember(log.path());
        }
        let _ = self.log.set(log);
    }

    pub fn log(&self) -> Result<LogFile, UserError> {
        self.log.get().cloned().unwrap_or_else(|| {
            Err(UserError::new(
                ErrorKind::Internal,
                "D365 Connect has not started its log.",
                "Restart D365 Connect.",
            ))
        })
    }

    pub fn new_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Runs `work` as an operation the UI can cancel under its id; the id
    /// is forgotten when the work ends, however it ends.
    pub async fn run_operation<T, Fut>(
        &self,
        id: &str,
        work: impl FnOnce(CancellationToken) -> Fut,
    ) -> T
    where
        Fut: std::future::Future<Output = T>,
    {
        let token = CancellationToken::new();
        self.lock_operations().insert(id.to_string(), token.clone());
        let result = work(token).await;
        self.lock_operations().remove(id);
        result
    }

    /// Cancels an operation; unknown ids (already finished) are fine.
    pub fn cancel_operation(&self, id: &str) {
        if let Some(token) = self.lock_operations().remove(id) {
            token.cancel();
        }
    }

    fn lock_operations(&self) -> std::sync::MutexGuard<'_, HashMap<String, CancellationToken>> {
        self.operations
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
