//! JSON over HTTPS to a product with the administrator's delegated token:
//! the few reads and writes the product side of setup makes.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::dynamics::error::ErrorBody;
use crate::problem::{ErrorKind, Explain};
use crate::product::Product;
use crate::secrets::Secret;

#[derive(Debug, thiserror::Error)]
pub enum ProductSideError {
    #[error("{product} refused: {message}")]
    Refused {
        product: &'static str,
        status: u16,
        code: String,
        message: String,
    },
    #[error("{product} could not be reached.")]
    Unreachable {
        product: &'static str,
        cause: String,
    },
    #[error("{product} sent an answer D365 Connect does not understand.")]
    Unexpected {
        product: &'static str,
        details: String,
    },
}

impl ProductSideError {
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Refused { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl Explain for ProductSideError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Refused {
                status: 401 | 403, ..
            } => ErrorKind::PermissionDenied,
            Self::Refused { status: 404, .. } => ErrorKind::EnvironmentNotFound,
            Self::Refused { status: 429, .. } => ErrorKind::Throttled,
            Self::Refused { .. } | Self::Unexpected { .. } => ErrorKind::ServiceUnavailable,
            Self::Unreachable { .. } => ErrorKind::Network,
        }
    }

    fn fix(&self) -> String {
        match self.kind() {
            ErrorKind::PermissionDenied => "Sign in for setup as someone who administers this environment (System Administrator in Dataverse, System administrator in Finance & Operations), or do this step by hand with the guide.".into(),
            ErrorKind::EnvironmentNotFound => "Check the environment's address.".into(),
            ErrorKind::Network => "Check the internet connection, then run setup again: it carries on where it stopped.".into(),
            _ => "Run setup again in a minute: it carries on where it stopped.".into(),
        }
    }

    fn details(&self) -> Option<String> {
        match self {
            Self::Refused {
                status,
                code,
                message,
                ..
            } => Some(format!("HTTP {status} {code}: {message}")),
            Self::Unreachable { cause, .. } => Some(cause.clone()),
            Self::Unexpected { details, .. } => Some(details.clone()),
        }
    }
}

/// The answer to a write: its body and headers (Dataverse names a created
/// row in `OData-EntityId`, docs/microsoft.md §10).
pub struct Written {
    pub body: Value,
    pub entity_id: Option<String>,
}

pub struct ProductApi {
    http: reqwest::Client,
    product: Product,
    token: Secret,
}

impl ProductApi {
    pub fn new(http: reqwest::Client, product: Product, token: Secret) -> Self {
        Self {
            http,
            product,
            token,
        }
    }

    pub async fn get<T: DeserializeOwned>(&self, url: &str) -> Result<T, ProductSideError> {
        let written = self.send(self.http.get(url)).await?;
        serde_json::from_value(written.body).map_err(|e| self.unexpected(e.to_string()))
    }

    pub async fn get_text(&self, url: &str) -> Result<String, ProductSideError> {
        let response = self.respond(self.http.get(url)).await?;
        response.text().await.map_err(|e| self.unreachable(&e))
    }

    pub async fn post(&self, url: &str, body: &Value) -> Result<Written, ProductSideError> {
        self.send(self.http.post(url).json(body)).await
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Written, ProductSideError> {
        let response = self.respond(request).await?;
        let entity_id = response
            .headers()
            .get("OData-EntityId")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = response.bytes().await.map_err(|e| self.unreachable(&e))?;
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).map_err(|e| self.unexpected(e.to_string()))?
        };
        Ok(Written { body, entity_id })
    }

    async fn respond(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, ProductSideError> {
        let request = request
            .bearer_auth(self.token.expose())
            .header("Accept", "application/json")
            .header("OData-MaxVersion", "4.0")
            .header("OData-Version", "4.0");
        let response = crate::http::send(request)
            .await
            .map_err(|e| self.unreachable(&e))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let bytes = response.bytes().await.unwrap_or_default();
        let body = ErrorBody::parse(&bytes).unwrap_or_else(|| ErrorBody {
            code: String::new(),
            message: String::from_utf8_lossy(&bytes).chars().take(500).collect(),
        });
        Err(ProductSideError::Refused {
            product: self.product.short_name(),
            status: status.as_u16(),
            code: body.code,
            message: body.message,
        })
    }

    fn unreachable(&self, e: &reqwest::Error) -> ProductSideError {
        ProductSideError::Unreachable {
            product: self.product.short_name(),
            cause: crate::http::error_chain(e),
        }
    }

    fn unexpected(&self, details: String) -> ProductSideError {
        ProductSideError::Unexpected {
            product: self.product.short_name(),
            details,
        }
    }
}
