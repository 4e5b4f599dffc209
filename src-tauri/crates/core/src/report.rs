//! The validation report a consultant hands to the customer: what was
//! checked, on which connection, and what to fix. Markdown, a
//! self-contained printable HTML page, and JSON. Never a secret or token.
//! `fleet` puts many connections' reports into one.

pub mod fleet;

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use ts_rs::TS;

use crate::atomic_file::AtomicFile;
use crate::checks::{CheckResult, Status};
use crate::html::escape as esc;
use crate::problem::{ErrorKind, Explain};
use crate::profiles::Profile;
use crate::setup::record::SetupRecord;

/// The JSON report's layout version (see `Report`).
pub const SCHEMA_VERSION: u32 = 1;

/// The connection, as the report names it (no secret has a field here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, JsonSchema)]
#[ts(export)]
pub struct Subject {
    /// The saved connection's name.
    pub connection: String,
    /// "Business Central", "Finance & Operations" or "Dataverse (Sales,
    /// Customer Service)".
    pub product: String,
    pub cloud: String,
    /// The tenant as the connection names it: a GUID or a domain.
    pub tenant: String,
    /// The app's Application (client) ID, in full.
    pub client_id: String,
    /// Who signs in: a person (delegated) or the app (client credentials).
    pub sign_in: String,
    /// BC environment name, or the F&O / Dataverse environment address.
    pub environment: Option<String>,
    pub company: Option<String>,
    /// The day the client secret stops working (ISO date), when known.
    #[serde(default)]
    pub secret_expires: Option<String>,
    /// What "Set it up for me" made, when it registered the app.
    #[serde(default)]
    pub setup: Option<SetupRecord>,
}

/// A D365 Connect validation report (`d365c check --report FILE.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, JsonSchema)]
#[ts(export)]
#[schemars(title = "D365 Connect validation report")]
pub struct Report {
    /// The JSON layout's version; bumped when a field changes meaning.
    pub schema_version: u32,
    /// What wrote it, e.g. "D365 Connect 0.1.0".
    pub tool: String,
    /// When the checks ran (RFC 3339, UTC).
    #[schemars(extend("format" = "date-time"))]
    pub generated: String,
    pub subject: Subject,
    /// The checks in the order they ran.
    pub results: Vec<CheckResult>,
    /// Pass when nothing failed.
    pub passed: bool,
}

/// The report's file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum ReportFormat {
    Markdown,
    Html,
    Json,
}

impl ReportFormat {
    /// The file extension its files get, without the dot (`of_path` reads
    /// it back).
    pub fn extension(self) -> &'static str {
        match self {
            Self::Markdown => "md",
            Self::Html => "html",
            Self::Json => "json",
        }
    }

    /// The format a file name asks for: `.html`/`.htm`, `.json`, else
    /// Markdown.
    pub fn of_path(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm") => {
                Self::Html
            }
            Some(e) if e.eq_ignore_ascii_case("json") => Self::Json,
            _ => Self::Markdown,
        }
    }

    pub fn render(self, report: &impl Render) -> String {
        match self {
            Self::Markdown => report.to_markdown(),
            Self::Html => report.to_html(),
            Self::Json => report.to_json(),
        }
    }
}

/// A report in the three formats: one connection's (`Report`) or many's
/// (`fleet::FleetReport`).
pub trait Render {
    fn to_markdown(&self) -> String;
    /// One page with its styles inline: opens anywhere, prints cleanly.
    fn to_html(&self) -> String;
    /// The JSON form, valid against the report's published schema.
    fn to_json(&self) -> String;
}

/// Where a report will be written, opened before the checks run so that an
/// unwritable path is said at once; the report replaces the file whole.
pub struct ReportFile {
    file: AtomicFile,
    format: ReportFormat,
}

/// The report could not be written where the person asked.
#[derive(Debug, thiserror::Error)]
#[error("The report cannot be written to {path}: {cause}.")]
pub struct ReportFileError {
    path: PathBuf,
    cause: std::io::Error,
}

impl Explain for ReportFileError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidInput
    }

    fn fix(&self) -> String {
        "Choose a file in a folder you can write to.".into()
    }
}

impl ReportFile {
    /// `format` defaults to the one the file name asks for.
    pub fn create(path: &Path, format: Option<ReportFormat>) -> Result<Self, ReportFileError> {
        let error = |cause| ReportFileError {
            path: path.to_path_buf(),
            cause,
        };
        Ok(Self {
            file: AtomicFile::create(path).map_err(error)?,
            format: format.unwrap_or_else(|| ReportFormat::of_path(path)),
        })
    }

    pub fn path(&self) -> &Path {
        self.file.path()
    }

    pub fn write(self, report: &impl Render) -> Result<(), ReportFileError> {
        let path = self.file.path().to_path_buf();
        self.file
            .commit(self.format.render(report).as_bytes())
            .map_err(|cause| ReportFileError { path, cause })
    }
}

/// The JSON Schema (draft 2020-12) of the JSON report, published as
/// `src-tauri/crates/core/report.schema.json`.
pub fn json_schema() -> String {
    schema_text(schemars::schema_for!(Report))
}

fn schema_text(schema: schemars::Schema) -> String {
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

/// RFC 3339 (UTC), the reports' `generated`.
fn timestamp(at: SystemTime) -> String {
    OffsetDateTime::from(at)
        .format(&Rfc3339)
        .unwrap_or_else(|_| httpdate::fmt_http_date(at))
}

/// Pretty JSON, or the reason there is none (never expected: the reports
/// are plain data).
fn pretty_json(value: &impl Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// A self-contained page around `body`.
fn html_page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title><style>{STYLE}</style></head><body>{body}</body></html>"
    )
}

const TOOL: &str = concat!("D365 Connect ", env!("CARGO_PKG_VERSION"));

impl Report {
    pub fn new(profile: &Profile, results: Vec<CheckResult>, at: SystemTime) -> Self {
        let sign_in = match profile.grant() {
            crate::profiles::Grant::Delegated => "A person signs in (delegated)",
            crate::profiles::Grant::ClientCredentials => "The app signs in (client credentials)",
        };
        Self {
            schema_version: SCHEMA_VERSION,
            tool: TOOL.into(),
            generated: timestamp(at),
            subject: Subject {
                connection: profile.name.clone(),
                product: profile.product.display_name().into(),
                cloud: profile.cloud.display_name().into(),
                tenant: profile.tenant.clone(),
                client_id: profile.client_id.clone(),
                sign_in: sign_in.into(),
                environment: profile.environment.clone(),
                company: profile.company.clone(),
                secret_expires: profile.secret.as_ref().map(|s| s.expires_on.to_string()),
                setup: profile.setup.clone(),
            },
            passed: !results.iter().any(|r| r.status == Status::Fail),
            results,
        }
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        let s = &self.subject;
        let none = || "—".to_string();
        let mut facts = vec![
            ("Connection", s.connection.clone()),
            ("Product", s.product.clone()),
            ("Cloud", s.cloud.clone()),
            ("Tenant", s.tenant.clone()),
            ("Application (client) ID", s.client_id.clone()),
            ("Sign-in", s.sign_in.clone()),
            ("Environment", s.environment.clone().unwrap_or_else(none)),
            ("Company", s.company.clone().unwrap_or_else(none)),
            (
                "Secret expires",
                s.secret_expires.clone().unwrap_or_else(none),
            ),
        ];
        if let Some(setup) = &s.setup {
            let granted = [setup.delegated.as_slice(), setup.roles.as_slice()].concat();
            facts.extend([
                (
                    "Set up by D365 Connect",
                    format!("'{}' on {}", setup.app_name, setup.set_up_on),
                ),
                ("App registration object ID", setup.object_id.clone()),
                (
                    "Enterprise application object ID",
                    setup.service_principal_id.clone(),
                ),
                (
                    "Granted for the organization",
                    if granted.is_empty() {
                        none()
                    } else {
                        granted.join(", ")
                    },
                ),
                (
                    "Inside the product",
                    setup.product_side.clone().unwrap_or_else(none),
                ),
            ]);
        }
        facts.extend([
            ("Checked", self.generated.clone()),
            ("Checked with", self.tool.clone()),
        ]);
        facts
    }

    fn verdict(&self) -> &'static str {
        if self.passed {
            "All checks passed."
        } else {
            "Some checks failed: see what to do below."
        }
    }

    /// The verdict, the facts and the checks, under headings of level
    /// `h` ("##" alone, deeper inside a fleet report).
    fn markdown_body(&self, h: &str) -> String {
        let mut md = format!("**{}**\n\n", self.verdict());
        md.push_str("| | |\n|---|---|\n");
        for (name, value) in self.facts() {
            let _ = writeln!(md, "| {name} | {} |", md_cell(&value));
        }
        let _ = write!(
            md,
            "\n{h} Checks\n\n| Result | Check | Found | What to do |\n|---|---|---|---|\n"
        );
        for r in &self.results {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                label(r.status),
                md_cell(&r.title),
                md_cell(&r.detail),
                md_cell(r.fix.as_deref().unwrap_or(""))
            );
        }
        let with_details: Vec<&CheckResult> = self
            .results
            .iter()
            .filter(|r| r.details.is_some())
            .collect();
        if !with_details.is_empty() {
            let _ = write!(md, "\n{h} Details for support\n\n");
            for r in with_details {
                let _ = writeln!(
                    md,
                    "- **{}**: `{}`",
                    md_cell(&r.title),
                    r.details.as_deref().unwrap_or("").replace('`', "'")
                );
            }
        }
        md
    }

    /// The verdict, the facts and the checks, the checks under an `h`
    /// heading ("h2" alone, deeper inside a fleet report).
    fn html_body(&self, h: &str) -> String {
        let mut rows = String::new();
        for r in &self.results {
            let _ = write!(
                rows,
                "<tr class=\"{cls}\"><td><span class=\"badge\">{label}</span></td><td>{title}</td><td>{detail}{details}</td><td>{fix}</td></tr>",
                cls = label(r.status).to_ascii_lowercase(),
                label = label(r.status),
                title = esc(&r.title),
                detail = esc(&r.detail),
                details = r.details.as_deref().map(|d| format!("<details><summary>Details</summary><code>{}</code></details>", esc(d))).unwrap_or_default(),
                fix = esc(r.fix.as_deref().unwrap_or("")),
            );
        }
        let mut facts = String::new();
        for (name, value) in self.facts() {
            let _ = write!(
                facts,
                "<tr><th scope=\"row\">{name}</th><td>{}</td></tr>",
                esc(&value)
            );
        }
        format!(
            "<p class=\"verdict {cls}\">{verdict}</p>\
             <table class=\"facts\">{facts}</table><{h}>Checks</{h}>\
             <table class=\"checks\"><thead><tr><th>Result</th><th>Check</th><th>Found</th><th>What to do</th></tr></thead><tbody>{rows}</tbody></table>",
            cls = if self.passed { "pass" } else { "fail" },
            verdict = self.verdict(),
        )
    }
}

impl Render for Report {
    fn to_json(&self) -> String {
        pretty_json(self)
    }

    fn to_markdown(&self) -> String {
        format!(
            "# D365 Connect validation report\n\n{}",
            self.markdown_body("##")
        )
    }

    fn to_html(&self) -> String {
        html_page(
            &format!(
                "D365 Connect validation report — {}",
                esc(&self.subject.connection)
            ),
            &format!(
                "<h1>D365 Connect validation report</h1>{}",
                self.html_body("h2")
            ),
        )
    }
}

const STYLE: &str = "body{font:14px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1b1f24;margin:2rem auto;max-width:60rem;padding:0 1rem}\
h1{font-size:1.5rem}table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border:1px solid #d0d7de;padding:.4rem .6rem;text-align:left;vertical-align:top}\
.facts th{width:14rem;background:#f6f8fa}.badge{font-weight:600;padding:.1rem .5rem;border-radius:1rem;white-space:nowrap}\
.pass .badge{background:#dafbe1;color:#116329}.warn .badge{background:#fff8c5;color:#7d4e00}.fail .badge{background:#ffebe9;color:#a40e26}.skip .badge{background:#eaeef2;color:#57606a}\
.verdict{font-weight:600;padding:.6rem 1rem;border-radius:.4rem}.verdict.pass{background:#dafbe1}.verdict.fail{background:#ffebe9}\
code{white-space:pre-wrap;word-break:break-word}@media print{body{margin:0;max-width:none}details{display:block}details>summary{display:none}tr{break-inside:avoid}}";

fn label(status: Status) -> &'static str {
    match status {
        Status::Pass => "Pass",
        Status::Warn => "Warn",
        Status::Fail => "Fail",
        Status::Skip => "Skip",
    }
}

fn md_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profiles::Registration;

    #[test]
    fn a_format_reads_back_from_its_own_extension() {
        for format in [
            ReportFormat::Markdown,
            ReportFormat::Html,
            ReportFormat::Json,
        ] {
            let name = format!("report.{}", format.extension());
            assert_eq!(ReportFormat::of_path(Path::new(&name)), format);
        }
    }

    pub(crate) fn report(status: Status) -> Report {
        let profile = Profile {
            name: "Contoso <prod>".into(),
            registration: Registration::BackgroundService,
            scopes: vec![],
            ..crate::test_fixtures::profile("contoso")
        };
        let result = CheckResult {
            id: "read".into(),
            title: "Data can be read | customers".into(),
            status,
            detail: "Business Central rejected the app's sign-in.".into(),
            fix: Some("Add the app in 'Microsoft Entra Applications'.".into()),
            details: Some("HTTP 401 Authentication_InvalidCredentials".into()),
            setting: None,
            millis: 12,
        };
        Report::new(&profile, vec![result], SystemTime::UNIX_EPOCH)
    }

    #[test]
    fn the_file_name_picks_the_format_unless_one_is_given() {
        let dir = tempfile::tempdir().unwrap();
        for (name, given, starts) in [
            ("r.HTML", None, "<!DOCTYPE html>"),
            ("r.json", None, "{"),
            ("r.txt", None, "# D365 Connect"),
            ("r.md", Some(ReportFormat::Json), "{"),
        ] {
            let path = dir.path().join(name);
            ReportFile::create(&path, given)
                .unwrap()
                .write(&report(Status::Pass))
                .unwrap();
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(text.starts_with(starts), "{name}: {text:.40}");
        }
        let err = ReportFile::create(&dir.path().join("none").join("r.md"), None).err();
        assert_eq!(err.map(|e| e.kind()), Some(ErrorKind::InvalidInput));
    }

    #[test]
    fn markdown_has_the_facts_the_checks_and_escaped_cells() {
        let md = report(Status::Fail).to_markdown();
        assert!(md.contains("Some checks failed"));
        assert!(md.contains("| Tenant | contoso.onmicrosoft.com |"));
        assert!(md.contains("| Fail | Data can be read \\| customers |"));
        assert!(md.contains("## Details for support"));
    }

    #[test]
    fn what_setup_made_is_on_file_for_the_consultant() {
        let mut with_setup = report(Status::Pass);
        with_setup.subject.secret_expires = Some("2027-12-04".into());
        with_setup.subject.setup = Some(SetupRecord {
            app_name: "D365 Connect - Business Central (background service)".into(),
            object_id: "obj-1".into(),
            service_principal_id: "sp-1".into(),
            delegated: vec![],
            roles: vec!["API.ReadWrite.All".into()],
            product_side: None,
            set_up_on: "2026-12-04".into(),
        });
        let md = with_setup.to_markdown();
        assert!(
            md.contains("| App registration object ID | obj-1 |"),
            "{md}"
        );
        assert!(md.contains("| Granted for the organization | API.ReadWrite.All |"));
        assert!(md.contains("| Inside the product | — |"));
        assert!(md.contains("| Secret expires | 2027-12-04 |"));
        assert!(
            !report(Status::Pass).to_markdown().contains("object ID"),
            "only when setup made it"
        );
    }

    #[test]
    fn html_is_self_contained_and_escaped() {
        let html = report(Status::Pass).to_html();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("Contoso &lt;prod&gt;"));
        assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("href="));
        assert!(html.contains("All checks passed."));
    }

    #[test]
    fn json_round_trips_the_results() {
        let json: serde_json::Value =
            serde_json::from_str(&report(Status::Warn).to_json()).unwrap();
        assert_eq!(json["passed"], true, "a warning is not a failure");
        assert_eq!(json["results"][0]["status"], "Warn");
        assert_eq!(json["generated"], "1970-01-01T00:00:00Z");
        assert_eq!(json["schema_version"], 1);
        assert!(json["tool"].as_str().unwrap().starts_with("D365 Connect "));
    }

    /// The schema published as `file` (beside Cargo.toml) is `made`;
    /// regenerate them with `D365_UPDATE_SCHEMA=1 cargo test -p d365-core --lib report`.
    pub(crate) fn assert_published(file: &str, made: &str) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        if std::env::var_os("D365_UPDATE_SCHEMA").is_some() {
            std::fs::write(&path, made).unwrap();
        }
        let published = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            published == made,
            "{} is out of date: run D365_UPDATE_SCHEMA=1 cargo test -p d365-core --lib report",
            path.display()
        );
    }

    #[test]
    fn the_published_schema_matches_the_types() {
        assert_published("report.schema.json", &json_schema());
    }

    /// The errors of `json` against `schema`, none when it is valid.
    pub(crate) fn schema_errors(schema: &str, json: &str) -> Vec<String> {
        let schema: serde_json::Value = serde_json::from_str(schema).unwrap();
        let json: serde_json::Value = serde_json::from_str(json).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        validator
            .iter_errors(&json)
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn reports_are_valid_against_the_schema() {
        for status in [Status::Pass, Status::Warn, Status::Fail, Status::Skip] {
            let errors = schema_errors(&json_schema(), &report(status).to_json());
            assert!(errors.is_empty(), "{errors:?}");
        }
        let mut broken: serde_json::Value =
            serde_json::from_str(&report(Status::Pass).to_json()).unwrap();
        broken["results"][0]["status"] = "Maybe".into();
        assert!(
            !schema_errors(&json_schema(), &broken.to_string()).is_empty(),
            "the schema constrains the status"
        );
    }
}
