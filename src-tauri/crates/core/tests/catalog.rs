//! The entity catalog of each product, read from the sandbox tenant: its
//! columns name what its rows hold.
// Helpers are not #[test] fns, so clippy's test allowance misses them; a
// failed step must fail the test.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use d365_core::dynamics::catalog::{Catalog, Column, ColumnKind, EntitySource};
use d365_core::dynamics::odata::unseen;
use d365_core::dynamics::odata::{ODataClient, Query};
use d365_core::product::Product;
use d365_sandbox::world::World;
use tokio_util::sync::CancellationToken;
use url::Url;

/// Every property of the first row of `set` is one of its `columns`.
async fn rows_match_columns(client: &ODataClient, url: &Url, columns: &[Column], set: &str) {
    let cancel = CancellationToken::new();
    let top = Query {
        top: Some(1),
        ..Query::default()
    };
    let page = client
        .first_page(url, &top, None, &cancel, &unseen)
        .await
        .unwrap();
    for property in page.rows[0].keys().filter(|k| !k.starts_with('@')) {
        assert!(
            columns.iter().any(|c| &c.name == property),
            "{set}.{property}"
        );
    }
}

async fn catalog_of(s: &d365_sandbox::SandboxHandle, product: Product) -> std::sync::Arc<Catalog> {
    app_connection(s, product)
        .catalog(false, &CancellationToken::new(), &unseen)
        .await
        .unwrap()
}

#[tokio::test]
async fn business_central_catalog_comes_from_metadata() {
    let s = sandbox(World::demo()).await;
    let catalog = catalog_of(&s, Product::BusinessCentral).await;
    let customers = catalog.get("customers").unwrap();
    assert_eq!(customers.keys, ["id"]);
    let id = catalog
        .columns(customers)
        .unwrap()
        .into_iter()
        .find(|c| c.name == "id");
    assert_eq!(id.unwrap().kind, ColumnKind::Guid);
    assert!(catalog.get("companies").is_some());
}

/// Business Central's OData V4 web services (the pages published on its
/// Web Services page) are listed next to API v2.0, read from their own
/// `$metadata` and addressed by company ID (docs/microsoft.md §5).
#[tokio::test]
async fn business_central_web_services_are_listed_next_to_the_api() {
    let s = sandbox(World::demo()).await;
    let connection = app_connection(&s, Product::BusinessCentral);
    let catalog = catalog_of(&s, Product::BusinessCentral).await;
    let customers = catalog.get("ODataV4/Customers").unwrap();
    assert_eq!(customers.source, EntitySource::WebService);
    assert_eq!(customers.label, "Customers");
    assert_eq!(customers.keys, ["No"]);
    assert_eq!(catalog.get("customers").unwrap().source, EntitySource::Api);
    assert!(
        catalog.get("ODataV4/Company").is_none(),
        "the company set is the path, not a table"
    );
    let found: Vec<&str> = catalog
        .search("customers")
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert!(found.contains(&"customers") && found.contains(&"ODataV4/Customers"));

    let columns = catalog.columns(customers).unwrap();
    let column = |name: &str| columns.iter().find(|c| c.name == name).unwrap();
    assert_eq!(column("Balance_LCY").kind, ColumnKind::Decimal);
    assert_eq!(column("Balance_LCY").label, "Balance LCY");
    match &column("Blocked").kind {
        ColumnKind::Enum(blocked) => assert!(blocked.members.iter().any(|m| m.name == "Ship")),
        other => panic!("Blocked is {other:?}"),
    }

    let cancel = CancellationToken::new();
    let company = connection.companies(&cancel, &unseen).await.unwrap()[0]
        .id
        .clone();
    let url = service(&s, Product::BusinessCentral)
        .entity_set_url("ODataV4/Customers", Some(&company), &Query::default())
        .unwrap();
    assert!(
        url.path()
            .ends_with(&format!("/ODataV4/Company(Id={company})/Customers")),
        "{url}"
    );
    let client = app_client(&s, Product::BusinessCentral);
    rows_match_columns(&client, &url, &columns, "ODataV4/Customers").await;
}

#[tokio::test]
async fn fno_catalog_comes_from_metadata_and_names_the_rows_columns() {
    let s = sandbox(World::demo()).await;
    let catalog = catalog_of(&s, Product::FinanceOperations).await;
    let client = app_client(&s, Product::FinanceOperations);
    let customers = catalog.get("CustomersV3").unwrap();
    assert_eq!(customers.keys, ["dataAreaId", "CustomerAccount"]);
    assert!(catalog
        .search("customers")
        .iter()
        .any(|s| s.name == "CustomersV3"));
    let url = service(&s, Product::FinanceOperations)
        .entity_set_url("CustomersV3", Some("usmf"), &Query::default())
        .unwrap();
    let columns = catalog.columns(customers).unwrap();
    rows_match_columns(&client, &url, &columns, "CustomersV3").await;
}

#[tokio::test]
async fn dataverse_catalog_comes_from_entity_definitions() {
    let s = sandbox(World::demo()).await;
    let connection = app_connection(&s, Product::Dataverse);
    let cancel = CancellationToken::new();
    let catalog = connection.catalog(false, &cancel, &unseen).await.unwrap();
    let contacts = catalog.get("contacts").unwrap();
    assert_eq!(contacts.keys, ["contactid"]);
    assert_eq!(contacts.primary_name.as_deref(), Some("fullname"));

    let columns = connection
        .columns("contacts", &cancel, &unseen)
        .await
        .unwrap();
    let parent = columns
        .iter()
        .find(|c| c.name == "_parentcustomerid_value")
        .unwrap();
    assert_eq!(parent.kind, ColumnKind::Guid);
    let url = service(&s, Product::Dataverse)
        .entity_set_url("contacts", None, &Query::default())
        .unwrap();
    let client = app_client(&s, Product::Dataverse);
    rows_match_columns(&client, &url, &columns, "contacts").await;
}

#[tokio::test]
async fn the_catalog_is_read_once_until_refreshed() {
    let s = sandbox(World::demo()).await;
    let connection = app_connection(&s, Product::BusinessCentral);
    let cancel = CancellationToken::new();
    let first = connection.catalog(false, &cancel, &unseen).await.unwrap();
    let again = connection.catalog(false, &cancel, &unseen).await.unwrap();
    assert!(std::sync::Arc::ptr_eq(&first, &again));
    let refreshed = connection.catalog(true, &cancel, &unseen).await.unwrap();
    assert!(!std::sync::Arc::ptr_eq(&first, &refreshed));
    let missing = connection
        .columns("nope", &cancel, &unseen)
        .await
        .unwrap_err();
    assert_eq!(
        d365_core::problem::Explain::explain(&missing).kind,
        d365_core::ErrorKind::NotFound
    );
}
