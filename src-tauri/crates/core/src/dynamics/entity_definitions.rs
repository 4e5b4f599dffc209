//! Dataverse's catalog. Its CSDL is as large as F&O's yet holds no display
//! names, so tables come from `EntityDefinitions` and, when one is opened,
//! its columns from `EntityDefinitions(LogicalName='…')/Attributes`
//! (docs/microsoft.md §7; shapes in fixtures/dataverse).

use std::sync::Arc;

use serde::Deserialize;

use crate::dynamics::catalog::{
    Catalog, CatalogError, Column, ColumnKind, EntitySet, EntitySource, EnumMember, EnumType,
};
use crate::dynamics::label;

/// The `$select` for `EntityDefinitions`: what `catalog` reads.
pub const ENTITY_DEFINITIONS_SELECT: &str =
    "LogicalName,EntitySetName,DisplayName,DisplayCollectionName,PrimaryIdAttribute,PrimaryNameAttribute";

/// Choice columns' options are only on the derived attribute types; each
/// query goes after `EntityDefinitions(LogicalName='…')/` and its answer
/// into `add_options`.
pub const OPTION_SET_QUERIES: [&str; 3] = [
    "Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Name,Options)",
    "Attributes/Microsoft.Dynamics.CRM.StateAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Name,Options)",
    "Attributes/Microsoft.Dynamics.CRM.StatusAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Name,Options)",
];

const TYPE_NAMESPACE: &str = "Microsoft.Dynamics.CRM.";

#[derive(Deserialize)]
struct Collection<T> {
    value: Vec<T>,
}

/// `{"Value": …}`, Dataverse's wrapper for managed properties.
#[derive(Deserialize)]
struct Wrapped<T> {
    #[serde(rename = "Value")]
    value: T,
}

/// A Label: the user's language first, else the first one there is.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Label {
    #[serde(default)]
    localized_labels: Vec<LocalizedLabel>,
    user_localized_label: Option<LocalizedLabel>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LocalizedLabel {
    label: String,
}

impl Label {
    fn text(label: &Option<Label>) -> Option<&str> {
        let label = label.as_ref()?;
        let chosen = label
            .user_localized_label
            .as_ref()
            .or(label.localized_labels.first())?;
        Some(chosen.label.as_str()).filter(|t| !t.trim().is_empty())
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EntityDefinition {
    logical_name: String,
    entity_set_name: Option<String>,
    display_name: Option<Label>,
    display_collection_name: Option<Label>,
    primary_id_attribute: Option<String>,
    primary_name_attribute: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Attribute {
    logical_name: String,
    attribute_type: Option<String>,
    attribute_type_name: Option<Wrapped<String>>,
    display_name: Option<Label>,
    required_level: Option<Wrapped<String>>,
    is_primary_id: Option<bool>,
    is_valid_for_read: Option<bool>,
    /// Set on shadow attributes (a lookup's `…name`) rows do not carry.
    attribute_of: Option<String>,
    max_length: Option<u32>,
    precision: Option<u32>,
    format: Option<String>,
    date_time_behavior: Option<Wrapped<String>>,
    option_set: Option<OptionSet>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OptionSet {
    name: Option<String>,
    #[serde(default)]
    options: Vec<OptionMetadata>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OptionMetadata {
    value: i64,
    label: Option<Label>,
}

/// Tables from `EntityDefinitions?$select=` `ENTITY_DEFINITIONS_SELECT`,
/// columns not yet read. Tables without an entity set cannot be queried
/// and are left out.
pub fn catalog(json: &[u8]) -> Result<Catalog, CatalogError> {
    let definitions: Collection<EntityDefinition> = serde_json::from_slice(json)?;
    let entity_sets = definitions
        .value
        .into_iter()
        .filter_map(|d| {
            let name = d.entity_set_name.filter(|n| !n.is_empty())?;
            let label = Label::text(&d.display_collection_name)
                .or(Label::text(&d.display_name))
                .map_or_else(|| label::from_name(&name), str::to_string);
            Some(EntitySet {
                entity_type: format!("{TYPE_NAMESPACE}{}", d.logical_name),
                label,
                keys: d.primary_id_attribute.into_iter().collect(),
                primary_name: d.primary_name_attribute,
                name,
                source: EntitySource::Api,
            })
        })
        .collect();
    Ok(Catalog {
        entity_sets,
        declarations: vec![],
    })
}

/// The table's name for `EntityDefinitions(LogicalName='…')`.
pub fn logical_name(set: &EntitySet) -> &str {
    set.entity_type
        .strip_prefix(TYPE_NAMESPACE)
        .unwrap_or(&set.entity_type)
}

/// Columns from `EntityDefinitions(LogicalName='…')/Attributes`, named as
/// rows name them; attributes rows never carry are left out.
pub fn columns(json: &[u8]) -> Result<Vec<Column>, CatalogError> {
    let attributes: Collection<Attribute> = serde_json::from_slice(json)?;
    Ok(attributes.value.into_iter().filter_map(column).collect())
}

/// Fills choice columns' options from the answer to one of
/// `OPTION_SET_QUERIES`.
pub fn add_options(columns: &mut [Column], json: &[u8]) -> Result<(), CatalogError> {
    let attributes: Collection<Attribute> = serde_json::from_slice(json)?;
    for attribute in attributes.value {
        let column = columns
            .iter_mut()
            .find(|c| c.name == attribute.logical_name);
        if let (Some(column), Some(options)) = (column, attribute.option_set) {
            column.kind = choice(&attribute.logical_name, Some(options));
        }
    }
    Ok(())
}

fn column(a: Attribute) -> Option<Column> {
    if a.attribute_of.is_some() || a.is_valid_for_read == Some(false) {
        return None;
    }
    // AttributeTypeName is finer (it tells multi-select choices from other
    // virtual attributes); AttributeType names the same types without the
    // `Type` suffix.
    let type_name = match (&a.attribute_type_name, &a.attribute_type) {
        (Some(t), _) => t.value.strip_suffix("Type").unwrap_or(&t.value),
        (None, Some(t)) => t.as_str(),
        (None, None) => "",
    };
    let date_only = a.format.as_deref() == Some("DateOnly")
        || a.date_time_behavior
            .as_ref()
            .is_some_and(|b| b.value == "DateOnly");
    let mut name = a.logical_name.clone();
    let kind = match type_name {
        "String" | "Memo" | "EntityName" => ColumnKind::Text,
        "Integer" | "BigInt" => ColumnKind::Integer,
        "Decimal" | "Double" => ColumnKind::Decimal,
        "Money" => ColumnKind::Money,
        "Boolean" => ColumnKind::Boolean,
        "DateTime" if date_only => ColumnKind::Date,
        "DateTime" => ColumnKind::DateTime,
        "Uniqueidentifier" => ColumnKind::Guid,
        // Rows carry a lookup as `_<name>_value` (Web API, lookup properties).
        "Lookup" | "Customer" | "Owner" => {
            name = format!("_{}_value", a.logical_name);
            ColumnKind::Guid
        }
        "Picklist" | "State" | "Status" => choice(&a.logical_name, a.option_set),
        "Image" => ColumnKind::Binary,
        // Virtual attributes (e.g. `…name`) are not in rows.
        "Virtual" => return None,
        other => ColumnKind::Other(other.to_string()),
    };
    let is_primary_id = a.is_primary_id.unwrap_or(false);
    let system_required = a
        .required_level
        .is_some_and(|r| r.value == "SystemRequired");
    Some(Column {
        label: Label::text(&a.display_name)
            .map_or_else(|| label::from_name(&a.logical_name), str::to_string),
        name,
        kind,
        nullable: !(is_primary_id || system_required),
        key: is_primary_id,
        max_length: a.max_length,
        precision: a.precision,
        scale: None,
    })
}

/// A choice column: rows hold the option's number.
fn choice(logical_name: &str, options: Option<OptionSet>) -> ColumnKind {
    let options = options.unwrap_or(OptionSet {
        name: None,
        options: vec![],
    });
    let members = options
        .options
        .into_iter()
        .map(|o| EnumMember {
            name: o.value.to_string(),
            value: o.value,
            label: Label::text(&o.label).map_or_else(|| o.value.to_string(), str::to_string),
        })
        .collect();
    ColumnKind::Enum(Arc::new(EnumType {
        name: options.name.unwrap_or_else(|| logical_name.to_string()),
        members,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Explain;
    use d365_fixtures::text;

    fn contact_columns() -> Vec<Column> {
        columns(text("dataverse/amplabs_metadata_contacts_attributes.json").as_bytes()).unwrap()
    }

    fn members(column: &Column) -> Vec<(i64, &str)> {
        match &column.kind {
            ColumnKind::Enum(e) => e
                .members
                .iter()
                .map(|m| (m.value, m.label.as_str()))
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn entity_definitions_become_entity_sets() {
        let json = br#"{"@odata.context":"https://org.crm.dynamics.com/api/data/v9.2/$metadata#EntityDefinitions(LogicalName,EntitySetName,DisplayName,PrimaryIdAttribute,PrimaryNameAttribute)",
          "value":[
            {"MetadataId":"1","LogicalName":"contact","EntitySetName":"contacts","PrimaryIdAttribute":"contactid","PrimaryNameAttribute":"fullname",
             "DisplayName":{"LocalizedLabels":[{"Label":"Contact","LanguageCode":1033}],"UserLocalizedLabel":{"Label":"Contact","LanguageCode":1033}}},
            {"MetadataId":"2","LogicalName":"new_widget","EntitySetName":"new_widgets","PrimaryIdAttribute":"new_widgetid","PrimaryNameAttribute":null,
             "DisplayName":{"LocalizedLabels":[],"UserLocalizedLabel":null}},
            {"MetadataId":"3","LogicalName":"internalthing","EntitySetName":null,"DisplayName":null}
          ]}"#;
        let catalog = catalog(json).unwrap();
        assert_eq!(catalog.entity_sets.len(), 2);
        let contacts = catalog.get("contacts").unwrap();
        assert_eq!(contacts.label, "Contact");
        assert_eq!(contacts.entity_type, "Microsoft.Dynamics.CRM.contact");
        assert_eq!(logical_name(contacts), "contact");
        assert_eq!(contacts.keys, ["contactid"]);
        assert_eq!(contacts.primary_name.as_deref(), Some("fullname"));
        let widgets = catalog.get("new_widgets").unwrap();
        assert_eq!(widgets.label, "New widgets");
        assert_eq!(widgets.primary_name, None);
    }

    #[test]
    fn the_plural_display_name_is_preferred() {
        let label = text("dataverse/amplabs_metadata_contacts_entity-definition.json");
        let label: serde_json::Value = serde_json::from_str(&label).unwrap();
        let json = serde_json::json!({"value": [{
            "LogicalName": "contact", "EntitySetName": "contacts",
            "DisplayName": {"UserLocalizedLabel": {"Label": "Contact"}},
            "DisplayCollectionName": label["DisplayCollectionName"],
        }]});
        let catalog = catalog(json.to_string().as_bytes()).unwrap();
        assert_eq!(catalog.entity_sets[0].label, "Contacts");
    }

    #[test]
    fn attributes_become_columns() {
        let columns = contact_columns();
        let by_name = |n: &str| {
            columns
                .iter()
                .find(|c| c.name == n)
                .unwrap_or_else(|| panic!("{n}"))
        };
        let kinds = [
            ("adx_identity_newpassword", ColumnKind::Text),
            ("adx_publicprofilecopy", ColumnKind::Text),
            ("merged", ColumnKind::Boolean),
            ("versionnumber", ColumnKind::Integer),
            ("importsequencenumber", ColumnKind::Integer),
            ("exchangerate", ColumnKind::Decimal),
            ("annualincome", ColumnKind::Money),
            ("birthdate", ColumnKind::Date),
            ("createdon", ColumnKind::DateTime),
            ("_accountid_value", ColumnKind::Guid),
            ("_createdby_value", ColumnKind::Guid),
        ];
        for (name, kind) in kinds {
            assert_eq!(by_name(name).kind, kind, "{name}");
        }
        assert_eq!(by_name("birthdate").label, "Birthday");
        assert_eq!(by_name("_createdby_value").label, "Created By");
        assert!(matches!(&by_name("statecode").kind, ColumnKind::Enum(e) if e.name == "statecode"));
        assert!(
            columns.iter().all(|c| c.name != "leadsourcecodename"),
            "virtual"
        );
        assert_eq!(columns.len(), 16);
    }

    #[test]
    fn option_sets_fill_choice_columns() {
        let mut columns = contact_columns();
        for fixture in ["picklists", "states", "statuses"] {
            let json = text(&format!(
                "dataverse/amplabs_metadata_contacts_options-{fixture}.json"
            ));
            add_options(&mut columns, json.as_bytes()).unwrap();
        }
        let state = columns.iter().find(|c| c.name == "statecode").unwrap();
        assert_eq!(members(state), [(0, "Active"), (1, "Inactive")]);
        let education = columns.iter().find(|c| c.name == "educationcode").unwrap();
        assert_eq!(members(education), [(1, "Default Value")]);
        let ColumnKind::Enum(e) = &education.kind else {
            unreachable!()
        };
        assert_eq!(e.members[0].name, "1", "rows hold the number");
    }

    #[test]
    fn the_primary_id_is_the_key() {
        let json = br#"{"value":[
            {"LogicalName":"contactid","AttributeType":"Uniqueidentifier","IsPrimaryId":true,"RequiredLevel":{"Value":"SystemRequired"}},
            {"LogicalName":"fullname","AttributeType":"String","MaxLength":160,"RequiredLevel":{"Value":"None"}},
            {"LogicalName":"parentcustomerid","AttributeType":"Customer"},
            {"LogicalName":"parentcustomeridname","AttributeType":"String","AttributeOf":"parentcustomerid"},
            {"LogicalName":"secret","AttributeType":"String","IsValidForRead":false},
            {"LogicalName":"score","AttributeTypeName":{"Value":"DoubleType"},"Precision":2},
            {"LogicalName":"topics","AttributeType":"Virtual","AttributeTypeName":{"Value":"MultiSelectPicklistType"}}
        ]}"#;
        let columns = columns(json).unwrap();
        let names: Vec<_> = columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "contactid",
                "fullname",
                "_parentcustomerid_value",
                "score",
                "topics"
            ]
        );
        assert!(columns[0].key && !columns[0].nullable);
        assert!(!columns[1].key && columns[1].nullable);
        assert_eq!(columns[1].max_length, Some(160));
        assert_eq!(
            (&columns[3].kind, columns[3].precision),
            (&ColumnKind::Decimal, Some(2))
        );
        assert_eq!(
            columns[4].kind,
            ColumnKind::Other("MultiSelectPicklist".into())
        );
        assert_eq!(columns[4].label, "Topics");
    }

    #[test]
    fn other_json_is_an_error() {
        for json in [&b"<html/>"[..], b"{\"value\":3}", b"{\"error\":{}}"] {
            let e = catalog(json).unwrap_err().explain();
            assert_eq!(e.message, "The service's list of tables could not be read.");
            assert!(e.details.unwrap().contains("EntityDefinitions"));
            assert!(columns(json).is_err());
        }
    }
}
