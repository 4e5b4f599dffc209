//! The three Dynamics 365 products D365 Connect connects to.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum Product {
    BusinessCentral,
    FinanceOperations,
    Dataverse,
}

impl Product {
    pub const ALL: [Product; 3] = [
        Product::BusinessCentral,
        Product::FinanceOperations,
        Product::Dataverse,
    ];

    /// The name people know it by.
    pub fn display_name(self) -> &'static str {
        match self {
            Product::BusinessCentral => "Business Central",
            Product::FinanceOperations => "Finance & Operations",
            Product::Dataverse => "Dataverse (Sales, Customer Service)",
        }
    }

    /// The short name sentences use ("When Dataverse is slow …").
    pub fn short_name(self) -> &'static str {
        match self {
            Product::Dataverse => "Dataverse",
            other => other.display_name(),
        }
    }

    /// One line on what the product is, for the product picker.
    pub fn blurb(self) -> &'static str {
        match self {
            Product::BusinessCentral => "Dynamics 365 Business Central: finance and operations for small and mid-sized companies.",
            Product::FinanceOperations => "Dynamics 365 Finance, Supply Chain Management and the other finance and operations apps.",
            Product::Dataverse => "Dynamics 365 Sales, Customer Service and the other customer engagement apps.",
        }
    }

    /// The API's name on the Entra "Request API permissions" page, and its
    /// application ID (docs/microsoft.md §9).
    pub fn entra_api(self) -> (&'static str, &'static str) {
        match self {
            Product::BusinessCentral => (
                "Dynamics 365 Business Central",
                "996def3d-b36c-4153-8607-a6fd3c01b89f",
            ),
            Product::FinanceOperations => (
                "Microsoft Dynamics ERP",
                "00000015-0000-0000-c000-000000000000",
            ),
            Product::Dataverse => ("Dynamics CRM", "00000007-0000-0000-c000-000000000000"),
        }
    }
}

/// How the front end names each product, in the core's order.
#[derive(Debug, Clone, Serialize)]
pub struct ProductFacts {
    pub id: Product,
    pub name: &'static str,
    pub blurb: &'static str,
}

pub fn product_facts() -> Vec<ProductFacts> {
    Product::ALL
        .into_iter()
        .map(|id| ProductFacts {
            id,
            name: id.short_name(),
            blurb: id.blurb(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The UI reads the product names from `ui/src/bindings/products.json`,
    /// written here beside the ts-rs bindings (and drift-checked with them),
    /// so the front end keeps no copy of its own.
    #[test]
    fn export_product_facts_for_the_ui() {
        let text = serde_json::to_string_pretty(&product_facts()).unwrap() + "\n";
        let Some(dir) = std::env::var_os("TS_RS_EXPORT_DIR") else {
            return;
        };
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../..")
            .join(dir)
            .join("products.json");
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, &text).unwrap();
        }
    }
}
