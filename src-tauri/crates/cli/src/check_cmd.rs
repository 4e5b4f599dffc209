//! `d365c check PROFILE [--report FILE]`: the checks, printed as they
//! finish, and the report for the customer.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

use clap::{Args, ValueEnum};
use d365_core::checks::{self, CheckResult, Status};
use d365_core::report::{Report, ReportFile, ReportFormat};

use crate::data_cmd::Session;
use crate::outcome::{fail, place, print_json, CHECK_FAILED};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Md,
    Html,
    Json,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    profile: String,
    /// Also write the report to this file.
    #[arg(long)]
    report: Option<PathBuf>,
    /// The report's format (default: from the file's extension, else Markdown).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
}

impl CheckArgs {
    pub fn profile(&self) -> &str {
        &self.profile
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
    let format = args.format.map(|f| match f {
        FormatArg::Md => ReportFormat::Markdown,
        FormatArg::Html => ReportFormat::Html,
        FormatArg::Json => ReportFormat::Json,
    });
    let report_file = match args
        .report
        .as_deref()
        .map(|p| ReportFile::create(p, format))
    {
        Some(Err(e)) => return fail(e.into(), None, session.json),
        Some(Ok(file)) => Some(file),
        None => None,
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
    if let Some(file) = report_file {
        let path = file.path().to_path_buf();
        if let Err(e) = file.write(&report) {
            return fail(e.into(), None, session.json);
        }
        if !session.json {
            println!("Report written to {}.", path.display());
        }
    }
    if session.json {
        print_json(&report);
    }
    if report.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(CHECK_FAILED)
    }
}
