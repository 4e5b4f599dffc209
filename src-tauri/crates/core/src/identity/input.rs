//! Checks of what people type or paste on the Credentials step, with
//! messages that say what is wrong and what to paste instead.

use std::fmt;

use serde::Serialize;
use ts_rs::TS;
use url::Url;
use uuid::Uuid;

use super::cloud::Cloud;
use crate::problem::{ErrorKind, Explain};
use crate::product::Product;
use crate::secrets::Secret;

/// A value that passed its check, with anything we changed on the way so
/// the UI can say so ("We removed the quotes around what you pasted").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked<T> {
    pub value: T,
    pub notices: Vec<String>,
}

/// A directory (tenant), as its ID or one of its domains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
#[serde(tag = "kind", content = "value")]
pub enum Tenant {
    Id(String),
    Domain(String),
}

impl fmt::Display for Tenant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tenant::Id(id) | Tenant::Domain(id) => f.write_str(id),
        }
    }
}

/// Where a Business Central web service address points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct BcServiceUrl {
    /// `None` when the address leaves the tenant to the token.
    pub tenant: Option<Tenant>,
    pub environment: String,
    /// A company name (`Company('…')`, `?company=`) or ID (`companies(…)`).
    pub company: Option<String>,
}

impl BcServiceUrl {
    /// The company as a profile keeps it: its ID. A name (ODataV4's
    /// `Company('CRONUS USA, Inc.')`) is matched to an ID only once the
    /// companies can be listed.
    pub fn company_id(&self) -> Option<String> {
        self.company.as_deref().and_then(parse_guid)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("The {field} is empty.")]
    Empty { field: &'static str },
    #[error("'{value}' is not a tenant ID or domain.")]
    BadTenant { value: String },
    #[error("'{value}' is a shared sign-in address, not your tenant.")]
    SharedTenant { value: String },
    #[error("'{value}' is not a client ID.")]
    BadClientId { value: String },
    #[error("This looks like the Secret ID, not the secret's Value.")]
    SecretIdNotValue,
    #[error("The secret contains spaces or line breaks.")]
    SecretHasWhitespace,
    #[error("'{value}' is not a web address.")]
    BadUrl { value: String },
    #[error("'{value}' is not a Business Central web service address.")]
    NotBcServiceUrl { value: String },
    #[error("The address must start with https://.")]
    NotHttps,
    #[error("'{value}' is an environment's name, not its address.")]
    NameNotAddress {
        value: String,
        product: &'static str,
    },
    #[error("'{host}' is not a {product} address in the {cloud} cloud.")]
    WrongHost {
        host: String,
        product: &'static str,
        cloud: &'static str,
        expected: String,
    },
}

impl Explain for InputError {
    fn kind(&self) -> ErrorKind {
        match self {
            InputError::SecretIdNotValue => ErrorKind::SecretIdNotValue,
            _ => ErrorKind::InvalidInput,
        }
    }

    fn fix(&self) -> String {
        match self {
            InputError::Empty { field } => format!("Enter the {field}."),
            InputError::BadTenant { .. } => "Enter the Directory (tenant) ID from the app's Overview page in the Entra admin center (a GUID like 72f988bf-86f1-41af-91ab-2d7cd011db47), or your domain such as contoso.onmicrosoft.com.".into(),
            InputError::SharedTenant { .. } => "Enter your own Directory (tenant) ID or domain; it is on the app's Overview page in the Entra admin center.".into(),
            InputError::BadClientId { .. } => "Copy the Application (client) ID from the app's Overview page in the Entra admin center: a GUID like 0f3a6c9e-1b2d-4e5f-8a7b-6c5d4e3f2a1b.".into(),
            InputError::SecretIdNotValue => "In the Entra admin center open Certificates & secrets and copy the Value column, not the Secret ID. The Value is shown only once, right after you create the secret: if you can no longer see it, create a new secret.".into(),
            InputError::SecretHasWhitespace => "Copy the Value again with the copy button next to it in the Entra admin center, and paste it without editing.".into(),
            InputError::BadUrl { .. } => "Paste the whole address, starting with https://.".into(),
            InputError::NotBcServiceUrl { .. } => "Paste an address like https://api.businesscentral.dynamics.com/v2.0/<tenant>/<environment>/ODataV4/, or enter the tenant and environment yourself.".into(),
            InputError::NotHttps => "Use the https:// address of the environment.".into(),
            InputError::NameNotAddress { product, .. } => format!("{product} needs the environment's whole address, for example {}.", example_address(product)),
            InputError::WrongHost { expected, .. } => format!("Use your environment's address: it ends in {expected}. Check that you picked the right product and cloud."),
        }
    }
}

/// What an environment's address looks like, for the messages.
fn example_address(product: &str) -> &'static str {
    if product == Product::Dataverse.display_name() {
        "https://contoso.crm.dynamics.com"
    } else {
        "https://contoso.operations.dynamics.com"
    }
}

/// Removes what copying from a web page adds: surrounding white space,
/// quotes and invisible characters.
fn clean(raw: &str, field: &'static str) -> Result<Checked<String>, InputError> {
    let mut notices = Vec::new();
    let visible: String = raw
        .chars()
        .filter(|c| !matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}'))
        .collect();
    if visible.len() != raw.len() {
        notices.push(format!("We removed invisible characters from the {field}."));
    }
    let trimmed = visible.trim();
    if trimmed.len() != visible.len() {
        notices.push(format!("We removed spaces around the {field}."));
    }
    let quotes: &[char] = &['"', '\'', '“', '”', '‘', '’', '`'];
    // Quotes and spaces can nest ("' value '"): strip both until neither is left.
    let unquoted = trimmed.trim_matches(|c: char| c.is_whitespace() || quotes.contains(&c));
    if unquoted.len() != trimmed.len() {
        notices.push(format!("We removed the quotes around the {field}."));
    }
    if unquoted.is_empty() {
        return Err(InputError::Empty { field });
    }
    Ok(Checked {
        value: unquoted.to_string(),
        notices,
    })
}

pub fn parse_guid(s: &str) -> Option<String> {
    // Accept the braces some tools print ({…}); store the plain lower-case form.
    let bare = s
        .strip_prefix('{')
        .and_then(|x| x.strip_suffix('}'))
        .unwrap_or(s);
    Uuid::try_parse(bare)
        .ok()
        .filter(|_| bare.len() == 36)
        .map(|u| u.hyphenated().to_string())
}

fn is_domain(s: &str) -> bool {
    let labels: Vec<&str> = s.split('.').collect();
    labels.len() >= 2
        && s.len() <= 253
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_alphabetic()))
}

pub fn tenant(raw: &str) -> Result<Checked<Tenant>, InputError> {
    let Checked { value, notices } = clean(raw, "tenant")?;
    let lower = value.to_ascii_lowercase();
    // Multi-tenant sign-in addresses, not a directory (docs/microsoft.md §3,
    // AADSTS 50194 / 90010).
    if ["common", "organizations", "consumers"].contains(&lower.as_str()) {
        return Err(InputError::SharedTenant { value });
    }
    let tenant = if let Some(id) = parse_guid(&lower) {
        Tenant::Id(id)
    } else if is_domain(&lower) {
        Tenant::Domain(lower)
    } else {
        return Err(InputError::BadTenant { value });
    };
    Ok(Checked {
        value: tenant,
        notices,
    })
}

pub fn client_id(raw: &str) -> Result<Checked<String>, InputError> {
    let Checked { value, notices } = clean(raw, "client ID")?;
    match parse_guid(&value.to_ascii_lowercase()) {
        Some(id) => Ok(Checked { value: id, notices }),
        None => Err(InputError::BadClientId { value }),
    }
}

/// A client secret's Value. Entra shows a Secret ID (a GUID) beside it, and
/// pasting that instead is the most common mistake (AADSTS7000215,
/// docs/microsoft.md §3).
pub fn client_secret(raw: &str) -> Result<Checked<Secret>, InputError> {
    let Checked { value, notices } = clean(raw, "client secret")?;
    if parse_guid(&value.to_ascii_lowercase()).is_some() {
        return Err(InputError::SecretIdNotValue);
    }
    if value.chars().any(char::is_whitespace) {
        return Err(InputError::SecretHasWhitespace);
    }
    Ok(Checked {
        value: Secret::new(value),
        notices,
    })
}

fn parse_url(raw: &str) -> Result<Checked<Url>, InputError> {
    let Checked { value, notices } = clean(raw, "address")?;
    let with_scheme = if value.contains("://") {
        value.clone()
    } else {
        format!("https://{value}")
    };
    match Url::parse(&with_scheme) {
        Ok(url) if url.host_str().is_some() => Ok(Checked {
            value: url,
            notices,
        }),
        _ => Err(InputError::BadUrl { value }),
    }
}

/// Reads tenant, environment and company out of a Business Central address,
/// as SmartConnect does: `…/v2.0/<tenant>/<env>/ODataV4/Company('…')/…`,
/// `…/v2.0/<tenant>/<env>/api/v2.0/companies(…)/…`, `…/v2.0/<env>/api/…`
/// (tenant from the token), or the web client's
/// `https://businesscentral.dynamics.com/<tenant>/<env>?company=…`
/// (docs/microsoft.md §5).
pub fn bc_service_url(raw: &str) -> Result<Checked<BcServiceUrl>, InputError> {
    let Checked {
        value: url,
        notices,
    } = parse_url(raw)?;
    let not_bc = || InputError::NotBcServiceUrl {
        value: url.to_string(),
    };
    let segments: Vec<String> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).map(percent_decode).collect())
        .unwrap_or_default();
    let host = url.host_str().unwrap_or_default();
    let query_company = url
        .query_pairs()
        .find(|(k, _)| k.eq_ignore_ascii_case("company"))
        .map(|(_, v)| v.into_owned());

    let (tenant_part, env, rest): (Option<&str>, &str, &[String]) = match segments.as_slice() {
        // An environment may itself be called `api` or `ws`: a segment
        // that reads as a tenant (a GUID or a domain; environment names
        // have no dots) is the tenant, whatever follows it.
        [v, e, root, ..] if v == "v2.0" && is_service_root(root) && tenant(e).is_err() => {
            (None, e, &segments[2..])
        }
        [v, t, e, rest @ ..] if v == "v2.0" => (Some(t), e, rest),
        [t, e, rest @ ..] if host.starts_with("businesscentral.") => (Some(t), e, rest),
        [e] if host.starts_with("businesscentral.") => (None, e, &[]),
        _ => return Err(not_bc()),
    };
    let tenant = match tenant_part {
        Some(t) => Some(tenant(t).map_err(|_| not_bc())?.value),
        None => None,
    };
    let company = rest.iter().find_map(|s| company_in(s)).or(query_company);
    Ok(Checked {
        value: BcServiceUrl {
            tenant,
            environment: env.to_string(),
            company,
        },
        notices,
    })
}

fn is_service_root(segment: &str) -> bool {
    ["odatav4", "api", "ws"].contains(&segment.to_ascii_lowercase().as_str())
}

/// `Company('CRONUS USA, Inc.')`, `Company(Id=…)` or `companies(…)`.
fn company_in(segment: &str) -> Option<String> {
    let inner = segment
        .strip_prefix("Company(")
        .or_else(|| segment.strip_prefix("companies("))?
        .strip_suffix(')')?;
    let inner = inner.strip_prefix("Id=").unwrap_or(inner);
    // Strip exactly the literal's own quotes: a name may start or end with
    // an apostrophe of its own (`'O''Brien'''` is "O'Brien'").
    let unquoted = inner
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .unwrap_or(inner);
    Some(unquoted.replace("''", "'"))
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// A Finance & Operations or Dataverse environment address, reduced to its
/// origin (`https://contoso.operations.dynamics.com`), checked against the
/// hosts the chosen cloud uses.
pub fn environment_url(
    product: Product,
    cloud: &Cloud,
    raw: &str,
) -> Result<Checked<String>, InputError> {
    let Checked {
        value: url,
        mut notices,
    } = parse_url(raw)?;
    if url.scheme() != "https" && !(cloud.allows_http() && url.scheme() == "http") {
        return Err(InputError::NotHttps);
    }
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    // "Production" is what BC calls an environment; F&O and Dataverse need
    // the environment's own host, which always has a domain. Only the
    // loopback sandbox may be a bare name.
    if product != Product::BusinessCentral
        && !host.contains('.')
        && !(cloud.allows_http() && host == "localhost")
    {
        return Err(InputError::NameNotAddress {
            value: raw.trim().to_string(),
            product: product.display_name(),
        });
    }
    let suffixes = match product {
        Product::FinanceOperations => cloud.fno_host_suffixes(),
        Product::Dataverse => cloud.dataverse_host_suffixes(),
        Product::BusinessCentral => &[],
    };
    let on_family = suffixes.is_empty()
        || suffixes
            .iter()
            .any(|s| host.ends_with(s) && host.len() > s.len());
    // Dataverse lives on crm*.dynamics.com, not on other dynamics.com hosts.
    let dataverse_public_ok = !(product == Product::Dataverse
        && matches!(cloud, Cloud::Public)
        && !host.split('.').any(|l| l.starts_with("crm")));
    if !on_family || !dataverse_public_ok {
        return Err(InputError::WrongHost {
            host,
            product: product.display_name(),
            cloud: cloud.display_name(),
            expected: match product {
                Product::Dataverse if matches!(cloud, Cloud::Public) => {
                    ".crm.dynamics.com (or crm4, crm11, …)".into()
                }
                _ => suffixes.join(" or "),
            },
        });
    }
    // Microsoft's environments are whole hosts; a custom cloud (the sandbox
    // tenant) may serve several under one host, each at its own path.
    let kept = match cloud {
        Cloud::Custom(_) => {
            let mut base = url.clone();
            base.set_query(None);
            base.set_fragment(None);
            base.as_str().trim_end_matches('/').to_string()
        }
        _ => url.origin().ascii_serialization(),
    };
    if url.as_str().trim_end_matches('/') != kept {
        notices.push(format!("We kept only the environment's address, {kept}."));
    }
    Ok(Checked {
        value: kept,
        notices,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    #[test]
    fn tenant_accepts_ids_and_domains_and_says_what_it_cleaned() {
        let t = tenant(&format!("  \"{}\"\n", TENANT.to_uppercase())).unwrap();
        assert_eq!(t.value, Tenant::Id(TENANT.into()));
        assert_eq!(t.notices.len(), 2, "{:?}", t.notices);
        assert_eq!(
            tenant("Contoso.OnMicrosoft.com").unwrap().value,
            Tenant::Domain("contoso.onmicrosoft.com".into())
        );
        assert_eq!(
            tenant(&format!("{{{TENANT}}}")).unwrap().value,
            Tenant::Id(TENANT.into())
        );
    }

    #[test]
    fn tenant_rejects_shared_endpoints_and_junk() {
        assert!(matches!(
            tenant("common"),
            Err(InputError::SharedTenant { .. })
        ));
        assert!(matches!(
            tenant("Organizations"),
            Err(InputError::SharedTenant { .. })
        ));
        assert!(matches!(
            tenant("contoso"),
            Err(InputError::BadTenant { .. })
        ));
        assert!(matches!(
            tenant("contoso..com"),
            Err(InputError::BadTenant { .. })
        ));
        assert!(matches!(tenant("   "), Err(InputError::Empty { .. })));
        assert!(matches!(
            tenant("72f988bf86f141af91ab2d7cd011db47"),
            Err(InputError::BadTenant { .. })
        ));
    }

    #[test]
    fn client_id_must_be_a_guid() {
        assert_eq!(client_id(&format!(" {TENANT} ")).unwrap().value, TENANT);
        let err = client_id("my-app").unwrap_err();
        assert!(err.explain().fix.contains("Application (client) ID"));
    }

    #[test]
    fn a_secret_that_is_a_guid_is_the_secret_id() {
        let err = client_secret("d2a5c8e1-4b7f-4e2a-9c3d-1f0e8b7a6c5d").unwrap_err();
        assert_eq!(err, InputError::SecretIdNotValue);
        let explained = err.explain();
        assert_eq!(explained.kind, ErrorKind::SecretIdNotValue);
        assert!(explained.fix.contains("Value column"));
        let ok = client_secret("'Abc8Q~xyz.Secret_Value-1234567890abcdefghij'").unwrap();
        assert_eq!(
            ok.value.expose(),
            "Abc8Q~xyz.Secret_Value-1234567890abcdefghij"
        );
        assert_eq!(ok.notices.len(), 1);
        assert_eq!(
            client_secret("abc def").unwrap_err(),
            InputError::SecretHasWhitespace
        );
    }

    #[test]
    fn bc_odata_url_gives_tenant_environment_and_company() {
        let u = bc_service_url(&format!(
            "https://api.businesscentral.dynamics.com/v2.0/{TENANT}/Production/ODataV4/Company('CRONUS%20USA%2C%20Inc.')/Chart_of_Accounts"
        ))
        .unwrap()
        .value;
        assert_eq!(u.tenant, Some(Tenant::Id(TENANT.into())));
        assert_eq!(u.environment, "Production");
        assert_eq!(u.company.as_deref(), Some("CRONUS USA, Inc."));
    }

    #[test]
    fn bc_api_urls_with_and_without_tenant() {
        let u = bc_service_url("https://api.businesscentral.dynamics.com/v2.0/contoso.com/Sandbox/api/v2.0/companies(9a7e2c1b-0000-4000-8000-000000000001)/customers")
            .unwrap()
            .value;
        assert_eq!(u.tenant, Some(Tenant::Domain("contoso.com".into())));
        assert_eq!(u.environment, "Sandbox");
        assert_eq!(
            u.company.as_deref(),
            Some("9a7e2c1b-0000-4000-8000-000000000001")
        );

        let u = bc_service_url("api.businesscentral.dynamics.com/v2.0/Production/api/v2.0")
            .unwrap()
            .value;
        assert_eq!(u.tenant, None);
        assert_eq!(u.environment, "Production");
    }

    #[test]
    fn bc_web_client_url_works_too() {
        let u = bc_service_url(&format!(
            "https://businesscentral.dynamics.com/{TENANT}/Sandbox2/?company=CRONUS%20UK%20Ltd.&page=22"
        ))
        .unwrap()
        .value;
        assert_eq!(u.environment, "Sandbox2");
        assert_eq!(u.company.as_deref(), Some("CRONUS UK Ltd."));
    }

    #[test]
    fn other_urls_are_not_bc_service_urls() {
        assert!(bc_service_url("https://example.com/").is_err());
        assert!(bc_service_url(
            "https://api.businesscentral.dynamics.com/v2.0/not a tenant/x/ODataV4"
        )
        .is_err());
        assert!(bc_service_url("not a url at all").is_err());
    }

    #[test]
    fn an_environment_name_is_refused_where_an_address_is_needed_in_every_cloud() {
        let custom = Cloud::Custom(crate::identity::cloud::CustomCloud {
            authority: "http://127.0.0.1:1/entra".into(),
            bc_api: Some("http://127.0.0.1:1/bc".into()),
            fno_url: None,
            dataverse_url: None,
            globaldisco: Some("http://127.0.0.1:1/globaldisco".into()),
            bc_resource: None,
            graph: None,
        });
        for cloud in [Cloud::Public, Cloud::UsGov, Cloud::China, custom.clone()] {
            for product in [Product::FinanceOperations, Product::Dataverse] {
                let err = environment_url(product, &cloud, " Production ").unwrap_err();
                assert!(
                    matches!(err, InputError::NameNotAddress { .. }),
                    "{product:?} in {cloud:?}: {err}"
                );
                assert!(
                    err.fix().contains("for example https://contoso."),
                    "{}",
                    err.fix()
                );
            }
        }
        // The loopback sandbox may be served from a bare host name.
        assert!(environment_url(
            Product::FinanceOperations,
            &custom,
            "http://localhost:8/fno/x"
        )
        .is_ok());
    }

    #[test]
    fn environment_urls_are_checked_against_the_cloud() {
        let fno = environment_url(
            Product::FinanceOperations,
            &Cloud::Public,
            "https://contoso.operations.dynamics.com/data/Customers?$top=1",
        )
        .unwrap();
        assert_eq!(fno.value, "https://contoso.operations.dynamics.com");
        assert_eq!(fno.notices.len(), 1);

        let dv = environment_url(
            Product::Dataverse,
            &Cloud::Public,
            "https://org1.crm4.dynamics.com/",
        )
        .unwrap();
        assert_eq!(dv.value, "https://org1.crm4.dynamics.com");
        assert!(dv.notices.is_empty());

        assert!(matches!(
            environment_url(
                Product::Dataverse,
                &Cloud::Public,
                "https://contoso.operations.dynamics.com"
            ),
            Err(InputError::WrongHost { .. })
        ));
        assert!(matches!(
            environment_url(
                Product::Dataverse,
                &Cloud::UsGov,
                "https://org.crm.dynamics.com"
            ),
            Err(InputError::WrongHost { .. })
        ));
        assert_eq!(
            environment_url(
                Product::FinanceOperations,
                &Cloud::Public,
                "http://contoso.operations.dynamics.com"
            ),
            Err(InputError::NotHttps)
        );
    }

    #[test]
    fn a_custom_cloud_keeps_the_environment_path() {
        let cloud = Cloud::Custom(crate::identity::cloud::CustomCloud {
            authority: "http://127.0.0.1:1/entra".into(),
            bc_api: Some("http://127.0.0.1:1/bc".into()),
            fno_url: None,
            dataverse_url: None,
            globaldisco: Some("http://127.0.0.1:1/globaldisco".into()),
            bc_resource: None,
            graph: None,
        });
        let checked = environment_url(
            Product::FinanceOperations,
            &cloud,
            "http://127.0.0.1:1/fno/cronus-demo/?x=1",
        )
        .unwrap();
        assert_eq!(checked.value, "http://127.0.0.1:1/fno/cronus-demo");
        assert_eq!(checked.notices.len(), 1);
    }
}
