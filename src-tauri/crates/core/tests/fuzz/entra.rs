//! Entra's errors: token-endpoint bodies read back as written, redirect
//! descriptions give their AADSTS code, and every diagnosis keeps Entra's
//! own words and IDs for the details.

use d365_core::identity::diagnose::{diagnose, EntraError};
use proptest::prelude::*;
use serde_json::{json, Value};

use crate::mutate::{apply, edits};

fn text() -> impl Strategy<Value = String> {
    prop_oneof!["[a-zA-Z0-9 .:'_-]{0,40}", any::<String>()]
}

/// Codes of the AADSTS table in docs/microsoft.md §3, plus any code at all.
fn code() -> impl Strategy<Value = u64> {
    prop_oneof![
        prop::sample::select(vec![
            50011u64, 500113, 700016, 7000215, 7000218, 65001, 90094, 50076, 53003, 70008, 9002326
        ]),
        any::<u64>(),
    ]
}

fn entra_error() -> impl Strategy<Value = EntraError> {
    let o = || prop::option::of(text());
    (
        prop_oneof![
            "invalid_(grant|client|request|scope)|access_denied|server_error",
            text()
        ],
        text(),
        prop::collection::vec(code(), 0..3),
        (o(), o(), o(), o()),
    )
        .prop_map(
            |(
                error,
                error_description,
                error_codes,
                (timestamp, trace_id, correlation_id, error_uri),
            )| EntraError {
                error,
                error_description,
                error_codes,
                timestamp,
                trace_id,
                correlation_id,
                error_uri,
            },
        )
}

fn fixtures() -> impl Strategy<Value = Vec<u8>> {
    prop::sample::select(vec![
        "entra/msal-dotnet_token_error_AADSTS500011_invalid_resource.json",
        "entra/msal-dotnet_token_error_AADSTS7000218_invalid_client.json",
        "entra/msal-dotnet_token_error_AADSTS70002_70008_invalid_grant.json",
        "entra/msal-dotnet_token_error_AADSTS90002_tenant_not_found.json",
        "entra/msal-dotnet_token_error_AADSTS90010_invalid_request.json",
    ])
    .prop_map(d365_fixtures::bytes)
}

/// Entra's words and every ID it gave are in the details.
fn check_diagnosis(e: &EntraError) -> Result<(), TestCaseError> {
    let d = diagnose(e);
    prop_assert!(!d.message.is_empty() && !d.fix.is_empty());
    let details = d.details.unwrap_or_default();
    let words = format!("{}: {}", e.error, e.error_description.trim());
    prop_assert!(details.starts_with(&words), "{details:?}");
    for id in [&e.trace_id, &e.correlation_id, &e.timestamp, &e.error_uri]
        .into_iter()
        .flatten()
    {
        prop_assert!(
            details.contains(id.as_str()),
            "{id:?} missing from {details:?}"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(config!(1024, "entra"))]

    #[test]
    fn token_error_bodies_read_back(e in entra_error(), extra in prop::collection::vec(("(claims|suberror|error_[a-z]{1,6})", text()), 0..3)) {
        let mut body = serde_json::to_value(&e).map_err(|err| TestCaseError::fail(err.to_string()))?;
        if let Value::Object(map) = &mut body {
            // Fields Entra adds that the app does not read.
            for (name, value) in extra {
                map.entry(name).or_insert(json!(value));
            }
        }
        let parsed = EntraError::from_json(&body.to_string());
        prop_assert_eq!(parsed.as_ref(), (!e.error.is_empty()).then_some(&e));
        check_diagnosis(&e)?;
    }

    #[test]
    fn a_redirect_description_gives_its_code(error in text(), code in code(), zeros in "0{0,3}", message in text()) {
        let description = format!("AADSTS{zeros}{code}: {message}");
        let e = EntraError::from_redirect(&error, Some(&description));
        prop_assert_eq!(e.code(), Some(code));
        prop_assert_eq!(&e.error_description, &description);
        check_diagnosis(&e)?;
    }

    #[test]
    fn any_redirect_is_diagnosed(error in text(), description in prop::option::of(prop_oneof![text(), "AADSTS[0-9]{0,30}[:a-z ]{0,3}"])) {
        let e = EntraError::from_redirect(&error, description.as_deref());
        // A code Entra did not write is never made up.
        if let Some(code) = e.code() {
            let digits = description.as_deref().unwrap_or_default()["AADSTS".len()..].trim_start_matches('0');
            prop_assert!(digits.starts_with(&code.to_string()) || code == 0, "{:?}", description);
        }
        check_diagnosis(&e)?;
    }

    #[test]
    fn damaged_token_errors_never_panic(body in fixtures(), edits in edits()) {
        let body = apply(body, &edits);
        if let Some(e) = EntraError::from_json(&String::from_utf8_lossy(&body)) {
            prop_assert!(!e.error.is_empty());
            check_diagnosis(&e)?;
        }
    }
}
