#![allow(clippy::unwrap_used)]
//! Business Central API v2.0 as the fixtures in tests/fixtures/bc show it.

mod common;

use common::*;
use serde_json::Value;

async fn get(
    s: &d365_sandbox::SandboxHandle,
    path: &str,
    token: &str,
) -> (u16, reqwest::header::HeaderMap, String) {
    let resp = client()
        .get(format!("{}/bc{path}", s.base()))
        .bearer_auth(token)
        .header("Prefer", "odata.maxpagesize=2")
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, headers, resp.text().await.unwrap())
}

fn api(s: &d365_sandbox::SandboxHandle) -> String {
    format!("/v2.0/{}/Production/api/v2.0", tenant(s))
}

async fn first_company(s: &d365_sandbox::SandboxHandle, token: &str) -> String {
    let (status, _, body) = get(s, &format!("{}/companies", api(s)), token).await;
    assert_eq!(status, 200, "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_same_shape(
        &body,
        &d365_fixtures::json("bc/rebelpl_companies.json"),
        "$",
    );
    body["value"][0]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn customers_page_like_the_fixture_with_an_opaque_next_link() {
    let s = demo().await;
    let token = app_token(&s).await;
    let company = first_company(&s, &token).await;
    let path = format!("{}/companies({company})/customers", api(&s));
    let (status, headers, body) = get(&s, &path, &token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["preference-applied"], "odata.maxpagesize=2");
    let page: Value = serde_json::from_str(&body).unwrap();
    let fixture = d365_fixtures::json("bc/amplabs_read_customers_1-first-page.json");
    assert_same_shape(&page, &fixture, "$");
    // Properties in $metadata order, like the real service.
    let keys: Vec<&String> = page["value"][0].as_object().unwrap().keys().collect();
    let expected: Vec<&String> = fixture["value"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys, expected);
    let next = page["@odata.nextLink"].as_str().unwrap();
    let last_id = page["value"][1]["id"].as_str().unwrap();
    assert!(
        next.ends_with(&format!("/customers?aid=FIN&$skiptoken={last_id}")),
        "{next}"
    );
    // Following the links walks every row exactly once.
    let second = client()
        .get(next)
        .bearer_auth(&token)
        .header("Prefer", "odata.maxpagesize=2")
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_ne!(second["value"][0]["id"], page["value"][0]["id"]);
    assert_ne!(second["value"][0]["id"], page["value"][1]["id"]);
}

#[tokio::test]
async fn query_options_filter_sort_select_count() {
    let s = demo().await;
    let token = app_token(&s).await;
    let company = first_company(&s, &token).await;
    let base = format!("{}/companies({company})/customers", api(&s));
    let q = "?$select=number,displayName,city&$filter=city%20eq%20'Atlanta'%20and%20(balanceDue%20gt%200%20or%20startswith(displayName,'A'))&$orderby=displayName%20desc&$count=true&$top=5";
    let (status, _, body) = get(&s, &format!("{base}{q}"), &token).await;
    assert_eq!(status, 200, "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    let rows = body["value"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "maxpagesize 2 applies within $top");
    assert!(body["@odata.count"].as_u64().unwrap() >= 2);
    assert!(body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("/customers(number,displayName,city)"));
    for row in rows {
        assert_eq!(row["city"], "Atlanta");
        assert_eq!(
            row.as_object().unwrap().len(),
            4,
            "etag + 3 selected: {row}"
        );
    }
    assert!(rows[0]["displayName"].as_str() >= rows[1]["displayName"].as_str());

    let (status, _, body) = get(&s, &format!("{base}?$filter=nope%20eq%201"), &token).await;
    assert_eq!(status, 400);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_same_shape(
        &body,
        &d365_fixtures::json("bc/amplabs_read_balance-sheets_error-since.json"),
        "$",
    );
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("Could not find a property named 'nope' on type 'Microsoft.NAV.customer'.  CorrelationId:  "), "{message}");

    let (status, _, body) = get(&s, &format!("{base}?$filter=city%20eq"), &token).await;
    assert_eq!(status, 400, "{body}");
    // ODL's own wording (Microsoft.OData.Core SRResources.UriQueryExpressionParser_ExpressionExpected).
    assert!(
        body.contains("Expression expected at position 7 in 'city eq'."),
        "{body}"
    );
}

#[tokio::test]
async fn the_real_page_size_is_twenty_thousand() {
    let s = demo().await;
    let token = app_token(&s).await;
    let company = first_company(&s, &token).await;
    let resp = client()
        .get(format!(
            "{}/bc{}/companies({company})/generalLedgerEntries?$select=entryNumber",
            s.base(),
            api(&s)
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["value"].as_array().unwrap().len(), 20_000);
    assert!(body["@odata.nextLink"].is_string());
}

#[tokio::test]
async fn errors_of_the_real_service() {
    let s = demo().await;
    let token = app_token(&s).await;
    // Unknown environment → the XML NoEnvironment error.
    let (status, _, body) = get(
        &s,
        &format!("/v2.0/{}/Sandbox2/api/v2.0/companies", tenant(&s)),
        &token,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        body.trim(),
        d365_fixtures::text("bc/amplabs_err-missing-environment.xml").trim()
    );
    // Unknown entity set.
    let company = first_company(&s, &token).await;
    let (status, _, body) = get(
        &s,
        &format!("{}/companies({company})/contact", api(&s)),
        &token,
    )
    .await;
    assert_eq!(status, 404);
    assert!(
        body.contains("\"BadRequest_ResourceNotFound\"") && body.contains("segment 'contact'"),
        "{body}"
    );
    // No token, and a token for another audience → 401.
    let (status, _, body) = get(&s, &format!("{}/companies", api(&s)), "not-a-jwt").await;
    assert_eq!(status, 401);
    assert!(body.contains("Authentication_InvalidCredentials"));
    let graph = app_token_for(&s, "https://graph.microsoft.com/.default").await;
    let (status, _, _) = get(&s, &format!("{}/companies", api(&s)), &graph).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn s2s_needs_the_app_registered_inside_bc() {
    let mut world = d365_sandbox::world::World::demo();
    world.apps[0].registered_in_product.clear();
    let s = start(world).await;
    let token = app_token(&s).await;
    let (status, headers, body) = get(&s, &format!("{}/companies", api(&s)), &token).await;
    assert_eq!(status, 401);
    assert_eq!(headers["www-authenticate"], "Bearer");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["error"]["code"], "Authentication_InvalidCredentials");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("The server has rejected the client credentials.  CorrelationId:  "));

    // Once an administrator adds it on BC's page, the same token works.
    let client_id = s.endpoints().demo.client_id.unwrap();
    s.register_in_product(
        client_id.parse().unwrap(),
        d365_sandbox::resources::Resource::BusinessCentral,
    );
    let (status, _, _) = get(&s, &format!("{}/companies", api(&s)), &token).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn environments_metadata_and_odatav4() {
    let s = demo().await;
    let token = app_token(&s).await;
    let (status, _, body) = get(&s, "/environments/v1.2", &token).await;
    assert_eq!(status, 200);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["value"][0]["name"], "Production");
    assert_eq!(body["value"][0]["aadTenantId"], tenant(&s));
    // The admin API needs AdminCenter.ReadWrite.All, which the demo app lacks.
    let (status, _, _) = get(
        &s,
        "/admin/v2.29/applications/BusinessCentral/environments",
        &token,
    )
    .await;
    assert_eq!(status, 403);
    // $metadata has the fixture's entity types, property for property.
    let (status, _, xml) = get(&s, &format!("{}/$metadata", api(&s)), &token).await;
    assert_eq!(status, 200);
    let fixture = d365_fixtures::text("bc/rebelpl_metadata.xml");
    for set in [
        "customers",
        "vendors",
        "items",
        "salesInvoices",
        "salesOrders",
        "purchaseInvoices",
        "accounts",
        "generalLedgerEntries",
        "employees",
        "currencies",
        "paymentTerms",
        "companies",
    ] {
        let needle = format!("<EntitySet Name=\"{set}\"");
        assert!(xml.contains(&needle) && fixture.contains(&needle), "{set}");
    }
    for line in xml
        .lines()
        .filter(|l| l.trim_start().starts_with("<Property "))
    {
        assert!(
            fixture.contains(line.trim().trim_end_matches(" />")),
            "not in the fixture: {line}"
        );
    }
    // OData V4 web services by company name (tenant taken from the token).
    let path = "/v2.0/Production/ODataV4/Company('CRONUS%20USA%2C%20Inc.')/Customers";
    let (status, _, body) = get(&s, path, &token).await;
    assert_eq!(status, 200, "{body}");
    let (status, _, _) = get(
        &s,
        "/v2.0/Production/ODataV4/Company('cronus%20usa%2C%20inc.')/Customers",
        &token,
    )
    .await;
    assert_eq!(status, 404, "company names are case-sensitive");
}

/// OData V4 web services are the pages published on BC's Web Services
/// page, not API v2.0's sets (docs/microsoft.md §5; *BC*
/// return-obtain-service-metadata-edmx-document.md: field names with
/// spaces as `_`, "Balance (LCY)" → `Balance_LCY`; the `Company` set's
/// shape, docs/sandbox-fidelity.md §L10).
#[tokio::test]
async fn odatav4_serves_the_published_pages_with_their_field_names() {
    let s = demo().await;
    let token = app_token(&s).await;
    let root = format!("/v2.0/{}/Production/ODataV4", tenant(&s));
    let (status, _, body) = get(&s, &format!("{root}/"), &token).await;
    assert_eq!(status, 200, "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    let names: Vec<&str> = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Company", "Customers", "Vendors", "Chart_of_Accounts"]
    );
    let (status, _, xml) = get(&s, &format!("{root}/$metadata"), &token).await;
    assert_eq!(status, 200);
    assert!(xml.contains("<Schema Namespace=\"NAV\""), "{xml}");
    assert!(xml.contains("<EntitySet Name=\"Customers\" EntityType=\"NAV.Customers\" />"));
    assert!(xml.contains("<Property Name=\"Balance_LCY\" Type=\"Edm.Decimal\" />"));
    assert!(
        !xml.contains("\"customers\""),
        "API sets are not web services"
    );

    let (_, _, companies) = get(&s, &format!("{root}/Company"), &token).await;
    let companies: Value = serde_json::from_str(&companies).unwrap();
    let cronus = &companies["value"][0];
    let keys: Vec<&String> = cronus.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "Name",
            "Evaluation_Company",
            "Display_Name",
            "Id",
            "Business_Profile_Id"
        ]
    );
    let id = cronus["Id"].as_str().unwrap();

    // The same customer through the page and through API v2.0.
    let (status, _, page) = get(&s, &format!("{root}/Company(Id={id})/Customers"), &token).await;
    assert_eq!(status, 200, "{page}");
    let page: Value = serde_json::from_str(&page).unwrap();
    let first = &page["value"][0];
    assert!(first["@odata.etag"].is_string());
    let api = format!("{}/companies({id})/customers?$top=1", api(&s));
    let (_, _, api_rows) = get(&s, &api, &token).await;
    let api_rows: Value = serde_json::from_str(&api_rows).unwrap();
    assert_eq!(first["No"], api_rows["value"][0]["number"]);
    assert_eq!(first["Name"], api_rows["value"][0]["displayName"]);
    assert_eq!(first["Balance_LCY"], api_rows["value"][0]["balanceDue"]);
    let next = page["@odata.nextLink"].as_str().unwrap();
    assert!(
        next.contains("/ODataV4/Company('CRONUS USA, Inc.')/Customers?"),
        "{next}"
    );

    // One record by its key, the page's `No`.
    let no = first["No"].as_str().unwrap();
    let one = format!("{root}/Company('CRONUS%20USA%2C%20Inc.')/Customers('{no}')");
    let (status, _, body) = get(&s, &one, &token).await;
    assert_eq!(status, 200, "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["Name"], first["Name"]);

    // Filters bind to the page's fields.
    let filtered = format!(
        "{root}/Company(Id={id})/Chart_of_Accounts?$filter=Income_Balance%20eq%20'Balance_Sheet'"
    );
    let (status, _, body) = get(&s, &filtered, &token).await;
    assert_eq!(status, 200, "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["value"][0]["Income_Balance"], "Balance_Sheet");
    let (status, _, _) = get(&s, &format!("{root}/Company(Id={id})/customers"), &token).await;
    assert_eq!(status, 404, "API v2.0 names are not published pages");
}

/// An environment publishes only what its administrator published.
#[tokio::test]
async fn an_environment_without_web_services_lists_only_the_company_set() {
    let mut world = d365_sandbox::world::World::demo();
    let bc = world.tenants[0].products.business_central.as_mut().unwrap();
    bc.environments[0].web_services = Some(vec![]);
    let s = start(world).await;
    let token = app_token(&s).await;
    let root = format!("/v2.0/{}/Production/ODataV4", tenant(&s));
    let (_, _, xml) = get(&s, &format!("{root}/$metadata"), &token).await;
    assert!(xml.contains("<EntitySet Name=\"Company\""));
    assert!(!xml.contains("<EntitySet Name=\"Customers\""), "{xml}");
    let path = format!("{root}/Company('CRONUS%20USA%2C%20Inc.')/Customers");
    let (status, _, _) = get(&s, &path, &token).await;
    assert_eq!(status, 404);
}

/// docs/sandbox-fidelity.md §H2: an app token needs API.ReadWrite.All
/// (*BC* automation-apis-using-s2s-authentication.md, docs/microsoft.md §5).
/// Without admin consent the token has no `roles`; BC's S2S refusals are
/// 401 `Authentication_InvalidCredentials` (microsoft/AL-Go#887; ⚠ the
/// answer to a token without roles is not captured).
#[tokio::test]
async fn an_app_token_without_api_readwrite_all_is_refused() {
    let mut world = d365_sandbox::world::World::demo();
    world.apps[0].admin_consent = false;
    let s = start(world).await;
    let token = app_token(&s).await;
    assert!(claims(&token).get("roles").is_none(), "{}", claims(&token));
    let (status, headers, body) = get(&s, &format!("{}/companies", api(&s)), &token).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(headers["www-authenticate"], "Bearer");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["error"]["code"], "Authentication_InvalidCredentials");
}

/// docs/sandbox-fidelity.md §H3: a registered app or user without a
/// permission set that reads data lists companies but is refused the
/// first entity read with 400 `Internal_ServerError`, body as captured in
/// MicrosoftDocs/dynamics365smb-devitpro-pb#1966 (docs/microsoft.md §5).
#[tokio::test]
async fn bc_permission_sets_decide_entity_reads() {
    let s = demo().await;
    let client_id = s.endpoints().demo.client_id.unwrap();
    s.set_bc_permission_sets(&client_id, &["D365 AUTOMATION"]);
    let token = app_token(&s).await;
    let company = first_company(&s, &token).await;
    for (set, page) in [
        ("customers", "APIV2 - Customers"),
        ("salesInvoices", "APIV2 - Sales Invoices"),
    ] {
        let path = format!("{}/companies({company})/{set}", api(&s));
        let (status, _, body) = get(&s, &path, &token).await;
        assert_eq!(status, 400, "{body}");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["error"]["code"], "Internal_ServerError");
        let message = body["error"]["message"].as_str().unwrap();
        let expected = format!(
            "You do not have the following permissions on Page {page}: Execute.\r\n\r\nTo view details about your permissions, see the Effective Permissions page."
        );
        assert!(message.starts_with(&expected), "{message}");
        assert!(message.contains("  CorrelationId:  "), "{message}");
    }
    // An unknown set is still "not found", not forbidden.
    let path = format!("{}/companies({company})/contact", api(&s));
    assert_eq!(get(&s, &path, &token).await.0, 404);

    // A set that reads data lets the same token through.
    s.set_bc_permission_sets(&client_id, &["D365 AUTOMATION", "D365 READ"]);
    let path = format!("{}/companies({company})/customers", api(&s));
    assert_eq!(get(&s, &path, &token).await.0, 200);

    // People too, by user name; other people keep their sets.
    let user = user_token(&s).await;
    assert_eq!(get(&s, &path, &user).await.0, 200);
    s.set_bc_permission_sets(&user_upn(&s), &[]);
    let (status, _, body) = get(&s, &path, &user).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("Page APIV2 - Customers: Execute."), "{body}");
    assert_eq!(get(&s, &path, &token).await.0, 200);
}

/// The same permission sets from a world file: an app's card and a
/// person's, as an administrator left them before the sandbox started.
#[tokio::test]
async fn a_world_file_sets_bc_permission_sets() {
    let mut world = d365_sandbox::world::World::demo();
    world.apps[0].bc_permission_sets = Some(vec!["D365 AUTOMATION".into()]);
    world.users[0].bc_permission_sets = Some(vec![]);
    let text = serde_json::to_string(&world).unwrap();
    assert!(
        text.contains(r#""bc_permission_sets":["D365 AUTOMATION"]"#),
        "{text}"
    );
    let world = d365_sandbox::world::World::from_json(&text).unwrap();
    let s = d365_sandbox::Sandbox::start(world).await.unwrap();
    let token = app_token(&s).await;
    let company = first_company(&s, &token).await;
    let path = format!("{}/companies({company})/customers", api(&s));
    assert_eq!(get(&s, &path, &token).await.0, 400);
    let user = user_token(&s).await;
    assert_eq!(get(&s, &path, &user).await.0, 400);
}

fn user_upn(s: &d365_sandbox::SandboxHandle) -> String {
    user(s).0
}

/// docs/sandbox-fidelity.md §M5: online, `odata.maxpagesize` may not exceed
/// 20,000 and going over the maximum page size is answered 413
/// (docs/microsoft.md §5, *BC* Server-Driven-Paging-in-OData-Web-Services.md,
/// operational-limits-online.md). ⚠ The body is not documented.
#[tokio::test]
async fn a_page_size_above_20000_is_413() {
    let s = demo().await;
    let token = app_token(&s).await;
    let company = first_company(&s, &token).await;
    let url = format!("{}/bc{}/companies({company})/customers", s.base(), api(&s));
    for (size, status) in [(20_000, 200), (20_001, 413)] {
        let resp = client()
            .get(&url)
            .bearer_auth(&token)
            .header("Prefer", format!("odata.maxpagesize={size}"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), status, "maxpagesize={size}");
    }
}
