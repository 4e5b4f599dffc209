//! Checks of the product itself: the environment, its companies, the app's
//! registration inside the product, reads of the key entities and the
//! headroom under the service protection limits.

use tokio_util::sync::CancellationToken;

use crate::checks::{Found, Runner, Status};
use crate::connection::Connection;
use crate::dynamics::headroom::{Headroom, DATAVERSE_REQUESTS_PER_WINDOW};
use crate::dynamics::odata::{unseen, Page, Query};
use crate::dynamics::service::Company;
use crate::problem::{ErrorKind, Explain, Setting, UserError};
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

pub(super) async fn run(connection: &Connection, cancel: &CancellationToken, r: &mut Runner<'_>) {
    let product = connection.profile().product;
    // F&O has no environment list: its environment is the address given.
    // Nor has an app-only Dataverse connection: Global Discovery lists a
    // signed-in user's environments only (docs/microsoft.md §7;
    // docs/sandbox-fidelity.md §M6), so say why and let the reads below
    // test the address given.
    let app_only_dataverse =
        product == Product::Dataverse && connection.profile().grant() == Grant::ClientCredentials;
    if app_only_dataverse {
        r.check(
            "environments",
            "The environment exists".into(),
            std::future::ready(Found::skip(
                "Dataverse lists environments only to a signed-in user, not to an app; the reads below test the environment URL given.",
            )),
        )
        .await;
    } else if product != Product::FinanceOperations {
        r.gate(
            "environments",
            "The environment exists".into(),
            "the environment does not exist",
            environment(connection, cancel),
        )
        .await;
    }
    let answer = in_product(connection, cancel, r).await;
    let companies = companies(connection, cancel, r, answer).await;
    let mut reads = Reads {
        connection,
        cancel,
        // Reads prove access before anyone chose a company: the first
        // listed stands in (see `Connection::entity_set_url`).
        stand_in: companies.first().map(|c| c.id.clone()),
        headroom: None,
    };
    reads.check_all(r, key_entities(product)).await;
    if product == Product::Dataverse {
        r.check(
            "headroom",
            "Room left under Dataverse's service protection limits".into(),
            std::future::ready(throttling_headroom(reads.headroom.as_ref())),
        )
        .await;
    }
}

/// An app-only caller not registered inside the product (BC's or F&O's
/// Microsoft Entra applications page, Dataverse's application user) is
/// refused by every call; asking for the companies shows it. The answer is
/// handed on to the companies check, which then need not ask again.
async fn in_product(
    connection: &Connection,
    cancel: &CancellationToken,
    r: &mut Runner<'_>,
) -> Option<Result<Vec<Company>, UserError>> {
    let profile = connection.profile();
    if profile.grant() != Grant::ClientCredentials {
        return None;
    }
    let name = profile.product.display_name();
    let (title, because, accepted) = match profile.product {
        Product::Dataverse => (
            format!("The app has an application user in {name}"),
            format!("the app has no application user in {name}"),
            format!("{name} accepts the app: it has an application user there."),
        ),
        _ => (
            format!("The app is registered inside {name}"),
            format!("the app is not registered inside {name}"),
            format!("{name} accepts the app: it is registered there."),
        ),
    };
    let mut answer = None;
    r.gate("in-product", title, &because, async {
        let got = list_companies(connection, cancel).await;
        let found = match &got {
            Err(e) if e.kind == ErrorKind::AppNotRegisteredInProduct => Found::fail(e.clone()),
            // Without admin consent the product refuses the token before it
            // looks at its own registration (docs/sandbox-fidelity.md §H2):
            // the consent check says what to do, the companies check repeats it.
            Err(e)
                if matches!(
                    e.kind,
                    ErrorKind::ConsentRequired | ErrorKind::PermissionMissing
                ) =>
            {
                Found::skip(format!(
                    "{name} refused the token before it could say: admin consent comes first."
                ))
            }
            Err(_) => Found::skip(format!("{name} did not answer, so it could not say.")),
            Ok(_) => Found::pass(accepted),
        };
        answer = Some(got);
        found
    })
    .await;
    answer
}

/// The environment answers and lists its companies; an empty list blocks
/// the reads, which would have no company to read from.
async fn companies(
    connection: &Connection,
    cancel: &CancellationToken,
    r: &mut Runner<'_>,
    answer: Option<Result<Vec<Company>, UserError>>,
) -> Vec<Company> {
    let mut companies = vec![];
    let status = r
        .gate(
            "companies",
            "The environment answers and lists its companies".into(),
            "the environment did not answer",
            async {
                let got = match answer {
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
    if status == Status::Warn {
        r.needed(Status::Fail, "there is no company to read from");
    }
    companies
}

/// Reads of the key entities, noting Dataverse's headroom from the answers.
struct Reads<'c> {
    connection: &'c Connection,
    cancel: &'c CancellationToken,
    stand_in: Option<String>,
    headroom: Option<Headroom>,
}

impl Reads<'_> {
    /// The first entity proves data can be read at all; the others are
    /// then readable, forbidden or missing, each about that entity alone.
    async fn check_all(&mut self, r: &mut Runner<'_>, entities: &[&str]) {
        let Some((first, others)) = entities.split_first() else {
            return;
        };
        r.gate(
            "read",
            format!("Data can be read ({first})"),
            "no data could be read",
            async {
                match self.read(first).await {
                    Ok(page) if page.rows.is_empty() => Found::warn(
                        format!("Reading {first} worked, but it has no rows."),
                        "Nothing to fix if the company is new; otherwise check the account's permissions.",
                    ),
                    Ok(_) => Found::pass(format!("Read a row of {first}.")),
                    Err(e) => Found::fail(e),
                }
            },
        )
        .await;
        for entity in others {
            r.check(
                &format!("read-{entity}"),
                format!("Key entity: {entity}"),
                async {
                    match self.read(entity).await {
                        Ok(_) => Found::pass(format!("{entity} is readable.")),
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
    }

    /// The first row of an entity set (`$top=1`).
    async fn read(&mut self, entity: &str) -> Result<Page, UserError> {
        let query = Query {
            top: Some(1),
            ..Query::default()
        };
        let url = self
            .connection
            .entity_set_url(entity, &query, self.stand_in.as_deref())?;
        let page = self
            .connection
            .data()?
            .first_page(&url, &Query::default(), None, self.cancel, &unseen)
            .await?;
        if let Some(seen) = &page.headroom {
            self.headroom = Some(seen.clone());
        }
        Ok(page)
    }
}

async fn list_companies(
    connection: &Connection,
    cancel: &CancellationToken,
) -> Result<Vec<Company>, UserError> {
    Ok(connection.companies(cancel, &unseen).await?)
}

/// Listed among the environments the caller can see.
async fn environment(connection: &Connection, cancel: &CancellationToken) -> Found {
    let profile = connection.profile();
    let list = match connection.environments(cancel, &unseen).await {
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
                "Pick one of the environments you can use: {}.",
                names.join(", ")
            )
        },
    )
    .at(Setting::Environment))
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
            setting: None,
        },
        Some(left) => Found::pass(format!(
            "{left} of {DATAVERSE_REQUESTS_PER_WINDOW} requests left in this 5-minute window.{time}"
        )),
        None => Found::pass(format!("Dataverse reports headroom.{time}")),
    }
}
