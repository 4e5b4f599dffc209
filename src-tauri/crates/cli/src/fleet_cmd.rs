//! `d365c check --all | --profiles A,B | --tag T [--jobs N]`: many saved
//! connections checked at once by the core (`checks::fleet`), one line each
//! as it finishes, a summary, and the fleet report.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use clap::Args;
use d365_core::checks::fleet::{self, Outcome, Selection, Verdict};
use d365_core::checks::{CheckResult, Status};
use d365_core::connection::Connection;
use d365_core::last_check;
use d365_core::profiles::{Profile, ProfileStore};
use d365_core::report::fleet::FleetReport;
use d365_core::secrets::{SecretStore, KEYCHAIN_SERVICE};
use d365_core::UserError;

use crate::check_cmd::{self, CheckArgs};
use crate::data_cmd::cancel_on_ctrl_c;
use crate::outcome::fail;
use crate::profile_cmd::warn_if_memory_only;
use crate::secret_input;

/// Which connections to check, instead of one.
#[derive(Debug, Args)]
#[group(id = "fleet", multiple = false)]
pub struct FleetArgs {
    /// Check every saved connection.
    #[arg(long)]
    all: bool,
    /// Check these saved connections (comma-separated names).
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    profiles: Vec<String>,
    /// Check the connections saved with this tag (repeat: any of them).
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
}

impl FleetArgs {
    /// The connections asked for, or `None` for `d365c check PROFILE`.
    pub fn selection(&self) -> Option<Selection> {
        if self.all {
            Some(Selection::All)
        } else if !self.profiles.is_empty() {
            Some(Selection::Named(self.profiles.clone()))
        } else if !self.tags.is_empty() {
            Some(Selection::Tagged(self.tags.clone()))
        } else {
            None
        }
    }
}

pub async fn run(
    args: &CheckArgs,
    selection: Selection,
    secret_stdin: bool,
    json: bool,
) -> ExitCode {
    let report_file = match args.report_file() {
        Ok(file) => file,
        Err(e) => return fail(e, None, json),
    };
    let members = match ProfileStore::open_default()
        .map_err(UserError::from)
        .and_then(|store| fleet::select(&store, &selection))
    {
        Ok(members) => members,
        Err(e) => return fail(e, None, json),
    };
    // A secret given for the run stands in for every connection's (a server
    // without a keychain whose connections share one app).
    let given = match secret_input::given(secret_stdin) {
        Ok(given) => given,
        Err(e) => return fail(e, None, json),
    };
    let store = Arc::new(SecretStore::open(KEYCHAIN_SERVICE));
    if given.is_none() {
        warn_if_memory_only(&store);
    }
    let open = |profile: Profile| {
        Connection::open(profile, store.clone(), given.clone()).map_err(UserError::from)
    };
    let on_done = |o: &Outcome| {
        if let Some(report) = &o.report {
            last_check::note(&o.name, report);
        }
        if !json {
            println!("{}", line(o));
        }
    };
    let started = Instant::now();
    let outcomes = fleet::run(members, args.jobs(), &open, &cancel_on_ctrl_c(), &on_done).await;
    let millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let report = FleetReport::new(&outcomes, millis, SystemTime::now());
    if !json {
        println!(
            "{}.  ({})",
            report.summary.describe(),
            seconds(report.summary.millis)
        );
    }
    check_cmd::finish(report_file, &report, report.passed, json)
}

/// One connection at a glance: `✓ contoso-bc  Business Central ·
/// Production · 16 passed  (1.2 s)`, or the first thing to fix.
fn line(o: &Outcome) -> String {
    let mark = match o.verdict {
        Verdict::Passed => "✓",
        Verdict::Warnings => "!",
        Verdict::Failed => "✗",
        Verdict::CouldNotRun => "?",
    };
    let mut what = vec![];
    if let Some(p) = &o.profile {
        what.push(p.product.short_name().to_string());
        what.extend(p.environment.clone());
    }
    let passed = o.with_status(Status::Pass).count();
    let warned: Vec<_> = o.with_status(Status::Warn).collect();
    let failed: Vec<_> = o.failed().collect();
    let first =
        |r: &CheckResult| format!("{} — {}", r.title, r.fix.as_deref().unwrap_or(&r.detail));
    what.push(match (&o.problem, failed.first(), warned.first()) {
        (Some(problem), _, _) => format!("could not run: {} {}", problem.message, problem.fix),
        (None, Some(f), _) => format!("{} failed: {}", failed.len(), first(f)),
        (None, None, Some(w)) => {
            format!("{passed} passed, {} to do soon: {}", warned.len(), first(w))
        }
        (None, None, None) => format!("{passed} passed"),
    });
    format!(
        "{mark} {}  {}  ({})",
        o.name,
        what.join(" · "),
        seconds(o.millis)
    )
}

fn seconds(millis: u64) -> String {
    format!("{:.1} s", millis as f64 / 1000.0)
}
