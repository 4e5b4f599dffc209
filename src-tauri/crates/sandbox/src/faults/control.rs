//! `/sandbox/faults`: the rules at run time, outside Microsoft's namespace
//! and without a token. `GET` lists them with their counters, `POST` adds
//! (one rule or an array), `PUT` replaces all, `DELETE` clears; each
//! answers with the list in force. Bodies are read as JSON whatever the
//! content type, so a bare `curl -d` works.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use super::{FaultRule, Faults};

pub fn routes(faults: Faults) -> Router {
    Router::new()
        .route(
            "/sandbox/faults",
            get(list).post(add).put(replace).delete(clear),
        )
        .with_state(faults)
}

async fn list(State(faults): State<Faults>) -> Response {
    Json(faults.status()).into_response()
}

async fn add(State(faults): State<Faults>, body: String) -> Response {
    change(&faults, &body, Faults::add)
}

async fn replace(State(faults): State<Faults>, body: String) -> Response {
    change(&faults, &body, Faults::set)
}

async fn clear(State(faults): State<Faults>) -> Response {
    faults.clear();
    Json(faults.status()).into_response()
}

fn change(faults: &Faults, body: &str, apply: fn(&Faults, Vec<FaultRule>)) -> Response {
    match parse(body) {
        Ok(rules) => {
            apply(faults, rules);
            Json(faults.status()).into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": format!("not a fault rule or an array of them: {e}")})),
        )
            .into_response(),
    }
}

/// Parsed as a `Value` first so a single rule and an array each get
/// serde's precise message, not "did not match any variant".
fn parse(body: &str) -> Result<Vec<FaultRule>, serde_json::Error> {
    let value: Value = serde_json::from_str(body)?;
    if value.is_array() {
        serde_json::from_value(value)
    } else {
        serde_json::from_value(value).map(|rule| vec![rule])
    }
}
