//! `d365c profile add|list|show|remove`: the same saved connections as the
//! desktop app. Secrets go to the keychain, never into the profile file.

use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand, ValueEnum};
use d365_core::identity::{input, scopes};
use d365_core::product::Product;
use d365_core::profiles::{
    clean_tags, ClientType, Grant, NetworkSettings, Profile, ProfileStore, Registration,
};
use d365_core::saved_connections::SavedConnections;
use d365_core::secret_expiry::{SecretCredential, SecretExpiry};
use d365_core::secrets::{SecretStore, KEYCHAIN_SERVICE};
use d365_core::UserError;
use serde::Serialize;

use crate::cloud_args::CloudArgs;
use crate::outcome::{fail, print_json, usage};
use crate::secret_input;

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Save a connection.
    Add(Box<AddArgs>),
    /// List saved connections.
    List,
    /// Show one connection (never its secret).
    Show { name: String },
    /// Delete a connection and its saved secret and sign-in.
    Remove { name: String },
    /// Rename a connection; its secret and sign-in move along.
    Rename { from: String, to: String },
    /// Copy a connection with its secret under a new name (it signs in afresh).
    Duplicate { from: String, to: String },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ProductArg {
    Bc,
    Fno,
    Dataverse,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GrantArg {
    Delegated,
    ClientCredentials,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    name: String,
    #[arg(long, value_enum)]
    product: ProductArg,
    /// Tenant ID (GUID) or domain, e.g. contoso.onmicrosoft.com.
    #[arg(long, required_unless_present = "service_url")]
    tenant: Option<String>,
    /// Business Central: a web service or API address to read the tenant,
    /// environment and company from, e.g.
    /// https://api.businesscentral.dynamics.com/v2.0/<tenant>/<env>/ODataV4/Company('…')
    #[arg(long, conflicts_with = "environment")]
    service_url: Option<String>,
    /// The app registration's Application (client) ID.
    #[arg(long)]
    client_id: String,
    /// Read the client secret's Value from standard input and keep it in the keychain.
    #[arg(long)]
    secret_stdin: bool,
    /// The date the client secret expires (the Expires column under
    /// Certificates & secrets), e.g. 2027-06-01: `check` warns 30 days before.
    #[arg(long, value_name = "YYYY-MM-DD", conflicts_with = "public_client")]
    secret_expires: Option<String>,
    /// The client secret's Secret ID (a GUID), to tell it from the app's other secrets.
    #[arg(long, value_name = "GUID", requires = "secret_expires")]
    secret_id: Option<String>,
    #[arg(long, value_enum, default_value_t = GrantArg::Delegated)]
    grant: GrantArg,
    /// The app has no secret (Mobile and desktop platform).
    #[arg(long)]
    public_client: bool,
    /// Permissions to ask for (default: the product's defaults).
    #[arg(long, num_args = 1..)]
    scopes: Vec<String>,
    /// BC: environment name; F&O and Dataverse: environment URL.
    #[arg(long)]
    environment: Option<String>,
    /// Company ID (BC), legal entity (F&O) or business unit (Dataverse). A
    /// BC company may be given by its exact name: the first command that
    /// reads data finds its ID and saves it.
    #[arg(long)]
    company: Option<String>,
    #[command(flatten)]
    cloud: CloudArgs,
    /// Let a request run 10 minutes instead of 1 (big queries, slow environments).
    #[arg(long)]
    long_timeout: bool,
    /// Do not retry failed requests (502, 504, dropped connections); throttling is still waited out.
    #[arg(long)]
    no_retry: bool,
    /// The customer this connection belongs to, for the fleet report.
    #[arg(long, value_name = "NAME")]
    customer: Option<String>,
    /// A label to pick connections by (`d365c check --tag T`); repeat for more.
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
}

pub fn run(command: ProfileCommand, json: bool) -> ExitCode {
    let result = ProfileStore::open_default()
        .map_err(UserError::from)
        .and_then(|profiles| match command {
            ProfileCommand::Add(args) => add(profiles, *args, json),
            ProfileCommand::List => list(&profiles, json),
            ProfileCommand::Show { name } => show(&profiles, &name, json),
            ProfileCommand::Remove { name } => {
                with_keychain(profiles).remove(&name)?;
                done(json, "removed", &name, format!("Removed '{name}'."))
            }
            ProfileCommand::Rename { from, to } => {
                with_keychain(profiles).rename(&from, &to)?;
                done(json, "renamed", &to, format!("Renamed '{from}' to '{to}'."))
            }
            ProfileCommand::Duplicate { from, to } => {
                with_keychain(profiles).duplicate(&from, &to)?;
                done(json, "saved", &to, format!("Copied '{from}' to '{to}'."))
            }
        });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e, None, json),
    }
}

/// The registration the grant and client-type flags describe.
pub fn registration(grant: GrantArg, public_client: bool) -> Result<Registration, UserError> {
    let client_type = if public_client {
        ClientType::Public
    } else {
        ClientType::Confidential
    };
    let grant = match grant {
        GrantArg::Delegated => Grant::Delegated,
        GrantArg::ClientCredentials => Grant::ClientCredentials,
    };
    Registration::of(grant, client_type).ok_or_else(|| {
        usage(
            "An app without a secret cannot sign in on its own.",
            "Leave out --public-client, or use --grant delegated.",
        )
    })
}

pub fn product(arg: ProductArg) -> Product {
    match arg {
        ProductArg::Bc => Product::BusinessCentral,
        ProductArg::Fno => Product::FinanceOperations,
        ProductArg::Dataverse => Product::Dataverse,
    }
}

fn notices(list: &[String]) {
    for notice in list {
        eprintln!("Note: {notice}");
    }
}

fn add(profiles: ProfileStore, args: AddArgs, json: bool) -> Result<(), UserError> {
    let product = product(args.product);
    let cloud = args.cloud.cloud(product)?;
    let from_url = match args.service_url.as_deref() {
        Some(_) if product != Product::BusinessCentral => {
            return Err(usage(
                "--service-url reads Business Central addresses only.",
                "Give --environment with the environment's address instead.",
            ))
        }
        Some(raw) => {
            let read = input::bc_service_url(raw)?;
            notices(&read.notices);
            Some(read.value)
        }
        None => None,
    };
    let typed_tenant = args
        .tenant
        .clone()
        .or_else(|| from_url.as_ref()?.tenant.as_ref().map(|t| t.to_string()))
        .ok_or_else(|| {
            usage(
                "The address leaves the tenant to the sign-in.",
                "Add --tenant with your tenant ID or domain.",
            )
        })?;
    let tenant = input::tenant(&typed_tenant)?;
    let client_id = input::client_id(&args.client_id)?;
    notices(&tenant.notices);
    notices(&client_id.notices);
    let from_url_environment = from_url.as_ref().map(|u| u.environment.clone());
    let environment = match (product, args.environment.as_deref()) {
        (Product::BusinessCentral, None) => from_url_environment,
        (Product::BusinessCentral, Some(name)) => Some(name.trim().to_string()),
        (_, Some(url)) => {
            let checked = input::environment_url(product, &cloud, url)?;
            notices(&checked.notices);
            Some(checked.value)
        }
        (_, None) => None,
    };
    let registration = registration(args.grant, args.public_client)?;
    let profile = Profile {
        name: args.name.clone(),
        product,
        cloud,
        tenant: tenant.value.to_string(),
        client_id: client_id.value,
        registration,
        // Named in the profile, so what is asked for is visible and fixed.
        scopes: if args.scopes.is_empty() {
            scopes::default_permissions(product, registration.grant())
        } else {
            args.scopes
        },
        environment,
        // A name is settled to its ID on first use (`Connection::settle_company`).
        company: args.company.or_else(|| {
            let url = from_url.as_ref()?;
            url.company_id().or_else(|| url.company.clone())
        }),
        network: NetworkSettings {
            long_timeout: args.long_timeout,
            retry_failed: !args.no_retry,
        },
        secret: args
            .secret_expires
            .as_deref()
            .map(|date| SecretCredential::typed(date, args.secret_id.as_deref()))
            .transpose()?,
        setup: None,
        customer: args
            .customer
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string),
        tags: clean_tags(&args.tags)?,
    };
    let secret = secret_input::given(args.secret_stdin)?;
    // With no secret to keep, the keychain is not asked at all.
    let secrets = match secret {
        Some(_) => {
            let store = keychain();
            warn_if_memory_only(&store);
            store
        }
        None => SecretStore::in_memory(KEYCHAIN_SERVICE),
    };
    SavedConnections::new(profiles, Arc::new(secrets)).save(&profile, secret.as_ref())?;
    if json {
        print_json(&profile);
    } else {
        println!("Saved '{}'.", profile.name);
    }
    Ok(())
}

/// Said once, where a secret would otherwise silently vanish at exit.
pub fn warn_if_memory_only(store: &SecretStore) {
    if let Some(advice) = store.status().advice {
        eprintln!(
            "Note: {advice} Give the secret with --secret-stdin or {} on each run.",
            secret_input::ENV_VAR
        );
    }
}

#[derive(Serialize)]
struct Listed {
    name: String,
    product: Option<Product>,
    /// When the secret expires, as of today, if the connection knows.
    secret_expiry: Option<SecretExpiry>,
    problem: Option<UserError>,
}

/// When the secret expires, as of today, if the connection uses one and
/// knows its expiry.
fn secret_expiry(profile: &Profile) -> Option<SecretExpiry> {
    if profile.client_type() == ClientType::Public {
        return None;
    }
    profile.secret.as_ref().map(SecretCredential::expiry_today)
}

fn list(profiles: &ProfileStore, json: bool) -> Result<(), UserError> {
    let listed: Vec<Listed> = profiles
        .entries()?
        .into_iter()
        .map(|entry| Listed {
            name: entry.name,
            secret_expiry: entry.profile.as_ref().and_then(secret_expiry),
            product: entry.profile.map(|p| p.product),
            problem: entry.problem,
        })
        .collect();
    if json {
        print_json(&listed);
    } else if listed.is_empty() {
        println!("No saved connections. Add one with `d365c profile add`.");
    } else {
        for l in &listed {
            match (&l.product, &l.problem) {
                (Some(p), _) => match &l.secret_expiry {
                    Some(expiry) => println!(
                        "{}\t{}\tSecret {}",
                        l.name,
                        p.display_name(),
                        expiry.describe()
                    ),
                    None => println!("{}\t{}", l.name, p.display_name()),
                },
                (None, Some(problem)) => println!("{} ({})", l.name, problem.fix),
                (None, None) => println!("{}", l.name),
            }
        }
    }
    Ok(())
}

fn show(profiles: &ProfileStore, name: &str, json: bool) -> Result<(), UserError> {
    let profile = profiles.load(name)?;
    if json {
        print_json(&profile);
        return Ok(());
    }
    let none = || "(not set)".to_string();
    println!("Name:        {}", profile.name);
    println!("Product:     {}", profile.product.display_name());
    println!("Cloud:       {}", profile.cloud.display_name());
    println!("Tenant:      {}", profile.tenant);
    println!("Client ID:   {}", profile.client_id);
    println!(
        "Sign-in:     {:?} ({:?} client)",
        profile.grant(),
        profile.client_type()
    );
    println!(
        "Environment: {}",
        profile.environment.clone().unwrap_or_else(none)
    );
    println!(
        "Company:     {}",
        profile.company.clone().unwrap_or_else(none)
    );
    let network = profile.network;
    println!(
        "Network:     timeout {}; failed requests {}",
        if network.long_timeout {
            "10 minutes"
        } else {
            "1 minute"
        },
        if network.retry_failed {
            "retried"
        } else {
            "not retried"
        }
    );
    if let Some(expiry) = secret_expiry(&profile) {
        let id = profile
            .secret
            .as_ref()
            .and_then(|s| s.key_id.as_deref())
            .map(|id| format!("; Secret ID {id}"))
            .unwrap_or_default();
        println!("Secret:      {}{id}", expiry.describe());
    }
    if !profile.scopes.is_empty() {
        println!("Scopes:      {}", profile.scopes.join(" "));
    }
    if let Some(customer) = &profile.customer {
        println!("Customer:    {customer}");
    }
    if !profile.tags.is_empty() {
        println!("Tags:        {}", profile.tags.join(", "));
    }
    Ok(())
}

/// The connections with the OS keychain, for the commands that touch secrets.
pub fn with_keychain(profiles: ProfileStore) -> SavedConnections {
    SavedConnections::new(profiles, Arc::new(keychain()))
}

fn keychain() -> SecretStore {
    SecretStore::open(KEYCHAIN_SERVICE)
}

/// The one line (or JSON object) a changed connection ends with.
fn done(json: bool, what: &str, name: &str, text: String) -> Result<(), UserError> {
    if json {
        print_json(&serde_json::json!({ what: name }));
    } else {
        println!("{text}");
    }
    Ok(())
}
