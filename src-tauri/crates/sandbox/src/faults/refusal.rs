//! A refused request gets the body its product sends when it is busy:
//! each product module writes its own (with the sources cited there) and
//! the sandbox registers it under the product's path (lib.rs); this picks
//! the product from the path and adds `Retry-After`.

use std::sync::Arc;

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

/// How one product answers a refused request (given the request's headers).
pub type Render = fn(Refusal, &HeaderMap) -> Response;

/// Each product's refusal, by the first segment of the paths it serves.
#[derive(Clone)]
pub struct Refusals {
    by_segment: Arc<[(&'static str, Render)]>,
}

impl Refusals {
    pub fn new(by_segment: impl Into<Arc<[(&'static str, Render)]>>) -> Refusals {
        Refusals {
            by_segment: by_segment.into(),
        }
    }

    pub fn respond(
        &self,
        path: &str,
        headers: &HeaderMap,
        refusal: Refusal,
        retry_after_seconds: Option<u64>,
    ) -> Response {
        let product = path.trim_start_matches('/').split('/').next();
        let render = self
            .by_segment
            .iter()
            .find(|(segment, _)| product == Some(*segment))
            .map(|(_, render)| render);
        let mut response = match render {
            Some(render) => render(refusal, headers),
            None => refusal.status().into_response(),
        };
        if let Some(seconds) = retry_after_seconds {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
