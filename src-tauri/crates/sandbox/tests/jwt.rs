//! Access tokens: claims shaped like Entra's v1.0 tokens, and verification
//! (signature, expiry, audience) as the Dynamics endpoints will use it.

mod common;

use common::*;
use d365_sandbox::tokens::TokenError;
use d365_sandbox::world::World;

#[tokio::test]
async fn user_tokens_carry_the_v1_claims() {
    let s = demo().await;
    let jwt = user_token(&s).await;
    let header: serde_json::Value = {
        use base64::Engine;
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(jwt.split('.').next().unwrap())
            .unwrap();
        serde_json::from_slice(&raw).unwrap()
    };
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["typ"], "JWT");
    assert_eq!(header["kid"], header["x5t"]);

    let ours = claims(&jwt);
    let fixture = d365_fixtures::json("entra/entra-docs_access_token_v1_payload.json");
    // A member's token has `upn` (the doc's sample user was a guest, with
    // `email`); `idtyp` is the newer token-type claim.
    let mut expected: Vec<String> = fixture
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| *k != "email")
        .cloned()
        .collect();
    expected.extend(["idtyp".to_string(), "upn".to_string()]);
    expected.sort();
    let mut actual: Vec<String> = ours.as_object().unwrap().keys().cloned().collect();
    actual.sort();
    assert_eq!(actual, expected);
    for (k, v) in fixture
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| *k != "email")
    {
        assert_eq!(
            std::mem::discriminant(&ours[k]),
            std::mem::discriminant(v),
            "type of {k}"
        );
    }
    assert_eq!(ours["ver"], "1.0");
    assert_eq!(ours["aud"], BC);
    assert_eq!(
        ours["iss"],
        format!("https://sts.windows.net/{}/", tenant(&s))
    );
    assert_eq!(ours["tid"], tenant(&s));
    assert_eq!(ours["upn"], "admin@cronus-demo.onmicrosoft.com");
    let (iat, exp) = (ours["iat"].as_i64().unwrap(), ours["exp"].as_i64().unwrap());
    // 60 to 90 minutes, docs/sandbox-fidelity.md §L5.
    assert!((3600..=5400).contains(&(exp - iat)), "{}", exp - iat);
}

#[tokio::test]
async fn verification_accepts_good_tokens_only() {
    let s = demo().await;
    let jwt = app_token(&s).await;
    assert!(s.verify_access_token(&jwt, BC).is_ok());
    assert!(s
        .verify_access_token(&jwt, "https://api.businesscentral.dynamics.com/")
        .is_ok());
    assert_eq!(
        s.verify_access_token(&jwt, "https://graph.microsoft.com")
            .unwrap_err(),
        TokenError::WrongAudience
    );
    // Same signature over a payload whose audience was changed.
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut payload = claims(&jwt);
    payload["roles"] = serde_json::json!(["AdminCenter.ReadWrite.All"]);
    use base64::Engine;
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload.to_string()),
        parts[2]
    );
    assert_eq!(
        s.verify_access_token(&forged, BC).unwrap_err(),
        TokenError::BadSignature
    );
    assert_eq!(
        s.verify_access_token("not.a.jwt", BC).unwrap_err(),
        TokenError::Malformed
    );
}

#[tokio::test]
async fn verification_rejects_expired_tokens() {
    let mut world = World::demo();
    world.lifetimes.access_token_seconds = 0;
    let s = start(world).await;
    let jwt = app_token(&s).await;
    // exp = iat; one second later it is in the past.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        s.verify_access_token(&jwt, BC).unwrap_err(),
        TokenError::Expired
    );
}

#[tokio::test]
async fn the_published_jwks_verifies_the_tokens() {
    let s = demo().await;
    let jwt = app_token(&s).await;
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
    let decoding = jsonwebtoken::DecodingKey::from_rsa_components(
        key["n"].as_str().unwrap(),
        key["e"].as_str().unwrap(),
    )
    .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[BC]);
    let data = jsonwebtoken::decode::<serde_json::Value>(&jwt, &decoding, &validation).unwrap();
    assert_eq!(data.header.kid.as_deref(), key["kid"].as_str());
}
