//! `d365c setup` and `d365c secret renew`: "Set it up for me" from the
//! command line, one line of progress per step, the same exit codes as
//! every command (an account without the administrator role: 3).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use d365_core::http::{self, Timeout};
use d365_core::identity::browser::Browser;
use d365_core::identity::sign_in::{SignInEvent, SignInOptions};
use d365_core::problem::ErrorKind;
use d365_core::product::Product;
use d365_core::profiles::{Profile, ProfileStore, Registration};
use d365_core::saved_connections::SavedConnections;
use d365_core::setup::admin::{graph_root, AdminSession, GRAPH_COMMAND_LINE_TOOLS};
use d365_core::setup::connection::{
    record_product_side, register_and_save, save_imported, SetupForm, SetupSummary,
};
use d365_core::setup::handoff;
use d365_core::setup::patience::Patience;
use d365_core::setup::plan::default_display_name;
use d365_core::setup::product_side::{
    as_administrator, business_central, dataverse, fno, ProductApi,
};
use d365_core::setup::progress::{SetupEvent, SetupStep, StepState};
use d365_core::setup::register::SecretLifetime;
use d365_core::setup::renew::{renew_secret, Renewal};
use d365_core::UserError;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::cloud_args::CloudArgs;
use crate::login_cmd::{progress, BrowserArgs};
use crate::outcome::{fail, print_json, usage};
use crate::profile_cmd::with_keychain as keychain_connections;
use crate::profile_cmd::{product, registration, GrantArg, ProductArg};

#[derive(Debug, Args)]
pub struct SetupArgs {
    /// The name to save the connection under.
    name: String,
    #[arg(long, value_enum)]
    product: ProductArg,
    #[arg(long, value_enum, default_value_t = GrantArg::Delegated)]
    grant: GrantArg,
    /// People sign in without a secret (Mobile and desktop platform).
    #[arg(long)]
    public_client: bool,
    /// Tenant ID (GUID) or domain, e.g. contoso.onmicrosoft.com.
    #[arg(long, required_unless_present = "import")]
    tenant: Option<String>,
    /// The app's name in Microsoft Entra (default: says what it is for).
    #[arg(long)]
    app_name: Option<String>,
    /// How long the client secret lives: 6, 12 or 24 months.
    #[arg(long, default_value_t = 12)]
    secret_months: u32,
    /// The public client the administrator signs in to for setup (default:
    /// Microsoft Graph Command Line Tools).
    #[arg(long, default_value = GRAPH_COMMAND_LINE_TOOLS)]
    setup_client_id: String,
    /// BC: environment name; F&O and Dataverse: environment URL.
    #[arg(long)]
    environment: Option<String>,
    /// Company ID (BC), legal entity (F&O) or business unit (Dataverse).
    #[arg(long)]
    company: Option<String>,
    /// Dataverse background service: the security role of the application
    /// user (default: the least privileged one offered).
    #[arg(long)]
    role: Option<String>,
    /// F&O background service: the user ID the app acts as (ideally one made
    /// for integrations, holding only the roles it needs).
    #[arg(long)]
    fno_user: Option<String>,
    /// Write the script and checklist for your administrator to FILE
    /// instead of signing in.
    #[arg(long, conflicts_with = "import")]
    handoff: Option<PathBuf>,
    /// Save the connection from the file your administrator's script wrote.
    #[arg(long)]
    import: Option<PathBuf>,
    #[command(flatten)]
    cloud: CloudArgs,
    #[command(flatten)]
    browser: BrowserArgs,
}

#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Make a new client secret, prove it, keep it, then remove the old one
    /// (an administrator signs in).
    Renew(RenewArgs),
}

#[derive(Debug, Args)]
pub struct RenewArgs {
    name: String,
    /// How long the new secret lives: 6, 12 or 24 months.
    #[arg(long, default_value_t = 12)]
    secret_months: u32,
    #[arg(long, default_value = GRAPH_COMMAND_LINE_TOOLS)]
    setup_client_id: String,
    #[command(flatten)]
    browser: BrowserArgs,
}

fn lifetime(months: u32) -> Result<SecretLifetime, UserError> {
    SecretLifetime::from_months(months).ok_or_else(|| {
        usage(
            format!("{months} months is not offered."),
            "Use --secret-months 6, 12 or 24 (Microsoft recommends less than 12).",
        )
    })
}

fn step_name(step: SetupStep) -> &'static str {
    match step {
        SetupStep::CheckRole => "Role",
        SetupStep::FindProduct => "Product",
        SetupStep::Register => "App",
        SetupStep::ServicePrincipal => "Enterprise app",
        SetupStep::Secret => "Secret",
        SetupStep::Consent => "Consent",
        SetupStep::ProductSide => "Product side",
    }
}

/// One line per step that finishes or waits.
fn step_lines(json: bool) -> impl Fn(SetupEvent) + Send + Sync {
    move |event: SetupEvent| {
        if json || event.state == StepState::Started {
            return;
        }
        eprintln!(
            "{:<15} {}",
            format!("{}:", step_name(event.step)),
            event.detail
        );
    }
}

/// Runs `work` on a tokio runtime of its own.
fn block_on(
    work: impl std::future::Future<Output = Result<(), UserError>>,
) -> Result<(), UserError> {
    let runtime = tokio::runtime::Runtime::new().map_err(|e| {
        UserError::new(
            ErrorKind::Internal,
            "d365c could not start its network engine.",
            "Try again.",
        )
        .with_details(e.to_string())
    })?;
    runtime.block_on(work)
}

pub fn run(args: SetupArgs, json: bool) -> ExitCode {
    let name = args.name.clone();
    let result = block_on(setup(args, json));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let code = fail(e.clone(), Some(&name), json);
            if e.kind == ErrorKind::AdministratorRequired && !json {
                eprintln!("Hand-off: `d365c setup {name} … --handoff register-d365-connect.ps1` writes a script your administrator can run.");
            }
            code
        }
    }
}

fn form(args: &SetupArgs) -> Result<SetupForm, UserError> {
    let product = product(args.product);
    let registration = registration(args.grant, args.public_client)?;
    Ok(SetupForm {
        name: args.name.clone(),
        product,
        cloud: args.cloud.cloud(product)?,
        tenant: args.tenant.clone().unwrap_or_default(),
        registration,
        app_name: args
            .app_name
            .clone()
            .unwrap_or_else(|| default_display_name(product, registration)),
        secret_lifetime: lifetime(args.secret_months)?,
        environment: args.environment.clone(),
        company: args.company.clone(),
    })
}

async fn setup(args: SetupArgs, json: bool) -> Result<(), UserError> {
    let form = form(&args)?;
    if let Some(path) = &args.handoff {
        return write_handoff(&form, path, json);
    }
    let connections = keychain_connections(ProfileStore::open_default()?);
    if let Some(path) = &args.import {
        return import(&connections, &form, path, json);
    }
    if matches!(
        form.product,
        Product::FinanceOperations | Product::Dataverse
    ) && form.registration == Registration::BackgroundService
        && form.environment.is_none()
    {
        return Err(usage(
            format!(
                "{} needs the environment's address for setup.",
                form.product.short_name()
            ),
            "Add --environment https://… (the environment URL).",
        ));
    }
    graph_root(&form.cloud)?;
    let http = http::client(Timeout::Normal)?;
    let browser = args.browser.browser()?;
    let cancel = CancellationToken::new();
    let on_sign_in = progress(json);
    let on_step = step_lines(json);
    let mut session = AdminSession::sign_in(
        http.clone(),
        &form.cloud,
        &form.tenant,
        &args.setup_client_id,
        browser.as_ref(),
        SignInOptions::default(),
        &cancel,
        &on_sign_in,
    )
    .await?;
    let graph = session.graph(http.clone(), &form.cloud)?;
    let (profile, summary) =
        register_and_save(&connections, &graph, &form, &Patience::default(), &on_step).await?;

    let product_side = if form.registration == Registration::BackgroundService {
        let mut admin = Admin {
            session: &mut session,
            browser: browser.as_ref(),
            cancel: &cancel,
            on_sign_in: &on_sign_in,
        };
        let done = Done {
            connections: &connections,
            profile: &profile.name,
            on_step: &on_step,
        };
        match form.product {
            Product::BusinessCentral => business_central_side(&form, &summary, &profile, json),
            Product::Dataverse => dataverse_side(&mut admin, &args, &form, &summary, &done).await?,
            Product::FinanceOperations => {
                fno_side(&mut admin, &args, &form, &summary, &done, json).await?
            }
        }
    } else {
        serde_json::Value::Null
    };

    if json {
        print_json(&json!({ "profile": profile, "setup": summary, "product_side": product_side }));
    } else {
        print_summary(&profile, &summary);
    }
    Ok(())
}

/// The administrator's sign-in, to call the product as them.
struct Admin<'a> {
    session: &'a mut AdminSession,
    browser: &'a dyn Browser,
    cancel: &'a CancellationToken,
    on_sign_in: &'a (dyn Fn(SignInEvent) + Send + Sync),
}

impl Admin<'_> {
    async fn api(&mut self, product: Product, environment: &str) -> Result<ProductApi, UserError> {
        as_administrator(
            self.session,
            http::client(Timeout::Normal)?,
            product,
            environment,
            self.browser,
            SignInOptions::default(),
            self.cancel,
            self.on_sign_in,
        )
        .await
    }
}

/// Where a finished product-side step is said and kept.
struct Done<'a> {
    connections: &'a SavedConnections,
    profile: &'a str,
    on_step: &'a (dyn Fn(SetupEvent) + Send + Sync),
}

impl Done<'_> {
    fn record(&self, detail: String) -> Result<(), UserError> {
        record_product_side(self.connections, self.profile, &detail)?;
        (self.on_step)(SetupEvent {
            step: SetupStep::ProductSide,
            state: StepState::Done,
            detail,
        });
        Ok(())
    }
}

/// BC has no API for page 9860: the step is printed for the admin.
fn business_central_side(
    form: &SetupForm,
    summary: &SetupSummary,
    profile: &Profile,
    json: bool,
) -> serde_json::Value {
    let page = business_central::entra_applications_page(
        &form.cloud,
        &form.tenant,
        form.environment.as_deref().unwrap_or("Production"),
        &summary.client_id,
        &form.app_name,
    );
    if !json {
        eprintln!("Business Central has no API for its Microsoft Entra Applications page; one step is yours:");
        for (i, step) in page.steps.iter().enumerate() {
            eprintln!("  {}. {step}", i + 1);
        }
        eprintln!("  Client ID: {}", page.client_id);
        if let Some(url) = &page.url {
            eprintln!("  Page: {url}");
        }
        eprintln!("Then `d365c check {}` proves it.", profile.name);
    }
    json!({ "business_central": page })
}

async fn dataverse_side(
    admin: &mut Admin<'_>,
    args: &SetupArgs,
    form: &SetupForm,
    summary: &SetupSummary,
    done: &Done<'_>,
) -> Result<serde_json::Value, UserError> {
    let environment = form.environment.as_deref().unwrap_or_default();
    let api = admin.api(form.product, environment).await?;
    let roles = dataverse::security_roles(&api, environment).await?;
    let role = dataverse::choose_role(&roles, args.role.as_deref())?;
    let user =
        dataverse::ensure_application_user(&api, environment, &summary.client_id, &role.id).await?;
    done.record(user.describe(&role.name))?;
    Ok(json!({ "dataverse": { "application_user": user.id, "role": role.name } }))
}

async fn fno_side(
    admin: &mut Admin<'_>,
    args: &SetupArgs,
    form: &SetupForm,
    summary: &SetupSummary,
    done: &Done<'_>,
    json: bool,
) -> Result<serde_json::Value, UserError> {
    let environment = form.environment.as_deref().unwrap_or_default();
    let api = admin.api(form.product, environment).await?;
    if !fno::has_entra_applications_entity(&api, environment).await? {
        let steps = fno::by_hand(&summary.client_id, &form.app_name, args.fno_user.as_deref());
        if !json {
            eprintln!("This environment offers no API for its Microsoft Entra applications page; one step is yours:");
            for step in &steps {
                eprintln!("  {step}");
            }
        }
        return Ok(json!({ "finance_operations": { "by_hand": steps } }));
    }
    let users = fno::users(&api, environment).await?;
    let user = fno::choose_user(&users, args.fno_user.as_deref())?;
    let mapped = fno::ensure_entra_application(
        &api,
        environment,
        &summary.client_id,
        &form.app_name,
        &user.id,
    )
    .await?;
    done.record(fno::describe(&mapped))?;
    Ok(json!({ "finance_operations": { "user": mapped } }))
}

fn print_summary(profile: &Profile, summary: &SetupSummary) {
    println!(
        "Saved '{}' with client ID {}{}.",
        profile.name,
        summary.client_id,
        if summary.reused {
            " (completed from an earlier setup)"
        } else {
            ""
        }
    );
    if let Some(end) = &summary.secret_expires {
        println!(
            "Its secret is in your keychain and ends on {}.",
            &end[..end.len().min(10)]
        );
    }
    println!("`d365c check {}` proves the connection.", profile.name);
}

fn write_handoff(form: &SetupForm, path: &PathBuf, json: bool) -> Result<(), UserError> {
    let pack = handoff::pack(
        &form.plan(),
        &form.cloud,
        &form.tenant,
        form.secret_lifetime,
    );
    std::fs::write(path, &pack.script).map_err(|e| {
        UserError::new(
            ErrorKind::ExportFailed,
            format!("{} could not be written.", path.display()),
            "Choose a folder you can write to.",
        )
        .with_details(e.to_string())
    })?;
    if json {
        print_json(&json!({ "script": path, "checklist": pack.checklist }));
    } else {
        println!("Wrote {}. What remains:", path.display());
        for (i, item) in pack.checklist.iter().enumerate() {
            println!("  {}. {item}", i + 1);
        }
        println!(
            "Then: `d365c setup {} --product … --import {}`.",
            form.name,
            handoff::OUTPUT_FILE
        );
    }
    Ok(())
}

fn import(
    connections: &SavedConnections,
    form: &SetupForm,
    path: &PathBuf,
    json: bool,
) -> Result<(), UserError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        UserError::new(
            ErrorKind::InvalidInput,
            format!("{} could not be read.", path.display()),
            "Check the file's name and folder.",
        )
        .with_details(e.to_string())
    })?;
    let imported = handoff::read_output(&text)?;
    let profile = save_imported(connections, form, &imported)?;
    if json {
        print_json(&json!({ "profile": profile }));
    } else {
        println!(
            "Saved '{}' from your administrator's file. Delete the file now: it holds the secret.",
            profile.name
        );
        println!("`d365c check {}` proves the connection.", profile.name);
    }
    Ok(())
}

pub fn renew(command: SecretCommand, json: bool) -> ExitCode {
    let SecretCommand::Renew(args) = command;
    let name = args.name.clone();
    let result = block_on(renew_for(args, json));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e, Some(&name), json),
    }
}

async fn renew_for(args: RenewArgs, json: bool) -> Result<(), UserError> {
    let connections = keychain_connections(ProfileStore::open_default()?);
    let profile = connections.load(&args.name)?;
    let lifetime = lifetime(args.secret_months)?;
    graph_root(&profile.cloud)?;
    let http = http::client(Timeout::Normal)?;
    let browser = args.browser.browser()?;
    let cancel = CancellationToken::new();
    let on_sign_in = progress(json);
    let session = AdminSession::sign_in(
        http.clone(),
        &profile.cloud,
        &profile.tenant,
        &args.setup_client_id,
        browser.as_ref(),
        SignInOptions::default(),
        &cancel,
        &on_sign_in,
    )
    .await?;
    let graph = session.graph(http.clone(), &profile.cloud)?;
    let renewed = renew_secret(
        &connections,
        &graph,
        http,
        Renewal {
            profile: &profile,
            lifetime,
        },
        &Patience::default(),
        &step_lines(json),
    )
    .await?;
    if json {
        print_json(
            &json!({ "renewed": profile.name, "key_id": renewed.credential.key_id, "ends": renewed.credential.end_date_time, "removed": renewed.removed }),
        );
    } else {
        println!(
            "The new secret of '{}' works and is in your keychain.",
            profile.name
        );
        match renewed.removed {
            Some(old) => println!("The old secret ({old}) was removed."),
            None => println!("The old secret was left in place: remove it under Certificates & secrets once nothing else uses it."),
        }
    }
    Ok(())
}
