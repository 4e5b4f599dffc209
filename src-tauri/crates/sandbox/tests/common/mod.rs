//! Helpers shared by the integration tests: a browser-less client for the
//! sign-in page, token requests, and shape checks against the fixtures.
#![allow(dead_code)]
// each test binary uses its own subset
// Test helpers (not #[test] fns, so clippy's test allowance misses them):
// a failed step must fail the test.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::Method;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use d365_sandbox::world::World;
use d365_sandbox::{Sandbox, SandboxHandle};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub const BC: &str = "https://api.businesscentral.dynamics.com";
pub const VERIFIER: &str = "M25iVXpKU3puUjFaYWg3T1NDTDQtcW1ROUY5YXlwalNoc0hhakxifmZHag";

pub async fn demo() -> SandboxHandle {
    start(World::demo()).await
}

pub async fn start(world: World) -> SandboxHandle {
    Sandbox::start(world).await.unwrap()
}

/// Redirects are answers to read, not to follow.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn tenant(s: &SandboxHandle) -> String {
    s.world().tenants[0].id.to_string()
}

pub fn web_app(s: &SandboxHandle) -> String {
    s.endpoints().demo.client_id.unwrap()
}

pub fn web_secret(s: &SandboxHandle) -> String {
    s.endpoints().demo.client_secret.unwrap()
}

pub fn public_app(s: &SandboxHandle) -> String {
    s.endpoints().demo.public_client_id.unwrap()
}

pub fn user(s: &SandboxHandle) -> (String, String) {
    let u = s.endpoints().demo.user.unwrap();
    (u.upn, u.password)
}

pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

pub fn authorize_url(s: &SandboxHandle, tenant: &str, params: &[(&str, &str)]) -> String {
    let mut url =
        url::Url::parse(&format!("{}/{tenant}/oauth2/v2.0/authorize", s.authority())).unwrap();
    url.query_pairs_mut().extend_pairs(params);
    url.to_string()
}

/// The usual request of the desktop app: public client, PKCE S256.
pub fn public_params<'a>(
    client_id: &'a str,
    redirect_uri: &'a str,
    challenge: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("client_id", client_id),
        ("response_type", "code"),
        ("redirect_uri", redirect_uri),
        (
            "scope",
            "https://api.businesscentral.dynamics.com/.default openid profile offline_access",
        ),
        ("state", "st-123"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ]
}

pub fn form_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in page:\n{html}"))
        + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

pub fn form_action(html: &str) -> String {
    let marker = "<form method=\"post\" action=\"";
    let start = html.find(marker).unwrap() + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

/// What a person does: open the page, type the account, press a button.
pub async fn sign_in(url: &str, login: &str, password: &str, action: &str) -> reqwest::Response {
    let c = client();
    let page = c.get(url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<form method=\"post\""),
        "not a sign-in page:\n{html}"
    );
    c.post(form_action(&html))
        .form(&[
            ("flow", form_value(&html, "flow").as_str()),
            ("login", login),
            ("passwd", password),
            ("action", action),
        ])
        .send()
        .await
        .unwrap()
}

/// The query of a 302's Location.
pub fn redirect_params(resp: &reqwest::Response) -> (String, HashMap<String, String>) {
    assert_eq!(resp.status(), 302, "expected a redirect");
    let location = resp.headers()["location"].to_str().unwrap();
    let url = url::Url::parse(location).unwrap();
    let params = url.query_pairs().into_owned().collect();
    let mut bare = url.clone();
    bare.set_query(None);
    (bare.to_string(), params)
}

/// Signs in as the demo user and returns the code.
pub async fn code_for(url: &str, s: &SandboxHandle) -> String {
    let (upn, password) = user(s);
    let resp = sign_in(url, &upn, &password, "accept").await;
    let (_, params) = redirect_params(&resp);
    params
        .get("code")
        .unwrap_or_else(|| panic!("no code: {params:?}"))
        .clone()
}

pub async fn token<V: serde::Serialize>(
    s: &SandboxHandle,
    tenant: &str,
    form: &[(&str, V)],
) -> (u16, Value) {
    let resp = client()
        .post(format!("{}/{tenant}/oauth2/v2.0/token", s.authority()))
        .form(form)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

/// Same keys and same nesting, value types alike (arrays by their first
/// element).
pub fn assert_same_shape(actual: &Value, expected: &Value, path: &str) {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            let mut ak: Vec<_> = a.keys().collect();
            let mut ek: Vec<_> = e.keys().collect();
            ak.sort();
            ek.sort();
            assert_eq!(ak, ek, "keys differ at {path}");
            for (k, v) in e {
                assert_same_shape(&a[k], v, &format!("{path}.{k}"));
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            if let (Some(a0), Some(e0)) = (a.first(), e.first()) {
                assert_same_shape(a0, e0, &format!("{path}[0]"));
            }
        }
        (a, e) => assert_eq!(
            std::mem::discriminant(a),
            std::mem::discriminant(e),
            "type differs at {path}: {a} vs {e}"
        ),
    }
}

/// An Entra error body: the fixture's shape (AADSTS500011 has every key of
/// docs/microsoft.md §3), the code, the `error` value, and the description format.
/// `suberror` is optional (docs/sandbox-fidelity.md §L2), so it is left out
/// of the shape.
pub fn assert_entra_error(body: &Value, code: u64, error: &str) {
    let mut shape = body.clone();
    if let Some(keys) = shape.as_object_mut() {
        keys.remove("suberror");
    }
    assert_same_shape(
        &shape,
        &d365_fixtures::json("entra/msal-dotnet_token_error_AADSTS500011_invalid_resource.json"),
        "$",
    );
    assert_eq!(body["error_codes"][0], code, "{body:#}");
    assert_eq!(body["error"], error, "{body:#}");
    let description = body["error_description"].as_str().unwrap();
    assert!(
        description.starts_with(&format!("AADSTS{code}: ")),
        "{description}"
    );
    assert!(description.contains(&format!(
        "\r\nTrace ID: {}",
        body["trace_id"].as_str().unwrap()
    )));
    assert!(description.contains(&format!(
        "\r\nCorrelation ID: {}",
        body["correlation_id"].as_str().unwrap()
    )));
    assert!(description.ends_with(&format!(
        "\r\nTimestamp: {}",
        body["timestamp"].as_str().unwrap()
    )));
    assert_eq!(
        body["error_uri"],
        format!("https://login.microsoftonline.com/error?code={code}")
    );
}

/// The error page Entra shows when it cannot redirect.
pub async fn assert_error_page(resp: reqwest::Response, code: u32) {
    assert_eq!(resp.status(), 400);
    let html = resp.text().await.unwrap();
    assert!(html.contains(&format!("AADSTS{code}:")), "{html}");
    assert!(html.contains("Correlation Id:"));
}

/// Payload of a JWT, for reading claims (trust comes from verification).
pub fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// A client-credentials token of the demo Web app for Business Central.
pub async fn app_token(s: &SandboxHandle) -> String {
    app_token_for(s, "https://api.businesscentral.dynamics.com/.default").await
}

/// A client-credentials token of the demo Web app for a `.default` scope.
pub async fn app_token_for(s: &SandboxHandle, scope: &str) -> String {
    let (_, body) = token(
        s,
        &tenant(s),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", web_app(s).as_str()),
            ("client_secret", web_secret(s).as_str()),
            ("scope", scope),
        ],
    )
    .await;
    body["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token for {scope}: {body:#}"))
        .to_string()
}

/// A delegated Business Central token of the demo user via the desktop app.
pub async fn user_token(s: &SandboxHandle) -> String {
    user_token_for(
        s,
        "https://api.businesscentral.dynamics.com/.default openid profile offline_access",
    )
    .await
}

/// A delegated token of the demo user via the desktop app for `scope`.
#[allow(dead_code)]
pub async fn user_token_for(s: &SandboxHandle, scope: &str) -> String {
    let challenge = s256(VERIFIER);
    let app = public_app(s);
    let mut params = public_params(&app, "http://localhost", &challenge);
    for p in params.iter_mut().filter(|p| p.0 == "scope") {
        p.1 = scope;
    }
    let url = authorize_url(s, &tenant(s), &params);
    let code = code_for(&url, s).await;
    let (_, body) = token(
        s,
        &tenant(s),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", public_app(s).as_str()),
            ("code", code.as_str()),
            ("redirect_uri", "http://localhost"),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    body["access_token"].as_str().unwrap().to_string()
}

pub type Seen = Arc<Mutex<Vec<(Method, HashMap<String, String>)>>>;

/// Stands in for the app's loopback listener: records each request to `/`
/// (query or form body) and answers 200.
pub struct LoopbackApp {
    pub redirect_uri: String,
    pub seen: Seen,
}

impl LoopbackApp {
    pub async fn start() -> LoopbackApp {
        let seen = Seen::default();
        let record = seen.clone();
        let router = axum::Router::new().route(
            "/",
            axum::routing::any(
                move |method: Method, RawQuery(query): RawQuery, body: Bytes| async move {
                    let raw = match method {
                        Method::POST => body.to_vec(),
                        _ => query.unwrap_or_default().into_bytes(),
                    };
                    let params = url::form_urlencoded::parse(&raw).into_owned().collect();
                    record.lock().unwrap().push((method, params));
                    axum::response::Html("<p>Thank you, app here.</p>")
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, router).await });
        LoopbackApp {
            redirect_uri: format!("http://localhost:{port}"),
            seen,
        }
    }

    pub fn only_request(&self) -> (Method, HashMap<String, String>) {
        let seen = self.seen.lock().unwrap();
        assert_eq!(seen.len(), 1, "{seen:?}");
        seen[0].clone()
    }
}
