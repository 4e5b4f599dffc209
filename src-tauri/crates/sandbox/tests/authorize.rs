//! The authorize endpoint: the sign-in page driven over HTTP, the code
//! round trip, and the errors it answers with (page or redirect).

mod common;

use common::*;
use d365_sandbox::resources::Resource;
use d365_sandbox::world::World;

#[tokio::test]
async fn public_client_round_trip_with_pkce_s256_through_the_form() {
    let s = demo().await;
    let app = public_app(&s);
    let challenge = s256(VERIFIER);
    // Port ignored for localhost (docs/microsoft.md §1): registered `http://localhost`.
    let redirect = "http://localhost:53117";
    let url = authorize_url(
        &s,
        "cronus-demo.onmicrosoft.com",
        &public_params(&app, redirect, &challenge),
    );

    let page = client()
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("D365 Connect (desktop)"));
    assert!(
        page.contains("Financials.ReadWrite.All"),
        "permissions listed"
    );
    assert!(page.contains("value=\"accept\"") && page.contains("value=\"cancel\""));

    let (upn, password) = user(&s);
    let resp = sign_in(&url, &upn, &password, "accept").await;
    let (target, params) = redirect_params(&resp);
    assert_eq!(
        target, "http://localhost:53117/",
        "no path means / (docs/microsoft.md §1)"
    );
    assert_eq!(params["state"], "st-123");
    let code = &params["code"];

    let (status, body) = token(
        &s,
        &tenant(&s),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &app),
            ("code", code),
            ("redirect_uri", redirect),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body:#}");
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["refresh_token"].is_string() && body["id_token"].is_string());
    assert!(body["scope"]
        .as_str()
        .unwrap()
        .contains(&format!("{BC}/Financials.ReadWrite.All")));
    let at = body["access_token"].as_str().unwrap();
    let claims = s.verify_access_token(at, BC).unwrap();
    assert_eq!(claims.tid, tenant(&s));
    assert_eq!(claims.appid, app);
    assert_eq!(claims.appidacr, "0", "public client");
    assert_eq!(claims.upn.as_deref(), Some(upn.as_str()));
    assert!(claims.scopes().contains(&"Financials.ReadWrite.All"));
    let id = claims_of(body["id_token"].as_str().unwrap());
    assert_eq!(id["aud"], app);
    assert_eq!(id["preferred_username"], upn);
}

fn claims_of(jwt: &str) -> serde_json::Value {
    claims(jwt)
}

#[tokio::test]
async fn confidential_client_round_trip_with_pkce_plain_and_basic_auth() {
    let s = demo().await;
    let app = web_app(&s);
    let url = authorize_url(
        &s,
        &tenant(&s),
        &[
            ("client_id", &app),
            ("response_type", "code"),
            ("redirect_uri", "http://localhost:8080"),
            (
                "scope",
                "https://api.businesscentral.dynamics.com/Financials.ReadWrite.All",
            ),
            (
                "code_challenge",
                "plain-verifier-0123456789-0123456789-0123456789",
            ),
        ],
    );
    let code = code_for(&url, &s).await;
    let resp = client()
        .post(format!(
            "{}/{}/oauth2/v2.0/token",
            s.authority(),
            tenant(&s)
        ))
        .basic_auth(&app, Some(web_secret(&s)))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", "http://localhost:8080"),
            (
                "code_verifier",
                "plain-verifier-0123456789-0123456789-0123456789",
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(
        body.get("refresh_token").is_none(),
        "no offline_access, no refresh token"
    );
    let claims = s
        .verify_access_token(body["access_token"].as_str().unwrap(), BC)
        .unwrap();
    assert_eq!(claims.appidacr, "1", "authenticated with a secret");
}

#[tokio::test]
async fn cancel_is_aadsts65004_access_denied_back_at_the_redirect_uri() {
    let s = demo().await;
    let url = authorize_url(
        &s,
        &tenant(&s),
        &public_params(&public_app(&s), "http://localhost:9/cb", "x"),
    );
    // Registered is `http://localhost` (path /): /cb is another URI.
    let page = client().get(&url).send().await.unwrap();
    assert_error_page(page, 50011).await;

    let url = authorize_url(
        &s,
        &tenant(&s),
        &public_params(&public_app(&s), "http://localhost:9", "x"),
    );
    let resp = sign_in(&url, "", "", "cancel").await;
    let (_, params) = redirect_params(&resp);
    assert_eq!(params["error"], "access_denied");
    assert_eq!(params["error_subcode"], "cancel");
    // Live 65004 redirects carry error_uri (docs/sandbox-fidelity.md §M2).
    assert_eq!(
        params["error_uri"],
        "https://login.microsoftonline.com/error?code=65004"
    );
    assert!(params["error_description"].starts_with("AADSTS65004: User declined to consent"));
    assert!(params["error_description"].contains("\r\nCorrelation ID: "));
    assert_eq!(params["state"], "st-123");
}

#[tokio::test]
async fn wrong_password_and_unknown_user_stay_on_the_page() {
    let s = demo().await;
    let url = authorize_url(
        &s,
        &tenant(&s),
        &public_params(&public_app(&s), "http://localhost", "x"),
    );
    let (upn, _) = user(&s);
    let resp = sign_in(&url, &upn, "nope", "accept").await;
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Your account or password is incorrect"));
    assert!(html.contains(&format!("value=\"{upn}\"")), "login kept");

    let resp = sign_in(&url, "ghost@cronus-demo.onmicrosoft.com", "x", "accept").await;
    assert!(resp.text().await.unwrap().contains("AADSTS50034"));
}

#[tokio::test]
async fn errors_before_the_redirect_uri_is_trusted_are_an_error_page() {
    let s = demo().await;
    let app = public_app(&s);
    let c = client();
    // 90002: unknown tenant.
    let url = authorize_url(
        &s,
        "fabrikam.onmicrosoft.com",
        &public_params(&app, "http://localhost", "x"),
    );
    assert_error_page(c.get(&url).send().await.unwrap(), 90002).await;
    // 700016: unknown client ID.
    let url = authorize_url(
        &s,
        &tenant(&s),
        &public_params(
            "00000000-1111-2222-3333-444444444444",
            "http://localhost",
            "x",
        ),
    );
    assert_error_page(c.get(&url).send().await.unwrap(), 700016).await;
    // 50011: path case is significant; https is another URI.
    for bad in [
        "http://localhost:5000/Callback",
        "https://localhost:5000",
        "http://127.0.0.1:5000",
    ] {
        let url = authorize_url(&s, &tenant(&s), &public_params(&app, bad, "x"));
        assert_error_page(c.get(&url).send().await.unwrap(), 50011).await;
    }
    // 50194: a single-tenant app on /common.
    let url = authorize_url(&s, "common", &public_params(&app, "http://localhost", "x"));
    assert_error_page(c.get(&url).send().await.unwrap(), 50194).await;
}

#[tokio::test]
async fn errors_after_the_redirect_uri_is_trusted_are_redirects() {
    let mut world = World::demo();
    world.apps[1]
        .required_permissions
        .retain(|r| r.resource != Resource::MicrosoftGraph);
    let s = start(world).await;
    let app = public_app(&s);
    let c = client();
    let with_scope = |scope: &'static str| {
        let mut p = public_params(&app, "http://localhost:7000", "x");
        p[3] = ("scope", scope);
        authorize_url(&s, &tenant(&s), &p)
    };
    let cases = [
        // 70011: a permission BC does not have.
        (
            with_scope("https://api.businesscentral.dynamics.com/Nope.All"),
            "invalid_scope",
            "AADSTS70011:",
        ),
        // 500011: a resource URI with a typo.
        (
            with_scope("https://api.businesscentral.dynamic.com/.default"),
            "invalid_resource",
            "AADSTS500011:",
        ),
        // 650057: .default of a resource the registration does not list.
        (
            with_scope("https://graph.microsoft.com/.default"),
            "invalid_client",
            "AADSTS650057:",
        ),
    ];
    for (url, error, code) in cases {
        let (target, params) = redirect_params(&c.get(&url).send().await.unwrap());
        assert_eq!(target, "http://localhost:7000/");
        assert_eq!(params["error"], error);
        assert!(params["error_description"].starts_with(code), "{params:?}");
        assert_eq!(params["state"], "st-123");
    }
    let mut p = public_params(&app, "http://localhost:7000", "x");
    p.push(("prompt", "none"));
    let (_, params) = redirect_params(
        &c.get(authorize_url(&s, &tenant(&s), &p))
            .send()
            .await
            .unwrap(),
    );
    assert_eq!(params["error"], "login_required");
}

#[tokio::test]
async fn a_product_not_provisioned_in_the_tenant_is_aadsts500011() {
    let mut world = World::demo();
    world.tenants[0].products.business_central = None;
    let s = start(world).await;
    let url = authorize_url(
        &s,
        &tenant(&s),
        &public_params(&public_app(&s), "http://localhost", "x"),
    );
    let (_, params) = redirect_params(&client().get(&url).send().await.unwrap());
    assert_eq!(params["error"], "invalid_resource");
    assert!(params["error_description"].starts_with(
        "AADSTS500011: The resource principal named https://api.businesscentral.dynamics.com was not found in the tenant named CRONUS Demo."
    ));
}

#[tokio::test]
async fn form_post_and_fragment_response_modes() {
    let s = demo().await;
    let app = public_app(&s);
    let mut p = public_params(&app, "http://localhost:1", "x");
    p.push(("response_mode", "fragment"));
    let url = authorize_url(&s, &tenant(&s), &p);
    let (upn, password) = user(&s);
    let resp = sign_in(&url, &upn, &password, "accept").await;
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with("http://localhost:1/#code="),
        "{location}"
    );

    p.pop();
    p.push(("response_mode", "form_post"));
    let url = authorize_url(&s, &tenant(&s), &p);
    let resp = sign_in(&url, &upn, &password, "accept").await;
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(html.contains("action=\"http://localhost:1/\""));
    assert!(html.contains("name=\"code\""));
}

#[tokio::test]
async fn user_consent_when_the_admin_has_not_consented() {
    let mut world = World::demo();
    world.apps[1].admin_consent = false;
    let s = start(world).await;
    let app = public_app(&s);
    let url = authorize_url(
        &s,
        &tenant(&s),
        &public_params(&app, "http://localhost", &s256(VERIFIER)),
    );
    let page = client()
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("already granted"));
    let code = code_for(&url, &s).await;
    let (status, body) = token(
        &s,
        &tenant(&s),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &app),
            ("code", &code),
            ("redirect_uri", "http://localhost"),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body:#}");
    let claims = s
        .verify_access_token(body["access_token"].as_str().unwrap(), BC)
        .unwrap();
    assert_eq!(
        claims.scopes(),
        ["Financials.ReadWrite.All", "user_impersonation"]
    );
}

/// docs/sandbox-fidelity.md §M2: live error redirects carry `error_uri`
/// after `error_description` and before `state`, and a missing
/// `response_type` is `invalid_request` AADSTS900144 (the redirect MSAL
/// Android captured in its test constants); an unsupported one stays 70005.
#[tokio::test]
async fn error_redirects_carry_error_uri_and_no_response_type_is_900144() {
    let s = demo().await;
    let app = public_app(&s);
    let c = client();
    let without: Vec<(&str, &str)> = public_params(&app, "http://localhost:7000", "x")
        .into_iter()
        .filter(|(k, _)| *k != "response_type")
        .collect();
    let resp = c
        .get(authorize_url(&s, &tenant(&s), &without))
        .send()
        .await
        .unwrap();
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    let (_, params) = redirect_params(&resp);
    assert_eq!(params["error"], "invalid_request");
    assert!(
        params["error_description"].starts_with(
            "AADSTS900144: The request body must contain the following parameter: 'response_type'."
        ),
        "{params:?}"
    );
    assert_eq!(
        params["error_uri"],
        "https://login.microsoftonline.com/error?code=900144"
    );
    let parsed = url::Url::parse(&location).unwrap();
    let order: Vec<&str> = parsed
        .query()
        .unwrap()
        .split('&')
        .filter_map(|kv| kv.split('=').next())
        .collect();
    assert_eq!(
        order,
        ["error", "error_description", "error_uri", "state"],
        "{location}"
    );

    let mut token_type = public_params(&app, "http://localhost:7000", "x");
    token_type[1] = ("response_type", "token");
    let (_, params) = redirect_params(
        &c.get(authorize_url(&s, &tenant(&s), &token_type))
            .send()
            .await
            .unwrap(),
    );
    assert_eq!(params["error"], "unsupported_response_type");
    assert!(params["error_description"].starts_with("AADSTS70005:"));
    assert_eq!(
        params["error_uri"],
        "https://login.microsoftonline.com/error?code=70005"
    );
}
