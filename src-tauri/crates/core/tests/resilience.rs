//! The shared retry policy against the sandbox's injected faults: 429 with
//! and without Retry-After, 503, latency and dropped connections. An export
//! through all of them still has every row exactly once.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns

mod common;

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use common::*;
use d365_core::dynamics::odata::unseen;
use d365_core::dynamics::odata::{ODataClient, Query};
use d365_core::dynamics::retry::RetryPolicy;
use d365_core::export::{export, ExportFormat, ExportProgress, ExportRequest};
use d365_core::problem::{ErrorKind, Explain};
use d365_core::product::Product;
use d365_sandbox::faults::FaultRule;
use d365_sandbox::world::World;
use serde_json::json;
use tokio_util::sync::CancellationToken;

fn rules(value: serde_json::Value) -> Vec<FaultRule> {
    serde_json::from_value(value).unwrap()
}

/// A client whose backoff is short, so tests do not sit through seconds of
/// exponential waits (Retry-After is still honoured as the service says).
fn fast_client(s: &d365_sandbox::SandboxHandle, max_attempts: u32) -> ODataClient {
    app_client_with(
        s,
        Product::BusinessCentral,
        RetryPolicy {
            max_attempts,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
            ..RetryPolicy::default()
        },
    )
}

#[tokio::test]
async fn an_export_through_every_kind_of_fault_has_each_row_once() {
    let s = sandbox(World::demo()).await;
    let url = bc_collection(&s, "customers", &Query::default()).await;
    s.faults().set(rules(json!([
        { "route": "/bc/v2.0/**/customers", "fault": { "kind": "throttle", "retry_after_seconds": 1 }, "when": { "first": 2 } },
        { "route": "/bc/v2.0/**/customers", "fault": { "kind": "throttle" }, "when": { "first": 1 } },
        { "route": "/bc/v2.0/**/customers", "fault": { "kind": "unavailable" }, "when": { "first": 1 } },
        { "route": "/bc/v2.0/**/customers", "fault": { "kind": "drop" }, "when": { "fraction": 0.25, "seed": 7 } },
        { "route": "/bc/v2.0/**/customers", "fault": { "kind": "latency", "millis": 40 }, "when": { "fraction": 0.5, "seed": 3 } }
    ])));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("customers.jsonl");
    let waits = Mutex::new(vec![]);
    let summary = export(
        &fast_client(&s, 12),
        ExportRequest {
            collection: &url,
            columns: &[],
            format: ExportFormat::JsonLines,
            destination: &path,
            page_size: Some(250),
        },
        &CancellationToken::new(),
        &|p| {
            if let ExportProgress::Waiting { millis, throttled } = p {
                waits.lock().unwrap().push((millis, throttled));
            }
        },
    )
    .await
    .unwrap();
    assert_eq!(summary.rows, 2_500);
    assert_eq!(summary.pages, 10);
    let text = std::fs::read_to_string(&path).unwrap();
    let ids: HashSet<String> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string())
        .collect();
    assert_eq!(ids.len(), 2_500, "no duplicates, none missing");

    let waits = waits.into_inner().unwrap();
    assert!(
        waits.iter().filter(|(_, throttled)| *throttled).count() >= 4,
        "{waits:?}"
    );
    assert!(
        waits.contains(&(1_000, true)),
        "Retry-After: 1 was honoured: {waits:?}"
    );
    let status = s.faults().status();
    assert_eq!(status[0].hits, 2);
    assert!(
        status[3].hits >= 1,
        "some connections were dropped: {status:?}"
    );
}

#[tokio::test]
async fn throttling_that_never_ends_is_explained_after_a_bounded_number_of_tries() {
    let s = sandbox(World::demo()).await;
    let url = bc_collection(&s, "customers", &Query::default()).await;
    s.faults().set(rules(json!([
        { "route": "/bc/**", "fault": { "kind": "throttle" }, "when": { "first": 1000 } }
    ])));
    let err = fast_client(&s, 4)
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
    assert_eq!(err.kind, ErrorKind::Throttled);
    assert_eq!(
        s.faults().status()[0].hits,
        4,
        "exactly max_attempts requests"
    );
}

#[tokio::test]
async fn a_retry_after_longer_than_the_limit_is_not_waited_out() {
    let s = sandbox(World::demo()).await;
    let url = bc_collection(&s, "customers", &Query::default()).await;
    s.faults().set(rules(json!([
        { "route": "/bc/**", "fault": { "kind": "unavailable", "retry_after_seconds": 3600 }, "when": { "first": 1 } }
    ])));
    let started = std::time::Instant::now();
    let err = fast_client(&s, 8)
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
    assert_eq!(err.kind, ErrorKind::Throttled);
    assert!(err.fix.contains("60 minutes"), "{}", err.fix);
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[tokio::test]
async fn without_retrying_failed_requests_a_dropped_connection_is_a_network_error() {
    let s = sandbox(World::demo()).await;
    let url = bc_collection(&s, "customers", &Query::default()).await;
    s.faults().set(rules(json!([
        { "route": "/bc/**", "fault": { "kind": "drop" }, "when": { "first": 1 } }
    ])));
    let no_retry = app_client_with(
        &s,
        Product::BusinessCentral,
        RetryPolicy {
            retry_failed: false,
            ..RetryPolicy::default()
        },
    );
    let err = no_retry
        .first_page(
            &url,
            &Query::default(),
            None,
            &CancellationToken::new(),
            &unseen,
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network);
}

/// One seeded export of the fault audit: BC vendors or a tenth of the
/// Dataverse accounts, through every kind of fault, as JSON Lines; the
/// file must hold every row the service counts, each once.
async fn export_through_faults(seed: u64) -> Result<u64, String> {
    // Dataverse filters every page over all its accounts, so its pages
    // are larger: both products take a handful of pages.
    let (product, key, route, page_size) = if seed.is_multiple_of(2) {
        (Product::BusinessCentral, "id", "/bc/v2.0/**/vendors", 50)
    } else {
        (
            Product::Dataverse,
            "accountid",
            "/dataverse/**/accounts",
            150,
        )
    };
    let s = sandbox(World::demo()).await;
    let url = match product {
        Product::BusinessCentral => bc_collection(&s, "vendors", &Query::default()).await,
        _ => service(&s, product)
            .entity_set_url(
                "accounts",
                None,
                &Query {
                    filter: Some("customertypecode eq 5".into()),
                    ..Query::default()
                },
            )
            .map_err(|e| e.to_string())?,
    };
    let client = app_client_with(
        &s,
        product,
        RetryPolicy {
            max_attempts: 12,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
            ..RetryPolicy::default()
        },
    );
    let cancel = CancellationToken::new();
    let counted = Query {
        count: true,
        top: Some(1),
        ..Query::default()
    };
    let expected = client
        .first_page(&url, &counted, None, &cancel, &unseen)
        .await
        .ok()
        .and_then(|page| page.count?.exact())
        .ok_or(format!("seed {seed}: no exact count before the faults"))?;

    let mut faults = json!([
        { "route": route, "fault": { "kind": "throttle" }, "when": { "fraction": 0.2, "seed": seed } },
        { "route": route, "fault": { "kind": "unavailable" }, "when": { "fraction": 0.1, "seed": seed + 1 } },
        { "route": route, "fault": { "kind": "drop" }, "when": { "fraction": 0.15, "seed": seed + 2 } },
        { "route": route, "fault": { "kind": "latency", "millis": 30 }, "when": { "fraction": 0.3, "seed": seed + 3 } }
    ]);
    // A tenth of the runs are also told to wait a whole second.
    if seed.is_multiple_of(10) {
        if let Some(rules) = faults.as_array_mut() {
            rules.insert(0, json!({ "route": route, "fault": { "kind": "throttle", "retry_after_seconds": 1 }, "when": { "first": 1 } }));
        }
    }
    s.faults().set(rules(faults));
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("rows.jsonl");
    let summary = export(
        &client,
        ExportRequest {
            collection: &url,
            columns: &[],
            format: ExportFormat::JsonLines,
            destination: &path,
            page_size: Some(page_size),
        },
        &cancel,
        &|_| {},
    )
    .await
    .map_err(|e| format!("seed {seed}: {}", e.explain().message))?;
    let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    let keys: HashSet<String> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|row| row[key].to_string())
        .collect();
    let lines = text.lines().count() as u64;
    if summary.rows != expected || lines != expected || keys.len() as u64 != expected {
        return Err(format!(
            "seed {seed}: {expected} counted, {} reported, {lines} lines, {} distinct",
            summary.rows,
            keys.len()
        ));
    }
    let injected: u64 = s.faults().status().iter().map(|r| r.hits).sum();
    if injected == 0 {
        return Err(format!("seed {seed}: no fault was injected"));
    }
    Ok(injected)
}

/// The fault audit: fifty seeded exports, each through throttling, 503s,
/// dropped connections and latency, all complete with every row exactly
/// once.
#[tokio::test(flavor = "multi_thread")]
async fn fifty_seeded_exports_through_faults_all_have_every_row_once() {
    let mut runs = tokio::task::JoinSet::new();
    for seed in 0..50u64 {
        runs.spawn(export_through_faults(seed));
    }
    let mut outcomes = vec![];
    while let Some(done) = runs.join_next().await {
        outcomes.push(done.unwrap());
    }
    let failures: Vec<&String> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
    assert!(failures.is_empty(), "{failures:?}");
    let injected: u64 = outcomes.into_iter().flatten().sum();
    assert!(injected >= 50 * 3, "faults were injected: {injected}");
}
