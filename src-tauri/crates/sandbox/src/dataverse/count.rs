//! `$count=true` as Dataverse answers it ("Count rows using OData",
//! power-apps/developer/data-platform/webapi/query/count-rows):
//! `@odata.count` stops at 5,000 however many rows match. Whether there are
//! more is told only by two annotations, sent when the client asks for them
//! with `Prefer: odata.include-annotations`:
//! `@Microsoft.Dynamics.CRM.totalrecordcount` (the count shown, or -1
//! without `$count=true`) and
//! `@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded`.

use axum::http::{HeaderMap, HeaderValue};
use serde_json::{Map, Value};

const LIMIT: usize = 5_000;
const TOTAL: &str = "Microsoft.Dynamics.CRM.totalrecordcount";
const EXCEEDED: &str = "Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded";

/// The count a response shows: exact up to 5,000.
pub fn shown(count: Option<usize>) -> Option<usize> {
    count.map(|c| c.min(LIMIT))
}

/// The client's `odata.include-annotations` preference.
pub struct Annotations {
    /// As sent, for `Preference-Applied`.
    raw: String,
    include: Vec<String>,
    exclude: Vec<String>,
}

impl Annotations {
    pub fn from_headers(headers: &HeaderMap) -> Option<Annotations> {
        let raw = headers
            .get_all("prefer")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(preference)?;
        let (exclude, include) = raw
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .partition::<Vec<_>, _>(|p| p.starts_with('-'));
        Some(Annotations {
            include: include.into_iter().map(str::to_string).collect(),
            exclude: exclude
                .into_iter()
                .map(|p| p.trim_start_matches('-').to_string())
                .collect(),
            raw,
        })
    }

    /// OData 4.0 §8.2.8.4: `*`, `Namespace.*` or a full name; an excluded
    /// name (`-…`) stays out even when a pattern includes it.
    fn wants(&self, name: &str) -> bool {
        let matches = |pattern: &String| match pattern.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => pattern == name,
        };
        self.include.iter().any(matches) && !self.exclude.iter().any(matches)
    }

    /// The count annotations asked for, by the rules at the top.
    pub fn count(&self, count: Option<usize>) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        if self.wants(TOTAL) {
            let total = shown(count).map_or(Value::from(-1), Value::from);
            out.push((format!("@{TOTAL}"), total));
        }
        if self.wants(EXCEEDED) {
            let exceeded = count.is_some_and(|c| c > LIMIT);
            out.push((format!("@{EXCEEDED}"), Value::Bool(exceeded)));
        }
        out
    }

    /// Dataverse confirms the preference (the count-rows page's example).
    pub fn confirm(&self, headers: &mut HeaderMap) {
        let applied = format!("odata.include-annotations=\"{}\"", self.raw);
        if let Ok(v) = HeaderValue::from_str(&applied) {
            headers.append("preference-applied", v);
        }
    }
}

/// The value of `odata.include-annotations` in one `Prefer` header, whose
/// quoted list has commas of its own.
fn preference(header: &str) -> Option<String> {
    let start = header.find("odata.include-annotations=")? + "odata.include-annotations=".len();
    let rest = &header[start..];
    let value = match rest.strip_prefix('"') {
        Some(quoted) => &quoted[..quoted.find('"')?],
        None => rest.split([',', ';']).next().unwrap_or_default(),
    };
    Some(value.trim().to_string())
}

/// The collection body with the annotations just before `value`, where
/// Dataverse writes them (after `@odata.count` when there is one).
pub fn annotate(body: Value, annotations: Vec<(String, Value)>) -> Value {
    let Value::Object(fields) = body else {
        return body;
    };
    let mut annotations = Some(annotations);
    let mut out = Map::new();
    for (name, value) in fields {
        if name == "value" {
            out.extend(annotations.take().into_iter().flatten());
        }
        out.insert(name, value);
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn prefer(value: &str) -> Option<Annotations> {
        let mut h = HeaderMap::new();
        h.insert("prefer", HeaderValue::from_str(value).unwrap());
        Annotations::from_headers(&h)
    }

    #[test]
    fn counts_stop_at_five_thousand() {
        assert_eq!(shown(Some(58)), Some(58));
        assert_eq!(shown(Some(5_000)), Some(5_000));
        assert_eq!(shown(Some(12_000)), Some(5_000));
        assert_eq!(shown(None), None);
    }

    #[test]
    fn annotations_follow_the_preference() {
        let both = prefer(
            "odata.maxpagesize=3, odata.include-annotations=\"Microsoft.Dynamics.CRM.totalrecordcount,Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded\"",
        )
        .unwrap();
        assert_eq!(
            both.count(Some(6_000)),
            vec![
                (format!("@{TOTAL}"), json!(5_000)),
                (format!("@{EXCEEDED}"), json!(true))
            ]
        );
        assert_eq!(
            both.count(Some(58)),
            vec![
                (format!("@{TOTAL}"), json!(58)),
                (format!("@{EXCEEDED}"), json!(false))
            ]
        );
        assert_eq!(both.count(None)[0].1, json!(-1));
        assert_eq!(
            prefer("odata.include-annotations=\"*\"")
                .unwrap()
                .count(None)
                .len(),
            2
        );
        let namespace = prefer("odata.include-annotations=Microsoft.Dynamics.CRM.*").unwrap();
        assert_eq!(namespace.count(Some(1)).len(), 2);
        let formatted =
            prefer("odata.include-annotations=\"OData.Community.Display.V1.FormattedValue\"")
                .unwrap();
        assert!(formatted.count(Some(1)).is_empty());
        let all_but = prefer(&format!("odata.include-annotations=\"*,-{EXCEEDED}\"")).unwrap();
        assert_eq!(all_but.count(Some(1)).len(), 1);
        assert!(prefer("odata.maxpagesize=3").is_none());
    }

    #[test]
    fn annotations_go_before_the_rows() {
        let body = json!({"@odata.context": "c", "@odata.count": 5000, "value": [], "@odata.nextLink": "n"});
        let out = annotate(body, vec![(format!("@{EXCEEDED}"), json!(true))]);
        let names: Vec<&String> = out.as_object().unwrap().keys().collect();
        assert_eq!(
            names,
            [
                "@odata.context",
                "@odata.count",
                &format!("@{EXCEEDED}"),
                "value",
                "@odata.nextLink"
            ]
        );
    }
}
