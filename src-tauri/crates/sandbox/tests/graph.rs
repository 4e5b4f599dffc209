//! Microsoft Graph v1.0 as "Set it up for me" uses it (docs/microsoft.md
//! §9, §11): an administrator signs in with Microsoft Graph Command Line
//! Tools through the robot, registers an app, gives it a service principal,
//! a secret and consent, and the app's tokens then carry what was granted.

// Helpers are not #[test] fns, so clippy's test allowance misses them; a
// failed step must fail the test.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::*;
use d365_sandbox::robot::{visit, Choice, Persona};
use d365_sandbox::world::World;
use d365_sandbox::{SandboxHandle, SETUP_CLIENT_ID};
use reqwest::Method;
use serde_json::{json, Value};

const BC_DEFAULT: &str = "https://api.businesscentral.dynamics.com/.default";
const BC_APP_ID: &str = "996def3d-b36c-4153-8607-a6fd3c01b89f";
const API_READWRITE_ALL: &str = "a42b0b75-311e-488d-b67e-8fe84f924341";
const FINANCIALS_SCOPE: &str = "2fb13c28-9d89-417f-9af2-ec3065bc16e6";
const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
/// What the setup client asks for: the three directory permissions of
/// docs/microsoft.md §9 and the signed-in user's profile.
const SETUP_SCOPES: &str = "https://graph.microsoft.com/Application.ReadWrite.All \
    https://graph.microsoft.com/AppRoleAssignment.ReadWrite.All \
    https://graph.microsoft.com/DelegatedPermissionGrant.ReadWrite.All User.Read openid profile offline_access";

fn admin() -> Persona {
    Persona::demo()
}

/// The demo world's second user, who holds no directory role.
fn clerk() -> Persona {
    Persona {
        login: "clerk@cronus-demo.onmicrosoft.com".into(),
        password: "Cronus-Clerk-1".into(),
        ..Persona::demo()
    }
}

async fn sandbox(replication_seconds: u64) -> SandboxHandle {
    let mut world = World::demo();
    world.directory.replication_seconds = replication_seconds;
    start(world).await
}

/// Signs `persona` in to `client_id` through the robot (PKCE, loopback
/// redirect) and redeems the code: the token body, or what Entra sent the
/// app instead of a code.
async fn sign_in(
    s: &SandboxHandle,
    client_id: &str,
    persona: &Persona,
    scope: &str,
) -> Result<Value, HashMap<String, String>> {
    let app = LoopbackApp::start().await;
    let challenge = s256(VERIFIER);
    let url = authorize_url(
        s,
        &tenant(s),
        &[
            ("client_id", client_id),
            ("response_type", "code"),
            ("redirect_uri", app.redirect_uri.as_str()),
            ("scope", scope),
            ("state", "st-9"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ],
    );
    let visit = visit(&url, persona).await.unwrap();
    let delivery = visit.delivery().unwrap_or_else(|| panic!("{visit}"));
    let Some(code) = delivery.param("code") else {
        return Err(delivery.params.clone().into_iter().collect());
    };
    let (status, body) = token(
        s,
        &tenant(s),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", client_id),
            ("code", code),
            ("redirect_uri", app.redirect_uri.as_str()),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body:#}");
    Ok(body)
}

/// A Graph token of the setup client for `persona`.
async fn setup_token(s: &SandboxHandle, persona: &Persona) -> String {
    let body = sign_in(s, &SETUP_CLIENT_ID.to_string(), persona, SETUP_SCOPES)
        .await
        .unwrap();
    body["access_token"].as_str().unwrap().to_string()
}

/// One Graph call: status and JSON body (`null` when empty).
async fn graph(
    s: &SandboxHandle,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let url = format!("{}/v1.0/{path}", s.endpoints().graph);
    let mut request = client().request(method, url).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
    };
    (status, body)
}

/// Graph's error body (docs/microsoft.md §9; *Graph* `concepts/errors.md`):
/// `error.code`, `error.message`, `innerError` with `date`, `request-id`
/// and `client-request-id`, nothing else.
fn assert_graph_error(body: &Value, code: &str) {
    let error = &body["error"];
    assert_eq!(error["code"], code, "{body:#}");
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
    let inner = &error["innerError"];
    let date = inner["date"].as_str().unwrap();
    assert!(date.len() == 19 && date.as_bytes()[10] == b'T', "{date}");
    for id in ["request-id", "client-request-id"] {
        uuid::Uuid::parse_str(inner[id].as_str().unwrap()).unwrap();
    }
    assert_eq!(body.as_object().unwrap().len(), 1);
    assert_eq!(error.as_object().unwrap().len(), 3);
}

/// The body of `POST /applications` "Set it up for me" sends
/// (docs/microsoft.md §9 step 1).
fn new_app(name: &str) -> Value {
    json!({
        "displayName": name,
        "signInAudience": "AzureADMyOrg",
        "isFallbackPublicClient": true,
        "publicClient": {"redirectUris": ["http://localhost"]},
        "requiredResourceAccess": [{
            "resourceAppId": BC_APP_ID,
            "resourceAccess": [
                {"id": FINANCIALS_SCOPE, "type": "Scope"},
                {"id": API_READWRITE_ALL, "type": "Role"}
            ]
        }]
    })
}

async fn create_app(s: &SandboxHandle, token: &str, name: &str) -> Value {
    let (status, app) = graph(s, token, Method::POST, "applications", Some(new_app(name))).await;
    assert_eq!(status, 201, "{app:#}");
    app
}

async fn create_service_principal(s: &SandboxHandle, token: &str, app_id: &str) -> String {
    let (status, sp) = graph(
        s,
        token,
        Method::POST,
        "servicePrincipals",
        Some(json!({"appId": app_id})),
    )
    .await;
    assert_eq!(status, 201, "{sp:#}");
    sp["id"].as_str().unwrap().to_string()
}

async fn bc_service_principal(s: &SandboxHandle, token: &str) -> Value {
    let path = format!(
        "servicePrincipals(appId='{BC_APP_ID}')?$select=id,appId,displayName,appRoles,oauth2PermissionScopes"
    );
    let (status, sp) = graph(s, token, Method::GET, &path, None).await;
    assert_eq!(status, 200, "{sp:#}");
    sp
}

async fn add_password(s: &SandboxHandle, token: &str, object_id: &str) -> Value {
    let (status, secret) = graph(
        s,
        token,
        Method::POST,
        &format!("applications/{object_id}/addPassword"),
        Some(json!({"passwordCredential": {"displayName": "D365 Connect", "endDateTime": "2027-12-04T00:00:00Z"}})),
    )
    .await;
    assert_eq!(status, 200, "{secret:#}");
    secret
}

async fn client_credentials(s: &SandboxHandle, client_id: &str, secret: &str) -> (u16, Value) {
    token(
        s,
        &tenant(s),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
            ("scope", BC_DEFAULT),
        ],
    )
    .await
}

fn assign_body(sp_id: &str, bc_sp_id: &str) -> Value {
    json!({"principalId": sp_id, "resourceId": bc_sp_id, "appRoleId": API_READWRITE_ALL})
}

fn grant_body(sp_id: &str, bc_sp_id: &str) -> Value {
    json!({
        "clientId": sp_id,
        "consentType": "AllPrincipals",
        "resourceId": bc_sp_id,
        "scope": "Financials.ReadWrite.All"
    })
}

#[tokio::test]
async fn an_administrator_registers_an_app_end_to_end() {
    // A two-second replication delay from the world file (docs/microsoft.md
    // §9, "Errors and replication"): long enough for the steps that must
    // fall within it.
    let s = sandbox(2).await;
    let token = setup_token(&s, &admin()).await;
    let setup_claims = s
        .verify_access_token(&token, "https://graph.microsoft.com")
        .unwrap();
    assert_eq!(setup_claims.appid, SETUP_CLIENT_ID.to_string());
    for scope in [
        "Application.ReadWrite.All",
        "AppRoleAssignment.ReadWrite.All",
        "DelegatedPermissionGrant.ReadWrite.All",
        "User.Read",
    ] {
        assert!(
            setup_claims.scopes().contains(&scope),
            "{:?}",
            setup_claims.scp
        );
    }

    // The admin's roles (*Graph* user-list-memberof.md).
    let (status, roles) = graph(&s, &token, Method::GET, "me/memberOf", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        roles["value"][0]["@odata.type"],
        "#microsoft.graph.directoryRole"
    );
    assert_eq!(roles["value"][0]["roleTemplateId"], GLOBAL_ADMINISTRATOR);
    assert_eq!(roles["value"][0]["displayName"], "Global Administrator");

    // The resource's service principal with its permission IDs
    // (docs/microsoft.md §9, "Resolve IDs at run time" and "Permission IDs").
    let bc = bc_service_principal(&s, &token).await;
    let bc_sp_id = bc["id"].as_str().unwrap().to_string();
    assert_eq!(bc["displayName"], "Dynamics 365 Business Central");
    let role = bc["appRoles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["value"] == "API.ReadWrite.All")
        .unwrap();
    assert_eq!(role["id"], API_READWRITE_ALL);
    assert_eq!(role["allowedMemberTypes"], json!(["Application"]));
    let scope = bc["oauth2PermissionScopes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["value"] == "Financials.ReadWrite.All")
        .unwrap();
    assert_eq!(
        (&scope["id"], &scope["type"]),
        (&json!(FINANCIALS_SCOPE), &json!("User"))
    );
    assert!(
        bc.get("servicePrincipalNames").is_none(),
        "$select keeps only what it names"
    );

    // Create the app: 201 with its IDs and no secret yet (§9 step 1).
    let app = create_app(&s, &token, "D365 Connect (set up)").await;
    let object_id = app["id"].as_str().unwrap().to_string();
    let app_id = app["appId"].as_str().unwrap().to_string();
    assert_ne!(object_id, app_id);
    assert_eq!(app["passwordCredentials"], json!([]));
    assert_eq!(app["requiredResourceAccess"][0]["resourceAppId"], BC_APP_ID);
    assert_eq!(
        app["publicClient"]["redirectUris"],
        json!(["http://localhost"])
    );

    // Still replicating: reads answer 404, Entra does not know the client
    // (700016), a service principal has no backing application yet (§9).
    let (status, body) = graph(
        &s,
        &token,
        Method::GET,
        &format!("applications/{object_id}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert_graph_error(&body, "Request_ResourceNotFound");
    let (status, body) = client_credentials(&s, &app_id, "anything").await;
    assert_eq!(status, 400);
    assert_entra_error(&body, 700016, "unauthorized_client");

    let started = Instant::now();
    let mut refused = 0;
    let sp = loop {
        let (status, body) = graph(
            &s,
            &token,
            Method::POST,
            "servicePrincipals",
            Some(json!({"appId": app_id})),
        )
        .await;
        if status == 201 {
            break body;
        }
        assert_eq!(status, 400, "{body:#}");
        assert_graph_error(&body, "Request_BadRequest");
        assert_eq!(
            body["error"]["message"],
            format!("The appId '{app_id}' of the service principal does not reference a valid application object.")
        );
        refused += 1;
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "never replicated"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(refused >= 1, "the first attempt came within the delay");
    let sp_id = sp["id"].as_str().unwrap().to_string();
    assert_eq!(sp["appId"], app_id.as_str());
    assert_eq!(sp["appRoles"], json!([]));

    // The new service principal replicates too; then the delay is lifted
    // at run time.
    let (status, _) = graph(
        &s,
        &token,
        Method::GET,
        &format!("servicePrincipals(appId='{app_id}')"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    // Grants naming it fail the same way (docs/microsoft.md §9: 400/404
    // right after the service principal is created).
    let (status, body) = graph(
        &s,
        &token,
        Method::POST,
        "oauth2PermissionGrants",
        Some(grant_body(&sp_id, &bc_sp_id)),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["message"],
        "Invalid value specified for property 'clientId' of resource 'OAuth2PermissionGrant'."
    );
    let (status, body) = graph(
        &s,
        &token,
        Method::POST,
        &format!("servicePrincipals/{bc_sp_id}/appRoleAssignedTo"),
        Some(assign_body(&sp_id, &bc_sp_id)),
    )
    .await;
    assert_eq!(status, 404);
    assert_graph_error(&body, "Request_ResourceNotFound");
    s.set_replication_delay(Duration::ZERO);
    let (status, body) = graph(
        &s,
        &token,
        Method::GET,
        &format!("servicePrincipals/{sp_id}"),
        None,
    )
    .await;
    assert_eq!((status, &body["appId"]), (200, &json!(app_id)));

    // A secret, returned this once (§9 step 3).
    let secret = add_password(&s, &token, &object_id).await;
    let secret_text = secret["secretText"].as_str().unwrap();
    assert_eq!(secret["hint"], secret_text[..3]);
    assert_eq!(secret["endDateTime"], "2027-12-04T00:00:00Z");
    assert_eq!(secret["displayName"], "D365 Connect");
    let (status, read) = graph(
        &s,
        &token,
        Method::GET,
        &format!("applications(appId='{app_id}')"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(read["passwordCredentials"][0]["keyId"], secret["keyId"]);
    assert_eq!(read["passwordCredentials"][0]["secretText"], Value::Null);

    // Without a grant the token has no roles.
    let (status, body) = client_credentials(&s, &app_id, secret_text).await;
    assert_eq!(status, 200, "{body:#}");
    let unassigned = claims(body["access_token"].as_str().unwrap());
    assert!(unassigned.get("roles").is_none());

    // Delegated and application permissions for the whole tenant (§9
    // steps 4 and 5).
    let (status, grant) = graph(
        &s,
        &token,
        Method::POST,
        "oauth2PermissionGrants",
        Some(grant_body(&sp_id, &bc_sp_id)),
    )
    .await;
    assert_eq!(status, 201, "{grant:#}");
    assert_eq!(grant["consentType"], "AllPrincipals");
    assert_eq!(grant["principalId"], Value::Null);
    let filter = format!(
        "oauth2PermissionGrants?$filter=clientId eq '{sp_id}' and consentType eq 'AllPrincipals'"
    );
    let (_, grants) = graph(&s, &token, Method::GET, &filter, None).await;
    assert_eq!(grants["value"].as_array().unwrap().len(), 1, "{grants:#}");
    assert_eq!(grants["value"][0]["id"], grant["id"]);
    assert_eq!(grants["value"][0]["resourceId"], bc_sp_id.as_str());
    assert_eq!(grants["value"][0]["scope"], "Financials.ReadWrite.All");

    let path = format!("servicePrincipals/{bc_sp_id}/appRoleAssignedTo");
    let (status, assignment) = graph(
        &s,
        &token,
        Method::POST,
        &path,
        Some(assign_body(&sp_id, &bc_sp_id)),
    )
    .await;
    assert_eq!(status, 201, "{assignment:#}");
    assert_eq!(assignment["principalType"], "ServicePrincipal");
    assert_eq!(assignment["appRoleId"], API_READWRITE_ALL);
    let (_, assigned) = graph(&s, &token, Method::GET, &path, None).await;
    assert!(assigned["value"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["principalId"] == sp_id.as_str() && a["id"] == assignment["id"]));

    // Client credentials now carry the role; the token speaks for the new
    // service principal (docs/microsoft.md §5, §9).
    let (status, body) = client_credentials(&s, &app_id, secret_text).await;
    assert_eq!(status, 200, "{body:#}");
    let app_claims = s
        .verify_access_token(body["access_token"].as_str().unwrap(), BC)
        .unwrap();
    assert_eq!(app_claims.roles(), ["API.ReadWrite.All"]);
    assert_eq!(app_claims.oid, sp_id);

    // A delegated sign-in needs no consent any more: the page says the
    // organization granted it, and a plain user gets the scope.
    let consent_page = client()
        .get(authorize_url(
            &s,
            &tenant(&s),
            &[
                ("client_id", app_id.as_str()),
                ("response_type", "code"),
                ("redirect_uri", "http://localhost"),
                ("scope", BC_DEFAULT),
            ],
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(consent_page.contains("An administrator has already granted these"));
    assert!(!consent_page.contains("Consent on behalf of your organization"));
    let body = sign_in(
        &s,
        &app_id,
        &clerk(),
        "https://api.businesscentral.dynamics.com/.default offline_access",
    )
    .await
    .unwrap();
    let user_claims = s
        .verify_access_token(body["access_token"].as_str().unwrap(), BC)
        .unwrap();
    assert_eq!(user_claims.scopes(), ["Financials.ReadWrite.All"]);
    assert_eq!(
        user_claims.upn.as_deref(),
        Some("clerk@cronus-demo.onmicrosoft.com")
    );
}

/// docs/microsoft.md §9, "Who may do what": a user without an application
/// administrator role gets Graph's 403 for grants and for apps they do not
/// own, once the organization consented to the setup client for them.
#[tokio::test]
async fn a_non_administrator_is_refused_with_graphs_body() {
    let s = sandbox(0).await;
    // The clerk alone cannot consent to the directory permissions
    // (docs/microsoft.md §11): AADSTS90094 comes back to the app.
    let refused = sign_in(&s, &SETUP_CLIENT_ID.to_string(), &clerk(), SETUP_SCOPES)
        .await
        .unwrap_err();
    assert_eq!(refused["error"], "access_denied");
    assert!(
        refused["error_description"].starts_with("AADSTS90094:"),
        "{refused:?}"
    );

    // User.Read needs no administrator; the clerk holds no role.
    let body = sign_in(
        &s,
        &SETUP_CLIENT_ID.to_string(),
        &clerk(),
        "User.Read openid",
    )
    .await
    .unwrap();
    let read_only = body["access_token"].as_str().unwrap();
    let (status, roles) = graph(&s, read_only, Method::GET, "me/memberOf", None).await;
    assert_eq!((status, &roles["value"]), (200, &json!([])));
    let (status, body) = graph(
        &s,
        read_only,
        Method::POST,
        "applications",
        Some(new_app("Clerk's")),
    )
    .await;
    assert_eq!(status, 403);
    assert_graph_error(&body, "Authorization_RequestDenied");
    assert_eq!(
        body["error"]["message"],
        "Insufficient privileges to complete the operation."
    );

    // An administrator who accepts without ticking the box consents for
    // themselves only: the clerk is still refused.
    setup_token(&s, &admin()).await;
    let still = sign_in(&s, &SETUP_CLIENT_ID.to_string(), &clerk(), SETUP_SCOPES).await;
    assert_eq!(still.unwrap_err()["error"], "access_denied");

    // The admin consents for the organization; now the clerk's token has
    // the scopes, and the directory roles decide.
    let admin_for_all = Persona {
        choice: Choice::AcceptForOrganization,
        ..admin()
    };
    let admin_token = setup_token(&s, &admin_for_all).await;
    let clerk_token = setup_token(&s, &clerk()).await;
    let bc_sp_id = bc_service_principal(&s, &clerk_token).await["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Users may register apps (Entra's default) and own what they create.
    let own = create_app(&s, &clerk_token, "Clerk's app").await;
    let own_id = own["id"].as_str().unwrap();
    add_password(&s, &clerk_token, own_id).await;
    let sp_id = create_service_principal(&s, &clerk_token, own["appId"].as_str().unwrap()).await;

    // Grants are for administrators only; the client's request ID comes back.
    let client_request_id = "6347d33d-941a-4c35-9912-a9cf54fb1b3e";
    let response = client()
        .post(format!(
            "{}/v1.0/oauth2PermissionGrants",
            s.endpoints().graph
        ))
        .bearer_auth(&clerk_token)
        .header("client-request-id", client_request_id)
        .json(&grant_body(&sp_id, &bc_sp_id))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let body: Value = response.json().await.unwrap();
    assert_graph_error(&body, "Authorization_RequestDenied");
    assert_eq!(
        body["error"]["innerError"]["client-request-id"],
        client_request_id
    );
    let path = format!("servicePrincipals/{bc_sp_id}/appRoleAssignedTo");
    let (status, body) = graph(
        &s,
        &clerk_token,
        Method::POST,
        &path,
        Some(assign_body(&sp_id, &bc_sp_id)),
    )
    .await;
    assert_eq!(status, 403);
    assert_graph_error(&body, "Authorization_RequestDenied");

    // The administrator's app is not the clerk's to change.
    let admins = create_app(&s, &admin_token, "Admin's app").await;
    let admins_id = admins["id"].as_str().unwrap();
    for (method, path, body) in [
        (
            Method::PATCH,
            format!("applications/{admins_id}"),
            json!({"displayName": "Mine now"}),
        ),
        (
            Method::POST,
            format!("applications/{admins_id}/addPassword"),
            json!({}),
        ),
    ] {
        let (status, body) = graph(&s, &clerk_token, method, &path, Some(body)).await;
        assert_eq!(status, 403, "{path}");
        assert_graph_error(&body, "Authorization_RequestDenied");
    }
    // The administrator may change it.
    let (status, _) = graph(
        &s,
        &admin_token,
        Method::PATCH,
        &format!("applications/{admins_id}"),
        Some(json!({"displayName": "Renamed"})),
    )
    .await;
    assert_eq!(status, 204);
    let (_, read) = graph(
        &s,
        &admin_token,
        Method::GET,
        &format!("applications/{admins_id}"),
        None,
    )
    .await;
    assert_eq!(read["displayName"], "Renamed");
}

/// "Users can register applications" set to No: only Application
/// Developers and application administrators may (docs/microsoft.md §9).
#[tokio::test]
async fn where_users_may_not_register_apps_a_plain_user_gets_403() {
    let mut world = World::demo();
    world.directory.replication_seconds = 0;
    world.tenants[0].users_can_register_apps = false;
    let s = start(world).await;
    let admin_for_all = Persona {
        choice: Choice::AcceptForOrganization,
        ..admin()
    };
    setup_token(&s, &admin_for_all).await;
    let clerk_token = setup_token(&s, &clerk()).await;
    let (status, body) = graph(
        &s,
        &clerk_token,
        Method::POST,
        "applications",
        Some(new_app("No")),
    )
    .await;
    assert_eq!(status, 403);
    assert_graph_error(&body, "Authorization_RequestDenied");

    let mut world = World::demo();
    world.directory.replication_seconds = 0;
    world.tenants[0].users_can_register_apps = false;
    world.users[1].roles = vec!["Application Developer".into()];
    let s = start(world).await;
    setup_token(&s, &admin_for_all).await;
    let developer = setup_token(&s, &clerk()).await;
    create_app(&s, &developer, "Developer's").await;
    let (_, roles) = graph(&s, &developer, Method::GET, "me/memberOf", None).await;
    assert_eq!(roles["value"][0]["displayName"], "Application Developer");
}

/// docs/microsoft.md §9 step 3 and "Expiry": a removed secret stops
/// working at once with the error of an unknown secret, AADSTS7000215.
#[tokio::test]
async fn remove_password_makes_the_secret_fail() {
    let s = sandbox(0).await;
    let token = setup_token(&s, &admin()).await;
    let app = create_app(&s, &token, "Rotating").await;
    let (object_id, app_id) = (app["id"].as_str().unwrap(), app["appId"].as_str().unwrap());
    let old = add_password(&s, &token, object_id).await;
    let new = add_password(&s, &token, object_id).await;
    // No service principal yet: the secret is right, the app is not
    // usable (AADSTS7000229, docs/microsoft.md §9).
    let (status, body) = client_credentials(&s, app_id, old["secretText"].as_str().unwrap()).await;
    assert_eq!(status, 401);
    assert_entra_error(&body, 7000229, "invalid_client");
    create_service_principal(&s, &token, app_id).await;
    let (status, _) = client_credentials(&s, app_id, old["secretText"].as_str().unwrap()).await;
    assert_eq!(status, 200);

    let (status, body) = graph(
        &s,
        &token,
        Method::POST,
        &format!("applications(appId='{app_id}')/removePassword"),
        Some(json!({"keyId": old["keyId"]})),
    )
    .await;
    assert_eq!((status, body), (204, Value::Null));
    let (status, body) = client_credentials(&s, app_id, old["secretText"].as_str().unwrap()).await;
    assert_eq!(status, 401);
    assert_entra_error(&body, 7000215, "invalid_client");
    let (status, _) = client_credentials(&s, app_id, new["secretText"].as_str().unwrap()).await;
    assert_eq!(status, 200);

    let (_, read) = graph(
        &s,
        &token,
        Method::GET,
        &format!("applications/{object_id}"),
        None,
    )
    .await;
    let keys: Vec<&Value> = read["passwordCredentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["keyId"])
        .collect();
    assert_eq!(keys, [&new["keyId"]]);
}

/// Asking twice: a second service principal is 409
/// (`Azure/reliable-web-app-pattern-java#185`), a second grant for the same
/// client and resource 409 (`hashicorp/terraform-provider-azuread#690`),
/// the same app role twice 400 (docs/microsoft.md §9, "Asking twice").
#[tokio::test]
async fn duplicates_are_refused_as_graph_refuses_them() {
    let s = sandbox(0).await;
    let token = setup_token(&s, &admin()).await;
    let app = create_app(&s, &token, "Twice").await;
    let app_id = app["appId"].as_str().unwrap();
    let sp_id = create_service_principal(&s, &token, app_id).await;
    let bc_sp_id = bc_service_principal(&s, &token).await["id"]
        .as_str()
        .unwrap()
        .to_string();

    let (status, body) = graph(
        &s,
        &token,
        Method::POST,
        "servicePrincipals",
        Some(json!({"appId": app_id})),
    )
    .await;
    assert_eq!(status, 409);
    assert_graph_error(&body, "Request_MultipleObjectsWithSameKeyValue");
    assert!(body["error"]["message"].as_str().unwrap().contains(app_id));
    // Resource APIs the tenant has are there already too.
    let (status, _) = graph(
        &s,
        &token,
        Method::POST,
        "servicePrincipals",
        Some(json!({"appId": BC_APP_ID})),
    )
    .await;
    assert_eq!(status, 409);

    let (status, _) = graph(
        &s,
        &token,
        Method::POST,
        "oauth2PermissionGrants",
        Some(grant_body(&sp_id, &bc_sp_id)),
    )
    .await;
    assert_eq!(status, 201);
    let (status, body) = graph(
        &s,
        &token,
        Method::POST,
        "oauth2PermissionGrants",
        Some(grant_body(&sp_id, &bc_sp_id)),
    )
    .await;
    assert_eq!(status, 409);
    assert_graph_error(&body, "Request_MultipleObjectsWithSameKeyValue");
    assert_eq!(body["error"]["message"], "Permission entry already exists.");

    let path = format!("servicePrincipals/{bc_sp_id}/appRoleAssignedTo");
    let (status, _) = graph(
        &s,
        &token,
        Method::POST,
        &path,
        Some(assign_body(&sp_id, &bc_sp_id)),
    )
    .await;
    assert_eq!(status, 201);
    let (status, body) = graph(
        &s,
        &token,
        Method::POST,
        &path,
        Some(assign_body(&sp_id, &bc_sp_id)),
    )
    .await;
    assert_eq!(status, 400);
    assert_graph_error(&body, "Request_BadRequest");
    assert_eq!(
        body["error"]["message"],
        "Permission being assigned already exists on the object."
    );
}

/// Extending a delegated grant: PATCH replaces its scope (*Graph*
/// `oauth2permissiongrant-update.md`), and tokens follow.
#[tokio::test]
async fn a_patched_grant_changes_what_tokens_carry() {
    let s = sandbox(0).await;
    let token = setup_token(&s, &admin()).await;
    let mut body = new_app("Extended");
    body["requiredResourceAccess"][0]["resourceAccess"] = json!([
        {"id": FINANCIALS_SCOPE, "type": "Scope"},
        {"id": "bce0976a-cb0b-473b-8800-84eda9f8e447", "type": "Scope"}
    ]);
    let (_, app) = graph(&s, &token, Method::POST, "applications", Some(body)).await;
    let app_id = app["appId"].as_str().unwrap();
    let sp_id = create_service_principal(&s, &token, app_id).await;
    let bc_sp_id = bc_service_principal(&s, &token).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, grant) = graph(
        &s,
        &token,
        Method::POST,
        "oauth2PermissionGrants",
        Some(grant_body(&sp_id, &bc_sp_id)),
    )
    .await;

    let user_impersonation = "https://api.businesscentral.dynamics.com/user_impersonation";
    let (status, _) = graph(
        &s,
        &token,
        Method::PATCH,
        &format!("oauth2PermissionGrants/{}", grant["id"].as_str().unwrap()),
        Some(json!({"scope": "Financials.ReadWrite.All user_impersonation"})),
    )
    .await;
    assert_eq!(status, 204);
    let filter = format!("oauth2PermissionGrants?$filter=clientId eq '{sp_id}'");
    let (_, grants) = graph(&s, &token, Method::GET, &filter, None).await;
    assert_eq!(
        grants["value"][0]["scope"],
        "Financials.ReadWrite.All user_impersonation"
    );
    let body = sign_in(&s, app_id, &clerk(), user_impersonation)
        .await
        .unwrap();
    let scp = claims(body["access_token"].as_str().unwrap())["scp"].clone();
    assert_eq!(scp, "Financials.ReadWrite.All user_impersonation");
}

/// `$filter` as docs/microsoft.md §9 uses it: apps by display name,
/// service principals by appId; what it cannot evaluate is 400.
#[tokio::test]
async fn filters_find_apps_service_principals_and_grants() {
    let s = sandbox(0).await;
    let token = setup_token(&s, &admin()).await;
    let wanted = create_app(&s, &token, "Wanted app").await;
    create_app(&s, &token, "Other app").await;

    let (status, found) = graph(
        &s,
        &token,
        Method::GET,
        "applications?$filter=displayName eq 'Wanted app'",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(found["value"].as_array().unwrap().len(), 1);
    assert_eq!(found["value"][0]["id"], wanted["id"]);
    assert!(found["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("$metadata#applications"));
    let (_, none) = graph(
        &s,
        &token,
        Method::GET,
        "applications?$filter=displayName eq 'Nobody'",
        None,
    )
    .await;
    assert_eq!(none["value"], json!([]));

    let (_, sps) = graph(
        &s,
        &token,
        Method::GET,
        &format!("servicePrincipals?$filter=appId eq '{BC_APP_ID}'&$select=id,appRoles"),
        None,
    )
    .await;
    assert_eq!(sps["value"].as_array().unwrap().len(), 1);
    assert!(sps["value"][0].get("displayName").is_none());

    // The demo apps' admin consent shows as tenant-wide grants.
    let demo_sp = {
        let (_, sp) = graph(
            &s,
            &token,
            Method::GET,
            &format!("servicePrincipals(appId='{}')", web_app(&s)),
            None,
        )
        .await;
        sp["id"].as_str().unwrap().to_string()
    };
    let (_, grants) = graph(
        &s,
        &token,
        Method::GET,
        &format!("oauth2PermissionGrants?$filter=clientId eq '{demo_sp}'"),
        None,
    )
    .await;
    let kinds: Vec<&Value> = grants["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| &g["consentType"])
        .collect();
    assert!(!kinds.is_empty() && kinds.iter().all(|c| *c == "AllPrincipals"));

    let (status, body) = graph(
        &s,
        &token,
        Method::GET,
        "applications?$filter=startswith(displayName,'W')",
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_graph_error(&body, "BadRequest");
    let (status, body) = graph(
        &s,
        &token,
        Method::GET,
        "applications?$filter=notes eq 'x'",
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_graph_error(&body, "Request_UnsupportedQuery");
}

/// Resource service principals exist where the product does; Graph's
/// always (docs/microsoft.md §9: "exists in a tenant only once its product
/// is provisioned there").
#[tokio::test]
async fn resource_service_principals_follow_the_tenants_products() {
    let mut world = World::demo();
    world.tenants[0].products.finance_operations = None;
    let s = start(world).await;
    let token = setup_token(&s, &admin()).await;
    let (status, body) = graph(
        &s,
        &token,
        Method::GET,
        "servicePrincipals(appId='00000015-0000-0000-c000-000000000000')",
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert_graph_error(&body, "Request_ResourceNotFound");
    let (status, graph_sp) = graph(
        &s,
        &token,
        Method::GET,
        "servicePrincipals(appId='00000003-0000-0000-c000-000000000000')",
        None,
    )
    .await;
    assert_eq!(status, 200);
    let admin_only: Vec<&Value> = graph_sp["oauth2PermissionScopes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["type"] == "Admin")
        .map(|p| &p["value"])
        .collect();
    assert_eq!(
        admin_only,
        [
            "Application.ReadWrite.All",
            "AppRoleAssignment.ReadWrite.All",
            "DelegatedPermissionGrant.ReadWrite.All"
        ]
    );
    let (status, crm) = graph(
        &s,
        &token,
        Method::GET,
        "servicePrincipals(appId='00000007-0000-0000-c000-000000000000')",
        None,
    )
    .await;
    assert_eq!((status, &crm["appRoles"]), (200, &json!([])));
}

/// docs/microsoft.md §11: the setup client's refresh token serves one
/// resource per token, and only resources someone consented to; an
/// administrator consents to the products' `.default` on the page.
#[tokio::test]
async fn the_setup_clients_refresh_token_needs_consent_per_resource() {
    let s = sandbox(0).await;
    let setup = SETUP_CLIENT_ID.to_string();
    let body = sign_in(&s, &setup, &admin(), SETUP_SCOPES).await.unwrap();
    let refresh = body["refresh_token"].as_str().unwrap().to_string();
    let redeem = |scope: &'static str| {
        let (s, setup, refresh) = (&s, setup.clone(), refresh.clone());
        async move {
            token(
                s,
                &tenant(s),
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", setup.as_str()),
                    ("refresh_token", refresh.as_str()),
                    ("scope", scope),
                ],
            )
            .await
        }
    };
    let (status, body) = redeem(BC_DEFAULT).await;
    assert_eq!(status, 400);
    assert_entra_error(&body, 65001, "invalid_grant");
    assert_eq!(body["suberror"], "consent_required");

    // The administrator consents to each product on the page.
    let endpoints = s.endpoints();
    let fno = format!("{}/.default", endpoints.fno_url.unwrap());
    let dataverse = format!("{}/.default", endpoints.dataverse_url.unwrap());
    for scope in [BC_DEFAULT.to_string(), fno, dataverse] {
        let body = sign_in(&s, &setup, &admin(), &format!("{scope} offline_access"))
            .await
            .unwrap();
        let audience = scope.trim_end_matches("/.default");
        let verified = s
            .verify_access_token(body["access_token"].as_str().unwrap(), audience)
            .unwrap_or_else(|e| panic!("{scope}: {e}"));
        assert!(!verified.scopes().is_empty(), "{scope}");
    }

    // Now the first refresh token serves them, Global Discovery included
    // (it belongs to Dynamics CRM), one resource per token.
    let (status, body) = redeem(BC_DEFAULT).await;
    assert_eq!(status, 200, "{body:#}");
    let bc_claims = claims(body["access_token"].as_str().unwrap());
    assert_eq!(
        bc_claims["scp"],
        "Financials.ReadWrite.All user_impersonation"
    );
    let globaldisco = format!("{}/.default", s.endpoints().globaldisco);
    let (status, body) = token(
        &s,
        &tenant(&s),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", setup.as_str()),
            ("refresh_token", refresh.as_str()),
            ("scope", globaldisco.as_str()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body:#}");
    let (status, body) = redeem(
        "https://api.businesscentral.dynamics.com/.default https://graph.microsoft.com/User.Read",
    )
    .await;
    assert_eq!(status, 400);
    assert_entra_error(&body, 700022, "invalid_scope");
}

/// The consent page marks what only an administrator may grant and offers
/// "Consent on behalf of your organization", unticked (docs/microsoft.md
/// §4, §11).
#[tokio::test]
async fn the_consent_page_marks_admin_permissions() {
    let s = sandbox(0).await;
    let page = client()
        .get(authorize_url(
            &s,
            &tenant(&s),
            &[
                ("client_id", SETUP_CLIENT_ID.to_string().as_str()),
                ("response_type", "code"),
                ("redirect_uri", "http://localhost:5173"),
                ("scope", SETUP_SCOPES),
            ],
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Microsoft Graph Command Line Tools"));
    assert!(page.contains("Read and write all applications (Admin consent required)"));
    assert!(!page.contains("Sign you in and read your profile (Admin consent required)"));
    assert!(page.contains("name=\"consent_for_organization\" value=\"true\">"));
    assert!(page.contains("Consent on behalf of your organization"));
}

/// Graph's 401 for a missing token or one for another resource.
#[tokio::test]
async fn graph_needs_a_graph_token() {
    let s = sandbox(0).await;
    let response = client()
        .get(format!("{}/v1.0/me/memberOf", s.endpoints().graph))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_graph_error(&body, "InvalidAuthenticationToken");

    let (status, body) = graph(&s, &user_token(&s).await, Method::GET, "me/memberOf", None).await;
    assert_eq!(status, 401);
    assert_graph_error(&body, "InvalidAuthenticationToken");

    // An app-only token holds no Graph app role here.
    let app_only = app_token_for(&s, "https://graph.microsoft.com/.default").await;
    let (status, body) = graph(&s, &app_only, Method::GET, "applications", None).await;
    assert_eq!(status, 403);
    assert_graph_error(&body, "Authorization_RequestDenied");

    let token = setup_token(&s, &admin()).await;
    let (status, body) = graph(&s, &token, Method::GET, "users", None).await;
    assert_eq!(status, 400);
    assert_graph_error(&body, "BadRequest");
}
