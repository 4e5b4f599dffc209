use super::*;
use crate::problem::{ErrorKind, UserError};
use crate::report::tests::{assert_published, report, schema_errors};
use crate::secret_expiry::SecretCredential;

/// A fleet of three: one failed, one that could not run, one passed.
fn fleet() -> FleetReport {
    let failed = report(Status::Fail);
    let mut profile = crate::test_fixtures::profile("contoso <bc>");
    profile.customer = Some("Contoso & Sons".into());
    profile.tags = vec!["retail".into(), "eu".into()];
    profile.secret = Some(SecretCredential::typed("2027-06-01", None).unwrap());
    let outcomes = [
        Outcome {
            name: "contoso <bc>".into(),
            profile: Some(profile.clone()),
            verdict: Verdict::Failed,
            report: Some(Report::new(
                &profile,
                failed.results,
                SystemTime::UNIX_EPOCH,
            )),
            problem: None,
            millis: 1_250,
        },
        Outcome {
            name: "no-secret".into(),
            profile: None,
            verdict: Verdict::CouldNotRun,
            report: None,
            problem: Some(UserError::new(
                ErrorKind::SecretNotFound,
                "No client secret is saved for 'no-secret'.",
                "Save the connection again with its secret.",
            )),
            millis: 3,
        },
        Outcome {
            name: "fine".into(),
            profile: Some(crate::test_fixtures::profile("fine")),
            verdict: Verdict::Passed,
            report: Some(report(Status::Pass)),
            problem: None,
            millis: 900,
        },
    ];
    FleetReport::new(&outcomes, 1_300, SystemTime::UNIX_EPOCH)
}

#[test]
fn the_published_fleet_schema_matches_the_types() {
    assert_published("fleet-report.schema.json", &json_schema());
}

#[test]
fn fleet_reports_are_valid_against_their_schema_and_embed_each_report() {
    let json = fleet().to_json();
    let errors = schema_errors(&json_schema(), &json);
    assert!(errors.is_empty(), "{errors:?}");
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["passed"], false);
    assert_eq!(value["summary"]["failed"], 1);
    assert_eq!(value["summary"]["could_not_run"], 1);
    let first = &value["connections"][0];
    assert_eq!(first["result"], "failed");
    assert_eq!(first["customer"], "Contoso & Sons");
    assert_eq!(first["secret_expires"], "2027-06-01");
    assert_eq!(
        first["failed_checks"][0]["fix"],
        "Add the app in 'Microsoft Entra Applications'."
    );
    assert_eq!(value["connections"][1]["result"], "could-not-run");
    assert_eq!(value["connections"][1]["problem"]["kind"], "SecretNotFound");
    // The embedded report is the single report, valid against its schema.
    let embedded = first["report"].to_string();
    let errors = schema_errors(&crate::report::json_schema(), &embedded);
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn markdown_has_a_row_per_connection_and_each_report_below() {
    let md = fleet().to_markdown();
    assert!(
        md.contains("**3 connections: 1 passed, 1 failed, 1 could not be checked.**"),
        "{md}"
    );
    assert!(md.contains("| Failed | contoso <bc> | Contoso & Sons | retail, eu |"));
    assert!(md.contains("| Could not run | no-secret | — |"));
    assert!(md.contains("## contoso <bc> — Failed"));
    assert!(
        md.contains("### Checks"),
        "the embedded report, a level down"
    );
    assert!(md.contains("What to do: Save the connection again with its secret."));
}

#[test]
fn html_is_self_contained_escaped_and_collapses_each_report() {
    let html = fleet().to_html();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("contoso &lt;bc&gt;") && !html.contains("contoso <bc>"));
    assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("href="));
    let collapsed = html.matches("</summary><p class=\"verdict").count();
    assert_eq!(collapsed, 3, "one <details> per connection: {html}");
    assert!(html.contains("<h3>Checks</h3>"));
}

#[test]
fn the_summary_names_only_the_verdicts_there_are() {
    let summary = Summary {
        connections: 1,
        passed: 1,
        warnings: 0,
        failed: 0,
        could_not_run: 0,
        millis: 0,
    };
    assert_eq!(summary.describe(), "1 connection: 1 passed");
}
