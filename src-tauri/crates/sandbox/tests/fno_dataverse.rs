#![allow(clippy::unwrap_used)]
//! F&O `/data` and Dataverse Web API v9.2 with Global Discovery.

mod common;

use common::*;
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
        3_000,
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
        &fixture_in("dataverse", "docs_whoami_response.json"),
        "$",
    );

    let (status, page) = get_json(
        &format!("{api}/contacts?$select=fullname"),
        &token,
        Some("odata.maxpagesize=2"),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let fixture = fixture_in("dataverse", "docs_contacts_page1_maxpagesize2.json");
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
    // $top: that many rows, no next link.
    let (_, top) = get_json(
        &format!("{api}/accounts?$top=7"),
        &token,
        Some("odata.maxpagesize=2"),
    )
    .await;
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

#[tokio::test]
async fn global_discovery_lists_the_tenants_environments() {
    let s = demo().await;
    let gd = s.endpoints().globaldisco;
    let token = app_token_for(&s, &format!("{gd}/.default")).await;
    let (status, body) = get_json(
        &format!("{gd}/api/discovery/v2.0/Instances?$select=ApiUrl,FriendlyName"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_same_shape(
        &body,
        &fixture_in(
            "dataverse",
            "docs_globaldisco_instances_select_response.json",
        ),
        "$",
    );
    assert_eq!(
        body["value"][0]["ApiUrl"],
        s.endpoints().dataverse_url.unwrap()
    );
}
