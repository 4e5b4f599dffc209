//! CRONUS-style rows for the Business Central entity sets, made on demand
//! from (company, entity set, index). Documents point at customers, vendors,
//! accounts, currencies and payment terms that exist in the same company.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{json, Value};

use crate::data::{
    self, company_name, domain_of, seed_of, Address, IdSpace, Person, Scale, Seq, ACCOUNT_NAMES,
    CURRENCIES, PAYMENT_TERMS,
};
use crate::odata::collection::{Collection, KeyScheme};
use crate::odata::csdl::Model;
use crate::odata::{EdmType, EntityType, Row};

/// How many rows each entity set has at a scale.
fn size(set: &str, scale: Scale) -> usize {
    let (small, large) = match set {
        "customers" => (2_500, 100_000),
        "vendors" => (400, 5_000),
        "items" => (1_200, 5_000),
        "employees" => (60, 600),
        "salesInvoices" => (4_000, 100_000),
        "salesOrders" => (1_500, 20_000),
        "purchaseInvoices" => (2_000, 40_000),
        // More than one 20,000-row page even when small, so the real
        // server page size produces a nextLink.
        "generalLedgerEntries" => (25_000, 250_000),
        "currencies" => (CURRENCIES.len(), CURRENCIES.len()),
        "paymentTerms" => (PAYMENT_TERMS.len(), PAYMENT_TERMS.len()),
        "accounts" => (ACCOUNT_NAMES.len(), ACCOUNT_NAMES.len()),
        _ => (0, 0),
    };
    match scale {
        Scale::Small => small,
        Scale::Large => large,
    }
}

/// One BC company and where its rows come from.
pub struct CompanyData {
    pub id: String,
    pub name: String,
    sets: HashMap<String, Collection>,
    /// The OData V4 web services, read through the same rows.
    web_services: HashMap<String, Collection>,
}

impl CompanyData {
    pub fn set(&self, name: &str) -> Option<&Collection> {
        self.sets.get(name)
    }

    pub fn web_service(&self, name: &str) -> Option<&Collection> {
        self.web_services.get(name)
    }

    pub fn with_web_services(self, web_services: HashMap<String, Collection>) -> Self {
        CompanyData {
            web_services,
            ..self
        }
    }
}

/// Everything a row builder needs to point at other rows of its company.
struct Refs {
    seed: u64,
    ids: HashMap<String, IdSpace>,
    lens: HashMap<String, usize>,
}

impl Refs {
    fn id(&self, set: &str, index: usize) -> String {
        self.ids
            .get(set)
            .map(|ids| ids.id(index).to_string())
            .unwrap_or_else(|| ZERO_GUID.to_string())
    }

    fn pick(&self, set: &str, seq: &mut Seq) -> usize {
        seq.below(self.lens.get(set).copied().unwrap_or(0))
    }

    fn seq(&self, set: &str, index: usize) -> Seq {
        Seq::new(seed_of(&[&self.seed.to_string(), set, &index.to_string()]))
    }

    /// The organisation name a customer or vendor row draws first, so a
    /// document can name its partner without building the partner row.
    fn partner_name(&self, set: &str, index: usize) -> String {
        company_name(&mut self.seq(set, index))
    }
}

/// Customer and vendor numbers count in tens, as CRONUS's do (`C0000010`);
/// the web services key those rows on them.
pub fn numbers(set: &str, property: &str) -> Option<KeyScheme> {
    let prefix = match set {
        "customers" => "C",
        "vendors" => "V",
        _ => return None,
    };
    Some(KeyScheme::numbered_by(property, prefix, 7, 10))
}

const ZERO_GUID: &str = "00000000-0000-0000-0000-000000000000";

pub fn company(model: &Arc<Model>, id: String, name: &str, scale: Scale) -> CompanyData {
    let seed = seed_of(&["bc", name]);
    let sets: Vec<&EntityType> = model
        .types
        .iter()
        .filter(|t| t.set_name != "companies")
        .collect();
    let refs = Arc::new(Refs {
        seed,
        ids: sets
            .iter()
            .map(|t| {
                let ids = IdSpace::new(seed_of(&[&seed.to_string(), &t.set_name]));
                (t.set_name.clone(), ids)
            })
            .collect(),
        lens: sets
            .iter()
            .map(|t| (t.set_name.clone(), size(&t.set_name, scale)))
            .collect(),
    });
    let sets = sets
        .into_iter()
        .filter_map(|t| {
            let ids = *refs.ids.get(&t.set_name)?;
            let entity = Arc::new(t.clone());
            let refs = refs.clone();
            let builder = entity.clone();
            let collection = Collection::new(
                entity,
                size(&t.set_name, scale),
                KeyScheme::guid("id", ids),
                move |i, key| build(&builder, &refs, i, key),
            );
            Some((t.set_name.clone(), collection))
        })
        .collect();
    CompanyData {
        id,
        name: name.into(),
        sets,
        web_services: HashMap::new(),
    }
}

/// The facts of one row, drawn in a fixed order so they never change.
struct Facts {
    index: usize,
    org: String,
    person: Person,
    address: Address,
    phone: String,
    amount: f64,
    day: usize,
    modified: String,
    seq: Seq,
}

fn build(entity: &EntityType, refs: &Refs, index: usize, key: &str) -> Row {
    let set = entity.set_name.as_str();
    let mut seq = refs.seq(set, index);
    let org = company_name(&mut seq);
    let person = Person::random(&mut seq);
    let address = Address::random(&mut seq);
    let phone = data::phone(&mut seq);
    let amount = seq.money(20, 25_000);
    let day = 1460 + seq.below(1000);
    let modified = data::timestamp(&mut seq);
    let mut f = Facts {
        index,
        org,
        person,
        address,
        phone,
        amount,
        day,
        modified,
        seq,
    };
    let mut row = Row::new();
    // BC puts a weak ETag first in every entity (fixtures).
    row.insert(
        "@odata.etag".into(),
        json!(format!("W/\"JzE5Oz{index:017}OzAwOyc=\"")),
    );
    for p in &entity.properties {
        let value = if p.name == "id" {
            json!(key)
        } else {
            value(set, &p.name, &p.ty, refs, &mut f)
        };
        row.insert(p.name.clone(), value);
    }
    row
}

fn value(set: &str, name: &str, ty: &EdmType, refs: &Refs, f: &mut Facts) -> Value {
    let i = f.index;
    match (set, name) {
        ("customers" | "vendors", "number") => json!(numbers(set, name).map(|n| n.key(i))),
        ("items", "number") => json!(format!("{}-S", 1000 + i)),
        ("employees", "number") => json!(format!("E{:04}", i + 1)),
        ("salesInvoices", "number") => json!((103_001 + i).to_string()),
        ("salesOrders", "number") => json!(format!("S-ORD{}", 101_001 + i)),
        ("purchaseInvoices", "number") => json!((108_001 + i).to_string()),
        ("accounts", "number") => json!(account(i).0),
        ("accounts", "displayName") => json!(account(i).1),
        ("accounts", "category") => json!(account(i).2),
        ("accounts", "accountType") => json!("Posting"),
        ("accounts", "directPosting") => json!(true),
        ("accounts", "netChange") => json!(f.amount * 10.0),
        ("currencies", "code") => json!(currency(i).0),
        ("currencies", "displayName") => json!(currency(i).1),
        ("currencies", "symbol") => json!(currency(i).2),
        ("currencies", "amountDecimalPlaces") => json!("2:2"),
        ("currencies", "amountRoundingPrecision") => json!(0.01),
        ("paymentTerms", "code") => json!(terms(i).0),
        ("paymentTerms", "displayName") => json!(terms(i).1),
        ("paymentTerms", "dueDateCalculation") => json!(terms(i).2),
        ("customers" | "vendors", "displayName") => json!(f.org),
        ("employees", "displayName") => json!(f.person.full_name()),
        ("employees", "givenName") => json!(f.person.given),
        ("employees", "surname") => json!(f.person.surname),
        ("employees", "jobTitle") => json!(data::job_title(&mut f.seq)),
        ("employees", "status") => json!("Active"),
        ("employees", "employmentDate") => json!(data::date(f.day.saturating_sub(1200))),
        ("employees", "birthDate") => json!(data::date(f.seq.below(900))),
        ("employees", "terminationDate") => json!("0001-01-01"),
        ("items", "displayName") => json!(data::item_name(&mut f.seq)),
        ("items", "type") => json!("Inventory"),
        ("items", "inventory") => json!(f.seq.below(500)),
        ("items", "unitPrice") => json!(f.amount / 10.0),
        ("items", "unitCost") => json!((f.amount / 16.0 * 100.0).round() / 100.0),
        ("items", "baseUnitOfMeasureCode") => json!("PCS"),
        ("customers", "type") => json!("Company"),
        ("customers", "balanceDue") => json!(if f.seq.chance(60) { 0.0 } else { f.amount }),
        ("customers", "creditLimit") => json!(if f.seq.chance(50) { 0 } else { 10_000 }),
        ("vendors", "balance") => json!(f.amount),
        (_, "email") => json!(f.person.email(&domain_of(&f.org))),
        (_, "website") => json!(format!("www.{}", domain_of(&f.org))),
        (_, "phoneNumber" | "mobilePhone") => json!(f.phone),
        (_, "blocked") if *ty == EdmType::Boolean => json!(false),
        (_, "taxLiable") => json!(true),
        (_, "currencyCode") => json!("USD"),
        (_, "salespersonCode" | "salesperson") => json!(["JO", "PS", "BD"][i % 3]),
        (_, "purchaser") => json!("MH"),
        (_, "paymentTermsId") => json!(refs.id("paymentTerms", i % PAYMENT_TERMS.len())),
        (_, "lastModifiedDateTime") => json!(f.modified),
        _ => address_or_document(set, name, ty, refs, f),
    }
}

/// Address lines (`addressLine1`, `sellToCity`, `payToPostCode`, …) and
/// the partner, date and amount fields of sales and purchase documents.
fn address_or_document(set: &str, name: &str, ty: &EdmType, refs: &Refs, f: &mut Facts) -> Value {
    let place = f.address.place;
    let field = ["sellTo", "billTo", "shipTo", "buyFrom", "payTo"]
        .iter()
        .find_map(|prefix| name.strip_prefix(prefix))
        .unwrap_or(name);
    match field {
        "addressLine1" | "AddressLine1" => return json!(f.address.line1),
        "city" | "City" => return json!(place.city),
        "state" | "State" => return json!(place.state),
        "country" | "Country" => return json!(place.country),
        "postalCode" | "PostCode" => return json!(place.postal_code),
        _ => {}
    }
    let partner_set = if set.starts_with("purchase") {
        "vendors"
    } else {
        "customers"
    };
    let partner = refs.pick(partner_set, &mut Seq::new(f.index as u64 ^ refs.seed));
    let excluding = f.amount;
    let tax = (excluding * 8.0).round() / 100.0;
    match name {
        "customerId" | "billToCustomerId" | "vendorId" | "payToVendorId" => {
            json!(refs.id(partner_set, partner))
        }
        "customerNumber" | "billToCustomerNumber" => json!(format!("C{:07}", (partner + 1) * 10)),
        "vendorNumber" | "payToVendorNumber" => json!(format!("V{:07}", (partner + 1) * 10)),
        "customerName" | "billToName" | "shipToName" | "vendorName" | "payToName" => {
            json!(refs.partner_name(partner_set, partner))
        }
        "shipToContact" | "payToContact" => json!(f.person.full_name()),
        "invoiceDate" | "postingDate" | "orderDate" => json!(data::date(f.day)),
        "dueDate" | "promisedPayDate" | "requestedDeliveryDate" => json!(data::date(f.day + 30)),
        "vendorInvoiceNumber" | "externalDocumentNumber" => {
            json!(format!("EXT-{}", 5000 + f.index))
        }
        "totalAmountExcludingTax" => json!(excluding),
        "totalTaxAmount" => json!(tax),
        "totalAmountIncludingTax" => json!(excluding + tax),
        "remainingAmount" => json!(if f.index.is_multiple_of(3) {
            excluding + tax
        } else {
            0.0
        }),
        "status" if set == "salesOrders" => json!("Open"),
        "status" => json!(if f.index.is_multiple_of(3) {
            "Open"
        } else {
            "Paid"
        }),
        "entryNumber" => json!(f.index + 1),
        "documentNumber" => json!((103_001 + f.index / 2).to_string()),
        "documentType" => json!(if f.index.is_multiple_of(5) {
            "Payment"
        } else {
            "Invoice"
        }),
        "accountId" => json!(refs.id("accounts", f.index % ACCOUNT_NAMES.len())),
        "accountNumber" => json!(account(f.index % ACCOUNT_NAMES.len()).0),
        "description" => json!(format!("Invoice {}", 103_001 + f.index / 2)),
        "debitAmount" => json!(if f.index.is_multiple_of(2) {
            excluding
        } else {
            0.0
        }),
        "creditAmount" => json!(if !f.index.is_multiple_of(2) {
            excluding
        } else {
            0.0
        }),
        _ => empty(ty),
    }
}

/// What BC returns for a field nobody filled in.
fn empty(ty: &EdmType) -> Value {
    match ty {
        EdmType::String => json!(""),
        EdmType::Guid => json!(ZERO_GUID),
        EdmType::Boolean => json!(false),
        EdmType::Int32 | EdmType::Int64 | EdmType::Decimal | EdmType::Double => json!(0),
        EdmType::Date => json!("0001-01-01"),
        EdmType::DateTimeOffset => json!("0001-01-01T00:00:00Z"),
        // BC's blank option value (fixture: `"blocked": "_x0020_"`).
        EdmType::Enum(_) => json!("_x0020_"),
    }
}

fn account(i: usize) -> (&'static str, &'static str, &'static str) {
    ACCOUNT_NAMES
        .get(i)
        .copied()
        .unwrap_or(("99999", "Suspense", "Assets"))
}

fn currency(i: usize) -> (&'static str, &'static str, &'static str) {
    CURRENCIES
        .get(i)
        .copied()
        .unwrap_or(("USD", "US dollar", "$"))
}

fn terms(i: usize) -> (&'static str, &'static str, &'static str) {
    PAYMENT_TERMS
        .get(i)
        .copied()
        .unwrap_or(("COD", "Cash on delivery", "0D"))
}
