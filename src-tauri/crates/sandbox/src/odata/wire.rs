//! What every product's OData responses share on the wire: the headers,
//! the `Prefer: odata.maxpagesize` preference and the next link.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::page::Page;

/// The page size for this request: the client's `odata.maxpagesize`
/// preference (OData 4.01 §8.2.8.3; also the legacy `maxpagesize`) when it
/// is smaller than the product's fixed maximum (BC 20,000, F&O 10,000,
/// Dataverse 5,000: docs/microsoft.md §5–7).
pub fn page_size(headers: &HeaderMap, product_max: usize) -> (usize, bool) {
    match preferred_page_size(headers) {
        Some(n) if n <= product_max => (n, true),
        _ => (product_max, false),
    }
}

/// The client's `odata.maxpagesize` preference as sent, before any cap.
pub fn preferred_page_size(headers: &HeaderMap) -> Option<usize> {
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|pref| {
            let (name, value) = pref.trim().split_once('=')?;
            matches!(name.trim(), "odata.maxpagesize" | "maxpagesize")
                .then(|| value.trim().trim_matches('"').parse::<usize>().ok())?
        })
        .find(|&n| n > 0)
}

/// The raw query string without `$skiptoken` (and any names in `drop`),
/// so a next link repeats the client's options exactly.
pub fn query_without(raw: Option<&str>, drop: &[&str]) -> Vec<String> {
    raw.unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let name = p.split('=').next().unwrap_or_default();
            let name = name.replace("%24", "$");
            name != "$skiptoken" && !drop.contains(&name.as_str())
        })
        .map(str::to_string)
        .collect()
}

/// `{ "@odata.context", "@odata.count"?, "value", "@odata.nextLink"? }` in
/// the order BC and Dataverse write them (fixtures).
pub fn collection_body(context: String, page: Page, next_link: Option<String>) -> Value {
    let mut body = Map::new();
    body.insert("@odata.context".into(), Value::String(context));
    if let Some(count) = page.count {
        body.insert("@odata.count".into(), Value::from(count));
    }
    body.insert(
        "value".into(),
        Value::Array(page.rows.into_iter().map(Value::Object).collect()),
    );
    if let Some(link) = next_link {
        body.insert("@odata.nextLink".into(), Value::String(link));
    }
    Value::Object(body)
}

/// A JSON OData response with the headers the services send.
pub fn json(status: StatusCode, body: &Value, page_size_applied: Option<usize>) -> Response {
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; odata.metadata=minimal; odata.streaming=true"),
    );
    headers.insert("odata-version", HeaderValue::from_static("4.0"));
    if let Some(size) = page_size_applied {
        if let Ok(v) = HeaderValue::from_str(&format!("odata.maxpagesize={size}")) {
            headers.insert("preference-applied", v);
        }
    }
    response
}

pub fn xml(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefer(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("prefer", HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn maxpagesize_only_lowers_the_product_maximum() {
        assert_eq!(page_size(&HeaderMap::new(), 20_000), (20_000, false));
        assert_eq!(
            page_size(&prefer("odata.maxpagesize=50"), 20_000),
            (50, true)
        );
        assert_eq!(
            page_size(
                &prefer("odata.include-annotations=\"*\", odata.maxpagesize=2"),
                5_000
            ),
            (2, true)
        );
        assert_eq!(
            page_size(&prefer("odata.maxpagesize=90000"), 5_000),
            (5_000, false)
        );
        assert_eq!(
            page_size(&prefer("odata.maxpagesize=0"), 5_000),
            (5_000, false)
        );
    }

    #[test]
    fn next_links_keep_the_client_options_but_not_the_old_token() {
        let q = Some("$select=id&%24skiptoken=abc&$filter=x%20eq%201&aid=FIN");
        assert_eq!(
            query_without(q, &[]),
            vec!["$select=id", "$filter=x%20eq%201", "aid=FIN"]
        );
        assert_eq!(
            query_without(q, &["aid"]),
            vec!["$select=id", "$filter=x%20eq%201"]
        );
    }
}
