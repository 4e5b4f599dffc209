//! Admin consent, v1 and v2 (docs/microsoft.md §4).

mod common;

use common::*;
use d365_sandbox::world::{AppRegistration, SignInAudience, Tenant, User, World};
use d365_sandbox::SandboxHandle;

const ISV_APP: &str = "a1b2c3d4-0000-4000-8000-00000000a001";
const FABRIKAM: &str = "fabrikam.onmicrosoft.com";

/// CRONUS publishes a multitenant app; Fabrikam (BC provisioned) has not
/// consented to it yet; Fabrikam has an admin and a plain user.
fn two_tenants() -> World {
    let mut world = World::demo();
    let mut fabrikam: Tenant = world.tenants[0].clone();
    fabrikam.id = uuid::Uuid::from_u128(0x0b7d4e2c_1a3f_4b5d_8e6f_9a0b1c2d3e4f);
    fabrikam.display_name = "Fabrikam".into();
    fabrikam.domains = vec![FABRIKAM.into()];
    let mut isv: AppRegistration = world.apps[0].clone();
    isv.client_id = uuid::Uuid::from_u128(0xa1b2c3d4_0000_4000_8000_00000000a001);
    isv.display_name = "CRONUS Connector".into();
    isv.sign_in_audience = SignInAudience::AzureADMultipleOrgs;
    isv.redirect_uris.web = vec!["https://connector.example.com/admin".into()];
    for (upn, admin) in [
        ("admin@fabrikam.onmicrosoft.com", true),
        ("jo@fabrikam.onmicrosoft.com", false),
    ] {
        world.users.push(User {
            upn: upn.into(),
            display_name: "Fabrikam Person".into(),
            password: "Fabrikam-1".into(),
            tenant: fabrikam.id,
            object_id: None,
            admin,
            roles: vec![],
        });
    }
    world.tenants.push(fabrikam);
    world.apps.push(isv);
    world
}

fn consent_url(s: &SandboxHandle, path: &str, extra: &[(&str, &str)]) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", ISV_APP)
        .append_pair("redirect_uri", "https://connector.example.com/admin/done")
        .append_pair("state", "s-9")
        .extend_pairs(extra)
        .finish();
    format!("{}/{FABRIKAM}/{path}?{query}", s.authority())
}

async fn client_credentials_in_fabrikam(s: &SandboxHandle) -> (u16, serde_json::Value) {
    let secret = web_secret(s);
    token(
        s,
        FABRIKAM,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", ISV_APP),
            ("client_secret", secret.as_str()),
            ("scope", "https://api.businesscentral.dynamics.com/.default"),
        ],
    )
    .await
}

#[tokio::test]
async fn v1_admin_consent_creates_the_app_in_the_other_tenant() {
    let s = start(two_tenants()).await;
    // Before consent the app does not exist in Fabrikam (docs/microsoft.md §3: 700016).
    let (status, body) = client_credentials_in_fabrikam(&s).await;
    assert_eq!(status, 400);
    assert_entra_error(&body, 700016, "unauthorized_client");

    let url = consent_url(&s, "adminconsent", &[]);
    let page = client()
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("API.ReadWrite.All") && page.contains("(application)"));

    // A plain user cannot grant for the organization.
    let resp = sign_in(&url, "jo@fabrikam.onmicrosoft.com", "Fabrikam-1", "accept").await;
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("AADSTS90094"));

    let resp = sign_in(
        &url,
        "admin@fabrikam.onmicrosoft.com",
        "Fabrikam-1",
        "accept",
    )
    .await;
    let (target, params) = redirect_params(&resp);
    assert_eq!(
        target, "https://connector.example.com/admin/done",
        "extra path segments allowed"
    );
    assert_eq!(params["tenant"], "0b7d4e2c-1a3f-4b5d-8e6f-9a0b1c2d3e4f");
    assert_eq!(params["admin_consent"], "True");
    assert_eq!(params["state"], "s-9");

    let (status, body) = client_credentials_in_fabrikam(&s).await;
    assert_eq!(status, 200, "{body:#}");
    let claims = s
        .verify_access_token(body["access_token"].as_str().unwrap(), BC)
        .unwrap();
    assert_eq!(claims.tid, "0b7d4e2c-1a3f-4b5d-8e6f-9a0b1c2d3e4f");
    assert_eq!(
        claims.roles(),
        ["API.ReadWrite.All", "Automation.ReadWrite.All"]
    );
}

#[tokio::test]
async fn v1_admin_consent_declined() {
    let s = start(two_tenants()).await;
    let resp = sign_in(&consent_url(&s, "adminconsent", &[]), "", "", "cancel").await;
    let (_, params) = redirect_params(&resp);
    assert_eq!(params["error"], "permission_denied");
    assert_eq!(
        params["error_description"],
        "The admin canceled the request"
    );
    assert_eq!(params["state"], "s-9");
    let (status, _) = client_credentials_in_fabrikam(&s).await;
    assert_eq!(status, 400, "still not consented");
}

#[tokio::test]
async fn v2_admin_consent_success_and_decline() {
    let s = start(two_tenants()).await;
    let scope = [("scope", "https://api.businesscentral.dynamics.com/.default")];
    let url = consent_url(&s, "v2.0/adminconsent", &scope);
    let resp = sign_in(
        &url,
        "admin@fabrikam.onmicrosoft.com",
        "Fabrikam-1",
        "accept",
    )
    .await;
    let (_, params) = redirect_params(&resp);
    assert_eq!(params["admin_consent"], "True");
    assert_eq!(params["tenant"], "0b7d4e2c-1a3f-4b5d-8e6f-9a0b1c2d3e4f");
    assert_eq!(
        params["scope"],
        "https://api.businesscentral.dynamics.com/.default"
    );
    assert_eq!(params["state"], "s-9");
    let (status, _) = client_credentials_in_fabrikam(&s).await;
    assert_eq!(status, 200);

    let resp = sign_in(&url, "", "", "cancel").await;
    let (_, params) = redirect_params(&resp);
    assert_eq!(params["admin_consent"], "True");
    assert_eq!(params["error"], "consent_required");
    assert!(params["error_description"].starts_with("AADSTS65004: "));
    assert_eq!(params["state"], "s-9");
}

#[tokio::test]
async fn admin_consent_checks_the_redirect_uri_and_tenant() {
    let s = start(two_tenants()).await;
    let c = client();
    let mut url = url::Url::parse(&consent_url(&s, "adminconsent", &[])).unwrap();
    let bad: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "redirect_uri" {
                "https://connector.example.com/administrator".into()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(bad);
    assert_error_page(c.get(url.as_str()).send().await.unwrap(), 50011).await;

    let url = consent_url(&s, "adminconsent", &[]).replace(FABRIKAM, "nowhere.onmicrosoft.com");
    assert_error_page(c.get(&url).send().await.unwrap(), 90002).await;
}

/// docs/microsoft.md §3 table, 500113: admin consent answers to a
/// registered redirect URI, so an app with none (a background service as
/// the guide registers it) gets Entra's error page, v1 and v2 alike
/// (docs/sandbox-fidelity.md §G1).
#[tokio::test]
async fn admin_consent_for_an_app_without_redirect_uris_is_500113() {
    let mut world = two_tenants();
    world.apps.last_mut().unwrap().redirect_uris = Default::default();
    let s = start(world).await;
    let c = client();
    for (path, extra) in [
        ("adminconsent", vec![]),
        (
            "v2.0/adminconsent",
            vec![("scope", "https://api.businesscentral.dynamics.com/.default")],
        ),
    ] {
        let url = consent_url(&s, path, &extra);
        assert_error_page(c.get(&url).send().await.unwrap(), 500113).await;
    }
}

/// docs/microsoft.md §4 ("Ordinary users consenting for themselves"):
/// where users may not consent, a plain user asking for Business Central
/// permissions nobody granted is stopped with AADSTS90094; an
/// administrator may still accept, and after admin consent the plain user
/// signs in (docs/sandbox-fidelity.md §M3).
#[tokio::test]
async fn without_user_consent_only_admin_consent_lets_a_plain_user_in() {
    let mut world = two_tenants();
    world.tenants[1].users_can_consent = false;
    let s = start(world).await;
    let params = [
        ("client_id", ISV_APP),
        ("response_type", "code"),
        ("redirect_uri", "https://connector.example.com/admin"),
        (
            "scope",
            "https://api.businesscentral.dynamics.com/.default openid offline_access",
        ),
        ("state", "st-5"),
    ];
    let url = authorize_url(&s, FABRIKAM, &params);
    let jo = ("jo@fabrikam.onmicrosoft.com", "Fabrikam-1");
    let (_, p) = redirect_params(&sign_in(&url, jo.0, jo.1, "accept").await);
    assert_eq!(p["error"], "access_denied", "{p:?}");
    assert!(p["error_description"].starts_with("AADSTS90094: "), "{p:?}");
    assert_eq!(p["state"], "st-5");

    let (_, p) =
        redirect_params(&sign_in(&url, "admin@fabrikam.onmicrosoft.com", jo.1, "accept").await);
    assert!(
        p.contains_key("code"),
        "an administrator may consent: {p:?}"
    );

    let consent = consent_url(&s, "adminconsent", &[]);
    let (_, p) =
        redirect_params(&sign_in(&consent, "admin@fabrikam.onmicrosoft.com", jo.1, "accept").await);
    assert_eq!(p["admin_consent"], "True");
    let (_, p) = redirect_params(&sign_in(&url, jo.0, jo.1, "accept").await);
    assert!(p.contains_key("code"), "consented for everyone: {p:?}");
}
