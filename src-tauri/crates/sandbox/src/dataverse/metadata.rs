//! The metadata API: `EntityDefinitions`, a table's `Attributes`, one
//! attribute, and the casts to the choice attribute types whose option
//! sets can be expanded, e.g.
//! `EntityDefinitions(LogicalName='account')/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet`
//! ("Query table definitions using the Web API" and "Reference Dataverse
//! schema definitions by name or MetadataId", power-apps/developer/
//! data-platform/webapi; shapes of fixtures amplabs_metadata_contacts_*).
//! The metadata endpoint does not page.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::choices::{self, Kind};
use super::{labels, rows, DataverseError};
use crate::odata::csdl::Model;
use crate::odata::{wire, EdmType, EntityType, Property};

const NAMESPACE: &str = "Microsoft.Dynamics.CRM.";

/// `$select` and `$expand` of a metadata query (others are ignored).
#[derive(Default)]
struct Query {
    select: Option<Vec<String>>,
    expand: Vec<Expand>,
}

/// `OptionSet` or `OptionSet($select=Options)`.
struct Expand {
    name: String,
    select: Option<Vec<String>>,
}

impl Query {
    fn parse(raw: Option<&str>) -> Query {
        let mut query = Query::default();
        for (key, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            match key.as_ref() {
                "$select" => query.select = Some(list(&value)),
                "$expand" => query.expand = top_level(&value).map(Expand::parse).collect(),
                _ => {}
            }
        }
        query
    }

    /// What the context URL lists: `(LogicalName,OptionSet(Options))`.
    fn context_fields(&self) -> String {
        let mut fields = self.select.clone().unwrap_or_default();
        fields.extend(self.expand.iter().map(|e| match &e.select {
            Some(s) => format!("{}({})", e.name, s.join(",")),
            None => e.name.clone(),
        }));
        if fields.is_empty() {
            String::new()
        } else {
            format!("({})", fields.join(","))
        }
    }
}

impl Expand {
    fn parse(item: &str) -> Expand {
        let (name, options) = match item.split_once('(') {
            Some((name, rest)) => (name, rest.strip_suffix(')').unwrap_or(rest)),
            None => (item, ""),
        };
        let select = options
            .split(';')
            .find_map(|o| o.trim().strip_prefix("$select="))
            .map(list);
        Expand {
            name: name.trim().to_string(),
            select,
        }
    }
}

fn list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// `a,b(c,d),e` → `a`, `b(c,d)`, `e`.
fn top_level(value: &str) -> impl Iterator<Item = &str> {
    let mut depth = 0usize;
    let mut start = 0;
    let mut items = Vec::new();
    for (i, c) in value.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                items.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&value[start..]);
    items.into_iter().map(str::trim).filter(|s| !s.is_empty())
}

fn ok(body: Value) -> Result<Response, DataverseError> {
    Ok(wire::json(StatusCode::OK, &body, None))
}

fn capitalise(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// `EntityDefinitions[?$select=…]`: the shapes of fixture
/// amplabs_metadata_contacts_entity-definition.json.
pub fn entity_definitions(
    model: &Model,
    root: &str,
    raw: Option<&str>,
) -> Result<Response, DataverseError> {
    let select = Query::parse(raw).select;
    let value: Vec<Value> = model
        .types
        .iter()
        .map(|t| {
            let display = labels::table(&t.name);
            let all = json!({
                "MetadataId": Uuid::new_v5(&Uuid::NAMESPACE_OID, t.name.as_bytes()),
                "LogicalName": t.name,
                "SchemaName": capitalise(&t.name),
                "EntitySetName": t.set_name,
                "PrimaryIdAttribute": t.key.first(),
                "PrimaryNameAttribute": rows::primary_name(&t.name),
                "DisplayName": labels::label(display, &format!("{}.displayname", t.name)),
                "DisplayCollectionName": labels::label(
                    &format!("{display}s"),
                    &format!("{}.displaycollectionname", t.name),
                ),
            });
            match (&select, all) {
                (Some(fields), Value::Object(map)) => {
                    let mut picked = Map::new();
                    picked.insert(
                        "MetadataId".into(),
                        map.get("MetadataId").cloned().unwrap_or(Value::Null),
                    );
                    for f in fields {
                        if let Some(v) = map.get(f) {
                            picked.insert(f.clone(), v.clone());
                        }
                    }
                    Value::Object(picked)
                }
                (_, all) => all,
            }
        })
        .collect();
    let context = match &select {
        Some(fields) => format!("{root}/$metadata#EntityDefinitions({})", fields.join(",")),
        None => format!("{root}/$metadata#EntityDefinitions"),
    };
    ok(json!({"@odata.context": context, "value": value}))
}

/// `EntityDefinitions(LogicalName='x')/…`; `rest` is what follows
/// `LogicalName='`.
pub fn definition(
    model: &Model,
    root: &str,
    rest: &str,
    raw: Option<&str>,
) -> Result<Response, DataverseError> {
    let not_found = || DataverseError::NotFound(format!("EntityDefinitions(LogicalName='{rest}"));
    let (logical, path) = rest.split_once("')/").ok_or_else(not_found)?;
    let entity = model
        .types
        .iter()
        .find(|t| t.name == logical)
        .ok_or_else(not_found)?;
    let (attribute, cast) = match path.split_once('/') {
        Some((attribute, cast)) => (attribute, Some(cast)),
        None => (path, None),
    };
    let one = match attribute.strip_prefix("Attributes") {
        Some("") => None,
        Some(key) => Some(
            key.strip_prefix("(LogicalName='")
                .and_then(|k| k.strip_suffix("')"))
                .ok_or_else(not_found)?,
        ),
        None => return Err(not_found()),
    };
    let kind = match cast {
        Some(cast) => Some(
            cast.strip_prefix(NAMESPACE)
                .and_then(Kind::from_cast)
                .ok_or_else(not_found)?,
        ),
        None => None,
    };
    let context = format!("{root}/$metadata#EntityDefinitions('{logical}')/Attributes");
    match (kind, one) {
        (None, None) => ok(json!({
            "@odata.context": context,
            "value": entity.properties.iter().map(|p| Value::Object(attribute_of(entity, p))).collect::<Vec<_>>(),
        })),
        (None, Some(name)) => {
            let mut body = Map::new();
            body.insert("@odata.context".into(), json!(format!("{context}/$entity")));
            body.extend(attribute_of(
                entity,
                find(entity, name).ok_or_else(not_found)?,
            ));
            ok(Value::Object(body))
        }
        (Some(kind), one) => choice_attributes(entity, &context, kind, one, raw, not_found),
    }
}

/// `Attributes/Microsoft.Dynamics.CRM.<Kind>`, or one attribute of that
/// type, with `$select` and the option sets in `$expand`.
fn choice_attributes(
    entity: &EntityType,
    context: &str,
    kind: Kind,
    one: Option<&str>,
    raw: Option<&str>,
    not_found: impl Fn() -> DataverseError,
) -> Result<Response, DataverseError> {
    let query = Query::parse(raw);
    let type_name = kind.metadata_type().0;
    if let Some(e) = query
        .expand
        .iter()
        .find(|e| e.name != "OptionSet" && e.name != "GlobalOptionSet")
    {
        return Err(DataverseError::Query(format!(
            "Could not find a property named '{}' on type '{NAMESPACE}{type_name}'.",
            e.name
        )));
    }
    let matching = entity.properties.iter().filter(|p| {
        let column = attribute_name(p);
        choices::of(&entity.name, column).is_some_and(|c| c.kind == kind)
            && one.is_none_or(|name| name == column)
    });
    let value: Vec<Value> = matching
        .map(|p| choice_attribute(entity, p, &query))
        .collect();
    let context = format!("{context}/{NAMESPACE}{type_name}{}", query.context_fields());
    match one {
        None => ok(json!({"@odata.context": context, "value": value})),
        Some(_) => {
            let Some(Value::Object(found)) = value.into_iter().next() else {
                return Err(not_found());
            };
            let mut body = Map::new();
            body.insert("@odata.context".into(), json!(format!("{context}/$entity")));
            body.extend(found);
            ok(Value::Object(body))
        }
    }
}

/// One choice attribute as a cast returns it: no `@odata.type` (the cast
/// names it); with `$select`, those properties then the key, as in fixture
/// amplabs_metadata_contacts_options-picklists.json; then the expanded
/// option sets. `GlobalOptionSet` holds the same options as `OptionSet`
/// even for a local set ("Reference Dataverse schema definitions by name
/// or MetadataId").
fn choice_attribute(entity: &EntityType, p: &Property, query: &Query) -> Value {
    let mut all = attribute_of(entity, p);
    all.remove("@odata.type");
    let mut out = match &query.select {
        Some(select) => {
            let mut picked = Map::new();
            for name in select {
                if let Some(v) = all.get(name) {
                    picked.insert(name.clone(), v.clone());
                }
            }
            if let Some(id) = all.get("MetadataId") {
                picked.entry("MetadataId").or_insert_with(|| id.clone());
            }
            picked
        }
        None => all,
    };
    let column = attribute_name(p);
    if let Some(choice) = choices::of(&entity.name, column) {
        for e in &query.expand {
            let set = choice.option_set(&entity.name, column, e.select.as_deref());
            out.insert(e.name.clone(), set);
        }
    }
    Value::Object(out)
}

fn find<'a>(entity: &'a EntityType, name: &str) -> Option<&'a Property> {
    entity.properties.iter().find(|p| attribute_name(p) == name)
}

/// Rows carry a lookup as `_<name>_value`; its attribute is `<name>`.
fn attribute_name(p: &Property) -> &str {
    p.name.trim_start_matches('_').trim_end_matches("_value")
}

/// One entry of `Attributes`, shaped like fixture
/// amplabs_metadata_contacts_attributes.json.
fn attribute_of(entity: &EntityType, p: &Property) -> Map<String, Value> {
    let logical = attribute_name(p);
    let (kind, type_name) = match (&p.ty, choices::of(&entity.name, logical)) {
        (_, Some(choice)) => choice.kind.metadata_type(),
        (EdmType::Guid, _) if p.name.starts_with('_') => ("LookupAttributeMetadata", "LookupType"),
        (EdmType::Guid, _) => ("AttributeMetadata", "UniqueidentifierType"),
        (EdmType::Decimal, _) => ("MoneyAttributeMetadata", "MoneyType"),
        (EdmType::Int32, _) => ("IntegerAttributeMetadata", "IntegerType"),
        (EdmType::Boolean, _) => ("BooleanAttributeMetadata", "BooleanType"),
        (EdmType::DateTimeOffset, _) => ("DateTimeAttributeMetadata", "DateTimeType"),
        _ => ("StringAttributeMetadata", "StringType"),
    };
    let key = format!("{}.{logical}", entity.name);
    let display = labels::column(&entity.name, logical);
    [
        ("@odata.type", json!(format!("#{NAMESPACE}{kind}"))),
        (
            "MetadataId",
            json!(Uuid::new_v5(&Uuid::NAMESPACE_OID, key.as_bytes())),
        ),
        ("LogicalName", json!(logical)),
        ("SchemaName", json!(capitalise(logical))),
        (
            "AttributeType",
            json!(type_name.strip_suffix("Type").unwrap_or(type_name)),
        ),
        ("AttributeTypeName", json!({"Value": type_name})),
        ("IsPrimaryId", json!(entity.key.contains(&p.name))),
        (
            "IsPrimaryName",
            json!(rows::primary_name(&entity.name) == p.name),
        ),
        (
            "DisplayName",
            labels::label(&display, &format!("{key}.displayname")),
        ),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), value))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expand_lists_keep_nested_options_together() {
        let q = Query::parse(Some(
            "%24select=LogicalName&$expand=OptionSet($select=Name,Options),GlobalOptionSet",
        ));
        assert_eq!(q.select.as_deref(), Some(&["LogicalName".to_string()][..]));
        assert_eq!(q.expand.len(), 2);
        assert_eq!(q.expand[0].name, "OptionSet");
        assert_eq!(
            q.expand[0].select.as_deref(),
            Some(&["Name".to_string(), "Options".to_string()][..])
        );
        assert!(q.expand[1].select.is_none());
        assert_eq!(
            q.context_fields(),
            "(LogicalName,OptionSet(Name,Options),GlobalOptionSet)"
        );
        assert_eq!(Query::parse(None).context_fields(), "");
    }
}
