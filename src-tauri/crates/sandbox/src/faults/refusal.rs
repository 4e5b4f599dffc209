//! A refused request gets the body its product sends when it is busy:
//! each product module writes its own (with the sources cited there), this
//! picks the product from the path and adds `Retry-After`.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// 429 Too Many Requests.
    TooManyRequests,
    /// 503 Service Unavailable.
    Unavailable,
}

impl Refusal {
    pub fn status(self) -> StatusCode {
        match self {
            Refusal::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Refusal::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

pub fn respond(
    path: &str,
    headers: &HeaderMap,
    refusal: Refusal,
    retry_after_seconds: Option<u64>,
) -> Response {
    let product = path.trim_start_matches('/').split('/').next();
    let mut response = match product {
        Some("entra") => crate::entra::refusal(refusal, headers),
        Some("bc") => crate::bc::refusal(refusal),
        Some("fno") => crate::fno::refusal(refusal),
        // Global Discovery is a Dataverse service; no throttled capture of
        // it was found, so it answers like the Web API (⚠ inferred).
        Some("dataverse" | "globaldisco") => crate::dataverse::refusal(refusal),
        _ => refusal.status().into_response(),
    };
    if let Some(seconds) = retry_after_seconds {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}
