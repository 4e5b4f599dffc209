//! `d365c`: thin command-line adapters over d365-core.

mod check_cmd;
mod cloud_args;
mod data_cmd;
mod fleet_cmd;
mod login_cmd;
mod outcome;
mod profile_cmd;
mod secret_input;
mod secret_store;
mod setup_cmd;

use std::future::Future;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use d365_core::{ErrorKind, UserError};

use check_cmd::CheckArgs;
use data_cmd::{ExportArgs, QueryArgs, Session};
use login_cmd::BrowserArgs;
use profile_cmd::ProfileCommand;

/// Connect to Microsoft Dynamics 365 and check that it works.
#[derive(Debug, Parser)]
#[command(name = "d365c", version, about)]
struct Cli {
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// Read the client secret from standard input for this run (for
    /// machines without a keychain; D365C_CLIENT_SECRET works too).
    #[arg(long, global = true)]
    secret_stdin: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Tell which secret store keeps client secrets on this machine.
    SecretStore,
    /// Manage saved connections (shared with the desktop app).
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// Run the sandbox tenant on 127.0.0.1 (prints one JSON line with its
    /// URLs and demo credentials, then serves until Ctrl+C).
    Sandbox(d365_sandbox::cli::ServeArgs),
    /// Register the app in Microsoft Entra for you: an administrator signs in
    /// once; the app, its secret, consent and the product side are made.
    Setup(Box<setup_cmd::SetupArgs>),
    /// Look after a connection's client secret.
    #[command(subcommand)]
    Secret(setup_cmd::SecretCommand),
    #[command(flatten)]
    Online(Online),
}

/// Commands that call Microsoft with a saved connection.
#[derive(Debug, Subcommand)]
enum Online {
    /// Sign in through the browser (delegated connections).
    Login {
        profile: String,
        #[command(flatten)]
        browser: BrowserArgs,
    },
    /// Open the admin consent page for the organization.
    Consent {
        profile: String,
        /// Use the v1 endpoint: consent to everything the app lists.
        #[arg(long)]
        v1: bool,
        #[command(flatten)]
        browser: BrowserArgs,
    },
    /// Show who the token is for and whether it can call the product.
    Token {
        profile: String,
        /// Print the raw access token (keep it secret).
        #[arg(long)]
        raw: bool,
    },
    /// List the environments the connection can open.
    Environments { profile: String },
    /// List the companies of the connection's environment.
    Companies { profile: String },
    /// List the entity sets (tables) the environment offers. Business
    /// Central's published web services are listed as `ODataV4/<service>`.
    Entities {
        profile: String,
        /// Only those whose name or label contains this.
        #[arg(long)]
        search: Option<String>,
        /// Read the list again instead of using this run's copy.
        #[arg(long)]
        refresh: bool,
    },
    /// Read rows of an entity set.
    Query(QueryArgs),
    /// Write every row of an entity set to a CSV or JSON Lines file.
    Export(ExportArgs),
    /// Check the connection end to end (or many: --all, --profiles, --tag);
    /// exit code 1 when a check fails.
    Check(CheckArgs),
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    start_log(&matches);
    let json = cli.json;
    match cli.command {
        Command::SecretStore => secret_store::run(json),
        Command::Profile(command) => profile_cmd::run(command, json),
        Command::Sandbox(args) => block_on(d365_sandbox::cli::serve(args)),
        Command::Setup(args) => setup_cmd::run(*args, json),
        Command::Secret(command) => setup_cmd::renew(command, json),
        Command::Online(Online::Check(args)) => match args.fleet.selection() {
            Some(selection) => block_on(fleet_cmd::run(&args, selection, cli.secret_stdin, json)),
            None => block_on(online(Online::Check(args), cli.secret_stdin, json)),
        },
        Command::Online(command) => block_on(online(command, cli.secret_stdin, json)),
    }
}

/// Starts `d365c`'s log (docs/support.md) and writes the command run: its
/// name only, as `profile add`, never its arguments. Without a log folder
/// `d365c` runs without a log.
fn start_log(matches: &clap::ArgMatches) {
    if let Some(folder) = d365_core::log_file::LogFile::cli_folder() {
        let _ = d365_core::log_file::LogFile::start(&folder, "d365c");
    }
    let mut command = vec![];
    let mut level = matches;
    while let Some((name, sub)) = level.subcommand() {
        command.push(name);
        level = sub;
    }
    tracing::info!(
        "d365c {} started on {}: {}",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        command.join(" ")
    );
    tracing::info!(
        "{}",
        d365_core::proxy::ProxySettings::from_environment().summary
    );
}

/// Runs a command that talks to the network on a tokio runtime.
fn block_on(command: impl Future<Output = ExitCode>) -> ExitCode {
    match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime.block_on(command),
        Err(e) => {
            eprintln!("d365c could not start its network engine: {e}");
            ExitCode::from(outcome::SERVICE)
        }
    }
}

impl Online {
    /// Reads need the company's ID. A check reports a connection that
    /// cannot sign in itself, so only a company name that matches none
    /// stops it here.
    async fn settle_company(&self, session: &mut Session) -> Result<(), UserError> {
        match self {
            Online::Query(_) | Online::Export(_) => session.settle_company().await,
            Online::Check(_) => match session.settle_company().await {
                Err(e) if e.kind == ErrorKind::CompanyRequired => Err(e),
                _ => Ok(()),
            },
            _ => Ok(()),
        }
    }

    fn profile(&self) -> &str {
        match self {
            Online::Login { profile, .. }
            | Online::Consent { profile, .. }
            | Online::Token { profile, .. }
            | Online::Environments { profile }
            | Online::Companies { profile }
            | Online::Entities { profile, .. } => profile,
            Online::Query(args) => args.profile(),
            Online::Export(args) => args.profile(),
            Online::Check(args) => args.profile(),
        }
    }
}

/// Commands that call Microsoft with one saved connection.
async fn online(command: Online, secret_stdin: bool, json: bool) -> ExitCode {
    let mut session = match Session::open(command.profile(), secret_stdin, json) {
        Ok(session) => session,
        Err(e) => return outcome::fail(e, Some(command.profile()), json),
    };
    if let Err(e) = command.settle_company(&mut session).await {
        return outcome::fail(e, Some(command.profile()), json);
    }
    let name = command.profile().to_string();
    let result = match command {
        Online::Login { browser, .. } => login_cmd::login(&session, &browser).await,
        Online::Consent { browser, v1, .. } => login_cmd::consent(&session, &browser, v1).await,
        Online::Token { raw, .. } => data_cmd::token(&session, raw).await,
        Online::Environments { .. } => data_cmd::environments(&session).await,
        Online::Companies { .. } => data_cmd::companies(&session).await,
        Online::Entities {
            search, refresh, ..
        } => data_cmd::entities(&session, search.as_deref().unwrap_or(""), refresh).await,
        Online::Query(args) => data_cmd::query(&session, args).await,
        Online::Export(args) => data_cmd::export_cmd(&session, args).await,
        Online::Check(args) => return check_cmd::run(&session, args).await,
    };
    data_cmd::finish(result, &name, json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use d365_core::checks::fleet;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn json_is_accepted_after_the_subcommand() {
        let cli = Cli::try_parse_from(["d365c", "secret-store", "--json"]).unwrap();
        assert!(cli.json);
        assert!(Cli::try_parse_from(["d365c", "no-such-command"]).is_err());
    }

    #[test]
    fn query_options_parse() {
        let cli = Cli::try_parse_from([
            "d365c",
            "query",
            "p",
            "customers",
            "--select",
            "number,displayName",
            "--top",
            "5",
            "--all",
        ])
        .unwrap();
        let Command::Online(Online::Query(args)) = cli.command else {
            panic!("not a query")
        };
        assert_eq!(args.profile(), "p");
    }

    #[test]
    fn check_takes_one_connection_or_a_fleet_never_both() {
        let parse = |args: &[&str]| {
            Cli::try_parse_from(["d365c", "check"].iter().chain(args)).map(|cli| {
                match cli.command {
                    Command::Online(Online::Check(args)) => (args.fleet.selection(), args.jobs()),
                    _ => panic!("not a check"),
                }
            })
        };
        assert_eq!(parse(&["cronus"]).unwrap(), (None, 8));
        assert_eq!(
            parse(&["--all", "--jobs", "2"]).unwrap(),
            (Some(fleet::Selection::All), 2)
        );
        assert_eq!(
            parse(&["--profiles", "a,b"]).unwrap().0,
            Some(fleet::Selection::Named(vec!["a".into(), "b".into()]))
        );
        assert_eq!(
            parse(&["--tag", "eu", "--tag", "retail"]).unwrap().0,
            Some(fleet::Selection::Tagged(vec!["eu".into(), "retail".into()]))
        );
        for wrong in [
            &[][..],
            &["cronus", "--all"],
            &["--all", "--tag", "eu"],
            &["--all", "--jobs", "0"],
            &["cronus", "--jobs", "2"],
        ] {
            let err = parse(wrong).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{wrong:?}: {err}");
        }
    }
}
