//! Talking to Entra's token endpoint: the authorize URL with PKCE, code
//! redemption, client credentials, refresh, and the admin consent URLs.
//! The oauth2 crate does the protocol; its generic types stay in here.

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use oauth2::basic::{
    BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenResponse,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, HttpClientError, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken,
    RequestTokenError, Scope, StandardRevocableToken, TokenResponse, TokenUrl,
};
use url::Url;

use crate::identity::cloud::Cloud;
use crate::identity::diagnose::{diagnose, EntraError};
use crate::problem::{ErrorKind, Explain, Setting, UserError};
use crate::secrets::Secret;

/// An oauth2 client that parses Entra's full error body.
type OAuthClient = oauth2::Client<
    EntraError,
    BasicTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// What Entra handed out. Debug output redacts both tokens.
#[derive(Debug, Clone)]
pub struct TokenSet {
    pub access_token: Secret,
    pub expires_at: SystemTime,
    pub refresh_token: Option<Secret>,
    /// The scopes Entra says it granted (may differ from those asked for).
    pub scopes: Vec<String>,
}

impl TokenSet {
    /// True when the token expires within `skew`: refresh before use so a
    /// request never leaves with a token that dies on the way.
    pub fn expires_within(&self, skew: Duration) -> bool {
        SystemTime::now() + skew >= self.expires_at
    }
}

/// One sign-in in progress: the URL to open and what the redirect and the
/// code redemption must match. Single use.
pub struct AuthorizeRequest {
    pub url: String,
    pub state: Secret,
    redirect_uri: RedirectUrl,
    verifier: PkceCodeVerifier,
}

/// Which admin consent endpoint (docs/microsoft.md §4): v1 consents to
/// everything the registration lists; v2 to the scopes named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentEndpoint {
    V1,
    V2,
}

#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    /// Entra answered with an error body (docs/microsoft.md §3).
    #[error("{0}")]
    Entra(Box<EntraError>),
    #[error("Microsoft Entra could not be reached at {host}.")]
    Unreachable { host: String, cause: String },
    #[error("Microsoft Entra sent an answer D365 Connect does not understand.")]
    Unexpected { details: String },
    #[error("'{url}' is not a valid sign-in address.")]
    BadEndpoint { url: String },
}

impl FlowError {
    /// Whether only a new interactive sign-in can help.
    pub fn needs_new_sign_in(&self) -> bool {
        matches!(self, FlowError::Entra(e) if e.needs_new_sign_in())
    }

    pub fn entra(&self) -> Option<&EntraError> {
        match self {
            FlowError::Entra(e) => Some(e),
            _ => None,
        }
    }
}

impl Explain for FlowError {
    fn setting(&self) -> Option<Setting> {
        match self {
            FlowError::Entra(e) => diagnose(e).setting,
            FlowError::BadEndpoint { .. } => Some(Setting::Cloud),
            FlowError::Unreachable { .. } | FlowError::Unexpected { .. } => None,
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            FlowError::Entra(e) => diagnose(e).kind,
            FlowError::Unreachable { .. } => ErrorKind::Network,
            FlowError::Unexpected { .. } => ErrorKind::SignInFailed,
            FlowError::BadEndpoint { .. } => ErrorKind::InvalidInput,
        }
    }

    fn fix(&self) -> String {
        match self {
            FlowError::Entra(e) => diagnose(e).fix,
            FlowError::Unreachable { .. } => "Check the internet connection (and the HTTPS_PROXY setting if your company uses a proxy), then try again.".into(),
            FlowError::Unexpected { .. } => "Try again in a minute. If it keeps happening, copy the details for support.".into(),
            FlowError::BadEndpoint { .. } => "Check the cloud and its custom sign-in address.".into(),
        }
    }

    fn details(&self) -> Option<String> {
        match self {
            FlowError::Entra(e) => diagnose(e).details,
            FlowError::Unreachable { cause, .. } => Some(cause.clone()),
            FlowError::Unexpected { details } => Some(details.clone()),
            FlowError::BadEndpoint { .. } => None,
        }
    }

    fn explain(&self) -> UserError {
        match self {
            FlowError::Entra(e) => diagnose(e),
            _ => UserError {
                kind: self.kind(),
                message: self.to_string(),
                fix: self.fix(),
                details: self.details(),
                setting: self.setting(),
            },
        }
    }
}

/// An app registration as seen from one tenant of one cloud.
pub struct EntraClient {
    oauth: OAuthClient,
    http: reqwest::Client,
    cloud: Cloud,
    tenant: String,
}

impl EntraClient {
    /// `secret` is sent only when given: a public client must not send one
    /// and a Web (confidential) one must (docs/microsoft.md §2).
    pub fn new(
        http: reqwest::Client,
        cloud: &Cloud,
        tenant: &str,
        client_id: &str,
        secret: Option<&Secret>,
    ) -> Result<Self, FlowError> {
        let endpoint = |url: String| FlowError::BadEndpoint { url };
        let auth = cloud.authorize_url(tenant);
        let token = cloud.token_url(tenant);
        let mut oauth = oauth2::Client::new(ClientId::new(client_id.to_string()))
            .set_auth_uri(AuthUrl::new(auth.clone()).map_err(|_| endpoint(auth))?)
            .set_token_uri(TokenUrl::new(token.clone()).map_err(|_| endpoint(token))?)
            // Entra reads client credentials from the body (v2 token
            // endpoint docs); Basic auth would also work but needs the
            // secret URL-encoded first.
            .set_auth_type(AuthType::RequestBody);
        if let Some(secret) = secret {
            oauth = oauth.set_client_secret(ClientSecret::new(secret.expose().to_string()));
        }
        Ok(Self {
            oauth,
            http,
            cloud: cloud.clone(),
            tenant: tenant.to_string(),
        })
    }

    pub fn client_id(&self) -> &str {
        self.oauth.client_id().as_str()
    }

    /// The authorize URL for a code flow with PKCE S256 and a random state.
    pub fn authorize(
        &self,
        scopes: &[String],
        redirect_uri: &str,
    ) -> Result<AuthorizeRequest, FlowError> {
        let redirect_uri =
            RedirectUrl::new(redirect_uri.to_string()).map_err(|_| FlowError::BadEndpoint {
                url: redirect_uri.to_string(),
            })?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state) = self
            .oauth
            .authorize_url(CsrfToken::new_random)
            .add_scopes(scopes.iter().cloned().map(Scope::new))
            .set_pkce_challenge(challenge)
            .set_redirect_uri(Cow::Borrowed(&redirect_uri))
            // Always show the account picker: admins often hold several
            // accounts and the wrong one is a common cause of 50020.
            .add_extra_param("prompt", "select_account")
            .url();
        Ok(AuthorizeRequest {
            url: url.to_string(),
            state: Secret::new(state.secret().clone()),
            redirect_uri,
            verifier,
        })
    }

    /// Redeems the code with the same redirect URI and the PKCE verifier.
    pub async fn redeem(
        &self,
        code: &Secret,
        request: AuthorizeRequest,
    ) -> Result<TokenSet, FlowError> {
        let response = self
            .oauth
            .exchange_code(AuthorizationCode::new(code.expose().to_string()))
            .set_pkce_verifier(request.verifier)
            .set_redirect_uri(Cow::Borrowed(&request.redirect_uri))
            .request_async(&crate::http::OAuthHttp(self.http.clone()))
            .await;
        self.token_set(response, None)
    }

    /// Server-to-server: `scopes` is `<resource>/.default`.
    pub async fn client_credentials(&self, scopes: &[String]) -> Result<TokenSet, FlowError> {
        let response = self
            .oauth
            .exchange_client_credentials()
            .add_scopes(scopes.iter().cloned().map(Scope::new))
            .request_async(&crate::http::OAuthHttp(self.http.clone()))
            .await;
        self.token_set(response, None)
    }

    /// Redeems a refresh token. Entra usually rotates it; when it does not
    /// return one, the old one stays valid and is kept.
    pub async fn refresh(
        &self,
        refresh_token: &Secret,
        scopes: &[String],
    ) -> Result<TokenSet, FlowError> {
        let old = RefreshToken::new(refresh_token.expose().to_string());
        let response = self
            .oauth
            .exchange_refresh_token(&old)
            .add_scopes(scopes.iter().cloned().map(Scope::new))
            .request_async(&crate::http::OAuthHttp(self.http.clone()))
            .await;
        self.token_set(response, Some(refresh_token))
    }

    /// The admin consent URL (docs/microsoft.md §4) and the state it carries.
    pub fn admin_consent(
        &self,
        endpoint: ConsentEndpoint,
        redirect_uri: &str,
        scopes: &[String],
    ) -> Result<(String, Secret), FlowError> {
        let base = match endpoint {
            ConsentEndpoint::V1 => self.cloud.admin_consent_v1_url(&self.tenant),
            ConsentEndpoint::V2 => self.cloud.admin_consent_v2_url(&self.tenant),
        };
        let mut url = Url::parse(&base).map_err(|_| FlowError::BadEndpoint { url: base })?;
        let state = CsrfToken::new_random();
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("client_id", self.client_id());
            if endpoint == ConsentEndpoint::V2 {
                query.append_pair("scope", &scopes.join(" "));
            }
            query
                .append_pair("redirect_uri", redirect_uri)
                .append_pair("state", state.secret());
        }
        Ok((url.to_string(), Secret::new(state.secret().clone())))
    }

    fn token_set(
        &self,
        response: Result<
            BasicTokenResponse,
            RequestTokenError<HttpClientError<reqwest::Error>, EntraError>,
        >,
        old_refresh_token: Option<&Secret>,
    ) -> Result<TokenSet, FlowError> {
        let token = response.map_err(|e| self.flow_error(e))?;
        // Entra always sends expires_in; an hour is its documented default
        // if a proxy strips it.
        let lifetime = token.expires_in().unwrap_or(Duration::from_secs(3600));
        Ok(TokenSet {
            access_token: Secret::new(token.access_token().secret().clone()),
            expires_at: SystemTime::now() + lifetime,
            refresh_token: token
                .refresh_token()
                .map(|t| Secret::new(t.secret().clone()))
                .or_else(|| old_refresh_token.cloned()),
            scopes: token
                .scopes()
                .map(|s| s.iter().map(|s| s.to_string()).collect())
                .unwrap_or_default(),
        })
    }

    fn flow_error(
        &self,
        error: RequestTokenError<HttpClientError<reqwest::Error>, EntraError>,
    ) -> FlowError {
        match error {
            RequestTokenError::ServerResponse(e) => FlowError::Entra(Box::new(e)),
            RequestTokenError::Request(e) => FlowError::Unreachable {
                host: self.cloud.authority().to_string(),
                cause: crate::http::error_chain(&e),
            },
            RequestTokenError::Parse(e, body) => FlowError::Unexpected {
                details: format!("{e}; {}", body_excerpt(&body)),
            },
            RequestTokenError::Other(text) => FlowError::Unexpected { details: text },
        }
    }
}

/// The start of an unparseable answer (often a proxy's HTML page), unless
/// it could hold a token: details are shown and copied.
fn body_excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(400)]);
    if text.contains("_token") {
        "the body is not shown because it may contain a token".into()
    } else {
        format!("body starts: {text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::cloud::CustomCloud;
    use crate::test_fixtures::answer_json_once;

    fn cloud_at(addr: std::net::SocketAddr) -> Cloud {
        Cloud::Custom(CustomCloud {
            authority: format!("http://{addr}/entra"),
            bc_api: Some(format!("http://{addr}/bc")),
            fno_url: None,
            dataverse_url: None,
            globaldisco: Some(format!("http://{addr}/globaldisco")),
            bc_resource: None,
            graph: None,
        })
    }

    fn client_at(cloud: &Cloud) -> EntraClient {
        let http = crate::http::client(crate::http::Timeout::Normal).unwrap();
        EntraClient::new(http, cloud, "contoso.onmicrosoft.com", "client-1", None).unwrap()
    }

    fn query(url: &str) -> std::collections::HashMap<String, String> {
        Url::parse(url)
            .unwrap()
            .query_pairs()
            .into_owned()
            .collect()
    }

    #[tokio::test]
    async fn a_refresh_without_a_new_refresh_token_keeps_the_old_one() {
        let server = answer_json_once(
            "200 OK",
            r#"{"token_type":"Bearer","access_token":"new-access","expires_in":3599,"scope":"x/.default"}"#,
        );
        let old = Secret::new("old-refresh");
        let tokens = client_at(&cloud_at(server))
            .refresh(&old, &["x/.default".into()])
            .await
            .unwrap();
        assert_eq!(tokens.access_token.expose(), "new-access");
        assert_eq!(tokens.refresh_token, Some(old));
        assert_eq!(tokens.scopes, ["x/.default"]);
        assert!(!tokens.expires_within(Duration::from_secs(3000)));
    }

    #[tokio::test]
    async fn an_unparseable_answer_that_may_hold_a_token_is_not_shown() {
        let server = answer_json_once("200 OK", r#"{"access_token":"leak-me","token_type":7}"#);
        let err = client_at(&cloud_at(server))
            .client_credentials(&["x/.default".into()])
            .await
            .unwrap_err();
        let shown = format!("{:?}", err.explain());
        assert!(!shown.contains("leak-me"), "{shown}");
        assert_eq!(err.kind(), ErrorKind::SignInFailed);
    }

    #[tokio::test]
    async fn a_proxy_error_page_is_shown_in_details() {
        let server = crate::test_fixtures::answer_once(
            "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: 21\r\n\r\n<h1>proxy error</h1>\n"
                .into(),
        );
        let err = client_at(&cloud_at(server))
            .client_credentials(&["x/.default".into()])
            .await
            .unwrap_err();
        assert!(err.details().unwrap().contains("proxy error"));
    }

    #[test]
    fn authorize_url_carries_pkce_s256_state_and_the_exact_redirect_uri() {
        let cloud = Cloud::Public;
        let request = client_at(&cloud)
            .authorize(
                &[
                    "https://api.businesscentral.dynamics.com/Financials.ReadWrite.All".into(),
                    "offline_access".into(),
                ],
                "http://localhost:53100",
            )
            .unwrap();
        assert!(request.url.starts_with(
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize?"
        ));
        let q = query(&request.url);
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], "client-1");
        assert_eq!(q["redirect_uri"], "http://localhost:53100");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["state"], request.state.expose());
        assert_eq!(
            q["scope"],
            "https://api.businesscentral.dynamics.com/Financials.ReadWrite.All offline_access"
        );
        let again = client_at(&cloud)
            .authorize(&[], "http://localhost:1")
            .unwrap();
        assert_ne!(again.state, request.state, "state is random per sign-in");
    }

    #[test]
    fn admin_consent_urls_follow_facts_section_4() {
        let client = client_at(&Cloud::UsGov);
        let (v1, state) = client
            .admin_consent(ConsentEndpoint::V1, "http://localhost:5000", &[])
            .unwrap();
        assert!(v1
            .starts_with("https://login.microsoftonline.us/contoso.onmicrosoft.com/adminconsent?"));
        let q = query(&v1);
        assert_eq!(q["state"], state.expose());
        assert_eq!(q["redirect_uri"], "http://localhost:5000");
        assert!(!q.contains_key("scope"));
        let (v2, _) = client
            .admin_consent(
                ConsentEndpoint::V2,
                "http://localhost:5000",
                &["https://api.businesscentral.dynamics.com/.default".into()],
            )
            .unwrap();
        assert!(v2.contains("/contoso.onmicrosoft.com/v2.0/adminconsent?"));
        assert_eq!(
            query(&v2)["scope"],
            "https://api.businesscentral.dynamics.com/.default"
        );
    }

    #[test]
    fn debug_output_never_shows_tokens() {
        let tokens = TokenSet {
            access_token: Secret::new("eyJ-access"),
            expires_at: SystemTime::now(),
            refresh_token: Some(Secret::new("refresh-value")),
            scopes: vec![],
        };
        let shown = format!("{tokens:?}");
        assert!(!shown.contains("eyJ-access") && !shown.contains("refresh-value"));
    }
}
