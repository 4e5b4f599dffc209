//! Checks of the product itself: the environment, its companies, the app's
//! registration inside the product, reads of the key entities and the
//! headroom under the service protection limits.

use tokio_util::sync::CancellationToken;

use crate::checks::{Found, Runner, Status};
use crate::connection::Connection;
use crate::dynamics::headroom::{Headroom, DATAVERSE_REQUESTS_PER_WINDOW};
use crate::dynamics::odata::{Page, Query};
use crate::dynamics::retry::Wait;
use crate::dynamics::service::Company;
use crate::problem::{ErrorKind, Explain, UserError};
use crate::product::Product;
use crate::profiles::Grant;

/// The entity sets an integration usually needs, the first being the one
/// "can we read data" reads; each is probed with `$top=1`.
fn key_entities(product: Product) -> &'static [&'static str] {
    match product {
        Product::BusinessCentral => &[
            "customers",
            "vendors",
            "items",
            "salesInvoices",
            "generalLedgerEntries",
        ],
        Product::FinanceOperations => &["CustomersV3", "VendorsV2", "InventoryProfiles"],
        Product::Dataverse => &["accounts", "contacts"],
    }
}

fn quiet(_: Wait) {}

pub(super) async fn run(connection: &Connection, cancel: &CancellationToken, r: &mut Runner<'_>) {
    let profile = connection.profile();
    let product = profile.product;
    let name = product.display_name();

    // F&O has no environment list: its environment is the address given.
    if product != Product::FinanceOperations {
        let status = r
            .check(
                "environments",
                "The environment exists".into(),
                environment(connection, cancel),
            )
            .await;
        r.needed(status, "the environment does not exist");
    }

    // An app-only caller not registered inside BC or F&O is refused by
    // every call; asking for the companies shows it, and the answer is
    // kept for the companies check.
    let mut answer: Option<Result<Vec<Company>, UserError>> = None;
    if profile.grant == Grant::ClientCredentials && product != Product::Dataverse {
        let status = r
            .check(
                "in-product",
                format!("The app is registered inside {name}"),
                async {
                    let got = list_companies(connection, cancel).await;
                    let found = match &got {
                        Err(e) if e.kind == ErrorKind::AppNotRegisteredInProduct => {
                            Found::fail(e.clone())
                        }
                        Err(_) => {
                            Found::skip(format!("{name} did not answer, so it could not say."))
                        }
                        Ok(_) => {
                            Found::pass(format!("{name} accepts the app: it is registered there."))
                        }
                    };
                    answer = Some(got);
                    found
                },
            )
            .await;
        r.needed(status, &format!("the app is not registered inside {name}"));
    }

    let mut companies: Vec<Company> = vec![];
    let status = r
        .check(
            "companies",
            "The environment answers and lists its companies".into(),
            async {
                let got = match answer.take() {
                    Some(got) => got,
                    None => list_companies(connection, cancel).await,
                };
                match got {
                    Ok(list) if list.is_empty() => Found::warn(
                        "The environment answered but lists no companies.",
                        "Check that your account (or the app) has access to at least one company.",
                    ),
                    Ok(list) => {
                        let found = Found::pass(format!(
                            "{} compan{}: {}.",
                            list.len(),
                            if list.len() == 1 { "y" } else { "ies" },
                            list.iter()
                                .map(|c| c.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                        companies = list;
                        found
                    }
                    Err(e) => Found::fail(e),
                }
            },
        )
        .await;
    r.needed(status, "the environment did not answer");
    if status == Status::Warn {
        r.needed(Status::Fail, "there is no company to read from");
    }

    let company = profile
        .company
        .clone()
        .or_else(|| companies.first().map(|c| c.id.clone()))
        .filter(|_| product != Product::Dataverse);
    let read_one = |entity: &'static str| {
        let company = company.clone();
        async move {
            let query = Query {
                top: Some(1),
                ..Query::default()
            };
            let service = connection.service().map_err(|e| e.explain())?;
            let url = service
                .entity_set_url(entity, company.as_deref(), &query)
                .map_err(|e| e.explain())?;
            let client = connection.data().map_err(|e| e.explain())?;
            client
                .first_page(&url, &Query::default(), None, cancel, &quiet)
                .await
                .map_err(|e| e.explain())
        }
    };

    let entities = key_entities(product);
    let mut headroom: Option<Headroom> = None;
    let mut note = |page: &Page| {
        if let Some(seen) = &page.headroom {
            headroom = Some(seen.clone());
        }
    };
    let status = r
        .check(
            "read",
            format!("Data can be read ({})", entities[0]),
            async {
                match read_one(entities[0]).await {
                    Ok(page) if page.rows.is_empty() => {
                        note(&page);
                        Found::warn(
                            format!("Reading {} worked, but it has no rows.", entities[0]),
                            "Nothing to fix if the company is new; otherwise check the account's permissions.",
                        )
                    }
                    Ok(page) => {
                        note(&page);
                        Found::pass(format!("Read a row of {}.", entities[0]))
                    }
                    Err(e) => Found::fail(e),
                }
            },
        )
        .await;
    r.needed(status, "no data could be read");
    // The other key entities: readable, forbidden or missing. Reading one
    // worked, so a refusal here is about that entity, not the connection.
    for entity in &entities[1..] {
        r.check(
            &format!("read-{entity}"),
            format!("Key entity: {entity}"),
            async {
                match read_one(entity).await {
                    Ok(page) => {
                        note(&page);
                        Found::pass(format!("{entity} is readable."))
                    }
                    Err(e) if e.kind == ErrorKind::PermissionDenied => Found::warn(
                        format!("{entity} is forbidden for this account or app."),
                        e.fix,
                    ),
                    Err(e) if e.kind == ErrorKind::NotFound => Found::warn(
                        format!("{entity} is missing in this environment."),
                        "Nothing to fix unless your integration needs it; then check the product's version and apps.",
                    ),
                    Err(e) => Found::fail(e),
                }
            },
        )
        .await;
    }
    if product == Product::Dataverse {
        r.check(
            "headroom",
            "Room left under Dataverse's service protection limits".into(),
            std::future::ready(throttling_headroom(headroom.as_ref())),
        )
        .await;
    }
}

async fn list_companies(
    connection: &Connection,
    cancel: &CancellationToken,
) -> Result<Vec<Company>, UserError> {
    connection
        .companies(cancel, &quiet)
        .await
        .map_err(|e| e.explain())
}

/// Listed among the environments the caller can see.
async fn environment(connection: &Connection, cancel: &CancellationToken) -> Found {
    let profile = connection.profile();
    let list = match connection.environments(cancel, &quiet).await {
        Ok(list) => list,
        // The list needs rights the data may not (BC's admin API, Global
        // Discovery): the companies check below still decides.
        Err(e) => {
            let e = e.explain();
            return Found::warn(e.message, e.fix);
        }
    };
    let chosen = profile
        .environment
        .as_deref()
        .unwrap_or_default()
        .trim_end_matches('/');
    let names: Vec<&str> = list.iter().map(|e| e.id.as_str()).collect();
    if names.iter().any(|n| n.eq_ignore_ascii_case(chosen)) {
        return Found::pass(format!(
            "'{chosen}' is one of {} environment{}: {}.",
            names.len(),
            if names.len() == 1 { "" } else { "s" },
            names.join(", ")
        ));
    }
    Found::fail(UserError::new(
        ErrorKind::EnvironmentNotFound,
        format!("The environment '{chosen}' does not exist in this tenant."),
        if names.is_empty() {
            "This tenant lists no environments you can use: check the account's or app's access in the admin center.".to_string()
        } else {
            format!(
                "Pick one of the environments you can use: {} (Environment step; d365c: profile add … --environment).",
                names.join(", ")
            )
        },
    ))
}

/// Only Dataverse reports how many requests are left in its 5-minute
/// window (BC and F&O say so only when they answer 429 with Retry-After,
/// which D365 Connect waits out).
fn throttling_headroom(seen: Option<&Headroom>) -> Found {
    let Some(seen) = seen else {
        return Found::skip("Dataverse sent no x-ms-ratelimit headers in these answers.");
    };
    let time = seen
        .time_left
        .as_deref()
        .map(|t| format!(" Execution time left: {t}."))
        .unwrap_or_default();
    match seen.requests_left {
        Some(left) if left < DATAVERSE_REQUESTS_PER_WINDOW / 10 => Found {
            status: Status::Warn,
            detail: format!(
                "Only {left} of {DATAVERSE_REQUESTS_PER_WINDOW} requests are left in this 5-minute window.{time}"
            ),
            fix: Some("Something else is calling Dataverse as this user or app heavily: spread large jobs out or give them their own application user.".into()),
            details: None,
        },
        Some(left) => Found::pass(format!(
            "{left} of {DATAVERSE_REQUESTS_PER_WINDOW} requests left in this 5-minute window.{time}"
        )),
        None => Found::pass(format!("Dataverse reports headroom.{time}")),
    }
}
