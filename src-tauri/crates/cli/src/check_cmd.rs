//! `d365c check PROFILE [--report FILE]`: the checks, printed as they
//! finish, and the report for the customer. `--all`, `--profiles` and
//! `--tag` check many connections instead (`fleet_cmd`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

use clap::{Args, ValueEnum};
use d365_core::checks::fleet::DEFAULT_JOBS;
use d365_core::checks::{self, CheckResult, Status};
use d365_core::last_check;
use d365_core::report::{Render, Report, ReportFile, ReportFormat};
use d365_core::UserError;
use serde::Serialize;

use crate::data_cmd::Session;
use crate::fleet_cmd::FleetArgs;
use crate::outcome::{fail, place, print_json, CHECK_FAILED};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Md,
    Html,
    Json,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The saved connection to check (or many, with --all, --profiles or --tag).
    #[arg(required_unless_present = "fleet", conflicts_with = "fleet")]
    profile: Option<String>,
    #[command(flatten)]
    pub fleet: FleetArgs,
    /// With a fleet: how many connections are checked at once (1 to 64).
    #[arg(long, requires = "fleet", default_value_t = DEFAULT_JOBS, value_parser = jobs)]
    jobs: usize,
    /// Also write the report to this file.
    #[arg(long)]
    report: Option<PathBuf>,
    /// The report's format (default: from the file's extension, else Markdown).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
}

impl CheckArgs {
    /// The one connection to check; clap asks for it unless a fleet is
    /// selected, and a fleet never reaches here.
    pub fn profile(&self) -> &str {
        self.profile.as_deref().unwrap_or_default()
    }

    pub fn jobs(&self) -> usize {
        self.jobs
    }

    /// Where to write the report, opened now so an unwritable path is said
    /// before any check runs.
    pub fn report_file(&self) -> Result<Option<ReportFile>, UserError> {
        let format = self.format.map(|f| match f {
            FormatArg::Md => ReportFormat::Markdown,
            FormatArg::Html => ReportFormat::Html,
            FormatArg::Json => ReportFormat::Json,
        });
        self.report
            .as_deref()
            .map(|p| ReportFile::create(p, format))
            .transpose()
            .map_err(UserError::from)
    }
}

fn jobs(typed: &str) -> Result<usize, String> {
    match typed.parse() {
        Ok(n @ 1..=64) => Ok(n),
        _ => Err("give a number from 1 to 64".into()),
    }
}

fn mark(status: Status) -> &'static str {
    match status {
        Status::Pass => "PASS",
        Status::Warn => "WARN",
        Status::Fail => "FAIL",
        Status::Skip => "SKIP",
    }
}

/// "Details:" and the service's words under a check, each line indented
/// like "What to do" so the block reads as part of that check.
fn print_details(details: &str) {
    println!("      Details:");
    for line in details.lines().map(str::trim).filter(|l| !l.is_empty()) {
        println!("        {line}");
    }
}

pub async fn run(session: &Session, args: CheckArgs) -> ExitCode {
    let report_file = match args.report_file() {
        Ok(file) => file,
        Err(e) => return fail(e, None, session.json),
    };
    let live = !session.json;
    let name = session.connection.profile().name.clone();
    let print = move |r: &CheckResult| {
        if live {
            println!("{}  {} — {}", mark(r.status), r.title, r.detail);
            if let Some(fix) = r.fix.as_deref().filter(|_| r.status != Status::Pass) {
                println!("      What to do: {fix}");
                if let Some(setting) = r.setting {
                    println!("      Where: {}", place(setting, &name));
                }
            }
            // The service's own words (Entra's AADSTS code, trace and
            // correlation IDs, docs/microsoft.md §3): what Microsoft support
            // asks for. They come from the error body, which holds no secret.
            if let Some(details) = r.details.as_deref().filter(|_| r.status != Status::Pass) {
                print_details(details);
            }
        }
    };
    let results = checks::run(&session.connection, &session.cancel, &print).await;
    let report = Report::new(session.connection.profile(), results, SystemTime::now());
    last_check::note(&session.connection.profile().name, &report);
    let passed = report.passed;
    finish(report_file, &report, passed, session.json)
}

/// Writes the report where asked (saying so on a terminal), prints it as
/// JSON when asked, and ends with 0, or 1 when something failed.
pub fn finish<R: Render + Serialize>(
    file: Option<ReportFile>,
    report: &R,
    passed: bool,
    json: bool,
) -> ExitCode {
    if let Some(file) = file {
        let path = file.path().to_path_buf();
        if let Err(e) = file.write(report) {
            return fail(e.into(), None, json);
        }
        if !json {
            println!("Report written to {}.", path.display());
        }
    }
    if json {
        print_json(report);
    }
    if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(CHECK_FAILED)
    }
}
