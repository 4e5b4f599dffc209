#![allow(clippy::unwrap_used)]
//! F&O `/data` and Dataverse Web API v9.2 with Global Discovery.

mod common;

use common::*;
use d365_sandbox::SandboxHandle;
use reqwest::header::HeaderMap;
use serde_json::Value;

async fn get_json(url: &str, token: &str, prefer: Option<&str>) -> (u16, Value) {
    let mut req = client().get(url).bearer_auth(token);
    if let Some(p) = prefer {
        req = req.header("Prefer", p);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn fno_default_company_cross_company_and_paging() {
    let s = demo().await;
    let fno = s.endpoints().fno_url.unwrap();
    let token = app_token_for(&s, &format!("{fno}/.default")).await;
    let (status, body) = get_json(
        &format!("{fno}/data/CustomersV3?$count=true"),
        &token,
        Some("odata.maxpagesize=3"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let own = body["@odata.count"].as_u64().unwrap();
    assert!(body["value"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["dataAreaId"] == "usmf"));
    let (_, all) = get_json(
        &format!("{fno}/data/CustomersV3?cross-company=true&$count=true"),
        &token,
        None,
    )
    .await;
    assert!(all["@odata.count"].as_u64().unwrap() > own);
    assert_eq!(
        all["value"].as_array().unwrap().len(),
        6_000,
        "every row fits one 10,000-row page"
    );
    let (_, one) = get_json(
        &format!("{fno}/data/CustomersV3?cross-company=true&$filter=dataAreaId%20eq%20'demf'"),
        &token,
        Some("odata.maxpagesize=2"),
    )
    .await;
    assert!(one["value"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["dataAreaId"] == "demf"));
    let next = one["@odata.nextLink"].as_str().unwrap();
    assert!(
        next.contains("cross-company=true") && next.contains("$skiptoken="),
        "{next}"
    );
    let (status, page2) = get_json(next, &token, Some("odata.maxpagesize=2")).await;
    assert_eq!(status, 200);
    assert_ne!(
        page2["value"][0]["CustomerAccount"],
        one["value"][0]["CustomerAccount"]
    );
    let (status, entities) = get_json(&format!("{fno}/data/LegalEntities"), &token, None).await;
    assert_eq!(status, 200);
    assert_eq!(entities["value"].as_array().unwrap().len(), 4);
    // A BC token is for another audience.
    let bc = app_token(&s).await;
    let (status, _) = get_json(&format!("{fno}/data/CustomersV3"), &bc, None).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn fno_metadata_lists_the_catalog() {
    let s = demo().await;
    let fno = s.endpoints().fno_url.unwrap();
    let token = app_token_for(&s, &format!("{fno}/.default")).await;
    let resp = client()
        .get(format!("{fno}/data/$metadata"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let xml = resp.text().await.unwrap();
    assert!(xml.contains("<EntitySet Name=\"CustomersV3\" EntityType=\"Microsoft.Dynamics.DataEntities.CustomerV3\" />"));
    assert!(xml.matches("<EntitySet ").count() > 300);
}

#[tokio::test]
async fn dataverse_whoami_paging_cookie_and_no_skip() {
    let s = demo().await;
    let dv = s.endpoints().dataverse_url.unwrap();
    let token = app_token_for(&s, &format!("{dv}/.default")).await;
    let api = format!("{dv}/api/data/v9.2");
    let (status, who) = get_json(&format!("{api}/WhoAmI"), &token, None).await;
    assert_eq!(status, 200, "{who}");
    assert_same_shape(
        &who,
        &d365_fixtures::json("dataverse/docs_whoami_response.json"),
        "$",
    );

    let (status, page) = get_json(
        &format!("{api}/contacts?$select=fullname"),
        &token,
        Some("odata.maxpagesize=2"),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let fixture = d365_fixtures::json("dataverse/docs_contacts_page1_maxpagesize2.json");
    assert_same_shape(&page, &fixture, "$");
    let next = page["@odata.nextLink"].as_str().unwrap();
    assert!(
        next.contains("$skiptoken=%3Ccookie%20pagenumber%3D%222%22"),
        "{next}"
    );
    let (_, page2) = get_json(next, &token, Some("odata.maxpagesize=2")).await;
    assert!(page2["@odata.nextLink"]
        .as_str()
        .unwrap()
        .contains("pagenumber%3D%223%22"));
    assert_ne!(
        page2["value"][0]["contactid"],
        page["value"][0]["contactid"]
    );

    let (status, err) = get_json(&format!("{api}/accounts?$skip=10"), &token, None).await;
    assert_eq!(status, 400);
    assert_eq!(err["error"]["code"], "0x80060888");
    // $top alone: that many rows, no next link.
    let (_, top) = get_json(&format!("{api}/accounts?$top=7"), &token, None).await;
    assert_eq!(top["value"].as_array().unwrap().len(), 7);
    assert!(top.get("@odata.nextLink").is_none());

    let (_, defs) = get_json(
        &format!("{api}/EntityDefinitions?$select=LogicalName,EntitySetName"),
        &token,
        None,
    )
    .await;
    let sets: Vec<&str> = defs["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["EntitySetName"].as_str().unwrap())
        .collect();
    assert!(sets.contains(&"accounts") && sets.contains(&"contacts"));
    let (status, attrs) = get_json(
        &format!("{api}/EntityDefinitions(LogicalName='contact')/Attributes"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(attrs["value"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["LogicalName"] == "fullname"));

    let (status, _) = get_json(&format!("{api}/contacts"), "nope", None).await;
    assert_eq!(status, 401);
}

/// A Dataverse GET with optional `Prefer`, keeping the headers.
async fn dv_get(url: &str, token: &str, prefer: Option<&str>) -> (u16, HeaderMap, Value) {
    let mut req = client().get(url).bearer_auth(token);
    if let Some(p) = prefer {
        req = req.header("Prefer", p);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn dataverse_api(s: &SandboxHandle) -> (String, String) {
    let dv = s.endpoints().dataverse_url.unwrap();
    let token = app_token_for(s, &format!("{dv}/.default")).await;
    (format!("{dv}/api/data/v9.2"), token)
}

const BURST: &str = "x-ms-ratelimit-burst-remaining-xrm-requests";
const TIME: &str = "x-ms-ratelimit-time-remaining-xrm-requests";

fn burst(headers: &HeaderMap) -> u64 {
    headers[BURST].to_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn dataverse_answers_carry_the_service_protection_headers() {
    let s = demo().await;
    let (api, token) = dataverse_api(&s).await;
    let (status, first, _) = dv_get(&format!("{api}/WhoAmI"), &token, None).await;
    assert_eq!(status, 200);
    // A fresh window: this request is the first of 6,000.
    assert_eq!(burst(&first), 5_999);
    let time = first[TIME].to_str().unwrap();
    let (whole, hundredths) = time.split_once('.').unwrap();
    assert_eq!(hundredths.len(), 2, "{time}");
    let seconds: f64 = format!("{}.{hundredths}", whole.replace(',', ""))
        .parse()
        .unwrap();
    assert!((1_199.0..=1_200.0).contains(&seconds), "{time}");
    assert!(
        whole.starts_with("1,") || whole.len() <= 3,
        "thousands separator: {time}"
    );

    let (_, second, _) = dv_get(&format!("{api}/accounts?$top=1"), &token, None).await;
    assert_eq!(burst(&second), 5_998);
    let (_, third, _) = dv_get(&format!("{api}/EntityDefinitions"), &token, None).await;
    assert_eq!(burst(&third), 5_997);
    // A failed request counts too but does not report.
    let (status, failed, _) = dv_get(&format!("{api}/accounts?$skip=1"), &token, None).await;
    assert_eq!(status, 400);
    assert!(failed.get(BURST).is_none());
    let (_, after, _) = dv_get(&format!("{api}/WhoAmI"), &token, None).await;
    assert_eq!(burst(&after), 5_995);
    // Nobody to count without a token.
    let (status, anonymous, _) = dv_get(&format!("{api}/WhoAmI"), "nope", None).await;
    assert_eq!(status, 401);
    assert!(anonymous.get(BURST).is_none() && anonymous.get(TIME).is_none());
}

#[tokio::test]
async fn dataverse_counts_stop_at_5000_and_say_so_when_asked() {
    let s = demo().await;
    let (api, token) = dataverse_api(&s).await;
    // The demo world has 6,000 accounts.
    let (_, headers, plain) = dv_get(
        &format!("{api}/accounts?$count=true"),
        &token,
        Some("odata.maxpagesize=1"),
    )
    .await;
    assert_eq!(plain["@odata.count"], 5_000);
    assert!(plain
        .get("@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded")
        .is_none());
    assert!(!headers
        .get_all("preference-applied")
        .iter()
        .any(|v| v.to_str().unwrap().contains("include-annotations")));

    let wanted = "odata.maxpagesize=1, odata.include-annotations=\"Microsoft.Dynamics.CRM.totalrecordcount,Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded\"";
    let (status, headers, over) = dv_get(
        &format!("{api}/accounts?$select=name&$count=true"),
        &token,
        Some(wanted),
    )
    .await;
    assert_eq!(status, 200, "{over}");
    assert_eq!(over["@odata.count"], 5_000);
    assert_eq!(over["@Microsoft.Dynamics.CRM.totalrecordcount"], 5_000);
    assert_eq!(
        over["@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"],
        true
    );
    let keys: Vec<&String> = over.as_object().unwrap().keys().collect();
    assert_eq!(
        keys[..5],
        [
            "@odata.context",
            "@odata.count",
            "@Microsoft.Dynamics.CRM.totalrecordcount",
            "@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded",
            "value"
        ]
    );
    let applied: Vec<&str> = headers
        .get_all("preference-applied")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert!(applied.contains(&"odata.maxpagesize=1"), "{applied:?}");
    assert!(
        applied.iter().any(|v| v
            .starts_with("odata.include-annotations=\"Microsoft.Dynamics.CRM.totalrecordcount,")),
        "{applied:?}"
    );

    // Exact below the cap.
    let (_, _, exact) = dv_get(
        &format!("{api}/accounts?$count=true&$filter=accountnumber%20eq%20'ACC000007'"),
        &token,
        Some("odata.include-annotations=\"Microsoft.Dynamics.CRM.*\""),
    )
    .await;
    assert_eq!(exact["@odata.count"], 1);
    assert_eq!(exact["@Microsoft.Dynamics.CRM.totalrecordcount"], 1);
    assert_eq!(
        exact["@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"],
        false
    );
    let (_, _, units) = dv_get(&format!("{api}/businessunits?$count=true"), &token, None).await;
    assert_eq!(units["@odata.count"], 3);

    // Without $count the total is -1, like the captured contacts page.
    let (_, _, uncounted) = dv_get(
        &format!("{api}/contacts?$select=fullname"),
        &token,
        Some("odata.maxpagesize=2, odata.include-annotations=\"*\""),
    )
    .await;
    let captured = d365_fixtures::json("dataverse/amplabs_contacts-read.json");
    for name in [
        "@Microsoft.Dynamics.CRM.totalrecordcount",
        "@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded",
    ] {
        assert_eq!(uncounted[name], captured[name], "{name}");
    }
    assert!(uncounted.get("@odata.count").is_none());
}

fn label_text(label: &Value) -> &str {
    label["UserLocalizedLabel"]["Label"].as_str().unwrap()
}

#[tokio::test]
async fn dataverse_columns_have_the_real_display_names() {
    let s = demo().await;
    let (api, token) = dataverse_api(&s).await;
    let (status, _, attrs) = dv_get(
        &format!("{api}/EntityDefinitions(LogicalName='account')/Attributes"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{attrs}");
    let by_name = |name: &str| {
        attrs["value"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["LogicalName"] == name)
            .unwrap_or_else(|| panic!("no {name}"))
            .clone()
    };
    for (column, display) in [
        ("accountid", "Account"),
        ("name", "Account Name"),
        ("telephone1", "Main Phone"),
        ("emailaddress1", "Email"),
        ("address1_city", "Address 1: City"),
        ("address1_postalcode", "Address 1: ZIP/Postal Code"),
        ("revenue", "Annual Revenue"),
        ("industrycode", "Industry"),
        ("statecode", "Status"),
        ("statuscode", "Status Reason"),
        ("createdon", "Created On"),
    ] {
        let a = by_name(column);
        assert_eq!(label_text(&a["DisplayName"]), display, "{column}");
        assert_eq!(
            a["DisplayName"]["LocalizedLabels"][0],
            a["DisplayName"]["UserLocalizedLabel"]
        );
    }
    // The Label shape of the captured entity definition.
    let captured =
        d365_fixtures::json("dataverse/amplabs_metadata_contacts_entity-definition.json");
    assert_same_shape(
        &by_name("name")["DisplayName"],
        &captured["DisplayCollectionName"],
        "$",
    );
    assert_eq!(
        by_name("industrycode")["@odata.type"],
        "#Microsoft.Dynamics.CRM.PicklistAttributeMetadata"
    );
    assert_eq!(
        by_name("industrycode")["AttributeTypeName"]["Value"],
        "PicklistType"
    );
    assert_eq!(
        by_name("statuscode")["@odata.type"],
        "#Microsoft.Dynamics.CRM.StatusAttributeMetadata"
    );

    let (_, _, contact) = dv_get(&format!("{api}/EntityDefinitions(LogicalName='contact')/Attributes(LogicalName='parentcustomerid')"), &token, None).await;
    assert_eq!(label_text(&contact["DisplayName"]), "Company Name");
    assert!(contact["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("#EntityDefinitions('contact')/Attributes/$entity"));
}

#[tokio::test]
async fn dataverse_choice_columns_expand_their_option_sets() {
    let s = demo().await;
    let (api, token) = dataverse_api(&s).await;
    let contact = format!("{api}/EntityDefinitions(LogicalName='contact')/Attributes");
    for (cast, file) in [
        (
            "PicklistAttributeMetadata",
            "amplabs_metadata_contacts_options-picklists.json",
        ),
        (
            "StateAttributeMetadata",
            "amplabs_metadata_contacts_options-states.json",
        ),
        (
            "StatusAttributeMetadata",
            "amplabs_metadata_contacts_options-statuses.json",
        ),
    ] {
        let url = format!("{contact}/Microsoft.Dynamics.CRM.{cast}?$select=LogicalName&$expand=OptionSet($select=Options)");
        let (status, _, body) = dv_get(&url, &token, None).await;
        assert_eq!(status, 200, "{cast}: {body}");
        let captured = d365_fixtures::json(&format!("dataverse/{file}"));
        assert_same_shape(&body, &captured, cast);
        let context = |v: &Value| {
            v["@odata.context"]
                .as_str()
                .unwrap()
                .split_once("$metadata#")
                .unwrap()
                .1
                .to_string()
        };
        assert_eq!(context(&body), context(&captured));
    }
    let (_, _, marital) = dv_get(
        &format!("{contact}/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options)"),
        &token,
        None,
    )
    .await;
    let captured =
        d365_fixtures::json("dataverse/amplabs_metadata_contacts_options-picklists.json");
    let labels = |v: &Value, name: &str| -> Vec<String> {
        v["value"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["LogicalName"] == name)
            .unwrap()["OptionSet"]["Options"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| label_text(&o["Label"]).to_string())
            .collect()
    };
    assert_eq!(
        labels(&marital, "familystatuscode"),
        labels(&captured, "familystatuscode")
    );

    // The whole OptionSetMetadata, and GlobalOptionSet alike, for an account column.
    let account = format!("{api}/EntityDefinitions(LogicalName='account')/Attributes");
    let (status, _, picklists) = dv_get(
        &format!("{account}/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet,GlobalOptionSet"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{picklists}");
    let industry = picklists["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["LogicalName"] == "industrycode")
        .unwrap();
    assert_eq!(industry["OptionSet"]["Name"], "account_industrycode");
    assert_eq!(industry["OptionSet"]["OptionSetType"], "Picklist");
    assert_eq!(industry["OptionSet"]["IsGlobal"], false);
    assert_eq!(
        industry["OptionSet"]["Options"][0]["Label"]["UserLocalizedLabel"]["Label"],
        "Accounting"
    );
    assert_eq!(industry["GlobalOptionSet"], industry["OptionSet"]);
    assert!(picklists["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("PicklistAttributeMetadata(LogicalName,OptionSet,GlobalOptionSet)"));

    // One attribute by name, as "Reference Dataverse schema definitions by name" shows.
    let (status, _, one) = dv_get(
        &format!("{account}(LogicalName='customertypecode')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options)"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["LogicalName"], "customertypecode");
    assert_eq!(one["OptionSet"]["Options"].as_array().unwrap().len(), 12);
    assert!(one["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("/$entity"));

    // Rows hold option values the metadata knows.
    let (_, _, rows) = dv_get(
        &format!("{api}/accounts?$select=industrycode,customertypecode,statuscode&$top=50"),
        &token,
        None,
    )
    .await;
    for row in rows["value"].as_array().unwrap() {
        let industry = row["industrycode"].as_i64().unwrap();
        assert!((1..=33).contains(&industry), "{row}");
        assert_eq!(row["statuscode"], 1);
    }

    let (status, _, err) = dv_get(
        &format!("{account}/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$expand=Nope"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(err["error"]["code"], "0x80060888");
    let (status, _, _) = dv_get(
        &format!("{account}(LogicalName='name')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 404);
}

/// docs/sandbox-fidelity.md §M1: with `Prefer: odata.maxpagesize`, `$top`
/// is ignored and the service pages (docs/microsoft.md §7, *Dataverse*
/// webapi/query/page-results.md: "don't combine them").
#[tokio::test]
async fn dataverse_ignores_top_when_maxpagesize_is_sent() {
    let s = demo().await;
    let (api, token) = dataverse_api(&s).await;
    let (_, page, body) = dv_get(
        &format!("{api}/accounts?$top=7"),
        &token,
        Some("odata.maxpagesize=2"),
    )
    .await;
    assert_eq!(body["value"].as_array().unwrap().len(), 2, "{body}");
    assert!(body["@odata.nextLink"].is_string(), "{body}");
    assert_eq!(page["preference-applied"], "odata.maxpagesize=2");
}

/// docs/sandbox-fidelity.md §M4: F&O documents only server-driven pages of
/// at most 10,000 rows; with the switch on it ignores `maxpagesize`.
#[tokio::test]
async fn fno_can_ignore_maxpagesize() {
    let s = demo().await;
    let fno = s.endpoints().fno_url.unwrap();
    let token = app_token_for(&s, &format!("{fno}/.default")).await;
    let url = format!("{fno}/data/CustomersV3?cross-company=true");
    let (_, honoured) = get_json(&url, &token, Some("odata.maxpagesize=5")).await;
    assert_eq!(honoured["value"].as_array().unwrap().len(), 5);
    s.set_fno_ignores_maxpagesize(true);
    let (status, ignored) = get_json(&url, &token, Some("odata.maxpagesize=5")).await;
    assert_eq!(status, 200);
    assert_eq!(ignored["value"].as_array().unwrap().len(), 6_000);
    assert!(ignored.get("@odata.nextLink").is_none());
}

/// docs/sandbox-fidelity.md §M6: Global Discovery is documented only for a
/// calling user (docs/microsoft.md §7, *Dataverse* discovery-service.md);
/// an app-only token is refused (⚠ status and body not captured).
#[tokio::test]
async fn global_discovery_refuses_app_only_tokens() {
    let s = demo().await;
    let gd = s.endpoints().globaldisco;
    let token = app_token_for(&s, &format!("{gd}/.default")).await;
    let (status, body) =
        get_json(&format!("{gd}/api/discovery/v2.0/Instances"), &token, None).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "Forbidden");
}

#[tokio::test]
async fn global_discovery_lists_the_tenants_environments() {
    let s = demo().await;
    let gd = s.endpoints().globaldisco;
    let token = user_token_for(
        &s,
        &format!("{gd}/user_impersonation openid offline_access"),
    )
    .await;
    let (status, body) = get_json(
        &format!("{gd}/api/discovery/v2.0/Instances?$select=ApiUrl,FriendlyName"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_same_shape(
        &body,
        &d365_fixtures::json("dataverse/docs_globaldisco_instances_select_response.json"),
        "$",
    );
    assert_eq!(
        body["value"][0]["ApiUrl"],
        s.endpoints().dataverse_url.unwrap()
    );
}

/// docs/sandbox-fidelity.md §H1: an app-only token for an app with no
/// application user in the environment is refused with 403 `0x80072560`
/// (docs/microsoft.md §7: microsoft/PowerPlatform-DataverseServiceClient#5,
/// MicrosoftDocs/power-platform#2124; *Power Platform*
/// manage-application-users.md).
#[tokio::test]
async fn dataverse_refuses_an_app_without_an_application_user() {
    let mut world = d365_sandbox::world::World::demo();
    world.apps[0]
        .registered_in_product
        .retain(|p| *p != d365_sandbox::resources::Resource::Dataverse);
    let s = start(world).await;
    let (api, token) = dataverse_api(&s).await;
    for path in ["WhoAmI", "accounts?$top=1"] {
        let (status, _, body) = dv_get(&format!("{api}/{path}"), &token, None).await;
        assert_eq!(status, 403, "{path}: {body}");
        assert_eq!(
            body,
            serde_json::json!({"error": {"code": "0x80072560", "message": "The user is not a member of the organization."}})
        );
    }

    // Once the admin adds the application user, the same token reads.
    let client_id = s.endpoints().demo.client_id.unwrap();
    s.register_in_product(
        client_id.parse().unwrap(),
        d365_sandbox::resources::Resource::Dataverse,
    );
    let (status, _, body) = dv_get(&format!("{api}/WhoAmI"), &token, None).await;
    assert_eq!(status, 200, "{body}");
}
