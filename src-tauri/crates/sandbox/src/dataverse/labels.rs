//! Display names of the sandbox's tables and columns, and the Label shape
//! the metadata API writes them in (fixtures
//! amplabs_metadata_contacts_entity-definition.json and
//! amplabs_metadata_contacts_options-*.json). The names are the real
//! service's English ones: the Account, Contact, BusinessUnit,
//! Organization, Role and SystemUser "table/entity reference" pages and the "organization
//! EntityType" Web API reference (power-apps/developer/data-platform/
//! reference/entities), and fixture amplabs_metadata_contacts_attributes.json.

use serde_json::{json, Value};
use uuid::Uuid;

/// English (United States), the only language the sandbox has.
const LANGUAGE: u32 = 1033;

/// `{"LocalizedLabels": [label], "UserLocalizedLabel": label}`. Real
/// labels have a MetadataId of their own; the sandbox derives one from
/// `key`, so a label keeps its id from run to run.
pub fn label(text: &str, key: &str) -> Value {
    let label = json!({
        "Label": text,
        "LanguageCode": LANGUAGE,
        "IsManaged": true,
        "MetadataId": Uuid::new_v5(&Uuid::NAMESPACE_OID, key.as_bytes()),
        "HasChanged": null,
    });
    json!({"LocalizedLabels": [label.clone()], "UserLocalizedLabel": label})
}

/// A label nobody wrote, as options' `Description` comes.
pub fn empty() -> Value {
    json!({"LocalizedLabels": [], "UserLocalizedLabel": null})
}

pub fn table(logical: &str) -> &'static str {
    match logical {
        "account" => "Account",
        "contact" => "Contact",
        "businessunit" => "Business Unit",
        "organization" => "Organization",
        "role" => "Security Role",
        "systemuser" => "User",
        _ => "Table",
    }
}

/// A column's display name; `column` is the attribute's logical name (a
/// lookup's without `_…_value`).
pub fn column(table: &str, column: &str) -> String {
    let known = match (table, column) {
        // The primary key is named after its table.
        (t, c) if c.strip_suffix("id") == Some(t) => self::table(t),
        ("account", "name") => "Account Name",
        ("account", "telephone1") => "Main Phone",
        ("contact", "telephone1") => "Business Phone",
        ("contact", "parentcustomerid") => "Company Name",
        ("organization", "name") => "Organization Name",
        ("businessunit", "parentbusinessunitid") => "Parent Business",
        (_, "businessunitid") => "Business Unit",
        ("systemuser", "domainname") => "User Name",
        ("systemuser", "applicationid") => "Application ID",
        ("systemuser", "accessmode") => "Access Mode",
        ("systemuser", "isdisabled") => "Status",
        ("systemuser", "azureactivedirectoryobjectid") => "Azure AD Object ID",
        (_, "name") => "Name",
        (_, "accountnumber") => "Account Number",
        (_, "emailaddress1") => "Email",
        (_, "websiteurl") => "Website",
        (_, "address1_line1") => "Address 1: Street 1",
        (_, "address1_city") => "Address 1: City",
        (_, "address1_postalcode") => "Address 1: ZIP/Postal Code",
        (_, "address1_country") => "Address 1: Country/Region",
        (_, "revenue") => "Annual Revenue",
        (_, "numberofemployees") => "Number of Employees",
        (_, "industrycode") => "Industry",
        (_, "customertypecode") => "Relationship Type",
        (_, "fullname") => "Full Name",
        (_, "firstname") => "First Name",
        (_, "lastname") => "Last Name",
        (_, "jobtitle") => "Job Title",
        (_, "familystatuscode") => "Marital Status",
        (_, "statecode") => "Status",
        (_, "statuscode") => "Status Reason",
        (_, "isdisabled") => "Is Disabled",
        (_, "languagecode") => "Language",
        (_, "basecurrencysymbol") => "Base Currency Symbol",
        (_, "createdon") => "Created On",
        (_, "modifiedon") => "Modified On",
        _ => return spelled_out(column),
    };
    known.to_string()
}

/// A column added to model.txt without a name here: `new_column` →
/// `New Column`, readable until someone looks the real one up.
fn spelled_out(logical: &str) -> String {
    logical
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_have_the_real_services_names() {
        assert_eq!(column("account", "accountid"), "Account");
        assert_eq!(column("businessunit", "businessunitid"), "Business Unit");
        assert_eq!(column("account", "name"), "Account Name");
        assert_eq!(column("businessunit", "name"), "Name");
        assert_eq!(column("account", "telephone1"), "Main Phone");
        assert_eq!(column("contact", "telephone1"), "Business Phone");
        assert_eq!(column("contact", "address1_city"), "Address 1: City");
        assert_eq!(column("account", "createdon"), "Created On");
        assert_eq!(column("account", "new_rating_code"), "New Rating Code");
    }

    #[test]
    fn labels_have_the_metadata_shape() {
        let l = label("Email", "account.emailaddress1");
        assert_eq!(l["UserLocalizedLabel"], l["LocalizedLabels"][0]);
        assert_eq!(l["UserLocalizedLabel"]["LanguageCode"], 1033);
        assert_eq!(l, label("Email", "account.emailaddress1"));
        assert_ne!(
            l["UserLocalizedLabel"]["MetadataId"],
            label("Email", "contact.emailaddress1")["UserLocalizedLabel"]["MetadataId"]
        );
    }
}
