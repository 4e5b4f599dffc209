//! Which environments and companies a connection can open.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;
use url::Url;

use crate::dynamics::error::DataError;
use crate::dynamics::odata::{ODataClient, OnWait};
use crate::dynamics::service::{Company, Service};
use crate::identity::cloud::Cloud;
use crate::problem::{ErrorKind, Explain};

/// Lists are short; anything longer is a misconfiguration, not a list.
const MAX_LISTED: usize = 5_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct EnvironmentInfo {
    /// What the profile stores: BC's environment name, or the F&O /
    /// Dataverse environment URL.
    pub id: String,
    pub name: String,
    /// "Production" or "Sandbox" where the product says.
    pub kind: Option<String>,
}

/// `environments/v1.2` and the admin center list (docs/microsoft.md §5).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BcEnvironment {
    name: String,
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    friendly_name: Option<String>,
}

/// Global Discovery `Instances` (docs/microsoft.md §7).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DataverseInstance {
    api_url: String,
    friendly_name: Option<String>,
    unique_name: Option<String>,
}

fn rows_as<T: for<'de> Deserialize<'de>>(
    rows: Vec<Map<String, Value>>,
    product: &'static str,
) -> Result<Vec<T>, DataError> {
    rows.into_iter()
        .map(|row| {
            serde_json::from_value(Value::Object(row)).map_err(|e| DataError::Unexpected {
                product,
                details: e.to_string(),
            })
        })
        .collect()
}

fn parse(url: Option<String>, product: &'static str) -> Result<Url, DataError> {
    let text = url.ok_or_else(|| DataError::Unexpected {
        product,
        details: "this cloud has no such endpoint".into(),
    })?;
    Url::parse(&text).map_err(|e| DataError::Unexpected {
        product,
        details: format!("'{text}': {e}"),
    })
}

/// Business Central environments: the tenant's list, or — when that fails
/// with an answer from the service — the admin center's, which needs an
/// admin user or `AdminCenter.ReadWrite.All`. If both fail, the first
/// error is the one to explain.
pub async fn business_central_environments(
    client: &ODataClient,
    cloud: &Cloud,
    cancel: &CancellationToken,
    on_wait: OnWait<'_>,
) -> Result<Vec<EnvironmentInfo>, DataError> {
    let product = client.product().display_name();
    let list = parse(Service::bc_environments_url(cloud), product)?;
    let rows = match client.all_rows(&list, MAX_LISTED, cancel, on_wait).await {
        Ok(rows) => rows,
        Err(first @ DataError::Service(_)) => {
            let admin = parse(Service::bc_admin_environments_url(cloud), product)?;
            client
                .all_rows(&admin, MAX_LISTED, cancel, on_wait)
                .await
                .map_err(|_| first)?
        }
        Err(e) => return Err(e),
    };
    Ok(rows_as::<BcEnvironment>(rows, product)?
        .into_iter()
        .map(|e| EnvironmentInfo {
            name: e.friendly_name.unwrap_or_else(|| e.name.clone()),
            id: e.name,
            kind: e.kind,
        })
        .collect())
}

/// Dataverse environments from Global Discovery. `client` must hold a
/// token for the discovery service, not for an environment.
pub async fn dataverse_environments(
    client: &ODataClient,
    cloud: &Cloud,
    cancel: &CancellationToken,
    on_wait: OnWait<'_>,
) -> Result<Vec<EnvironmentInfo>, DataError> {
    let product = client.product().display_name();
    let url = parse(Service::dataverse_instances_url(cloud), product)?;
    let rows = client.all_rows(&url, MAX_LISTED, cancel, on_wait).await?;
    Ok(rows_as::<DataverseInstance>(rows, product)?
        .into_iter()
        .map(|i| EnvironmentInfo {
            name: i
                .friendly_name
                .or(i.unique_name)
                .unwrap_or_else(|| i.api_url.clone()),
            id: i.api_url.trim_end_matches('/').to_string(),
            kind: None,
        })
        .collect())
}

/// The companies of an environment. A BC environment that does not exist
/// is reported with the environments there are (`NoEnvironment`,
/// fixtures/bc/amplabs_err-missing-environment.xml).
pub async fn companies(
    client: &ODataClient,
    service: &Service,
    cloud: &Cloud,
    cancel: &CancellationToken,
    on_wait: OnWait<'_>,
) -> Result<Vec<Company>, DataError> {
    let url = service.companies_url()?;
    match client.all_rows(&url, MAX_LISTED, cancel, on_wait).await {
        Ok(rows) => Ok(rows
            .iter()
            .filter_map(|row| service.company_from_row(row))
            .collect()),
        Err(e) if e.kind() == ErrorKind::EnvironmentNotFound => {
            let available = business_central_environments(client, cloud, cancel, on_wait)
                .await
                .map(|list| list.into_iter().map(|e| e.id).collect())
                .unwrap_or_default();
            Err(DataError::EnvironmentNotFound {
                name: service.environment().to_string(),
                available,
            })
        }
        Err(e) => Err(e),
    }
}
