//! Many saved connections checked at once, for a consultant who looks
//! after many customers (`d365c check --all`): at most `jobs` in flight,
//! each connection with its own token cache, throttling and retries (its
//! own `Connection`), and one outcome per connection as each finishes.

use std::cmp::Reverse;
use std::future::Future;
use std::time::{Instant, SystemTime};

use futures_util::stream::{self, StreamExt};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::checks::{self, Status};
use crate::connection::Connection;
use crate::problem::{ErrorKind, Explain, UserError};
use crate::profiles::{Profile, ProfileError, ProfileStore};
use crate::report::Report;

/// Connections checked at once unless asked otherwise: enough to hide each
/// one's waits on the network, few enough to stay far below any service's
/// limits (each connection is a different tenant, throttled on its own).
pub const DEFAULT_JOBS: usize = 8;

/// A connection's result at a glance. Declared worst first: the fleet is
/// sorted in this order.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema, TS,
)]
#[serde(rename_all = "kebab-case")]
#[ts(export)]
pub enum Verdict {
    /// A check failed: the connection does not work as saved.
    Failed,
    /// The checks could not start (no secret on this machine, an
    /// unreadable saved connection).
    CouldNotRun,
    /// Everything works, with something to do soon (a secret that expires).
    Warnings,
    Passed,
}

impl Verdict {
    pub fn of(results: &[checks::CheckResult]) -> Self {
        let any = |status| results.iter().any(|r| r.status == status);
        if any(Status::Fail) {
            Self::Failed
        } else if any(Status::Warn) {
            Self::Warnings
        } else {
            Self::Passed
        }
    }
}

/// Which saved connections to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    All,
    /// By name; a name that is not saved is a mistake to say at once.
    Named(Vec<String>),
    /// Those with any of these tags.
    Tagged(Vec<String>),
}

/// One connection to check: its saved profile, or why it could not be read.
#[derive(Debug, Clone)]
pub struct Member {
    pub name: String,
    pub profile: Result<Profile, UserError>,
}

/// The connections `selection` names, in the order they are saved (or
/// named). An unreadable file is a member that could not run, not a reason
/// to check nothing.
pub fn select(store: &ProfileStore, selection: &Selection) -> Result<Vec<Member>, UserError> {
    let member = |loaded: Result<Profile, ProfileError>| match loaded {
        Ok(profile) => Member {
            name: profile.name.clone(),
            profile: Ok(profile),
        },
        Err(e) => Member {
            name: e.connection().unwrap_or("?").to_string(),
            profile: Err(e.explain()),
        },
    };
    let members: Vec<Member> = match selection {
        Selection::All => store.list()?.into_iter().map(member).collect(),
        Selection::Named(names) => {
            let mut members = Vec::with_capacity(names.len());
            for name in names {
                match store.load(name) {
                    Err(e @ (ProfileError::NotFound { .. } | ProfileError::BadName { .. })) => {
                        return Err(e.explain())
                    }
                    loaded => members.push(member(loaded)),
                }
            }
            members
        }
        Selection::Tagged(tags) => store
            .list()?
            .into_iter()
            .filter_map(Result::ok)
            .filter(|p| tags.iter().any(|t| p.has_tag(t)))
            .map(|p| member(Ok(p)))
            .collect(),
    };
    if members.is_empty() {
        return Err(nothing_selected(selection));
    }
    Ok(members)
}

fn nothing_selected(selection: &Selection) -> UserError {
    match selection {
        Selection::Tagged(tags) => UserError::new(
            ErrorKind::ProfileNotFound,
            format!("No saved connection has the tag '{}'.", tags.join("' or '")),
            "`d365c profile show NAME` shows a connection's tags; add one with `d365c profile add NAME … --tag TAG`.",
        ),
        _ => UserError::new(
            ErrorKind::ProfileNotFound,
            "There are no saved connections to check.",
            "Save one with `d365c profile add`, or in the desktop app.",
        ),
    }
}

/// What checking one connection came to.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub name: String,
    /// The saved connection, when it could be read.
    pub profile: Option<Profile>,
    pub verdict: Verdict,
    /// Every check's result, when the checks ran.
    pub report: Option<Report>,
    /// Why the checks could not run.
    pub problem: Option<UserError>,
    /// From opening the connection to its last check.
    pub millis: u64,
}

impl Outcome {
    /// The checks that failed, in the order they ran.
    pub fn failed(&self) -> impl Iterator<Item = &checks::CheckResult> {
        self.with_status(Status::Fail)
    }

    pub fn with_status(&self, status: Status) -> impl Iterator<Item = &checks::CheckResult> {
        self.report
            .iter()
            .flat_map(|r| &r.results)
            .filter(move |r| r.status == status)
    }
}

/// Opens a saved connection with its secret: the adapter decides where
/// secrets come from (the keychain, or one given for the run).
pub type Open<'a> = &'a (dyn Fn(Profile) -> Result<Connection, UserError> + Sync);

/// Checks every member, at most `jobs` at a time; `on_done` sees each
/// outcome as it finishes. The outcomes come back worst first.
pub async fn run(
    members: Vec<Member>,
    jobs: usize,
    open: Open<'_>,
    cancel: &CancellationToken,
    on_done: &(dyn Fn(&Outcome) + Send + Sync),
) -> Vec<Outcome> {
    let mut outcomes = bounded(members, jobs, |member| async move {
        let outcome = check_one(member, open, cancel).await;
        on_done(&outcome);
        outcome
    })
    .await;
    worst_first(&mut outcomes);
    outcomes
}

async fn check_one(member: Member, open: Open<'_>, cancel: &CancellationToken) -> Outcome {
    let started = Instant::now();
    let elapsed = || u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let profile = match member.profile {
        Ok(profile) => profile,
        Err(problem) => return could_not_run(member.name, None, problem, elapsed()),
    };
    let mut connection = match open(profile.clone()) {
        Ok(connection) => connection,
        Err(problem) => return could_not_run(member.name, Some(profile), problem, elapsed()),
    };
    // A BC company saved by name is looked up as `d365c check NAME` does
    // (for this run; nothing is saved); only a name that matches none stops
    // the checks, which report every other problem themselves.
    if let Err(e) = connection.settle_company(cancel, &|_| {}).await {
        let problem = e.explain();
        if problem.kind == ErrorKind::CompanyRequired {
            return could_not_run(member.name, Some(profile), problem, elapsed());
        }
    }
    let results = checks::run(&connection, cancel, &|_| {}).await;
    let report = Report::new(&profile, results, SystemTime::now());
    Outcome {
        name: member.name,
        verdict: Verdict::of(&report.results),
        profile: Some(profile),
        report: Some(report),
        problem: None,
        millis: elapsed(),
    }
}

fn could_not_run(
    name: String,
    profile: Option<Profile>,
    problem: UserError,
    millis: u64,
) -> Outcome {
    Outcome {
        name,
        profile,
        verdict: Verdict::CouldNotRun,
        report: None,
        problem: Some(problem),
        millis,
    }
}

/// Worst verdict first; among equals, more failed checks first, then by
/// name, so the same fleet always reads the same way.
fn worst_first(outcomes: &mut [Outcome]) {
    outcomes.sort_by_cached_key(|o| {
        (
            o.verdict,
            Reverse(o.failed().count()),
            o.name.to_lowercase(),
        )
    });
}

/// `work` on every item, at most `jobs` at a time (at least one), results
/// in the order they finish. The work runs on the caller's task, so it
/// need not be `Send` and nothing outlives the call.
async fn bounded<T, R, F, Fut>(items: Vec<T>, jobs: usize, work: F) -> Vec<R>
where
    F: FnMut(T) -> Fut,
    Fut: Future<Output = R>,
{
    stream::iter(items)
        .map(work)
        .buffer_unordered(jobs.max(1))
        .collect()
        .await
}

#[cfg(test)]
mod tests;
