#![allow(clippy::unwrap_used)]
//! "Set it up for me", the product side: an administrator prepares
//! Dataverse and F&O for an app that runs as a background service
//! (docs/microsoft.md §10; docs/sandbox-fidelity.md §H1, §H5, §H6).

mod common;

use common::*;
use d365_sandbox::world::World;
use d365_sandbox::SandboxHandle;
use reqwest::header::HeaderMap;
use serde_json::{json, Value};
use uuid::Uuid;

/// The app being set up: registered in Entra with a secret and consent,
/// but not yet known to any product.
const CONNECTOR: &str = "6f1c3a52-9d47-4e2b-8a10-c3b5e7d9f201";
const CLERK_UPN: &str = "clerk@cronus-demo.onmicrosoft.com";
const CLERK_PASSWORD: &str = "Cronus-Clerk-1";

/// The demo world plus the connector app and a person who is not an
/// administrator.
fn world() -> World {
    let mut world = World::demo();
    let mut app = world.apps[0].clone();
    app.client_id = CONNECTOR.parse().unwrap();
    app.display_name = "Contoso Connector".into();
    app.registered_in_product.clear();
    world.apps.push(app);
    // The demo world's second person holds no role anywhere.
    assert!(world.user(CLERK_UPN).is_some_and(|u| !u.admin));
    world
}

/// A client-credentials token of the connector app.
async fn connector_token(s: &SandboxHandle, resource: &str) -> String {
    let scope = format!("{resource}/.default");
    let (_, body) = token(
        s,
        &tenant(s),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", CONNECTOR),
            ("client_secret", web_secret(s).as_str()),
            ("scope", scope.as_str()),
        ],
    )
    .await;
    body["access_token"].as_str().unwrap().to_string()
}

/// A delegated token of `login` via the desktop app.
async fn person_token(s: &SandboxHandle, resource: &str, login: &str, password: &str) -> String {
    let challenge = s256(VERIFIER);
    let app = public_app(s);
    let scope = format!("{resource}/.default openid offline_access");
    let mut params = public_params(&app, "http://localhost", &challenge);
    for p in params.iter_mut().filter(|p| p.0 == "scope") {
        p.1 = &scope;
    }
    let url = authorize_url(s, &tenant(s), &params);
    let resp = sign_in(&url, login, password, "accept").await;
    let (_, query) = redirect_params(&resp);
    let (_, body) = token(
        s,
        &tenant(s),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", app.as_str()),
            ("code", query["code"].as_str()),
            ("redirect_uri", "http://localhost"),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    body["access_token"].as_str().unwrap().to_string()
}

async fn admin_token(s: &SandboxHandle, resource: &str) -> String {
    let (upn, password) = user(s);
    person_token(s, resource, &upn, &password).await
}

struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Value,
}

async fn send(req: reqwest::RequestBuilder) -> Answer {
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Answer {
        status,
        headers,
        body,
    }
}

async fn get(url: &str, token: &str) -> Answer {
    send(client().get(url).bearer_auth(token)).await
}

async fn post(url: &str, token: &str, body: &Value) -> Answer {
    send(client().post(url).bearer_auth(token).json(body)).await
}

fn assert_error(answer: &Answer, status: u16, code: &str) {
    assert_eq!(answer.status, status, "{:#}", answer.body);
    assert_eq!(answer.body["error"]["code"], code, "{:#}", answer.body);
}

fn message(answer: &Answer) -> &str {
    answer.body["error"]["message"].as_str().unwrap_or_default()
}

// ---------------------------------------------------------------- Dataverse

struct Dataverse {
    url: String,
    api: String,
}

fn dataverse(s: &SandboxHandle) -> Dataverse {
    let url = s.endpoints().dataverse_url.unwrap();
    Dataverse {
        api: format!("{url}/api/data/v9.2"),
        url,
    }
}

impl Dataverse {
    /// The root business unit, found as the setup finds it.
    async fn root_business_unit(&self, token: &str) -> String {
        let url = format!(
            "{}/businessunits?$select=businessunitid,name&$filter=_parentbusinessunitid_value%20eq%20null",
            self.api
        );
        let units = get(&url, token).await;
        assert_eq!(units.status, 200, "{:#}", units.body);
        let value = units.body["value"].as_array().unwrap();
        assert_eq!(value.len(), 1, "one root: {value:?}");
        value[0]["businessunitid"].as_str().unwrap().to_string()
    }

    async fn role(&self, token: &str, name: &str, business_unit: &str) -> String {
        let url = format!(
            "{}/roles?$select=roleid,name&$filter=name%20eq%20'{}'%20and%20_businessunitid_value%20eq%20{business_unit}",
            self.api,
            name.replace(' ', "%20")
        );
        let roles = get(&url, token).await;
        assert_eq!(roles.status, 200, "{:#}", roles.body);
        let value = roles.body["value"].as_array().unwrap();
        assert_eq!(value.len(), 1, "{name}: {value:?}");
        value[0]["roleid"].as_str().unwrap().to_string()
    }

    /// The bodies of docs/microsoft.md §10.
    async fn create_application_user(&self, token: &str, app: &str, unit: &str) -> Answer {
        let body = json!({
            "applicationid": app,
            "businessunitid@odata.bind": format!("/businessunits({unit})"),
            "accessmode": 4,
            "isdisabled": false,
        });
        post(&format!("{}/systemusers", self.api), token, &body).await
    }

    async fn assign(&self, token: &str, user: &str, role: &str) -> Answer {
        let body = json!({"@odata.id": format!("{}/roles({role})", self.api)});
        let url = format!(
            "{}/systemusers({user})/systemuserroles_association/$ref",
            self.api
        );
        post(&url, token, &body).await
    }

    async fn application_users(&self, token: &str, app: &str) -> Vec<Value> {
        let url = format!(
            "{}/systemusers?$filter=applicationid%20eq%20{app}",
            self.api
        );
        let found = get(&url, token).await;
        assert_eq!(found.status, 200, "{:#}", found.body);
        found.body["value"].as_array().unwrap().clone()
    }
}

/// The id in `OData-EntityId: …/systemusers(<id>)`.
fn entity_id(answer: &Answer) -> String {
    let header = answer.headers["odata-entityid"].to_str().unwrap();
    let id = header
        .rsplit_once("systemusers(")
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .unwrap();
    Uuid::parse_str(id).unwrap().to_string()
}

/// docs/microsoft.md §10 (Add-PpacApplicationUser.ps1, Microsoft's
/// terraform provider): one root business unit, the predefined roles in
/// each business unit (database-security.md), the people of the tenant
/// and the world's application users in `systemusers`.
#[tokio::test]
async fn dataverse_lists_business_units_roles_and_users() {
    let s = start(world()).await;
    let dv = dataverse(&s);
    let admin = admin_token(&s, &dv.url).await;
    let root = dv.root_business_unit(&admin).await;

    let roles = get(&format!("{}/roles?$count=true", dv.api), &admin).await;
    assert_eq!(roles.body["@odata.count"], 3 * 8, "8 roles in 3 units");
    for name in [
        "System Administrator",
        "System Customizer",
        "Basic User",
        "Service Reader",
        "Delegate",
        "Environment Maker",
    ] {
        dv.role(&admin, name, &root).await;
    }

    let people = get(
        &format!(
            "{}/systemusers?$select=fullname,domainname,accessmode,isdisabled,_businessunitid_value&$filter=applicationid%20eq%20null",
            dv.api
        ),
        &admin,
    )
    .await;
    let people = people.body["value"].as_array().unwrap().clone();
    let names: Vec<&str> = people
        .iter()
        .map(|p| p["domainname"].as_str().unwrap())
        .collect();
    assert_eq!(names, [user(&s).0.as_str(), CLERK_UPN]);
    assert!(people.iter().all(|p| p["accessmode"] == 0
        && p["isdisabled"] == false
        && p["_businessunitid_value"] == root.as_str()));

    // The world's apps with access already have their application user.
    let demo_app = web_app(&s);
    let apps = dv.application_users(&admin, &demo_app).await;
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0]["accessmode"], 4);
    assert_eq!(apps[0]["fullname"], "# D365 Connect (confidential)");

    // WhoAmI names the caller's systemuser.
    let who = get(&format!("{}/WhoAmI", dv.api), &admin).await;
    let admin_row = &people[0];
    assert_eq!(who.body["UserId"], admin_row["systemuserid"]);
    assert_eq!(who.body["BusinessUnitId"], root.as_str());
    let app_token = app_token_for(&s, &format!("{}/.default", dv.url)).await;
    let who = get(&format!("{}/WhoAmI", dv.api), &app_token).await;
    assert_eq!(who.body["UserId"], apps[0]["systemuserid"]);

    // One user by key, and an unknown one (0x80040217).
    let id = apps[0]["systemuserid"].as_str().unwrap();
    let one = get(
        &format!("{}/systemusers({id})?$select=fullname", dv.api),
        &admin,
    )
    .await;
    assert_eq!(one.status, 200);
    assert_eq!(one.body["fullname"], "# D365 Connect (confidential)");
    assert!(one.body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("$metadata#systemusers(fullname)/$entity"));
    let missing = Uuid::nil();
    let none = get(&format!("{}/systemusers({missing})", dv.api), &admin).await;
    assert_error(&none, 404, "0x80040217");
    assert_eq!(
        message(&none),
        format!("systemuser With Id = {missing} Does Not Exist")
    );
}

/// docs/sandbox-fidelity.md §H1 and §H5: no application user → 403
/// `0x80072560`; an application user without a role → 403 `0x80042f09`
/// (MicrosoftDocs "Crm.80042f09.UserNotAssignedRoles"; wording of
/// microsoft/coe-starter-kit#678); with a role → the app reads.
#[tokio::test]
async fn an_application_user_with_a_role_lets_the_app_in() {
    let s = start(world()).await;
    let dv = dataverse(&s);
    let app = connector_token(&s, &dv.url).await;
    let before = get(&format!("{}/WhoAmI", dv.api), &app).await;
    assert_error(&before, 403, "0x80072560");

    let admin = admin_token(&s, &dv.url).await;
    let root = dv.root_business_unit(&admin).await;
    let created = dv.create_application_user(&admin, CONNECTOR, &root).await;
    // 204 with OData-EntityId (webapi/create-entity-web-api.md).
    assert_eq!(created.status, 204, "{:#}", created.body);
    assert_eq!(created.body, Value::Null);
    let id = entity_id(&created);
    assert!(created.headers["odata-entityid"]
        .to_str()
        .unwrap()
        .starts_with(&format!("{}/systemusers(", dv.api)));

    let found = dv.application_users(&admin, CONNECTOR).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["systemuserid"], id.as_str());
    assert_eq!(found[0]["fullname"], "# Contoso Connector");
    assert_eq!(found[0]["accessmode"], 4);
    assert_eq!(found[0]["isdisabled"], false);
    assert_eq!(found[0]["_businessunitid_value"], root.as_str());

    let roleless = get(&format!("{}/accounts?$top=1", dv.api), &app).await;
    assert_error(&roleless, 403, "0x80042f09");
    assert_eq!(
        message(&roleless),
        format!("The user with id {id} has not been assigned any roles. They need a role with the prvReadUser privilege.")
    );

    let reader = dv.role(&admin, "Service Reader", &root).await;
    let assigned = dv.assign(&admin, &id, &reader).await;
    assert_eq!(assigned.status, 204, "{:#}", assigned.body);
    let held = get(
        &format!(
            "{}/systemusers({id})/systemuserroles_association?$select=name",
            dv.api
        ),
        &admin,
    )
    .await;
    assert_eq!(held.status, 200, "{:#}", held.body);
    assert_eq!(held.body["value"][0]["name"], "Service Reader");
    assert_eq!(held.body["value"][0]["roleid"], reader.as_str());

    let who = get(&format!("{}/WhoAmI", dv.api), &app).await;
    assert_eq!(who.status, 200, "{:#}", who.body);
    assert_eq!(who.body["UserId"], id.as_str());
    let accounts = get(&format!("{}/accounts?$top=2", dv.api), &app).await;
    assert_eq!(accounts.status, 200);
    assert_eq!(accounts.body["value"].as_array().unwrap().len(), 2);
}

/// database-security.md: Basic User reads only its own records (none of
/// the sandbox's), Environment Maker no business data at all (403
/// `0x80040220`, docs/microsoft.md §10).
#[tokio::test]
async fn the_role_decides_what_an_application_user_reads() {
    let s = start(world()).await;
    let dv = dataverse(&s);
    let admin = admin_token(&s, &dv.url).await;
    let root = dv.root_business_unit(&admin).await;
    let created = dv.create_application_user(&admin, CONNECTOR, &root).await;
    let id = entity_id(&created);
    let maker = dv.role(&admin, "Environment Maker", &root).await;
    assert_eq!(dv.assign(&admin, &id, &maker).await.status, 204);

    let app = connector_token(&s, &dv.url).await;
    assert_eq!(get(&format!("{}/WhoAmI", dv.api), &app).await.status, 200);
    let refused = get(&format!("{}/accounts", dv.api), &app).await;
    assert_error(&refused, 403, "0x80040220");
    let text = message(&refused);
    assert!(
        text.starts_with(&format!("Principal user (Id={id}, type=8, roleCount=1,")),
        "{text}"
    );
    assert!(text.contains("accessMode='4 Non-interactive'"), "{text}");
    assert!(text.contains("is missing prvReadAccount privilege (Id=886b280c-6396-4d56-a0a3-2c1b0a50ceb0) on OTC=1 for entity 'account' (LocalizedName='Account')"), "{text}");

    let basic = dv.role(&admin, "Basic User", &root).await;
    assert_eq!(dv.assign(&admin, &id, &basic).await.status, 204);
    let own = get(&format!("{}/accounts?$count=true", dv.api), &app).await;
    assert_eq!(own.status, 200, "{:#}", own.body);
    assert_eq!(own.body["@odata.count"], 0);
    assert_eq!(own.body["value"], json!([]));
}

/// One application user per app per environment (use-single-tenant-
/// server-server-authentication.md): a second POST is 412 `0x80040237`
/// (microsoft/terraform-provider-power-platform#614, #623), for a new app
/// and for one the world already lets in.
#[tokio::test]
async fn a_second_application_user_for_the_same_app_is_refused() {
    let s = start(world()).await;
    let dv = dataverse(&s);
    let admin = admin_token(&s, &dv.url).await;
    let root = dv.root_business_unit(&admin).await;
    let first = dv.create_application_user(&admin, CONNECTOR, &root).await;
    assert_eq!(first.status, 204);
    for app in [CONNECTOR.to_string(), web_app(&s)] {
        let again = dv.create_application_user(&admin, &app, &root).await;
        assert_error(&again, 412, "0x80040237");
        assert_eq!(
            message(&again),
            "A record with matching key values already exists."
        );
        assert_eq!(dv.application_users(&admin, &app).await.len(), 1);
    }
}

/// `Prefer: return=representation` gets 201 and the record
/// (webapi/create-entity-web-api.md).
#[tokio::test]
async fn an_application_user_can_come_back_in_the_answer() {
    let s = start(world()).await;
    let dv = dataverse(&s);
    let admin = admin_token(&s, &dv.url).await;
    let root = dv.root_business_unit(&admin).await;
    let body = json!({
        "applicationid": CONNECTOR,
        "businessunitid@odata.bind": format!("{}/businessunits({root})", dv.api),
    });
    let created = send(
        client()
            .post(format!(
                "{}/systemusers?$select=applicationid,accessmode",
                dv.api
            ))
            .bearer_auth(&admin)
            .header("Prefer", "return=representation")
            .json(&body),
    )
    .await;
    assert_eq!(created.status, 201, "{:#}", created.body);
    assert_eq!(
        created.headers["preference-applied"],
        "return=representation"
    );
    assert_eq!(created.body["applicationid"], CONNECTOR);
    assert_eq!(created.body["accessmode"], 4);
    assert_eq!(created.body["systemuserid"], entity_id(&created).as_str());
    assert!(created.body.get("fullname").is_none(), "{:#}", created.body);
}

/// Creating users needs prvCreateUser and assigning roles prvAssignRole,
/// which System Administrators hold: others get 403 `0x80040220`
/// (docs/microsoft.md §10). The world's apps are Service Readers, so an
/// app-only token may not either.
#[tokio::test]
async fn only_system_administrators_create_users_and_assign_roles() {
    let s = start(world()).await;
    let dv = dataverse(&s);
    let admin = admin_token(&s, &dv.url).await;
    let root = dv.root_business_unit(&admin).await;
    let clerk = person_token(&s, &dv.url, CLERK_UPN, CLERK_PASSWORD).await;

    let refused = dv.create_application_user(&clerk, CONNECTOR, &root).await;
    assert_error(&refused, 403, "0x80040220");
    let text = message(&refused);
    assert!(text.contains("accessMode='0 Read-Write'"), "{text}");
    assert!(
        text.contains("is missing prvCreateUser privilege")
            && text.contains("on OTC=8 for entity 'systemuser' (LocalizedName='User')"),
        "{text}"
    );
    assert!(
        text.ends_with(
            "Consider adding missed privilege to one of the principal (user/team) roles."
        ),
        "{text}"
    );

    let app = app_token_for(&s, &format!("{}/.default", dv.url)).await;
    let refused = dv.create_application_user(&app, CONNECTOR, &root).await;
    assert_error(&refused, 403, "0x80040220");
    assert!(message(&refused).contains("accessMode='4 Non-interactive'"));
    assert!(dv.application_users(&admin, CONNECTOR).await.is_empty());

    let created = dv.create_application_user(&admin, CONNECTOR, &root).await;
    let id = entity_id(&created);
    let admin_role = dv.role(&admin, "System Administrator", &root).await;
    for token in [&clerk, &app] {
        let refused = dv.assign(token, &id, &admin_role).await;
        assert_error(&refused, 403, "0x80040220");
        assert!(
            message(&refused).contains("is missing prvAssignRole privilege (Id=836d6c7b-cf1d-47f0-8021-8e41091c489c) on OTC=1036 for entity 'role' (LocalizedName='Security Role')"),
            "{}",
            message(&refused)
        );
    }
    let roles = get(
        &format!("{}/systemusers({id})/systemuserroles_association", dv.api),
        &admin,
    )
    .await;
    assert_eq!(roles.body["value"], json!([]));
}

/// Bad requests get the Web API's errors (Microsoft's "Troubleshoot
/// Dataverse Web API client errors", docs/microsoft.md §10).
#[tokio::test]
async fn bad_setup_requests_get_dataverse_errors() {
    let s = start(world()).await;
    let dv = dataverse(&s);
    let admin = admin_token(&s, &dv.url).await;
    let root = dv.root_business_unit(&admin).await;
    let users = format!("{}/systemusers", dv.api);

    let unknown = json!({"applicationid": CONNECTOR, "businessunitid@odata.bind": format!("/businessunits({root})"), "nope": 1});
    let answer = post(&users, &admin, &unknown).await;
    assert_error(&answer, 400, "0x80048d19");
    assert!(message(&answer)
        .starts_with("Error identified in Payload provided by the user for Entity :'systemusers'"));
    assert!(message(&answer).ends_with(
        "Invalid property 'nope' was found in entity 'Microsoft.Dynamics.CRM.systemuser'."
    ));

    let typed = json!({"applicationid": "not-a-guid", "businessunitid@odata.bind": format!("/businessunits({root})")});
    let answer = post(&users, &admin, &typed).await;
    assert_error(&answer, 400, "0x80048d19");
    assert!(message(&answer)
        .contains("Cannot convert the literal 'not-a-guid' to the expected type 'Edm.Guid'."));

    let wrong_bind = json!({"applicationid": CONNECTOR, "parentsystemuserid@odata.bind": "/systemusers(00000000-0000-0000-0000-000000000001)"});
    let answer = post(&users, &admin, &wrong_bind).await;
    assert_error(&answer, 400, "0x80048d19");
    assert!(message(&answer).contains("An undeclared property 'parentsystemuserid'"));

    let no_unit = json!({"applicationid": CONNECTOR});
    assert_error(&post(&users, &admin, &no_unit).await, 400, "0x80040216");

    let nowhere = Uuid::nil();
    let answer = dv
        .create_application_user(&admin, CONNECTOR, &nowhere.to_string())
        .await;
    assert_error(&answer, 404, "0x80040217");
    assert_eq!(
        message(&answer),
        format!("businessunit With Id = {nowhere} Does Not Exist")
    );

    let id = entity_id(&dv.create_application_user(&admin, CONNECTOR, &root).await);
    let answer = dv.assign(&admin, &id, &nowhere.to_string()).await;
    assert_error(&answer, 404, "0x80040217");
    assert_eq!(
        message(&answer),
        format!("role With Id = {nowhere} Does Not Exist")
    );
    let reader = dv.role(&admin, "Service Reader", &root).await;
    let answer = dv.assign(&admin, &nowhere.to_string(), &reader).await;
    assert_error(&answer, 404, "0x80040217");
    assert_eq!(dv.assign(&admin, &id, &reader).await.status, 204);
    assert_error(&dv.assign(&admin, &id, &reader).await, 412, "0x80040237");

    // Entity set names are case-sensitive, as the troubleshooting page
    // shows with `Account`.
    let answer = get(&format!("{}/Account", dv.api), &admin).await;
    assert_error(&answer, 404, "0x8006088a");
    assert_eq!(
        message(&answer),
        "Resource not found for the segment 'Account'."
    );

    // A wrong method, as the troubleshooting page shows it.
    let answer = post(&format!("{}/WhoAmI", dv.api), &admin, &json!({})).await;
    assert_error(&answer, 404, "");
    assert_eq!(
        message(&answer),
        format!(
            "No HTTP resource was found that matches the request URI '{}/WhoAmI'.",
            dv.api
        )
    );
}

// ---------------------------------------------------------------- F&O

async fn fno(s: &SandboxHandle) -> (String, String) {
    let url = s.endpoints().fno_url.unwrap();
    let admin = admin_token(s, &url).await;
    (url, admin)
}

async fn add_entra_app(url: &str, token: &str, client_id: &str, user: &str) -> Answer {
    let body = json!({"AADClientId": client_id, "Name": "Contoso Connector", "UserId": user});
    post(&format!("{url}/data/SysAADClients"), token, &body).await
}

/// F&O's wrapped write error (docs/microsoft.md §10).
fn assert_write_failed(answer: &Answer, status: u16, infolog: &str) {
    assert_eq!(answer.status, status, "{:#}", answer.body);
    let error = &answer.body["error"];
    assert_eq!(error["message"], "An error has occurred.");
    assert_eq!(
        error["innererror"]["type"],
        "Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException"
    );
    let text = error["innererror"]["message"].as_str().unwrap();
    assert!(
        text.starts_with("Write failed for table row of type 'SysAADClientEntity'. Infolog: "),
        "{text}"
    );
    assert!(text.contains(infolog), "{text}");
}

/// `SystemUsers` and `SysAADClients` as d365bap.tools reads them
/// (docs/microsoft.md §10), in `$metadata` with the entity type the
/// community scripts name.
#[tokio::test]
async fn fno_lists_its_users_and_entra_apps() {
    let s = start(world()).await;
    let (url, admin) = fno(&s).await;
    let users = get(&format!("{url}/data/SystemUsers"), &admin).await;
    assert_eq!(users.status, 200, "{:#}", users.body);
    let ids: Vec<&str> = users.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["UserID"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["Admin", "clerk", "Integration"]);
    let one = get(
        &format!("{url}/data/SystemUsers?$filter=UserID%20eq%20'clerk'"),
        &admin,
    )
    .await;
    let clerk = &one.body["value"][0];
    assert_eq!(clerk["Alias"], CLERK_UPN);
    assert_eq!(clerk["UserName"], "CRONUS Clerk");
    assert_eq!(clerk["Enabled"], true);
    assert_eq!(clerk["NetworkDomain"], "https://sts.windows.net/");
    assert_eq!(clerk["AccountType"], "ClaimsUser");

    // The world's apps are on the page, as a service user.
    let apps = get(&format!("{url}/data/SysAADClients"), &admin).await;
    assert_eq!(apps.status, 200, "{:#}", apps.body);
    let listed = apps.body["value"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["AADClientId"], web_app(&s).as_str());
    assert_eq!(listed[0]["UserId"], "Integration");

    let xml = send(
        client()
            .get(format!("{url}/data/$metadata"))
            .bearer_auth(&admin),
    )
    .await;
    let xml = xml.body.as_str().unwrap().to_string();
    assert!(xml.contains(
        "<EntitySet Name=\"SysAADClients\" EntityType=\"Microsoft.Dynamics.DataEntities.SysAADClient\" />"
    ));
    assert!(xml.contains("<EntityType Name=\"SysAADClient\">"));
    assert!(xml.contains("<PropertyRef Name=\"AADClientId\" />"));
    assert!(xml.contains("<EntitySet Name=\"SystemUsers\""));
}

/// docs/microsoft.md §6: an app missing from the page gets 401; once an
/// administrator adds it (POST SysAADClients, 201 with the record), its
/// app-only token is accepted.
#[tokio::test]
async fn an_entra_app_mapping_lets_the_app_into_fno() {
    let s = start(world()).await;
    let (url, admin) = fno(&s).await;
    let app = connector_token(&s, &url).await;
    let customers = format!("{url}/data/CustomersV3?$top=1");
    assert_eq!(get(&customers, &app).await.status, 401);

    let added = add_entra_app(&url, &admin, CONNECTOR, "integration").await;
    assert_eq!(added.status, 201, "{:#}", added.body);
    assert_eq!(added.body["AADClientId"], CONNECTOR);
    assert_eq!(added.body["Name"], "Contoso Connector");
    assert_eq!(
        added.body["UserId"], "Integration",
        "the user's own spelling"
    );
    assert_eq!(
        added.body["@odata.context"],
        format!("{url}/data/$metadata#SysAADClients/$entity")
    );
    assert_eq!(
        added.headers["location"],
        format!("{url}/data/SysAADClients('{CONNECTOR}')").as_str()
    );

    let found = get(
        &format!("{url}/data/SysAADClients?$filter=AADClientId%20eq%20'{CONNECTOR}'"),
        &admin,
    )
    .await;
    assert_eq!(found.body["value"].as_array().unwrap().len(), 1);
    assert_eq!(found.body["value"][0]["UserId"], "Integration");

    let read = get(&customers, &app).await;
    assert_eq!(read.status, 200, "{:#}", read.body);
    assert_eq!(read.body["value"].as_array().unwrap().len(), 1);
}

/// The page refuses a user F&O does not have and a client ID it already
/// lists (d365bap.tools checks both first; the wording is F&O's for other
/// entities, ⚠ docs/microsoft.md §10).
#[tokio::test]
async fn fno_refuses_bad_entra_app_mappings() {
    let s = start(world()).await;
    let (url, admin) = fno(&s).await;
    let unknown = add_entra_app(&url, &admin, CONNECTOR, "nobody").await;
    assert_write_failed(
        &unknown,
        400,
        "Warning: The value 'nobody' in field 'User ID' is not found in the related table 'Users'.; Warning: validateField failed on field 'SysAADClientEntity.UserId'.",
    );
    let no_client = add_entra_app(&url, &admin, "", "Admin").await;
    assert_write_failed(&no_client, 400, "Field 'Client Id' must be filled in.");

    assert_eq!(
        add_entra_app(&url, &admin, CONNECTOR, "Admin").await.status,
        201
    );
    for client_id in [CONNECTOR.to_uppercase(), web_app(&s)] {
        let again = add_entra_app(&url, &admin, &client_id, "Admin").await;
        assert_write_failed(
            &again,
            500,
            &format!("Info: Cannot create a record in Microsoft Entra applications (SysAADClientTable). Client Id: {client_id}, Contoso Connector.\nThe record already exists.."),
        );
    }

    let odd =
        json!({"AADClientId": Uuid::new_v4().to_string(), "UserId": "Admin", "Enabled": true});
    let answer = post(&format!("{url}/data/SysAADClients"), &admin, &odd).await;
    assert_eq!(answer.status, 400, "{:#}", answer.body);
    assert_eq!(
        answer.body["error"]["innererror"]["type"],
        "Microsoft.OData.ODataException"
    );
    assert!(answer.body["error"]["innererror"]["message"]
        .as_str()
        .unwrap()
        .starts_with("The property 'Enabled' does not exist on type 'Microsoft.Dynamics.DataEntities.SysAADClient'."));

    let apps = get(&format!("{url}/data/SysAADClients"), &admin).await;
    assert_eq!(apps.body["value"].as_array().unwrap().len(), 3);
}

/// Only an F&O System administrator fills the page (docs/microsoft.md
/// §10): not a person without the role, not an app acting as its
/// service user.
#[tokio::test]
async fn only_fno_administrators_add_entra_apps() {
    let s = start(world()).await;
    let (url, admin) = fno(&s).await;
    let clerk = person_token(&s, &url, CLERK_UPN, CLERK_PASSWORD).await;
    let app = app_token_for(&s, &format!("{url}/.default")).await;
    for token in [&clerk, &app] {
        let refused = add_entra_app(&url, token, CONNECTOR, "Admin").await;
        assert_eq!(refused.status, 403, "{:#}", refused.body);
        assert_eq!(refused.body["error"]["message"], "Access denied.");
    }
    let apps = get(&format!("{url}/data/SysAADClients"), &admin).await;
    assert_eq!(apps.body["value"].as_array().unwrap().len(), 2);
}

/// docs/sandbox-fidelity.md §H6: `SysAADClients` is undocumented, so an
/// environment may not publish it; the switch takes it out of
/// `$metadata`, the service document and the URL space.
#[tokio::test]
async fn fno_can_lack_the_entra_apps_entity() {
    let s = start(world()).await;
    let (url, admin) = fno(&s).await;
    s.set_fno_sysaadclients(false);
    let xml = send(
        client()
            .get(format!("{url}/data/$metadata"))
            .bearer_auth(&admin),
    )
    .await;
    let xml = xml.body.as_str().unwrap().to_string();
    assert!(!xml.contains("SysAADClient"));
    assert!(xml.contains("<EntitySet Name=\"SystemUsers\""));
    let service = get(&format!("{url}/data/"), &admin).await;
    assert!(!service.body.to_string().contains("SysAADClients"));
    assert_eq!(
        get(&format!("{url}/data/SysAADClients"), &admin)
            .await
            .status,
        404
    );
    let refused = add_entra_app(&url, &admin, CONNECTOR, "Admin").await;
    assert_eq!(refused.status, 404);

    s.set_fno_sysaadclients(true);
    let xml = send(
        client()
            .get(format!("{url}/data/$metadata"))
            .bearer_auth(&admin),
    )
    .await;
    assert!(xml
        .body
        .as_str()
        .unwrap()
        .contains("Name=\"SysAADClients\""));
    assert_eq!(
        add_entra_app(&url, &admin, CONNECTOR, "Admin").await.status,
        201
    );
}
