//! `d365c login` and `d365c consent`: the browser sign-in and admin
//! consent, through the same loopback listener as the desktop app.

use clap::Args;
use d365_core::identity::browser::{Browser, BrowserError, CommandBrowser, SystemBrowser};
use d365_core::identity::flow::ConsentEndpoint;
use d365_core::identity::sign_in::{SignInEvent, SignInOptions, SignInStage};
use d365_core::UserError;

use crate::data_cmd::Session;
use crate::outcome::{print_json, usage};

#[derive(Debug, Args)]
pub struct BrowserArgs {
    /// Print the sign-in link instead of opening a browser, and wait.
    #[arg(long, conflicts_with = "browser_cmd")]
    no_browser: bool,
    /// Hand the link to this program (as its last argument) instead of the
    /// system browser.
    #[arg(long)]
    browser_cmd: Option<String>,
}

/// No browser on purpose (remote shells): the sign-in reports the link as
/// "browser unavailable" and `progress` prints it.
struct NoBrowser;

impl Browser for NoBrowser {
    fn open(&self, _url: &str) -> Result<(), BrowserError> {
        Err(BrowserError::NoSystemBrowser {
            cause: "--no-browser".into(),
        })
    }
}

impl BrowserArgs {
    pub fn browser(&self) -> Result<Box<dyn Browser>, UserError> {
        if self.no_browser {
            return Ok(Box::new(NoBrowser));
        }
        match &self.browser_cmd {
            Some(line) => CommandBrowser::from_command_line(line)
                .map(|b| Box::new(b) as Box<dyn Browser>)
                .ok_or_else(|| {
                    usage(
                        "--browser-cmd is empty.",
                        "Give the program to run, e.g. --browser-cmd firefox.",
                    )
                }),
            None => Ok(Box::new(SystemBrowser)),
        }
    }
}

pub fn progress(json: bool) -> impl Fn(SignInEvent) + Send + Sync {
    move |event: SignInEvent| {
        if json {
            return;
        }
        match event.stage {
            SignInStage::Listening => eprintln!("Waiting for Microsoft to send the browser back…"),
            SignInStage::BrowserOpened => eprintln!(
                "Your browser is open at Microsoft's page. Sign in there (Ctrl+C to stop)."
            ),
            SignInStage::BrowserUnavailable => {
                eprintln!(
                    "Open this link in a browser to sign in (Ctrl+C to stop):\n\n  {}\n",
                    event.url.unwrap_or_default()
                )
            }
            SignInStage::CodeReceived => eprintln!("Microsoft sent the browser back."),
            SignInStage::Done => eprintln!("Done."),
        }
    }
}

pub async fn login(session: &Session, browser: &BrowserArgs) -> Result<(), UserError> {
    let browser = browser.browser()?;
    let on_event = progress(session.json);
    session
        .connection
        .sign_in(
            browser.as_ref(),
            SignInOptions::default(),
            &session.cancel,
            &on_event,
        )
        .await?;
    let name = &session.connection.profile().name;
    if session.json {
        print_json(&serde_json::json!({ "signed_in": name }));
    } else {
        println!("Signed in. `d365c token {name}` shows what the token allows.");
    }
    Ok(())
}

pub async fn consent(session: &Session, browser: &BrowserArgs, v1: bool) -> Result<(), UserError> {
    let browser = browser.browser()?;
    let on_event = progress(session.json);
    let endpoint = if v1 {
        ConsentEndpoint::V1
    } else {
        ConsentEndpoint::V2
    };
    let granted = session
        .connection
        .admin_consent(
            endpoint,
            browser.as_ref(),
            SignInOptions::default(),
            &session.cancel,
            &on_event,
        )
        .await?;
    if session.json {
        print_json(&granted);
    } else {
        println!(
            "An administrator granted consent for tenant {}.",
            granted.tenant
        );
    }
    Ok(())
}
