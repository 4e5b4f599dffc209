//! The rest of F&O's entity catalog: real environments publish ~5,000
//! entity sets and a `$metadata` of ~30 MB (docs/microsoft.md §6: 28 MB / 13,647
//! classes in odata-client#259, ">30MB" in python-odata#4). The sandbox
//! writes plausible row-less entity types so catalog code meets the same
//! size; the small scale keeps a few hundred.

use crate::data::{seed_of, Scale, Seq};
use crate::odata::{EdmType, EntityType, Property};

const MODULES: &[&str] = &[
    "Sales",
    "Purch",
    "Invent",
    "Ledger",
    "Project",
    "Bank",
    "Cust",
    "Vend",
    "Asset",
    "Budget",
    "Tax",
    "Prod",
    "WHS",
    "HcmWorker",
    "Retail",
    "Trade",
    "Markup",
    "Payroll",
    "Expense",
    "Catch",
];
const NOUNS: &[&str] = &[
    "Order",
    "Invoice",
    "Journal",
    "Transaction",
    "Posting",
    "Setup",
    "Parameter",
    "Group",
    "Line",
    "Header",
    "Charge",
    "Agreement",
    "Address",
    "Contact",
    "Price",
    "Discount",
    "Batch",
    "Location",
    "Site",
    "Warehouse",
    "Dimension",
    "Account",
    "Category",
    "Template",
    "Rule",
    "Profile",
    "Policy",
    "Schedule",
    "Calendar",
    "Period",
    "Status",
    "Reason",
    "Type",
    "Code",
    "Document",
    "Attachment",
    "Note",
    "Role",
    "Team",
    "Plan",
    "Forecast",
    "Estimate",
    "Budget",
    "Voucher",
    "Settlement",
    "Payment",
    "Fee",
    "Rebate",
    "Commission",
    "Allocation",
];
const VARIANTS: &[&str] = &["", "V2", "V3", "Lines", "Headers", "Entities"];
const FIELDS: &[&str] = &[
    "Id",
    "Name",
    "Description",
    "Amount",
    "Quantity",
    "Date",
    "Status",
    "Type",
    "Code",
    "Number",
    "Account",
    "Currency",
    "Price",
    "Unit",
    "Site",
    "Warehouse",
    "Location",
    "Group",
    "Category",
    "Reference",
    "Voucher",
    "Text",
    "Percent",
    "Value",
    "Owner",
    "Worker",
    "Approver",
    "Created",
    "Modified",
    "Posted",
    "Balance",
    "Limit",
    "Tax",
    "Discount",
    "Charge",
    "Cost",
    "Weight",
];
const FIELD_TYPES: &[EdmType] = &[
    EdmType::String,
    EdmType::String,
    EdmType::String,
    EdmType::Decimal,
    EdmType::Int32,
    EdmType::DateTimeOffset,
];

pub fn entity_types(namespace: &str, scale: Scale) -> Vec<EntityType> {
    let count = match scale {
        Scale::Small => 300,
        // ~5,000 sets with the four real ones.
        Scale::Large => 4_996,
    };
    (0..count).map(|i| entity_type(namespace, i)).collect()
}

fn entity_type(namespace: &str, index: usize) -> EntityType {
    let module = MODULES[index % MODULES.len()];
    let noun = NOUNS[(index / MODULES.len()) % NOUNS.len()];
    let variant = VARIANTS[(index / (MODULES.len() * NOUNS.len())) % VARIANTS.len()];
    let name = format!("{module}{noun}{variant}");
    let mut seq = Seq::new(seed_of(&["fno-catalog", &name]));
    let key = format!("{noun}Id");
    let mut properties = vec![
        property("dataAreaId", EdmType::String, false),
        property(&key, EdmType::String, false),
    ];
    // Real entities average dozens of fields; 70–90 gives ~6 KB per type.
    for n in 0..70 + seq.below(20) {
        let field = FIELDS[seq.below(FIELDS.len())];
        let ty = FIELD_TYPES[seq.below(FIELD_TYPES.len())].clone();
        properties.push(property(&format!("{module}{field}{n}"), ty, true));
    }
    EntityType {
        namespace: namespace.into(),
        set_name: format!("{name}s"),
        name,
        key: vec!["dataAreaId".into(), key],
        properties,
    }
}

fn property(name: &str, ty: EdmType, nullable: bool) -> Property {
    Property {
        name: name.into(),
        ty,
        nullable,
    }
}
