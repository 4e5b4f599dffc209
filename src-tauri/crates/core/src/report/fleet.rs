//! The fleet report (`d365c check --all --report FILE`): one row per
//! connection, worst first, each with what to fix, and every connection's
//! own report inside it. Like the single report it holds no secret or
//! token: rows are made of profiles (which have no field for one) and
//! check results.

use std::fmt::Write;
use std::time::SystemTime;

use schemars::JsonSchema;
use serde::Serialize;

use super::{esc, html_page, label, md_cell, pretty_json, schema_text, timestamp, Render, TOOL};
use crate::checks::fleet::{Outcome, Verdict};
use crate::checks::{CheckResult, Status};
use crate::report::Report;

/// The fleet JSON report's layout version (see `FleetReport`).
pub const FLEET_SCHEMA_VERSION: u32 = 1;

/// A D365 Connect fleet report (`d365c check --all --report FILE.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(title = "D365 Connect fleet report")]
pub struct FleetReport {
    /// The JSON layout's version; bumped when a field changes meaning.
    pub schema_version: u32,
    /// What wrote it, e.g. "D365 Connect 0.1.0".
    pub tool: String,
    /// When the checks ended (RFC 3339, UTC).
    #[schemars(extend("format" = "date-time"))]
    pub generated: String,
    pub summary: Summary,
    /// True when no connection failed and every one could be checked.
    pub passed: bool,
    /// One per connection, worst first.
    pub connections: Vec<Row>,
}

/// How many connections came to each verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Summary {
    pub connections: usize,
    pub passed: usize,
    pub warnings: usize,
    pub failed: usize,
    pub could_not_run: usize,
    /// The whole run, wall clock.
    pub millis: u64,
}

/// One connection in the fleet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Row {
    /// The saved connection's name.
    pub name: String,
    pub customer: Option<String>,
    pub tags: Vec<String>,
    /// "Business Central", "Finance & Operations" or "Dataverse (…)";
    /// missing when the saved connection could not be read.
    pub product: Option<String>,
    pub tenant: Option<String>,
    pub environment: Option<String>,
    pub company: Option<String>,
    pub result: Verdict,
    /// The checks that failed, each with what to do.
    pub failed_checks: Vec<Finding>,
    /// The checks that warned, each with what to do.
    pub warnings: Vec<Finding>,
    /// Why the checks could not run (`result` is `could-not-run`).
    pub problem: Option<Problem>,
    /// The day the client secret stops working (ISO date), when known.
    pub secret_expires: Option<String>,
    /// How long checking this connection took.
    pub millis: u64,
    /// The connection's own report, as `d365c check NAME --report` writes it.
    pub report: Option<Report>,
}

/// A check that needs attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Finding {
    /// The check's stable identifier (see the single report's `results`).
    pub id: String,
    pub title: String,
    /// What was found.
    pub detail: String,
    /// What to do.
    pub fix: Option<String>,
}

/// Why a connection could not be checked, for a person to act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Problem {
    /// The kind of problem, e.g. "SecretNotFound".
    pub kind: String,
    pub message: String,
    pub fix: String,
}

impl From<&CheckResult> for Finding {
    fn from(r: &CheckResult) -> Self {
        Self {
            id: r.id.clone(),
            title: r.title.clone(),
            detail: r.detail.clone(),
            fix: r.fix.clone(),
        }
    }
}

impl From<&Outcome> for Row {
    fn from(o: &Outcome) -> Self {
        let p = o.profile.as_ref();
        let findings = |status| o.with_status(status).map(Finding::from).collect();
        Self {
            name: o.name.clone(),
            customer: p.and_then(|p| p.customer.clone()),
            tags: p.map(|p| p.tags.clone()).unwrap_or_default(),
            product: p.map(|p| p.product.display_name().to_string()),
            tenant: p.map(|p| p.tenant.clone()),
            environment: p.and_then(|p| p.environment.clone()),
            company: p.and_then(|p| p.company.clone()),
            result: o.verdict,
            failed_checks: findings(Status::Fail),
            warnings: findings(Status::Warn),
            problem: o.problem.as_ref().map(|e| Problem {
                kind: format!("{:?}", e.kind),
                message: e.message.clone(),
                fix: e.fix.clone(),
            }),
            secret_expires: p.and_then(|p| Some(p.secret.as_ref()?.expires_on.to_string())),
            millis: o.millis,
            report: o.report.clone(),
        }
    }
}

/// The JSON Schema (draft 2020-12) of the fleet report, published as
/// `src-tauri/crates/core/fleet-report.schema.json`.
pub fn json_schema() -> String {
    schema_text(schemars::schema_for!(FleetReport))
}

impl FleetReport {
    /// `outcomes` as `checks::fleet::run` returns them (worst first);
    /// `millis` is the whole run.
    pub fn new(outcomes: &[Outcome], millis: u64, at: SystemTime) -> Self {
        let count = |v| outcomes.iter().filter(|o| o.verdict == v).count();
        let summary = Summary {
            connections: outcomes.len(),
            passed: count(Verdict::Passed),
            warnings: count(Verdict::Warnings),
            failed: count(Verdict::Failed),
            could_not_run: count(Verdict::CouldNotRun),
            millis,
        };
        Self {
            schema_version: FLEET_SCHEMA_VERSION,
            tool: TOOL.into(),
            generated: timestamp(at),
            passed: summary.failed + summary.could_not_run == 0,
            summary,
            connections: outcomes.iter().map(Row::from).collect(),
        }
    }
}

impl Summary {
    /// "5 connections: 1 passed, 1 with warnings, 2 failed, 1 could not be
    /// checked", leaving out the verdicts nobody got.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = [
            (self.passed, "passed"),
            (self.warnings, "with warnings"),
            (self.failed, "failed"),
            (self.could_not_run, "could not be checked"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        let noun = if self.connections == 1 {
            "connection"
        } else {
            "connections"
        };
        format!("{} {noun}: {}", self.connections, parts.join(", "))
    }
}

/// How a verdict reads in the report.
pub fn verdict_label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Passed => "Passed",
        Verdict::Warnings => "Warnings",
        Verdict::Failed => "Failed",
        Verdict::CouldNotRun => "Could not run",
    }
}

/// The badge colour of a verdict: the single report's status classes.
fn verdict_class(verdict: Verdict) -> &'static str {
    let status = match verdict {
        Verdict::Passed => Status::Pass,
        Verdict::Warnings => Status::Warn,
        Verdict::Failed => Status::Fail,
        Verdict::CouldNotRun => Status::Skip,
    };
    label(status)
}

impl Row {
    /// What to do first: the first failed check's fix, the problem's, or
    /// the first warning's.
    fn what_to_do(&self) -> String {
        let finding = |f: &Finding| format!("{}: {}", f.title, f.fix.as_deref().unwrap_or(""));
        self.failed_checks
            .first()
            .map(finding)
            .or_else(|| {
                self.problem
                    .as_ref()
                    .map(|p| format!("{} {}", p.message, p.fix))
            })
            .or_else(|| self.warnings.first().map(finding))
            .unwrap_or_default()
    }

    /// The row's cells, under `COLUMNS`.
    fn cells(&self) -> [String; 11] {
        let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
        [
            verdict_label(self.result).into(),
            self.name.clone(),
            or_dash(&self.customer),
            self.tags.join(", "),
            or_dash(&self.product),
            or_dash(&self.tenant),
            or_dash(&self.environment),
            or_dash(&self.company),
            or_dash(&self.secret_expires),
            self.what_to_do(),
            format!("{:.1} s", self.millis as f64 / 1000.0),
        ]
    }
}

const COLUMNS: [&str; 11] = [
    "Result",
    "Connection",
    "Customer",
    "Tags",
    "Product",
    "Tenant",
    "Environment",
    "Company",
    "Secret expires",
    "What to do",
    "Time",
];

const TITLE: &str = "D365 Connect fleet report";

impl Render for FleetReport {
    fn to_json(&self) -> String {
        pretty_json(self)
    }

    fn to_markdown(&self) -> String {
        let mut md = format!(
            "# {TITLE}\n\n**{}.**\n\nChecked {} with {}.\n\n",
            self.summary.describe(),
            self.generated,
            self.tool
        );
        let _ = writeln!(
            md,
            "| {} |\n|{}",
            COLUMNS.join(" | "),
            "---|".repeat(COLUMNS.len())
        );
        for row in &self.connections {
            let cells: Vec<String> = row.cells().iter().map(|c| md_cell(c)).collect();
            let _ = writeln!(md, "| {} |", cells.join(" | "));
        }
        for row in &self.connections {
            let _ = write!(
                md,
                "\n## {} — {}\n\n",
                md_cell(&row.name),
                verdict_label(row.result)
            );
            match (&row.report, &row.problem) {
                (Some(report), _) => md.push_str(&report.markdown_body("###")),
                (None, Some(p)) => {
                    let _ = writeln!(
                        md,
                        "{}\n\nWhat to do: {}",
                        md_cell(&p.message),
                        md_cell(&p.fix)
                    );
                }
                (None, None) => {}
            }
        }
        md
    }

    fn to_html(&self) -> String {
        let mut rows = String::new();
        for row in &self.connections {
            let [result, rest @ ..] = row.cells();
            let _ = write!(
                rows,
                "<tr class=\"{}\"><td><span class=\"badge\">{}</span></td>",
                verdict_class(row.result).to_ascii_lowercase(),
                esc(&result)
            );
            for value in rest {
                let _ = write!(rows, "<td>{}</td>", esc(&value));
            }
            rows.push_str("</tr>");
        }
        let head: String = COLUMNS.iter().map(|c| format!("<th>{c}</th>")).collect();
        let mut each = String::new();
        for row in &self.connections {
            let inner = match (&row.report, &row.problem) {
                (Some(report), _) => report.html_body("h3"),
                (None, Some(p)) => format!(
                    "<p class=\"verdict fail\">{}</p><p>What to do: {}</p>",
                    esc(&p.message),
                    esc(&p.fix)
                ),
                (None, None) => String::new(),
            };
            let _ = write!(
                each,
                "<details><summary>{} — {}</summary>{inner}</details>",
                esc(&row.name),
                verdict_label(row.result)
            );
        }
        html_page(
            TITLE,
            &format!(
                "<h1>{TITLE}</h1><p class=\"verdict {cls}\">{summary}.</p><p>Checked {at} with {tool}.</p>\
                 <table class=\"checks fleet\"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>\
                 <h2>Each connection</h2>{each}",
                cls = if self.passed { "pass" } else { "fail" },
                summary = esc(&self.summary.describe()),
                at = esc(&self.generated),
                tool = esc(&self.tool),
            ),
        )
    }
}

#[cfg(test)]
mod tests;
