//! `d365c check PROFILE [--report FILE]`: the checks, printed as they
//! finish, and the report for the customer.

use std::io::Write;
use std::path::{Path, PathBuf};
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

/// Where the report goes: a temporary file beside it, made before the
/// checks run so an unwritable path is reported at once, and renamed over
/// the target only once the report is complete.
struct ReportFile {
    path: PathBuf,
    temp: tempfile::NamedTempFile,
}

impl ReportFile {
    fn create(path: &Path) -> std::io::Result<Self> {
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        if path.is_dir() {
            return Err(std::io::Error::other("it is a folder"));
        }
        Ok(Self {
            path: path.to_path_buf(),
            temp: tempfile::NamedTempFile::new_in(dir)?,
        })
    }

    fn write(mut self, text: &str) -> std::io::Result<()> {
        self.temp.write_all(text.as_bytes())?;
        self.temp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}

fn unwritable(path: &Path, e: &std::io::Error, json: bool) -> ExitCode {
    fail(
        usage(
            format!("The report cannot be written to {}: {e}.", path.display()),
            "Choose a file in a folder you can write to.",
        ),
        json,
    )
}

pub async fn run(session: &Session, args: CheckArgs) -> ExitCode {
    let report_file = match args.report.as_deref().map(ReportFile::create).transpose() {
        Ok(file) => file,
        Err(e) => {
            let path = args.report.as_deref().unwrap_or(Path::new(""));
            return unwritable(path, &e, session.json);
        }
    };
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
    if let Some(file) = report_file {
        let text = match args.format() {
            ReportFormat::Md => report.to_markdown(),
            ReportFormat::Html => report.to_html(),
            ReportFormat::Json => report.to_json(),
        };
        let path = file.path.clone();
        if let Err(e) = file.write(&text) {
            return unwritable(&path, &e, session.json);
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
