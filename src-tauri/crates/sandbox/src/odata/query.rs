//! System query options from the raw query string, checked against the
//! entity type. Error texts are Microsoft.OData.Core's (the library behind
//! BC, F&O and Dataverse), as they appear in the services' error bodies,
//! e.g. fixture bc/amplabs_read_balance-sheets_error-since.json.

use percent_encoding::percent_decode_str;

use super::filter::{self, order_values, Expr};
use super::{EdmType, EntityType, Row};

#[derive(Debug, Clone, PartialEq)]
pub struct OrderBy {
    pub property: String,
    pub descending: bool,
    datetime: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryOptions {
    pub select: Option<Vec<String>>,
    pub filter: Option<Expr>,
    pub orderby: Vec<OrderBy>,
    pub top: Option<usize>,
    pub skip: Option<usize>,
    pub count: bool,
    /// Decoded once, as the service receives it.
    pub skiptoken: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub message: String,
}

impl QueryError {
    pub fn syntax(position: usize, text: &str) -> QueryError {
        QueryError {
            message: format!("Syntax error at position {position} in '{text}'."),
        }
    }

    pub fn unknown_property(name: &str, entity: &EntityType) -> QueryError {
        QueryError {
            message: format!(
                "Could not find a property named '{name}' on type '{}'.",
                entity.qualified_name()
            ),
        }
    }
}

/// Query values are URL-decoded with `+` as a space, as ASP.NET decodes a
/// query string before OData sees it.
fn decode(value: &str) -> String {
    percent_decode_str(&value.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

pub fn parse(raw: Option<&str>, entity: &EntityType) -> Result<QueryOptions, QueryError> {
    let mut options = QueryOptions::default();
    let mut seen: Vec<String> = Vec::new();
    for pair in raw.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = decode(name);
        if !name.starts_with('$') {
            // `company=`, `aid=`, `cross-company=`: the routes read those.
            continue;
        }
        if seen.contains(&name) {
            return Err(QueryError {
                message: format!(
                    "Query option '{name}' was specified more than once, but it must be specified at most once."
                ),
            });
        }
        seen.push(name.clone());
        let value = decode(value);
        match name.as_str() {
            "$select" => options.select = Some(select(&value, entity)?),
            "$filter" => options.filter = Some(filter::parse(&value, entity)?),
            "$orderby" => options.orderby = orderby(&value, entity)?,
            "$top" => options.top = Some(non_negative("$top", &value)?),
            "$skip" => options.skip = Some(non_negative("$skip", &value)?),
            "$count" => {
                options.count = match value.as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(QueryError {
                            message: format!("'{value}' is not a valid count option."),
                        })
                    }
                }
            }
            "$skiptoken" => options.skiptoken = Some(value),
            _ => {
                return Err(QueryError {
                    message: format!("The query parameter '{name}' is not supported."),
                })
            }
        }
    }
    Ok(options)
}

fn select(value: &str, entity: &EntityType) -> Result<Vec<String>, QueryError> {
    value
        .split(',')
        .map(str::trim)
        .map(|name| match entity.property(name) {
            Some(_) => Ok(name.to_string()),
            None if name == "*" => Ok(name.to_string()),
            None => Err(QueryError::unknown_property(name, entity)),
        })
        .collect()
}

fn orderby(value: &str, entity: &EntityType) -> Result<Vec<OrderBy>, QueryError> {
    value
        .split(',')
        .map(|clause| {
            let mut words = clause.split_whitespace();
            let property = words.next().unwrap_or_default();
            let descending = match words.next() {
                None | Some("asc") => false,
                Some("desc") => true,
                Some(_) => return Err(QueryError::syntax(clause.len(), value)),
            };
            let p = entity
                .property(property)
                .ok_or_else(|| QueryError::unknown_property(property, entity))?;
            Ok(OrderBy {
                property: property.into(),
                descending,
                datetime: p.ty == EdmType::DateTimeOffset,
            })
        })
        .collect()
}

fn non_negative(option: &str, value: &str) -> Result<usize, QueryError> {
    value.parse::<usize>().map_err(|_| QueryError {
        message: format!(
            "Invalid value '{value}' for {option} query option found. The {option} query option requires a non-negative integer value."
        ),
    })
}

/// Stable: rows equal on every key keep their natural order.
pub fn sort(rows: &mut [Row], orderby: &[OrderBy]) {
    rows.sort_by(|a, b| {
        orderby
            .iter()
            .map(|o| {
                let null = serde_json::Value::Null;
                let ord = order_values(
                    a.get(&o.property).unwrap_or(&null),
                    b.get(&o.property).unwrap_or(&null),
                    o.datetime,
                );
                if o.descending {
                    ord.reverse()
                } else {
                    ord
                }
            })
            .find(|ord| ord.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
}

/// `$select`: annotations (`@odata.etag`) and the chosen properties, in
/// the entity's order; `*` or no `$select` keeps everything.
pub fn project(row: &Row, select: Option<&[String]>) -> Row {
    match select {
        Some(fields) if !fields.iter().any(|f| f == "*") => row
            .iter()
            .filter(|(k, _)| k.starts_with('@') || fields.contains(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        _ => row.clone(),
    }
}
