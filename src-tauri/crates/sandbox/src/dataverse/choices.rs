//! Choice columns (option sets) of the sandbox's tables: which columns are
//! choices, their options, and the OptionSetMetadata the metadata API
//! expands them to. Options and labels are the real ones from the Account
//! table/entity reference (industrycode, customertypecode, statecode,
//! statuscode) and fixtures amplabs_metadata_contacts_options-*.json
//! (contact familystatuscode, statecode, statuscode), and the SystemUser
//! table/entity reference (accessmode). The JSON shapes are
//! those fixtures' and the OptionSet example of "Query table definitions
//! using the Web API" (webapi/query-metadata-web-api).

use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::labels;

/// The three attribute types whose options the Web API serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Picklist,
    State,
    Status,
}

impl Kind {
    /// The cast segment after `Attributes/`, without its namespace.
    pub fn from_cast(name: &str) -> Option<Kind> {
        Some(match name {
            "PicklistAttributeMetadata" => Kind::Picklist,
            "StateAttributeMetadata" => Kind::State,
            "StatusAttributeMetadata" => Kind::Status,
            _ => return None,
        })
    }

    /// The attribute metadata type, and its `AttributeTypeName`.
    pub fn metadata_type(self) -> (&'static str, &'static str) {
        match self {
            Kind::Picklist => ("PicklistAttributeMetadata", "PicklistType"),
            Kind::State => ("StateAttributeMetadata", "StateType"),
            Kind::Status => ("StatusAttributeMetadata", "StatusType"),
        }
    }

    fn option_set_type(self) -> &'static str {
        match self {
            Kind::Picklist => "Picklist",
            Kind::State => "State",
            Kind::Status => "Status",
        }
    }
}

/// One option. `link` is a state's default status (`DefaultStatus`) or a
/// status's state (`State`); picklists have none.
struct Opt(i64, &'static str, i64);

pub struct Choice {
    pub kind: Kind,
    options: &'static [Opt],
}

const STATE: &[Opt] = &[Opt(0, "Active", 1), Opt(1, "Inactive", 2)];
const STATUS: &[Opt] = &[Opt(1, "Active", 0), Opt(2, "Inactive", 1)];
const CUSTOMER_TYPE: &[Opt] = &[
    Opt(1, "Competitor", 0),
    Opt(2, "Consultant", 0),
    Opt(3, "Customer", 0),
    Opt(4, "Investor", 0),
    Opt(5, "Partner", 0),
    Opt(6, "Influencer", 0),
    Opt(7, "Press", 0),
    Opt(8, "Prospect", 0),
    Opt(9, "Reseller", 0),
    Opt(10, "Supplier", 0),
    Opt(11, "Vendor", 0),
    Opt(12, "Other", 0),
];
const FAMILY_STATUS: &[Opt] = &[
    Opt(1, "Single", 0),
    Opt(2, "Married", 0),
    Opt(3, "Divorced", 0),
    Opt(4, "Widowed", 0),
];
/// A user's access mode; application users are Non-interactive (4)
/// (docs/microsoft.md §10).
const ACCESS_MODE: &[Opt] = &[
    Opt(0, "Read-Write", 0),
    Opt(1, "Administrative", 0),
    Opt(2, "Read", 0),
    Opt(3, "Support User", 0),
    Opt(4, "Non-interactive", 0),
    Opt(5, "Delegated Admin", 0),
];
const INDUSTRY: &[Opt] = &[
    Opt(1, "Accounting", 0),
    Opt(
        2,
        "Agriculture and Non-petrol Natural Resource Extraction",
        0,
    ),
    Opt(3, "Broadcasting Printing and Publishing", 0),
    Opt(4, "Brokers", 0),
    Opt(5, "Building Supply Retail", 0),
    Opt(6, "Business Services", 0),
    Opt(7, "Consulting", 0),
    Opt(8, "Consumer Services", 0),
    Opt(9, "Design, Direction and Creative Management", 0),
    Opt(10, "Distributors, Dispatchers and Processors", 0),
    Opt(11, "Doctor's Offices and Clinics", 0),
    Opt(12, "Durable Manufacturing", 0),
    Opt(13, "Eating and Drinking Places", 0),
    Opt(14, "Entertainment Retail", 0),
    Opt(15, "Equipment Rental and Leasing", 0),
    Opt(16, "Financial", 0),
    Opt(17, "Food and Tobacco Processing", 0),
    Opt(18, "Inbound Capital Intensive Processing", 0),
    Opt(19, "Inbound Repair and Services", 0),
    Opt(20, "Insurance", 0),
    Opt(21, "Legal Services", 0),
    Opt(22, "Non-Durable Merchandise Retail", 0),
    Opt(23, "Outbound Consumer Service", 0),
    Opt(24, "Petrochemical Extraction and Distribution", 0),
    Opt(25, "Service Retail", 0),
    Opt(26, "SIG Affiliations", 0),
    Opt(27, "Social Services", 0),
    Opt(28, "Special Outbound Trade Contractors", 0),
    Opt(29, "Specialty Realty", 0),
    Opt(30, "Transportation", 0),
    Opt(31, "Utility Creation and Distribution", 0),
    Opt(32, "Vehicle Retail", 0),
    Opt(33, "Wholesale", 0),
];

/// The choice behind a column, if it is one.
pub fn of(table: &str, column: &str) -> Option<Choice> {
    let (kind, options) = match (table, column) {
        (_, "statecode") => (Kind::State, STATE),
        (_, "statuscode") => (Kind::Status, STATUS),
        ("account", "industrycode") => (Kind::Picklist, INDUSTRY),
        ("account", "customertypecode") => (Kind::Picklist, CUSTOMER_TYPE),
        ("contact", "familystatuscode") => (Kind::Picklist, FAMILY_STATUS),
        ("systemuser", "accessmode") => (Kind::Picklist, ACCESS_MODE),
        _ => return None,
    };
    Some(Choice { kind, options })
}

impl Choice {
    /// How many options there are, for rows to pick one with `value`.
    pub fn count(&self) -> usize {
        self.options.len()
    }

    /// The value of option `i`.
    pub fn value(&self, i: usize) -> Option<i64> {
        self.options.get(i).map(|o| o.0)
    }

    /// The label of the option whose value is `value`.
    pub fn label_of(&self, value: i64) -> Option<&'static str> {
        self.options.iter().find(|o| o.0 == value).map(|o| o.1)
    }

    /// The OptionSetMetadata of `table.column`, all of it or the
    /// properties in `select` (and `MetadataId`, the key, always first, as
    /// the fixtures have it).
    pub fn option_set(&self, table: &str, column: &str, select: Option<&[String]>) -> Value {
        let name = format!("{table}_{column}");
        let id =
            |what: &str| Uuid::new_v5(&Uuid::NAMESPACE_OID, format!("{name}.{what}").as_bytes());
        let options: Vec<Value> = self.options.iter().map(|o| self.option(&name, o)).collect();
        let display = labels::column(table, column);
        let all = json!({
            "Options": options,
            "Description": labels::empty(),
            "DisplayName": labels::label(&display, &format!("{name}.displayname")),
            "IsCustomOptionSet": false,
            "IsGlobal": false,
            "IsManaged": true,
            "IsCustomizable": {"Value": true, "CanBeChanged": false, "ManagedPropertyLogicalName": "iscustomizable"},
            "Name": name,
            "OptionSetType": self.kind.option_set_type(),
            "IntroducedVersion": null,
            "MetadataId": id("optionset"),
            "HasChanged": null,
        });
        let (Some(select), Value::Object(all)) = (select, &all) else {
            return all;
        };
        let mut picked = Map::new();
        picked.insert("MetadataId".into(), json!(id("optionset")));
        for (key, value) in all {
            if select.contains(key) {
                picked.insert(key.clone(), value.clone());
            }
        }
        Value::Object(picked)
    }

    /// One option in the fixtures' property order.
    fn option(&self, set: &str, o: &Opt) -> Value {
        let mut v = Map::new();
        let kind_type = match self.kind {
            Kind::Picklist => None,
            Kind::State => Some("#Microsoft.Dynamics.CRM.StateOptionMetadata"),
            Kind::Status => Some("#Microsoft.Dynamics.CRM.StatusOptionMetadata"),
        };
        if let Some(t) = kind_type {
            v.insert("@odata.type".into(), json!(t));
        }
        for (key, value) in [
            ("Value", json!(o.0)),
            ("Color", Value::Null),
            ("IsManaged", json!(true)),
            ("ExternalValue", Value::Null),
            ("ParentValues", json!([])),
            ("Tag", Value::Null),
            ("IsHidden", json!(false)),
            ("MetadataId", Value::Null),
            ("HasChanged", Value::Null),
        ] {
            v.insert(key.into(), value);
        }
        match self.kind {
            Kind::Picklist => {}
            Kind::State => {
                v.insert("DefaultStatus".into(), json!(o.2));
                v.insert("InvariantName".into(), json!(o.1));
            }
            Kind::Status => {
                v.insert("State".into(), json!(o.2));
                v.insert("TransitionData".into(), Value::Null);
            }
        }
        v.insert(
            "Label".into(),
            labels::label(o.1, &format!("{set}.{}", o.0)),
        );
        v.insert("Description".into(), labels::empty());
        Value::Object(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_of_the_sandbox_tables() {
        assert_eq!(
            of("account", "statecode").map(|c| c.kind),
            Some(Kind::State)
        );
        assert_eq!(
            of("contact", "statuscode").map(|c| c.kind),
            Some(Kind::Status)
        );
        assert_eq!(of("account", "industrycode").map(|c| c.count()), Some(33));
        assert!(of("account", "name").is_none());
        assert!(of("account", "familystatuscode").is_none());
    }

    #[test]
    fn options_carry_their_kind_and_links() {
        let state = of("contact", "statecode")
            .unwrap()
            .option_set("contact", "statecode", None);
        assert_eq!(state["OptionSetType"], "State");
        assert_eq!(state["Name"], "contact_statecode");
        let inactive = &state["Options"][1];
        assert_eq!(
            inactive["@odata.type"],
            "#Microsoft.Dynamics.CRM.StateOptionMetadata"
        );
        assert_eq!(inactive["DefaultStatus"], 2);
        assert_eq!(inactive["InvariantName"], "Inactive");
        let status = of("contact", "statuscode")
            .unwrap()
            .option_set("contact", "statuscode", None);
        assert_eq!(status["Options"][1]["State"], 1);
        let picked = of("account", "industrycode").unwrap().option_set(
            "account",
            "industrycode",
            Some(&["Options".to_string()]),
        );
        let keys: Vec<&String> = picked.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["MetadataId", "Options"]);
        assert_eq!(
            picked["Options"][32]["Label"]["UserLocalizedLabel"]["Label"],
            "Wholesale"
        );
    }
}
