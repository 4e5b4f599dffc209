//! Where a product keeps what: the URL of its environment list, API root,
//! companies, metadata and each entity set, derived from the cloud (never a
//! hard-coded host) and the profile's tenant and environment.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use url::Url;

use crate::dynamics::catalog::EntitySet;
use crate::dynamics::error::DataError;
use crate::dynamics::odata::Query;
use crate::identity::cloud::Cloud;
use crate::identity::input::parse_guid;
use crate::product::Product;

/// One company (BC), legal entity (F&O) or business unit (Dataverse).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Company {
    /// What queries use: BC's company GUID, F&O's `dataAreaId`, Dataverse's
    /// business unit GUID.
    pub id: String,
    pub name: String,
    /// BC's company `name`, its key in OData V4 paths (`Company('…')`),
    /// which may differ from the name shown (docs/microsoft.md §5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub odata_name: Option<String>,
}

impl Company {
    /// Whether `wanted` names this company: its ID (any case, braces
    /// allowed), BC's OData V4 name, or the name shown, exactly (BC's
    /// company names are case-sensitive).
    pub fn answers_to(&self, wanted: &str) -> bool {
        let wanted = wanted.trim();
        parse_guid(wanted).is_some_and(|id| id.eq_ignore_ascii_case(&self.id))
            || self.id.eq_ignore_ascii_case(wanted)
            || self.odata_name.as_deref() == Some(wanted)
            || self.name == wanted
    }
}

/// The company `wanted` names, e.g. from a pasted BC service address.
pub fn find_company<'a>(companies: &'a [Company], wanted: &str) -> Option<&'a Company> {
    companies.iter().find(|c| c.answers_to(wanted))
}

/// The data service of one environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    product: Product,
    cloud: Cloud,
    tenant: String,
    /// BC: the environment name; F&O and Dataverse: the environment URL.
    environment: String,
}

/// Business Central's admin center API version (docs/microsoft.md §5).
const BC_ADMIN_API: &str = "v2.29";

impl Service {
    pub fn new(product: Product, cloud: Cloud, tenant: &str, environment: &str) -> Self {
        Self {
            product,
            cloud,
            tenant: tenant.trim().to_string(),
            environment: environment.trim().trim_end_matches('/').to_string(),
        }
    }

    pub fn environment(&self) -> &str {
        &self.environment
    }

    fn url(&self, text: String) -> Result<Url, DataError> {
        Url::parse(&text).map_err(|e| DataError::Unexpected {
            product: self.product.display_name(),
            details: format!("'{text}' is not a valid address: {e}"),
        })
    }

    fn bc_api(&self) -> Result<&str, DataError> {
        self.cloud.bc_api().ok_or_else(|| DataError::Unexpected {
            product: self.product.display_name(),
            details: format!(
                "{} has no Business Central endpoint",
                self.cloud.display_name()
            ),
        })
    }

    /// BC's environment list (`environments/v1.2`, docs/microsoft.md §5).
    pub fn bc_environments_url(cloud: &Cloud) -> Option<String> {
        cloud.bc_api().map(|api| format!("{api}/environments/v1.2"))
    }

    /// BC's admin center environment list (docs/microsoft.md §5).
    pub fn bc_admin_environments_url(cloud: &Cloud) -> Option<String> {
        cloud.bc_api().map(|api| {
            format!("{api}/admin/{BC_ADMIN_API}/applications/BusinessCentral/environments")
        })
    }

    /// Dataverse Global Discovery (docs/microsoft.md §7).
    pub fn dataverse_instances_url(cloud: &Cloud) -> Option<String> {
        cloud
            .globaldisco()
            .map(|root| format!("{root}/api/discovery/v2.0/Instances"))
    }

    /// The API root, ending in `/` so entity sets join onto it.
    pub fn api_root(&self) -> Result<Url, DataError> {
        let text = match self.product {
            // …/v2.0/{tenant}/{environment}/api/v2.0 (docs/microsoft.md §5)
            Product::BusinessCentral => format!(
                "{}/v2.0/{}/{}/api/v2.0/",
                self.bc_api()?,
                self.tenant,
                self.environment
            ),
            // {environment}/data/ (§6)
            Product::FinanceOperations => format!("{}/data/", self.environment),
            // {environment}/api/data/v9.2/ (§7)
            Product::Dataverse => format!("{}/api/data/v9.2/", self.environment),
        };
        self.url(text)
    }

    /// BC's OData V4 web services root, ending in `/`:
    /// `…/v2.0/{tenant}/{environment}/ODataV4/` (docs/microsoft.md §5).
    fn web_services_root(&self) -> Result<Url, DataError> {
        self.url(format!(
            "{}/v2.0/{}/{}/ODataV4/",
            self.bc_api()?,
            self.tenant,
            self.environment
        ))
    }

    /// The published web services' `$metadata`: Business Central only.
    pub fn web_services_catalog_url(&self) -> Result<Option<Url>, DataError> {
        if self.product != Product::BusinessCentral {
            return Ok(None);
        }
        self.join(self.web_services_root()?, "$metadata").map(Some)
    }

    fn under_root(&self, path: &str) -> Result<Url, DataError> {
        self.join(self.api_root()?, path)
    }

    fn join(&self, root: Url, path: &str) -> Result<Url, DataError> {
        root.join(path).map_err(|e| DataError::Unexpected {
            product: self.product.display_name(),
            details: format!("'{path}': {e}"),
        })
    }

    /// Where the companies are listed.
    pub fn companies_url(&self) -> Result<Url, DataError> {
        self.under_root(match self.product {
            Product::BusinessCentral => "companies",
            Product::FinanceOperations => "LegalEntities",
            Product::Dataverse => "businessunits",
        })
    }

    /// Reads a company from a row of `companies_url`.
    pub fn company_from_row(
        &self,
        row: &serde_json::Map<String, serde_json::Value>,
    ) -> Option<Company> {
        let text = |name: &str| row.get(name).and_then(|v| v.as_str()).map(str::to_string);
        let (id, name, odata_name) = match self.product {
            // BC's displayName may be empty (fixtures/bc/rebelpl_companies.json).
            Product::BusinessCentral => (
                text("id")?,
                text("displayName")
                    .filter(|n| !n.is_empty())
                    .or_else(|| text("name"))?,
                text("name"),
            ),
            Product::FinanceOperations => {
                (text("LegalEntityId")?.to_lowercase(), text("Name")?, None)
            }
            Product::Dataverse => (text("businessunitid")?, text("name")?, None),
        };
        Some(Company {
            id,
            name,
            odata_name,
        })
    }

    /// Where the entity catalog comes from: `$metadata`, or Dataverse's
    /// `EntityDefinitions` (docs/microsoft.md §7).
    pub fn catalog_url(&self) -> Result<Url, DataError> {
        self.under_root(match self.product {
            Product::BusinessCentral | Product::FinanceOperations => "$metadata",
            Product::Dataverse => {
                return self.under_root(&format!(
                    "EntityDefinitions?$select={}",
                    crate::dynamics::entity_definitions::ENTITY_DEFINITIONS_SELECT
                ))
            }
        })
    }

    /// Under a Dataverse table's definition, e.g. `Attributes`
    /// (docs/microsoft.md §7).
    pub fn dataverse_definition_url(
        &self,
        logical_name: &str,
        path: &str,
    ) -> Result<Url, DataError> {
        self.under_root(&format!(
            "EntityDefinitions(LogicalName='{}')/{path}",
            logical_name.replace('\'', "''")
        ))
    }

    /// The URL of an entity set in a company, with the query applied.
    /// BC nests sets under `companies({id})`; F&O always reads with
    /// `cross-company=true` (without it, it silently returns only the user's
    /// default company, §6), filtered on `dataAreaId` when a company is
    /// given; Dataverse has no company in the path. Which company to pass is
    /// `Connection::entity_set_url`'s to decide.
    pub fn entity_set_url(
        &self,
        entity_set: &str,
        company: Option<&str>,
        query: &Query,
    ) -> Result<Url, DataError> {
        let mut query = query.clone();
        let web_service = EntitySet::web_service_name(entity_set)
            .filter(|_| self.product == Product::BusinessCentral);
        if let Some(service) = web_service {
            // `Company(Id=…)`: the company's name is its key there, but
            // the profile keeps its ID (docs/microsoft.md §5).
            let path = match company {
                Some(id) => format!("Company(Id={id})/{service}"),
                None => service.to_string(),
            };
            let mut url = self.join(self.web_services_root()?, &path)?;
            query.apply(&mut url);
            return Ok(url);
        }
        let path = match (self.product, company) {
            (Product::BusinessCentral, Some(id)) => format!("companies({id})/{entity_set}"),
            (Product::FinanceOperations, Some(area)) => {
                let company_filter = format!("dataAreaId eq '{}'", area.replace('\'', "''"));
                query.filter = Some(match query.filter.as_deref().map(str::trim) {
                    Some(f) if !f.is_empty() => format!("({f}) and {company_filter}"),
                    _ => company_filter,
                });
                entity_set.to_string()
            }
            _ => entity_set.to_string(),
        };
        let cross_company = ("cross-company".to_string(), "true".to_string());
        if self.product == Product::FinanceOperations && !query.extra.contains(&cross_company) {
            query.extra.push(cross_company);
        }
        let mut url = self.under_root(&path)?;
        query.apply(&mut url);
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bc() -> Service {
        Service::new(
            Product::BusinessCentral,
            Cloud::Public,
            "contoso.onmicrosoft.com",
            "Production",
        )
    }

    #[test]
    fn a_company_answers_to_its_id_its_odata_name_and_its_shown_name() {
        // Microsoft's example: name "CRONUS US", shown as "CRONUS USA, Inc."
        // (BC api-reference/v2.0/api/dynamics_company_get.md).
        let company = Company {
            id: "824820a2-508c-ed11-aada-000d3a298ab3".into(),
            name: "CRONUS USA, Inc.".into(),
            odata_name: Some("CRONUS US".into()),
        };
        for wanted in [
            "{824820A2-508C-ED11-AADA-000D3A298AB3}",
            "CRONUS US",
            "CRONUS USA, Inc.",
        ] {
            assert!(company.answers_to(wanted), "{wanted}");
        }
        assert!(!company.answers_to("cronus us"));
        assert!(find_company(&[company], "Fabrikam").is_none());
    }

    #[test]
    fn business_central_urls_follow_facts_section_5() {
        assert_eq!(
            bc().api_root().unwrap().as_str(),
            "https://api.businesscentral.dynamics.com/v2.0/contoso.onmicrosoft.com/Production/api/v2.0/"
        );
        let url = bc()
            .entity_set_url(
                "customers",
                Some("e802e7d1-5408-f011-9afa-6045bdabb318"),
                &Query::default(),
            )
            .unwrap();
        assert!(url
            .as_str()
            .ends_with("/api/v2.0/companies(e802e7d1-5408-f011-9afa-6045bdabb318)/customers"));
        assert_eq!(
            Service::bc_environments_url(&Cloud::Public).unwrap(),
            "https://api.businesscentral.dynamics.com/environments/v1.2"
        );
        assert!(bc()
            .catalog_url()
            .unwrap()
            .as_str()
            .ends_with("/api/v2.0/$metadata"));
    }

    #[test]
    fn fno_company_is_a_cross_company_filter_combined_with_the_users() {
        let fno = Service::new(
            Product::FinanceOperations,
            Cloud::Public,
            "contoso.onmicrosoft.com",
            "https://contoso.operations.dynamics.com/",
        );
        let query = Query {
            filter: Some("CreditLimit gt 1000 or CustomerGroupId eq 'X'".into()),
            ..Query::default()
        };
        let url = fno
            .entity_set_url("CustomersV3", Some("usmf"), &query)
            .unwrap();
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(url.path(), "/data/CustomersV3");
        assert_eq!(
            pairs,
            [
                (
                    "$filter".into(),
                    "(CreditLimit gt 1000 or CustomerGroupId eq 'X') and dataAreaId eq 'usmf'"
                        .into()
                ),
                ("cross-company".into(), "true".into())
            ]
        );
        let quoted = fno
            .entity_set_url("CustomersV3", Some("o'b"), &Query::default())
            .unwrap();
        assert!(quoted
            .query_pairs()
            .any(|(_, v)| v == "dataAreaId eq 'o''b'"));
    }

    #[test]
    fn fno_without_a_company_reads_across_all_companies_once() {
        let fno = Service::new(
            Product::FinanceOperations,
            Cloud::Public,
            "contoso.onmicrosoft.com",
            "https://contoso.operations.dynamics.com/",
        );
        let already = Query {
            extra: vec![("cross-company".into(), "true".into())],
            ..Query::default()
        };
        for query in [Query::default(), already] {
            let url = fno.entity_set_url("CustomersV3", None, &query).unwrap();
            assert_eq!(url.query(), Some("cross-company=true"));
        }
    }

    #[test]
    fn dataverse_urls_follow_facts_section_7() {
        let dv = Service::new(
            Product::Dataverse,
            Cloud::Public,
            "t",
            "https://contoso.crm.dynamics.com",
        );
        assert_eq!(
            dv.api_root().unwrap().as_str(),
            "https://contoso.crm.dynamics.com/api/data/v9.2/"
        );
        assert!(dv
            .catalog_url()
            .unwrap()
            .as_str()
            .contains("/EntityDefinitions?$select=LogicalName,EntitySetName"));
        assert_eq!(
            Service::dataverse_instances_url(&Cloud::Public).as_deref(),
            Some("https://globaldisco.crm.dynamics.com/api/discovery/v2.0/Instances")
        );
    }

    #[test]
    fn companies_are_read_from_each_products_rows() {
        let row = |json: &str| serde_json::from_str::<serde_json::Map<_, _>>(json).unwrap();
        let company =
            bc().company_from_row(&row(r#"{"id":"1","name":"My Company","displayName":""}"#));
        assert_eq!(
            company.unwrap().name,
            "My Company",
            "empty displayName falls back to name"
        );
        let fno = Service::new(
            Product::FinanceOperations,
            Cloud::Public,
            "t",
            "https://x.operations.dynamics.com",
        );
        let le = fno.company_from_row(&row(
            r#"{"LegalEntityId":"USMF","Name":"Contoso Entertainment System USA"}"#,
        ));
        assert_eq!(le.unwrap().id, "usmf");
        assert_eq!(bc().company_from_row(&row("{}")), None);
    }
}
