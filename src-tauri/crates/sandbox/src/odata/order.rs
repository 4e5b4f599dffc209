//! `$orderby`: items in the `$filter` expression grammar, as ODL parses
//! them (`UriQueryExpressionParser.ParseOrderBy`), and the stable sort the
//! services' SQL Server gives them.

use std::cmp::Ordering;

use super::filter::{self, Expr, Kind, Parser, Val};
use super::query_error::QueryError;
use super::{EntityType, Row};

#[derive(Debug, Clone, PartialEq)]
pub struct OrderBy {
    /// The item as written: `displayName`, or an expression such as
    /// `tolower(city)`.
    pub property: String,
    pub descending: bool,
    expr: Expr,
}

/// Every item is read before any is bound, so a syntax error anywhere
/// comes before an unknown property, as in ODL.
pub(super) fn parse(text: &str, entity: &EntityType) -> Result<Vec<OrderBy>, QueryError> {
    let mut parser = Parser::new(text)?;
    let mut items = Vec::new();
    loop {
        let (property, syntax) = parser.expression_with_text()?;
        let lexer = parser.lexer();
        let descending = lexer.is_identifier("desc");
        if descending || lexer.is_identifier("asc") {
            lexer.next_token()?;
        }
        items.push((property, syntax, descending));
        if lexer.kind() != Kind::Comma {
            break;
        }
        lexer.next_token()?;
    }
    parser.lexer().expect(Kind::End)?;
    let mut seen: Vec<String> = Vec::new();
    items
        .into_iter()
        .map(|(property, syntax, descending)| {
            let expr = filter::bind(&syntax, entity)?;
            // Web API OData's OrderByQueryOption rejects a repeated property.
            if let Some(name) = expr.property() {
                if seen.iter().any(|s| s == name) {
                    return Err(QueryError::duplicate_orderby(name));
                }
                seen.push(name.to_string());
            }
            Ok(OrderBy {
                property,
                descending,
                expr,
            })
        })
        .collect()
}

/// Sorts by the items in turn, stably. Values compare as in `$filter`
/// (strings ignoring case); nulls come first ascending and last
/// descending, where SQL Server puts them.
pub fn sort(rows: &mut [Row], orderby: &[OrderBy]) {
    if orderby.is_empty() {
        return;
    }
    let mut keyed: Vec<(Vec<Val>, Row)> = rows
        .iter_mut()
        .map(|row| {
            let key = orderby.iter().map(|item| item.expr.value(row)).collect();
            (key, std::mem::take(row))
        })
        .collect();
    keyed.sort_by(|(a, _), (b, _)| compare_keys(a, b, orderby));
    for (slot, (_, row)) in rows.iter_mut().zip(keyed) {
        *slot = row;
    }
}

fn compare_keys(a: &[Val], b: &[Val], orderby: &[OrderBy]) -> Ordering {
    a.iter()
        .zip(b)
        .zip(orderby)
        .map(|((x, y), item)| {
            let order = nulls_first(x, y);
            if item.descending {
                order.reverse()
            } else {
                order
            }
        })
        .find(|order| order.is_ne())
        .unwrap_or(Ordering::Equal)
}

fn nulls_first(x: &Val, y: &Val) -> Ordering {
    match (x, y) {
        (Val::Null, Val::Null) => Ordering::Equal,
        (Val::Null, _) => Ordering::Less,
        (_, Val::Null) => Ordering::Greater,
        _ => filter::compare(x, y).unwrap_or(Ordering::Equal),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::odata::filter::tests::{adatum, customer, row, trey};

    fn orderby(text: &str) -> Vec<OrderBy> {
        parse(text, &customer()).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn error(text: &str) -> String {
        parse(text, &customer()).unwrap_err().message
    }

    /// `number` of the rows after sorting by `text`.
    fn sorted(rows: &[Row], text: &str) -> Vec<String> {
        let mut rows = rows.to_vec();
        sort(&mut rows, &orderby(text));
        rows.iter()
            .map(|r| r["number"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    fn rows(values: &[(&str, serde_json::Value)], property: &str) -> Vec<Row> {
        values
            .iter()
            .map(|(number, value)| row(json!({ "number": number, property: value })))
            .collect()
    }

    #[test]
    fn items_directions_and_text() {
        let items = orderby("displayName desc, number,city asc, tolower(city) desc");
        let summary: Vec<(&str, bool)> = items
            .iter()
            .map(|o| (o.property.as_str(), o.descending))
            .collect();
        assert_eq!(
            summary,
            [
                ("displayName", true),
                ("number", false),
                ("city", false),
                ("tolower(city)", true)
            ]
        );
    }

    #[test]
    fn errors_are_odl_and_web_api_texts() {
        for (text, message) in [
            (
                "nope",
                "Could not find a property named 'nope' on type 'Microsoft.NAV.customer'.",
            ),
            (
                "displayName up",
                "Syntax error at position 14 in 'displayName up'.",
            ),
            (
                "displayName desc asc",
                "Syntax error at position 20 in 'displayName desc asc'.",
            ),
            (
                "displayName,",
                "Expression expected at position 12 in 'displayName,'.",
            ),
            (
                "number,number desc",
                "Duplicate property named 'number' is not supported in '$orderby'.",
            ),
            // Syntax first, then names: the bad second item wins.
            (
                "nope,city eq",
                "Expression expected at position 12 in 'nope,city eq'.",
            ),
        ] {
            assert_eq!(error(text), message, "{text}");
        }
    }

    #[test]
    fn sorting_is_stable_and_puts_nulls_first_ascending() {
        let data = rows(
            &[
                ("1", json!("b")),
                ("2", json!(null)),
                ("3", json!("A")),
                ("4", json!("B")),
                ("5", json!("a")),
            ],
            "city",
        );
        // Case-insensitive and stable: A/a and b/B keep their order.
        assert_eq!(sorted(&data, "city"), ["2", "3", "5", "1", "4"]);
        assert_eq!(sorted(&data, "city desc"), ["1", "4", "3", "5", "2"]);
        assert_eq!(
            sorted(&data, "city desc,number desc"),
            ["4", "1", "5", "3", "2"]
        );
        // A null city is not equal to 'a': false, like the other cities.
        assert_eq!(sorted(&data, "city eq 'a'"), ["1", "2", "4", "3", "5"]);
    }

    #[test]
    fn sorting_compares_by_type() {
        let when = rows(
            &[
                ("1", json!("2025-03-05T19:19:22Z")),
                ("2", json!("2025-03-05T19:19:22.273Z")),
                ("3", json!("2025-03-05T20:00:00+02:00")),
            ],
            "lastModifiedDateTime",
        );
        assert_eq!(sorted(&when, "lastModifiedDateTime"), ["3", "1", "2"]);
        let amounts = rows(
            &[("1", json!(10)), ("2", json!(9.5)), ("3", json!(-1))],
            "balanceDue",
        );
        assert_eq!(sorted(&amounts, "balanceDue"), ["3", "2", "1"]);
        // SQL Server orders uniqueidentifier by its last group first.
        let ids = rows(
            &[
                ("1", json!("00000000-0000-0000-0000-000000000002")),
                ("2", json!("ffffffff-ffff-ffff-ffff-000000000001")),
                ("3", json!("00000000-0000-0001-0000-000000000001")),
                ("4", json!("00000000-0000-0100-0000-000000000001")),
            ],
            "id",
        );
        assert_eq!(sorted(&ids, "id"), ["4", "3", "2", "1"]);
        assert_eq!(
            sorted(&[trey(), adatum()], "postingDate desc"),
            ["10000", "20000"]
        );
    }

    #[test]
    fn no_items_leave_the_rows_alone() {
        let mut data = vec![trey(), adatum()];
        sort(&mut data, &[]);
        assert_eq!(data, vec![trey(), adatum()]);
    }
}
