//! The shared retry policy against the sandbox's injected faults: 429 with
//! and without Retry-After, 503, latency and dropped connections. An export
//! through all of them still has every row exactly once.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns

mod common;

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use common::*;
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
            &quiet,
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
            &quiet,
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
            &quiet,
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network);
}
