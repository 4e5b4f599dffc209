//! OData v4 as the three Dynamics products speak it: the entity model the
//! sandbox serves, the system query options and their evaluation over
//! generated rows. Product routes (`bc`, `fno`, `dataverse`) decide which
//! options they allow and how errors look on the wire.

pub mod collection;
pub mod csdl;
pub mod filter;
pub mod order;
pub mod page;
pub mod query;
mod query_error;
pub mod wire;

use serde_json::{Map, Value};

/// One entity as JSON, property name → value, in `$metadata` order.
pub type Row = Map<String, Value>;

/// The primitive (or enum) type of a property, as CSDL names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EdmType {
    String,
    Guid,
    Boolean,
    Int32,
    Int64,
    Decimal,
    Double,
    /// `Edm.Date`: `2025-03-05`.
    Date,
    /// `Edm.DateTimeOffset`: `2025-03-05T19:19:22.273Z`.
    DateTimeOffset,
    /// An enum type of the schema's namespace; values are member names on
    /// the wire (`"Company"`, `"_x0020_"`).
    Enum(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    pub name: String,
    pub ty: EdmType,
    pub nullable: bool,
}

/// An entity type and the set that serves it (`customer` / `customers`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityType {
    /// Schema namespace, e.g. `Microsoft.NAV`, `Microsoft.Dynamics.DataEntities`,
    /// `Microsoft.Dynamics.CRM`.
    pub namespace: String,
    pub name: String,
    pub set_name: String,
    pub key: Vec<String>,
    pub properties: Vec<Property>,
}

impl EntityType {
    /// `Microsoft.NAV.customer`, as OData error messages name the type.
    pub fn qualified_name(&self) -> String {
        format!("{}.{}", self.namespace, self.name)
    }

    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.name == name)
    }
}

/// A CSDL enum type; member names are what rows carry on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumType {
    pub name: String,
    pub members: Vec<(String, i64)>,
}
