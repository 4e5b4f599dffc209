//! Rows of the Dataverse tables and the paging cookie that continues them.

use std::collections::HashMap;
use std::sync::Arc;

use percent_encoding::{percent_decode_str, utf8_percent_encode, NON_ALPHANUMERIC};
use serde_json::{json, Value};
use uuid::Uuid;

use super::{choices, security, Organization};
use crate::data::{self, company_name, domain_of, seed_of, Address, IdSpace, Person, Scale, Seq};
use crate::odata::collection::{Collection, KeyScheme};
use crate::odata::csdl::Model;
use crate::odata::{EntityType, Row};
use crate::world::Environment;

const DEFAULT_BUSINESS_UNITS: &[&str] = &["CRONUS Demo", "Sales", "Service"];

fn size(set: &str, scale: Scale) -> usize {
    match (set, scale) {
        ("accounts", Scale::Small) => 6_000,
        ("accounts", Scale::Large) => 50_000,
        ("contacts", Scale::Small) => 12_000,
        ("contacts", Scale::Large) => 100_000,
        _ => 0,
    }
}

pub fn organization(
    model: &Arc<Model>,
    tenant: Uuid,
    env: &Environment,
    scale: Scale,
) -> Organization {
    let seed = seed_of(&["dataverse", &tenant.to_string(), &env.name]);
    let id = Uuid::new_v5(&tenant, env.name.as_bytes());
    let units: Vec<String> = if env.companies.is_empty() {
        DEFAULT_BUSINESS_UNITS
            .iter()
            .map(|s| s.to_string())
            .collect()
    } else {
        env.companies.clone()
    };
    let ids: HashMap<String, IdSpace> = model
        .types
        .iter()
        .map(|t| {
            (
                t.set_name.clone(),
                IdSpace::new(seed_of(&[&seed.to_string(), &t.set_name])),
            )
        })
        .collect();
    let ids = Arc::new(ids);
    let account_count = size("accounts", scale);
    let sets = model
        .types
        .iter()
        .filter_map(|t| {
            let space = *ids.get(&t.set_name)?;
            let entity = Arc::new(t.clone());
            let builder = entity.clone();
            let (ids, units, name) = (ids.clone(), units.clone(), env.name.clone());
            let len = match t.set_name.as_str() {
                "businessunits" => units.len(),
                "organizations" => 1,
                "roles" => units.len() * security::ROLES.len(),
                // Users change while the sandbox runs (security.rs).
                "systemusers" => return None,
                other => size(other, scale),
            };
            let keys = KeyScheme::guid(key_property(t), space);
            let make = move |i: usize, key: &str| {
                let refs = Refs {
                    ids: &ids,
                    units: &units,
                    org: &name,
                    accounts: account_count,
                };
                build(&builder, seed, i, key, &refs)
            };
            Some((t.set_name.clone(), Collection::new(entity, len, keys, make)))
        })
        .collect();
    Organization {
        tenant,
        name: env.name.clone(),
        id,
        sets,
        directory: Default::default(),
    }
}

struct Refs<'a> {
    ids: &'a HashMap<String, IdSpace>,
    units: &'a [String],
    org: &'a str,
    accounts: usize,
}

impl Refs<'_> {
    fn id(&self, set: &str, index: usize) -> Value {
        self.ids
            .get(set)
            .map(|s| json!(s.id(index)))
            .unwrap_or(Value::Null)
    }
}

pub fn key_property(entity: &EntityType) -> &str {
    entity.key.first().map(String::as_str).unwrap_or_default()
}

fn build(entity: &EntityType, seed: u64, index: usize, key: &str, refs: &Refs<'_>) -> Row {
    let mut seq = Seq::new(seed ^ seed_of(&[&entity.set_name, &index.to_string()]));
    let org = company_name(&mut seq);
    let person = Person::random(&mut seq);
    let address = Address::random(&mut seq);
    let phone = data::phone(&mut seq);
    let created = data::timestamp(&mut seq);
    let mut row = Row::new();
    row.insert(
        "@odata.etag".into(),
        json!(format!("W/\"{}\"", 4_000_000 + index)),
    );
    for p in &entity.properties {
        let value = match p.name.as_str() {
            n if n == key_property(entity) => json!(key),
            "name" if entity.name == "businessunit" => json!(refs.units.get(index)),
            "name" if entity.name == "organization" => json!(refs.org),
            "name" if entity.name == "role" => json!(security::role_of(index).name),
            "_businessunitid_value" if entity.name == "role" => {
                refs.id("businessunits", security::business_unit_of_role(index))
            }
            "name" => json!(org),
            "accountnumber" => json!(format!("ACC{:06}", index + 1)),
            "fullname" => json!(person.full_name()),
            "firstname" => json!(person.given),
            "lastname" => json!(person.surname),
            "jobtitle" => json!(data::job_title(&mut seq)),
            "emailaddress1" => json!(person.email(&domain_of(&org))),
            "telephone1" => json!(phone),
            "websiteurl" => json!(format!("https://www.{}", domain_of(&org))),
            "address1_line1" => json!(address.line1),
            "address1_city" => json!(address.place.city),
            "address1_postalcode" => json!(address.place.postal_code),
            "address1_country" => json!(address.place.country),
            "revenue" => json!(seq.money(50_000, 90_000_000)),
            "numberofemployees" => json!(5 + seq.below(5_000)),
            // Active rows: state Active, status reason Active.
            "statecode" => json!(0),
            "statuscode" => json!(1),
            // Most accounts are customers (Relationship Type, CustomerTypeCode).
            "customertypecode" => json!(seq
                .pick(&[3, 3, 3, 3, 3, 8, 8, 5, 10, 11])
                .copied()
                .unwrap_or(3)),
            "industrycode" | "familystatuscode" => choices::of(&entity.name, &p.name)
                .and_then(|c| c.value(seq.below(c.count())))
                .map_or(Value::Null, Value::from),
            "isdisabled" => json!(false),
            "languagecode" => json!(1033),
            "basecurrencysymbol" => json!("$"),
            "_parentcustomerid_value" => refs.id("accounts", seq.below(refs.accounts)),
            "_parentbusinessunitid_value" if index > 0 => refs.id("businessunits", 0),
            // Dataverse writes whole seconds: `2023-06-01T09:30:00Z`.
            "createdon" | "modifiedon" => {
                json!(format!(
                    "{}Z",
                    created.split('.').next().unwrap_or_default()
                ))
            }
            _ => Value::Null,
        };
        row.insert(p.name.clone(), value);
    }
    row
}

pub fn primary_name(logical: &str) -> &'static str {
    match logical {
        "contact" => "fullname",
        _ => "name",
    }
}

/// The `$skiptoken` Dataverse writes: an XML paging cookie, itself
/// URL-encoded inside, then encoded again for the query string (fixture
/// docs_contacts_page1_maxpagesize2.json).
pub fn paging_cookie(entity: &EntityType, next_page: usize, first: &str, last: &str) -> String {
    let key = key_property(entity);
    let inner = format!(
        "<cookie page=\"{}\"><{key} last=\"{{{}}}\" first=\"{{{}}}\" /></cookie>",
        next_page - 1,
        last.to_uppercase(),
        first.to_uppercase()
    );
    let inner = utf8_percent_encode(&inner, NON_ALPHANUMERIC).to_string();
    let cookie = format!(
        "<cookie pagenumber=\"{next_page}\" pagingcookie=\"{inner}\" istracking=\"False\" />"
    );
    utf8_percent_encode(&cookie, NON_ALPHANUMERIC).to_string()
}

/// The cookie as the query parser hands it over (decoded once).
fn decoded(cookie: &str) -> String {
    let once = percent_decode_str(cookie).decode_utf8_lossy().to_string();
    percent_decode_str(&once).decode_utf8_lossy().to_string()
}

pub fn last_id_in_cookie(cookie: &str) -> Option<String> {
    let text = decoded(cookie);
    let start = text.find("last=\"{")? + "last=\"{".len();
    let end = start + text[start..].find('}')?;
    Some(text[start..end].to_lowercase())
}

pub fn page_number(cookie: Option<&str>) -> usize {
    let Some(cookie) = cookie else { return 1 };
    let text = decoded(cookie);
    text.split("pagenumber=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_cookies_carry_the_last_id_and_page_number() {
        let model = Model::parse("Microsoft.Dynamics.CRM", include_str!("model.txt")).unwrap();
        let contact = model.entity_by_set("contacts").unwrap();
        let last = "d5026a4d-d01c-ed11-b83e-000d3a572421";
        let cookie = paging_cookie(contact, 2, "a1", last);
        assert!(!cookie.contains('<'), "must be URL-encoded: {cookie}");
        assert_eq!(last_id_in_cookie(&cookie).as_deref(), Some(last));
        assert_eq!(page_number(Some(&cookie)), 2);
        assert_eq!(page_number(None), 1);
    }
}
