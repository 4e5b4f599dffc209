//! Environments, companies, the entity catalog, the Browse table (paged by
//! the backend: the nextLink never reaches the UI) and exports.

use std::sync::Arc;

use d365_core::connection::Connection;
use d365_core::dynamics::catalog::{Column, EntitySource};
use d365_core::dynamics::discovery::EnvironmentInfo;
use d365_core::dynamics::odata::{unseen, PageAt, Query, RawPage, RowCount};
use d365_core::dynamics::service::{self, Company};
use d365_core::export::{self, ExportFormat, ExportProgress, ExportRequest, ExportSummary};
use d365_core::{ErrorKind, UserError};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use tauri::ipc::Channel;
use tauri::State;
use ts_rs::TS;
use url::Url;

use crate::state::{AppState, OpenTable};

#[tauri::command]
pub async fn list_environments(
    state: State<'_, AppState>,
    name: String,
) -> Result<Vec<EnvironmentInfo>, UserError> {
    let connection = state.connection(&name).await?;
    let cancel = tokio_util::sync::CancellationToken::new();
    Ok(connection.environments(&cancel, &unseen).await?)
}

#[tauri::command]
pub async fn list_companies(
    state: State<'_, AppState>,
    name: String,
) -> Result<Vec<Company>, UserError> {
    let connection = state.connection(&name).await?;
    let cancel = tokio_util::sync::CancellationToken::new();
    Ok(connection.companies(&cancel, &unseen).await?)
}

/// The listed company `wanted` names (a pasted address's company name or
/// ID), by the core's one rule.
#[tauri::command]
pub fn find_company(companies: Vec<Company>, wanted: String) -> Option<Company> {
    service::find_company(&companies, &wanted).cloned()
}

/// An entity set in the list: no columns (F&O has 400,000 of them).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct EntitySummary {
    pub name: String,
    pub label: String,
    pub keys: Vec<String>,
    pub source: EntitySource,
}

#[tauri::command]
pub async fn list_entities(
    state: State<'_, AppState>,
    name: String,
    search: String,
    refresh: bool,
) -> Result<Vec<EntitySummary>, UserError> {
    let connection = state.connection(&name).await?;
    let cancel = tokio_util::sync::CancellationToken::new();
    let catalog = connection.catalog(refresh, &cancel, &unseen).await?;
    Ok(catalog
        .search(&search)
        .into_iter()
        .map(|set| EntitySummary {
            name: set.name.clone(),
            label: set.label.clone(),
            keys: set.keys.clone(),
            source: set.source,
        })
        .collect())
}

#[tauri::command]
pub async fn entity_columns(
    state: State<'_, AppState>,
    name: String,
    entity: String,
) -> Result<Vec<Column>, UserError> {
    let connection = state.connection(&name).await?;
    let cancel = tokio_util::sync::CancellationToken::new();
    Ok(connection.columns(&entity, &cancel, &unseen).await?)
}

/// What the table shows: chosen columns, the filter, the sort.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(export)]
pub struct TableQuery {
    pub select: Vec<String>,
    pub filter: Option<String>,
    pub orderby: Vec<String>,
    pub count: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TablePage {
    /// Ask `more_rows` with this for the next page.
    #[ts(type = "number")]
    pub handle: u64,
    /// How many rows are loaded in all; `table_rows` gives those in view.
    pub loaded: u32,
    /// How many rows match, when the service counted them all.
    #[ts(type = "number | null")]
    pub count: Option<u64>,
    /// "At least this many": Dataverse stops counting at 5,000.
    #[ts(type = "number | null")]
    pub at_least: Option<u64>,
    pub more: bool,
}

/// The collection URL of an entity set in the profile's company.
fn collection(connection: &Connection, entity: &str, query: &Query) -> Result<Url, UserError> {
    Ok(connection.entity_set_url(entity, query, None)?)
}

fn to_query(q: TableQuery) -> Query {
    Query {
        select: q.select,
        filter: q.filter,
        orderby: q.orderby,
        top: None,
        count: q.count,
        extra: vec![],
    }
}

fn table_closed() -> UserError {
    UserError::new(
        ErrorKind::NotFound,
        "This table was closed.",
        "Open the table again.",
    )
}

/// How many rows a table holds, as the UI counts them.
fn loaded_count(rows: &[Box<RawValue>]) -> u32 {
    u32::try_from(rows.len()).unwrap_or(u32::MAX)
}

/// Adds a page's rows to its table.
async fn page_of(state: &AppState, handle: u64, page: RawPage) -> Result<TablePage, UserError> {
    let rows = page.row_texts()?;
    let mut tables = state.tables.lock().await;
    let table = tables.get_mut(&handle).ok_or_else(table_closed)?;
    table.rows.extend(rows.into_iter().map(RawValue::to_owned));
    table.next = page.next;
    Ok(TablePage {
        handle,
        loaded: loaded_count(&table.rows),
        count: page.count.and_then(RowCount::exact),
        at_least: page.count.and_then(RowCount::at_least),
        more: table.next.is_some(),
    })
}

/// Opens a table at its first page.
#[tauri::command]
pub async fn open_table(
    state: State<'_, AppState>,
    name: String,
    entity: String,
    query: TableQuery,
    page_size: u32,
) -> Result<TablePage, UserError> {
    let connection = state.connection(&name).await?;
    let url = collection(&connection, &entity, &to_query(query))?;
    let cancel = tokio_util::sync::CancellationToken::new();
    let page = connection
        .data()?
        .raw_page(
            PageAt::First(&url, &Query::default()),
            Some(page_size),
            &cancel,
            &unseen,
        )
        .await?;
    let handle = state.new_id();
    state.tables.lock().await.insert(
        handle,
        OpenTable {
            connection,
            rows: vec![],
            next: None,
            page_size,
        },
    );
    page_of(&state, handle, page).await
}

/// The next page of an open table; empty with `more: false` at the end.
#[tauri::command]
pub async fn more_rows(state: State<'_, AppState>, handle: u64) -> Result<TablePage, UserError> {
    let (connection, next, page_size, loaded) = {
        let tables = state.tables.lock().await;
        let table = tables.get(&handle).ok_or_else(table_closed)?;
        (
            table.connection.clone(),
            table.next.clone(),
            table.page_size,
            loaded_count(&table.rows),
        )
    };
    let Some(next) = next else {
        return Ok(TablePage {
            handle,
            loaded,
            count: None,
            at_least: None,
            more: false,
        });
    };
    let cancel = tokio_util::sync::CancellationToken::new();
    let page = connection
        .data()?
        .raw_page(PageAt::After(&next), Some(page_size), &cancel, &unseen)
        .await?;
    page_of(&state, handle, page).await
}

/// Loaded rows `start..end` of an open table (fewer at its end), as the
/// service sent them.
#[tauri::command]
pub async fn table_rows(
    state: State<'_, AppState>,
    handle: u64,
    start: u32,
    end: u32,
) -> Result<Vec<Box<RawValue>>, UserError> {
    let tables = state.tables.lock().await;
    let rows = &tables.get(&handle).ok_or_else(table_closed)?.rows;
    let end = rows.len().min(end as usize);
    let start = end.min(start as usize);
    Ok(rows[start..end].to_vec())
}

#[tauri::command]
pub async fn close_table(state: State<'_, AppState>, handle: u64) -> Result<(), UserError> {
    state.tables.lock().await.remove(&handle);
    Ok(())
}

/// Exports every row with the table's columns and filter; progress goes
/// to `on_progress`, `cancel_operation(operation)` stops it.
#[tauri::command]
#[allow(clippy::too_many_arguments)] // one per thing the UI chooses
pub async fn export_table(
    state: State<'_, AppState>,
    name: String,
    entity: String,
    query: TableQuery,
    format: ExportFormat,
    path: String,
    operation: String,
    on_progress: Channel<ExportProgress>,
) -> Result<ExportSummary, UserError> {
    let path = super::paths::user_path(&path)?;
    let connection: Arc<Connection> = state.connection(&name).await?;
    let columns = query.select.clone();
    let url = collection(&connection, &entity, &to_query(query))?;
    let client = connection.data()?;
    let request = ExportRequest {
        collection: &url,
        columns: &columns,
        format,
        destination: &path,
        page_size: None,
    };
    // A closed window stops listening; the export still finishes.
    let progress = |p| {
        let _ = on_progress.send(p);
    };
    let written = state
        .run_operation(&operation, |cancel| async move {
            export::export(&client, request, &cancel, &progress).await
        })
        .await?;
    state.saved_files.remember(&written.path);
    Ok(written)
}

#[tauri::command]
pub fn cancel_operation(state: State<'_, AppState>, operation: String) {
    state.cancel_operation(&operation);
}
