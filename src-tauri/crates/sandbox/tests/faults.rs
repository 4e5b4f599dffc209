#![allow(clippy::unwrap_used)]
//! Fault injection: 429 with Retry-After, 503, latency and dropped
//! connections, per route, for the first N requests or a seeded fraction,
//! set by the world file, over `/sandbox/faults` or on the handle.

mod common;

use std::time::{Duration, Instant};

use common::*;
use d365_sandbox::faults::FaultRule;
use d365_sandbox::world::World;
use d365_sandbox::SandboxHandle;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CUSTOMERS: &str = "/bc/v2.0/*/Production/api/v2.0/companies(*)/customers";

fn rules(value: Value) -> Vec<FaultRule> {
    serde_json::from_value(value).unwrap()
}

struct Answer {
    status: u16,
    retry_after: Option<String>,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

async fn answer(request: reqwest::RequestBuilder) -> Answer {
    let resp = request.send().await.unwrap();
    Answer {
        status: resp.status().as_u16(),
        retry_after: resp
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_string()),
        body: resp.text().await.unwrap(),
    }
}

async fn get(url: &str, token: &str) -> Answer {
    answer(client().get(url).bearer_auth(token)).await
}

/// `…/companies({first})/customers?$top=1`, and a BC token for it.
async fn bc_customers(s: &SandboxHandle) -> (String, String) {
    let token = app_token(s).await;
    let api = format!("{}/bc/v2.0/{}/Production/api/v2.0", s.base(), tenant(s));
    let companies = get(&format!("{api}/companies"), &token).await.json();
    let company = companies["value"][0]["id"].as_str().unwrap();
    (
        format!("{api}/companies({company})/customers?$top=1"),
        token,
    )
}

/// A token request; faults answer it before its form is read.
fn token_request(s: &SandboxHandle) -> reqwest::RequestBuilder {
    client()
        .post(format!("{}/{}/oauth2/v2.0/token", s.authority(), tenant(s)))
        .form(&[("grant_type", "client_credentials")])
}

fn counters(s: &SandboxHandle) -> Vec<(u64, u64)> {
    s.faults()
        .status()
        .iter()
        .map(|r| (r.matched, r.hits))
        .collect()
}

#[tokio::test]
async fn the_first_n_requests_are_throttled_then_served() {
    let s = demo().await;
    let (customers, token) = bc_customers(&s).await;
    s.faults().set(rules(json!([{
        "route": CUSTOMERS,
        "fault": {"kind": "throttle", "retry_after_seconds": 2},
        "when": {"first": 2}
    }])));
    let mut seen = Vec::new();
    for _ in 0..3 {
        let a = get(&customers, &token).await;
        seen.push((a.status, a.retry_after));
    }
    let two = Some("2".to_string());
    assert_eq!(seen, [(429, two.clone()), (429, two), (200, None)]);
    assert_eq!(counters(&s), [(3, 2)]);
}

#[tokio::test]
async fn other_routes_and_methods_are_unaffected() {
    let s = demo().await;
    let (customers, token) = bc_customers(&s).await;
    let fno = s.endpoints().fno_url.unwrap();
    let fno_token = app_token_for(&s, &format!("{fno}/.default")).await;
    s.faults().set(rules(json!([
        {"route": CUSTOMERS, "method": "POST", "fault": {"kind": "drop"}, "when": {"fraction": 1.0}},
        {"route": "/bc/v2.0/*/Production/api/v2.0/companies", "fault": {"kind": "drop"}, "when": {"fraction": 1.0}}
    ])));
    assert_eq!(get(&customers, &token).await.status, 200);
    assert_eq!(
        get(&format!("{fno}/data/CustomersV3?$top=1"), &fno_token)
            .await
            .status,
        200
    );
    assert_eq!(counters(&s), [(0, 0), (0, 0)]);
}

#[tokio::test]
async fn throttled_answers_have_each_products_shape() {
    let s = demo().await;
    let (customers, bc_token) = bc_customers(&s).await;
    let fno = s.endpoints().fno_url.unwrap();
    let fno_token = app_token_for(&s, &format!("{fno}/.default")).await;
    let dataverse = s.endpoints().dataverse_url.unwrap();
    let dv_token = app_token_for(&s, &format!("{dataverse}/.default")).await;
    s.faults().set(rules(json!([{
        "route": "/**", "fault": {"kind": "throttle", "retry_after_seconds": 7}, "when": {"fraction": 1.0}
    }])));

    // Business Central: its JSON error with a CorrelationId, like the
    // fixture's other errors.
    let bc = get(&customers, &bc_token).await;
    assert_eq!((bc.status, bc.retry_after.as_deref()), (429, Some("7")));
    let body = bc.json();
    assert_same_shape(
        &body,
        &d365_fixtures::json("bc/amplabs_write_contacts_not-found.json"),
        "$",
    );
    assert_eq!(body["error"]["code"], "Application_TooManyRequests");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains(".  CorrelationId:  "));

    // Finance & Operations: a message of the service protection article.
    let f = get(&format!("{fno}/data/CustomersV3"), &fno_token).await;
    assert_eq!((f.status, f.retry_after.as_deref()), (429, Some("7")));
    let message = f.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(
        d365_fixtures::text("fno/docs_service_protection_429_messages.txt")
            .lines()
            .any(|line| line == message),
        "{message}"
    );

    // Dataverse: the service protection code of the request-count limit.
    let d = get(&format!("{dataverse}/api/data/v9.2/accounts"), &dv_token).await;
    assert_eq!((d.status, d.retry_after.as_deref()), (429, Some("7")));
    let body = d.json();
    assert_eq!(body["error"]["code"], "0x80072322");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Number of requests exceeded the limit of 6000"));

    // Entra's token endpoint: a bare "Too Many Requests", not its JSON.
    let t = answer(token_request(&s)).await;
    assert_eq!((t.status, t.retry_after.as_deref()), (429, Some("7")));
    assert_eq!(t.body, "Too Many Requests");
}

#[tokio::test]
async fn unavailable_answers_503_with_retry_after_only_when_asked() {
    let s = demo().await;
    let (customers, bc_token) = bc_customers(&s).await;
    let dataverse = s.endpoints().dataverse_url.unwrap();
    let dv_token = app_token_for(&s, &format!("{dataverse}/.default")).await;
    s.faults().set(rules(json!([
        {"route": "/entra/**", "fault": {"kind": "unavailable", "retry_after_seconds": 5}, "when": {"first": 1}},
        {"route": "/**", "fault": {"kind": "unavailable"}, "when": {"fraction": 1.0}}
    ])));

    let bc = get(&customers, &bc_token).await;
    assert_eq!((bc.status, bc.retry_after.as_deref()), (503, None));
    assert_eq!(bc.json()["error"]["code"], "Unknown");

    let d = get(&format!("{dataverse}/api/data/v9.2/WhoAmI"), &dv_token).await;
    assert_eq!(d.status, 503);
    assert_eq!(d.json()["error"]["code"], "");

    let t = answer(token_request(&s)).await;
    assert_eq!((t.status, t.retry_after.as_deref()), (503, Some("5")));
    assert_entra_error(&t.json(), 90006, "temporarily_unavailable");
    assert_eq!(counters(&s), [(1, 1), (2, 2)]);
}

#[tokio::test]
async fn latency_delays_then_serves() {
    let s = demo().await;
    let (customers, token) = bc_customers(&s).await;
    let delay = Duration::from_millis(300);
    s.faults().set(rules(json!([{
        "route": CUSTOMERS, "fault": {"kind": "latency", "millis": 300}, "when": {"first": 1}
    }])));
    let start = Instant::now();
    let a = get(&customers, &token).await;
    assert!(start.elapsed() >= delay, "{:?}", start.elapsed());
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["value"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_dropped_request_gets_no_http_response_at_all() {
    let s = demo().await;
    let (customers, token) = bc_customers(&s).await;
    s.faults().set(rules(json!([{
        "route": CUSTOMERS, "fault": {"kind": "drop"}, "when": {"first": 1}
    }])));
    let err = client()
        .get(&customers)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap_err();
    // hyper's IncompleteMessage: the connection closed before a response.
    assert!(err.is_request() && err.status().is_none(), "{err:?}");
    assert!(!err.is_timeout(), "{err:?}");
    // The rule is spent: the retry is served.
    assert_eq!(get(&customers, &token).await.status, 200);

    // On the wire: the connection closes without a single byte.
    s.faults().set(rules(json!([{
        "route": "/bc/environments/v1.2", "fault": {"kind": "drop"}, "when": {"first": 1}
    }])));
    let mut tcp = tokio::net::TcpStream::connect(s.base().trim_start_matches("http://"))
        .await
        .unwrap();
    tcp.write_all(b"GET /bc/environments/v1.2 HTTP/1.1\r\nHost: sandbox\r\n\r\n")
        .await
        .unwrap();
    let mut received = Vec::new();
    // A reset instead of a clean close is fine too: either way, no answer.
    let _ = tcp.read_to_end(&mut received).await;
    assert!(
        received.is_empty(),
        "{}",
        String::from_utf8_lossy(&received)
    );
}

/// Which of `n` discovery requests were throttled.
async fn pattern(s: &SandboxHandle, n: usize) -> Vec<bool> {
    let url = format!(
        "{}/{}/v2.0/.well-known/openid-configuration",
        s.authority(),
        tenant(s)
    );
    let c = client();
    let mut hits = Vec::with_capacity(n);
    for _ in 0..n {
        let status = c.get(&url).send().await.unwrap().status().as_u16();
        assert!(status == 200 || status == 429, "{status}");
        hits.push(status == 429);
    }
    hits
}

#[tokio::test]
async fn a_seeded_fraction_hits_the_same_requests_every_time() {
    let s = demo().await;
    let quarter = |seed: u64| {
        rules(json!([{
            "route": "/entra/*/v2.0/.well-known/openid-configuration",
            "fault": {"kind": "throttle", "retry_after_seconds": 1},
            "when": {"fraction": 0.25, "seed": seed}
        }]))
    };
    s.faults().set(quarter(42));
    let first = pattern(&s, 200).await;
    let hits = first.iter().filter(|&&h| h).count();
    assert!((30..=70).contains(&hits), "{hits} of 200 for a quarter");
    assert_eq!(counters(&s), [(200, hits as u64)]);

    // Setting the rule again restarts its generator: the same pattern.
    s.faults().set(quarter(42));
    assert_eq!(pattern(&s, 200).await, first);
    s.faults().set(quarter(43));
    assert_ne!(pattern(&s, 200).await, first);
}

#[tokio::test]
async fn rules_change_at_run_time_over_http() {
    let s = demo().await;
    let url = format!("{}/sandbox/faults", s.base());
    let c = client();
    let listing = |resp: reqwest::Response| async move {
        assert_eq!(resp.status(), 200);
        resp.json::<Value>().await.unwrap()
    };
    let one = json!({"route": "/bc/**", "fault": {"kind": "drop"}, "when": {"first": 1}});
    let added = listing(c.post(&url).body(one.to_string()).send().await.unwrap()).await;
    assert_eq!(
        added,
        json!([{"route": "/bc/**", "fault": {"kind": "drop"}, "when": {"first": 1}, "matched": 0, "hits": 0}])
    );
    let two = json!([
        {"route": "/fno/**", "method": "GET", "fault": {"kind": "latency", "millis": 1}, "when": {"fraction": 0.5, "seed": 1}},
        {"route": "/dataverse/**", "fault": {"kind": "unavailable", "retry_after_seconds": 3}, "when": {"first": 2}}
    ]);
    listing(c.post(&url).body(two.to_string()).send().await.unwrap()).await;
    let all = listing(c.get(&url).send().await.unwrap()).await;
    assert_eq!(all.as_array().unwrap().len(), 3);
    assert_eq!(all[1]["when"], json!({"fraction": 0.5, "seed": 1}));
    assert_eq!(s.faults().status().len(), 3);

    // The control endpoint is never faulted itself, even by `/**`.
    let everything = json!({"route": "/**", "fault": {"kind": "drop"}, "when": {"fraction": 1.0}});
    let replaced = listing(
        c.put(&url)
            .body(everything.to_string())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(replaced.as_array().unwrap().len(), 1);
    assert!(c
        .get(format!("{}/bc/environments/v1.2", s.base()))
        .send()
        .await
        .is_err());
    let counted = listing(c.get(&url).send().await.unwrap()).await;
    assert_eq!(
        (counted[0]["matched"].clone(), counted[0]["hits"].clone()),
        (json!(1), json!(1))
    );

    let cleared = listing(c.delete(&url).send().await.unwrap()).await;
    assert_eq!(cleared, json!([]));
    assert_eq!(
        c.get(format!("{}/bc/environments/v1.2", s.base()))
            .send()
            .await
            .unwrap()
            .status(),
        401,
        "served again (and refused for want of a token)"
    );

    // A broken rule is refused with serde's reason, and changes nothing.
    let resp = c
        .post(&url)
        .body(r#"{"route": "/bc/**", "fault": {"kind": "drop"}, "when": {"fraction": 2}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let error = resp.json::<Value>().await.unwrap()["error"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(error.contains("fraction"), "{error}");
    assert!(s.faults().status().is_empty());
}

#[tokio::test]
async fn rules_change_at_run_time_on_the_handle() {
    let s = demo().await;
    let (customers, token) = bc_customers(&s).await;
    s.faults().add(rules(json!([{
        "route": CUSTOMERS, "fault": {"kind": "throttle"}, "when": {"first": 1}
    }])));
    s.faults().add(rules(json!([{
        "route": CUSTOMERS, "fault": {"kind": "unavailable"}, "when": {"first": 1}
    }])));
    let seen: Vec<u16> = [
        get(&customers, &token).await.status,
        get(&customers, &token).await.status,
        get(&customers, &token).await.status,
    ]
    .into();
    assert_eq!(seen, [429, 503, 200]);
    assert_eq!(counters(&s), [(3, 1), (2, 1)]);
    s.faults().clear();
    assert!(s.faults().status().is_empty());
}

#[tokio::test]
async fn rules_come_from_the_world_file() {
    let mut world = serde_json::to_value(World::demo()).unwrap();
    world["faults"] = json!([{
        "route": "/entra/*/discovery/v2.0/keys",
        "fault": {"kind": "throttle", "retry_after_seconds": 30},
        "when": {"first": 1}
    }]);
    let world = World::from_json(&world.to_string()).unwrap();
    assert_eq!(world.faults.len(), 1);
    // A world without faults keeps its old shape.
    assert!(serde_json::to_value(World::demo())
        .unwrap()
        .get("faults")
        .is_none());

    let s = start(world).await;
    let keys = format!("{}/{}/discovery/v2.0/keys", s.authority(), tenant(&s));
    let first = answer(client().get(&keys)).await;
    assert_eq!(
        (first.status, first.retry_after.as_deref()),
        (429, Some("30"))
    );
    assert_eq!(answer(client().get(&keys)).await.status, 200);
    assert_eq!(counters(&s), [(2, 1)]);
}

#[test]
fn a_world_file_with_a_broken_rule_is_refused() {
    let mut world = serde_json::to_value(World::demo()).unwrap();
    world["faults"] =
        json!([{"route": "/bc/**", "fault": {"kind": "drop"}, "when": {"fraction": -1}}]);
    assert!(World::from_json(&world.to_string()).is_err());
}

#[test]
fn the_readme_example_parses() {
    let readme = include_str!("../README.md");
    let section = &readme[readme.find("## Fault injection").unwrap()..];
    let start = section.find("```json").unwrap() + "```json".len();
    let end = start + section[start..].find("```").unwrap();
    let example: Value = serde_json::from_str(&section[start..end]).unwrap();
    let parsed = rules(example["faults"].clone());
    assert!(parsed.len() >= 4, "show every kind of fault");
}
