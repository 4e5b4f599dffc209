//! "Does it work?": ordered checks of a saved connection, from "the tenant
//! exists" to "a row can be read", each with a plain result and what to do.
//! A check whose prerequisite failed is skipped, saying why.

use std::time::Instant;

use serde::Serialize;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::connection::Connection;
use crate::dynamics::odata::Query;
use crate::dynamics::retry::Wait;
use crate::identity::tenant;
use crate::problem::{ErrorKind, Explain, UserError};
use crate::product::Product;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub enum Status {
    Pass,
    Warn,
    Fail,
    Skip,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CheckResult {
    pub id: String,
    pub title: String,
    pub status: Status,
    /// What was found, in plain words.
    pub detail: String,
    /// What to do, when something is wrong.
    pub fix: Option<String>,
    /// The service's own words, for support.
    pub details: Option<String>,
    #[ts(type = "number")]
    pub millis: u64,
}

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

fn sample_entity(product: Product) -> &'static str {
    key_entities(product)[0]
}

struct Runner<'a> {
    results: Vec<CheckResult>,
    on_result: &'a (dyn Fn(&CheckResult) + Send + Sync),
}

/// What a check found when it did not simply pass.
struct Found {
    status: Status,
    detail: String,
    fix: Option<String>,
    details: Option<String>,
}

impl Found {
    fn pass(detail: impl Into<String>) -> Self {
        Self {
            status: Status::Pass,
            detail: detail.into(),
            fix: None,
            details: None,
        }
    }

    fn warn(detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            status: Status::Warn,
            detail: detail.into(),
            fix: Some(fix.into()),
            details: None,
        }
    }

    fn skip(detail: impl Into<String>) -> Self {
        Self {
            status: Status::Skip,
            detail: detail.into(),
            fix: None,
            details: None,
        }
    }

    fn fail(error: UserError) -> Self {
        Self {
            status: Status::Fail,
            detail: error.message,
            fix: Some(error.fix),
            details: error.details,
        }
    }
}

impl Runner<'_> {
    fn record(&mut self, id: &str, title: String, started: Instant, found: Found) -> bool {
        let result = CheckResult {
            id: id.into(),
            title,
            status: found.status,
            detail: found.detail,
            fix: found.fix,
            details: found.details,
            millis: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        };
        (self.on_result)(&result);
        let ok = matches!(result.status, Status::Pass | Status::Warn);
        self.results.push(result);
        ok
    }

    fn skip_rest(&mut self, checks: &[(&str, String)], because: &str) {
        for (id, title) in checks {
            self.record(
                id,
                title.clone(),
                Instant::now(),
                Found::skip(format!("Not checked because {because}.")),
            );
        }
    }
}

/// Runs every check in order; `on_result` sees each as it finishes.
pub async fn run(
    connection: &Connection,
    cancel: &CancellationToken,
    on_result: &(dyn Fn(&CheckResult) + Send + Sync),
) -> Vec<CheckResult> {
    let profile = connection.profile();
    let product = profile.product.display_name();
    let quiet = |_: Wait| {};
    let titles = [
        ("tenant", format!("The tenant '{}' exists", profile.tenant)),
        ("token", format!("D365 Connect gets a token for {product}")),
        ("verdict", format!("The token can call {product}")),
        ("environments", "The environment is listed".to_string()),
        (
            "companies",
            "The environment answers and lists its companies".to_string(),
        ),
        (
            "read",
            format!("Data can be read ({})", sample_entity(profile.product)),
        ),
    ];
    let mut r = Runner {
        results: vec![],
        on_result,
    };

    let started = Instant::now();
    let found = match tenant::tenant_id(connection.http(), &profile.cloud, &profile.tenant).await {
        Ok(id) => Found::pass(format!("Microsoft Entra knows it as {id}.")),
        Err(e) => Found::fail(e.explain()),
    };
    if !r.record(titles[0].0, titles[0].1.clone(), started, found) {
        r.skip_rest(&titles[1..], "the tenant was not found");
        return r.results;
    }

    let started = Instant::now();
    let info = match connection.token_info().await {
        Ok(info) => {
            r.record(
                titles[1].0,
                titles[1].1.clone(),
                started,
                Found::pass("Microsoft Entra issued an access token."),
            );
            info
        }
        Err(e) => {
            r.record(
                titles[1].0,
                titles[1].1.clone(),
                started,
                Found::fail(e.explain()),
            );
            r.skip_rest(&titles[2..], "there is no token");
            return r.results;
        }
    };

    let started = Instant::now();
    let judged = &info.verdict;
    let mut detail = judged.summary.clone();
    for note in &judged.notes {
        detail.push(' ');
        detail.push_str(note);
    }
    let found = if judged.usable {
        Found::pass(detail)
    } else {
        Found {
            status: Status::Fail,
            detail,
            fix: Some(judged.problems.join(" ")),
            details: None,
        }
    };
    r.record(titles[2].0, titles[2].1.clone(), started, found);

    let started = Instant::now();
    let found = if profile.product == Product::FinanceOperations {
        Found::skip("Finance & Operations has no environment list; the connection uses its URL.")
    } else {
        match connection.environments(cancel, &quiet).await {
            Ok(list) => {
                let chosen = profile.environment.as_deref().unwrap_or_default();
                let names: Vec<&str> = list.iter().map(|e| e.id.as_str()).collect();
                if names
                    .iter()
                    .any(|n| n.eq_ignore_ascii_case(chosen.trim_end_matches('/')))
                {
                    Found::pass(format!(
                        "{} environment{}: {}.",
                        names.len(),
                        if names.len() == 1 { "" } else { "s" },
                        names.join(", ")
                    ))
                } else {
                    Found::warn(
                        format!(
                            "'{chosen}' is not among the environments listed: {}.",
                            names.join(", ")
                        ),
                        "Pick a listed environment, unless you know this one is hidden from lists.",
                    )
                }
            }
            Err(e) => Found::warn(e.explain().message, e.explain().fix),
        }
    };
    r.record(titles[3].0, titles[3].1.clone(), started, found);

    let started = Instant::now();
    let companies = match connection.companies(cancel, &quiet).await {
        Ok(list) if list.is_empty() => {
            r.record(
                titles[4].0,
                titles[4].1.clone(),
                started,
                Found::warn(
                    "The environment answered but lists no companies.",
                    "Check that your account (or the app) has access to at least one company.",
                ),
            );
            r.skip_rest(&titles[5..], "there is no company to read from");
            return r.results;
        }
        Ok(list) => {
            let names: Vec<&str> = list.iter().map(|c| c.name.as_str()).collect();
            r.record(
                titles[4].0,
                titles[4].1.clone(),
                started,
                Found::pass(format!(
                    "{} compan{}: {}.",
                    list.len(),
                    if list.len() == 1 { "y" } else { "ies" },
                    names.join(", ")
                )),
            );
            list
        }
        Err(e) => {
            r.record(
                titles[4].0,
                titles[4].1.clone(),
                started,
                Found::fail(e.explain()),
            );
            r.skip_rest(&titles[5..], "the environment did not answer");
            return r.results;
        }
    };

    let started = Instant::now();
    let company = profile
        .company
        .clone()
        .or_else(|| companies.first().map(|c| c.id.clone()))
        .filter(|_| profile.product != Product::Dataverse);
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
    let entity = sample_entity(profile.product);
    let found = match read_one(entity).await {
        Ok(page) if page.rows.is_empty() => Found::warn(
            format!("Reading {entity} worked, but it has no rows."),
            "Nothing to fix if the company is new; otherwise check the account's permissions.",
        ),
        Ok(_) => Found::pass(format!("Read a row of {entity}.")),
        Err(e) => Found::fail(e),
    };
    if !r.record(titles[5].0, titles[5].1.clone(), started, found) {
        return r.results;
    }
    // The other key entities: readable, forbidden or missing. Reading one
    // worked, so a refusal here is about that entity, not the connection.
    for entity in &key_entities(profile.product)[1..] {
        let started = Instant::now();
        let found = match read_one(entity).await {
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
        };
        r.record(
            &format!("read-{entity}"),
            format!("Key entity: {entity}"),
            started,
            found,
        );
    }
    r.results
}
