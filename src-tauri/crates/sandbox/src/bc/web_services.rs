//! OData V4 web services: the pages an administrator published on BC's Web
//! Services page, read at `…/ODataV4/Company(…)/{ServiceName}`
//! (docs/microsoft.md §5). A page's fields are named as BC's `$metadata`
//! names them: the caption with spaces as `_`, dots and brackets dropped
//! ("Balance (LCY)" → `Balance_LCY`; *BC* return-obtain-service-metadata-
//! edmx-document.md). Their rows are the records API v2.0 serves, read
//! through the page, so a customer has the same number in both.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde_json::{json, Value};

use super::rows::{self, CompanyData};
use crate::odata::collection::{Collection, KeyScheme};
use crate::odata::csdl::Model;
use crate::odata::{EdmType, EntityType, Row};

/// What an environment publishes when the world does not say.
pub const DEFAULT_SERVICES: &[&str] = &["Customers", "Vendors", "Chart_of_Accounts"];

/// The company set every ODataV4 path starts from (table 2000000006).
pub const COMPANY_SET: &str = "Company";

/// The API v2.0 entity set each page reads.
const SOURCES: &[(&str, &str)] = &[
    ("Customers", "customers"),
    ("Vendors", "vendors"),
    ("Chart_of_Accounts", "accounts"),
];

/// Every page the sandbox can publish, in the `NAV` namespace of BC's
/// ODataV4 `$metadata`.
pub fn catalog() -> Result<Model, String> {
    Model::parse("NAV", include_str!("web_services.txt"))
}

/// The `$metadata` model of an environment publishing `services`: the
/// company set, those pages and the enums they use.
pub fn published(all: &Model, services: &[String]) -> Result<Model, String> {
    let mut types = vec![];
    for name in std::iter::once(COMPANY_SET).chain(services.iter().map(String::as_str)) {
        let entity = all
            .types
            .iter()
            .find(|t| t.set_name == name)
            .ok_or_else(|| {
                format!(
                    "the sandbox cannot publish a web service called {name}; it has {}",
                    DEFAULT_SERVICES.join(", ")
                )
            })?;
        types.push(entity.clone());
    }
    let used: HashSet<&str> = types
        .iter()
        .flat_map(|t| &t.properties)
        .filter_map(|p| match &p.ty {
            EdmType::Enum(name) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    let enums = all
        .enums
        .iter()
        .filter(|e| used.contains(e.name.as_str()))
        .cloned()
        .collect();
    Ok(Model {
        namespace: all.namespace.clone(),
        types,
        enums,
    })
}

/// The published pages of one company, keyed by service name.
pub fn pages(model: &Model, company: &CompanyData) -> HashMap<String, Collection> {
    model
        .types
        .iter()
        .filter_map(|entity| {
            let source = SOURCES
                .iter()
                .find(|(service, _)| *service == entity.set_name)?
                .1;
            let api = company.set(source)?.clone();
            let keys = rows::numbers(source, "No").unwrap_or_else(|| KeyScheme::Listed {
                property: "No".into(),
                // Only small sets (the chart of accounts) lack a numbering.
                keys: (0..api.len())
                    .map(|i| text(&api.row(i), "number"))
                    .collect(),
            });
            let page = Arc::new(entity.clone());
            let builder = page.clone();
            let collection = Collection::new(page, api.len(), keys, move |i, _| {
                through_page(&builder, &api.row(i))
            });
            Some((entity.set_name.clone(), collection))
        })
        .collect()
}

/// A company as the ODataV4 `Company` set lists it (docs/sandbox-fidelity.md §L10).
pub fn company_row(company: &CompanyData) -> Row {
    let mut row = Row::new();
    for (k, v) in [
        ("Name", json!(company.name)),
        ("Evaluation_Company", json!(false)),
        ("Display_Name", json!(company.name)),
        ("Id", json!(company.id)),
        ("Business_Profile_Id", json!("")),
    ] {
        row.insert(k.into(), v);
    }
    row
}

/// An API v2.0 row as `page` shows it, its ETag first as BC writes it.
fn through_page(page: &EntityType, api: &Row) -> Row {
    let mut row = Row::new();
    if let Some(etag) = api.get("@odata.etag") {
        row.insert("@odata.etag".into(), etag.clone());
    }
    for property in &page.properties {
        row.insert(property.name.clone(), field(&property.name, api));
    }
    row
}

fn field(property: &str, api: &Row) -> Value {
    let copied = match property {
        "No" => "number",
        "Name" => "displayName",
        "Address" => "addressLine1",
        "City" => "city",
        "County" => "state",
        "Post_Code" => "postalCode",
        "Country_Region_Code" => "country",
        "Phone_No" => "phoneNumber",
        "E_Mail" => "email",
        "Salesperson_Code" => "salespersonCode",
        "Currency_Code" => "currencyCode",
        "Credit_Limit_LCY" => "creditLimit",
        "Blocked" => "blocked",
        "Account_Category" => "category",
        "Account_Type" => "accountType",
        "Direct_Posting" => "directPosting",
        "Net_Change" => "netChange",
        // Customers owe (balanceDue); the company owes vendors (balance).
        "Balance_LCY" => ["balanceDue", "balance"]
            .into_iter()
            .find(|p| api.contains_key(*p))
            .unwrap_or("balance"),
        "Last_Date_Modified" => {
            let stamp = text(api, "lastModifiedDateTime");
            return json!(stamp.get(..10).unwrap_or("0001-01-01"));
        }
        "Income_Balance" => {
            let income = ["Income", "Cost_x0020_of_x0020_Goods_x0020_Sold", "Expense"]
                .contains(&text(api, "category").as_str());
            return json!(if income {
                "Income_Statement"
            } else {
                "Balance_Sheet"
            });
        }
        _ => return Value::Null,
    };
    api.get(copied).cloned().unwrap_or(Value::Null)
}

fn text(row: &Row, property: &str) -> String {
    row.get(property)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_property_is_read_from_its_api_set() {
        let all = catalog().unwrap();
        let api = Model::parse("Microsoft.NAV", include_str!("model.txt")).unwrap();
        for (service, source) in SOURCES {
            let page = all.entity_by_set(service).unwrap();
            let source = api.entity_by_set(source).unwrap();
            let mut row = Row::new();
            for p in &source.properties {
                row.insert(p.name.clone(), json!("x"));
            }
            for p in &page.properties {
                assert_ne!(field(&p.name, &row), Value::Null, "{service}.{}", p.name);
            }
        }
    }

    #[test]
    fn an_unknown_service_is_refused_with_the_ones_there_are() {
        let all = catalog().unwrap();
        let error = published(&all, &["Items".into()]).err().unwrap();
        assert!(error.contains("Items") && error.contains("Chart_of_Accounts"));
        let model = published(&all, &["Vendors".into()]).unwrap();
        let sets: Vec<&str> = model.types.iter().map(|t| t.set_name.as_str()).collect();
        assert_eq!(sets, ["Company", "Vendors"]);
        assert_eq!(model.enums.len(), 1, "only Vendor_Blocked is used");
    }
}
