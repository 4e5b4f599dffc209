//! The entity catalog the Browse step lists: every entity set a product
//! offers, its keys, and its columns typed for display. BC and F&O fill it
//! from CSDL `$metadata` (`metadata`), Dataverse from EntityDefinitions
//! (`entity_definitions`).

use std::sync::Arc;

use serde::Serialize;
use ts_rs::TS;

use crate::dynamics::metadata::Declarations;
use crate::problem::{ErrorKind, Explain};

#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct Catalog {
    /// In the service's order.
    pub entity_sets: Vec<EntitySet>,
    /// BC's and F&O's `$metadata` (BC's web services have their own), to
    /// read an entity set's columns from when it is shown.
    #[serde(skip)]
    #[ts(skip)]
    pub(crate) declarations: Vec<(EntitySource, Arc<Declarations>)>,
}

/// Where an entity set is served. Business Central has two data services:
/// API v2.0 and the OData V4 web services, the pages an administrator
/// published on its Web Services page (docs/microsoft.md §5). F&O and
/// Dataverse have one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub enum EntitySource {
    #[default]
    Api,
    WebService,
}

/// How a web service's name starts in the catalog, `ODataV4/Customers`:
/// the service name alone could be an API set's, and this is where BC
/// serves it.
pub const WEB_SERVICE_PREFIX: &str = "ODataV4/";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct EntitySet {
    /// What goes in the URL: `customers`, `CustomersV3`, `contacts`.
    pub name: String,
    /// The qualified entity type: `Microsoft.NAV.customer`.
    pub entity_type: String,
    /// What people read: Dataverse's display name, else one made from `name`.
    pub label: String,
    pub keys: Vec<String>,
    /// The column that names a row (Dataverse's PrimaryNameAttribute); BC's
    /// and F&O's metadata do not say.
    pub primary_name: Option<String>,
    pub source: EntitySource,
}

impl EntitySet {
    /// A BC web service's name as its service knows it (`Customers` for
    /// `ODataV4/Customers`); `None` for an API set.
    pub fn web_service_name(name: &str) -> Option<&str> {
        name.strip_prefix(WEB_SERVICE_PREFIX)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Column {
    /// The property name in rows, `$select` and `$filter`.
    pub name: String,
    pub label: String,
    pub kind: ColumnKind,
    pub nullable: bool,
    /// Part of the entity set's key.
    pub key: bool,
    pub max_length: Option<u32>,
    pub precision: Option<u32>,
    pub scale: Option<u32>,
}

/// What the grid formats a value by. Only the declared type decides: a BC
/// `Edm.Decimal` named `amount` is a Decimal, never guessed to be Money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub enum ColumnKind {
    Text,
    Integer,
    Decimal,
    /// Dataverse's money columns.
    Money,
    Boolean,
    Date,
    DateTime,
    Time,
    Guid,
    /// Shared by every column of the type: F&O uses one enum on thousands
    /// of properties.
    Enum(Arc<EnumType>),
    Binary,
    /// A type the grid shows as text, named as the service names it.
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct EnumType {
    /// Qualified (`Microsoft.Dynamics.DataEntities.NoYes`): F&O's `$filter`
    /// needs it in enum literals. Dataverse: the option set's name.
    pub name: String,
    pub members: Vec<EnumMember>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct EnumMember {
    /// What rows hold: the member name (BC, F&O) or the number (Dataverse).
    pub name: String,
    #[ts(type = "number")]
    pub value: i64,
    /// What people read.
    pub label: String,
}

/// How well a set matches a search; better first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Match {
    Exact,
    Prefix,
    Contains,
}

impl Catalog {
    /// The columns `$metadata` declares for `set`, labelled. Dataverse's
    /// catalog has none: its columns are read per table
    /// (`entity_definitions::columns`).
    pub fn columns(&self, set: &EntitySet) -> Result<Vec<Column>, CatalogError> {
        match self
            .declarations
            .iter()
            .find(|(source, _)| *source == set.source)
        {
            Some((_, declarations)) => declarations.columns(set),
            None => Ok(vec![]),
        }
    }

    /// Adds BC's web services (read from the ODataV4 `$metadata`) after the
    /// API's sets, named `ODataV4/<service>`. Their `Company` set is where
    /// the path starts, not a table to show.
    pub fn with_web_services(mut self, web_services: Catalog) -> Catalog {
        self.entity_sets.extend(
            web_services
                .entity_sets
                .into_iter()
                .filter(|set| set.name != "Company")
                .map(|set| EntitySet {
                    name: format!("{WEB_SERVICE_PREFIX}{}", set.name),
                    source: EntitySource::WebService,
                    ..set
                }),
        );
        self.declarations.extend(
            web_services
                .declarations
                .into_iter()
                .map(|(_, declarations)| (EntitySource::WebService, declarations)),
        );
        self
    }

    /// The entity set called exactly `name` (OData names are case-sensitive).
    pub fn get(&self, name: &str) -> Option<&EntitySet> {
        self.entity_sets.iter().find(|s| s.name == name)
    }

    /// Sets whose name or label contains `query`, ignoring case: exact
    /// matches first, then prefixes, then the rest, each by label. An empty
    /// query lists everything by label.
    pub fn search(&self, query: &str) -> Vec<&EntitySet> {
        let needle = query.trim().to_lowercase();
        let mut hits: Vec<(Match, &EntitySet)> = self
            .entity_sets
            .iter()
            .filter_map(|set| {
                [&set.name, &set.label]
                    .into_iter()
                    .filter_map(|text| matches(&text.to_lowercase(), &needle))
                    .min()
                    .map(|m| (m, set))
            })
            .collect();
        hits.sort_by_cached_key(|(m, set)| (*m, set.label.to_lowercase(), set.name.clone()));
        hits.into_iter().map(|(_, set)| set).collect()
    }
}

fn matches(text: &str, needle: &str) -> Option<Match> {
    if text == needle {
        Some(Match::Exact)
    } else if text.starts_with(needle) {
        Some(Match::Prefix)
    } else {
        text.contains(needle).then_some(Match::Contains)
    }
}

/// The catalog could not be made from what the service sent.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("The service's list of tables could not be read.")]
    Xml { position: u64, cause: String },
    /// Well-formed XML, but not `$metadata`: e.g. a proxy's sign-in page.
    #[error("The service's list of tables could not be read.")]
    NotMetadata { root: String },
    #[error("The service's list of tables could not be read.")]
    Json(#[from] serde_json::Error),
    /// The stream broke off, e.g. the connection dropped mid-download.
    #[error("The list of tables stopped arriving before it was complete.")]
    Interrupted { position: u64, cause: String },
}

impl Explain for CatalogError {
    fn kind(&self) -> ErrorKind {
        match self {
            CatalogError::Interrupted { .. } => ErrorKind::Network,
            _ => ErrorKind::ServiceUnavailable,
        }
    }

    fn fix(&self) -> String {
        match self {
            CatalogError::Interrupted { .. } => {
                "Check the internet connection, then try Refresh.".into()
            }
            _ => "Try Refresh; if it keeps failing, copy the details for support.".into(),
        }
    }

    fn details(&self) -> Option<String> {
        Some(match self {
            CatalogError::Xml { position, cause } => {
                format!("$metadata is not valid XML at byte {position}: {cause}")
            }
            CatalogError::NotMetadata { root } if root.is_empty() => {
                "The answer held no XML element where $metadata was expected.".into()
            }
            CatalogError::NotMetadata { root } => {
                format!("The answer is <{root}>, not an OData $metadata document (<edmx:Edmx>).")
            }
            CatalogError::Json(e) => format!("EntityDefinitions is not the expected JSON: {e}"),
            CatalogError::Interrupted { position, cause } => {
                format!("Reading stopped at byte {position}: {cause}")
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(name: &str, label: &str) -> EntitySet {
        EntitySet {
            name: name.into(),
            entity_type: format!("NS.{name}"),
            label: label.into(),
            keys: vec![],
            primary_name: None,
            source: EntitySource::Api,
        }
    }

    fn names(hits: Vec<&EntitySet>) -> Vec<&str> {
        hits.into_iter().map(|s| s.name.as_str()).collect()
    }

    #[test]
    fn search_ranks_exact_then_prefix_then_contains() {
        let catalog = Catalog {
            declarations: vec![],
            entity_sets: vec![
                set("salesInvoiceLines", "Sales invoice lines"),
                set("customerSales", "Customer sales"),
                set("salesInvoices", "Sales invoices"),
                set("sales", "Sales"),
                set("vendors", "Vendors"),
                set("contacts", "Contacts"),
            ],
        };
        assert_eq!(
            names(catalog.search("SALES")),
            [
                "sales",
                "salesInvoiceLines",
                "salesInvoices",
                "customerSales"
            ]
        );
        // The label counts too, with its spaces.
        assert_eq!(names(catalog.search(" invoice l ")), ["salesInvoiceLines"]);
        assert_eq!(names(catalog.search("sales invoices")), ["salesInvoices"]);
        assert!(catalog.search("nothing like it").is_empty());
        assert_eq!(catalog.search("").len(), 6);
        assert_eq!(names(catalog.search(""))[0], "contacts");
    }

    #[test]
    fn a_label_match_ranks_like_a_name_match() {
        let catalog = Catalog {
            declarations: vec![],
            entity_sets: vec![
                set("cr1a2_widgetitems", "Widget"),
                set("widgets", "Widgets"),
            ],
        };
        assert_eq!(
            names(catalog.search("widget")),
            ["cr1a2_widgetitems", "widgets"]
        );
    }

    #[test]
    fn get_is_exact() {
        let catalog = Catalog {
            declarations: vec![],
            entity_sets: vec![set("customers", "Customers")],
        };
        assert!(catalog.get("customers").is_some());
        assert!(catalog.get("Customers").is_none());
    }

    #[test]
    fn errors_explain_themselves() {
        let xml = CatalogError::Xml {
            position: 42,
            cause: "unexpected end".into(),
        }
        .explain();
        assert_eq!(xml.kind, ErrorKind::ServiceUnavailable);
        assert_eq!(
            xml.message,
            "The service's list of tables could not be read."
        );
        assert!(xml.fix.contains("Refresh"));
        assert!(xml.details.unwrap().contains("byte 42"));
        let html = CatalogError::NotMetadata {
            root: "html".into(),
        }
        .explain();
        assert!(html.details.unwrap().contains("<html>"));
        let cut = CatalogError::Interrupted {
            position: 7,
            cause: "connection reset".into(),
        }
        .explain();
        assert_eq!(cut.kind, ErrorKind::Network);
    }
}
