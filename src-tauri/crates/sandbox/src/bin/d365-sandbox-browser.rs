//! `d365-sandbox-browser [--login U --password P] [--decline]
//! [--for-organization] URL`: the robot user as a program, so
//! `BROWSER=d365-sandbox-browser` (or the CLI's `--browser-cmd`) signs in
//! on the sandbox tenant with no real browser. It exits 0 when the app received the redirect and answered it
//! with success, whatever Entra's answer was, and 1 otherwise.

use std::process::ExitCode;

use clap::Parser;
use d365_sandbox::robot::{visit, Choice, Persona};

/// A headless browser for the sandbox tenant's sign-in page.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The account to sign in with; the demo world's user when left out.
    #[arg(long)]
    login: Option<String>,
    /// Its password; the demo user's when left out.
    #[arg(long)]
    password: Option<String>,
    /// Press Cancel on the sign-in and consent page instead of Accept.
    #[arg(long)]
    decline: bool,
    /// Tick "Consent on behalf of your organization" (an administrator's
    /// consent then counts for everyone).
    #[arg(long)]
    for_organization: bool,
    /// The authorize or admin consent URL to open.
    url: String,
}

impl Args {
    fn persona(self) -> Persona {
        let demo = Persona::demo();
        Persona {
            login: self.login.unwrap_or(demo.login),
            password: self.password.unwrap_or(demo.password),
            choice: match (self.decline, self.for_organization) {
                (true, _) => Choice::Cancel,
                (false, true) => Choice::AcceptForOrganization,
                (false, false) => Choice::Accept,
            },
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    let url = args.url.clone();
    // Reports go to stderr: an app that runs its browser keeps stdout.
    match visit(&url, &args.persona()).await {
        Ok(visit) => {
            eprintln!("d365-sandbox-browser: {visit}");
            if visit.reached_the_app() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("d365-sandbox-browser: {e}");
            ExitCode::FAILURE
        }
    }
}
