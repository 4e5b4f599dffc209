//! The products' error bodies, JSON (BC, Dataverse, F&O's `innererror`)
//! and XML (BC's `NoEnvironment`): generated ones read back as written,
//! damaged ones give `None` or a body, never a panic.

use d365_core::dynamics::error::ErrorBody;
use proptest::prelude::*;
use quick_xml::escape::escape;
use serde_json::json;

use crate::mutate::{apply, edits};

fn text() -> impl Strategy<Value = String> {
    // No `\r`: XML reads `\r\n` as `\n` (XML 1.0 §2.11).
    prop_oneof!["[a-zA-Z0-9 .,:;'\"<>&()/_-]{0,40}", "[^\r]{0,20}"]
}

fn fixtures() -> impl Strategy<Value = Vec<u8>> {
    prop::sample::select(vec![
        "bc/amplabs_err-missing-environment.xml",
        "bc/amplabs_write_contacts_not-found.json",
        "bc/amplabs_read_balance-sheets_error-since.json",
        "dataverse/docs_webapi_error_with_annotations.json",
    ])
    .prop_map(d365_fixtures::bytes)
}

proptest! {
    #![proptest_config(config!(1024, "error_body"))]

    #[test]
    fn json_bodies_read_back(code in text(), message in text(), inner in prop::option::of(text()), annotated in any::<bool>()) {
        let mut error = json!({"code": code, "message": message});
        if let Some(inner) = &inner {
            error["innererror"] = json!({"message": inner, "type": "", "stacktrace": ""});
        }
        if annotated {
            error["@Microsoft.PowerApps.CDS.HelpLink"] = json!("http://go.microsoft.com/fwlink/?LinkID=398563");
        }
        let parsed = ErrorBody::parse(json!({"error": error}).to_string().as_bytes());
        // F&O's real message is the inner one, after its generic outer one.
        let message = match inner.filter(|i| !i.is_empty()) {
            Some(inner) => format!("{message} {inner}"),
            None => message,
        };
        prop_assert_eq!(parsed, Some(ErrorBody { code, message }));
    }

    #[test]
    fn xml_bodies_read_back(code in text(), message in text(), namespaced in any::<bool>()) {
        let (open, close) = if namespaced {
            ("<m:error xmlns:m=\"http://docs.oasis-open.org/odata/ns/metadata\"><m:code>", "</m:message></m:error>")
        } else {
            ("<?xml version=\"1.0\" encoding=\"utf-8\"?><error><code>", "</message></error>")
        };
        let middle = if namespaced { "</m:code><m:message>" } else { "</code><message>" };
        let body = format!("{open}{}{middle}{}{close}", escape(&code), escape(&message));
        let parsed = ErrorBody::parse(body.as_bytes());
        prop_assert_eq!(parsed, Some(ErrorBody { code: code.trim().into(), message: message.trim().into() }), "{}", body);
    }

    #[test]
    fn damaged_bodies_never_panic(body in prop_oneof![fixtures(), any::<Vec<u8>>()], edits in edits()) {
        let _ = ErrorBody::parse(&apply(body, &edits));
    }
}
