//! The token endpoint: grants, and each AADSTS error from its real cause.

mod common;

use common::*;
use d365_sandbox::world::{ClientSecret, World};
use d365_sandbox::SandboxHandle;

const BC_DEFAULT: &str = "https://api.businesscentral.dynamics.com/.default";

/// A fresh code for the public app (PKCE S256 over VERIFIER).
async fn public_code(s: &SandboxHandle, redirect: &str) -> String {
    let url = authorize_url(
        s,
        &tenant(s),
        &public_params(&public_app(s), redirect, &s256(VERIFIER)),
    );
    code_for(&url, s).await
}

async fn redeem_public(
    s: &SandboxHandle,
    code: &str,
    extra: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    let app = public_app(s);
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("client_id", app.as_str()),
        ("code", code),
        ("redirect_uri", "http://localhost:4000"),
    ];
    form.extend_from_slice(extra);
    token(s, &tenant(s), &form).await
}

#[tokio::test]
async fn client_credentials_gives_an_app_token_with_roles() {
    let s = demo().await;
    let (app, secret) = (web_app(&s), web_secret(&s));
    let (status, body) = token(
        &s,
        "cronus-demo.onmicrosoft.com",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &app),
            ("client_secret", &secret),
            ("scope", BC_DEFAULT),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body:#}");
    let mut keys: Vec<_> = body.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["access_token", "expires_in", "ext_expires_in", "token_type"]
    );
    let claims = s
        .verify_access_token(body["access_token"].as_str().unwrap(), BC)
        .unwrap();
    assert_eq!(claims.aud, BC);
    assert_eq!(claims.appid, app);
    assert_eq!(claims.idtyp, "app");
    assert_eq!(
        claims.roles(),
        ["API.ReadWrite.All", "Automation.ReadWrite.All"]
    );
    assert!(claims.scp.is_none() && claims.upn.is_none());
}

#[tokio::test]
async fn client_credentials_without_admin_consent_has_no_roles() {
    let mut world = World::demo();
    world.apps[0].admin_consent = false;
    let s = start(world).await;
    let (status, body) = token(
        &s,
        &tenant(&s),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &web_app(&s)),
            ("client_secret", &web_secret(&s)),
            ("scope", BC_DEFAULT),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let claims = s
        .verify_access_token(body["access_token"].as_str().unwrap(), BC)
        .unwrap();
    assert!(claims.roles.is_none());
}

#[tokio::test]
async fn client_secret_errors_7000215_7000222_7000216() {
    let mut world = World::demo();
    let secret_id = world.apps[0].secrets[0].id.to_string();
    world.apps[0].secrets.push(ClientSecret {
        id: uuid::Uuid::new_v4(),
        value: "old8Q~expired".into(),
        expires: time::macros::datetime!(2020-01-01 0:00 UTC),
    });
    let s = start(world).await;
    let app = web_app(&s);
    let cc = |secret: Option<String>| {
        let mut form = vec![
            ("grant_type", "client_credentials".to_string()),
            ("client_id", app.clone()),
            ("scope", BC_DEFAULT.to_string()),
        ];
        form.extend(secret.map(|v| ("client_secret", v)));
        form
    };
    // The Secret ID pasted where the Value belongs.
    let (status, body) = token(&s, &tenant(&s), &cc(Some(secret_id))).await;
    assert_eq!(status, 401);
    assert_entra_error(&body, 7000215, "invalid_client");
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .contains("client secret value, not the client secret ID"));

    let (status, body) = token(&s, &tenant(&s), &cc(Some("old8Q~expired".into()))).await;
    assert_eq!(status, 401);
    assert_entra_error(&body, 7000222, "invalid_client");

    // No credential at all for client credentials is 7000216 in live
    // reports, not 7000218 (docs/sandbox-fidelity.md §L3,
    // MicrosoftDocs/azure-docs#30777).
    let (status, body) = token(&s, &tenant(&s), &cc(None)).await;
    assert_eq!(status, 401);
    assert_entra_error(&body, 7000216, "invalid_client");
    // Same shape as the MSAL fixture (which has no error_uri).
    let mut f =
        d365_fixtures::json("entra/msal-dotnet_token_error_AADSTS7000218_invalid_client.json");
    f["error_uri"] = "x".into();
    assert_same_shape(&body, &f, "$");
}

#[tokio::test]
async fn client_credentials_scope_and_tenant_errors() {
    let mut world = World::demo();
    world.tenants[0].products.finance_operations = None;
    let s = start(world).await;
    let (app, secret) = (web_app(&s), web_secret(&s));
    let fno = format!("{}/fno/cronus-demo/.default", s.base());
    let two = format!("{BC_DEFAULT} https://graph.microsoft.com/.default");
    let cases: Vec<(String, &str, u16, u64, &str)> = vec![
        // docs/sandbox-fidelity.md §L3: the error table gives this text to 9001023.
        (BC_DEFAULT.into(), "common", 400, 9001023, "invalid_request"),
        (
            BC_DEFAULT.into(),
            "fabrikam.onmicrosoft.com",
            400,
            90002,
            "invalid_tenant",
        ),
        (
            format!("{BC}/API.ReadWrite.All"),
            "T",
            400,
            1002012,
            "invalid_scope",
        ),
        (two, "T", 400, 700022, "invalid_scope"),
        (
            "https://api.businesscentral.dynamic.com/.default".into(),
            "T",
            400,
            500011,
            "invalid_resource",
        ),
        (fno, "T", 400, 500011, "invalid_resource"),
    ];
    for (scope, t, status, code, error) in cases {
        let t = if t == "T" { tenant(&s) } else { t.to_string() };
        let (got, body) = token(
            &s,
            &t,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &app),
                ("client_secret", &secret),
                ("scope", &scope),
            ],
        )
        .await;
        assert_eq!(got, status, "{scope}: {body:#}");
        assert_entra_error(&body, code, error);
    }
}

#[tokio::test]
async fn unknown_app_and_single_tenant_app_elsewhere_are_700016() {
    let mut world = World::demo();
    let mut other = world.tenants[0].clone();
    other.id = uuid::Uuid::new_v4();
    other.display_name = "Fabrikam".into();
    other.domains = vec!["fabrikam.onmicrosoft.com".into()];
    world.tenants.push(other);
    let s = start(world).await;
    for (client_id, t) in [
        (
            "6f1c0d2e-0000-4000-8000-000000000000".to_string(),
            tenant(&s),
        ),
        (web_app(&s), "fabrikam.onmicrosoft.com".to_string()),
    ] {
        let (status, body) = token(
            &s,
            &t,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &client_id),
                ("client_secret", &web_secret(&s)),
                ("scope", BC_DEFAULT),
            ],
        )
        .await;
        assert_eq!(status, 400);
        assert_entra_error(&body, 700016, "unauthorized_client");
    }
}

#[tokio::test]
async fn codes_are_single_use_54005() {
    let s = demo().await;
    let code = public_code(&s, "http://localhost:4000").await;
    let (status, _) = redeem_public(&s, &code, &[("code_verifier", VERIFIER)]).await;
    assert_eq!(status, 200);
    let (status, body) = redeem_public(&s, &code, &[("code_verifier", VERIFIER)]).await;
    assert_eq!(status, 400);
    assert_entra_error(&body, 54005, "invalid_grant");
}

#[tokio::test]
async fn expired_codes_are_70008() {
    let mut world = World::demo();
    world.lifetimes.authorization_code_seconds = 0;
    let s = start(world).await;
    let code = public_code(&s, "http://localhost:4000").await;
    let (_, body) = redeem_public(&s, &code, &[("code_verifier", VERIFIER)]).await;
    assert_entra_error(&body, 70008, "invalid_grant");
    // Same keys as the fixture, plus error_uri.
    let mut f =
        d365_fixtures::json("entra/msal-dotnet_token_error_AADSTS70002_70008_invalid_grant.json");
    f["error_uri"] = "x".into();
    assert_same_shape(&body, &f, "$");
}

#[tokio::test]
async fn pkce_missing_verifier_50148_and_mismatch_501481() {
    let s = demo().await;
    let code = public_code(&s, "http://localhost:4000").await;
    let (_, body) = redeem_public(&s, &code, &[]).await;
    assert_entra_error(&body, 50148, "invalid_grant");
    let (_, body) = redeem_public(
        &s,
        &code,
        &[(
            "code_verifier",
            "another-verifier-0123456789-0123456789-xyz",
        )],
    )
    .await;
    assert_entra_error(&body, 501481, "invalid_grant");
    // A failed PKCE check does not burn the code.
    let (status, _) = redeem_public(&s, &code, &[("code_verifier", VERIFIER)]).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn public_client_sending_a_secret_is_700025_and_web_without_one_7000218() {
    let s = demo().await;
    let code = public_code(&s, "http://localhost:4000").await;
    let (status, body) = redeem_public(
        &s,
        &code,
        &[("code_verifier", VERIFIER), ("client_secret", "anything")],
    )
    .await;
    assert_eq!(status, 401);
    assert_entra_error(&body, 700025, "invalid_client");

    let app = web_app(&s);
    let url = authorize_url(
        &s,
        &tenant(&s),
        &public_params(&app, "http://localhost:4000", &s256(VERIFIER)),
    );
    let code = code_for(&url, &s).await;
    let (status, body) = token(
        &s,
        &tenant(&s),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &app),
            ("code", &code),
            ("redirect_uri", "http://localhost:4000"),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(status, 401);
    assert_entra_error(&body, 7000218, "invalid_client");
}

#[tokio::test]
async fn spa_redirect_redeemed_without_origin_is_9002327() {
    let mut world = World::demo();
    world.apps[1].redirect_uris.spa = vec!["http://localhost/spa".into()];
    let s = start(world).await;
    let app = public_app(&s);
    let url = authorize_url(
        &s,
        &tenant(&s),
        &public_params(&app, "http://localhost:3000/spa", &s256(VERIFIER)),
    );
    let code = code_for(&url, &s).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", app.as_str()),
        ("code", code.as_str()),
        ("redirect_uri", "http://localhost:3000/spa"),
        ("code_verifier", VERIFIER),
    ];
    let (status, body) = token(&s, &tenant(&s), &form).await;
    assert_eq!(status, 400);
    assert_entra_error(&body, 9002327, "invalid_request");
    let resp = client()
        .post(format!(
            "{}/{}/oauth2/v2.0/token",
            s.authority(),
            tenant(&s)
        ))
        .header("Origin", "http://localhost:3000")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn redirect_uri_at_token_must_be_registered_and_the_same() {
    let s = demo().await;
    let code = public_code(&s, "http://localhost:4000").await;
    let app = public_app(&s);
    let (_, body) = token(
        &s,
        &tenant(&s),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &app),
            ("code", &code),
            ("redirect_uri", "http://localhost:4000/other"),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_entra_error(&body, 50011, "invalid_request");
    // Registered (port ignored) but not the one used at /authorize.
    let (_, body) = token(
        &s,
        &tenant(&s),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &app),
            ("code", &code),
            ("redirect_uri", "http://localhost:5000"),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_entra_error(&body, 500112, "invalid_grant");
}

#[tokio::test]
async fn refresh_rotates_and_can_switch_resource() {
    let s = demo().await;
    let code = public_code(&s, "http://localhost:4000").await;
    let (_, first) = redeem_public(&s, &code, &[("code_verifier", VERIFIER)]).await;
    let rt1 = first["refresh_token"].as_str().unwrap().to_string();
    let app = public_app(&s);
    let dataverse = s.endpoints().dataverse_url.unwrap();
    let scope = format!("{dataverse}/user_impersonation offline_access");
    let (status, second) = token(
        &s,
        &tenant(&s),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &app),
            ("refresh_token", &rt1),
            ("scope", &scope),
        ],
    )
    .await;
    assert_eq!(status, 200, "{second:#}");
    let rt2 = second["refresh_token"].as_str().unwrap();
    assert_ne!(rt1, rt2, "a new refresh token every time");
    let claims = s
        .verify_access_token(second["access_token"].as_str().unwrap(), &dataverse)
        .unwrap();
    assert_eq!(claims.scopes(), ["user_impersonation"]);
    // Entra does not revoke the old refresh token on use.
    for rt in [rt1.as_str(), rt2] {
        let (status, _) = token(
            &s,
            &tenant(&s),
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &app),
                ("refresh_token", rt),
            ],
        )
        .await;
        assert_eq!(status, 200);
    }
}

#[tokio::test]
async fn refresh_for_permissions_never_consented_is_65001() {
    let mut world = World::demo();
    world.apps[1].admin_consent = false;
    let s = start(world).await;
    let code = public_code(&s, "http://localhost:4000").await;
    let (_, first) = redeem_public(&s, &code, &[("code_verifier", VERIFIER)]).await;
    let (status, body) = token(
        &s,
        &tenant(&s),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &public_app(&s)),
            ("refresh_token", first["refresh_token"].as_str().unwrap()),
            (
                "scope",
                &format!(
                    "{}/user_impersonation",
                    s.endpoints().dataverse_url.unwrap()
                ),
            ),
        ],
    )
    .await;
    assert_eq!(status, 400);
    assert_entra_error(&body, 65001, "invalid_grant");
}

#[tokio::test]
async fn refresh_for_two_resources_is_700022_and_expired_is_700082() {
    let mut world = World::demo();
    world.lifetimes.refresh_token_inactive_seconds = 0;
    let s = start(world).await;
    let code = public_code(&s, "http://localhost:4000").await;
    let (_, first) = redeem_public(&s, &code, &[("code_verifier", VERIFIER)]).await;
    let rt = first["refresh_token"].as_str().unwrap();
    let app = public_app(&s);
    let (_, body) = token(
        &s,
        &tenant(&s),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &app),
            ("refresh_token", rt),
            (
                "scope",
                &format!("{BC_DEFAULT} https://graph.microsoft.com/User.Read"),
            ),
        ],
    )
    .await;
    // Lifetime 0: expiry is checked before the scope. 700082
    // ExpiredOrRevokedGrantInactiveToken (docs/sandbox-fidelity.md §L3,
    // *Entra* reference-error-codes.md).
    assert_entra_error(&body, 700082, "invalid_grant");
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .contains("The refresh token has expired due to inactivity"));

    let s = demo().await;
    let code = public_code(&s, "http://localhost:4000").await;
    let (_, first) = redeem_public(&s, &code, &[("code_verifier", VERIFIER)]).await;
    let (_, body) = token(
        &s,
        &tenant(&s),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &public_app(&s)),
            ("refresh_token", first["refresh_token"].as_str().unwrap()),
            (
                "scope",
                &format!("{BC_DEFAULT} https://graph.microsoft.com/User.Read"),
            ),
        ],
    )
    .await;
    assert_entra_error(&body, 700022, "invalid_scope");
}

#[tokio::test]
async fn request_shape_errors() {
    let s = demo().await;
    let (_, body) = token(&s, &tenant(&s), &[("client_id", "x")]).await;
    assert_entra_error(&body, 900144, "invalid_request");
    let (_, body) = token(
        &s,
        &tenant(&s),
        &[("grant_type", "password"), ("client_id", "x")],
    )
    .await;
    assert_entra_error(&body, 70003, "unsupported_grant_type");
    let (_, body) = token(
        &s,
        &tenant(&s),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &public_app(&s)),
            ("refresh_token", "not-a-token"),
        ],
    )
    .await;
    assert_entra_error(&body, 70000, "invalid_grant");
}

#[tokio::test]
async fn client_request_id_becomes_the_correlation_id() {
    let s = demo().await;
    let id = "0f3e2d1c-0b0a-4989-8786-858483828180";
    let resp = client()
        .post(format!(
            "{}/{}/oauth2/v2.0/token",
            s.authority(),
            tenant(&s)
        ))
        .header("client-request-id", id)
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["correlation_id"], id);
}

/// docs/sandbox-fidelity.md §L2: live 65001 bodies carry
/// `"suberror":"consent_required"`; other errors carry none.
#[tokio::test]
async fn consent_missing_carries_suberror_consent_required() {
    let mut world = World::demo();
    world.apps[1].admin_consent = false;
    let s = start(world).await;
    let code = public_code(&s, "http://localhost:4000").await;
    let (_, first) = redeem_public(&s, &code, &[("code_verifier", VERIFIER)]).await;
    let dataverse = format!(
        "{}/user_impersonation",
        s.endpoints().dataverse_url.unwrap()
    );
    let (_, body) = token(
        &s,
        &tenant(&s),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &public_app(&s)),
            ("refresh_token", first["refresh_token"].as_str().unwrap()),
            ("scope", &dataverse),
        ],
    )
    .await;
    assert_entra_error(&body, 65001, "invalid_grant");
    assert_eq!(body["suberror"], "consent_required");

    let (_, body) = redeem_public(&s, &code, &[("code_verifier", VERIFIER)]).await;
    assert_entra_error(&body, 54005, "invalid_grant");
    assert!(body.get("suberror").is_none(), "{body}");
}

/// docs/sandbox-fidelity.md §L3: a code issued in one tenant and redeemed
/// at another's address is 700005 InvalidGrantRedeemAgainstWrongTenant
/// (*Entra* reference-error-codes.md).
#[tokio::test]
async fn a_code_redeemed_at_another_tenant_is_700005() {
    let mut world = World::demo();
    let mut other = world.tenants[0].clone();
    other.id = uuid::Uuid::new_v4();
    other.display_name = "Fabrikam".into();
    other.domains = vec!["fabrikam.onmicrosoft.com".into()];
    let mut jo = world.users[0].clone();
    jo.upn = "jo@fabrikam.onmicrosoft.com".into();
    jo.tenant = other.id;
    jo.object_id = None;
    world.tenants.push(other);
    world.users.push(jo.clone());
    world.apps[1].sign_in_audience = d365_sandbox::world::SignInAudience::AzureADMultipleOrgs;
    let s = start(world).await;
    // Jo signs in to the (now multitenant) public app through
    // `organizations`: the code belongs to Fabrikam.
    let url = authorize_url(
        &s,
        "organizations",
        &public_params(&public_app(&s), "http://localhost:4000", &s256(VERIFIER)),
    );
    let resp = sign_in(&url, &jo.upn, &jo.password, "accept").await;
    let (_, params) = redirect_params(&resp);
    let code = params.get("code").unwrap_or_else(|| panic!("{params:?}"));
    // Redeemed at Cronus, the app's home tenant.
    let (status, body) = redeem_public(&s, code, &[("code_verifier", VERIFIER)]).await;
    assert_eq!(status, 400);
    assert_entra_error(&body, 700005, "invalid_grant");
}

/// docs/sandbox-fidelity.md §L3: an SPA code flow without PKCE is refused
/// when the code is redeemed (9002325, "…required for cross-origin
/// authorization code redemption", docs/microsoft.md §2 ⚠), not at authorize.
#[tokio::test]
async fn spa_code_without_pkce_is_9002325_at_redemption() {
    let mut world = World::demo();
    world.apps[1].redirect_uris.spa = vec!["http://localhost/spa".into()];
    let s = start(world).await;
    let app = public_app(&s);
    let params: Vec<(&str, &str)> = public_params(&app, "http://localhost:3000/spa", "unused")
        .into_iter()
        .filter(|(k, _)| !k.starts_with("code_challenge"))
        .collect();
    let url = authorize_url(&s, &tenant(&s), &params);
    let code = code_for(&url, &s).await;
    let resp = client()
        .post(format!(
            "{}/{}/oauth2/v2.0/token",
            s.authority(),
            tenant(&s)
        ))
        .header("Origin", "http://localhost:3000")
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", app.as_str()),
            ("code", code.as_str()),
            ("redirect_uri", "http://localhost:3000/spa"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_entra_error(&body, 9002325, "invalid_request");
}

/// docs/sandbox-fidelity.md §L5: Microsoft gives each access token a
/// random lifetime between 60 and 90 minutes (*Entra* access-tokens.md,
/// "Token lifetime"); §M7: codes live about ten minutes (docs/microsoft.md §2 ⚠).
#[tokio::test]
async fn default_lifetimes_are_microsofts() {
    let lifetimes = d365_sandbox::world::Lifetimes::default();
    assert_eq!(lifetimes.authorization_code_seconds, 600);
    let s = demo().await;
    for _ in 0..5 {
        let (status, body) = token(
            &s,
            &tenant(&s),
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &web_app(&s)),
                ("client_secret", &web_secret(&s)),
                ("scope", BC_DEFAULT),
            ],
        )
        .await;
        assert_eq!(status, 200);
        let expires_in = body["expires_in"].as_u64().unwrap();
        assert!((3600..=5400).contains(&expires_in), "{expires_in}");
        let claims = claims(body["access_token"].as_str().unwrap());
        let (iat, exp) = (
            claims["iat"].as_u64().unwrap(),
            claims["exp"].as_u64().unwrap(),
        );
        assert_eq!(exp - iat, expires_in, "the token says what the body says");
    }
}
