//! An entity set's rows, made on demand: a collection knows its length and
//! how to build row `i`, never holds them all.

use std::sync::Arc;

use serde_json::Value;
use uuid::Uuid;

use super::{EntityType, Row};
use crate::data::IdSpace;

/// How a row's key names its index, so a `$skiptoken` (the last key of a
/// page) resumes without scanning.
#[derive(Debug, Clone)]
pub enum KeyScheme {
    /// `id` GUIDs from an [`IdSpace`] (BC SystemIds, Dataverse IDs).
    Guid { property: String, ids: IdSpace },
    /// Numbered natural keys: F&O's `CustomerAccount` `US-000123`, BC's
    /// customer `No.` `C0000010` (counting in tens, as CRONUS does).
    Numbered {
        property: String,
        prefix: String,
        width: usize,
        step: usize,
    },
    /// A fixed list of keys (legal entities, business units).
    Listed { property: String, keys: Vec<String> },
}

impl KeyScheme {
    pub fn guid(property: &str, ids: IdSpace) -> KeyScheme {
        KeyScheme::Guid {
            property: property.into(),
            ids,
        }
    }

    /// `{prefix}000001`, `{prefix}000002`, …
    pub fn numbered(property: &str, prefix: &str) -> KeyScheme {
        KeyScheme::numbered_by(property, prefix, 6, 1)
    }

    /// `{prefix}` then `(index + 1) * step`, zero-padded to `width` digits.
    pub fn numbered_by(property: &str, prefix: &str, width: usize, step: usize) -> KeyScheme {
        KeyScheme::Numbered {
            property: property.into(),
            prefix: prefix.into(),
            width,
            step: step.max(1),
        }
    }

    pub fn property(&self) -> &str {
        match self {
            KeyScheme::Guid { property, .. }
            | KeyScheme::Numbered { property, .. }
            | KeyScheme::Listed { property, .. } => property,
        }
    }

    /// The key value of row `index`.
    pub fn key(&self, index: usize) -> String {
        match self {
            KeyScheme::Guid { ids, .. } => ids.id(index).to_string(),
            KeyScheme::Numbered {
                prefix,
                width,
                step,
                ..
            } => format!("{prefix}{:0width$}", (index + 1) * step),
            KeyScheme::Listed { keys, .. } => keys.get(index).cloned().unwrap_or_default(),
        }
    }

    pub fn index(&self, key: &str) -> Option<usize> {
        match self {
            KeyScheme::Guid { ids, .. } => {
                ids.index(Uuid::parse_str(key.trim_matches(['{', '}'])).ok()?)
            }
            KeyScheme::Numbered { prefix, step, .. } => {
                let number = key.strip_prefix(prefix.as_str())?.parse::<usize>().ok()?;
                (number % step == 0).then(|| (number / step).checked_sub(1))?
            }
            KeyScheme::Listed { keys, .. } => keys.iter().position(|k| k.eq_ignore_ascii_case(key)),
        }
    }
}

type MakeRow = dyn Fn(usize, &str) -> Row + Send + Sync;

#[derive(Clone)]
pub struct Collection {
    pub entity: Arc<EntityType>,
    len: usize,
    keys: KeyScheme,
    make: Arc<MakeRow>,
}

impl Collection {
    /// `make(index, key)` builds row `index`; it must put `key` in the key
    /// property.
    pub fn new(
        entity: Arc<EntityType>,
        len: usize,
        keys: KeyScheme,
        make: impl Fn(usize, &str) -> Row + Send + Sync + 'static,
    ) -> Collection {
        Collection {
            entity,
            len,
            keys,
            make: Arc::new(make),
        }
    }

    /// Rows already made, keyed by the entity's first key property: for
    /// the small tables that change while the sandbox runs (users,
    /// registered apps).
    pub fn of_rows(entity: Arc<EntityType>, rows: Vec<Row>) -> Collection {
        let property = entity.key.first().cloned().unwrap_or_default();
        let keys = rows
            .iter()
            .map(|r| {
                r.get(&property)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            })
            .collect();
        let rows = Arc::new(rows);
        Collection::new(
            entity,
            rows.len(),
            KeyScheme::Listed { property, keys },
            move |i, _| rows.get(i).cloned().unwrap_or_default(),
        )
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn row(&self, index: usize) -> Row {
        (self.make)(index, &self.keys.key(index))
    }

    pub fn key(&self, index: usize) -> String {
        self.keys.key(index)
    }

    /// The index of the row whose key is `key`, if it is one of ours.
    pub fn index_of(&self, key: &str) -> Option<usize> {
        self.keys.index(key).filter(|&i| i < self.len)
    }

    /// The index of a row built by this collection.
    pub fn index_of_row(&self, row: &Row) -> Option<usize> {
        match row.get(self.keys.property()) {
            Some(Value::String(key)) => self.index_of(key),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::seed_of;

    #[test]
    fn keys_round_trip_in_every_scheme() {
        let guid = KeyScheme::guid("id", IdSpace::new(seed_of(&["x"])));
        let numbered = KeyScheme::numbered("CustomerAccount", "US-");
        let tens = KeyScheme::numbered_by("No", "C", 7, 10);
        for scheme in [guid, numbered, tens.clone()] {
            for i in [0, 7, 99_999] {
                assert_eq!(scheme.index(&scheme.key(i)), Some(i));
            }
            assert_eq!(scheme.index("nonsense"), None);
        }
        let numbered = KeyScheme::numbered("CustomerAccount", "US-");
        assert_eq!(numbered.key(0), "US-000001");
        assert_eq!(numbered.index("US-000000"), None);
        assert_eq!(tens.key(0), "C0000010");
        assert_eq!(tens.index("C0000015"), None);
    }
}
