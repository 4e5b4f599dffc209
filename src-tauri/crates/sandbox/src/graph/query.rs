//! The query options the directory calls of docs/microsoft.md §9 use:
//! `$filter` with `property eq 'value'` joined by `and`, and `$select`.
//! Other options are ignored (docs/sandbox-fidelity.md §L15).

use serde_json::{Map, Value};

use super::errors::GraphError;

#[derive(Debug, Default, PartialEq)]
pub struct Query {
    /// `(property, value)` pairs that must all hold.
    filter: Vec<(String, String)>,
    select: Option<Vec<String>>,
}

impl Query {
    pub fn parse(raw: Option<&str>) -> Result<Query, GraphError> {
        let mut query = Query::default();
        for (name, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            match name.as_ref() {
                "$filter" => query.filter = parse_filter(&value)?,
                "$select" => {
                    query.select = Some(
                        value
                            .split(',')
                            .map(|p| p.trim().to_string())
                            .filter(|p| !p.is_empty())
                            .collect(),
                    )
                }
                _ => {}
            }
        }
        Ok(query)
    }

    /// Refuses a filter on a property the collection cannot be filtered
    /// by here.
    pub fn allow_filter_on(&self, properties: &[&str]) -> Result<(), GraphError> {
        match self
            .filter
            .iter()
            .all(|(p, _)| properties.iter().any(|a| a.eq_ignore_ascii_case(p)))
        {
            true => Ok(()),
            false => Err(GraphError::unsupported_query()),
        }
    }

    /// Whether an item (as its JSON) passes the filter; strings compare
    /// without regard to case, as directory `eq` does.
    pub fn matches(&self, item: &Value) -> bool {
        self.filter.iter().all(|(property, wanted)| {
            let value = item
                .as_object()
                .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(property)))
                .map(|(_, v)| v);
            match value {
                Some(Value::String(s)) => s.eq_ignore_ascii_case(wanted),
                Some(Value::Null) | None => wanted.eq_ignore_ascii_case("null"),
                Some(other) => other.to_string().eq_ignore_ascii_case(wanted),
            }
        })
    }

    /// The item with only the selected properties (and `@odata` ones).
    pub fn project(&self, item: Value) -> Value {
        let (Some(select), Value::Object(map)) = (&self.select, &item) else {
            return item;
        };
        let kept: Map<String, Value> = map
            .iter()
            .filter(|(k, _)| k.starts_with('@') || select.iter().any(|s| s.eq_ignore_ascii_case(k)))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Value::Object(kept)
    }
}

/// `a eq 'x' and b eq 'y'`; a quote inside a value is doubled. `null` and
/// unquoted words compare as written.
fn parse_filter(text: &str) -> Result<Vec<(String, String)>, GraphError> {
    let mut clauses = Vec::new();
    let mut rest = text.trim();
    loop {
        let (property, after) = rest
            .split_once(char::is_whitespace)
            .ok_or_else(GraphError::invalid_filter)?;
        let after = after.trim_start();
        let after = after
            .strip_prefix("eq ")
            .or_else(|| after.strip_prefix("Eq "))
            .or_else(|| after.strip_prefix("EQ "))
            .ok_or_else(GraphError::unsupported_query)?
            .trim_start();
        let (value, after) = literal(after)?;
        clauses.push((property.to_string(), value));
        let after = after.trim_start();
        if after.is_empty() {
            return Ok(clauses);
        }
        rest = after
            .strip_prefix("and ")
            .ok_or_else(GraphError::unsupported_query)?
            .trim_start();
    }
}

fn literal(text: &str) -> Result<(String, &str), GraphError> {
    let Some(quoted) = text.strip_prefix('\'') else {
        let end = text.find(char::is_whitespace).unwrap_or(text.len());
        return Ok((text[..end].to_string(), &text[end..]));
    };
    let mut value = String::new();
    let mut chars = quoted.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c == '\'' {
            if chars.peek().is_some_and(|(_, next)| *next == '\'') {
                chars.next();
                value.push('\'');
            } else {
                return Ok((value, &quoted[at + 1..]));
            }
        } else {
            value.push(c);
        }
    }
    Err(GraphError::invalid_filter())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn filters_on_eq_clauses_joined_by_and() {
        let q = Query::parse(Some(
            "$filter=clientId%20eq%20'a1'%20and%20consentType%20eq%20'AllPrincipals'",
        ))
        .unwrap();
        assert!(q.matches(&json!({"clientId": "A1", "consentType": "AllPrincipals"})));
        assert!(!q.matches(&json!({"clientId": "a1", "consentType": "Principal"})));
        assert!(q.allow_filter_on(&["clientId", "consentType"]).is_ok());
        assert_eq!(
            q.allow_filter_on(&["clientId"]),
            Err(GraphError::unsupported_query())
        );
    }

    #[test]
    fn quotes_double_inside_values() {
        let q = Query::parse(Some("$filter=displayName eq 'O''Brien app'")).unwrap();
        assert!(q.matches(&json!({"displayName": "O'Brien app"})));
    }

    #[test]
    fn refuses_what_it_does_not_understand() {
        assert_eq!(
            Query::parse(Some("$filter=startswith(displayName,'a')")),
            Err(GraphError::invalid_filter())
        );
        assert_eq!(
            Query::parse(Some("$filter=displayName ne 'a'")),
            Err(GraphError::unsupported_query())
        );
        assert_eq!(
            Query::parse(Some("$filter=displayName eq 'a")),
            Err(GraphError::invalid_filter())
        );
        assert_eq!(
            Query::parse(Some("$filter=a eq 'x' or b eq 'y'")),
            Err(GraphError::unsupported_query())
        );
    }

    #[test]
    fn select_keeps_the_named_properties() {
        let q = Query::parse(Some("$select=id,appRoles")).unwrap();
        assert_eq!(
            q.project(json!({"@odata.context": "c", "id": "1", "appId": "2", "appRoles": []})),
            json!({"@odata.context": "c", "id": "1", "appRoles": []})
        );
    }
}
