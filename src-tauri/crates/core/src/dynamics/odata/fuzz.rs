//! Page bodies: generated pages read back row for row with their link and
//! count; damaged ones are explained errors, never a panic.

use proptest::prelude::*;
use serde_json::{json, Map, Value};

use super::*;
use d365_fixtures::text;

/// Column values as the products send them. No floats: serde_json need
/// not read a float back to the same bits, and rows are not compared here
/// for number formatting.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z@.]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn row() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map("(@odata\\.etag|[A-Za-z_][A-Za-z0-9_]{0,12})", value(), 0..6)
        .prop_map(|m| m.into_iter().collect())
}

fn next_link() -> impl Strategy<Value = String> {
    prop_oneof![
        "https://[a-z]{1,8}\\.example/data/[A-Za-z]{1,10}\\?\\$skiptoken=[A-Za-z0-9%'=]{0,20}",
        "[A-Za-z]{1,10}\\?\\$skip=[0-9]{1,5}",
        any::<String>(),
        Just("http://[::1".to_string()),
        Just("//".to_string()),
    ]
}

fn answer(body: Vec<u8>) -> Answer {
    Answer {
        body: body.into(),
        headroom: None,
    }
}

fn base() -> Url {
    Url::parse("https://x.example/data/CustomersV3?$top=5").unwrap_or_else(|e| panic!("{e}"))
}

fn captured() -> impl Strategy<Value = Vec<u8>> {
    prop::sample::select(vec![
        "bc/amplabs_read_customers_1-first-page.json",
        "bc/amplabs_read_balance-sheets_1-last-page.json",
        "bc/rebelpl_customers.json",
        "dataverse/docs_contacts_page1_maxpagesize2.json",
        "dataverse/amplabs_contacts-read.json",
    ])
    .prop_map(|f| text(f).into_bytes())
}

/// Bodies that are JSON but no page, or a page with numbers out of range.
fn odd() -> impl Strategy<Value = Vec<u8>> {
    prop::sample::select(vec![
        r#"{"value":{}}"#,
        r#"{"value":[1]}"#,
        r#"{"@odata.count":-1}"#,
        r#"{"@odata.count":18446744073709551616}"#,
        r#"{"@odata.count":1.5}"#,
        r#"{"@odata.nextLink":null,"value":[]}"#,
        r#"{"@odata.nextLink":5}"#,
        "[]",
        "null",
    ])
    .prop_map(|s| s.as_bytes().to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn generated_pages_read_back(
        rows in prop::collection::vec(row(), 0..5),
        link in prop::option::of(next_link()),
        count in prop::option::of(any::<u64>()),
        limited in any::<bool>(),
    ) {
        let mut body = json!({"@odata.context": "https://x.example/data/$metadata#CustomersV3", "value": rows});
        if let Some(link) = &link {
            body["@odata.nextLink"] = json!(link);
        }
        if let Some(count) = count {
            body["@odata.count"] = json!(count);
        }
        if limited {
            body["@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"] = json!(true);
        }
        let url = base();
        let page = read_page(Product::Dataverse, url.clone(), answer(body.to_string().into_bytes())).and_then(RawPage::into_page);
        match link.as_deref().map(|l| url.join(l)) {
            Some(Err(_)) => {
                let unexpected = matches!(page, Err(DataError::Unexpected { .. }));
                prop_assert!(unexpected, "a bad nextLink is an unexpected answer");
            }
            joined => {
                let page = page.map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(page.rows, rows);
                prop_assert_eq!(page.next, joined.and_then(Result::ok).map(Cursor));
                let counted = count.map(|n| if limited { RowCount::AtLeast(n) } else { RowCount::Exact(n) });
                prop_assert_eq!(page.count, counted);
            }
        }
    }

    #[test]
    fn damaged_pages_are_explained(body in prop_oneof![captured(), any::<Vec<u8>>(), odd()], cut in any::<prop::sample::Index>(), flip in any::<(prop::sample::Index, u8)>()) {
        let mut damaged = body;
        if !damaged.is_empty() {
            let at = flip.0.index(damaged.len());
            damaged[at] ^= flip.1;
            damaged.truncate(cut.index(damaged.len() + 1));
        }
        if let Err(e) = read_page(Product::BusinessCentral, base(), answer(damaged)).and_then(RawPage::into_page) {
            let p = crate::problem::Explain::explain(&e);
            prop_assert!(!p.message.is_empty() && !p.fix.is_empty());
        }
    }
}
