//! `$filter` tests, and the customer type and rows the other OData tests
//! share.

use proptest::prelude::*;
use serde_json::{json, Value};

use super::*;
use crate::odata::{EdmType, Property};

/// A BC-like customer with a property of every EDM type.
pub(in crate::odata) fn customer() -> EntityType {
    let property = |name: &str, ty: EdmType| Property {
        name: name.into(),
        ty,
        nullable: true,
    };
    EntityType {
        namespace: "Microsoft.NAV".into(),
        name: "customer".into(),
        set_name: "customers".into(),
        key: vec!["id".into()],
        properties: vec![
            property("id", EdmType::Guid),
            property("number", EdmType::String),
            property("displayName", EdmType::String),
            property("type", EdmType::Enum("contactType".into())),
            property("city", EdmType::String),
            property("balanceDue", EdmType::Decimal),
            property("rate", EdmType::Double),
            property("taxLiable", EdmType::Boolean),
            property("lines", EdmType::Int32),
            property("big", EdmType::Int64),
            property("postingDate", EdmType::Date),
            property("lastModifiedDateTime", EdmType::DateTimeOffset),
        ],
    }
}

pub(in crate::odata) fn adatum() -> Row {
    row(json!({
        "@odata.etag": "W/\"JzE5OzgzMTM5MjY4MTQ1NzY2MDMzNDIxOzAwOyc=\"",
        "id": "55e545bc-f6f9-ef11-9344-6045bdc8c234",
        "number": "10000",
        "displayName": "Adatum Corporation",
        "type": "Company",
        "city": "Atlanta",
        "balanceDue": 1200.5,
        "rate": 0.25,
        "taxLiable": true,
        "lines": 3,
        "big": 9_007_199_254_740_993_i64,
        "postingDate": "2024-01-15",
        "lastModifiedDateTime": "2025-03-05T19:19:22.273Z"
    }))
}

pub(in crate::odata) fn trey() -> Row {
    row(json!({
        "@odata.etag": "W/\"JzE5OzUxMjE0Nzc3NzkwMzgwODUyMDkxOzAwOyc=\"",
        "id": "5de545bc-f6f9-ef11-9344-6045bdc8c234",
        "number": "20000",
        "displayName": "Trey Research",
        "type": "Person",
        "city": null,
        "balanceDue": 0,
        "rate": null,
        "taxLiable": false,
        "lines": -2,
        "big": 1,
        "postingDate": "2023-12-31",
        "lastModifiedDateTime": "2025-03-05T20:19:22+01:00"
    }))
}

pub(in crate::odata) fn row(value: Value) -> Row {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// Which of adatum and trey pass.
fn passing(text: &str) -> (bool, bool) {
    let expr = parse(text, &customer()).unwrap_or_else(|e| panic!("{text}: {e}"));
    (expr.matches(&adatum()), expr.matches(&trey()))
}

fn error(text: &str) -> String {
    match parse(text, &customer()) {
        Ok(expr) => panic!("{text} parsed: {expr:?}"),
        Err(e) => e.message,
    }
}

#[test]
fn comparison_operators_on_every_type() {
    let both = (true, true);
    let adatum_only = (true, false);
    let trey_only = (false, true);
    for (text, expected) in [
        ("number eq '10000'", adatum_only),
        ("number ne '10000'", trey_only),
        ("number gt '10000'", trey_only),
        ("number ge '10000'", both),
        ("number lt '20000'", adatum_only),
        ("number le '20000'", both),
        ("balanceDue gt 1200", adatum_only),
        ("balanceDue eq 1200.5", adatum_only),
        ("balanceDue eq 1200.50m", adatum_only),
        ("balanceDue eq 0", trey_only),
        ("lines lt 0", trey_only),
        ("lines ge -2", both),
        ("big eq 9007199254740993", adatum_only),
        ("big eq 9007199254740992", (false, false)),
        ("rate eq 0.25d", adatum_only),
        ("taxLiable eq true", adatum_only),
        ("taxLiable ne true", trey_only),
        ("taxLiable", adatum_only),
        ("id eq 55e545bc-f6f9-ef11-9344-6045bdc8c234", adatum_only),
        ("id eq 55E545BC-F6F9-EF11-9344-6045BDC8C234", adatum_only),
        ("postingDate ge 2024-01-01", adatum_only),
        ("postingDate lt 2024-1-1", trey_only),
        ("lastModifiedDateTime gt 2025-03-05T19:19:22Z", adatum_only),
        (
            "lastModifiedDateTime eq 2025-03-05T19:19:22.273Z",
            adatum_only,
        ),
        // trey's is 19:19:22 UTC, written with an offset.
        ("lastModifiedDateTime eq 2025-03-05T19:19:22Z", trey_only),
        (
            "lastModifiedDateTime le 2025-03-05T20:19:22+01:00",
            trey_only,
        ),
        ("lastModifiedDateTime lt 2025-03-05T19:20Z", both),
        // A date against a date-time is its UTC midnight.
        ("lastModifiedDateTime gt 2025-03-05", both),
        ("postingDate lt 2024-01-15T00:00:01Z", both),
        ("type eq 'Company'", adatum_only),
        ("type ne 'Company'", trey_only),
        ("type eq Microsoft.NAV.contactType'Person'", trey_only),
        ("12:30:00 eq 12:30", both),
        ("number eq displayName", (false, false)),
    ] {
        assert_eq!(passing(text), expected, "{text}");
    }
}

#[test]
fn strings_compare_ignoring_case_and_escape_quotes() {
    assert_eq!(
        passing("displayName eq 'ADATUM corporation'"),
        (true, false)
    );
    assert_eq!(passing("displayName gt 'b'"), (false, true));
    assert_eq!(passing("contains(displayName,'CORP')"), (true, false));
    assert_eq!(passing("startswith(displayName,'trey')"), (false, true));
    assert_eq!(passing("endswith(displayName,'Research')"), (false, true));
    assert_eq!(
        passing("tolower(displayName) eq 'trey research'"),
        (false, true)
    );
    assert_eq!(passing("toupper(city) eq 'ATLANTA'"), (true, false));
    assert_eq!(
        passing("contains(tolower(displayName),toupper('a'))"),
        (true, true)
    );
    let quoted = parse("displayName eq 'O''Brien'", &customer()).unwrap();
    assert!(quoted.matches(&row(json!({"displayName": "O'Brien"}))));
    assert_eq!(passing("displayName eq ''"), (false, false));
}

#[test]
fn nulls_follow_the_lifted_operator_rules() {
    assert_eq!(passing("city eq null"), (false, true));
    assert_eq!(passing("null eq city"), (false, true));
    assert_eq!(passing("city ne null"), (true, false));
    assert_eq!(passing("city ne 'Atlanta'"), (false, true));
    assert_eq!(passing("city gt 'A'"), (true, false));
    assert_eq!(passing("city lt 'A'"), (false, false));
    assert_eq!(passing("rate ge 0"), (true, false));
    assert_eq!(passing("contains(city,'x')"), (false, false));
    // not(null) stays null, which does not pass.
    assert_eq!(passing("not contains(city,'x')"), (true, false));
    assert_eq!(
        passing("contains(city,'x') or taxLiable eq false"),
        (false, true)
    );
    assert_eq!(passing("null eq null"), (true, true));
    assert_eq!(passing("null"), (false, false));
    assert_eq!(passing("type ne null"), (true, true));
}

#[test]
fn precedence_is_not_then_comparison_then_and_then_or() {
    // or < and: true or (false and false)
    assert_eq!(
        passing("taxLiable or taxLiable and lines lt -5"),
        (true, false)
    );
    assert_eq!(
        passing("(taxLiable or lines lt 0) and lines lt -5"),
        (false, false)
    );
    // `not` binds to the operand, before `eq`: (not taxLiable) eq false.
    assert_eq!(passing("not taxLiable eq false"), (true, false));
    assert_eq!(passing("not (lines eq 3)"), (false, true));
    assert_eq!(passing("not not taxLiable"), (true, false));
    assert_eq!(passing("-lines eq 2"), (false, true));
    assert_eq!(passing("-(lines) gt 0"), (false, true));
    assert_eq!(passing("((number eq '10000'))"), (true, false));
    assert_eq!(
        error("not number eq '10000'"),
        "A unary operator with an incompatible type was detected. Found operand type 'Edm.String' for operator kind 'Not'."
    );
    assert_eq!(
        error("-city eq 'x'"),
        "A unary operator with an incompatible type was detected. Found operand type 'Edm.String' for operator kind 'Negate'."
    );
}

#[test]
fn syntax_errors_name_odl_positions() {
    for (text, message) in [
        ("city eq", "Expression expected at position 7 in 'city eq'."),
        ("", "Expression expected at position 0 in ''."),
        ("city eq 'x' foo", "Syntax error at position 15 in 'city eq 'x' foo'."),
        ("city EQ 'x'", "Syntax error at position 7 in 'city EQ 'x''."),
        ("contains (city,'x')", "Syntax error at position 10 in 'contains (city,'x')'."),
        ("city eq 'abc", "There is an unterminated string literal at position 12 in 'city eq 'abc'."),
        ("city eq 'ab''", "There is an unterminated string literal at position 13 in 'city eq 'ab'''."),
        // The example Dataverse's documentation quotes (filter-rows.md).
        ("lastname eq 'O'Bryan'", "There is an unterminated literal at position 21 in 'lastname eq 'O'Bryan''."),
        ("city eq #", "Syntax error: character '#' is not valid at position 8 in 'city eq #'."),
        ("city eq @p", "Syntax error: character '@' is not valid at position 8 in 'city eq @p'."),
        ("balanceDue gt 1.", "A digit was expected at position 16 in 'balanceDue gt 1.'."),
        ("balanceDue gt 1e", "A digit was expected at position 16 in 'balanceDue gt 1e'."),
        ("(city eq 'x'", "')' or operator expected at position 12 in '(city eq 'x''."),
        ("contains(city,'x'", "')' or ',' expected at position 17 in 'contains(city,'x''."),
        ("lines/any x", "'(' expected at position 10 in 'lines/any x'."),
        ("lines/any(1: true)", "An identifier was expected at position 10."),
        ("lines/any(l true)", "Syntax error at position 16 in 'lines/any(l true)'."),
        ("lines/any(l: true", "')' or ',' expected at position 17 in 'lines/any(l: true'."),
        ("'a'/b eq 1", "An identifier was expected at position 0."),
        ("city/'a' eq 1", "Syntax error at position 8 in 'city/'a' eq 1'."),
        ("city eq null'x'", "Syntax error at position 12 in 'city eq null'x''."),
        ("city eq x'abc", "There is an unterminated literal at position 13 in 'city eq x'abc'."),
        ("city eq [1,2", "Found an unbalanced bracket expression."),
        ("balanceDue gt - 5", "Unrecognized 'Edm.Int32' literal '- ' at '14' in 'balanceDue gt - 5'."),
        ("city eq duration'P1D'", "Unrecognized 'Edm.Duration' literal 'duration'P1D'' at '8' in 'city eq duration'P1D''."),
        ("city eq x'00'", "Unrecognized 'Edm.String' literal 'x'00'' at '8' in 'city eq x'00''."),
        ("big eq 99999999999999999999L", "Unrecognized 'Edm.Int64' literal '99999999999999999999L' at '7' in 'big eq 99999999999999999999L'."),
        // Positions count UTF-16 code units, as .NET strings do.
        ("city eq '😀", "There is an unterminated string literal at position 11 in 'city eq '😀'."),
    ] {
        assert_eq!(error(text), message, "{text}");
    }
}

#[test]
fn errors_carry_their_position() {
    let e = parse("city eq 'x' foo", &customer()).unwrap_err();
    assert_eq!(e.position, Some(15));
    let e = parse("nope eq 1", &customer()).unwrap_err();
    assert_eq!(e.position, None);
}

#[test]
fn date_time_literals_need_an_offset() {
    let format = "should be in format 'yyyy-mm-ddThh:mm:ss('.'s+)?(zzzzzz)?' and each field value is within valid range.";
    assert_eq!(
        error("lastModifiedDateTime gt 2025-03-05T19:19:22"),
        format!("The DateTimeOffset text '2025-03-05T19:19:22' {format}")
    );
    assert_eq!(
        error("lastModifiedDateTime gt 2025-13-05T19:19:22Z"),
        format!("The DateTimeOffset text '2025-13-05T19:19:22Z' {format}")
    );
    assert!(parse(
        "lastModifiedDateTime gt 2025-03-05T19:19:22.1234567-08:00",
        &customer()
    )
    .is_ok());
    // Not shaped like a date-time: the lexer reads other tokens.
    assert_eq!(
        error("lines eq 2025-03"),
        "Syntax error at position 16 in 'lines eq 2025-03'."
    );
}

#[test]
fn binding_errors_are_odl_texts() {
    for (text, message) in [
        ("nope eq 1", "Could not find a property named 'nope' on type 'Microsoft.NAV.customer'."),
        ("Number eq '1'", "Could not find a property named 'Number' on type 'Microsoft.NAV.customer'."),
        ("city/foo eq 1", "Could not find a property named 'foo' on type 'Edm.String'."),
        ("nope/foo eq 1", "Could not find a property named 'nope' on type 'Microsoft.NAV.customer'."),
        ("salesLines/any(l: l/amount gt 1)", "Could not find a property named 'salesLines' on type 'Microsoft.NAV.customer'."),
        ("lines/all(l: l gt 1)", "Any/All may only be used following a collection."),
        ("lines/any()", "Any/All may only be used following a collection."),
        ("id eq '55e545bc-f6f9-ef11-9344-6045bdc8c234'", "A binary operator with incompatible types was detected. Found operand types 'Edm.Guid' and 'Edm.String' for operator kind 'Equal'."),
        ("city eq 5", "A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Int32' for operator kind 'Equal'."),
        ("city ne 2147483648", "A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Int64' for operator kind 'NotEqual'."),
        ("city gt 5.5", "A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Single' for operator kind 'GreaterThan'."),
        ("city ge 0.1234567891", "A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Double' for operator kind 'GreaterThanOrEqual'."),
        ("city lt 3258.678765765489753678965390", "A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Decimal' for operator kind 'LessThan'."),
        ("city le 5m", "A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Decimal' for operator kind 'LessThanOrEqual'."),
        ("city eq 5L", "A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Int64' for operator kind 'Equal'."),
        ("city eq 5f", "A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Single' for operator kind 'Equal'."),
        ("city eq 5d", "A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Double' for operator kind 'Equal'."),
        ("city eq true", "A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Boolean' for operator kind 'Equal'."),
        ("postingDate eq 12:00", "A binary operator with incompatible types was detected. Found operand types 'Edm.Date' and 'Edm.TimeOfDay' for operator kind 'Equal'."),
        ("rate lt 1m", "A binary operator with incompatible types was detected. Found operand types 'Edm.Double' and 'Edm.Decimal' for operator kind 'LessThan'."),
        ("rate eq balanceDue", "A binary operator with incompatible types was detected. Found operand types 'Edm.Double' and 'Edm.Decimal' for operator kind 'Equal'."),
        ("type gt 'Company'", "A binary operator with incompatible types was detected. Found operand types 'Microsoft.NAV.contactType' and 'Edm.String' for operator kind 'GreaterThan'."),
        ("type gt null", "A binary operator with incompatible types was detected. Found operand types 'Microsoft.NAV.contactType' and '<null>' for operator kind 'GreaterThan'."),
        ("type eq true", "A binary operator with incompatible types was detected. Found operand types 'Microsoft.NAV.contactType' and 'Edm.Boolean' for operator kind 'Equal'."),
        ("city and taxLiable", "A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Boolean' for operator kind 'And'."),
        ("taxLiable or taxLiable or lines", "A binary operator with incompatible types was detected. Found operand types 'Edm.Boolean' and 'Edm.Int32' for operator kind 'Or'."),
        ("city", "The $filter expression must evaluate to a single boolean value."),
        ("tolower(city)", "The $filter expression must evaluate to a single boolean value."),
        ("length(city) eq 3", "An unknown function with name 'length' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed."),
        ("Contains(city,'a')", "An unknown function with name 'Contains' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed."),
        ("Microsoft.Dynamics.CRM.Today(PropertyName='createdon')", "An unknown function with name 'Microsoft.Dynamics.CRM.Today' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed."),
        ("Microsoft.Dynamics.CRM.In(PropertyName='city',PropertyValues=[\"a\",\"b\"])", "An unknown function with name 'Microsoft.Dynamics.CRM.In' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed."),
        ("contains(balanceDue,'1')", "No function signature for the function with name 'contains' matches the specified arguments. The function signatures considered are: contains(Edm.String Nullable=true, Edm.String Nullable=true)."),
        ("startswith(city)", "No function signature for the function with name 'startswith' matches the specified arguments. The function signatures considered are: startswith(Edm.String Nullable=true, Edm.String Nullable=true)."),
        ("tolower(city,'x') eq 'a'", "No function signature for the function with name 'tolower' matches the specified arguments. The function signatures considered are: tolower(Edm.String Nullable=true)."),
        ("endswith()", "No function signature for the function with name 'endswith' matches the specified arguments. The function signatures considered are: endswith(Edm.String Nullable=true, Edm.String Nullable=true)."),
        ("contains(null)", "Cannot find a suitable overload for function 'contains' that takes '1' arguments."),
        ("type eq Microsoft.NAV.blocked'All'", "The string 'Microsoft.NAV.blocked'All'' is not a valid enumeration type constant."),
        ("Microsoft.NAV.customer", "The child type 'Microsoft.NAV.customer' in a cast was not an entity type. Casts can only be performed on entity types."),
        ("*", "An unsupported query token kind 'Star' was found."),
    ] {
        assert_eq!(error(text), message, "{text}");
    }
}

#[test]
fn null_arguments_bind_to_any_signature() {
    assert_eq!(passing("contains(null,null)"), (false, false));
    assert_eq!(passing("startswith(city,null)"), (false, false));
    assert_eq!(passing("city eq tolower(null)"), (false, true));
}

#[test]
fn numbers_compare_across_types() {
    assert_eq!(passing("lines eq 3.0"), (true, false));
    assert_eq!(passing("balanceDue gt 1200.49999"), (true, false));
    assert_eq!(passing("big gt lines"), (true, true));
    assert_eq!(passing("rate lt 1"), (true, false));
    assert_eq!(passing("lines eq -2L"), (false, true));
}

#[test]
fn the_tree_stays_shallow_and_deep_nesting_is_refused() {
    let long_or = vec!["number eq 'x'"; 5000].join(" or ") + " or number eq '10000'";
    assert_eq!(passing(&long_or), (true, false));
    let nested = format!("{}taxLiable{}", "(".repeat(1000), ")".repeat(1000));
    assert_eq!(error(&nested), "Recursion depth exceeded allowed limit.");
    let nots = format!("{}taxLiable", "not ".repeat(1000));
    assert_eq!(error(&nots), "Recursion depth exceeded allowed limit.");
    let chained = format!("taxLiable{}", " eq true".repeat(1000));
    assert_eq!(error(&chained), "Recursion depth exceeded allowed limit.");
    assert_eq!(
        passing(&format!("{}taxLiable{}", "(".repeat(50), ")".repeat(50))),
        (true, false)
    );
}

#[test]
fn unsuffixed_numbers_get_odl_best_guess_types() {
    let kind = |text: &str| Lexer::new(text, true).unwrap().kind();
    assert_eq!(kind("2147483647"), Kind::Int32);
    assert_eq!(kind("-2147483648"), Kind::Int32);
    assert_eq!(kind("2147483648"), Kind::Int64);
    assert_eq!(kind("99999999999999999999"), Kind::Decimal);
    assert_eq!(kind("1.5"), Kind::Single);
    assert_eq!(kind("12.3"), Kind::Single);
    assert_eq!(kind("1.10"), Kind::Single);
    assert_eq!(kind("0.1234567891"), Kind::Double);
    assert_eq!(kind("1e5"), Kind::Single);
    assert_eq!(kind("1e39"), Kind::Double);
    assert_eq!(kind("2024-02-29"), Kind::Date);
    assert_eq!(kind("2023-02-29"), Kind::Int32);
    assert_eq!(kind("12:30:15.1234567"), Kind::TimeOfDay);
    assert_eq!(kind("24:00"), Kind::Int32);
    assert_eq!(kind("55e545bc-f6f9-ef11-9344-6045bdc8c234"), Kind::Guid);
    assert_eq!(kind("e545bc00-f6f9-ef11-9344-6045bdc8c234"), Kind::Guid);
    assert_eq!(kind("-5"), Kind::Int32);
    assert_eq!(kind("- 5"), Kind::Minus);
}

/// Fragments that make up plausible and implausible filters.
fn fragment() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "city",
        "lines",
        "id",
        "type",
        "postingDate",
        "lastModifiedDateTime",
        "taxLiable",
        " ",
        "eq",
        "ne",
        "gt",
        "and",
        "or",
        "not",
        "(",
        ")",
        ",",
        "/",
        ".",
        "'",
        "'x'",
        "''",
        "-",
        "1",
        "1.5",
        "5m",
        "null",
        "true",
        "2024-01-01",
        "2025-03-05T19:19:22Z",
        "55e545bc-f6f9-ef11-9344-6045bdc8c234",
        "12:30",
        "contains(",
        "tolower(",
        "any(",
        "x:",
        "Microsoft.NAV.contactType'Company'",
        "[",
        "]",
        "{",
        "}",
        "\"",
        "@",
        "*",
        "😀",
        "=",
        ";",
        "duration'P1D'",
        "e",
        "L",
    ])
}

proptest! {
    #[test]
    fn parsing_and_matching_never_panic(fragments in prop::collection::vec(fragment(), 0..24)) {
        let text = fragments.concat();
        if let Ok(expr) = parse(&text, &customer()) {
            expr.matches(&adatum());
            expr.matches(&trey());
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,64}") {
        let _ = parse(&text, &customer());
    }
}
