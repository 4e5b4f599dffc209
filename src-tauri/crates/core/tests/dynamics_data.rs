//! Environments, companies and paged reads against the sandbox tenant, and
//! the products' errors explained.

mod common;

use std::collections::HashSet;

use common::*;
use d365_core::dynamics::discovery::{business_central_environments, companies};
use d365_core::dynamics::odata::unseen;
use d365_core::dynamics::odata::{Query, RowCount};
use d365_core::dynamics::service::Service;
use d365_core::problem::{ErrorKind, Explain};
use d365_core::product::Product;
use d365_sandbox::world::World;
use tokio_util::sync::CancellationToken;

fn ids(rows: &[serde_json::Map<String, serde_json::Value>], key: &str) -> HashSet<String> {
    rows.iter().map(|r| r[key].to_string()).collect()
}

#[tokio::test]
async fn business_central_environments_companies_and_every_customer_once() {
    let s = sandbox(World::demo()).await;
    let client = app_client(&s, Product::BusinessCentral);
    let cancel = CancellationToken::new();
    let environments = business_central_environments(&client, &cloud(&s), &cancel, &unseen)
        .await
        .unwrap();
    assert_eq!(environments[0].id, "Production");
    assert_eq!(environments[0].kind.as_deref(), Some("Production"));

    let bc = service(&s, Product::BusinessCentral);
    let list = companies(&client, &bc, &cloud(&s), &cancel, &unseen)
        .await
        .unwrap();
    let names: Vec<&str> = list.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["CRONUS USA, Inc.", "My Company"]);

    let customers = bc
        .entity_set_url("customers", Some(&list[0].id), &Query::default())
        .unwrap();
    let (rows, pages) = read_all(&client, &customers, 1_000).await;
    assert_eq!(rows.len(), 2_500);
    assert_eq!(pages, 3);
    assert_eq!(ids(&rows, "id").len(), 2_500, "no row twice");

    let counted = client
        .first_page(
            &customers,
            &Query {
                count: true,
                top: Some(5),
                ..Query::default()
            },
            None,
            &cancel,
            &unseen,
        )
        .await
        .unwrap();
    assert_eq!(counted.count, Some(RowCount::Exact(2_500)));
    assert_eq!(counted.rows.len(), 5);
}

#[tokio::test]
async fn the_real_page_size_applies_without_prefer() {
    let s = sandbox(World::demo()).await;
    let client = app_client(&s, Product::BusinessCentral);
    let bc = service(&s, Product::BusinessCentral);
    let cancel = CancellationToken::new();
    let company = &companies(&client, &bc, &cloud(&s), &cancel, &unseen)
        .await
        .unwrap()[0];
    let url = bc
        .entity_set_url("generalLedgerEntries", Some(&company.id), &Query::default())
        .unwrap();
    let page = client
        .first_page(&url, &Query::default(), None, &cancel, &unseen)
        .await
        .unwrap();
    assert_eq!(
        page.rows.len(),
        20_000,
        "BC's fixed page (docs/microsoft.md §5)"
    );
    assert!(page.next.is_some());
}

#[tokio::test]
async fn an_environment_that_does_not_exist_lists_the_ones_that_do() {
    let s = sandbox(World::demo()).await;
    let client = app_client(&s, Product::BusinessCentral);
    let wrong = Service::new(Product::BusinessCentral, cloud(&s), &tenant(&s), "Sandbox2");
    let err = companies(
        &client,
        &wrong,
        &cloud(&s),
        &CancellationToken::new(),
        &unseen,
    )
    .await
    .unwrap_err()
    .explain();
    assert_eq!(err.kind, ErrorKind::EnvironmentNotFound);
    assert_eq!(
        err.message,
        "The environment 'Sandbox2' does not exist in this tenant."
    );
    assert!(
        err.fix.contains("Environments you can use: Production."),
        "{}",
        err.fix
    );
}

#[tokio::test]
async fn an_app_not_registered_inside_business_central_gets_the_steps() {
    let mut world = World::demo();
    world.apps[0].registered_in_product.clear();
    let s = sandbox(world).await;
    let client = app_client(&s, Product::BusinessCentral);
    let bc = service(&s, Product::BusinessCentral);
    let err = companies(&client, &bc, &cloud(&s), &CancellationToken::new(), &unseen)
        .await
        .unwrap_err()
        .explain();
    assert_eq!(err.kind, ErrorKind::AppNotRegisteredInProduct);
    let (client_id, _) = web_app(&s);
    assert!(
        err.fix.contains("Microsoft Entra Applications") && err.fix.contains(&client_id),
        "{}",
        err.fix
    );
    assert!(err
        .details
        .unwrap()
        .contains("Authentication_InvalidCredentials"));
}

/// docs/sandbox-fidelity.md §H3: BC's 400 "You do not have the following
/// permissions" is a permission problem, not a bad query.
#[tokio::test]
async fn a_bc_permission_error_is_permission_denied_not_a_bad_query() {
    let s = sandbox(World::demo()).await;
    s.set_bc_permission_sets(&web_app(&s).0, &[]);
    let client = app_client(&s, Product::BusinessCentral);
    let bc = service(&s, Product::BusinessCentral);
    let cancel = CancellationToken::new();
    let company = &companies(&client, &bc, &cloud(&s), &cancel, &unseen)
        .await
        .unwrap()[0];
    let url = bc
        .entity_set_url("customers", Some(&company.id), &Query::default())
        .unwrap();
    let err = client
        .first_page(&url, &Query::default(), None, &cancel, &unseen)
        .await
        .unwrap_err()
        .explain();
    assert_eq!(err.kind, ErrorKind::PermissionDenied, "{err:?}");
    assert!(err.fix.contains("D365 READ"), "{}", err.fix);
    assert!(err.details.unwrap().contains("Page APIV2 - Customers"));
}

#[tokio::test]
async fn a_malformed_filter_is_a_bad_query_with_the_services_words() {
    let s = sandbox(World::demo()).await;
    let client = app_client(&s, Product::BusinessCentral);
    let bc = service(&s, Product::BusinessCentral);
    let cancel = CancellationToken::new();
    let company = &companies(&client, &bc, &cloud(&s), &cancel, &unseen)
        .await
        .unwrap()[0];
    let query = Query {
        filter: Some("city eq".into()),
        ..Query::default()
    };
    let url = bc
        .entity_set_url("customers", Some(&company.id), &query)
        .unwrap();
    let err = client
        .first_page(&url, &Query::default(), None, &cancel, &unseen)
        .await
        .unwrap_err()
        .explain();
    assert_eq!(err.kind, ErrorKind::BadQuery);
    assert!(err
        .details
        .unwrap()
        .contains("Expression expected at position 7"));
}

#[tokio::test]
async fn a_token_for_another_product_is_rejected_and_explained() {
    let s = sandbox(World::demo()).await;
    // A Business Central token sent to F&O.
    let bc_client = app_client(&s, Product::BusinessCentral);
    let fno = service(&s, Product::FinanceOperations);
    let url = fno.companies_url().unwrap();
    let err = bc_client
        .first_page(
            &url,
            &Query::default(),
            None,
            &CancellationToken::new(),
            &unseen,
        )
        .await
        .unwrap_err()
        .explain();
    assert_eq!(err.kind, ErrorKind::TokenRejected);
}

#[tokio::test]
async fn fno_legal_entities_and_customers_per_company_or_across() {
    let s = sandbox(World::demo()).await;
    let client = app_client(&s, Product::FinanceOperations);
    let fno = service(&s, Product::FinanceOperations);
    let cancel = CancellationToken::new();
    let list = companies(&client, &fno, &cloud(&s), &cancel, &unseen)
        .await
        .unwrap();
    assert!(list.iter().any(|c| c.id == "usmf"), "{list:?}");
    let mut total = 0;
    for company in &list {
        let url = fno
            .entity_set_url("CustomersV3", Some(&company.id), &Query::default())
            .unwrap();
        let (rows, _) = read_all(&client, &url, 5_000).await;
        assert!(rows.iter().all(|r| r["dataAreaId"] == company.id.as_str()));
        total += rows.len();
    }
    let across = Query {
        extra: vec![("cross-company".into(), "true".into())],
        ..Query::default()
    };
    let url = fno.entity_set_url("CustomersV3", None, &across).unwrap();
    let (rows, _) = read_all(&client, &url, 5_000).await;
    assert_eq!(
        rows.len(),
        total,
        "cross-company is the sum of the companies"
    );
}

#[tokio::test]
async fn cancelling_stops_a_request() {
    let s = sandbox(World::demo()).await;
    let client = app_client(&s, Product::BusinessCentral);
    let bc = service(&s, Product::BusinessCentral);
    let cancel = CancellationToken::new();
    cancel.cancel();
    let err = companies(&client, &bc, &cloud(&s), &cancel, &unseen)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cancelled);
}

#[tokio::test]
async fn dataverse_pages_follow_the_paging_cookie_to_the_exact_count() {
    let s = sandbox(World::demo()).await;
    let client = app_client(&s, Product::Dataverse);
    let dv = service(&s, Product::Dataverse);
    let url = dv
        .entity_set_url("accounts", None, &Query::default())
        .unwrap();
    let (all, pages) = read_all(&client, &url, 5_000).await;
    let (small, small_pages) = read_all(&client, &url, 97).await;
    assert_eq!(
        small.len(),
        all.len(),
        "the same rows whatever the page size"
    );
    assert_eq!(small_pages, all.len().div_ceil(97));
    assert!(pages >= 1);
    assert_eq!(ids(&small, "accountid").len(), all.len(), "no row twice");

    // Dataverse stops counting at 5,000; asked for the annotation, it says
    // the count is a floor, and the client reports it so.
    let counted = client
        .first_page(
            &url,
            &Query {
                count: true,
                ..Query::default()
            },
            Some(10),
            &CancellationToken::new(),
            &unseen,
        )
        .await
        .unwrap();
    assert!(
        all.len() > 5_000,
        "the demo has more accounts than Dataverse counts"
    );
    assert_eq!(counted.count, Some(RowCount::AtLeast(5_000)));
    let filtered = client
        .first_page(
            &url,
            &Query {
                count: true,
                filter: Some("customertypecode eq 8".into()),
                ..Query::default()
            },
            Some(10),
            &CancellationToken::new(),
            &unseen,
        )
        .await
        .unwrap();
    assert!(
        matches!(filtered.count, Some(RowCount::Exact(n)) if n < 5_000),
        "{:?}",
        filtered.count
    );
}

/// docs/sandbox-fidelity.md §M1: Dataverse ignores `$top` when
/// `odata.maxpagesize` comes too (docs/microsoft.md §7), so a `$top` read
/// with a page size must still return exactly `$top` rows.
#[tokio::test]
async fn a_dataverse_top_read_with_a_page_size_returns_top_rows() {
    let s = sandbox(World::demo()).await;
    let client = app_client(&s, Product::Dataverse);
    let dv = service(&s, Product::Dataverse);
    let query = Query {
        top: Some(7),
        ..Query::default()
    };
    let url = dv.entity_set_url("accounts", None, &query).unwrap();
    let page = client
        .first_page(
            &url,
            &Query::default(),
            Some(2),
            &CancellationToken::new(),
            &unseen,
        )
        .await
        .unwrap();
    assert_eq!(page.rows.len(), 7);
    assert!(page.next.is_none());
}

/// docs/sandbox-fidelity.md §M5: BC answers a page size above 20,000 with
/// 413 (docs/microsoft.md §5); the client never asks for more.
#[tokio::test]
async fn a_page_size_above_the_bc_maximum_is_not_sent() {
    let s = sandbox(World::demo()).await;
    let client = app_client(&s, Product::BusinessCentral);
    let url = bc_collection(&s, "customers", &Query::default()).await;
    let (rows, pages) = read_all(&client, &url, 50_000).await;
    assert_eq!((rows.len(), pages), (2_500, 1));
}
