//! One saved connection, ready to use: its secret from the keychain, a
//! token source per resource (they share the profile's refresh token), and
//! the data calls the GUI and the CLI make. Both are thin adapters over this.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio_util::sync::CancellationToken;
use url::Url;

use crate::dynamics::catalog::{Catalog, CatalogError, Column};
use crate::dynamics::discovery::{self, EnvironmentInfo};
use crate::dynamics::error::DataError;
use crate::dynamics::odata::{ODataClient, OnWait, Query};
use crate::dynamics::retry::RetryPolicy;
use crate::dynamics::service::{find_company, Company, Service};
use crate::dynamics::{entity_definitions, metadata};
use crate::http::{self, HttpSetupError, Timeout};
use crate::identity::browser::Browser;
use crate::identity::claims;
use crate::identity::flow::{ConsentEndpoint, EntraClient, FlowError};
use crate::identity::input::parse_guid;
use crate::identity::scopes::{self, ScopeError};
use crate::identity::sign_in::{self, ConsentGranted, OnEvent, SignInError, SignInOptions};
use crate::identity::token_cache::TokenCache;
use crate::identity::verdict::{verdict, Expected, TokenInfo};
use crate::problem::{ErrorKind, Explain, Setting, UserError};
use crate::product::Product;
use crate::profiles::{ClientType, Grant, Profile, Registration};
use crate::secrets::{Secret, SecretKey, SecretKind, SecretStore, SecretStoreError};

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(transparent)]
    Scope(#[from] ScopeError),
    #[error(transparent)]
    Secret(#[from] SecretStoreError),
    #[error(transparent)]
    Flow(#[from] FlowError),
    #[error(transparent)]
    Http(#[from] HttpSetupError),
    #[error(transparent)]
    Data(#[from] DataError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    SignIn(#[from] SignInError),
    #[error(transparent)]
    Tokens(#[from] crate::identity::token_cache::TokenCacheError),
    #[error(transparent)]
    Claims(#[from] crate::identity::claims::ClaimsError),
    #[error(
        "Admin consent for a background service is granted in the Microsoft Entra admin center."
    )]
    ConsentInAdminCenter,
    #[error("The connection '{profile}' has no environment yet.")]
    NoEnvironment { profile: String },
    #[error(
        "The connection '{profile}' signs in as an app, which cannot list Dataverse environments."
    )]
    EnvironmentUrlRequired { profile: String },
    #[error("The connection '{profile}' has no company yet.")]
    NoCompany { profile: String },
    #[error("There is no company called “{wanted}” in {environment}.")]
    CompanyNotFound {
        wanted: String,
        environment: String,
        listed: Vec<String>,
    },
}

impl Explain for ConnectError {
    fn kind(&self) -> ErrorKind {
        self.explain().kind
    }

    fn fix(&self) -> String {
        self.explain().fix
    }

    fn explain(&self) -> UserError {
        match self {
            ConnectError::Scope(e) => e.explain(),
            ConnectError::Secret(e) => e.explain(),
            ConnectError::Flow(e) => e.explain(),
            ConnectError::Http(e) => e.explain(),
            ConnectError::Data(e) => e.explain(),
            ConnectError::Catalog(e) => e.explain(),
            ConnectError::SignIn(e) => e.explain(),
            ConnectError::Tokens(e) => e.explain(),
            ConnectError::Claims(e) => e.explain(),
            ConnectError::ConsentInAdminCenter => UserError::new(
                ErrorKind::ConsentRequired,
                self.to_string(),
                crate::identity::diagnose::GRANT_IN_ADMIN_CENTER,
            ),
            ConnectError::NoEnvironment { .. } => UserError::new(
                ErrorKind::InvalidInput,
                self.to_string(),
                "Pick an environment for this connection.",
            )
            .at(Setting::Environment),
            ConnectError::EnvironmentUrlRequired { .. } => UserError::new(
                ErrorKind::InvalidInput,
                self.to_string(),
                "Enter the Dataverse environment URL (e.g. https://contoso.crm.dynamics.com) in the connection's Environment setting: Global Discovery lists environments for signed-in users only.",
            )
            .at(Setting::Environment),
            ConnectError::NoCompany { .. } => UserError::new(
                ErrorKind::CompanyRequired,
                self.to_string(),
                "Pick one of the environment's companies for this connection.",
            )
            .at(Setting::Company),
            ConnectError::CompanyNotFound { listed, .. } => UserError::new(
                ErrorKind::CompanyRequired,
                self.to_string(),
                if listed.is_empty() {
                    "The environment lists no company this connection can read: check the environment.".to_string()
                } else {
                    format!(
                        "Company names must match exactly, including capitals. The environment has: {}.",
                        listed.join(", ")
                    )
                },
            )
            .at(Setting::Company),
        }
    }
}

pub struct Connection {
    profile: Profile,
    store: Arc<SecretStore>,
    http: reqwest::Client,
    retry: RetryPolicy,
    secret: Option<Secret>,
    caches: Mutex<HashMap<String, Arc<TokenCache>>>,
    /// The environment's entity catalog, read once (F&O's is ~30 MB).
    catalog: tokio::sync::Mutex<Option<Arc<Catalog>>>,
}

impl Connection {
    /// Opens a profile. A confidential client's secret comes from
    /// `secret` when given (the CLI's `--secret-stdin`), else the keychain.
    /// The profile's network settings decide the timeout and the retries.
    pub fn open(
        profile: Profile,
        store: Arc<SecretStore>,
        secret: Option<Secret>,
    ) -> Result<Self, ConnectError> {
        let secret = match (profile.client_type(), secret) {
            (ClientType::Public, _) => None,
            (ClientType::Confidential, Some(given)) => Some(given),
            (ClientType::Confidential, None) => {
                Some(store.get(&SecretKey::new(&profile.name, SecretKind::ClientSecret))?)
            }
        };
        let network = profile.network;
        Ok(Self {
            http: http::client(if network.long_timeout {
                Timeout::Long
            } else {
                Timeout::Normal
            })?,
            retry: RetryPolicy {
                retry_failed: network.retry_failed,
                ..RetryPolicy::default()
            },
            profile,
            store,
            secret,
            caches: Mutex::new(HashMap::new()),
            catalog: tokio::sync::Mutex::new(None),
        })
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The client secret, for the checks' look at its shape.
    pub(crate) fn secret(&self) -> Option<&Secret> {
        self.secret.as_ref()
    }

    /// The shared HTTP client, for calls outside a token source.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The Entra client of this profile's app registration.
    pub fn entra(&self) -> Result<EntraClient, ConnectError> {
        Ok(EntraClient::new(
            self.http.clone(),
            &self.profile.cloud,
            &self.profile.tenant,
            &self.profile.client_id,
            self.secret.as_ref(),
        )?)
    }

    /// The product's resource (token audience) for the chosen environment.
    pub fn resource(&self) -> Result<String, ConnectError> {
        Ok(scopes::resource(
            self.profile.product,
            &self.profile.cloud,
            self.profile.environment.as_deref(),
        )?)
    }

    /// The scopes asked for a resource with this profile's grant and choices.
    pub fn scopes_for(&self, resource: &str) -> Result<Vec<String>, ConnectError> {
        Ok(scopes::request_scopes(
            self.profile.product,
            self.profile.grant(),
            resource,
            &self.profile.scopes,
        )?)
    }

    /// The token source for a resource; one per resource for the
    /// connection's life, so tokens are reused.
    pub fn tokens_for(&self, resource: &str) -> Result<Arc<TokenCache>, ConnectError> {
        let mut caches = self
            .caches
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(cache) = caches.get(resource) {
            return Ok(cache.clone());
        }
        let cache = Arc::new(TokenCache::new(
            self.entra()?,
            self.profile.grant(),
            self.scopes_for(resource)?,
            self.store.clone(),
            &self.profile.name,
        ));
        caches.insert(resource.to_string(), cache.clone());
        Ok(cache)
    }

    /// The token source of the product's data.
    pub fn data_tokens(&self) -> Result<Arc<TokenCache>, ConnectError> {
        self.tokens_for(&self.resource()?)
    }

    fn odata(&self, tokens: Arc<TokenCache>) -> ODataClient {
        ODataClient::new(
            self.http.clone(),
            tokens,
            self.profile.product,
            self.profile.grant(),
            self.retry.clone(),
        )
    }

    /// The OData client of the product's data.
    pub fn data(&self) -> Result<ODataClient, ConnectError> {
        Ok(self.odata(self.data_tokens()?))
    }

    /// The data service of the chosen environment.
    pub fn service(&self) -> Result<Service, ConnectError> {
        let environment =
            self.profile
                .environment
                .as_deref()
                .ok_or_else(|| ConnectError::NoEnvironment {
                    profile: self.profile.name.clone(),
                })?;
        Ok(Service::new(
            self.profile.product,
            self.profile.cloud.clone(),
            &self.profile.tenant,
            environment,
        ))
    }

    /// The URL of an entity set with `query` applied, in the company reads
    /// of this connection go to. The one rule for Browse, `d365c` and the
    /// checks: the profile's company; when it names none, `stand_in` (the
    /// checks read the first company listed, to prove reading works before
    /// anyone chose) — except that F&O without a chosen legal entity reads
    /// across all of them, never just the user's default one (§6), and
    /// Dataverse has no company in its URLs. BC cannot read without one.
    pub fn entity_set_url(
        &self,
        entity_set: &str,
        query: &Query,
        stand_in: Option<&str>,
    ) -> Result<Url, ConnectError> {
        let chosen = self.profile.company.as_deref();
        let company = match self.profile.product {
            Product::BusinessCentral => {
                Some(chosen.or(stand_in).ok_or_else(|| ConnectError::NoCompany {
                    profile: self.profile.name.clone(),
                })?)
            }
            Product::FinanceOperations => chosen,
            Product::Dataverse => None,
        };
        Ok(self.service()?.entity_set_url(entity_set, company, query)?)
    }

    /// Environments the signed-in user (or app) can open. F&O has no list:
    /// its environment is the URL the user typed.
    pub async fn environments(
        &self,
        cancel: &CancellationToken,
        on_wait: OnWait<'_>,
    ) -> Result<Vec<EnvironmentInfo>, ConnectError> {
        let cloud = &self.profile.cloud;
        match self.profile.product {
            Product::BusinessCentral => {
                Ok(
                    discovery::business_central_environments(&self.data()?, cloud, cancel, on_wait)
                        .await?,
                )
            }
            // Global Discovery lists the environments of a signed-in user
            // only (docs/microsoft.md §7; docs/sandbox-fidelity.md §M6): an
            // app has the URL it was given, as for F&O.
            Product::Dataverse if self.profile.grant() == Grant::ClientCredentials => {
                match self.given_environment() {
                    Some(given) => Ok(vec![given]),
                    None => Err(ConnectError::EnvironmentUrlRequired {
                        profile: self.profile.name.clone(),
                    }),
                }
            }
            Product::Dataverse => {
                let root = cloud.globaldisco().ok_or(ScopeError::NoGlobalDiscovery)?;
                let client = self.odata(self.tokens_for(root)?);
                Ok(discovery::dataverse_environments(&client, cloud, cancel, on_wait).await?)
            }
            Product::FinanceOperations => Ok(self.given_environment().into_iter().collect()),
        }
    }

    /// The environment URL the profile holds, as the only one listed.
    fn given_environment(&self) -> Option<EnvironmentInfo> {
        self.profile
            .environment
            .as_ref()
            .map(|url| EnvironmentInfo {
                id: url.clone(),
                name: url.clone(),
                kind: None,
            })
    }

    /// Settles a BC company the profile names rather than identifies (a
    /// pasted `…/ODataV4/Company('CRONUS USA, Inc.')/…` address) to its ID,
    /// which every read needs. Returns the company when it changed the
    /// profile, so the caller can save it; `None` when there was nothing
    /// to settle.
    pub async fn settle_company(
        &mut self,
        cancel: &CancellationToken,
        on_wait: OnWait<'_>,
    ) -> Result<Option<Company>, ConnectError> {
        let named = match (&self.profile.product, &self.profile.company) {
            (Product::BusinessCentral, Some(company)) if parse_guid(company).is_none() => {
                company.clone()
            }
            _ => return Ok(None),
        };
        let companies = self.companies(cancel, on_wait).await?;
        let found = find_company(&companies, &named).cloned().ok_or_else(|| {
            ConnectError::CompanyNotFound {
                wanted: named,
                environment: self.profile.environment.clone().unwrap_or_default(),
                listed: companies.iter().map(|c| c.name.clone()).collect(),
            }
        })?;
        self.profile.company = Some(found.id.clone());
        Ok(Some(found))
    }

    /// Companies of the chosen environment.
    pub async fn companies(
        &self,
        cancel: &CancellationToken,
        on_wait: OnWait<'_>,
    ) -> Result<Vec<Company>, ConnectError> {
        let service = self.service()?;
        Ok(discovery::companies(
            &self.data()?,
            &service,
            &self.profile.cloud,
            cancel,
            on_wait,
        )
        .await?)
    }

    /// The entity catalog: `$metadata` (BC, F&O) or `EntityDefinitions`
    /// (Dataverse, whose columns come per table from `columns`). Cached for
    /// the connection; `refresh` reads it again.
    pub async fn catalog(
        &self,
        refresh: bool,
        cancel: &CancellationToken,
        on_wait: OnWait<'_>,
    ) -> Result<Arc<Catalog>, ConnectError> {
        let mut cached = self.catalog.lock().await;
        if let Some(catalog) = cached.as_ref().filter(|_| !refresh) {
            return Ok(catalog.clone());
        }
        let service = self.service()?;
        let url = service.catalog_url()?;
        let client = self.data()?;
        let catalog = match self.profile.product {
            Product::BusinessCentral | Product::FinanceOperations => {
                let api = read_metadata(&client, &url, cancel, on_wait);
                match service.web_services_catalog_url()? {
                    // Both documents at once: the list waits for the slower.
                    Some(web) => {
                        let web = read_metadata(&client, &web, cancel, on_wait);
                        let (api, web) = tokio::try_join!(api, web)?;
                        api.with_web_services(web)
                    }
                    None => api.await?,
                }
            }
            Product::Dataverse => {
                let json = client.get_raw_json(&url, cancel, on_wait).await?;
                entity_definitions::catalog(&json)?
            }
        };
        let catalog = Arc::new(catalog);
        *cached = Some(catalog.clone());
        Ok(catalog)
    }

    /// An entity set's columns. Dataverse lists them per table, with the
    /// choices' options from separate queries (docs/microsoft.md §7).
    pub async fn columns(
        &self,
        entity_set: &str,
        cancel: &CancellationToken,
        on_wait: OnWait<'_>,
    ) -> Result<Vec<Column>, ConnectError> {
        let catalog = self.catalog(false, cancel, on_wait).await?;
        let set = catalog
            .get(entity_set)
            .ok_or_else(|| DataError::UnknownEntity {
                product: self.profile.product.display_name(),
                name: entity_set.to_string(),
            })?;
        if self.profile.product != Product::Dataverse {
            return Ok(catalog.columns(set)?);
        }
        let service = self.service()?;
        let client = self.data()?;
        let logical = entity_definitions::logical_name(set);
        let attributes = service.dataverse_definition_url(logical, "Attributes")?;
        let mut columns =
            entity_definitions::columns(&client.get_raw_json(&attributes, cancel, on_wait).await?)?;
        for query in entity_definitions::OPTION_SET_QUERIES {
            let url = service.dataverse_definition_url(logical, query)?;
            // Without the options a choice still shows its number.
            if let Ok(json) = client.get_raw_json(&url, cancel, on_wait).await {
                entity_definitions::add_options(&mut columns, &json)?;
            }
        }
        Ok(columns)
    }

    /// The data token (fetched or refreshed if needed), read for display,
    /// with the verdict on whether it can call the product.
    pub async fn token_info(&self) -> Result<TokenInfo, ConnectError> {
        let resource = self.resource()?;
        let token = self.data_tokens()?.access_token().await?;
        let claims = claims::decode(token.expose())?;
        let verdict = verdict(
            &claims,
            &Expected {
                product: self.profile.product,
                grant: self.profile.grant(),
                resource: &resource,
                tenant: &self.profile.tenant,
            },
            std::time::SystemTime::now(),
        );
        Ok(TokenInfo { claims, verdict })
    }

    /// The resource a sign-in asks for: the product's, or for Dataverse
    /// before an environment is chosen, Global Discovery's (docs/microsoft.md §7) so
    /// the environments can be listed.
    pub(crate) fn sign_in_resource(&self) -> Result<String, ConnectError> {
        match self.resource() {
            Err(e) if self.profile.product == Product::Dataverse => self
                .profile
                .cloud
                .globaldisco()
                .map(str::to_string)
                .ok_or(e),
            other => other,
        }
    }

    /// A person signs in through the browser; the tokens are kept for the
    /// connection and the refresh token goes to the keychain.
    pub async fn sign_in(
        &self,
        browser: &dyn Browser,
        options: SignInOptions,
        cancel: &CancellationToken,
        on_event: OnEvent<'_>,
    ) -> Result<(), ConnectError> {
        let resource = self.sign_in_resource()?;
        let tokens = self.tokens_for(&resource)?;
        let got = sign_in::sign_in(
            tokens.client(),
            tokens.scopes(),
            browser,
            options,
            cancel,
            on_event,
        )
        .await?;
        tokens.accept(got).await?;
        Ok(())
    }

    /// An administrator consents for the whole organization. v2 names the
    /// product's `.default`; v1 consents to everything the app lists.
    pub async fn admin_consent(
        &self,
        endpoint: ConsentEndpoint,
        browser: &dyn Browser,
        options: SignInOptions,
        cancel: &CancellationToken,
        on_event: OnEvent<'_>,
    ) -> Result<ConsentGranted, ConnectError> {
        // A background service has no redirect URI for Entra's consent page
        // to answer to: AADSTS500113 (docs/sandbox-fidelity.md §G1).
        if self.profile.registration == Registration::BackgroundService {
            return Err(ConnectError::ConsentInAdminCenter);
        }
        let resource = self.sign_in_resource()?;
        let scopes = vec![format!("{resource}/.default")];
        let granted = sign_in::admin_consent(
            &self.entra()?,
            endpoint,
            &scopes,
            browser,
            options,
            cancel,
            on_event,
        )
        .await?;
        // Tokens issued before the consent do not carry it: fetch anew.
        self.caches
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
        Ok(granted)
    }
}

/// Reads a `$metadata` document into a catalog. Parsing F&O's 30 MB takes
/// a tenth of a second: off the async threads.
async fn read_metadata(
    client: &ODataClient,
    url: &Url,
    cancel: &CancellationToken,
    on_wait: OnWait<'_>,
) -> Result<Catalog, ConnectError> {
    let xml = client.get_metadata(url, cancel, on_wait).await?;
    Ok(tokio::task::spawn_blocking(move || metadata::parse(xml))
        .await
        .map_err(|e| CatalogError::Interrupted {
            position: 0,
            cause: e.to_string(),
        })??)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::cloud::Cloud;
    use crate::profiles::Registration;

    fn open(product: Product, environment: &str, company: Option<&str>) -> Connection {
        let profile = Profile {
            name: "p".into(),
            product,
            cloud: Cloud::Public,
            tenant: "contoso.onmicrosoft.com".into(),
            client_id: "11111111-2222-3333-4444-555555555555".into(),
            registration: Registration::BackgroundService,
            scopes: vec![],
            environment: Some(environment.into()),
            company: company.map(str::to_string),
            network: Default::default(),
            secret: None,
            setup: None,
            customer: None,
            tags: vec![],
        };
        let store = Arc::new(SecretStore::in_memory("connection-tests"));
        let secret = Some(Secret::new("a-secret-value"));
        Connection::open(profile, store, secret).unwrap()
    }

    fn url(c: &Connection, stand_in: Option<&str>) -> Result<String, ConnectError> {
        c.entity_set_url("customers", &Query::default(), stand_in)
            .map(String::from)
    }

    #[test]
    fn business_central_reads_the_chosen_company_else_the_stand_in_else_asks() {
        let chosen = open(Product::BusinessCentral, "Production", Some("c1"));
        assert!(url(&chosen, Some("c2"))
            .unwrap()
            .ends_with("/companies(c1)/customers"));
        let unchosen = open(Product::BusinessCentral, "Production", None);
        assert!(url(&unchosen, Some("c2"))
            .unwrap()
            .ends_with("/companies(c2)/customers"));
        let err = url(&unchosen, None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::CompanyRequired);
    }

    #[test]
    fn fno_without_a_chosen_company_reads_all_of_them_whatever_the_stand_in() {
        let env = "https://contoso.operations.dynamics.com";
        let unchosen = open(Product::FinanceOperations, env, None);
        assert_eq!(
            url(&unchosen, Some("usmf")).unwrap(),
            url(&unchosen, None).unwrap()
        );
        assert!(url(&unchosen, None)
            .unwrap()
            .ends_with("/data/customers?cross-company=true"));
        let chosen = open(Product::FinanceOperations, env, Some("usmf"));
        assert!(url(&chosen, None)
            .unwrap()
            .contains("dataAreaId+eq+%27usmf%27"));
    }

    #[test]
    fn dataverse_urls_never_name_a_company() {
        let dv = open(
            Product::Dataverse,
            "https://contoso.crm.dynamics.com",
            Some("bu"),
        );
        assert_eq!(
            url(&dv, Some("other")).unwrap(),
            "https://contoso.crm.dynamics.com/api/data/v9.2/customers"
        );
    }
}
