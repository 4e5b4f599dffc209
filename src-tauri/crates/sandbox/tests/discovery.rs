use d365_sandbox::Sandbox;

#[tokio::test]
async fn serves_a_tenant_discovery_document_on_loopback() {
    let sandbox = Sandbox::start(0).await.unwrap();
    assert!(sandbox.base().starts_with("http://127.0.0.1:"));
    let tenant = "contoso.onmicrosoft.com";
    let url = format!(
        "{}/{tenant}/v2.0/.well-known/openid-configuration",
        sandbox.authority()
    );
    let doc: serde_json::Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
    let t = format!("{}/{tenant}", sandbox.authority());
    assert_eq!(doc["issuer"], format!("{t}/v2.0"));
    assert_eq!(
        doc["authorization_endpoint"],
        format!("{t}/oauth2/v2.0/authorize")
    );
    assert_eq!(doc["token_endpoint"], format!("{t}/oauth2/v2.0/token"));
    assert_eq!(doc["id_token_signing_alg_values_supported"][0], "RS256");
}

#[tokio::test]
async fn stops_when_the_handle_is_dropped() {
    let sandbox = Sandbox::start(0).await.unwrap();
    let url = format!(
        "{}/common/v2.0/.well-known/openid-configuration",
        sandbox.authority()
    );
    drop(sandbox);
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
