//! Business Central addresses: every shape the parser's doc comment lists,
//! built from random tenants, environments and companies, reads back as
//! built; damaged ones are errors with an explanation, never a panic.

use d365_core::identity::input::{bc_service_url, Tenant};
use d365_core::problem::Explain;
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS, NON_ALPHANUMERIC};
use proptest::prelude::*;

/// What a browser must encode in a path segment (plus `%` and `\`, which
/// the URL parser would otherwise read as an escape and a slash).
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%')
    .add(b'\\');

#[derive(Debug, Clone)]
enum TenantChoice {
    /// A GUID, upper case or in braces as some tools print it.
    Id(u128, bool, bool),
    Domain(Vec<String>, String),
}

impl TenantChoice {
    fn written(&self) -> String {
        match self {
            TenantChoice::Id(n, upper, braces) => {
                let id = uuid::Uuid::from_u128(*n).hyphenated().to_string();
                let id = if *upper { id.to_uppercase() } else { id };
                if *braces {
                    format!("{{{id}}}")
                } else {
                    id
                }
            }
            TenantChoice::Domain(labels, tld) => format!("{}.{tld}", labels.join(".")),
        }
    }

    fn parsed(&self) -> Tenant {
        match self {
            TenantChoice::Id(n, ..) => {
                Tenant::Id(uuid::Uuid::from_u128(*n).hyphenated().to_string())
            }
            TenantChoice::Domain(..) => Tenant::Domain(self.written().to_ascii_lowercase()),
        }
    }
}

fn tenant() -> impl Strategy<Value = TenantChoice> {
    prop_oneof![
        (any::<u128>(), any::<bool>(), any::<bool>())
            .prop_map(|(n, u, b)| TenantChoice::Id(n, u, b)),
        (
            prop::collection::vec("[a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?", 1..3),
            "[a-zA-Z]{2,6}"
        )
            .prop_map(|(labels, tld)| TenantChoice::Domain(labels, tld)),
    ]
}

/// BC environment names: letters, digits, `-` and `_`; the service roots
/// (`api`, `ODataV4`, `ws`) included, since nothing forbids them.
fn environment() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z][A-Za-z0-9_-]{0,29}",
        prop::sample::select(vec![
            "api".to_string(),
            "ODataV4".into(),
            "WS".into(),
            "v2.0x".into()
        ]),
    ]
}

/// Company names are free text: quotes, brackets, slashes, accents.
fn company() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9 .,&'()/?#%+=-]{1,30}",
        "[^\u{0}-\u{1f}]{1,12}",
        Just("'".to_string()),
        Just("O'Brien''s'".to_string()),
    ]
    .prop_filter("BC trims company names", |c| c.trim() == c && !c.is_empty())
}

#[derive(Debug, Clone)]
enum Shape {
    /// `…/v2.0/<tenant>/<env>/ODataV4/Company('…')/<entity>`
    ODataCompany { encode_all: bool },
    /// `…/v2.0/<tenant>/<env>/ODataV4/Company(Id=<guid>)`
    ODataCompanyId,
    /// `…/v2.0/<tenant>/<env>/api/v2.0/companies(<guid>)/customers`
    Api,
    /// `…/v2.0/<env>/api/v2.0/companies(<guid>)`: the tenant comes from the token.
    ApiNoTenant,
    /// `…/v2.0/<tenant>/<env>/WS/<company>/Codeunit/X`: SOAP, no company read.
    Soap,
    /// `https://businesscentral.dynamics.com/<tenant>/<env>?company=…`
    WebClient,
    /// `https://businesscentral.dynamics.com/<env>`
    WebClientNoTenant,
}

#[derive(Debug, Clone)]
struct Generated {
    text: String,
    tenant: Option<Tenant>,
    environment: String,
    company: Option<String>,
}

fn generated() -> impl Strategy<Value = Generated> {
    let shape = prop_oneof![
        any::<bool>().prop_map(|encode_all| Shape::ODataCompany { encode_all }),
        Just(Shape::ODataCompanyId),
        Just(Shape::Api),
        Just(Shape::ApiNoTenant),
        Just(Shape::Soap),
        Just(Shape::WebClient),
        Just(Shape::WebClientNoTenant),
    ];
    let wrapping = prop::sample::select(vec![
        ("", ""),
        ("  ", "\n"),
        ("\"", "\""),
        ("'", "' "),
        ("\u{200B}", ""),
    ]);
    (
        shape,
        tenant(),
        environment(),
        company(),
        any::<u128>(),
        prop::sample::select(vec!["https://", "", "HTTPS://"]),
        wrapping,
        any::<bool>(),
    )
        .prop_map(|(shape, tenant, env, company, id, scheme, (before, after), slash)| {
            let api = format!("{scheme}api.businesscentral.dynamics.com/v2.0");
            let web = format!("{scheme}businesscentral.dynamics.com");
            let t = utf8_percent_encode(&tenant.written(), PATH).to_string();
            let id = uuid::Uuid::from_u128(id).to_string();
            let trailing = if slash { "/" } else { "" };
            let (url, tenant, company) = match shape {
                Shape::ODataCompany { encode_all } => {
                    // An OData string literal doubles its quotes.
                    let literal = format!("'{}'", company.replace('\'', "''"));
                    let set = if encode_all { NON_ALPHANUMERIC } else { PATH };
                    let literal = utf8_percent_encode(&literal, set);
                    (format!("{api}/{t}/{env}/ODataV4/Company({literal})/Chart_of_Accounts{trailing}"), Some(tenant), Some(company))
                }
                Shape::ODataCompanyId => (format!("{api}/{t}/{env}/ODataV4/Company(Id={id}){trailing}"), Some(tenant), Some(id)),
                Shape::Api => (format!("{api}/{t}/{env}/api/v2.0/companies({id})/customers{trailing}"), Some(tenant), Some(id)),
                Shape::ApiNoTenant => (format!("{api}/{env}/api/v2.0/companies({id}){trailing}"), None, Some(id)),
                Shape::Soap => (format!("{api}/{t}/{env}/WS/Cronus/Codeunit/X{trailing}"), Some(tenant), None),
                Shape::WebClient => {
                    let query: String = url::form_urlencoded::Serializer::new(String::new())
                        .append_pair("Company", &company)
                        .append_pair("page", "22")
                        .append_pair("company", "second wins not")
                        .finish();
                    (format!("{web}/{t}/{env}{trailing}?{query}"), Some(tenant), Some(company))
                }
                Shape::WebClientNoTenant => (format!("{web}/{env}{trailing}"), None, None),
            };
            Generated {
                text: format!("{before}{url}{after}"),
                tenant: tenant.map(|t| t.parsed()),
                environment: env,
                company,
            }
        })
}

proptest! {
    #![proptest_config(config!(1024, "bc_url"))]

    #[test]
    fn every_documented_shape_reads_back(g in generated()) {
        let parsed = bc_service_url(&g.text).map_err(|e| TestCaseError::fail(format!("{e} ({})", g.text)))?.value;
        prop_assert_eq!(parsed.tenant, g.tenant, "{}", g.text);
        prop_assert_eq!(parsed.environment, g.environment, "{}", g.text);
        prop_assert_eq!(parsed.company, g.company, "{}", g.text);
    }

    #[test]
    fn damaged_addresses_are_explained(g in generated(), edits in crate::mutate::edits()) {
        let damaged = crate::mutate::apply(g.text.into_bytes(), &edits);
        if let Err(e) = bc_service_url(&String::from_utf8_lossy(&damaged)) {
            let p = e.explain();
            prop_assert!(!p.message.is_empty() && !p.fix.is_empty());
        }
    }
}

/// Found by `every_documented_shape_reads_back`: an environment called
/// `api` (or `ws`, `ODataV4`) was taken for the service root, and the
/// tenant for the environment.
#[test]
fn an_environment_named_like_a_service_root_keeps_its_tenant() {
    let parsed = bc_service_url("https://api.businesscentral.dynamics.com/v2.0/00000000-0000-0000-0000-000000000000/api/WS/Cronus/Codeunit/X")
        .map(|c| c.value);
    assert_eq!(
        parsed
            .as_ref()
            .map(|u| (u.tenant.clone(), u.environment.as_str())),
        Ok((
            Some(Tenant::Id("00000000-0000-0000-0000-000000000000".into())),
            "api"
        ))
    );
}

/// Found by `every_documented_shape_reads_back`: a company name that
/// starts or ends with an apostrophe lost it (`Company('''')` is "'").
#[test]
fn apostrophes_at_the_ends_of_a_company_name_are_kept() {
    for (literal, name) in [("''''", "'"), ("'O''Brien'''", "O'Brien'"), ("'''s'", "'s")] {
        let url = format!("https://api.businesscentral.dynamics.com/v2.0/contoso.com/A/ODataV4/Company({literal})/Chart_of_Accounts");
        let company = bc_service_url(&url).ok().and_then(|c| c.value.company);
        assert_eq!(company.as_deref(), Some(name), "{url}");
    }
}
