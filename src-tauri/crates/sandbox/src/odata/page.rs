//! One page of a query: filter, order, `$skip`/`$top`, then the rows after
//! the previous page's last key, projected by `$select`. Paging is
//! keyset-style, like BC's `$skiptoken=<SystemId of the last row>` (fixture
//! bc/amplabs_read_customers_1-first-page.json): the token names a row,
//! never an offset, so it survives as long as the data does.

use std::ops::Range;

use super::collection::Collection;
use super::query::{self, QueryOptions};
use super::Row;

/// What the route asks for: how many rows at most, after which key.
pub struct PageSpec<'a> {
    pub size: usize,
    pub after: Option<&'a str>,
    /// A restriction the product applies before the client's `$filter`,
    /// e.g. F&O's "only the user's default company".
    pub scope: Option<&'a (dyn Fn(&Row) -> bool + Sync)>,
}

pub struct Page {
    /// Projected by `$select`.
    pub rows: Vec<Row>,
    /// Matching rows before `$skip`/`$top`, when `$count=true`.
    pub count: Option<usize>,
    /// The key to resume after, when more rows follow.
    pub next_after: Option<String>,
}

/// The `$skiptoken` does not name a row of this result.
#[derive(Debug, PartialEq, Eq)]
pub struct UnknownSkipToken;

enum Ordered {
    /// Every row in index order: nothing is generated up front.
    Range(Range<usize>),
    /// Matching row indices in result order.
    Indices { list: Vec<usize>, by_index: bool },
}

impl Ordered {
    fn len(&self) -> usize {
        match self {
            Ordered::Range(r) => r.len(),
            Ordered::Indices { list, .. } => list.len(),
        }
    }

    fn at(&self, position: usize) -> Option<usize> {
        match self {
            Ordered::Range(r) => r.clone().nth(position),
            Ordered::Indices { list, .. } => list.get(position).copied(),
        }
    }

    fn position_of(&self, index: usize) -> Option<usize> {
        match self {
            Ordered::Range(r) => r.contains(&index).then(|| index - r.start),
            Ordered::Indices {
                list,
                by_index: true,
            } => list.binary_search(&index).ok(),
            Ordered::Indices { list, .. } => list.iter().position(|&i| i == index),
        }
    }

    /// `$skip` then `$top`, as OData applies them.
    fn window(self, skip: usize, top: Option<usize>) -> Ordered {
        let len = self.len();
        let start = skip.min(len);
        let end = top.map_or(len, |t| start.saturating_add(t).min(len));
        match self {
            Ordered::Range(r) => Ordered::Range(r.start + start..r.start + end),
            Ordered::Indices { mut list, by_index } => {
                list.truncate(end);
                list.drain(..start);
                Ordered::Indices { list, by_index }
            }
        }
    }
}

pub fn page(
    collection: &Collection,
    options: &QueryOptions,
    spec: &PageSpec<'_>,
) -> Result<Page, UnknownSkipToken> {
    let ordered = order(collection, options, spec.scope);
    let count = options.count.then(|| ordered.len());
    let ordered = ordered.window(options.skip.unwrap_or(0), options.top);
    let start = match spec.after {
        None => 0,
        Some(key) => collection
            .index_of(key)
            .and_then(|index| ordered.position_of(index))
            .map(|p| p + 1)
            .ok_or(UnknownSkipToken)?,
    };
    let end = start.saturating_add(spec.size).min(ordered.len());
    let indices: Vec<usize> = (start..end).filter_map(|p| ordered.at(p)).collect();
    let next_after = match indices.last() {
        Some(&last) if end < ordered.len() => Some(collection.key(last)),
        _ => None,
    };
    let select = options.select.as_deref();
    let rows = indices
        .into_iter()
        .map(|i| project(&collection.row(i), select))
        .collect();
    Ok(Page {
        rows,
        count,
        next_after,
    })
}

fn order(
    collection: &Collection,
    options: &QueryOptions,
    scope: Option<&(dyn Fn(&Row) -> bool + Sync)>,
) -> Ordered {
    if options.filter.is_none() && scope.is_none() && options.orderby.is_empty() {
        return Ordered::Range(0..collection.len());
    }
    let matches = |row: &Row| {
        scope.is_none_or(|s| s(row)) && options.filter.as_ref().is_none_or(|f| f.matches(row))
    };
    if options.orderby.is_empty() {
        let list = (0..collection.len())
            .filter(|&i| matches(&collection.row(i)))
            .collect();
        return Ordered::Indices {
            list,
            by_index: true,
        };
    }
    let mut rows: Vec<Row> = (0..collection.len())
        .map(|i| collection.row(i))
        .filter(|row| matches(row))
        .collect();
    query::sort(&mut rows, &options.orderby);
    Ordered::Indices {
        list: rows
            .iter()
            .filter_map(|row| collection.index_of_row(row))
            .collect(),
        by_index: false,
    }
}

/// A row narrowed to `$select`: the selected properties in `$metadata`
/// order, the row's own annotations (`@odata.etag`) and the selected
/// properties' annotations (`name@OData.Community.Display.V1.FormattedValue`),
/// as the services write them. Keys are not added: BC and F&O don't, and
/// the Dataverse route selects its primary key itself.
fn project(row: &Row, select: Option<&[String]>) -> Row {
    let Some(select) = select else {
        return row.clone();
    };
    row.iter()
        .filter(|(key, _)| {
            let property = key.split_once('@').map_or(key.as_str(), |(p, _)| p);
            property.is_empty() || select.iter().any(|s| s == property)
        })
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::odata::filter::tests::adatum;

    #[test]
    fn projection_keeps_annotations_and_metadata_order() {
        let mut full = adatum();
        full.insert(
            "city@OData.Community.Display.V1.FormattedValue".into(),
            json!("Atlanta, GA"),
        );
        let select = vec!["city".to_string(), "number".to_string()];
        let projected = project(&full, Some(&select));
        let keys: Vec<&str> = projected.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "@odata.etag",
                "number",
                "city",
                "city@OData.Community.Display.V1.FormattedValue"
            ]
        );
        assert_eq!(project(&full, None), full);
        assert_eq!(
            project(&full, Some(&[])).keys().collect::<Vec<_>>(),
            ["@odata.etag"]
        );
    }
}
