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
