//! Discovery document, JWKS, handle lifetime and the binary's JSON line.

mod common;

use common::*;
use std::io::{BufRead, BufReader};

#[tokio::test]
async fn serves_the_tenant_discovery_document_shaped_like_the_real_one() {
    let s = demo().await;
    assert!(s.base().starts_with("http://127.0.0.1:"));
    // By domain, the endpoints still name the tenant GUID, as Entra's do.
    let url = format!(
        "{}/cronus-demo.onmicrosoft.com/v2.0/.well-known/openid-configuration",
        s.authority()
    );
    let doc: serde_json::Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
    assert_same_shape(
        &doc,
        &d365_fixtures::json("entra/msal-go_tenant_openid-configuration_v2.json"),
        "$",
    );
    let t = format!("{}/{}", s.authority(), tenant(&s));
    assert_eq!(doc["issuer"], format!("{t}/v2.0"));
    assert_eq!(
        doc["authorization_endpoint"],
        format!("{t}/oauth2/v2.0/authorize")
    );
    assert_eq!(doc["token_endpoint"], format!("{t}/oauth2/v2.0/token"));
    assert_eq!(doc["jwks_uri"], format!("{t}/discovery/v2.0/keys"));
    assert_eq!(doc["id_token_signing_alg_values_supported"][0], "RS256");

    let common: serde_json::Value = reqwest::get(format!(
        "{}/common/v2.0/.well-known/openid-configuration",
        s.authority()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(
        common["issuer"],
        format!("{}/{{tenantid}}/v2.0", s.authority())
    );
}

#[tokio::test]
async fn an_unknown_tenant_is_aadsts90002() {
    let s = demo().await;
    let resp = reqwest::get(format!(
        "{}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration",
        s.authority()
    ))
    .await
    .unwrap();
    assert_eq!(resp.status(), 400);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_entra_error(&body, 90002, "invalid_tenant");
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .contains("Tenant 'contoso.onmicrosoft.com' not found"));
    // Same keys as the fixture apart from the optional suberror and claims.
    let mut fixture =
        d365_fixtures::json("entra/msal-dotnet_token_error_AADSTS90002_tenant_not_found.json");
    let f = fixture.as_object_mut().unwrap();
    f.remove("suberror");
    f.remove("claims");
    f.insert("error_uri".into(), "x".into());
    assert_same_shape(&body, &fixture, "$");
}

#[tokio::test]
async fn publishes_the_signing_key() {
    let s = demo().await;
    let jwks: serde_json::Value = reqwest::get(format!(
        "{}/{}/discovery/v2.0/keys",
        s.authority(),
        tenant(&s)
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let key = &jwks["keys"][0];
    assert_eq!(key["kty"], "RSA");
    assert_eq!(key["use"], "sig");
    assert_eq!(key["kid"], key["x5t"]);
    assert_eq!(key["e"], "AQAB");
    assert!(key["x5c"][0].as_str().unwrap().len() > 500);
    assert_eq!(
        key["issuer"],
        format!("{}/{}/v2.0", s.authority(), tenant(&s))
    );
}

#[tokio::test]
async fn stops_when_the_handle_is_dropped() {
    let s = demo().await;
    let url = format!(
        "{}/common/v2.0/.well-known/openid-configuration",
        s.authority()
    );
    drop(s);
    // Graceful shutdown closes the listener; give the task a moment to run.
    let mut refused = false;
    for _ in 0..50 {
        if reqwest::get(&url).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        refused,
        "the sandbox kept serving after its handle was dropped"
    );
}

#[test]
fn the_binary_prints_one_json_line_with_urls_and_demo_credentials() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_d365-sandbox"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    let base = v["base"].as_str().unwrap();
    assert!(base.starts_with("http://127.0.0.1:"));
    assert_eq!(v["authority"], format!("{base}/entra"));
    assert_eq!(v["bc_api"], format!("{base}/bc"));
    assert_eq!(v["fno_url"], format!("{base}/fno/cronus-demo"));
    assert_eq!(v["dataverse_url"], format!("{base}/dataverse/cronus-demo"));
    assert_eq!(v["globaldisco"], format!("{base}/globaldisco"));
    let demo = &v["demo"];
    for key in [
        "tenant_id",
        "tenant_domain",
        "client_id",
        "client_secret",
        "public_client_id",
        "environment",
    ] {
        assert!(demo[key].is_string(), "demo.{key} missing: {line}");
    }
    assert_eq!(demo["tenant_domain"], "cronus-demo.onmicrosoft.com");
    assert_eq!(demo["environment"], "Production");
    assert_eq!(demo["user"]["upn"], "admin@cronus-demo.onmicrosoft.com");
}

#[test]
fn the_binary_refuses_a_bad_world_file() {
    let dir = std::env::temp_dir().join(format!("d365-sandbox-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("world.json");
    std::fs::write(&path, r#"{"tenants": []}"#).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_d365-sandbox"))
        .arg("--world")
        .arg(&path)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least one tenant"));
}
