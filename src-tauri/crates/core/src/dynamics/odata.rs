//! GET against a product's OData service: the headers, query options,
//! server-driven paging with the nextLink kept opaque, error bodies, and
//! the shared retry policy.

use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::dynamics::error::{DataError, ErrorBody, ServiceFailure};
use crate::dynamics::headroom::Headroom;
use crate::dynamics::retry::{Failure, RetryPolicy, Stop, Verdict, Wait};
use crate::identity::claims;
use crate::identity::scopes::{permissions_for, Access};
use crate::identity::token_cache::TokenCache;
use crate::product::Product;
use crate::profiles::Grant;

/// OData query options. Built into the URL here so no caller concatenates
/// query strings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub select: Vec<String>,
    pub filter: Option<String>,
    pub orderby: Vec<String>,
    pub top: Option<u64>,
    pub count: bool,
    /// Product-specific parameters, e.g. F&O's `cross-company=true`.
    pub extra: Vec<(String, String)>,
}

impl Query {
    pub fn apply(&self, url: &mut Url) {
        let mut pairs: Vec<(&str, String)> = vec![];
        if !self.select.is_empty() {
            pairs.push(("$select", self.select.join(",")));
        }
        if let Some(filter) = self.filter.as_deref().filter(|f| !f.trim().is_empty()) {
            pairs.push(("$filter", filter.trim().to_string()));
        }
        if !self.orderby.is_empty() {
            pairs.push(("$orderby", self.orderby.join(",")));
        }
        if let Some(top) = self.top {
            pairs.push(("$top", top.to_string()));
        }
        if self.count {
            pairs.push(("$count", "true".into()));
        }
        pairs.extend(self.extra.iter().map(|(n, v)| (n.as_str(), v.clone())));
        if !pairs.is_empty() {
            url.query_pairs_mut().extend_pairs(pairs);
        }
    }
}

/// Where the next page is: the service's `@odata.nextLink`, used verbatim.
/// Never built or parsed here (BC, F&O and Dataverse all change its format
/// between versions; Dataverse's is a paging cookie). Not serializable: the
/// UI holds a handle, never the link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(Url);

/// One page of rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub rows: Vec<Map<String, Value>>,
    pub next: Option<Cursor>,
    /// `@odata.count` when `$count=true` was asked and the service gave it.
    pub count: Option<RowCount>,
    /// The service protection headroom the answer reported, if any.
    pub headroom: Option<Headroom>,
}

/// One page as it arrived: its link, count and headroom read, its rows
/// still JSON text. An export asks for the next page as soon as it has
/// this and parses the rows on another thread; the table hands them to the
/// UI without parsing them here at all.
#[derive(Debug)]
pub struct RawPage {
    rows: Option<Box<RawValue>>,
    pub next: Option<Cursor>,
    pub count: Option<RowCount>,
    pub headroom: Option<Headroom>,
    product: Product,
    source: Url,
}

impl RawPage {
    /// Each row's JSON text, borrowed from the page, to hand on without
    /// parsing it: a list of objects, or an unexpected answer.
    pub fn row_texts(&self) -> Result<Vec<&RawValue>, DataError> {
        let rows: Vec<&RawValue> = self.rows()?;
        match rows.iter().find(|row| !row.get().starts_with('{')) {
            Some(_) => Err(self.unexpected("a row is not a JSON object")),
            None => Ok(rows),
        }
    }

    fn unexpected(&self, details: impl std::fmt::Display) -> DataError {
        DataError::Unexpected {
            product: self.product.display_name(),
            details: format!("{details} (from {})", redact_query(&self.source)),
        }
    }

    /// Parses the rows into `T`, which may borrow from the page.
    pub fn rows<'a, T: Deserialize<'a>>(&'a self) -> Result<Vec<T>, DataError> {
        match &self.rows {
            Some(rows) => serde_json::from_str(rows.get()).map_err(|e| self.unexpected(e)),
            None => Ok(vec![]),
        }
    }

    /// Parses the rows.
    pub fn into_page(self) -> Result<Page, DataError> {
        let rows = self.rows()?;
        Ok(Page {
            rows,
            next: self.next,
            count: self.count,
            headroom: self.headroom,
        })
    }
}

/// Where a page is: the first of a collection, or the one after a cursor.
#[derive(Debug, Clone, Copy)]
pub enum PageAt<'a> {
    First(&'a Url, &'a Query),
    After(&'a Cursor),
}

/// How many rows match, as the service counted them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowCount {
    Exact(u64),
    /// Dataverse stops counting at 5,000 and then says so in an annotation
    /// (Dataverse "Count rows using OData", docs/microsoft.md §7).
    AtLeast(u64),
}

impl RowCount {
    pub fn exact(self) -> Option<u64> {
        match self {
            RowCount::Exact(n) => Some(n),
            RowCount::AtLeast(_) => None,
        }
    }

    pub fn at_least(self) -> Option<u64> {
        match self {
            RowCount::AtLeast(n) => Some(n),
            RowCount::Exact(_) => None,
        }
    }
}

/// The annotation Dataverse adds, when asked, to a count it stopped at 5,000.
const COUNT_LIMIT_EXCEEDED: &str = "Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded";

/// A successful answer: its body and what its headers said about limits.
struct Answer {
    body: bytes::Bytes,
    headroom: Option<Headroom>,
}

/// A page body with its rows left as JSON text: finding the nextLink then
/// costs a scan, not a parse of every row.
#[derive(Deserialize)]
struct PageBody {
    value: Option<Box<RawValue>>,
    #[serde(rename = "@odata.nextLink")]
    next_link: Option<String>,
    #[serde(rename = "@odata.count")]
    count: Option<u64>,
    #[serde(
        rename = "@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded",
        default
    )]
    count_limit_exceeded: bool,
}

const JSON: &str = "application/json";
const XML: &str = "application/xml";

/// Told about every wait, for progress displays.
pub type OnWait<'a> = &'a (dyn Fn(Wait) + Send + Sync);

/// For callers that show no waiting (the wait still happens).
pub fn unseen(_: Wait) {}

/// An OData service of one product, called with one token source.
pub struct ODataClient {
    http: reqwest::Client,
    tokens: Arc<TokenCache>,
    product: Product,
    grant: Grant,
    retry: RetryPolicy,
}

impl ODataClient {
    pub fn new(
        http: reqwest::Client,
        tokens: Arc<TokenCache>,
        product: Product,
        grant: Grant,
        retry: RetryPolicy,
    ) -> Self {
        Self {
            http,
            tokens,
            product,
            grant,
            retry,
        }
    }

    pub fn product(&self) -> Product {
        self.product
    }

    /// The first page of a collection. `page_size` asks for smaller pages
    /// with `Prefer: odata.maxpagesize` (BC and Dataverse honour it up to
    /// their own maximum, docs/microsoft.md §5, §7; F&O may not, §6 and
    /// docs/sandbox-fidelity.md §M4, so callers follow nextLinks whatever
    /// size comes back).
    pub async fn first_page(
        &self,
        collection: &Url,
        query: &Query,
        page_size: Option<u32>,
        cancel: &CancellationToken,
        on_wait: OnWait<'_>,
    ) -> Result<Page, DataError> {
        self.raw_page(PageAt::First(collection, query), page_size, cancel, on_wait)
            .await?
            .into_page()
    }

    /// The page after `cursor`. Dataverse wants the same maxpagesize on
    /// every page (docs/microsoft.md §7), so callers pass it again.
    pub async fn next_page(
        &self,
        cursor: &Cursor,
        page_size: Option<u32>,
        cancel: &CancellationToken,
        on_wait: OnWait<'_>,
    ) -> Result<Page, DataError> {
        self.raw_page(PageAt::After(cursor), page_size, cancel, on_wait)
            .await?
            .into_page()
    }

    /// A page with its rows not yet parsed (see `RawPage`).
    pub async fn raw_page(
        &self,
        at: PageAt<'_>,
        page_size: Option<u32>,
        cancel: &CancellationToken,
        on_wait: OnWait<'_>,
    ) -> Result<RawPage, DataError> {
        let url = match at {
            PageAt::First(collection, query) => {
                let mut url = collection.clone();
                query.apply(&mut url);
                url
            }
            PageAt::After(cursor) => cursor.0.clone(),
        };
        let page_size = page_size_to_send(self.product, &url, page_size);
        let answer = self
            .get_bytes(&url, JSON, page_size, cancel, on_wait)
            .await?;
        read_page(self.product, url, answer)
    }

    /// Every row of a small collection (environments, companies), following
    /// nextLinks. `max_rows` guards against a "small" list that is not.
    pub async fn all_rows(
        &self,
        collection: &Url,
        max_rows: usize,
        cancel: &CancellationToken,
        on_wait: OnWait<'_>,
    ) -> Result<Vec<Map<String, Value>>, DataError> {
        let mut page = self
            .first_page(collection, &Query::default(), None, cancel, on_wait)
            .await?;
        let mut rows = std::mem::take(&mut page.rows);
        while let Some(next) = page.next.take() {
            if rows.len() >= max_rows {
                break;
            }
            page = self.next_page(&next, None, cancel, on_wait).await?;
            rows.append(&mut page.rows);
        }
        rows.truncate(max_rows);
        Ok(rows)
    }

    /// GET a JSON document as bytes, for parsers of their own.
    pub async fn get_raw_json(
        &self,
        url: &Url,
        cancel: &CancellationToken,
        on_wait: OnWait<'_>,
    ) -> Result<bytes::Bytes, DataError> {
        Ok(self.get_bytes(url, JSON, None, cancel, on_wait).await?.body)
    }

    /// GET `$metadata` (CSDL XML; asking for JSON could get the JSON CSDL
    /// variant or a 406).
    pub async fn get_metadata(
        &self,
        url: &Url,
        cancel: &CancellationToken,
        on_wait: OnWait<'_>,
    ) -> Result<bytes::Bytes, DataError> {
        Ok(self.get_bytes(url, XML, None, cancel, on_wait).await?.body)
    }

    /// GET with retries; a 2xx answer.
    async fn get_bytes(
        &self,
        url: &Url,
        accept: &'static str,
        page_size: Option<u32>,
        cancel: &CancellationToken,
        on_wait: OnWait<'_>,
    ) -> Result<Answer, DataError> {
        let outcome = self
            .retry
            .run(cancel, on_wait, || self.attempt(url, accept, page_size))
            .await;
        outcome.map_err(|stop| match stop {
            Stop::Cancelled => DataError::Cancelled,
            Stop::Failed(e) => e,
        })
    }

    async fn attempt(
        &self,
        url: &Url,
        accept: &'static str,
        page_size: Option<u32>,
    ) -> Result<Answer, Verdict<DataError>> {
        let token = self
            .tokens
            .access_token()
            .await
            .map_err(|e| Verdict::Fail(e.into()))?;
        let mut bearer =
            HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
                Verdict::Fail(self.unexpected("the access token is not valid header text"))
            })?;
        bearer.set_sensitive(true);
        let mut request = self
            .http
            .get(url.clone())
            .headers(odata_headers(accept))
            .header(AUTHORIZATION, bearer);
        let mut prefer = vec![];
        if let Some(size) = page_size {
            prefer.push(format!("odata.maxpagesize={size}"));
        }
        // Dataverse only says a count stopped at 5,000 when asked to.
        let counted = url.query_pairs().any(|(k, v)| k == "$count" && v == "true");
        if self.product == Product::Dataverse && counted {
            prefer.push(format!(
                "odata.include-annotations=\"{COUNT_LIMIT_EXCEEDED}\""
            ));
        }
        if !prefer.is_empty() {
            request = request.header("Prefer", prefer.join(","));
        }
        let response = crate::http::send(request)
            .await
            .map_err(|e| self.network(e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(|e| self.network(e))?;
        if status.is_success() {
            return Ok(Answer {
                body,
                headroom: Headroom::from_headers(&headers),
            });
        }
        let failure = self.service_failure(status.as_u16(), &body, token.expose());
        match Failure::from_response(status, &headers) {
            Some(retry) => {
                let error = match retry {
                    Failure::Throttled { retry_after, .. } => DataError::Throttled {
                        product: self.product.display_name(),
                        retry_after,
                    },
                    Failure::Transient => failure,
                };
                Err(Verdict::Retry(retry, error))
            }
            None => Err(Verdict::Fail(failure)),
        }
    }

    fn service_failure(&self, status: u16, body: &[u8], token: &str) -> DataError {
        let parsed = ErrorBody::parse(body);
        // An app token without any of the product's application permissions
        // means nobody granted admin consent; the product's refusal is then
        // about that, not about its own registration (docs/sandbox-fidelity.md §H2).
        let no_app_roles = self.grant == Grant::ClientCredentials && {
            let known: Vec<&str> = permissions_for(self.product, Access::Application)
                .map(|p| p.name)
                .collect();
            !known.is_empty()
                && claims::decode(token)
                    .is_ok_and(|c| !c.roles.iter().any(|r| known.contains(&r.as_str())))
        };
        let raw = parsed
            .is_none()
            .then(|| String::from_utf8_lossy(&body[..body.len().min(400)]).into_owned());
        DataError::Service(Box::new(ServiceFailure {
            product: self.product,
            status,
            body: parsed,
            client_id: self.tokens.client().client_id().to_string(),
            grant: self.grant,
            no_app_roles,
            raw,
        }))
    }

    fn network(&self, e: reqwest::Error) -> Verdict<DataError> {
        let host = e
            .url()
            .and_then(|u| u.host_str())
            .unwrap_or("the service")
            .to_string();
        let error = if e.is_timeout() {
            DataError::Timeout {
                product: self.product.display_name(),
            }
        } else {
            DataError::Network {
                host,
                cause: crate::http::error_chain(&e),
            }
        };
        match Failure::from_network(&e) {
            Some(failure) => Verdict::Retry(failure, error),
            None => Verdict::Fail(error),
        }
    }

    fn unexpected(&self, details: &str) -> DataError {
        DataError::Unexpected {
            product: self.product.display_name(),
            details: details.to_string(),
        }
    }
}

/// A page's body read up to its rows, with the link to the next page.
/// Apart from the client so it can be fuzzed without a server.
/// The largest page each product serves (docs/microsoft.md §5–7).
pub fn max_page_size(product: Product) -> u32 {
    match product {
        Product::BusinessCentral => 20_000,
        Product::FinanceOperations => 10_000,
        Product::Dataverse => 5_000,
    }
}

/// The `odata.maxpagesize` to send, if any. Never above the product's
/// maximum: BC answers a larger one with 413 (docs/microsoft.md §5;
/// docs/sandbox-fidelity.md §M5), the others would cap it anyway. Never
/// with `$top` to Dataverse: it ignores `$top` when both come and pages
/// instead (docs/microsoft.md §7; docs/sandbox-fidelity.md §M1), so a
/// `$top=N` read keeps `$top` alone, which returns exactly N rows (up to
/// 5,000) in one page, as asked.
fn page_size_to_send(product: Product, url: &Url, asked: Option<u32>) -> Option<u32> {
    let has_top = url.query_pairs().any(|(k, _)| k == "$top");
    if product == Product::Dataverse && has_top {
        return None;
    }
    asked.map(|n| n.min(max_page_size(product)))
}

fn read_page(product: Product, url: Url, answer: Answer) -> Result<RawPage, DataError> {
    let body: PageBody = parse_json(product, &url, &answer.body)?;
    let next = match body.next_link {
        Some(link) => Some(Cursor(url.join(&link).map_err(|e| {
            DataError::Unexpected {
                product: product.display_name(),
                details: format!("nextLink is not a URL: {e}"),
            }
        })?)),
        None => None,
    };
    Ok(RawPage {
        rows: body.value,
        next,
        count: body.count.map(|n| {
            if body.count_limit_exceeded {
                RowCount::AtLeast(n)
            } else {
                RowCount::Exact(n)
            }
        }),
        headroom: answer.headroom,
        product,
        source: url,
    })
}

fn parse_json<T: DeserializeOwned>(
    product: Product,
    url: &Url,
    body: &[u8],
) -> Result<T, DataError> {
    serde_json::from_slice(body).map_err(|e| DataError::Unexpected {
        product: product.display_name(),
        details: format!("{e} (from {})", redact_query(url)),
    })
}

/// The headers Microsoft's Web API docs ask for (docs/microsoft.md §7;
/// harmless for BC and F&O).
fn odata_headers(accept: &'static str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static(accept));
    headers.insert("OData-MaxVersion", HeaderValue::from_static("4.0"));
    headers.insert("OData-Version", HeaderValue::from_static("4.0"));
    headers
}

/// A URL for error details without its query, which may hold filter values.
fn redact_query(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.to_string()
}

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_options_are_encoded_once_and_in_order() {
        let mut url = Url::parse("https://x.example/api/v2.0/companies(1)/customers").unwrap();
        Query {
            select: vec!["number".into(), "displayName".into()],
            filter: Some(" city eq 'Zürich & Co' ".into()),
            orderby: vec!["displayName desc".into()],
            top: Some(10),
            count: true,
            extra: vec![("cross-company".into(), "true".into())],
        }
        .apply(&mut url);
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(
            pairs,
            [
                ("$select".into(), "number,displayName".into()),
                ("$filter".into(), "city eq 'Zürich & Co'".into()),
                ("$orderby".into(), "displayName desc".into()),
                ("$top".into(), "10".into()),
                ("$count".into(), "true".into()),
                ("cross-company".into(), "true".into()),
            ]
        );
    }

    #[test]
    fn dataverse_never_gets_top_and_maxpagesize_and_no_product_more_than_its_maximum() {
        let url = |q: &str| Url::parse(&format!("https://x.example/accounts{q}")).unwrap();
        assert_eq!(
            page_size_to_send(Product::Dataverse, &url("?$top=7"), Some(2)),
            None
        );
        assert_eq!(
            page_size_to_send(Product::Dataverse, &url("?%24top=7"), Some(2)),
            None
        );
        assert_eq!(
            page_size_to_send(Product::Dataverse, &url(""), Some(2)),
            Some(2)
        );
        assert_eq!(
            page_size_to_send(Product::BusinessCentral, &url("?$top=7"), Some(2)),
            Some(2)
        );
        assert_eq!(
            page_size_to_send(Product::BusinessCentral, &url(""), Some(50_000)),
            Some(20_000)
        );
        assert_eq!(
            page_size_to_send(Product::FinanceOperations, &url(""), Some(50_000)),
            Some(10_000)
        );
        assert_eq!(
            page_size_to_send(Product::Dataverse, &url(""), Some(50_000)),
            Some(5_000)
        );
    }

    #[test]
    fn an_empty_query_adds_nothing() {
        let mut url = Url::parse("https://x.example/data/CustomersV3").unwrap();
        Query::default().apply(&mut url);
        assert_eq!(url.as_str(), "https://x.example/data/CustomersV3");
    }
}
