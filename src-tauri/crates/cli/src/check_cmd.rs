//! `d365c check PROFILE [--report FILE]`: the checks, printed as they
//! finish, and the report for the customer.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

use clap::{Args, ValueEnum};
use d365_core::checks::{self, CheckResult, Status};
use d365_core::report::Report;

use crate::data_cmd::Session;
use crate::outcome::{fail, print_json, usage, CHECK_FAILED};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportFormat {
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
    format: Option<ReportFormat>,
}

impl CheckArgs {
    pub fn profile(&self) -> &str {
        &self.profile
    }

    fn format(&self) -> ReportFormat {
        self.format.unwrap_or_else(|| {
            match self
                .report
                .as_ref()
                .and_then(|p| p.extension())
                .and_then(|e| e.to_str())
            {
                Some("html" | "htm") => ReportFormat::Html,
                Some("json") => ReportFormat::Json,
                _ => ReportFormat::Md,
            }
        })
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

pub async fn run(session: &Session, args: CheckArgs) -> ExitCode {
    let live = !session.json;
    let print = move |r: &CheckResult| {
        if live {
            println!("{}  {} — {}", mark(r.status), r.title, r.detail);
            if let Some(fix) = r.fix.as_deref().filter(|_| r.status != Status::Pass) {
                println!("      What to do: {fix}");
            }
        }
    };
    let results = checks::run(&session.connection, &session.cancel, &print).await;
    let report = Report::new(session.connection.profile(), results, SystemTime::now());
    if let Some(path) = &args.report {
        let text = match args.format() {
            ReportFormat::Md => report.to_markdown(),
            ReportFormat::Html => report.to_html(),
            ReportFormat::Json => report.to_json(),
        };
        if let Err(e) = std::fs::write(path, text) {
            return fail(
                usage(
                    format!(
                        "The report could not be written to {}: {e}.",
                        path.display()
                    ),
                    "Choose a folder you can write to.",
                ),
                session.json,
            );
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
